import { progressSettingsFromEnv, type ProgressSettings } from '../core/progress.js';

/** Where a CLI command writes: a stream, or the log-safe writer main() puts in front of one. */
export interface Output {
  write(text: string): unknown;
}

/**
 * Progress lines of a long stage (uploads, normalising, drift, export), written with the command's
 * other log lines (text format only). ENTRA_PHOTOS_PROGRESS_SECONDS sets the interval (default 12 s).
 */
export function cliProgress(): ProgressSettings {
  return progressSettingsFromEnv(process.env);
}

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { p as progressSettingsFromEnv } from './shared2.js';

/**
 * Progress lines of a long stage (uploads, normalising, drift, export), written with the command's
 * other log lines (text format only). ENTRA_PHOTOS_PROGRESS_SECONDS sets the interval (default 12 s).
 */
function cliProgress() {
    return progressSettingsFromEnv(process.env);
}

export { cliProgress as c };

import * as core from '@actions/core';
import { progressSettingsFromEnv, type LogGroup, type ProgressSettings } from '../core/progress.js';
import { neutraliseLog } from '../core/untrusted.js';

/**
 * The one way the action prints plain log text. @actions/core escapes the data of the commands it
 * writes itself (core.error, core.warning, core.setFailed, groups), but `core.info` writes its text
 * as it is, and that text carries file names and manifest values from the pull request: every
 * line passes through neutraliseLog so none of it can become a workflow command
 * (test/unit/action/log-edge.test.ts checks that no other module prints).
 */
export function logInfo(text: string): void {
  core.info(neutraliseLog(text));
}

/**
 * Progress of a long stage (uploads, normalising, drift, export) in the action: its lines sit in a
 * log group (`::group::` … `::endgroup::`), opened at the first progress line so a short run
 * prints only its final count. ENTRA_PHOTOS_PROGRESS_SECONDS sets the interval (default 12 s).
 */
export function actionProgress(env: Record<string, string | undefined> = process.env): ProgressSettings {
  return {
    ...progressSettingsFromEnv(env),
    group: logGroup,
  };
}

/** The action's log group (`::group::` … `::endgroup::`), its title neutralised as logInfo's text. */
export const logGroup: LogGroup = { start: (title) => core.startGroup(neutraliseLog(title)), end: () => core.endGroup() };

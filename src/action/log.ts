import * as core from '@actions/core';
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

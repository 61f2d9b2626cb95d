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
const logGroup: LogGroup = { start: (title) => core.startGroup(neutraliseLog(title)), end: () => core.endGroup() };

/** Where one run (a target's apply or drift) prints: its plain lines and its progress group. */
export interface LogChannel {
  info(text: string): void;
  group: { start(title: string): void; end(): void };
}

export const DIRECT_LOG: LogChannel = {
  info: (text) => logInfo(text),
  group: logGroup,
};

export type LogEntry = { kind: 'info' | 'start'; text: string } | { kind: 'end' };

/**
 * The log of runs that go at once, printed as if they had run one after the other: channel i
 * prints live while every channel before it has closed; until then its lines (and its progress
 * group) are held, and printed in one block when its turn comes.
 */
export class OrderedLog {
  readonly #held: LogEntry[][];
  readonly #closed: boolean[];
  #head = 0;

  constructor(count: number, private readonly sink: (entry: LogEntry) => void = printEntry) {
    this.#held = Array.from({ length: count }, () => []);
    this.#closed = Array.from({ length: count }, () => false);
  }

  channel(index: number): LogChannel & { close(): void } {
    const write = (entry: LogEntry): void => {
      if (this.#closed[index]) return;
      if (index === this.#head) this.sink(entry);
      else this.#held[index]!.push(entry);
    };
    return {
      info: (text) => write({ kind: 'info', text }),
      group: { start: (title) => write({ kind: 'start', text: title }), end: () => write({ kind: 'end' }) },
      close: () => {
        if (this.#closed[index]) return;
        this.#closed[index] = true;
        while (this.#head < this.#held.length && this.#closed[this.#head]) {
          this.#head++;
          if (this.#head < this.#held.length) {
            for (const entry of this.#held[this.#head]!.splice(0)) this.sink(entry);
          }
        }
      },
    };
  }
}

function printEntry(entry: LogEntry): void {
  if (entry.kind === 'info') logInfo(entry.text);
  else if (entry.kind === 'start') logGroup.start(entry.text);
  else logGroup.end();
}

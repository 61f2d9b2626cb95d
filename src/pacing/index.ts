// Pacing: one engine for every target's writes, downloads and retried reads, parameterised by the
// target's failure classifier (the port's classifyFailure through pacingClassifierOf).
//   pacer   — WritePacer: calls at the directory's throttle limit, retried within bounds
//   retry   — backoff arithmetic and withRetries for occasional reads
//   rounds  — BatchRounds: rounds of batched calls (lookups, presence) sized and spaced by throttling
//   failure — the failure kinds pacing knows, the default HTTP classifier, the port's mapping
export { PacerCancelledError, WritePacer, attemptsOf } from './pacer.js';
export type { PacerEvent, PacerStats, WritePacerOptions } from './pacer.js';
export { backoffDelayMs, withRetries } from './retry.js';
export type { BackoffOptions, RetryOptions } from './retry.js';
export { BatchRounds } from './rounds.js';
export type { RoundOutcome, RoundsOptions } from './rounds.js';
export { classifyHttpFailure, pacingClassifierOf } from './failure.js';
export type { PacingClassifier, PacingFailure } from './failure.js';

/**
 * Backoff arithmetic shared by the WritePacer, by reads and by a target's batch rounds. Reads
 * (user lookups, photo reads, the policy, role assignments) are few, so `withRetries` simply
 * retries one call: honour Retry-After when the service sends it, else exponential backoff with
 * full jitter. Which failures are retried is the caller's classifier (default plain HTTP rules).
 */
import { sleep } from '../core/sleep.js';
import { classifyHttpFailure, type PacingClassifier } from './failure.js';

export interface BackoffOptions {
  /** First backoff ceiling; default 250 ms. */
  baseDelayMs?: number;
  /** Largest backoff; default 30 s. */
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * Delay before retry number `retry` (1 = first retry): Retry-After when given, else "full jitter"
 * (uniform in [0, min(max, base·2^(retry−1))]), which spreads retries of many clients apart.
 */
export function backoffDelayMs(retry: number, retryAfterSeconds: number | undefined, options: BackoffOptions = {}): number {
  if (retryAfterSeconds !== undefined) return Math.max(0, retryAfterSeconds * 1000);
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  return (options.random ?? Math.random)() * ceiling;
}

export { sleep } from '../core/sleep.js';

export interface RetryOptions extends BackoffOptions {
  /** Total attempts including the first; default 5. */
  maxAttempts?: number;
  signal?: AbortSignal;
  /** Which failures are worth another attempt; default plain HTTP rules (`classifyHttpFailure`). */
  classify?: PacingClassifier;
}

/** Runs `call` until it succeeds, fails for good (4xx, or what `classify` calls final), or uses up its attempts. */
export async function withRetries<T>(call: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const disposition = (options.classify ?? classifyHttpFailure)(error);
      if (disposition.kind === 'fatal' || attempt >= maxAttempts || options.signal?.aborted) throw error;
      await sleep(backoffDelayMs(attempt, disposition.retryAfterSeconds, options), options.signal);
    }
  }
}

/**
 * Rounds of batched calls (a target's lookups and presence checks, sent many per request): the
 * part of pacing that batches need. A round sends what is pending; the items the service
 * throttled (or that failed and are worth another attempt) go back to the front of the queue.
 * After a throttled round the next one sends no more items than the last one got answered, so a
 * throttled caller does not keep hammering; then it waits: the longest Retry-After the service
 * gave, else a backoff with full jitter. Which answers are throttling is the target's call (its
 * classifier): this engine only counts them.
 */
import { backoffDelayMs, sleep } from './retry.js';

export interface RoundOutcome {
  /** Items answered for good (including those sent on to a next stage). */
  answered: number;
  /** Items the service throttled. */
  throttled: number;
  /** The longest Retry-After the service gave this round (seconds), if any. */
  retryAfterSeconds?: number | undefined;
  /** For a round with failures worth another attempt: the retry number its backoff is for (0: none). */
  retry?: number;
}

export interface RoundsOptions {
  /** The backoff's first ceiling when the round was throttled (default 1 s) and when it only failed (default 250 ms). */
  throttledBaseDelayMs?: number;
  failedBaseDelayMs?: number;
  /** Give up (`next` answers false) rather than wait more than this in all; default: never give up. */
  maxTotalWaitMs?: number;
  signal?: AbortSignal;
}

export class BatchRounds {
  #roundSize = Number.POSITIVE_INFINITY;
  #waitedMs = 0;
  readonly #options: RoundsOptions;

  constructor(options: RoundsOptions = {}) {
    this.#options = options;
  }

  /** The items this round sends, from the front of what is pending. */
  take<T>(pending: readonly T[]): T[] {
    return pending.slice(0, Math.max(1, this.#roundSize));
  }

  /**
   * After a round: sizes the next one and waits as the round asks. False when waiting would pass
   * `maxTotalWaitMs` (the caller stops and leaves the rest unanswered). The wait rejects when the
   * signal aborts.
   */
  async next(outcome: RoundOutcome): Promise<boolean> {
    this.#roundSize = outcome.throttled > 0 ? Math.max(1, outcome.answered) : Number.POSITIVE_INFINITY;
    const retry = outcome.retry ?? 0;
    if (outcome.throttled === 0 && retry === 0) return true;
    const base = outcome.throttled > 0 ? (this.#options.throttledBaseDelayMs ?? 1000) : (this.#options.failedBaseDelayMs ?? 250);
    const delayMs = outcome.retryAfterSeconds !== undefined ? outcome.retryAfterSeconds * 1000 : backoffDelayMs(Math.max(1, retry), undefined, { baseDelayMs: base });
    if (this.#options.maxTotalWaitMs !== undefined && this.#waitedMs + delayMs > this.#options.maxTotalWaitMs) return false;
    this.#waitedMs += delayMs;
    await sleep(delayMs, this.#options.signal);
    return true;
  }
}

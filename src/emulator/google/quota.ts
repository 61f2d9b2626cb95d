// The Directory API's per-user quota: so many requests per minute per caller, and optionally a cap
// on requests in flight per caller ("the limit of concurrent requests for a certain operation",
// answered 403 quotaExceeded). Google documents the per-minute limit, not how the minute is
// counted: fixed windows from the caller's first request are our default (`windowAlignment`);
// windows aligned to the clock, or a sliding window, are the alternatives tests configure.
import type { GoogleQuotaConfig, GoogleQuotaWindowAlignment } from './options.js';

export type QuotaDecision = { allowed: true; release: () => void } | { allowed: false; reason: 'userRateLimitExceeded' | 'rateLimitExceeded' | 'quotaExceeded' };

export class PerUserQuota {
  config: Required<GoogleQuotaConfig>;
  readonly #windows = new Map<string, { start: number; count: number }>();
  /** 'sliding': when each caller's admitted requests of the last window arrived, oldest first. */
  readonly #admitted = new Map<string, number[]>();
  readonly #inFlight = new Map<string, number>();

  constructor(config: GoogleQuotaConfig) {
    this.config = normalise(config);
  }

  reconfigure(config: GoogleQuotaConfig): void {
    this.config = normalise(config);
    this.#windows.clear();
    this.#admitted.clear();
  }

  take(user: string, now = Date.now()): QuotaDecision {
    const { perMinutePerUser, windowSeconds, answer, maxConcurrentPerUser } = this.config;
    const inFlight = this.#inFlight.get(user) ?? 0;
    if (maxConcurrentPerUser > 0 && inFlight >= maxConcurrentPerUser) return { allowed: false, reason: 'quotaExceeded' };
    if (!this.#admit(user, now, windowSeconds * 1000, perMinutePerUser)) return { allowed: false, reason: answer };
    this.#inFlight.set(user, inFlight + 1);
    let released = false;
    return {
      allowed: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#inFlight.get(user) ?? 1) - 1;
        if (left > 0) this.#inFlight.set(user, left);
        else this.#inFlight.delete(user);
      },
    };
  }

  /** Whether the quota admits one more request from `user` at `now` (and counts it). */
  #admit(user: string, now: number, windowMs: number, quota: number): boolean {
    const alignment = this.config.windowAlignment;
    if (alignment === 'sliding') {
      // At most `quota` admitted in any `windowMs`; refusals are not counted (else a client probing
      // while refused would keep its own window closed).
      const admitted = this.#admitted.get(user) ?? [];
      this.#admitted.set(user, admitted);
      let expired = 0;
      while (expired < admitted.length && admitted[expired]! <= now - windowMs) expired++;
      if (expired > 0) admitted.splice(0, expired);
      if (admitted.length >= quota) return false;
      admitted.push(now);
      return true;
    }
    let window = this.#windows.get(user);
    if (!window || now - window.start >= windowMs) {
      // 'first-request': windows follow each other from the caller's first request; 'clock': from
      // the epoch (the caller's first window is what is left of the current one).
      const start = alignment === 'clock' ? Math.floor(now / windowMs) * windowMs : window ? window.start + Math.floor((now - window.start) / windowMs) * windowMs : now;
      window = { start, count: 0 };
      this.#windows.set(user, window);
    }
    // Refused requests count in their window, but never carry into the next.
    window.count++;
    return window.count <= quota;
  }
}

const WINDOW_ALIGNMENTS: readonly GoogleQuotaWindowAlignment[] = ['first-request', 'clock', 'sliding'];

function normalise(config: GoogleQuotaConfig): Required<GoogleQuotaConfig> {
  if (!(config.perMinutePerUser >= 1)) throw new Error('quota.perMinutePerUser must be at least 1.');
  const windowSeconds = config.windowSeconds ?? 60;
  if (!(windowSeconds > 0)) throw new Error('quota.windowSeconds must be positive.');
  const answer = config.answer ?? 'userRateLimitExceeded';
  if (answer !== 'userRateLimitExceeded' && answer !== 'rateLimitExceeded') throw new Error("quota.answer must be 'userRateLimitExceeded' or 'rateLimitExceeded'.");
  const windowAlignment = config.windowAlignment ?? 'first-request';
  if (!WINDOW_ALIGNMENTS.includes(windowAlignment)) throw new Error(`quota.windowAlignment must be one of ${WINDOW_ALIGNMENTS.map((a) => `'${a}'`).join(', ')}.`);
  return { perMinutePerUser: config.perMinutePerUser, windowSeconds, windowAlignment, answer, maxConcurrentPerUser: config.maxConcurrentPerUser ?? 0 };
}

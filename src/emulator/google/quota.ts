// The Directory API's per-user quota: so many requests per minute per caller, counted in fixed
// windows (Google documents the per-minute limit, not how the minute is counted: fixed windows
// from the first request are our choice), and optionally a cap on requests in flight per caller
// ("the limit of concurrent requests for a certain operation", answered 403 quotaExceeded).
import type { GoogleQuotaConfig } from './options.js';

export type QuotaDecision = { allowed: true; release: () => void } | { allowed: false; reason: 'userRateLimitExceeded' | 'rateLimitExceeded' | 'quotaExceeded' };

export class PerUserQuota {
  config: Required<GoogleQuotaConfig>;
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #inFlight = new Map<string, number>();

  constructor(config: GoogleQuotaConfig) {
    this.config = normalise(config);
  }

  reconfigure(config: GoogleQuotaConfig): void {
    this.config = normalise(config);
    this.#windows.clear();
  }

  take(user: string, now = Date.now()): QuotaDecision {
    const { perMinutePerUser, windowSeconds, answer, maxConcurrentPerUser } = this.config;
    const inFlight = this.#inFlight.get(user) ?? 0;
    if (maxConcurrentPerUser > 0 && inFlight >= maxConcurrentPerUser) return { allowed: false, reason: 'quotaExceeded' };
    const windowMs = windowSeconds * 1000;
    let window = this.#windows.get(user);
    if (!window || now - window.start >= windowMs) {
      // Windows follow each other from the caller's first request.
      const start = window ? window.start + Math.floor((now - window.start) / windowMs) * windowMs : now;
      window = { start, count: 0 };
      this.#windows.set(user, window);
    }
    window.count++;
    if (window.count > perMinutePerUser) return { allowed: false, reason: answer };
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
}

function normalise(config: GoogleQuotaConfig): Required<GoogleQuotaConfig> {
  if (!(config.perMinutePerUser >= 1)) throw new Error('quota.perMinutePerUser must be at least 1.');
  const windowSeconds = config.windowSeconds ?? 60;
  if (!(windowSeconds > 0)) throw new Error('quota.windowSeconds must be positive.');
  const answer = config.answer ?? 'userRateLimitExceeded';
  if (answer !== 'userRateLimitExceeded' && answer !== 'rateLimitExceeded') throw new Error("quota.answer must be 'userRateLimitExceeded' or 'rateLimitExceeded'.");
  return { perMinutePerUser: config.perMinutePerUser, windowSeconds, answer, maxConcurrentPerUser: config.maxConcurrentPerUser ?? 0 };
}

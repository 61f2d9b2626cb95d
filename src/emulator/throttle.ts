// Graph throttling for one app+tenant pair: a token bucket (burst capacity, refill rate) and
// an optional cap on concurrent requests. Rejections carry the Retry-After Graph would send:
// the time until the bucket holds a whole token again.
import type { ThrottleConfig } from './options.js';

export type ThrottleDecision =
  | { allowed: true; usage: number }
  | { allowed: false; retryAfterSeconds: number; reason: 'WriteLimitExceeded' | 'ResourceUnitLimitExceeded' };

/** Arrivals this close after their reserved time still claim it (timer and clock jitter). */
const RESERVATION_TOLERANCE_MS = 2;
/** Unclaimed reservations are dropped after this: the quota they held is simply lost. */
const RESERVATION_EXPIRY_MS = 60_000;

/**
 * A token bucket whose 429s keep their promise. With `countRejected`, a refused request
 * still takes a token (the bucket goes into debt), and its Retry-After is the moment that
 * token is paid back: the slot is reserved, and whoever comes back at (or after) that time
 * claims it. A client that honours Retry-After therefore gets through; one that retries
 * early only digs the hole deeper, which is how Graph treats clients that ignore it.
 * Without `countRejected`, a refusal costs nothing and reserves nothing.
 */
export class TokenBucket {
  #config: ThrottleConfig;
  #tokens: number;
  #updatedAt: number;
  /** Times (ms, ascending) at which reserved tokens become claimable. */
  #reservations: number[] = [];
  readonly #now: () => number;

  constructor(config: ThrottleConfig, now: () => number = () => performance.now()) {
    this.#config = config;
    this.#now = now;
    this.#tokens = config.burst;
    this.#updatedAt = now();
  }

  get config(): ThrottleConfig {
    return this.#config;
  }

  /** New limits apply at once; the bucket starts full again (a fresh window). */
  reconfigure(config: ThrottleConfig): void {
    this.#config = config;
    this.#tokens = config.burst;
    this.#reservations = [];
    this.#updatedAt = this.#now();
  }

  #refill(now: number): void {
    const elapsedSeconds = (now - this.#updatedAt) / 1000;
    this.#updatedAt = now;
    this.#tokens = Math.min(this.#config.burst, this.#tokens + elapsedSeconds * this.#config.refillPerSecond);
    while (this.#reservations.length > 0 && (this.#reservations[0] ?? 0) + RESERVATION_EXPIRY_MS < now) this.#reservations.shift();
  }

  /** Takes one token for a request, or says how long to wait. */
  take(): ThrottleDecision {
    const now = this.#now();
    this.#refill(now);
    const { refillPerSecond, countRejected, appliesTo } = this.#config;
    const firstReservation = this.#reservations[0];
    if (firstReservation !== undefined && firstReservation <= now + RESERVATION_TOLERANCE_MS) {
      this.#reservations.shift(); // its token was taken when the reservation was made
      return { allowed: true, usage: this.usage() };
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true, usage: this.usage() };
    }
    const retryAfterSeconds = refillPerSecond > 0 ? (1 - this.#tokens) / refillPerSecond : 60;
    if (countRejected && refillPerSecond > 0) {
      this.#tokens -= 1;
      this.#reservations.push(now + retryAfterSeconds * 1000);
    }
    return {
      allowed: false,
      retryAfterSeconds,
      reason: appliesTo === 'writes' ? 'WriteLimitExceeded' : 'ResourceUnitLimitExceeded',
    };
  }

  /** Share of the limit used: 0 when full, 1 when empty, more when in debt (reported up to 1.8 like Graph). */
  usage(): number {
    return Math.min(1.8, (this.#config.burst - this.#tokens) / Math.max(1, this.#config.burst));
  }
}

/** Counts requests in flight so a cap on concurrency can refuse the excess at once. */
export class ConcurrencyGate {
  #inFlight = 0;
  limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  tryEnter(): boolean {
    if (this.limit > 0 && this.#inFlight >= this.limit) return false;
    this.#inFlight++;
    return true;
  }

  leave(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }
}

/** Retry-After as Graph may send it: seconds, fractional allowed (3 decimals, at least 1 ms). */
export function formatRetryAfter(seconds: number): string {
  const rounded = Math.max(0.001, Math.ceil(seconds * 1000) / 1000);
  return String(Number(rounded.toFixed(3)));
}

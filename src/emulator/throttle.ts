// Graph throttling for one app+tenant pair, in several shapes (ThrottleConfig.shape), so the
// client's pacer can be tried against each. Rejections carry the Retry-After the shape would send.
//
// What Microsoft documents, and what is ours (read 2025):
// - Photo is listed under the Outlook service limits (learn.microsoft.com/graph/throttling-limits,
//   "Outlook service limits"): per app ID and mailbox, 10,000 requests per 10 minutes, 4 concurrent
//   requests, 150 MB of uploads per 5 minutes; the 2017 announcements (devblogs.microsoft.com,
//   "Throttling coming to Outlook API and Microsoft Graph" lists Photo resources; "Throttling
//   changes coming to beta Outlook APIs": "4 concurrent requests per mailbox") say the same.
//   `maxConcurrent` (the emulator's gate) plays those 4 read across mailboxes: our stress shape,
//   not a documented limit. (A Microsoft answer on Q&A says Graph dispatches at most four requests
//   of one $batch to Outlook at once, whatever their mailbox.)
//   No cross-mailbox photo write limit is documented, and no early-warning header for photos.
// - The identity and access limits (same page) are a token bucket per app+tenant (3,000 writes per
//   150 s); only requests exceeding the limit are throttled; successful responses carry
//   x-ms-throttle-limit-percentage once more than 0.8 of the limit is used (0.8 to 1.8).
// - learn.microsoft.com/graph/throttling: 429 with a suggested wait in Retry-After; "avoid
//   immediate retries, because all requests accrue against your usage limits"; with no Retry-After,
//   back off exponentially.
// So for photo writes the real ceiling and its shape are unknown; each shape below says which part
// is documented and which is our stress shape.
import type { ThrottleConfig, ThrottleShape } from './options.js';

export type ThrottleReason = 'WriteLimitExceeded' | 'ResourceUnitLimitExceeded' | 'MailboxConcurrency' | 'CPULimitExceeded';

export type ThrottleDecision =
  | { allowed: true; usage: number }
  | { allowed: false; retryAfterSeconds: number; reason: ThrottleReason };

/** What a shape may look at: the target user (the mailbox) of the request, when known. */
export interface ThrottleTarget {
  userId?: string | undefined;
}

/** Arrivals this close after their reserved time still claim it (timer and clock jitter). */
const RESERVATION_TOLERANCE_MS = 2;
/** Unclaimed reservations are dropped after this: the quota they held is simply lost. */
const RESERVATION_EXPIRY_MS = 60_000;

export const THROTTLE_SHAPES: readonly ThrottleShape[] = Object.freeze(['token-bucket', 'fixed-window', 'mailbox', 'storm']);

interface Shape {
  take(now: number, target: ThrottleTarget | undefined): ThrottleDecision;
  /** Share of the limit used (0 = fresh), for x-ms-throttle-limit-percentage. */
  usage(now: number): number;
}

const limitReason = (config: ThrottleConfig): ThrottleReason => (config.appliesTo === 'writes' ? 'WriteLimitExceeded' : 'ResourceUnitLimitExceeded');

/**
 * Token bucket (documented for the identity limits: "a token bucket algorithm"; its burst and rate
 * here are parameters). With `countRejected`, a refused request still takes a token (the bucket
 * goes into debt) and its Retry-After is the moment that token is paid back: the slot is reserved,
 * and whoever comes back at (or after) that time claims it. A client that honours Retry-After
 * therefore gets through; one that retries early only digs the hole deeper ("all requests accrue
 * against your usage limits", learn.microsoft.com/graph/throttling).
 * Without `countRejected`, a refusal costs nothing and reserves nothing, and its Retry-After is
 * the time until the next whole token.
 */
class BucketShape implements Shape {
  readonly #config: ThrottleConfig;
  #tokens: number;
  #updatedAt: number;
  /** Times (ms, ascending) at which reserved tokens become claimable. */
  #reservations: number[] = [];

  constructor(config: ThrottleConfig, now: number) {
    this.#config = config;
    this.#tokens = config.burst;
    this.#updatedAt = now;
  }

  #refill(now: number): void {
    const elapsedSeconds = (now - this.#updatedAt) / 1000;
    this.#updatedAt = now;
    this.#tokens = Math.min(this.#config.burst, this.#tokens + elapsedSeconds * this.#config.refillPerSecond);
    while (this.#reservations.length > 0 && (this.#reservations[0] ?? 0) + RESERVATION_EXPIRY_MS < now) this.#reservations.shift();
  }

  take(now: number): ThrottleDecision {
    this.#refill(now);
    const { refillPerSecond, countRejected } = this.#config;
    const firstReservation = this.#reservations[0];
    if (firstReservation !== undefined && firstReservation <= now + RESERVATION_TOLERANCE_MS) {
      this.#reservations.shift(); // its token was taken when the reservation was made
      return { allowed: true, usage: this.usage(now) };
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true, usage: this.usage(now) };
    }
    const retryAfterSeconds = refillPerSecond > 0 ? (1 - this.#tokens) / refillPerSecond : 60;
    if (countRejected && refillPerSecond > 0) {
      this.#tokens -= 1;
      this.#reservations.push(now + retryAfterSeconds * 1000);
    }
    return { allowed: false, retryAfterSeconds, reason: limitReason(this.#config) };
  }

  /** 0 when full, 1 when empty, more when in debt (reported up to 1.8 like Graph). */
  usage(now: number): number {
    this.#refill(now);
    return Math.min(1.8, (this.#config.burst - this.#tokens) / Math.max(1, this.#config.burst));
  }
}

/**
 * Fixed window: `windowRequests` per `windowSeconds`, windows back to back from the first request
 * after (re)configuration; a refusal's Retry-After is the rest of the window. Our stress shape:
 * Outlook's "10,000 API requests in a 10 minute period" per mailbox reads like a window, but its
 * kind (fixed or sliding) is not documented, and no such limit is documented across mailboxes.
 * Refused requests are counted (the counter goes past the limit), which changes nothing: the
 * counter starts from zero at the next window either way.
 */
class WindowShape implements Shape {
  readonly #config: ThrottleConfig;
  readonly #limit: number;
  readonly #windowMs: number;
  #start: number | undefined;
  #index = -1;
  #count = 0;

  constructor(config: ThrottleConfig) {
    this.#config = config;
    this.#limit = config.windowRequests ?? 100;
    this.#windowMs = (config.windowSeconds ?? 1) * 1000;
  }

  #roll(now: number): number {
    this.#start ??= now;
    const index = Math.floor((now - this.#start) / this.#windowMs);
    if (index !== this.#index) {
      this.#index = index;
      this.#count = 0;
    }
    return this.#start + (index + 1) * this.#windowMs;
  }

  take(now: number): ThrottleDecision {
    const windowEnd = this.#roll(now);
    this.#count++;
    if (this.#count <= this.#limit) return { allowed: true, usage: this.#count / this.#limit };
    return { allowed: false, retryAfterSeconds: Math.max(0.001, (windowEnd - now) / 1000), reason: limitReason(this.#config) };
  }

  usage(now: number): number {
    if (this.#start === undefined) return 0;
    this.#roll(now);
    return Math.min(1.8, this.#count / this.#limit);
  }
}

/**
 * Per-mailbox concurrency (documented: Outlook allows an app 4 concurrent requests per mailbox,
 * "throttling-limits", Outlook service limits; its 429 says "Application is over its
 * MailboxConcurrency limit") on top of a token bucket across all mailboxes (ours: Microsoft
 * documents no cross-mailbox photo limit, but some ceiling exists). A request counts as in flight
 * at its mailbox for `mailboxHoldMs` after it is admitted (the emulator decides after the
 * latency it adds, so "in flight" is modelled, not observed). A request refused for concurrency
 * does not take a token from the bucket (our choice); its Retry-After is the time until a slot
 * frees. Needs the target user: without it only the bucket applies.
 */
class MailboxShape implements Shape {
  readonly #bucket: BucketShape;
  readonly #limit: number;
  readonly #holdMs: number;
  readonly #admitted = new Map<string, number[]>();

  constructor(config: ThrottleConfig, now: number) {
    this.#bucket = new BucketShape(config, now);
    this.#limit = config.mailboxConcurrent ?? 4;
    this.#holdMs = config.mailboxHoldMs ?? 100;
  }

  take(now: number, target: ThrottleTarget | undefined): ThrottleDecision {
    const userId = target?.userId;
    let times: number[] | undefined;
    if (userId !== undefined && this.#limit > 0) {
      times = (this.#admitted.get(userId) ?? []).filter((at) => at + this.#holdMs > now);
      if (times.length >= this.#limit) {
        this.#admitted.set(userId, times);
        const freeAt = Math.min(...times) + this.#holdMs;
        return { allowed: false, retryAfterSeconds: Math.max(0.001, (freeAt - now) / 1000), reason: 'MailboxConcurrency' };
      }
    }
    const decision = this.#bucket.take(now);
    if (decision.allowed && userId !== undefined && times) {
      times.push(now);
      this.#admitted.set(userId, times);
    }
    if (this.#admitted.size > 10_000) {
      for (const [key, list] of this.#admitted) if (!list.some((at) => at + this.#holdMs > now)) this.#admitted.delete(key);
    }
    return decision;
  }

  usage(now: number): number {
    return this.#bucket.usage(now);
  }
}

/**
 * A 429 storm (our stress shape; Graph documents that 429s can come "even when the limits are not
 * reached, in situations when the services are under an important load"): every request is refused
 * for `stormSeconds` from the first request after (re)configuration, each with the same
 * Retry-After (the service does not know when it will recover), then nothing is limited. Refused
 * requests do not count against anything: the storm lasts its time whatever the client does.
 */
class StormShape implements Shape {
  readonly #stormMs: number;
  readonly #retryAfterSeconds: number;
  #start: number | undefined;

  constructor(config: ThrottleConfig) {
    this.#stormMs = (config.stormSeconds ?? 3) * 1000;
    this.#retryAfterSeconds = config.stormRetryAfterSeconds ?? 1;
  }

  take(now: number): ThrottleDecision {
    this.#start ??= now;
    if (now < this.#start + this.#stormMs) return { allowed: false, retryAfterSeconds: this.#retryAfterSeconds, reason: 'CPULimitExceeded' };
    return { allowed: true, usage: 0 };
  }

  usage(): number {
    return 0;
  }
}

function checkConfig(config: ThrottleConfig): void {
  const shape = config.shape ?? 'token-bucket';
  if (!THROTTLE_SHAPES.includes(shape)) throw new Error(`Unknown throttle shape '${String(shape)}' (one of ${THROTTLE_SHAPES.join(', ')}).`);
  const positive = (name: keyof ThrottleConfig, min = 0): void => {
    const value = config[name];
    if (value !== undefined && !(typeof value === 'number' && value > min - Number.EPSILON && Number.isFinite(value))) {
      throw new Error(`throttle.${name} must be a number >= ${min}.`);
    }
  };
  positive('windowRequests', 1);
  positive('windowSeconds', 0.001);
  positive('mailboxConcurrent', 0);
  positive('mailboxHoldMs', 0);
  positive('stormSeconds', 0);
  positive('stormRetryAfterSeconds', 0.001);
}

function createShape(config: ThrottleConfig, now: number): Shape {
  switch (config.shape ?? 'token-bucket') {
    case 'fixed-window':
      return new WindowShape(config);
    case 'mailbox':
      return new MailboxShape(config, now);
    case 'storm':
      return new StormShape(config);
    default:
      return new BucketShape(config, now);
  }
}

/**
 * The tenant's throttle, whatever its shape (the name is historical: the token bucket was the only
 * shape). `take` decides one request; `usage` feeds x-ms-throttle-limit-percentage, and is 0 when
 * the shape sends no early warning (`earlyWarning`, default only for the token bucket).
 */
export class TokenBucket {
  #config: ThrottleConfig;
  #shape: Shape;
  readonly #now: () => number;

  constructor(config: ThrottleConfig, now: () => number = () => performance.now()) {
    checkConfig(config);
    this.#config = config;
    this.#now = now;
    this.#shape = createShape(config, now());
  }

  get config(): ThrottleConfig {
    return this.#config;
  }

  /** New limits (or a new shape) apply at once; the state starts fresh (a full bucket, a new window, a new storm). */
  reconfigure(config: ThrottleConfig): void {
    checkConfig(config);
    this.#config = config;
    this.#shape = createShape(config, this.#now());
  }

  /** Takes one unit of quota for a request, or says how long to wait. */
  take(target?: ThrottleTarget): ThrottleDecision {
    return this.#shape.take(this.#now(), target);
  }

  /** Share of the limit used, when the shape reports one (see `earlyWarning`); else 0. */
  usage(): number {
    const earlyWarning = this.#config.earlyWarning ?? (this.#config.shape ?? 'token-bucket') === 'token-bucket';
    return earlyWarning ? this.#shape.usage(this.#now()) : 0;
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

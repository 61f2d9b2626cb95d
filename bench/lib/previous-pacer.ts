/**
 * WritePacer: runs photo writes as fast as the tenant allows, and no faster.
 *
 * Graph limits identity writes per app+tenant with a token bucket (order of 3,000 writes per
 * 150 s: a burst, then ~20/s), and a rejected request still costs a token. A client with a fixed
 * high concurrency therefore collapses: every 429 pushes its own window further out. The pacer
 * combines four mechanisms:
 *
 * 1. One shared gate. A 429's Retry-After holds ALL new starts until then (not a sleep per
 *    request, which would let the other workers keep hammering the empty bucket).
 * 2. Adaptive concurrency (AIMD). The in-flight limit starts at `initialConcurrency`, grows by ½
 *    per success until the first throttling ("slow start"), then by 1/limit per success; each
 *    congestion event cuts it (×0.5 the first time, ×0.7 after). A congestion event is a 429 for a
 *    request started after the previous cut, so one burst of 429s is one event, not many.
 * 3. Rate pacing after the first throttling. Starts are spaced at a rate r. The refill rate is
 *    measured, not guessed: when the gate opens the bucket holds about one token, and a later 429
 *    shows it empty again, so the requests started in between that succeeded took exactly the
 *    tokens that arrived: successes / elapsed = refill rate. Each congestion event at least 1 s
 *    after the anchor re-measures and sets r = 0.97 × refill; until the first measurement r is cut
 *    ×0.7 per event. Between events r probes upward: doubling per second until a measurement
 *    exists, then +1% per second (at most 1.5× the measured refill), so the pacer follows a limit
 *    that rises and finds the ceiling again after an over-cautious cut. A measurement taken during
 *    a storm (an outage answering 429s) can be far below the real limit: after 30 s without any
 *    throttling the estimate is treated as stale, and the rate and its ceiling double every 30 s
 *    until a 429 measures again.
 * 4. Early warning. Graph sends x-ms-throttle-limit-percentage once an app has used 80% of its
 *    limit. Before the first 429, each such report caps the in-flight limit in proportion to what
 *    is left (32 at 80% → 2 at 100%), so few requests are on their way when the bucket runs dry;
 *    often the bucket never does (a task's result is inspected for a numeric `throttleUsage`, as
 *    putPhoto returns).
 *
 * Retries: at most `maxAttempts` attempts per task (default 6). 429 → back in the queue at the
 * front behind the gate. 408/5xx/network errors (reset, socket hang up, timeout) → exponential
 * backoff with full jitter, or the Retry-After Graph sent. Other 4xx → fail at once.
 * Cancellation (`signal`): nothing new starts (queued tasks and pending retries reject with
 * PacerCancelledError); requests in flight finish and report their outcome.
 */
import { UserError } from '../../src/core/errors.js';
import { classifyFailure, isGraphError } from '../../src/target/entra/errors.js';
import { backoffDelayMs } from '../../src/pacing/retry.js';

export interface WritePacerOptions {
  /** Upper bound of requests in flight; default 32. */
  maxConcurrency?: number;
  /** In-flight limit at the start; default 4. */
  initialConcurrency?: number;
  /** Attempts per task including the first; default 6. */
  maxAttempts?: number;
  /** Stops new work when aborted; in-flight requests finish. */
  signal?: AbortSignal;
  /** Backoff for 5xx/network errors: first ceiling (default 250 ms) and cap (default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Wait after a 429 that carries no Retry-After; default 1 s (doubling per consecutive 429). */
  defaultThrottleDelayMs?: number;
  /** Observer for logs: throttling, retries, rate changes. */
  onEvent?: (event: PacerEvent) => void;
  /** Clock and randomness (tests). */
  now?: () => number;
  random?: () => number;
}

export type PacerEvent =
  | { type: 'throttled'; label: string | undefined; attempt: number; retryAfterSeconds: number | undefined; gateMs: number }
  | { type: 'retry'; label: string | undefined; attempt: number; delayMs: number; error: string }
  | { type: 'rate'; rate: number | null; refillEstimate: number | null; concurrency: number; reason: string }
  | { type: 'failed'; label: string | undefined; attempts: number; error: string };

export interface PacerStats {
  /** Tasks handed to run(). */
  tasks: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** HTTP requests made (first attempts and retries). */
  attempts: number;
  retries: number;
  /** Attempts answered 429. */
  throttled: number;
  /** Attempts by outcome: 'ok', HTTP status ('429', '503', ...), or a network code ('ECONNRESET', 'TimeoutError', ...). */
  outcomes: Record<string, number>;
  /** Current in-flight limit (AIMD). */
  concurrency: number;
  inFlight: number;
  queued: number;
  /** Current paced start rate (per second); null until the first throttling. */
  rate: number | null;
  /** Last measured refill rate of the tenant's bucket (writes per second). */
  refillEstimate: number | null;
  /** Time new starts were held by Retry-After gates. */
  gateWaitMs: number;
}

/** A task that did not run (or was not retried) because the pacer's signal was aborted. */
export class PacerCancelledError extends UserError {
  constructor(label: string | undefined, cause?: unknown) {
    super('tenant', `${label ? `${label}: ` : ''}not done: the run was cancelled before this write could finish.`);
    this.name = 'PacerCancelledError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

interface Job {
  task: () => Promise<unknown>;
  /** Sequence number of the current attempt among all attempts started. */
  startSeq: number;
  label: string | undefined;
  attempts: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const attemptsByError = new WeakMap<object, number>();

/** How many attempts the pacer made before giving up with this error. */
export function attemptsOf(error: unknown): number | undefined {
  return error && typeof error === 'object' ? attemptsByError.get(error) : undefined;
}

/** Slow start adds this per success (×1.5 per round trip): a small burst is not overshot by much. */
const SLOW_START_GAIN = 0.5;
const FIRST_CUT = 0.5;
const LATER_CUT = 0.7;
const RATE_CUT = 0.7;
const RATE_MARGIN = 0.97;
const MEASURE_MIN_MS = 1000;
const MEASURE_MIN_COUNT = 10;
const PROBE_UNMEASURED = 1.0; // doubling per second
const PROBE_MEASURED = 0.01; // +1% of the base rate per second
/** Quiet (no 429) this long means the measured refill may be stale: probe upward faster. */
const STALE_AFTER_MS = 30_000;
const STALE_DOUBLING_MS = 30_000;

export class WritePacer {
  readonly #maxConcurrency: number;
  readonly #maxAttempts: number;
  readonly #options: WritePacerOptions;
  readonly #now: () => number;

  readonly #queue: Job[] = [];
  readonly #retryTimers = new Map<NodeJS.Timeout, Job>();
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #idleWaiters: Array<() => void> = [];
  #capacityWaiters: Array<{ below: number; resolve: () => void }> = [];

  // Controller state.
  #limit: number;
  #slowStart = true;
  #gateUntil = 0;
  #lastCutAt = Number.NEGATIVE_INFINITY;
  #consecutiveThrottles = 0;
  #rateBase: number | null = null;
  #rateSetAt = 0;
  #measured = false;
  #refillEstimate: number | null = null;
  #nextStartAt = 0;
  #started = 0; // attempts started, in order
  #anchor: { at: number; seq: number } | undefined;
  #anchorAtNextStart = false;
  /** Start sequence numbers of attempts answered 429 since the anchor. */
  #throttledSeqs: number[] = [];
  #recentSuccesses: number[] = [];

  readonly #stats: Omit<PacerStats, 'concurrency' | 'inFlight' | 'queued' | 'rate' | 'refillEstimate'> = {
    tasks: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    attempts: 0,
    retries: 0,
    throttled: 0,
    outcomes: {},
    gateWaitMs: 0,
  };

  constructor(options: WritePacerOptions = {}) {
    this.#options = options;
    this.#maxConcurrency = Math.max(1, options.maxConcurrency ?? 32);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.#limit = Math.min(this.#maxConcurrency, Math.max(1, options.initialConcurrency ?? 4));
    this.#now = options.now ?? (() => performance.now());
    options.signal?.addEventListener('abort', () => this.#cancelWaiting(), { once: true });
  }

  /** The most writes this pacer ever keeps in flight. */
  get maxConcurrency(): number {
    return this.#maxConcurrency;
  }

  get stats(): PacerStats {
    return {
      ...this.#stats,
      outcomes: { ...this.#stats.outcomes },
      concurrency: Math.max(1, Math.floor(this.#limit)),
      inFlight: this.#inFlight,
      queued: this.#queue.length + this.#retryTimers.size,
      rate: this.#rateBase === null ? null : round(this.#currentRate(this.#now()) ?? 0),
      refillEstimate: this.#refillEstimate === null ? null : round(this.#refillEstimate),
    };
  }

  /** Tasks queued, waiting for a retry, or in flight. */
  get pending(): number {
    return this.#queue.length + this.#retryTimers.size + this.#inFlight;
  }

  /**
   * Runs `task` (one HTTP attempt that throws GraphError on failure) under the pacer's schedule,
   * retrying it as the failure allows. Resolves with the task's value or rejects with its last
   * error (see attemptsOf) or PacerCancelledError.
   */
  run<T>(task: () => Promise<T>, label?: string): Promise<T> {
    this.#stats.tasks++;
    if (this.#options.signal?.aborted) {
      this.#stats.cancelled++;
      return Promise.reject(new PacerCancelledError(label));
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ task, label, attempts: 0, startSeq: 0, resolve: resolve as (value: unknown) => void, reject });
      this.#pump();
    });
  }

  /** Resolves when fewer than `count` tasks are pending: the caller's bounded lookahead. */
  whenPendingBelow(count: number): Promise<void> {
    if (this.pending < count) return Promise.resolve();
    return new Promise((resolve) => this.#capacityWaiters.push({ below: count, resolve }));
  }

  /** Resolves when nothing is queued, waiting or in flight. */
  onIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #emit(event: PacerEvent): void {
    this.#options.onEvent?.(event);
  }

  #currentRate(now: number): number | null {
    if (this.#rateBase === null) return null;
    const elapsed = Math.max(0, now - this.#rateSetAt) / 1000;
    // A long quiet spell makes the measurement suspect (it may come from a 429 storm): re-probe.
    const quietMs = now - Math.max(this.#lastCutAt, this.#rateSetAt);
    const restale = quietMs > STALE_AFTER_MS ? 2 ** ((quietMs - STALE_AFTER_MS) / STALE_DOUBLING_MS) : 1;
    const gain = (this.#measured ? 1 + PROBE_MEASURED * elapsed : 2 ** (PROBE_UNMEASURED * elapsed)) * restale;
    // While the caller cannot keep up (no 429s because nothing is offered), do not let the probe
    // run away: a measured refill bounds it to 1.5× (until the measurement goes stale).
    const ceiling = (this.#refillEstimate === null ? this.#rateBase * 64 : this.#refillEstimate * 1.5) * restale;
    return Math.max(0.1, Math.min(this.#rateBase * gain, Math.max(ceiling, this.#rateBase)));
  }

  #pump(): void {
    if (this.#options.signal?.aborted) {
      this.#cancelWaiting();
      this.#notify();
      return;
    }
    while (this.#queue.length > 0 && this.#inFlight < Math.max(1, Math.floor(this.#limit))) {
      const now = this.#now();
      const rate = this.#currentRate(now);
      const startAt = Math.max(this.#gateUntil, rate === null ? 0 : this.#nextStartAt);
      if (startAt > now) {
        this.#wakeAt(startAt);
        break;
      }
      if (rate !== null) this.#nextStartAt = Math.max(this.#nextStartAt, now) + 1000 / rate;
      if (this.#anchorAtNextStart) {
        // The gate just opened: the bucket holds about one token. Measure the refill from here.
        this.#anchorAtNextStart = false;
        this.#anchor = { at: now, seq: this.#started };
        this.#throttledSeqs = this.#throttledSeqs.filter((seq) => seq > this.#started);
      }
      this.#start(this.#queue.shift()!, now);
    }
    this.#notify();
  }

  #wakeAt(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#pump();
    }, Math.max(0, Math.ceil(at - this.#now())));
  }

  #start(job: Job, startedAt: number): void {
    job.attempts++;
    job.startSeq = ++this.#started;
    this.#stats.attempts++;
    this.#inFlight++;
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(job.task());
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => {
        this.#inFlight--;
        this.#onSuccess(value);
        this.#stats.succeeded++;
        job.resolve(value);
        this.#pump();
      },
      (error: unknown) => {
        this.#inFlight--;
        this.#onFailure(job, error, startedAt);
        this.#pump();
      },
    );
  }

  #onSuccess(value: unknown): void {
    const now = this.#now();
    this.#count('ok');
    this.#consecutiveThrottles = 0;
    if (this.#rateBase === null) {
      this.#recentSuccesses.push(now);
      while ((this.#recentSuccesses[0] ?? now) < now - 1000) this.#recentSuccesses.shift();
    }
    this.#limit = Math.min(this.#maxConcurrency, this.#limit + (this.#slowStart ? SLOW_START_GAIN : 1 / Math.max(1, this.#limit)));
    // Early warning: Graph reports x-ms-throttle-limit-percentage once the app has used 80% of its
    // limit. Before the first 429, cap the in-flight limit in proportion to what is left, so that
    // few requests are already on their way when the bucket runs dry; below 80% it grows again.
    const usage = throttleUsageOf(value);
    if (usage !== undefined && usage >= 0.8 && this.#rateBase === null) {
      this.#limit = Math.min(this.#limit, Math.max(2, (this.#maxConcurrency * (1 - usage)) / 0.2));
    }
  }

  #count(outcome: string): void {
    this.#stats.outcomes[outcome] = (this.#stats.outcomes[outcome] ?? 0) + 1;
  }

  #onFailure(job: Job, error: unknown, startedAt: number): void {
    const disposition = classifyFailure(error);
    this.#count(outcomeName(error));
    if (disposition.kind === 'throttled') {
      this.#stats.throttled++;
      this.#onThrottled(job, disposition.retryAfterSeconds, startedAt);
    }
    const cancelled = this.#options.signal?.aborted ?? false;
    if (disposition.kind === 'fatal' || job.attempts >= this.#maxAttempts || cancelled) {
      if (cancelled && disposition.kind !== 'fatal') {
        this.#stats.cancelled++;
        job.reject(new PacerCancelledError(job.label, error));
        return;
      }
      this.#stats.failed++;
      if (error && typeof error === 'object') attemptsByError.set(error, job.attempts);
      this.#emit({ type: 'failed', label: job.label, attempts: job.attempts, error: error instanceof Error ? error.message : String(error) });
      job.reject(error);
      return;
    }
    this.#stats.retries++;
    if (disposition.kind === 'throttled') {
      this.#queue.unshift(job); // the gate holds it
      return;
    }
    const delayMs = backoffDelayMs(job.attempts, disposition.retryAfterSeconds, {
      ...(this.#options.baseDelayMs !== undefined ? { baseDelayMs: this.#options.baseDelayMs } : {}),
      ...(this.#options.maxDelayMs !== undefined ? { maxDelayMs: this.#options.maxDelayMs } : {}),
      ...(this.#options.random ? { random: this.#options.random } : {}),
    });
    this.#emit({ type: 'retry', label: job.label, attempt: job.attempts, delayMs: Math.round(delayMs), error: error instanceof Error ? error.message : String(error) });
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#queue.unshift(job);
      this.#pump();
    }, delayMs);
    this.#retryTimers.set(timer, job);
  }

  #onThrottled(job: Job, retryAfterSeconds: number | undefined, startedAt: number): void {
    const now = this.#now();
    this.#consecutiveThrottles++;
    const waitMs =
      retryAfterSeconds !== undefined
        ? retryAfterSeconds * 1000
        : (this.#options.defaultThrottleDelayMs ?? 1000) * 2 ** Math.min(5, this.#consecutiveThrottles - 1);
    const gateUntil = now + waitMs;
    if (gateUntil > this.#gateUntil) {
      this.#stats.gateWaitMs += gateUntil - Math.max(now, this.#gateUntil);
      this.#gateUntil = gateUntil;
    }
    this.#emit({ type: 'throttled', label: job.label, attempt: job.attempts, retryAfterSeconds, gateMs: Math.round(waitMs) });
    this.#throttledSeqs.push(job.startSeq);
    if (startedAt < this.#lastCutAt) {
      // Same congestion event as one we already reacted to. If this request started before the
      // measurement anchor, the bucket was deeper in debt at the anchor than assumed: re-anchor
      // when the (now longer) gate opens.
      if (this.#anchor && startedAt < this.#anchor.at) this.#anchorAtNextStart = true;
      return;
    }
    this.#lastCutAt = now;

    // Refill measurement. When the gate opens the bucket holds about one token; a later 429 means
    // it was empty again when that request arrived. In between, the tokens that came in were
    // taken by the requests started in between that succeeded, so successes / time = refill rate.
    // (If rejected requests also burn quota, as Graph documents, this reads a little low by the
    // few 429s in the window: the safe side.) Counting by start, not completion, keeps requests
    // that already held a token before the window out of it.
    let reason: string;
    if (this.#rateBase === null) {
      this.#slowStart = false;
      this.#limit = Math.max(1, this.#limit * FIRST_CUT);
      // First estimate: what we delivered just before, halved, bounded by the Retry-After (the
      // bucket holds a token again after it, so 1/Retry-After is at least the refill). Doubling
      // per second from there finds the ceiling; the next 429 measures it.
      const delivered = this.#recentSuccesses.length / Math.max(0.25, Math.min(1, (now - (this.#recentSuccesses[0] ?? now)) / 1000));
      const fromRetryAfter = retryAfterSeconds && retryAfterSeconds > 0 ? 1 / retryAfterSeconds : Number.POSITIVE_INFINITY;
      this.#rateBase = Math.max(1, Math.min(delivered * FIRST_CUT, fromRetryAfter));
      this.#recentSuccesses = [];
      this.#anchorAtNextStart = true;
      reason = 'first throttling';
    } else {
      this.#limit = Math.max(1, this.#limit * LATER_CUT);
      const current = this.#currentRate(now) ?? 1;
      const anchor = this.#anchor;
      const elapsed = anchor ? startedAt - anchor.at : 0;
      const spent = anchor ? job.startSeq - 1 - anchor.seq - this.#throttledSeqs.filter((seq) => seq > anchor.seq && seq < job.startSeq).length : 0;
      if (anchor && elapsed >= MEASURE_MIN_MS && spent >= MEASURE_MIN_COUNT) {
        this.#refillEstimate = spent / (elapsed / 1000);
        this.#rateBase = Math.min(current, this.#refillEstimate) * RATE_MARGIN;
        this.#measured = true;
        this.#anchorAtNextStart = true;
        reason = 'measured refill';
      } else {
        // Too soon to measure: slow down, but not below what was measured before.
        const floor = this.#refillEstimate === null ? 0.5 : this.#refillEstimate * 0.9;
        this.#rateBase = Math.max(Math.min(floor, current), current * RATE_CUT);
        reason = 'throttled again';
      }
    }
    // Probing resumes when the gate opens; starts are spaced from there.
    this.#rateSetAt = Math.max(now, this.#gateUntil);
    this.#nextStartAt = this.#gateUntil;
    this.#emit({ type: 'rate', rate: round(this.#rateBase ?? 0), refillEstimate: this.#refillEstimate === null ? null : round(this.#refillEstimate), concurrency: Math.floor(this.#limit), reason });
  }

  #cancelWaiting(): void {
    for (const job of this.#queue.splice(0)) {
      this.#stats.cancelled++;
      job.reject(new PacerCancelledError(job.label));
    }
    for (const [timer, job] of this.#retryTimers) {
      clearTimeout(timer);
      this.#stats.cancelled++;
      job.reject(new PacerCancelledError(job.label));
    }
    this.#retryTimers.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#notify();
  }

  #notify(): void {
    const pending = this.pending;
    if (this.#capacityWaiters.length > 0) {
      const ready = this.#capacityWaiters.filter((waiter) => pending < waiter.below || this.#options.signal?.aborted);
      this.#capacityWaiters = this.#capacityWaiters.filter((waiter) => !ready.includes(waiter));
      for (const waiter of ready) waiter.resolve();
    }
    if (pending === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

function throttleUsageOf(value: unknown): number | undefined {
  const usage = value && typeof value === 'object' ? (value as { throttleUsage?: unknown }).throttleUsage : undefined;
  return typeof usage === 'number' && Number.isFinite(usage) ? usage : undefined;
}

function outcomeName(error: unknown): string {
  if (isGraphError(error)) return error.status === 0 ? error.code || 'network' : String(error.status);
  return error instanceof Error ? error.name : 'error';
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

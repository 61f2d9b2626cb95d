import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError } from './shared6.js';
import { n as classifyHttpFailure, q as failureName, s as backoffDelayMs } from './shared2.js';

/**
 * Throttling without a hint: refusals that say "slow down" but not until when (no Retry-After;
 * the classifier's `throttled` with `retryAfterSeconds` undefined, as Google's Directory API
 * answers over its per-minute quota). Two pieces of arithmetic for the WritePacer:
 *
 * - when to try again: a single request (the probe) at a steady, short interval, growing with the
 *   time already waited (an eighth of it, from 1 s up to 10 s), rather than doubling: doubling
 *   (1, 2, 4 … 32 s) overshoots a window's reopening by up to half the wait, while this overshoots
 *   by at most an eighth of it, at a cost of refusals growing with the logarithm of the wait (about
 *   24 over the 50 s left of a minute). Once a window is known (below), the probe goes at its
 *   predicted opening and then a few times across the span it may still open in;
 * - a fixed window, read from when refused and admitted requests started: windows back to back
 *   from the first request (the anchor), so the k-th opening lies after the last request refused
 *   before it and at or before the first one admitted: anchor + k·P in (refused, admitted], which
 *   bounds the period P; each opening seen narrows the bounds. A window need not start at our
 *   first request (one counted on clock minutes starts before it): then the anchor is an opening
 *   seen, itself known only to lie in (refused, admitted] (`anchorLo`, `anchor`). Openings that no
 *   single period fits mean it is not such a window.
 */
/** Share of the time already waited (since the refusals began) before the next probe. */
const HINTLESS_WAIT_SHARE = 1 / 8;
/** Probes inside a known window's opening span: this many across it, at least this far apart. */
const SPAN_PROBES = 4;
const SPAN_MIN_STEP_MS = 250;
/**
 * When to send the next probe after a refusal without a hint at `now`, refused since `since`.
 * Before a known window's opening: at the opening (the earliest it may be); within its span: a few
 * times across it; else (no window known, or it did not open when it should have) a steady
 * interval of an eighth of the time waited since then, between `baseMs` and `maxMs`.
 */
function hintlessRetryAt(now, since, span, baseMs, maxMs) {
    if (span && now < span.opensAt)
        return span.opensAt;
    if (span && now < span.surelyOpenAt)
        return Math.min(span.surelyOpenAt, now + Math.max(SPAN_MIN_STEP_MS, (span.surelyOpenAt - span.opensAt) / SPAN_PROBES));
    const from = span ? Math.max(since, span.surelyOpenAt) : since;
    return now + Math.min(maxMs, Math.max(baseMs, (now - from) * HINTLESS_WAIT_SHARE));
}
/**
 * Narrows a window's period with an opening seen between `refusedAt` (the last request refused
 * before it started) and `admittedAt` (the first admitted after it started), each known to
 * `slackMs` (requests are decided a varying time after they leave), counting from `anchor` (for
 * new bounds; an opening seen is known only to lie in (anchorLo, anchor]). Returns the bounds and
 * which opening it was (1 = the end of the first window counted), or undefined when no period fits
 * every opening seen: not a fixed window from that anchor.
 */
function narrowWindow(bounds, anchor, refusedAt, admittedAt, slackMs, anchorLo = anchor) {
    const known = bounds ?? { anchor, anchorLo, loMs: 0, hiMs: Number.POSITIVE_INFINITY };
    const opening = Number.isFinite(known.hiMs) ? Math.max(1, Math.round((admittedAt - known.anchor) / ((known.loMs + known.hiMs) / 2))) : 1;
    const loMs = Math.max(known.loMs, (refusedAt - known.anchor - slackMs) / opening);
    const hiMs = Math.min(known.hiMs, (admittedAt - known.anchorLo + slackMs) / opening);
    if (!(loMs > 0) || loMs > hiMs)
        return undefined;
    return { bounds: { anchor: known.anchor, anchorLo: known.anchorLo, loMs, hiMs }, opening };
}

/**
 * WritePacer: runs photo writes (and downloads) as fast as the directory allows, and no faster,
 * learning the limit from the 429s themselves. Target-neutral: which failures are throttling, worth
 * another attempt or final is the target's call (`classify`, from the port's classifyFailure;
 * default: plain HTTP rules, which are Graph's). The numbers below are Entra's, where it was tuned.
 *
 * Microsoft documents no cross-mailbox limit for photo writes, and no early-warning header for them
 * (Photo is under the Outlook service limits; x-ms-throttle-limit-percentage is documented for the
 * identity limits only). So the pacer must not need a hint: whatever the limit's shape (a token
 * bucket that counts refused requests, a fixed window, a storm of 429s), it finds the sustainable
 * rate from when requests were refused and what each Retry-After says. What it does:
 *
 * 1. Starts are paced, always. Before anything is refused the rate ramps up from `initialRate`
 *    (doubling every `rampDoublingSeconds` while there is work waiting and the rate, not the
 *    concurrency cap, is what holds it back), so where nothing throttles it reaches the
 *    concurrency cap within seconds. Requests in flight are at most `maxConcurrency`; before the
 *    first answer, `initialConcurrency` (2: a storm already on refuses all of them).
 * 2. One shared gate. A 429's Retry-After (fractional seconds allowed) holds ALL new starts until
 *    then. When the gate opens, ONE request goes first (the probe); the others wait for its
 *    answer. If the probe is refused too, it is a storm (everything is refused, whatever the
 *    rate): the rate learned so far is kept, the gate honours each Retry-After, and after a few
 *    refused probes the wait grows (×1.5, up to 10 s or the Retry-After if longer), so a long
 *    outage costs a request every few seconds and its end is noticed within 10 s.
 * 3. A congestion event is the 429s of requests started before the first of them came back. Each
 *    event estimates the sustainable rate R, and starts are then spaced at 0.97 R:
 *    - from the Retry-After schedule: each refused request says when to come back. A bucket that
 *      counts refusals gives each its own slot, 1/R after the previous one; one that does not
 *      sends them to its next token, which moves 1/R with each admission. The distinct times are
 *      whole periods apart, so R = periods spanned / span (see scheduleRate; not when every
 *      refusal got the same wait: a fixed Retry-After only mirrors when they came);
 *    - else from the cycle: requests that succeeded between the previous gate opening (or the
 *      first start) and this event, divided by the time from there to the new gate opening (not
 *      when the wait we were told outlasts the sending it ends: that measures the wait);
 *    - a fixed window shows as refused requests all told to come back at the same, distant moment
 *      (read through network and event-loop jitter, the moments scatter a little: "the same" is
 *      also a least-squares slope of moment against arrival under 0.5, see comebackSlope):
 *      then the cycle is the window and its successes the quota, and the pacer sends the quota as
 *      soon as each window opens, then waits for the next one;
 *    - a schedule that reads far above what the cycle admitted (1.5×) is jitter taken for slots,
 *      and is not used;
 *    - with no usable measurement the rate is cut to 0.8×; with nothing accepted since the cycle
 *      began (refused from the first request) it is left alone;
 *    - refused on arrival (in under half a write's round trip) and only with more requests in
 *      flight than ever succeeded together: a concurrency limit. The cap on requests in flight
 *      becomes one less than were in flight at the refusal (tried one higher after 30 s without a
 *      429); the rate stays, and no gate: only the refused request waits its Retry-After. Not on
 *      arrival, the second event in a row that starts that way (#onConcurrencyRefusal).
 *    - a known window whose opening comes a little later than we thought (its period was read
 *      short) moves its phase to the server's moment.
 * 4. No continuous probing upward (every probe past the limit costs about rate × latency refused
 *    requests), but for a rate read from a Retry-After schedule through jitter (not clean periods)
 *    or set by a blind 0.8× cut: that one may be low, and nothing else would say so, so it creeps
 *    up by 5% of itself per second (up to +50%) until the next 429. After 30 s without a 429 the
 *    estimate may be stale (the limit may have risen, or it was measured during a storm): the rate
 *    then grows 25% every 5 s until a 429 measures again.
 *    (A server that sends the early-warning header says sooner: see 5.)
 * 5. Early warning, when the server sends it (a task's result carrying a numeric `throttleUsage`,
 *    as putPhoto returns x-ms-throttle-limit-percentage), until the first 429: past 80% of the
 *    limit the ramp stops, the rate halves, and the refill rate is fitted from how the bucket's
 *    level moves against what was admitted (see #onUsage), usually without any 429. After a 429,
 *    a second of answers without the header (the bucket has room again) starts the ramp again.
 * 6. Refusals without a hint (no Retry-After: the classifier's `throttled` with no
 *    retryAfterSeconds, as Google's Directory API answers over its per-minute quota). The gate
 *    holds 1 s, then one probe at a time, each an eighth of the time refused so far after the
 *    last (1 s, up to 10 s), not doubling waits (1, 2 … 32 s overshot a minute's reopening by up
 *    to half the wait; about 24 refusals over the 50 s left of a minute is the price). Refusals
 *    that outlasted two probes and then ended read as a fixed window from our first request (or
 *    from an earlier opening, if one came: a window on clock minutes; and from the last opening
 *    when the openings fit no period counted from where we assumed): its quota what the cycle
 *    before them admitted, its period bounded by when the last refused and the first admitted
 *    request started (hintless.ts), narrowed by each opening. Its quota then goes out
 *    at each opening as above, the first request alone at the earliest moment the opening may come,
 *    then a few probes across the span it may still be in; past the quota, a few more at a time
 *    (one, then one more in flight per admission) until one is refused: the window closed (its
 *    quota is counted in tasks, whose cost to the server may vary); twice the quota admitted: no
 *    such window (paced as before until a next closing learns it again).
 *
 * Retries: at most `maxAttempts` attempts per task (default 6), a 429 counting as one. 429 → back
 * in the queue (at the front; a refused probe at the back, so a long storm is spread over many
 * tasks) behind the gate. 408/5xx/network errors (reset, socket hang up, timeout) → exponential
 * backoff with full jitter, or the Retry-After Graph sent. Other 4xx → fail at once.
 * Cancellation (`signal`): nothing new starts (queued tasks and pending retries reject with
 * PacerCancelledError); requests in flight finish and report their outcome.
 */
/** A task that did not run (or was not retried) because the pacer's signal was aborted. */
class PacerCancelledError extends UserError {
    constructor(label, cause) {
        super('tenant', `${label ? `${label}: ` : ''}not done: the run was cancelled before this write could finish.`);
        this.name = 'PacerCancelledError';
        if (cause !== undefined)
            this.cause = cause;
    }
}
const attemptsByError = new WeakMap();
/** How many attempts the pacer made before giving up with this error. */
function attemptsOf(error) {
    return error && typeof error === 'object' ? attemptsByError.get(error) : undefined;
}
/** Starts are spaced at this share of the estimated sustainable rate. */
const RATE_MARGIN = 0.97;
/** Without a measurement, a refusal after some successes cuts the rate this much. */
const BLIND_CUT = 0.8;
/**
 * A refusal answered in under this share of the smoothed round trip of successful writes was
 * refused on arrival (a write is decided after its body is taken in and processed).
 */
const FAST_SHARE = 0.5;
/** Retry-After targets closer than this are the same moment (Graph rounds to the millisecond). */
const SAME_TARGET_MS = 3;
/** A cycle measures the rate only with this many successes over at least this long. */
const CYCLE_MIN_OK = 8;
const CYCLE_MIN_MS = 500;
/**
 * A window is recognised when refused requests are all sent back to one moment at least this far,
 * and at least this many token periods away (a bucket that does not count refusals sends them to
 * its next token, one period away at most).
 */
const WINDOW_MIN_WAIT_MS = 20;
const WINDOW_MIN_PERIODS = 3;
/**
 * Refusals whose comeback moments move less than this with their arrivals (least squares) are
 * sent back to one moment: a window (a fixed Retry-After moves 1:1, a bucket's slots faster).
 */
const WINDOW_MAX_SLOPE = 0.5;
/** Once a window is known, refusals within this share of its period of each other are its closing. */
const WINDOW_JITTER_SHARE = 0.05;
/** A Retry-After schedule is believed only up to this multiple of the rate the cycle admitted. */
const SCHEDULE_MAX_OVER_CYCLE = 1.5;
/**
 * Share of a learned window quota sent at each opening. All of it: the quota was counted (the
 * successes of a window that then refused), and each opening is the moment the server named.
 */
const WINDOW_BUDGET = 1;
/** After a rate read through jitter, the paced rate grows by this share of it per second, up to CREEP_MAX more. */
const CREEP_PER_SECOND = 0.05;
const CREEP_MAX = 0.5;
/** Quiet (no 429) this long: the estimate may be stale; the rate then grows by QUIET_GAIN per QUIET_STEP_MS. */
const QUIET_MS = 30_000;
const QUIET_STEP_MS = 5_000;
const QUIET_GAIN = 1.25;
/** Refused probes waited for exactly before the wait grows by PROBE_BACKOFF (up to PROBE_MAX_MS). */
const PROBE_HONOURED = 4;
const PROBE_BACKOFF = 1.5;
const PROBE_MAX_MS = 10_000;
/**
 * Probes refused without a hint are not charged to their task for this long into the refusals:
 * longer than one of Google's minutes (the wait for a spent minute to turn is under a minute).
 */
const HINTLESS_FREE_MS = 120_000;
/** A window learned without hints that admits this many times its quota is no window. */
const HINTLESS_QUOTA_DOUBT = 2;
/** Refused probes without a hint before their end is read as a window's opening (a bucket refills within the first). */
const HINTLESS_WINDOW_PROBES = 2;
/** Early warning: the first one cuts the rate to this share of the ramp's. */
const WARNING_FIRST_CUT = 0.5;
/** Early warning: level samples kept for the fit (the first one always). */
const WARNING_SAMPLES = 400;
/** Early warning absent this long after a 429 (the bucket has room again): ramp up again. */
const ROOM_MS = 1000;
const MIN_RATE = 0.1;
class WritePacer {
    #maxConcurrency;
    #initialConcurrency;
    #initialRate;
    #rampDoublingMs;
    #maxAttempts;
    #options;
    #now;
    #queue = [];
    #retryTimers = new Map();
    #inFlight = 0;
    #timer;
    #timerAt = Number.POSITIVE_INFINITY;
    #idleWaiters = [];
    #capacityWaiters = [];
    // Rate state.
    #mode = 'ramp';
    #rampLog2 = 0;
    #rampAt;
    /** Whether, at the last pump, work was waiting only for the rate (so the ramp may grow). */
    #rampRunning = false;
    #pacedRate = 0;
    /** When the paced rate was last set (quiet probing counts from here or the last event). */
    #pacedAt = 0;
    #window;
    /** After a rate read through jitter: the paced rate grows by `perSecond` from `from` until the next 429. */
    #creep;
    #refillEstimate = null;
    #nextStartAt = 0;
    // Gate, probe, events.
    #gateUntil = 0;
    #needProbe = false;
    #probeInFlight = false;
    #refusedProbes = 0;
    /** Refusals without a hint going on, and a fixed window's period as bounded by them (null: not such a window). */
    #spell;
    #windowBounds;
    /** Where the last spell of refusals without a hint ended (any spell, however short): an opening, if it is a window. */
    #lastOpening;
    #lastReactionAt = Number.NEGATIVE_INFINITY;
    #event;
    #cycleStart;
    #answered = false;
    /** When the first attempt started, and when the first answer came back. */
    #firstStartAt;
    #firstAnswerAt;
    /** Start times of successful attempts (recent), for cycle measurements, and how many were in flight then. */
    #okStarts = [];
    #okInFlight = [];
    /** When successful answers came back (recent). */
    #okAt = [];
    /** Cap on requests in flight learned from refusals on arrival (a concurrency limit); when it was set. */
    #cap;
    #capAt = 0;
    /** Congestion events in a row whose first refusal had more in flight than ever succeeded (see #onConcurrencyRefusal). */
    #crowdedStrikes = 0;
    /** Smoothed round trip of successful attempts (ms). */
    #rttMs;
    /** Early warning: the ramp's rate at the first warning (above the limit), level samples for the fit, last adjustment and level. */
    #warning;
    /** Whether the server sends the early-warning header at all; since when it has been absent. */
    #usageSeen = false;
    #roomSince;
    #stats = {
        tasks: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        attempts: 0,
        retries: 0,
        throttled: 0,
        events: 0,
        outcomes: {},
        gateWaitMs: 0,
    };
    constructor(options = {}) {
        this.#options = options;
        this.#maxConcurrency = Math.max(1, Math.floor(options.maxConcurrency ?? 32));
        this.#initialConcurrency = Math.min(this.#maxConcurrency, Math.max(1, Math.floor(options.initialConcurrency ?? 2)));
        this.#initialRate = Math.max(MIN_RATE, options.initialRate ?? 40);
        this.#rampDoublingMs = Math.max(50, (options.rampDoublingSeconds ?? 1.75) * 1000);
        this.#maxAttempts = Math.max(1, options.maxAttempts ?? 6);
        this.#cap = this.#maxConcurrency;
        this.#now = options.now ?? (() => performance.now());
        options.signal?.addEventListener('abort', () => this.#cancelWaiting(), { once: true });
    }
    /** The most writes this pacer ever keeps in flight. */
    get maxConcurrency() {
        return this.#maxConcurrency;
    }
    get stats() {
        const now = this.#now();
        return {
            ...this.#stats,
            outcomes: { ...this.#stats.outcomes },
            concurrency: this.#capNow(now),
            inFlight: this.#inFlight,
            queued: this.#queue.length + this.#retryTimers.size,
            rate: this.#mode === 'ramp' ? null : round(this.#currentRate(now)),
            refillEstimate: this.#refillEstimate === null ? null : round(this.#refillEstimate),
        };
    }
    /** Tasks queued, waiting for a retry, or in flight. */
    get pending() {
        return this.#queue.length + this.#retryTimers.size + this.#inFlight;
    }
    /**
     * Runs `task` (one attempt that throws the target's error on failure, read by `classify`) under
     * the pacer's schedule, retrying it as the failure allows. Resolves with the task's value or rejects with its last
     * error (see attemptsOf) or PacerCancelledError.
     */
    run(task, label) {
        this.#stats.tasks++;
        if (this.#options.signal?.aborted) {
            this.#stats.cancelled++;
            return Promise.reject(new PacerCancelledError(label));
        }
        return new Promise((resolve, reject) => {
            this.#queue.push({ task, label, attempts: 0, startedAt: 0, probe: false, freeAttempts: 0, inFlightAtStart: 0, resolve: resolve, reject });
            this.#pump();
        });
    }
    /** Resolves when fewer than `count` tasks are pending: the caller's bounded lookahead. */
    whenPendingBelow(count) {
        if (this.pending < count)
            return Promise.resolve();
        return new Promise((resolve) => this.#capacityWaiters.push({ below: count, resolve }));
    }
    /** Resolves when nothing is queued, waiting or in flight. */
    onIdle() {
        if (this.pending === 0)
            return Promise.resolve();
        return new Promise((resolve) => this.#idleWaiters.push(resolve));
    }
    #emit(event) {
        this.#options.onEvent?.(event);
    }
    #emitRate(reason) {
        const now = this.#now();
        this.#emit({
            type: 'rate',
            rate: round(this.#currentRate(now)),
            refillEstimate: this.#refillEstimate === null ? null : round(this.#refillEstimate),
            concurrency: this.#capNow(now),
            reason,
        });
    }
    /** The cap on requests in flight: maxConcurrency, or a concurrency limit learned from refusals (re-tried +1 per step after a quiet spell). */
    #capNow(now) {
        if (this.#cap >= this.#maxConcurrency)
            return this.#maxConcurrency;
        const quietMs = now - Math.max(this.#lastReactionAt, this.#capAt);
        const extra = quietMs > QUIET_MS ? Math.floor((quietMs - QUIET_MS) / QUIET_STEP_MS) + 1 : 0;
        return Math.min(this.#maxConcurrency, this.#cap + extra);
    }
    /** The highest start rate the concurrency cap can carry at the observed round trip. */
    #rateCeiling() {
        const rtt = this.#rttMs ?? 100;
        return Math.max(this.#initialRate, (this.#capNow(this.#now()) * 1000 * 1.25) / Math.max(1, rtt));
    }
    #currentRate(now) {
        if (this.#mode === 'ramp')
            return Math.min(this.#initialRate * 2 ** this.#rampLog2, this.#rateCeiling());
        const quietMs = now - Math.max(this.#lastReactionAt, this.#pacedAt);
        const gain = quietMs > QUIET_MS ? Math.min(16, QUIET_GAIN ** ((quietMs - QUIET_MS) / QUIET_STEP_MS)) : 1;
        const creep = this.#creep && now > this.#creep.from ? Math.min(this.#pacedRate * CREEP_MAX, (this.#creep.perSecond * (now - this.#creep.from)) / 1000) : 0;
        return Math.max(MIN_RATE, Math.min((this.#pacedRate + creep) * gain, this.#rateCeiling()));
    }
    #advanceRamp(now) {
        if (this.#mode === 'ramp' && this.#rampRunning && this.#rampAt !== undefined) {
            this.#rampLog2 += (now - this.#rampAt) / this.#rampDoublingMs;
            // Never beyond what the concurrency cap can carry: a later cut starts from a real rate.
            this.#rampLog2 = Math.min(this.#rampLog2, Math.log2(this.#rateCeiling() / this.#initialRate));
        }
        this.#rampAt = now;
    }
    #setPaced(rate, now) {
        this.#mode = 'paced';
        this.#pacedRate = Math.max(MIN_RATE, rate);
        this.#pacedAt = now;
    }
    #pump() {
        if (this.#options.signal?.aborted) {
            this.#cancelWaiting();
            this.#notify();
            return;
        }
        const now0 = this.#now();
        this.#advanceRamp(now0);
        let rateBound = false;
        while (this.#queue.length > 0) {
            const now = this.#now();
            if (!this.#answered && this.#inFlight >= this.#initialConcurrency)
                break;
            if (this.#inFlight >= this.#capNow(now) || this.#probeInFlight)
                break;
            // The probe goes alone: after every request of the event has answered (a request still in
            // flight may deepen the debt the probe would then be refused for).
            if (this.#needProbe && this.#inFlight > 0)
                break;
            if (now < this.#gateUntil) {
                this.#wakeAt(this.#gateUntil);
                break;
            }
            const window = this.#window;
            let burst = false;
            if (window) {
                // A window learned without hints opens where a request is admitted again (#onHintlessAdmitted),
                // or, with nothing refused meanwhile, once it surely has.
                const hintless = window.hintless;
                if (hintless ? !this.#spell && now >= hintless.surelyOpenAt : now >= window.nextOpen) {
                    const periods = Math.floor((now - (hintless?.surelyOpenAt ?? window.nextOpen)) / window.periodMs) + 1;
                    window.nextOpen += periods * window.periodMs;
                    if (hintless) {
                        hintless.surelyOpenAt += periods * hintless.hiMs;
                        hintless.openedAt = now;
                        hintless.admitted = 0;
                    }
                    window.opened += periods;
                    window.sent = 0;
                }
                // Without hints, past the quota a few more: one, then two more for each admitted past it
                // (in flight 1, 2, 3 … growing by one per admission), until one is refused: the window
                // closed (the wait for the next opening starts). The quota is counted in tasks, which may
                // cost the server more or fewer requests than the last window's did (a retried update
                // without its delete); which one is refused is the server's order of arrival, not ours.
                const quota = Math.max(1, Math.floor(window.quota * WINDOW_BUDGET));
                const budget = hintless ? quota + 1 + 2 * Math.max(0, hintless.admitted - quota) : quota;
                if (!this.#needProbe && window.sent >= budget) {
                    this.#wakeAt(hintless?.surelyOpenAt ?? window.nextOpen);
                    break;
                }
                burst = true;
            }
            const rate = this.#currentRate(now);
            if (!burst && !this.#needProbe && now < this.#nextStartAt) {
                rateBound = true;
                this.#wakeAt(this.#nextStartAt);
                break;
            }
            const probe = this.#needProbe;
            if (probe) {
                this.#needProbe = false;
                this.#probeInFlight = true;
                // Answers that came in since the 429s complete the event's measurement; a new cycle begins.
                if (this.#event && this.#refusedProbes === 0 && !this.#window?.hintless)
                    this.#estimate(this.#event, now, false);
                this.#cycleStart = now;
            }
            this.#cycleStart ??= now;
            this.#firstStartAt ??= now;
            if (this.#window)
                this.#window.sent++; // (the probe's re-estimate may have replaced it)
            // A timer that fired late may catch up one interval (else the lateness is lost every time
            // and a busy event loop paces below the rate set); an idle spell is not saved up beyond that.
            this.#nextStartAt = Math.max(this.#nextStartAt, now - 1000 / rate) + 1000 / rate;
            this.#start(this.#queue.shift(), now, probe);
        }
        // The ramp grows only while work waits for the rate alone (not for the caller, a gate or the cap).
        this.#rampRunning = rateBound && this.#answered;
        this.#notify();
    }
    #wakeAt(at) {
        if (this.#timer !== undefined && this.#timerAt <= at)
            return;
        if (this.#timer !== undefined)
            clearTimeout(this.#timer);
        this.#timerAt = at;
        this.#timer = setTimeout(() => {
            this.#timer = undefined;
            this.#timerAt = Number.POSITIVE_INFINITY;
            this.#pump();
        }, Math.max(0, Math.ceil(at - this.#now())));
    }
    #start(job, startedAt, probe) {
        job.attempts++;
        job.startedAt = startedAt;
        job.probe = probe;
        this.#stats.attempts++;
        this.#inFlight++;
        job.inFlightAtStart = this.#inFlight;
        let promise;
        try {
            promise = Promise.resolve(job.task());
        }
        catch (error) {
            promise = Promise.reject(error);
        }
        promise.then((value) => {
            this.#inFlight--;
            this.#onSuccess(job, value);
            this.#stats.succeeded++;
            job.resolve(value);
            this.#pump();
        }, (error) => {
            this.#inFlight--;
            this.#onFailure(job, error);
            this.#pump();
        });
    }
    #onSuccess(job, value) {
        const now = this.#now();
        this.#count('ok');
        this.#answered = true;
        this.#firstAnswerAt ??= now;
        const rtt = now - job.startedAt;
        this.#rttMs = this.#rttMs === undefined ? rtt : this.#rttMs * 0.9 + rtt * 0.1;
        this.#okStarts.push(job.startedAt);
        this.#okInFlight.push(job.inFlightAtStart);
        this.#okAt.push(now);
        if (this.#okStarts.length > 4096) {
            this.#okStarts.splice(0, 2048);
            this.#okInFlight.splice(0, 2048);
            this.#okAt.splice(0, 2048);
        }
        if (job.probe) {
            this.#probeInFlight = false;
            this.#refusedProbes = 0;
        }
        const hintless = this.#window?.hintless;
        if (this.#spell && job.startedAt >= this.#spell.since)
            this.#onHintlessAdmitted(this.#spell, job, now);
        else if (hintless && job.startedAt >= hintless.openedAt && ++hintless.admitted >= HINTLESS_QUOTA_DOUBT * this.#window.quota) {
            // Admitted far past the quota: the refusals were no window's (a storm that ended, a limit
            // that rose). Pace as before the window was assumed; the period stands, so the next
            // closing, if one comes, learns the quota again.
            this.#window = undefined;
            this.#emitRate('window without hints: twice its quota admitted (learned again at its next closing)');
        }
        this.#onUsage(throttleUsageOf(value), now);
    }
    /**
     * Early warning (x-ms-throttle-limit-percentage, when the server sends it), until the first 429.
     * The header is the bucket's level: usage u = (B − tokens) / B. Between two answers, the level
     * moved by what was admitted minus what was refilled: B·Δu = Δadmitted − R·Δt. Fitting B and R
     * to every (Δu, Δadmitted, Δt) since the first warning (least squares; the rate changes at that
     * warning, so the two are told apart) gives the refill rate R without any 429. The first warning
     * halves the rate (the ramp's rate drained the bucket); once the fit holds, starts go at R
     * nudged by the level (up to 5% below R while the bucket is past 90%, 10% at 97%, 2% above
     * when the header is gone), never above the ramp's rate at the first warning. Until then, usage still rising past 95%
     * halves the rate again (once per round trip), and an absent header (the bucket refills) raises it.
     */
    #onUsage(usage, now) {
        if (usage !== undefined)
            this.#usageSeen = true;
        if (!this.#usageSeen)
            return;
        const level = usage !== undefined && usage >= 0.8 ? usage : undefined;
        let warning = this.#warning;
        if (!warning && this.#mode === 'paced') {
            // Paced from 429s. A server that sends the header also says when its bucket has room
            // again (no header for a while, the level under 80%): the limit may have risen (a storm
            // ended): ramp up again from here; the next warning measures it.
            if (level !== undefined) {
                this.#roomSince = undefined;
                return;
            }
            this.#roomSince ??= now;
            if (now - this.#roomSince >= Math.max(ROOM_MS, 5 * (this.#rttMs ?? 100))) {
                this.#rampLog2 = Math.log2(this.#currentRate(now) / this.#initialRate);
                this.#mode = 'ramp';
                this.#roomSince = undefined;
                this.#emitRate('room again (early warning header absent)');
            }
            return;
        }
        if (!warning) {
            if (level === undefined)
                return;
            const current = this.#currentRate(now);
            warning = this.#warning = { hi: current, samples: [], adjustedAt: now, lastLevel: level };
            warning.samples.push({ at: now, usage: level, admitted: this.#stats.succeeded + 1 });
            this.#setPaced(current * WARNING_FIRST_CUT, now);
            this.#emitRate('early warning');
            return;
        }
        if (level !== undefined) {
            warning.samples.push({ at: now, usage: level, admitted: this.#stats.succeeded + 1 });
            if (warning.samples.length > WARNING_SAMPLES)
                warning.samples.splice(1, warning.samples.length - WARNING_SAMPLES);
        }
        const fit = fitBucket(warning.samples);
        const rtt = this.#rttMs ?? 100;
        if (fit !== undefined) {
            const refill = Math.min(fit, warning.hi);
            const nudge = level === undefined ? 1.02 : level >= 0.97 ? 0.9 : Math.min(1.02, Math.max(0.95, 1 - 0.25 * (level - 0.9)));
            const next = refill * nudge;
            const changed = this.#refillEstimate === null || Math.abs(refill - this.#refillEstimate) > this.#refillEstimate * 0.02;
            this.#refillEstimate = refill;
            if (changed || Math.abs(next - this.#pacedRate) > this.#pacedRate * 0.01)
                this.#setPaced(next, now);
            if (changed)
                this.#emitRate('early warning: measured refill');
        }
        else if (now - warning.adjustedAt >= rtt) {
            const current = this.#currentRate(now);
            if (level !== undefined && level >= 0.95 && level > warning.lastLevel) {
                this.#setPaced(current * 0.5, now);
                warning.adjustedAt = now;
            }
            else if (level === undefined) {
                this.#setPaced(Math.min(warning.hi, current * 1.05), now);
                warning.adjustedAt = now;
            }
        }
        if (level !== undefined)
            warning.lastLevel = level;
    }
    #count(outcome) {
        this.#stats.outcomes[outcome] = (this.#stats.outcomes[outcome] ?? 0) + 1;
    }
    #onFailure(job, error) {
        const disposition = (this.#options.classify ?? classifyHttpFailure)(error);
        this.#count(failureName(error));
        this.#answered = true;
        if (job.probe && disposition.kind !== 'throttled')
            this.#probeInFlight = false;
        const cancelled = this.#options.signal?.aborted ?? false;
        // A probe refused without a hint was the pacer's own guess at when the window reopens: within
        // a spell's first minutes it is not charged to the task (else the last few tasks of a run
        // would run out of attempts probing a minute's end); an outage that lasts is.
        if (disposition.kind === 'throttled' && disposition.retryAfterSeconds === undefined && job.probe && (!this.#spell || this.#now() - this.#spell.since < HINTLESS_FREE_MS))
            job.freeAttempts++;
        const final = disposition.kind === 'fatal' || job.attempts - job.freeAttempts >= this.#maxAttempts || cancelled;
        if (disposition.kind === 'throttled') {
            this.#stats.throttled++;
            this.#onThrottled(job, disposition.retryAfterSeconds, !final);
        }
        if (final) {
            if (cancelled && disposition.kind !== 'fatal') {
                this.#stats.cancelled++;
                job.reject(new PacerCancelledError(job.label, error));
                return;
            }
            this.#stats.failed++;
            if (error && typeof error === 'object')
                attemptsByError.set(error, job.attempts);
            this.#emit({ type: 'failed', label: job.label, attempts: job.attempts, error: error instanceof Error ? error.message : String(error) });
            job.reject(error);
            return;
        }
        this.#stats.retries++;
        if (disposition.kind === 'throttled')
            return; // requeued behind the gate by #onThrottled
        const delayMs = backoffDelayMs(job.attempts, disposition.retryAfterSeconds, {
            ...(this.#options.baseDelayMs !== undefined ? { baseDelayMs: this.#options.baseDelayMs } : {}),
            ...(this.#options.maxDelayMs !== undefined ? { maxDelayMs: this.#options.maxDelayMs } : {}),
            ...(this.#options.random ? { random: this.#options.random } : {}),
        });
        this.#emit({ type: 'retry', label: job.label, attempt: job.attempts, delayMs: Math.round(delayMs), error: error instanceof Error ? error.message : String(error) });
        this.#requeueAfter(job, delayMs);
    }
    /** Puts `job` back at the head of the queue after `delayMs`; a cancellation clears the timer (#cancelWaiting). */
    #requeueAfter(job, delayMs) {
        const timer = setTimeout(() => {
            this.#retryTimers.delete(timer);
            this.#queue.unshift(job);
            this.#pump();
        }, delayMs);
        this.#retryTimers.set(timer, job);
    }
    #setGate(until, now) {
        if (until > this.#gateUntil) {
            this.#stats.gateWaitMs += until - Math.max(now, this.#gateUntil);
            this.#gateUntil = until;
        }
        this.#needProbe = true;
        this.#nextStartAt = Math.max(this.#nextStartAt, this.#gateUntil);
    }
    #onThrottled(job, retryAfterSeconds, requeue) {
        const now = this.#now();
        let waitMs;
        if (retryAfterSeconds !== undefined) {
            waitMs = retryAfterSeconds * 1000;
            // The server names its moments now: read them (#estimate) rather than guess a window.
            if (this.#window?.hintless)
                this.#window = undefined;
        }
        else {
            const spell = (this.#spell ??= { since: now, cycleStart: this.#cycleStart ?? job.startedAt, lastRefusedStart: job.startedAt, refusedProbes: 0 });
            spell.lastRefusedStart = Math.max(spell.lastRefusedStart, job.startedAt);
            if (job.probe)
                spell.refusedProbes++;
            const window = this.#window?.hintless ? this.#window : undefined;
            const span = window ? { opensAt: window.nextOpen, surelyOpenAt: window.hintless.surelyOpenAt } : undefined;
            waitMs = hintlessRetryAt(now, spell.since, span, this.#options.defaultThrottleDelayMs ?? 1000, PROBE_MAX_MS) - now;
        }
        /** A window learned without hints explains this refusal (closed until its next opening): no estimate from it. */
        const windowKnown = retryAfterSeconds === undefined && this.#window?.hintless !== undefined;
        this.#emit({ type: 'throttled', label: job.label, attempt: job.attempts, retryAfterSeconds, gateMs: Math.round(waitMs) });
        if (job.probe) {
            // Refused although it went alone after the gate: a storm. What was learned before stands
            // (undo the cut the storm's first refusals caused); wait as told, longer after a few.
            this.#probeInFlight = false;
            this.#refusedProbes++;
            if (this.#refusedProbes === 1 && !windowKnown) {
                if (this.#event)
                    this.#restore(this.#event.before);
                this.#emitRate(retryAfterSeconds === undefined ? 'refused without a hint: probing' : 'storm');
            }
            // (Without a hint the wait already grows with the time refused: see hintlessRetryAt.)
            const extra = retryAfterSeconds === undefined ? 0 : this.#refusedProbes - PROBE_HONOURED;
            const wait = extra > 0 ? Math.max(waitMs, Math.min(PROBE_MAX_MS, waitMs * PROBE_BACKOFF ** extra)) : waitMs;
            this.#setGate(now + wait, now);
            this.#lastReactionAt = now;
            if (requeue)
                this.#queue.push(job); // the next probe is another task
            return;
        }
        // Refused on arrival: answered much faster than a write is.
        const fast = this.#rttMs !== undefined && now - job.startedAt < this.#rttMs * FAST_SHARE;
        if (!windowKnown && this.#onConcurrencyRefusal(job, waitMs, requeue, now, fast))
            return;
        this.#setGate(now + waitMs, now);
        if (requeue)
            this.#queue.unshift(job);
        if (job.startedAt >= this.#lastReactionAt || !this.#event) {
            // A new congestion event: the first 429 for a request started after we last reacted. From
            // here the 429s set the rate; an early-warning fit in progress starts over.
            this.#stats.events++;
            this.#warning = undefined;
            this.#roomSince = undefined;
            this.#lastReactionAt = now;
            this.#event = {
                cycleStart: this.#cycleStart ?? job.startedAt,
                reactionAt: now,
                targets: [now + waitMs],
                refusedAt: [now],
                concurrencyLike: fast,
                fewestRefusedInFlight: job.inFlightAtStart,
                schedule: undefined,
                scheduleClean: true,
                reason: undefined,
                firstWaitMs: waitMs,
                hinted: retryAfterSeconds !== undefined,
                resync: false,
                before: { mode: this.#mode, rampLog2: this.#rampLog2, pacedRate: this.#pacedRate, window: this.#window ? { ...this.#window } : undefined },
            };
            if (!windowKnown)
                this.#estimate(this.#event, now, true);
        }
        else {
            const event = this.#event;
            event.targets.push(now + waitMs);
            event.refusedAt.push(now);
            event.concurrencyLike &&= fast;
            event.fewestRefusedInFlight = Math.min(event.fewestRefusedInFlight, job.inFlightAtStart);
            if (!windowKnown)
                this.#estimate(event, now, false);
        }
    }
    /**
     * A request admitted after refusals without a hint: they are over. If they lasted (at least
     * HINTLESS_WINDOW_PROBES probes refused: longer than a bucket takes to refill) or a window is
     * known, they were a fixed window's closing: the opening found bounds its period (narrowWindow:
     * windows back to back from our first request), and what the cycle before them admitted is its
     * quota. From here its quota goes out at each opening (as for a window read from Retry-After),
     * its first request alone at the earliest moment the opening may come.
     */
    #onHintlessAdmitted(spell, job, now) {
        this.#spell = undefined;
        const opening = { refusedAt: spell.lastRefusedStart, admittedAt: job.startedAt };
        const previous = this.#lastOpening;
        this.#lastOpening = opening;
        const known = this.#window?.hintless !== undefined;
        if (this.#windowBounds === null || this.#firstStartAt === undefined || (!known && spell.refusedProbes < HINTLESS_WINDOW_PROBES))
            return;
        let quota = 0;
        for (const at of this.#okStarts)
            if (at >= spell.cycleStart && at < spell.since)
                quota++;
        if (quota < 1)
            return;
        const slackMs = (this.#rttMs ?? 100) * FAST_SHARE;
        const fromOpening = (seen) => narrowWindow(undefined, seen.admittedAt, opening.refusedAt, opening.admittedAt, slackMs, seen.refusedAt);
        // Windows from our first request, unless one opened before this (a window counted otherwise,
        // on clock minutes say: its first was cut short): then from that opening (unless it came too
        // close before this one to bound a period). Openings that fit no period counted from where we
        // assumed: from the opening before this one (the window is another than we thought); only
        // when that fails too is it no fixed window.
        const firstStartAt = this.#firstStartAt;
        const fromFirstRequest = () => narrowWindow(undefined, firstStartAt, opening.refusedAt, opening.admittedAt, slackMs);
        let narrowed = this.#windowBounds ? narrowWindow(this.#windowBounds, this.#windowBounds.anchor, opening.refusedAt, opening.admittedAt, slackMs) : ((previous && fromOpening(previous)) ?? fromFirstRequest());
        if (!narrowed && this.#windowBounds && previous) {
            narrowed = fromOpening(previous);
            if (narrowed)
                this.#emitRate('window without hints: its openings fit no period from where it was counted; counted from the last opening');
        }
        if (!narrowed) {
            this.#windowBounds = null;
            this.#window = undefined;
            this.#emitRate('no fixed window (its openings fit no one period)');
            return;
        }
        const { bounds, opening: index } = narrowed;
        this.#windowBounds = bounds;
        const next = index + 1;
        // The next opening lies one period after this one (known to its probes), and `next` periods
        // after the anchor: whichever bounds it closer.
        const nextOpen = Math.max(bounds.anchorLo + next * bounds.loMs, opening.refusedAt - slackMs + bounds.loMs);
        const surelyOpenAt = Math.max(nextOpen, Math.min(bounds.anchor + next * bounds.hiMs, opening.admittedAt + slackMs + bounds.hiMs));
        this.#window = {
            periodMs: bounds.loMs,
            quota,
            nextOpen,
            sent: 1, // this request
            opened: 0,
            hintless: { hiMs: bounds.hiMs, surelyOpenAt, openedAt: job.startedAt, admitted: 1 },
        };
        this.#refillEstimate = quota / ((bounds.loMs + bounds.hiMs) / 2000);
        this.#emitRate(`window without hints (${quota} per ${round(bounds.loMs / 1000)}–${round(bounds.hiMs / 1000)} s)`);
    }
    /**
     * A refusal on arrival with more requests in flight than ever succeeded together (recently): a
     * concurrency limit (Outlook's 4 concurrent requests per app and mailbox; or per app, in an
     * older reading). The cap on requests in flight drops to what the refusal allows, and
     * only the refused request waits its Retry-After: the others are not refused for being many at
     * once, so holding them all (the gate) would only lose the Retry-After's time. If the reading is
     * wrong (a rate limit that answers fast), nothing is lost: the cap is at or under what is in
     * flight, so nothing new starts before those requests answer, and their 429s close the gate.
     * Returns false when the refusal does not look like one.
     */
    #onConcurrencyRefusal(job, waitMs, requeue, now, fast) {
        let mostOk = 0;
        for (let i = this.#okAt.length - 1; i >= 0 && this.#okAt[i] >= now - QUIET_MS; i--)
            mostOk = Math.max(mostOk, this.#okInFlight[i]);
        // Refused on arrival with more in flight than ever succeeded. Not on arrival (or the round trip
        // hides it), a rate limit's first bite looks the same (the most ever in flight), and a slow
        // refusal holds a slot of ours, not the server's, so one as many as ever succeeded counts: a
        // second congestion event in a row that starts this way is a concurrency limit; the first is
        // handled as a rate limit (the gate).
        const crowded = mostOk > 0 && (fast ? job.inFlightAtStart > mostOk : job.inFlightAtStart >= mostOk);
        if (!crowded) {
            this.#crowdedStrikes = 0;
            return false;
        }
        if (!fast) {
            if (job.startedAt >= this.#lastReactionAt)
                this.#crowdedStrikes++;
            if (this.#crowdedStrikes < 2)
                return false;
        }
        // Refused with k in flight (itself included; the server saw at most k − 1 others): the limit
        // is at most k − 1. A later refusal with fewer in flight cuts again. Never below one: a cap
        // of 0 would start nothing again and the run would wait forever (a slow refusal with one in
        // flight, as many as ever succeeded, reads as crowded).
        const cap = Math.max(1, job.inFlightAtStart - 1);
        if (cap < this.#capNow(now)) {
            this.#stats.events++;
            this.#cap = cap;
            this.#emitRate(this.#stats.events === 1 ? 'first throttling: concurrency limit' : 'concurrency limit');
        }
        this.#capAt = now;
        if (requeue)
            this.#requeueAfter(job, waitMs);
        return true;
    }
    /**
     * Whether refusals sent back to `opening` mean a known window opens later than we thought: just
     * after the opening we last sent at (within a quarter of the period), and not before it.
     */
    #lateOpening(window, opening) {
        const lastOpening = window.nextOpen - window.periodMs;
        return opening > lastOpening && opening - lastOpening <= window.periodMs * 0.25;
    }
    #restore(state) {
        this.#mode = state.mode;
        this.#rampLog2 = state.rampLog2;
        this.#pacedRate = state.pacedRate;
        this.#window = state.window ? { ...state.window } : undefined;
    }
    /** Re-estimates the sustainable rate from a congestion event (called for each of its 429s). */
    #estimate(event, now, first) {
        const opening = Math.min(...event.targets);
        let ok = 0;
        /** Successes of the cycle answered before the moment the refusals were sent back to (a window's end). */
        let okBeforeOpening = 0;
        let mostOkInFlight = 0;
        for (let i = 0; i < this.#okStarts.length; i++) {
            const at = this.#okStarts[i];
            if (at < event.cycleStart || at >= event.reactionAt)
                continue;
            ok++;
            if (this.#okAt[i] < opening)
                okBeforeOpening++;
            mostOkInFlight = Math.max(mostOkInFlight, this.#okInFlight[i]);
        }
        const cycleMs = this.#gateUntil - event.cycleStart;
        const targets = [...event.targets].sort((a, b) => a - b);
        const sameMoment = targets.length >= 2 && targets[targets.length - 1] - targets[0] <= SAME_TARGET_MS;
        const read = scheduleRead(targets, event.refusedAt, (from, to) => this.#okAt.filter((at) => at > from && at < to).length);
        if (read) {
            event.schedule = read.rate;
            event.scheduleClean = read.clean;
        }
        const schedule = event.schedule;
        let estimate;
        let reason;
        // Refusals all sent back to one distant moment (several token periods at the cycle's rate
        // away; or one such refusal when a window is already known): a window closing.
        const cycleRate = okBeforeOpening / (Math.max(1, opening - event.cycleStart) / 1000);
        const distant = event.firstWaitMs >= Math.max(WINDOW_MIN_WAIT_MS, (WINDOW_MIN_PERIODS * 1000) / Math.max(MIN_RATE, cycleRate));
        // The comeback moments are read through the network and our event loop (each answer arrives
        // a little late, and the Retry-After counts from when the server decided), so "one moment" is
        // also told from how the moments move with the arrivals: not at all for a window (see
        // comebackSlope).
        const slope = comebackSlope(event.refusedAt, event.targets);
        const tolerance = this.#window ? Math.max(SAME_TARGET_MS, this.#window.periodMs * WINDOW_JITTER_SHARE) : SAME_TARGET_MS;
        const oneMoment = sameMoment || (slope !== undefined && slope < WINDOW_MAX_SLOPE) || (this.#window !== undefined && targets[targets.length - 1] - targets[0] <= tolerance);
        const windowLike = event.hinted && oneMoment && distant;
        // A schedule read far above what the cycle admitted is jitter read as slots (a bucket's
        // admissions over the cycle include its burst, so they are above its rate, not below).
        const cycleMeasured = ok >= CYCLE_MIN_OK && cycleMs >= CYCLE_MIN_MS ? ok / (cycleMs / 1000) : undefined;
        const scheduleTrusted = schedule !== undefined && (cycleMeasured === undefined || schedule <= cycleMeasured * SCHEDULE_MAX_OVER_CYCLE);
        if (event.concurrencyLike && mostOkInFlight > 0 && event.fewestRefusedInFlight > mostOkInFlight) {
            // Refused on arrival, and only with more in flight than ever succeeded: a concurrency limit.
            // The cap explains it; the rate stays.
            this.#cap = mostOkInFlight;
            this.#capAt = now;
            reason = 'concurrency limit';
        }
        else if (event.hinted && this.#window && (event.resync || this.#lateOpening(this.#window, opening))) {
            // A known window whose opening came later than we thought (its period was read a little
            // short: the first answer, which dates the first window, came back through the same jitter):
            // the requests sent at our opening were refused, told to come back a little later. Take the
            // server's moment as the opening, and spread the lag over the openings since the period was
            // read. The quota stands.
            const known = this.#window;
            if (!event.resync) {
                const lastOpening = known.nextOpen - known.periodMs;
                // (At most 5% a time: the period was measured; mostly the phase is off.)
                known.periodMs += Math.min(known.periodMs * 0.05, (opening - lastOpening) / Math.max(1, known.opened));
                event.resync = true;
            }
            known.nextOpen = opening;
            known.sent = 0;
            known.opened = 0;
            estimate = known.quota / (known.periodMs / 1000);
            reason = 'window (opening later than thought)';
        }
        else if (windowLike && okBeforeOpening >= CYCLE_MIN_OK) {
            // A window: its quota arrives at once when it opens. The quota: the successes admitted
            // before it closed (a request of this cycle answered after the opening belongs to the next
            // window); the period: from the cycle's start (the previous opening) to this opening.
            // The first window started when our first request reached the server (about when its answer
            // came back: the decision follows the latency here), not when it left.
            const fromFirstAnswer = event.cycleStart === this.#firstStartAt && this.#firstAnswerAt !== undefined && this.#firstAnswerAt < opening;
            // That answer came back late by the jitter every answer carries, as did the refusals: their
            // comeback moments scatter above the true opening by it, so their mean above the earliest is
            // what the first answer is likely late by (else the period reads short and our openings creep
            // ahead of the server's).
            const answerLag = fromFirstAnswer && targets.length >= 3 ? targets.reduce((sum, t) => sum + t, 0) / targets.length - opening : 0;
            const periodStart = fromFirstAnswer ? this.#firstAnswerAt - answerLag : event.cycleStart;
            const existing = this.#window;
            const sameOpening = existing && (Math.abs(existing.nextOpen - opening) <= tolerance || Math.abs(existing.nextOpen - existing.periodMs - opening) <= tolerance);
            if (existing && sameOpening) {
                // This event again (re-estimated as answers come in): the opening and what was sent since stand.
                existing.quota = okBeforeOpening;
                existing.periodMs = opening - periodStart;
            }
            else {
                this.#window = { periodMs: opening - periodStart, quota: okBeforeOpening, nextOpen: opening, sent: 0, opened: 0 };
            }
            estimate = okBeforeOpening / ((opening - periodStart) / 1000);
            reason = 'window';
        }
        else if (schedule !== undefined && scheduleTrusted) {
            this.#window = undefined;
            estimate = schedule;
            reason = event.scheduleClean ? 'retry-after schedule' : 'retry-after schedule (through jitter)';
        }
        else if (ok >= CYCLE_MIN_OK && cycleMs >= CYCLE_MIN_MS && this.#gateUntil - event.reactionAt <= event.reactionAt - event.cycleStart) {
            // (Not when the wait we were told outlasts the sending it ends: then the cycle measures the
            // wait, not a refill; e.g. one refusal with a fixed 1 s Retry-After after 0.2 s of sending.)
            this.#window = undefined;
            estimate = ok / (cycleMs / 1000);
            reason = 'measured refill';
        }
        else if (ok > 0) {
            // Refused after some successes, nothing to measure: slow down (once per event).
            this.#window = undefined;
            if (first)
                this.#setPaced(this.#currentRate(now) * BLIND_CUT, now);
            reason = 'throttled again';
        }
        else {
            // Nothing accepted since the cycle began: no information about the rate; the probe decides.
            reason = 'refused from the start';
        }
        const previous = this.#refillEstimate;
        if (estimate !== undefined) {
            this.#refillEstimate = estimate;
            this.#setPaced(estimate * RATE_MARGIN, now);
        }
        // A rate read through jitter may be low as well as high. High, the next 429 says so; low,
        // nothing would, for the rest of the run: so from the gate's opening the rate creeps up
        // additively (CREEP_PER_SECOND of it per second) until a 429 measures again. Past the limit
        // the bucket first spends what it saved while we were below it, then refuses the few that
        // the small excess sends within one round trip.
        // The same after a blind cut (nothing measured): a single refusal must not pin the rate for
        // the rest of the run.
        if (reason === 'retry-after schedule (through jitter)' && estimate !== undefined)
            this.#creep = { from: this.#gateUntil, perSecond: estimate * CREEP_PER_SECOND };
        else if (reason === 'throttled again')
            this.#creep = first ? { from: this.#gateUntil, perSecond: this.#pacedRate * CREEP_PER_SECOND } : this.#creep;
        else
            this.#creep = undefined;
        const changed = estimate !== undefined && (previous === null || Math.abs(estimate - previous) > previous * 0.02 || reason !== event.reason);
        event.reason = reason;
        if (first || changed)
            this.#emitRate(this.#stats.events === 1 && first ? `first throttling: ${reason}` : reason);
    }
    #cancelWaiting() {
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
        if (this.#timer !== undefined)
            clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#notify();
    }
    #notify() {
        const pending = this.pending;
        if (this.#capacityWaiters.length > 0) {
            const ready = this.#capacityWaiters.filter((waiter) => pending < waiter.below || this.#options.signal?.aborted);
            this.#capacityWaiters = this.#capacityWaiters.filter((waiter) => !ready.includes(waiter));
            for (const waiter of ready)
                waiter.resolve();
        }
        if (pending === 0 && this.#idleWaiters.length > 0) {
            const waiters = this.#idleWaiters;
            this.#idleWaiters = [];
            for (const resolve of waiters)
                resolve();
        }
    }
}
/** scheduleRate, and whether the moments were clean whole periods apart (else read through jitter). */
function scheduleRead(targets, refusedAt, grantedBetween = () => 0) {
    if (targets.length !== refusedAt.length)
        return undefined;
    const sorted = [...targets].sort((a, b) => a - b);
    const distinct = [];
    for (const target of sorted)
        if (distinct.length === 0 || target - distinct[distinct.length - 1] > SAME_TARGET_MS)
            distinct.push(target);
    if (distinct.length < 3)
        return undefined;
    const spanMs = distinct[distinct.length - 1] - distinct[0];
    const gaps = distinct.slice(1).map((target, i) => target - distinct[i]);
    const arrivals = [...refusedAt].sort((a, b) => a - b);
    const waits = targets.map((target, i) => target - refusedAt[i]);
    const longestWait = Math.max(...waits);
    // The same wait for everyone (a fixed Retry-After): the targets only mirror the refusals.
    if (!(spanMs > 0) || longestWait - Math.min(...waits) <= Math.max(SAME_TARGET_MS, median(gaps) * 0.1))
        return undefined;
    const smallest = Math.min(...gaps);
    // Gaps are whole numbers of token periods. Count the periods the span covers in units of a
    // typical single gap (a median: the times are the server's, but each is read as our receipt time
    // plus the Retry-After, so network and event-loop jitter move each one a little; the span over
    // many gaps averages that out).
    const counted = longestWait > smallest * 1.5;
    const unit = counted ? median(gaps) : median(gaps.filter((gap) => gap <= smallest * 1.5));
    // Gaps that are clean multiples of one period (an admission between two refusals leaves a
    // double one) are counted as such. Read through the network's and the event loop's jitter, they
    // are not: then, for a bucket that counts refusals (a slot per refusal), the median step per
    // refusal over every pair of sorted moments (Theil–Sen), which averages the jitter out.
    const clean = gaps.every((gap) => gap / unit >= 0.75 && Math.abs(gap / unit - Math.round(gap / unit)) <= 0.25);
    if (counted && !clean && sorted.length >= 4) {
        const steps = [];
        for (let i = 0; i < sorted.length; i++)
            for (let j = i + 1; j < sorted.length; j++)
                steps.push((sorted[j] - sorted[i]) / (j - i));
        const step = median(steps);
        return step > 0 ? { rate: 1000 / step, clean: false } : undefined;
    }
    const periods = gaps.reduce((sum, gap) => sum + Math.max(1, Math.round(gap / unit)), 0);
    // Refusals sent to the next token: an admission between two refusals may also show only in the
    // count of successes.
    const slots = counted ? periods : Math.max(periods, grantedBetween(arrivals[0], arrivals[arrivals.length - 1]));
    return { rate: slots / (spanMs / 1000), clean };
}
/**
 * How the moments refused requests were told to come back (targets: receipt time + Retry-After)
 * move with when the refusals arrived: the least-squares slope, once at least 3 refusals arrived
 * over at least 10 ms. About 0 for a window (everyone to its end; the jitter of each receipt shows
 * in both times alike and only tilts it a little), exactly 1 for a fixed Retry-After (a storm),
 * above 1 for a bucket that reserves a slot per refusal (its slots are 1/R apart while the
 * refusals come faster than R). Undefined when too few to tell.
 */
function comebackSlope(refusedAt, targets) {
    const n = refusedAt.length;
    if (n < 3 || targets.length !== n)
        return undefined;
    const meanX = refusedAt.reduce((sum, x) => sum + x, 0) / n;
    const meanY = targets.reduce((sum, y) => sum + y, 0) / n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
        sxx += (refusedAt[i] - meanX) ** 2;
        sxy += (refusedAt[i] - meanX) * (targets[i] - meanY);
    }
    if (Math.max(...refusedAt) - Math.min(...refusedAt) < 10 || !(sxx > 0))
        return undefined;
    return sxy / sxx;
}
/**
 * Fits a token bucket to level samples: B·(u − u₀) + R·(t − t₀) = admitted − admitted₀, least
 * squares over every sample against the first. Returns R (per second) when the samples span at
 * least 300 ms and 2% of the level, the system is well conditioned (the rate changed meanwhile),
 * and both B and R come out positive.
 */
function fitBucket(samples) {
    if (samples.length < 5)
        return undefined;
    const first = samples[0];
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    let sxz = 0;
    let syz = 0;
    let minUsage = first.usage;
    let maxUsage = first.usage;
    let span = 0;
    for (const sample of samples) {
        const x = sample.usage - first.usage;
        const y = (sample.at - first.at) / 1000;
        const z = sample.admitted - first.admitted;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
        sxz += x * z;
        syz += y * z;
        minUsage = Math.min(minUsage, sample.usage);
        maxUsage = Math.max(maxUsage, sample.usage);
        span = Math.max(span, sample.at - first.at);
    }
    if (span < 300 || maxUsage - minUsage < 0.02)
        return undefined;
    const det = sxx * syy - sxy * sxy;
    // Collinear samples (one rate throughout) cannot tell B from R.
    if (!(det > 1e-9 * sxx * syy))
        return undefined;
    const burst = (sxz * syy - syz * sxy) / det;
    const refill = (syz * sxx - sxz * sxy) / det;
    return burst > 0 && refill > 0 && Number.isFinite(refill) ? refill : undefined;
}
function median(values) {
    if (values.length === 0)
        return 0;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
function throttleUsageOf(value) {
    const usage = value && typeof value === 'object' ? value.throttleUsage : undefined;
    return typeof usage === 'number' && Number.isFinite(usage) ? usage : undefined;
}
function round(value) {
    return Math.round(value * 100) / 100;
}

export { PacerCancelledError as P, WritePacer as W, attemptsOf as a };

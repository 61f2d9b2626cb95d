// A tenant in virtual time for the WritePacer: the emulator's own throttle shapes
// (src/emulator/throttle.ts) behind a fake transport that waits a latency, then decides, like the
// emulator does (latency first, then the throttle), and answers 429 with the Retry-After the
// emulator would send (rounded up to the millisecond). Run under vi.useFakeTimers: seconds of
// pacing take milliseconds, and every run is repeatable (seeded latency).
import { vi } from 'vitest';
import { TokenBucket, formatRetryAfter } from '../../src/emulator/throttle.js';
import type { ThrottleConfig } from '../../src/emulator/options.js';
import { PerUserQuota } from '../../src/emulator/google/quota.js';
import type { GoogleQuotaWindowAlignment } from '../../src/emulator/google/options.js';
import { GraphError } from '../../src/target/entra/index.js';
import { GoogleApiError, classifyGoogleFailure } from '../../src/target/google/errors.js';
import { WritePacer, pacingClassifierOf } from '../../src/pacing/index.js';
import type { WritePacerOptions } from '../../src/pacing/index.js';

export interface SimTenant {
  /** Throttle shape, as the emulator takes it; null = no throttling. */
  throttle: Partial<ThrottleConfig> | null;
  /**
   * Google's per-user quota instead (the Google emulator's PerUserQuota: `perWindow` requests per
   * fixed window of `windowSeconds` from the first request), decided on arrival as the Google
   * emulator does: a refusal comes back at once as 403 userRateLimitExceeded WITHOUT Retry-After,
   * read through Google's classifier (throttled, no hint); an admitted write answers after the latency.
   * `deleteFirst`: each write is a delete then the update, as the Google target replaces a photo
   * (two requests against the quota; a retry after its delete was admitted sends the update alone).
   * `alignment`: how the emulator counts the window (default 'first-request'; see the quota's
   * `windowAlignment`); for 'clock', `phaseMs` is how far into a clock window the first request
   * falls (the virtual clock starts there).
   */
  quota?: { perWindow: number; windowSeconds: number; deleteFirst?: boolean; alignment?: GoogleQuotaWindowAlignment; phaseMs?: number };
  /** false: the throttle's refusals carry no Retry-After (a 429 with no hint); default: they do. */
  retryAfter?: false;
  /** App-wide cap on requests in flight (refused on arrival with Retry-After 1 s, as the emulator's gate); 0 = none. */
  maxConcurrent?: number;
  /** How long such a refusal takes to come back (ms; default 1: on arrival). */
  concurrencyRefusalMs?: number;
  latencyMs: number;
  spreadMs: number;
  /**
   * Each answer reaches the pacer up to this much after the server decided (uniform; default 0):
   * the network's and a busy event loop's share. A 429's Retry-After still counts from the
   * decision, so the pacer reads each comeback moment that much late, as a real client does.
   */
  answerJitterMs?: number;
  seed?: number;
}

export interface SimResult {
  n: number;
  /** First start → last successful answer (ms). */
  elapsedMs: number;
  firstStartMs: number;
  attempts: number;
  throttled: number;
  failed: number;
  maxInFlight: number;
  stats: WritePacer['stats'];
  rateEvents: string[];
}

/** A whole minute (and hour) since the epoch: where clock-aligned windows start. */
const CLOCK_EPOCH = Date.UTC(2026, 0, 1);

const DEFAULTS: ThrottleConfig = { burst: 60, refillPerSecond: 40, countRejected: true, maxConcurrent: 0, appliesTo: 'writes' };

function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Runs `n` writes (one per user) through a fresh pacer against `tenant`, in virtual time. */
export async function simulate(n: number, tenant: SimTenant, pacerOptions: WritePacerOptions = {}, lookahead = 64, Pacer: typeof WritePacer = WritePacer): Promise<SimResult> {
  // (A clock-aligned quota's windows are multiples of its length since the epoch: start `phaseMs` into one.)
  const clockStart = tenant.quota?.alignment === 'clock' ? CLOCK_EPOCH + (tenant.quota.phaseMs ?? 0) : undefined;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], ...(clockStart !== undefined ? { now: clockStart } : {}) });
  try {
    const clock = () => Date.now();
    const t0 = clock();
    const shape = tenant.throttle ? new TokenBucket({ ...DEFAULTS, ...tenant.throttle }, clock) : undefined;
    const quota = tenant.quota ? new PerUserQuota({ perMinutePerUser: tenant.quota.perWindow, windowSeconds: tenant.quota.windowSeconds, ...(tenant.quota.alignment ? { windowAlignment: tenant.quota.alignment } : {}) }) : undefined;
    const random = seeded(tenant.seed ?? 7);
    let serverInFlight = 0;
    /** Users whose photo a deleteFirst write has deleted (its retry sends the update alone). */
    const deleted = new Set<string>();
    let clientInFlight = 0;
    let maxInFlight = 0;
    let firstStart: number | undefined;
    let lastOk = t0;
    const put = (userId: string) => (): Promise<{ throttleUsage: number | undefined }> => {
      firstStart ??= clock();
      clientInFlight++;
      maxInFlight = Math.max(maxInFlight, clientInFlight);
      const done = <T>(value: T): T => {
        clientInFlight--;
        return value;
      };
      if (tenant.maxConcurrent && serverInFlight >= tenant.maxConcurrent) {
        return new Promise((_, reject) =>
          setTimeout(() => {
            done(0);
            reject(throttledError(1));
          }, tenant.concurrencyRefusalMs ?? 1),
        );
      }
      if (quota) {
        const request = (): Promise<boolean> => {
          const decision = quota.take('caller', clock());
          const latency = decision.allowed ? Math.max(0, tenant.latencyMs + (random() * 2 - 1) * tenant.spreadMs) : 1;
          return new Promise((resolve) =>
            setTimeout(() => {
              if (decision.allowed) decision.release();
              resolve(decision.allowed);
            }, latency),
          );
        };
        return (async () => {
          const deleting = tenant.quota!.deleteFirst && !deleted.has(userId);
          let allowed = deleting ? await request() : true;
          if (deleting && allowed) deleted.add(userId);
          if (allowed) allowed = await request();
          done(0);
          if (allowed) lastOk = clock();
          if (tenant.answerJitterMs) await new Promise((resolve) => setTimeout(resolve, random() * tenant.answerJitterMs!));
          if (!allowed) throw new GoogleApiError(403, 'userRateLimitExceeded', '403 userRateLimitExceeded: User Rate Limit Exceeded');
          return { throttleUsage: undefined };
        })();
      }
      serverInFlight++;
      const latency = Math.max(0, tenant.latencyMs + (random() * 2 - 1) * tenant.spreadMs);
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          serverInFlight--;
          done(0);
          const decision = shape ? shape.take({ userId }) : { allowed: true as const, usage: 0 };
          const answer = (): void => {
            if (decision.allowed) {
              const usage = shape?.usage() ?? 0;
              resolve({ throttleUsage: usage > 0.8 ? Number(usage.toFixed(2)) : undefined });
            } else {
              reject(throttledError(tenant.retryAfter === false ? undefined : decision.retryAfterSeconds));
            }
          };
          if (decision.allowed) lastOk = clock();
          if (tenant.answerJitterMs) setTimeout(answer, random() * tenant.answerJitterMs);
          else answer();
        }, latency);
      });
    };
    const rateEvents: string[] = [];
    const pacer = new Pacer({
      now: clock,
      random,
      ...(quota ? { classify: pacingClassifierOf({ classifyFailure: classifyGoogleFailure }) } : {}),
      ...pacerOptions,
      onEvent: (event) => {
        if (event.type === 'rate') rateEvents.push(`${((clock() - t0) / 1000).toFixed(2)}s ${event.reason} → ${event.rate}/s (R≈${event.refillEstimate})`);
        pacerOptions.onEvent?.(event);
      },
    });
    const results: Array<Promise<unknown>> = [];
    let finished = false;
    const feed = (async () => {
      for (let i = 0; i < n; i++) {
        await pacer.whenPendingBelow(lookahead);
        results.push(pacer.run(put(`user-${i}`), `user-${i}`));
      }
      await Promise.allSettled(results);
      finished = true;
    })();
    const trace: string[] = [];
    for (let step = 0; !finished && step < 100_000; step++) {
      await vi.advanceTimersByTimeAsync(10);
      if (process.env.SIM_TRACE && step % 25 === 0) {
        const st = pacer.stats;
        trace.push(`${((clock() - t0) / 1000).toFixed(2)}s rate=${st.rate} est=${st.refillEstimate} inflight=${st.inFlight} ok=${st.succeeded} usage=${shape?.usage().toFixed(2)}`);
      }
    }
    if (process.env.SIM_TRACE) console.log(trace.join('\n'));
    await feed;
    const settled = await Promise.allSettled(results);
    const stats = pacer.stats;
    return {
      n,
      elapsedMs: lastOk - (firstStart ?? t0),
      firstStartMs: (firstStart ?? t0) - t0,
      attempts: stats.attempts,
      throttled: stats.throttled,
      failed: settled.filter((r) => r.status === 'rejected').length,
      maxInFlight,
      stats,
      rateEvents,
    };
  } finally {
    vi.useRealTimers();
  }
}

function throttledError(retryAfterSeconds: number | undefined): GraphError {
  return new GraphError({
    status: 429,
    code: 'TooManyRequests',
    graphMessage: 'Too many requests.',
    retryAfterSeconds: retryAfterSeconds === undefined ? undefined : Number(formatRetryAfter(retryAfterSeconds)),
    method: 'PUT',
    path: '/v1.0/users/x/photo/$value',
  });
}

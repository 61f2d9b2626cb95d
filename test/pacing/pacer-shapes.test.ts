// The WritePacer against every throttle shape the emulator plays, in virtual time (pacer-sim.ts:
// the emulator's own shapes behind a fake transport with 100 ± 50 ms latency, decided after the
// latency as the emulator does). Seconds of pacing run in milliseconds, so the bench's own sizes
// can be used; each case runs several latency seeds. The bounds are the goals where this
// design meets them everywhere, and say so where physics does not allow them at this size (see
// docs/performance.md, "Pacing without hints").
import { describe, expect, it } from 'vitest';
import { comebackSlope, scheduleRate } from '../../src/pacing/pacer.js';
import { simulate } from './pacer-sim.js';
import { quotaMinimumSeconds } from './quota-minimum.js';
import type { SimTenant } from './pacer-sim.js';

const N = 600;
const LATENCY = { latencyMs: 100, spreadMs: 50 };
const SEEDS = [1, 2, 3, 4, 5, 6];
const BUCKET = { burst: 60, refillPerSecond: 40, countRejected: true };

async function runSeeds(tenant: Omit<SimTenant, 'seed'>, n = N) {
  const runs = [];
  for (const seed of SEEDS) runs.push(await simulate(n, { ...tenant, seed }));
  return runs;
}

const share = (run: { throttled: number; attempts: number }) => run.throttled / run.attempts;

describe('WritePacer against each throttle shape (virtual time, 600 writes, 100 ± 50 ms)', () => {
  it('no throttling: at least 10× a one-at-a-time loop, nothing refused', async () => {
    for (const run of await runSeeds({ throttle: null, ...LATENCY })) {
      const sequentialSeconds = N * 0.1; // one at a time at the median latency
      expect(run.failed).toBe(0);
      expect(run.throttled).toBe(0);
      expect(sequentialSeconds / (run.elapsedMs / 1000)).toBeGreaterThan(10);
      // The default ramp (40/s doubling every 1.75 s) gives 11.8×: a slower one would near the goal.
      expect(sequentialSeconds / (run.elapsedMs / 1000)).toBeGreaterThan(11.5);
      expect(run.firstStartMs).toBe(0); // the first write leaves at once
    }
  });

  it('token bucket without early warning (B=60, R=40/s, refused requests counted): ≤ 1.1× (N − B)/R, one congestion event', async () => {
    const minimum = (N - BUCKET.burst) / BUCKET.refillPerSecond;
    for (const run of await runSeeds({ throttle: { ...BUCKET, shape: 'token-bucket', earlyWarning: false }, ...LATENCY })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(run.stats.events).toBe(1);
      // The only refusals are the requests in flight when the burst ran out (about (rate − R) ×
      // latency): 4–8 over 40 seeds with the default ramp (4–8 in these 6; < 1% is ≤ 6).
      expect(share(run)).toBeLessThan(0.015);
      expect(run.stats.refillEstimate).toBeGreaterThan(BUCKET.refillPerSecond * 0.9);
      expect(run.stats.refillEstimate).toBeLessThan(BUCKET.refillPerSecond * 1.05);
    }
  });

  it('token bucket without early warning, 40 seeds: < 1% refused in most (the ramp sets how many are in flight at the bite)', async () => {
    // How fast the ramp goes when the burst runs out sets the refusals. Doubling every 1.5 s (the
    // default before) put 21 of these 40 seeds over 1% (7–10 refused); every 1.75 s, 7 of 40
    // (7–8); every 2 s, 3 of 40, but then the fewer refusals read through answer jitter more
    // often give a rate far too low (6 of 40 seeds past 1.1× at 20 ms, against 2): see
    // docs/performance.md, "Choosing the ramp".
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    let overOnePercent = 0;
    for (const seed of seeds) {
      const run = await simulate(N, { throttle: { ...BUCKET, shape: 'token-bucket', earlyWarning: false }, ...LATENCY, seed });
      expect(run.failed).toBe(0);
      if (share(run) >= 0.01) overOnePercent++;
    }
    expect(overOnePercent).toBeLessThanOrEqual(8);
  });

  it('token bucket read through 20 ms of answer jitter: the schedule still within 1.1×', async () => {
    // The slots (25 ms apart) are read through up to 20 ms of jitter each: counted gap by gap they
    // gave 26–57/s and up to 1.30× (an estimate read low is never corrected by a 429). Now: the
    // median step per refusal, and a slow additive creep upward after a read through jitter.
    const minimum = (N - BUCKET.burst) / BUCKET.refillPerSecond;
    for (const run of await runSeeds({ throttle: { ...BUCKET, shape: 'token-bucket', earlyWarning: false }, ...LATENCY, answerJitterMs: 20 })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(share(run)).toBeLessThan(0.025);
    }
  });

  it('token bucket that does not count refusals: the same', async () => {
    const minimum = (N - BUCKET.burst) / BUCKET.refillPerSecond;
    for (const run of await runSeeds({ throttle: { ...BUCKET, countRejected: false, shape: 'token-bucket', earlyWarning: false }, ...LATENCY })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(share(run)).toBeLessThan(0.02);
    }
  });

  it('token bucket with the early warning header: within 1.1×, and < 1% refused', async () => {
    const minimum = (N - BUCKET.burst) / BUCKET.refillPerSecond;
    for (const run of await runSeeds({ throttle: { ...BUCKET, shape: 'token-bucket', earlyWarning: true }, ...LATENCY })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(share(run)).toBeLessThan(0.01);
      expect(run.rateEvents[0]).toContain('early warning');
    }
  });

  it('fixed window (80 per 2 s, Retry-After = rest of the window): learns the window, ≤ 1.1× (⌈N/80⌉ − 1) × 2 s', async () => {
    const minimum = (Math.ceil(N / 80) - 1) * 2;
    for (const run of await runSeeds({ throttle: { shape: 'fixed-window', windowRequests: 80, windowSeconds: 2 }, ...LATENCY })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(run.stats.events).toBe(1); // only the first window's edge is hit
      expect(share(run)).toBeLessThan(0.025);
      expect(run.rateEvents.join('\n')).toContain('window');
    }
  });

  it('fixed window read through 20 ms of answer jitter (network, a busy event loop): still a window, not a schedule of slots', async () => {
    // Each answer reaches the pacer up to 20 ms after the server decided, so the refusals' comeback
    // moments (receipt + Retry-After) scatter over 20 ms instead of coinciding. Before the pacer
    // read them by their slope, it took them for a bucket's slots (100–280/s) and was refused
    // 82–164 times (12–21%). The first answer, which dates the first window, is late by the same
    // jitter: uncorrected, the period read short and our openings crept ahead of the server's
    // until one was refused (one seed: 1.110×).
    const minimum = (Math.ceil(N / 80) - 1) * 2;
    for (const run of await runSeeds({ throttle: { shape: 'fixed-window', windowRequests: 80, windowSeconds: 2 }, ...LATENCY, answerJitterMs: 20 })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(share(run)).toBeLessThan(0.025);
      expect(run.rateEvents.join('\n')).toContain('window');
      expect(run.rateEvents.join('\n')).not.toContain('retry-after schedule');
    }
  });

  it('per-mailbox concurrency (4 per user) + bucket: one write per user never meets the mailbox limit', async () => {
    const minimum = (N - BUCKET.burst) / BUCKET.refillPerSecond;
    for (const run of await runSeeds({ throttle: { ...BUCKET, shape: 'mailbox', mailboxConcurrent: 4, mailboxHoldMs: 100 }, ...LATENCY })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(share(run)).toBeLessThan(0.015);
    }
  });

  it('429 storm (4 s, Retry-After 1 s), then open: one probe per Retry-After, within 1.1× of storm + unthrottled time', async () => {
    const open = await runSeeds({ throttle: null, ...LATENCY });
    const storm = await runSeeds({ throttle: { shape: 'storm', stormSeconds: 4, stormRetryAfterSeconds: 1 }, ...LATENCY });
    storm.forEach((run, i) => {
      const minimum = 4 + open[i]!.elapsedMs / 1000;
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      // The first requests (before any answer: 2), then one lone probe per second of storm
      // (three land inside it): 5 of 605, under 1%.
      expect(run.throttled).toBeLessThanOrEqual(2 + 3);
      expect(share(run)).toBeLessThan(0.01);
      expect(run.rateEvents.join('\n')).toContain('storm');
    });
  });

  it('a long storm is not hammered: probes space out past a few Retry-Afters, and no task runs out of attempts', async () => {
    const [run] = await Promise.all([simulate(60, { throttle: { shape: 'storm', stormSeconds: 60, stormRetryAfterSeconds: 1 }, ...LATENCY, seed: 3 })]);
    expect(run!.failed).toBe(0);
    // 60 s of storm: 2 at the start, 4 probes a second apart, then waits growing ×1.5 up to 10 s.
    expect(run!.throttled).toBeLessThanOrEqual(16);
    // …and the end of the storm is noticed within one such wait.
    expect(run!.elapsedMs).toBeLessThan(60_000 + 10_000 + 2_000);
  });

  it('app-wide concurrency cap (4, refused on arrival): learns the cap without holding the others, ≤ 1.1× N × latency / 4', async () => {
    for (const run of await runSeeds({ throttle: null, maxConcurrent: 4, ...LATENCY })) {
      const minimum = (N * 0.1) / 4;
      expect(run.failed).toBe(0);
      expect(run.stats.concurrency).toBe(4);
      expect(run.throttled).toBeLessThanOrEqual(3);
      expect(share(run)).toBeLessThan(0.01);
      // Only the refused request waits its 1 s Retry-After; the others go on under the cap.
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.1);
      expect(run.rateEvents[0]).toContain('concurrency limit');
    }
  });

  it('a rate limit that drops mid-run: re-measured from the next 429s', async () => {
    // A bucket at 40/s whose refill halves after the burst: the first estimate is 40, then 20.
    const run = await simulate(400, { throttle: { ...BUCKET, refillPerSecond: 20, burst: 60, shape: 'token-bucket', earlyWarning: false }, ...LATENCY, seed: 1 });
    expect(run.failed).toBe(0);
    expect(run.stats.refillEstimate).toBeGreaterThan(18);
    expect(run.stats.refillEstimate).toBeLessThan(21);
  });
});

describe("WritePacer under Google's per-minute quota: a fixed window, refused without Retry-After (issue 16)", () => {
  // Google's Directory API: so many requests per minute per caller, 403 userRateLimitExceeded, no
  // Retry-After. Played by the Google emulator's own quota (fixed windows from the first request,
  // decided on arrival, refused at once), read through Google's classifier. Before issue 16 the
  // pacer waited 1, 2, 4 … 32 s after such refusals and overshot each reopening by up to half the
  // wait: 1.025–1.062× at 60 per 10 s (up to 2.3× through 20 ms of answer jitter), 1.25–1.28× at
  // 2,400 per 60 s. Now it probes at an eighth of the time waited and learns the window's period
  // from when refused and admitted requests started (src/pacing/hintless.ts). Minimum: the last
  // window opens ⌈N/Q⌉ − 1 windows after the first request, and its writes take a latency.
  const quota = (perWindow: number, windowSeconds: number, answerJitterMs = 0): Omit<SimTenant, 'seed'> => ({ throttle: null, quota: { perWindow, windowSeconds }, ...LATENCY, answerJitterMs });
  const minimum = (n: number, perWindow: number, windowSeconds: number) => (Math.ceil(n / perWindow) - 1) * windowSeconds + LATENCY.latencyMs / 1000;

  it('60 per 10 s, 300 writes: within 1.05× of the minimum (was 1.06×), the window learned, a few refusals per window', async () => {
    for (const run of await runSeeds(quota(60, 10), 300)) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum(300, 60, 10)).toBeLessThan(1.05);
      // The first closing costs a probe a second until the reopening (8 of the 10 s are left);
      // each later one the request past the quota (the check) and a few probes across the span
      // the opening may still be in: 18–21 over 20 seeds.
      expect(run.throttled).toBeLessThanOrEqual(25);
      expect(run.rateEvents.join('\n')).toContain('window without hints (60 per');
    }
  });

  it('60 per 10 s through 20 ms of answer jitter: the same (was up to 2.3×)', async () => {
    for (const run of await runSeeds(quota(60, 10, 20), 300)) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum(300, 60, 10)).toBeLessThan(1.05);
      expect(run.throttled).toBeLessThanOrEqual(25);
    }
  });

  it('2,400 per 60 s (Google\'s documented quota), 6,000 writes: within 1.06× (was 1.28×), under 1% refused', async () => {
    for (const run of await runSeeds(quota(2400, 60), 6000)) {
      expect(run.failed).toBe(0);
      // Of the ~5 s over the minimum, ~3.75 s is the last window's 1,200 writes at 32 in flight.
      expect(run.elapsedMs / 1000 / minimum(6000, 2400, 60)).toBeLessThan(1.06);
      // About 24 probes over the 50 s left of the first minute (an eighth of the time waited
      // apart), then a few per window.
      expect(run.throttled).toBeLessThanOrEqual(40);
      expect(share(run)).toBeLessThan(0.01);
    }
  });

  it('each write a delete then the update (the Google target replacing photos), 60 per 10 s: the window kept, within 1.05×', async () => {
    // A write costs the quota two requests, a retry whose delete was admitted one: the quota,
    // counted in writes, varies from window to window. Past it the pacer sends a few more at a
    // time until one is refused; when it dropped the window at the first write admitted past the
    // quota, 100 writes took 50 refusals, probing a second apart through every window.
    const n = 100;
    for (const run of await runSeeds({ throttle: null, quota: { perWindow: 60, windowSeconds: 10, deleteFirst: true }, ...LATENCY }, n)) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum(2 * n, 60, 10)).toBeLessThan(1.05);
      expect(run.throttled).toBeLessThanOrEqual(40);
      expect(run.rateEvents.join('\n')).not.toContain('twice its quota');
    }
  });

  it('one write more than the quota: the last task probes until the window turns and does not run out of attempts', async () => {
    // 6 attempts would cover 6–8 s of probes an eighth of the time refused apart: the probes of a
    // spell's first 2 minutes are not charged to the task.
    for (const [n, perWindow, windowSeconds] of [[61, 60, 10], [2401, 2400, 60]] as const) {
      for (const run of await runSeeds(quota(perWindow, windowSeconds), n)) {
        expect(run.failed).toBe(0);
        expect(run.elapsedMs / 1000 / minimum(n, perWindow, windowSeconds)).toBeLessThan(1.15);
      }
    }
  });

  describe('the minute counted otherwise than from our first request (Google does not say how)', () => {
    // The Google emulator's windowAlignment: 'clock' (windows on clock minutes: the first is cut
    // short where our first request falls) and 'sliding' (at most the quota admitted in any
    // window's length). The minimum (quota-minimum.ts) is a client that starts as the pacer does
    // and knows when the quota frees up. Before the pacer counted windows from an opening seen, a
    // clock window read from our first request opened ~1.9 s before the pacer looked, every
    // window (60 per 10 s, a quarter of the first window left: 1.12–1.14×).
    const sizes = [[300, 60, 10], [6000, 2400, 60]] as const;

    it('on clock minutes, wherever in one the first request falls: within 1.07× of the minimum, the window learned, refusals bounded', async () => {
      for (const [n, perWindow, windowSeconds] of sizes) {
        for (const share of [0.1, 0.5, 0.75, 0.9, 0.95]) {
          const phaseMs = share * windowSeconds * 1000;
          const best = quotaMinimumSeconds(n, perWindow, windowSeconds, 'clock', { phaseSeconds: phaseMs / 1000 });
          for (const run of await runSeeds({ throttle: null, quota: { perWindow, windowSeconds, alignment: 'clock', phaseMs }, ...LATENCY }, n)) {
            expect(run.failed).toBe(0);
            // Measured 1.002–1.047×, but 1.045–1.061× at 60 per 10 s with 0.7–1.2 s of the first
            // window left: too short to spend its quota at the ramp's pace, so the first closing is
            // the second window's and the period is read from our first request (10.8 s): each
            // opening is then found late, and never probed before (docs/performance.md).
            expect(run.elapsedMs / 1000 / best).toBeLessThan(share === 0.9 && n === 300 ? 1.07 : 1.06);
            expect(run.rateEvents.join('\n')).toContain(`window without hints (${perWindow} per`);
            // 18–33 at 300 writes (the first closing alone takes ~10 probes), 27–41 at 6,000.
            expect(run.throttled).toBeLessThanOrEqual(n === 300 ? 40 : 50);
          }
        }
      }
    });

    it('sliding: every write lands; the minute\'s 2,400 within 1.02×, under 1% refused; 60 per 10 s slower (a window that reopens write by write, read as openings of a few writes)', async () => {
      for (const [n, perWindow, windowSeconds] of sizes) {
        const best = quotaMinimumSeconds(n, perWindow, windowSeconds, 'sliding');
        for (const run of await runSeeds({ throttle: null, quota: { perWindow, windowSeconds, alignment: 'sliding' }, ...LATENCY }, n)) {
          expect(run.failed).toBe(0);
          if (n === 6000) {
            expect(run.elapsedMs / 1000 / best).toBeLessThan(1.02); // (measured 1.009–1.010)
            expect(share(run)).toBeLessThan(0.01);
          } else {
            // Measured 1.20–1.26×, 54–56 refused of ~355 requests: bounded, not good (docs/performance.md).
            expect(run.elapsedMs / 1000 / best).toBeLessThan(1.35);
            expect(share(run)).toBeLessThan(0.2);
          }
        }
      }
    });
  });

  it('a token bucket refusing without Retry-After: within 1.15× (waits that doubled per refusal gave up to 9×)', async () => {
    const minimum = (N - BUCKET.burst) / BUCKET.refillPerSecond;
    for (const run of await runSeeds({ throttle: { ...BUCKET, shape: 'token-bucket', earlyWarning: false }, retryAfter: false, ...LATENCY })) {
      expect(run.failed).toBe(0);
      expect(run.elapsedMs / 1000 / minimum).toBeLessThan(1.15);
      expect(run.rateEvents.join('\n')).not.toContain('window without hints');
    }
  });

  it('a 60 s storm refusing without Retry-After: probes an eighth of the time waited apart, its end noticed within 10 s', async () => {
    const run = await simulate(60, { throttle: { shape: 'storm', stormSeconds: 60 }, retryAfter: false, ...LATENCY, seed: 3 });
    expect(run.failed).toBe(0);
    // 2 at the start, 8 probes a second apart, then growing ×9/8: 25 over the minute.
    expect(run.throttled).toBeLessThanOrEqual(30);
    expect(run.elapsedMs).toBeLessThan(60_000 + 10_000 + 2_000);
  });
});

describe('scheduleRate: the server rate read from Retry-After targets', () => {
  const at = (start: number, step: number, count: number) => Array.from({ length: count }, (_, i) => start + i * step);

  it('a bucket that counts refusals: each refusal its own slot 1/R apart', () => {
    // Refusals 10 ms apart (100/s arriving), slots 25 ms apart (40/s), one gap doubled by an admission.
    const refusedAt = at(1000, 10, 6);
    const targets = [1007, 1032, 1082, 1107, 1132, 1157];
    expect(scheduleRate(targets, refusedAt)).toBeCloseTo(40, 0);
  });

  it('a bucket that does not: refusals sent to the next token, which moves with each admission', () => {
    const refusedAt = [1000, 1004, 1012, 1030, 1036, 1055, 1061];
    const targets = [1010, 1010, 1035, 1035, 1035, 1060, 1085];
    expect(scheduleRate(targets, refusedAt, () => 3)).toBeCloseTo(40, 0);
  });

  it('a bucket that counts refusals, read through jitter: the median step per refusal', () => {
    // Slots 25 ms apart (40/s), each read up to 15 ms late (a fixed pseudo-random pattern).
    const late = [3, 14, 0, 9, 12, 1, 7, 15];
    const refusedAt = at(1000, 9, 8).map((t, i) => t + late[i]!);
    const targets = at(1030, 25, 8).map((t, i) => t + late[i]!);
    const rate = scheduleRate(targets, refusedAt)!;
    expect(rate).toBeGreaterThan(40 * 0.85);
    expect(rate).toBeLessThan(40 * 1.15);
  });

  it('a fixed Retry-After (a storm) only mirrors the arrivals: no rate', () => {
    const refusedAt = [1000, 1030, 1055, 1090];
    expect(scheduleRate(refusedAt.map((t) => t + 1000), refusedAt)).toBeUndefined();
  });

  it('a window: everyone sent to the same moment: no rate (the cycle measures it)', () => {
    expect(scheduleRate([3000, 3000, 3001, 3000], [1500, 1510, 1520, 1530])).toBeUndefined();
  });
});

describe('comebackSlope: how the comeback moments move with the refusals', () => {
  const late = [4, 17, 0, 11, 19, 2, 8, 13, 6];
  const refusedAt = Array.from({ length: 9 }, (_, i) => 1000 + i * 12 + late[i]!);

  it('a window: everyone to one moment, read through up to 20 ms of jitter: well under 0.5', () => {
    const targets = late.map((ms) => 3000 + ms);
    expect(Math.abs(comebackSlope(refusedAt, targets)!)).toBeLessThan(0.5);
  });

  it('a fixed Retry-After (a storm): exactly 1', () => {
    expect(comebackSlope(refusedAt, refusedAt.map((t) => t + 1000))).toBeCloseTo(1, 6);
  });

  it('a bucket that reserves a slot per refusal: above 1', () => {
    const targets = Array.from({ length: 9 }, (_, i) => 1100 + i * 25 + late[i]!);
    expect(comebackSlope(refusedAt, targets)).toBeGreaterThan(1);
  });

  it('too few refusals, or all at once: no reading', () => {
    expect(comebackSlope([1000, 1001], [3000, 3000])).toBeUndefined();
    expect(comebackSlope([1000, 1002, 1004], [3000, 3001, 3000])).toBeUndefined();
  });
});

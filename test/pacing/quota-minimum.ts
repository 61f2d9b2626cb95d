// The least time a run of writes can take against Google's per-minute quota, however the minute is
// counted (the Google emulator's `windowAlignment`), for a client that starts as the WritePacer
// does: used by the simulator's tests and bench:pacing as "the minimum". A quota counted on clock
// minutes cuts the first window short, and a fast start is no faster than the pacer's ramp, so the
// bare (⌈N/Q⌉ − 1) windows would be a minimum nobody can reach.
import type { GoogleQuotaWindowAlignment } from '../../src/emulator/google/options.js';

export interface QuotaMinimumOptions {
  /** How far into a clock window the first request falls (s; 'clock' only). */
  phaseSeconds?: number;
  /** One write's time from start to answer (s); default 0.1. */
  latencySeconds?: number;
  /** The client's start: this rate (writes/s), doubling every `rampDoublingSeconds`, at most `maxRate`; defaults: the pacer's (40/s, 1.75 s, 32 in flight at the latency). */
  initialRate?: number;
  rampDoublingSeconds?: number;
  maxRate?: number;
}

/**
 * First request to the last write's answer (s), for `n` writes against `quota` per `windowSeconds`:
 * each write sent as soon as both the client's rate and the quota allow, by a client that knows
 * exactly when the quota frees up (a window opens, or for 'sliding' the write `quota` before
 * leaves the window).
 */
export function quotaMinimumSeconds(n: number, quota: number, windowSeconds: number, alignment: GoogleQuotaWindowAlignment, options: QuotaMinimumOptions = {}): number {
  const latency = options.latencySeconds ?? 0.1;
  const initialRate = options.initialRate ?? 40;
  const doublingMs = (options.rampDoublingSeconds ?? 1.75) * 1000;
  const maxRate = options.maxRate ?? 32 / latency;
  const windowMs = windowSeconds * 1000;
  const starts: number[] = [];
  let t = 0;
  let windowStart = alignment === 'clock' ? -(options.phaseSeconds ?? 0) * 1000 : 0;
  let inWindow = 0;
  for (let i = 0; i < n; i++) {
    if (alignment === 'sliding') {
      if (i >= quota) t = Math.max(t, starts[i - quota]! + windowMs);
    } else {
      const passed = Math.floor((t - windowStart) / windowMs);
      if (passed > 0) {
        windowStart += passed * windowMs;
        inWindow = 0;
      }
      if (inWindow >= quota) {
        windowStart += windowMs;
        inWindow = 0;
        t = windowStart;
      }
      inWindow++;
    }
    starts.push(t);
    t += 1000 / Math.min(maxRate, initialRate * 2 ** (t / doublingMs));
  }
  return starts[n - 1]! / 1000 + latency;
}

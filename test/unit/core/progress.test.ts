import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, Progress, progressSettingsFromEnv, type LogGroup, type ThrottleSnapshot } from '../../../src/core/progress.js';

function harness(total: number, options: { intervalMs?: number; throttle?: ThrottleSnapshot; totalKnown?: boolean; group?: boolean } = {}) {
  let now = 0;
  const lines: string[] = [];
  const events: string[] = [];
  const group: LogGroup = { start: (t) => events.push(`start ${t}`), end: () => events.push('end') };
  const progress = new Progress({
    verb: 'Uploading',
    total,
    log: (l) => {
      lines.push(l);
      events.push(l);
    },
    settings: { intervalMs: options.intervalMs ?? 10_000, now: () => now, timer: false, ...(options.group ? { group } : {}) },
    ...(options.throttle ? { throttle: () => options.throttle! } : {}),
    ...(options.totalKnown === false ? { totalKnown: false } : {}),
  });
  return {
    progress,
    lines,
    events,
    at: (ms: number) => {
      now = ms;
      progress.poll();
    },
    set: (ms: number) => (now = ms),
  };
}

describe('progress', () => {
  it('prints nothing but the final count for a run shorter than the interval', () => {
    const h = harness(40);
    for (let i = 1; i <= 40; i++) {
      h.set(i * 100);
      h.progress.advance();
    }
    h.progress.finish();
    expect(h.lines).toEqual(['Uploading: 40 of 40 done in 4 s (10.0/s).']);
  });

  it('prints nothing at all for a stage with nothing to do', () => {
    const h = harness(0);
    h.at(60_000);
    h.progress.finish();
    expect(h.lines).toEqual([]);
  });

  it('prints a line at each interval while nothing finishes (a throttled stage)', () => {
    const h = harness(100, { throttle: { throttled: 12, rate: null } });
    h.at(5_000);
    expect(h.lines).toEqual([]);
    h.at(10_000);
    h.at(15_000);
    h.at(20_000);
    expect(h.lines).toEqual(['Uploading: 0 of 100 (0 %), 0.0/s, 12 throttled, time left not known yet', 'Uploading: 0 of 100 (0 %), 0.0/s, 12 throttled, time left not known yet']);
  });

  it('states done/total, percentage, rate, throttling with the pace, and the time left', () => {
    const h = harness(2000, { throttle: { throttled: 12, rate: 20 } });
    h.set(62_626); // 1,240 in 62.6 s: 19.8/s; 760 left ≈ 38 s
    h.progress.advance(1240);
    expect(h.lines).toEqual(['Uploading: 1,240 of 2,000 (62 %), 19.8/s, 12 throttled (pacing at 20.0/s), about 38 s left']);
    h.set(101_000);
    h.progress.advance(760);
    h.progress.finish();
    expect(h.lines.at(-1)).toBe('Uploading: 2,000 of 2,000 done in 1 min 41 s (19.8/s, 12 throttled).');
  });

  it('prints each quarter of a long run, and interval lines between them', () => {
    const h = harness(100);
    // First 20 s: 20 items, one line at 10 s.
    for (let i = 1; i <= 20; i++) {
      h.set(i * 1000);
      h.progress.advance();
    }
    expect(h.lines).toEqual(['Uploading: 10 of 100 (10 %), 1.0/s, about 1 min 30 s left', 'Uploading: 20 of 100 (20 %), 1.0/s, about 1 min 20 s left']);
    h.set(21_000);
    h.progress.advance(5); // 25 %: a quarter line although the interval has not passed
    expect(h.lines.at(-1)).toBe('Uploading: 25 of 100 (25 %), 1.2/s, about 1 min 3 s left');
    h.set(22_000);
    h.progress.advance(25); // 50 %
    h.set(23_000);
    h.progress.advance(25); // 75 %
    expect(h.lines.slice(-2).map((l) => l.match(/\((\d+) %\)/)![1])).toEqual(['50', '75']);
    h.set(24_000);
    h.progress.advance(25);
    h.progress.finish();
    expect(h.lines.at(-1)).toBe('Uploading: 100 of 100 done in 24 s (4.2/s).');
    expect(h.lines).toHaveLength(6);
  });

  it('leaves out quarter lines of a short run', () => {
    const h = harness(8);
    for (let i = 1; i <= 8; i++) {
      h.set(i * 500);
      h.progress.advance();
    }
    h.progress.finish();
    expect(h.lines).toEqual(['Uploading: 8 of 8 done in 4 s (2.0/s).']);
  });

  it('opens the log group at the first progress line and closes it after the final count', () => {
    const h = harness(10, { group: true, intervalMs: 1000 });
    h.set(500);
    h.progress.advance();
    expect(h.events).toEqual([]);
    h.at(1000);
    h.set(1500);
    h.progress.advance(9);
    h.progress.finish();
    h.progress.finish(); // once only
    expect(h.events).toEqual(['start Uploading: progress', 'Uploading: 1 of 10 (10 %), 1.0/s, about 9 s left', 'Uploading: 10 of 10 done in 2 s (6.7/s).', 'end']);
  });

  it('a short run opens no group', () => {
    const h = harness(3, { group: true });
    h.progress.advance(3);
    h.progress.finish();
    expect(h.events).toEqual(['Uploading: 3 of 3 done in 0 s.']);
  });

  it('counts a total still growing without percentage or ETA', () => {
    const h = harness(0, { totalKnown: false });
    h.progress.addTotal(500);
    h.set(10_000);
    h.progress.advance(200);
    expect(h.lines).toEqual(['Uploading: 200 of 500 found so far, 20.0/s']);
    h.progress.finish();
    expect(h.lines.at(-1)).toBe('Uploading: 200 done in 10 s (20.0/s).');
  });

  it('says durations in words', () => {
    expect(formatDuration(38_400)).toBe('38 s');
    expect(formatDuration(250_000)).toBe('4 min 10 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatProgress({ verb: 'Normalising', done: 0, total: 5, totalKnown: true, elapsedMs: 0 })).toBe('Normalising: 0 of 5 (0 %), 0.0/s, time left not known yet');
    expect(formatProgress({ verb: 'Uploading', done: 39, total: 40, totalKnown: true, elapsedMs: 5000 })).toBe('Uploading: 39 of 40 (97 %), 7.8/s, less than a second left');
  });

  it('reads the interval from ENTRA_PHOTOS_PROGRESS_SECONDS', () => {
    expect(progressSettingsFromEnv({ ENTRA_PHOTOS_PROGRESS_SECONDS: '0.5' })).toEqual({ intervalMs: 500 });
    expect(progressSettingsFromEnv({ ENTRA_PHOTOS_PROGRESS_SECONDS: 'x' })).toEqual({});
    expect(progressSettingsFromEnv({})).toEqual({});
  });

  it('prints interval lines from its own timer', async () => {
    const lines: string[] = [];
    const progress = new Progress({ verb: 'Uploading', total: 5, log: (l) => lines.push(l), settings: { intervalMs: 30 } });
    await new Promise((r) => setTimeout(r, 120));
    progress.finish();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^Uploading: 0 of 5 \(0 %\)/);
  });
});

import { expect, it } from 'vitest';
import { BatchRounds } from '../../src/pacing/index.js';

const items = Array.from({ length: 50 }, (_, i) => i);

it('sends everything until throttled; then no more than the last round got answered, and waits the longest Retry-After', async () => {
  const rounds = new BatchRounds();
  expect(rounds.take(items)).toHaveLength(50);
  const started = performance.now();
  expect(await rounds.next({ answered: 12, throttled: 38, retryAfterSeconds: 0.05 })).toBe(true);
  expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  expect(rounds.take(items)).toEqual(items.slice(0, 12));
  // Nothing answered: still one at a time, never zero.
  await rounds.next({ answered: 0, throttled: 12, retryAfterSeconds: 0 });
  expect(rounds.take(items)).toEqual([0]);
  // A round without throttling opens the size again and does not wait.
  const before = performance.now();
  expect(await rounds.next({ answered: 1, throttled: 0 })).toBe(true);
  expect(performance.now() - before).toBeLessThan(20);
  expect(rounds.take(items)).toHaveLength(50);
});

it('failures worth another attempt back off (full jitter under the ceiling) without shrinking the round', async () => {
  const rounds = new BatchRounds({ failedBaseDelayMs: 10 });
  const started = performance.now();
  expect(await rounds.next({ answered: 40, throttled: 0, retry: 1 })).toBe(true);
  expect(performance.now() - started).toBeLessThan(200);
  expect(rounds.take(items)).toHaveLength(50);
});

it('gives up rather than wait past maxTotalWaitMs, and a cancelled wait rejects', async () => {
  const rounds = new BatchRounds({ maxTotalWaitMs: 100 });
  expect(await rounds.next({ answered: 1, throttled: 1, retryAfterSeconds: 0.06 })).toBe(true);
  expect(await rounds.next({ answered: 1, throttled: 1, retryAfterSeconds: 0.06 })).toBe(false);
  const controller = new AbortController();
  const cancelled = new BatchRounds({ signal: controller.signal });
  const waiting = cancelled.next({ answered: 0, throttled: 1, retryAfterSeconds: 30 });
  controller.abort();
  await expect(waiting).rejects.toThrow();
});

// The emulator's throttle shapes (src/emulator/throttle.ts), on a fake clock: what each refuses,
// the Retry-After it sends, whether a refusal costs quota, and the early-warning header's source.
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/emulator/throttle.js';
import type { ThrottleConfig } from '../../src/emulator/options.js';

const BASE: ThrottleConfig = { burst: 3, refillPerSecond: 10, countRejected: true, maxConcurrent: 0, appliesTo: 'writes' };

function clocked(config: Partial<ThrottleConfig>) {
  let now = 1000;
  const throttle = new TokenBucket({ ...BASE, ...config }, () => now);
  return { throttle, advance: (ms: number) => (now += ms) };
}

describe('emulator throttle shapes', () => {
  it('token bucket counting refusals: each refusal reserves its own slot 1/R after the previous one; coming back then gets in', () => {
    const { throttle, advance } = clocked({});
    for (let i = 0; i < 3; i++) expect(throttle.take().allowed).toBe(true);
    const waits = [throttle.take(), throttle.take(), throttle.take()].map((d) => (d.allowed ? -1 : d.retryAfterSeconds));
    expect(waits[0]).toBeCloseTo(0.1, 5);
    expect(waits[1]).toBeCloseTo(0.2, 5);
    expect(waits[2]).toBeCloseTo(0.3, 5);
    advance(300);
    for (let i = 0; i < 3; i++) expect(throttle.take().allowed).toBe(true); // the three reserved slots
    expect(throttle.take().allowed).toBe(false);
  });

  it('token bucket not counting refusals: refusals are free and point at the next token', () => {
    const { throttle, advance } = clocked({ countRejected: false });
    for (let i = 0; i < 3; i++) throttle.take();
    const first = throttle.take();
    const second = throttle.take();
    expect(first).toMatchObject({ allowed: false });
    expect(second).toMatchObject({ allowed: false });
    if (!first.allowed && !second.allowed) expect(second.retryAfterSeconds).toBeCloseTo(first.retryAfterSeconds, 5);
    advance(100);
    expect(throttle.take().allowed).toBe(true);
  });

  it('early warning: the token bucket reports usage by default, other shapes only when asked, and it can be turned off', () => {
    const on = clocked({});
    on.throttle.take();
    on.throttle.take();
    expect(on.throttle.usage()).toBeCloseTo(2 / 3, 5);
    const off = clocked({ earlyWarning: false });
    off.throttle.take();
    off.throttle.take();
    expect(off.throttle.usage()).toBe(0);
    const window = clocked({ shape: 'fixed-window', windowRequests: 4, windowSeconds: 1 });
    window.throttle.take();
    expect(window.throttle.usage()).toBe(0);
    const windowWarning = clocked({ shape: 'fixed-window', windowRequests: 4, windowSeconds: 1, earlyWarning: true });
    windowWarning.throttle.take();
    expect(windowWarning.throttle.usage()).toBe(0.25);
  });

  it('fixed window: N per window from the first request, Retry-After = the rest of the window, refusals change nothing', () => {
    const { throttle, advance } = clocked({ shape: 'fixed-window', windowRequests: 2, windowSeconds: 2 });
    expect(throttle.take().allowed).toBe(true);
    advance(500);
    expect(throttle.take().allowed).toBe(true);
    advance(500);
    expect(throttle.take()).toEqual({ allowed: false, retryAfterSeconds: 1, reason: 'WriteLimitExceeded' });
    advance(900);
    expect(throttle.take()).toMatchObject({ allowed: false, retryAfterSeconds: expect.closeTo(0.1, 5) });
    advance(100); // the next window
    expect(throttle.take().allowed).toBe(true);
    expect(throttle.take().allowed).toBe(true);
    expect(throttle.take().allowed).toBe(false);
  });

  it('per-mailbox concurrency: at most N in flight per user (modelled as admitted within the hold time), other users unaffected; a refusal costs no token', () => {
    const { throttle, advance } = clocked({ shape: 'mailbox', mailboxConcurrent: 2, mailboxHoldMs: 100, burst: 10 });
    expect(throttle.take({ userId: 'a' }).allowed).toBe(true);
    expect(throttle.take({ userId: 'a' }).allowed).toBe(true);
    const refused = throttle.take({ userId: 'a' });
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 0.1, reason: 'MailboxConcurrency' });
    expect(throttle.take({ userId: 'b' }).allowed).toBe(true);
    advance(100);
    expect(throttle.take({ userId: 'a' }).allowed).toBe(true);
    // 4 tokens used of 10 (the refusal took none), refill 10/s over 100 ms: 7 left.
    for (let i = 0; i < 7; i++) expect(throttle.take({ userId: `u${i}` }).allowed).toBe(true);
    expect(throttle.take({ userId: 'z' })).toMatchObject({ allowed: false, reason: 'WriteLimitExceeded' });
  });

  it('per-mailbox concurrency without a target user: only the bucket applies', () => {
    const { throttle } = clocked({ shape: 'mailbox', mailboxConcurrent: 1, burst: 5 });
    for (let i = 0; i < 5; i++) expect(throttle.take().allowed).toBe(true);
  });

  it('storm: everything refused with the same Retry-After from the first request for its length, then nothing limited', () => {
    const { throttle, advance } = clocked({ shape: 'storm', stormSeconds: 2, stormRetryAfterSeconds: 0.5, burst: 1 });
    advance(5000); // the storm starts with the first request, not with the configuration
    for (let i = 0; i < 3; i++) {
      expect(throttle.take()).toEqual({ allowed: false, retryAfterSeconds: 0.5, reason: 'CPULimitExceeded' });
      advance(600);
    }
    advance(200);
    for (let i = 0; i < 50; i++) expect(throttle.take().allowed).toBe(true);
  });

  it('reconfigure starts the new shape fresh; an unknown shape or a bad parameter is refused', () => {
    const { throttle } = clocked({ shape: 'storm', stormSeconds: 10 });
    expect(throttle.take().allowed).toBe(false);
    throttle.reconfigure({ ...BASE, shape: 'token-bucket' });
    expect(throttle.take().allowed).toBe(true);
    expect(() => throttle.reconfigure({ ...BASE, shape: 'leaky' as never })).toThrow(/Unknown throttle shape/);
    expect(() => new TokenBucket({ ...BASE, shape: 'fixed-window', windowRequests: 0 })).toThrow(/windowRequests/);
  });
});

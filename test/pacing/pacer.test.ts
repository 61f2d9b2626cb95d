import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorUserSeed, RunningEmulator } from '../../src/emulator/index.js';
import { GraphError } from '../../src/target/entra/index.js';
import { PacerCancelledError, WritePacer, attemptsOf } from '../../src/pacing/index.js';
import type { TenantClient } from '../../src/target/entra/index.js';
import type { PacerEvent } from '../../src/pacing/index.js';
import { clientFor, jpeg, startTrustedEmulator } from '../target/entra/helpers.js';

const USERS: EmulatorUserSeed[] = Array.from({ length: 300 }, (_, index) => ({
  id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  userPrincipalName: `u${String(index).padStart(3, '0')}@contoso.edu`,
}));

/** Feeds the pacer with bounded lookahead, as apply does, and waits for every write. */
async function uploadAll(pacer: WritePacer, tenant: TenantClient, photo: Buffer, users = USERS, lookahead = 64) {
  const results: Array<Promise<unknown>> = [];
  for (const user of users) {
    await pacer.whenPendingBelow(lookahead);
    results.push(pacer.run(() => tenant.putPhoto(user.id!, photo), user.userPrincipalName));
  }
  return Promise.allSettled(results);
}

describe('WritePacer against the emulator', () => {
  let emulator: RunningEmulator;
  let tenant: TenantClient;
  let photo: Buffer;

  beforeAll(async () => {
    emulator = await startTrustedEmulator({ users: USERS, throttle: false, latency: { medianMs: 10, spreadMs: 5 } });
    tenant = clientFor(emulator);
    photo = await jpeg(96);
    await tenant.connection.accessToken(); // sign in before the clock starts
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => emulator.admin.reset());

  it('writes at the throttle limit: few 429s, close to the bucket minimum', async () => {
    const burst = 20;
    const refill = 50;
    await emulator.admin.setConfig({ throttle: { burst, refillPerSecond: refill, countRejected: true, appliesTo: 'writes' } });
    const rateChanges: PacerEvent[] = [];
    const pacer = new WritePacer({ onEvent: (event) => event.type === 'rate' && rateChanges.push(event) });
    const started = performance.now();
    const settled = await uploadAll(pacer, tenant, photo);
    const seconds = (performance.now() - started) / 1000;
    const minimum = (USERS.length - burst) / refill;
    const { stats } = pacer;
    const rejectedShare = stats.throttled / stats.attempts;
    console.log(
      `pacer: ${USERS.length} writes, burst ${burst}, refill ${refill}/s: ${seconds.toFixed(2)} s vs minimum ${minimum.toFixed(2)} s ` +
        `(${(seconds / minimum).toFixed(2)}×), attempts ${stats.attempts}, 429s ${stats.throttled} (${(rejectedShare * 100).toFixed(1)}%), ` +
        `refill estimate ${stats.refillEstimate}/s, rate ${stats.rate}/s, concurrency ${stats.concurrency}, ${rateChanges.length} rate changes`,
    );
    // This bucket sends x-ms-throttle-limit-percentage: the pacer slows down on the early warning,
    // before any 429 (it measured the limit from a first 429 before issue 12's redesign).
    expect(rateChanges[0]).toMatchObject({ type: 'rate', reason: 'early warning' });
    expect(stats.refillEstimate).toBeGreaterThan(refill * 0.8);
    expect(stats.refillEstimate).toBeLessThan(refill * 1.3);
    expect(settled.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(stats.succeeded).toBe(USERS.length);
    expect(rejectedShare).toBeLessThan(0.1);
    expect(seconds).toBeLessThan(minimum * 1.3);
    const state = await emulator.admin.state();
    expect(state.users.filter((user) => user.photo).length).toBe(USERS.length);
  }, 20_000);

  it('lands every write through 503s and connection resets, within max attempts', async () => {
    await emulator.admin.setConfig({
      faults: [
        { effect: 'status', status: 503, user: USERS[7]!.id! }, // this user's writes always fail
        // Random faults, bounded in number, hitting about one attempt in five while they last.
        { effect: 'status', status: 503, methods: ['PUT'], probability: 0.1, times: 15, retryAfterSeconds: 0.02 },
        { effect: 'status', status: 504, methods: ['PUT'], probability: 0.05, times: 6 },
        { effect: 'reset', methods: ['PUT'], probability: 0.08, times: 10 },
      ],
    });
    const users = USERS.slice(0, 80);
    const pacer = new WritePacer({ baseDelayMs: 20, maxAttempts: 8 });
    const settled = await uploadAll(pacer, tenant, photo, users);
    const { stats } = pacer;
    console.log(`faults: attempts ${stats.attempts}, retries ${stats.retries}, outcomes ${JSON.stringify(stats.outcomes)}`);
    const failed = settled.flatMap((result, index) => (result.status === 'rejected' ? [{ index, reason: result.reason as unknown }] : []));
    expect(failed.map((failure) => failure.index)).toEqual([7]);
    const reason = failed[0]!.reason;
    expect(reason).toBeInstanceOf(GraphError);
    expect(attemptsOf(reason)).toBe(8);
    expect(stats.succeeded).toBe(79);
    expect(stats.outcomes['503']).toBeGreaterThan(6);
    expect(Object.keys(stats.outcomes).some((outcome) => !/^\d+$/.test(outcome) && outcome !== 'ok')).toBe(true); // a network error code
    const state = await emulator.admin.state();
    expect(state.users.filter((user) => user.photo).length).toBe(79);
  }, 20_000);

  it('does not retry a 4xx', async () => {
    const pacer = new WritePacer();
    const tiny = await jpeg(32);
    const error = await pacer.run(() => tenant.putPhoto(USERS[0]!.id!, tiny)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'ValidationWidthTooSmall' });
    expect(attemptsOf(error)).toBe(1);
    expect(pacer.stats).toMatchObject({ attempts: 1, retries: 0, failed: 1 });
  });

  it('stops starting work when aborted and lets in-flight writes finish', async () => {
    await emulator.admin.setConfig({ throttle: { burst: 5, refillPerSecond: 20, countRejected: true } });
    const controller = new AbortController();
    const pacer = new WritePacer({ signal: controller.signal });
    const users = USERS.slice(0, 100);
    const all = users.map((user) => pacer.run(() => tenant.putPhoto(user.id!, photo), user.userPrincipalName));
    setTimeout(() => controller.abort(), 1000);
    const settled = await Promise.allSettled(all);
    const attemptsAtEnd = pacer.stats.attempts;
    const fulfilled = settled.filter((result) => result.status === 'fulfilled').length;
    const cancelled = settled.filter((result) => result.status === 'rejected' && result.reason instanceof PacerCancelledError).length;
    expect(fulfilled).toBeGreaterThanOrEqual(5);
    expect(fulfilled).toBeLessThan(60);
    expect(cancelled).toBeGreaterThan(0);
    expect(fulfilled + cancelled).toBe(100);
    expect(pacer.stats).toMatchObject({ succeeded: fulfilled, cancelled, inFlight: 0, queued: 0 });
    await expect(pacer.run(() => tenant.putPhoto(users[0]!.id!, photo))).rejects.toBeInstanceOf(PacerCancelledError);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const puts = (await emulator.admin.requests()).filter((entry) => entry.method === 'PUT');
    expect(puts).toHaveLength(attemptsAtEnd); // nothing started after the abort settled
    const state = await emulator.admin.state();
    expect(state.users.filter((user) => user.photo).length).toBe(fulfilled);
  }, 20_000);
});

// Throttling (token bucket, concurrency cap), injected faults, latency, and the request log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { accessToken, authProviderFor, expectGraphErrorShape, federatedCredential, graphClient, graphFailure, graphFetch, jpeg, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let token: string;
let portrait: Buffer;
let graph: Client;
const students = Array.from({ length: 9 }, (_, index) => `s${10023 + index}@students.contoso.edu`);

beforeAll(async () => {
  emulator = await startEmulator({ seed: 7 });
  trustEmulatorCa(emulator.caCertPem);
  token = await accessToken(emulator);
  portrait = await jpeg(64);
  graph = graphClient(emulator, authProviderFor(federatedCredential(emulator)), { retries: false });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.admin.reset());

const putPhoto = (user: string): Promise<Response> =>
  graphFetch(emulator, token, `/v1.0/users/${user}/photo/$value`, { method: 'PUT', body: portrait, headers: { 'Content-Type': 'image/jpeg' } });

/** A client that honours Retry-After and nothing else: no backoff of its own, no retry cap. */
async function putHonouringRetryAfter(user: string): Promise<{ attempts: number; throttled: number; retryAfters: string[] }> {
  const retryAfters: string[] = [];
  for (let attempts = 1; ; attempts++) {
    const response = await putPhoto(user);
    if (response.status !== 429) {
      expect(response.status).toBe(200);
      return { attempts, throttled: attempts - 1, retryAfters };
    }
    const retryAfter = response.headers.get('Retry-After') ?? '';
    retryAfters.push(retryAfter);
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
  }
}

describe('throttling', () => {
  it('answers 429 TooManyRequests with a fractional Retry-After and x-ms-throttle headers once the burst is spent', async () => {
    await emulator.admin.setConfig({ throttle: { burst: 3, refillPerSecond: 4 } });
    const statuses: number[] = [];
    let throttledResponse: Response | undefined;
    for (const user of students.slice(0, 5)) {
      const response = await putPhoto(user);
      statuses.push(response.status);
      if (response.status === 429) throttledResponse ??= response;
      else await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const headers = throttledResponse!.headers;
    expect(headers.get('Retry-After')).toMatch(/^\d+(\.\d+)?$/);
    expect(Number(headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(Number(headers.get('Retry-After'))).toBeLessThan(1);
    expect(headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/Write/${emulator.clientId}/${emulator.tenantId}`);
    expect(headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
    const body: unknown = await throttledResponse!.json();
    expectGraphErrorShape(body);
    expect(body.error.code).toBe('TooManyRequests');
  });

  it('reports usage above 80% in x-ms-throttle-limit-percentage', async () => {
    await emulator.admin.setConfig({ throttle: { burst: 5, refillPerSecond: 0.01 } });
    const percentages: Array<string | null> = [];
    for (const user of students.slice(0, 5)) {
      const response = await putPhoto(user);
      percentages.push(response.headers.get('x-ms-throttle-limit-percentage'));
      await response.arrayBuffer();
    }
    expect(percentages.slice(0, 4)).toEqual([null, null, null, null]);
    expect(Number(percentages[4])).toBeGreaterThan(0.8);
  });

  it('does not throttle reads unless told to', async () => {
    await emulator.admin.setConfig({ throttle: { burst: 1, refillPerSecond: 0.01 } });
    for (let i = 0; i < 5; i++) expect((await graphFetch(emulator, token, '/v1.0/users?$top=1')).status).toBe(200);
    await emulator.admin.setConfig({ throttle: { appliesTo: 'all' } });
    expect((await graphFetch(emulator, token, '/v1.0/users?$top=1')).status).toBe(200);
    const throttled = await graphFetch(emulator, token, '/v1.0/users?$top=1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
  });

  it('lets every request through for concurrent clients that honour Retry-After, though rejections count against the quota', async () => {
    await emulator.admin.setConfig({ throttle: { burst: 4, refillPerSecond: 40, countRejected: true } });
    const results = await Promise.all(students.map((user) => putHonouringRetryAfter(user)));
    // Every wait the clients made was a Retry-After the emulator sent: a positive number of seconds.
    expect(results.flatMap((result) => result.retryAfters).every((value) => Number(value) > 0)).toBe(true);
    expect(results.reduce((sum, result) => sum + result.throttled, 0)).toBeGreaterThan(0);
    const state = await emulator.admin.state();
    expect(state.users.filter((user) => user.photo !== null)).toHaveLength(students.length);
    const log = await emulator.admin.requests();
    expect(log.filter((entry) => entry.throttled).every((entry) => entry.status === 429)).toBe(true);
  });

  it("lets the Graph SDK's own RetryHandler (which honours Retry-After) succeed", async () => {
    await emulator.admin.setConfig({ throttle: { burst: 1, refillPerSecond: 20 } });
    const sdk = graphClient(emulator, authProviderFor(federatedCredential(emulator)));
    for (const user of students.slice(0, 3)) {
      await sdk.api(`/users/${user}/photo/$value`).header('Content-Type', 'image/jpeg').put(portrait);
    }
    expect((await emulator.admin.requests()).some((entry) => entry.throttled)).toBe(true);
    expect((await emulator.admin.state()).users.filter((user) => user.photo !== null)).toHaveLength(3);
  });

  it('refuses requests beyond the concurrency cap at once', async () => {
    await emulator.admin.setConfig({ throttle: { maxConcurrent: 2 }, latency: { medianMs: 150, spreadMs: 0 } });
    const statuses = await Promise.all(students.slice(0, 5).map(async (user) => (await putPhoto(user)).status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    const log = await emulator.admin.requests();
    expect(log.filter((entry) => entry.throttled)).toHaveLength(3);
  });
});

describe('injected faults', () => {
  it('503 with Retry-After, a given number of times, then normal service', async () => {
    await emulator.admin.setConfig({ faults: [{ id: 'outage', effect: 'status', status: 503, retryAfterSeconds: 0.25, times: 2, path: '/photo' }] });
    const first = await putPhoto(students[0]!);
    expect(first.status).toBe(503);
    expect(first.headers.get('Retry-After')).toBe('0.25');
    const body: unknown = await first.json();
    expectGraphErrorShape(body);
    expect(body.error.code).toBe('serviceNotAvailable');
    expect((await putPhoto(students[0]!)).status).toBe(503);
    expect((await putPhoto(students[0]!)).status).toBe(200);
    expect((await emulator.admin.requests()).map((entry) => entry.fault ?? null)).toEqual(['outage', 'outage', null]);
  });

  it('resets the connection', async () => {
    await emulator.admin.setConfig({ faults: [{ id: 'reset', effect: 'reset', times: 1 }] });
    const failure = await putPhoto(students[0]!).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure).toBeInstanceOf(TypeError); // undici: "fetch failed"
    expect(String(failure?.cause?.code ?? failure?.cause)).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    const entry = (await emulator.admin.requests()).at(-1);
    expect(entry).toMatchObject({ status: 0, fault: 'reset', userId: '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01' });
    expect((await putPhoto(students[0]!)).status).toBe(200);
  });

  it('makes one user’s writes always fail while everyone else’s succeed, and reads of that user still work', async () => {
    await emulator.admin.setConfig({ faults: [{ id: 'cursed', effect: 'status', status: 500, writesOnly: true, user: students[1]! }] });
    expect((await putPhoto(students[0]!)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await putPhoto(students[1]!)).status).toBe(500);
    expect((await putPhoto(students[2]!)).status).toBe(200);
    expect((await graphFetch(emulator, token, `/v1.0/users/${students[1]!}`)).status).toBe(200);
    const { statusCode, code } = await graphFailure(graph.api(`/users/${students[1]!}/photo/$value`).header('Content-Type', 'image/jpeg').put(portrait));
    expect([statusCode, code]).toEqual([500, 'generalException']);
  });

  it('slows matching requests down (delay fault) and all requests (latency knob)', async () => {
    await emulator.admin.setConfig({ faults: [{ effect: 'delay', delayMs: 200, methods: ['GET'], path: '^/v1.0/users$' }] });
    let started = performance.now();
    expect((await graphFetch(emulator, token, '/v1.0/users')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await emulator.admin.setConfig({ faults: [], latency: { medianMs: 120, spreadMs: 20 } });
    started = performance.now();
    await graphFetch(emulator, token, '/v1.0/users/ada.lovelace@contoso.edu');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('rejects an invalid fault rule through the admin API', async () => {
    await expect(emulator.admin.setConfig({ faults: [{ effect: 'explode' as 'reset' }] })).rejects.toThrow(/400/);
  });
});

describe('request log', () => {
  it('records time, method, path, targeted user, status and throttling; can be read since a seq and cleared', async () => {
    await putPhoto('ada.lovelace@contoso.edu');
    await graphFetch(emulator, token, '/v1.0/users/nobody@contoso.edu');
    const log = await emulator.admin.requests();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'PUT',
      path: '/v1.0/users/ada.lovelace@contoso.edu/photo/$value',
      api: 'graph',
      userId: '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01',
      status: 200,
      throttled: false,
    });
    expect(Date.parse(log[0]!.time)).not.toBeNaN();
    expect(log[1]).toMatchObject({ status: 404, errorCode: 'Request_ResourceNotFound' });
    expect(await emulator.admin.requests(log[0]!.seq)).toHaveLength(1);
    await emulator.admin.clearRequests();
    expect(await emulator.admin.requests()).toEqual([]);
  });

  it('logs the token exchange too, but not admin calls', async () => {
    await federatedCredential(emulator).getToken('https://graph.microsoft.com/.default');
    const apis = new Set((await emulator.admin.requests()).map((entry) => entry.api));
    expect(apis).toEqual(new Set(['github-oidc', 'entra']));
  });
});

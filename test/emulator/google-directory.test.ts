// The emulator's Admin SDK Directory API: users.get, users.list with externalId, users.photos
// get/update/patch/delete with web-safe base64, who may call it, the per-user quota, faults, and
// what an update does to a photo the user set themselves.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_READONLY_SCOPE, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { PerUserQuota } from '../../src/emulator/google/quota.js';
import { googleFetch, googleReason, serviceAccountToken, webSafe } from './google-helpers.js';
import { getGitHubIdToken, jpeg, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let token: string;
let portrait: Buffer;

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  token = await serviceAccountToken(emulator);
  portrait = await jpeg(128);
});
afterAll(() => emulator.stop());
afterEach(() => emulator.admin.reset());

const users = '/admin/admin/directory/v1/users';
const photoOf = (userKey: string): string => `${users}/${encodeURIComponent(userKey)}/photos/thumbnail`;

describe('users.get and users.list', () => {
  it('gets a user by primary email, alias or id', async () => {
    const byEmail = await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body).toMatchObject({ kind: 'admin#directory#user', primaryEmail: 'ada.lovelace@contoso.edu', externalIds: [{ value: 'E1001', type: 'organization' }], suspended: false });
    const id = String(byEmail.body['id']);
    expect(id).toMatch(/^\d{21}$/);
    expect((await googleFetch(emulator, 'GET', `${users}/${id}`, token)).body['primaryEmail']).toBe('ada.lovelace@contoso.edu');
    await emulator.google.admin.addUser({ primaryEmail: 'a.lovelace@contoso.edu', aliases: ['countess@contoso.edu'] });
    expect((await googleFetch(emulator, 'GET', `${users}/countess@contoso.edu`, token)).body['primaryEmail']).toBe('a.lovelace@contoso.edu');
  });

  it('answers an unknown user 404 notFound in Google\'s error shape', async () => {
    const answer = await googleFetch(emulator, 'GET', `${users}/nobody@contoso.edu`, token);
    expect(answer.status).toBe(404);
    expect(googleReason(answer)).toBe('notFound');
    expect(answer.body).toMatchObject({ error: { message: 'Resource Not Found: userKey', status: 'NOT_FOUND' } });
  });

  it('lists by externalId whatever its type, omits `users` when none match, and needs a customer', async () => {
    await emulator.google.admin.addUser({ primaryEmail: 'printer@contoso.edu', externalIds: [{ value: '10023', type: 'custom', customType: 'asset' }] });
    const both = await googleFetch(emulator, 'GET', `${users}?customer=my_customer&query=${encodeURIComponent("externalId='10023'")}`, token);
    expect(both.status).toBe(200);
    expect((both.body['users'] as Array<{ primaryEmail: string }>).map((user) => user.primaryEmail).sort()).toEqual(['printer@contoso.edu', 's10023@students.contoso.edu']);
    const none = await googleFetch(emulator, 'GET', `${users}?customer=my_customer&query=externalId=99999`, token);
    expect(none.body).toEqual({ kind: 'admin#directory#users', etag: expect.any(String) });
    expect(googleReason(await googleFetch(emulator, 'GET', `${users}?query=externalId=10023`, token))).toBe('badRequest');
    expect(googleReason(await googleFetch(emulator, 'GET', `${users}?customer=my_customer&query=${encodeURIComponent('orgTitle=Teacher')}`, token))).toBe('invalid');
  });

  it('pages with nextPageToken', async () => {
    const first = await googleFetch(emulator, 'GET', `${users}?customer=my_customer&maxResults=10`, token);
    expect((first.body['users'] as unknown[]).length).toBe(10);
    const second = await googleFetch(emulator, 'GET', `${users}?customer=my_customer&maxResults=10&pageToken=${String(first.body['nextPageToken'])}`, token);
    expect((second.body['users'] as unknown[]).length).toBe(5);
    expect(second.body['nextPageToken']).toBeUndefined();
  });
});

describe('who may call the Directory API', () => {
  it('refuses no token (401 authError), a read-only scope for writes, a federated token used directly, and a service account holding no admin role', async () => {
    expect(googleReason(await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`))).toBe('authError');
    const readOnly = await serviceAccountToken(emulator, [DIRECTORY_READONLY_SCOPE]);
    expect((await googleFetch(emulator, 'GET', photoOf('ada.lovelace@contoso.edu'), readOnly)).status).toBe(404);
    const write = await googleFetch(emulator, 'PUT', photoOf('ada.lovelace@contoso.edu'), readOnly, { photoData: webSafe(portrait) });
    expect([write.status, googleReason(write)]).toEqual([403, 'insufficientPermissions']);
    const federated = await googleFetch(emulator, 'POST', '/sts/v1/token', undefined, {
      audience: `//iam.googleapis.com/${emulator.google.workloadIdentityProvider}`,
      grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'https://www.googleapis.com/auth/admin.directory.user',
      subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      subjectToken: await getGitHubIdToken(emulator.env, `https://iam.googleapis.com/${emulator.google.workloadIdentityProvider}`),
    });
    const direct = await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, String(federated.body['access_token']));
    expect([direct.status, googleReason(direct)]).toEqual([403, 'forbidden']);
    await emulator.google.admin.setConfig({ serviceAccountIsAdmin: false });
    const notAdmin = await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token);
    expect([notAdmin.status, googleReason(notAdmin)]).toEqual([403, 'forbidden']);
    expect(notAdmin.body).toMatchObject({ error: { message: 'Not Authorized to access this resource/api' } });
  });
});

describe('users.photos', () => {
  it('updates, gets and deletes a photo with the documented UserPhoto body', async () => {
    const put = await googleFetch(emulator, 'PUT', photoOf('ada.lovelace@contoso.edu'), token, { photoData: webSafe(portrait), mimeType: 'JPEG', width: 128, height: 128 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ kind: 'admin#directory#user#photo', primaryEmail: 'ada.lovelace@contoso.edu', mimeType: 'image/jpeg', width: 128, height: 128 });
    const got = await googleFetch(emulator, 'GET', photoOf('ada.lovelace@contoso.edu'), token);
    expect(Buffer.from(String(got.body['photoData']).replaceAll('-', '+').replaceAll('_', '/'), 'base64').equals(portrait)).toBe(true);
    const user = await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token);
    expect(user.body['thumbnailPhotoUrl']).toEqual(expect.any(String));
    expect((await googleFetch(emulator, 'DELETE', photoOf('ada.lovelace@contoso.edu'), token)).status).toBe(204);
    const gone = await googleFetch(emulator, 'GET', photoOf('ada.lovelace@contoso.edu'), token);
    expect([gone.status, googleReason(gone)]).toEqual([404, 'resourceNotFound']);
    expect(googleReason(await googleFetch(emulator, 'DELETE', photoOf('ada.lovelace@contoso.edu'), token))).toBe('resourceNotFound');
  });

  it('PATCH updates too, and the padding may be =, * or .', async () => {
    const padded = webSafe(await jpeg(97));
    expect(padded).toMatch(/=+$/);
    for (const padding of ['*', '.']) {
      const answer = await googleFetch(emulator, 'PATCH', photoOf('grace.hopper@contoso.edu'), token, { photoData: padded.replace(/=/g, padding) });
      expect(answer.status).toBe(200);
    }
    expect((await emulator.google.admin.state()).users.find((user) => user.primaryEmail === 'grace.hopper@contoso.edu')?.photo).toMatchObject({ width: 97, setBy: 'admin' });
  });

  it('refuses photoData that is not web-safe base64 of an image: 400 invalid', async () => {
    const standardBase64 = portrait.toString('base64');
    const cases = [
      { photoData: Buffer.from('not an image at all').toString('base64url') },
      { mimeType: 'JPEG' },
      ...(/[+/]/.test(standardBase64) ? [{ photoData: standardBase64 }] : []),
      { photoData: '@@@@' },
    ];
    for (const body of cases) {
      const answer = await googleFetch(emulator, 'PUT', photoOf('ada.lovelace@contoso.edu'), token, body);
      expect([answer.status, googleReason(answer)]).toEqual([400, 'invalid']);
      expect(answer.body).toMatchObject({ error: { message: 'Invalid Input: photoData' } });
    }
    const wrongType = await googleFetch(emulator, 'PUT', photoOf('ada.lovelace@contoso.edu'), token, { photoData: webSafe(portrait), mimeType: 'WEBP' });
    expect([wrongType.status, googleReason(wrongType)]).toEqual([400, 'invalid']);
  });

  it("keeps a photo the user set themselves on update (as reported), until it is deleted; 'replaced' replaces it", async () => {
    const own = await jpeg(200, 200, { r: 10, g: 200, b: 10 });
    await emulator.google.admin.seedPhoto('alan.turing@contoso.edu', own, 'user');
    const put = await googleFetch(emulator, 'PUT', photoOf('alan.turing@contoso.edu'), token, { photoData: webSafe(portrait) });
    expect(put.status).toBe(200);
    expect((await emulator.google.admin.photo('alan.turing@contoso.edu'))?.equals(own)).toBe(true);
    expect((await googleFetch(emulator, 'DELETE', photoOf('alan.turing@contoso.edu'), token)).status).toBe(204);
    expect((await googleFetch(emulator, 'PUT', photoOf('alan.turing@contoso.edu'), token, { photoData: webSafe(portrait) })).status).toBe(200);
    expect((await emulator.google.admin.photo('alan.turing@contoso.edu'))?.equals(portrait)).toBe(true);

    await emulator.google.admin.setConfig({ userPhotoOnUpdate: 'replaced' });
    await emulator.google.admin.seedPhoto('alan.turing@contoso.edu', own, 'user');
    await googleFetch(emulator, 'PUT', photoOf('alan.turing@contoso.edu'), token, { photoData: webSafe(portrait) });
    expect((await emulator.google.admin.photo('alan.turing@contoso.edu'))?.equals(portrait)).toBe(true);
  });
});

describe('quota and faults', () => {
  it('answers 403 userRateLimitExceeded past the per-user quota, then admits the next window', async () => {
    await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 3, windowSeconds: 1 } });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 403, 403]);
    expect(googleReason(answers[3]!)).toBe('userRateLimitExceeded');
    expect(answers[3]!.body).toMatchObject({ error: { errors: [{ domain: 'usageLimits' }] } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token)).status).toBe(200);
    const log = (await emulator.admin.requests()).filter((entry) => entry.api === 'google' && entry.throttled);
    expect(log.length).toBe(2);
    expect(log[0]).toMatchObject({ errorCode: 'userRateLimitExceeded', status: 403 });
  });

  it('answers 403 quotaExceeded beyond the requests in flight a caller may have', async () => {
    await emulator.admin.setConfig({ latency: { medianMs: 150, spreadMs: 0 } });
    await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 100, maxConcurrentPerUser: 2 } });
    const answers = await Promise.all(Array.from({ length: 4 }, () => googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 403, 403]);
    expect(answers.filter((answer) => answer.status === 403).map(googleReason)).toEqual(['quotaExceeded', 'quotaExceeded']);
  });

  it("counts the quota as configured: windows on the clock, or a sliding window (Google does not say how it counts the minute)", async () => {
    // Clock-aligned windows start at multiples of the window since the epoch: a caller whose first
    // request falls 45 s into a minute has 15 s of it left.
    const clock = new PerUserQuota({ perMinutePerUser: 2, windowSeconds: 60, windowAlignment: 'clock' });
    const minute = Date.UTC(2026, 0, 1);
    expect([45_000, 50_000, 59_999].map((at) => clock.take('caller', minute + at).allowed)).toEqual([true, true, false]);
    expect(clock.take('caller', minute + 60_000).allowed).toBe(true);
    // The default counts from the caller's first request: the same requests, one window.
    const fromFirst = new PerUserQuota({ perMinutePerUser: 2, windowSeconds: 60 });
    expect([45_000, 50_000, 60_000, 104_999, 105_000].map((at) => fromFirst.take('caller', minute + at).allowed)).toEqual([true, true, false, false, true]);
    expect(() => new PerUserQuota({ perMinutePerUser: 2, windowAlignment: 'hourly' as never })).toThrow(/windowAlignment must be one of 'first-request', 'clock', 'sliding'/);

    // Sliding, through the emulator: at most 2 admitted in any 2 s; refusals are not counted. (The
    // waits count from answers, so a slow machine only widens the margins: the first was admitted
    // before `firstAnswered`, the second a second or more after it.)
    const config = await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 2, windowSeconds: 2, windowAlignment: 'sliding' } });
    expect(config.quota).toMatchObject({ windowAlignment: 'sliding' });
    const get = async () => (await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token)).status;
    expect(await get()).toBe(200);
    const firstAnswered = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([await get(), await get()]).toEqual([200, 403]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstAnswered + 2050 - Date.now())));
    // The first has left the last 2 s, the second has not.
    expect([await get(), await get()]).toEqual([200, 403]);
  });

  it('answers 429 rateLimitExceeded when configured so', async () => {
    await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 1, windowSeconds: 60, answer: 'rateLimitExceeded' } });
    await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token);
    const refused = await googleFetch(emulator, 'GET', `${users}/ada.lovelace@contoso.edu`, token);
    expect([refused.status, googleReason(refused)]).toEqual([429, 'rateLimitExceeded']);
  });

  it('injects 503 backendError for one user\'s photo writes, like the Graph faults', async () => {
    await emulator.google.admin.setConfig({ faults: [{ id: 'backend', effect: 'status', status: 503, writesOnly: true, user: 'ada.lovelace@contoso.edu', times: 1 }] });
    const first = await googleFetch(emulator, 'PUT', photoOf('ada.lovelace@contoso.edu'), token, { photoData: webSafe(portrait) });
    expect([first.status, googleReason(first)]).toEqual([503, 'backendError']);
    expect(first.body).toMatchObject({ error: { message: 'Backend Error', status: 'UNAVAILABLE' } });
    expect((await googleFetch(emulator, 'PUT', photoOf('ada.lovelace@contoso.edu'), token, { photoData: webSafe(portrait) })).status).toBe(200);
    const [logged] = (await emulator.admin.requests()).filter((entry) => entry.fault === 'backend');
    expect(logged).toMatchObject({ api: 'google', status: 503, errorCode: 'backendError' });
  });

  it('the global reset restores Google too', async () => {
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', portrait);
    await emulator.google.admin.setConfig({ userPhotoOnUpdate: 'replaced' });
    await emulator.admin.reset();
    expect(await emulator.google.admin.photo('ada.lovelace@contoso.edu')).toBeUndefined();
    expect((await emulator.google.admin.config()).userPhotoOnUpdate).toBe('kept');
  });
});

describe('the admin API under /_emulator/google', () => {
  it('refuses a body that is not a JSON object (400, said as the tenant admin API says it), and changes nothing', async () => {
    const before = await emulator.google.admin.config();
    const post = (body: string) => fetch(`${emulator.adminUrl}/google/config`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const notJson = await post('{ not json');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'The body must be JSON.' });
    const notObject = await post('[1, 2]');
    expect(notObject.status).toBe(400);
    expect(await notObject.json()).toEqual({ error: 'The body must be a JSON object.' });
    expect(await emulator.google.admin.config()).toEqual(before);
  });

  it('refuses a JSON body over 1 MB with 413 naming the limit (not as "not JSON"), on both admin APIs, and changes nothing', async () => {
    const before = { google: await emulator.google.admin.config(), tenant: await emulator.admin.config() };
    // Valid JSON past the limit: cut at 1 MB it would fail to parse, which is not what went wrong.
    const big = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
    for (const path of ['/google/config', '/config']) {
      const answer = await fetch(`${emulator.adminUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
      expect(answer.status).toBe(413);
      expect(await answer.json()).toEqual({ error: `The body is ${big.length} bytes; admin JSON bodies are limited to 1048576 bytes (1 MB).` });
    }
    expect(await emulator.google.admin.config()).toEqual(before.google);
    expect(await emulator.admin.config()).toEqual(before.tenant);
  });
});

// The Google client and GoogleTarget end to end against the emulator: keyless sign-in with a
// GitHub OIDC token fetched by @actions/core (impersonation, and domain-wide delegation with an
// admin subject), users resolved by email and by employee id (externalId, type-checked,
// ambiguity refused), photos put/got/deleted, refusals that say what to fix, and Google's
// retryable failures classified and backed off.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { OidcRequestEnv, RunningEmulator } from '../../src/emulator/index.js';
import { parseGoogleKey, parseGroupKey } from '../../src/manifest/userKey.js';
import { GoogleApiError, GoogleAuthError, GoogleDirectoryClient, GoogleKeylessAuth, GoogleTarget, classifyGoogleFailure, googleBackoffMs } from '../../src/target/google/index.js';
import type { GoogleKeylessConfig } from '../../src/target/google/index.js';
import { isResolvedSubject } from '../../src/target/port.js';
import { jpeg, trustEmulatorCa } from '../emulator/helpers.js';
import { googleTarget, key, keyless as keylessWith } from './googleHelpers.js';

let emulator: RunningEmulator;
let portrait: Buffer;

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  portrait = await jpeg(648);
});
afterAll(() => emulator.stop());
afterEach(() => emulator.admin.reset());

const keyless = (overrides: Partial<GoogleKeylessConfig> = {}, job: OidcRequestEnv = emulator.env): GoogleKeylessAuth => keylessWith(emulator, overrides, job);
const targetWith = (auth: GoogleKeylessAuth, sleeps: number[] = []): GoogleTarget => googleTarget(emulator, auth, { sleeps });

describe('keyless sign-in', () => {
  it('impersonates the service account: GitHub token → STS → generateAccessToken, one sign-in for many callers', async () => {
    const auth = keyless();
    const tokens = await Promise.all([auth.accessToken(), auth.accessToken(), auth.accessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^ya29\./);
    const calls = (await emulator.admin.requests()).filter((entry) => entry.api === 'google' || entry.api === 'github-oidc').map((entry) => `${entry.method} ${entry.path.split('?')[0]}`);
    expect(calls).toEqual([
      'GET /_github/idtoken',
      'POST /_google/sts/v1/token',
      `POST /_google/iamcredentials/v1/projects/-/serviceAccounts/${encodeURIComponent(emulator.google.serviceAccount)}:generateAccessToken`,
    ]);
  });

  it('acts as an admin with domain-wide delegation: signJwt, then the jwt-bearer grant', async () => {
    const target = targetWith(keyless({ adminSubject: 'margaret.hamilton@contoso.edu' }));
    await emulator.google.admin.setConfig({ serviceAccountIsAdmin: false });
    const resolved = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    expect(isResolvedSubject(resolved)).toBe(true);
    const paths = (await emulator.admin.requests()).filter((entry) => entry.api === 'google').map((entry) => entry.path);
    expect(paths.some((path) => path.endsWith(':signJwt'))).toBe(true);
    expect(paths).toContain('/_google/oauth2/token');
  });

  it('says which step refused and what to fix: attribute condition, impersonation, delegation, subject', async () => {
    const otherRepository = await emulator.admin.oidcRequestEnv({ kind: 'push', repository: 'fabrikam/photos' });
    const condition = await keyless({}, otherRepository).accessToken().catch((error: unknown) => error);
    expect(condition).toBeInstanceOf(GoogleAuthError);
    expect(condition).toMatchObject({ step: 'sts', code: 'unauthorized_client' });
    expect((condition as Error).message).toMatch(/attribute condition/);

    await emulator.google.admin.setConfig({ bindings: [] });
    const impersonation = await keyless().accessToken().catch((error: unknown) => error);
    expect(impersonation).toMatchObject({ step: 'generateAccessToken', status: 403 });
    expect((impersonation as Error).message).toMatch(/roles\/iam\.workloadIdentityUser/);
    await emulator.google.admin.reset();

    await emulator.google.admin.setConfig({ domainWideDelegation: [] });
    const delegation = await keyless({ adminSubject: 'margaret.hamilton@contoso.edu' }).accessToken().catch((error: unknown) => error);
    expect(delegation).toMatchObject({ step: 'jwt-bearer', code: 'unauthorized_client' });
    expect((delegation as Error).message).toMatch(/Domain-wide delegation/);
    await emulator.google.admin.reset();

    const subject = await keyless({ adminSubject: 'nobody@contoso.edu' }).accessToken().catch((error: unknown) => error);
    expect(subject).toMatchObject({ step: 'jwt-bearer', code: 'invalid_grant' });
    expect(classifyGoogleFailure(subject)).toEqual({ kind: 'fatal' });
  });

  it('a sign-in refusal stops the lookups (once, about the setup) instead of failing every user', async () => {
    await emulator.google.admin.setConfig({ bindings: [] });
    const target = targetWith(keyless());
    await expect(target.resolveSubjects(['ada.lovelace@contoso.edu', 'employeeId:10023'].map(key))).rejects.toBeInstanceOf(GoogleAuthError);
    const impersonations = (await emulator.admin.requests()).filter((entry) => entry.path.endsWith(':generateAccessToken'));
    expect(impersonations).toHaveLength(1);
  });

  it('refuses a malformed provider name before any request, and never puts a token in a message', async () => {
    expect(() => keyless({ workloadIdentityProvider: 'github-pool/contoso' })).toThrow(/projects\/NUMBER\/locations\/global/);
    const refused = (await keyless({ serviceAccount: 'nobody@x.iam.gserviceaccount.com' }).accessToken().catch((error: unknown) => error)) as Error;
    expect(refused.message).not.toMatch(/ya29\.|eyJ/);
  });
});

describe('GoogleTarget against the emulated Directory', () => {
  it('resolves by email (primary and alias) and by employee id, with the externalId type checked', async () => {
    await emulator.google.admin.addUser({ primaryEmail: 'g.hopper@contoso.edu', aliases: ['amazing.grace@contoso.edu'], externalIds: [{ value: 'E2001', type: 'organization' }] });
    await emulator.google.admin.addUser({ primaryEmail: 'kiosk@contoso.edu', externalIds: [{ value: 'E3001', type: 'custom', customType: 'asset' }] });
    const target = targetWith(keyless());
    const keys = ['ada.lovelace@contoso.edu', 'amazing.grace@contoso.edu', 'employeeId:10023', 'employeeId:E3001', 'nobody@contoso.edu', '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01'].map(key);
    const answers = await target.resolveSubjects(keys);
    expect(answers.get('upn:ada.lovelace@contoso.edu')).toMatchObject({ userPrincipalName: 'ada.lovelace@contoso.edu', matchedBy: 'upn', employeeId: 'E1001', accountEnabled: true });
    expect(answers.get('upn:amazing.grace@contoso.edu')).toMatchObject({ userPrincipalName: 'g.hopper@contoso.edu', matchedBy: 'mail' });
    expect(answers.get('employeeId:10023')).toMatchObject({ userPrincipalName: 's10023@students.contoso.edu', matchedBy: 'employeeId' });
    expect(answers.get('employeeId:E3001')).toMatchObject({ notFound: true, problem: 'not-found', reason: expect.stringMatching(/type custom, not organization/) });
    expect(answers.get('upn:nobody@contoso.edu')).toMatchObject({ notFound: true, problem: 'not-found' });
    expect(answers.get('objectId:5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01')).toMatchObject({ notFound: true, reason: expect.stringMatching(/google: key/) });
  });

  it('resolves a google: user id (googleId key) with users.get by id, and says so when no user has it', async () => {
    const target = targetWith(keyless());
    const ada = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    if (!isResolvedSubject(ada)) throw new Error('ada not found');
    const byId = parseGoogleKey(ada.id);
    const unknown = parseGoogleKey('999999999999999999999');
    if (!byId.ok || !unknown.ok) throw new Error('not a google key');
    expect(byId.key.kind).toBe('googleId');
    expect(await target.resolveSubject(byId.key)).toMatchObject({ id: ada.id, userPrincipalName: 'ada.lovelace@contoso.edu', matchedBy: 'objectId' });
    expect(await target.resolveSubject(unknown.key)).toMatchObject({ notFound: true, problem: 'not-found', reason: 'No Google user has the id 999999999999999999999.' });
  });

  it('never sends a group there: Google has no group photo API, so a group key fails its lookup with the reason, before any request', async () => {
    // A sign-in that cannot work: any request to Google would reject with GoogleAuthError.
    const target = targetWith(keyless({ serviceAccount: 'nobody@nowhere.iam.gserviceaccount.com' }));
    await expect(target.resolveSubjects([key('ada.lovelace@contoso.edu')])).rejects.toBeInstanceOf(GoogleAuthError);
    const group = parseGroupKey('class-9b@contoso.edu');
    if (!group.ok) throw new Error(group.message);
    const answers = await target.resolveSubjects([group.key]);
    expect(answers.get('group:class-9b@contoso.edu')).toMatchObject({ notFound: true, problem: 'failed', reason: expect.stringMatching(/Google Workspace has no photo for groups.*entra target/) });
  });

  it('refuses an employee id two Google users share', async () => {
    await emulator.google.admin.addUser({ primaryEmail: 'maya.patel@contoso.edu', externalIds: [{ value: '10023', type: 'organization' }] });
    const answer = await targetWith(keyless()).resolveSubject(key('employeeId:10023'));
    expect(answer).toMatchObject({ notFound: true, problem: 'ambiguous', reason: expect.stringMatching(/2 Google users.*maya\.patel@contoso\.edu/) });
  });

  it('puts, downloads and deletes a photo; a put replaces a photo the user set themselves', async () => {
    const target = targetWith(keyless());
    const before = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    if (!isResolvedSubject(before)) throw new Error('not resolved');
    expect(await target.downloadPhoto(before.id)).toBeNull();
    const own = await jpeg(300, 300, { r: 0, g: 0, b: 255 });
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', own, 'user');
    // Looked up again: the user resource now says she holds a photo, so the put deletes first.
    const ada = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    if (!isResolvedSubject(ada)) throw new Error('not resolved');
    await target.putPhoto(ada.id, portrait);
    expect((await target.downloadPhoto(ada.id))?.equals(portrait)).toBe(true);
    const state = (await emulator.google.admin.state()).users.find((user) => user.id === ada.id);
    expect(state?.photo).toMatchObject({ setBy: 'admin', width: 648, height: 648 });
    await target.deletePhoto(ada.id);
    await target.deletePhoto(ada.id); // no photo: done, not an error
    expect(await emulator.google.admin.photo('ada.lovelace@contoso.edu')).toBeUndefined();
  });

  it('without delete-first, an update leaves the user\'s own photo in place (the emulator\'s default, as reported)', async () => {
    const auth = keyless();
    const target = new GoogleTarget(new GoogleDirectoryClient({ auth, endpoint: emulator.google.endpoint }), { deleteBeforeUpdate: false });
    const own = await jpeg(300, 300, { r: 0, g: 0, b: 255 });
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', own, 'user');
    const ada = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    if (!isResolvedSubject(ada)) throw new Error('not resolved');
    await target.putPhoto(ada.id, portrait);
    expect((await emulator.google.admin.photo('ada.lovelace@contoso.edu'))?.equals(own)).toBe(true);
  });

  it('lists the domain page by page as directory subjects', async () => {
    const pages = [];
    for await (const page of targetWith(keyless()).listSubjects()) pages.push(page);
    const all = pages.flat();
    expect(all).toHaveLength(15);
    expect(all.find((subject) => subject.userPrincipalName === 's10024@students.contoso.edu')).toMatchObject({ employeeId: '10024', accountEnabled: true });
  });
});

describe('failures: classified, and backed off where Google says to', () => {
  it('classifies 429 rateLimitExceeded and 403 userRateLimitExceeded as throttled, 503 backendError as transient, other 403s as forbidden', async () => {
    const target = targetWith(keyless());
    await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 1, windowSeconds: 60, answer: 'rateLimitExceeded' } });
    await target.downloadPhoto('ada.lovelace@contoso.edu').catch(() => undefined);
    const limited = await target.downloadPhoto('ada.lovelace@contoso.edu').catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(GoogleApiError);
    expect(limited).toMatchObject({ status: 429, reason: 'rateLimitExceeded' });
    expect(target.classifyFailure(limited)).toEqual({ kind: 'throttled', retryAfterSeconds: undefined });
    await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 1, windowSeconds: 60, answer: 'userRateLimitExceeded' } });
    const perUser = await target.putPhoto('grace.hopper@contoso.edu', portrait).catch((error: unknown) => error);
    expect(perUser).toMatchObject({ status: 403, reason: 'userRateLimitExceeded' });
    expect(target.classifyFailure(perUser).kind).toBe('throttled');
    await emulator.google.admin.setConfig({ quota: false, faults: [{ effect: 'status', status: 503, times: 1 }] });
    const backend = await target.putPhoto('grace.hopper@contoso.edu', portrait).catch((error: unknown) => error);
    expect(target.classifyFailure(backend)).toEqual({ kind: 'transient', retryAfterSeconds: undefined });
    expect(target.classifyFailure(new GoogleApiError(403, 'forbidden', 'Not Authorized to access this resource/api'))).toEqual({ kind: 'forbidden', delegated: false });
    expect(target.classifyFailure(new GoogleApiError(400, 'invalid', 'Invalid Input: photoData'))).toEqual({ kind: 'fatal' });
  });

  it('lookups ride out a 429 storm with exponential backoff and then succeed', async () => {
    const sleeps: number[] = [];
    const target = targetWith(keyless(), sleeps);
    await target.resolveSubject(key('ada.lovelace@contoso.edu')); // signed in before the storm
    await emulator.google.admin.setConfig({ faults: [{ effect: 'status', status: 429, code: 'rateLimitExceeded', path: '^/admin/directory/v1/users/', times: 3 }] });
    const answer = await target.resolveSubject(key('grace.hopper@contoso.edu'));
    expect(answer).toMatchObject({ userPrincipalName: 'grace.hopper@contoso.edu' });
    expect(sleeps).toEqual([1000, 2000, 4000]);
    const refusals = (await emulator.admin.requests()).filter((entry) => entry.api === 'google' && entry.status === 429);
    expect(refusals).toHaveLength(3);
  });

  it('gives up after its attempts and reports the lookup as failed, not as a missing user', async () => {
    const target = targetWith(keyless());
    await emulator.google.admin.setConfig({ faults: [{ effect: 'status', status: 503, path: '^/admin/directory/v1/users/' }] });
    const answers = await target.resolveSubjects([key('ada.lovelace@contoso.edu')]);
    expect(answers.get('upn:ada.lovelace@contoso.edu')).toMatchObject({ notFound: true, problem: 'failed', reason: expect.stringMatching(/503 backendError/) });
  });

  it('backs off as Google documents: 2^n seconds plus jitter, capped', () => {
    expect([0, 1, 2, 3].map((n) => googleBackoffMs(n, () => 0.5))).toEqual([1500, 2500, 4500, 8500]);
    expect(googleBackoffMs(10, () => 0)).toBe(32_000);
  });
});

/**
 * The emulator as an admin's sign-in sees it: the device authorization grant at the HTTP level
 * (pending, declined, expired-or-unknown, redeemed once), the token response MSAL needs, the
 * delegated token's claims, and Graph asking the signed-in user's role where Microsoft does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { jpeg, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const PEOPLE_ADMIN = '024906de-61e5-49c8-8572-40335f1e0e10';

beforeAll(async () => {
  emulator = await startEmulator({ appPermissions: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.ReadWrite.All'] });
  trustEmulatorCa(emulator.caCertPem);
});
afterAll(async () => {
  await emulator?.stop();
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const scope = () => `${emulator.graphUrl}/.default openid profile offline_access`;

async function startDeviceCode(): Promise<{ device_code: string; user_code: string; verification_uri: string; expires_in: number; interval: number; message: string }> {
  const response = await fetch(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/devicecode`, form({ client_id: emulator.clientId, scope: scope() }));
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

async function poll(deviceCode: string, grantType = 'urn:ietf:params:oauth:grant-type:device_code'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(
    `${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`,
    form({ grant_type: grantType, client_id: emulator.clientId, device_code: deviceCode, scope: scope() }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function graph(token: string, method: string, path: string, body?: Buffer | object): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${emulator.graphUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(Buffer.isBuffer(body) ? { 'Content-Type': 'image/jpeg' } : body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, ...(code ? { code } : {}) };
}

describe('device authorization grant', () => {
  it('answers the documented fields, then authorization_pending until approved, then a user sign-in; a code is redeemed once', async () => {
    const started = await startDeviceCode();
    expect(started).toMatchObject({ verification_uri: `${emulator.url}/_emulator/devicelogin`, expires_in: 900, interval: 1 });
    expect(started.message).toContain(started.user_code);
    expect((await poll(started.device_code)).body).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    await emulator.admin.approveDeviceCode(started.user_code, { user: 'ada.lovelace@contoso.edu', roles: [USER_ADMIN] });
    // MSAL sends the short grant type; Entra accepts it as well as the URN.
    const { status, body } = await poll(started.device_code, 'device_code');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'client_info', 'expires_in', 'ext_expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    expect(body['scope']).toBe(`${emulator.graphUrl}/.default`);
    const access = claims(String(body['access_token']));
    expect(access).toMatchObject({ idtyp: 'user', upn: 'ada.lovelace@contoso.edu', scp: 'User.Read.All ProfilePhoto.ReadWrite.All PeopleSettings.ReadWrite.All', wids: [USER_ADMIN] });
    expect(access['roles']).toBeUndefined();
    expect(claims(String(body['id_token']))).toMatchObject({ aud: emulator.clientId, preferred_username: 'ada.lovelace@contoso.edu', tid: emulator.tenantId });
    expect(JSON.parse(Buffer.from(String(body['client_info']), 'base64url').toString('utf8'))).toEqual({ uid: access['oid'], utid: emulator.tenantId });
    expect((await poll(started.device_code)).body).toMatchObject({ error: 'bad_verification_code' });
    // The refresh token gives a new access token for the same user.
    const refreshed = await fetch(
      `${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`,
      form({ grant_type: 'refresh_token', client_id: emulator.clientId, refresh_token: String(body['refresh_token']), scope: scope() }),
    );
    expect(refreshed.status).toBe(200);
    expect(claims(String(((await refreshed.json()) as Record<string, unknown>)['access_token']))).toMatchObject({ upn: 'ada.lovelace@contoso.edu' });
  });

  it('a denied code answers authorization_declined; unknown codes and users are refused by the admin API', async () => {
    const started = await startDeviceCode();
    expect((await emulator.admin.pendingDeviceCodes()).map((pending) => pending.userCode)).toContain(started.user_code);
    await expect(emulator.admin.approveDeviceCode(started.user_code, { user: 'nobody@contoso.edu' })).rejects.toThrow(/No user/);
    await emulator.admin.denyDeviceCode(started.user_code);
    expect((await poll(started.device_code)).body).toMatchObject({ error: 'authorization_declined' });
    await expect(emulator.admin.approveDeviceCode('NOPE1234', { user: 'ada.lovelace@contoso.edu' })).rejects.toThrow(/No pending device code/);
    const unknownClient = await fetch(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/devicecode`, form({ client_id: '00000000-0000-0000-0000-000000000001', scope: scope() }));
    expect(await unknownClient.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });
});

describe('Graph with a delegated token', () => {
  it('a member without a role reads users and photos but may not write another user\'s photo, nor read the policy', async () => {
    const { accessToken } = await emulator.admin.delegatedToken({ user: 'ada.lovelace@contoso.edu', roles: [] });
    expect(claims(accessToken)).toMatchObject({ appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', wids: [] });
    expect((await graph(accessToken, 'GET', '/v1.0/users/grace.hopper@contoso.edu')).status).toBe(200);
    expect(await graph(accessToken, 'PUT', '/v1.0/users/grace.hopper@contoso.edu/photo/$value', await jpeg(300))).toEqual({ status: 403, code: 'Authorization_RequestDenied' });
    // Their own photo they may change.
    expect((await graph(accessToken, 'PUT', '/v1.0/users/ada.lovelace@contoso.edu/photo/$value', await jpeg(300))).status).toBe(200);
    expect((await graph(accessToken, 'GET', '/beta/admin/people/photoUpdateSettings')).status).toBe(403);
  });

  it('a User Administrator writes photos, but changes the policy only as People Administrator; allowedRoles judges the user\'s roles', async () => {
    const userAdmin = (await emulator.admin.delegatedToken({ user: 'ada.lovelace@contoso.edu', roles: [USER_ADMIN] })).accessToken;
    expect((await graph(userAdmin, 'PUT', '/v1.0/users/grace.hopper@contoso.edu/photo/$value', await jpeg(300))).status).toBe(200);
    expect((await graph(userAdmin, 'PATCH', '/beta/admin/people/photoUpdateSettings', { allowedRoles: [PEOPLE_ADMIN] })).status).toBe(403);
    const peopleAdmin = (await emulator.admin.delegatedToken({ user: 'ada.lovelace@contoso.edu', roles: [PEOPLE_ADMIN] })).accessToken;
    expect((await graph(peopleAdmin, 'PATCH', '/beta/admin/people/photoUpdateSettings', { allowedRoles: [PEOPLE_ADMIN] })).status).toBe(200);
    expect(await graph(userAdmin, 'PUT', '/v1.0/users/grace.hopper@contoso.edu/photo/$value', await jpeg(300))).toEqual({ status: 403, code: 'ForbiddenByAdminEditPolicy' });
    expect((await graph(peopleAdmin, 'PUT', '/v1.0/users/grace.hopper@contoso.edu/photo/$value', await jpeg(300))).status).toBe(200);
    await emulator.admin.reset();
  });
});

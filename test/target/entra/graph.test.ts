import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_PERMISSIONS, DEFAULT_USERS, PHOTO_ROLE_TEMPLATE_IDS } from '../../../src/emulator/index.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { parseEmployeeId, parseUserKey } from '../../../src/manifest/userKey.js';
import type { UserKey } from '../../../src/manifest/userKey.js';
import { GraphError, isResolved, photoPresence } from '../../../src/target/entra/index.js';
import type { TenantClient } from '../../../src/target/entra/index.js';
import { clientFor, jpeg, startTrustedEmulator } from './helpers.js';

function key(value: string): UserKey {
  const parsed = value.startsWith('employeeId:') ? parseEmployeeId(value.slice('employeeId:'.length)) : parseUserKey(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphError;
  }
  throw new Error('expected a failure');
}

const ADA = '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01';

// Everything below runs with JWT access tokens and with opaque ones (nothing may decode a token).
describe.each(['jwt', 'opaque'] as const)('TenantClient against the emulator (%s access tokens)', (accessTokenFormat) => {
  let emulator: RunningEmulator;
  let tenant: TenantClient;
  let photo: Buffer;

  beforeAll(async () => {
    emulator = await startTrustedEmulator({
      throttle: false,
      accessTokenFormat,
      users: [
        ...DEFAULT_USERS,
        { userPrincipalName: "o'neil@contoso.edu", displayName: "Pat O'Neil", employeeId: 'E42' },
        { userPrincipalName: 'a#b@contoso.edu', displayName: 'Hash', employeeId: 'E42' },
        { userPrincipalName: 'c+d@contoso.edu', displayName: 'Plus' },
        { userPrincipalName: 'jdoe@contoso.onmicrosoft.com', mail: 'jane.doe@contoso.edu', displayName: 'Jane Doe' },
        { userPrincipalName: 'lobrien@contoso.edu', mail: "liam.o'brien@contoso.edu", displayName: "Liam O'Brien" },
      ],
    });
    tenant = clientFor(emulator);
    photo = await jpeg(96);
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => emulator.admin.reset());

  it('resolves UPN, mail, object id and employeeId keys with $batch', async () => {
    const keys = [
      key('ada.lovelace@contoso.edu'),
      key('GRACE.HOPPER@contoso.edu'),
      key('jane.doe@contoso.edu'), // a mail address, not a UPN
      key('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01'),
      key('employeeId:10024'),
      key('nobody@contoso.edu'),
      key('0b6c2f0e-3c1d-4a3e-9f7a-000000000000'),
      key('employeeId:99999'),
      key('employeeId:E42'),
    ];
    const result = await tenant.resolveUsers(keys);
    expect(result.get('upn:ada.lovelace@contoso.edu')).toMatchObject({ id: ADA, userPrincipalName: 'ada.lovelace@contoso.edu', displayName: 'Ada Lovelace', matchedBy: 'upn' });
    expect(result.get('upn:grace.hopper@contoso.edu')).toMatchObject({ userPrincipalName: 'grace.hopper@contoso.edu' });
    expect(result.get('upn:jane.doe@contoso.edu')).toMatchObject({ userPrincipalName: 'jdoe@contoso.onmicrosoft.com', matchedBy: 'mail' });
    expect(result.get('objectId:0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01')).toMatchObject({ userPrincipalName: 's10023@students.contoso.edu', matchedBy: 'objectId' });
    expect(result.get('employeeId:10024')).toMatchObject({ userPrincipalName: 's10024@students.contoso.edu', matchedBy: 'employeeId' });
    expect(result.get('upn:nobody@contoso.edu')).toMatchObject({ notFound: true, problem: 'not-found' });
    expect(result.get('objectId:0b6c2f0e-3c1d-4a3e-9f7a-000000000000')).toMatchObject({ notFound: true, problem: 'not-found' });
    expect(result.get('employeeId:99999')).toMatchObject({ notFound: true, problem: 'not-found', reason: expect.stringContaining('99999') });
    const ambiguous = result.get('employeeId:E42');
    expect(ambiguous).toMatchObject({ notFound: true, problem: 'ambiguous' });
    expect(isResolved(ambiguous)).toBe(false);

    // 9 lookups + 1 mail fallback + 1 nobody fallback = 2 rounds of one $batch each.
    const requests = await emulator.admin.requests();
    expect(requests.filter((entry) => entry.path.endsWith('/$batch'))).toHaveLength(2);
  });

  it('URL-encodes hostile keys and escapes quotes in filters', async () => {
    const keys = [key("o'neil@contoso.edu"), key('a#b@contoso.edu'), key('c+d@contoso.edu'), key("liam.o'brien@contoso.edu")];
    const result = await tenant.resolveUsers(keys);
    expect(result.get("upn:o'neil@contoso.edu")).toMatchObject({ userPrincipalName: "o'neil@contoso.edu" });
    expect(result.get('upn:a#b@contoso.edu')).toMatchObject({ userPrincipalName: 'a#b@contoso.edu' });
    expect(result.get('upn:c+d@contoso.edu')).toMatchObject({ userPrincipalName: 'c+d@contoso.edu' });
    expect(result.get("upn:liam.o'brien@contoso.edu")).toMatchObject({ userPrincipalName: 'lobrien@contoso.edu', matchedBy: 'mail' });
    const paths = (await emulator.admin.requests()).filter((entry) => entry.batch).map((entry) => entry.path);
    expect(paths.some((path) => path.startsWith('/v1.0/users/a%23b%40contoso.edu?'))).toBe(true);
    expect(paths.some((path) => path.startsWith('/v1.0/users/c%2Bd%40contoso.edu'))).toBe(true);
    expect(paths.some((path) => path.startsWith('/v1.0/users/o%27neil%40contoso.edu'))).toBe(true);
    const filters = paths.map((path) => new URLSearchParams(path.split('?')[1] ?? '').get('$filter'));
    expect(filters).toContain("mail eq 'liam.o''brien@contoso.edu'");
  });

  it('retries sub-requests that are throttled or fail inside a batch', async () => {
    await emulator.admin.setConfig({
      throttle: { burst: 3, refillPerSecond: 50, appliesTo: 'all', countRejected: false },
      faults: [{ effect: 'status', status: 503, path: '^/v1.0/users/grace', times: 2, retryAfterSeconds: 0.05 }],
    });
    const upns = DEFAULT_USERS.map((user) => user.userPrincipalName);
    const result = await tenant.resolveUsers(upns.map(key));

    expect([...result.values()].every(isResolved)).toBe(true);
    const requests = await emulator.admin.requests();
    expect(requests.some((entry) => entry.batch && entry.status === 429)).toBe(true);
    expect(requests.some((entry) => entry.batch && entry.status === 503)).toBe(true);
  });

  it('tells who has a photo with $batch, asking again for sub-requests that were throttled', async () => {
    const ids = (await emulator.admin.state()).users.map((user) => user.id);
    const withPhoto = ids.slice(0, 2);
    for (const id of withPhoto) await tenant.putPhoto(id, photo);
    await emulator.admin.setConfig({ throttle: { burst: 3, refillPerSecond: 50, appliesTo: 'all', countRejected: false } });
    await emulator.admin.clearRequests();
    const presence = await photoPresence(tenant.connection, ids);
    // A definite answer for everyone, though part of the first batch was answered 429.
    expect([...presence.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(presence.get(id), id).toBe(withPhoto.includes(id));
    expect((await emulator.admin.requests()).some((entry) => entry.batch && entry.status === 429)).toBe(true);
  });

  it('uploads, reads and deletes a photo', async () => {
    expect(await tenant.getPhotoMeta(ADA)).toBeNull();
    expect(await tenant.getPhoto(ADA)).toBeNull();
    const written = await tenant.putPhoto(ADA, photo);
    expect(written).toMatchObject({ userId: ADA, status: 200 });
    const state = await emulator.admin.state();
    expect(state.users.find((user) => user.id === ADA)?.photo).toMatchObject({ width: 96, height: 96 });
    expect(await tenant.getPhotoMeta(ADA)).toMatchObject({ id: '96x96', width: 96, height: 96, contentType: 'image/jpeg' });
    expect((await tenant.getPhoto(ADA))?.equals(photo)).toBe(true);
    expect(await tenant.deletePhoto(ADA)).toMatchObject({ deleted: true });
    expect(await tenant.deletePhoto(ADA)).toMatchObject({ deleted: false });
    expect(await tenant.getPhotoMeta(ADA)).toBeNull();
    const put = (await emulator.admin.requests()).find((entry) => entry.method === 'PUT');
    expect(put?.path).toBe(`/v1.0/users/${ADA}/photo/$value`);
  });

  it('maps photo errors to GraphError with actionable messages', async () => {
    const small = await failure(tenant.putPhoto(ADA, await jpeg(32)));
    expect(small).toBeInstanceOf(GraphError);
    expect(small).toMatchObject({ status: 400, code: 'ValidationWidthTooSmall' });
    expect(small.message).toMatch(/too small/);
    expect(small.requestId).toBeTruthy();

    const missing = await failure(tenant.putPhoto('nobody@contoso.edu', photo));
    expect(missing).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
    expect(missing.message).toMatch(/No such user/);

    await emulator.admin.setConfig({ appPermissions: DEFAULT_APP_PERMISSIONS.filter((permission) => permission !== 'ProfilePhoto.ReadWrite.All') });
    const fresh = clientFor(emulator); // a new token carries the new grants
    const denied = await failure(fresh.putPhoto(ADA, photo));
    expect(denied).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', permission: 'ProfilePhoto.ReadWrite.All' });
    expect(denied.message).toContain('ProfilePhoto.ReadWrite.All');
    expect(denied.kind).toBe('tenant');
  });

  it('maps ForbiddenByAdminEditPolicy', async () => {
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] } });
    const refused = await failure(tenant.putPhoto(ADA, photo));
    expect(refused).toMatchObject({ status: 403, code: 'ForbiddenByAdminEditPolicy' });
    expect(refused.message).toMatch(/allowedRoles/);
    expect(refused.message).toMatch(/service principal/);
  });

  it('reads and changes the photo update policy', async () => {
    expect(await tenant.getPhotoPolicy()).toEqual({ source: null, allowedRoles: [] });
    const changed = await tenant.setPhotoPolicy({ source: 'cloud', allowedRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator.toUpperCase()] });
    expect(changed).toEqual({ source: 'cloud', allowedRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] });
    expect(await tenant.getPhotoPolicy()).toEqual(changed);
    expect((await emulator.admin.config()).policy).toEqual(changed);
  });

  it("lists the directory roles of the app's service principal", async () => {
    expect(await tenant.appRoleTemplateIds(emulator.clientId)).toEqual([]);
    await emulator.admin.setConfig({ directoryRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator, PHOTO_ROLE_TEMPLATE_IDS.directoryWriters] });
    expect(await tenant.appRoleTemplateIds(emulator.clientId)).toEqual(
      [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator, PHOTO_ROLE_TEMPLATE_IDS.directoryWriters].sort(),
    );
    expect(await tenant.appRoleTemplateIds()).toHaveLength(2);
    const query = (await emulator.admin.requests()).find((entry) => entry.path.includes('roleAssignments'));
    expect(decodeURIComponent(query?.path ?? '')).toContain(`principalId eq '${emulator.servicePrincipalId}'`);
  });

  it('names the permission to grant when role assignments cannot be read', async () => {
    await emulator.admin.setConfig({ appPermissions: DEFAULT_APP_PERMISSIONS.filter((permission) => permission !== 'RoleManagement.Read.Directory') });
    const error = await failure(clientFor(emulator).appRoleTemplateIds(emulator.clientId));
    expect(error.message).toContain('RoleManagement.Read.Directory');
    expect((error as unknown as { kind: string }).kind).toBe('tenant');
  });

  it('stops resolving users when User.Read.All is missing', async () => {
    await emulator.admin.setConfig({ appPermissions: ['ProfilePhoto.ReadWrite.All'] });
    const error = await failure(clientFor(emulator).resolveUsers([key('ada.lovelace@contoso.edu')]));
    expect(error).toMatchObject({ status: 403, permission: 'User.Read.All' });
    expect(error.message).toContain('User.Read.All');
  });
});

// Issue 12, items 4-6: the client does what Microsoft documents, against an emulator that plays the
// documented service (and the documented alternatives) rather than our own reading of it.
//   - access tokens are opaque: nothing decodes them; the app's service principal comes from
//     GET /servicePrincipals(appId='…'), which needs no permission for the app itself;
//   - "no photo" is the documented 200 1x1 image/gif placeholder, or a 404 ImageNotFound;
//   - the transitiveMembers OData cast is an advanced query (ConsistencyLevel + $count=true);
//   - a too-small upload is told with Graph's message and the photo's size, no guessed limit;
//   - removing a photo that is not there is done, not failed;
//   - the policy PATCH carries only the fields set, never a null.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_PERMISSIONS, PHOTO_ROLE_TEMPLATE_IDS } from '../../../src/emulator/index.js';
import type { NoPhotoMetadata, RunningEmulator } from '../../../src/emulator/index.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';
import { photoPolicyPatch } from '../../../src/target/entra/graph.js';
import { GraphError, isResolved, listAllDirectoryUsers, photoPresence } from '../../../src/target/entra/index.js';
import { WritePacer } from '../../../src/pacing/index.js';
import type { TenantClient } from '../../../src/target/entra/index.js';
import { clientFor, jpeg, startTrustedEmulator } from './helpers.js';

const ADA = '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01';
const USER_ADMIN = PHOTO_ROLE_TEMPLATE_IDS.userAdministrator;
const PEOPLE_ADMIN = PHOTO_ROLE_TEMPLATE_IDS.peopleAdministrator;

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphError;
  }
  throw new Error('expected a failure');
}

function upn(value: string) {
  const parsed = parseUserKey(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

describe('opaque access tokens, end to end through @azure/identity', () => {
  let emulator: RunningEmulator;
  let tenant: TenantClient;

  beforeAll(async () => {
    // Least privilege for photos, and no Application.Read.All: the app reads its own service principal anyway.
    emulator = await startTrustedEmulator({
      throttle: false,
      accessTokenFormat: 'opaque',
      appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'PeopleSettings.ReadWrite.All', 'RoleManagement.Read.Directory'],
    });
    tenant = clientFor(emulator);
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => emulator.admin.reset());

  it('gets a token that is not a JWT, and every Graph call works with it', async () => {
    const token = await tenant.connection.accessToken();
    expect(token).not.toContain('.');
    expect(token.length).toBeGreaterThan(64);

    const resolved = await tenant.resolveUsers([upn('ada.lovelace@contoso.edu'), upn('grace.hopper@contoso.edu')]);
    expect([...resolved.values()].every(isResolved)).toBe(true);
    await tenant.putPhoto(ADA, await jpeg(96));
    expect(await tenant.getPhotoMeta(ADA)).toMatchObject({ width: 96, height: 96 });
    const presence = await photoPresence(tenant.connection, [ADA, '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01']);
    expect(Object.fromEntries(presence)).toEqual({ [ADA]: true, '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01': false });
    expect(await tenant.setPhotoPolicy({ source: 'cloud', allowedRoles: [] })).toEqual({ source: 'cloud', allowedRoles: [] });
    expect(await tenant.deletePhoto(ADA)).toMatchObject({ deleted: true });

    const requests = await emulator.admin.requests();
    expect(requests.filter((entry) => entry.api === 'graph' && entry.status === 401)).toEqual([]);
  });

  it("finds the app's own service principal from Graph (no permission needed), once per connection", async () => {
    await emulator.admin.setConfig({ directoryRoles: [USER_ADMIN, PEOPLE_ADMIN] });
    expect(await tenant.appRoleTemplateIds()).toEqual([USER_ADMIN, PEOPLE_ADMIN].sort());
    expect(await tenant.appRoleTemplateIds()).toHaveLength(2);
    expect(await tenant.servicePrincipalId()).toBe(emulator.servicePrincipalId);

    const lookups = (await emulator.admin.requests()).filter((entry) => decodeURIComponent(entry.path).includes('/servicePrincipals('));
    expect(lookups).toHaveLength(1);
    expect(decodeURIComponent(lookups[0]!.path)).toContain(`/v1.0/servicePrincipals(appId='${emulator.clientId}')`);
    expect(lookups[0]!.status).toBe(200);
    const assignments = (await emulator.admin.requests()).find((entry) => entry.path.includes('roleAssignments'));
    expect(decodeURIComponent(assignments?.path ?? '')).toContain(`principalId eq '${emulator.servicePrincipalId}'`);
  });

  it("still needs Application.Read.All for another app's service principal", async () => {
    const error = await failure(tenant.appRoleTemplateIds('11111111-2222-3333-4444-555555555555'));
    expect(error.message).toContain('Application.Read.All');
  });

  it('switches token format at run time through the admin API', async () => {
    await emulator.admin.setConfig({ accessTokenFormat: 'jwt' });
    const jwtClient = clientFor(emulator);
    expect((await jwtClient.connection.accessToken()).split('.')).toHaveLength(3);
    expect(await jwtClient.servicePrincipalId()).toBe(emulator.servicePrincipalId);
    await emulator.admin.reset();
    expect((await emulator.admin.config()).accessTokenFormat).toBe('opaque'); // the start option
  });
});

describe.each<NoPhotoMetadata>(['placeholder', 'notFound'])("'no photo' when GET /users/{id}/photo answers %s", (noPhotoMetadata) => {
  let emulator: RunningEmulator;
  let tenant: TenantClient;

  beforeAll(async () => {
    emulator = await startTrustedEmulator({ throttle: false, noPhotoMetadata });
    tenant = clientFor(emulator);
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => emulator.admin.reset());

  it('getPhotoMeta is null for a user without a photo and real metadata for one with', async () => {
    expect(await tenant.getPhotoMeta(ADA)).toBeNull();
    await tenant.putPhoto(ADA, await jpeg(120));
    expect(await tenant.getPhotoMeta(ADA)).toMatchObject({ id: '120x120', width: 120, height: 120, contentType: 'image/jpeg' });
    const statuses = (await emulator.admin.requests()).filter((entry) => entry.method === 'GET' && entry.path.endsWith('/photo')).map((entry) => entry.status);
    expect(statuses).toEqual([noPhotoMetadata === 'placeholder' ? 200 : 404, 200]);
  });

  it('the $batch presence check says "no photo" for every user without one', async () => {
    const ids = (await emulator.admin.state()).users.map((user) => user.id);
    const withPhoto = new Set(ids.slice(0, 3));
    for (const id of withPhoto) await tenant.putPhoto(id, await jpeg(96));
    await emulator.admin.clearRequests();
    const presence = await photoPresence(tenant.connection, ids);
    expect(presence.size).toBe(ids.length);
    for (const id of ids) expect(presence.get(id), id).toBe(withPhoto.has(id));
    const subRequests = (await emulator.admin.requests()).filter((entry) => entry.batch);
    const expected = noPhotoMetadata === 'placeholder' ? [200] : [200, 404];
    expect([...new Set(subRequests.map((entry) => entry.status))].sort()).toEqual(expected);
  });
});

describe('advanced query, photo errors, removals and the policy PATCH', () => {
  let emulator: RunningEmulator;
  let tenant: TenantClient;

  beforeAll(async () => {
    emulator = await startTrustedEmulator({ throttle: false, appPermissions: [...DEFAULT_APP_PERMISSIONS, 'GroupMember.Read.All'] });
    tenant = clientFor(emulator);
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => emulator.admin.reset());

  it('lists a group through the microsoft.graph.user cast with ConsistencyLevel: eventual and $count=true, on every page', async () => {
    // The emulator answers the cast 400 Request_UnsupportedQuery without both (see test/emulator/advanced-query.test.ts).
    const users = await listAllDirectoryUsers(tenant.connection, { group: 'Grade 9', pageSize: 2 });
    expect(users.map((user) => user.userPrincipalName).sort()).toEqual(['s10023', 's10024', 's10025', 's10026'].map((id) => `${id}@students.contoso.edu`));
    const pages = (await emulator.admin.requests()).filter((entry) => entry.path.includes('/transitiveMembers/microsoft.graph.user'));
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(new URLSearchParams(page.path.split('?')[1]).get('$count')).toBe('true');
    }
  });

  it('reports a too-small photo with Graph\'s message and the photo\'s size, not a guessed minimum', async () => {
    const error = await failure(tenant.putPhoto(ADA, await jpeg(32)));
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ status: 400, code: 'ValidationWidthTooSmall', photo: { width: 32, height: 32 } });
    expect(error.message).toContain('32×32 px');
    expect(error.message).toContain(error.graphMessage);
    expect(error.graphMessage).toMatch(/ProfileBadRequestException/);
    expect(error.message).not.toMatch(/at least 96|96×96/);
  });

  it('removing a photo that is not there is done, also through the pacer; a missing user is still an error', async () => {
    expect(await tenant.deletePhoto(ADA)).toEqual({ deleted: false, throttleUsage: undefined });
    const pacer = new WritePacer();
    await expect(pacer.run(() => tenant.deletePhoto(ADA), 'ada')).resolves.toMatchObject({ deleted: false });
    const deletes = (await emulator.admin.requests()).filter((entry) => entry.method === 'DELETE');
    expect(deletes.map((entry) => [entry.status, entry.errorCode])).toEqual([
      [404, 'ImageNotFound'],
      [404, 'ImageNotFound'],
    ]);
    const missing = await failure(tenant.deletePhoto('nobody@contoso.edu'));
    expect(missing).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
  });

  it('PATCHes only the fields set, never a null', async () => {
    expect(photoPolicyPatch({ source: null, allowedRoles: [USER_ADMIN.toUpperCase()] })).toEqual({ allowedRoles: [USER_ADMIN] });
    expect(photoPolicyPatch({ source: 'onPremises' })).toEqual({ source: 'onPremises' });
    expect(photoPolicyPatch({ source: null, allowedRoles: null })).toEqual({});
    expect(JSON.stringify(photoPolicyPatch({ source: undefined, allowedRoles: undefined }))).toBe('{}');

    // The emulator refuses a null (400), so these succeeding proves none was sent.
    await emulator.admin.setConfig({ policy: { source: null, allowedRoles: [USER_ADMIN] } });
    expect(await tenant.setPhotoPolicy({ source: 'cloud' })).toEqual({ source: 'cloud', allowedRoles: [USER_ADMIN] });
    await emulator.admin.setConfig({ policy: { source: null, allowedRoles: [] } });
    expect(await tenant.setPhotoPolicy({ source: null, allowedRoles: [PEOPLE_ADMIN] })).toEqual({ source: null, allowedRoles: [PEOPLE_ADMIN] });
    await emulator.admin.clearRequests();
    expect(await tenant.setPhotoPolicy({ source: null })).toEqual({ source: null, allowedRoles: [PEOPLE_ADMIN] });
    expect((await emulator.admin.requests()).map((entry) => entry.method)).toEqual(['GET']); // nothing to change: no PATCH
  });
});

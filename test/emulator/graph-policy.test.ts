// photoUpdateSettings (beta) and its enforcement; the app's service principal and role
// assignments; permission checks from the token's roles.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { PHOTO_ROLE_TEMPLATE_IDS, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { accessToken, authProviderFor, expectGraphErrorShape, federatedCredential, graphClient, graphFailure, graphFetch, jpeg, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let graph: Client;
let beta: Client;
let portrait: Buffer;
const USER_ADMIN = PHOTO_ROLE_TEMPLATE_IDS.userAdministrator;
const upload = (): Promise<unknown> => graph.api('/users/grace.hopper@contoso.edu/photo/$value').header('Content-Type', 'image/jpeg').put(portrait);

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  // A fresh credential per client: each caches its token, and these tests change the app's roles.
  graph = graphClient(emulator, { getAccessToken: () => accessToken(emulator) }, { retries: false });
  beta = graphClient(emulator, { getAccessToken: () => accessToken(emulator) }, { retries: false, version: 'beta' });
  portrait = await jpeg(96);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.admin.reset());

describe('GET|PATCH /beta/admin/people/photoUpdateSettings', () => {
  it('reads the initial (unset) policy and updates it, answering with the new settings', async () => {
    expect(await beta.api('/admin/people/photoUpdateSettings').get()).toMatchObject({ source: null, allowedRoles: [] });
    const updated = await beta.api('/admin/people/photoUpdateSettings').patch({ source: 'cloud', allowedRoles: [USER_ADMIN] });
    expect(updated).toMatchObject({ source: 'cloud', allowedRoles: [USER_ADMIN] });
    expect((await emulator.admin.state()).policy).toEqual({ source: 'cloud', allowedRoles: [USER_ADMIN] });
  });

  it('exists in beta only', async () => {
    const { statusCode } = await graphFailure(graph.api('/admin/people/photoUpdateSettings').get());
    expect(statusCode).toBe(400);
  });

  it('refuses an invalid source or role list', async () => {
    expect((await graphFailure(beta.api('/admin/people/photoUpdateSettings').patch({ source: 'everywhere' }))).statusCode).toBe(400);
    expect((await graphFailure(beta.api('/admin/people/photoUpdateSettings').patch({ allowedRoles: ['User Administrator'] }))).statusCode).toBe(400);
  });

  it('needs PeopleSettings.ReadWrite.All to write', async () => {
    await emulator.admin.setConfig({ appPermissions: ['User.Read.All', 'PeopleSettings.Read.All'] });
    expect(await beta.api('/admin/people/photoUpdateSettings').get()).toMatchObject({ source: null });
    const { statusCode, code } = await graphFailure(beta.api('/admin/people/photoUpdateSettings').patch({ source: 'cloud' }));
    expect(statusCode).toBe(403);
    expect(code).toBe('Authorization_RequestDenied');
  });
});

describe('policy enforcement on photo writes', () => {
  it('source onPremises blocks cloud photo writes for everyone', async () => {
    await emulator.admin.setConfig({ directoryRoles: [PHOTO_ROLE_TEMPLATE_IDS.globalAdministrator] });
    await beta.api('/admin/people/photoUpdateSettings').patch({ source: 'onPremises' });
    const { statusCode, code, body } = await graphFailure(upload());
    expect(statusCode).toBe(403);
    expect(code).toBe('ForbiddenByAdminEditPolicy');
    expectGraphErrorShape(body);
  });

  it('allowedRoles blocks an app whose service principal holds none of them (403 ForbiddenByAdminEditPolicy)', async () => {
    await upload(); // no policy yet: allowed
    await beta.api('/admin/people/photoUpdateSettings').patch({ source: 'cloud', allowedRoles: [USER_ADMIN] });
    const put = await graphFailure(upload());
    expect([put.statusCode, put.code]).toEqual([403, 'ForbiddenByAdminEditPolicy']);
    const del = await graphFailure(graph.api('/users/grace.hopper@contoso.edu/photo/$value').delete());
    expect([del.statusCode, del.code]).toEqual([403, 'ForbiddenByAdminEditPolicy']);
  });

  it('allowedRoles lets the app write once its service principal holds a listed role', async () => {
    await emulator.admin.setConfig({ directoryRoles: [USER_ADMIN], policy: { source: 'cloud', allowedRoles: [USER_ADMIN] } });
    await upload();
    expect((await emulator.admin.state()).users.find((user) => user.userPrincipalName === 'grace.hopper@contoso.edu')?.photo?.width).toBe(96);
  });
});

describe("the app's service principal and its role assignments", () => {
  it("lets the app read its own service principal without any permission (serviceprincipal-get), the list only with Application.Read.All", async () => {
    await emulator.admin.setConfig({ appPermissions: [] });
    expect(await graph.api(`/servicePrincipals(appId='${emulator.clientId}')`).get()).toMatchObject({ id: emulator.servicePrincipalId, appId: emulator.clientId });
    expect(await graph.api(`/servicePrincipals/${emulator.servicePrincipalId}`).get()).toMatchObject({ id: emulator.servicePrincipalId });
    const denied = await graphFailure(graph.api('/servicePrincipals').filter(`appId eq '${emulator.clientId}'`).get());
    expect([denied.statusCode, denied.code]).toEqual([403, 'Authorization_RequestDenied']);
    const other = await graphFailure(graph.api(`/servicePrincipals(appId='00000000-0000-0000-0000-000000000000')`).get());
    expect([other.statusCode, other.code]).toEqual([403, 'Authorization_RequestDenied']);

    await emulator.admin.setConfig({ appPermissions: ['Application.Read.All'] });
    const principal = (await graph.api(`/servicePrincipals(appId='${emulator.clientId}')`).get()) as Record<string, unknown>;
    expect(principal).toMatchObject({ id: emulator.servicePrincipalId, appId: emulator.clientId, servicePrincipalType: 'Application' });
    const filtered = (await graph.api('/servicePrincipals').filter(`appId eq '${emulator.clientId}'`).get()) as { value: unknown[] };
    expect(filtered.value).toHaveLength(1);
    expect((await graphFailure(graph.api(`/servicePrincipals(appId='00000000-0000-0000-0000-000000000000')`).get())).statusCode).toBe(404);
  });

  it("lists /roleManagement/directory/roleAssignments?$filter=principalId eq '…'", async () => {
    const path = '/roleManagement/directory/roleAssignments';
    const filter = `principalId eq '${emulator.servicePrincipalId}'`;
    expect(((await graph.api(path).filter(filter).get()) as { value: unknown[] }).value).toEqual([]);

    await emulator.admin.setConfig({ directoryRoles: [USER_ADMIN] });
    const assignments = (await graph.api(path).filter(filter).expand('roleDefinition').get()) as { value: Array<Record<string, unknown>> };
    expect(assignments.value).toHaveLength(1);
    expect(assignments.value[0]).toMatchObject({
      principalId: emulator.servicePrincipalId,
      roleDefinitionId: USER_ADMIN,
      directoryScopeId: '/',
      roleDefinition: { displayName: 'User Administrator', templateId: USER_ADMIN },
    });
  });
});

describe('permission checks from the token', () => {
  it('403 Authorization_RequestDenied, in Graph error shape, when the token lacks the role', async () => {
    await emulator.admin.setConfig({ appPermissions: ['User.Read.All'] });
    const response = await graphFetch(emulator, await accessToken(emulator), '/v1.0/users/ada.lovelace@contoso.edu/photo/$value', {
      method: 'PUT',
      body: portrait,
      headers: { 'Content-Type': 'image/jpeg', 'client-request-id': 'test-client-request-id' },
    });
    expect(response.status).toBe(403);
    const body: unknown = await response.json();
    expectGraphErrorShape(body);
    expect(body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect(body.error.innerError['client-request-id']).toBe('test-client-request-id');
    expect(body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
  });

  it('User.ReadWrite.All also allows photo writes; no roles at all allows nothing', async () => {
    await emulator.admin.setConfig({ appPermissions: ['User.ReadWrite.All'] });
    await upload();
    await emulator.admin.setConfig({ appPermissions: [] });
    expect((await graphFailure(graph.api('/users/ada.lovelace@contoso.edu').get())).statusCode).toBe(403);
  });

  it('401 InvalidAuthenticationToken without a token, with a forged one, or with an OIDC token', async () => {
    for (const token of [undefined, 'not-a-jwt', await emulator.admin.issueOidcToken()]) {
      const response = await graphFetch(emulator, token, '/v1.0/users');
      expect(response.status).toBe(401);
      const body: unknown = await response.json();
      expectGraphErrorShape(body);
      expect(body.error.code).toBe('InvalidAuthenticationToken');
    }
  });

  it('uses the same client the apply step would, end to end', async () => {
    const client = graphClient(emulator, authProviderFor(federatedCredential(emulator)));
    expect(((await client.api('/users').top(1).get()) as { value: unknown[] }).value).toHaveLength(1);
  });
});

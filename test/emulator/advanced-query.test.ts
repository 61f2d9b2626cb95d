// The emulator side of issue 12 items 4-6: opaque access tokens, the OData cast as an advanced
// query, and the photoUpdateSettings PATCH refusing null.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_PERMISSIONS, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { accessToken, expectGraphErrorShape, graphFetch, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let groupId: string;

beforeAll(async () => {
  emulator = await startEmulator({ throttle: false, appPermissions: [...DEFAULT_APP_PERMISSIONS, 'GroupMember.Read.All'] });
  trustEmulatorCa(emulator.caCertPem);
});
afterAll(() => emulator.stop());
beforeEach(async () => {
  await emulator.admin.reset();
  const token = await accessToken(emulator);
  const groups = (await (await graphFetch(emulator, token, `/v1.0/groups?$filter=${encodeURIComponent("displayName eq 'Grade 9'")}`)).json()) as { value: Array<{ id: string }> };
  groupId = groups.value[0]!.id;
});

describe('opaque access tokens', () => {
  it('issues random strings that Graph maps to their claims server-side', async () => {
    await emulator.admin.setConfig({ accessTokenFormat: 'opaque' });
    const token = await accessToken(emulator);
    expect(token).not.toContain('.');
    expect(token).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    const response = await graphFetch(emulator, token, '/v1.0/users?$top=1');
    expect(response.status).toBe(200);
    const forged = await graphFetch(emulator, `${token.slice(0, -2)}AA`, '/v1.0/users?$top=1');
    expect(forged.status).toBe(401);
    expectGraphErrorShape(await forged.json());
  });

  it('keeps JWT tokens working after the switch, and goes back to JWTs on reset', async () => {
    const jwt = await accessToken(emulator);
    expect(jwt.split('.')).toHaveLength(3);
    await emulator.admin.setConfig({ accessTokenFormat: 'opaque' });
    expect((await graphFetch(emulator, jwt, '/v1.0/users?$top=1')).status).toBe(200);
    await emulator.admin.reset();
    expect((await accessToken(emulator)).split('.')).toHaveLength(3);
  });

  it('refuses an unknown format in the admin API', async () => {
    await expect(emulator.admin.setConfig({ accessTokenFormat: 'saml' as never })).rejects.toThrow(/accessTokenFormat/);
    await expect(emulator.admin.setConfig({ noPhotoMetadata: 'maybe' as never })).rejects.toThrow(/noPhotoMetadata/);
  });
});

describe('the transitiveMembers OData cast is an advanced query (aad-advanced-queries)', () => {
  const cast = () => `/v1.0/groups/${groupId}/transitiveMembers/microsoft.graph.user`;

  it('is refused 400 Request_UnsupportedQuery without ConsistencyLevel: eventual and $count=true', async () => {
    const token = await accessToken(emulator);
    for (const [query, headers] of [
      ['', {}],
      ['?$count=true', {}],
      ['', { ConsistencyLevel: 'eventual' }],
    ] as const) {
      const response = await graphFetch(emulator, token, `${cast()}${query}`, { headers });
      expect(response.status, `${query} ${JSON.stringify(headers)}`).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expectGraphErrorShape(body);
      expect(body.error.code).toBe('Request_UnsupportedQuery');
      expect(body.error.message).toMatch(/ConsistencyLevel:eventual/);
    }
  });

  it('answers with both, with @odata.count; the uncast list needs neither', async () => {
    const token = await accessToken(emulator);
    const response = await graphFetch(emulator, token, `${cast()}?$count=true&$select=id`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ '@odata.count': 4 });
    expect((await graphFetch(emulator, token, `/v1.0/groups/${groupId}/transitiveMembers`)).status).toBe(200);
  });

  it('takes the header from a $batch sub-request', async () => {
    const token = await accessToken(emulator);
    const url = `/groups/${groupId}/transitiveMembers/microsoft.graph.user?$count=true`;
    const response = await graphFetch(emulator, token, '/v1.0/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: 'with', method: 'GET', url, headers: { ConsistencyLevel: 'eventual' } },
          { id: 'without', method: 'GET', url },
        ],
      }),
    });
    const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number }> };
    expect(Object.fromEntries(responses.map((answer) => [answer.id, answer.status]))).toEqual({ with: 200, without: 400 });
  });
});

describe('PATCH photoUpdateSettings', () => {
  it('refuses null for source or allowedRoles, and takes either field alone', async () => {
    const token = await accessToken(emulator);
    const patch = (body: unknown) =>
      graphFetch(emulator, token, '/beta/admin/people/photoUpdateSettings', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ source: null })).status).toBe(400);
    expect((await patch({ allowedRoles: null })).status).toBe(400);
    expect((await patch({ source: 'cloud' })).status).toBe(200);
    expect((await emulator.admin.state()).policy).toEqual({ source: 'cloud', allowedRoles: [] });
  });
});

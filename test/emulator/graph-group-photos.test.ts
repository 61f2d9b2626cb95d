// Group (and team) photos on the emulator: PUT/GET/DELETE /groups/{id}/photo, group lookup by mail
// and mailNickname ($filter, also inside $batch), both documented answers to app-only writes
// (allowed, and 403 AppOnlyTokenNotSupportedForGroupUpdate), delegated writes, and throttling that
// counts group photo writes like user photo writes.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_PERMISSIONS, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { accessToken, expectGraphErrorShape, graphFetch, jpeg, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let token: string;
let portrait: Buffer;
const CLASS_9B = '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04';
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  // Finding a group by mail or mailNickname reads groups: GroupMember.Read.All (least privileged for GET /groups).
  emulator = await startEmulator({ throttle: false, appPermissions: [...DEFAULT_APP_PERMISSIONS, 'GroupMember.Read.All'] });
  trustEmulatorCa(emulator.caCertPem);
  token = await accessToken(emulator);
  portrait = await jpeg(648);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.admin.reset());

const put = (t: string, id: string, body: Buffer) => graphFetch(emulator, t, `/v1.0/groups/${id}/photo/$value`, { method: 'PUT', body, headers: { 'Content-Type': 'image/jpeg' } });

describe('group photos', () => {
  it('PUT stores it (200); GET metadata and $value read it back; DELETE removes it (204), then 404 ImageNotFound', async () => {
    expect((await put(token, CLASS_9B, portrait)).status).toBe(200);
    const metadata = (await (await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ '@odata.mediaContentType': 'image/jpeg', id: '648x648', width: 648, height: 648 });
    expect(metadata['@odata.context']).toMatch(new RegExp(`/v1\\.0/\\$metadata#groups\\('${CLASS_9B}'\\)/photo/\\$entity$`));
    expect(metadata['@odata.mediaEtag']).toEqual(expect.stringMatching(/\S/));
    const value = await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo/$value`);
    expect(sha256(Buffer.from(await value.arrayBuffer()))).toBe(sha256(portrait));
    const state = await emulator.admin.state();
    expect(state.groups.find((g) => g.id === CLASS_9B)?.photo).toMatchObject({ sha256: sha256(portrait), width: 648 });
    // A group's photo is not a user's: no user got it.
    expect(state.users.every((u) => u.photo === null)).toBe(true);

    expect((await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo/$value`, { method: 'DELETE' })).status).toBe(204);
    const gone = await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo/$value`);
    expect(gone.status).toBe(404);
    const body = await gone.json();
    expectGraphErrorShape(body);
    expect(body.error.code).toBe('ImageNotFound');
    expect((await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo/$value`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses what it refuses for users: too small, not a JPEG, an unknown group', async () => {
    expect((await put(token, CLASS_9B, await jpeg(40))).status).toBe(400);
    const wrongType = await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo/$value`, { method: 'PUT', body: portrait, headers: { 'Content-Type': 'image/png' } });
    expect(wrongType.status).toBe(415);
    const unknown = await put(token, '00000000-0000-0000-0000-00000000beef', portrait);
    expect(unknown.status).toBe(404);
  });

  it('finds groups by mail and by mailNickname with $filter, also inside $batch', async () => {
    const byMail = (await (await graphFetch(emulator, token, `/v1.0/groups?$filter=${encodeURIComponent("mail eq 'CLASS-9B@contoso.edu'")}&$select=id,mail,mailNickname,displayName`)).json()) as { value: unknown[] };
    expect(byMail.value).toEqual([{ id: CLASS_9B, mail: 'class-9b@contoso.edu', mailNickname: 'class-9b', displayName: 'Class 9B' }]);
    const batch = await graphFetch(emulator, token, '/v1.0/$batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: `/groups?$filter=${encodeURIComponent("mailNickname eq 'class-9b'")}&$select=id,displayName` },
          { id: '2', method: 'GET', url: `/groups/${CLASS_9B}?$select=id,groupTypes` },
          { id: '3', method: 'GET', url: `/groups?$filter=${encodeURIComponent("mailNickname eq 'nobody'")}` },
        ],
      }),
    });
    const { responses } = (await batch.json()) as { responses: { id: string; status: number; body: { value?: unknown[]; id?: string; groupTypes?: string[] } }[] };
    const byId = new Map(responses.map((r) => [r.id, r]));
    expect(byId.get('1')!.body.value).toEqual([{ id: CLASS_9B, displayName: 'Class 9B' }]);
    expect(byId.get('2')!.body).toMatchObject({ id: CLASS_9B, groupTypes: ['Unified'] });
    expect(byId.get('3')!.body.value).toEqual([]);
  });

  it('app-only writes: allowed by default (as documented today); "refused" answers 403 AppOnlyTokenNotSupportedForGroupUpdate to PUT and DELETE, while users\' photos and reads still work', async () => {
    expect((await put(token, CLASS_9B, portrait)).status).toBe(200);
    await emulator.admin.setConfig({ groupPhotoAppOnly: 'refused' });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const refused = await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo/$value`, { method, body: method === 'DELETE' ? undefined : portrait, headers: { 'Content-Type': 'image/jpeg' } } as never);
      expect(refused.status, method).toBe(403);
      const body = await refused.json();
      expectGraphErrorShape(body);
      expect(body.error.code).toBe('AppOnlyTokenNotSupportedForGroupUpdate');
    }
    expect((await graphFetch(emulator, token, `/v1.0/groups/${CLASS_9B}/photo`)).status).toBe(200);
    expect((await graphFetch(emulator, token, '/v1.0/users/ada.lovelace@contoso.edu/photo/$value', { method: 'PUT', body: portrait, headers: { 'Content-Type': 'image/jpeg' } })).status).toBe(200);
    // A signed-in admin (delegated) may write it.
    const delegated = (await emulator.admin.delegatedToken({ user: 'ada.lovelace@contoso.edu', roles: [], scopes: ['ProfilePhoto.ReadWrite.All', 'User.Read.All'] })).accessToken;
    expect((await put(delegated, CLASS_9B, await jpeg(300))).status).toBe(200);
    expect((await emulator.admin.config()).groupPhotoAppOnly).toBe('refused');
  });

  it('needs ProfilePhoto.ReadWrite.All or Group.ReadWrite.All to write', async () => {
    await emulator.admin.setConfig({ appPermissions: ['User.Read.All', 'ProfilePhoto.Read.All'] });
    const t = await accessToken(emulator);
    expect((await put(t, CLASS_9B, portrait)).status).toBe(403);
    await emulator.admin.setConfig({ appPermissions: ['Group.ReadWrite.All'] });
    expect((await put(await accessToken(emulator), CLASS_9B, portrait)).status).toBe(200);
  });
});

describe('throttling counts group photo writes like user photo writes', () => {
  let throttled: RunningEmulator;
  beforeAll(async () => {
    throttled = await startEmulator({ throttle: { burst: 2, refillPerSecond: 0.01 } });
    trustEmulatorCa(throttled.caCertPem);
  });
  afterAll(() => throttled.stop());

  it('429 with Retry-After once the bucket is empty, whichever subject the writes are for', async () => {
    const t = await accessToken(throttled);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${throttled.graphUrl}/v1.0/groups/${CLASS_9B}/photo/$value`, { method: 'PUT', body: portrait, headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'image/jpeg' } });
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get('retry-after')).toMatch(/^\d+(\.\d+)?$/);
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses[2]).toBe(429);
  });
});

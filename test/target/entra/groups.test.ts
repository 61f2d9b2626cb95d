/**
 * The Entra target's groups against the emulator: group keys resolved by mail, mailNickname and
 * object id in $batch (with users in the same call), a group that does not exist is not-found, a
 * missing GroupMember.Read.All stops the lookup naming it, and group photos go to /groups/{id}.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_APP_PERMISSIONS, type RunningEmulator } from '../../../src/emulator/index.js';
import { parseGroupKey, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import { EntraTarget } from '../../../src/target/index.js';
import { clientFor, jpeg, startTrustedEmulator } from './helpers.js';

let emulator: RunningEmulator;
const CLASS_9B = '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04';
const key = (text: string): UserKey => {
  const parsed = text.includes('@contoso.edu') && !text.startsWith('class') ? parseUserKey(text) : parseGroupKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
};

beforeAll(async () => {
  emulator = await startTrustedEmulator({ throttle: false, appPermissions: [...DEFAULT_APP_PERMISSIONS, 'GroupMember.Read.All'] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.admin.reset());

describe('EntraTarget with groups', () => {
  it('resolves groups by mail, mailNickname and object id beside users; an unknown group is not-found', async () => {
    const target = new EntraTarget(clientFor(emulator));
    const keys = [key('ada.lovelace@contoso.edu'), key('class-9b@contoso.edu'), key('class-9b'), key(CLASS_9B), key("o'brien-tutors"), key('00000000-0000-4000-8000-00000000beef')];
    const seen: string[] = [];
    const answers = await target.resolveSubjects(keys, { onResolved: (a) => seen.push(...a.keys()) });
    expect(answers.get('upn:ada.lovelace@contoso.edu')).toMatchObject({ userPrincipalName: 'ada.lovelace@contoso.edu' });
    for (const canonical of ['group:class-9b@contoso.edu', 'group:class-9b', `group:${CLASS_9B}`]) {
      expect(answers.get(canonical), canonical).toMatchObject({ id: `group:${CLASS_9B}`, kind: 'group', displayName: 'Class 9B', userPrincipalName: 'class-9b@contoso.edu' });
    }
    expect(answers.get("group:o'brien-tutors")).toMatchObject({ notFound: true, problem: 'not-found', reason: "No group in the tenant has the mailNickname o'brien-tutors." });
    expect(answers.get('group:00000000-0000-4000-8000-00000000beef')).toMatchObject({ notFound: true, problem: 'not-found' });
    expect(new Set(seen)).toEqual(new Set(answers.keys()));
    // Looked up in $batch: one batch for the groups, one for the user.
    const batches = (await emulator.admin.requests()).filter((r) => r.path.endsWith('/$batch'));
    expect(batches).toHaveLength(2);
  });

  it('puts, downloads and deletes a group photo through /groups/{id}/photo; presence leaves groups to the caller', async () => {
    const target = new EntraTarget(clientFor(emulator));
    const photo = await jpeg(648);
    await target.putPhoto(`group:${CLASS_9B}`, photo);
    expect((await target.downloadPhoto(`group:${CLASS_9B}`))!.equals(photo)).toBe(true);
    expect((await target.photoPresence([`group:${CLASS_9B}`])).has(`group:${CLASS_9B}`)).toBe(false);
    await target.deletePhoto(`group:${CLASS_9B}`);
    await target.deletePhoto(`group:${CLASS_9B}`); // no photo: done, not an error
    expect(await target.downloadPhoto(`group:${CLASS_9B}`)).toBeNull();
    const paths = (await emulator.admin.requests()).filter((r) => r.api === 'graph' && r.path.includes('/photo')).map((r) => `${r.method} ${r.path}`);
    const value = `/v1.0/groups/${CLASS_9B}/photo/$value`;
    expect(paths).toEqual([`PUT ${value}`, `GET ${value}`, `DELETE ${value}`, `DELETE ${value}`, `GET ${value}`]);
  });

  it('without GroupMember.Read.All the group lookup stops, naming the permission', async () => {
    await emulator.admin.setConfig({ appPermissions: [...DEFAULT_APP_PERMISSIONS] });
    const target = new EntraTarget(clientFor(emulator));
    await expect(target.resolveSubjects([key('class-9b@contoso.edu')])).rejects.toThrow(/GroupMember\.Read\.All/);
  });
});

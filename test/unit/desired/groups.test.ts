/**
 * Groups in desired state: a revision's groups are subjects beside its users (desiredStateOf), and
 * two `groups:` entries that are one group in the tenant (its mail and its object id, or its mail
 * and its mailNickname) are found and named as the same group, as users are.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredStateOf, entriesBySubject, sameSubjectConflicts, type DesiredPhoto, type DesiredState } from '../../../src/desired/desired.js';
import { parseGroupKey, type UserKey } from '../../../src/manifest/userKey.js';
import { WorktreeSnapshot } from '../../../src/repo/worktree.js';
import type { SubjectResolution } from '../../../src/target/index.js';
import { validateRepository } from '../../../src/validate/validate.js';
import { SAMPLE_PHOTO, tempDir, writeTree } from '../../helpers/repo.js';

const group = (text: string): UserKey => {
  const parsed = parseGroupKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
};

const CLASS_9B = { id: 'group:7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04', userPrincipalName: 'class-9b@contoso.edu', mail: 'class-9b@contoso.edu', displayName: 'Class 9B', matchedBy: 'mail' as const, kind: 'group' as const };

function desired(entries: [string, number][]): DesiredState {
  const users = new Map<string, DesiredPhoto>();
  for (const [text, line] of entries) {
    const k = group(text);
    users.set(k.canonical, { key: k, photoPath: `photos/${line}.jpg`, blobId: String(line), settings: { enabled: true, crop: 'centre' }, fingerprint: String(line), declaredAt: { file: 'manifests/groups.yaml', line, col: 12 } });
  }
  return { label: 'head', users };
}

describe('groups in desired state', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('entra-photos-desired-groups-'));
    const jpeg = await readFile(SAMPLE_PHOTO);
    await writeTree(dir, {
      'photos/a.jpg': jpeg,
      'photos/g.jpg': jpeg,
      'manifests/m.yaml': 'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\ngroups:\n  - group: Class-9B@contoso.edu\n    name: Class 9B\n    photo: g.jpg\n',
    });
  });
  afterAll(() => cleanup());

  it('holds groups beside users, keyed group:<value>, with the same fingerprint rules (the same file gives the same fingerprint)', async () => {
    const snapshot = new WorktreeSnapshot(dir);
    const state = await desiredStateOf(snapshot, await validateRepository(snapshot, { shouldDecode: () => false }));
    expect([...state.users.keys()].sort()).toEqual(['group:class-9b@contoso.edu', 'upn:ada@contoso.edu']);
    const g = state.users.get('group:class-9b@contoso.edu')!;
    expect(g).toMatchObject({ key: { kind: 'group', value: 'Class-9B@contoso.edu' }, name: 'Class 9B', photoPath: 'photos/g.jpg' });
    expect(g.fingerprint).toBe(state.users.get('upn:ada@contoso.edu')!.fingerprint);
  });

  it('two entries that are one group (mail and object id): found by the group\'s own properties and named as the same group', async () => {
    const head = desired([
      ['class-9b@contoso.edu', 3],
      ['7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04', 9],
      ['class-9c', 12],
    ]);
    const asked: string[][] = [];
    const resolve = async (keys: UserKey[]) => {
      asked.push(keys.map((k) => k.canonical));
      return new Map<string, SubjectResolution>(keys.map((k) => [k.canonical, k.canonical.includes('4f04') || k.canonical.includes('class-9b') ? CLASS_9B : { notFound: true, problem: 'not-found', reason: 'no' }]));
    };
    const bySubject = await entriesBySubject(head, new Map([['group:class-9b@contoso.edu', CLASS_9B]]), resolve);
    expect(asked).toEqual([['group:7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04']]);
    const conflicts = sameSubjectConflicts(bySubject);
    const message = conflicts.get('group:class-9b@contoso.edu')!.message;
    expect(message).toBe(
      'group class-9b@contoso.edu (manifests/groups.yaml:3) and group 7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04 (manifests/groups.yaml:9) are the same group in the tenant (class-9b@contoso.edu, object id 7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04): a group has one photo. Remove one of the two entries.',
    );
    expect(conflicts.has('group:class-9c')).toBe(false);
  });
});

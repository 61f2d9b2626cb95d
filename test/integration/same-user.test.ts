/**
 * One person, one photo (issue 11): two manifest entries under different keys (UPN and
 * employeeId, UPN and mail, UPN and object id) that are one user in the tenant. Validation cannot
 * see it (the keys differ); after the keys are resolved, apply writes neither, fails the run (the
 * applied record stays) and says where both entries are; drift reports it and --fix writes
 * neither. A manifest that switches a user from UPN to employeeId is not such a case: with prune
 * the old key's removal must not delete the photo just uploaded under the new one.
 *
 * applyRevision, detectDrift and fixDrift run in-process against the real emulator and real git
 * repositories; what reached the tenant is read from the emulator's request log and state.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyRevision, type ApplyResult } from '../../src/apply/apply.js';
import { detectDrift } from '../../src/drift/drift.js';
import { fixDrift } from '../../src/drift/fix.js';
import { DEFAULT_USERS, type RunningEmulator } from '../../src/emulator/index.js';
import { checkPhoto } from '../../src/photo/index.js';
import { applySucceeded } from '../../src/report/apply.js';
import { writePortraits } from '../helpers/portraits.js';
import { git, tempDir } from '../helpers/repo.js';
import { appliedTag, expectedSha, startTrustedEmulator, tenantFor } from '../reliability/helpers.js';

const DEE_ID = '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5eee';
const DEE = { id: DEE_ID, userPrincipalName: 'dee@contoso.edu', mail: 'deirdre.smith@contoso.edu', employeeId: '00123', displayName: 'Dee Smith' };
const ADA_ID = '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01';
const MAYA_ID = '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01';
const GRACE_ID = '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e02';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repoCount = 0;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-same-user-');
  emulator = await startTrustedEmulator({ users: [...DEFAULT_USERS, DEE], throttle: false });
});
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});
beforeEach(async () => {
  await emulator.admin.reset();
});

/** A fresh repository with photos p0..p5 (distinct pictures) under photos/. */
async function newRepo(): Promise<{ dir: string; bytes: Buffer[] }> {
  const dir = path.join(scratch.dir, `repo${repoCount++}`);
  const bytes = await writePortraits(dir, 6);
  git(dir, 'init', '-q', '-b', 'main');
  return { dir, bytes };
}

/** Writes manifests/<name>.yaml from `- key: value` / photo pairs (or deletes it when empty) and commits. */
async function manifests(dir: string, files: Record<string, [string, string][]>, message: string): Promise<string> {
  for (const [name, entries] of Object.entries(files)) {
    const file = path.join(dir, 'manifests', `${name}.yaml`);
    if (entries.length === 0) {
      await rm(file, { force: true });
      continue;
    }
    const lines = ['version: 1', 'users:'];
    for (const [key, photo] of entries) lines.push(`  - ${key}`, `    photo: ${photo}`);
    await writeFile(file, lines.join('\n') + '\n');
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

const apply = (dir: string, environment: string, prune = false) =>
  applyRevision({ repo: dir, head: 'HEAD', environment, prune, dryRun: false, allowPolicyLockout: false }, tenantFor(emulator));

async function writesTo(userId: string, since = 0): Promise<string[]> {
  return (await emulator.admin.requests(since)).filter((r) => r.userId === userId && ['PUT', 'PATCH', 'DELETE'].includes(r.method)).map((r) => r.method);
}
const lastSeq = async () => (await emulator.admin.requests()).at(-1)?.seq ?? 0;
async function liveSha(userId: string): Promise<string | undefined> {
  return (await emulator.admin.state()).users.find((u) => u.id === userId)?.photo?.sha256;
}
const byUser = (result: ApplyResult) => Object.fromEntries(result.outcomes.map((o) => [`${o.key.kind}:${o.key.value}/${o.action}`, o]));

describe('two keys for one tenant user', () => {
  it('UPN in one manifest, employeeId in another, both new: neither is written, the run fails and says where both are, until one is removed', async () => {
    const { dir, bytes } = await newRepo();
    await manifests(
      dir,
      {
        staff: [['user: dee@contoso.edu', 'p0.jpg'], ['user: ada.lovelace@contoso.edu', 'p1.jpg']],
        students: [['user: s10023@students.contoso.edu', 'p2.jpg'], ['employeeId: "00123"', 'p3.jpg']],
      },
      'dee twice',
    );
    // No record yet, and the tenant already holds the staff entry's photo: the first apply's
    // comparison with the tenant must not call the conflicting entry "already there".
    const staffPhoto = (await checkPhoto(bytes[0]!, { enabled: true, crop: 'centre' })).output!.jpeg;
    await emulator.admin.seedPhoto('dee@contoso.edu', staffPhoto);
    const seeded = await liveSha(DEE_ID);

    // A dry run shows it too, and writes nothing.
    const dry = await applyRevision({ repo: dir, head: 'HEAD', environment: 'prod', prune: false, dryRun: true, allowPolicyLockout: false }, tenantFor(emulator));
    expect(dry.outcomes.filter((o) => o.code === 'same-user').map((o) => `${o.key.canonical}: ${o.status}`).sort()).toEqual(['employeeId:00123: failed', 'upn:dee@contoso.edu: failed']);
    expect(dry.outcomes.find((o) => o.code === 'same-user')!.reason).toContain('Nothing would be written for this user.');
    expect(dry.outcomes.filter((o) => o.status === 'would-upload').map((o) => o.key.canonical).sort()).toEqual(['upn:ada.lovelace@contoso.edu', 'upn:s10023@students.contoso.edu']);

    const first = await apply(dir, 'prod');
    const outcomes = byUser(first);
    const message = 'dee@contoso.edu (manifests/staff.yaml:3) and employeeId 00123 (manifests/students.yaml:5) are the same user in the tenant (dee@contoso.edu, object id ' + DEE_ID + ')';
    for (const key of ['upn:dee@contoso.edu/upload', 'employeeId:00123/upload']) {
      expect(outcomes[key], key).toMatchObject({ status: 'failed', code: 'same-user' });
      expect(outcomes[key]!.reason).toContain(message);
      expect(outcomes[key]!.reason).toContain('Remove one of the two entries. Nothing was written for this user.');
    }
    expect(outcomes['upn:ada.lovelace@contoso.edu/upload']?.status).toBe('uploaded');
    expect(outcomes['upn:s10023@students.contoso.edu/upload']?.status).toBe('uploaded');
    expect(first.alreadyLanded).toBe(0);
    expect(await writesTo(DEE_ID)).toEqual([]);
    expect(await liveSha(DEE_ID)).toBe(seeded);
    expect(await liveSha(ADA_ID)).toBe(await expectedSha(bytes[1]!));
    expect(await liveSha(MAYA_ID)).toBe(await expectedSha(bytes[2]!));
    expect(applySucceeded(first)).toBe(false);
    expect(first.record).toBe('not-complete');
    expect(first.appliedRevision).toBeUndefined();
    expect(appliedTag(dir, 'prod')).toBeUndefined();

    // The next run (same head, nothing recorded) reports it again and still writes nothing for Dee.
    const since = await lastSeq();
    const second = await apply(dir, 'prod');
    expect(byUser(second)['employeeId:00123/upload']).toMatchObject({ status: 'failed', code: 'same-user' });
    expect(byUser(second)['upn:dee@contoso.edu/upload']).toMatchObject({ status: 'failed', code: 'same-user' });
    expect(second.outcomes.filter((o) => o.status === 'uploaded')).toEqual([]);
    expect(await writesTo(DEE_ID, since)).toEqual([]);
    expect(second.appliedRevision).toBeUndefined();

    // One entry removed: the other is applied and the record advances.
    const head = await manifests(dir, { staff: [['user: ada.lovelace@contoso.edu', 'p1.jpg']] }, 'dee once, by employeeId');
    const third = await apply(dir, 'prod');
    expect(third.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(byUser(third)['employeeId:00123/upload']?.status).toBe('uploaded');
    expect(await writesTo(DEE_ID)).toEqual(['PUT']);
    expect(await liveSha(DEE_ID)).toBe(await expectedSha(bytes[3]!));
    expect(third.record).toBe('advanced');
    expect(appliedTag(dir, 'prod')).toBe(head);
  });

  it('a new entry (object id, then mail) for a user already applied under their UPN: nothing is written for them', async () => {
    const { dir, bytes } = await newRepo();
    const base = await manifests(dir, { staff: [['user: dee@contoso.edu', 'p0.jpg']] }, 'dee by UPN');
    const applied = await apply(dir, 'prod');
    expect(applied.record).toBe('advanced');
    const deePhoto = await expectedSha(bytes[0]!);
    expect(await liveSha(DEE_ID)).toBe(deePhoto);

    for (const [variant, key, described] of [
      ['object id', `user: ${DEE_ID.toUpperCase()}`, DEE_ID.toUpperCase()],
      ['mail', 'user: Deirdre.Smith@contoso.edu', 'Deirdre.Smith@contoso.edu'],
    ] as const) {
      await manifests(dir, { students: [[key, 'p4.jpg'], ['user: grace.hopper@contoso.edu', 'p5.jpg']] }, `dee again by ${variant}`);
      const since = await lastSeq();
      const result = await apply(dir, 'prod');
      const outcomes = result.outcomes.filter((o) => o.code === 'same-user');
      // Both entries are reported, the unchanged UPN entry too, each naming both places.
      expect(outcomes.map((o) => o.key.value).sort(), variant).toEqual([described, 'dee@contoso.edu'].sort());
      for (const o of outcomes) {
        expect(o.status).toBe('failed');
        expect(o.reason).toContain(`dee@contoso.edu (manifests/staff.yaml:3) and ${described} (manifests/students.yaml:3) are the same user`);
      }
      expect(await writesTo(DEE_ID, since), variant).toEqual([]);
      expect(await liveSha(DEE_ID)).toBe(deePhoto);
      // Grace proceeds: uploaded by the first of these runs, already landed for the second.
      if (variant === 'object id') expect(result.outcomes.find((o) => o.key.value === 'grace.hopper@contoso.edu')?.status).toBe('uploaded');
      else expect(result.alreadyLanded).toBe(1);
      expect(result.appliedRevision).toBe(base);
      expect(appliedTag(dir, 'prod')).toBe(base);
    }
    expect(await liveSha(GRACE_ID)).toBe(await expectedSha(bytes[5]!));
  });

  it('a manifest switched from UPN to employeeId, with prune: one upload, no delete, the photo stays', async () => {
    const { dir, bytes } = await newRepo();
    await manifests(dir, { staff: [['user: dee@contoso.edu', 'p0.jpg'], ['user: ada.lovelace@contoso.edu', 'p1.jpg']] }, 'dee by UPN');
    expect((await apply(dir, 'prod', true)).record).toBe('advanced');
    const since = await lastSeq();
    // Same photo, new key; and Ada leaves the manifests (a real removal, to show prune still works).
    const head = await manifests(dir, { staff: [['employeeId: "00123"', 'p0.jpg']] }, 'dee by employeeId');
    const result = await apply(dir, 'prod', true);
    const outcomes = byUser(result);
    expect(outcomes['employeeId:00123/upload']?.status).toBe('uploaded');
    expect(outcomes['upn:dee@contoso.edu/remove']).toMatchObject({ status: 'kept' });
    expect(outcomes['upn:dee@contoso.edu/remove']!.reason).toContain('Still declared as employeeId 00123 (manifests/staff.yaml:3)');
    expect(outcomes['upn:ada.lovelace@contoso.edu/remove']?.status).toBe('removed');
    expect(await writesTo(DEE_ID, since)).toEqual(['PUT']);
    expect(await writesTo(ADA_ID, since)).toEqual(['DELETE']);
    expect(await liveSha(DEE_ID)).toBe(await expectedSha(bytes[0]!));
    expect(applySucceeded(result)).toBe(true);
    expect(result.record).toBe('advanced');
    expect(appliedTag(dir, 'prod')).toBe(head);
  });
});

describe('drift and --fix', () => {
  it('reports each entry of the pair as an error naming both; --fix does not write that user', async () => {
    const { dir } = await newRepo();
    await manifests(
      dir,
      {
        staff: [['user: ada.lovelace@contoso.edu', 'p1.jpg'], ['user: dee@contoso.edu', 'p0.jpg']],
        students: [['employeeId: "00123"', 'p3.jpg']],
      },
      'dee twice',
    );
    await apply(dir, 'prod'); // Ada lands; Dee does not
    await emulator.admin.deletePhoto('ada.lovelace@contoso.edu'); // so that --fix has work to do

    const drift = await detectDrift({ repo: dir }, tenantFor(emulator));
    const users = Object.fromEntries(drift.users.map((u) => [u.key.canonical, u]));
    expect(users['upn:ada.lovelace@contoso.edu']?.status).toBe('missing');
    for (const key of ['upn:dee@contoso.edu', 'employeeId:00123']) {
      expect(users[key], key).toMatchObject({ status: 'error', code: 'same-user', userId: DEE_ID });
      expect(users[key]!.reason).toContain('dee@contoso.edu (manifests/staff.yaml:5) and employeeId 00123 (manifests/students.yaml:3) are the same user in the tenant');
    }

    const since = await lastSeq();
    const fixed = await fixDrift(drift, { repo: dir, environment: 'prod' }, tenantFor(emulator));
    expect(fixed?.outcomes.map((o) => `${o.key.canonical}: ${o.status}`)).toEqual(['upn:ada.lovelace@contoso.edu: uploaded']);
    expect(await writesTo(ADA_ID, since)).toEqual(['PUT']);
    expect(await writesTo(DEE_ID, since)).toEqual([]);

    // A repair asked for one of the pair anyway (not through drift) still writes neither.
    const repair = await applyRevision(
      { repo: dir, head: 'HEAD', environment: 'prod', prune: false, dryRun: false, allowPolicyLockout: false, repair: { users: new Set(['employeeId:00123']) } },
      tenantFor(emulator),
    );
    expect(repair.outcomes.map((o) => `${o.key.canonical}: ${o.status} ${o.code}`).sort()).toEqual(['employeeId:00123: failed same-user', 'upn:dee@contoso.edu: failed same-user']);
    expect(await writesTo(DEE_ID, since)).toEqual([]);
  });
});

/**
 * Users without an account (issue 13, part 1): a manifest entry whose key resolves to nobody (a
 * teacher whose account is created next week, a student who left) or to a disabled account is
 * *pending*, not failed: the rest lands, the applied record advances, and the users are listed on
 * the applied revision (git note refs/notes/entra-photos/pending/<env>) with their manifest file
 * and line; every later apply, also one with no new commit, looks them up again and uploads those
 * who now exist, until they land or leave the manifest. `unknownUsers: 'fail'` keeps the strict
 * behaviour.
 *
 * applyRevision runs in-process against the real emulator (users are created, disabled and
 * enabled through its admin API) and real git repositories.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyRevision, type ApplyResult, type UnknownUsers } from '../../src/apply/apply.js';
import { DEFAULT_USERS, type RunningEmulator } from '../../src/emulator/index.js';
import { applyJson, applyMarkdown, applySucceeded, applyText } from '../../src/report/apply.js';
import { git, tempDir } from '../helpers/repo.js';
import { writePortraits } from '../helpers/portraits.js';
import { main } from '../../src/cli/main.js';
import { appliedTag, runCliApply, startTrustedEmulator, tenantFor } from '../reliability/helpers.js';

const LEAVER = { userPrincipalName: 'leaver@contoso.edu', displayName: 'Lee Leaver', accountEnabled: false };
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repoCount = 0;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-unknown-users-');
  emulator = await startTrustedEmulator({ users: [...DEFAULT_USERS, LEAVER], throttle: false });
});
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});
beforeEach(async () => {
  await emulator.admin.reset(); // also back to the seeded users
});

async function newRepo(): Promise<string> {
  const dir = path.join(scratch.dir, `repo${repoCount++}`);
  await writePortraits(dir, 6);
  git(dir, 'init', '-q', '-b', 'main');
  return dir;
}

/** Writes manifests/staff.yaml (`- key`, `photo:` pairs: entry n starts on line 3 + 2n) and commits. */
async function manifest(dir: string, entries: [string, string][], message: string): Promise<string> {
  const lines = ['version: 1', 'users:'];
  for (const [key, photo] of entries) lines.push(`  - ${key}`, `    photo: ${photo}`);
  await writeFile(path.join(dir, 'manifests', 'staff.yaml'), lines.join('\n') + '\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

const apply = (dir: string, unknownUsers?: UnknownUsers, prune = false) =>
  applyRevision({ repo: dir, head: 'HEAD', environment: 'production', prune, dryRun: false, allowPolicyLockout: false, ...(unknownUsers ? { unknownUsers } : {}) }, tenantFor(emulator));

const lastSeq = async () => (await emulator.admin.requests()).at(-1)?.seq ?? 0;
async function photoPuts(since: number): Promise<string[]> {
  const state = await emulator.admin.state();
  const upn = new Map(state.users.map((u) => [u.id, u.userPrincipalName]));
  return (await emulator.admin.requests(since)).filter((r) => r.api === 'graph' && r.method === 'PUT' && r.path.includes('/photo/')).map((r) => upn.get(r.userId ?? '') ?? r.userId ?? '?');
}
const statusOf = (result: ApplyResult) => Object.fromEntries(result.outcomes.map((o) => [o.key.value, o.status]));
const pendingNote = (dir: string, rev: string) => {
  try {
    return git(dir, 'notes', '--ref=refs/notes/entra-photos/pending/production', 'show', rev);
  } catch {
    return undefined;
  }
};

describe('users without an account', () => {
  it('two unknown users: the rest lands, the record advances, both wait with file:line; creating one and re-running with no new commit uploads exactly that one; removing the other clears it', async () => {
    const dir = await newRepo();
    const first = await manifest(
      dir,
      [
        ['user: ada.lovelace@contoso.edu', 'p0.jpg'],
        ['user: new.teacher@contoso.edu', 'p1.jpg'],
        ['user: grace.hopper@contoso.edu', 'p2.jpg'],
        ['employeeId: "99999"', 'p3.jpg'],
      ],
      'roster with two people who have no account yet',
    );
    const r1 = await apply(dir);
    expect(statusOf(r1)).toEqual({ 'ada.lovelace@contoso.edu': 'uploaded', 'grace.hopper@contoso.edu': 'uploaded', 'new.teacher@contoso.edu': 'pending', '99999': 'pending' });
    expect(applySucceeded(r1)).toBe(true);
    expect(r1.record).toBe('advanced');
    expect(appliedTag(dir, 'production')).toBe(first);
    const text = applyText(r1);
    expect(text).toContain('2 waiting for an account');
    expect(text).toContain('Waiting for an account: 2');
    expect(text).toMatch(/new\.teacher@contoso\.edu \(manifests\/staff\.yaml:5\): No user in the tenant .*Create the account/);
    expect(text).toMatch(/employeeId 99999 \(manifests\/staff\.yaml:9\)/);
    expect(applyMarkdown(r1)).toContain('### Waiting for an account: 2');
    expect(applyJson(r1).counts.pending).toBe(2);
    expect(applyJson(r1).waiting.map((w) => [w.user, w.file, w.line, w.problem])).toEqual([
      ['new.teacher@contoso.edu', 'manifests/staff.yaml', 5, 'no-account'],
      ['employeeId 99999', 'manifests/staff.yaml', 9, 'no-account'],
    ]);
    // Recorded with the revision, where git shows it.
    const note = pendingNote(dir, first)!;
    expect(note).toContain('upn:new.teacher@contoso.edu');
    expect(note).toContain('employeeId:99999');

    // A scheduled run, nothing new: nothing is written while they still have no account.
    let since = await lastSeq();
    const r2 = await apply(dir);
    expect(await photoPuts(since)).toEqual([]);
    expect(r2.record).toBe('unchanged');
    expect(applyJson(r2).counts.pending).toBe(2);
    // "Waiting since" is carried from run to run.
    expect(r2.outcomes.find((o) => o.key.value === '99999')!.waitingSince).toBe(r1.outcomes.find((o) => o.key.value === '99999')!.waitingSince);

    // The new teacher's account is created: the next run (still no new commit) uploads exactly that photo.
    await emulator.admin.addUser({ userPrincipalName: 'new.teacher@contoso.edu', displayName: 'New Teacher' });
    since = await lastSeq();
    const r3 = await apply(dir);
    expect(await photoPuts(since)).toEqual(['new.teacher@contoso.edu']);
    expect(statusOf(r3)).toEqual({ 'new.teacher@contoso.edu': 'uploaded', '99999': 'pending' });
    expect(r3.record).toBe('unchanged');
    expect(applySucceeded(r3)).toBe(true);
    expect(pendingNote(dir, first)).not.toContain('new.teacher');
    expect((await emulator.admin.state()).users.find((u) => u.userPrincipalName === 'new.teacher@contoso.edu')!.photo).not.toBeNull();
    since = await lastSeq();
    expect(statusOf(await apply(dir))).toEqual({ '99999': 'pending' });
    expect(await photoPuts(since)).toEqual([]);

    // The other entry leaves the manifest: nothing is written, nothing waits, the record advances.
    const third = await manifest(
      dir,
      [
        ['user: ada.lovelace@contoso.edu', 'p0.jpg'],
        ['user: new.teacher@contoso.edu', 'p1.jpg'],
        ['user: grace.hopper@contoso.edu', 'p2.jpg'],
      ],
      'remove the employee who never started',
    );
    since = await lastSeq();
    const r4 = await apply(dir);
    expect(await photoPuts(since)).toEqual([]);
    expect(r4.outcomes.filter((o) => o.status === 'pending' || o.status === 'kept')).toEqual([]);
    expect(r4.record).toBe('advanced');
    expect(appliedTag(dir, 'production')).toBe(third);
    expect(pendingNote(dir, third)).toBeUndefined();
    expect(applyText(r4)).not.toContain('waiting');
  });

  it('unknown-users fail: the run fails and the record holds, as before', async () => {
    const dir = await newRepo();
    await manifest(dir, [['user: ada.lovelace@contoso.edu', 'p0.jpg'], ['user: new.teacher@contoso.edu', 'p1.jpg']], 'one unknown');
    const r = await apply(dir, 'fail');
    expect(statusOf(r)).toEqual({ 'ada.lovelace@contoso.edu': 'uploaded', 'new.teacher@contoso.edu': 'failed' });
    expect(applySucceeded(r)).toBe(false);
    expect(r.record).toBe('not-complete');
    expect(appliedTag(dir, 'production')).toBeUndefined();
    expect(applyText(r)).toMatch(/✗ new\.teacher@contoso\.edu \(upload photos\/p1\.jpg\): No user in the tenant/);
    expect(applyJson(r).waiting).toEqual([]);
  });

  it('a disabled account waits with its own reason, and is uploaded once enabled', async () => {
    const dir = await newRepo();
    const head = await manifest(dir, [['user: ada.lovelace@contoso.edu', 'p0.jpg'], ['user: leaver@contoso.edu', 'p1.jpg']], 'a disabled account');
    const r1 = await apply(dir);
    const leaver = r1.outcomes.find((o) => o.key.value === 'leaver@contoso.edu')!;
    expect(leaver).toMatchObject({ status: 'pending', code: 'disabled', declaredAt: { file: 'manifests/staff.yaml', line: 5 } });
    expect(leaver.reason).toMatch(/disabled account.*Enable the account, or remove the entry at manifests\/staff\.yaml:5/);
    expect(applyJson(r1).waiting[0]).toMatchObject({ problem: 'disabled' });
    expect(r1.record).toBe('advanced');
    expect(pendingNote(dir, head)).toContain('pending disabled');

    await emulator.admin.setAccountEnabled('leaver@contoso.edu', true);
    const since = await lastSeq();
    const r2 = await apply(dir);
    expect(await photoPuts(since)).toEqual(['leaver@contoso.edu']);
    expect(statusOf(r2)).toEqual({ 'leaver@contoso.edu': 'uploaded' });
    expect(pendingNote(dir, head)).toBeUndefined();

    // Strict mode fails a disabled account too.
    await emulator.admin.setAccountEnabled('leaver@contoso.edu', false);
    const dir2 = await newRepo();
    await manifest(dir2, [['user: leaver@contoso.edu', 'p1.jpg']], 'strict');
    const strict = await apply(dir2, 'fail');
    expect(strict.outcomes[0]).toMatchObject({ status: 'failed', code: 'disabled' });
    expect(strict.record).toBe('not-complete');
  });

  it('the CLI (dist/cli.js): --unknown-users pending by default, fail on request, anything else is a usage error', async () => {
    const dir = await newRepo();
    const head = await manifest(dir, [['user: ada.lovelace@contoso.edu', 'p0.jpg'], ['user: new.teacher@contoso.edu', 'p1.jpg']], 'one unknown');
    const strict = await runCliApply(emulator, ['--repo', dir, '--environment', 'cli', '--unknown-users', 'fail']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ record: 'not-complete', counts: { failed: 1, pending: 0 }, waiting: [] });
    const waiting = await runCliApply(emulator, ['--repo', dir, '--environment', 'cli']);
    expect(waiting.code).toBe(0);
    expect(JSON.parse(waiting.stdout)).toMatchObject({ record: 'advanced', appliedRevision: head, counts: { pending: 1 }, waiting: [{ user: 'new.teacher@contoso.edu', file: 'manifests/staff.yaml', line: 5, problem: 'no-account' }] });
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['apply', '--unknown-users', 'sometimes'], { write: (s: string) => out.push(s) }, { write: (s: string) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('')).toContain('--unknown-users is "sometimes"; write pending');
  });

  it('a deleted user (in the recycle bin) waits with its own reason; one never created keeps the generic one', async () => {
    await emulator.admin.removeUser('grace.hopper@contoso.edu');
    const dir = await newRepo();
    await manifest(dir, [['user: grace.hopper@contoso.edu', 'p0.jpg'], ['employeeId: E1003', 'p1.jpg'], ['user: new.teacher@contoso.edu', 'p2.jpg']], 'a leaver, by UPN, and a new teacher');
    await emulator.admin.removeUser('alan.turing@contoso.edu'); // employeeId E1003
    const r = await apply(dir);
    const by = Object.fromEntries(r.outcomes.map((o) => [o.key.value, o]));
    expect(by['grace.hopper@contoso.edu']).toMatchObject({ status: 'pending', code: 'deleted' });
    expect(by['grace.hopper@contoso.edu']!.reason).toMatch(/^grace\.hopper@contoso\.edu was deleted from the tenant on \d{4}-\d\d-\d\d .*Restore the account to upload the photo, or remove the entry at manifests\/staff\.yaml:3\.$/);
    expect(by['E1003']).toMatchObject({ status: 'pending', code: 'deleted' });
    expect(by['new.teacher@contoso.edu']).toMatchObject({ status: 'pending', code: 'no-account' });
    expect(applyJson(r).waiting.map((w) => w.problem)).toEqual(['deleted', 'deleted', 'no-account']);
    expect(r.record).toBe('advanced');
  });

  it('a user deleted from the tenant and then from the manifest (prune): no photo to remove, the record advances', async () => {
    const dir = await newRepo();
    await manifest(dir, [['user: ada.lovelace@contoso.edu', 'p0.jpg'], ['user: grace.hopper@contoso.edu', 'p1.jpg']], 'two staff');
    expect((await apply(dir, undefined, true)).record).toBe('advanced');
    await emulator.admin.removeUser('grace.hopper@contoso.edu');
    const head = await manifest(dir, [['user: ada.lovelace@contoso.edu', 'p0.jpg']], 'grace left');
    const dry = await applyRevision({ repo: dir, head: 'HEAD', environment: 'production', prune: true, dryRun: true, allowPolicyLockout: false }, tenantFor(emulator));
    expect(dry.outcomes).toEqual([expect.objectContaining({ action: 'remove', status: 'kept', code: 'no-account' })]);
    const r = await apply(dir, undefined, true);
    expect(r.outcomes).toEqual([expect.objectContaining({ action: 'remove', status: 'kept', code: 'no-account' })]);
    expect(applySucceeded(r)).toBe(true);
    expect(appliedTag(dir, 'production')).toBe(head);
  });
});

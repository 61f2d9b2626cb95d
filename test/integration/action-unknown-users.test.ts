/**
 * Users without an account (issue 13, part 1) through the built action (dist/index.js), run as the
 * runner runs it, in a fresh shallow checkout per run of a local bare origin, against the emulator:
 * the pending list travels with the record (a notes ref pushed to origin), a scheduled run with
 * no new commit uploads the user whose account now exists, and `unknown-users: fail` fails.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { git, originWithAuthor, REPO_ROOT, shallowCheckout, tempDir } from '../helpers/repo.js';
import { renderedText } from '../helpers/markdownTree.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';
import { writePortraits } from '../helpers/portraits.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let origin: string;
let author: string;
let runs = 0;

async function push(entries: [string, string][], message: string): Promise<string> {
  const lines = ['version: 1', 'users:'];
  for (const [key, photo] of entries) lines.push(`  - ${key}`, `    photo: ${photo}`);
  await writeFile(path.join(author, 'manifests', 'staff.yaml'), lines.join('\n') + '\n');
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '-m', message);
  git(author, 'push', '-q', 'origin', 'main');
  return git(author, 'rev-parse', 'HEAD');
}

/** actions/checkout on push: fetch-depth 1 of the pushed sha. */
const checkout = (sha: string) => shallowCheckout(origin, sha, path.join(scratch.dir, `ws-${++runs}`));

async function apply(sha: string, inputs: Record<string, string> = {}, eventName = 'push') {
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace: checkout(sha),
    eventName,
    event: { after: sha, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: { mode: 'apply', environment: 'production', ...emulatorInputs(emulator), ...inputs },
    env: emulatorRunnerEnv(emulator),
  });
  const state = await emulator.admin.state();
  const upn = new Map(state.users.map((u) => [u.id, u.userPrincipalName]));
  const puts = (await emulator.admin.requests(since)).filter((r) => r.api === 'graph' && r.method === 'PUT' && r.path.includes('/photo/')).map((r) => upn.get(r.userId ?? '') ?? '?');
  return { ...run, puts };
}

const appliedTag = () => git(origin, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/production') || undefined;
const pendingOnOrigin = (sha: string) => {
  try {
    return git(origin, 'notes', '--ref=refs/notes/entra-photos/pending/production', 'show', sha);
  } catch {
    return '';
  }
};

beforeAll(async () => {
  scratch = await tempDir('entra-photos-action-unknown-');
  emulator = await startEmulator({ users: [...DEFAULT_USERS], throttle: false });
  ({ origin, author } = originWithAuthor(scratch.dir));
  await writePortraits(author, 4);
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('action apply with users who have no account yet (dist/index.js)', { timeout: 60_000 }, () => {
  it('applies the rest and records the revision, lists both as waiting; a scheduled run after one account is created uploads exactly that one', async () => {
    const head = await push(
      [
        ['user: ada.lovelace@contoso.edu', 'p0.jpg'],
        ['user: new.teacher@contoso.edu', 'p1.jpg'],
        ['user: grace.hopper@contoso.edu', 'p2.jpg'],
        ['user: new.student@students.contoso.edu', 'p3.jpg'],
      ],
      'two people without an account yet',
    );
    const first = await apply(head);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.puts.sort()).toEqual(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu']);
    expect(first.outputs).toMatchObject({ uploaded: '2', failed: '0', pending: '2', 'applied-revision': head });
    expect(appliedTag()).toBe(head);
    const summary = renderedText(first.summary);
    expect(summary).toContain('Waiting for an account: 2');
    expect(summary).toContain('manifests/staff.yaml:5');
    expect(summary).toContain('manifests/staff.yaml:9');
    expect(first.stdout).toContain('Waiting for an account: 2');
    // An annotation at the manifest line of each.
    expect(first.stdout).toMatch(/^::warning title=entra-photos%3A waiting-for-account \(no-account\),file=manifests\/staff\.yaml,line=5::No user in the tenant has the userPrincipalName or mail address new\.teacher@contoso\.edu/m);
    expect(first.stdout).toMatch(/^::warning title=entra-photos%3A waiting-for-account \(no-account\),file=manifests\/staff\.yaml,line=9::No user .*new\.student/m);
    if (process.env.SHOW_OUTPUT) console.log(first.stdout, first.summary);
    expect(pendingOnOrigin(head)).toContain('pending not-found');
    expect(pendingOnOrigin(head)).toContain('upn:new.teacher@contoso.edu');
    expect(pendingOnOrigin(head)).toContain('upn:new.student@students.contoso.edu');

    await emulator.admin.addUser({ userPrincipalName: 'new.teacher@contoso.edu' });
    const scheduled = await apply(head, {}, 'schedule');
    expect(scheduled.code).toBe(0);
    expect(scheduled.puts).toEqual(['new.teacher@contoso.edu']);
    expect(scheduled.outputs).toMatchObject({ uploaded: '1', pending: '1', 'applied-revision': head });
    expect(pendingOnOrigin(head)).not.toContain('new.teacher');
    expect(pendingOnOrigin(head)).toContain('new.student');
  });

  it('unknown-users: fail fails the step and holds the record', async () => {
    const before = appliedTag();
    const head = await push([['user: ada.lovelace@contoso.edu', 'p0.jpg'], ['user: nobody@contoso.edu', 'p1.jpg']], 'strict');
    const strict = await apply(head, { 'unknown-users': 'fail' });
    expect(strict.code).toBe(1);
    expect(strict.outputs).toMatchObject({ failed: '1', pending: '0' });
    expect(strict.stdout).toMatch(/nobody@contoso\.edu.*No user in the tenant/);
    expect(appliedTag()).toBe(before);
    const bad = await apply(head, { 'unknown-users': 'sometimes' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Input "unknown-users" is "sometimes"; write pending or fail.');
  });
});

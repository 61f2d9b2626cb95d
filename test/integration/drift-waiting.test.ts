/**
 * Drift and users waiting for an account. A school enrolls students before their accounts exist:
 * apply leaves such users (no account yet, or a disabled one) waiting, listed in the pending note
 * on the applied revision (refs/notes/entra-photos/pending/<env>). The nightly drift must not go
 * red all summer because of them: it reports them as waiting for an account, apart from drift,
 * in text, JSON, the job summary and the exit status, while a user that cannot be found and that
 * apply did NOT record as waiting still fails the check.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_ROLE_TEMPLATE_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { renderedText } from '../helpers/markdownTree.js';
import { git, initGitRepo, tempDir, writeTree } from '../helpers/repo.js';
import { runScheduledAction } from '../helpers/runAction.js';
import { runCli, runDriftJson } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;

const env = () => emulator.env as unknown as Record<string, string>;
const drift = (...args: string[]) => runDriftJson(repo, env(), args);

async function face(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 648, height: 648, channels: 3, background: `hsl(${(seed * 67) % 360},50%,40%)` } })
    .composite([{ input: await sharp({ create: { width: 200, height: 300, channels: 3, background: `hsl(${(seed * 131) % 360},70%,70%)` } }).png().toBuffer(), left: 100 + seed * 20, top: 150 }])
    .jpeg()
    .toBuffer();
}

const manifest = (extra = '') =>
  [
    'version: 1',
    'users:',
    '  - user: alan.turing@contoso.edu',
    '    photo: staff/alan.jpg',
    '  - user: new.student@contoso.edu', // enrolled before the account exists
    '    photo: students/new.jpg',
    '  - user: edsger.dijkstra@contoso.edu', // an account prepared ahead of the start date: disabled
    '    photo: staff/edsger.jpg',
    extra,
  ].join('\n');

beforeAll(async () => {
  scratch = await tempDir('entra-photos-drift-waiting-');
  emulator = await startEmulator({ directoryRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] });
  await emulator.admin.setAccountEnabled('edsger.dijkstra@contoso.edu', false);
  repo = path.join(scratch.dir, 'repo');
  await writeTree(repo, {
    'manifests/school.yaml': manifest(),
    'photos/staff/alan.jpg': await face(1),
    'photos/students/new.jpg': await face(2),
    'photos/staff/edsger.jpg': await face(3),
  });
  initGitRepo(repo);
  const applied = await runCli(['apply', '--repo', repo, '--remote', 'none', '--format', 'json'], env());
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
  // Apply recorded both as waiting on the applied revision.
  const note = git(repo, 'notes', '--ref=refs/notes/entra-photos/pending/default', 'show', 'HEAD');
  expect(note).toContain('pending not-found');
  expect(note).toContain('new.student@contoso.edu');
  expect(note).toContain('pending disabled');
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('drift with users waiting for an account', () => {
  it('reports them as waiting, not as drift: exit 0, inSync, their own count and status', async () => {
    const run = await drift();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.json.inSync).toBe(true);
    expect(run.json.counts).toMatchObject({ 'in-sync': 1, different: 0, missing: 0, unresolved: 0, error: 0, waiting: 2 });
    const byUser = Object.fromEntries(run.json.users.map((u: { user: string }) => [u.user, u]));
    expect(byUser['new.student@contoso.edu']).toMatchObject({ status: 'waiting', waiting: { problem: 'not-found', environment: 'default' }, declaredAt: 'manifests/school.yaml:5' });
    expect(byUser['edsger.dijkstra@contoso.edu']).toMatchObject({ status: 'waiting', waiting: { problem: 'disabled', environment: 'default' } });
    expect(byUser['new.student@contoso.edu'].waiting.since).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(byUser['new.student@contoso.edu'].reason).toContain('no account yet');

    const text = await runCli(['drift', '--repo', repo], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("No drift: 1 user's photo matches the repository; 2 waiting for an account");
    expect(text.stdout).toMatch(/new\.student@contoso\.edu .*\[waiting for an account\]/);
  });

  it('a user that cannot be found and that apply did not record as waiting still fails', async () => {
    await writeTree(repo, {
      'manifests/school.yaml': manifest('  - user: typo.student@contoso.edu\n    photo: students/new.jpg\n'),
    });
    git(repo, 'commit', '-q', '-am', 'a key nobody applied yet');
    try {
      const run = await drift();
      expect(run.code).toBe(1);
      expect(run.json.inSync).toBe(false);
      expect(run.json.counts).toMatchObject({ unresolved: 1, waiting: 2 });
      const byUser = Object.fromEntries(run.json.users.map((u: { user: string }) => [u.user, u]));
      expect(byUser['typo.student@contoso.edu']).toMatchObject({ status: 'unresolved' });
      expect(byUser['typo.student@contoso.edu'].waiting).toBeUndefined();
      const text = await runCli(['drift', '--repo', repo], env());
      expect(text.stdout).toContain('1 not in the tenant');
      expect(text.stdout).toContain('2 waiting for an account');
    } finally {
      git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('--environment reads the list of that environment only', async () => {
    const other = await drift('--environment', 'production');
    expect(other.code).toBe(1);
    expect(other.json.counts).toMatchObject({ unresolved: 1, missing: 1, waiting: 0 });
  });

  it('once the account exists, the user is compared again (missing until apply or --fix uploads it)', async () => {
    await emulator.admin.setAccountEnabled('edsger.dijkstra@contoso.edu', true);
    try {
      const run = await drift();
      expect(run.code).toBe(1);
      expect(run.json.counts).toMatchObject({ missing: 1, waiting: 1 });
    } finally {
      await emulator.admin.setAccountEnabled('edsger.dijkstra@contoso.edu', false);
    }
  });

  it('reads the list from the remote where apply keeps it (a fresh clone holds neither the tag nor the note)', async () => {
    const origin = path.join(scratch.dir, 'origin.git');
    git(scratch.dir, 'init', '-q', '--bare', '-b', 'main', origin);
    git(repo, 'push', '-q', origin, 'main', 'refs/tags/entra-photos/applied/default', 'refs/notes/entra-photos/pending/default');
    const clone = path.join(scratch.dir, 'clone');
    git(scratch.dir, 'clone', '-q', origin, clone);
    git(clone, 'tag', '-d', 'entra-photos/applied/default'); // as actions/checkout leaves it: no tags
    expect(git(clone, 'for-each-ref', 'refs/notes', 'refs/tags')).toBe('');
    // --remote none reads the clone's own (empty) record: the users count as drift.
    const local = await runCli(['drift', '--repo', clone, '--format', 'json', '--remote', 'none'], env());
    expect(local.code).toBe(1);
    expect(JSON.parse(local.stdout).counts).toMatchObject({ waiting: 0, unresolved: 1, missing: 1 });
    // By default the record is read from origin.
    const run = await runCli(['drift', '--repo', clone, '--format', 'json'], env());
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ waiting: 2, unresolved: 0, missing: 0 });
    // A record that cannot be read is said, and the users count as drift (never a silent pass).
    const unreachable = await runCli(['drift', '--repo', clone, '--remote', path.join(scratch.dir, 'gone.git')], env());
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('Could not read the users apply recorded as waiting for an account');
    expect(unreachable.stdout).toContain('1 not in the tenant');
  });

  it('the action: the step passes, the summary lists them apart, the drift output counts them', async () => {
    const run = await runScheduledAction(emulator, repo);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).not.toContain('::error::');
    expect(JSON.parse(run.outputs['drift']!).counts).toMatchObject({ waiting: 2, unresolved: 0 });
    expect(run.outputs).toMatchObject({ 'in-sync': '1', different: '0', missing: '0', waiting: '2' });
    const summary = renderedText(run.summary);
    expect(summary).toContain('2 waiting for an account');
    expect(run.summary).toContain('<summary><b>Waiting for an account (2)</b></summary>');
    expect(summary).toContain('Apply recorded these users as waiting for an account: not drift.');
    expect(summary).toContain('new.student@contoso.edu');
    expect(run.summary).not.toContain('### What differs');
  }, 30_000);
});

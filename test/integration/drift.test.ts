/**
 * Drift end to end against the local tenant: the built CLI (`entra-photos drift [--fix]`) and the
 * built action (mode drift on a schedule). The tenant's photos are re-encoded behind the tool's
 * back, as Graph does, so only a perceptual comparison can call them in sync; then one photo is
 * replaced (as if changed in Teams), one deleted, and the policy changed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_ROLE_TEMPLATE_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { copySample, git, initGitRepo, REPO_ROOT, tempDir } from '../helpers/repo.js';
import { renderedText } from '../helpers/markdownTree.js';
import { emulatorInputs, emulatorRunnerEnv, runAction, runScheduledAction } from '../helpers/runAction.js';
import { runCli, runDriftJson } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;

const env = () => emulator.env as unknown as Record<string, string>;
const drift = (...args: string[]) => runDriftJson(repo, env(), args);

/** What Graph does to an upload: keeps a smaller HD size, re-encoded. */
async function reencodeInTenant(upn: string): Promise<void> {
  const stored = (await emulator.admin.photo(upn))!;
  await emulator.admin.seedPhoto(upn, await sharp(stored).resize(504, 504).jpeg({ quality: 72 }).toBuffer());
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-drift-');
  emulator = await startEmulator({ directoryRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] });
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  initGitRepo(repo);
  const applied = await runCli(['apply', '--repo', repo, '--remote', 'none', '--format', 'json'], env());
  expect(applied.code, applied.stderr).toBe(0);
  for (const user of (await emulator.admin.state()).users) if (user.photo) await reencodeInTenant(user.userPrincipalName);
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('drift', () => {
  it('calls re-encoded copies in sync (bytes differ, pictures do not)', async () => {
    const run = await drift();
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.inSync).toBe(true);
    expect(run.json.counts).toMatchObject({ 'in-sync': 12, different: 0, missing: 0 });
    expect(run.json.policy.status).toBe('in-sync');
    expect(Math.min(...run.json.users.map((u: { similarity: number }) => u.similarity))).toBeGreaterThan(0.98);
  });

  it('finds a changed photo, a deleted one and a changed policy, under read throttling', async () => {
    const other = await readFile(path.join(repo, 'photos/staff/alan.turing.jpg'));
    await emulator.admin.seedPhoto('ada.lovelace@contoso.edu', await sharp(other).resize(432, 432).jpeg().toBuffer());
    await emulator.admin.deletePhoto('grace.hopper@contoso.edu');
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [] } });
    // Reads throttled too: a small bucket forces 429s with Retry-After.
    await emulator.admin.setConfig({ throttle: { burst: 4, refillPerSecond: 40, appliesTo: 'all' } });
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    try {
      const run = await drift('--html', path.join(scratch.dir, 'drift.html'));
      expect(run.code).toBe(1);
      expect(run.json.counts).toMatchObject({ 'in-sync': 10, different: 1, missing: 1, error: 0 });
      const byUser = Object.fromEntries(run.json.users.map((u: { user: string }) => [u.user, u]));
      expect(byUser['ada.lovelace@contoso.edu']).toMatchObject({ status: 'different', photo: 'photos/staff/ada.lovelace.jpg', tenantPhoto: { width: 432, height: 432 } });
      expect(byUser['ada.lovelace@contoso.edu'].declaredAt).toMatch(/^manifests\/staff\.yaml:\d+$/);
      expect(byUser['grace.hopper@contoso.edu']).toMatchObject({ status: 'missing' });
      expect(run.json.policy).toMatchObject({ status: 'different', tenant: { allowedRoles: [] } });
      const throttled = (await emulator.admin.requests(since)).filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      const html = await readFile(path.join(scratch.dir, 'drift.html'), 'utf8');
      expect(html.match(/data:image\/jpeg;base64,/g)?.length).toBe(3); // Ada both sides, Grace the repository's
    } finally {
      await emulator.admin.setConfig({ throttle: { burst: 3000, refillPerSecond: 20, appliesTo: 'writes' } });
    }
  });

  it('the action reports drift in the job summary without any photo leaving the job, and fails the step', async () => {
    const sha = git(repo, 'rev-parse', 'HEAD');
    const run = await runScheduledAction(emulator, repo);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::Drift: 1 different, 1 missing, 10 matching');
    expect(run.outputs).toMatchObject({ different: '1', missing: '1', 'in-sync': '10' });
    expect(run.summary).toContain('### What differs');
    expect(run.summary).toContain(`<img src="https://github.com/contoso/photos/blob/${sha}/photos/staff/ada.lovelace.jpg?raw=true"`);
    expect(renderedText(run.summary)).toMatch(/432×432, \d+ KB, similarity 0\.\d+/);
    expect(run.summary).not.toContain('data:');
    expect(run.summary).toContain('### Photo policy');
    if (process.env.SHOW_SUMMARY) await writeFile(process.env.SHOW_SUMMARY, run.summary);
  }, 20_000);

  it('--fix uploads the repository version through apply, leaves the applied record alone, and drift is then clean', async () => {
    const before = git(repo, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/default');
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const fixed = await drift('--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.json.fix).toMatchObject({ succeeded: true, policy: 'applied', counts: { uploaded: 2, failed: 0 } });
    const puts = (await emulator.admin.requests(since)).filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
    expect(puts).toHaveLength(2);
    expect(git(repo, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/default')).toBe(before);
    const after = await drift();
    expect(after.code).toBe(0);
    expect(after.json.counts).toMatchObject({ 'in-sync': 12, different: 0, missing: 0 });
  });

  it('refuses to run on pull requests and explains usage errors', async () => {
    const bad = await runCli(['drift', '--repo', repo, '--threshold', '2'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold must be a number between 0 and 1');
    const notGit = await runCli(['drift', '--repo', scratch.dir], env());
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toContain('is not a git repository');

    // The action in drift mode on a pull request: refused before any token is asked for.
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const onPr = await runAction({
      actionDir: REPO_ROOT,
      workspace: repo,
      eventName: 'pull_request',
      event: { repository: { full_name: 'contoso/photos', private: true, visibility: 'private' }, pull_request: { number: 3 } },
      inputs: { mode: 'drift', ...emulatorInputs(emulator) },
      env: emulatorRunnerEnv(emulator),
    });
    expect(onPr.code).toBe(1);
    expect(onPr.stdout).toContain('mode "drift" never runs on pull_request events');
    expect(await emulator.admin.requests(since)).toEqual([]);
  });
});

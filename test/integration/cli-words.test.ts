/**
 * The built CLI speaks to CLI users: the lock-out refusal names the flag (--allow-policy-lockout),
 * not the action's input; configuration errors (a tenant or app Entra ID does not know, no OIDC
 * token in the environment) exit 2, as the README says; a failed apply exits 1.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { copySample, initGitRepo, tempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;
const env = () => emulator.env as unknown as Record<string, string>;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-cli-words-');
  // The app holds no directory role; the sample's policy restricts photo writes to roles.
  emulator = await startEmulator({ directoryRoles: [] });
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  initGitRepo(repo);
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('the CLI in its own words', () => {
  it('a refused policy change tells the CLI flag, and the apply exits 1', async () => {
    const run = await runCli(['apply', '--repo', repo, '--remote', 'none'], env());
    expect(run.code, run.stderr).toBe(1);
    const text = run.stdout + run.stderr;
    expect(text).toContain('The policy change was not applied');
    expect(text).toContain('run with --allow-policy-lockout');
    expect(text).not.toContain('allow-policy-lockout: true');
    expect(text).not.toMatch(/policy refused|not-managed|would-apply/);
  }, 60_000);

  it('configuration errors exit 2: unknown tenant, unknown app, no OIDC token', async () => {
    const unknownTenant = await runCli(['apply', '--repo', repo, '--remote', 'none', '--tenant-id', '11111111-2222-3333-4444-555555555555'], env());
    expect(unknownTenant.stderr, unknownTenant.stdout).toMatch(/does not know tenant/);
    expect(unknownTenant.code, unknownTenant.stderr).toBe(2);
    const unknownApp = await runCli(['apply', '--repo', repo, '--remote', 'none', '--client-id', '11111111-2222-3333-4444-555555555555'], env());
    expect(unknownApp.stderr).toMatch(/no application with client id/);
    expect(unknownApp.code, unknownApp.stderr).toBe(2);
    const { ACTIONS_ID_TOKEN_REQUEST_URL: _url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _token, ...noOidc } = env();
    const noToken = await runCli(['apply', '--repo', repo, '--remote', 'none', '--auth', 'github-oidc'], noOidc);
    expect(noToken.stderr).toMatch(/No GitHub OIDC token is available/);
    expect(noToken.code, noToken.stderr).toBe(2);
    const badFlag = await runCli(['drift', '--repo', repo, '--threshold', '7'], env());
    expect(badFlag.code).toBe(2);
    const badBase = await runCli(['plan', '--repo', repo, '--base', 'no-such-branch']);
    expect(badBase.stderr).toMatch(/--base "no-such-branch" is not a commit/);
    expect(badBase.code).toBe(2);
    const badHead = await runCli(['apply', '--repo', repo, '--remote', 'none', '--head', 'no-such-branch'], env());
    expect(badHead.stderr).toMatch(/--head "no-such-branch" is not a commit/);
    expect(badHead.code).toBe(2);
    const badDriftHead = await runCli(['drift', '--repo', repo, '--head', 'no-such-branch'], env());
    expect(badDriftHead.stderr).toMatch(/--head "no-such-branch" is not a commit/);
    expect(badDriftHead.code).toBe(2);
  }, 60_000);
});

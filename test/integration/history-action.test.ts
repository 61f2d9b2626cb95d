/**
 * The whole audit loop: the built action applies a push (as the runner runs it, against the
 * emulator) and records its run URL and actor in the progress note it pushes to origin; an
 * admin's fresh clone then answers `history` for a user from origin's record, and with a token
 * names the environment's deployment approver (GitHub's run approvals, from the loopback stand-in).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { copySample, git, REPO_ROOT, shallowCheckout, tempDir } from '../helpers/repo.js';
import { runAction } from '../helpers/runAction.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let github: FakeGitHub;
let origin: string;
let author: string;
const pushed: string[] = [];

async function push(message: string): Promise<string> {
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '-m', message);
  git(author, 'push', '-q', 'origin', 'main');
  const sha = git(author, 'rev-parse', 'HEAD');
  pushed.push(sha);
  return sha;
}

async function applyByAction(sha: string, runId: string): Promise<void> {
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace: shallowCheckout(origin, sha, path.join(scratch.dir, `ws-${runId}`)),
    eventName: 'push',
    event: { after: sha, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: { mode: 'apply', 'tenant-id': emulator.tenantId, 'client-id': emulator.clientId, 'authority-host': emulator.authorityHost, 'graph-url': emulator.graphUrl },
    env: {
      NODE_EXTRA_CA_CERTS: emulator.caCertPath,
      ACTIONS_ID_TOKEN_REQUEST_URL: emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      GITHUB_RUN_ID: runId,
      GITHUB_ACTOR: 'octo-admin',
    },
  });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.outputs['applied-revision']).toBe(sha);
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-history-action-');
  emulator = await startEmulator({ directoryRoles: ['fe930be7-5e62-47db-91af-98c3a49a38b1'] });
  github = await startFakeGitHub();
  origin = path.join(scratch.dir, 'origin.git');
  git(scratch.dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  author = path.join(scratch.dir, 'author');
  await copySample(author);
  git(scratch.dir, 'init', '-q', '-b', 'main', author);
  git(author, 'remote', 'add', 'origin', origin);
  await applyByAction(await push('sample'), '7001');
  await writeFile(path.join(author, 'photos/staff/ada.lovelace.jpg'), await sharp({ create: { width: 720, height: 720, channels: 3, background: '#3355aa' } }).jpeg().toBuffer());
  await applyByAction(await push('New portrait for Ada (#21)'), '7002');
  github.runApprovals['7002'] = [{ state: 'approved', user: 'head-teacher', environments: ['production'] }];
}, 120_000);
afterAll(async () => {
  await github?.close();
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('history reads what the action recorded', () => {
  it('a fresh clone shows each change applied to production by its workflow run, and who approved the deployment', async () => {
    const clone = path.join(scratch.dir, 'auditor');
    git(scratch.dir, 'clone', '-q', origin, clone);
    const result = await runCli(['history', 'ada.lovelace@contoso.edu', '--repo', clone, '--format', 'json', '--github-repository', 'contoso/photos'], { GITHUB_TOKEN: 'audit-token', GITHUB_API_URL: github.url });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.entries.map((e: any) => [e.revision.commit, e.kind, e.environments.map((env: any) => [env.environment, env.status, env.head, env.runs.map((r: any) => [r.url, r.actor, (r.approvals ?? []).map((a: any) => a.user)])])])).toEqual([
      [pushed[0], 'new', [['production', 'applied', pushed[0], [['https://github.com/contoso/photos/actions/runs/7001', 'octo-admin', []]]]]],
      [pushed[1], 'replaced', [['production', 'applied', pushed[1], [['https://github.com/contoso/photos/actions/runs/7002', 'octo-admin', ['head-teacher']]]]]],
    ]);
    expect(json.entries[1].pullRequest).toMatchObject({ number: 21, from: 'squash-commit' });
    // The note itself, as anyone can read it with git.
    const note = git(clone, 'notes', '--ref=entra-photos/progress/production', 'show', pushed[1]!);
    expect(note).toMatch(/^run \d{4}-\d\d-\d\dT[\d:.]+Z https:\/\/github\.com\/contoso\/photos\/actions\/runs\/7002 octo-admin$/m);
  });
});

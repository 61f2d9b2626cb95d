/**
 * `mode: doctor` through the built action (dist/index.js) on a repository that declares
 * targets: [entra, google] (issue 16), against the emulator playing both directories: with the
 * google-* inputs it reports Google's checks (the sign-in chain, a harmless read, each manifest
 * key) and passes; an attribute condition that refuses this repository fails the step saying what
 * to fix; without the google inputs the step fails naming the declaration and the input.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { REPO_ROOT, SAMPLE_PHOTO, tempDir, writeTree } from '../helpers/repo.js';
import { emulatorInputs, runAction } from '../helpers/runAction.js';
import { applyWorkflow } from '../helpers/workflows.js';

const ALL = ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'PeopleSettings.ReadWrite.All', 'RoleManagement.Read.Directory'];
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-action-doctor-google-');
  emulator = await startEmulator({ users: [...DEFAULT_USERS], appPermissions: ALL, throttle: false });
  repo = path.join(scratch.dir, 'repo');
  const photo = await readFile(SAMPLE_PHOTO);
  await writeTree(repo, {
    'manifests/staff.yaml': 'version: 1\ntargets: [entra, google]\nphotoRoot: photos\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n  - user: grace.hopper@contoso.edu\n    photo: p1.jpg\n',
    'photos/p0.jpg': photo,
    'photos/p1.jpg': photo,
    '.github/workflows/apply.yml': applyWorkflow(),
  });
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

async function actionDoctor(omit: string[] = []) {
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace: repo,
    eventName: 'workflow_dispatch',
    event: { repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: { mode: 'doctor', ...emulatorInputs(emulator, { google: true, omit }) },
    env: emulator.env as unknown as Record<string, string>,
  });
  if (process.env.SHOW_OUTPUT) console.log(run.stdout, run.stderr);
  const requests = await emulator.admin.requests(since);
  // Doctor reads only: no photo is written anywhere (POST is Graph's $batch lookups and Google's sign-in).
  expect(requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH' || r.method === 'DELETE')).toEqual([]);
  return { ...run, requests };
}

describe('the action, mode: doctor, with targets: [entra, google]', { timeout: 60_000 }, () => {
  it('with the google inputs: signs in to Google, reads users, resolves each manifest user, and passes', async () => {
    const run = await actionDoctor();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Google Workspace: signed in keylessly (GitHub OIDC → STS → IAM Credentials), users can be read');
    expect(run.stdout).toContain('All 2 manifest user(s) resolve to Google Workspace users');
    expect(run.stdout).toContain('All 2 manifest user(s) resolve'); // Entra's check ran too
    expect(run.stdout).toContain('Ready: no problems found.');
    expect(run.outputs['problems']).toBe('0');
    // The whole chain ran against the emulator's Google: STS, then the service account's token, then the Directory.
    const google = run.requests.filter((r) => r.api === 'google').map((r) => r.path);
    expect(google.some((p) => p.includes('/sts/'))).toBe(true);
    expect(google.some((p) => p.includes('/iamcredentials/'))).toBe(true);
    expect(google.some((p) => p.includes('/admin/directory/v1/users'))).toBe(true);
  });

  it('an attribute condition refusing this repository fails the step, saying what to fix', async () => {
    await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/other'" });
    try {
      const run = await actionDoctor();
      expect(run.code).toBe(1);
      expect(run.outputs['problems']).toBe('1');
      expect(run.stdout).toMatch(/^::error::doctor found 1 problem\(s\); fix them in this order:%0A1\. Google Workspace: could not sign in or read users: .*attribute condition refused this workflow's token: check that it names this repository/m);
      expect(run.stdout).not.toContain('resolve to Google Workspace users');
    } finally {
      await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/photos'" });
    }
  });

  it('without the google inputs the step fails naming the declaration and the input; Entra is still checked', async () => {
    const run = await actionDoctor(['google-workload-identity-provider', 'google-service-account']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('manifests/staff.yaml:2 declares the google target, but Google Workspace cannot be reached: Input "google-workload-identity-provider" is empty');
    expect(run.stdout).toContain('Input "google-service-account" is empty');
    expect(run.stdout).toContain('All 2 manifest user(s) resolve');
    expect(run.requests.filter((r) => r.api === 'google')).toEqual([]);
  });
});

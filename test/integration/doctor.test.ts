/**
 * `entra-photos doctor` (issue 14, part 4) through the built CLI against the emulator, signed in as
 * the app by the emulator's GitHub OIDC token service: a ready setup exits 0 and shows the token's
 * subject and audience; each of a missing permission, an unknown user, a policy that refuses the
 * app, a public repository and a workflow without id-token: write exits 1 and names the problem.
 * Nothing is written to the tenant.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHOTO_ROLE_TEMPLATE_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { REPO_ROOT, SAMPLE_PHOTO, tempDir, writeTree } from '../helpers/repo.js';
import { emulatorInputs, runAction } from '../helpers/runAction.js';
import { runCli } from '../helpers/runCli.js';
import { applyWorkflow } from '../helpers/workflows.js';

const ALL = ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'PeopleSettings.ReadWrite.All', 'RoleManagement.Read.Directory'];
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let count = 0;

async function setup(options: { users?: string[]; policy?: boolean; workflow?: string; isPrivate?: boolean } = {}): Promise<{ repo: string; env: Record<string, string> }> {
  const repo = path.join(scratch.dir, `repo${count++}`);
  const users = options.users ?? ['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu'];
  const photo = await readFile(SAMPLE_PHOTO);
  const manifest = ['version: 1', 'photoRoot: photos', 'users:', ...users.flatMap((u, i) => [`  - user: ${u}`, `    photo: p${i}.jpg`]), ...(options.policy ? ['policy:', '  source: cloud'] : [])].join('\n') + '\n';
  await writeTree(repo, {
    'manifests/staff.yaml': manifest,
    ...Object.fromEntries(users.map((_, i) => [`photos/p${i}.jpg`, photo])),
    '.github/workflows/apply.yml': options.workflow ?? applyWorkflow(),
    'event.json': JSON.stringify({ repository: { full_name: 'contoso/photos', private: options.isPrivate ?? true } }),
  });
  return { repo, env: { ...(emulator.env as unknown as Record<string, string>), GITHUB_EVENT_PATH: path.join(repo, 'event.json') } };
}

async function doctor(options: Parameters<typeof setup>[0] = {}) {
  const { repo, env } = await setup(options);
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const run = await runCli(['doctor', '--repo', repo], env);
  const writes = (await emulator.admin.requests(since)).filter((r) => r.api === 'graph' && r.method !== 'GET' && r.method !== 'POST');
  expect(writes).toEqual([]); // doctor never writes (POST is $batch lookups)
  return run;
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-doctor-');
  emulator = await startEmulator({ appPermissions: ALL });
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});
beforeEach(async () => {
  await emulator.admin.reset();
  await emulator.admin.setConfig({ appPermissions: ALL });
});

describe('entra-photos doctor', { timeout: 60_000 }, () => {
  it('a ready setup exits 0 and shows the subject and audience the OIDC token presents', async () => {
    const run = await doctor({ policy: true });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/subject "repo:[^"]+", audience "api:\/\/AzureADTokenExchange"/);
    expect(run.stdout).toContain('User.Read.All: users can be read');
    expect(run.stdout).toContain('All 2 manifest user(s) resolve');
    expect(run.stdout).toContain('The repository is private');
    expect(run.stdout).toContain('Ready: no problems found.');
  });

  it('a missing permission (no User.Read.All) exits 1 and names it', async () => {
    await emulator.admin.setConfig({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'PeopleSettings.ReadWrite.All'] });
    const run = await doctor();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^1\. The app lacks the Graph application permission User\.Read\.All/m);
  });

  it('an unknown user exits 1 with its file:line', async () => {
    const run = await doctor({ users: ['ada.lovelace@contoso.edu', 'nobody.here@contoso.edu'] });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^1\. manifests\/staff\.yaml:6: user "nobody\.here@contoso\.edu" does not resolve/m);
  });

  it('a policy that refuses the app exits 1 and says what to do', async () => {
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] }, directoryRoles: [] });
    const run = await doctor();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^1\. The live photo policy refuses this app's photo writes: allowedRoles \(User Administrator\)/m);
    // Holding the role, the same setup is ready.
    await emulator.admin.setConfig({ directoryRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] });
    const ready = await doctor();
    expect(ready.code, ready.stdout).toBe(0);
  });

  it('a public repository exits 1', async () => {
    const run = await doctor({ isPrivate: false });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^1\. The repository contoso\/photos is public/m);
  });

  it('a workflow without id-token: write exits 1 naming the file and job', async () => {
    const run = await doctor({ workflow: applyWorkflow('permissions:\n  contents: write\n') });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^1\. \.github\/workflows\/apply\.yml: job "apply" runs apply but does not grant "permissions: id-token: write"/m);
  });

  it("a job that registers problem matchers (setup-node) before entra-photos gets a note, not a failure; the workflows it passes get none", async () => {
    const shared = applyWorkflow().replace('      - uses: actions/checkout@v5\n', '      - uses: actions/checkout@v5\n      - uses: actions/setup-node@v6\n');
    const run = await doctor({ workflow: shared });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('.github/workflows/apply.yml: job "apply" runs actions/setup-node before entra-photos. Problem matchers a step registers read every later line of the job\'s log');
    const alone = await doctor();
    expect(alone.code, alone.stdout + alone.stderr).toBe(0);
    expect(alone.stdout).not.toContain('Problem matchers');
  });

  it('a failed sign-in (no such app in the tenant) exits 1 and stops the tenant checks there', async () => {
    const { repo, env } = await setup();
    const run = await runCli(['doctor', '--repo', repo, '--client-id', '11111111-1111-4111-8111-111111111111'], env);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^1\. Could not sign in or reach Graph: /m);
    expect(run.stdout).not.toContain('User.Read.All');
  });

  it('on a laptop it says it cannot tell whether the repository is private; a bad option is exit 2', async () => {
    const { repo, env } = await setup();
    const { GITHUB_EVENT_PATH: _event, ...laptop } = env;
    const run = await runCli(['doctor', '--repo', repo], laptop);
    expect(run.stdout).toContain('Whether the repository is private cannot be told from here');
    const bad = await runCli(['doctor', '--bogus'], laptop);
    expect(bad.code).toBe(2);
  });
});

describe('the action, mode: doctor', { timeout: 60_000 }, () => {
  async function actionDoctor(isPrivate: boolean, eventName = 'workflow_dispatch') {
    const { repo } = await setup();
    return runAction({
      actionDir: REPO_ROOT,
      workspace: repo,
      eventName,
      event: { repository: { full_name: 'contoso/photos', private: isPrivate, visibility: isPrivate ? 'private' : 'public' } },
      inputs: { mode: 'doctor', ...emulatorInputs(emulator) },
      env: emulator.env as unknown as Record<string, string>,
    });
  }

  it('a ready setup passes and logs the OIDC subject; a public repository is reported, not a stop', async () => {
    const ready = await actionDoctor(true);
    expect(ready.code, ready.stdout + ready.stderr).toBe(0);
    expect(ready.stdout).toMatch(/subject "repo:[^"]+", audience "api:\/\/AzureADTokenExchange"/);
    expect(ready.stdout).toContain('Ready: no problems found.');
    expect(ready.outputs['problems']).toBe('0');

    const open = await actionDoctor(false);
    expect(open.code).toBe(1);
    expect(open.stdout).toMatch(/::error::doctor found 1 problem\(s\)/);
    expect(open.stdout).toContain('The repository contoso/photos is public');
    expect(open.stdout).toContain('All 2 manifest user(s) resolve'); // the other checks ran
    expect(open.outputs['problems']).toBe('1');
  });

  it('never runs on pull requests', async () => {
    const run = await actionDoctor(true, 'pull_request');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('mode \"doctor\" never runs on pull_request events');
  });
});

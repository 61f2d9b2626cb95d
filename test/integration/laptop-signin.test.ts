/**
 * Signing in from an admin's laptop (issue 14, part 1), through the built CLI against the
 * emulator, with the real @azure/identity credentials:
 * - `--auth azure-cli`: the real AzureCliCredential runs a stand-in `az` on PATH that prints the
 *   documented JSON of `az account get-access-token --output json` with a delegated token the
 *   emulator minted for a seeded admin; export adopts the tenant's photos with it.
 * - no `--auth` outside GitHub Actions: the Azure CLI first, and the CLI says so; without a signed-in
 *   Azure CLI it falls back to device code.
 * - `--auth device-code`: the real DeviceCodeCredential against the emulator's device authorization
 *   grant; the code printed by the CLI is approved through the emulator's admin API.
 * - a delegated 403 (an admin without a role that may write photos) is told as such.
 */
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { initGitRepo, REPO_ROOT, tempDir, writeTree, type FileSpec } from '../helpers/repo.js';
import { laptopEnv, runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repoCount = 0;
const ADMIN = 'ada.lovelace@contoso.edu';

/** A stand-in `az` that records its arguments and prints `json` (or fails like a signed-out CLI). */
async function fakeAz(json: object | undefined): Promise<{ bin: string; argsLog: string }> {
  const bin = path.join(scratch.dir, `az-${++repoCount}`);
  const argsLog = path.join(bin, 'args.log');
  const output = path.join(bin, 'token.json');
  await writeTree(bin, { 'token.json': JSON.stringify(json ?? {}) });
  const script = json
    ? `#!/bin/sh\necho "$@" >> "${argsLog}"\ncat "${output}"\n`
    : `#!/bin/sh\necho "$@" >> "${argsLog}"\necho "ERROR: Please run 'az login' to setup account." >&2\nexit 1\n`;
  await writeFile(path.join(bin, 'az'), script);
  await chmod(path.join(bin, 'az'), 0o755);
  return { bin, argsLog };
}

/** A repository under scratch holding `files`, committed on main (what `apply` reads). */
async function committedRepo(name: string, files: Record<string, FileSpec>): Promise<string> {
  const repo = path.join(scratch.dir, name);
  await writeTree(repo, files);
  initGitRepo(repo);
  return repo;
}

/** The laptop's environment with a stand-in `az` (from fakeAz) first on PATH. */
const withAz = (az: { bin: string }) => laptopEnv(emulator, { PATH: `${az.bin}:${process.env.PATH}` });

async function face(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 648, height: 648, channels: 3, background: `hsl(${(seed * 47) % 360},60%,45%)` } }).jpeg().toBuffer();
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-laptop-');
  emulator = await startEmulator({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All'] });
  await emulator.admin.seedPhoto('grace.hopper@contoso.edu', await face(1));
  await emulator.admin.seedPhoto('alan.turing@contoso.edu', await face(2));
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('sign in from a laptop', () => {
  it('--auth azure-cli: the real AzureCliCredential with a stand-in az; export adopts the photos', async () => {
    const token = await emulator.admin.delegatedToken({ user: ADMIN, scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All'] });
    expect(Object.keys(token).sort()).toEqual(['accessToken', 'expiresOn', 'expires_on', 'subscription', 'tenant', 'tokenType']);
    const az = await fakeAz(token);
    const repo = path.join(scratch.dir, 'export-az');
    await writeTree(repo, { 'manifests/.keep': '' });
    const run = await runCli(['export', '--repo', repo, '--domain', 'contoso.edu', '--auth', 'azure-cli', '--format', 'json'], withAz(az));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Signed in with the Azure CLI');
    const result = JSON.parse(run.stdout);
    expect(result.counts.exported).toBe(2);
    expect(await readFile(path.join(repo, 'photos/exported/grace.hopper@contoso.edu.jpg'))).toEqual(await emulator.admin.photo('grace.hopper@contoso.edu'));
    // az was asked for a Graph token of this tenant, for the Graph the CLI talks to (--graph-url / --cloud).
    const args = await readFile(az.argsLog, 'utf8');
    expect(args).toContain('account get-access-token --output json');
    expect(args).toContain(`--resource ${emulator.graphUrl}`);
    expect(args).toContain(`--tenant ${emulator.tenantId}`);
    // Graph saw the delegated token (the admin), not the app's.
    const requests = await emulator.admin.requests();
    expect(requests.some((r) => r.api === 'entra')).toBe(false);
  }, 60_000);

  it('no --auth outside GitHub Actions: the Azure CLI when it is signed in, and says so', async () => {
    const az = await fakeAz(await emulator.admin.delegatedToken({ user: ADMIN }));
    const repo = path.join(scratch.dir, 'export-default');
    await writeTree(repo, { 'manifests/.keep': '' });
    const run = await runCli(['export', '--repo', repo, '--domain', 'contoso.edu'], withAz(az));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Signed in with the Azure CLI');
  }, 60_000);

  /** Runs export with a device code sign-in: waits for the code on stderr, approves it as ADMIN (or `interrupt`: presses Ctrl-C instead). */
  async function exportWithDeviceCode(name: string, extraArgs: string[], env: Record<string, string>, then: 'approve' | 'interrupt' = 'approve'): Promise<{ code: number; stdout: string; stderr: string }> {
    const repo = path.join(scratch.dir, name);
    await writeTree(repo, { 'manifests/.keep': '' });
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'export', '--repo', repo, '--domain', 'contoso.edu', '--format', 'json', ...extraArgs], {
      env: { HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = new Promise<number>((resolve) => child.on('close', (exit) => resolve(exit ?? -1)));
    const userCode = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no device code printed: ${stderr}`)), 30_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /enter the code ([A-Z0-9]+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(stderr).toContain(`${emulator.url}/_emulator/devicelogin`);
    expect((await emulator.admin.pendingDeviceCodes()).map((pending) => pending.userCode)).toContain(userCode);
    if (then === 'interrupt') child.kill('SIGINT');
    else await emulator.admin.approveDeviceCode(userCode, { user: ADMIN });
    return { code: await code, stdout, stderr };
  }

  it('--auth device-code: prints the code and URL, the admin approves it, the command completes', async () => {
    await emulator.admin.clearRequests();
    const run = await exportWithDeviceCode('export-device', ['--auth', 'device-code'], laptopEnv(emulator));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Signed in with a device code');
    expect(JSON.parse(run.stdout).counts.exported).toBe(2);
    const entra = (await emulator.admin.requests()).filter((r) => r.api === 'entra').map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
    expect(entra).toContain(`POST /${emulator.tenantId}/oauth2/v2.0/devicecode 200`);
    expect(entra).toContain(`POST /${emulator.tenantId}/oauth2/v2.0/token 200`);
  }, 60_000);

  it('Ctrl-C while the device code waits for the admin ends the command at once, saying so, before any Graph call', async () => {
    await emulator.admin.clearRequests();
    const run = await exportWithDeviceCode('export-device-cancelled', ['--auth', 'device-code'], laptopEnv(emulator), 'interrupt');
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('Sign-in cancelled (Ctrl-C).');
    expect(run.stderr).not.toContain('Signed in with a device code');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).toBe('');
    const requests = await emulator.admin.requests();
    expect(requests.filter((r) => r.api === 'graph')).toEqual([]);
    const entra = requests.filter((r) => r.api === 'entra').map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
    expect(entra).toContain(`POST /${emulator.tenantId}/oauth2/v2.0/devicecode 200`);
    expect(entra).not.toContain(`POST /${emulator.tenantId}/oauth2/v2.0/token 200`); // no token was ever issued
  }, 60_000);

  it('no --auth and no signed-in Azure CLI: falls back to device code and says so', async () => {
    const signedOut = await fakeAz(undefined);
    const run = await exportWithDeviceCode('export-fallback', [], withAz(signedOut));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('The Azure CLI is not available or not signed in');
    expect(run.stderr).toContain('Signed in with a device code');
  }, 60_000);

  it('a delegated 403 says which permission and which role the signed-in admin needs', async () => {
    // An admin without any directory role may read users but not write another user's photo.
    const az = await fakeAz(await emulator.admin.delegatedToken({ user: ADMIN, scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All'], roles: [] }));
    const repo = await committedRepo('apply-403', {
      'manifests/staff.yaml': 'version: 1\nusers:\n  - user: alan.turing@contoso.edu\n    photo: staff/alan.jpg\n',
      'photos/staff/alan.jpg': await face(7),
    });
    const run = await runCli(['apply', '--repo', repo, '--remote', 'none', '--auth', 'azure-cli'], withAz(az));
    expect(run.code).not.toBe(0);
    const said = run.stdout + run.stderr;
    expect(said).toContain('Graph refused the signed-in admin');
    expect(said).toContain('User Administrator');
    expect(said).toContain('Sign in from a laptop');
    expect(said).not.toContain('type Application');
  }, 60_000);

  it('in a delegated session the lock-out guard does not count the app\'s roles: a restricting policy change is refused', async () => {
    const people = '024906de-61e5-49c8-8572-40335f1e0e10';
    const az = await fakeAz(
      await emulator.admin.delegatedToken({ user: ADMIN, scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.ReadWrite.All'], roles: [people] }),
    );
    const repo = await committedRepo('apply-guard', {
      'manifests/staff.yaml': 'version: 1\npolicy:\n  source: cloud\n  allowedRoles: [People Administrator]\nusers:\n  - user: alan.turing@contoso.edu\n    photo: staff/alan.jpg\n',
      'photos/staff/alan.jpg': await face(8),
    });
    const requestsBefore = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const run = await runCli(['apply', '--repo', repo, '--remote', 'none', '--auth', 'azure-cli', '--format', 'json'], withAz(az));
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('signed in as an admin (delegated)');
    // The photo landed (written as the admin, a People Administrator); the policy was left alone,
    // and the app's service principal and role assignments were never asked for.
    expect((await emulator.admin.state()).policy.allowedRoles).toEqual([]);
    const paths = (await emulator.admin.requests(requestsBefore)).map((r) => r.path);
    expect(paths.some((p) => /servicePrincipals|roleAssignments/.test(p))).toBe(false);
    expect(paths.some((p) => p.startsWith('/v1.0/users/') && p.includes('/photo/$value'))).toBe(true);
    // With --allow-policy-lockout the admin may make the change.
    const allowed = await runCli(['apply', '--repo', repo, '--remote', 'none', '--auth', 'azure-cli', '--allow-policy-lockout'], withAz(az));
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect((await emulator.admin.state()).policy.allowedRoles).toEqual([people]);
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [] } });
  }, 60_000);

  it('a photo policy that refuses the signed-in admin is told about the admin\'s roles, not the app\'s', async () => {
    const people = '024906de-61e5-49c8-8572-40335f1e0e10';
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [people] } });
    try {
      // A User Administrator: may write photos, but the policy allows only People Administrators.
      const az = await fakeAz(await emulator.admin.delegatedToken({ user: ADMIN, scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'] }));
      const repo = await committedRepo('apply-policy-refuses', {
        'manifests/staff.yaml': 'version: 1\nusers:\n  - user: alan.turing@contoso.edu\n    photo: staff/alan.jpg\n',
        'photos/staff/alan.jpg': await face(9),
      });
      const run = await runCli(['apply', '--repo', repo, '--remote', 'none', '--auth', 'azure-cli'], withAz(az));
      expect(run.code).not.toBe(0);
      const said = run.stdout + run.stderr;
      // A User Administrator may not read the policy: the message says what the admin would need.
      expect(said).toContain('refuses your photo writes (signed in as an admin)');
      expect(said).toContain('reading it needs the delegated PeopleSettings.Read.All and People Administrator or Global Reader');
      expect(said).toContain('Sign in as an admin holding one of the allowed roles');
      expect(said).not.toContain("this app's service principal");
      // One who may read it (Global Reader besides User Administrator) is told which roles.
      const reader = await fakeAz(
        await emulator.admin.delegatedToken({
          user: ADMIN,
          scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'],
          roles: ['fe930be7-5e62-47db-91af-98c3a49a38b1', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'],
        }),
      );
      const again = await runCli(['apply', '--repo', repo, '--remote', 'none', '--auth', 'azure-cli'], withAz(reader));
      expect(again.code).not.toBe(0);
      expect(again.stdout + again.stderr).toContain('you (the signed-in admin) hold none of them');
      expect(again.stdout + again.stderr).toContain('Sign in as an admin holding one of these roles (People Administrator)');
    } finally {
      await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [] } });
    }
  }, 60_000);

  it('inside GitHub Actions the default stays the app\'s GitHub OIDC sign-in; browser and device code need a client id', async () => {
    const repo = path.join(scratch.dir, 'defaults');
    await writeTree(repo, { 'manifests/.keep': '' });
    const inActions = await runCli(['export', '--repo', repo], laptopEnv(emulator, { GITHUB_ACTIONS: 'true' }));
    expect(inActions.code).not.toBe(0);
    expect(inActions.stderr).toContain('No GitHub OIDC token is available');
    const { ENTRA_PHOTOS_CLIENT_ID: _clientId, ...withoutClient } = laptopEnv(emulator);
    for (const kind of ['browser', 'device-code']) {
      const run = await runCli(['export', '--repo', repo, '--auth', kind], withoutClient);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('needs --tenant-id and --client-id');
    }
  });

  it('--auth is checked', async () => {
    const run = await runCli(['export', '--repo', scratch.dir, '--auth', 'password'], laptopEnv(emulator));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--auth is "password"; write one of github-oidc, azure-cli, device-code, browser.');
  });
});

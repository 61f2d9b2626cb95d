/**
 * `entra-photos export --groups` (built CLI) against the local tenant: the Microsoft 365 groups'
 * (so teams') photos are adopted under `groups:`, a group the repository already declares is left
 * alone, a group without a photo is counted, security groups are not listed, and the result
 * passes `entra-photos validate`.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GROUPS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { accessToken, graphFetch, trustEmulatorCa } from '../emulator/helpers.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
const env = () => emulator.env as unknown as Record<string, string>;
const crest = (colour: string) => sharp({ create: { width: 648, height: 648, channels: 3, background: colour } }).jpeg().toBuffer();

beforeAll(async () => {
  scratch = await tempDir('entra-photos-export-groups-');
  emulator = await startEmulator({
    appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All'],
    groups: [
      ...DEFAULT_GROUPS,
      { displayName: 'Year 7 Science', unified: true, mail: 'y7-science@contoso.edu', members: [] },
      { displayName: 'Class 9C', unified: true, mail: 'class-9c@contoso.edu', mailNickname: 'class-9c', members: [] },
    ],
  });
  trustEmulatorCa(emulator.caCertPem);
  const token = await accessToken(emulator);
  const state = await emulator.admin.state();
  for (const [mail, colour] of [['class-9b@contoso.edu', '#2255aa'], ['class-9c@contoso.edu', '#aa5522']] as const) {
    const id = state.groups.find((g) => g.mail === mail)!.id;
    const put = await graphFetch(emulator, token, `/v1.0/groups/${id}/photo/$value`, { method: 'PUT', body: await crest(colour), headers: { 'Content-Type': 'image/jpeg' } });
    expect(put.status).toBe(200);
  }
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('export --groups', () => {
  it('adopts the Microsoft 365 groups\' photos under groups:, leaves a declared group alone, counts one without a photo', async () => {
    const repo = path.join(scratch.dir, 'groups');
    await writeTree(repo, {
      'manifests/classes.yaml': 'version: 1\ngroups:\n  - group: class-9c\n    photo: classes/9c.jpg\n',
      'photos/classes/9c.jpg': await crest('#aa5522'),
    });
    const run = await runCli(['export', '--repo', repo, '--groups', '--format', 'json'], env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    // Staff, Students and Grade 9 are security groups (no photo): not listed.
    expect(result).toMatchObject({ complete: true, listed: 3, counts: { exported: 1, 'no-photo': 1, managed: 1, refused: 0 } });
    const manifest = await readFile(path.join(repo, 'manifests/exported-groups.yaml'), 'utf8');
    expect(manifest).toContain('groups:\n  - group: class-9b@contoso.edu\n    name: Class 9B\n    photo: exported-groups/class-9b@contoso.edu.jpg');
    expect(manifest).not.toContain('users:');
    expect(manifest).not.toContain('class-9c');
    expect(manifest).not.toContain('y7-science');
    const state = await emulator.admin.state();
    const id = state.groups.find((g) => g.mail === 'class-9b@contoso.edu')!.id;
    const stored = await graphFetch(emulator, await accessToken(emulator), `/v1.0/groups/${id}/photo/$value`);
    expect(await readFile(path.join(repo, 'photos/exported-groups/class-9b@contoso.edu.jpg'))).toEqual(Buffer.from(await stored.arrayBuffer()));
    const validate = await runCli(['validate', '--repo', repo]);
    expect(validate.code, validate.stdout).toBe(0);

    // doctor checks that the groups resolve.
    const doctor = await runCli(['doctor', '--repo', repo], env());
    expect(doctor.stdout).toMatch(/All 2 manifest group\(s\) resolve/);

    // Drift compares groups like users: both groups hold what the repository declares.
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e' } });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'groups');
    const inSync = await runCli(['drift', '--repo', repo, '--format', 'json'], env());
    const drift = JSON.parse(inSync.stdout);
    expect(inSync.code, inSync.stdout).toBe(0);
    expect(drift.users.map((u: { user: string; keyType: string; status: string }) => `${u.keyType} ${u.user}: ${u.status}`).sort()).toEqual(['group class-9b@contoso.edu: in-sync', 'group class-9c: in-sync']);
    // Someone changes a team's picture in Teams: drift finds it.
    const changed = await graphFetch(emulator, await accessToken(emulator), `/v1.0/groups/${id}/photo/$value`, { method: 'PUT', body: await sharp({ create: { width: 648, height: 648, channels: 3, background: '#ffffff' } }).composite([{ input: await crest('#000000').then((b) => sharp(b).resize(200, 200).toBuffer()), top: 0, left: 0 }]).jpeg().toBuffer(), headers: { 'Content-Type': 'image/jpeg' } });
    expect(changed.status).toBe(200);
    const drifted = await runCli(['drift', '--repo', repo, '--format', 'json'], env());
    expect(drifted.code).toBe(1);
    expect(JSON.parse(drifted.stdout).users.find((u: { user: string }) => u.user === 'class-9b@contoso.edu').status).toBe('different');
  });

  it('refuses --groups with --group (members of one group), saying which to use', async () => {
    const run = await runCli(['export', '--repo', path.join(scratch.dir, 'groups'), '--groups', '--group', 'Staff'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--groups exports the groups\' own photos; --group picks the users of one group');
  });
});

/**
 * Export end to end against the local tenant: paged listing with $select, domain and group
 * filters, users the repository already manages left alone, photos that would not validate
 * refused, and an export interrupted mid-way that the next CLI run continues without downloading
 * anything twice. The result must pass `entra-photos validate`.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTenant } from '../../src/target/entra/index.js';
import { startEmulator, DEFAULT_USERS, type RunningEmulator } from '../../src/emulator/index.js';
import { EXPORT_JOURNAL, exportTenant, type ExportedUser } from '../../src/export/export.js';
import { trustEmulatorCa } from '../emulator/helpers.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
const env = () => emulator.env as unknown as Record<string, string>;
const NO_PHOTO = ['edsger.dijkstra@contoso.edu', 's10031@students.contoso.edu'];
const TINY = 's10030@students.contoso.edu';

async function face(seed: number, size = 648): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="hsl(${hue},60%,45%)"/><circle cx="${size / 2}" cy="${size * 0.4}" r="${size * (0.15 + (seed % 5) * 0.02)}" fill="#f1c27d"/><rect x="${size * 0.2}" y="${size * 0.7}" width="${size * 0.6}" height="${size * 0.3}" fill="#333"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function repoWithStaffManifest(name: string): Promise<string> {
  const dir = path.join(scratch.dir, name);
  await writeTree(dir, {
    'manifests/staff.yaml': 'version: 1\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: staff/ada.jpg\n',
    'photos/staff/ada.jpg': await face(99),
  });
  return dir;
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-export-');
  emulator = await startEmulator({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All', 'PeopleSettings.ReadWrite.All'] });
  for (const [i, user] of DEFAULT_USERS.entries()) {
    if (NO_PHOTO.includes(user.userPrincipalName)) continue;
    await emulator.admin.seedPhoto(user.userPrincipalName, user.userPrincipalName === TINY ? await face(i, 64) : await face(i));
  }
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('export', () => {
  it('adopts one domain: skips managed users, records users without a photo, refuses photos validate would reject', async () => {
    const repo = await repoWithStaffManifest('domain');
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const run = await runCli(['export', '--repo', repo, '--domain', 'contoso.edu', '--format', 'json'], env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ complete: true, listed: 6, counts: { exported: 4, 'no-photo': 1, managed: 1, refused: 0 } });
    const listing = (await emulator.admin.requests(since)).filter((r) => r.method === 'GET' && /\/v1\.0\/users\?/.test(r.path));
    expect(listing.length).toBeGreaterThan(0);
    for (const r of listing) expect(decodeURIComponent(r.path)).toContain('$select=id,userPrincipalName,mail,employeeId,displayName,accountEnabled');
    const manifest = await readFile(path.join(repo, 'manifests/exported.yaml'), 'utf8');
    // The tenant's displayName is written as name:, for reviewers.
    expect(manifest).toContain('  - user: grace.hopper@contoso.edu\n    name: Grace Hopper\n    photo: exported/grace.hopper@contoso.edu.jpg');
    expect(result.users.find((u: ExportedUser) => u.userPrincipalName === 'grace.hopper@contoso.edu')).toMatchObject({ displayName: 'Grace Hopper', status: 'exported' });
    expect(manifest).not.toContain('ada.lovelace');
    expect(manifest).not.toContain('students');
    expect(await readFile(path.join(repo, 'photos/exported/grace.hopper@contoso.edu.jpg'))).toEqual(await emulator.admin.photo('grace.hopper@contoso.edu'));
    await expect(stat(path.join(repo, EXPORT_JOURNAL))).rejects.toThrow();
    const validate = await runCli(['validate', '--repo', repo]);
    expect(validate.code, validate.stdout).toBe(0);

    // Again: nothing is overwritten without --force.
    const again = await runCli(['export', '--repo', repo, '--domain', 'contoso.edu'], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('manifests/exported.yaml already exists');
    expect(again.stderr).toContain('--force');
  });

  it('adopts a group\'s members (and says which permission is missing when it cannot)', async () => {
    const repo = await repoWithStaffManifest('group');
    const run = await runCli(['export', '--repo', repo, '--group', 'Grade 9', '--manifest', 'manifests/grade9.yaml', '--photo-dir', 'grade9', '--format', 'json'], env());
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ listed: 4, counts: { exported: 4 } });
    expect(await readFile(path.join(repo, 'manifests/grade9.yaml'), 'utf8')).toContain('photo: grade9/s10023@students.contoso.edu.jpg');

    await emulator.admin.setConfig({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All'] });
    try {
      const denied = await runCli(['export', '--repo', repo, '--group', 'Grade 9', '--manifest', 'manifests/g.yaml'], env());
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('grant it the Microsoft Graph application permission GroupMember.Read.All');
    } finally {
      await emulator.admin.setConfig({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All', 'PeopleSettings.ReadWrite.All'] });
    }
    const unknown = await runCli(['export', '--repo', repo, '--group', 'Grade 13', '--manifest', 'manifests/g13.yaml'], env());
    expect(unknown.stderr).toContain('No group is named "Grade 13"');
  });

  it('continues an interrupted export without downloading anything twice', async () => {
    trustEmulatorCa(emulator.caCertPem);
    const repo = await repoWithStaffManifest('resume');
    const tenant = openTenant({ tenantId: emulator.tenantId, clientId: emulator.clientId, cloud: 'global', authorityHost: emulator.authorityHost, graphUrl: emulator.graphUrl }, () => emulator.admin.issueOidcToken(undefined, 'api://AzureADTokenExchange'));
    // Slow photo reads, so the interruption lands mid-way with requests in flight.
    await emulator.admin.setConfig({ faults: [{ effect: 'delay', delayMs: 60, methods: ['GET'], path: '/photo/\\$value' }] });
    const controller = new AbortController();
    const seen: ExportedUser[] = [];
    const first = await exportTenant({ repo, signal: controller.signal, checkpointEvery: 2, onUser: (u) => seen.push(u) === 3 && controller.abort(new Error('interrupted')) }, tenant);
    await emulator.admin.setConfig({ faults: [] });
    expect(first.complete).toBe(false);
    const done = first.users.filter((u) => ['exported', 'no-photo', 'refused'].includes(u.status)).length;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(14);
    const journal = (await readFile(path.join(repo, EXPORT_JOURNAL), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(done + 1);
    // The interrupted repository is valid already.
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);

    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const second = await runCli(['export', '--repo', repo, '--format', 'json'], env());
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout);
    expect(result).toMatchObject({ complete: true, resumed: done, listed: 15, counts: { exported: 11, 'no-photo': 2, refused: 1, managed: 1 } });
    const downloads = (await emulator.admin.requests(since)).filter((r) => r.method === 'GET' && r.path.includes('/photo/'));
    expect(downloads).toHaveLength(14 - done);
    expect(result.users.find((u: ExportedUser) => u.userPrincipalName === TINY)).toMatchObject({ status: 'refused', reason: expect.stringContaining('96') });
    await expect(stat(path.join(repo, EXPORT_JOURNAL))).rejects.toThrow();
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);
  }, 20_000);
});

/**
 * Least privilege and the tenant's photo policy (issue 12, items 1 and 2), applyRevision in
 * process against the emulator and real git repositories:
 *  - an app with only ProfilePhoto.ReadWrite.All + User.Read.All (opaque access tokens, the
 *    documented no-photo placeholder) applies a manifest without `policy:` end to end, and never
 *    asks for the policy or its roles;
 *  - a live policy that refuses the app stops apply within a handful of writes (counted in the
 *    emulator's request log), with one error that names the policy and its roles and says what to
 *    do; the users not sent are "not attempted"; the record stays; once the app holds one of the
 *    roles, the next run applies everything;
 *  - a manifest that manages the policy needs PeopleSettings: without it the error names it;
 *  - a policy change that would restrict photo writes to roles is refused when the app's roles
 *    cannot be read, and the error names RoleManagement.Read.Directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyRevision, type ApplyResult } from '../../src/apply/apply.js';
import { PHOTO_ROLE_TEMPLATE_IDS, type RequestLogEntry, type RunningEmulator } from '../../src/emulator/index.js';
import { applyMarkdown, applySucceeded, applyText } from '../../src/report/apply.js';
import { git, tempDir } from '../helpers/repo.js';
import { appliedTag, commitRoster, mismatches, seedUsers, startTrustedEmulator, tenantFor } from '../reliability/helpers.js';

const N = 60;
const PHOTOS_ONLY = ['ProfilePhoto.ReadWrite.All', 'User.Read.All'];
const { userAdministrator, peopleAdministrator, globalAdministrator } = PHOTO_ROLE_TEMPLATE_IDS;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repos = 0;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-least-privilege-');
  emulator = await startTrustedEmulator({ users: seedUsers(N), throttle: false, appPermissions: PHOTOS_ONLY, accessTokenFormat: 'opaque', noPhotoMetadata: 'placeholder' });
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});
beforeEach(async () => {
  await emulator.admin.reset();
});

async function roster(n = N): Promise<{ dir: string; head: string; expected: Map<string, string> }> {
  const dir = path.join(scratch.dir, `repo${repos++}`);
  const { head, expected } = await commitRoster(dir, n, () => 0, 'roster');
  return { dir, head, expected };
}

async function declarePolicy(dir: string, lines: string[]): Promise<string> {
  await mkdir(path.join(dir, 'manifests'), { recursive: true });
  await writeFile(path.join(dir, 'manifests', 'policy.yaml'), ['version: 1', 'policy:', ...lines.map((l) => `  ${l}`)].join('\n') + '\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'policy');
  return git(dir, 'rev-parse', 'HEAD');
}

async function apply(dir: string): Promise<{ result: ApplyResult; requests: RequestLogEntry[] }> {
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const result = await applyRevision({ repo: dir, head: 'HEAD', environment: 'production', prune: false, dryRun: false, allowPolicyLockout: false }, tenantFor(emulator));
  return { result, requests: (await emulator.admin.requests(since)).filter((r) => r.api === 'graph') };
}

const photoPuts = (requests: RequestLogEntry[]) => requests.filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
const policyReads = (requests: RequestLogEntry[]) => requests.filter((r) => r.path.includes('/admin/people/photoUpdateSettings'));
const roleReads = (requests: RequestLogEntry[]) => requests.filter((r) => r.path.includes('/roleManagement/'));
const count = (result: ApplyResult, status: string) => result.outcomes.filter((o) => o.status === status).length;

describe('an app that manages only photos (ProfilePhoto.ReadWrite.All + User.Read.All)', { timeout: 60_000 }, () => {
  it('applies a manifest without policy: end to end, never reading the policy or its roles', async () => {
    const { dir, head, expected } = await roster();
    const { result, requests } = await apply(dir);
    expect(result.outcomes.filter((o) => o.status !== 'uploaded')).toEqual([]);
    expect(count(result, 'uploaded')).toBe(N);
    expect(result.policy.status).toBe('not-managed');
    expect(result.record).toBe('advanced');
    expect(appliedTag(dir, 'production')).toBe(head);
    expect(await mismatches(emulator, expected)).toEqual([]);
    expect(policyReads(requests)).toEqual([]);
    expect(roleReads(requests)).toEqual([]);
    expect(requests.filter((r) => r.status === 401 || r.status === 403)).toEqual([]);
  });

  it('under a live allowedRoles policy it cannot read, writes anyway when the app holds a listed role', async () => {
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [peopleAdministrator] }, directoryRoles: [peopleAdministrator] });
    const { dir, expected } = await roster(20);
    const { result, requests } = await apply(dir);
    expect(applySucceeded(result)).toBe(true);
    expect(await mismatches(emulator, expected)).toEqual([]);
    expect(policyReads(requests)).toEqual([]);
    expect(roleReads(requests)).toEqual([]);
  });
});

describe('what happens without each permission (docs/setup.md)', { timeout: 60_000 }, () => {
  it('without User.Read.All: the run stops before writing anything, naming the permission', async () => {
    await emulator.admin.setConfig({ appPermissions: ['ProfilePhoto.ReadWrite.All'] });
    const { dir } = await roster(30);
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    await expect(applyRevision({ repo: dir, head: 'HEAD', environment: 'production', prune: false, dryRun: false, allowPolicyLockout: false }, tenantFor(emulator))).rejects.toThrow(/User\.Read\.All/);
    expect(photoPuts(await emulator.admin.requests(since))).toEqual([]);
    expect(appliedTag(dir, 'production')).toBeUndefined();
  });

  it('without ProfilePhoto.ReadWrite.All: each write is refused and reported naming the permission; the record stays', async () => {
    await emulator.admin.setConfig({ appPermissions: ['User.Read.All'] });
    const { dir } = await roster(5);
    const { result } = await apply(dir);
    expect(count(result, 'failed')).toBe(5);
    for (const outcome of result.outcomes) expect(outcome.reason).toContain('ProfilePhoto.ReadWrite.All');
    expect(result.record).toBe('not-complete');
  });
});

describe('a live photo policy that refuses the app', { timeout: 60_000 }, () => {
  it('stops after a handful of writes with one error naming the policy and its roles; the record stays; with the role, the next run applies', async () => {
    // The app may read the policy (to say what it is) but the manifests do not manage it.
    await emulator.admin.setConfig({
      appPermissions: [...PHOTOS_ONLY, 'PeopleSettings.Read.All'],
      policy: { source: 'cloud', allowedRoles: [userAdministrator, globalAdministrator] },
      directoryRoles: [],
      // Latency keeps several writes in flight when the first refusal comes back.
      latency: { medianMs: 40, spreadMs: 10 },
    });
    const { dir, head, expected } = await roster();
    const { result, requests } = await apply(dir);

    const puts = photoPuts(requests);
    console.log(`refused: ${puts.length} PUT(s) sent of ${N}; the error:\n${result.halted?.message}`);
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.length).toBeLessThanOrEqual(4);
    expect(puts.every((r) => r.status === 403 && r.errorCode === 'ForbiddenByAdminEditPolicy')).toBe(true);
    expect(count(result, 'failed')).toBe(puts.length);
    expect(count(result, 'not-attempted')).toBe(N - puts.length);
    expect(count(result, 'uploaded')).toBe(0);
    expect(applySucceeded(result)).toBe(false);
    expect(result.record).toBe('not-complete');
    expect(appliedTag(dir, 'production')).toBeUndefined();

    const message = result.halted?.message ?? '';
    expect(result.halted).toMatchObject({ code: 'photo-policy', refused: puts.length, notAttempted: N - puts.length });
    expect(message).toContain('photoUpdateSettings');
    expect(message).toContain('Global Administrator');
    expect(message).toContain('User Administrator');
    expect(message).toMatch(/service principal/);
    expect(message).toMatch(/through a role-assignable group/);
    expect(message).toMatch(/24 hours/);
    // One error, said once: the text report does not list the users not attempted one by one.
    const text = applyText(result);
    expect(text.split('\n').filter((line) => line.includes('photoUpdateSettings'))).toHaveLength(1);
    expect(text).toContain(`${N - puts.length} not attempted`);
    expect(applyMarkdown(result)).toContain('[!CAUTION]');

    // The administrator assigns the app one of the roles: the next run applies everything.
    await emulator.admin.setConfig({ directoryRoles: [userAdministrator] });
    const again = await apply(dir);
    expect(applySucceeded(again.result)).toBe(true);
    expect(again.result.record).toBe('advanced');
    expect(appliedTag(dir, 'production')).toBe(head);
    expect(await mismatches(emulator, expected)).toEqual([]);
  });

  it('an app that cannot read the policy still stops at once and says what to check', async () => {
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [userAdministrator] }, directoryRoles: [] });
    const { dir } = await roster();
    const { result, requests } = await apply(dir);
    expect(photoPuts(requests).length).toBeLessThanOrEqual(4);
    expect(count(result, 'not-attempted')).toBeGreaterThanOrEqual(N - 4);
    expect(result.halted?.message).toContain('PeopleSettings.Read.All');
    expect(result.halted?.message).toMatch(/allowedRoles lists directory roles this app's service principal does not hold/);
    expect(result.record).toBe('not-complete');
  });

  it('source onPremises: the error says cloud photo writes are disabled for everyone', async () => {
    await emulator.admin.setConfig({ appPermissions: [...PHOTOS_ONLY, 'PeopleSettings.Read.All'], policy: { source: 'onPremises', allowedRoles: [] } });
    const { dir } = await roster(30);
    const { result, requests } = await apply(dir);
    expect(photoPuts(requests).length).toBeLessThanOrEqual(4);
    expect(result.halted?.message).toMatch(/source onPremises/);
    expect(result.halted?.message).toMatch(/disabled for everyone/);
  });
});

describe('a manifest that manages the policy', { timeout: 60_000 }, () => {
  it('without PeopleSettings: the error names the permission; the photos still land; the record stays', async () => {
    const { dir, expected } = await roster(20);
    await declarePolicy(dir, ['source: cloud', 'allowedRoles: [User Administrator]']);
    const { result, requests } = await apply(dir);
    expect(result.policy.status).toBe('failed');
    expect(result.policy.message).toContain('PeopleSettings.ReadWrite.All');
    expect(result.policy.message).toContain('manifests/policy.yaml');
    expect(count(result, 'uploaded')).toBe(20);
    expect(await mismatches(emulator, expected)).toEqual([]);
    expect(applySucceeded(result)).toBe(false);
    expect(result.record).toBe('not-complete');
    expect(requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('restricting writes to roles without RoleManagement.Read.Directory: the change is refused and says why', async () => {
    await emulator.admin.setConfig({ appPermissions: [...PHOTOS_ONLY, 'PeopleSettings.ReadWrite.All'], directoryRoles: [userAdministrator] });
    const { dir } = await roster(10);
    await declarePolicy(dir, ['source: cloud', 'allowedRoles: [User Administrator]']);
    const { result, requests } = await apply(dir);
    expect(count(result, 'uploaded')).toBe(10);
    expect(result.policy.status).toBe('refused');
    expect(result.policy.message).toContain('RoleManagement.Read.Directory');
    expect(result.policy.message).toContain('allow-policy-lockout');
    expect(requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect((await emulator.admin.state()).policy.allowedRoles).toEqual([]);
  });

  it('with PeopleSettings.ReadWrite.All and RoleManagement.Read.Directory and the role held: the policy is applied', async () => {
    await emulator.admin.setConfig({ appPermissions: [...PHOTOS_ONLY, 'PeopleSettings.ReadWrite.All', 'RoleManagement.Read.Directory'], directoryRoles: [peopleAdministrator] });
    const { dir } = await roster(10);
    await declarePolicy(dir, ['source: cloud', 'allowedRoles: [People Administrator]']);
    const { result } = await apply(dir);
    expect(applySucceeded(result)).toBe(true);
    expect(result.policy.status).toBe('applied');
    expect((await emulator.admin.state()).policy).toEqual({ source: 'cloud', allowedRoles: [peopleAdministrator] });
  });
});

/**
 * Group and team photos end to end (issue 17), through the built action (dist/index.js) with real
 * git: a pull request adding a `groups:` manifest validates and plans (groups in their own
 * section); the push applies it against the emulator. With the tenant refusing app-only group
 * writes (403 AppOnlyTokenNotSupportedForGroupUpdate, Graph's answer before mid-2024) only the
 * groups fail, each with the reason and what to do, and the users land; once the tenant accepts
 * them, the next run uploads exactly the groups.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_PERMISSIONS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { pullRequestRepo, type PullRequestRepo } from '../helpers/pullRequests.js';
import { copySample, git, originWithAuthor, REPO_ROOT, shallowCheckout, tempDir } from '../helpers/repo.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const CLASS_9B = '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04';
const STAFF = '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f01';
const GRADE_9 = '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f03';

const portrait = (colour: string) => sharp({ create: { width: 720, height: 720, channels: 3, background: colour } }).jpeg().toBuffer();

/** A groups manifest naming one group by mail, one by mailNickname and one by object id. */
async function addGroups(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'photos/groups'), { recursive: true });
  await writeFile(path.join(dir, 'photos/groups/class-9b.jpg'), await portrait('#2255aa'));
  await writeFile(path.join(dir, 'photos/groups/staff.jpg'), await portrait('#aa2255'));
  await writeFile(path.join(dir, 'photos/groups/grade-9.jpg'), await portrait('#22aa55'));
  await writeFile(
    path.join(dir, 'manifests/groups.yaml'),
    [
      'version: 1',
      'groups:',
      '  - group: class-9b@contoso.edu',
      '    name: Class 9B',
      '    photo: groups/class-9b.jpg',
      '  - group: staff',
      '    name: Staff room',
      '    photo: groups/staff.jpg',
      `  - group: ${GRADE_9}`,
      '    photo: groups/grade-9.jpg',
      '',
    ].join('\n'),
  );
}

describe('groups on a pull request (dist/index.js)', { timeout: 60_000 }, () => {
  let api: FakeGitHub;
  let repo: PullRequestRepo;
  beforeAll(async () => {
    api = await startFakeGitHub();
    repo = await pullRequestRepo('entra-photos-groups-pr-');
  });
  afterAll(async () => {
    await api.close();
    await repo.cleanup();
  });

  it('validates and plans a groups manifest: three new group photos in their own section', async () => {
    const pr = await repo.open(addGroups);
    const r = await repo.run(pr, { apiUrl: api.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.errors).toBe('0');
    const plan = JSON.parse(r.outputs.plan!);
    expect(plan.uploads.filter((u: { keyType: string }) => u.keyType === 'group').map((u: { user: string; reason: string }) => `${u.user}:${u.reason}`).sort()).toEqual(
      [`${GRADE_9}:new`, 'class-9b@contoso.edu:new', 'staff:new'].sort(),
    );
    expect(plan.uploads.filter((u: { keyType: string }) => u.keyType !== 'group')).toEqual([]);
    expect(r.summary).toContain('#### Groups and teams');
    expect(r.summary).toContain('**New group photos (3)**');
    expect(r.summary).toContain('| Photo | Group | File |');
  });

  it('a duplicate group across files is refused at its line, naming the first declaration', async () => {
    const pr = await repo.open(async (dir) => {
      await addGroups(dir);
      await writeFile(path.join(dir, 'manifests/more-groups.yaml'), 'version: 1\ngroups:\n  - group: CLASS-9B@contoso.edu\n    photo: groups/staff.jpg\n');
    });
    const r = await repo.run(pr, { apiUrl: api.url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error title=entra-photos%3A duplicate-group,file=manifests/more-groups.yaml,line=3,col=12::group CLASS-9B@contoso.edu is already declared at manifests/groups.yaml:3.');
  });
});

describe('groups applied on push (dist/index.js against the emulator)', { timeout: 90_000 }, () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let emulator: RunningEmulator;
  let origin: string;
  let author: string;
  let runs = 0;

  beforeAll(async () => {
    scratch = await tempDir('entra-photos-groups-apply-');
    // Looking groups up by mail or mailNickname reads groups: GroupMember.Read.All.
    emulator = await startEmulator({ directoryRoles: [USER_ADMINISTRATOR], appPermissions: [...DEFAULT_APP_PERMISSIONS, 'GroupMember.Read.All'], groupPhotoAppOnly: 'refused' });
    ({ origin, author } = originWithAuthor(scratch.dir));
    await copySample(author);
    await addGroups(author);
    git(author, 'add', '-A');
    git(author, 'commit', '-q', '-m', 'users and groups');
    git(author, 'push', '-q', 'origin', 'main');
  }, 30_000);
  afterAll(async () => {
    await emulator?.stop();
    await scratch?.cleanup();
  });

  async function apply(sha: string, inputs: Record<string, string> = {}) {
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const run = await runAction({
      actionDir: REPO_ROOT,
      workspace: shallowCheckout(origin, sha, path.join(scratch.dir, `ws-${++runs}`)),
      eventName: 'push',
      event: { after: sha, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
      inputs: { mode: 'apply', ...emulatorInputs(emulator), ...inputs },
      env: emulatorRunnerEnv(emulator),
    });
    const requests = (await emulator.admin.requests(since)).filter((r) => r.api === 'graph');
    const photoPuts = requests.filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
    return { ...run, requests, photoPuts };
  }

  it('a tenant refusing app-only group writes: the users land, each group fails with the reason and what to do; then, once allowed, only the groups are uploaded', async () => {
    const sha = git(author, 'rev-parse', 'HEAD');
    const first = await apply(sha);
    expect(first.stderr).toBe('');
    // Users: all twelve landed.
    const state = await emulator.admin.state();
    expect(state.users.filter((u) => u.photo).length).toBe(12);
    expect(state.groups.filter((g) => g.photo)).toEqual([]);
    expect(first.outputs).toMatchObject({ uploaded: '12', failed: '3' });
    expect(first.code).toBe(1);
    // Each group is named with the reason (Graph's code) and what to do.
    for (const group of ['class-9b@contoso.edu', 'staff', GRADE_9]) {
      const line = first.stdout.split('\n').find((l) => l.includes(`group ${group}`) && l.includes('AppOnlyTokenNotSupportedForGroupUpdate'));
      expect(line, group).toBeDefined();
      expect(line).toMatch(/signed in as an admin/);
      expect(line).toMatch(/--auth browser/);
    }
    const groupPuts = first.photoPuts.filter((p) => p.path.startsWith('/v1.0/groups/'));
    expect(groupPuts.map((p) => p.status)).toEqual([403, 403, 403]);
    expect(first.summary).toContain('AppOnlyTokenNotSupportedForGroupUpdate');
    // The summary lists the users and the groups apart.
    const groupsSection = first.summary.slice(first.summary.indexOf('### Groups and teams'));
    expect(first.summary.indexOf('### Groups and teams')).toBeGreaterThan(first.summary.indexOf('### Users'));
    expect(groupsSection).toContain('| Group | Action | Result | Photo |');
    expect(groupsSection.split('\n').filter((l) => l.startsWith('| group ')).map((l) => l.split(' | ')[2])).toEqual(['failed', 'failed', 'failed']);
    expect(first.summary.slice(first.summary.indexOf('### Users'), first.summary.indexOf('### Groups and teams'))).not.toContain('| group ');
    // The applied revision does not advance past a failed group: the next run retries them.
    expect(git(origin, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/production')).toBe('');

    await emulator.admin.setConfig({ groupPhotoAppOnly: 'allowed' });
    const second = await apply(sha);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.photoPuts.map((p) => p.path.split('/')[3]).sort()).toEqual([CLASS_9B, GRADE_9, STAFF].sort());
    expect(second.photoPuts.every((p) => p.path.startsWith('/v1.0/groups/') && p.status === 200)).toBe(true);
    const after = await emulator.admin.state();
    expect(after.groups.filter((g) => g.photo).map((g) => g.id).sort()).toEqual([CLASS_9B, GRADE_9, STAFF].sort());
    expect(after.groups.find((g) => g.id === CLASS_9B)!.photo).toMatchObject({ width: 648, height: 648 });
    expect(git(origin, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/production')).toBe(sha);
  });

  it('with prune, a group removed from the manifests has its photo deleted (DELETE /groups/{id}/photo/$value); the users are untouched', async () => {
    const manifest = path.join(author, 'manifests/groups.yaml');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.replace('  - group: staff\n    name: Staff room\n    photo: groups/staff.jpg\n', ''));
    git(author, 'rm', '-q', 'photos/groups/staff.jpg');
    git(author, 'add', '-A');
    git(author, 'commit', '-q', '-m', 'no staff room photo');
    git(author, 'push', '-q', 'origin', 'main');
    const run = await apply(git(author, 'rev-parse', 'HEAD'), { prune: 'true' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ uploaded: '0', removed: '1', failed: '0' });
    const writes = run.requests.filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method));
    expect(writes.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`DELETE /v1.0/groups/${STAFF}/photo/$value 204`]);
    const state = await emulator.admin.state();
    expect(state.groups.filter((g) => g.photo).map((g) => g.id).sort()).toEqual([CLASS_9B, GRADE_9].sort());
    expect(state.users.filter((u) => u.photo).length).toBe(12);
  });
});

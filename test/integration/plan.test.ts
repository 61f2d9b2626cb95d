/**
 * Plans on real git repositories in temp dirs: each case commits a change and plans
 * base..head through git (ls-tree + cat-file), without checking anything out.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRevisions } from '../../src/plan/planRevisions.js';
import { planJson } from '../../src/report/plan.js';
import { copySample, git, initGitRepo, tempDir, writeTree } from '../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let counter = 0;
const newPortrait = (colour: string) => sharp({ create: { width: 700, height: 700, channels: 3, background: colour } }).jpeg().toBuffer();

async function sampleRepo(): Promise<string> {
  const dir = path.join(scratch.dir, `repo-${counter++}`);
  await copySample(dir);
  initGitRepo(dir);
  return dir;
}

function commit(dir: string, message = 'change'): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

async function plan(dir: string, base: string | undefined, head = 'HEAD', prune = false) {
  const result = await planRevisions(dir, { ...(base ? { base } : {}), head, prune });
  return { ...planJson(result.plan), errors: result.validation.findings.filter((f) => f.severity === 'error'), decoded: result.validation.stats.photosDecoded };
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-plan-');
});
afterAll(() => scratch.cleanup());

describe('plan', () => {
  it('first commit (no base) plans every user as new, with the policy', async () => {
    const dir = await sampleRepo();
    const p = await plan(dir, undefined);
    expect(p.errors).toEqual([]);
    expect(p.uploads).toHaveLength(12);
    expect(p.uploads.every((u) => u.reason === 'new')).toBe(true);
    expect(p.removals).toEqual([]);
    expect(p.unchanged).toBe(0);
    expect(p.policy?.from).toBeNull();
    expect(p.policy?.to.source).toBe('cloud');
    expect(p.policy?.to.allowedRoles?.map((r) => r.name).sort()).toEqual(['Global Administrator', 'User Administrator']);
  });

  it('an unchanged revision plans nothing and decodes nothing', async () => {
    const dir = await sampleRepo();
    commit(dir, 'empty');
    const p = await plan(dir, 'HEAD~1');
    expect(p).toMatchObject({ uploads: [], removals: [], policy: null, unchanged: 12, decoded: 0 });
  });

  it('renaming or moving a photo without changing its bytes is not a change', async () => {
    const dir = await sampleRepo();
    await rename(path.join(dir, 'photos/staff/ada.lovelace.jpg'), path.join(dir, 'photos/ada-2026.jpg'));
    const manifest = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
    await writeFile(path.join(dir, 'manifests/staff.yaml'), manifest.replace('staff/ada.lovelace.jpg', 'ada-2026.jpg'));
    commit(dir, 'move');
    const p = await plan(dir, 'HEAD~1');
    expect(p.errors).toEqual([]);
    expect(p).toMatchObject({ uploads: [], removals: [], unchanged: 12, decoded: 0 });
  });

  it('changing the bytes of a photo replaces it, and only that photo is decoded', async () => {
    const dir = await sampleRepo();
    await writeFile(path.join(dir, 'photos/staff/grace.hopper.jpg'), await newPortrait('#aa3355'));
    commit(dir);
    const p = await plan(dir, 'HEAD~1');
    expect(p.uploads).toEqual([{ user: 'grace.hopper@contoso.edu', keyType: 'upn', photo: 'photos/staff/grace.hopper.jpg', reason: 'replaced', previousPhoto: 'photos/staff/grace.hopper.jpg' }]);
    expect(p.unchanged).toBe(11);
    expect(p.decoded).toBe(1);
  });

  it('pointing a user at another existing file is a change', async () => {
    const dir = await sampleRepo();
    const manifest = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
    await writeFile(path.join(dir, 'photos/staff/alan.turing.2026.jpg'), await newPortrait('#225588'));
    await writeFile(path.join(dir, 'manifests/staff.yaml'), manifest.replace('staff/alan.turing.jpg', 'staff/alan.turing.2026.jpg'));
    commit(dir);
    const p = await plan(dir, 'HEAD~1');
    expect(p.uploads).toEqual([expect.objectContaining({ user: 'alan.turing@contoso.edu', reason: 'replaced', photo: 'photos/staff/alan.turing.2026.jpg', previousPhoto: 'photos/staff/alan.turing.jpg' })]);
    expect(p.errors.map((e) => e.code)).toEqual([]);
  });

  it('changing the crop of a user is a change (same bytes, different upload)', async () => {
    const dir = await sampleRepo();
    const manifest = await readFile(path.join(dir, 'manifests/students.yaml'), 'utf8');
    await writeFile(path.join(dir, 'manifests/students.yaml'), manifest.replace('crop: attention', 'crop: centre'));
    commit(dir);
    const p = await plan(dir, 'HEAD~1');
    expect(p.uploads).toHaveLength(7);
    expect(p.uploads.every((u) => u.reason === 'replaced')).toBe(true);
    expect(p.decoded).toBe(7);
  });

  it('adding a user plans one new upload', async () => {
    const dir = await sampleRepo();
    await writeTree(dir, {
      'photos/students/10030.jpg': await newPortrait('#557722'),
      'manifests/new-students.yaml': 'version: 1\nusers:\n  - employeeId: "10030"\n    photo: students/10030.jpg\n',
    });
    commit(dir);
    const p = await plan(dir, 'HEAD~1');
    expect(p.uploads).toEqual([{ user: '10030', keyType: 'employeeId', photo: 'photos/students/10030.jpg', reason: 'new' }]);
    expect(p.decoded).toBe(1);
  });

  it('removing a user is shown, and executed only with prune', async () => {
    const dir = await sampleRepo();
    const manifest = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
    await writeFile(path.join(dir, 'manifests/staff.yaml'), manifest.replace('  - user: margaret.hamilton@contoso.edu\n    photo: staff/margaret.hamilton.jpg\n', ''));
    await rm(path.join(dir, 'photos/staff/margaret.hamilton.jpg'));
    commit(dir);
    const kept = await plan(dir, 'HEAD~1');
    expect(kept.removals).toEqual([{ user: 'margaret.hamilton@contoso.edu', keyType: 'upn', photo: 'photos/staff/margaret.hamilton.jpg' }]);
    expect(kept.prune).toBe(false);
    const pruned = await plan(dir, 'HEAD~1', 'HEAD', true);
    expect(pruned.removals).toHaveLength(1);
    expect(pruned.prune).toBe(true);
    expect(pruned.unchanged).toBe(11);
  });

  it('a case-only change of a user key is not a change', async () => {
    const dir = await sampleRepo();
    const manifest = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
    await writeFile(path.join(dir, 'manifests/staff.yaml'), manifest.replace('user: ada.lovelace@contoso.edu', 'user: Ada.Lovelace@Contoso.EDU'));
    commit(dir);
    const p = await plan(dir, 'HEAD~1');
    expect(p).toMatchObject({ uploads: [], removals: [], unchanged: 12 });
  });

  it('a policy change shows from and to with role names; reordering roles is not a change', async () => {
    const dir = await sampleRepo();
    const manifest = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
    await writeFile(path.join(dir, 'manifests/staff.yaml'), manifest.replace('    - User Administrator\n    - Global Administrator\n', '    - Global Administrator\n    - fe930be7-5e62-47db-91af-98c3a49a38b1\n'));
    commit(dir, 'reorder');
    expect((await plan(dir, 'HEAD~1')).policy).toBeNull();
    await writeFile(path.join(dir, 'manifests/staff.yaml'), manifest.replace('    - User Administrator\n    - Global Administrator\n', '    - Global Administrator\n'));
    commit(dir, 'narrow');
    const p = await plan(dir, 'HEAD~1');
    expect(p.policy).toEqual({
      from: { source: 'cloud', allowedRoles: [{ id: '62e90394-69f5-4237-9190-012177145e10', name: 'Global Administrator' }, { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', name: 'User Administrator' }] },
      to: { source: 'cloud', allowedRoles: [{ id: '62e90394-69f5-4237-9190-012177145e10', name: 'Global Administrator' }] },
    });
  });

  it('plans a merge commit against its first parent', async () => {
    const dir = await sampleRepo();
    git(dir, 'checkout', '-q', '-b', 'photo-day');
    await writeFile(path.join(dir, 'photos/students/10023.jpg'), await newPortrait('#884422'));
    commit(dir, 'retake 10023');
    git(dir, 'checkout', '-q', 'main');
    await writeFile(path.join(dir, 'photos/staff/ada.lovelace.jpg'), await newPortrait('#228844'));
    commit(dir, 'ada on main');
    git(dir, 'merge', '-q', '--no-edit', '--no-ff', 'photo-day');
    const p = await plan(dir, 'HEAD^1');
    expect(p.uploads.map((u) => u.user)).toEqual(['10023']);
    const both = await plan(dir, 'HEAD~2'); // before either change
    expect(both.uploads.map((u) => u.user).sort()).toEqual(['10023', 'ada.lovelace@contoso.edu']);
  });

  it('plans against a base that is not an ancestor (unrelated history)', async () => {
    const dir = await sampleRepo();
    const main = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '--orphan', 'other');
    git(dir, 'rm', '-rqf', '.');
    await writeTree(dir, {
      'manifests/staff.yaml': 'version: 1\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: a.jpg\n  - user: someone.else@contoso.edu\n    photo: b.jpg\n',
      'photos/a.jpg': await newPortrait('#123456'),
      'photos/b.jpg': await newPortrait('#654321'),
    });
    commit(dir, 'unrelated');
    const p = await plan(dir, main, 'HEAD');
    expect(p.uploads.map((u) => [u.user, u.reason])).toEqual([
      ['ada.lovelace@contoso.edu', 'replaced'],
      ['someone.else@contoso.edu', 'new'],
    ]);
    expect(p.removals).toHaveLength(11);
  });

  it('refuses a base that does not exist with advice', async () => {
    const dir = await sampleRepo();
    await expect(planRevisions(dir, { base: 'no-such-branch', head: 'HEAD' })).rejects.toThrow(/"no-such-branch" is not a commit.*git fetch/);
  });

  it('plans the working tree by default, including uncommitted changes', async () => {
    const dir = await sampleRepo();
    await writeFile(path.join(dir, 'photos/staff/grace.hopper.jpg'), await newPortrait('#335577'));
    const result = await planRevisions(dir, { base: 'HEAD' });
    expect(planJson(result.plan).uploads.map((u) => u.user)).toEqual(['grace.hopper@contoso.edu']);
    expect(result.validation.stats.photosDecoded).toBe(1);
  });
});

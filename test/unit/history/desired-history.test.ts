/**
 * Following a subject through a real git history: renames and moves between manifest files are
 * not changes; a remap to other bytes, a settings change, a removal, re-adding and a photo that
 * goes missing are. Photos are never read (only blob ids), so any bytes do.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredHistory } from '../../../src/history/desiredHistory.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const commits: Record<string, string> = {};
const manifest = (users: string) => `version: 1\nusers:\n${users}`;
const entry = (user: string, photo: string, extra = '') => `  - user: ${user}\n    photo: ${photo}\n${extra}`;

async function commit(label: string, files: Record<string, string>, remove: string[] = []) {
  await writeTree(scratch.dir, files);
  for (const f of remove) await rm(path.join(scratch.dir, f));
  git(scratch.dir, 'add', '-A');
  git(scratch.dir, 'commit', '-q', '--allow-empty', '-m', label);
  commits[label] = git(scratch.dir, 'rev-parse', 'HEAD');
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-desired-history-');
  git(scratch.dir, 'init', '-q', '-b', 'main');
  await commit('add', { 'manifests/staff.yaml': manifest(entry('ada@contoso.edu', 'staff/ada.jpg') + entry('grace@contoso.edu', 'staff/grace.jpg')), 'photos/staff/ada.jpg': 'A', 'photos/staff/grace.jpg': 'G' });
  await commit('rename', { 'manifests/staff.yaml': manifest(entry('ada@contoso.edu', 'staff/ada-lovelace.jpg') + entry('grace@contoso.edu', 'staff/grace.jpg')), 'photos/staff/ada-lovelace.jpg': 'A' }, ['photos/staff/ada.jpg']);
  await commit('move', { 'manifests/staff.yaml': manifest(entry('grace@contoso.edu', 'staff/grace.jpg')), 'manifests/maths.yaml': manifest(entry('Ada@Contoso.edu', 'staff/ada-lovelace.jpg')) });
  await commit('grace only', { 'photos/staff/grace.jpg': 'G2' });
  await commit('remap', { 'manifests/maths.yaml': manifest(entry('ada@contoso.edu', 'staff/ada-2026.jpg')), 'photos/staff/ada-2026.jpg': 'B' });
  await commit('crop', { 'manifests/maths.yaml': manifest(entry('ada@contoso.edu', 'staff/ada-2026.jpg', '    crop: attention\n')) });
  await commit('remove', { 'manifests/maths.yaml': manifest('') + '  []\n' });
  await commit('re-add', { 'manifests/maths.yaml': manifest(entry('ada@contoso.edu', 'staff/ada-2026.jpg', '    crop: attention\n')) });
  await commit('in place', { 'photos/staff/ada-2026.jpg': 'C' });
  await commit('missing', {}, ['photos/staff/ada-2026.jpg']);
  await commit('back', { 'photos/staff/ada-2026.jpg': 'C' });
}, 60_000);
afterAll(() => scratch?.cleanup());

function keyOf(user: string) {
  const parsed = parseUserKey(user);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

async function historyOf(user: string | 'all') {
  const subjects = user === 'all' ? 'all' : [keyOf(user)];
  const out: { label: string; subject: string; kind: string; photo?: string; file?: string; readded?: boolean }[] = [];
  const labels = new Map(Object.entries(commits).map(([k, v]) => [v, k]));
  for await (const revision of desiredHistory(scratch.dir, 'HEAD', subjects)) {
    for (const c of revision.changes) out.push({ label: labels.get(revision.info.commit)!, subject: c.subject, kind: c.kind, ...(c.after ? { photo: c.after.photo, file: c.after.file } : {}), ...(c.readded ? { readded: true } : {}) });
  }
  return out;
}

describe('desiredHistory follows a key', () => {
  it('lists exactly the revisions that changed the photo, across renames and manifest files', async () => {
    expect(await historyOf('ADA@contoso.edu')).toEqual([
      { label: 'add', subject: 'upn:ada@contoso.edu', kind: 'new', photo: 'photos/staff/ada.jpg', file: 'manifests/staff.yaml' },
      { label: 'remap', subject: 'upn:ada@contoso.edu', kind: 'replaced', photo: 'photos/staff/ada-2026.jpg', file: 'manifests/maths.yaml' },
      { label: 'crop', subject: 'upn:ada@contoso.edu', kind: 'settings', photo: 'photos/staff/ada-2026.jpg', file: 'manifests/maths.yaml' },
      { label: 'remove', subject: 'upn:ada@contoso.edu', kind: 'removed' },
      { label: 're-add', subject: 'upn:ada@contoso.edu', kind: 'new', photo: 'photos/staff/ada-2026.jpg', file: 'manifests/maths.yaml', readded: true },
      { label: 'in place', subject: 'upn:ada@contoso.edu', kind: 'replaced', photo: 'photos/staff/ada-2026.jpg', file: 'manifests/maths.yaml' },
      { label: 'missing', subject: 'upn:ada@contoso.edu', kind: 'invalid' },
      { label: 'back', subject: 'upn:ada@contoso.edu', kind: 'valid-again', photo: 'photos/staff/ada-2026.jpg', file: 'manifests/maths.yaml' },
    ]);
  });

  it('following every subject gives the same changes for each, in revision order', async () => {
    const all = await historyOf('all');
    expect(all.filter((c) => c.subject === 'upn:grace@contoso.edu').map((c) => [c.label, c.kind])).toEqual([
      ['add', 'new'],
      ['grace only', 'replaced'],
    ]);
    expect(all.filter((c) => c.subject === 'upn:ada@contoso.edu')).toEqual(await historyOf('ada@contoso.edu'));
  });

  it('a subject never declared has no history', async () => {
    expect(await historyOf('nobody@contoso.edu')).toEqual([]);
  });
});

describe('desiredHistory remembers the last declared photo through an invalid spell', () => {
  it('declared, photo missing, entry removed, entry back: re-added, against the photo last declared', async () => {
    const repo = await tempDir('entra-photos-desired-history-readd-');
    try {
      git(repo.dir, 'init', '-q', '-b', 'main');
      const step = async (message: string, files: Record<string, string>, remove: string[] = []) => {
        await writeTree(repo.dir, files);
        for (const f of remove) await rm(path.join(repo.dir, f));
        git(repo.dir, 'add', '-A');
        git(repo.dir, 'commit', '-q', '-m', message);
      };
      await step('declared', { 'manifests/a.yaml': manifest(entry('kim@contoso.edu', 'kim.jpg')), 'photos/kim.jpg': 'K' });
      await step('photo gone', {}, ['photos/kim.jpg']);
      await step('entry gone', { 'manifests/a.yaml': manifest('') + '  []\n' });
      await step('both back', { 'manifests/a.yaml': manifest(entry('kim@contoso.edu', 'kim.jpg')), 'photos/kim.jpg': 'K2' });
      const seen: string[] = [];
      for await (const revision of desiredHistory(repo.dir, 'HEAD', [keyOf('kim@contoso.edu')])) {
        for (const c of revision.changes) seen.push(`${revision.info.subject}: ${c.kind}${c.readded ? ' readded' : ''}${c.before ? ` before ${c.before.photo}@${c.before.blobId.slice(0, 7)}` : ''}`);
      }
      const firstBlob = git(repo.dir, 'rev-parse', 'HEAD~3:photos/kim.jpg').slice(0, 7);
      expect(seen).toEqual(['declared: new', `photo gone: invalid before photos/kim.jpg@${firstBlob}`, `entry gone: removed before photos/kim.jpg@${firstBlob}`, `both back: new readded before photos/kim.jpg@${firstBlob}`]);
    } finally {
      await repo.cleanup();
    }
  });
});

describe('desiredHistory notices a photo that appears later', () => {
  it('an entry whose folder does not exist yet is invalid until the photo is added, then new', async () => {
    const repo = await tempDir('entra-photos-desired-history-late-');
    try {
      git(repo.dir, 'init', '-q', '-b', 'main');
      await writeTree(repo.dir, { 'manifests/a.yaml': manifest(entry('late@contoso.edu', 'new/late.jpg')), 'photos/other.jpg': 'x' });
      git(repo.dir, 'add', '-A');
      git(repo.dir, 'commit', '-q', '-m', 'entry first');
      await writeTree(repo.dir, { 'photos/new/late.jpg': 'L' });
      git(repo.dir, 'add', '-A');
      git(repo.dir, 'commit', '-q', '-m', 'photo later');
      const kinds: string[] = [];
      for await (const revision of desiredHistory(repo.dir, 'HEAD', [keyOf('late@contoso.edu')])) kinds.push(...revision.changes.map((c) => `${revision.info.subject}: ${c.kind}${c.after ? ` ${c.after.photo}` : ''}`));
      expect(kinds).toEqual(['entry first: invalid', 'photo later: new photos/new/late.jpg']);
    } finally {
      await repo.cleanup();
    }
  });
});

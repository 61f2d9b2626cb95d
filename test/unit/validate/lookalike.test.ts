/**
 * Issue 11 part 5: a photo path that does not exist while a file with the same name in another
 * Unicode form (or case / compatibility form) does. Checked on the working tree and on a real
 * commit (git keeps both spellings as different names), with files really named both ways.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/findings.js';
import { RevisionSnapshot } from '../../../src/repo/revision.js';
import type { Snapshot } from '../../../src/repo/snapshot.js';
import { WorktreeSnapshot } from '../../../src/repo/worktree.js';
import { describeDifference, LookalikeIndex } from '../../../src/validate/photoPath.js';
import { validateRepository } from '../../../src/validate/validate.js';
import { git, initGitRepo, SAMPLE_PHOTO, tempDir, writeTree, type FileSpec } from '../../helpers/repo.js';

const photo = readFileSync(SAMPLE_PHOTO);
const NFC = 'jos\u00e9.jpg';
const NFD = 'jose\u0301.jpg';
const manifest = (photoPath: string) => `version: 1\nusers:\n  - user: jose@contoso.edu\n    photo: ${JSON.stringify(photoPath)}\n`;

let root: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
beforeAll(async () => {
  root = await tempDir('entra-photos-lookalike-');
});
afterAll(() => root.cleanup());

/** The same tree validated as a working tree and as a commit. */
async function validateBoth(files: Record<string, FileSpec>): Promise<{ label: string; findings: Finding[]; users: string[] }[]> {
  const dir = `${root.dir}/repo-${n++}`;
  await writeTree(dir, files);
  initGitRepo(dir);
  const out = [];
  for (const snapshot of [new WorktreeSnapshot(dir), await RevisionSnapshot.open(dir, 'HEAD')] as Snapshot[]) {
    try {
      const result = await validateRepository(snapshot);
      out.push({ label: snapshot instanceof WorktreeSnapshot ? 'worktree' : 'revision', findings: result.findings, users: result.users.map((u) => u.photoPath) });
    } finally {
      snapshot.close();
    }
  }
  return out;
}

describe('a photo named in another Unicode form', () => {
  it('git keeps the decomposed name as written (the premise of these tests)', async () => {
    const dir = `${root.dir}/premise`;
    await writeTree(dir, { [`photos/${NFD}`]: photo });
    initGitRepo(dir);
    expect(git(dir, 'ls-files', '-z').split('\0')).toContain(`photos/${NFD}`);
  });

  it.each([
    ['manifest composed (NFC), file decomposed (NFD, as macOS writes it)', NFC, NFD, '"\u00e9" U+00E9 (composed, NFC)', '"e\u0301" U+0065 U+0301 (decomposed, NFD'],
    ['manifest decomposed, file composed', NFD, NFC, '"e\u0301" U+0065 U+0301 (decomposed, NFD', '"\u00e9" U+00E9 (composed, NFC)'],
  ])('%s: one error that says so, no orphan warning, nothing declared', async (_name, written, onDisk, writtenForm, diskForm) => {
    for (const r of await validateBoth({ 'manifests/staff.yaml': manifest(`staff/${written}`), [`photos/staff/${onDisk}`]: photo })) {
      expect(r.findings.map((f) => [f.severity, f.code, f.file, f.line, f.col]), r.label).toEqual([['error', 'photo-missing', 'manifests/staff.yaml', 4, 12]]);
      const message = r.findings[0]!.message;
      expect(message).toContain(`The photo "staff/${written}" does not exist as written, but the file exists with a different Unicode form ("staff/${onDisk}": `);
      expect(message).toContain(`the manifest writes ${writtenForm}`);
      expect(message).toContain(`the file name has ${diskForm}`);
      expect(message).toContain('rename it or copy the name from the file');
      // Not accepted: the desired state names no file the revision does not have.
      expect(r.users, r.label).toEqual([]);
    }
  });

  it('a folder in another Unicode form', async () => {
    const folderNfd = 'e\u0301le\u0300ves';
    for (const r of await validateBoth({ 'manifests/staff.yaml': manifest('\u00e9l\u00e8ves/ada.jpg'), [`photos/${folderNfd}/ada.jpg`]: photo })) {
      expect(r.findings.map((f) => [f.code, f.line]), r.label).toEqual([['photo-missing', 4]]);
      expect(r.findings[0]!.message).toContain('the file exists with a different Unicode form');
      expect(r.findings[0]!.message).toContain('U+00E9 U+006C U+00E8');
    }
  });

  it('when both spellings are committed, each is its own file: the named one is used, the other is unused', async () => {
    for (const r of await validateBoth({ 'manifests/staff.yaml': manifest(`staff/${NFC}`), [`photos/staff/${NFC}`]: photo, [`photos/staff/${NFD}`]: photo })) {
      expect(r.users, r.label).toEqual([`photos/staff/${NFC}`]);
      expect(r.findings.map((f) => [f.severity, f.code, f.file]), r.label).toEqual([['warning', 'orphan-photo', `photos/staff/${NFD}`]]);
    }
  });
});

describe('case and compatibility lookalikes', () => {
  it('fullwidth letters: did you mean, with the code points, and no orphan warning', async () => {
    for (const r of await validateBoth({ 'manifests/staff.yaml': manifest('staff/\uff21da.jpg'), 'photos/staff/ada.jpg': photo })) {
      expect(r.findings.map((f) => [f.code, f.line, f.col]), r.label).toEqual([['photo-missing', 4, 12]]);
      expect(r.findings[0]!.message).toContain('Did you mean "staff/ada.jpg" (the manifest writes "\uff21" U+FF21, the file name has "a" U+0061)?');
    }
  });

  it('case only: did you mean, and the suggested file is not also called unused', async () => {
    for (const r of await validateBoth({ 'manifests/staff.yaml': manifest('Staff/Ada.JPG'), 'photos/staff/ada.jpg': photo, 'photos/staff/other.jpg': photo })) {
      expect(r.findings.map((f) => [f.code, f.file]), r.label).toEqual([
        ['photo-missing', 'manifests/staff.yaml'],
        ['orphan-photo', 'photos/staff/other.jpg'],
      ]);
      expect(r.findings[0]!.message).toMatch(/does not exist .* Did you mean "staff\/ada\.jpg"\?$/);
    }
  });

  it('another extension: did you mean', async () => {
    for (const r of await validateBoth({ 'manifests/staff.yaml': manifest('staff/ada.jpg'), 'photos/staff/ada.png': photo })) {
      expect(r.findings.map((f) => f.code), r.label).toEqual(['photo-missing']);
      expect(r.findings[0]!.message).toContain('Did you mean "staff/ada.png"?');
    }
  });
});

describe('data in path messages stays on its line', () => {
  it('a missing photo and an unused one whose names hold a line break and a bidi override', async () => {
    const dir = `${root.dir}/hostile-names`;
    await writeTree(dir, { 'manifests/staff.yaml': manifest('staff/a\nb\u202e.jpg'), 'photos/staff/x\u202egpj.exe': photo });
    const { findings } = await validateRepository(new WorktreeSnapshot(dir));
    const missing = findings.find((f) => f.code === 'photo-missing')!;
    expect(missing.message).toContain('"staff/a\\nb\\u{202e}.jpg"');
    const orphan = findings.find((f) => f.code === 'orphan-photo')!;
    expect(orphan.message).toContain('photos/staff/x\\u{202e}gpj.exe is not used');
    for (const f of findings) expect(f.message).not.toMatch(/[\n\u202e]/);
  });
});

describe('LookalikeIndex', () => {
  const index = new LookalikeIndex(['photos/a/ada.jpg', `photos/${NFD}`, 'photos/Stra\u00dfe.jpg', 'photos/b/bob.png']);
  it.each([
    [`photos/${NFC}`, { path: `photos/${NFD}`, kind: 'unicode-form' }],
    ['photos/A/ADA.jpg', { path: 'photos/a/ada.jpg', kind: 'case' }],
    [`photos/JOSE\u0301.JPG`, { path: `photos/${NFD}`, kind: 'case' }],
    ['photos/STRASSE.jpg', { path: 'photos/Stra\u00dfe.jpg', kind: 'case' }],
    ['photos/b/bob.jpg', { path: 'photos/b/bob.png', kind: 'extension' }],
    ['photos/carol.jpg', undefined],
  ])('%j', (wanted, expected) => {
    expect(index.find(wanted)).toEqual(expected);
  });

  it('describes a difference from its base character, with code points', () => {
    expect(describeDifference('caf\u00e9s.jpg', 'cafe\u0301s.jpg')).toBe('the manifest writes "\u00e9" U+00E9 (composed, NFC), the file name has "e\u0301" U+0065 U+0301 (decomposed, NFD, as macOS writes names)');
    expect(describeDifference('e\u0301a', 'e\u0300a')).toBe('the manifest writes "e\u0301" U+0065 U+0301 (decomposed, NFD, as macOS writes names), the file name has "e\u0300" U+0065 U+0300 (decomposed, NFD, as macOS writes names)');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parseManifest } from '../../../src/manifest/parse.js';
import { describeKey, groupKeyForm, parseGroupKey } from '../../../src/manifest/userKey.js';
import { WorktreeSnapshot } from '../../../src/repo/worktree.js';
import { validateRepository } from '../../../src/validate/validate.js';
import { SAMPLE_PHOTO, tempDir, writeTree } from '../../helpers/repo.js';

describe('groups: in a manifest', () => {
  it('reads the issue example: group by mail, name, photo, with positions', () => {
    const text = `version: 1
groups:
  - group: class-9b@school.edu
    name: Class 9B
    photo: groups/9b.jpg
  - group: Staff-Room
    photo: groups/staff.jpg
    crop: attention
  - group: 0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01
    photo: groups/it.jpg
`;
    const { manifest, findings } = parseManifest('manifests/groups.yaml', text);
    expect(findings).toEqual([]);
    expect(manifest?.users).toEqual([]);
    expect(manifest?.groups.map((g) => [g.key.kind, g.key.canonical, g.name, g.photo, g.crop, g.keyAt.line, g.photoAt.line])).toEqual([
      ['group', 'group:class-9b@school.edu', 'Class 9B', 'groups/9b.jpg', 'centre', 3, 5],
      ['group', 'group:staff-room', undefined, 'groups/staff.jpg', 'attention', 6, 7],
      ['group', 'group:0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', undefined, 'groups/it.jpg', 'centre', 9, 10],
    ]);
    expect(manifest?.groups.map((g) => groupKeyForm(g.key))).toEqual(['mail', 'mailNickname', 'objectId']);
    expect(describeKey(manifest!.groups[0]!.key)).toBe('group class-9b@school.edu');
  });

  it('refuses unknown keys, a missing group or photo, and a user key inside groups, at their lines', () => {
    const text = `version: 1
groups:
  - group: a@school.edu
    photo: a.jpg
    grup: typo
  - name: nobody
    photo: b.jpg
  - user: ada@school.edu
    photo: c.jpg
`;
    const { findings } = parseManifest('m.yaml', text);
    const codes = findings.map((f) => [f.code, f.line]);
    expect(codes).toContainEqual(['unknown-key', 5]);
    expect(codes).toContainEqual(['missing-key', 6]);
    expect(codes).toContainEqual(['unknown-key', 8]);
    const unknown = findings.find((f) => f.line === 5)!;
    expect(unknown.message).toContain('groups entry 1');
    expect(unknown.message).toContain('Did you mean "group"?');
    expect(findings.find((f) => f.line === 6)!.message).toBe('Groups entry 2 is missing "group". Add "group:" to it.');
  });

  it('refuses hostile group names with a message that shows them as inert text and says what to write', () => {
    const hostile = ['class 9b', "x'); DROP", 'a/b', 'evil\u202egpj.exe', '%2e%2e', 'bad@', '@x.com', 'a'.repeat(65), 'name\u0007bell', '<script>'];
    for (const value of hostile) {
      const result = parseGroupKey(value);
      expect(result.ok, value).toBe(false);
    }
    const { findings, manifest } = parseManifest('m.yaml', 'version: 1\ngroups:\n  - group: "ev\\u202eil\\u0007 team"\n    photo: a.jpg\n  - group: ok-team\n    photo: b.jpg\n');
    expect(findings.map((f) => [f.code, f.line])).toEqual([['invalid-group-key', 3]]);
    expect(findings[0]!.message).not.toMatch(/[\u202e\u0007]/);
    expect(findings[0]!.message).toContain('mailNickname');
    expect(manifest?.groups.map((g) => g.key.value)).toEqual(['ok-team']);
  });

  it('accepts the mailNickname characters schools use, and folds case', () => {
    for (const value of ['class-9b', 'Year.7_Science', "o'brien-tutor", 'x+y']) {
      const result = parseGroupKey(value);
      expect(result.ok, value).toBe(true);
    }
    const a = parseGroupKey('Class-9B');
    const b = parseGroupKey('class-9b');
    expect(a.ok && b.ok && a.key.canonical === b.key.canonical).toBe(true);
  });
});

describe('groups: in validation', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('entra-photos-groups-'));
    const jpeg = await readFile(SAMPLE_PHOTO);
    await writeTree(dir, {
      'photos/staff/ada.jpg': jpeg,
      'photos/groups/9b.jpg': jpeg,
      'photos/groups/9c.jpg': jpeg,
      'manifests/staff.yaml': 'version: 1\nusers:\n  - user: ada@school.edu\n    photo: staff/ada.jpg\ngroups:\n  - group: class-9b@school.edu\n    name: Class 9B\n    photo: groups/9b.jpg\n',
      'manifests/classes.yaml': [
        'version: 1',
        'groups:',
        '  - group: CLASS-9B@school.edu', // line 3: the same group, another file, another case
        '    photo: groups/9c.jpg',
        '  - group: class-9c',
        '    photo: ../outside.jpg', // line 6: escapes photoRoot
        '  - group: class-9d',
        '    photo: groups/missing.jpg', // line 8
        '  - group: class-9e',
        '    photo: groups/9c.jpg',
        '',
      ].join('\n'),
    });
  });
  afterAll(() => cleanup());

  it('applies the users rules to groups: duplicates across files, paths inside photoRoot, missing photos; groups are declared subjects', async () => {
    const result = await validateRepository(new WorktreeSnapshot(dir));
    const errors = result.findings.filter((f) => f.severity === 'error');
    const duplicate = errors.find((f) => f.code === 'duplicate-group');
    // Manifests are read in file-name order: classes.yaml declares it first.
    expect(duplicate).toMatchObject({ file: 'manifests/staff.yaml', line: 6 });
    expect(duplicate!.message).toBe('group class-9b@school.edu is already declared at manifests/classes.yaml:3. A group has one photo: remove one of the two entries.');
    expect(errors.find((f) => f.file === 'manifests/classes.yaml' && f.line === 6)).toMatchObject({ file: 'manifests/classes.yaml', code: expect.stringMatching(/outside|escape/) });
    expect(errors.find((f) => f.file === 'manifests/classes.yaml' && f.line === 8)).toMatchObject({ file: 'manifests/classes.yaml', code: 'photo-missing' });
    expect(result.users.map((u) => u.key.canonical).sort()).toEqual(['group:class-9b@school.edu', 'group:class-9e', 'upn:ada@school.edu']);
    expect(result.stats).toMatchObject({ users: 1, groups: 2 });
    // Group photos go through the same image checks and normalisation.
    expect(result.decoded.map((d) => d.path).sort()).toEqual(['photos/groups/9c.jpg', 'photos/staff/ada.jpg']);
    expect(result.decoded.every((d) => d.report.output?.width === 648)).toBe(true);
  });
});

/**
 * The bad-input corpus: each case is a small repository on disk with one thing wrong, validated
 * for real (real files, symlinks, real sharp). Each asserts the finding's code, file, line and
 * column where the problem is in a manifest, and that the message tells the user what to do.
 */
import { readFileSync } from 'node:fs';
import { pngFile } from '../helpers/pngBytes.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorktreeSnapshot } from '../../src/repo/worktree.js';
import { validateRepository } from '../../src/validate/validate.js';
import { SAMPLE_PHOTO, tempDir, writeTree, type FileSpec } from '../helpers/repo.js';

const photo = readFileSync(SAMPLE_PHOTO);

// Image fixtures made with real sharp (tests may use sharp; src/ only in src/photo).
const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#4a6fa5' } });
const tinyJpeg = await solid(80, 80).jpeg().toBuffer();
const smallJpeg = await solid(300, 300).jpeg().toBuffer();
const tallJpeg = await solid(400, 600).jpeg().toBuffer();
const truncatedJpeg = photo.subarray(0, Math.floor(photo.length / 2));
const gpsJpeg = await sharp(photo)
  .withExif({ IFD0: { Make: 'PhoneCo' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
  .jpeg()
  .toBuffer();
/** A PNG that declares 30000×30000 pixels in a few bytes: a decompression bomb's header. */
function pngBombHeader(): Buffer {
  return pngFile(30000, 30000, Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
}
const withPhoto = (bytes: Buffer | string, manifest = ok()) => base(manifest, { 'photos/staff/ada.jpg': bytes });

interface Expected {
  code: string;
  file: string;
  line?: number;
  col?: number;
  severity?: 'error' | 'warning';
  /** Fragments the message must contain: the advice a user can act on. */
  says: (string | RegExp)[];
}

interface Case {
  name: string;
  files: Record<string, FileSpec>;
  expect: Expected;
}

const ok = (extra = '') => `version: 1
users:
  - user: ada@contoso.edu
    photo: staff/ada.jpg
${extra}`;

const base = (manifest: string, more: Record<string, FileSpec> = {}): Record<string, FileSpec> => ({
  'manifests/staff.yaml': manifest,
  'photos/staff/ada.jpg': photo,
  ...more,
});

const cases: Case[] = [
  {
    name: 'YAML: missing colon',
    files: base('version: 1\nusers:\n  - user ada@contoso.edu\n    photo: staff/ada.jpg\n'),
    expect: { code: 'yaml-syntax', file: 'manifests/staff.yaml', line: 3, says: ['YAML syntax error', 'indentation'] },
  },
  {
    name: 'YAML: tab indentation',
    files: base('version: 1\nusers:\n\t- user: ada@contoso.edu\n'),
    expect: { code: 'yaml-syntax', file: 'manifests/staff.yaml', line: 3, says: ['spaces, not tabs'] },
  },
  {
    name: 'YAML: duplicate key in an entry',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n    photo: staff/ada2.jpg\n'),
    expect: { code: 'duplicate-key', file: 'manifests/staff.yaml', line: 5, col: 5, says: ['keep one'] },
  },
  {
    name: 'YAML: alias bomb',
    files: base(
      'version: 1\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
    ),
    expect: { code: 'yaml-aliases', file: 'manifests/staff.yaml', line: 1, says: ['aliases', 'in full'] },
  },
  {
    name: 'schema: version missing',
    files: base('users:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n'),
    expect: { code: 'missing-key', file: 'manifests/staff.yaml', line: 1, says: ['version: 1'] },
  },
  {
    name: 'schema: unsupported version',
    files: base(ok().replace('version: 1', 'version: 2')),
    expect: { code: 'unsupported-version', file: 'manifests/staff.yaml', line: 1, col: 10, says: ['version: 1'] },
  },
  {
    name: 'schema: unknown top-level key with suggestion',
    files: base(`version: 1\nphotoroot: photos\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n`),
    expect: { code: 'unknown-key', file: 'manifests/staff.yaml', line: 2, col: 1, says: ['"photoroot"', 'Did you mean "photoRoot"'] },
  },
  {
    name: 'schema: unknown key in a user entry',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photos: staff/ada.jpg\n'),
    expect: { code: 'unknown-key', file: 'manifests/staff.yaml', line: 4, col: 5, says: ['Did you mean "photo"'] },
  },
  {
    name: 'schema: users is not a list',
    files: base('version: 1\nusers:\n  user: ada@contoso.edu\n  photo: staff/ada.jpg\n'),
    expect: { code: 'schema', file: 'manifests/staff.yaml', line: 3, says: ['must be a list'] },
  },
  {
    name: 'schema: entry without photo',
    files: base(`${ok()}  - user: grace@contoso.edu\n`),
    expect: { code: 'missing-key', file: 'manifests/staff.yaml', line: 5, col: 5, says: ['missing "photo"', 'Add "photo:"'] },
  },
  {
    name: 'schema: entry with both user and employeeId',
    files: base(`${ok()}  - user: grace@contoso.edu\n    employeeId: "123"\n    photo: staff/ada.jpg\n`),
    expect: { code: 'ambiguous-user-key', file: 'manifests/staff.yaml', line: 5, says: ['Keep one'] },
  },
  {
    name: 'schema: entry with neither user nor employeeId',
    files: base(`${ok()}  - photo: staff/ada.jpg\n`),
    expect: { code: 'missing-user-key', file: 'manifests/staff.yaml', line: 5, says: ['Add "user:"', 'employeeId'] },
  },
  {
    name: 'schema: employeeId written as a number loses zeros',
    files: base('version: 1\nusers:\n  - employeeId: 00123\n    photo: staff/ada.jpg\n'),
    expect: { code: 'schema', file: 'manifests/staff.yaml', line: 3, col: 17, says: ['leading zeros', 'employeeId: "00123"'] },
  },
  {
    name: 'schema: invalid crop value',
    files: base('version: 1\ncrop: face\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n'),
    expect: { code: 'schema', file: 'manifests/staff.yaml', line: 2, col: 7, says: ['"attention"', '"centre"'] },
  },
  {
    name: 'schema: invalid policy source',
    files: base(ok('policy:\n  source: azure\n')),
    expect: { code: 'schema', file: 'manifests/staff.yaml', line: 6, col: 11, says: ['"cloud"', '"onPremises"'] },
  },
  {
    name: 'user key: UPN with a space',
    files: base('version: 1\nusers:\n  - user: ada lovelace@contoso.edu\n    photo: staff/ada.jpg\n'),
    expect: { code: 'invalid-user-key', file: 'manifests/staff.yaml', line: 3, col: 11, says: ['not a valid userPrincipalName'] },
  },
  {
    name: 'user key: bare user name',
    files: base('version: 1\nusers:\n  - user: alovelace\n    photo: staff/ada.jpg\n'),
    expect: { code: 'invalid-user-key', file: 'manifests/staff.yaml', line: 3, says: ['full sign-in name', 'employeeId'] },
  },
  {
    name: 'user key: characters built to break a URL or OData filter',
    files: base("version: 1\nusers:\n  - user: \"ada'/../x?$filter=1@contoso.edu\"\n    photo: staff/ada.jpg\n"),
    expect: { code: 'invalid-user-key', file: 'manifests/staff.yaml', line: 3, says: ['not a valid userPrincipalName'] },
  },
  {
    name: 'duplicate user across files, differing only in case',
    files: base(ok(), { 'manifests/more.yaml': 'version: 1\nusers:\n  - user: Ada@Contoso.EDU\n    photo: staff/ada.jpg\n' }),
    expect: { code: 'duplicate-user', file: 'manifests/staff.yaml', line: 3, says: ['already declared at manifests/more.yaml:3', 'remove one'] },
  },
  {
    name: 'duplicate object id in different case',
    files: base(
      'version: 1\nusers:\n  - user: 0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01\n    photo: staff/ada.jpg\n  - user: 0B6C2F0E-3C1D-4A3E-9F7A-2D5E8C1B9A01\n    photo: staff/ada.jpg\n',
    ),
    expect: { code: 'duplicate-user', file: 'manifests/staff.yaml', line: 5, says: ['already declared at manifests/staff.yaml:3'] },
  },
  {
    name: 'two policies',
    files: base(ok('policy:\n  source: cloud\n'), { 'manifests/policy.yaml': 'version: 1\npolicy:\n  source: cloud\n' }),
    expect: { code: 'multiple-policies', file: 'manifests/staff.yaml', line: 5, says: ['already declared at manifests/policy.yaml:2', 'single "policy:"'] },
  },
  {
    name: 'unknown role name, with suggestion',
    files: base(ok('policy:\n  allowedRoles:\n    - User Admin\n')),
    expect: { code: 'unknown-role', file: 'manifests/staff.yaml', line: 7, col: 7, says: ['Did you mean "User Administrator"', 'Allowed:'] },
  },
  {
    name: 'unknown role template id',
    files: base(ok('policy:\n  allowedRoles: ["11111111-2222-3333-4444-555555555555"]\n')),
    expect: { code: 'unknown-role', file: 'manifests/staff.yaml', line: 6, says: ['not a role that can update photos', 'Global Administrator'] },
  },
  {
    name: 'policy onPremises blocks cloud writes',
    files: base(ok('policy:\n  source: onPremises\n')),
    expect: { code: 'policy-blocks-cloud-writes', file: 'manifests/staff.yaml', line: 5, severity: 'warning', says: ['source: cloud'] },
  },
  {
    name: 'photo missing, with a case suggestion',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: Staff/Ada.jpg\n'),
    expect: { code: 'photo-missing', file: 'manifests/staff.yaml', line: 4, col: 12, says: ['does not exist', 'Did you mean "staff/ada.jpg"'] },
  },
  {
    name: 'photo path absolute',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: /etc/passwd\n'),
    expect: { code: 'photo-path-absolute', file: 'manifests/staff.yaml', line: 4, says: ['relative to photoRoot'] },
  },
  {
    name: 'photo path escapes photoRoot with ..',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: ../manifests/staff.yaml\n'),
    expect: { code: 'photo-path-escapes-root', file: 'manifests/staff.yaml', line: 4, says: ['outside photoRoot', 'remove the ".."'] },
  },
  {
    name: 'photo path climbs out of the repository',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: ../../../../etc/passwd\n'),
    expect: { code: 'photo-path-escapes-root', file: 'manifests/staff.yaml', line: 4, says: ['outside photoRoot'] },
  },
  {
    name: 'photo path with backslashes',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff\\ada.jpg\n'),
    expect: { code: 'photo-path-backslash', file: 'manifests/staff.yaml', line: 4, says: ['forward slashes', '"staff/ada.jpg"'] },
  },
  {
    name: 'photo is a symlink out of the repository',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/link.jpg\n', { 'photos/staff/link.jpg': { symlink: '/etc/passwd' } }),
    expect: { code: 'photo-symlink-escapes', file: 'manifests/staff.yaml', line: 4, says: ['symlink', 'copy the photo in'] },
  },
  {
    name: 'photo behind a symlinked folder that leaves photoRoot',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: elsewhere/ada.jpg\n', { 'photos/elsewhere': { symlink: '../../' }, 'other/ada.jpg': photo }),
    expect: { code: 'photo-symlink-escapes', file: 'manifests/staff.yaml', line: 4, says: ['outside photoRoot'] },
  },
  {
    name: 'photo is a folder',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff\n'),
    expect: { code: 'photo-not-regular-file', file: 'manifests/staff.yaml', line: 4, says: ['a folder', 'image file'] },
  },
  {
    name: 'photo is a Git LFS pointer',
    files: base(ok(), {
      'photos/staff/ada.jpg': 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n',
    }),
    expect: { code: 'photo-lfs-pointer', file: 'manifests/staff.yaml', line: 4, says: ['Git LFS pointer', 'lfs: true'] },
  },
  {
    name: 'photoRoot outside the repository',
    files: base('version: 1\nphotoRoot: ../elsewhere\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n'),
    expect: { code: 'photo-root-outside-repo', file: 'manifests/staff.yaml', line: 2, col: 12, says: ['inside the repository'] },
  },
  {
    name: 'orphan photo',
    files: base(ok(), { 'photos/staff/forgotten.jpg': photo }),
    expect: { code: 'orphan-photo', file: 'photos/staff/forgotten.jpg', severity: 'warning', says: ['not used by any manifest', 'Add a users (or groups) entry'] },
  },
  {
    name: 'empty manifest',
    files: base(ok(), { 'manifests/empty.yaml': '# nothing yet\n' }),
    expect: { code: 'manifest-empty', file: 'manifests/empty.yaml', line: 1, severity: 'warning', says: ['version: 1'] },
  },
  {
    name: 'no manifests at all',
    files: { 'photos/staff/ada.jpg': photo, 'manifests/README.md': 'hello' },
    expect: { code: 'no-manifests', file: 'manifests', says: ['Add at least one'] },
  },
  {
    name: 'manifest is a symlink',
    files: base(ok(), { 'manifests/linked.yaml': { symlink: '/etc/hostname' } }),
    expect: { code: 'manifest-not-regular-file', file: 'manifests/linked.yaml', says: ['real files'] },
  },
  {
    name: 'image: zero-byte file',
    files: withPhoto(Buffer.alloc(0)),
    expect: { code: 'image-empty', file: 'photos/staff/ada.jpg', says: ['used at manifests/staff.yaml:4'] },
  },
  {
    name: 'image: a text file named .jpg',
    files: withPhoto('Ada Lovelace, staff photo to follow\n'),
    expect: { code: 'image-unrecognised', file: 'photos/staff/ada.jpg', says: ['used at manifests/staff.yaml:4'] },
  },
  {
    name: 'image: an HTML page saved as .jpg',
    files: withPhoto('<!doctype html><html><body><img src="ada.jpg"></body></html>'),
    expect: { code: 'image-unrecognised', file: 'photos/staff/ada.jpg', says: ['used at'] },
  },
  {
    name: 'image: SVG with a script',
    files: withPhoto('<svg xmlns="http://www.w3.org/2000/svg" width="700" height="700"><script>alert(1)</script><rect width="700" height="700"/></svg>'),
    expect: { code: 'image-not-raster', file: 'photos/staff/ada.jpg', says: ['JPEG'] },
  },
  {
    name: 'image: truncated JPEG',
    files: withPhoto(truncatedJpeg),
    expect: { code: 'image-truncated', file: 'photos/staff/ada.jpg', says: ['used at manifests/staff.yaml:4'] },
  },
  {
    name: 'image: decompression bomb header',
    files: withPhoto(pngBombHeader()),
    expect: { code: 'image-too-many-pixels', file: 'photos/staff/ada.jpg', says: ['30000'] },
  },
  {
    name: 'image: too small for Graph',
    files: withPhoto(tinyJpeg),
    expect: { code: 'image-too-small', file: 'photos/staff/ada.jpg', says: ['80', '96'] },
  },
  {
    name: 'image: below the recommended 648 px',
    files: withPhoto(smallJpeg),
    expect: { code: 'image-below-recommended', file: 'photos/staff/ada.jpg', severity: 'warning', says: ['300', '648'] },
  },
  {
    name: 'image: not square, will be cropped',
    files: withPhoto(tallJpeg),
    expect: { code: 'image-not-square', file: 'photos/staff/ada.jpg', severity: 'warning', says: ['400', '600'] },
  },
  {
    name: 'image: not square with normalisation off',
    files: withPhoto(tallJpeg, `normalise: false\n${ok()}`),
    expect: { code: 'image-not-square', file: 'photos/staff/ada.jpg', severity: 'error', says: ['400', '600'] },
  },
  {
    name: 'image: GPS location in EXIF',
    files: withPhoto(gpsJpeg),
    expect: { code: 'image-gps-metadata', file: 'photos/staff/ada.jpg', severity: 'warning', says: ['stripped'] },
  },
  {
    name: 'YAML: a tag outside the core schema on a users entry',
    files: base('version: 1\nusers:\n  - !!python/object/apply:os.system\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n'),
    expect: { code: 'yaml-tag', file: 'manifests/staff.yaml', line: 3, col: 5, says: ['Remove the tag "!!python/object/apply:os.system"', 'quote it to keep it as text'] },
  },
  {
    name: 'YAML: a core tag that does not fit its value',
    files: base('version: 1\nusers:\n  - employeeId: !!int abc\n    photo: staff/ada.jpg\n'),
    expect: { code: 'yaml-tag', file: 'manifests/staff.yaml', line: 3, col: 17, says: ['"!!int" does not fit the value', 'Remove the tag'] },
  },
  {
    name: 'YAML: a merge key',
    files: base('version: 1\nusers:\n  - &ada\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n  - <<: *ada\n    user: bob@contoso.edu\n'),
    expect: { code: 'yaml-merge-key', file: 'manifests/staff.yaml', line: 6, col: 5, says: ['Merge keys ("<<:") are not supported', 'Write the keys out'] },
  },
  {
    name: 'YAML: a parser warning (unknown directive)',
    files: base('%SCHOOL district-7\n---\n' + ok()),
    expect: { code: 'yaml-directive', file: 'manifests/staff.yaml', line: 1, col: 1, severity: 'warning', says: ['Unknown directive %SCHOOL', 'Remove the "%" line'] },
  },
  {
    name: 'photo named in NFC, committed in NFD',
    files: base('version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/jos\u00e9.jpg\n', { 'photos/staff/jose\u0301.jpg': photo }),
    expect: { code: 'photo-missing', file: 'manifests/staff.yaml', line: 4, col: 12, says: ['the file exists with a different Unicode form', 'U+00E9', 'U+0065 U+0301', 'rename it or copy the name from the file'] },
  },
];

describe('bad-input corpus', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    root = await tempDir('entra-photos-corpus-');
  });
  afterAll(() => root.cleanup());

  it('has at least 30 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const dir = `${root.dir}/case-${i}`;
    await writeTree(dir, c.files);
    const result = await validateRepository(new WorktreeSnapshot(dir));
    const found = result.findings.find((f) => f.code === c.expect.code);
    expect(found, `findings were: ${JSON.stringify(result.findings, null, 2)}`).toBeDefined();
    expect(found!.file).toBe(c.expect.file);
    expect(found!.severity).toBe(c.expect.severity ?? 'error');
    if (c.expect.line !== undefined) expect(found!.line).toBe(c.expect.line);
    if (c.expect.col !== undefined) expect(found!.col).toBe(c.expect.col);
    for (const fragment of c.expect.says) {
      if (typeof fragment === 'string') expect(found!.message).toContain(fragment);
      else expect(found!.message).toMatch(fragment);
    }
  });
});

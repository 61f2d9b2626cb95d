/**
 * Hostile input: the bad-input corpus (test/integration/bad-input-corpus.test.ts, 49 cases)
 * extended with inputs built to attack the tool rather than mistakes: path traversal variants,
 * symlink chains out of the repository, LFS pointer variants, decompression bombs in every
 * format, truncated and polyglot files, SVG/HTML disguised as photos, keys built to break URLs
 * or OData filters, huge and deeply nested manifests, YAML alias bombs.
 *
 * Each case is checked twice:
 *   1. validate (worktree): refused with the expected code and a message that says what to do;
 *   2. apply (the same tree committed to git, applyRevision against the emulator): nothing is
 *      applied and the tenant sees no request at all (no token, no lookup, no write).
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { pngFile } from '../helpers/pngBytes.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRevision } from '../../src/apply/apply.js';
import { DEFAULT_USERS, type RunningEmulator } from '../../src/emulator/index.js';
import { WorktreeSnapshot } from '../../src/repo/worktree.js';
import { validateRepository } from '../../src/validate/validate.js';
import { git, SAMPLE_PHOTO, tempDir, writeTree, type FileSpec } from '../helpers/repo.js';
import { startTrustedEmulator, tenantFor } from './helpers.js';

const photo = readFileSync(SAMPLE_PHOTO);
const ok = (extra = '') => `version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n${extra}`;
const base = (manifest: string, more: Record<string, FileSpec> = {}): Record<string, FileSpec> => ({ 'manifests/staff.yaml': manifest, 'photos/staff/ada.jpg': photo, ...more });
const withPhoto = (bytes: Buffer | string, manifest = ok()) => base(manifest, { 'photos/staff/ada.jpg': bytes });
const pointing = (photoPath: string) => `version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: ${photoPath}\n`;
const keyed = (line: string) => `version: 1\nusers:\n  - ${line}\n    photo: staff/ada.jpg\n`;

// ---- Image fixtures -------------------------------------------------------------------------

function png(width: number, height: number, idat: Buffer, colourType = 2): Buffer {
  return pngFile(width, height, idat, { colourType });
}
/** A real zlib stream of 12000 rows × 12000 grey pixels of zeros: ~140 KB that inflates to 144 MB. */
const realPngBomb = png(12000, 12000, deflateSync(Buffer.alloc(12000 * 12001), { level: 9 }), 0);
/** A thin bomb: 1 × 200,000,000 pixels declared. */
const thinPngBomb = png(1, 200_000_000, deflateSync(Buffer.alloc(64)), 0);
/** A JPEG whose SOF0 declares 65000 × 65000 pixels, followed by the sample's scan data. */
function jpegWithDimensions(width: number, height: number): Buffer {
  const out = Buffer.from(photo);
  for (let i = 2; i < out.length - 9; ) {
    if (out[i] !== 0xff) break;
    const marker = out[i + 1]!;
    const len = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + len;
  }
  throw new Error('no SOF in the sample');
}
/** GIF89a with a 60000 × 60000 logical screen and one tiny frame. */
function gifBomb(): Buffer {
  const header = Buffer.from('GIF89a', 'latin1');
  const lsd = Buffer.alloc(7);
  lsd.writeUInt16LE(60000, 0);
  lsd.writeUInt16LE(60000, 2);
  lsd.set([0x80, 0, 0], 4);
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const image = Buffer.from([0x2c, 0, 0, 0, 0, 0x60, 0xea, 0x60, 0xea, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]);
  return Buffer.concat([header, lsd, palette, image]);
}
/** The classic GIF/JavaScript polyglot: a GIF header that is also `GIF89a=...;alert(1)`. */
const gifJsPolyglot = Buffer.concat([Buffer.from('GIF89a/*', 'latin1'), Buffer.from([0x0a, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00]), Buffer.from('*/=1;alert(document.domain);//', 'latin1'), Buffer.from([0x3b])]);
/** A JPEG with a ZIP archive appended (valid as both): only the JPEG's pixels may ever reach the tenant. */
const zipTail = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('evil.sh', 'latin1'), Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]);
const truncatedPng = await sharp({ create: { width: 700, height: 700, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png().toBuffer();
const webpHeaderBomb = (() => {
  // VP8X canvas 16384 × 16384 (268 MP): refused from the header alone.
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(16383, 4, 3);
  vp8x.writeUIntLE(16383, 7, 3);
  const chunk = Buffer.concat([Buffer.from('VP8X', 'latin1'), Buffer.from([10, 0, 0, 0]), vp8x]);
  const riffLen = Buffer.alloc(4);
  riffLen.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), riffLen, Buffer.from('WEBP', 'latin1'), chunk]);
})();

// ---- Manifest fixtures ----------------------------------------------------------------------

const deepYaml = `version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\nextra: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
const deepMapYaml = `version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\nextra:\n${Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} x\n`;
const mapAliasBomb =
  'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n' +
  'a: &a {a1: x, a2: x, a3: x, a4: x, a5: x, a6: x, a7: x, a8: x, a9: x}\n' +
  ['b', 'c', 'd', 'e', 'f', 'g'].map((k, i, arr) => `${k}: &${k} {${Array.from({ length: 9 }, (_, j) => `${k}${j}: *${i === 0 ? 'a' : arr[i - 1]}`).join(', ')}}`).join('\n') +
  '\n';
const mergeKeyBomb =
  'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n' +
  'x0: &x0 {v: [1,2,3,4,5,6,7,8,9,10]}\n' +
  Array.from({ length: 8 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array.from({ length: 10 }, () => `*x${i}`).join(',')}]`).join('\n') +
  '\n';
const HUGE = 50_000;
const hugeManifest = (() => {
  const lines = ['version: 1', 'users:'];
  for (let i = 0; i < HUGE; i++) lines.push(`  - user: s${100000 + i}@students.contoso.edu`, '    photo: staff/ada.jpg');
  lines.push('  - user: S100007@Students.Contoso.EDU', '    photo: staff/ada.jpg'); // duplicate, last line
  return lines.join('\n') + '\n';
})();

interface Case {
  name: string;
  files: Record<string, FileSpec>;
  code: string;
  file?: string;
  line?: number;
  says?: (string | RegExp)[];
}

const cases: Case[] = [
  // Path traversal variants.
  { name: 'traversal: staff/../../ climbs out of photoRoot', files: base(pointing('staff/../../manifests/staff.yaml')), code: 'photo-path-escapes-root', line: 4, says: ['outside photoRoot'] },
  { name: 'traversal: ./ and .. mixed', files: base(pointing('./staff/./../../../etc/passwd')), code: 'photo-path-escapes-root', line: 4 },
  { name: 'traversal: URL-encoded dots are a literal (missing) name', files: base(pointing('"%2e%2e/%2e%2e/etc/passwd"')), code: 'photo-missing', line: 4, says: ['does not exist'] },
  { name: 'traversal: Windows drive path', files: base(pointing('"C:/Windows/win.ini"')), code: 'photo-path-absolute', line: 4 },
  { name: 'traversal: UNC path', files: base(pointing('"//server/share/ada.jpg"')), code: 'photo-path-absolute', line: 4 },
  { name: 'traversal: NUL byte in the path', files: base(pointing('"staff/ada.jpg\\0../../etc/passwd"')), code: 'photo-missing', line: 4 },
  { name: 'traversal: photoRoot climbing out with ./..', files: base('version: 1\nphotoRoot: ./photos/../..\nusers:\n  - user: ada@contoso.edu\n    photo: etc/passwd\n'), code: 'photo-root-outside-repo', line: 2 },
  // Symlinks.
  { name: 'symlink chain ending outside the repository', files: base(pointing('staff/a.jpg'), { 'photos/staff/a.jpg': { symlink: 'b.jpg' }, 'photos/staff/b.jpg': { symlink: '/etc/passwd' } }), code: 'photo-symlink-escapes', line: 4 },
  { name: 'symlink to a manifest inside the repository (outside photoRoot)', files: base(pointing('staff/m.jpg'), { 'photos/staff/m.jpg': { symlink: '../../manifests/staff.yaml' } }), code: 'photo-symlink-escapes', line: 4 },
  { name: 'symlink to /dev/zero', files: base(pointing('staff/z.jpg'), { 'photos/staff/z.jpg': { symlink: '/dev/zero' } }), code: 'photo-symlink-escapes', line: 4 },
  { name: 'photoRoot itself is a symlink out of the repository', files: { 'manifests/staff.yaml': 'version: 1\nphotoRoot: pics\nusers:\n  - user: ada@contoso.edu\n    photo: passwd\n', pics: { symlink: '/etc' } }, code: 'photo-symlink-escapes', says: ['symlink'] },
  // LFS pointers.
  { name: 'LFS pointer with CRLF line ends', files: withPhoto('version https://git-lfs.github.com/spec/v1\r\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\r\nsize 12345\r\n'), code: 'photo-lfs-pointer', says: ['Git LFS pointer'] },
  { name: 'LFS pointer with extension lines', files: withPhoto('version https://git-lfs.github.com/spec/v1\next-0-foo sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 3000000\n'), code: 'photo-lfs-pointer' },
  // Decompression bombs.
  { name: 'bomb: real 12000² PNG that inflates to 144 MB', files: withPhoto(realPngBomb), code: 'image-too-many-pixels', file: 'photos/staff/ada.jpg' },
  { name: 'bomb: thin PNG 1 × 200,000,000', files: withPhoto(thinPngBomb), code: 'image-undecodable', file: 'photos/staff/ada.jpg' },
  { name: 'bomb: JPEG declaring 65000 × 65000', files: withPhoto(jpegWithDimensions(65000, 65000)), code: 'image-too-many-pixels', file: 'photos/staff/ada.jpg' },
  { name: 'bomb: GIF with a 60000² logical screen', files: withPhoto(gifBomb()), code: 'image-too-many-pixels', file: 'photos/staff/ada.jpg' },
  { name: 'bomb: WebP canvas 16384² without image data', files: withPhoto(webpHeaderBomb), code: 'image-undecodable', file: 'photos/staff/ada.jpg' },
  // Truncated, polyglot, disguised.
  { name: 'truncated PNG', files: withPhoto(truncatedPng.subarray(0, Math.floor(truncatedPng.length * 0.6))), code: 'image-truncated', file: 'photos/staff/ada.jpg' },
  { name: 'JPEG cut inside its header', files: withPhoto(photo.subarray(0, 300)), code: 'image-undecodable', file: 'photos/staff/ada.jpg' },
  { name: 'polyglot: GIF that is also JavaScript', files: withPhoto(gifJsPolyglot), code: 'image-undecodable', file: 'photos/staff/ada.jpg' },
  { name: 'polyglot: ZIP with a JPEG signature in front', files: withPhoto(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), zipTail])), code: 'image-undecodable', file: 'photos/staff/ada.jpg' },
  { name: 'SVG with an XML prolog, a BOM and an onload handler', files: withPhoto('\ufeff<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" width="700" height="700"/>'), code: 'image-not-raster', file: 'photos/staff/ada.jpg' },
  { name: 'SVG gzipped (svgz) named .jpg', files: withPhoto(Buffer.from('1f8b0800000000000003b329', 'hex')), code: 'image-unrecognised', file: 'photos/staff/ada.jpg' },
  { name: 'zero-byte file named .png', files: base(pointing('staff/empty.png'), { 'photos/staff/empty.png': Buffer.alloc(0) }), code: 'image-empty', file: 'photos/staff/empty.png' },
  { name: 'PDF named .jpg', files: withPhoto('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'), code: 'image-not-raster', file: 'photos/staff/ada.jpg' },
  // Keys built to break URLs or OData filters.
  { name: 'key: UPN with a slash and a query', files: base(keyed('user: "ada/../../me?$select=x@contoso.edu"')), code: 'invalid-user-key', line: 3 },
  { name: 'key: UPN with percent-encoding', files: base(keyed('user: "ada%2F..%2Fme@contoso.edu"')), code: 'invalid-user-key', line: 3 },
  { name: 'key: OData injection in employeeId', files: base(keyed(`employeeId: "1' or employeeId ne '"`)), code: 'invalid-user-key', line: 3 },
  { name: 'key: CRLF header injection in a UPN', files: base(keyed('user: "ada\\r\\nX-Evil: 1@contoso.edu"')), code: 'invalid-user-key', line: 3 },
  { name: 'key: object id with trailing path', files: base(keyed('user: "0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01/manager"')), code: 'invalid-user-key', line: 3 },
  // Manifests built to exhaust the parser.
  { name: 'YAML: 5000-deep nested flow sequence', files: base(deepYaml), code: 'yaml-syntax', file: 'manifests/staff.yaml', says: ['nested too deeply'] },
  { name: 'YAML: 2000-deep nested block mapping', files: base(deepMapYaml), code: 'yaml-syntax', file: 'manifests/staff.yaml', says: ['nested too deeply'] },
  { name: 'YAML: alias bomb of mappings', files: base(mapAliasBomb), code: 'yaml-aliases', file: 'manifests/staff.yaml' },
  { name: 'YAML: alias bomb through sequences of aliases', files: base(mergeKeyBomb), code: 'yaml-aliases', file: 'manifests/staff.yaml' },
  { name: 'YAML: a custom tag', files: base(ok('policy: !!js/function "function(){}"\n')), code: 'schema', file: 'manifests/staff.yaml' },
  { name: 'huge manifest: 50,000 entries with one duplicate on the last line', files: base(hugeManifest), code: 'duplicate-user', file: 'manifests/staff.yaml', line: 3 + 2 * HUGE },
  // Tags that ask other YAML tools to run code or build objects, and YAML that means something else.
  { name: 'YAML tag: python/object/apply on a users entry', files: base('version: 1\nusers:\n  - !!python/object/apply:os.system\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n'), code: 'yaml-tag', file: 'manifests/staff.yaml', line: 3, says: ['Remove the tag "!!python/object/apply:os.system"'] },
  { name: 'YAML tag: js/function on the photo value', files: base(pointing('!!js/function "function(){return \'staff/ada.jpg\'}"')), code: 'yaml-tag', file: 'manifests/staff.yaml', line: 4, says: ['Remove the tag "!!js/function"'] },
  { name: 'YAML tag: verbatim tag on the user key', files: base(keyed('user: !<tag:yaml.org,2002:str> ada@contoso.edu')), code: 'yaml-tag', file: 'manifests/staff.yaml', line: 3, says: ['verbatim'] },
  { name: 'YAML tag: !!binary photo path', files: base(pointing('!!binary c3RhZmYvYWRhLmpwZw==')), code: 'yaml-tag', file: 'manifests/staff.yaml', line: 4, says: ['Remove the tag "!!binary"'] },
  { name: 'YAML tag: custom tag on the document root', files: base('--- !manifest\n' + ok()), code: 'yaml-tag', file: 'manifests/staff.yaml', line: 1 },
  { name: 'YAML tag: custom tag on a key', files: base(keyed('!exec user: ada@contoso.edu')), code: 'yaml-tag', file: 'manifests/staff.yaml', line: 3 },
  { name: 'YAML: merge key pulling another entry in', files: base(ok('  - <<: *ada\n    user: bob@contoso.edu\n').replace('  - user: ada', '  - &ada\n    user: ada')), code: 'yaml-merge-key', file: 'manifests/staff.yaml', line: 6, says: ['not supported', 'Write the keys out'] },
  { name: 'YAML: %YAML 1.1 directive (yes/no become booleans, "<<" merges)', files: base('%YAML 1.1\n---\n' + ok()), code: 'yaml-version', file: 'manifests/staff.yaml', line: 1 },
  { name: 'path: manifest in NFC, file committed in NFD', files: base(pointing('staff/jos\u00e9.jpg'), { 'photos/staff/jose\u0301.jpg': photo }), code: 'photo-missing', file: 'manifests/staff.yaml', line: 4, says: ['different Unicode form', 'U+0065 U+0301', 'rename it or copy the name from the file'] },
];

describe('hostile input', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  let emulator: RunningEmulator;
  beforeAll(async () => {
    root = await tempDir('entra-photos-hostile-');
    emulator = await startTrustedEmulator({ users: [{ userPrincipalName: 'ada@contoso.edu' }, ...DEFAULT_USERS] });
  });
  afterAll(async () => {
    await emulator?.stop();
    await root?.cleanup();
  });

  it('extends the corpus to at least 60 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(49 + cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', { timeout: 30_000 }, async (_name, c, i) => {
    const dir = `${root.dir}/case-${i}`;
    await writeTree(dir, c.files);
    const started = performance.now();
    const result = await validateRepository(new WorktreeSnapshot(dir));
    const validateMs = performance.now() - started;
    const found = result.findings.find((f) => f.code === c.code);
    expect(found, `findings were: ${JSON.stringify(result.findings.slice(0, 5), null, 2)}`).toBeDefined();
    expect(found!.severity).toBe('error');
    if (c.file) expect(found!.file).toBe(c.file);
    if (c.line !== undefined) expect(found!.line).toBe(c.line);
    for (const fragment of c.says ?? []) expect(found!.message).toMatch(fragment);
    expect(found!.message.length).toBeGreaterThan(20);
    // Bounded work: a hostile file costs no more than an ordinary validation would (generous).
    expect(validateMs).toBeLessThan(20_000);
    // Nothing outside the repository is ever named (a symlinked folder is not walked).
    expect(result.findings.filter((f) => f.code === 'orphan-photo' && !f.file.startsWith('photos/'))).toEqual([]);

    // The same tree committed: apply refuses it without asking the tenant anything.
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', c.name);
    await emulator.admin.clearRequests();
    const applied = await applyRevision({ repo: dir, head: 'HEAD', environment: 'hostile', prune: true, dryRun: false, allowPolicyLockout: false }, tenantFor(emulator));
    expect(applied.appliedRevision).toBeUndefined();
    const requests = await emulator.admin.requests();
    if (!c.code.startsWith('image-')) {
      // Refused by the head's validation before anything else: no token, no lookup, no write.
      expect(applied.validation.findings.some((f) => f.code === c.code && f.severity === 'error')).toBe(true);
      expect(applied.outcomes).toEqual([]);
      expect(requests).toEqual([]);
    } else {
      // Pixels are checked as each photo is normalised (DESIGN: the decode happens once): that
      // user fails with the reason, and nothing is written to the tenant.
      const ada = applied.outcomes.find((o) => o.key.value === 'ada@contoso.edu');
      expect(ada?.status, JSON.stringify(applied.outcomes)).toBe('failed');
      expect(ada!.reason!.length).toBeGreaterThan(20);
      expect(requests.filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method) || (r.method === 'POST' && r.api === 'graph' && !r.path.includes('$batch')))).toEqual([]);
    }
  });
});

/**
 * Keys that are valid but hostile to URLs and OData filters (Entra allows `#`, `'`, `&`, `+`
 * in UPNs and mail), and a polyglot photo that is a valid JPEG: these are not refused, so they
 * must be neutralised: every photo lands on exactly the intended user, and only normalised
 * pixels (never the appended archive) reach the tenant.
 */
describe('hostile but valid keys and polyglots are neutralised', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;
  let emulator: RunningEmulator;
  const users = [
    { id: '11111111-0000-4000-8000-000000000001', userPrincipalName: 'ada#EXT#@contoso.edu' },
    { id: '11111111-0000-4000-8000-000000000002', userPrincipalName: "o'brien@contoso.edu" },
    { id: '11111111-0000-4000-8000-000000000003', userPrincipalName: 'z@contoso.edu', mail: "x'y+1@contoso.edu" },
    // Decoys: what a key would hit if it were cut at '#' or if a quote ended the filter literal.
    { id: '11111111-0000-4000-8000-000000000004', userPrincipalName: 'ada@contoso.edu' },
    { id: '11111111-0000-4000-8000-000000000005', userPrincipalName: 'o@contoso.edu', mail: 'x@contoso.edu' },
    { id: '11111111-0000-4000-8000-000000000006', userPrincipalName: 'p@contoso.edu' },
  ];
  beforeAll(async () => {
    root = await tempDir('entra-photos-hostile-keys-');
    emulator = await startTrustedEmulator({ users, throttle: false });
  });
  afterAll(async () => {
    await emulator?.stop();
    await root?.cleanup();
  });

  it('photos land on exactly the intended users; an appended ZIP never reaches the tenant', { timeout: 30_000 }, async () => {
    const jpegZip = Buffer.concat([photo, zipTail]);
    const square = await sharp({ create: { width: 648, height: 648, channels: 3, background: '#557799' } }).jpeg().toBuffer();
    const progressive = await sharp({ create: { width: 648, height: 648, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 120, sigma: 30 } } })
      .jpeg({ progressive: true })
      .withExif({ IFD0: { Copyright: 'secret' } })
      .toBuffer();
    const dir = `${root.dir}/keys`;
    await writeTree(dir, {
      'manifests/a.yaml': `version: 1\nusers:\n  - user: "ada#EXT#@contoso.edu"\n    photo: a.jpg\n  - user: "o'brien@contoso.edu"\n    photo: b.jpg\n  - user: "x'y+1@contoso.edu"\n    photo: c.jpg\n`,
      'manifests/asis.yaml': `version: 1\nnormalise: false\nphotoRoot: asis\nusers:\n  - user: o@contoso.edu\n    photo: d.jpg\n  - user: p@contoso.edu\n    photo: e.jpg\n`,
      'photos/a.jpg': jpegZip,
      'photos/b.jpg': photo,
      'photos/c.jpg': photo,
      'asis/d.jpg': Buffer.concat([square, zipTail]),
      'asis/e.jpg': Buffer.concat([progressive, zipTail]),
    });
    const validation = await validateRepository(new WorktreeSnapshot(dir));
    expect(validation.findings.filter((f) => f.severity === "error").map((f) => `${f.code}: ${f.message}`)).toEqual([]);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'keys');
    const applied = await applyRevision({ repo: dir, head: 'HEAD', environment: 'keys', prune: false, dryRun: false, allowPolicyLockout: false }, tenantFor(emulator));
    expect(applied.outcomes.map((o) => `${o.key.value}: ${o.status} ${o.reason ?? ''}`).sort()).toEqual(
      ["ada#EXT#@contoso.edu: uploaded ", "o'brien@contoso.edu: uploaded ", 'o@contoso.edu: uploaded ', 'p@contoso.edu: uploaded ', "x'y+1@contoso.edu: uploaded "].sort(),
    );
    const state = await emulator.admin.state();
    const withPhoto = state.users.filter((u) => u.photo).map((u) => u.userPrincipalName).sort();
    expect(withPhoto).toEqual(["ada#EXT#@contoso.edu", "o'brien@contoso.edu", 'o@contoso.edu', 'p@contoso.edu', 'z@contoso.edu'].sort());
    for (const u of ['ada#EXT#@contoso.edu', 'o@contoso.edu', 'p@contoso.edu']) {
      const bytes = await emulator.admin.photo(u);
      expect(bytes, u).toBeDefined();
      expect(bytes!.includes(Buffer.from('PK\x03\x04', 'latin1')), `${u}: the appended ZIP reached the tenant`).toBe(false);
      expect(bytes!.includes(Buffer.from('secret', 'latin1')), `${u}: EXIF reached the tenant`).toBe(false);
      const meta = await sharp(bytes!).metadata();
      expect(meta.width).toBe(648);
      await sharp(bytes!, { failOn: 'warning' }).raw().toBuffer(); // still decodes, to the last scan
    }
    // Sent as is means the same pixels: the progressive photo is the input minus metadata and tail.
    const sent = (await emulator.admin.photo('p@contoso.edu'))!;
    expect((await sharp(sent).raw().toBuffer()).equals(await sharp(progressive).raw().toBuffer())).toBe(true);
  });
});

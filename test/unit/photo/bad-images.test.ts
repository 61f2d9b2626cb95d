// A corpus of bad inputs generated at test time. Each case asserts the issue code, its
// severity, and that the message carries the numbers and the advice an admin can act on.
import { beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { checkPhoto, DEFAULT_LIMITS } from '../../../src/photo/index.js';
import type { NormaliseSettings, PhotoIssue, PhotoReport } from '../../../src/photo/index.js';
import { gradient, noise, pngBomb, portrait, solid } from './fixtures.js';

const ON: NormaliseSettings = { enabled: true, crop: 'centre' };
const OFF: NormaliseSettings = { enabled: false, crop: 'centre' };

interface Case {
  name: string;
  make: () => Promise<Buffer> | Buffer;
  settings?: NormaliseSettings;
  limits?: typeof DEFAULT_LIMITS;
  code: PhotoIssue['code'];
  severity: 'error' | 'warning';
  /** Substrings the message must contain (numbers and advice). */
  says: string[];
  /** Whether an upload is still produced (only for warning-only cases). */
  output?: boolean;
}

const noiseJpeg = () => noise(700, 700).jpeg({ quality: 90 }).toBuffer();
const noisePng = () => noise(700, 700).png({ compressionLevel: 1 }).toBuffer();
const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
const xorMiddle = (b: Buffer, n = 200) => {
  const c = Buffer.from(b);
  const mid = Math.floor(c.length / 2);
  for (let i = mid; i < mid + n; i++) c[i] = c[i]! ^ 0xff;
  return c;
};
const svg = (body = '') =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800">${body}<rect width="800" height="800" fill="red"/></svg>`);

const CASES: Case[] = [
  { name: 'zero bytes', make: () => Buffer.alloc(0), code: 'image-empty', severity: 'error', says: ['0 bytes', 'Commit the photo again'] },
  {
    name: 'oversized input bytes',
    make: noiseJpeg,
    limits: { ...DEFAULT_LIMITS, maxInputBytes: 100 * 1024 },
    code: 'image-too-large-file',
    severity: 'error',
    says: ['over 100 KB', 'Export a smaller JPEG'],
  },
  { name: 'text file named .jpg', make: () => Buffer.from('Ada Lovelace, grade 7\n'), code: 'image-unrecognised', severity: 'error', says: ['not an image', 'a text file', 'JPEG or PNG'] },
  {
    name: 'HTML page',
    make: () => Buffer.from('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>'),
    code: 'image-unrecognised',
    severity: 'error',
    says: ['HTML page', 'JPEG or PNG'],
  },
  { name: 'ZIP archive', make: () => Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), code: 'image-unrecognised', severity: 'error', says: ['ZIP archive'] },
  {
    name: 'Git LFS pointer',
    make: () => Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n'),
    code: 'image-unrecognised',
    severity: 'error',
    says: ['Git LFS pointer', 'Git LFS'],
  },
  { name: 'binary junk', make: () => Buffer.from([0, 1, 2, 3, 4, 5, 250, 251, 252]), code: 'image-unrecognised', severity: 'error', says: ['not an image'] },
  { name: 'SVG', make: () => svg(), code: 'image-not-raster', severity: 'error', says: ['SVG drawing', 'Export it as a JPEG or PNG photo'] },
  { name: 'SVG with <script>', make: () => svg('<script>alert(document.cookie)</script>'), code: 'image-not-raster', severity: 'error', says: ['SVG drawing'] },
  {
    name: 'bare <svg> without XML declaration',
    make: () => Buffer.from('<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg"></svg>'),
    code: 'image-not-raster',
    severity: 'error',
    says: ['SVG'],
  },
  { name: 'PDF', make: () => Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'), code: 'image-not-raster', severity: 'error', says: ['PDF document', 'JPEG or PNG photo'] },
  { name: 'EPS', make: () => Buffer.from('%!PS-Adobe-3.0 EPSF-3.0\n'), code: 'image-not-raster', severity: 'error', says: ['PostScript'] },
  { name: 'BMP', make: () => Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), code: 'image-unsupported-format', severity: 'error', says: ['BMP', 'JPEG or PNG'] },
  {
    name: 'truncated JPEG (cut in half)',
    make: async () => half(await noiseJpeg()),
    code: 'image-truncated',
    severity: 'error',
    says: ['cut short', 'Copy the original photo'],
  },
  {
    name: 'JPEG cut in its last rows (below the centre crop)',
    make: () => portrait(1).subarray(0, portrait(1).length - 2000),
    code: 'image-truncated',
    severity: 'error',
    says: ['cut short'],
  },
  {
    name: 'truncated PNG',
    make: async () => half(await noisePng()),
    code: 'image-truncated',
    severity: 'error',
    says: ['cut short', 'IDAT'],
  },
  {
    name: 'corrupt middle bytes (JPEG)',
    make: async () => xorMiddle(await noiseJpeg()),
    code: 'image-undecodable',
    severity: 'error',
    says: ['damaged', 'export it again as JPEG'],
  },
  {
    name: 'corrupt middle bytes (PNG)',
    make: async () => xorMiddle(await noisePng()),
    code: 'image-undecodable',
    severity: 'error',
    says: ['checksum', 'damaged'],
  },
  {
    name: 'decompression bomb (PNG declaring 30000×30000)',
    make: () => pngBomb(30000),
    code: 'image-too-many-pixels',
    severity: 'error',
    says: ['30000×30000 px', '900 MP', 'limit is 100 MP', 'decompression bomb'],
  },
  {
    name: 'over a lowered pixel limit',
    make: () => solid(1200, 1000).png().toBuffer(),
    limits: { ...DEFAULT_LIMITS, maxInputPixels: 1_000_000 },
    code: 'image-too-many-pixels',
    severity: 'error',
    says: ['1200×1000 px', '1.2 MP', 'limit is 1.0 MP'],
  },
  {
    name: 'too small (80×80)',
    make: () => solid(80, 80).jpeg().toBuffer(),
    code: 'image-too-small',
    severity: 'error',
    says: ['80×80 px', 'smaller than 96 px', '648×648 or more'],
  },
  {
    name: 'too small on one side (90×400)',
    make: () => solid(90, 400).jpeg().toBuffer(),
    code: 'image-too-small',
    severity: 'error',
    says: ['90×400 px', '96 px'],
  },
  {
    name: 'below recommended (300×300)',
    make: () => gradient(300, 300).jpeg().toBuffer(),
    code: 'image-below-recommended',
    severity: 'warning',
    says: ['300×300 px', '648×648', 'upscaled', 'larger original'],
    output: true,
  },
  {
    name: 'not square (400×600) with normalisation on',
    make: () => gradient(400, 600).jpeg().toBuffer(),
    code: 'image-not-square',
    severity: 'warning',
    says: ['400×600 px', 'centre 400×400 px square', 'crop: attention'],
    output: true,
  },
  {
    name: 'not square with crop: attention',
    make: () => gradient(700, 900).jpeg().toBuffer(),
    settings: { enabled: true, crop: 'attention' },
    code: 'image-not-square',
    severity: 'warning',
    says: ['700×900 px', '700×700 px square', 'crop: attention'],
    output: true,
  },
  {
    name: 'not square (400×600) with normalisation off',
    make: () => gradient(400, 600).jpeg().toBuffer(),
    settings: OFF,
    code: 'image-not-square',
    severity: 'error',
    says: ['400×600 px', 'normalisation is off', 'Crop it to a square'],
  },
  {
    name: 'PNG with normalisation off',
    make: () => gradient(700, 700).png().toBuffer(),
    settings: OFF,
    code: 'image-not-jpeg',
    severity: 'error',
    says: ['only JPEG', 'PNG', 'turn normalisation on'],
  },
  {
    name: 'EXIF-rotated JPEG with normalisation off',
    make: () => gradient(700, 700).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    settings: OFF,
    code: 'image-orientation-not-applied',
    severity: 'error',
    says: ['EXIF orientation 6', 'sideways', 'Rotate it'],
  },
  {
    name: 'CMYK JPEG with normalisation off',
    make: () => solid(700, 700).toColourspace('cmyk').jpeg().toBuffer(),
    settings: OFF,
    code: 'image-not-srgb',
    severity: 'warning',
    says: ['CMYK', 'sRGB'],
    output: true,
  },
  {
    name: 'JPEG over 4 MB with normalisation off',
    make: () => noise(1600, 1600).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer(),
    settings: OFF,
    code: 'image-too-large-for-upload',
    severity: 'error',
    says: ['MB', 'at most 4.0 MB', 'turn normalisation on'],
  },
  {
    name: 'normalised output over a (lowered) output limit',
    make: () => noise(700, 700).jpeg().toBuffer(),
    limits: { ...DEFAULT_LIMITS, maxOutputBytes: 10 * 1024 },
    code: 'image-too-large-after-normalise',
    severity: 'error',
    says: ['KB', 'over Microsoft Graph', '10 KB'],
  },
  {
    name: 'animated GIF',
    make: async () =>
      sharp([await solid(700, 700, 'red').png().toBuffer(), await solid(700, 700, 'blue').png().toBuffer()], {
        join: { animated: true },
      })
        .gif()
        .toBuffer(),
    code: 'image-animated',
    severity: 'warning',
    says: ['2 frames', 'only the first'],
    output: true,
  },
  {
    name: 'GPS in EXIF',
    make: () =>
      gradient(700, 700)
        .jpeg()
        .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
        .toBuffer(),
    code: 'image-gps-metadata',
    severity: 'warning',
    says: ['GPS', 'stripped before upload', 'git history', 'remove it from the original'],
    output: true,
  },
  {
    name: 'camera serial number and owner name in EXIF',
    make: () => gradient(700, 700).jpeg().withExif({ IFD0: { Artist: 'Jane Photographer' }, IFD2: { BodySerialNumber: '0123456789', CameraOwnerName: 'Jane' } }).toBuffer(),
    code: 'image-personal-metadata',
    severity: 'warning',
    says: ['artist/photographer name', 'camera serial number', 'camera owner name', 'git history'],
    output: true,
  },
];

describe('bad-image corpus', () => {
  const reports = new Map<string, PhotoReport>();
  beforeAll(async () => {
    await Promise.all(
      CASES.map(async (c) => reports.set(c.name, await checkPhoto(await c.make(), c.settings ?? ON, c.limits ?? DEFAULT_LIMITS))),
    );
  });

  test('covers at least 30 distinct bad inputs', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBeGreaterThanOrEqual(30);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const report = reports.get(c.name)!;
    const found = report.issues.find((i) => i.code === c.code);
    expect(found, JSON.stringify(report.issues)).toBeDefined();
    expect(found!.severity).toBe(c.severity);
    for (const s of c.says) expect(found!.message).toContain(s);
    expect(found!.message).not.toMatch(/\n\s+at |Error:/); // no stack traces
    const hasError = report.issues.some((i) => i.severity === 'error');
    expect(hasError).toBe(c.severity === 'error');
    expect(report.output !== undefined).toBe(c.output ?? false);
  });
});

test('GPS fixture really carries GPS in its EXIF, and the upload does not', async () => {
  const withGps = await gradient(700, 700).jpeg().withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } }).toBuffer();
  const exif = (await sharp(withGps).metadata()).exif!;
  expect(exif.includes(Buffer.from([0x25, 0x88])) || exif.includes(Buffer.from([0x88, 0x25]))).toBe(true); // GPS IFD pointer tag 0x8825
  const report = await checkPhoto(withGps, ON);
  const out = await sharp(report.output!.jpeg).metadata();
  expect(out.exif).toBeUndefined();
});

test('a decompression bomb is refused from its header, without decoding', async () => {
  const bomb = pngBomb(30000);
  expect(bomb.length).toBeLessThan(200 * 1024);
  const started = performance.now();
  const report = await checkPhoto(bomb, ON);
  expect(performance.now() - started).toBeLessThan(200); // a decode of 900 MP would take seconds and GBs
  expect(report.input).toMatchObject({ width: 30000, height: 30000 });
  expect(report.output).toBeUndefined();
});

test('a camera-sized photo (50 MP) is within the default pixel limit', () => {
  expect(8660 * 5774).toBeLessThan(DEFAULT_LIMITS.maxInputPixels);
});

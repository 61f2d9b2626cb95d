// Normalisation on real sharp: formats, colour, alpha, determinism and metadata stripping.
import { describe, expect, test } from 'vitest';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import {
  checkPhoto,
  DEFAULT_LIMITS,
  JPEG_OPTIONS,
  NORMALISATION_VERSION,
  normalisationKey,
  recommendedParallelism,
  thumbnail,
} from '../../../src/photo/index.js';
import type { NormaliseSettings, PhotoReport } from '../../../src/photo/index.js';
import { averageColour, gradient, meanAbsDiff, portrait, RED, solid } from './fixtures.js';

const ON: NormaliseSettings = { enabled: true, crop: 'centre' };
const OFF: NormaliseSettings = { enabled: false, crop: 'centre' };

function clean(report: PhotoReport): PhotoReport['output'] & object {
  expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(report.output).toBeDefined();
  return report.output!;
}

async function expectPlain648Jpeg(jpeg: Buffer): Promise<void> {
  const m = await sharp(jpeg).metadata();
  expect(m).toMatchObject({ format: 'jpeg', width: 648, height: 648, space: 'srgb', channels: 3, hasProfile: false, chromaSubsampling: '4:2:0' });
  expect(m.exif).toBeUndefined();
  expect(m.icc).toBeUndefined();
  expect(m.xmp).toBeUndefined();
  expect(m.iptc).toBeUndefined();
  expect(m.orientation).toBeUndefined();
  expect(m.comments).toBeUndefined();
}

const near = (actual: readonly number[], expected: readonly number[], tolerance: number) =>
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `channel ${i}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance));

describe('accepted formats normalise to a plain 648×648 sRGB JPEG', () => {
  test.each([
    ['jpeg', (s: Sharp) => s.jpeg()],
    ['progressive jpeg', (s: Sharp) => s.jpeg({ progressive: true })],
    ['png', (s: Sharp) => s.png()],
    ['webp', (s: Sharp) => s.webp({ quality: 90 })],
    ['avif', (s: Sharp) => s.avif({ quality: 80, effort: 0 })],
    ['tiff', (s: Sharp) => s.tiff()],
    ['gif', (s: Sharp) => s.gif()],
  ])('%s', async (name, encode) => {
    const input = await encode(solid(700, 700)).toBuffer();
    const report = await checkPhoto(input, ON);
    expect(report.issues).toEqual([]);
    expect(report.input?.format).toBe(name.replace('progressive ', ''));
    const out = clean(report);
    await expectPlain648Jpeg(out.jpeg);
    near(await averageColour(out.jpeg), [RED.r, RED.g, RED.b], name === 'gif' ? 12 : 6);
  });
});

test('CMYK JPEG comes out sRGB with the right colour (red stays red)', async () => {
  const cmyk = await solid(700, 700).toColourspace('cmyk').jpeg().toBuffer();
  expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
  const report = await checkPhoto(cmyk, ON);
  expect(report.input?.space).toBe('cmyk');
  const out = clean(report);
  await expectPlain648Jpeg(out.jpeg);
  const [r, g, b] = await averageColour(out.jpeg);
  expect(r).toBeGreaterThan(190);
  expect(g).toBeLessThan(60);
  expect(b).toBeLessThan(70);
});

test('an embedded ICC profile is honoured, then dropped', async () => {
  // sRGB (200,60,60) stored as Display P3 values with a P3 profile: read through the profile it
  // is still (200,60,60); read ignoring the profile, the stored values are visibly different.
  const tagged = await solid(700, 700, { r: 200, g: 60, b: 60 }).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
  expect((await sharp(tagged).metadata()).hasProfile).toBe(true);
  const storedValues = await averageColour(await sharp(tagged, { ignoreIcc: true }).jpeg().toBuffer());
  expect(Math.abs(storedValues[0] - 200) + Math.abs(storedValues[1] - 60)).toBeGreaterThan(10);
  const out = clean(await checkPhoto(tagged, ON));
  await expectPlain648Jpeg(out.jpeg);
  near(await averageColour(out.jpeg), [200, 60, 60], 4);
});

test('16-bit PNG works', async () => {
  const png16 = await gradient(700, 700).toColourspace('rgb16').png().toBuffer();
  const meta = await sharp(png16).metadata();
  expect([meta.depth, meta.bitsPerSample]).toEqual(['ushort', 16]);
  const report = await checkPhoto(png16, ON);
  expect(report.input?.depth).toBe('ushort');
  const out = clean(report);
  await expectPlain648Jpeg(out.jpeg);
  expect(await meanAbsDiff(out.jpeg, gradient(700, 700))).toBeLessThan(3);
});

test('16-bit greyscale PNG works', async () => {
  const grey16 = await gradient(700, 700).toColourspace('grey16').png().toBuffer();
  expect((await sharp(grey16).metadata()).depth).toBe('ushort');
  await expectPlain648Jpeg(clean(await checkPhoto(grey16, ON)).jpeg);
});

test('alpha is flattened onto white', async () => {
  const transparent = await solid(700, 700, { r: 0, g: 0, b: 255, alpha: 0 }, 4).png().toBuffer();
  const out = clean(await checkPhoto(transparent, ON));
  await expectPlain648Jpeg(out.jpeg);
  near(await averageColour(out.jpeg), [255, 255, 255], 2);
  const halfBlue = await solid(700, 700, { r: 0, g: 0, b: 255, alpha: 0.5 }, 4).png().toBuffer();
  near(await averageColour(clean(await checkPhoto(halfBlue, ON)).jpeg), [127, 127, 255], 4);
});

test('animated GIF: the first frame is used', async () => {
  const frames = [await solid(700, 700, 'red').png().toBuffer(), await solid(700, 700, 'blue').png().toBuffer()];
  const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
  expect((await sharp(gif).metadata()).pages).toBe(2);
  const report = await checkPhoto(gif, ON);
  expect(report.issues.map((i) => i.code)).toEqual(['image-animated']);
  const [r, , b] = await averageColour(clean(report).jpeg);
  expect(r).toBeGreaterThan(200);
  expect(b).toBeLessThan(40);
});

test('small-but-valid inputs are upscaled to 648×648', async () => {
  const out = clean(await checkPhoto(await gradient(120, 120).png().toBuffer(), ON));
  expect([out.width, out.height]).toEqual([648, 648]);
  await expectPlain648Jpeg(out.jpeg);
});

test('non-square: centre crop keeps the middle; attention differs from centre on off-centre content', async () => {
  // 600×900 with a bright square near the top: centre crop cuts it partly, attention keeps it.
  const base = solid(600, 900, { r: 40, g: 40, b: 40 });
  const face = await solid(300, 300, { r: 230, g: 180, b: 150 }).png().toBuffer();
  const input = await base.composite([{ input: face, top: 20, left: 150 }]).png().toBuffer();
  const centre = clean(await checkPhoto(input, ON));
  const attention = clean(await checkPhoto(input, { enabled: true, crop: 'attention' }));
  const expectedCentre = await sharp(input).extract({ left: 0, top: 150, width: 600, height: 600 }).toBuffer();
  expect(await meanAbsDiff(centre.jpeg, expectedCentre)).toBeLessThan(3);
  expect(centre.sha256).not.toBe(attention.sha256);
  const expectedAttention = await sharp(input).extract({ left: 0, top: 0, width: 600, height: 600 }).toBuffer();
  expect(await meanAbsDiff(attention.jpeg, expectedAttention)).toBeLessThan(3);
});

describe('determinism and metadata stripping', () => {
  test('the same input gives the same bytes (centre and attention)', async () => {
    for (const crop of ['centre', 'attention'] as const) {
      const a = clean(await checkPhoto(portrait(6), { enabled: true, crop }));
      const b = clean(await checkPhoto(Buffer.from(portrait(6)), { enabled: true, crop }));
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(a.sha256).toBe(b.sha256);
      expect(a.jpeg.equals(b.jpeg)).toBe(true);
      expect(a.bytes).toBe(a.jpeg.length);
    }
  });

  test('every metadata block of a metadata-laden input is stripped', async () => {
    const laden = await gradient(800, 800)
      .jpeg()
      .withIccProfile('p3')
      .withExif({
        IFD0: { Artist: 'Jane Photographer', ImageDescription: 'Ada Lovelace, grade 7', Copyright: 'School' },
        IFD2: { BodySerialNumber: '0123456789' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jane</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')
      .toBuffer();
    const inMeta = await sharp(laden).metadata();
    expect(inMeta.exif && inMeta.icc && inMeta.xmp).toBeTruthy();
    const report = await checkPhoto(laden, ON);
    expect(report.issues.map((i) => i.code).sort()).toEqual(['image-gps-metadata', 'image-personal-metadata']);
    const out = clean(report);
    await expectPlain648Jpeg(out.jpeg);
    for (const needle of ['Jane', 'Ada', 'Exif', 'ICC_PROFILE', 'http://ns.adobe.com/xap', 'xmpmeta']) {
      expect(out.jpeg.includes(Buffer.from(needle, 'latin1')), needle).toBe(false);
    }
  });
});

describe('normalisation off', () => {
  test('a square sRGB JPEG is sent as is, pixels untouched, metadata segments removed', async () => {
    const original = await gradient(700, 700)
      .jpeg({ quality: 85 })
      .withExif({ IFD0: { Artist: 'Jane Photographer' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .toBuffer();
    const report = await checkPhoto(original, OFF);
    expect(report.issues.map((i) => [i.code, i.severity]).sort()).toEqual([
      ['image-gps-metadata', 'warning'],
      ['image-personal-metadata', 'warning'],
    ]);
    const out = clean(report);
    expect([out.width, out.height]).toEqual([700, 700]);
    expect(out.bytes).toBeLessThan(original.length);
    const m = await sharp(out.jpeg).metadata();
    expect(m.exif).toBeUndefined();
    // Same compressed data: decoding both gives identical pixels.
    const [a, b] = await Promise.all([sharp(original).raw().toBuffer(), sharp(out.jpeg).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
  });

  test('a clean square JPEG passes with no issue', async () => {
    const report = await checkPhoto(await gradient(700, 700).jpeg().toBuffer(), OFF);
    expect(report.issues).toEqual([]);
    expect(report.output?.width).toBe(700);
  });

  test('a damaged square JPEG is still caught', async () => {
    const jpeg = await gradient(700, 700).jpeg().toBuffer();
    const report = await checkPhoto(jpeg.subarray(0, jpeg.length - 3000), OFF);
    expect(report.issues.map((i) => i.code)).toEqual(['image-truncated']);
    expect(report.output).toBeUndefined();
  });
});

test('thumbnail makes a small JPEG without metadata', async () => {
  const out = clean(await checkPhoto(portrait(3), ON));
  const thumb = await thumbnail(out.jpeg);
  const m = await sharp(thumb).metadata();
  expect([m.format, m.width, m.height, m.exif, m.icc]).toEqual(['jpeg', 96, 96, undefined, undefined]);
  expect((await sharp(await thumbnail(out.jpeg, 48)).metadata()).width).toBe(48);
  expect(await meanAbsDiff(thumb, out.jpeg)).toBeLessThan(4);
});

test('constants and helpers', () => {
  expect(NORMALISATION_VERSION).toMatch(/\S/);
  expect(normalisationKey(ON)).toContain(NORMALISATION_VERSION);
  expect(normalisationKey({ enabled: true, crop: 'attention' })).not.toBe(normalisationKey(ON));
  expect(normalisationKey(OFF)).toBe(normalisationKey({ enabled: false, crop: 'attention' }));
  expect(JPEG_OPTIONS).toMatchObject({ quality: 90, chromaSubsampling: '4:2:0', mozjpeg: false });
  expect(DEFAULT_LIMITS).toEqual({ maxInputBytes: 50 * 1024 * 1024, maxInputPixels: 100_000_000, maxOutputBytes: 4 * 1024 * 1024, timeoutSeconds: 30 });
  expect(recommendedParallelism()).toBeGreaterThanOrEqual(2);
});

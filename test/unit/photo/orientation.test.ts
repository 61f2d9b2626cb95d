// The real-image corpus: one portrait in all 8 EXIF orientations (plus one without the tag)
// must normalise to the same upright 648×648 picture.
import { beforeAll, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { checkPhoto } from '../../../src/photo/index.js';
import type { PhotoReport } from '../../../src/photo/index.js';
import { meanAbsDiff, portrait } from './fixtures.js';

const ON = { enabled: true, crop: 'centre' } as const;
/** Mean absolute difference (0–255) on a 32×32 greyscale downscale that still counts as "the same picture". */
const SAME = 4;

describe('EXIF orientation corpus', () => {
  const reports = new Map<number, PhotoReport>();
  let reference: Buffer;

  beforeAll(async () => {
    for (let i = 0; i <= 8; i++) reports.set(i, await checkPhoto(portrait(i), ON));
    reference = reports.get(1)!.output!.jpeg;
  });

  test('the corpus really covers orientations 1..8 (and 0 without rotation)', async () => {
    expect([undefined, 1]).toContain((await sharp(portrait(0)).metadata()).orientation);
    for (let i = 1; i <= 8; i++) expect((await sharp(portrait(i)).metadata()).orientation).toBe(i);
  });

  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8])('Portrait_%i normalises to the upright 648×648 portrait', async (i) => {
    const report = reports.get(i)!;
    expect(report.issues.filter((x) => x.severity === 'error')).toEqual([]);
    expect(report.input).toMatchObject({ format: 'jpeg', width: 1200, height: 1800 }); // as displayed
    expect(report.output).toMatchObject({ width: 648, height: 648 });
    const meta = await sharp(report.output!.jpeg).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([648, 648, 'jpeg']);
    expect(await meanAbsDiff(report.output!.jpeg, reference)).toBeLessThan(SAME);
  });

  test('the comparison would catch a wrongly oriented output', async () => {
    for (const angle of [90, 180, 270]) {
      expect(await meanAbsDiff(sharp(reference).rotate(angle), reference)).toBeGreaterThan(SAME * 3);
    }
    expect(await meanAbsDiff(sharp(reference).flop(), reference)).toBeGreaterThan(SAME * 3);
    // Ignoring the EXIF tag (no auto-orient) must not pass either.
    const ignored = await sharp(portrait(6)).resize(648, 648, { fit: 'cover' }).jpeg().toBuffer();
    expect(await meanAbsDiff(ignored, reference)).toBeGreaterThan(SAME * 3);
  });

  test('each portrait is reported as not square (it is cropped to the centre)', () => {
    for (const [, report] of reports) {
      expect(report.issues.map((x) => [x.code, x.severity])).toEqual([['image-not-square', 'warning']]);
      expect(report.issues[0]!.message).toContain('1200×1800 px');
      expect(report.issues[0]!.message).toContain('centre 1200×1200 px square');
    }
  });
});

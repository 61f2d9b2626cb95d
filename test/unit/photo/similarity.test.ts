/**
 * The drift threshold (SAME_PHOTO_THRESHOLD), checked against what it must separate:
 *  - the same normalised photo as Graph may store it (re-encoded at other qualities and chroma
 *    subsampling, resized to smaller HD sizes): must be "same";
 *  - different portraits (the sample avatars share pose, clothes and framing: the hard case),
 *    a recoloured background, a shifted crop of the same portrait, a mirrored one: must differ.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkPhoto } from '../../../src/photo/index.js';
import { compareSignatures, photoSignature, SAME_PHOTO_THRESHOLD } from '../../../src/photo/similarity.js';
import { REPO_ROOT } from '../../helpers/repo.js';

const SAMPLES = ['staff/ada.lovelace.jpg', 'staff/alan.turing.jpg', 'staff/grace.hopper.jpg', 'students/10023.jpg', 'students/10024.jpg', 'students/10025.jpg'];

async function normalised(rel: string): Promise<Buffer> {
  const report = await checkPhoto(await readFile(path.join(REPO_ROOT, 'photos', rel)), { enabled: true, crop: 'centre' });
  return report.output!.jpeg;
}

/** What Graph might store for an upload: smaller HD size, other JPEG settings. */
const reencodings: [string, (jpeg: Buffer) => Promise<Buffer>][] = [
  ['648 q95 4:4:4', (j) => sharp(j).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer()],
  ['648 q75', (j) => sharp(j).jpeg({ quality: 75 }).toBuffer()],
  ['504 q80', (j) => sharp(j).resize(504, 504).jpeg({ quality: 80 }).toBuffer()],
  ['360 q70', (j) => sharp(j).resize(360, 360).jpeg({ quality: 70 }).toBuffer()],
  ['240 q60', (j) => sharp(j).resize(240, 240).jpeg({ quality: 60 }).toBuffer()],
  ['96 q50', (j) => sharp(j).resize(96, 96).jpeg({ quality: 50 }).toBuffer()],
  ['648 q50 twice', async (j) => sharp(await sharp(j).jpeg({ quality: 50 }).toBuffer()).jpeg({ quality: 50 }).toBuffer()],
  ['png', (j) => sharp(j).png().toBuffer()],
];

/** Edits that make another picture of the same subject: drift must see them. */
const edits: [string, (jpeg: Buffer) => Promise<Buffer>][] = [
  ['shifted crop (10%)', (j) => sharp(j).extract({ left: 64, top: 0, width: 584, height: 584 }).resize(648, 648).jpeg().toBuffer()],
  ['grey background band', (j) => sharp(j).composite([{ input: { create: { width: 648, height: 160, channels: 3, background: '#808080' } }, top: 0, left: 0 }]).jpeg().toBuffer()],
  ['zoomed in 20%', (j) => sharp(j).extract({ left: 65, top: 65, width: 518, height: 518 }).resize(648, 648).jpeg().toBuffer()],
];

describe('photo similarity', () => {
  it('separates re-encodings of a photo from other photos at SAME_PHOTO_THRESHOLD', async () => {
    const photos = await Promise.all(SAMPLES.map(normalised));
    const sigs = await Promise.all(photos.map((p) => photoSignature(p)));
    let minSame = 1;
    let maxDifferent = 0;
    const rows: string[] = [];
    for (const [i, photo] of photos.entries()) {
      for (const [name, encode] of reencodings) {
        const c = compareSignatures(sigs[i]!, await photoSignature(await encode(photo)));
        minSame = Math.min(minSame, c.similarity);
        rows.push(`same ${SAMPLES[i]} ${name}: ${c.similarity}`);
      }
      for (const [name, edit] of edits) {
        const c = compareSignatures(sigs[i]!, await photoSignature(await edit(photo)));
        maxDifferent = Math.max(maxDifferent, c.similarity);
        rows.push(`edit ${SAMPLES[i]} ${name}: ${c.similarity}`);
      }
      for (const [j] of photos.entries()) {
        if (j <= i) continue;
        const c = compareSignatures(sigs[i]!, sigs[j]!);
        maxDifferent = Math.max(maxDifferent, c.similarity);
        rows.push(`other ${SAMPLES[i]} vs ${SAMPLES[j]}: ${c.similarity}`);
      }
    }
    if (process.env.SIMILARITY_TABLE) console.log(rows.join('\n'), `\nmin same ${minSame}, max different ${maxDifferent}`);
    expect(minSame).toBeGreaterThanOrEqual(SAME_PHOTO_THRESHOLD);
    expect(maxDifferent).toBeLessThan(SAME_PHOTO_THRESHOLD);
  }, 30_000);
});

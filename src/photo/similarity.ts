/**
 * Perceptual similarity of two photos, for drift detection.
 *
 * Graph re-encodes and may resize what it stores, so the tenant's bytes never equal the bytes we
 * uploaded. Both photos are reduced to a 32×32 greyscale square (auto-oriented, centre-cropped,
 * contrast-stretched: the structure) and an 8×8 colour square (coarse enough that chroma
 * subsampling and JPEG blocking average out: the colours), and compared by the mean absolute
 * difference of their pixels. `similarity` is 1 − the larger of the two differences (1 = identical):
 * re-encoding and resizing move it by about 1%, another photo by several percent. A difference-hash (dHash, 64 bits) distance is
 * reported alongside for diagnostics. Decoding is bounded like every other decode here.
 */
import sharp from 'sharp';
import { DEFAULT_LIMITS } from './limits.js';

/** Edge of the greyscale square the comparison runs on. */
export const SIGNATURE_SIDE = 32;
/** Edge of the colour square. */
export const COLOUR_SIDE = 8;

/**
 * Photos at or above this similarity are the same picture. Measured on this project's sample
 * portraits (test/unit/photo/similarity.test.ts; docs/commands.md "How drift decides"): copies as
 * Graph may store them (re-encoded at JPEG q50–95, 4:4:4 or 4:2:0, resized down to 96 px, twice
 * re-encoded, PNG) scored 0.9868–0.9998; other portraits with the same pose and framing, and the
 * same portrait shifted by 10%, zoomed by 20% or with a quarter of its background recoloured,
 * scored 0.67–0.9594. 0.975 sits in the gap, a little nearer the "same" side because a false
 * "different" only costs a re-upload with --fix while a false "same" hides drift.
 */
export const SAME_PHOTO_THRESHOLD = 0.975;

export interface PhotoSignature {
  /** SIGNATURE_SIDE² greyscale values, contrast-stretched to 0..255: structure. */
  grey: Uint8Array;
  /** COLOUR_SIDE² sRGB pixels (3 bytes each): colour, coarse enough that chroma subsampling and
   * blocking average out. */
  colour: Uint8Array;
  /** Size of the decoded photo (after orientation). */
  width: number;
  height: number;
}

export interface PhotoComparison {
  /** 1 − mean absolute difference (0..1); ≥ SAME_PHOTO_THRESHOLD means the same picture. */
  similarity: number;
  same: boolean;
}

function bounded(jpeg: Buffer) {
  return sharp(jpeg, { failOn: 'error', limitInputPixels: DEFAULT_LIMITS.maxInputPixels, pages: 1 }).timeout({ seconds: DEFAULT_LIMITS.timeoutSeconds });
}

/** The signature of a photo (any format sharp reads). Rejects when it cannot be decoded. */
export async function photoSignature(image: Buffer): Promise<PhotoSignature> {
  const meta = await bounded(image).metadata();
  const base = () => bounded(image).autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha();
  const [grey, colour] = await Promise.all([
    base().greyscale().resize(SIGNATURE_SIDE, SIGNATURE_SIDE, { fit: 'cover', position: 'centre', kernel: 'cubic' }).raw().toBuffer(),
    base().resize(COLOUR_SIDE, COLOUR_SIDE, { fit: 'cover', position: 'centre', kernel: 'cubic' }).raw().toBuffer(),
  ]);
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  return { grey: stretch(new Uint8Array(grey)), colour: new Uint8Array(colour), width, height };
}

/** Compares two signatures. */
export function compareSignatures(a: PhotoSignature, b: PhotoSignature, threshold = SAME_PHOTO_THRESHOLD): PhotoComparison {
  const similarity = Math.min(1 - meanAbsDiff(a.grey, b.grey), 1 - meanAbsDiff(a.colour, b.colour));
  return { similarity: Math.round(similarity * 10_000) / 10_000, same: similarity >= threshold };
}

/**
 * A directory's photo compared with the one we would send: `decoded: false` when theirs cannot be
 * decoded (a directory may hold anything a client uploaded); their size when it can.
 */
export type StoredPhotoComparison = { decoded: false; reason: string } | (PhotoComparison & { decoded: true; width: number; height: number });

/**
 * Whether a directory's photo (`theirs`) shows the same picture as `ours` (the normalised photo we
 * would send): perceptual signatures compared at `threshold`. A directory re-encodes and resizes
 * what it stores, so bytes never match. Rejects only when `ours` cannot be decoded. The one
 * comparison used by apply (does the target already hold the photo?) and drift.
 */
export async function comparePhotos(ours: Buffer, theirs: Buffer, threshold = SAME_PHOTO_THRESHOLD): Promise<StoredPhotoComparison> {
  const [a, b] = await Promise.allSettled([photoSignature(ours), photoSignature(theirs)]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') return { decoded: false, reason: (b.reason as Error).message };
  return { decoded: true, ...compareSignatures(a.value, b.value, threshold), width: b.value.width, height: b.value.height };
}

/** Mean absolute difference of two equal-length byte arrays, as a share of 0..255. */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return a.length ? sum / (a.length * 255) : 1;
}

/** Linear contrast stretch, so a re-encode that shifts levels slightly does not count. */
function stretch(values: Uint8Array): Uint8Array {
  let min = 255;
  let max = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Uint8Array(values.length);
  const range = max - min;
  for (let i = 0; i < values.length; i++) out[i] = range < 8 ? (values[i] ?? 0) : Math.round((((values[i] ?? 0) - min) * 255) / range);
  return out;
}

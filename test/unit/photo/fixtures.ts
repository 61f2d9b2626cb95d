// Image fixtures generated at test time with sharp, so the repository holds no bad files.
import { deflateSync } from 'node:zlib';
import { pngFile } from '../../helpers/pngBytes.js';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Color, Sharp } from 'sharp';

export const RED = { r: 220, g: 20, b: 30 };

export const CORPUS_DIR = new URL('../../fixtures/exif-orientation/', import.meta.url);
export const portrait = (i: number): Buffer => readFileSync(new URL(`Portrait_${i}.jpg`, CORPUS_DIR));

export function solid(width: number, height: number, background: Color = RED, channels: 3 | 4 = 3): Sharp {
  return sharp({ create: { width, height, channels, background } });
}

/** Random-noise pixels: incompressible, so truncation and corruption hit image data. */
export function noise(width: number, height: number, seed = 1): Sharp {
  const px = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < px.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    px[i] = s >> 16;
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

/** A smooth gradient: realistic photo-like content for colour and crop checks. */
export function gradient(width: number, height: number): Sharp {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = Math.round((255 * x) / width);
      px[i + 1] = Math.round((255 * y) / height);
      px[i + 2] = 128;
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

/**
 * A real decompression bomb: a valid 1-bit greyscale PNG of `side`×`side` zero pixels.
 * 30000² = 900 MP (2.7 GB as RGB once decoded) in ~110 KB on disk.
 */
export function pngBomb(side: number): Buffer {
  const rowBytes = 1 + Math.ceil(side / 8);
  const raw = Buffer.alloc(rowBytes * side); // filter 0, all-zero rows
  return pngFile(side, side, deflateSync(raw, { level: 9 }), { bitDepth: 1, colourType: 0 });
}

/** Mean absolute difference (0..255) of two images' 32×32 greyscale thumbnails. */
export async function meanAbsDiff(a: Buffer | Sharp, b: Buffer | Sharp): Promise<number> {
  const small = async (x: Buffer | Sharp) =>
    (Buffer.isBuffer(x) ? sharp(x) : x).resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer();
  const [pa, pb] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

/** Average colour of an image, as [r, g, b]. */
export async function averageColour(img: Buffer): Promise<[number, number, number]> {
  const px = await sharp(img).resize(1, 1, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  return [px[0]!, px[1]!, px[2]!];
}

/**
 * JPEG output: the encoder settings (part of the normalisation contract), the lossless metadata
 * strip used when normalisation is off, hashing, and summary thumbnails.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { JpegOptions } from 'sharp';
import type { PhotoOutput } from './types.js';
import { DEFAULT_LIMITS } from './limits.js';

/**
 * Encoder settings of the normalised photo. Changing any of these changes output bytes: bump
 * NORMALISATION_VERSION. Baseline (not progressive), 4:2:0 and libjpeg-turbo defaults rather
 * than mozjpeg (about 3× slower for ~10% smaller files, and Graph re-encodes anyway).
 */
export const JPEG_OPTIONS: Readonly<JpegOptions> = Object.freeze({
  quality: 90,
  chromaSubsampling: '4:2:0',
  progressive: false,
  optimiseCoding: true,
  mozjpeg: false,
});

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function toOutput(jpeg: Buffer, width: number, height: number): PhotoOutput {
  return { jpeg, width, height, bytes: jpeg.length, sha256: sha256(jpeg) };
}

/**
 * Remove metadata segments from a JPEG without touching the compressed image data: APP1
 * (EXIF, XMP), APP13 (IPTC/Photoshop), COM and every other APPn, keeping only APP0 JFIF,
 * APP2 ICC_PROFILE (colour, not personal) and APP14 Adobe (needed to read CMYK/YCCK correctly).
 * Used when normalisation is off, so that "sent as is" still means "no personal metadata".
 * Returns undefined when the marker structure cannot be walked (the caller reports it).
 */
export function stripJpegMetadata(buf: Buffer): Buffer | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  const parts: Buffer[] = [buf.subarray(0, 2)];
  let pos = 2;
  while (pos < buf.length) {
    if (buf[pos] !== 0xff) return undefined;
    let m = pos;
    while (m < buf.length && buf[m] === 0xff) m++;
    if (m >= buf.length) return undefined;
    const marker = buf[m]!;
    const bodyAt = m + 1;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      parts.push(buf.subarray(pos, bodyAt));
      pos = bodyAt;
      continue;
    }
    if (marker === 0xd9) {
      // End of image. Whatever follows is not part of this image (an appended archive, a phone's
      // MPF secondary images with their own EXIF): it is dropped, never uploaded.
      parts.push(buf.subarray(pos, bodyAt));
      return Buffer.concat(parts);
    }
    if (marker === 0xda) {
      // Start of scan: the header, then entropy-coded data up to the next marker that is not a
      // stuffed 0xFF00 or a restart marker. Progressive JPEGs have several scans, with tables (and
      // possibly APPn/COM segments, filtered like any other) between them.
      if (bodyAt + 2 > buf.length) return undefined;
      let scan = bodyAt + buf.readUInt16BE(bodyAt);
      if (scan > buf.length) return undefined;
      for (;;) {
        scan = buf.indexOf(0xff, scan);
        if (scan < 0 || scan + 1 >= buf.length) {
          // No end marker: keep the rest as before (the decode check judged it readable).
          parts.push(buf.subarray(pos));
          return Buffer.concat(parts);
        }
        const next = buf[scan + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) scan += 2;
        else break;
      }
      parts.push(buf.subarray(pos, scan));
      pos = scan;
      continue;
    }
    if (bodyAt + 2 > buf.length) return undefined;
    const end = bodyAt + buf.readUInt16BE(bodyAt);
    if (end > buf.length) return undefined;
    if (keepSegment(marker, buf.subarray(bodyAt + 2, end))) parts.push(buf.subarray(pos, end));
    pos = end;
  }
  return undefined;
}

function keepSegment(marker: number, body: Buffer): boolean {
  const id = (s: string) => body.toString('latin1', 0, s.length) === s;
  if (marker === 0xfe) return false; // COM
  if (marker === 0xe0) return id('JFIF\0');
  if (marker === 0xe2) return id('ICC_PROFILE\0');
  if (marker === 0xee) return id('Adobe');
  if (marker >= 0xe1 && marker <= 0xef) return false; // APP1..APP15
  return true; // DQT, DHT, SOFn, DRI, DNL, ...
}

/**
 * A small square JPEG for summaries and PR comments (e.g. 96 px), from a normalised photo.
 * Bounded like any other decode; no metadata.
 */
export async function thumbnail(jpeg: Buffer, size = 96): Promise<Buffer> {
  return sharp(jpeg, { failOn: 'warning', limitInputPixels: DEFAULT_LIMITS.maxInputPixels })
    .timeout({ seconds: DEFAULT_LIMITS.timeoutSeconds })
    .autoOrient()
    .toColourspace('srgb')
    .flatten({ background: '#ffffff' })
    .resize(size, size, { fit: 'cover', position: 'centre' })
    .jpeg({ quality: 80, chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
}

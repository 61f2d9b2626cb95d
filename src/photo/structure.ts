/**
 * Cheap structural integrity checks on the container, without decoding pixels.
 *
 * Why: libvips decodes on demand. When a portrait is centre-cropped, the rows below the crop
 * are never decoded, so a baseline JPEG or PNG cut short in its last rows normalises without
 * any decoder warning — and whether it is noticed would depend on the crop. Walking the
 * container to its end marker (JPEG EOI, PNG IEND with chunk CRCs, GIF trailer, RIFF size)
 * catches truncation and PNG corruption consistently, in about a millisecond for a camera
 * JPEG. Pixel-level corruption inside what is decoded is left to the decoder (failOn warning).
 */
import { crc32 } from 'node:zlib';
import type { RasterKind } from './sniff.js';

export type Integrity =
  | { ok: true }
  | { ok: false; problem: 'truncated' | 'corrupt'; detail: string };

const OK: Integrity = { ok: true };

export function checkStructure(format: RasterKind, buf: Buffer): Integrity {
  switch (format) {
    case 'jpeg':
      return checkJpeg(buf);
    case 'png':
      return checkPng(buf);
    case 'gif':
      return buf.length > 0 && buf[buf.length - 1] === 0x3b
        ? OK
        : { ok: false, problem: 'truncated', detail: 'the GIF trailer is missing' };
    case 'webp': {
      if (buf.length < 12) return { ok: false, problem: 'truncated', detail: 'the file ends inside its header' };
      const declared = buf.readUInt32LE(4) + 8;
      return declared > buf.length
        ? { ok: false, problem: 'truncated', detail: `the header declares ${declared} bytes but the file has ${buf.length}` }
        : OK;
    }
    default:
      // TIFF and AVIF/HEIF are read whole by their decoders, which report truncation themselves.
      return OK;
  }
}

const truncated = (detail: string): Integrity => ({ ok: false, problem: 'truncated', detail });
const corrupt = (at: number, len: number): Integrity => ({
  ok: false,
  problem: 'corrupt',
  detail: `the JPEG structure is broken near byte ${at.toLocaleString('en-US')} of ${len.toLocaleString('en-US')}`,
});

/** Walk JPEG segments and entropy-coded data up to the first EOI. Trailing data after EOI
 * (phone "motion photo" videos, MPF secondary images) is allowed. */
export function checkJpeg(buf: Buffer): Integrity {
  const len = buf.length;
  let pos = 2; // after SOI
  for (;;) {
    if (pos >= len) return truncated('the end-of-image marker is missing');
    if (buf[pos] !== 0xff) return corrupt(pos, len);
    while (pos < len && buf[pos] === 0xff) pos++;
    if (pos >= len) return truncated('the end-of-image marker is missing');
    const marker = buf[pos]!;
    pos++;
    if (marker === 0xd9) return OK;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (pos + 2 > len) return truncated('the file ends inside a segment header');
    const segLen = buf.readUInt16BE(pos);
    if (segLen < 2) return corrupt(pos, len);
    if (pos + segLen > len) return truncated('the file ends inside a segment');
    pos += segLen;
    if (marker !== 0xda) continue;
    // Entropy-coded data after SOS: runs until a marker other than stuffing (FF00) or RSTn.
    for (;;) {
      const ff = buf.indexOf(0xff, pos);
      if (ff < 0 || ff + 1 >= len) return truncated('the file ends inside the image data');
      const next = buf[ff + 1]!;
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        pos = ff + 2;
      } else if (next === 0xff) {
        pos = ff + 1;
      } else {
        pos = ff;
        break;
      }
    }
  }
}

/** Walk PNG chunks to IEND, verifying each chunk's CRC. */
export function checkPng(buf: Buffer): Integrity {
  const len = buf.length;
  let pos = 8;
  for (;;) {
    if (pos + 8 > len) return truncated('the IEND chunk is missing');
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + length > len) return truncated(`the file ends inside the ${type} chunk`);
    const stored = buf.readUInt32BE(pos + 8 + length);
    if (crc32(buf.subarray(pos + 4, pos + 8 + length)) !== stored) {
      return { ok: false, problem: 'corrupt', detail: `the checksum of a ${type} chunk does not match` };
    }
    if (type === 'IEND') return OK;
    pos += 12 + length;
  }
}

// `photoData` in web-safe base64 and the image formats Google accepts. Google's UserPhoto page
// says: `/` → `_`, `+` → `-`, and padding with `=` replaced (it names both `*` and `.`); so the
// emulator accepts `=`, `*` or `.` as padding, and refuses the standard alphabet's `+` and `/`
// (our choice: the documented format is the web-safe one).
import { readJpegDimensions } from '../graph/jpeg.js';

export function decodeWebSafeBase64(data: string): Buffer | undefined {
  const unpadded = data.replace(/[=*.]{1,2}$/, '');
  if (unpadded.length === 0 || !/^[A-Za-z0-9_-]+$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  return Buffer.from(unpadded, 'base64url');
}

/** Web-safe base64 as Google sends it back (`=` padding kept, as its client libraries decode it). */
export function encodeWebSafeBase64(bytes: Buffer): string {
  return bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

export interface SniffedImage {
  mimeType: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/bmp' | 'image/tiff';
  width?: number;
  height?: number;
}

/** The format by its magic bytes (JPEG, PNG, GIF, BMP, TIFF: the ones Google lists), with the size when the header says it. */
export function sniffImage(bytes: Buffer): SniffedImage | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const dimensions = readJpegDimensions(bytes);
    return dimensions ? { mimeType: 'image/jpeg', ...dimensions } : undefined;
  }
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { mimeType: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 10 && (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a')) {
    return { mimeType: 'image/gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
    return { mimeType: 'image/bmp', width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
  }
  if (bytes.length >= 8 && (bytes.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || bytes.subarray(0, 4).equals(Buffer.from('MM\0*', 'latin1')))) {
    return { mimeType: 'image/tiff' };
  }
  return undefined;
}

const MIME_NAMES: Record<string, SniffedImage['mimeType']> = {
  JPEG: 'image/jpeg',
  JPG: 'image/jpeg',
  PNG: 'image/png',
  GIF: 'image/gif',
  BMP: 'image/bmp',
  TIFF: 'image/tiff',
};

/** `mimeType` as sent (`JPEG` as the reference lists it, or `image/jpeg`); undefined when it names no accepted format. */
export function normaliseMimeType(value: string): SniffedImage['mimeType'] | undefined {
  const upper = value.trim().toUpperCase();
  return MIME_NAMES[upper] ?? MIME_NAMES[upper.replace(/^IMAGE\//, '')];
}

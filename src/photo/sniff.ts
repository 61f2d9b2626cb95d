/**
 * Content sniffing from magic bytes, before sharp sees the buffer. Only the raster formats we
 * accept are ever handed to sharp, so SVG (librsvg), PDF and anything else never reach a
 * decoder, and a file named `.jpg` is judged by what it is, not by its name.
 */

/** Raster formats accepted for normalisation. `isobmff` is AVIF/HEIF; sharp decides which. */
export type RasterKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'isobmff';

export type Sniffed =
  | { kind: 'raster'; format: RasterKind }
  /** A vector or page-description format: sharp could render it, but it is not a photo. */
  | { kind: 'vector'; what: string }
  /** A raster image format we do not accept (e.g. BMP, JPEG 2000, PSD). */
  | { kind: 'unsupported'; what: string }
  /** Not an image; `what` describes it when we recognise it (HTML, ZIP, text...). */
  | { kind: 'other'; what?: string };

function startsWith(buf: Buffer, bytes: readonly number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function ascii(buf: Buffer, at: number, len: number): string {
  return buf.toString('latin1', at, Math.min(buf.length, at + len));
}

const HEIF_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

export function sniff(buf: Buffer): Sniffed {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { kind: 'raster', format: 'jpeg' };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'raster', format: 'png' };
  const head = ascii(buf, 0, 12);
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return { kind: 'raster', format: 'gif' };
  if (head.startsWith('RIFF') && ascii(buf, 8, 4) === 'WEBP') return { kind: 'raster', format: 'webp' };
  if (head.startsWith('II*\0') || head.startsWith('MM\0*') || head.startsWith('II+\0') || head.startsWith('MM\0+')) {
    return { kind: 'raster', format: 'tiff' };
  }
  if (ascii(buf, 4, 4) === 'ftyp') {
    const boxSize = buf.length >= 4 ? buf.readUInt32BE(0) : 0;
    const brands = [ascii(buf, 8, 4)];
    for (let at = 16; at + 4 <= Math.min(boxSize, buf.length, 64); at += 4) brands.push(ascii(buf, at, 4));
    if (brands.some((b) => HEIF_BRANDS.has(b))) return { kind: 'raster', format: 'isobmff' };
    return { kind: 'other', what: 'a video (MP4/MOV)' };
  }

  // Vector and page formats: refused even where sharp could rasterise them.
  if (head.startsWith('%PDF-')) return { kind: 'vector', what: 'a PDF document' };
  if (head.startsWith('%!PS') || startsWith(buf, [0xc5, 0xd0, 0xd3, 0xc6])) return { kind: 'vector', what: 'a PostScript/EPS file' };
  if (startsWith(buf, [0xd7, 0xcd, 0xc6, 0x9a])) return { kind: 'vector', what: 'a Windows metafile (WMF)' };
  if (startsWith(buf, [0x01, 0x00, 0x00, 0x00]) && ascii(buf, 40, 4) === ' EMF') return { kind: 'vector', what: 'a Windows metafile (EMF)' };

  // Raster formats we know but do not accept.
  if (head.startsWith('BM')) return { kind: 'unsupported', what: 'BMP' };
  if (head.startsWith('8BPS')) return { kind: 'unsupported', what: 'Photoshop (PSD)' };
  if (startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(buf, [0xff, 0x4f, 0xff, 0x51])) {
    return { kind: 'unsupported', what: 'JPEG 2000' };
  }
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) {
    return { kind: 'unsupported', what: 'JPEG XL' };
  }
  if (startsWith(buf, [0x00, 0x00, 0x01, 0x00])) return { kind: 'unsupported', what: 'Windows icon (ICO)' };
  if (/^P[1-6]\s/.test(ascii(buf, 0, 3))) return { kind: 'unsupported', what: 'Netpbm (PPM/PGM)' };

  // Everything else is not an image. Describe the common mistakes.
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'other', what: 'a ZIP archive (or an Office document)' };
  if (startsWith(buf, [0x1f, 0x8b])) return { kind: 'other', what: 'a gzip-compressed file' };
  if (head.startsWith('version http')) return { kind: 'other', what: 'a Git LFS pointer (check the repository out with Git LFS)' };
  const text = textPrefix(buf);
  if (text !== undefined) {
    if (/<svg[\s>]/i.test(text) || /<!DOCTYPE\s+svg/i.test(text)) return { kind: 'vector', what: 'an SVG drawing' };
    if (/^<!DOCTYPE\s+html|<html[\s>]/i.test(text)) return { kind: 'other', what: 'an HTML page (perhaps a download link was saved instead of the photo)' };
    return { kind: 'other', what: 'a text file' };
  }
  return { kind: 'other' };
}

/** The first 4 KB as text when it looks like text (UTF-8/ASCII, no NULs), else undefined. */
function textPrefix(buf: Buffer): string | undefined {
  const slice = buf.subarray(0, 4096);
  let start = 0;
  if (startsWith(slice, [0xef, 0xbb, 0xbf])) start = 3;
  for (let i = start; i < slice.length; i++) {
    const b = slice[i]!;
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) return undefined;
  }
  return slice.toString('utf8', start).trimStart();
}

// Unit tests of the photo layer's building blocks: sniffing, container integrity, privacy
// parsers, the lossless JPEG metadata strip and the decoder-error mapping.
import { describe, expect, test } from 'vitest';
import sharp from 'sharp';
import type { Exif } from 'sharp';
import { sniff } from '../../../src/photo/sniff.js';
import { checkJpeg, checkPng, checkStructure } from '../../../src/photo/structure.js';
import { findPersonalMetadata, readExif } from '../../../src/photo/privacy.js';
import { stripJpegMetadata } from '../../../src/photo/jpeg.js';
import { decodeIssue } from '../../../src/photo/issues.js';
import { normalise } from '../../../src/photo/normalise.js';
import { DEFAULT_LIMITS } from '../../../src/photo/limits.js';
import { gradient, portrait, solid } from './fixtures.js';

const ctx = { format: 'jpeg', timeoutSeconds: 30, width: 4000, height: 3000, maxPixels: 10_000_000 };

describe('sniff', () => {
  test('raster formats by magic bytes, whatever the file name', async () => {
    expect(sniff(portrait(1))).toEqual({ kind: 'raster', format: 'jpeg' });
    expect(sniff(await solid(8, 8).png().toBuffer())).toEqual({ kind: 'raster', format: 'png' });
    expect(sniff(await solid(8, 8).webp().toBuffer())).toEqual({ kind: 'raster', format: 'webp' });
    expect(sniff(await solid(8, 8).avif({ effort: 0 }).toBuffer())).toEqual({ kind: 'raster', format: 'isobmff' });
    expect(sniff(await solid(8, 8).tiff().toBuffer())).toEqual({ kind: 'raster', format: 'tiff' });
    expect(sniff(await solid(8, 8).gif().toBuffer())).toEqual({ kind: 'raster', format: 'gif' });
  });
  test('SVG behind a BOM, whitespace or comment is still SVG', () => {
    expect(sniff(Buffer.from('\uFEFF  \n<!-- logo --><svg viewBox="0 0 1 1"/>')).kind).toBe('vector');
    expect(sniff(Buffer.from('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>')).kind).toBe('vector');
  });
  test('a video is not an image', () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\x02\0isomiso2', 'latin1')]);
    expect(sniff(mp4)).toEqual({ kind: 'other', what: 'a video (MP4/MOV)' });
  });
});

describe('container integrity', () => {
  test('complete files pass: the corpus, progressive JPEG, data after EOI', async () => {
    for (let i = 0; i <= 8; i++) expect(checkJpeg(portrait(i))).toEqual({ ok: true });
    expect(checkJpeg(await gradient(300, 300).jpeg({ progressive: true }).toBuffer())).toEqual({ ok: true });
    const trailer = Buffer.concat([portrait(1), Buffer.from('....motion-photo-mp4....')]);
    expect(checkJpeg(trailer)).toEqual({ ok: true });
    expect(checkPng(await gradient(300, 300).png().toBuffer())).toEqual({ ok: true });
    expect(checkStructure('webp', await gradient(300, 300).webp().toBuffer())).toEqual({ ok: true });
    expect(checkStructure('gif', await gradient(300, 300).gif().toBuffer())).toEqual({ ok: true });
  });
  test('a missing end marker alone counts as truncated', async () => {
    const jpeg = portrait(1);
    expect(checkJpeg(jpeg.subarray(0, jpeg.length - 2))).toMatchObject({ ok: false, problem: 'truncated' });
    const png = await gradient(300, 300).png().toBuffer();
    expect(checkPng(png.subarray(0, png.length - 12))).toMatchObject({ ok: false, problem: 'truncated', detail: 'the IEND chunk is missing' });
    const webp = await gradient(300, 300).webp().toBuffer();
    expect(checkStructure('webp', webp.subarray(0, webp.length - 10))).toMatchObject({ ok: false, problem: 'truncated' });
    const gif = await gradient(300, 300).gif().toBuffer();
    expect(checkStructure('gif', gif.subarray(0, gif.length - 1))).toMatchObject({ ok: false, problem: 'truncated' });
  });
});

describe('personal metadata', () => {
  test('EXIF GPS, serial numbers and names are found; placeholders are not', async () => {
    const exifOf = async (exif: Exif) => (await sharp(await gradient(16, 16).jpeg().withExif(exif).toBuffer()).metadata()).exif!;
    expect(readExif(await exifOf({ IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1' } }))).toEqual({ gps: true, personal: [] });
    expect(readExif(await exifOf({ IFD2: { LensSerialNumber: 'L123' } })).personal).toEqual(['lens serial number']);
    expect(readExif(await exifOf({ IFD0: { ImageDescription: 'OLYMPUS DIGITAL CAMERA', Make: 'Canon', Model: 'EOS R6' } }))).toEqual({ gps: false, personal: [] });
    expect(readExif(await exifOf({ IFD0: { ImageDescription: 'Ada Lovelace, grade 7' } })).personal).toEqual(['image description']);
    // The corpus portraits carry a plain EXIF block (orientation) and nothing personal.
    expect(findPersonalMetadata(await sharp(portrait(6)).metadata())).toEqual({ gps: false, personal: [] });
  });
  test('big-endian EXIF and malformed blocks never throw', () => {
    expect(readExif(Buffer.from('Exif\0\0MM\0*\0\0\0\x08\xff\xff', 'latin1'))).toEqual({ gps: false, personal: [] });
    expect(readExif(Buffer.from('garbage'))).toEqual({ gps: false, personal: [] });
    expect(readExif(Buffer.alloc(0))).toEqual({ gps: false, personal: [] });
  });
  test('XMP and IPTC fields', () => {
    const xmp = '<rdf:Description exif:GPSLatitude="51,30N" photoshop:City="Leeds"><Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Ada</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage></rdf:Description>';
    expect(findPersonalMetadata({ xmpAsString: xmp })).toEqual({ gps: true, personal: ['location (XMP)', 'names of people in the photo (XMP)'] });
    const byline = Buffer.from('Jane Photographer');
    const record = Buffer.concat([Buffer.from([0x1c, 0x02, 80, 0, byline.length]), byline]);
    const irb = Buffer.concat([Buffer.from('8BIM\x04\x04\0\0', 'latin1'), Buffer.from([0, 0, 0, record.length]), record]);
    expect(findPersonalMetadata({ iptc: irb }).personal).toEqual(['creator name (IPTC)']);
    expect(findPersonalMetadata({ comments: [{ keyword: 'Author', text: 'Jane' }, { keyword: 'Software', text: 'GIMP' }] }).personal).toEqual(['author name (PNG text)']);
  });
});

describe('stripJpegMetadata', () => {
  test('drops EXIF/XMP/COM, keeps ICC and image data', async () => {
    const jpeg = await gradient(64, 64)
      .jpeg()
      .withIccProfile('p3')
      .withExif({ IFD0: { Artist: 'Jane' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>')
      .toBuffer();
    const withComment = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe, 0, 7]), Buffer.from('Jane!'), jpeg.subarray(2)]);
    const stripped = stripJpegMetadata(withComment)!;
    const m = await sharp(stripped).metadata();
    expect([m.exif, m.xmp, m.hasProfile]).toEqual([undefined, undefined, true]);
    expect(stripped.includes(Buffer.from('Jane'))).toBe(false);
    const [a, b] = await Promise.all([sharp(jpeg, { ignoreIcc: true }).raw().toBuffer(), sharp(stripped, { ignoreIcc: true }).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
  });
  test('keeps the Adobe segment CMYK JPEGs need', async () => {
    const cmyk = await solid(64, 64).toColourspace('cmyk').jpeg().toBuffer();
    const stripped = stripJpegMetadata(cmyk)!;
    expect((await sharp(stripped).metadata()).space).toBe('cmyk');
    expect((await sharp(stripped).raw().toBuffer()).equals(await sharp(cmyk).raw().toBuffer())).toBe(true);
  });
  test('refuses what it cannot walk', () => {
    expect(stripJpegMetadata(Buffer.from('not a jpeg'))).toBeUndefined();
    expect(stripJpegMetadata(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]))).toBeUndefined();
  });
});

describe('decoder errors become friendly findings', () => {
  test.each([
    ['timeout: 12% complete', 'image-decode-timeout', ['30 s']],
    ['Input image exceeds pixel limit', 'image-too-many-pixels', ['4000×3000 px', '12 MP', 'limit is 10 MP']],
    ['VipsJpeg: premature end of JPEG image', 'image-truncated', ['premature end of JPEG image']],
    ['VipsJpeg: Corrupt JPEG data: bad Huffman code', 'image-undecodable', ['corrupt JPEG data: bad Huffman code']],
    ['vipspng: libpng read error\n    at Sharp.toBuffer (file.js:1:1)', 'image-undecodable', ['libpng read error']],
  ])('%s', (message, code, says) => {
    const found = decodeIssue(new Error(message), ctx);
    expect(found.code).toBe(code);
    expect(found.severity).toBe('error');
    for (const s of says) expect(found.message).toContain(s);
    expect(found.message).not.toContain('Sharp.toBuffer');
    expect(found.message).not.toContain('Vips');
  });
  test('HEIC the bundled decoder cannot read gets iPhone advice', () => {
    const found = decodeIssue(new Error('heif: Unsupported feature: Unsupported codec (4.3003)'), { ...ctx, format: 'heic' });
    expect(found.code).toBe('image-unsupported-format');
    expect(found.message).toContain('Most Compatible');
  });
  test('libvips enforces the pixel limit during the decode too (defence in depth)', async () => {
    const png = await gradient(500, 500).png().toBuffer();
    const err = await normalise(png, 'centre', { ...DEFAULT_LIMITS, maxInputPixels: 100_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(decodeIssue(err, { ...ctx, width: 500, height: 500, maxPixels: 100_000 }).code).toBe('image-too-many-pixels');
  });
});

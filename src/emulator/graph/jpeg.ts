// Reads a JPEG's pixel dimensions from its frame header (SOFn) without decoding it. The
// emulator stores photos as given (no image library: only the photo layer imports sharp),
// and needs width and height for the photo metadata and the too-small check.

export interface JpegDimensions {
  width: number;
  height: number;
}

/** Start-of-frame markers: C0..CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Markers that stand alone, without a length field: TEM, RST0..7, SOI, EOI. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}

/**
 * The dimensions from the first frame header, or undefined when the bytes are not a JPEG or
 * the header is missing/truncated (scan data before any frame header counts as missing).
 */
export function readJpegDimensions(bytes: Uint8Array): JpegDimensions | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    while (bytes[offset] === 0xff) offset++; // fill bytes
    const marker = bytes[offset];
    offset++;
    if (marker === undefined) return undefined;
    if (isStandalone(marker)) {
      if (marker === 0xd9) return undefined; // end of image without a frame
      continue;
    }
    if (offset + 2 > bytes.length) return undefined;
    const segmentLength = ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
    if (segmentLength < 2 || offset + segmentLength > bytes.length) return undefined;
    if (isStartOfFrame(marker)) {
      if (segmentLength < 7) return undefined;
      const height = ((bytes[offset + 3] ?? 0) << 8) | (bytes[offset + 4] ?? 0);
      const width = ((bytes[offset + 5] ?? 0) << 8) | (bytes[offset + 6] ?? 0);
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (marker === 0xda) return undefined; // start of scan before any frame header
    offset += segmentLength;
  }
  return undefined;
}

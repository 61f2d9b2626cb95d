/**
 * `photoData` is web-safe base64 (UserPhoto reference: `+` → `-`, `/` → `_`). The reference also
 * speaks of replacing the `=` padding (it names both `*` and `.`); GAM has sent urlsafe base64
 * with `=` padding for years, so we send that, and read any of the three paddings back.
 */
export function encodePhotoData(bytes: Buffer): string {
  return bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

export function decodePhotoData(data: string): Buffer {
  return Buffer.from(data.replace(/[=*.]+$/, '').replaceAll('-', '+').replaceAll('_', '/'), 'base64');
}

/** Google's `mimeType` for the formats it accepts (JPEG, PNG, GIF, BMP, TIFF). */
export function googleMimeType(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  if (bytes.subarray(0, 2).toString('latin1') === 'II' || bytes.subarray(0, 2).toString('latin1') === 'MM') return 'image/tiff';
  return undefined;
}

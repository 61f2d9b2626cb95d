/**
 * Every photo finding, with a message a school IT admin can act on: what is wrong, with the
 * numbers, and what to do. Messages never contain stack traces or raw metadata values.
 */
import type { CropStrategy, PhotoIssue } from './types.js';
import { formatBytes, formatMegapixels, MIN_SIDE, RECOMMENDED_SIDE } from './limits.js';

const error = (code: PhotoIssue['code'], message: string): PhotoIssue => ({ severity: 'error', code, message });
const warning = (code: PhotoIssue['code'], message: string): PhotoIssue => ({ severity: 'warning', code, message });
const px = (w: number, h: number) => `${w}×${h} px`;

export const issue = {
  empty: () =>
    error('image-empty', 'The file is empty (0 bytes). Commit the photo again; the copy or upload probably failed.'),

  tooLargeFile: (bytes: number, max: number) =>
    error(
      'image-too-large-file',
      `The file is ${formatBytes(bytes)}; photos over ${formatBytes(max)} are not read. ` +
        `Export a smaller JPEG (a portrait of 648×648 to about 2000×2000 px is plenty).`,
    ),

  unrecognised: (what: string | undefined) =>
    error(
      'image-unrecognised',
      `The file is not an image${what ? ` (it looks like ${what})` : ''}. ` +
        'Replace it with the photo itself, as a JPEG or PNG.',
    ),

  notRaster: (what: string) =>
    error(
      'image-not-raster',
      `The file is ${what}, not a photo; drawings and documents are not accepted as profile photos. ` +
        'Export it as a JPEG or PNG photo.',
    ),

  unsupportedFormat: (what: string) =>
    error(
      'image-unsupported-format',
      `The file is a ${what} image, which is not accepted. ` +
        'Save it as JPEG or PNG (WebP, AVIF, TIFF and GIF are accepted too).',
    ),

  heicUnsupported: () =>
    error(
      'image-unsupported-format',
      'The file is a HEIC photo (the iPhone default), which cannot be decoded here. ' +
        'Export it as JPEG (on iPhone: Settings › Camera › Formats › Most Compatible) and commit that.',
    ),

  tooManyPixels: (w: number, h: number, max: number) =>
    error(
      'image-too-many-pixels',
      `The image declares ${px(w, h)} (${formatMegapixels(w * h)}); the limit is ${formatMegapixels(max)}, ` +
        'to guard against "decompression bomb" files. Resize it to a normal portrait (648×648 px is all Entra ID shows) and commit that.',
    ),

  truncated: (detail: string) =>
    error(
      'image-truncated',
      `The file is cut short (${detail}), probably by an interrupted copy or upload. ` +
        'Copy the original photo into the repository again.',
    ),

  undecodable: (reason: string) =>
    error(
      'image-undecodable',
      `The image data is damaged and cannot be decoded (${reason}). ` +
        'Open the original in an image editor and export it again as JPEG, or copy it again.',
    ),

  decodeTimeout: (seconds: number) =>
    error(
      'image-decode-timeout',
      `Decoding the image took longer than ${seconds} s and was stopped. The file may be damaged or unusually complex; ` +
        'export it again as an ordinary JPEG.',
    ),

  tooSmall: (w: number, h: number) =>
    error(
      'image-too-small',
      `The image is ${px(w, h)}; Microsoft Graph rejects photos smaller than ${MIN_SIDE} px. ` +
        `Use a larger original (${RECOMMENDED_SIDE}×${RECOMMENDED_SIDE} or more is recommended).`,
    ),

  belowRecommended: (w: number, h: number, normalising: boolean) =>
    warning(
      'image-below-recommended',
      `The image is ${px(w, h)}, smaller than the recommended ${RECOMMENDED_SIDE}×${RECOMMENDED_SIDE}; ` +
        `${normalising ? `it will be upscaled to ${RECOMMENDED_SIDE}×${RECOMMENDED_SIDE} and` : 'it will'} look soft in Teams and Outlook. ` +
        'Use a larger original if you have one.',
    ),

  notSquareWillCrop: (w: number, h: number, crop: CropStrategy) => {
    const side = Math.min(w, h);
    return warning(
      'image-not-square',
      crop === 'attention'
        ? `The image is ${px(w, h)}, not square; it will be cropped to the ${side}×${side} px square that crop: attention picks ` +
            '(usually the face). Check the preview, or crop it to a square yourself.'
        : `The image is ${px(w, h)}, not square; it will be cropped to the centre ${side}×${side} px square. ` +
            'Crop it yourself, or set crop: attention to centre on the face.',
    );
  },

  notSquareUnnormalised: (w: number, h: number) =>
    error(
      'image-not-square',
      `The image is ${px(w, h)}, not square, and normalisation is off, so it would be uploaded as is and cropped ` +
        'unpredictably by Microsoft 365. Crop it to a square, or turn normalisation on to crop it automatically.',
    ),

  animated: (format: string, pages: number) =>
    warning(
      'image-animated',
      `The ${format.toUpperCase()} has ${pages} ${format === 'tiff' ? 'pages' : 'frames'}; only the first is used. ` +
        'Check that the first one is the portrait, or export a single still image.',
    ),

  gps: () =>
    warning(
      'image-gps-metadata',
      'The photo contains GPS coordinates (where it was taken) in its metadata. It is stripped before upload, ' +
        'but it is in your git history: remove it from the original (export without location/metadata) and commit the cleaned file.',
    ),

  personal: (fields: readonly string[]) =>
    warning(
      'image-personal-metadata',
      `The photo's metadata contains personal details: ${fields.join(', ')}. They are stripped before upload, ` +
        'but they are in your git history: remove them from the original (export without metadata) and commit the cleaned file.',
    ),

  notJpeg: (format: string) =>
    error(
      'image-not-jpeg',
      `Normalisation is off, so the file is uploaded as is, and Microsoft Graph accepts only JPEG; this file is ${format.toUpperCase()}. ` +
        'Convert it to JPEG, or turn normalisation on.',
    ),

  orientationNotApplied: (orientation: number) =>
    error(
      'image-orientation-not-applied',
      `The image is stored ${ORIENTATION_WORDS[orientation] ?? 'rotated'} and relies on EXIF orientation ${orientation} to display upright; ` +
        'with normalisation off it would be uploaded that way. Rotate it in an image editor and save it, or turn normalisation on.',
    ),

  notSrgb: (space: string) =>
    warning(
      'image-not-srgb',
      `The JPEG uses the ${space.toUpperCase()} colour space; with normalisation off it is uploaded as is and may show wrong colours ` +
        'in Microsoft 365. Convert it to sRGB, or turn normalisation on.',
    ),

  tooLargeForUpload: (bytes: number, max: number) =>
    error(
      'image-too-large-for-upload',
      `The JPEG is ${formatBytes(bytes)} without its metadata; Microsoft Graph accepts at most ${formatBytes(max)}. ` +
        'Save it smaller or at a lower quality (648×648 px is enough), or turn normalisation on.',
    ),

  tooLargeAfterNormalise: (bytes: number, max: number) =>
    error(
      'image-too-large-after-normalise',
      `The normalised JPEG is ${formatBytes(bytes)}, over Microsoft Graph's ${formatBytes(max)} limit. ` +
        'This should not happen at 648×648; please report it with the photo, and try a re-exported original meanwhile.',
    ),
};

const ORIENTATION_WORDS: Record<number, string> = {
  2: 'mirrored',
  3: 'upside down',
  4: 'upside down and mirrored',
  5: 'sideways and mirrored',
  6: 'sideways',
  7: 'sideways and mirrored',
  8: 'sideways',
};

/** Map a sharp/libvips error to a finding: friendly, one line, no stack trace. */
export function decodeIssue(err: unknown, context: { format: string; timeoutSeconds: number; width: number; height: number; maxPixels: number }): PhotoIssue {
  const raw = err instanceof Error ? err.message : String(err);
  const firstLine = (raw.split('\n')[0] ?? '').trim();
  if (/^timeout\b|timeout:/i.test(firstLine)) return issue.decodeTimeout(context.timeoutSeconds);
  if (/pixel limit/i.test(firstLine)) return issue.tooManyPixels(context.width, context.height, context.maxPixels);
  if (!/corrupt/i.test(firstLine) && /premature end|truncated|unexpected end|end of (file|data)|not enough data|out of data/i.test(firstLine)) {
    return issue.truncated(`the decoder reports: ${reasonOf(firstLine)}`);
  }
  if (context.format === 'heic' || /unsupported (codec|feature)|no decoder|hevc/i.test(firstLine)) {
    return context.format === 'heic' ? issue.heicUnsupported() : issue.unsupportedFormat(context.format.toUpperCase());
  }
  return issue.undecodable(reasonOf(firstLine) || 'unknown decoder error');
}

/** "VipsJpeg: Corrupt JPEG data: 1 extraneous bytes" → "corrupt JPEG data: 1 extraneous bytes". */
function reasonOf(message: string): string {
  const stripped = message
    .replace(/^(Vips\w+|vips\w+|heif|tiff2vips|gifload|webp2vips|pngload|jpegload)\s*:\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  const short = stripped.length > 160 ? `${stripped.slice(0, 157)}...` : stripped;
  return short.charAt(0).toLowerCase() + short.slice(1);
}

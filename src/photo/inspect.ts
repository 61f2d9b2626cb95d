/**
 * Header checks: everything we can say without decoding pixels. Order matters — bytes first,
 * then magic-byte sniffing (so SVG/PDF never reach a decoder), then sharp's header read
 * (`metadata()`, ~0.5 ms), then the pixel limit, so that a decompression bomb is refused before
 * a single pixel is decoded.
 */
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import type { NormaliseSettings, PhotoInput, PhotoIssue } from './types.js';
import type { PhotoLimits } from './limits.js';
import { MIN_SIDE, RECOMMENDED_SIDE } from './limits.js';
import { issue, decodeIssue } from './issues.js';
import { sniff } from './sniff.js';
import type { RasterKind } from './sniff.js';
import { checkStructure } from './structure.js';
import { findPersonalMetadata } from './privacy.js';

/** sharp's format names we accept (AVIF and HEIC both come back as `heif`). */
const ACCEPTED_SHARP_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export interface Inspection {
  issues: PhotoIssue[];
  input?: PhotoInput;
  /** Present when the header could be read and the photo may be decoded (no pixel/byte refusal). */
  header?: { sniffed: RasterKind; metadata: Metadata };
}

export async function inspect(buf: Buffer, settings: NormaliseSettings, limits: PhotoLimits): Promise<Inspection> {
  if (buf.length === 0) return { issues: [issue.empty()] };
  if (buf.length > limits.maxInputBytes) return { issues: [issue.tooLargeFile(buf.length, limits.maxInputBytes)] };

  const sniffed = sniff(buf);
  switch (sniffed.kind) {
    case 'vector':
      return { issues: [issue.notRaster(sniffed.what)] };
    case 'unsupported':
      return { issues: [issue.unsupportedFormat(sniffed.what)] };
    case 'other':
      return { issues: [issue.unrecognised(sniffed.what)] };
    case 'raster':
      break;
  }

  let metadata: Metadata;
  try {
    metadata = await sharp(buf, { failOn: 'warning', limitInputPixels: false }).metadata();
  } catch (err) {
    return { issues: [decodeIssue(err, { format: sniffed.format, timeoutSeconds: limits.timeoutSeconds, width: 0, height: 0, maxPixels: limits.maxInputPixels })] };
  }
  if (!ACCEPTED_SHARP_FORMATS.has(metadata.format)) {
    return { issues: [issue.unsupportedFormat(String(metadata.format).toUpperCase())] };
  }

  const format = friendlyFormat(metadata);
  const width = metadata.autoOrient?.width ?? metadata.width;
  const height = metadata.autoOrient?.height ?? metadata.height;
  const input: PhotoInput = { format, width, height, bytes: buf.length };
  if (metadata.orientation !== undefined) input.orientation = metadata.orientation;
  if (metadata.space) input.space = metadata.space;
  if (metadata.depth) input.depth = metadata.depth;

  if (width * height > limits.maxInputPixels) {
    return { issues: [issue.tooManyPixels(width, height, limits.maxInputPixels)], input };
  }

  const issues: PhotoIssue[] = [];
  const integrity = checkStructure(sniffed.format, buf);
  if (!integrity.ok) {
    issues.push(integrity.problem === 'truncated' ? issue.truncated(integrity.detail) : issue.undecodable(integrity.detail));
  }

  issues.push(...sizeIssues(width, height, settings));

  const pages = metadata.pages ?? 1;
  if (pages > 1 && format !== 'avif' && format !== 'heic') issues.push(issue.animated(format, pages));

  const privacy = findPersonalMetadata(metadata);
  if (privacy.gps) issues.push(issue.gps());
  if (privacy.personal.length > 0) issues.push(issue.personal(privacy.personal));

  if (!settings.enabled) {
    if (format !== 'jpeg') issues.push(issue.notJpeg(format));
    if (metadata.orientation !== undefined && metadata.orientation !== 1) issues.push(issue.orientationNotApplied(metadata.orientation));
    if (format === 'jpeg' && metadata.space !== 'srgb' && metadata.space !== 'b-w') issues.push(issue.notSrgb(metadata.space));
  }

  return { issues, input, header: { sniffed: sniffed.format, metadata } };
}

/** Size rules, on the dimensions as displayed (after EXIF orientation). */
export function sizeIssues(width: number, height: number, settings: NormaliseSettings): PhotoIssue[] {
  const issues: PhotoIssue[] = [];
  const side = Math.min(width, height);
  if (side < MIN_SIDE) issues.push(issue.tooSmall(width, height));
  else if (side < RECOMMENDED_SIDE) issues.push(issue.belowRecommended(width, height, settings.enabled));
  if (width !== height) {
    issues.push(settings.enabled ? issue.notSquareWillCrop(width, height, settings.crop) : issue.notSquareUnnormalised(width, height));
  }
  return issues;
}

function friendlyFormat(m: Metadata): string {
  if (m.format === 'heif') return m.compression === 'av1' ? 'avif' : 'heic';
  return m.format;
}

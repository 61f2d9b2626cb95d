/**
 * checkPhoto: header checks, then (when nothing is wrong yet) the single decode that produces
 * the bytes to upload. What passes review is exactly what apply sends.
 */
import sharp from 'sharp';
import type { NormaliseSettings, PhotoIssue, PhotoReport } from './types.js';
import type { PhotoLimits } from './limits.js';
import { DEFAULT_LIMITS } from './limits.js';
import { decodeIssue, issue } from './issues.js';
import { inspect } from './inspect.js';
import { normalise, OUTPUT_SIZE, verifyDecodes } from './normalise.js';
import { stripJpegMetadata, toOutput } from './jpeg.js';

/**
 * Check one photo and, when it has no error, produce the JPEG to upload.
 *
 * `output` is present only when there is no error: with normalisation on it is the normalised
 * 648×648 JPEG; with normalisation off it is the input with its metadata segments removed
 * losslessly (pixels untouched). Never rejects because of the image's content; every problem
 * is an issue.
 */
export async function checkPhoto(input: Buffer, settings: NormaliseSettings, limits: PhotoLimits = DEFAULT_LIMITS): Promise<PhotoReport> {
  const inspected = await inspect(input, settings, limits);
  const report: PhotoReport = { issues: inspected.issues };
  if (inspected.input) report.input = inspected.input;
  if (!inspected.header || !inspected.input || hasError(report.issues)) return report;

  const { width, height, format } = inspected.input;
  const context = { format, timeoutSeconds: limits.timeoutSeconds, width, height, maxPixels: limits.maxInputPixels };

  if (settings.enabled) {
    let result: Awaited<ReturnType<typeof normalise>>;
    try {
      result = await normalise(input, settings.crop, limits);
    } catch (err) {
      report.issues.push(decodeIssue(err, context));
      return report;
    }
    if (result.jpeg.length > limits.maxOutputBytes) {
      report.issues.push(issue.tooLargeAfterNormalise(result.jpeg.length, limits.maxOutputBytes));
      return report;
    }
    const leak = await metadataLeak(result.jpeg);
    if (leak) {
      report.issues.push(issue.undecodable(`internal check failed: the normalised photo still carries ${leak}`));
      return report;
    }
    if (result.width !== OUTPUT_SIZE || result.height !== OUTPUT_SIZE) {
      report.issues.push(issue.undecodable(`internal check failed: normalised to ${result.width}×${result.height} px`));
      return report;
    }
    report.output = toOutput(result.jpeg, result.width, result.height);
    return report;
  }

  // Normalisation off: the input is the upload (already checked: JPEG, square, upright).
  try {
    await verifyDecodes(input, limits);
  } catch (err) {
    report.issues.push(decodeIssue(err, context));
    return report;
  }
  const stripped = stripJpegMetadata(input);
  if (!stripped) {
    report.issues.push(issue.undecodable('the JPEG marker structure is invalid'));
    return report;
  }
  if (stripped.length > limits.maxOutputBytes) {
    report.issues.push(issue.tooLargeForUpload(stripped.length, limits.maxOutputBytes));
    return report;
  }
  report.output = toOutput(stripped, width, height);
  return report;
}

function hasError(issues: readonly PhotoIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Defence in depth for privacy: the bytes we upload must carry no metadata block (~0.5 ms). */
async function metadataLeak(jpeg: Buffer): Promise<string | undefined> {
  const m = await sharp(jpeg).metadata();
  if (m.exif) return 'EXIF';
  if (m.xmp) return 'XMP';
  if (m.iptc) return 'IPTC';
  if (m.icc || m.hasProfile) return 'an ICC profile';
  return undefined;
}

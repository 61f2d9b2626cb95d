/**
 * Normalisation: the one decode of a photo. The transform that produces the upload IS the
 * decode check (failOn 'warning'), bounded by a pixel limit and a timeout.
 *
 *   auto-orient (EXIF) → sRGB (embedded ICC profile honoured; CMYK and 16-bit inputs) →
 *   flatten alpha onto white → square crop (centre | attention) and resize to 648×648
 *   (small-but-valid inputs are upscaled) → baseline JPEG q90 4:2:0, no metadata at all.
 *
 * Same input + same settings + same NORMALISATION_VERSION (and the same vendored sharp) →
 * the same bytes.
 */
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { CropStrategy, NormaliseSettings } from './types.js';
import type { PhotoLimits } from './limits.js';
import { BASELINE_OUTPUT_SPEC, RECOMMENDED_SIDE } from './limits.js';
import { JPEG_OPTIONS } from './jpeg.js';

/** Output edge in px: the largest HD size Entra ID stores. */
export const OUTPUT_SIZE = RECOMMENDED_SIDE;

/**
 * Bump when the output bytes for the same input would change (pipeline steps, OUTPUT_SIZE,
 * JPEG_OPTIONS). It goes into desired-state hashes, so bumping it re-uploads every photo.
 * A sharp/libvips upgrade may also shift bytes slightly; that alone does not bump it, so an
 * upgrade does not re-upload a whole district.
 */
export const NORMALISATION_VERSION = '1';


/** The photo a target accepts, as the normalisation key sees it (the shape of the port's PhotoSpec). */
export interface OutputSpec {
  side: number;
  minSide: number;
  maxBytes: number;
  formats: readonly string[];
}

/** Defined beside the limits it is made of (no sharp needed to read it): the target layer builds on it. */
export { BASELINE_OUTPUT_SPEC };

function sameSpec(a: OutputSpec, b: OutputSpec): boolean {
  return a.side === b.side && a.minSide === b.minSide && a.maxBytes === b.maxBytes && a.formats.length === b.formats.length && a.formats.every((f, i) => f === b.formats[i]);
}

/**
 * A stable string for desired-state hashes: everything that decides the uploaded bytes, and the
 * target's photo spec when it is not the baseline (so a target whose spec changes sends again).
 */
export function normalisationKey(settings: NormaliseSettings, spec: OutputSpec = BASELINE_OUTPUT_SPEC): string {
  const key = settings.enabled ? `n${NORMALISATION_VERSION}/${OUTPUT_SIZE}/${settings.crop}` : 'as-is';
  return sameSpec(spec, BASELINE_OUTPUT_SPEC) ? key : `${key}/spec:${spec.side}-${spec.minSide}-${spec.maxBytes}-${spec.formats.join('+')}`;
}

/** The bounded decoder every photo read goes through. First frame/page only. */
export function boundedInput(input: Buffer, limits: PhotoLimits): Sharp {
  return sharp(input, {
    failOn: 'warning',
    limitInputPixels: limits.maxInputPixels,
    pages: 1,
    page: 0,
  }).timeout({ seconds: limits.timeoutSeconds });
}

export function normalisingPipeline(input: Buffer, crop: CropStrategy, limits: PhotoLimits): Sharp {
  return boundedInput(input, limits)
    .autoOrient()
    .toColourspace('srgb')
    .flatten({ background: '#ffffff' })
    .resize(OUTPUT_SIZE, OUTPUT_SIZE, {
      fit: 'cover',
      position: crop === 'attention' ? 'attention' : 'centre',
      withoutEnlargement: false,
    })
    .jpeg(JPEG_OPTIONS);
  // No withMetadata()/keepExif()/keepIccProfile(): sharp strips EXIF, XMP, IPTC and ICC.
}

/** Runs the normalising transform. Rejects with sharp's error when the decode fails. */
export async function normalise(input: Buffer, crop: CropStrategy, limits: PhotoLimits): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const { data, info } = await normalisingPipeline(input, crop, limits).toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}

/**
 * Decode check for normalisation-off photos (sent as is). JPEG shrink-on-load still reads
 * all entropy-coded data, so this catches corruption at a fraction of a full decode.
 */
export async function verifyDecodes(input: Buffer, limits: PhotoLimits): Promise<void> {
  await boundedInput(input, limits).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
}

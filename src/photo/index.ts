/**
 * The photo layer: the only part of entra-photos that imports sharp.
 *
 * checkPhoto() runs the header checks (bytes, format sniffing, pixel limit, size rules,
 * personal metadata) and then the single bounded decode that produces the upload;
 * thumbnail() makes small previews for summaries. See DESIGN.md "Checks on a pull request".
 */
export type {
  CropStrategy,
  NormaliseSettings,
  PhotoInput,
  PhotoIssue,
  PhotoIssueCode,
  PhotoOutput,
  PhotoReport,
  PhotoSeverity,
} from './types.js';
export type { PhotoLimits } from './limits.js';
export { DEFAULT_LIMITS, MIN_SIDE, RECOMMENDED_SIDE, recommendedParallelism } from './limits.js';
export { BASELINE_OUTPUT_SPEC, NORMALISATION_VERSION, OUTPUT_SIZE, normalisationKey } from './normalise.js';
export type { OutputSpec } from './normalise.js';
export { JPEG_OPTIONS, thumbnail } from './jpeg.js';
export { checkPhoto } from './check.js';
export { COLOUR_SIDE, SAME_PHOTO_THRESHOLD, SIGNATURE_SIDE, comparePhotos, compareSignatures, photoSignature } from './similarity.js';
export type { PhotoComparison, PhotoSignature, StoredPhotoComparison } from './similarity.js';

/**
 * Public types of the photo layer. Everything here is plain data so that reports can be
 * serialised, compared and rendered by the (pure) report builders.
 */

/** How a non-square photo is cropped to a square: the centre, or libvips' attention strategy
 * (luminance frequency, saturation and skin tones — usually the face). */
export type CropStrategy = 'centre' | 'attention';

export interface NormaliseSettings {
  /** On by default. Off means the file must already be an upload-ready square JPEG; its pixels
   * are sent untouched (only metadata segments are removed, losslessly). */
  enabled: boolean;
  crop: CropStrategy;
}

export type PhotoSeverity = 'error' | 'warning';

export interface PhotoIssue {
  severity: PhotoSeverity;
  /** Stable machine-readable kind, one of {@link PhotoIssueCode}. */
  code: PhotoIssueCode;
  /** What is wrong (with the numbers) and what to do about it. Never a stack trace. */
  message: string;
}

export type PhotoIssueCode =
  | 'image-empty'
  | 'image-too-large-file'
  | 'image-unrecognised'
  | 'image-not-raster'
  | 'image-unsupported-format'
  | 'image-too-many-pixels'
  | 'image-truncated'
  | 'image-undecodable'
  | 'image-decode-timeout'
  | 'image-too-small'
  | 'image-below-recommended'
  | 'image-not-square'
  | 'image-animated'
  | 'image-gps-metadata'
  | 'image-personal-metadata'
  | 'image-not-jpeg'
  | 'image-orientation-not-applied'
  | 'image-not-srgb'
  | 'image-too-large-for-upload'
  | 'image-too-large-after-normalise';

export interface PhotoInput {
  /** Friendly format name: jpeg, png, webp, avif, heic, tiff, gif. */
  format: string;
  /** Width and height AFTER auto-orientation (what the user sees). */
  width: number;
  height: number;
  /** EXIF orientation tag (1..8) when present. */
  orientation?: number;
  /** libvips interpretation, e.g. srgb, cmyk, b-w, rgb16. */
  space?: string;
  /** libvips pixel format, e.g. uchar, ushort. */
  depth?: string;
  bytes: number;
}

export interface PhotoOutput {
  /** The exact bytes to upload to Microsoft Graph. */
  jpeg: Buffer;
  width: number;
  height: number;
  bytes: number;
  /** Lower-case hex SHA-256 of `jpeg`. */
  sha256: string;
}

export interface PhotoReport {
  /** Empty means clean. An `output` is only present when there is no error. */
  issues: PhotoIssue[];
  input?: PhotoInput;
  output?: PhotoOutput;
}

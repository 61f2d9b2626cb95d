import { availableParallelism } from 'node:os';
import type { OutputSpec } from './normalise.js';

/**
 * Bounds on what the photo layer will read and produce. Every photo in a pull request is
 * untrusted input (fork PRs included), so decoding is bounded in bytes, pixels and time.
 */
export interface PhotoLimits {
  /** Files larger than this are refused before anything is decoded. */
  maxInputBytes: number;
  /** width × height from the header; checked before decoding and enforced again by libvips. */
  maxInputPixels: number;
  /** Microsoft Graph refuses photo bodies over 4 MB. */
  maxOutputBytes: number;
  /** A decode/normalise that runs longer than this is stopped. */
  timeoutSeconds: number;
}

const MB = 1024 * 1024;

export const DEFAULT_LIMITS: PhotoLimits = Object.freeze({
  maxInputBytes: 50 * MB,
  // Camera originals are 12–50 MP; 100 MP leaves room for medium format while a 30000×30000
  // "decompression bomb" (900 MP, a few hundred KB on disk) is refused from its header.
  maxInputPixels: 100_000_000,
  maxOutputBytes: 4 * MB,
  timeoutSeconds: 30,
});

/**
 * Our floor, not a documented Graph limit: Graph answers 400 ValidationWidthTooSmall to photos it
 * finds too small but documents no size. Below 96 px a portrait is upscaled so far to 648 px that
 * it is not recognisable, so validation refuses it before Graph has a say.
 */
export const MIN_SIDE = 96;
/** The largest size Entra ID serves (HD sizes 48…648); smaller originals are upscaled. */
export const RECOMMENDED_SIDE = 648;

/**
 * The spec normalisation was built for: Entra ID's (648 px square JPEG, at least 96 px, at most
 * 4 MB). A target with exactly this spec keeps the key photos always had, so its fingerprints (and
 * the records that hold them) stay byte-identical.
 */
export const BASELINE_OUTPUT_SPEC: OutputSpec = Object.freeze({ side: RECOMMENDED_SIDE, minSide: MIN_SIDE, maxBytes: 4 * 1024 * 1024, formats: Object.freeze(['image/jpeg']) });

/**
 * How many photos to have in flight at once (normalising), for callers that pool work.
 *
 * We deliberately leave libvips' own thread count (`sharp.concurrency()`) at its default:
 * on glibc Linux without jemalloc sharp already runs one libvips thread per image, and the
 * work is dominated by JPEG decoding, which is sequential per image anyway. Throughput comes
 * from having several photos in flight; measured on 2 cores, 3–4 in flight roughly doubles
 * photos/s over 1. Cores + 1 keeps every core busy while one photo waits on I/O. Note that
 * sharp runs on the libuv thread pool (UV_THREADPOOL_SIZE, default 4), which caps real
 * parallelism regardless of this number.
 */
export function recommendedParallelism(): number {
  return availableParallelism() + 1;
}

export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export function formatMegapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${mp >= 10 ? Math.round(mp) : mp.toFixed(1)} MP`;
}

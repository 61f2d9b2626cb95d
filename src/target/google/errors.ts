/**
 * Google's failures as typed errors, and how each should be handled. Directory API errors carry
 * `{error:{code,message,errors:[{domain,reason,message}],status}}`; the OAuth endpoints (STS,
 * oauth2.googleapis.com/token) `{error,error_description}`. Retryable with exponential backoff,
 * as Google's Directory "Limits and quotas" page says: 403 userRateLimitExceeded, 403
 * quotaExceeded, 429 rateLimitExceeded, 503 backendError (and other 5xx, and the network).
 */
import type { TargetFailure } from '../port.js';

/** A Directory (or IAM Credentials) API call answered with an error. */
export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  constructor(
    readonly status: number,
    /** `errors[0].reason` (Directory), the ErrorInfo `reason` (IAM), or the `status` text. */
    readonly reason: string,
    message: string,
    /** Seconds from a Retry-After header, when Google sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export type GoogleAuthStep = 'github-token' | 'sts' | 'generateAccessToken' | 'signJwt' | 'jwt-bearer';

/** A step of keyless sign-in failed: the message says which, and what to check. Never retried. */
export class GoogleAuthError extends Error {
  override readonly name = 'GoogleAuthError';
  constructor(
    readonly step: GoogleAuthStep,
    readonly status: number,
    /** OAuth `error` or the API's reason. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isGoogleApiError(error: unknown): error is GoogleApiError {
  return error instanceof GoogleApiError;
}

const THROTTLE_REASONS = new Set(['userRateLimitExceeded', 'quotaExceeded', 'rateLimitExceeded']);

/** Google's error body, read defensively: any of its fields may be missing. */
export function readGoogleError(status: number, body: string, retryAfter: string | null): GoogleApiError {
  let reason = '';
  let message = body.slice(0, 300) || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; status?: unknown; errors?: Array<{ reason?: unknown }>; details?: Array<{ reason?: unknown }> } };
    const error = parsed.error;
    if (error && typeof error === 'object') {
      if (typeof error.message === 'string') message = error.message;
      const first = error.errors?.[0]?.reason ?? error.details?.find((detail) => typeof detail.reason === 'string')?.reason ?? error.status;
      if (typeof first === 'string') reason = first;
    }
  } catch {
    // not JSON: keep the text
  }
  const seconds = retryAfter === null ? undefined : Number(retryAfter);
  return new GoogleApiError(status, reason, `${status} ${reason || 'error'}: ${message}`, seconds !== undefined && Number.isFinite(seconds) ? seconds : undefined);
}

/** How the pacer should treat a failed Google call (the port's TargetFailure). */
export function classifyGoogleFailure(error: unknown): TargetFailure {
  if (error instanceof GoogleAuthError) return { kind: 'fatal' };
  if (error instanceof GoogleApiError) {
    if (error.status === 429 || (error.status === 403 && THROTTLE_REASONS.has(error.reason))) return { kind: 'throttled', retryAfterSeconds: error.retryAfterSeconds };
    if (error.status >= 500) return { kind: 'transient', retryAfterSeconds: error.retryAfterSeconds };
    if (error.status === 403 || error.status === 401) return { kind: 'forbidden', delegated: false };
    return { kind: 'fatal' };
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return { kind: 'fatal' };
  // fetch's TypeError('fetch failed') and socket errors: the network, worth another try.
  return { kind: 'transient', retryAfterSeconds: undefined };
}

export function isRetryableGoogleFailure(error: unknown): boolean {
  const kind = classifyGoogleFailure(error).kind;
  return kind === 'throttled' || kind === 'transient';
}

/**
 * Google's exponential backoff: wait min(2^n + random fraction, maximum) seconds before retry n
 * (n from 0), the algorithm its Directory "Limits and quotas" page gives (maximum 32–64 s).
 */
export function googleBackoffMs(attempt: number, random: () => number = Math.random, maximumMs = 32_000, baseMs = 1000): number {
  return Math.min(maximumMs, baseMs * 2 ** attempt + Math.floor(random() * baseMs));
}

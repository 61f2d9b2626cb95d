/**
 * How pacing treats a failed attempt. The pacing engine knows no directory service: each target
 * tells it, through the port's `classifyFailure`, which failures are the service asking to slow
 * down, which are worth another attempt, and which are final.
 */

/**
 *   throttled — the service asks the client to slow down (wait `retryAfterSeconds` when given):
 *     the whole run slows down, and the attempt is made again;
 *   transient — worth another attempt after a backoff (5xx, network);
 *   fatal — final: this call failed for good (including a cancellation by the caller).
 */
export type PacingFailure =
  | { kind: 'throttled'; retryAfterSeconds: number | undefined }
  | { kind: 'transient'; retryAfterSeconds: number | undefined }
  | { kind: 'fatal'; retryAfterSeconds?: undefined };

export type PacingClassifier = (error: unknown) => PacingFailure;

/** The fields of an HTTP failure the default classifier reads (Entra's GraphError has them). */
interface HttpFailure {
  /** HTTP status; 0 for a failure without an answer (network, timeout, cancellation). */
  status: number;
  code?: string;
  retryAfterSeconds?: number | undefined;
}

function isHttpFailure(error: unknown): error is HttpFailure {
  return error instanceof Error && typeof (error as Partial<HttpFailure>).status === 'number';
}

/**
 * The default classifier, for callers that run calls without a target (a client's own reads):
 * plain HTTP rules. 429 is throttled; a network failure (status 0, but not a cancellation:
 * code AbortError), 408 and 5xx other than 501 and 505 are transient; anything else, and any
 * error without an HTTP status, is final. A target with other signals (Google's
 * 403 userRateLimitExceeded) passes its own classifier: `pacingClassifierOf(target)`.
 */
export function classifyHttpFailure(error: unknown): PacingFailure {
  if (!isHttpFailure(error)) return { kind: 'fatal' };
  const { status, retryAfterSeconds } = error;
  if (status === 429) return { kind: 'throttled', retryAfterSeconds };
  if (status === 0) return error.code === 'AbortError' ? { kind: 'fatal' } : { kind: 'transient', retryAfterSeconds };
  if (status === 408 || (status >= 500 && status !== 501 && status !== 505)) return { kind: 'transient', retryAfterSeconds };
  return { kind: 'fatal' };
}

/** A short name of a failure for the pacer's counts: the HTTP status, or the network code, or the error's name. */
export function failureName(error: unknown): string {
  if (isHttpFailure(error)) return error.status === 0 ? error.code || 'network' : String(error.status);
  return error instanceof Error ? error.name : 'error';
}

/** The port's failure kinds as pacing sees them: a policy refusal or a missing permission is final. */
export function pacingClassifierOf(target: { classifyFailure(error: unknown): { kind: string; retryAfterSeconds?: number | undefined } }): PacingClassifier {
  return (error) => {
    const failure = target.classifyFailure(error);
    if (failure.kind === 'throttled' || failure.kind === 'transient') return { kind: failure.kind, retryAfterSeconds: failure.retryAfterSeconds };
    return { kind: 'fatal' };
  };
}

// Google's error bodies, as the services send them:
// - Google APIs (Directory, IAM Credentials): {"error":{"code","message","errors":[{"message",
//   "domain","reason"}],"status"}}; IAM Credentials puts a google.rpc.ErrorInfo in `details`.
// - OAuth 2.0 endpoints (STS, oauth2.googleapis.com/token): {"error","error_description"}.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';

/** A response the Google services send: status, JSON body, the reason for the request log. */
export interface GoogleAnswer {
  status: number;
  body?: unknown;
  /** Error reason (Directory `reason`, OAuth `error`), for the request log. */
  errorCode?: string;
  /** Directory user the request targeted, for the request log and fault rules. */
  userId?: string;
  throttled?: boolean;
  fault?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function googleStatusText(code: number): string {
  return STATUS_TEXT[code] ?? 'UNKNOWN';
}

/** A Google API error with the legacy `errors` list (what the Directory API sends). */
export function apiError(code: number, reason: string, message: string, domain = 'global', extra: Record<string, unknown> = {}): GoogleAnswer {
  return {
    status: code,
    errorCode: reason,
    body: { error: { code, message, errors: [{ message, domain, reason, ...extra }], status: googleStatusText(code) } },
  };
}

/** An IAM Credentials error: `details` carries a google.rpc.ErrorInfo. */
export function iamError(code: number, reason: string, message: string, metadata: Record<string, string> = {}): GoogleAnswer {
  return {
    status: code,
    errorCode: reason,
    body: {
      error: {
        code,
        message,
        status: googleStatusText(code),
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'iam.googleapis.com', metadata }],
      },
    },
  };
}

/** An OAuth 2.0 error (RFC 6749 §5.2): STS and the OAuth2 token endpoint. */
export function oauthError(status: number, error: string, description: string): GoogleAnswer {
  return { status, errorCode: error, body: { error, error_description: description } };
}

export function unauthenticated(): GoogleAnswer {
  return apiError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    'global',
    { location: 'Authorization', locationType: 'header' },
  );
}

export function writeAnswer(response: ServerResponse, answer: GoogleAnswer): void {
  if (answer.body === undefined) {
    response.writeHead(answer.status, { 'Content-Length': '0' });
    response.end();
    return;
  }
  sendJson(response, answer.status, answer.body, { Vary: 'Origin, X-Origin, Referer' });
}

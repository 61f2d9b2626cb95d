/**
 * Every failed Graph call becomes a GraphError: the HTTP status, Graph's error code and message,
 * the request id to quote to Microsoft support, the Retry-After Graph asked for, and a message an
 * Entra admin can act on (which permission to grant, what the photo policy does, ...). Network
 * failures (connection reset, timeout, TLS) are GraphErrors with status 0 and the socket's code.
 * GraphError is a UserError of kind 'tenant', so every surface prints its message as is.
 */
import { UserError } from '../../core/errors.js';
import { networkCause, networkHint } from '../../core/network.js';
import { classifyHttpFailure, type PacingFailure } from '../../pacing/failure.js';

/** Graph's error body: {"error":{"code","message","innerError":{"request-id","date",...}}}. */
interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown>; innererror?: Record<string, unknown> };
}

export interface GraphErrorInit {
  status: number;
  code: string;
  graphMessage: string;
  requestId?: string;
  retryAfterSeconds?: number;
  method: string;
  /** Graph path with version, e.g. /v1.0/users/…/photo/$value. */
  path: string;
  /** What the call was for, e.g. "Uploading the photo of 0b6c…". */
  operation?: string;
  /** The least-privileged application permission the call needs. */
  permission?: string;
  /** The underlying error of a network failure. */
  cause?: unknown;
  /** host[:port] the request went to (named in a network failure). */
  host?: string;
  /** The photo a refused upload carried (its pixel size read from the JPEG header, when readable). */
  photo?: PhotoFacts;
  /** The call was made by a signed-in admin (delegated token), not by the app itself. */
  delegated?: boolean;
}

export interface PhotoFacts {
  width?: number;
  height?: number;
  bytes: number;
}

export class GraphError extends UserError {
  readonly status: number;
  readonly code: string;
  /** Graph's own message (or the network error's). */
  readonly graphMessage: string;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly permission: string | undefined;
  readonly photo: PhotoFacts | undefined;
  /** Made with a delegated (signed-in admin) token: a 403 is about the admin's role or consent. */
  readonly delegated: boolean;
  readonly #init: GraphErrorInit;

  constructor(init: GraphErrorInit) {
    super('tenant', describe(init));
    this.#init = init;
    this.photo = init.photo;
    this.name = 'GraphError';
    this.status = init.status;
    this.code = init.code;
    this.graphMessage = init.graphMessage;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.method = init.method;
    this.path = init.path;
    this.permission = init.permission;
    this.delegated = init.delegated === true;
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
  }

  /** The same failure, told with the photo that was sent (for an upload Graph refused). */
  withPhoto(photo: PhotoFacts): GraphError {
    return new GraphError({ ...this.#init, photo });
  }
}

export function isGraphError(error: unknown): error is GraphError {
  return error instanceof GraphError;
}

const DENIED_CODES = new Set(['Authorization_RequestDenied', 'ErrorAccessDenied', 'AccessDenied', 'Forbidden', 'accessDenied']);
const NOT_FOUND_CODES = new Set(['Request_ResourceNotFound', 'ResourceNotFound', 'ErrorItemNotFound', 'itemNotFound']);

/**
 * 403 AppOnlyTokenNotSupportedForGroupUpdate: this tenant refuses group photo writes by an app
 * signed in as itself. Microsoft's "Update profilePhoto" page lists application permissions for a
 * group's photo (ProfilePhoto.ReadWrite.All, Group.ReadWrite.All) since mid-2024; before, it said
 * "Not supported" and Graph answered this code. Users' photos are not affected.
 */
const GROUP_APP_ONLY_HINT =
  "This tenant refuses group photo writes made by an app signed in as itself (app-only), as Microsoft Graph did before mid-2024; users' photos are not affected. To apply group photos: run apply signed in as an admin who may change the group (entra-photos apply --auth browser, device-code or azure-cli; delegated ProfilePhoto.ReadWrite.All or Group.ReadWrite.All), or check Microsoft's \"Update profilePhoto\" page: it lists application permissions for group photos today, so this may change in your tenant. Until then the next runs retry these groups.";

function hint(init: GraphErrorInit): string | undefined {
  const { status, code, graphMessage, permission } = init;
  if (status === 0) {
    if (code === 'AbortError') return undefined;
    const tls = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|SSL|TLS/i.test(`${code} ${graphMessage}`);
    const host = init.host ?? 'Microsoft Graph';
    const where = init.host ? `Microsoft Graph at ${init.host}` : 'Microsoft Graph';
    return tls
      ? `The TLS connection to ${where} failed certificate checks (${code}). ${networkHint(code, host, true)}`
      : `${where} could not be reached or the connection broke (${code}). ${networkHint(code, host, false)} Transient failures are retried.`;
  }
  if (status === 401) {
    return 'Microsoft Graph rejected the access token. Check that tenant-id, client-id and cloud belong together (a token from one cloud is not valid in another).';
  }
  if (status === 403 && code === 'AppOnlyTokenNotSupportedForGroupUpdate') return GROUP_APP_ONLY_HINT;
  if (status === 403 && init.delegated) return delegatedDenial(code, permission);
  if (status === 403 && code === 'ForbiddenByAdminEditPolicy') {
    return "The tenant's photo update policy (photoUpdateSettings) refuses photo writes by this app: either its source is onPremises (photos are mastered on-premises), or its allowedRoles lists directory roles the app's service principal does not hold. Assign one of the allowed roles (e.g. User Administrator) to the app's service principal, or change the policy.";
  }
  if (status === 403 && (DENIED_CODES.has(code) || !code)) {
    return permission
      ? `The app lacks the Microsoft Graph application permission ${permission}. In the Entra admin center, open App registrations → this app → API permissions, add ${permission} (type Application), and grant admin consent.`
      : 'The app lacks a Microsoft Graph application permission this call needs; see docs/setup.md for the permissions to grant.';
  }
  if (status === 404 && code === 'ImageNotFound') return 'The user has no profile photo.';
  if (status === 404 && NOT_FOUND_CODES.has(code)) {
    return 'No such user in this tenant: the user was deleted, or the manifest names a user that does not exist here.';
  }
  if (code === 'ValidationWidthTooSmall') {
    // Microsoft documents no minimum: say what was sent and what Graph said, not a guessed limit.
    const sent = init.photo ? `This photo is ${photoSize(init.photo)}. ` : '';
    return `Entra ID refused the photo as too small. ${sent}Microsoft does not document the smallest size it accepts; send a larger square portrait (normalisation produces 648×648).`;
  }
  if (status === 413 || /TooLarge|too large|exceeds/i.test(`${code} ${graphMessage}`)) {
    return 'The photo is larger than the 4 MB Microsoft Graph accepts. Normalise it (648×648 JPEG) before uploading.';
  }
  if (status === 415) return 'Graph accepts profile photos as image/jpeg only.';
  if (status === 429) {
    const after = init.retryAfterSeconds === undefined ? '' : ` and asked to wait ${init.retryAfterSeconds} s`;
    return `Microsoft Graph throttled the request (too many requests for this app and tenant)${after}.`;
  }
  if (status === 408 || status >= 500) return 'Microsoft Graph had a transient failure. Such failures are retried.';
  return undefined;
}

function photoSize(photo: PhotoFacts): string {
  const pixels = photo.width !== undefined && photo.height !== undefined ? `${photo.width}×${photo.height} px, ` : '';
  return `${pixels}${photo.bytes} bytes`;
}

/**
 * A 403 to a signed-in admin (delegated token): Graph allows only what both the delegated
 * permission and the admin's directory role allow (docs/setup.md "Sign in from a laptop").
 */
export function delegatedDenial(code: string, permission: string | undefined): string {
  if (code === 'ForbiddenByAdminEditPolicy') {
    return "The tenant's photo update policy (photoUpdateSettings) refuses photo writes by the signed-in admin: its source is onPremises, or its allowedRoles lists directory roles you do not hold. Sign in as an admin holding one of the allowed roles (e.g. User Administrator), or change the policy. See docs/setup.md \"Sign in from a laptop\".";
  }
  const scope = permission ? `the delegated permission ${permission}` : 'the delegated permission this call needs';
  return (
    `Graph refused the signed-in admin. A delegated call needs both ${scope} (consented for the app you sign in through: ` +
    `App registrations → the app → API permissions → add it as type Delegated → Grant admin consent; the Azure CLI's own app carries a fixed set, so use --auth device-code with your app registration if it lacks one) ` +
    `and a directory role for you that allows the call: writing other users' photos needs User Administrator (or People Administrator, Global Administrator, Directory Writers, Intune Administrator), ` +
    `reading or changing the photo update policy People Administrator (reading: also Global Reader); reading users and photos needs no role. See docs/setup.md "Sign in from a laptop".`
  );
}

function describe(init: GraphErrorInit): string {
  const what = init.operation ?? `${init.method} ${init.path}`;
  const detail = [
    init.status === 0 ? init.code : `HTTP ${init.status}${init.code ? ` ${init.code}` : ''}`,
    init.graphMessage,
    init.photo && init.code !== 'ValidationWidthTooSmall' ? `the photo sent: ${photoSize(init.photo)}` : '',
    init.requestId ? `request-id ${init.requestId}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const advice = hint(init);
  return `${what} failed${advice ? `: ${advice}` : '.'} (${detail})`;
}

/** Retry-After as seconds (fractional allowed) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/** Builds a GraphError from an HTTP answer (status, headers, raw body). */
export function graphErrorFromResponse(
  params: { status: number; headers: Headers | Record<string, string | undefined>; body: Buffer | string | unknown } & Pick<
    GraphErrorInit,
    'method' | 'path' | 'operation' | 'permission' | 'delegated'
  >,
): GraphError {
  const header = (name: string): string | undefined => {
    const { headers } = params;
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const record = headers as Record<string, string | undefined>;
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    return key === undefined ? undefined : record[key];
  };
  let parsed: GraphErrorBody | undefined;
  const { body } = params;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const text = body.toString();
    try {
      parsed = text ? (JSON.parse(text) as GraphErrorBody) : undefined;
    } catch {
      parsed = { error: { message: text.slice(0, 300) } };
    }
  } else if (body && typeof body === 'object') {
    parsed = body as GraphErrorBody;
  }
  const error = parsed?.error;
  const inner = error?.innerError ?? error?.innererror;
  const requestId = (typeof inner?.['request-id'] === 'string' ? inner['request-id'] : undefined) ?? header('request-id');
  const init: GraphErrorInit = {
    status: params.status,
    code: typeof error?.code === 'string' ? error.code : '',
    graphMessage: typeof error?.message === 'string' ? error.message : '',
    method: params.method,
    path: params.path,
  };
  if (requestId) init.requestId = requestId;
  const retryAfter = parseRetryAfter(header('retry-after'));
  if (retryAfter !== undefined) init.retryAfterSeconds = retryAfter;
  if (params.operation) init.operation = params.operation;
  if (params.permission) init.permission = params.permission;
  if (params.delegated) init.delegated = true;
  return new GraphError(init);
}

/** Builds a GraphError (status 0) from a failed fetch: reset, timeout, refused, TLS. */
export function graphErrorFromNetwork(error: unknown, params: Pick<GraphErrorInit, 'method' | 'path' | 'operation' | 'permission' | 'host'>): GraphError {
  const root = rootCause(error);
  const code =
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? error.name : undefined) ??
    stringProp(root, 'code') ??
    networkCause(error).code ??
    (root instanceof Error ? root.name : 'NetworkError');
  const message = root instanceof Error ? root.message : String(root);
  return new GraphError({ status: 0, code, graphMessage: message, ...params, cause: error });
}

function stringProp(value: unknown, name: string): string | undefined {
  const property = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof property === 'string' ? property : undefined;
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = current && typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
    if (cause === undefined || cause === null) break;
    current = cause;
  }
  return current;
}

/**
 * A 403 for the app's own (not delegated) token: tell which Microsoft Graph application permission
 * to grant for `purpose`, and how. Any other error is returned unchanged.
 */
export function permissionHint(error: unknown, permission: string, purpose: string): unknown {
  if (isGraphError(error) && error.status === 403 && !error.delegated) {
    return new UserError(
      'tenant',
      `The app may not ${purpose}: grant it the Microsoft Graph application permission ${permission} (App registrations → this app → API permissions → add ${permission}, type Application → Grant admin consent). (${error.code}: ${error.graphMessage}${error.requestId ? `; request-id ${error.requestId}` : ''})`,
    );
  }
  return error;
}

/** How a failure should be handled by a retrying caller. */
export type FailureDisposition = PacingFailure;

/**
 * Graph's failures follow the plain HTTP rules pacing already has (`classifyHttpFailure`): 429 is
 * throttling; 408, 5xx (but 501/505) and network errors are transient; everything else is final,
 * including a cancellation by the caller (AbortError). Anything that is not a GraphError is final.
 */
export function classifyFailure(error: unknown): FailureDisposition {
  return error instanceof GraphError ? classifyHttpFailure(error) : { kind: 'fatal' };
}

/**
 * The user has no photo: 404 ImageNotFound, or ErrorItemNotFound (Graph's answer through the
 * Exchange path for some users). One rule for reads and deletes alike.
 */
export function isNoPhoto(error: unknown): boolean {
  return isGraphError(error) && error.status === 404 && (error.code === 'ImageNotFound' || error.code === 'ErrorItemNotFound');
}

/**
 * The user has no photo, told by a 200 of `GET /users/{id}/photo`: the 1x1 placeholder Microsoft
 * documents for a user without a photo (`"@odata.mediaContentType": "image/gif"`, empty
 * `@odata.mediaEtag`, `"id": "1x1"`, width and height 1; learn.microsoft.com/graph/api/profilephoto-get).
 * Matched on the 1x1 size (by id or by width and height), which no stored photo has; the content
 * type and etag are not required to match. Some tenants answer 404 ImageNotFound instead: isNoPhoto.
 */
export function isNoPhotoMetadata(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const record = body as Record<string, unknown>;
  if (String(record['id'] ?? '').toLowerCase() === '1x1') return true;
  return Number(record['width']) === 1 && Number(record['height']) === 1;
}

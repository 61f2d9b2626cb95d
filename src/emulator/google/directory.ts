// Admin SDK Directory API: users.get, users.list (customer + query) and users.photos
// (GET/PUT/PATCH/DELETE …/users/{userKey}/photos/thumbnail), behind the caller checks Google
// makes: a valid token, a Directory scope, and a caller allowed to administer users (a service
// account holding an admin role, or an admin named by a domain-wide delegated token).
import { isRecord } from '../jwt.js';
import { apiError, unauthenticated } from './errors.js';
import type { GoogleAnswer } from './errors.js';
import { DIRECTORY_READONLY_SCOPE, DIRECTORY_SCOPE } from './options.js';
import type { UserPhotoOnUpdate } from './options.js';
import { decodeWebSafeBase64, encodeWebSafeBase64, normaliseMimeType, sniffImage } from './photo-data.js';
import type { GoogleDirectoryState, GooglePhoto, GoogleUser } from './state.js';
import type { GoogleToken } from './tokens.js';

export interface DirectorySettings {
  customerId: string;
  serviceAccountIsAdmin: boolean;
  userPhotoOnUpdate: UserPhotoOnUpdate;
}

export interface DirectoryCall {
  method: string;
  /** The path as Google sees it: /admin/directory/v1/… */
  path: string;
  query: URLSearchParams;
  token: GoogleToken;
  body: Buffer;
}

const USERS_PREFIX = '/admin/directory/v1/users';
const MAX_PAGE = 500;

/** The user a Directory path names, if any (for fault rules and the request log). */
export function userKeyOf(path: string): string | undefined {
  const match = /^\/admin\/directory\/v1\/users\/([^/]+)/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** 401/403 when the token may not call the Directory API for this method; undefined when it may. */
export function authorize(token: GoogleToken | undefined, method: string, directory: GoogleDirectoryState, settings: DirectorySettings): GoogleAnswer | undefined {
  if (!token) return unauthenticated();
  const reads = method === 'GET';
  const scoped = token.scopes.includes(DIRECTORY_SCOPE) || (reads && token.scopes.includes(DIRECTORY_READONLY_SCOPE));
  if (!scoped) return apiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
  const { subject } = token;
  const isAdmin =
    subject.kind === 'serviceAccount' ? settings.serviceAccountIsAdmin : subject.kind === 'user' ? (directory.findUser(subject.email)?.isAdmin ?? false) : false;
  if (!isAdmin) return apiError(403, 'forbidden', 'Not Authorized to access this resource/api');
  return undefined;
}

export function serveDirectory(call: DirectoryCall, directory: GoogleDirectoryState, settings: DirectorySettings): GoogleAnswer {
  const { method, path } = call;
  if (path === USERS_PREFIX && method === 'GET') return listUsers(call, directory, settings);
  const match = /^\/admin\/directory\/v1\/users\/([^/]+)(\/.*)?$/.exec(path);
  if (!match?.[1]) return apiError(404, 'notFound', 'Not Found');
  const key = decodeURIComponent(match[1]);
  const rest = match[2] ?? '';
  const user = directory.findUser(key);
  if (rest === '' && method === 'GET') {
    if (!user) return apiError(404, 'notFound', 'Resource Not Found: userKey');
    return { status: 200, userId: user.id, body: userResource(user, directory.getPhoto(user.id), settings) };
  }
  if (rest === '/photos/thumbnail') {
    if (!user) return apiError(404, 'notFound', 'Resource Not Found: userKey');
    const answer = servePhoto(call, user, directory, settings);
    return { ...answer, userId: user.id };
  }
  return apiError(404, 'notFound', 'Not Found');
}

function servePhoto(call: DirectoryCall, user: GoogleUser, directory: GoogleDirectoryState, settings: DirectorySettings): GoogleAnswer {
  const stored = directory.getPhoto(user.id);
  switch (call.method) {
    case 'GET':
      return stored ? { status: 200, body: photoResource(user, stored) } : photoNotFound();
    case 'DELETE':
      if (!directory.deletePhoto(user.id)) return photoNotFound();
      return { status: 204 };
    case 'PUT':
    case 'PATCH':
      return updatePhoto(call, user, directory, settings, stored);
    default:
      return apiError(405, 'methodNotAllowed', `Method ${call.method} is not allowed here.`);
  }
}

/** Reported wording (GAM-team/GAM#997: "404: Resource Not Found: photo - resourceNotFound"). */
function photoNotFound(): GoogleAnswer {
  return apiError(404, 'resourceNotFound', 'Resource Not Found: photo');
}

/** GAM-team/GAM#1634 reports "400: Invalid Input: photoData - invalid" for data Google cannot use. */
function invalidPhotoData(): GoogleAnswer {
  return apiError(400, 'invalid', 'Invalid Input: photoData');
}

function updatePhoto(call: DirectoryCall, user: GoogleUser, directory: GoogleDirectoryState, settings: DirectorySettings, stored: GooglePhoto | undefined): GoogleAnswer {
  let body: unknown;
  try {
    body = JSON.parse(call.body.toString('utf8'));
  } catch {
    return apiError(400, 'parseError', 'Parse Error');
  }
  if (!isRecord(body) || typeof body['photoData'] !== 'string') return invalidPhotoData();
  const bytes = decodeWebSafeBase64(body['photoData']);
  const image = bytes ? sniffImage(bytes) : undefined;
  if (!bytes || !image) return invalidPhotoData();
  if (body['mimeType'] !== undefined && (typeof body['mimeType'] !== 'string' || !normaliseMimeType(body['mimeType']))) {
    return apiError(400, 'invalid', 'Invalid Input: mimeType');
  }
  if (stored?.setBy === 'user' && settings.userPhotoOnUpdate === 'kept') {
    // Reported: the update is accepted, yet the photo the user chose stays.
    return { status: 200, body: photoResource(user, stored) };
  }
  const width = numberOr(body['width'], image.width);
  const height = numberOr(body['height'], image.height);
  const photo = directory.setPhoto(user.id, { bytes, mimeType: image.mimeType, width: width ?? 0, height: height ?? 0, setBy: 'admin' });
  return { status: 200, body: photoResource(user, photo) };
}

function numberOr(value: unknown, fallback: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

function photoResource(user: GoogleUser, photo: GooglePhoto): Record<string, unknown> {
  return {
    kind: 'admin#directory#user#photo',
    id: photo.photoId,
    etag: photo.etag,
    primaryEmail: user.primaryEmail,
    mimeType: photo.mimeType,
    width: photo.width,
    height: photo.height,
    photoData: encodeWebSafeBase64(photo.bytes),
  };
}

function userResource(user: GoogleUser, photo: GooglePhoto | undefined, settings: DirectorySettings): Record<string, unknown> {
  return {
    kind: 'admin#directory#user',
    id: user.id,
    etag: `"${user.id.slice(-12)}"`,
    primaryEmail: user.primaryEmail,
    name: { givenName: user.givenName, familyName: user.familyName, fullName: `${user.givenName} ${user.familyName}`.trim() },
    isAdmin: user.isAdmin,
    isDelegatedAdmin: false,
    suspended: user.suspended,
    archived: false,
    customerId: settings.customerId,
    orgUnitPath: '/',
    creationTime: user.creationTime,
    // Google omits empty lists and unset fields.
    ...(user.aliases.length ? { aliases: [...user.aliases] } : {}),
    ...(user.nonEditableAliases.length ? { nonEditableAliases: [...user.nonEditableAliases] } : {}),
    ...(user.externalIds.length ? { externalIds: user.externalIds.map((entry) => ({ ...entry })) } : {}),
    ...(photo ? { thumbnailPhotoUrl: `https://www.google.com/s2/photos/private/${photo.photoId}`, thumbnailPhotoEtag: photo.etag } : {}),
  };
}

/** users.list: `customer` (my_customer or the id) or `domain`, and a query of `field=value` / `field:value` clauses. */
function listUsers(call: DirectoryCall, directory: GoogleDirectoryState, settings: DirectorySettings): GoogleAnswer {
  const customer = call.query.get('customer');
  const domain = call.query.get('domain');
  if (!customer && !domain) return apiError(400, 'badRequest', 'Bad Request');
  if (customer && customer !== 'my_customer' && customer !== settings.customerId) return apiError(400, 'badRequest', 'Bad Request');
  let clauses: Array<(user: GoogleUser) => boolean>;
  try {
    clauses = parseQuery(call.query.get('query') ?? '');
  } catch {
    return apiError(400, 'invalid', 'Invalid Input');
  }
  const maxResults = Math.min(MAX_PAGE, Math.max(1, Number(call.query.get('maxResults') ?? 100) || 100));
  const start = Number(call.query.get('pageToken') ?? 0) || 0;
  const matching = directory.users
    .filter((user) => !domain || user.primaryEmail.toLowerCase().endsWith(`@${domain.toLowerCase()}`))
    .filter((user) => clauses.every((clause) => clause(user)));
  const page = matching.slice(start, start + maxResults);
  return {
    status: 200,
    body: {
      kind: 'admin#directory#users',
      etag: `"users-${matching.length}"`,
      ...(page.length ? { users: page.map((user) => userResource(user, directory.getPhoto(user.id), settings)) } : {}),
      ...(start + maxResults < matching.length ? { nextPageToken: String(start + maxResults) } : {}),
    },
  };
}

/** The fields this emulator searches: externalId and email (each with = exact, : contains). */
function parseQuery(query: string): Array<(user: GoogleUser) => boolean> {
  const clauses: Array<(user: GoogleUser) => boolean> = [];
  const pattern = /([A-Za-z]+)\s*([=:])\s*('([^']*)'|"([^"]*)"|(\S+))/g;
  let consumed = '';
  for (const match of query.matchAll(pattern)) {
    consumed += match[0];
    const field = match[1] ?? '';
    const exact = match[2] === '=';
    const value = (match[4] ?? match[5] ?? match[6] ?? '').toLowerCase();
    const test = (candidate: string): boolean => (exact ? candidate.toLowerCase() === value : candidate.toLowerCase().includes(value));
    if (field === 'externalId') clauses.push((user) => user.externalIds.some((entry) => test(entry.value)));
    else if (field === 'email') clauses.push((user) => [user.primaryEmail, ...user.aliases].some(test));
    else throw new Error(`Unsupported field ${field}`);
  }
  if (consumed.replace(/\s/g, '').length !== query.replace(/\s/g, '').length) throw new Error('Unparsed query');
  return clauses;
}

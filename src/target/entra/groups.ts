/**
 * Groups (and teams: a team's photo is its group's photo) as photo subjects.
 *
 * Resolving `groups:` keys in the rounds users' lookups use (users.ts lookUpInRounds: 20 GETs to a
 * JSON $batch, a few batches in flight; a sub-request answered 429/5xx is asked again in a later
 * round, after the longest Retry-After):
 *   object id → GET /groups/{id};  mail → GET /groups?$filter=mail eq '…';
 *   mailNickname → GET /groups?$filter=mailNickname eq '…'
 * (the group resource lists `$filter` eq for id, mail and mailNickname). Reading groups needs
 * GroupMember.Read.All (least privileged for GET /groups; Group.Read.All and Directory.Read.All
 * also do). A filter matching two groups is ambiguous and resolves to nobody.
 *
 * Photos: PUT|DELETE|GET /groups/{id}/photo/$value, one attempt each, like users' (the caller's
 * pacer retries). Microsoft's "Update profilePhoto" lists ProfilePhoto.ReadWrite.All (least
 * privileged) or Group.ReadWrite.All for a group, delegated or application; before mid-2024
 * application tokens were refused with 403 AppOnlyTokenNotSupportedForGroupUpdate, and some
 * tenants may still answer so: errors.ts says what to do then.
 *
 * A group's subject id is `group:<object id>`, so the port's put/delete/download know the subject
 * is a group without asking (the core treats ids as opaque).
 */
import { groupKeyForm, type UserKey } from '../../manifest/userKey.js';
import type { BatchAnswer } from './batch.js';
import { downloadPhotoValueOnce } from './directory.js';
import { classifyFailure, graphErrorFromResponse, isNoPhoto } from './errors.js';
import type { GraphConnection, GraphRequest, GraphResponse } from './http.js';
import { withRetries } from '../../pacing/retry.js';
import type { DirectorySubject } from '../port.js';
import { encodeSegment, odataString, query, relativeNextLink } from './http.js';
import { PERMISSIONS } from './permissions.js';
import { lookUpInRounds, type LookupKind, type LookupOutcome, type PendingLookup, type ResolveOptions, type UserResolution } from './users.js';

const GROUP_SUBJECT_PREFIX = 'group:';
const SELECT = 'id,displayName,mail,mailNickname';
const READ_PERMISSION = PERMISSIONS.groupMembers;

export function isGroupSubjectId(subjectId: string): boolean {
  return subjectId.startsWith(GROUP_SUBJECT_PREFIX);
}

/** The group's object id in a group subject id. */
function groupObjectId(subjectId: string): string {
  return subjectId.slice(GROUP_SUBJECT_PREFIX.length);
}

function groupPath(subjectId: string): string {
  return `/groups/${encodeSegment(groupObjectId(subjectId))}`;
}

function lookupUrl(key: UserKey): string {
  const form = groupKeyForm(key);
  if (form === 'objectId') return `/groups/${encodeSegment(key.value)}${query({ $select: SELECT })}`;
  return `/groups${query({ $filter: `${form} eq ${odataString(key.value)}`, $select: SELECT, $top: 2 })}`;
}

function toGroup(value: unknown, key: UserKey): UserResolution | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['id'] !== 'string') return undefined;
  const text = (name: string) => (typeof record[name] === 'string' && record[name] !== '' ? (record[name] as string) : undefined);
  const mail = text('mail');
  const nickname = text('mailNickname');
  const displayName = text('displayName');
  const form = groupKeyForm(key);
  return {
    id: `${GROUP_SUBJECT_PREFIX}${record['id'].toLowerCase()}`,
    // The group's name in messages and same-subject detection: its mail, else its alias.
    userPrincipalName: mail ?? nickname ?? displayName ?? record['id'],
    ...(displayName ? { displayName } : {}),
    ...(mail ? { mail } : {}),
    matchedBy: form === 'objectId' ? 'objectId' : 'mail',
    kind: 'group',
  };
}

/** Group keys → groups, keyed by UserKey.canonical, in the rounds users' lookups use. 401/403 throw (the same for every group). */
export function resolveGroups(connection: GraphConnection, keys: readonly UserKey[], options: ResolveOptions = {}): Promise<Map<string, UserResolution>> {
  return lookUpInRounds(connection, keys, GROUP_LOOKUPS, options);
}

const GROUP_LOOKUPS: LookupKind<PendingLookup> = {
  noun: 'group(s)',
  permission: READ_PERMISSION,
  start: (key) => ({ key, attempts: 0, throttled: 0 }),
  url: (lookup) => lookupUrl(lookup.key),
  interpret: interpretGroupAnswer,
};

function interpretGroupAnswer(lookup: PendingLookup, answer: BatchAnswer | undefined): LookupOutcome<PendingLookup> {
  const done = (resolution: UserResolution): LookupOutcome<PendingLookup> => ({ kind: 'done', resolution });
  const shown = `group ${lookup.key.value}`;
  if (answer && answer.status >= 200 && answer.status < 300) {
    if (groupKeyForm(lookup.key) === 'objectId') {
      return done(toGroup(answer.body, lookup.key) ?? { notFound: true, problem: 'failed', reason: `Graph answered the lookup of ${shown} without a group.` });
    }
    const groups = ((answer.body as { value?: unknown[] } | undefined)?.value ?? []).map((value) => toGroup(value, lookup.key)).filter((g) => g !== undefined);
    if (groups.length === 1) return done(groups[0]!);
    if (groups.length > 1) return done({ notFound: true, problem: 'ambiguous', reason: `${shown} matches several groups (${groups.map((g) => ('userPrincipalName' in g ? g.userPrincipalName : '')).join(', ')}). Name the group by its object id instead.` });
    return done({ notFound: true, problem: 'not-found', reason: `No group in the tenant has the ${groupKeyForm(lookup.key)} ${lookup.key.value}.` });
  }
  const error = graphErrorFromResponse({ status: answer?.status ?? 502, headers: answer?.headers ?? {}, body: answer?.body ?? '', method: 'GET', path: `/v1.0${lookupUrl(lookup.key)}`, operation: `Looking up ${shown}`, permission: READ_PERMISSION });
  if (answer?.status === 404) return done({ notFound: true, problem: 'not-found', reason: `No group in the tenant has the object id ${lookup.key.value}.` });
  if (answer?.status === 401 || answer?.status === 403) throw error; // the same for every group: stop here
  const disposition = classifyFailure(error);
  if (disposition.kind === 'fatal') return done({ notFound: true, problem: 'failed', reason: error.message });
  return { kind: 'retry', error, retryAfterSeconds: disposition.retryAfterSeconds };
}

/**
 * The groups that can hold a photo: Microsoft 365 groups (groupTypes "Unified"; every team is one),
 * page by page (GET /groups?$select=…&$top=999, following @odata.nextLink). Security groups have
 * no photo and are left out.
 */
export async function* listPhotoGroups(connection: GraphConnection, options: { signal?: AbortSignal } = {}): AsyncGenerator<DirectorySubject[]> {
  let path: string | undefined = `/groups${query({ $select: `${SELECT},groupTypes`, $top: 999 })}`;
  while (path !== undefined) {
    const request: GraphRequest = { method: 'GET', path, operation: 'Listing groups', permission: READ_PERMISSION, ...(options.signal ? { signal: options.signal } : {}) };
    const response: GraphResponse<{ value?: Record<string, unknown>[]; '@odata.nextLink'?: string }> = await withRetries(() => connection.send(request), { maxAttempts: 3, ...(options.signal ? { signal: options.signal } : {}) });
    const page: DirectorySubject[] = [];
    for (const value of response.body.value ?? []) {
      if (typeof value['id'] !== 'string' || !Array.isArray(value['groupTypes']) || !value['groupTypes'].includes('Unified')) continue;
      const text = (name: string) => (typeof value[name] === 'string' && value[name] !== '' ? (value[name] as string) : null);
      page.push({
        id: `${GROUP_SUBJECT_PREFIX}${value['id'].toLowerCase()}`,
        userPrincipalName: text('mail') ?? text('mailNickname') ?? value['id'],
        mail: text('mail'),
        mailNickname: text('mailNickname'),
        employeeId: null,
        displayName: text('displayName'),
        accountEnabled: null,
        kind: 'group',
      });
    }
    if (page.length > 0) yield page;
    path = relativeNextLink(response.body['@odata.nextLink']);
  }
}

/** PUT /groups/{id}/photo/$value: one attempt. */
export async function putGroupPhoto(connection: GraphConnection, subjectId: string, jpeg: Buffer, signal?: AbortSignal): Promise<void> {
  await connection.send({
    method: 'PUT',
    path: `${groupPath(subjectId)}/photo/$value`,
    body: jpeg,
    contentType: 'image/jpeg',
    responseType: 'none',
    operation: `Uploading the photo of group ${groupObjectId(subjectId)}`,
    permission: PERMISSIONS.photos,
    ...(signal ? { signal } : {}),
  });
}

/** DELETE /groups/{id}/photo/$value: one attempt; a group without a photo is done. */
export async function deleteGroupPhoto(connection: GraphConnection, subjectId: string, signal?: AbortSignal): Promise<void> {
  try {
    await connection.send({
      method: 'DELETE',
      path: `${groupPath(subjectId)}/photo/$value`,
      responseType: 'none',
      operation: `Removing the photo of group ${groupObjectId(subjectId)}`,
      permission: PERMISSIONS.photos,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (isNoPhoto(error)) return;
    throw error;
  }
}

/** GET /groups/{id}/photo/$value: one attempt; null when the group has no photo. */
export function downloadGroupPhotoOnce(connection: GraphConnection, subjectId: string, signal?: AbortSignal): Promise<Buffer | null> {
  return downloadPhotoValueOnce(connection, groupPath(subjectId), `Downloading the photo of group ${groupObjectId(subjectId)}`, signal);
}

/**
 * Reading the directory in bulk, for export, import and drift:
 *   - every user (or a group's members), paged, with only the properties asked for ($select);
 *   - a group named by object id or display name;
 *   - a photo download that makes exactly ONE attempt, for callers that pace many downloads
 *     through a WritePacer (which owns retries, Retry-After and concurrency for the whole run).
 * Pages are read with withRetries (a page is one occasional call); the next page is whatever
 * @odata.nextLink says, so a caller may stop and continue where it left off.
 */
import { UserError } from '../../core/errors.js';
import { isGraphError, isNoPhoto, permissionHint } from './errors.js';
import type { GraphConnection, GraphResponse } from './http.js';
import { encodeSegment, odataString, query, relativeNextLink } from './http.js';
import { PERMISSIONS } from './permissions.js';
import { withRetries } from '../../pacing/retry.js';
import { isGuid } from '../../core/guid.js';

/** The permissions the calls below need (a subset of PERMISSIONS, named for this module's callers). */
export const DIRECTORY_PERMISSIONS = Object.freeze({
  users: PERMISSIONS.users,
  groupMembers: PERMISSIONS.groupMembers,
  photos: PERMISSIONS.photos,
});

/** The advanced query header (with $count=true in the query) for casts, ne, not, endsWith. */
export const ADVANCED_QUERY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ConsistencyLevel: 'eventual' });

/** The user properties export, import and drift need. */
export const DIRECTORY_USER_SELECT = ['id', 'userPrincipalName', 'mail', 'employeeId', 'displayName', 'accountEnabled'] as const;

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  employeeId: string | null;
  displayName: string | null;
  accountEnabled: boolean | null;
}

export interface ListUsersOptions {
  /** Only the members (transitive, users only) of this group: object id or exact display name. */
  group?: string;
  /** Page size ($top), 1..999; default 999. */
  pageSize?: number;
  /** Attempts per page; default 5. */
  maxAttempts?: number;
  signal?: AbortSignal;
}

interface Page {
  value?: Array<Record<string, unknown>>;
  '@odata.nextLink'?: string;
}

/** Every user of the tenant (or of a group), page by page. */
export async function* listDirectoryUsers(connection: GraphConnection, options: ListUsersOptions = {}): AsyncGenerator<DirectoryUser[]> {
  const top = Math.min(999, Math.max(1, options.pageSize ?? 999));
  const select = DIRECTORY_USER_SELECT.join(',');
  let path: string | undefined;
  let operation: string;
  let permission: string;
  let headers: Record<string, string> | undefined;
  if (options.group !== undefined) {
    const group = await findGroup(connection, options.group, options);
    // The OData cast to microsoft.graph.user is an advanced query: Microsoft lists "Use of OData
    // cast with transitive members list" among those that need the ConsistencyLevel: eventual
    // header and $count=true (learn.microsoft.com/graph/aad-advanced-queries). Every page is asked
    // with the header (the nextLink keeps $count=true).
    path = `/groups/${encodeSegment(group.id)}/transitiveMembers/microsoft.graph.user${query({ $count: 'true', $select: select, $top: top })}`;
    headers = ADVANCED_QUERY_HEADERS;
    operation = `Listing the members of group "${group.displayName}"`;
    permission = DIRECTORY_PERMISSIONS.groupMembers;
  } else {
    path = `/users${query({ $select: select, $top: top })}`;
    operation = 'Listing the users of the tenant';
    permission = DIRECTORY_PERMISSIONS.users;
  }
  while (path !== undefined) {
    const request = { method: 'GET' as const, path, operation, permission, ...(headers ? { headers } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    let response: GraphResponse<Page>;
    try {
      response = await withRetries(() => connection.send<Page>(request), { maxAttempts: options.maxAttempts ?? 5, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      throw permissionHint(error, permission, operation.toLowerCase());
    }
    yield (response.body.value ?? []).map(toDirectoryUser).filter((u): u is DirectoryUser => u !== undefined);
    path = relativeNextLink(response.body['@odata.nextLink']);
  }
}

/** All pages at once (import's matching index, drift's small lookups). */
export async function listAllDirectoryUsers(connection: GraphConnection, options: ListUsersOptions = {}): Promise<DirectoryUser[]> {
  const users: DirectoryUser[] = [];
  for await (const page of listDirectoryUsers(connection, options)) users.push(...page);
  return users;
}

export interface GroupRef {
  id: string;
  displayName: string;
}


/** A group by object id, or by exact display name (which must name exactly one group). */
export async function findGroup(connection: GraphConnection, group: string, options: { maxAttempts?: number; signal?: AbortSignal } = {}): Promise<GroupRef> {
  const retry = { maxAttempts: options.maxAttempts ?? 5, ...(options.signal ? { signal: options.signal } : {}) };
  const permission = DIRECTORY_PERMISSIONS.groupMembers;
  try {
    if (isGuid(group)) {
      const { body } = await withRetries(
        () => connection.send<Record<string, unknown>>({ method: 'GET', path: `/groups/${encodeSegment(group)}${query({ $select: 'id,displayName' })}`, operation: `Looking up group ${group}`, permission }),
        retry,
      );
      return { id: String(body['id'] ?? group), displayName: String(body['displayName'] ?? group) };
    }
    const { body } = await withRetries(
      () =>
        connection.send<Page>({
          method: 'GET',
          path: `/groups${query({ $filter: `displayName eq ${odataString(group)}`, $select: 'id,displayName', $top: 2 })}`,
          operation: `Looking up group "${group}"`,
          permission,
        }),
      retry,
    );
    const found = body.value ?? [];
    if (found.length === 0) throw new UserError('usage', `No group is named "${group}" in the tenant. Check the name (it must match exactly) or pass the group's object id.`);
    if (found.length > 1) throw new UserError('usage', `Several groups are named "${group}". Pass the object id of the one you mean (Entra admin center → Groups → the group → Object ID).`);
    return { id: String(found[0]!['id']), displayName: String(found[0]!['displayName'] ?? group) };
  } catch (error) {
    if (isGraphError(error) && error.status === 404) throw new UserError('usage', `No group has the object id ${group} in this tenant. Check the id, or pass the group's display name.`);
    throw permissionHint(error, permission, `read group ${group}`);
  }
}

/**
 * GET /users/{id}/photo/$value — ONE attempt (run it through a WritePacer); null when the user
 * has no photo (404 ImageNotFound).
 */
export function downloadPhotoOnce(connection: GraphConnection, userId: string, signal?: AbortSignal): Promise<Buffer | null> {
  return downloadPhotoValueOnce(connection, `/users/${encodeSegment(userId)}`, `Downloading the photo of user ${userId}`, signal);
}

/** GET {owner}/photo/$value for a user or a group — ONE attempt; null when the owner has no photo. */
export async function downloadPhotoValueOnce(connection: GraphConnection, ownerPath: string, operation: string, signal?: AbortSignal): Promise<Buffer | null> {
  try {
    const { body } = await connection.send<Buffer>({
      method: 'GET',
      path: `${ownerPath}/photo/$value`,
      responseType: 'bytes',
      operation,
      permission: DIRECTORY_PERMISSIONS.photos,
      ...(signal ? { signal } : {}),
    });
    return body;
  } catch (error) {
    if (isNoPhoto(error)) return null;
    throw error;
  }
}

function toDirectoryUser(value: Record<string, unknown>): DirectoryUser | undefined {
  if (typeof value['id'] !== 'string') return undefined;
  const text = (name: string) => (typeof value[name] === 'string' && value[name] !== '' ? (value[name] as string) : null);
  return {
    id: value['id'],
    userPrincipalName: text('userPrincipalName') ?? '',
    mail: text('mail'),
    employeeId: text('employeeId'),
    displayName: text('displayName'),
    accountEnabled: typeof value['accountEnabled'] === 'boolean' ? value['accountEnabled'] : null,
  };
}

/**
 * TenantClient: everything entra-photos asks of a tenant through Microsoft Graph.
 *
 * Photo writes (putPhoto, deletePhoto) make exactly ONE attempt and throw a GraphError: run them
 * through a WritePacer, which owns retries, pacing and concurrency for the whole run. Every other
 * method (lookups, reads, the policy, role assignments) is occasional and retries transient
 * failures itself (withRetries).
 *
 * Access tokens are opaque to this code: Microsoft tells clients to treat them as opaque strings
 * (they need not be JWTs; learn.microsoft.com/entra/identity-platform/access-tokens), so nothing
 * here reads one. What the app is, it learns from Graph: its service principal by its client id.
 */
import type { TokenCredential } from '@azure/identity';
import { UserError } from '../../core/errors.js';
import type { UserKey } from '../../manifest/userKey.js';
import { isGraphError, isNoPhoto, isNoPhotoMetadata, permissionHint } from './errors.js';
import { GraphConnection, encodeSegment, odataString, query, relativeNextLink } from './http.js';
import type { GraphRequest, GraphResponse } from './http.js';
import { withRetries } from '../../pacing/retry.js';
import { findDeletedUsers, resolveUsers } from './users.js';
import type { DeletedUser, ResolveOptions, UserResolution } from './users.js';
import { downloadPhotoOnce, listDirectoryUsers, type DirectoryUser, type ListUsersOptions } from './directory.js';
import { photoPresence } from './presence.js';

export const PERMISSIONS = Object.freeze({
  photos: 'ProfilePhoto.ReadWrite.All',
  users: 'User.Read.All',
  policy: 'PeopleSettings.ReadWrite.All',
  roles: 'RoleManagement.Read.Directory',
  /** Only to look up ANOTHER app's service principal: an app reads its own without any permission. */
  servicePrincipals: 'Application.Read.All',
});

export interface PhotoWriteResult {
  userId: string;
  status: number;
  requestId: string | undefined;
  durationMs: number;
  /** x-ms-throttle-limit-percentage when Graph sent it (past 80% of the app's write limit). */
  throttleUsage: number | undefined;
}

export interface PhotoMeta {
  /** e.g. "648x648" */
  id: string;
  width: number;
  height: number;
  contentType: string;
  etag: string | undefined;
}

export type PhotoSource = 'cloud' | 'onPremises' | null;

export interface PhotoPolicy {
  source: PhotoSource;
  /** Role template ids, lower case. */
  allowedRoles: string[];
}

/**
 * A change to the photo update policy: only the fields given are sent (both are optional on
 * photoupdatesettings-update). An absent, undefined or null field is left as the tenant has it:
 * null is never sent (`source` is an enum; `allowedRoles` a collection).
 */
export interface PhotoPolicyChange {
  source?: PhotoSource | undefined;
  allowedRoles?: readonly string[] | null | undefined;
}

export interface TenantClientOptions {
  credential: TokenCredential;
  /** Graph root without version (cloudEndpoints().graphUrl). */
  graphUrl: string;
  /** Default `${graphUrl}/.default`. */
  scope?: string;
  /** Per-attempt timeout; default 60 s. */
  requestTimeoutMs?: number;
  /** Attempts for reads and other non-paced calls; default 5. */
  readAttempts?: number;
  /**
   * The app's client id (to find its own service principal). Default: the `clientId` of a
   * credential made by createCredential.
   */
  clientId?: string;
  /**
   * The credential signs in an admin (azure-cli, device-code, browser): Graph acts as that user, so
   * a 403 is about the admin's role or consent, and the app's service principal (its roles) is
   * not who writes.
   */
  delegated?: boolean;
}

export function connectTenant(options: TenantClientOptions): TenantClient {
  return new TenantClient(options);
}

function userPath(userId: string): string {
  return `/users/${encodeSegment(userId)}`;
}

export class TenantClient {
  readonly graphUrl: string;
  readonly #connection: GraphConnection;
  readonly #readAttempts: number;
  readonly #clientId: string | undefined;
  /** Service principal object id by app (client) id, looked up once per connection. */
  readonly #servicePrincipals = new Map<string, Promise<string>>();

  constructor(options: TenantClientOptions) {
    this.#connection = new GraphConnection({
      credential: options.credential,
      graphUrl: options.graphUrl,
      scope: options.scope ?? `${options.graphUrl.replace(/\/+$/, '')}/.default`,
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.delegated ? { delegated: true } : {}),
    });
    this.graphUrl = this.#connection.graphUrl;
    this.#readAttempts = options.readAttempts ?? 5;
    const fromCredential = (options.credential as { clientId?: unknown }).clientId;
    this.#clientId = options.clientId ?? (typeof fromCredential === 'string' ? fromCredential : undefined);
  }

  /**
   * The underlying connection: for this folder and its tests only (sign in before a clock starts,
   * the batch helpers). Code outside the tenant layer goes through the methods here, or through
   * the photo target port (src/target/), never through this.
   */
  get connection(): GraphConnection {
    return this.#connection;
  }

  /** An admin signed in (delegated token): a 403 is about the admin's role or consent. */
  get delegated(): boolean {
    return this.#connection.delegated;
  }

  /** GET /users/{id}/photo/$value — ONE attempt (run it through a WritePacer); null without a photo. */
  downloadPhotoOnce(userId: string, signal?: AbortSignal): Promise<Buffer | null> {
    return downloadPhotoOnce(this.#connection, userId, signal);
  }

  /** Which users have a photo at all, 20 to a $batch (presence.ts); users left out are unknown. */
  photoPresence(userIds: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Map<string, boolean>> {
    return photoPresence(this.#connection, userIds, options);
  }

  /** Every user of the tenant (or of a group), page by page (directory.ts). */
  listUsers(options: ListUsersOptions = {}): AsyncGenerator<DirectoryUser[]> {
    return listDirectoryUsers(this.#connection, options);
  }

  /** Which keys name a user in the recycle bin (users.ts). */
  findDeletedUsers(keys: readonly UserKey[], options: { signal?: AbortSignal } = {}): Promise<Map<string, DeletedUser>> {
    return findDeletedUsers(this.#connection, keys, options);
  }

  /**
   * GET /users?$top=1 — one attempt, the error as Graph gave it: doctor's harmless check of the
   * sign-in and of User.Read.All. The id of some user, or undefined for a tenant without users.
   */
  async anyUserId(): Promise<string | undefined> {
    const { body } = await this.#connection.send<{ value?: Array<{ id?: string }> }>({
      method: 'GET',
      path: `/users${query({ $top: 1, $select: 'id' })}`,
      operation: 'Reading one user',
      permission: PERMISSIONS.users,
    });
    return body.value?.[0]?.id;
  }

  #read<T>(request: GraphRequest): Promise<GraphResponse<T>> {
    return withRetries(() => this.#connection.send<T>(request), {
      maxAttempts: this.#readAttempts,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }

  /** Manifest keys → tenant users, keyed by UserKey.canonical. A 403 (no User.Read.All) throws. */
  resolveUsers(keys: readonly UserKey[], options: ResolveOptions = {}): Promise<Map<string, UserResolution>> {
    return resolveUsers(this.#connection, keys, { maxAttempts: this.#readAttempts, ...options });
  }

  /**
   * PUT /users/{id}/photo/$value — one attempt. A 400 (the photo refused: too small, unreadable)
   * is told with the photo's pixel size and byte count beside Graph's own message.
   */
  async putPhoto(userId: string, jpeg: Buffer, signal?: AbortSignal): Promise<PhotoWriteResult> {
    const started = performance.now();
    let response;
    try {
      response = await this.#connection.send({
        method: 'PUT',
        path: `${userPath(userId)}/photo/$value`,
        body: jpeg,
        contentType: 'image/jpeg',
        responseType: 'none',
        operation: `Uploading the photo of user ${userId}`,
        permission: PERMISSIONS.photos,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (isGraphError(error) && error.status === 400) throw error.withPhoto({ ...jpegSize(jpeg), bytes: jpeg.length });
      throw error;
    }
    return {
      userId,
      status: response.status,
      requestId: response.requestId,
      durationMs: Math.round(performance.now() - started),
      throttleUsage: response.throttleUsage,
    };
  }

  /**
   * DELETE /users/{id}/photo/$value — one attempt. A user without a photo is not an error: the
   * removal is done (404 ImageNotFound → `deleted: false`). A user that does not exist still is.
   */
  async deletePhoto(userId: string, signal?: AbortSignal): Promise<{ deleted: boolean; throttleUsage: number | undefined }> {
    try {
      const response = await this.#connection.send({
        method: 'DELETE',
        path: `${userPath(userId)}/photo/$value`,
        responseType: 'none',
        operation: `Removing the photo of user ${userId}`,
        permission: PERMISSIONS.photos,
        ...(signal ? { signal } : {}),
      });
      return { deleted: true, throttleUsage: response.throttleUsage };
    } catch (error) {
      if (isNoPhoto(error)) return { deleted: false, throttleUsage: undefined };
      throw error;
    }
  }

  /**
   * GET /users/{id}/photo — metadata of the largest stored size; null when the user has no photo,
   * whichever way the tenant says so: the documented 200 with a 1x1 image/gif placeholder, or 404.
   */
  async getPhotoMeta(userId: string, signal?: AbortSignal): Promise<PhotoMeta | null> {
    try {
      const { body } = await this.#read<Record<string, unknown>>({
        method: 'GET',
        path: `${userPath(userId)}/photo`,
        operation: `Reading the photo metadata of user ${userId}`,
        permission: PERMISSIONS.photos,
        ...(signal ? { signal } : {}),
      });
      if (isNoPhotoMetadata(body)) return null;
      return {
        id: String(body['id'] ?? ''),
        width: Number(body['width'] ?? 0),
        height: Number(body['height'] ?? 0),
        contentType: String(body['@odata.mediaContentType'] ?? 'image/jpeg'),
        etag: typeof body['@odata.mediaEtag'] === 'string' ? body['@odata.mediaEtag'] : undefined,
      };
    } catch (error) {
      if (isNoPhoto(error)) return null;
      throw error;
    }
  }

  /** GET /users/{id}/photo/$value — the largest stored size, retried; null when the user has no photo. */
  getPhoto(userId: string, signal?: AbortSignal): Promise<Buffer | null> {
    return withRetries(() => downloadPhotoOnce(this.#connection, userId, signal), {
      maxAttempts: this.#readAttempts,
      ...(signal ? { signal } : {}),
    });
  }

  /** GET /beta/admin/people/photoUpdateSettings */
  async getPhotoPolicy(): Promise<PhotoPolicy> {
    const { body } = await this.#read<Record<string, unknown>>({
      method: 'GET',
      version: 'beta',
      path: '/admin/people/photoUpdateSettings',
      operation: 'Reading the photo update policy',
      permission: PERMISSIONS.policy,
    });
    return toPolicy(body);
  }

  /**
   * PATCH /beta/admin/people/photoUpdateSettings with only the fields the change sets (never a
   * null); returns the policy as Graph now reports it.
   */
  async setPhotoPolicy(change: PhotoPolicyChange): Promise<PhotoPolicy> {
    const body = photoPolicyPatch(change);
    if (Object.keys(body).length === 0) return this.getPhotoPolicy();
    const response = await this.#read<Record<string, unknown> | undefined>({
      method: 'PATCH',
      version: 'beta',
      path: '/admin/people/photoUpdateSettings',
      body,
      operation: 'Changing the photo update policy',
      permission: PERMISSIONS.policy,
    });
    // Graph may answer 204 without a body.
    return response.body ? toPolicy(response.body) : this.getPhotoPolicy();
  }

  /**
   * Directory role template ids held (tenant-wide, active, directly assigned) by the app's service
   * principal. For built-in roles a role assignment's roleDefinitionId is the role template id.
   * The service principal is found with GET /servicePrincipals(appId='{client id}'), which an app
   * may call for itself without any permission (learn.microsoft.com/graph/api/serviceprincipal-get);
   * another app's (clientId given) needs Application.Read.All.
   */
  async appRoleTemplateIds(clientId?: string): Promise<string[]> {
    if (this.#connection.delegated && clientId === undefined) {
      // Decision (docs/setup.md "Sign in from a laptop"): in a delegated session the photo policy
      // applies to the signed-in admin's roles, which this check does not read; the app's service
      // principal is not who writes. So the roles are unknown and the guard stays on the safe side.
      throw new UserError(
        'tenant',
        "signed in as an admin (delegated), photo writes are judged by your own directory roles, not the app's service principal's, and this check does not read them",
      );
    }
    const servicePrincipalId = await this.servicePrincipalId(clientId);
    const ids = new Set<string>();
    let path: string | undefined = `/roleManagement/directory/roleAssignments${query({ $filter: `principalId eq ${odataString(servicePrincipalId)}` })}`;
    try {
      for (let page = 0; path !== undefined && page < 50; page++) {
        const response: GraphResponse<{ value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string }> = await this.#read({
          method: 'GET',
          path,
          operation: "Reading the directory roles of the app's service principal",
          permission: PERMISSIONS.roles,
        });
        for (const assignment of response.body.value ?? []) {
          const scope = assignment['directoryScopeId'];
          if (scope !== undefined && scope !== '/') continue; // an administrative-unit scope does not cover every user
          if (typeof assignment['roleDefinitionId'] === 'string') ids.add(assignment['roleDefinitionId'].toLowerCase());
        }
        path = relativeNextLink(response.body['@odata.nextLink']);
      }
    } catch (error) {
      throw permissionHint(error, PERMISSIONS.roles, "read the app's directory role assignments (the check that a photo policy change will not lock the app out)");
    }
    return [...ids].sort();
  }

  /** The object id of the service principal of app `clientId` (default: this app), cached per connection. */
  servicePrincipalId(clientId?: string): Promise<string> {
    const appId = (clientId ?? this.#clientId)?.toLowerCase();
    if (appId === undefined) {
      return Promise.reject(new UserError('tenant', "The app's client id is not known here, so its service principal cannot be looked up (pass clientId to connectTenant)."));
    }
    let cached = this.#servicePrincipals.get(appId);
    if (!cached) {
      cached = this.#lookUpServicePrincipal(appId, appId === this.#clientId?.toLowerCase());
      this.#servicePrincipals.set(appId, cached);
      cached.catch(() => this.#servicePrincipals.delete(appId)); // a failure is not remembered
    }
    return cached;
  }

  async #lookUpServicePrincipal(appId: string, own: boolean): Promise<string> {
    try {
      const { body } = await this.#read<{ id?: string }>({
        method: 'GET',
        path: `/servicePrincipals(appId=${encodeSegment(odataString(appId))})${query({ $select: 'id' })}`,
        operation: own ? "Looking up the app's own service principal" : `Looking up the service principal of app ${appId}`,
        ...(own ? {} : { permission: PERMISSIONS.servicePrincipals }),
      });
      if (!body.id) throw new UserError('tenant', `Graph returned no id for the service principal of app ${appId}.`);
      return body.id;
    } catch (error) {
      if (isGraphError(error) && error.status === 404) {
        throw new UserError('tenant', `App ${appId} has no service principal in this tenant (the app is not installed here).`);
      }
      if (own && isGraphError(error) && error.status === 403) {
        throw new UserError(
          'tenant',
          `Graph refused to let the app read its own service principal, which Microsoft documents as allowed without any permission (learn.microsoft.com/graph/api/serviceprincipal-get). Granting the app ${PERMISSIONS.servicePrincipals} works around it. (${error.code}: ${error.graphMessage}${error.requestId ? `; request-id ${error.requestId}` : ''})`,
        );
      }
      throw permissionHint(error, PERMISSIONS.servicePrincipals, `look up the service principal of app ${appId}`);
    }
  }
}

function toPolicy(body: Record<string, unknown>): PhotoPolicy {
  const source = body['source'];
  return {
    source: source === 'cloud' || source === 'onPremises' ? source : null,
    allowedRoles: Array.isArray(body['allowedRoles']) ? body['allowedRoles'].map((role) => String(role).toLowerCase()) : [],
  };
}

/** The PATCH body: the fields the change sets, role ids lower-cased; no null, ever. */
export function photoPolicyPatch(change: PhotoPolicyChange): { source?: 'cloud' | 'onPremises'; allowedRoles?: string[] } {
  return {
    ...(change.source === 'cloud' || change.source === 'onPremises' ? { source: change.source } : {}),
    ...(Array.isArray(change.allowedRoles) ? { allowedRoles: change.allowedRoles.map((role) => role.toLowerCase()) } : {}),
  };
}

/** A JPEG's pixel size from its frame header (SOFn), for messages only; {} when unreadable. */
function jpegSize(jpeg: Buffer): { width?: number; height?: number } {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return {};
  let offset = 2;
  while (offset + 4 <= jpeg.length) {
    if (jpeg[offset] !== 0xff) return {};
    const marker = jpeg[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // no length
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && offset + 9 <= jpeg.length) return { height: jpeg.readUInt16BE(offset + 5), width: jpeg.readUInt16BE(offset + 7) };
    offset += 2 + jpeg.readUInt16BE(offset + 2);
  }
  return {};
}


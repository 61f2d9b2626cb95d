/**
 * TenantClient: everything entra-photos asks of a tenant through Microsoft Graph.
 *
 * Photo writes (putPhoto, deletePhoto) make exactly ONE attempt and throw a GraphError: run them
 * through a WritePacer, which owns retries, pacing and concurrency for the whole run. Every other
 * method (lookups, reads, the policy, role assignments) is occasional and retries transient
 * failures itself (withRetries).
 */
import type { TokenCredential } from '@azure/identity';
import { UserError } from '../core/errors.js';
import type { UserKey } from '../manifest/userKey.js';
import { isGraphError, isNoPhoto } from './errors.js';
import { GraphConnection, encodeSegment, odataString, query } from './http.js';
import type { GraphRequest, GraphResponse } from './http.js';
import { withRetries } from './retry.js';
import { resolveUsers } from './users.js';
import type { ResolveOptions, UserResolution } from './users.js';

export const PERMISSIONS = Object.freeze({
  photos: 'ProfilePhoto.ReadWrite.All',
  users: 'User.Read.All',
  policy: 'PeopleSettings.ReadWrite.All',
  roles: 'RoleManagement.Read.Directory',
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

  constructor(options: TenantClientOptions) {
    this.#connection = new GraphConnection({
      credential: options.credential,
      graphUrl: options.graphUrl,
      scope: options.scope ?? `${options.graphUrl.replace(/\/+$/, '')}/.default`,
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
    this.graphUrl = this.#connection.graphUrl;
    this.#readAttempts = options.readAttempts ?? 5;
  }

  /** The underlying connection, for a call this class does not wrap. */
  get connection(): GraphConnection {
    return this.#connection;
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

  /** PUT /users/{id}/photo/$value — one attempt. */
  async putPhoto(userId: string, jpeg: Buffer, signal?: AbortSignal): Promise<PhotoWriteResult> {
    const started = performance.now();
    const response = await this.#connection.send({
      method: 'PUT',
      path: `${userPath(userId)}/photo/$value`,
      body: jpeg,
      contentType: 'image/jpeg',
      responseType: 'none',
      operation: `Uploading the photo of user ${userId}`,
      permission: PERMISSIONS.photos,
      ...(signal ? { signal } : {}),
    });
    return {
      userId,
      status: response.status,
      requestId: response.requestId,
      durationMs: Math.round(performance.now() - started),
      throttleUsage: response.throttleUsage,
    };
  }

  /** DELETE /users/{id}/photo/$value — one attempt; a user without a photo is not an error. */
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

  /** GET /users/{id}/photo — metadata of the largest stored size; null when the user has no photo. */
  async getPhotoMeta(userId: string, signal?: AbortSignal): Promise<PhotoMeta | null> {
    try {
      const { body } = await this.#read<Record<string, unknown>>({
        method: 'GET',
        path: `${userPath(userId)}/photo`,
        operation: `Reading the photo metadata of user ${userId}`,
        permission: PERMISSIONS.photos,
        ...(signal ? { signal } : {}),
      });
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

  /** GET /users/{id}/photo/$value — the largest stored size; null when the user has no photo. */
  async getPhoto(userId: string, signal?: AbortSignal): Promise<Buffer | null> {
    try {
      const { body } = await this.#read<Buffer>({
        method: 'GET',
        path: `${userPath(userId)}/photo/$value`,
        responseType: 'bytes',
        operation: `Downloading the photo of user ${userId}`,
        permission: PERMISSIONS.photos,
        ...(signal ? { signal } : {}),
      });
      return body;
    } catch (error) {
      if (isNoPhoto(error)) return null;
      throw error;
    }
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

  /** PATCH /beta/admin/people/photoUpdateSettings; returns the policy as Graph now reports it. */
  async setPhotoPolicy(policy: PhotoPolicy): Promise<PhotoPolicy> {
    const response = await this.#read<Record<string, unknown> | undefined>({
      method: 'PATCH',
      version: 'beta',
      path: '/admin/people/photoUpdateSettings',
      body: { source: policy.source, allowedRoles: policy.allowedRoles.map((role) => role.toLowerCase()) },
      operation: 'Changing the photo update policy',
      permission: PERMISSIONS.policy,
    });
    // Graph may answer 204 without a body.
    return response.body ? toPolicy(response.body) : this.getPhotoPolicy();
  }

  /**
   * Directory role template ids held (tenant-wide, active) by the app's service principal.
   * For built-in roles a role assignment's roleDefinitionId is the role template id. The service
   * principal's object id is the `oid` of our own access token, so no extra permission is needed
   * for it; only when asked about another app is it looked up (Application.Read.All).
   */
  async appRoleTemplateIds(clientId?: string): Promise<string[]> {
    const servicePrincipalId = await this.#servicePrincipalId(clientId);
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
        path = this.#relativeNextLink(response.body['@odata.nextLink']);
      }
    } catch (error) {
      throw permissionError(error, PERMISSIONS.roles, "read the app's directory role assignments (the check that a photo policy change will not lock the app out)");
    }
    return [...ids].sort();
  }

  async #servicePrincipalId(clientId: string | undefined): Promise<string> {
    const claims = decodeTokenClaims(await this.#connection.accessToken());
    const ownAppId = typeof claims?.['appid'] === 'string' ? claims['appid'] : typeof claims?.['azp'] === 'string' ? claims['azp'] : undefined;
    if (typeof claims?.['oid'] === 'string' && (clientId === undefined || ownAppId?.toLowerCase() === clientId.toLowerCase())) return claims['oid'];
    if (clientId === undefined) throw new UserError('tenant', 'The access token does not name the app\'s service principal (no oid claim).');
    try {
      const { body } = await this.#read<{ id?: string }>({
        method: 'GET',
        path: `/servicePrincipals(appId=${encodeSegment(odataString(clientId))})${query({ $select: 'id' })}`,
        operation: `Looking up the service principal of app ${clientId}`,
        permission: PERMISSIONS.servicePrincipals,
      });
      if (!body.id) throw new UserError('tenant', `Graph returned no id for the service principal of app ${clientId}.`);
      return body.id;
    } catch (error) {
      if (isGraphError(error) && error.status === 404) {
        throw new UserError('tenant', `App ${clientId} has no service principal in this tenant (the app is not installed here).`);
      }
      throw permissionError(error, PERMISSIONS.servicePrincipals, `look up the service principal of app ${clientId}`);
    }
  }

  #relativeNextLink(nextLink: string | undefined): string | undefined {
    if (!nextLink) return undefined;
    const url = new URL(nextLink);
    const path = url.pathname.replace(/^\/(v1\.0|beta)/, '');
    return `${path}${url.search}`;
  }
}

function toPolicy(body: Record<string, unknown>): PhotoPolicy {
  const source = body['source'];
  return {
    source: source === 'cloud' || source === 'onPremises' ? source : null,
    allowedRoles: Array.isArray(body['allowedRoles']) ? body['allowedRoles'].map((role) => String(role).toLowerCase()) : [],
  };
}

function permissionError(error: unknown, permission: string, purpose: string): unknown {
  if (isGraphError(error) && error.status === 403) {
    return new UserError(
      'tenant',
      `The app may not ${purpose}: grant it the Microsoft Graph application permission ${permission} (App registrations → this app → API permissions → add ${permission}, type Application → Grant admin consent). (${error.code}: ${error.graphMessage}${error.requestId ? `; request-id ${error.requestId}` : ''})`,
    );
  }
  return error;
}

/** The payload of a JWT access token (unverified; only to learn our own service principal). */
function decodeTokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}


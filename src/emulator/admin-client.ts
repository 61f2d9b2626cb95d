// A typed client for the admin API. It talks HTTP (with the CA passed explicitly, so it
// works without any global trust setup) and therefore works the same in-process and against
// an emulator started by `entra-photos emulator` in another process.
import type { EmulatorConfig, EmulatorConfigPatch } from './admin.js';
import { adminRequest, type AdminResponse } from './admin-request.js';
import type { OidcRequestEnv } from './github-oidc.js';
import type { EmulatorUserSeed, WorkflowContext } from './options.js';
import type { RequestLogEntry } from './request-log.js';
import type { DirectoryUser, TenantSnapshot } from './state.js';

export class EmulatorAdminClient {
  readonly adminUrl: string;
  readonly #caCertPem: string;

  /** `adminUrl` as printed by the emulator (…/_emulator); `caCertPem` the emulator's CA. */
  constructor(adminUrl: string, caCertPem: string) {
    this.adminUrl = adminUrl.replace(/\/$/, '');
    this.#caCertPem = caCertPem;
  }

  #send(method: string, path: string, body?: Buffer | object, contentType = 'application/json'): Promise<AdminResponse> {
    return adminRequest(`${this.adminUrl}${path}`, this.#caCertPem, method, body, contentType);
  }

  async #json<T>(method: string, path: string, body?: object): Promise<T> {
    const response = await this.#send(method, path, body);
    if (response.status >= 400) throw new Error(`Emulator admin ${method} ${path} failed (${response.status}): ${response.body.toString('utf8')}`);
    return (response.body.length ? JSON.parse(response.body.toString('utf8')) : undefined) as T;
  }

  /** Users with their photo's sha256/width/height/etag, the policy, the app's grants. */
  state(): Promise<TenantSnapshot> {
    return this.#json('GET', '/state');
  }

  async requests(sinceSeq = 0): Promise<RequestLogEntry[]> {
    return (await this.#json<{ requests: RequestLogEntry[] }>('GET', `/requests?since=${sinceSeq}`)).requests;
  }

  async clearRequests(): Promise<void> {
    await this.#json('DELETE', '/requests');
  }

  config(): Promise<EmulatorConfig> {
    return this.#json('GET', '/config');
  }

  /** Changes knobs at run time, e.g. { throttle: { burst: 5 }, faults: [...], accessTokenFormat: 'opaque', noPhotoMetadata: 'notFound' }. */
  setConfig(patch: EmulatorConfigPatch): Promise<EmulatorConfig> {
    return this.#json('POST', '/config', patch);
  }

  /** No photos, initial policy/grants/behaviours/knobs/faults, empty request log. */
  async reset(): Promise<void> {
    await this.#json('POST', '/reset');
  }

  /** A signed GitHub OIDC token for a workflow context (default: the emulator's `oidc` option). */
  async issueOidcToken(context?: WorkflowContext, audience?: string): Promise<string> {
    return (await this.#json<{ value: string }>('POST', '/oidc/token', { context, audience })).value;
  }

  /** ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN for a job whose tokens describe `context`. */
  oidcRequestEnv(context?: WorkflowContext): Promise<OidcRequestEnv> {
    return this.#json('POST', '/oidc/request-env', { context });
  }

  /**
   * A delegated access token for a seeded user, in the JSON `az account get-access-token --output
   * json` prints (accessToken, expiresOn, expires_on, subscription, tenant, tokenType).
   */
  delegatedToken(grant: { user: string; scopes?: string[]; roles?: string[]; clientId?: string }): Promise<{ accessToken: string; expiresOn: string; expires_on: number; subscription: string; tenant: string; tokenType: string }> {
    return this.#json('POST', '/delegated-token', grant);
  }

  /** Device codes waiting for the user (not redeemed, not expired). */
  async pendingDeviceCodes(): Promise<Array<{ userCode: string; clientId: string; scope: string; expiresAt: string; approved: boolean }>> {
    return (await this.#json<{ pending: Array<{ userCode: string; clientId: string; scope: string; expiresAt: string; approved: boolean }> }>('GET', '/devicecode')).pending;
  }

  /** Approves a device code as `grant.user` would at the verification page (roles default: User Administrator). */
  async approveDeviceCode(userCode: string, grant: { user: string; scopes?: string[]; roles?: string[] }): Promise<void> {
    await this.#json('POST', '/devicecode/approve', { userCode, ...grant });
  }

  /** Declines a device code. */
  async denyDeviceCode(userCode: string): Promise<void> {
    await this.#json('POST', '/devicecode/deny', { userCode });
  }

  /**
   * Who the emulator's browser is signed in as, for `--auth browser` (GET /authorize): a user who
   * approves (roles default: User Administrator), 'decline' (the user cancels: access_denied), or
   * undefined for the default (the sample tenant's IT administrator, margaret.hamilton@contoso.edu).
   */
  async setBrowserSignIn(session: { user: string; scopes?: string[]; roles?: string[] } | 'decline' | undefined): Promise<void> {
    await this.#json('POST', '/browser-sign-in', session === 'decline' ? { decline: true } : (session ?? {}));
  }

  /** The browser session in force: `{ user, scopes?, roles? }` or `{ decline: true }`. */
  browserSignIn(): Promise<{ user?: string; scopes?: string[]; roles?: string[]; decline?: boolean }> {
    return this.#json('GET', '/browser-sign-in');
  }

  /** The stored photo bytes of a user (by id, UPN or mail), or undefined if there is none. */
  async photo(user: string): Promise<Buffer | undefined> {
    const response = await this.#send('GET', `/users/${encodeURIComponent(user)}/photo`);
    if (response.status === 404) return undefined;
    if (response.status >= 400) throw new Error(`Emulator admin photo read failed (${response.status}): ${response.body.toString('utf8')}`);
    return response.body;
  }

  /** Removes a user's photo behind the tool's back (not logged, not throttled). */
  async deletePhoto(user: string): Promise<void> {
    const response = await this.#send('DELETE', `/users/${encodeURIComponent(user)}/photo`);
    if (response.status >= 400 && response.status !== 404) throw new Error(`Emulator admin photo delete failed (${response.status}): ${response.body.toString('utf8')}`);
  }

  /** Creates a user (an account created after the manifest named it). */
  addUser(seed: EmulatorUserSeed): Promise<DirectoryUser> {
    return this.#json('POST', '/users', seed);
  }

  /** Deletes a user (by id, UPN or mail) and its photo: the user is no longer under /users. */
  async removeUser(user: string): Promise<void> {
    await this.#json('DELETE', `/users/${encodeURIComponent(user)}`);
  }

  /** Enables or disables a user's account (by id, UPN or mail). */
  setAccountEnabled(user: string, accountEnabled: boolean): Promise<DirectoryUser> {
    return this.#json('PATCH', `/users/${encodeURIComponent(user)}`, { accountEnabled });
  }

  /** Stores a photo as if it had been uploaded earlier (not logged, not throttled). */
  async seedPhoto(user: string, jpeg: Buffer): Promise<void> {
    const response = await this.#send('PUT', `/users/${encodeURIComponent(user)}/photo`, jpeg, 'image/jpeg');
    if (response.status >= 400) throw new Error(`Emulator admin photo seed failed (${response.status}): ${response.body.toString('utf8')}`);
  }
}

// The admin API under /_emulator: inspect the tenant (users, photo hashes and sizes, policy),
// read and clear the request log, change realism knobs and faults at run time, mint GitHub
// OIDC tokens for any workflow context, and seed or read photos without going through Graph.
// It needs no token: the server listens on 127.0.0.1 only, and Graph never uses this path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BrowserSession } from './auth-code.js';
import type { DelegatedGrant, EntraId } from './entra.js';
import type { FaultInjector, FaultRule } from './faults.js';
import type { GitHubOidcIssuer, OidcRequestEnv } from './github-oidc.js';
import { readJpegDimensions } from './graph/jpeg.js';
import { MAX_PHOTO_BYTES } from './graph/photos.js';
import type { GraphService } from './graph/service.js';
import { readBody, sendJson } from './http.js';
import { isRecord } from './jwt.js';
import { DEFAULT_THROTTLE } from './options.js';
import type { AccessTokenFormat, EmulatorUserSeed, LatencyConfig, GroupPhotoAppOnly, NoPhotoMetadata, PhotoUpdateSettings, ThrottleConfig, WorkflowContext } from './options.js';
import type { RequestLog } from './request-log.js';
import { describePhoto } from './state.js';
import type { TenantState } from './state.js';
import { TokenBucket } from './throttle.js';
import type { ConcurrencyGate } from './throttle.js';

/** The knobs in force. `throttle: null` means throttling is off. */
export interface EmulatorConfig {
  latency: LatencyConfig | null;
  throttle: ThrottleConfig | null;
  faults: FaultRule[];
  appPermissions: string[];
  directoryRoles: string[];
  policy: PhotoUpdateSettings;
  /** Format of access tokens issued from now on ('jwt' | 'opaque'). */
  accessTokenFormat: AccessTokenFormat;
  /** GET /users/{id}/photo without a photo: 'placeholder' (200, 1x1 image/gif) | 'notFound' (404). */
  noPhotoMetadata: NoPhotoMetadata;
  /** App-only group photo writes: 'allowed' | 'refused' (AppOnlyTokenNotSupportedForGroupUpdate). */
  groupPhotoAppOnly: GroupPhotoAppOnly;
}

/** POST /_emulator/config: only the given keys change. `faults` replaces the whole list. */
export interface EmulatorConfigPatch {
  latency?: LatencyConfig | null;
  /** Merged over the current limits (or the defaults when off); null or false turns throttling off. */
  throttle?: Partial<ThrottleConfig> | null | false;
  faults?: FaultRule[];
  appPermissions?: string[];
  directoryRoles?: string[];
  policy?: PhotoUpdateSettings;
  accessTokenFormat?: AccessTokenFormat;
  noPhotoMetadata?: NoPhotoMetadata;
  groupPhotoAppOnly?: GroupPhotoAppOnly;
}

export interface AdminDeps {
  state: TenantState;
  log: RequestLog;
  faults: FaultInjector;
  graph: GraphService;
  gate: ConcurrencyGate;
  github: GitHubOidcIssuer;
  /** Entra ID: delegated tokens and device-code approvals. */
  entra: EntraId;
  /** What POST /_emulator/reset restores. */
  initial: { latency: LatencyConfig | null; throttle: ThrottleConfig | null; faults: readonly FaultRule[] };
  /** Other services reset with the tenant (Google's domain and knobs). */
  alsoReset?: () => void;
}

/** A refusal of an admin call, answered with `status` and `{ error: message }`. */
export class AdminError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The largest admin JSON body: a config or a seed is far smaller; a bigger one is a mistake. */
const ADMIN_JSON_LIMIT = 1024 * 1024;

/** An admin call's JSON object body (empty: {}); a body over 1 MB is refused 413, anything else not a JSON object 400. */
export async function readAdminJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const { body, tooLarge, receivedBytes } = await readBody(request, ADMIN_JSON_LIMIT);
  // Cut at the limit, the body would only look like broken JSON: say the limit instead.
  if (tooLarge) throw new AdminError(413, `The body is ${receivedBytes} bytes; admin JSON bodies are limited to ${ADMIN_JSON_LIMIT} bytes (1 MB).`);
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdminError(400, 'The body must be JSON.');
  }
  if (!isRecord(parsed)) throw new AdminError(400, 'The body must be a JSON object.');
  return parsed;
}

export class AdminApi {
  readonly #deps: AdminDeps;
  latency: LatencyConfig | null;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
    this.latency = deps.initial.latency;
  }

  config(): EmulatorConfig {
    const { state, graph, gate, faults } = this.#deps;
    return {
      latency: this.latency,
      throttle: graph.bucket ? { ...graph.bucket.config, maxConcurrent: gate.limit } : null,
      faults: faults.rules,
      appPermissions: [...state.appPermissions],
      directoryRoles: [...state.directoryRoles],
      policy: { source: state.policy.source, allowedRoles: [...state.policy.allowedRoles] },
      accessTokenFormat: state.accessTokenFormat,
      noPhotoMetadata: state.noPhotoMetadata,
      groupPhotoAppOnly: state.groupPhotoAppOnly,
    };
  }

  applyConfig(patch: EmulatorConfigPatch): EmulatorConfig {
    const { state, faults } = this.#deps;
    if (patch.faults !== undefined) {
      if (!Array.isArray(patch.faults)) throw new AdminError(400, 'faults must be an array of rules.');
      try {
        faults.setRules(patch.faults);
      } catch (error) {
        throw new AdminError(400, error instanceof Error ? error.message : String(error));
      }
    }
    if (patch.latency !== undefined) {
      if (patch.latency !== null && (typeof patch.latency.medianMs !== 'number' || typeof patch.latency.spreadMs !== 'number')) {
        throw new AdminError(400, 'latency needs numeric medianMs and spreadMs (or null).');
      }
      this.latency = patch.latency;
    }
    if (patch.throttle !== undefined) this.#applyThrottle(patch.throttle);
    if (patch.appPermissions !== undefined) state.appPermissions = stringArray(patch.appPermissions, 'appPermissions');
    if (patch.directoryRoles !== undefined) state.directoryRoles = stringArray(patch.directoryRoles, 'directoryRoles').map((role) => role.toLowerCase());
    if (patch.policy !== undefined) {
      const { source, allowedRoles } = patch.policy;
      if (source !== 'cloud' && source !== 'onPremises' && source !== null) throw new AdminError(400, "policy.source must be 'cloud', 'onPremises' or null.");
      state.policy = { source, allowedRoles: stringArray(allowedRoles ?? [], 'policy.allowedRoles').map((role) => role.toLowerCase()) };
    }
    if (patch.accessTokenFormat !== undefined) {
      if (patch.accessTokenFormat !== 'jwt' && patch.accessTokenFormat !== 'opaque') throw new AdminError(400, "accessTokenFormat must be 'jwt' or 'opaque'.");
      state.accessTokenFormat = patch.accessTokenFormat;
    }
    if (patch.noPhotoMetadata !== undefined) {
      if (patch.noPhotoMetadata !== 'placeholder' && patch.noPhotoMetadata !== 'notFound') throw new AdminError(400, "noPhotoMetadata must be 'placeholder' or 'notFound'.");
      state.noPhotoMetadata = patch.noPhotoMetadata;
    }
    if (patch.groupPhotoAppOnly !== undefined) {
      if (patch.groupPhotoAppOnly !== 'allowed' && patch.groupPhotoAppOnly !== 'refused') throw new AdminError(400, "groupPhotoAppOnly must be 'allowed' or 'refused'.");
      state.groupPhotoAppOnly = patch.groupPhotoAppOnly;
    }
    return this.config();
  }

  #applyThrottle(throttle: Partial<ThrottleConfig> | null | false): void {
    const { graph, gate } = this.#deps;
    if (throttle === null || throttle === false) {
      graph.bucket = undefined;
      gate.limit = 0;
      return;
    }
    const merged: ThrottleConfig = { ...(graph.bucket?.config ?? DEFAULT_THROTTLE), maxConcurrent: gate.limit, ...throttle };
    if (!(merged.burst >= 1) || !(merged.refillPerSecond >= 0) || !(merged.maxConcurrent >= 0)) {
      throw new AdminError(400, 'throttle needs burst >= 1, refillPerSecond >= 0 and maxConcurrent >= 0.');
    }
    if (graph.bucket) graph.bucket.reconfigure(merged);
    else graph.bucket = new TokenBucket(merged);
    gate.limit = merged.maxConcurrent;
  }

  /** Back to the start: no photos, initial policy, grants, behaviours, knobs and faults; empty log. */
  reset(): void {
    const { state, log, initial } = this.#deps;
    state.reset();
    this.#deps.alsoReset?.();
    this.#deps.entra.setBrowserSession(undefined);
    log.clear();
    this.latency = initial.latency;
    this.applyConfig({ throttle: initial.throttle ?? null, faults: [...initial.faults] });
  }

  oidcRequestEnv(context?: WorkflowContext): OidcRequestEnv {
    return this.#deps.github.requestEnv(context);
  }

  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    try {
      await this.#route(request, response, url);
    } catch (error) {
      const status = error instanceof AdminError ? error.status : 500;
      sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async #route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { state, log, github } = this.#deps;
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/^\/_emulator/, '').replace(/\/$/, '') || '/';
    const readJson = () => readAdminJson(request);

    if (method === 'GET' && path === '/') {
      sendJson(response, 200, {
        endpoints: [
          'GET /_emulator/state', 'GET /_emulator/requests?since=SEQ', 'DELETE /_emulator/requests',
          'GET /_emulator/config', 'POST /_emulator/config', 'POST /_emulator/reset',
          'POST /_emulator/oidc/token', 'POST /_emulator/oidc/request-env',
          'POST /_emulator/delegated-token', 'GET /_emulator/devicecode', 'POST /_emulator/devicecode/approve', 'POST /_emulator/devicecode/deny',
          'GET /_emulator/browser-sign-in', 'POST /_emulator/browser-sign-in',
          'GET /_emulator/users/{id|upn|mail}/photo', 'PUT /_emulator/users/{id|upn|mail}/photo',
          'POST /_emulator/users', 'PATCH /_emulator/users/{id|upn|mail}', 'DELETE /_emulator/users/{id|upn|mail}',
        ],
      });
    } else if (method === 'GET' && path === '/state') {
      sendJson(response, 200, state.snapshot());
    } else if (method === 'GET' && path === '/requests') {
      sendJson(response, 200, { requests: log.list(Number(url.searchParams.get('since') ?? 0) || 0) });
    } else if (method === 'DELETE' && path === '/requests') {
      log.clear();
      response.writeHead(204).end();
    } else if (method === 'GET' && path === '/config') {
      sendJson(response, 200, this.config());
    } else if (method === 'POST' && path === '/config') {
      sendJson(response, 200, this.applyConfig((await readJson()) as EmulatorConfigPatch));
    } else if (method === 'POST' && path === '/reset') {
      this.reset();
      response.writeHead(204).end();
    } else if (method === 'POST' && path === '/oidc/token') {
      const body = await readJson();
      const audience = typeof body['audience'] === 'string' ? body['audience'] : undefined;
      const context = isRecord(body['context']) ? (body['context'] as WorkflowContext) : undefined;
      sendJson(response, 200, { value: github.issueToken(context ?? github.defaultContext, audience) });
    } else if (method === 'POST' && path === '/oidc/request-env') {
      const body = await readJson();
      sendJson(response, 200, github.requestEnv(isRecord(body['context']) ? (body['context'] as WorkflowContext) : undefined));
    } else if (method === 'POST' && path === '/delegated-token') {
      // What `az account get-access-token --output json` prints after `az login` as this user.
      const body = await readJson();
      const grant = delegatedGrant(body);
      // The Azure CLI signs in through its own first-party app: its tokens carry that app id.
      const clientId = typeof body['clientId'] === 'string' && body['clientId'] ? body['clientId'] : AZURE_CLI_APP_ID;
      let token: { accessToken: string; expiresOn: number };
      try {
        token = this.#deps.entra.issueDelegatedToken(grant, clientId);
      } catch (error) {
        throw new AdminError(404, (error as Error).message);
      }
      sendJson(response, 200, {
        accessToken: token.accessToken,
        expiresOn: localDateTime(token.expiresOn),
        expires_on: token.expiresOn,
        subscription: '00000000-0000-0000-0000-000000000000',
        tenant: state.tenantId,
        tokenType: 'Bearer',
      });
    } else if (method === 'GET' && path === '/devicecode') {
      sendJson(response, 200, { pending: this.#deps.entra.pendingDeviceCodes() });
    } else if (method === 'POST' && (path === '/devicecode/approve' || path === '/devicecode/deny')) {
      const body = await readJson();
      const userCode = typeof body['userCode'] === 'string' ? body['userCode'] : '';
      if (!userCode) throw new AdminError(400, 'userCode is required.');
      try {
        this.#deps.entra.decideDeviceCode(userCode, path.endsWith('/deny') ? 'deny' : delegatedGrant(body));
      } catch (error) {
        throw new AdminError(404, (error as Error).message);
      }
      response.writeHead(204).end();
    } else if (method === 'GET' && path === '/browser-sign-in') {
      sendJson(response, 200, browserSessionBody(this.#deps.entra.browserSession));
    } else if (method === 'POST' && path === '/browser-sign-in') {
      // Who the emulator's browser is signed in as: { user, scopes?, roles? } approves every
      // /authorize request from now on; { decline: true } cancels them (error=access_denied);
      // {} goes back to the default user.
      const body = await readJson();
      const session = body['decline'] === true ? 'decline' : Object.keys(body).length === 0 ? undefined : delegatedGrant(body);
      try {
        this.#deps.entra.setBrowserSession(session);
      } catch (error) {
        throw new AdminError(404, (error as Error).message);
      }
      sendJson(response, 200, browserSessionBody(this.#deps.entra.browserSession));
    } else if (path.startsWith('/users/') && path.endsWith('/photo')) {
      const key = decodeURIComponent(path.slice('/users/'.length, -'/photo'.length));
      const user = state.findUserLoosely(key);
      if (!user) throw new AdminError(404, `No user '${key}'.`);
      if (method === 'GET') {
        const photo = state.getPhoto(user.id);
        if (!photo) throw new AdminError(404, `User '${key}' has no photo.`);
        response.writeHead(200, { 'Content-Type': photo.contentType, 'Content-Length': String(photo.bytes.length), ETag: photo.mediaEtag });
        response.end(photo.bytes);
      } else if (method === 'PUT') {
        const { body, tooLarge } = await readBody(request, MAX_PHOTO_BYTES);
        if (tooLarge) throw new AdminError(413, 'Photos are limited to 4 MB.');
        const dimensions = readJpegDimensions(body);
        if (!dimensions) throw new AdminError(400, 'The body must be a JPEG image.');
        state.setPhoto(user.id, describePhoto(body, dimensions.width, dimensions.height));
        response.writeHead(204).end();
      } else if (method === 'DELETE') {
        state.deletePhoto(user.id);
        response.writeHead(204).end();
      } else {
        throw new AdminError(405, 'Method not allowed.');
      }
    } else if (method === 'POST' && path === '/users') {
      // Creates a user (e.g. a new teacher's account, created after the manifest named them).
      const body = await readJson();
      if (typeof body['userPrincipalName'] !== 'string' || !body['userPrincipalName']) throw new AdminError(400, 'userPrincipalName is required.');
      try {
        sendJson(response, 201, state.addUser(body as unknown as EmulatorUserSeed));
      } catch (error) {
        throw new AdminError(409, (error as Error).message);
      }
    } else if (path.startsWith('/users/') && path.indexOf('/', '/users/'.length) < 0 && (method === 'PATCH' || method === 'DELETE')) {
      const key = decodeURIComponent(path.slice('/users/'.length));
      const user = state.findUserLoosely(key);
      if (!user) throw new AdminError(404, `No user '${key}'.`);
      if (method === 'DELETE') {
        state.removeUser(user);
        response.writeHead(204).end();
      } else {
        const body = await readJson();
        if (typeof body['accountEnabled'] !== 'boolean') throw new AdminError(400, 'accountEnabled (true or false) is the only property that can be changed.');
        state.setAccountEnabled(user, body['accountEnabled']);
        sendJson(response, 200, user);
      }
    } else {
      throw new AdminError(404, `No admin endpoint ${method} ${url.pathname}.`);
    }
  }
}

function stringArray(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new AdminError(400, `${name} must be an array of strings.`);
  return [...value];
}

/** Microsoft's Azure CLI app (the client id of every `az login` token). */
const AZURE_CLI_APP_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/** { user, scopes?, roles? } from an admin request body. */
function delegatedGrant(body: Record<string, unknown>): DelegatedGrant {
  if (typeof body['user'] !== 'string' || !body['user']) throw new AdminError(400, 'user (id, UPN or mail of the signed-in admin) is required.');
  return {
    user: body['user'],
    ...(body['scopes'] !== undefined ? { scopes: stringArray(body['scopes'], 'scopes') } : {}),
    ...(body['roles'] !== undefined ? { roles: stringArray(body['roles'], 'roles') } : {}),
  };
}

function browserSessionBody(session: BrowserSession): Record<string, unknown> {
  return session === 'decline' ? { decline: true } : { ...session };
}

/** The Azure CLI's `expiresOn`: local time, "YYYY-MM-DD HH:MM:SS.ffffff". */
function localDateTime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.000000`;
}

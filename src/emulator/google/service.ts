// Google's hosts on the emulator's one HTTPS server. A client's `google-endpoint` override stands
// in for every Google host: https://HOST.googleapis.com/PATH is served at {endpoint}/HOST/PATH,
// and the emulator's endpoint is https://127.0.0.1:PORT/_google. So:
//   /_google/sts/v1/token                                        sts.googleapis.com
//   /_google/iamcredentials/v1/projects/-/serviceAccounts/…      iamcredentials.googleapis.com
//   /_google/oauth2/token                                        oauth2.googleapis.com
//   /_google/admin/admin/directory/v1/users…                     admin.googleapis.com
// Directory requests pass, in order: the caller checks, injected faults, the per-user quota.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector } from '../faults.js';
import type { FaultRule } from '../faults.js';
import type { GitHubOidcIssuer } from '../github-oidc.js';
import { flatHeaders, parseFormBody, readBody } from '../http.js';
import { isRecord } from '../jwt.js';
import type { SigningKey } from '../jwt.js';
import type { Delays } from '../latency.js';
import type { RandomSource } from '../random.js';
import { parseAttributeCondition } from './attribute-condition.js';
import { authorize, serveDirectory, userKeyOf } from './directory.js';
import type { DirectorySettings } from './directory.js';
import { apiError, oauthError, writeAnswer } from './errors.js';
import type { GoogleAnswer } from './errors.js';
import { exchangeToken, jwtBearer, serviceAccountCredentials } from './identity.js';
import type { IdentitySettings } from './identity.js';
import {
  DEFAULT_GOOGLE_CUSTOMER_ID,
  DEFAULT_GOOGLE_POOL,
  DEFAULT_GOOGLE_PROJECT_NUMBER,
  DEFAULT_GOOGLE_PROVIDER,
  DEFAULT_GOOGLE_QUOTA,
  DEFAULT_GOOGLE_SERVICE_ACCOUNT,
  DEFAULT_GOOGLE_SERVICE_ACCOUNT_ID,
  DIRECTORY_SCOPE,
  GOOGLE_PATH,
  poolPrincipalPrefix,
  providerResourceName,
} from './options.js';
import type { GoogleDelegationGrant, GoogleEmulatorOptions, GoogleIamBinding, GoogleQuotaConfig, GoogleUserSeed, UserPhotoOnUpdate } from './options.js';
import { PerUserQuota } from './quota.js';
import { GoogleDirectoryState } from './state.js';
import { GoogleTokenStore, quotaUserOf } from './tokens.js';

const DIRECTORY_BODY_LIMIT = 16 * 1024 * 1024;
const AUTH_BODY_LIMIT = 64 * 1024;

/** The knobs in force (GET /_emulator/google/config). `quota: null` means no quota. */
export interface GoogleEmulatorConfig {
  attributeCondition: string | null;
  allowedAudiences: string[];
  bindings: GoogleIamBinding[];
  serviceAccountIsAdmin: boolean;
  domainWideDelegation: GoogleDelegationGrant[];
  quota: Required<GoogleQuotaConfig> | null;
  userPhotoOnUpdate: UserPhotoOnUpdate;
  faults: FaultRule[];
}

export type GoogleEmulatorConfigPatch = Partial<Omit<GoogleEmulatorConfig, 'quota'>> & { quota?: GoogleQuotaConfig | null | false };

/** What the request log learns about a Google request. */
export interface GoogleRequestNote {
  userId?: string;
  errorCode?: string;
  fault?: string;
  throttled?: boolean;
  reset?: boolean;
}

export interface GoogleServiceDeps {
  origin: string;
  github: GitHubOidcIssuer;
  serviceAccountKey: SigningKey;
  random: RandomSource;
  delays: Delays;
  latencyMs: () => number;
  /** Users when options.users is not given (the Entra seed, mirrored). */
  defaultUsers: GoogleUserSeed[];
}

export class GoogleService {
  readonly endpoint: string;
  readonly directory: GoogleDirectoryState;
  readonly tokens = new GoogleTokenStore();
  readonly identity: IdentitySettings;
  readonly directorySettings: DirectorySettings;
  readonly faults: FaultInjector;
  quota: PerUserQuota | undefined;
  readonly #deps: GoogleServiceDeps;
  readonly #initial: GoogleEmulatorConfigPatch;

  constructor(deps: GoogleServiceDeps, options: GoogleEmulatorOptions = {}) {
    this.#deps = deps;
    this.endpoint = `${deps.origin}${GOOGLE_PATH}`;
    const projectNumber = options.projectNumber ?? DEFAULT_GOOGLE_PROJECT_NUMBER;
    const pool = options.pool ?? DEFAULT_GOOGLE_POOL;
    const provider = options.provider ?? DEFAULT_GOOGLE_PROVIDER;
    const serviceAccount = options.serviceAccount ?? DEFAULT_GOOGLE_SERVICE_ACCOUNT;
    const serviceAccountId = options.serviceAccountId ?? DEFAULT_GOOGLE_SERVICE_ACCOUNT_ID;
    const repositorySet = `principalSet://${poolPrincipalPrefix(projectNumber, pool)}/attribute.repository/${repositoryOf(deps.github)}`;
    this.identity = {
      projectNumber,
      pool,
      provider,
      allowedAudiences: [],
      attributeCondition: null,
      serviceAccount,
      serviceAccountId,
      bindings: [],
      domainWideDelegation: [],
    };
    this.directorySettings = { customerId: options.customerId ?? DEFAULT_GOOGLE_CUSTOMER_ID, serviceAccountIsAdmin: true, userPhotoOnUpdate: 'kept' };
    this.directory = new GoogleDirectoryState(options.users ?? deps.defaultUsers);
    this.faults = new FaultInjector(deps.random, (key) => this.directory.findUser(key)?.id);
    this.#initial = {
      attributeCondition: options.attributeCondition === undefined ? `assertion.repository == '${repositoryOf(deps.github)}'` : options.attributeCondition,
      allowedAudiences: options.allowedAudiences ?? [`https://iam.googleapis.com/${providerResourceName(projectNumber, pool, provider)}`],
      bindings: options.bindings ?? [
        { role: 'roles/iam.workloadIdentityUser', members: [repositorySet] },
        { role: 'roles/iam.serviceAccountTokenCreator', members: [repositorySet] },
      ],
      serviceAccountIsAdmin: options.serviceAccountIsAdmin ?? true,
      domainWideDelegation: options.domainWideDelegation ?? [{ clientId: serviceAccountId, scopes: [DIRECTORY_SCOPE] }],
      quota: options.quota === false ? null : (options.quota ?? DEFAULT_GOOGLE_QUOTA),
      userPhotoOnUpdate: options.userPhotoOnUpdate ?? 'kept',
      faults: options.faults ?? [],
    };
    this.applyConfig(this.#initial);
  }

  /** projects/N/locations/global/workloadIdentityPools/P/providers/X, as the action input takes it. */
  get workloadIdentityProvider(): string {
    return providerResourceName(this.identity.projectNumber, this.identity.pool, this.identity.provider);
  }

  config(): GoogleEmulatorConfig {
    return {
      attributeCondition: this.identity.attributeCondition?.source ?? null,
      allowedAudiences: [...this.identity.allowedAudiences],
      bindings: this.identity.bindings.map((binding) => ({ role: binding.role, members: [...binding.members] })),
      serviceAccountIsAdmin: this.directorySettings.serviceAccountIsAdmin,
      domainWideDelegation: this.identity.domainWideDelegation.map((grant) => ({ clientId: grant.clientId, scopes: [...grant.scopes] })),
      quota: this.quota ? { ...this.quota.config } : null,
      userPhotoOnUpdate: this.directorySettings.userPhotoOnUpdate,
      faults: this.faults.rules,
    };
  }

  /** Changes only the keys given; throws (→ 400) on an invalid value, before changing anything it validates. */
  applyConfig(patch: GoogleEmulatorConfigPatch): GoogleEmulatorConfig {
    const condition = patch.attributeCondition === undefined ? undefined : patch.attributeCondition === null ? null : parseAttributeCondition(patch.attributeCondition);
    if (patch.userPhotoOnUpdate !== undefined && patch.userPhotoOnUpdate !== 'kept' && patch.userPhotoOnUpdate !== 'replaced') {
      throw new Error("userPhotoOnUpdate must be 'kept' or 'replaced'.");
    }
    if (patch.faults !== undefined) this.faults.setRules(patch.faults);
    if (patch.quota !== undefined) {
      if (patch.quota === null || patch.quota === false) this.quota = undefined;
      else if (this.quota) this.quota.reconfigure({ ...this.quota.config, ...patch.quota });
      else this.quota = new PerUserQuota({ ...DEFAULT_GOOGLE_QUOTA, ...patch.quota });
    }
    if (condition !== undefined) this.identity.attributeCondition = condition;
    if (patch.allowedAudiences !== undefined) this.identity.allowedAudiences = [...patch.allowedAudiences];
    if (patch.bindings !== undefined) this.identity.bindings = patch.bindings.map((binding) => ({ role: binding.role, members: [...binding.members] }));
    if (patch.domainWideDelegation !== undefined) this.identity.domainWideDelegation = patch.domainWideDelegation.map((grant) => ({ clientId: grant.clientId, scopes: [...grant.scopes] }));
    if (patch.serviceAccountIsAdmin !== undefined) this.directorySettings.serviceAccountIsAdmin = patch.serviceAccountIsAdmin;
    if (patch.userPhotoOnUpdate !== undefined) this.directorySettings.userPhotoOnUpdate = patch.userPhotoOnUpdate;
    return this.config();
  }

  /** Users and photos as seeded, the knobs as started. Issued tokens stay valid. */
  reset(): void {
    this.directory.reset();
    this.applyConfig({ ...this.#initial, quota: this.#initial.quota ?? null });
  }

  async handle(request: IncomingMessage, response: ServerResponse, url: URL, note: (info: GoogleRequestNote) => void): Promise<void> {
    const path = url.pathname.slice(GOOGLE_PATH.length);
    const method = (request.method ?? 'GET').toUpperCase();
    const headers = flatHeaders(request);
    const isDirectory = path.startsWith('/admin/');
    const { body, tooLarge } = await readBody(request, isDirectory ? DIRECTORY_BODY_LIMIT : AUTH_BODY_LIMIT);
    // Directory calls wait inside their quota slot (so requests in flight are really in flight).
    if (!isDirectory) await this.#deps.delays.wait(this.#deps.latencyMs());
    const finish = (answer: GoogleAnswer): void => {
      note({
        ...(answer.userId ? { userId: answer.userId } : {}),
        ...(answer.errorCode ? { errorCode: answer.errorCode } : {}),
        ...(answer.fault ? { fault: answer.fault } : {}),
        ...(answer.throttled ? { throttled: true } : {}),
      });
      writeAnswer(response, answer);
    };
    if (tooLarge) {
      finish(apiError(413, 'uploadTooLarge', 'The request is too large.'));
      return;
    }
    if (method === 'POST' && path === '/sts/v1/token') {
      finish(exchangeToken(this.#identityContext(), parseBody(body, headers['content-type'])));
    } else if (method === 'POST' && path.startsWith('/iamcredentials/')) {
      finish(serviceAccountCredentials(this.#identityContext(), path.slice('/iamcredentials'.length), headers['authorization'], parseJson(body)));
    } else if (method === 'POST' && path === '/oauth2/token') {
      finish(jwtBearer(this.#identityContext(), parseBody(body, headers['content-type'])));
    } else if (isDirectory) {
      await this.#serveDirectory(method, path.slice('/admin'.length), url.searchParams, headers['authorization'], body, finish, () => {
        note({ reset: true });
        request.socket.destroy();
      });
    } else {
      finish(oauthError(404, 'not_found', `Nothing is served at ${url.pathname}.`));
    }
  }

  async #serveDirectory(
    method: string,
    path: string,
    query: URLSearchParams,
    authorization: string | undefined,
    body: Buffer,
    finish: (answer: GoogleAnswer) => void,
    reset: () => void,
  ): Promise<void> {
    const token = this.tokens.fromHeader(authorization);
    const refused = authorize(token, method, this.directory, this.directorySettings);
    if (refused || !token) {
      finish(refused ?? apiError(401, 'authError', 'Invalid Credentials'));
      return;
    }
    const key = userKeyOf(path);
    const userId = key === undefined ? undefined : this.directory.findUser(key)?.id;
    const rule = this.faults.match({ method, path, ...(userId ? { userId } : {}) });
    if (rule?.effect === 'reset') {
      reset();
      return;
    }
    if (rule?.effect === 'delay') await this.#deps.delays.wait(rule.delayMs ?? 1000);
    if (rule?.effect === 'status') {
      const status = rule.status ?? 503;
      const reason = rule.code ?? (status === 503 ? 'backendError' : 'internalError');
      const answer = apiError(status, reason, rule.message ?? (reason === 'backendError' ? 'Backend Error' : 'Internal Error'));
      finish({ ...answer, fault: rule.id ?? 'fault', ...(userId ? { userId } : {}) });
      return;
    }
    const decision = this.quota?.take(quotaUserOf(token.subject));
    if (decision && !decision.allowed) {
      const answer =
        decision.reason === 'rateLimitExceeded'
          ? apiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits')
          : decision.reason === 'quotaExceeded'
            ? apiError(403, 'quotaExceeded', 'Quota exceeded: too many concurrent requests for this user.', 'usageLimits')
            : apiError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits');
      finish({ ...answer, throttled: true, ...(userId ? { userId } : {}) });
      return;
    }
    try {
      await this.#deps.delays.wait(this.#deps.latencyMs());
      finish(serveDirectory({ method, path, query, token, body }, this.directory, this.directorySettings));
    } finally {
      if (decision?.allowed) decision.release();
    }
  }

  #identityContext() {
    return { github: this.#deps.github, tokens: this.tokens, directory: this.directory, serviceAccountKey: this.#deps.serviceAccountKey, settings: this.identity };
  }
}

function repositoryOf(github: GitHubOidcIssuer): string {
  const context = github.defaultContext;
  if ('claims' in context) return String(context.claims['repository'] ?? 'contoso/photos');
  return context.repository ?? 'contoso/photos';
}

function parseJson(body: Buffer): unknown {
  try {
    return body.length ? (JSON.parse(body.toString('utf8')) as unknown) : {};
  } catch {
    return undefined;
  }
}

/** A JSON object or a form, as strings. */
function parseBody(body: Buffer, contentType: string | undefined): Record<string, string> {
  if (contentType?.includes('application/json')) {
    const parsed = parseJson(body);
    if (!isRecord(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  }
  return Object.fromEntries(parseFormBody(body));
}

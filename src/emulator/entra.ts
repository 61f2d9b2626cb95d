// Entra ID for one tenant: OpenID discovery, signing keys, and the v2.0 token endpoint for
// the client-credentials grant with a federated client assertion (workload identity
// federation). The assertion is checked as Entra checks it: issuer known to a federated
// credential, signature against that issuer's keys, lifetime, then an exact
// (issuer, subject, audience) match. Access tokens carry the app's Graph roles as granted
// at issuance time. They are JWTs (the v1 shape Graph tokens have today) or, with
// accessTokenFormat 'opaque', random strings whose claims only the emulator knows: Microsoft tells
// clients to treat access tokens as opaque, and this proves a client does.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GitHubOidcIssuer } from './github-oidc.js';
import { aadstsError } from './graph/errors.js';
import type { AadstsError } from './graph/errors.js';
import type { AppIdentity } from './graph/types.js';
import { parseFormBody, readBody, sendJson } from './http.js';
import { decodeJwt, nowInSeconds, signJwt, verifyJwtSignature } from './jwt.js';
import type { SigningKey } from './jwt.js';
import type { FederatedCredential } from './options.js';
import { TOKEN_EXCHANGE_AUDIENCE } from './options.js';
import type { TenantState } from './state.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Graph's well-known resource: its app id and its identifier URI. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
const CLOCK_SKEW_SECONDS = 300;

export type AccessTokenCheck = { ok: true; identity: AppIdentity } | { ok: false; message: string };

export class EntraId {
  readonly #origin: string;
  readonly #state: TenantState;
  readonly #key: SigningKey;
  readonly #github: GitHubOidcIssuer;
  readonly #credentials: readonly FederatedCredential[];
  /** Resource identifiers accepted in `scope`: Graph's, and the emulator's own Graph URL. */
  readonly #graphResources: ReadonlySet<string>;
  /** Opaque access tokens issued → their claims (the "server side" of a token with no structure). */
  readonly #opaqueTokens = new Map<string, Record<string, unknown>>();

  constructor(params: {
    origin: string;
    state: TenantState;
    key: SigningKey;
    github: GitHubOidcIssuer;
    federatedCredentials: readonly FederatedCredential[];
    graphUrl: string;
  }) {
    this.#origin = params.origin;
    this.#state = params.state;
    this.#key = params.key;
    this.#github = params.github;
    this.#credentials = params.federatedCredentials;
    this.#graphResources = new Set([GRAPH_RESOURCE, GRAPH_APP_ID, params.graphUrl]);
  }

  get accessTokenIssuer(): string {
    return `https://sts.windows.net/${this.#state.tenantId}/`;
  }

  #tenantUrl(): string {
    return `${this.#origin}/${this.#state.tenantId}`;
  }

  #openIdConfiguration(): Record<string, unknown> {
    const tenantUrl = this.#tenantUrl();
    return {
      token_endpoint: `${tenantUrl}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${tenantUrl}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${tenantUrl}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.#origin}/oidc/userinfo`,
      authorization_endpoint: `${tenantUrl}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${tenantUrl}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${tenantUrl}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    };
  }

  /** Serves /{tenant}/...; false when the path is not an Entra path. */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|oauth2\/v2\.0\/token)$/.exec(
      url.pathname,
    );
    if (!match) return false;
    const [, tenant = '', endpoint = ''] = match;
    if (tenant.toLowerCase() !== this.#state.tenantId.toLowerCase()) {
      const error = aadstsError(
        400,
        'invalid_tenant',
        90002,
        `Tenant '${decodeURIComponent(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
      sendJson(response, error.status, error.body);
      return true;
    }
    if (endpoint.endsWith('openid-configuration') && request.method === 'GET') {
      sendJson(response, 200, this.#openIdConfiguration());
    } else if (endpoint.includes('keys') && request.method === 'GET') {
      sendJson(response, 200, { keys: [{ ...this.#key.publicJwk, x5t: this.#key.kid, issuer: `${this.#tenantUrl()}/v2.0` }] });
    } else if (endpoint === 'oauth2/v2.0/token' && request.method === 'POST') {
      const { body } = await readBody(request, 1024 * 1024);
      const result = this.exchange(parseFormBody(body));
      if ('error' in result) sendJson(response, result.error.status, result.error.body);
      else sendJson(response, 200, result.token);
    } else {
      sendJson(response, 405, { error: 'invalid_request', error_description: 'Method not allowed.' });
    }
    return true;
  }

  /** The token endpoint's logic, separate from HTTP so it is easy to follow and to test. */
  exchange(form: URLSearchParams): { token: Record<string, unknown> } | { error: AadstsError } {
    const tenantId = this.#state.tenantId;
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      return { error: aadstsError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.') };
    }
    const clientId = form.get('client_id') ?? '';
    if (clientId.toLowerCase() !== this.#state.clientId.toLowerCase()) {
      return {
        error: aadstsError(
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        ),
      };
    }
    const scopeError = this.#checkScope(form.get('scope') ?? '');
    if (scopeError) return { error: scopeError };

    const assertion = form.get('client_assertion');
    if (!assertion || form.get('client_assertion_type') !== JWT_BEARER) {
      return {
        error: aadstsError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
      };
    }
    const decoded = decodeJwt(assertion);
    if (!decoded) return { error: aadstsError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.') };

    const { payload } = decoded;
    const issuer = typeof payload['iss'] === 'string' ? payload['iss'] : '';
    const subject = typeof payload['sub'] === 'string' ? payload['sub'] : '';
    const audiences = Array.isArray(payload['aud']) ? payload['aud'].map(String) : [String(payload['aud'] ?? '')];
    const noMatch = (): { error: AadstsError } => ({
      error: aadstsError(
        400,
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`,
      ),
    });

    const forIssuer = this.#credentials.filter((credential) => credential.issuer === issuer);
    if (forIssuer.length === 0) return noMatch();
    // Entra fetches the issuer's keys from its discovery document. Only the emulator's own
    // issuer is reachable here; any other issuer is as unreachable as from an offline tenant.
    if (issuer !== this.#github.issuer) {
      return { error: aadstsError(400, 'invalid_client', 50166, `Request to External OIDC endpoint failed. Issuer: '${issuer}'.`) };
    }
    if (!verifyJwtSignature(decoded, this.#github.jwks.keys)) {
      return {
        error: aadstsError(
          401,
          'invalid_client',
          50013,
          'Assertion failed signature validation. [Reason - The key was not found or the provided signature value did not match the expected signature value.]',
        ),
      };
    }
    const now = nowInSeconds();
    const exp = Number(payload['exp']);
    const nbf = Number(payload['nbf'] ?? payload['iat'] ?? 0);
    if (!Number.isFinite(exp) || exp + CLOCK_SKEW_SECONDS < now || nbf - CLOCK_SKEW_SECONDS > now) {
      return {
        error: aadstsError(
          400,
          'invalid_client',
          700024,
          `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${new Date(nbf * 1000).toISOString()}, expiry time of assertion ${new Date((Number.isFinite(exp) ? exp : 0) * 1000).toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
        ),
      };
    }
    // Exact, case-sensitive match, as Entra does since 2025.
    const matched = forIssuer.some(
      (credential) =>
        credential.subject === subject &&
        (credential.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).some((audience) => audiences.includes(audience)),
    );
    if (!matched) return noMatch();
    return { token: this.#issueAccessToken() };
  }

  #checkScope(scopeParameter: string): AadstsError | undefined {
    const scopes = scopeParameter.split(' ').filter(Boolean);
    const defaultScope = scopes.find((scope) => scope.endsWith('/.default'));
    if (!defaultScope) {
      return aadstsError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scopeParameter} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = defaultScope.slice(0, -'/.default'.length).replace(/\/$/, '');
    if (!this.#graphResources.has(resource)) {
      return aadstsError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${this.#state.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    return undefined;
  }

  #issueAccessToken(): Record<string, unknown> {
    const state = this.#state;
    const iat = nowInSeconds();
    const claims: Record<string, unknown> = {
      aud: GRAPH_RESOURCE,
      iss: this.accessTokenIssuer,
      iat,
      nbf: iat,
      exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
      app_displayname: 'entra-photos',
      appid: state.clientId,
      appidacr: '2',
      idp: this.accessTokenIssuer,
      idtyp: 'app',
      oid: state.servicePrincipalId,
      sub: state.servicePrincipalId,
      tid: state.tenantId,
      uti: randomUUID().replaceAll('-', ''),
      ver: '1.0',
    };
    // Entra omits `roles` when the app holds none.
    if (state.appPermissions.length > 0) claims['roles'] = [...state.appPermissions];
    return {
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: state.accessTokenFormat === 'opaque' ? this.#issueOpaque(claims) : signJwt(claims, this.#key, { x5t: this.#key.kid }),
    };
  }

  /** A random string with no dots and no structure; its claims stay here. */
  #issueOpaque(claims: Record<string, unknown>): string {
    const now = nowInSeconds();
    // Forgotten an hour after expiry (until then a late use is told "expired", as for a JWT).
    for (const [token, stored] of this.#opaqueTokens) if (Number(stored['exp']) + 3600 < now) this.#opaqueTokens.delete(token);
    const token = randomBytes(96).toString('base64url');
    this.#opaqueTokens.set(token, claims);
    return token;
  }

  /** What Graph does with the Authorization header: verify the token Entra issued. */
  verifyAccessToken(authorization: string | undefined): AccessTokenCheck {
    if (!authorization) return { ok: false, message: 'Access token is empty.' };
    const token = authorization.replace(/^Bearer\s+/i, '');
    const opaque = this.#opaqueTokens.get(token);
    if (opaque) return this.#checkClaims(opaque);
    const decoded = decodeJwt(token);
    if (!decoded) return { ok: false, message: 'CompactToken parsing failed with error code: 80049217' };
    if (!verifyJwtSignature(decoded, [this.#key.publicJwk])) return { ok: false, message: 'Access token validation failure.' };
    return this.#checkClaims(decoded.payload);
  }

  #checkClaims(payload: Record<string, unknown>): AccessTokenCheck {
    if (payload['aud'] !== GRAPH_RESOURCE && payload['aud'] !== GRAPH_APP_ID) {
      return { ok: false, message: 'Access token validation failure. Invalid audience.' };
    }
    if (Number(payload['exp']) < nowInSeconds()) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    if (payload['tid'] !== this.#state.tenantId) return { ok: false, message: 'Access token validation failure.' };
    const roles = Array.isArray(payload['roles']) ? payload['roles'].map(String) : [];
    return {
      ok: true,
      identity: {
        appId: String(payload['appid']),
        tenantId: String(payload['tid']),
        servicePrincipalId: String(payload['oid']),
        roles,
      },
    };
  }
}

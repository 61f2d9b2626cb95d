// Entra ID for one tenant: OpenID discovery, signing keys, and the v2.0 token endpoint for
// the client-credentials grant with a federated client assertion (workload identity
// federation). The assertion is checked as Entra checks it: issuer known to a federated
// credential, signature against that issuer's keys, lifetime, then an exact
// (issuer, subject, audience) match. Access tokens carry the app's Graph roles as granted
// at issuance time. They are JWTs (the v1 shape Graph tokens have today) or, with
// accessTokenFormat 'opaque', random strings whose claims only the emulator knows: Microsoft tells
// clients to treat access tokens as opaque, and this proves a client does.
//
// Delegated sign-in (an admin on a laptop): the OAuth 2.0 device authorization grant
// (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code): POST
// {tenant}/oauth2/v2.0/devicecode answers device_code, user_code, verification_uri, expires_in,
// interval and message; the token endpoint answers `authorization_pending` to
// grant_type=urn:ietf:params:oauth:grant-type:device_code until the code is approved through the
// admin API (as the user would at the verification page), then issues a delegated token: `scp`
// (delegated permissions), `wids` (the user's directory roles), the user's `oid`/`upn`, with an
// id_token and client_info for MSAL's account cache and a refresh token. The admin API also mints
// such a token directly (what `az account get-access-token` hands out).
//
// Browser sign-in: the authorization code flow with PKCE (auth-code.ts): GET
// {tenant}/oauth2/v2.0/authorize redirects to the loopback redirect URI with a code for the user of
// the emulator's browser session (set through the admin API; by default the tenant's IT
// administrator), and grant_type=authorization_code redeems it for the same delegated token.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationCodes, withoutOidcScopes } from './auth-code.js';
import type { AuthorizeOutcome, BrowserSession } from './auth-code.js';
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
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const DEVICE_CODE_LIFETIME_SECONDS = 900;
/** Scopes MSAL adds to every user sign-in; they are about the id token, not Graph. */
/** User Administrator: what a delegated sign-in holds unless the grant says otherwise. */
const DEFAULT_DELEGATED_ROLE = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** Who signs in, and with what, for a delegated token. */
export interface DelegatedGrant {
  /** The user (id, UPN or mail of a seeded user). */
  user: string;
  /** Delegated permissions consented (`scp`); default: the names of the app's application permissions. */
  scopes?: readonly string[];
  /** Directory role template ids the user holds (`wids`); default: User Administrator. */
  roles?: readonly string[];
}

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  approved?: DelegatedGrant;
  denied?: boolean;
  redeemed?: boolean;
}

interface DelegatedSession {
  clientId: string;
  grant: DelegatedGrant;
}

/** Who the emulator's browser is signed in as unless the admin API says otherwise: the IT administrator of the sample tenant. */
const DEFAULT_BROWSER_USER = 'margaret.hamilton@contoso.edu';
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
  /** Device authorizations by device_code (what the client polls with). */
  readonly #deviceCodes = new Map<string, DeviceAuthorization>();
  /** Refresh tokens issued to delegated sessions. */
  readonly #refreshTokens = new Map<string, DelegatedSession>();
  /** Authorization codes issued by /authorize (browser sign-in). */
  readonly #authorizationCodes = new AuthorizationCodes();
  /** The browser session set through the admin API; undefined: the default user approves. */
  #browserSession: BrowserSession | undefined;

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
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|oauth2\/v2\.0\/token|oauth2\/v2\.0\/devicecode|oauth2\/v2\.0\/authorize)$/.exec(
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
    } else if (endpoint === 'oauth2/v2.0/authorize' && request.method === 'GET') {
      sendAuthorizeOutcome(response, this.authorize(url.searchParams));
    } else if (endpoint === 'oauth2/v2.0/devicecode' && request.method === 'POST') {
      const { body } = await readBody(request, 1024 * 1024);
      const result = this.startDeviceAuthorization(parseFormBody(body));
      if ('error' in result) sendJson(response, result.error.status, result.error.body);
      else sendJson(response, 200, result.authorization);
    } else {
      sendJson(response, 405, { error: 'invalid_request', error_description: 'Method not allowed.' });
    }
    return true;
  }

  /** The token endpoint's logic, separate from HTTP so it is easy to follow and to test. */
  exchange(form: URLSearchParams): { token: Record<string, unknown> } | { error: AadstsError } {
    const tenantId = this.#state.tenantId;
    const grantType = form.get('grant_type');
    // The documented value is the RFC 8628 URN; MSAL sends the short 'device_code', which Entra accepts too.
    if (grantType === DEVICE_CODE_GRANT || grantType === 'device_code') return this.#redeemDeviceCode(form);
    if (grantType === 'refresh_token') return this.#redeemRefreshToken(form);
    if (grantType === 'authorization_code') return this.#redeemAuthorizationCode(form);
    if (grantType !== 'client_credentials') {
      return { error: aadstsError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.') };
    }
    const clientId = form.get('client_id') ?? '';
    const unknownClient = this.#unknownClient(clientId);
    if (unknownClient) return { error: unknownClient };
    const scopeError = this.#checkScope(form.get('scope') ?? '');
    if (scopeError) return { error: scopeError };
    return this.#exchangeAssertion(form);
  }

  #unknownClient(clientId: string): AadstsError | undefined {
    const tenantId = this.#state.tenantId;
    if (clientId.toLowerCase() !== this.#state.clientId.toLowerCase()) {
      return aadstsError(
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        );
    }
    return undefined;
  }

  #exchangeAssertion(form: URLSearchParams): { token: Record<string, unknown> } | { error: AadstsError } {
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

  /** POST {tenant}/oauth2/v2.0/devicecode: starts a device authorization (client_id, scope). */
  startDeviceAuthorization(form: URLSearchParams): { authorization: Record<string, unknown> } | { error: AadstsError } {
    const clientId = form.get('client_id') ?? '';
    const unknownClient = this.#unknownClient(clientId);
    if (unknownClient) return { error: unknownClient };
    const scope = form.get('scope') ?? '';
    const scopeError = this.#checkScope(scope.split(' ').filter((item) => !OIDC_SCOPES.has(item)).join(' '));
    if (scopeError) return { error: scopeError };
    const now = nowInSeconds();
    for (const [code, stored] of this.#deviceCodes) if (stored.expiresAt + 3600 < now) this.#deviceCodes.delete(code);
    const userCode = randomUserCode();
    const authorization: DeviceAuthorization = { deviceCode: randomBytes(48).toString('base64url'), userCode, clientId, scope, expiresAt: now + DEVICE_CODE_LIFETIME_SECONDS };
    this.#deviceCodes.set(authorization.deviceCode, authorization);
    const verificationUri = this.deviceLoginUrl;
    return {
      authorization: {
        device_code: authorization.deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        expires_in: DEVICE_CODE_LIFETIME_SECONDS,
        interval: 1,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  /** GET {tenant}/oauth2/v2.0/authorize: what the browser is told to do (see auth-code.ts). */
  authorize(query: URLSearchParams): AuthorizeOutcome {
    return this.#authorizationCodes.authorize(query, {
      unknownClient: (clientId) => this.#unknownClient(clientId),
      checkScope: (scope) => this.#checkScope(scope),
      checkUser: (grant) => void this.#delegatedUser(grant),
      session: this.browserSession,
    });
  }

  /** Who the emulator's browser is signed in as (and whether that user approves or declines). */
  get browserSession(): BrowserSession {
    if (this.#browserSession) return this.#browserSession;
    const fallback = this.#state.findUserLoosely(DEFAULT_BROWSER_USER) ?? this.#state.users[0];
    return { user: fallback?.userPrincipalName ?? DEFAULT_BROWSER_USER };
  }

  /** Sets the browser session (undefined: back to the default user); refuses a user not in the tenant. */
  setBrowserSession(session: BrowserSession | undefined): void {
    if (session !== undefined && session !== 'decline') this.#delegatedUser(session);
    this.#browserSession = session;
  }

  #redeemAuthorizationCode(form: URLSearchParams): { token: Record<string, unknown> } | { error: AadstsError } {
    const clientId = form.get('client_id') ?? '';
    const unknownClient = this.#unknownClient(clientId);
    if (unknownClient) return { error: unknownClient };
    const redeemed = this.#authorizationCodes.redeem(form);
    if ('error' in redeemed) return redeemed;
    return { token: this.#delegatedTokenResponse({ clientId: redeemed.clientId, grant: redeemed.grant }, redeemed.scope, redeemed.nonce) };
  }

  /** Where a user would enter the code (the emulator approves through its admin API instead). */
  get deviceLoginUrl(): string {
    return `${this.#origin}/_emulator/devicelogin`;
  }

  /** Device authorizations not yet redeemed nor expired (for the admin API). */
  pendingDeviceCodes(): Array<{ userCode: string; clientId: string; scope: string; expiresAt: string; approved: boolean }> {
    const now = nowInSeconds();
    return [...this.#deviceCodes.values()]
      .filter((item) => !item.redeemed && item.expiresAt >= now)
      .map((item) => ({ userCode: item.userCode, clientId: item.clientId, scope: item.scope, expiresAt: new Date(item.expiresAt * 1000).toISOString(), approved: item.approved !== undefined }));
  }

  /** What the user does at the verification page: approve (as `grant.user`) or deny a user code. */
  decideDeviceCode(userCode: string, decision: DelegatedGrant | 'deny'): void {
    const wanted = userCode.trim().toUpperCase();
    const found = [...this.#deviceCodes.values()].find((item) => item.userCode === wanted && !item.redeemed && item.expiresAt >= nowInSeconds());
    if (!found) throw new Error(`No pending device code '${userCode}'.`);
    if (decision === 'deny') {
      found.denied = true;
      return;
    }
    this.#delegatedUser(decision); // refuse an unknown user now, not at the next poll
    found.approved = decision;
  }

  #redeemDeviceCode(form: URLSearchParams): { token: Record<string, unknown> } | { error: AadstsError } {
    const found = this.#deviceCodes.get(form.get('device_code') ?? '');
    if (!found || found.redeemed || (form.get('client_id') ?? '').toLowerCase() !== found.clientId.toLowerCase()) {
      return { error: aadstsError(400, 'bad_verification_code', 70019, 'Verification code was not recognized or has already been used.') };
    }
    if (found.expiresAt < nowInSeconds()) return { error: aadstsError(400, 'expired_token', 70020, 'The provided device code has expired.') };
    if (found.denied) return { error: aadstsError(400, 'authorization_declined', 70018, 'The user declined the authorization request.') };
    if (!found.approved) {
      return { error: aadstsError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.') };
    }
    found.redeemed = true;
    return { token: this.#delegatedTokenResponse({ clientId: found.clientId, grant: found.approved }, found.scope) };
  }

  #redeemRefreshToken(form: URLSearchParams): { token: Record<string, unknown> } | { error: AadstsError } {
    const session = this.#refreshTokens.get(form.get('refresh_token') ?? '');
    if (!session || (form.get('client_id') ?? '').toLowerCase() !== session.clientId.toLowerCase()) {
      return { error: aadstsError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.') };
    }
    const scope = form.get('scope') ?? '';
    const scopeError = this.#checkScope(scope.split(' ').filter((item) => !OIDC_SCOPES.has(item)).join(' '));
    if (scopeError) return { error: scopeError };
    return { token: this.#delegatedTokenResponse(session, scope) };
  }

  #delegatedUser(grant: DelegatedGrant): { id: string; userPrincipalName: string; displayName: string } {
    const user = this.#state.findUserLoosely(grant.user);
    if (!user) throw new Error(`No user '${grant.user}' in the tenant.`);
    return { id: user.id, userPrincipalName: user.userPrincipalName, displayName: String(user.displayName ?? user.userPrincipalName) };
  }

  /**
   * A delegated access token for `grant.user` (what the Azure CLI hands out after `az login`, or
   * what the device code flow ends with): `scp` the delegated permissions, `wids` the user's roles.
   */
  issueDelegatedToken(grant: DelegatedGrant, clientId: string = this.#state.clientId): { accessToken: string; expiresOn: number } {
    const token = this.#delegatedAccessToken(clientId, grant);
    return { accessToken: token.accessToken, expiresOn: token.expiresOn };
  }

  #delegatedAccessToken(clientId: string, grant: DelegatedGrant): { accessToken: string; expiresOn: number; user: { id: string; userPrincipalName: string; displayName: string } } {
    const state = this.#state;
    const user = this.#delegatedUser(grant);
    const iat = nowInSeconds();
    const scopes = grant.scopes ?? state.appPermissions;
    const roles = (grant.roles ?? [DEFAULT_DELEGATED_ROLE]).map((role) => role.toLowerCase());
    const claims: Record<string, unknown> = {
      ...this.#accessTokenBase(iat),
      appid: clientId,
      appidacr: '0',
      idtyp: 'user',
      name: user.displayName,
      oid: user.id,
      scp: scopes.join(' '),
      sub: user.id,
      tid: state.tenantId,
      unique_name: user.userPrincipalName,
      upn: user.userPrincipalName,
      uti: randomUUID().replaceAll('-', ''),
      ver: '1.0',
      wids: roles,
    };
    const accessToken = this.#encodeAccessToken(claims);
    return { accessToken, expiresOn: iat + ACCESS_TOKEN_LIFETIME_SECONDS, user };
  }

  /** The token response of a user sign-in, as MSAL expects it: with id_token and client_info. */
  #delegatedTokenResponse(session: DelegatedSession, requestedScope: string, nonce?: string): Record<string, unknown> {
    const { accessToken, user } = this.#delegatedAccessToken(session.clientId, session.grant);
    const tenantId = this.#state.tenantId;
    const iat = nowInSeconds();
    const idToken = signJwt(
      {
        aud: session.clientId,
        iss: `${this.#tenantUrl()}/v2.0`,
        iat,
        nbf: iat,
        exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
        name: user.displayName,
        oid: user.id,
        preferred_username: user.userPrincipalName,
        sub: user.id,
        tid: tenantId,
        ver: '2.0',
        ...(nonce ? { nonce } : {}),
      },
      this.#key,
    );
    const refreshToken = randomBytes(64).toString('base64url');
    this.#refreshTokens.set(refreshToken, session);
    return {
      token_type: 'Bearer',
      scope: withoutOidcScopes(requestedScope),
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: user.id, utid: tenantId })).toString('base64url'),
    };
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
      ...this.#accessTokenBase(iat),
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
      access_token: this.#encodeAccessToken(claims),
    };
  }

  /** The claims every Graph access token starts with, an app's or a user's. */
  #accessTokenBase(iat: number): Record<string, unknown> {
    return { aud: GRAPH_RESOURCE, iss: this.accessTokenIssuer, iat, nbf: iat, exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS, app_displayname: 'entra-photos' };
  }

  /** A signed JWT, or an opaque token when the tenant is set to hand those out. */
  #encodeAccessToken(claims: Record<string, unknown>): string {
    return this.#state.accessTokenFormat === 'opaque' ? this.#issueOpaque(claims) : signJwt(claims, this.#key, { x5t: this.#key.kid });
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
    if (typeof payload['scp'] === 'string') {
      // Delegated: the permissions are the consented scopes, the user's roles come in `wids`.
      return {
        ok: true,
        identity: {
          appId: String(payload['appid']),
          tenantId: String(payload['tid']),
          servicePrincipalId: '',
          roles: payload['scp'].split(' ').filter(Boolean),
          user: {
            id: String(payload['oid']),
            userPrincipalName: String(payload['upn'] ?? ''),
            directoryRoles: Array.isArray(payload['wids']) ? payload['wids'].map((role) => String(role).toLowerCase()) : [],
          },
        },
      };
    }
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

/** An 8-character code like Entra's (no 0/O/1/I to misread). */
function randomUserCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(8)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** Writes what /authorize decided: a 302, a self-posting form (response_mode=form_post), or an error page. */
function sendAuthorizeOutcome(response: ServerResponse, outcome: AuthorizeOutcome): void {
  if (outcome.kind === 'redirect') {
    response.writeHead(302, { Location: outcome.location, 'Cache-Control': 'no-store' }).end();
    return;
  }
  const body =
    outcome.kind === 'form_post'
      ? `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(outcome.action)}">${Object.entries(outcome.fields)
          .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
          .join('')}<noscript><button type="submit">Continue</button></noscript></form></body></html>`
      : `<!doctype html><html><head><title>Sign in to your account</title></head><body><h1>${escapeHtml(outcome.title)}</h1><p>${escapeHtml(outcome.message)}</p></body></html>`;
  const payload = Buffer.from(body);
  response.writeHead(outcome.kind === 'form_post' ? 200 : outcome.status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(payload.length),
    'Cache-Control': 'no-store',
  });
  response.end(payload);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Authentication: a GitHub OIDC token exchanged for a Graph access token through workload
 * identity federation (ClientAssertionCredential). No secret exists anywhere. The OIDC token
 * comes in as a callback: the action passes @actions/core's getIDToken, the CLI
 * `githubOidcFromEnv` (same protocol, no @actions dependency here).
 *
 * Failures become UserError('auth') that say what to change in Entra ID or in the workflow:
 * AADSTS70021 (no federated credential matches the token's subject), 700016 (no such app in the
 * tenant), 90002 (no such tenant), network and TLS failures.
 */
import { ClientAssertionCredential } from '@azure/identity';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { UserError } from '../../core/errors.js';
import { describeNetworkFailure, hostOf, isNetworkFailure, networkCause } from '../../core/network.js';
import { audienceClaim, readJwtClaims } from '../../core/jwtClaims.js';
import { isMicrosoftAuthorityHost } from './clouds.js';

/** GitHub's audience for Entra ID workload identity federation. */
export const DEFAULT_OIDC_AUDIENCE = 'api://AzureADTokenExchange';
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

export interface CredentialOptions {
  tenantId: string;
  clientId: string;
  /** e.g. https://login.microsoftonline.com (see cloudEndpoints). */
  authorityHost: string;
  /** Returns a fresh GitHub OIDC token (a JWT) each time it is called. */
  getAssertion: () => Promise<string>;
  /** Retries of a failed request to Entra ID (network errors, 5xx); @azure/identity's default is 3. */
  maxRetries?: number;
}

interface AssertionClaims {
  iss?: string;
  sub?: string;
  aud?: string;
}

/**
 * Reads iss/sub/aud of the GitHub OIDC ID token we present as the client assertion, without
 * verifying it (only to explain a refusal: which subject Entra matched against). This is NOT an
 * access token: an OIDC ID token is a JWT by specification (OpenID Connect Core §2), it is ours
 * (we requested it from GitHub and send it), and its claims are documented by GitHub. Access tokens
 * from Entra are never decoded anywhere in src/target/entra: Microsoft says they are opaque to clients.
 */
export function peekJwtClaims(jwt: string): AssertionClaims | undefined {
  const claims = readJwtClaims(jwt);
  if (!claims) return undefined;
  const aud = audienceClaim(claims);
  return {
    ...(typeof claims['iss'] === 'string' ? { iss: claims['iss'] } : {}),
    ...(typeof claims['sub'] === 'string' ? { sub: claims['sub'] } : {}),
    ...(aud !== undefined ? { aud } : {}),
  };
}

/** A credential that says which app it signs in as (TenantClient finds its service principal by it). */
export interface AppCredential extends TokenCredential {
  readonly clientId: string;
}

/**
 * A TokenCredential for Graph. `disableInstanceDiscovery` is set for any authority that is not
 * one of Microsoft's (the emulator, a private endpoint): MSAL would otherwise ask
 * login.microsoftonline.com to validate it and, offline, fail after ~6 s.
 */
export function createCredential(options: CredentialOptions): AppCredential {
  const authorityHost = options.authorityHost.replace(/\/+$/, '');
  let lastClaims: AssertionClaims | undefined;
  let assertionError: unknown;
  const getAssertion = async (): Promise<string> => {
    assertionError = undefined;
    try {
      const token = await options.getAssertion();
      lastClaims = peekJwtClaims(token);
      return token;
    } catch (error) {
      assertionError = error;
      throw error;
    }
  };
  const inner = new ClientAssertionCredential(options.tenantId, options.clientId, getAssertion, {
    authorityHost,
    disableInstanceDiscovery: !isMicrosoftAuthorityHost(authorityHost),
    ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries } } : {}),
  });
  return {
    clientId: options.clientId,
    async getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken> {
      try {
        const token = await inner.getToken(scopes, getTokenOptions);
        if (!token) throw new Error('Entra ID returned no access token.');
        return token;
      } catch (error) {
        if (assertionError !== undefined) {
          if (assertionError instanceof UserError) throw assertionError;
          throw new UserError('auth', `Could not get a GitHub OIDC token: ${messageOf(assertionError)}`);
        }
        throw await describeAuthError(error, { ...options, authorityHost, claims: lastClaims });
      }
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface AuthErrorContext {
  tenantId: string;
  clientId: string;
  authorityHost: string;
  /** Claims of the OIDC token that was presented, if known. */
  claims?: AssertionClaims | undefined;
  /** For tests: the diagnostic request used when MSAL only says endpoints_resolution_error. */
  fetchImpl?: typeof fetch;
}

const FEDERATION_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust';

/** Turns an @azure/identity / MSAL failure into an actionable UserError('auth'). */
export async function describeAuthError(error: unknown, context: AuthErrorContext): Promise<UserError> {
  if (error instanceof UserError) return error;
  const message = messageOf(error);
  const code = /AADSTS(\d+)/.exec(message)?.[1];
  const { tenantId, clientId } = context;
  const quoted = (name: string): string | undefined => new RegExp(`Assertion ${name}: '([^']*)'`).exec(message)?.[1];

  switch (code) {
    case '70021':
    case '700211':
    case '700213': {
      const subject = quoted('Subject') ?? context.claims?.sub;
      const issuer = quoted('Issuer') ?? context.claims?.iss;
      const audience = quoted('Audience') ?? context.claims?.aud;
      const presented = [
        subject ? `subject '${subject}'` : undefined,
        issuer ? `issuer '${issuer}'` : undefined,
        audience ? `audience '${audience}'` : undefined,
      ].filter(Boolean);
      return new UserError(
        'auth',
        `Entra ID found no federated credential on app ${clientId} matching this workflow's OIDC token` +
          (presented.length ? ` (${presented.join(', ')})` : '') +
          `. A federated credential matches only when issuer, subject and audience are all equal, and subjects are case-sensitive. ` +
          `In the Entra admin center, open App registrations → this app → Certificates & secrets → Federated credentials and add one ` +
          `with issuer ${issuer ?? GITHUB_OIDC_ISSUER}, subject ${subject ? `'${subject}'` : 'the job\'s subject'} ` +
          `(e.g. repo:ORG/REPO:environment:production for a job in the production environment) and audience ${DEFAULT_OIDC_AUDIENCE}. ` +
          (subject?.endsWith(':pull_request') ? 'This token comes from a pull request: pull requests must not be able to write photos; run apply from the default branch in a protected environment. ' : '') +
          `See ${FEDERATION_DOCS}. (${firstLine(message)})`,
      );
    }
    case '700016':
      // Configuration (the CLI exits 2): the settings name an app the tenant does not have.
      return new UserError(
        'config',
        `Entra ID has no application with client id ${clientId} in tenant ${tenantId}. Check client-id (the app registration's "Application (client) ID", not its object id), that tenant-id is the tenant where the app is registered, and the cloud. (${firstLine(message)})`,
      );
    case '90002':
      return tenantNotFound(context, message);
    case '700024':
      return new UserError('auth', `Entra ID refused the OIDC token as expired or not yet valid; check the runner's clock. (${firstLine(message)})`);
    case '50166':
      return new UserError('auth', `Entra ID could not fetch the signing keys of the token's issuer: the federated credential's issuer must be ${GITHUB_OIDC_ISSUER} (or your GHES / custom issuer). (${firstLine(message)})`);
    case '500011':
    case '1002012':
      return new UserError('config', `Entra ID refused the Microsoft Graph scope: the cloud (or graph-url) does not match the tenant's cloud. (${firstLine(message)})`);
    default:
      break;
  }
  if (/endpoints_resolution_error|openid|discovery/i.test(message)) return diagnoseAuthority(context, message);
  if (isNetworkMessage(message) || networkCause(error).code !== undefined) return networkError(context, message, error);
  return new UserError('auth', `Signing in to Entra ID (tenant ${tenantId}, app ${clientId}) failed: ${firstLine(message)}`);
}

function firstLine(message: string): string {
  const line = message.split(/\r?\n/)[0] ?? message;
  return line.length > 600 ? `${line.slice(0, 600)}…` : line;
}

function isNetworkMessage(message: string): boolean {
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|network|certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(message);
}

function tenantNotFound(context: AuthErrorContext, detail: string): UserError {
  return new UserError(
    'config',
    `Entra ID at ${context.authorityHost} does not know tenant ${context.tenantId}. Check tenant-id (the Directory (tenant) ID of the tenant where the app is registered) and the cloud: a US Government tenant needs cloud: usgov (or usgov-dod), a 21Vianet tenant cloud: china. (${firstLine(detail)})`,
  );
}

function networkError(context: AuthErrorContext, detail: string, error?: unknown): UserError {
  const tls = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(detail);
  if (error !== undefined && networkCause(error).code !== undefined) return new UserError('auth', describeNetworkFailure('Entra ID', context.authorityHost, error));
  return new UserError(
    'auth',
    tls
      ? `Could not verify the TLS certificate of ${context.authorityHost}. Behind a TLS-inspecting proxy, or for the local emulator, give Node the CA certificate with NODE_EXTRA_CA_CERTS. (${firstLine(detail)})`
      : `Could not reach Entra ID at ${context.authorityHost}: check the network, proxy, and authority-host. (${firstLine(detail)})`,
  );
}

/**
 * MSAL reports a tenant that does not exist, an unreachable host and a TLS failure alike as
 * endpoints_resolution_error. One request to the discovery document tells them apart.
 */
async function diagnoseAuthority(context: AuthErrorContext, original: string): Promise<UserError> {
  const url = `${context.authorityHost}/${encodeURIComponent(context.tenantId)}/v2.0/.well-known/openid-configuration`;
  try {
    const response = await (context.fetchImpl ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    if (/AADSTS90002/.test(text) || (response.status === 400 && /invalid_tenant/.test(text))) return tenantNotFound(context, text);
    if (!response.ok) {
      return new UserError('auth', `Entra ID at ${context.authorityHost} answered ${response.status} for the tenant's OpenID configuration (${url}). Check tenant-id, cloud and authority-host. (${firstLine(original)})`);
    }
    return new UserError('auth', `Entra ID could not resolve the endpoints of tenant ${context.tenantId} at ${context.authorityHost}. (${firstLine(original)})`);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = [messageOf(error), cause ? messageOf(cause) : '', (cause as { code?: string } | undefined)?.code ?? ''].join(' ');
    return networkError(context, detail, error);
  }
}

/**
 * The GitHub Actions OIDC token service, read straight from the job's environment (for the CLI
 * run inside a workflow; the action uses @actions/core's getIDToken). Returns a callback that
 * fetches a fresh token each time.
 */
export function githubOidcFromEnv(env: Record<string, string | undefined>, audience: string = DEFAULT_OIDC_AUDIENCE): () => Promise<string> {
  const requestUrl = env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const requestToken = env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (!requestUrl || !requestToken) {
    throw new UserError(
      'config',
      'No GitHub OIDC token is available (ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set). ' +
        'Give the job permission to request one by adding to the workflow (or the job):\n' +
        'permissions:\n  id-token: write\n  contents: read\n' +
        'Pull requests from forks never get an OIDC token; run apply on a push to the default branch.',
    );
  }
  const url = `${requestUrl}${requestUrl.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  return async () => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json; api-version=2.0' },
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        let value: unknown;
        try {
          value = (JSON.parse(text) as { value?: unknown }).value;
        } catch {
          value = undefined;
        }
        if (typeof value === 'string' && value) return value;
        throw new UserError('auth', 'The GitHub OIDC token service answered without a token.');
      }
      if (response.status >= 500 || response.status === 429) {
        lastError = new Error(`HTTP ${response.status}`);
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        continue;
      }
      throw new UserError(
        'auth',
        `The GitHub OIDC token service refused the request (HTTP ${response.status}). The job needs "permissions: id-token: write"; the request token is valid only inside the running job.`,
      );
    }
    throw new UserError(
      'auth',
      isNetworkFailure(lastError)
        ? describeNetworkFailure('the GitHub OIDC token service', requestUrl, lastError)
        : `Could not get a token from the GitHub OIDC token service at ${hostOf(requestUrl)}: ${messageOf(lastError)}`,
    );
  };
}

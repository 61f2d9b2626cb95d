/**
 * Keyless sign-in to Google Workspace from a GitHub workflow, with no key stored anywhere:
 *   1. GitHub OIDC token for the provider's audience (https://iam.googleapis.com/{provider});
 *   2. STS token exchange (sts.googleapis.com/v1/token) → a federated token;
 *   3a. IAM Credentials generateAccessToken: the service account's own token (the account holds
 *       a Workspace admin role), or
 *   3b. with an admin subject (domain-wide delegation): IAM Credentials signJwt over
 *       {iss: SA, sub: admin, scope, aud: oauth2 token endpoint}, then the jwt-bearer grant at
 *       oauth2.googleapis.com/token → a token acting as that admin.
 * Plain fetch for these three endpoints (docs/google.md says why not google-auth-library).
 * Tokens are cached until shortly before they expire; they never appear in messages.
 */
import { GoogleAuthError } from './errors.js';
import type { GoogleAuthStep } from './errors.js';
import { CLOUD_PLATFORM_SCOPE, DIRECTORY_USER_SCOPE, OAUTH2_TOKEN_AUDIENCE, googleUrl } from './endpoints.js';

export interface GoogleKeylessConfig {
  /** projects/N/locations/global/workloadIdentityPools/P/providers/X (the `//iam.googleapis.com/` prefix is optional). */
  workloadIdentityProvider: string;
  /** The service account's email. */
  serviceAccount: string;
  /** A Workspace admin to act as (domain-wide delegation); absent: the service account itself. */
  adminSubject?: string;
  /** Default: the Directory user scope. */
  scopes?: readonly string[];
  /** Stands in for Google's hosts (the emulator). */
  endpoint?: string;
  /** The GitHub OIDC token for an audience (in the action: @actions/core getIDToken). */
  getIdToken: (audience: string) => Promise<string>;
}

/** The provider's resource name (projects/N/…/providers/X), without the optional `//iam.googleapis.com/` prefix. */
function workloadIdentityProviderName(provider: string): string {
  return provider.replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
}

/**
 * The audience the GitHub OIDC token is requested for, the one Google's STS accepts by default
 * (what google-github-actions/auth uses): the only place it is spelled, for the sign-in and for
 * the action, which reads the environment claim from the same token.
 */
export function googleGithubAudience(provider: string): string {
  return `https://iam.googleapis.com/${workloadIdentityProviderName(provider)}`;
}

/** Refresh this long before expiry, so a token never dies in the middle of a request. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class GoogleKeylessAuth {
  readonly provider: string;
  readonly #config: GoogleKeylessConfig;
  #cached: { token: string; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(config: GoogleKeylessConfig) {
    this.provider = workloadIdentityProviderName(config.workloadIdentityProvider);
    if (!/^projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(this.provider)) {
      throw new GoogleAuthError('sts', 0, 'invalid_provider', `google-workload-identity-provider must look like projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER; got "${config.workloadIdentityProvider}".`);
    }
    this.#config = config;
  }

  /** The audience GitHub's token is requested for (googleGithubAudience). */
  get githubAudience(): string {
    return googleGithubAudience(this.provider);
  }

  get scopes(): readonly string[] {
    return this.#config.scopes ?? [DIRECTORY_USER_SCOPE];
  }

  /** A valid access token; one sign-in at a time however many callers ask. */
  async accessToken(): Promise<string> {
    if (this.#cached && this.#cached.expiresAt - REFRESH_MARGIN_MS > Date.now()) return this.#cached.token;
    this.#pending ??= this.#signIn().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forget the token (after a 401: it was revoked or the emulator restarted). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #signIn(): Promise<string> {
    let idToken: string;
    try {
      idToken = await this.#config.getIdToken(this.githubAudience);
    } catch (error) {
      throw new GoogleAuthError('github-token', 0, 'no_id_token', `Could not get a GitHub OIDC token for ${this.githubAudience}: ${(error as Error).message}. The job needs "permissions: id-token: write".`);
    }
    const federated = await this.#exchange(idToken);
    const result = this.#config.adminSubject ? await this.#delegated(federated, this.#config.adminSubject) : await this.#impersonate(federated);
    this.#cached = result;
    return result.token;
  }

  async #exchange(idToken: string): Promise<string> {
    const body = await this.#post('sts', googleUrl('sts', '/v1/token', this.#config.endpoint), {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        audience: `//iam.googleapis.com/${this.provider}`,
        grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        scope: CLOUD_PLATFORM_SCOPE,
        subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
        subjectToken: idToken,
      }),
    });
    const token = body['access_token'];
    if (typeof token !== 'string') throw new GoogleAuthError('sts', 200, 'no_token', 'Google STS answered without an access_token.');
    return token;
  }

  #serviceAccountUrl(method: 'generateAccessToken' | 'signJwt'): string {
    return googleUrl('iamcredentials', `/v1/projects/-/serviceAccounts/${encodeURIComponent(this.#config.serviceAccount)}:${method}`, this.#config.endpoint);
  }

  async #impersonate(federated: string): Promise<{ token: string; expiresAt: number }> {
    const body = await this.#post('generateAccessToken', this.#serviceAccountUrl('generateAccessToken'), {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${federated}` },
      body: JSON.stringify({ scope: this.scopes, lifetime: '3600s' }),
    });
    const token = body['accessToken'];
    const expiresAt = Date.parse(String(body['expireTime']));
    if (typeof token !== 'string' || !Number.isFinite(expiresAt)) throw new GoogleAuthError('generateAccessToken', 200, 'no_token', 'IAM Credentials answered without accessToken/expireTime.');
    return { token, expiresAt };
  }

  async #delegated(federated: string, subject: string): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(Date.now() / 1000);
    const claims = { iss: this.#config.serviceAccount, sub: subject, scope: this.scopes.join(' '), aud: OAUTH2_TOKEN_AUDIENCE, iat, exp: iat + 3600 };
    const signed = await this.#post('signJwt', this.#serviceAccountUrl('signJwt'), {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${federated}` },
      body: JSON.stringify({ payload: JSON.stringify(claims) }),
    });
    const assertion = signed['signedJwt'];
    if (typeof assertion !== 'string') throw new GoogleAuthError('signJwt', 200, 'no_jwt', 'IAM Credentials answered without signedJwt.');
    const body = await this.#post('jwt-bearer', googleUrl('oauth2', '/token', this.#config.endpoint), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
    const token = body['access_token'];
    const expiresIn = Number(body['expires_in']);
    if (typeof token !== 'string' || !Number.isFinite(expiresIn)) throw new GoogleAuthError('jwt-bearer', 200, 'no_token', 'Google OAuth answered without access_token/expires_in.');
    return { token, expiresAt: Date.now() + expiresIn * 1000 };
  }

  async #post(step: GoogleAuthStep, url: string, init: { headers: Record<string, string>; body: string }): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', ...init });
    } catch (error) {
      throw new GoogleAuthError(step, 0, 'network', `Could not reach ${new URL(url).host} (${step}): ${(error as Error).message}`);
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // an error page: described below by status
    }
    if (!response.ok) throw describeFailure(step, response.status, body, this.#config, this.provider);
    return body;
  }
}

/** What went wrong at which step, and what the admin should check; Google's words kept. */
function describeFailure(step: GoogleAuthStep, status: number, body: Record<string, unknown>, config: GoogleKeylessConfig, provider: string): GoogleAuthError {
  const nested = body['error'];
  const code = typeof nested === 'string' ? nested : nested && typeof nested === 'object' ? String((nested as Record<string, unknown>)['status'] ?? status) : String(status);
  const said =
    typeof body['error_description'] === 'string'
      ? body['error_description']
      : nested && typeof nested === 'object' && typeof (nested as Record<string, unknown>)['message'] === 'string'
        ? String((nested as Record<string, unknown>)['message'])
        : `HTTP ${status}`;
  const hints: Record<GoogleAuthStep, string> = {
    'github-token': '',
    sts:
      code === 'unauthorized_client'
        ? `The provider's attribute condition refused this workflow's token: check that it names this repository (and environment).`
        : `Google STS refused the GitHub token for ${provider}: check the provider name, its issuer (https://token.actions.githubusercontent.com) and allowed audiences.`,
    generateAccessToken: `This workflow may not impersonate ${config.serviceAccount}: grant its principalSet roles/iam.workloadIdentityUser on the service account.`,
    signJwt: `This workflow may not sign JWTs as ${config.serviceAccount} (domain-wide delegation needs it): grant its principalSet roles/iam.serviceAccountTokenCreator on the service account.`,
    'jwt-bearer':
      code === 'unauthorized_client'
        ? `Domain-wide delegation is not set up for ${config.serviceAccount}: in the Admin console (Security → API controls → Domain-wide delegation) authorise its client ID for ${DIRECTORY_USER_SCOPE}.`
        : `Google refused to issue a token acting as ${config.adminSubject ?? '(no subject)'}: google-admin-subject must be an existing, active admin's primary email.`,
  };
  return new GoogleAuthError(step, status, code, `Google sign-in failed at ${step} (${status} ${code}: ${said}). ${hints[step]}`.trim());
}

// The OAuth 2.0 authorization code flow with PKCE, as a public client on a laptop uses it
// (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow): MSAL's
// InteractiveBrowserCredential listens on http://localhost:{random port}, opens the browser at
// GET {tenant}/oauth2/v2.0/authorize, the user signs in, Entra redirects the browser to the
// loopback listener with `code` and `state`, and the client redeems the code at the token endpoint
// (grant_type=authorization_code) with its code_verifier.
//
// The emulator has no sign-in page. Its "browser session" is already signed in (and the app
// consented), so /authorize answers at once: a redirect with a code for the session's user, or,
// when the session is set to decline, a redirect with error=access_denied (what Entra sends when
// the user cancels consent). The admin API sets the session (POST /_emulator/browser-sign-in).
// Errors Entra shows on its own page instead of redirecting (unknown app, unregistered redirect
// URI: the redirect target cannot be trusted) are a 400 page here too, and the client keeps waiting,
// as it does with Entra.
import { createHash, randomBytes } from 'node:crypto';
import { aadstsError } from './graph/errors.js';
import type { AadstsError } from './graph/errors.js';
import { nowInSeconds } from './jwt.js';

/** Who "is signed in" in the emulator's browser: a user who approves, or a user who declines. */
export type BrowserSession = { user: string; scopes?: readonly string[]; roles?: readonly string[] } | 'decline';

/** The app registration's redirect URIs (Mobile and desktop applications platform), as docs/setup.md registers them. */
export const REGISTERED_REDIRECT_URIS: readonly string[] = ['http://localhost'];

/** Entra's codes live "about 10 minutes" (Microsoft Q&A; RFC 6749 §4.1.2 recommends at most 10). */
export const AUTHORIZATION_CODE_LIFETIME_SECONDS = 600;

/** What the browser is told to do. */
export type AuthorizeOutcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'form_post'; action: string; fields: Record<string, string> }
  | { kind: 'page'; status: number; title: string; message: string };

/** A code redeemed successfully: whose session it is, and what was asked for. */
export interface RedeemedCode {
  clientId: string;
  grant: Exclude<BrowserSession, 'decline'>;
  scope: string;
  nonce?: string;
}

interface IssuedCode extends RedeemedCode {
  redirectUri: string;
  codeChallenge: string;
  expiresAt: number;
  used: boolean;
}

export interface AuthorizeContext {
  /** An error when the client id is not an app of this tenant. */
  unknownClient(clientId: string): AadstsError | undefined;
  /** An error when the resource scopes (OpenID scopes removed) are not Graph's. */
  checkScope(scope: string): AadstsError | undefined;
  /** Throws when the session's user is not in the tenant. */
  checkUser(grant: Exclude<BrowserSession, 'decline'>): void;
  session: BrowserSession;
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export class AuthorizationCodes {
  readonly #codes = new Map<string, IssuedCode>();
  readonly #now: () => number;

  constructor(now: () => number = nowInSeconds) {
    this.#now = now;
  }

  /** GET {tenant}/oauth2/v2.0/authorize with the browser's query. */
  authorize(query: URLSearchParams, context: AuthorizeContext): AuthorizeOutcome {
    const clientId = query.get('client_id') ?? '';
    const unknownClient = context.unknownClient(clientId);
    if (unknownClient) return errorPage(unknownClient);
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!isRegisteredRedirect(redirectUri)) {
      return errorPage(
        aadstsError(
          400,
          'invalid_request',
          50011,
          `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
        ),
      );
    }
    // From here on the redirect URI is trusted: errors go back to the client, as Entra sends them.
    const responseMode = query.get('response_mode') ?? 'query';
    if (!['query', 'fragment', 'form_post'].includes(responseMode)) {
      return errorPage(aadstsError(400, 'invalid_request', 900144, `The response_mode '${responseMode}' is not supported; use query, fragment or form_post.`));
    }
    const reply = (fields: Record<string, string>): AuthorizeOutcome => respond(redirectUri, responseMode, { ...fields, ...stateOf(query) });
    const replyError = (error: AadstsError): AuthorizeOutcome =>
      reply({ error: String(error.body['error']), error_description: String(error.body['error_description']), error_codes: String(error.body['error_codes']) });

    const responseType = query.get('response_type') ?? '';
    if (responseType !== 'code') {
      return replyError(aadstsError(400, 'unsupported_response_type', 70005, `response_type '${responseType}' is not enabled for the application; the emulator serves the authorization code flow (response_type=code).`));
    }
    const codeChallenge = query.get('code_challenge') ?? '';
    if (!codeChallenge) {
      return replyError(aadstsError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'code_challenge'. (The emulator requires PKCE from a public client.)"));
    }
    if ((query.get('code_challenge_method') ?? 'plain') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
      return replyError(aadstsError(400, 'invalid_request', 900144, 'The emulator accepts only code_challenge_method=S256 with a 43-character base64url challenge.'));
    }
    const scope = query.get('scope') ?? '';
    const scopeError = context.checkScope(withoutOidcScopes(scope));
    if (scopeError) return replyError(scopeError);

    const session = context.session;
    if (session === 'decline') {
      return replyError(aadstsError(400, 'access_denied', 65004, 'User declined to consent to access the app.'));
    }
    try {
      context.checkUser(session);
    } catch (error) {
      return errorPage(aadstsError(400, 'invalid_request', 50034, `The user account does not exist in the directory. (${(error as Error).message} Set the browser session with POST /_emulator/browser-sign-in.)`));
    }
    this.#forgetOld();
    const code = randomBytes(48).toString('base64url');
    const nonce = query.get('nonce');
    this.#codes.set(code, {
      clientId,
      grant: session,
      scope,
      ...(nonce ? { nonce } : {}),
      redirectUri,
      codeChallenge,
      expiresAt: this.#now() + AUTHORIZATION_CODE_LIFETIME_SECONDS,
      used: false,
    });
    return reply({ code });
  }

  /** The token endpoint's grant_type=authorization_code: single use, in time, same client and redirect URI, PKCE. */
  redeem(form: URLSearchParams): RedeemedCode | { error: AadstsError } {
    const issued = this.#codes.get(form.get('code') ?? '');
    if (!issued || (form.get('client_id') ?? '').toLowerCase() !== issued.clientId.toLowerCase()) {
      return { error: aadstsError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.') };
    }
    if (issued.used) {
      return { error: aadstsError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.') };
    }
    // Any attempt uses the code up: a stolen code cannot be tried with guessed verifiers.
    issued.used = true;
    if (issued.expiresAt < this.#now()) {
      return { error: aadstsError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.') };
    }
    if ((form.get('redirect_uri') ?? '') !== issued.redirectUri) {
      return { error: aadstsError(400, 'invalid_grant', 70000, 'The redirect_uri does not match the one of the authorization request.') };
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!verifier) return { error: aadstsError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'code_verifier'.") };
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge) {
      return { error: aadstsError(400, 'invalid_grant', 50148, 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.') };
    }
    return { clientId: issued.clientId, grant: issued.grant, scope: issued.scope, ...(issued.nonce ? { nonce: issued.nonce } : {}) };
  }

  #forgetOld(): void {
    const now = this.#now();
    for (const [code, issued] of this.#codes) if (issued.expiresAt + 3600 < now) this.#codes.delete(code);
  }
}

export function withoutOidcScopes(scope: string): string {
  return scope.split(' ').filter((item) => item && !OIDC_SCOPES.has(item)).join(' ');
}

/**
 * A registered redirect URI, with Entra's localhost exception: http is allowed and the port is
 * ignored (a native client listens on whatever port is free). Anything else must match exactly.
 */
export function isRegisteredRedirect(redirectUri: string): boolean {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return false;
  }
  return REGISTERED_REDIRECT_URIS.some((registered) => {
    const expected = new URL(registered);
    if (expected.hostname === 'localhost' && url.hostname === 'localhost') {
      return url.protocol === expected.protocol && url.pathname === expected.pathname && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    }
    return redirectUri === registered;
  });
}

function stateOf(query: URLSearchParams): Record<string, string> {
  const state = query.get('state');
  return state === null ? {} : { state };
}

function respond(redirectUri: string, responseMode: string, fields: Record<string, string>): AuthorizeOutcome {
  if (responseMode === 'form_post') return { kind: 'form_post', action: redirectUri, fields };
  // Entra returns a redirect URI without a path with a trailing slash (http://localhost:7071/?code=…).
  const location = new URL(redirectUri);
  const parameters = new URLSearchParams(fields).toString();
  if (responseMode === 'fragment') location.hash = parameters;
  else location.search = parameters;
  return { kind: 'redirect', location: location.toString() };
}

function errorPage(error: AadstsError): AuthorizeOutcome {
  const description = String(error.body['error_description']).split('\r\n')[0] ?? '';
  return { kind: 'page', status: error.status, title: 'Sorry, but we’re having trouble signing you in.', message: description };
}

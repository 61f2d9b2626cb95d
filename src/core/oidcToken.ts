/**
 * The job's GitHub OIDC token as both edges use it: requested once and reused while valid
 * (cachedAssertion), and read for the protected environment the job runs in (environmentClaim).
 */
import { readJwtClaims, stringClaim } from './jwtClaims.js';

/**
 * The GitHub OIDC token, requested once and reused while it is valid. Each sign-in asks for the
 * assertion twice (MSAL's acquireTokenByClientCredential and its token request each call the
 * callback), and the action reads the job's environment from it too: without the cache one run
 * made three requests to GitHub's token service before its first Graph call. A token is reused
 * until a minute before its `exp` (the GitHub OIDC token is a JWT by specification, and ours; the
 * access token Entra returns is never read); one without a readable `exp` for a minute at most.
 * A failed request is not remembered. Concurrent callers share one request.
 */
export function cachedAssertion(getAssertion: () => Promise<string>, now: () => number = Date.now): () => Promise<string> {
  let cached: { token: string; reuseUntil: number } | undefined;
  let pending: Promise<string> | undefined;
  const assertion = async (): Promise<string> => {
    if (cached && now() < cached.reuseUntil) return cached.token;
    pending ??= (async () => {
      try {
        const requestedAt = now();
        const token = await getAssertion();
        const exp = expiryOf(token);
        cached = { token, reuseUntil: exp !== undefined ? exp * 1000 - 60_000 : requestedAt + 60_000 };
        return token;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  CACHED.add(assertion);
  return assertion;
}

const CACHED = new WeakSet<() => Promise<string>>();

/** `getAssertion` itself when cachedAssertion made it (a caller shares it), else wrapped in one. */
export function ensureCachedAssertion(getAssertion: () => Promise<string>): () => Promise<string> {
  return CACHED.has(getAssertion) ? getAssertion : cachedAssertion(getAssertion);
}

function expiryOf(jwt: string): number | undefined {
  const exp = readJwtClaims(jwt)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
}

/** The `environment` claim of a GitHub OIDC token: the protected environment the job runs in. */
export function environmentClaim(jwt: string): string | undefined {
  return stringClaim(readJwtClaims(jwt), 'environment');
}

import { UserError } from '../core/errors.js';
import { isGuid } from '../core/guid.js';
import { readJwtClaims, stringClaim } from '../core/jwtClaims.js';
import { cloudEndpoints, connectTenant, createCredential, parseCloud, type TenantClient } from '../target/entra/index.js';
import { createUserCredential, type UserAuthKind } from '../target/entra/userAuth.js';

/** How to reach a tenant, from action inputs or CLI flags, checked once. */
export interface TenantSettings {
  tenantId: string;
  clientId: string;
  cloud: string;
  authorityHost?: string;
  graphUrl?: string;
}


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

function expiryOf(jwt: string): number | undefined {
  const exp = readJwtClaims(jwt)?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
}

/**
 * A TenantClient signed in with `getAssertion`'s GitHub OIDC token. Pass the callback already
 * wrapped in cachedAssertion when the caller reads the token too (the action's environment claim),
 * so both share one request; a bare callback is wrapped here.
 */
export function openTenant(settings: TenantSettings, getAssertion: () => Promise<string>): TenantClient {
  const endpoints = checkedEndpoints(settings);
  const assertion = CACHED.has(getAssertion) ? getAssertion : cachedAssertion(getAssertion);
  const credential = createCredential({ tenantId: settings.tenantId, clientId: settings.clientId, authorityHost: endpoints.authorityHost, getAssertion: assertion });
  return connectTenant({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope });
}

/**
 * A TenantClient signed in as an admin (delegated: Azure CLI, device code, browser; `auto` tries
 * the Azure CLI, then device code). `--cloud` and the authority/Graph overrides apply as for the
 * app; the client id may be empty for azure-cli (the token is the Azure CLI's own app's).
 */
export function openTenantAsUser(settings: TenantSettings, kind: UserAuthKind, say: (line: string) => void): TenantClient {
  const endpoints = checkedEndpoints(settings);
  const credential = createUserCredential({
    kind,
    tenantId: settings.tenantId,
    ...(settings.clientId ? { clientId: settings.clientId } : {}),
    authorityHost: endpoints.authorityHost,
    say,
  });
  return connectTenant({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope, delegated: true });
}

function checkedEndpoints(settings: TenantSettings): ReturnType<typeof cloudEndpoints> {
  if (!isGuid(settings.tenantId)) {
    throw new UserError('config', `tenant-id "${settings.tenantId}" is not a GUID. Copy the Directory (tenant) ID from the app registration's Overview page.`);
  }
  if (settings.clientId && !isGuid(settings.clientId)) {
    throw new UserError('config', `client-id "${settings.clientId}" is not a GUID. Copy the Application (client) ID from the app registration's Overview page.`);
  }
  return cloudEndpoints(parseCloud(settings.cloud), {
    ...(settings.authorityHost ? { authorityHost: settings.authorityHost } : {}),
    ...(settings.graphUrl ? { graphUrl: settings.graphUrl } : {}),
  });
}

/** The `environment` claim of a GitHub OIDC token: the protected environment the job runs in. */
export function environmentClaim(jwt: string): string | undefined {
  return stringClaim(readJwtClaims(jwt), 'environment');
}

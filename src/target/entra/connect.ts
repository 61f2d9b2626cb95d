/**
 * Opens a TenantClient from the action inputs or CLI flags (tenant-id, client-id, cloud and the
 * endpoint overrides), checked once: as the app (GitHub OIDC token as client assertion) or as an
 * admin (delegated sign-in, the CLI only).
 */
import { UserError } from '../../core/errors.js';
import { isGuid } from '../../core/guid.js';
import { ensureCachedAssertion } from '../../core/oidcToken.js';
import { createCredential } from './auth.js';
import { cloudEndpoints, parseCloud } from './clouds.js';
import { connectTenant, type TenantClient } from './graph.js';
import { createUserCredential, type UserAuthKind, type UserCredentialOptions } from './userAuth.js';

/** How to reach a tenant, from action inputs or CLI flags, checked once. */
export interface TenantSettings {
  tenantId: string;
  clientId: string;
  cloud: string;
  authorityHost?: string;
  graphUrl?: string;
}

/**
 * A TenantClient signed in with `getAssertion`'s GitHub OIDC token. Pass the callback already
 * wrapped in cachedAssertion when the caller reads the token too (the action's environment claim),
 * so both share one request; a bare callback is wrapped here.
 */
export function openTenant(settings: TenantSettings, getAssertion: () => Promise<string>): TenantClient {
  const endpoints = checkedEndpoints(settings);
  const credential = createCredential({ tenantId: settings.tenantId, clientId: settings.clientId, authorityHost: endpoints.authorityHost, getAssertion: ensureCachedAssertion(getAssertion) });
  return connectTenant({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope });
}

/**
 * A TenantClient signed in as an admin (delegated: Azure CLI, device code, browser; `auto` tries
 * the Azure CLI, then device code). `--cloud` and the authority/Graph overrides apply as for the
 * app; the client id may be empty for azure-cli (the token is the Azure CLI's own app's).
 */
export function openTenantAsUser(settings: TenantSettings, kind: UserAuthKind, say: (line: string) => void, whileWaiting?: UserCredentialOptions['whileWaiting']): TenantClient {
  const endpoints = checkedEndpoints(settings);
  const credential = createUserCredential({
    kind,
    tenantId: settings.tenantId,
    ...(settings.clientId ? { clientId: settings.clientId } : {}),
    authorityHost: endpoints.authorityHost,
    say,
    ...(whileWaiting ? { whileWaiting } : {}),
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

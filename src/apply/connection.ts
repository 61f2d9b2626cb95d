import { UserError } from '../core/errors.js';
import { cloudEndpoints, connectTenant, createCredential, parseCloud, type TenantClient } from '../tenant/index.js';

/** How to reach a tenant, from action inputs or CLI flags, checked once. */
export interface TenantSettings {
  tenantId: string;
  clientId: string;
  cloud: string;
  authorityHost?: string;
  graphUrl?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function openTenant(settings: TenantSettings, getAssertion: () => Promise<string>): TenantClient {
  if (!GUID.test(settings.tenantId)) {
    throw new UserError('config', `tenant-id "${settings.tenantId}" is not a GUID. Copy the Directory (tenant) ID from the app registration's Overview page.`);
  }
  if (!GUID.test(settings.clientId)) {
    throw new UserError('config', `client-id "${settings.clientId}" is not a GUID. Copy the Application (client) ID from the app registration's Overview page.`);
  }
  const endpoints = cloudEndpoints(parseCloud(settings.cloud), {
    ...(settings.authorityHost ? { authorityHost: settings.authorityHost } : {}),
    ...(settings.graphUrl ? { graphUrl: settings.graphUrl } : {}),
  });
  const credential = createCredential({ tenantId: settings.tenantId, clientId: settings.clientId, authorityHost: endpoints.authorityHost, getAssertion });
  return connectTenant({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope });
}

/** The `environment` claim of a GitHub OIDC token: the protected environment the job runs in. */
export function environmentClaim(jwt: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { environment?: unknown };
    return typeof claims.environment === 'string' && claims.environment ? claims.environment : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tenant options the tenant-facing CLI commands share (drift, export, import): flags first,
 * then the ENTRA_PHOTOS_* variables that `entra-photos emulator` prints.
 */
import { openTenant } from '../apply/connection.js';
import { UserError } from '../core/errors.js';
import type { UnknownUsers } from '../apply/apply.js';
import { DEFAULT_OIDC_AUDIENCE, githubOidcFromEnv, type TenantClient } from '../tenant/index.js';

export const TENANT_OPTIONS = {
  'tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  cloud: { type: 'string' },
  'authority-host': { type: 'string' },
  'graph-url': { type: 'string' },
  audience: { type: 'string' },
} as const;

export interface TenantArgs {
  'tenant-id'?: string | undefined;
  'client-id'?: string | undefined;
  cloud?: string | undefined;
  'authority-host'?: string | undefined;
  'graph-url'?: string | undefined;
  audience?: string | undefined;
}

export function tenantFromArgs(command: string, values: TenantArgs, env: NodeJS.ProcessEnv = process.env): TenantClient {
  const tenantId = values['tenant-id'] ?? env.ENTRA_PHOTOS_TENANT_ID ?? '';
  const clientId = values['client-id'] ?? env.ENTRA_PHOTOS_CLIENT_ID ?? '';
  if (!tenantId || !clientId) {
    throw new UserError('usage', `${command} needs --tenant-id and --client-id (or ENTRA_PHOTOS_TENANT_ID and ENTRA_PHOTOS_CLIENT_ID; "entra-photos emulator" prints them for the local tenant).`);
  }
  const authorityHost = values['authority-host'] ?? env.ENTRA_PHOTOS_AUTHORITY_HOST;
  const graphUrl = values['graph-url'] ?? env.ENTRA_PHOTOS_GRAPH_URL;
  return openTenant(
    { tenantId, clientId, cloud: values.cloud ?? env.ENTRA_PHOTOS_CLOUD ?? 'global', ...(authorityHost ? { authorityHost } : {}), ...(graphUrl ? { graphUrl } : {}) },
    githubOidcFromEnv(env, values.audience ?? DEFAULT_OIDC_AUDIENCE),
  );
}

/** `--unknown-users pending|fail` (default pending: see ApplyOptions.unknownUsers). */
export function readUnknownUsers(value: string | undefined): UnknownUsers {
  if (value === undefined) return 'pending';
  const choice = value.trim().toLowerCase();
  if (choice === 'pending' || choice === 'fail') return choice;
  throw new UserError('usage', `--unknown-users is "${value}"; write pending (wait for the account, the default) or fail.`);
}

/** SIGINT/SIGTERM → abort: nothing new starts, in-flight requests finish, progress is kept. */
export function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return work(controller.signal).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
}

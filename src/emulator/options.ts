// What a caller can configure, and the defaults that make a useful tenant out of nothing.
import type { FaultRule } from './faults.js';
import type { GoogleEmulatorOptions } from './google/options.js';

export const DEFAULT_TENANT_ID = '8c5b2b3e-1f0a-4d7c-9b6e-2a4f1e3d5c70';
export const DEFAULT_CLIENT_ID = '3f9a6c2d-7e41-4b58-a0d3-6c2e9f1b4a87';
export const DEFAULT_SERVICE_PRINCIPAL_ID = 'b7e4d1a2-5c3f-4e69-8a0b-9d2c7f6e1a35';
export const DEFAULT_REPOSITORY = 'contoso/photos';
/** GitHub's audience for Entra workload identity federation. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export const DEFAULT_APP_PERMISSIONS: readonly string[] = Object.freeze([
  'ProfilePhoto.ReadWrite.All',
  'PeopleSettings.ReadWrite.All',
  'RoleManagement.Read.Directory',
  'User.Read.All',
]);

/**
 * Directory roles the emulated tenant knows by name (for role assignments it reports). Kept apart
 * from the client's table (src/manifest/roles.ts) on purpose: the emulator plays the service, so a
 * client that misreads the role list is not confirmed by an emulator that imports its reading.
 */
export const PHOTO_ROLE_TEMPLATE_IDS = Object.freeze({
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  peopleAdministrator: '024906de-61e5-49c8-8572-40335f1e0e10',
  directoryWriters: '9360feb5-f418-4baa-8175-e2a00bac4301',
  intuneAdministrator: '3a2c62db-5318-420d-8d74-23affee5d9d5',
  partnerTier1Support: '4ba39ca4-527c-499a-b93d-d9b492c50246',
  partnerTier2Support: 'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8',
});

export const ROLE_DISPLAY_NAMES: Readonly<Record<string, string>> = Object.freeze({
  [PHOTO_ROLE_TEMPLATE_IDS.globalAdministrator]: 'Global Administrator',
  [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator]: 'User Administrator',
  [PHOTO_ROLE_TEMPLATE_IDS.peopleAdministrator]: 'People Administrator',
  [PHOTO_ROLE_TEMPLATE_IDS.directoryWriters]: 'Directory Writers',
  [PHOTO_ROLE_TEMPLATE_IDS.intuneAdministrator]: 'Intune Administrator',
  [PHOTO_ROLE_TEMPLATE_IDS.partnerTier1Support]: 'Partner Tier1 Support',
  [PHOTO_ROLE_TEMPLATE_IDS.partnerTier2Support]: 'Partner Tier2 Support',
});

export interface EmulatorUserSeed {
  /** Object id; derived from the UPN when omitted. */
  id?: string;
  userPrincipalName: string;
  mail?: string | null;
  employeeId?: string | null;
  displayName?: string;
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
  accountEnabled?: boolean;
}

/** A group: members by object id or userPrincipalName (users only). */
export interface EmulatorGroupSeed {
  /** Object id; derived from the display name when omitted. */
  id?: string;
  displayName: string;
  members: readonly string[];
  /** A Microsoft 365 group (groupTypes ["Unified"], mail-enabled; a team is one); default a security group. */
  unified?: boolean;
  /** SMTP address; default none (a security group without mail). */
  mail?: string;
  /** Mail alias; default derived from the display name. */
  mailNickname?: string;
}

/**
 * How an app-only token's group photo writes (PUT/PATCH/DELETE /groups/{id}/photo/$value) are answered:
 *  - 'allowed' (default): with ProfilePhoto.ReadWrite.All or Group.ReadWrite.All, as Microsoft's
 *    "Update profilePhoto" page lists application permissions for a group's photo today;
 *  - 'refused': 403 AppOnlyTokenNotSupportedForGroupUpdate, as Graph answered app-only group photo
 *    writes before (and the page said "Not supported" for applications).
 */
export type GroupPhotoAppOnly = 'allowed' | 'refused';

/** A federated identity credential on the app registration (Entra matches all three exactly). */
export interface FederatedCredential {
  name?: string;
  issuer: string;
  subject: string;
  audiences?: string[];
}

/** The GitHub Actions job an OIDC token describes. */
export type WorkflowContext =
  | {
      kind: 'push';
      repository?: string;
      /** Default refs/heads/main. */
      ref?: string;
      /** The job's GitHub environment; absent means the job has none. */
      environment?: string;
      sha?: string;
      actor?: string;
    }
  | {
      kind: 'pull_request';
      repository?: string;
      /** Default 1. */
      number?: number;
      headRef?: string;
      baseRef?: string;
      /** A PR job may reference an environment too; its subject is then the environment one. */
      environment?: string;
      sha?: string;
      actor?: string;
    }
  /** Exact claims (merged over iss/iat/nbf/exp/jti defaults), e.g. to forge a wrong issuer. */
  | { claims: Record<string, unknown> };

export const DEFAULT_WORKFLOW_CONTEXT: WorkflowContext = Object.freeze({
  kind: 'push',
  repository: DEFAULT_REPOSITORY,
  ref: 'refs/heads/main',
  environment: 'production',
});

export interface LatencyConfig {
  /** Typical added delay per request. */
  medianMs: number;
  /** Uniform jitter: each delay is drawn from [median - spread, median + spread], floored at 0. */
  spreadMs: number;
}

/**
 * How the emulated tenant throttles photo writes (src/emulator/throttle.ts; each shape says there
 * whether Microsoft documents it or it is our stress shape, and whether refused requests count):
 * - 'token-bucket' (default): burst + refill per app+tenant, Graph's identity write limit;
 * - 'fixed-window': `windowRequests` per `windowSeconds`, Retry-After = the rest of the window;
 * - 'mailbox': `mailboxConcurrent` requests in flight per target user (Outlook's documented
 *   per-mailbox limit) on top of the token bucket across all users;
 * - 'storm': every request refused for `stormSeconds` (Retry-After `stormRetryAfterSeconds`),
 *   then no limit.
 * No throttling at all is `throttle: false` (or `null` through the admin API).
 */
export type ThrottleShape = 'token-bucket' | 'fixed-window' | 'mailbox' | 'storm';

export interface ThrottleConfig {
  /** Default 'token-bucket'. */
  shape?: ThrottleShape;
  /**
   * Whether successful responses carry x-ms-throttle-limit-percentage once 80% of the bucket is
   * used (documented for the identity limits only). Default: true for 'token-bucket', false for
   * the other shapes.
   */
  earlyWarning?: boolean;
  /** 'fixed-window': requests allowed per window (default 100). */
  windowRequests?: number;
  /** 'fixed-window': window length in seconds (default 1); windows start at the first write. */
  windowSeconds?: number;
  /** 'mailbox': requests in flight per target user (default 4, as Outlook documents). */
  mailboxConcurrent?: number;
  /** 'mailbox': how long a request counts as in flight at its mailbox (default 100 ms). */
  mailboxHoldMs?: number;
  /** 'storm': how long every request is refused, from the first write (default 3 s). */
  stormSeconds?: number;
  /** 'storm': the Retry-After sent during the storm (default 1 s). */
  stormRetryAfterSeconds?: number;
  /** Bucket capacity: requests allowed back to back from a full bucket. */
  burst: number;
  /** Tokens added per second (sustained rate). */
  refillPerSecond: number;
  /**
   * Whether a rejected request still takes a token (the bucket goes into debt, down to -burst),
   * as Graph keeps counting usage while a client is throttled.
   */
  countRejected: boolean;
  /** Concurrent Graph requests per app+tenant beyond which requests get 429 at once; 0 = no cap. */
  maxConcurrent: number;
  /** Which requests draw from the bucket: identity writes only (Graph's write limit) or all. */
  appliesTo: 'writes' | 'all';
}

/** Graph's identity write limit: about 3,000 writes per 150 s per app+tenant. */
export const DEFAULT_THROTTLE: ThrottleConfig = Object.freeze({
  burst: 3000,
  refillPerSecond: 20,
  countRejected: true,
  maxConcurrent: 0,
  appliesTo: 'writes',
});

/**
 * What Entra puts in `access_token`: a JWT the emulator's Graph verifies by signature ('jwt',
 * the default, the v1 shape Graph tokens have today), or a random string with no structure at all
 * ('opaque') that only the emulator can map back to its claims. Microsoft: "access tokens must be
 * treated as opaque strings … Tokens that a Microsoft API receives might not always be a JWT that
 * can be decoded" (learn.microsoft.com/entra/identity-platform/access-tokens). 'opaque' proves a
 * client never reads its token.
 */
export type AccessTokenFormat = 'jwt' | 'opaque';

/**
 * How `GET /users/{id}/photo` (metadata) answers for a user without a photo.
 *  - 'placeholder' (default): 200 with a 1x1 `image/gif` placeholder and an empty
 *    `@odata.mediaEtag`, the response Microsoft's "Get profilePhoto" page shows for a user
 *    without a photo (learn.microsoft.com/graph/api/profilephoto-get, example 3).
 *  - 'notFound': 404 `ImageNotFound`, as some tenants answer (reported, not documented for the
 *    metadata; documented only for `…/photo/$value`).
 */
export type NoPhotoMetadata = 'placeholder' | 'notFound';

export interface PhotoUpdateSettings {
  source: 'cloud' | 'onPremises' | null;
  allowedRoles: string[];
}

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  tenantId?: string;
  clientId?: string;
  /** Object id of the app's service principal (also the access token's oid). */
  servicePrincipalId?: string;
  /** Seed directory; default DEFAULT_USERS. */
  users?: readonly EmulatorUserSeed[];
  /** Groups (GET /groups, /groups/{id}/members, /transitiveMembers); default DEFAULT_GROUPS. */
  groups?: readonly EmulatorGroupSeed[];
  /** Graph application permissions (app roles) granted to the app; they appear in the token. */
  appPermissions?: readonly string[];
  /** Directory role template ids assigned to the app's service principal; default none. */
  directoryRoles?: readonly string[];
  /** Default: the emulator's issuer with subjects for environment:production and ref:refs/heads/main. */
  federatedCredentials?: readonly FederatedCredential[];
  /** The job behind the default ACTIONS_ID_TOKEN_REQUEST_TOKEN; default a push to main in production. */
  oidc?: WorkflowContext;
  /** Default none. */
  latency?: LatencyConfig;
  /** Default DEFAULT_THROTTLE (Graph's identity write limit); false disables throttling. */
  throttle?: Partial<ThrottleConfig> | false;
  faults?: readonly FaultRule[];
  /** Initial photoUpdateSettings; default { source: null, allowedRoles: [] }. */
  policy?: PhotoUpdateSettings;
  /** Access tokens as JWTs (default) or opaque strings; also settable at run time (admin config). */
  accessTokenFormat?: AccessTokenFormat;
  /** GET /users/{id}/photo for a user without a photo: 'placeholder' (default, as documented) or 'notFound'. */
  noPhotoMetadata?: NoPhotoMetadata;
  /** App-only group photo writes: 'allowed' (default, as documented today) or 'refused' (AppOnlyTokenNotSupportedForGroupUpdate). */
  groupPhotoAppOnly?: GroupPhotoAppOnly;
  /** Where ca.pem/ca-key.pem live; default a fresh temp dir removed on stop. A given dir is kept and its CA reused. */
  stateDir?: string;
  /** Seed for latency jitter and probabilistic faults; default 1. */
  seed?: number;
  /** Most recent requests kept in the log; default 100,000. */
  requestLogLimit?: number;
  /** Google Cloud (workload identity, service account) and Workspace (Directory users, photos): docs/emulator.md, "Google". */
  google?: GoogleEmulatorOptions;
}

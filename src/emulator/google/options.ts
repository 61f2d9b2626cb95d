// What a caller can configure about the emulated Google Cloud project and Google Workspace
// domain, and the defaults that make them work with the emulator's GitHub OIDC issuer out of the
// box: one workload identity pool and provider trusting the emulator's GitHub issuer, one service
// account the repository may impersonate, holding a Workspace admin role, and the sample school's
// users. Behaviours and their sources: docs/emulator.md, "Google".
import type { FaultRule } from '../faults.js';

export const GOOGLE_PATH = '/_google';
export const DIRECTORY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user';
export const DIRECTORY_READONLY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export const DEFAULT_GOOGLE_PROJECT_NUMBER = '314159265358';
export const DEFAULT_GOOGLE_POOL = 'github';
export const DEFAULT_GOOGLE_PROVIDER = 'contoso-photos';
export const DEFAULT_GOOGLE_SERVICE_ACCOUNT = 'entra-photos@contoso-photos.iam.gserviceaccount.com';
/** The service account's unique id: the "client ID" an admin authorises for domain-wide delegation. */
export const DEFAULT_GOOGLE_SERVICE_ACCOUNT_ID = '104857600000000000001';
export const DEFAULT_GOOGLE_CUSTOMER_ID = 'C03az79cb';
export const DEFAULT_GOOGLE_ADMIN = 'margaret.hamilton@contoso.edu';

/** One entry of a user's `externalIds` (Admin console's "Employee ID" is type `organization`). */
export interface GoogleExternalId {
  value: string;
  type: 'account' | 'custom' | 'customer' | 'login_id' | 'network' | 'organization';
  customType?: string;
}

export interface GoogleUserSeed {
  primaryEmail: string;
  /** Google's numeric user id; derived from the primary email when omitted. */
  id?: string;
  givenName?: string;
  familyName?: string;
  aliases?: string[];
  /** Addresses Google made for the user (a domain alias's addresses), listed apart from `aliases`. */
  nonEditableAliases?: string[];
  externalIds?: GoogleExternalId[];
  /** Super admin: may act for the domain when a domain-wide delegated token names them. */
  isAdmin?: boolean;
  suspended?: boolean;
}

/** An IAM policy binding on the service account (roles/iam.workloadIdentityUser, …TokenCreator). */
export interface GoogleIamBinding {
  role: string;
  /** principal://…/subject/SUB, principalSet://…/attribute.NAME/VALUE, principalSet://…/*. */
  members: string[];
}

/** A client id an admin authorised in Admin console → Security → API controls → Domain-wide delegation. */
export interface GoogleDelegationGrant {
  clientId: string;
  scopes: string[];
}

/**
 * The Directory API's per-minute quota, counted per caller (the service account, or the admin a
 * delegated token names), in fixed windows. Over it: `403 userRateLimitExceeded` (default, the
 * per-user limit) or `429 rateLimitExceeded`.
 */
export interface GoogleQuotaConfig {
  /** Requests per window per caller; Google's default is 2,400 per minute. */
  perMinutePerUser: number;
  /** Window length; 60 as documented, shorter in tests. */
  windowSeconds?: number;
  /**
   * How the minute is counted (Google documents the limit per minute, not where a minute starts):
   * 'first-request' (default, our choice): fixed windows back to back from the caller's first
   * request; 'clock': fixed windows aligned to the clock (multiples of the window since the epoch:
   * the first one is cut short where the caller's first request falls mid-window); 'sliding': at
   * most the quota admitted in any window's length (a request is admitted while fewer than the
   * quota were admitted in the window before it; refusals are not counted). Tests configure the
   * alternatives.
   */
  windowAlignment?: GoogleQuotaWindowAlignment;
  answer?: 'userRateLimitExceeded' | 'rateLimitExceeded';
  /** Requests in flight per caller beyond which `403 quotaExceeded` answers; 0 or absent = no cap. */
  maxConcurrentPerUser?: number;
}

export type GoogleQuotaWindowAlignment = 'first-request' | 'clock' | 'sliding';

/**
 * What an admin update does to a photo the user set themselves:
 *  - 'kept' (default): the update is answered 200 but the user's photo stays (reported by GAM's
 *    maintainers, who delete first); a delete removes it, and the next update lands.
 *  - 'replaced': the update replaces it.
 */
export type UserPhotoOnUpdate = 'kept' | 'replaced';

export interface GoogleEmulatorOptions {
  projectNumber?: string;
  pool?: string;
  provider?: string;
  /** Audiences the provider accepts in the GitHub token; default its https://iam.googleapis.com/… name. */
  allowedAudiences?: string[];
  /**
   * The provider's attribute condition, a subset of CEL: clauses `assertion.CLAIM == 'value'`
   * joined by `&&`. Default: the emulator's default repository. null: no condition.
   */
  attributeCondition?: string | null;
  serviceAccount?: string;
  serviceAccountId?: string;
  /** IAM bindings on the service account; default: the repository may impersonate it and sign JWTs. */
  bindings?: GoogleIamBinding[];
  /** Whether the service account holds a Workspace admin role (Admin console → Account → Admin roles). */
  serviceAccountIsAdmin?: boolean;
  /** Domain-wide delegation grants; default the service account's client id for the Directory user scope. */
  domainWideDelegation?: GoogleDelegationGrant[];
  customerId?: string;
  /** Default: the sample school's users (the emulator's default Entra users), employee ids as externalIds. */
  users?: GoogleUserSeed[];
  /** Default 2,400 per minute per caller, answered 403 userRateLimitExceeded; false: no quota. */
  quota?: GoogleQuotaConfig | false;
  /** Default 'kept' (as reported). */
  userPhotoOnUpdate?: UserPhotoOnUpdate;
  /** Faults for Directory API requests (paths as Google sees them: /admin/directory/v1/…). */
  faults?: FaultRule[];
}

export const DEFAULT_GOOGLE_QUOTA: GoogleQuotaConfig = Object.freeze({
  perMinutePerUser: 2400,
  windowSeconds: 60,
  windowAlignment: 'first-request',
  answer: 'userRateLimitExceeded',
  maxConcurrentPerUser: 0,
});

/** projects/N/locations/global/workloadIdentityPools/P/providers/X */
export function providerResourceName(projectNumber: string, pool: string, provider: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/providers/${provider}`;
}

/** The pool's principal-set prefix, as IAM bindings name federated identities. */
export function poolPrincipalPrefix(projectNumber: string, pool: string): string {
  return `iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}`;
}

/**
 * The photo target port: what the core (apply, drift's fix, export, import) asks of a directory
 * service that holds profile photos. Microsoft Entra ID is the first target (src/target/entra/);
 * Google Workspace is the next. The core is typed against this interface only, so a target's
 * HTTP, auth, error codes and permission names stay inside its own folder.
 *
 * Conventions every target keeps:
 *   - Writes and downloads (putPhoto, deletePhoto, downloadPhoto) make exactly ONE attempt: the
 *     caller runs many of them through a pacer, which owns retries, Retry-After and concurrency
 *     for the whole run (see `classifyFailure`). Everything else (lookups, listings, presence)
 *     is occasional and retries transient failures itself.
 *   - Subjects are named by manifest keys (UserKey) and resolved to the target's own id; the
 *     resolutions are keyed by UserKey.canonical.
 *   - A subject is a user, or a group (a manifest's `groups:`, key kind `group`; a team's photo
 *     is its group's). The id a target gives a subject is opaque to the core and must tell the
 *     target which of the two it is (Entra: `group:<object id>` for a group). A target without
 *     group photos (Google) resolves a group key to `failed` with the reason, and never writes.
 */
import type { UserKey } from '../manifest/userKey.js';

/** What a target stores and accepts: the normalised photo must fit it. */
export interface PhotoSpec {
  /** The side (px) of the square photo sent: the largest size the target serves. */
  side: number;
  /** Below this side the target refuses a photo, or it is not recognisable once upscaled. */
  minSide: number;
  /** The largest body a write accepts (bytes). */
  maxBytes: number;
  /** Media types a write accepts; the core sends the first. */
  formats: readonly string[];
}

/** A key that names a subject of the target. */
export interface ResolvedSubject {
  /** The target's own id of the subject (Entra: a user's object id; `group:<object id>` for a group). Opaque to the core. */
  id: string;
  /** The subject's sign-in name (Entra: userPrincipalName; Google: primary email). */
  userPrincipalName: string;
  displayName?: string;
  /** Other properties a manifest key can match the subject by (same-subject detection). */
  mail?: string;
  employeeId?: string;
  /** How the key matched. */
  matchedBy: 'objectId' | 'upn' | 'mail' | 'employeeId';
  /** False for a disabled account; undefined when the directory did not say. */
  accountEnabled?: boolean;
  /** `group` for a group (or team); absent or `user` for a user. */
  kind?: 'user' | 'group';
}

/** A key that names nobody: `not-found` (not created yet, or deleted), `ambiguous`, or the lookup `failed`. */
export interface UnresolvedSubject {
  notFound: true;
  problem: 'not-found' | 'ambiguous' | 'failed';
  reason: string;
}

export type SubjectResolution = ResolvedSubject | UnresolvedSubject;

export function isResolvedSubject(resolution: SubjectResolution | undefined): resolution is ResolvedSubject {
  return resolution !== undefined && !('notFound' in resolution);
}

export interface ResolveSubjectsOptions {
  signal?: AbortSignal;
  /** Told the answers of each batch as it lands, so a caller can start before every key is looked up. */
  onResolved?: (answers: ReadonlyMap<string, SubjectResolution>) => void;
}

/** A subject as listed from the directory (export, import matching). */
export interface DirectorySubject {
  /** The subject id (a group's: `group:<object id>` for Entra). */
  id: string;
  userPrincipalName: string;
  mail: string | null;
  employeeId: string | null;
  displayName: string | null;
  accountEnabled: boolean | null;
  /** Set for a group (listed with `kind: 'groups'`): its mail alias. */
  mailNickname?: string | null;
  kind?: 'user' | 'group';
}

export interface ListSubjectsOptions {
  /** Only the members of this group (the target's id or exact display name). */
  group?: string;
  /** `groups`: list the groups that can hold a photo (Entra: Microsoft 365 groups, so teams) instead of users. */
  kind?: 'users' | 'groups';
  signal?: AbortSignal;
}

/** A subject deleted but still restorable (Entra's recycle bin), named by a manifest key. */
export interface DeletedSubject {
  id: string;
  userPrincipalName: string;
  deletedDateTime?: string;
}

/**
 * How a failed call should be handled:
 *   throttled — the target asks the client to slow down (wait `retryAfterSeconds` when given);
 *   transient — worth another attempt after a backoff (5xx, network);
 *   refused-by-policy — the directory's own rule refuses photo writes by this caller for every
 *     subject (Entra: 403 ForbiddenByAdminEditPolicy): stop writing, say why once;
 *   forbidden — this caller lacks a permission (`delegated`: an admin signed in, so it is about
 *     the admin's role or consent, not the app's permissions);
 *   fatal — anything else: this call failed for good.
 */
export type TargetFailure =
  | { kind: 'throttled'; retryAfterSeconds: number | undefined }
  | { kind: 'transient'; retryAfterSeconds: number | undefined }
  | { kind: 'refused-by-policy'; requestId: string | undefined }
  | { kind: 'forbidden'; delegated: boolean }
  | { kind: 'fatal' };

/** A photo update policy as the core compares it (Entra's photoUpdateSettings shape). */
export interface TargetPolicy {
  source: 'cloud' | 'onPremises' | null;
  /** Role template ids, lower case. */
  allowedRoles: string[];
}

/** A change to the policy: only the fields given are sent; absent or null leaves the field as it is. */
export interface TargetPolicyChange {
  source?: 'cloud' | 'onPremises' | null | undefined;
  allowedRoles?: readonly string[] | null | undefined;
}

/**
 * The optional policy extension: a target whose directory has a tenant-wide photo update policy
 * (Entra does; Google has none). A manifest's `policy:` is refused for a target without one.
 */
export interface PhotoPolicyExtension {
  read(): Promise<TargetPolicy>;
  change(change: TargetPolicyChange): Promise<TargetPolicy>;
  /** The role template ids this caller holds (for the lockout guard); throws when unknown. */
  callerRoles(): Promise<string[]>;
  /** The message for a policy that could not be read, naming what to grant (`declaredAt`: file:line of `policy:`). */
  describeReadFailure(error: unknown, declaredAt: string): string;
  /** Why the policy could not be read, in a few words, for the message of writes the policy refused. */
  whyUnreadable(error: unknown): string;
}

export interface PhotoTarget {
  /** Short, stable name: used in messages and (later) in the records kept in git. */
  readonly id: string;
  readonly spec: PhotoSpec;
  /** `delegated`: an admin signed in (a laptop), whose own roles decide; `app`: the app itself. */
  readonly signIn: 'app' | 'delegated';

  /** Manifest keys → subjects, keyed by UserKey.canonical, looked up in batches. */
  resolveSubjects(keys: readonly UserKey[], options?: ResolveSubjectsOptions): Promise<Map<string, SubjectResolution>>;
  /** Which subjects hold any photo (by subject id); ids left out are unknown (the caller downloads them). */
  photoPresence(subjectIds: readonly string[], options?: { signal?: AbortSignal }): Promise<Map<string, boolean>>;

  /** One attempt: store this photo (already normalised to `spec`). */
  putPhoto(subjectId: string, photo: Buffer, signal?: AbortSignal): Promise<void>;
  /** One attempt: remove the photo; a subject without one is done, not an error. */
  deletePhoto(subjectId: string, signal?: AbortSignal): Promise<void>;
  /** One attempt: the largest photo stored, or null when the subject has none. */
  downloadPhoto(subjectId: string, signal?: AbortSignal): Promise<Buffer | null>;

  /** Every subject (or a group's members), page by page (export; import's matching). */
  listSubjects(options?: ListSubjectsOptions): AsyncIterable<DirectorySubject[]>;
  /** Which keys name a deleted but restorable subject (a better message than "not found"). */
  findDeletedSubjects?(keys: readonly UserKey[], options?: { signal?: AbortSignal }): Promise<Map<string, DeletedSubject>>;

  classifyFailure(error: unknown): TargetFailure;
  readonly policy?: PhotoPolicyExtension;
}

/** Every subject at once (import's matching index). */
export async function listAllSubjects(target: PhotoTarget, options: ListSubjectsOptions = {}): Promise<DirectorySubject[]> {
  const all: DirectorySubject[] = [];
  for await (const page of target.listSubjects(options)) all.push(...page);
  return all;
}

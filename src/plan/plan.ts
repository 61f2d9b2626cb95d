import type { DesiredPolicy, DesiredState } from '../desired/desired.js';
import type { SourceRef } from '../manifest/types.js';
import type { UserKey } from '../manifest/userKey.js';
import type { NormaliseSettings } from '../photo/index.js';

export type UploadReason = 'new' | 'replaced';

export interface PlannedUpload {
  key: UserKey;
  /** The head manifest's `name:` (display only). */
  name?: string;
  photo: string;
  reason: UploadReason;
  /** The photo the user had in the base, for "replaced". */
  previousPhoto?: string;
  fingerprint: string;
  /** How the photo is normalised for upload (part of the fingerprint). */
  settings: NormaliseSettings;
  declaredAt: SourceRef;
}

export interface PlannedRemoval {
  key: UserKey;
  /** The base manifest's `name:` (display only). */
  name?: string;
  /** The photo the base declared. */
  photo: string;
}

export interface PolicyChange {
  from: DesiredPolicy | null;
  to: DesiredPolicy;
}

/** diff(desired(base), desired(head)): exactly what apply will do, and nothing it will not. */
export interface Plan {
  base: string | null;
  head: string;
  uploads: PlannedUpload[];
  removals: PlannedRemoval[];
  /** Removals are always shown; they are executed only with prune. */
  prune: boolean;
  policy: PolicyChange | null;
  unchanged: number;
}

export function diffDesired(base: DesiredState | undefined, head: DesiredState, options: { prune?: boolean } = {}): Plan {
  const uploads: PlannedUpload[] = [];
  const removals: PlannedRemoval[] = [];
  let unchanged = 0;
  for (const [canonical, want] of head.users) {
    const had = base?.users.get(canonical);
    if (had && had.fingerprint === want.fingerprint) {
      unchanged++;
      continue;
    }
    uploads.push({
      key: want.key,
      ...(want.name ? { name: want.name } : {}),
      photo: want.photoPath,
      reason: had ? 'replaced' : 'new',
      ...(had ? { previousPhoto: had.photoPath } : {}),
      fingerprint: want.fingerprint,
      settings: want.settings,
      declaredAt: want.declaredAt,
    });
  }
  for (const [canonical, had] of base?.users ?? []) {
    if (!head.users.has(canonical)) removals.push({ key: had.key, ...(had.name ? { name: had.name } : {}), photo: had.photoPath });
  }
  return {
    base: base?.label ?? null,
    head: head.label,
    uploads: uploads.sort(byUser),
    removals: removals.sort(byUser),
    prune: options.prune ?? false,
    policy: policyChange(base?.policy, head.policy),
    unchanged,
  };
}

/**
 * A policy is managed only while a manifest declares it: removing the declaration stops
 * managing it (no tenant change), it does not reset the tenant.
 */
function policyChange(from: DesiredPolicy | undefined, to: DesiredPolicy | undefined): PolicyChange | null {
  if (!to) return null;
  if (from && from.source === to.source && sameList(from.allowedRoles, to.allowedRoles)) return null;
  return { from: from ?? null, to };
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function byUser(a: { key: UserKey }, b: { key: UserKey }): number {
  return a.key.canonical < b.key.canonical ? -1 : a.key.canonical > b.key.canonical ? 1 : 0;
}


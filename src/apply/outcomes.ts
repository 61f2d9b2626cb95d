/**
 * The outcome of each change: how a failure, a key without an account, a same-user conflict, a
 * held or kept removal is told to the reports. Pure functions of what apply learnt (explainDeleted
 * asks the target once, best effort).
 */
import { printable } from '../core/untrusted.js';
import type { SameSubjectConflict, SubjectEntries } from '../desired/desired.js';
import { describeKey, type UserKey } from '../manifest/userKey.js';
import type { Plan } from '../plan/plan.js';
import { attemptsOf, PacerCancelledError } from '../pacing/index.js';
import { isResolvedSubject as isResolved, type DeletedSubject, type PhotoTarget, type SubjectResolution as UserResolution } from '../target/index.js';
import type { PendingEntry } from './ledger.js';
import type { ApplyOptions, OutcomeStatus, UnknownUsers, UserOutcome } from './types.js';

export type Upload = Plan['uploads'][number];
export type Removal = Plan['removals'][number];
/** Outcomes of changes never sent: not counted as done in the progress lines. */
export const NOT_SENT: ReadonlySet<OutcomeStatus> = new Set(['cancelled', 'not-attempted']);

export function notAttempted(key: UserKey, action: 'upload' | 'remove', photo: string): UserOutcome {
  return { key, action, status: 'not-attempted', photo, reason: "Not attempted: photo writes stopped when the tenant's photo update policy refused them." };
}

export function failure(key: UserKey, action: 'upload' | 'remove', photo: string, err: unknown): UserOutcome {
  const attempts = attemptsOf(err);
  if (err instanceof PacerCancelledError) return { key, action, status: 'cancelled', photo, reason: err.message };
  return { key, action, status: 'failed', photo, reason: (err as Error).message ?? String(err), ...(attempts ? { attempts } : {}) };
}

export function resolutionOutcome(key: UserKey, action: 'upload' | 'remove', resolution: UserResolution | undefined, okStatus: OutcomeStatus, photo: string): UserOutcome {
  if (isResolved(resolution)) return { key, action, status: okStatus, photo };
  return { key, action, status: 'failed', photo, reason: resolution?.reason ?? `${describeKey(key)} was not looked up.` };
}

/**
 * The outcome of an upload whose key resolves to nobody (not created yet, or deleted: Entra keeps
 * a deleted user 30 days in its recycle bin, outside /users) or to a disabled account: waiting
 * (`pending`), or failed under unknownUsers `fail`. Undefined for other unresolved keys (ambiguous,
 * lookup failed): they fail as before.
 */
export function noAccountOutcome(upload: Upload, resolution: UserResolution | undefined, ctx: { unknownUsers: UnknownUsers; waitingSince: ReadonlyMap<string, PendingEntry> }): UserOutcome | undefined {
  const disabled = isResolved(resolution);
  if (!disabled && resolution?.problem !== 'not-found') return undefined;
  const where = `${printable(upload.declaredAt.file)}:${upload.declaredAt.line}`;
  const what = disabled
    ? `${describeKey(upload.key)} is a disabled account (${printable(resolution.userPrincipalName)}): sign-in is blocked, so it gets no photo yet.`
    : `${resolution!.reason} It may not be created yet, or was deleted.`;
  const pending = ctx.unknownUsers === 'pending';
  const todo = disabled
    ? `Enable the account, or remove the entry at ${where}.`
    : `Create the account (or correct the key), or remove the entry at ${where}.`;
  return {
    key: upload.key,
    action: 'upload',
    status: pending ? 'pending' : 'failed',
    photo: upload.photo,
    code: disabled ? 'disabled' : 'no-account',
    declaredAt: { file: upload.declaredAt.file, line: upload.declaredAt.line },
    reason: `${what} ${todo}`,
    ...(pending ? { waitingSince: ctx.waitingSince.get(upload.key.canonical)?.since ?? new Date().toISOString() } : {}),
  };
}

/**
 * A removal whose user is gone from the tenant (deleted: a student who left) has no photo left to
 * remove: it is kept (nothing to do), not failed, unless unknownUsers is `fail`.
 */
export function goneUserRemoval(r: Removal, resolution: UserResolution | undefined, options: Pick<ApplyOptions, 'unknownUsers'>): UserOutcome | undefined {
  if (isResolved(resolution) || resolution?.problem !== 'not-found' || (options.unknownUsers ?? 'pending') !== 'pending') return undefined;
  return { key: r.key, action: 'remove', status: 'kept', photo: r.photo, code: 'no-account', reason: `${resolution.reason} There is no photo to remove.` };
}

/**
 * Users without an account who are in the tenant's recycle bin (deleted, restorable for 30 days)
 * get their own reason. Best effort: if the deleted users cannot be read, the reason stays.
 */
export async function explainDeleted(outcomes: UserOutcome[], tenant: PhotoTarget, signal: AbortSignal | undefined, log: (line: string) => void): Promise<void> {
  const gone = outcomes.filter((o) => o.code === 'no-account' && o.action === 'upload');
  if (gone.length === 0 || !tenant.findDeletedSubjects) return;
  let deleted: Map<string, DeletedSubject>;
  try {
    deleted = await tenant.findDeletedSubjects(gone.map((o) => o.key), signal ? { signal } : {});
  } catch (err) {
    log(`Could not read the deleted users (to tell a deleted account from one not created yet): ${(err as Error).message}`);
    return;
  }
  for (const o of gone) {
    const d = deleted.get(o.key.canonical);
    if (!d) continue;
    const where = o.declaredAt ? `${printable(o.declaredAt.file)}:${o.declaredAt.line}` : 'its manifest entry';
    o.code = 'deleted';
    o.reason = `${describeKey(o.key)} was deleted from the tenant${d.deletedDateTime ? ` on ${d.deletedDateTime.slice(0, 10)}` : ''} (object id ${printable(d.id)}; Entra keeps a deleted user 30 days). Restore the account to upload the photo, or remove the entry at ${where}.`;
  }
}

/** The users left waiting by this run, for the pending note on its revision. */
export function waitingEntries(outcomes: readonly UserOutcome[], atBase: ReadonlyMap<string, PendingEntry>): PendingEntry[] {
  return outcomes
    .filter((o) => o.status === 'pending')
    .map((o) => ({ key: o.key.canonical, problem: o.code === 'disabled' ? ('disabled' as const) : ('not-found' as const), since: o.waitingSince ?? atBase.get(o.key.canonical)?.since ?? new Date().toISOString() }));
}

/**
 * A failed outcome for every entry of every same-user conflict (also entries the run did not plan
 * to write: the message is the same on each, naming all of them with their file and line).
 */
export function conflictOutcomes(conflicts: ReadonlyMap<string, SameSubjectConflict>, dryRun: boolean): UserOutcome[] {
  const out: UserOutcome[] = [];
  for (const conflict of new Set(conflicts.values())) {
    const reason = `${conflict.message} ${dryRun ? 'Nothing would be written for this user.' : 'Nothing was written for this user.'}`;
    for (const entry of conflict.entries) out.push({ key: entry.key, action: 'upload', status: 'failed', photo: entry.photoPath, reason, code: 'same-user' });
  }
  return out;
}

/**
 * Removals whose tenant user the head still declares under another key (the manifest switched
 * from UPN to employeeId, or to the object id): deleting would remove the photo that entry puts
 * (or keeps) there. They are kept, with the entry that holds the user.
 */
export function heldRemovals(removals: readonly Removal[], resolutions: ReadonlyMap<string, UserResolution>, subjects: ReadonlyMap<string, SubjectEntries>): Map<string, UserOutcome> {
  const held = new Map<string, UserOutcome>();
  for (const r of removals) {
    const resolution = resolutions.get(r.key.canonical);
    if (!isResolved(resolution)) continue;
    const holder = subjects.get(resolution.id.toLowerCase())?.entries[0];
    if (!holder) continue;
    held.set(r.key.canonical, {
      key: r.key,
      action: 'remove',
      status: 'kept',
      photo: r.photo,
      reason: `Still declared as ${describeKey(holder.key)} (${printable(holder.declaredAt.file)}:${holder.declaredAt.line}), the same user in the tenant: the photo is not removed.`,
    });
  }
  return held;
}

/** Removals without prune are shown (kept), never executed. */
export function kept(plan: Plan, options: ApplyOptions): UserOutcome[] {
  if (options.prune) return [];
  return plan.removals.map((r) => ({ key: r.key, action: 'remove' as const, status: 'kept' as const, photo: r.photo, reason: 'Removed from the manifests; the photo stays in the tenant without prune.' }));
}

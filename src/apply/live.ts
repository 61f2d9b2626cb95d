/**
 * Reading what is live: what the target holds now, as far as git knows (the applied base, the
 * users it was applied without, and what interrupted runs from it landed), the plan from there to
 * the head; and, with no record at all, whether the target already holds a photo (compared
 * perceptually: a directory re-encodes what it stores, so bytes never match).
 */
import type { Semaphore } from '../core/pool.js';
import { desiredStateOf, type DesiredState } from '../desired/desired.js';
import { comparePhotos } from '../photo/index.js';
import { diffDesired, type Plan } from '../plan/plan.js';
import { RevisionSnapshot } from '../repo/revision.js';
import type { WritePacer } from '../pacing/index.js';
import type { PhotoSpec, PhotoTarget } from '../target/index.js';
import { validateRepository } from '../validate/validate.js';
import type { LandedEntry, Ledger, PendingEntry } from './ledger.js';
import type { Removal, Upload } from './outcomes.js';
import type { PreparedPhoto } from './photos.js';

export interface LivePlan {
  /** The base's desired state without the users it was applied without; undefined with no base. */
  desiredBase: DesiredState | undefined;
  /** diff(base, head): what the reviewed change is. */
  plan: Plan;
  /** What is still to do, from what is live. */
  uploads: Upload[];
  removals: Removal[];
  /** Planned changes that interrupted runs from the same base already landed (canonical keys). */
  landedKeys: string[];
  /** Users the base was applied without (no account yet), with when they were first found waiting. */
  waitingAtBase: Map<string, PendingEntry>;
}

/**
 * The plan from the base to the head, and what is still to do once the changes that interrupted
 * runs from the same base landed are laid over the base. `snapshots` collects the base snapshot
 * opened here (the caller closes it).
 */
export async function planFromLive(c: { repo: string; ledger: Ledger; base: string | undefined; spec: PhotoSpec; target: string; desiredHead: DesiredState; prune: boolean; snapshots: RevisionSnapshot[]; log: (line: string) => void }): Promise<LivePlan> {
  const { base, desiredHead, prune, ledger } = c;
  let desiredBase: DesiredState | undefined;
  if (base) {
    const baseSnapshot = await RevisionSnapshot.open(c.repo, base);
    c.snapshots.push(baseSnapshot);
    desiredBase = await desiredStateOf(baseSnapshot, await validateRepository(baseSnapshot, { shouldDecode: () => false }), c.spec, c.target);
  }
  // Users the base was applied without (no account yet): the tenant does not have their photo,
  // so the plan treats them as new and this run looks them up again.
  const waitingAtBase = await ledger.pendingAt(base);
  if (desiredBase && waitingAtBase.size > 0) {
    desiredBase = withoutUsers(desiredBase, waitingAtBase.keys());
    c.log(`${waitingAtBase.size} user(s) were waiting for an account when ${base!.slice(0, 12)} was applied: looking them up again.`);
  }
  const plan = diffDesired(desiredBase, desiredHead, { prune });
  // Interrupted runs from the same base changed the tenant already: plan from what is live (the
  // base overlaid with what they landed), so landed photos are not sent again and a photo that
  // landed but is no longer wanted is put right.
  const landed = await ledger.landedSince(base);
  const live = overlayLanded(desiredBase, desiredHead, landed);
  const effective = landed.size ? diffDesired(live, desiredHead, { prune }) : plan;
  const uploads = effective.uploads;
  const removals = prune ? effective.removals : [];
  const stillToDo = new Set([...uploads, ...removals].map((change) => change.key.canonical));
  const landedKeys = [...plan.uploads, ...(prune ? plan.removals : [])].filter((change) => !stillToDo.has(change.key.canonical)).map((change) => change.key.canonical);
  return { desiredBase, plan, uploads, removals, landedKeys, waitingAtBase };
}

/**
 * The desired state of the base with the tenant changes of interrupted runs laid over it: what
 * the tenant holds now, as far as git knows.
 */
export function overlayLanded(base: DesiredState | undefined, head: DesiredState, landed: Map<string, LandedEntry>): DesiredState {
  const users = new Map(base?.users ?? []);
  for (const [canonical, entry] of landed) {
    if (entry.action === 'remove') {
      users.delete(canonical);
    } else if (entry.action === 'upload' && entry.fingerprint) {
      const known = head.users.get(canonical) ?? base?.users.get(canonical);
      if (!known) continue; // neither revision declares it: nothing to compare against
      users.set(canonical, { ...known, fingerprint: entry.fingerprint });
    }
  }
  return { label: base?.label ?? 'nothing', users, ...(base?.policy ? { policy: base.policy } : {}) };
}

/** A desired state without some users (those the tenant does not hold though the state declares them). */
export function withoutUsers(state: DesiredState, keys: Iterable<string>): DesiredState {
  const users = new Map(state.users);
  for (const key of keys) users.delete(key);
  return { ...state, users };
}

/**
 * Whether the tenant already holds this user's photo: downloaded and compared with the photo
 * apply would send, by the same perceptual comparison as drift (comparePhotos in src/photo).
 * Anything uncertain (no photo, a failed download, an undecodable photo) is "no": upload.
 */
export async function targetHoldsPhoto(c: { tenant: PhotoTarget; readPacer: WritePacer; cpu: Semaphore; userId: string; prepared: Promise<PreparedPhoto>; label: string; signal?: AbortSignal }): Promise<boolean> {
  let theirs: Buffer | null;
  try {
    theirs = await c.readPacer.run(() => c.tenant.downloadPhoto(c.userId, c.signal), c.label);
  } catch {
    return false;
  }
  if (!theirs) return false;
  const ours = await c.prepared;
  if ('reason' in ours) return false;
  try {
    const comparison = await c.cpu.run(() => comparePhotos(ours.jpeg, theirs));
    return comparison.decoded && comparison.same;
  } catch {
    return false;
  }
}

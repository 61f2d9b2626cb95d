/**
 * Drift: does the tenant still hold what the repository declares?
 *
 * For every manifest user of a revision (default HEAD): the repository's photo is normalised
 * exactly as apply would send it, the target's photo is downloaded through the photo target port,
 * and the two are compared by perceptual similarity (comparePhotos in src/photo, the comparison
 * apply makes too: a directory re-encodes and resizes what it stores, so bytes never match).
 * The declared photo policy is compared with the target's policy extension (a target without one
 * reports the policy as an error). Downloads are reads paced through a
 * WritePacer (one shared Retry-After gate, adaptive concurrency, bounded retries), so a large
 * tenant that throttles is slowed down, not hammered. Nothing is written; `fixDrift` hands the
 * drifted users to applyRevision, the one upload path.
 */
import { samePolicy, wantedPolicy, type TenantPolicy } from '../apply/policyGuard.js';
import { countFindings } from '../core/findings.js';
import { mapLimit, Semaphore } from '../core/pool.js';
import { Progress, throttleOf, type ProgressSettings } from '../core/progress.js';
import { desiredStateOf, entriesBySubject, sameSubjectConflicts, type DesiredPhoto } from '../desired/desired.js';
import type { SourceRef } from '../manifest/types.js';
import type { UserKey } from '../manifest/userKey.js';
import { checkPhoto, comparePhotos, recommendedParallelism, SAME_PHOTO_THRESHOLD, thumbnail } from '../photo/index.js';
import { RevisionSnapshot } from '../repo/revision.js';
import { PacerCancelledError, WritePacer, type PacerStats, pacingClassifierOf } from '../pacing/index.js';
import { isResolvedSubject, photoTargetOf, type SubjectResolution, type TargetInput } from '../target/index.js';
import { validateRepository, type ValidationResult } from '../validate/validate.js';
import { waitingForAccount, type WaitingOptions, type WaitingUser } from './waiting.js';

/**
 * `waiting`: no usable account (none yet, or a disabled one) and apply recorded the user as
 * waiting for one (the pending note on the applied revision): reported apart, not drift.
 * `unresolved`: no such user, and no record says it is expected.
 */
export type DriftStatus = 'in-sync' | 'different' | 'missing' | 'unresolved' | 'error' | 'cancelled' | 'waiting';

export interface TenantPhotoInfo {
  width: number;
  height: number;
  bytes: number;
}

export interface UserDrift {
  key: UserKey;
  /** Shown beside the key: the manifest's `name:`, else the tenant's displayName (display only). */
  name?: string;
  photo: string;
  declaredAt: SourceRef;
  status: DriftStatus;
  userId?: string;
  /** 0..1, for in-sync and different. */
  similarity?: number;
  tenantPhoto?: TenantPhotoInfo;
  reason?: string;
  /**
   * `same-user`: another entry of the revision is the same tenant user under another key (status
   * error; neither is compared, and `--fix` writes neither).
   */
  code?: 'same-user';
  /** Status waiting: since when, why, and which environment's apply recorded it. */
  waiting?: { since: string; problem: WaitingUser['problem']; environment: string };
  /** Local thumbnails (only when asked for: the CLI's local HTML report). Never leave the machine. */
  thumbnails?: { repo: Buffer; tenant?: Buffer };
}

export interface PolicyDrift {
  status: 'not-managed' | 'in-sync' | 'different' | 'error';
  declared?: TenantPolicy;
  tenant?: TenantPolicy;
  reason?: string;
}

export interface DriftResult {
  head: string;
  validation: ValidationResult;
  threshold: number;
  users: UserDrift[];
  policy: PolicyDrift;
  cancelled: boolean;
  durationMs: number;
  pacer?: PacerStats;
}

export interface DriftOptions {
  repo: string;
  /** Revision to compare with; default HEAD. */
  head?: string;
  /** Same-photo threshold; default SAME_PHOTO_THRESHOLD. */
  threshold?: number;
  /** Keep small thumbnails of drifted users (for a local report). */
  thumbnails?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Progress lines of the comparison (through `log`): interval, log group (core/progress.ts). */
  progress?: ProgressSettings;
  /** Downloads: a pacer built for this run unless given (tests). */
  pacer?: WritePacer;
  /** Compare only these users (canonical keys); default every declared user. */
  only?: ReadonlySet<string>;
  /**
   * Where apply's record of users waiting for an account is read (remote; one environment, or
   * every one with an applied tag). Default: the local repository, every environment.
   */
  waitingRecord?: Omit<WaitingOptions, 'repo'>;
}

/** `input`: the target to compare with (an Entra TenantClient is taken as the Entra target). */
export async function detectDrift(options: DriftOptions, input: TargetInput): Promise<DriftResult> {
  const target = photoTargetOf(input);
  const started = performance.now();
  const log = options.log ?? (() => {});
  const threshold = options.threshold ?? SAME_PHOTO_THRESHOLD;
  const snapshot = await RevisionSnapshot.open(options.repo, options.head ?? 'HEAD');
  try {
    const validation = await validateRepository(snapshot, { shouldDecode: () => false });
    const base = { head: snapshot.commit, validation, threshold };
    if (countFindings(validation.findings).errors > 0) {
      return { ...base, users: [], policy: { status: 'not-managed' }, cancelled: false, durationMs: Math.round(performance.now() - started) };
    }
    const desired = await desiredStateOf(snapshot, validation, target.spec, target.id);
    const wanted = [...desired.users.values()].filter((u) => !options.only || options.only.has(u.key.canonical)).sort((a, b) => (a.key.canonical < b.key.canonical ? -1 : 1));
    log(`Comparing ${wanted.length} user(s) of ${snapshot.commit.slice(0, 12)} with the tenant.`);

    // Policy first: one call, and a missing permission shows before thousands of downloads.
    let policy: PolicyDrift = { status: 'not-managed' };
    if (desired.policy) {
      try {
        if (!target.policy) throw new Error(`The manifests declare a photo update policy, and the ${target.id} target has none.`);
        const live = await target.policy.read();
        const declared = wantedPolicy(desired.policy, live);
        policy = { status: samePolicy(declared, live) ? 'in-sync' : 'different', declared, tenant: live };
      } catch (err) {
        policy = { status: 'error', reason: (err as Error).message };
      }
    }

    const resolutions = await target.resolveSubjects(wanted.map((w) => w.key), options.signal ? { signal: options.signal } : {});
    // Two entries that are one user in the tenant: which photo is "the repository's" is undefined,
    // so each is an error that names both, neither in sync nor different.
    const conflicts = sameSubjectConflicts(await entriesBySubject(desired, resolutions, (keys) => target.resolveSubjects(keys, options.signal ? { signal: options.signal } : {})));
    const waiting = await waitingUsers(options, target.id, wanted, resolutions, log);
    const pacer = options.pacer ?? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, classify: pacingClassifierOf(target), ...(options.signal ? { signal: options.signal } : {}) });
    const cpu = new Semaphore(recommendedParallelism());
    // A bounded window of users in progress keeps memory flat: downloaded photos never pile up
    // waiting for the CPU, however large the tenant.
    const progress = new Progress({ verb: 'Comparing', total: wanted.length, log, throttle: throttleOf(pacer), ...(options.progress ? { settings: options.progress } : {}) });
    const compareUser = async (want: DesiredPhoto): Promise<UserDrift> => {
        const resolution = resolutions.get(want.key.canonical);
        const name = want.name ?? (isResolvedSubject(resolution) ? resolution.displayName?.trim() : undefined);
        const entry: UserDrift = { key: want.key, ...(name ? { name } : {}), photo: want.photoPath, declaredAt: want.declaredAt, status: 'error' };
        const recorded = waiting.get(want.key.canonical);
        if (!isResolvedSubject(resolution)) {
          if (recorded && resolution?.problem === 'not-found') return waitingEntry(entry, recorded, resolution.reason);
          return { ...entry, status: 'unresolved', reason: resolution?.reason ?? 'The user was not looked up.' };
        }
        entry.userId = resolution.id;
        if (recorded && resolution.accountEnabled === false) return waitingEntry(entry, recorded, `${resolution.userPrincipalName} is a disabled account.`);
        const conflict = conflicts.get(want.key.canonical);
        if (conflict) return { ...entry, status: 'error', code: 'same-user', reason: conflict.message };
        if (options.signal?.aborted) return { ...entry, status: 'cancelled', reason: 'The run was cancelled before this user was compared.' };
        let tenantBytes: Buffer | null;
        try {
          tenantBytes = await pacer.run(() => target.downloadPhoto(resolution.id, options.signal), want.key.value);
        } catch (err) {
          if (err instanceof PacerCancelledError) return { ...entry, status: 'cancelled', reason: err.message };
          return { ...entry, status: 'error', reason: `Could not download the tenant's photo: ${(err as Error).message}` };
        }
        return cpu.run(() => compareOne(entry, want, snapshot, tenantBytes, threshold, options.thumbnails ?? false));
    };
    const users = await mapLimit(wanted, 32, (want) => compareUser(want).finally(() => progress.advance())).finally(() => progress.finish());
    // No count line here: the report's headline (driftHeadline) is the run's one summary line.
    return { ...base, users, policy, cancelled: options.signal?.aborted ?? false, durationMs: Math.round(performance.now() - started), pacer: pacer.stats };
  } finally {
    snapshot.close();
  }
}

/**
 * The users apply recorded as waiting, read only when some declared user has no usable account.
 * A record that cannot be read is said and leaves them unresolved (the check fails, as before).
 */
async function waitingUsers(options: DriftOptions, targetId: string, wanted: readonly DesiredPhoto[], resolutions: ReadonlyMap<string, SubjectResolution>, log: (line: string) => void): Promise<ReadonlyMap<string, WaitingUser>> {
  const noAccount = wanted.some((want) => {
    const resolution = resolutions.get(want.key.canonical);
    return isResolvedSubject(resolution) ? resolution.accountEnabled === false : resolution?.problem === 'not-found';
  });
  if (!noAccount) return new Map();
  try {
    return await waitingForAccount({ repo: options.repo, target: targetId, ...options.waitingRecord });
  } catch (err) {
    log(`Could not read the users apply recorded as waiting for an account (${(err as Error).message}); users without an account count as not in the tenant.`);
    return new Map();
  }
}

function waitingEntry(entry: UserDrift, recorded: WaitingUser, now: string): UserDrift {
  const what = recorded.problem === 'disabled' ? 'a disabled account' : 'no account yet';
  return {
    ...entry,
    status: 'waiting',
    waiting: { since: recorded.since, problem: recorded.problem, environment: recorded.environment },
    reason: `Waiting for an account since ${recorded.since.slice(0, 10)} (apply in environment ${recorded.environment} found ${what}): ${now} It gets its photo from the next apply once the account is usable.`,
  };
}

async function compareOne(entry: UserDrift, want: DesiredPhoto, snapshot: RevisionSnapshot, tenantBytes: Buffer | null, threshold: number, withThumbnails: boolean): Promise<UserDrift> {
  // Nothing to compare with: no need to normalise (a first import would do it twice).
  if (!tenantBytes && !withThumbnails) return { ...entry, status: 'missing', reason: 'The tenant has no photo for this user.' };
  const report = await checkPhoto(await snapshot.read(want.photoPath), want.settings);
  const problem = report.issues.find((i) => i.severity === 'error');
  if (problem || !report.output) return { ...entry, status: 'error', reason: `The repository's photo cannot be sent: ${problem?.message ?? 'it could not be normalised.'}` };
  const repoJpeg = report.output.jpeg;
  if (!tenantBytes) {
    return { ...entry, status: 'missing', reason: 'The tenant has no photo for this user.', ...(withThumbnails ? { thumbnails: { repo: await thumbnail(repoJpeg, 96) } } : {}) };
  }
  const comparison = await comparePhotos(repoJpeg, tenantBytes, threshold);
  if (!comparison.decoded) {
    return { ...entry, status: 'different', similarity: 0, tenantPhoto: { width: 0, height: 0, bytes: tenantBytes.length }, reason: `The tenant's photo could not be decoded (${comparison.reason}).` };
  }
  const theirs = { width: comparison.width, height: comparison.height };
  const drift: UserDrift = {
    ...entry,
    status: comparison.same ? 'in-sync' : 'different',
    similarity: comparison.similarity,
    tenantPhoto: { width: theirs.width, height: theirs.height, bytes: tenantBytes.length },
  };
  if (!comparison.same) {
    drift.reason = `The tenant's photo (${theirs.width}×${theirs.height}) is not the repository's: similarity ${comparison.similarity.toFixed(3)} < ${threshold}.`;
    if (withThumbnails) drift.thumbnails = { repo: await thumbnail(repoJpeg, 96), tenant: await thumbnail(tenantBytes, 96).catch(() => Buffer.alloc(0)) };
  }
  return drift;
}

export function driftCounts(result: DriftResult): Record<DriftStatus, number> {
  return { 'in-sync': 0, different: 0, missing: 0, unresolved: 0, error: 0, cancelled: 0, waiting: 0, ...countBy(result.users) };
}

/** Whether the tenant matches the repository completely (users waiting for an account are not drift). */
export function inSync(result: DriftResult): boolean {
  const c = driftCounts(result);
  return c.different + c.missing + c.unresolved + c.error + c.cancelled === 0 && result.policy.status !== 'different' && result.policy.status !== 'error' && !result.cancelled && result.validation.findings.every((f) => f.severity !== 'error');
}

/** Users `--fix` would upload: a different or missing photo. */
export function drifted(result: DriftResult): UserDrift[] {
  return result.users.filter((u) => u.status === 'different' || u.status === 'missing');
}

function countBy(users: readonly UserDrift[]): Partial<Record<DriftStatus, number>> {
  const counts: Partial<Record<DriftStatus, number>> = {};
  for (const u of users) counts[u.status] = (counts[u.status] ?? 0) + 1;
  return counts;
}

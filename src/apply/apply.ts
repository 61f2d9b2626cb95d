import { countFindings } from '../core/findings.js';
import { Semaphore } from '../core/pool.js';
import { desiredStateOf, entriesBySubject, sameSubjectConflicts, type DesiredState, type SameSubjectConflict, type SubjectEntries } from '../desired/desired.js';
import { printable } from '../core/untrusted.js';
import { describeKey, type UserKey } from '../manifest/userKey.js';
import { checkPhoto, recommendedParallelism } from '../photo/index.js';
import { diffDesired, type Plan } from '../plan/plan.js';
import { gitMaybe } from '../repo/git.js';
import { BufferPool, type Lease } from '../repo/bufferPool.js';
import { RevisionSnapshot } from '../repo/revision.js';
import { isResolved, PacerCancelledError, photoPresence, WritePacer, attemptsOf, type PacerStats, type TenantClient, type UserResolution } from '../tenant/index.js';
import { validateRepository, type ValidationResult } from '../validate/validate.js';
import { detectDrift } from '../drift/drift.js';
import { Ledger, type LandedEntry } from './ledger.js';
import { Lookahead } from './lookahead.js';
import { ApplyLease } from './lock.js';
import { blocksApp, planPolicyStep, wantedPolicy, type PolicyStep, type TenantPolicy } from './policyGuard.js';

export interface ApplyOptions {
  repo: string;
  /** Revision to apply (the pushed head). */
  head: string;
  environment: string;
  /** Remote holding the applied-revision record; undefined keeps it in the local repository. */
  remote?: string;
  prune: boolean;
  dryRun: boolean;
  allowPolicyLockout: boolean;
  /** Cancellation (SIGTERM, time budget): nothing new starts; in-flight writes finish. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Progress notes are written after at least this many landed changes (and at the end). */
  progressEvery?: number;
  /** Photo writes: a pacer built for this run unless given (tests, benchmarks). */
  pacer?: WritePacer;
  /** Names this run in the apply lease (e.g. the workflow run URL). */
  leaseHolder?: string;
  /**
   * Drift repair (`drift --fix`): upload the head's photo of exactly these users (canonical keys)
   * whatever the applied record says, and the declared policy if the tenant's differs. No
   * removals; progress notes and the applied-revision record are left alone (record 'repair').
   */
  repair?: { users: ReadonlySet<string> };
}

export type OutcomeStatus = 'uploaded' | 'removed' | 'failed' | 'cancelled' | 'would-upload' | 'would-remove' | 'kept';

export interface UserOutcome {
  key: UserKey;
  action: 'upload' | 'remove';
  status: OutcomeStatus;
  photo?: string;
  reason?: string;
  attempts?: number;
  /** `same-user`: another entry of the head is the same tenant user; nothing was written for it. */
  code?: 'same-user';
}

export interface PolicyOutcome {
  status: 'not-managed' | 'unchanged' | 'applied' | 'would-apply' | 'refused' | 'failed' | 'skipped';
  from?: TenantPolicy;
  to?: TenantPolicy;
  message?: string;
}

export interface ApplyResult {
  environment: string;
  base: string | undefined;
  head: string;
  validation: ValidationResult;
  plan?: Plan;
  /**
   * Planned changes already live: landed by an earlier, interrupted run from the same base, or
   * (when no applied revision is recorded yet) found in the tenant by comparing photos.
   */
  alreadyLanded: number;
  outcomes: UserOutcome[];
  policy: PolicyOutcome;
  /** The applied-revision record after this run. */
  appliedRevision: string | undefined;
  record: 'advanced' | 'unchanged' | 'lost-race' | 'not-complete' | 'dry-run' | 'repair' | 'superseded';
  cancelled: boolean;
  durationMs: number;
  pacer?: PacerStats;
}

/**
 * Applies the reviewed change: the plan from the last revision applied completely to this
 * environment up to `head`. Never re-derives intent from anything but two revisions (and the
 * progress notes of interrupted runs between them).
 */
export async function applyRevision(options: ApplyOptions, tenant: TenantClient): Promise<ApplyResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const ledger = new Ledger({ repo: options.repo, environment: options.environment, ...(options.remote ? { remote: options.remote } : {}) });
  const headSnapshot = await RevisionSnapshot.open(options.repo, options.head);
  const head = headSnapshot.commit;
  const snapshots = [headSnapshot];
  const result = (partial: Partial<ApplyResult> & Pick<ApplyResult, 'validation'>): ApplyResult => ({
    environment: options.environment,
    base: undefined,
    head,
    alreadyLanded: 0,
    outcomes: [],
    policy: { status: 'skipped' },
    appliedRevision: undefined,
    record: 'not-complete',
    cancelled: options.signal?.aborted ?? false,
    durationMs: Math.round(performance.now() - started),
    ...partial,
  });
  let photos: PhotoLookahead | undefined;
  // One apply per environment at a time (a dry run writes nothing and needs no lease).
  const lease = options.dryRun ? undefined : new ApplyLease({ repo: options.repo, environment: options.environment, ...(options.remote ? { remote: options.remote } : {}), ...(options.signal ? { signal: options.signal } : {}), log, ...(options.leaseHolder ? { holder: options.leaseHolder } : {}) });
  try {
    // 1. The head must be valid: an invalid tree applies nothing. Pixels are checked as each
    //    photo is normalised (a failure there fails that user only).
    const validation = await validateRepository(headSnapshot, { shouldDecode: () => false });
    await lease?.acquire();
    // Read the record only once the lease is ours: a run that held it may just have moved it.
    const base = await ledger.lastApplied();
    if (countFindings(validation.findings).errors > 0) {
      log(`The head ${head.slice(0, 12)} does not validate: nothing was applied.`);
      return result({ validation, base, appliedRevision: base });
    }
    if (base && base !== head && !options.repair && (await isOlder(options.repo, head, base))) {
      // A newer revision was applied while this run waited (or this is a re-run of an old job):
      // applying this one would take the tenant backwards.
      log(`${head.slice(0, 12)} is older than the revision already applied to ${options.environment} (${base.slice(0, 12)}): nothing to do.`);
      return result({ validation, base, appliedRevision: base, record: 'superseded', policy: { status: 'skipped' } });
    }
    const desiredHead = await desiredStateOf(headSnapshot, validation);
    if (options.repair) return await repairDrift(options, options.repair.users, { tenant, headSnapshot, validation, base, desiredHead, result, log });
    let desiredBase: DesiredState | undefined;
    if (base) {
      const baseSnapshot = await RevisionSnapshot.open(options.repo, base);
      snapshots.push(baseSnapshot);
      desiredBase = await desiredStateOf(baseSnapshot, await validateRepository(baseSnapshot, { shouldDecode: () => false }));
    }
    const plan = diffDesired(desiredBase, desiredHead, { prune: options.prune });
    log(base ? `Applying ${base.slice(0, 12)}..${head.slice(0, 12)} to ${options.environment}.` : `No revision was applied to ${options.environment} yet: planning everything in ${head.slice(0, 12)}.`);

    // 2. Interrupted runs from the same base changed the tenant already: plan from what is live
    //    (the base overlaid with what they landed), so landed photos are not sent again and a
    //    photo that landed but is no longer wanted is put right.
    const landed = await ledger.landedSince(base);
    const live = overlayLanded(desiredBase, desiredHead, landed);
    const effective = landed.size ? diffDesired(live, desiredHead, { prune: options.prune }) : plan;
    let uploads = effective.uploads;
    const removals = options.prune ? effective.removals : [];
    const stillToDo = new Set([...uploads, ...removals].map((c) => c.key.canonical));
    const landedKeys = [...plan.uploads, ...(options.prune ? plan.removals : [])].filter((c) => !stillToDo.has(c.key.canonical)).map((c) => c.key.canonical);
    // Normalising needs nothing from the tenant: start it now, while users are looked up.
    if (!options.dryRun) photos = preparePhotos(uploads, headSnapshot);

    // 3. Resolve users with few requests.
    const resolutions = await tenant.resolveUsers([...uploads.map((u) => u.key), ...removals.map((r) => r.key)], options.signal ? { signal: options.signal } : {});

    // One person, one photo: entries of the head that are one tenant user under two keys are
    // written for neither (and fail the run); a removal whose user is still declared under
    // another key (a manifest switched from UPN to employeeId) deletes nothing.
    const subjects = await entriesBySubject(desiredHead, resolutions, (keys) => tenant.resolveUsers(keys, options.signal ? { signal: options.signal } : {}));
    const conflicts = sameSubjectConflicts(subjects);
    uploads = uploads.filter((u) => !conflicts.has(u.key.canonical));
    const held = heldRemovals(removals, resolutions, subjects);
    const alreadyLanded = landedKeys.filter((canonical) => !conflicts.has(canonical)).length;
    if (alreadyLanded) log(`${alreadyLanded} planned change(s) already landed in an earlier run from the same base: skipped.`);
    if (conflicts.size) log(`${new Set(conflicts.values()).size} user(s) are declared twice under different keys: nothing is written for them.`);

    // No record yet: compare with the tenant itself instead of assuming it is empty, so adopting
    // a tenant (export, then the first apply) does not re-upload photos that are already there.
    let alreadyInTenant = 0;
    if (!base && uploads.length > 0) {
      const inTenant = await inSyncUsers(options, tenant, head, new Map(uploads.map((u) => [u.key.canonical, resolutions.get(u.key.canonical)])));
      uploads = uploads.filter((u) => !inTenant.has(u.key.canonical));
      alreadyInTenant = inTenant.size;
      log(`No applied revision is recorded for ${options.environment}: compared with the tenant, ${alreadyInTenant} user(s) already have their photo.`);
    }

    // 4. The policy: compare the manifest's with the live tenant's, and order it around the photos.
    const policyPlan = await planPolicy(desiredHead, tenant, options);
    const outcomes: UserOutcome[] = [];
    let policy = policyPlan.outcome;

    if (options.dryRun) {
      for (const u of uploads) outcomes.push(resolutionOutcome(u.key, 'upload', resolutions.get(u.key.canonical), 'would-upload', u.photo));
      outcomes.push(...conflictOutcomes(conflicts, true));
      for (const r of removals) outcomes.push(held.get(r.key.canonical) ?? resolutionOutcome(r.key, 'remove', resolutions.get(r.key.canonical), 'would-remove', r.photo));
      if (policy.status === 'applied') policy = { ...policy, status: 'would-apply' };
      return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes: [...outcomes, ...kept(plan, options)], policy, appliedRevision: base, record: 'dry-run' });
    }

    const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
    if (policyPlan.step.kind === 'before-photos') policy = await patchPolicy(tenant, policyPlan, log);

    // 5. Photos: normalise and upload, overlapped; each success is recorded as progress.
    const blocked = policyPlan.blockedReason;
    const recordLanded = async (entry: Parameters<Ledger['record']>[0]) => {
      ledger.record(entry);
      if (ledger.dueForFlush(options.progressEvery ?? 50)) await flush(ledger, base, head, log);
    };
    await runUploads(uploads, { photos: photos!, tenant, pacer, resolutions, outcomes, blocked, recordLanded, ...(options.signal ? { signal: options.signal } : {}) });
    outcomes.push(...conflictOutcomes(conflicts, false));
    // Removals after the uploads, and never of a user this head still declares under another key:
    // that would delete the photo just uploaded for them.
    for (const r of removals) {
      const keep = held.get(r.key.canonical);
      if (keep) {
        outcomes.push(keep);
        continue;
      }
      const resolution = resolutions.get(r.key.canonical);
      if (!isResolved(resolution)) {
        outcomes.push(resolutionOutcome(r.key, 'remove', resolution, 'failed', r.photo));
        continue;
      }
      try {
        await pacer.run(() => tenant.deletePhoto(resolution.id, options.signal), describeKey(r.key));
        outcomes.push({ key: r.key, action: 'remove', status: 'removed', photo: r.photo });
        await recordLanded({ action: 'remove', key: r.key.canonical });
      } catch (err) {
        outcomes.push(failure(r.key, 'remove', r.photo, err));
      }
    }
    outcomes.push(...kept(plan, options));

    // 6. Policy after the photos (or refused), unless the run was cut short.
    if (options.signal?.aborted) {
      if (policy.status === 'applied') policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
    } else if (policyPlan.step.kind === 'after-photos') {
      policy = await patchPolicy(tenant, policyPlan, log);
    }

    // 7. Record: progress always; the applied revision only when everything landed.
    await flush(ledger, base, head, log);
    const complete = !options.signal?.aborted && outcomes.every((o) => o.status !== 'failed' && o.status !== 'cancelled') && !['refused', 'failed'].includes(policy.status);
    let record: ApplyResult['record'] = 'not-complete';
    let appliedRevision = base;
    if (complete) {
      if (base === head) record = 'unchanged';
      else {
        record = await ledger.advance(base, head);
        if (record === 'advanced') appliedRevision = head;
      }
    }
    return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes, policy, appliedRevision, record, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false });
  } finally {
    photos?.stop();
    await lease?.release();
    for (const s of snapshots) s.close();
  }
}

/**
 * `drift --fix`: the same upload path as apply (normalise, pace, retry; policy ordered by the
 * lockout guard), restricted to the drifted users, from the head alone. Nothing is recorded:
 * the applied record still says which reviewed revision was applied completely.
 */
async function repairDrift(
  options: ApplyOptions,
  users: ReadonlySet<string>,
  ctx: {
    tenant: TenantClient;
    headSnapshot: RevisionSnapshot;
    validation: ValidationResult;
    base: string | undefined;
    desiredHead: DesiredState;
    result: (partial: Partial<ApplyResult> & Pick<ApplyResult, 'validation'>) => ApplyResult;
    log: (line: string) => void;
  },
): Promise<ApplyResult> {
  const { tenant, headSnapshot, validation, base, desiredHead, result, log } = ctx;
  const full = diffDesired(undefined, desiredHead, { prune: false });
  const requested = full.uploads.filter((u) => users.has(u.key.canonical));
  const plan: Plan = { ...full, base: base ?? null, uploads: requested, unchanged: desiredHead.users.size - requested.length, removals: [] };
  log(`Repairing drift from ${desiredHead.label}: ${requested.length} photo(s).`);
  const resolutions = await tenant.resolveUsers(requested.map((u) => u.key), options.signal ? { signal: options.signal } : {});
  // Drift reports a user declared under two keys as an error, not as drifted; should one be asked
  // for anyway, it is not written here either.
  const conflicts = sameSubjectConflicts(await entriesBySubject(desiredHead, resolutions, (keys) => tenant.resolveUsers(keys, options.signal ? { signal: options.signal } : {})));
  const uploads = requested.filter((u) => !conflicts.has(u.key.canonical));
  const policyPlan = await planPolicy(desiredHead, tenant, options);
  const outcomes: UserOutcome[] = [...conflictOutcomes(conflicts, options.dryRun)];
  let policy = policyPlan.outcome;
  if (options.dryRun) {
    for (const u of uploads) outcomes.push(resolutionOutcome(u.key, 'upload', resolutions.get(u.key.canonical), 'would-upload', u.photo));
    if (policy.status === 'applied') policy = { ...policy, status: 'would-apply' };
    return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'dry-run' });
  }
  const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
  if (policyPlan.step.kind === 'before-photos') policy = await patchPolicy(tenant, policyPlan, log);
  await runUploads(uploads, { photos: preparePhotos(uploads, headSnapshot), tenant, pacer, resolutions, outcomes, blocked: policyPlan.blockedReason, recordLanded: async () => {}, ...(options.signal ? { signal: options.signal } : {}) });
  if (options.signal?.aborted) {
    if (policy.status === 'applied') policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
  } else if (policyPlan.step.kind === 'after-photos') {
    policy = await patchPolicy(tenant, policyPlan, log);
  }
  return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'repair', pacer: pacer.stats, cancelled: options.signal?.aborted ?? false });
}

/**
 * The desired state of the base with the tenant changes of interrupted runs laid over it: what
 * the tenant holds now, as far as git knows.
 */
function overlayLanded(base: DesiredState | undefined, head: DesiredState, landed: Map<string, LandedEntry>): DesiredState {
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

/**
 * The users (of `candidates`) whose tenant photo already is the repository's, by the same
 * perceptual comparison as drift (Graph re-encodes, so bytes never match).
 */
async function inSyncUsers(options: ApplyOptions, tenant: TenantClient, head: string, candidates: Map<string, UserResolution | undefined>): Promise<Set<string>> {
  // Users without any photo need no download: ask 20 at a time which ones have one.
  const ids = [...candidates.values()].filter(isResolved).map((r) => r.id);
  const presence = await photoPresence(tenant.connection, ids, options.signal ? { signal: options.signal } : {});
  const worthComparing = new Set([...candidates].filter(([, r]) => isResolved(r) && presence.get(r.id) !== false).map(([canonical]) => canonical));
  if (worthComparing.size === 0) return new Set();
  const drift = await detectDrift({ repo: options.repo, head, only: worthComparing, ...(options.signal ? { signal: options.signal } : {}) }, tenant);
  return new Set(drift.users.filter((u) => u.status === 'in-sync').map((u) => u.key.canonical));
}

interface PolicyPlan {
  step: PolicyStep;
  outcome: PolicyOutcome;
  /** Why photo writes cannot succeed under the policy they will meet, if they cannot. */
  blockedReason?: string;
}

async function planPolicy(desired: DesiredState, tenant: TenantClient, options: ApplyOptions): Promise<PolicyPlan> {
  const live = await tenant.getPhotoPolicy();
  const wanted = desired.policy ? wantedPolicy(desired.policy, live) : live;
  // Role assignments are only needed when some policy restricts roles.
  const needsRoles = live.allowedRoles.length > 0 || wanted.allowedRoles.length > 0;
  const appRoles = needsRoles ? await tenant.appRoleTemplateIds() : [];
  const step = desired.policy ? planPolicyStep(live, wanted, appRoles, options.allowPolicyLockout) : ({ kind: 'none' } as const);
  // The policy photo writes will meet: the new one if it goes first, the live one otherwise.
  const during = step.kind === 'before-photos' ? step.to : live;
  const blocked = blocksApp(during, appRoles);
  const outcome: PolicyOutcome = !desired.policy
    ? { status: 'not-managed', from: live }
    : step.kind === 'none'
      ? { status: 'unchanged', from: live, to: wanted }
      : step.kind === 'refuse'
        ? { status: 'refused', from: live, to: wanted, message: step.reason }
        : { status: 'applied', from: live, to: wanted };
  return { step, outcome, ...(blocked ? { blockedReason: `Photo writes are refused by the tenant's photo policy: ${blocked}. Nothing was sent.` } : {}) };
}

async function patchPolicy(tenant: TenantClient, plan: PolicyPlan, log: (line: string) => void): Promise<PolicyOutcome> {
  if (plan.step.kind !== 'before-photos' && plan.step.kind !== 'after-photos') return plan.outcome;
  try {
    await tenant.setPhotoPolicy(plan.step.to);
    log('Photo policy updated (it takes up to 24 hours to apply everywhere).');
    return plan.outcome;
  } catch (err) {
    return { ...plan.outcome, status: 'failed', message: `The policy change failed: ${(err as Error).message}` };
  }
}

interface UploadContext {
  photos: PhotoLookahead;
  tenant: TenantClient;
  pacer: WritePacer;
  resolutions: Map<string, UserResolution>;
  outcomes: UserOutcome[];
  blocked: string | undefined;
  signal?: AbortSignal;
  recordLanded: (entry: { action: 'upload'; key: string; fingerprint: string }) => Promise<void>;
}

type Upload = Plan['uploads'][number];
/** A photo ready to send, or why it cannot be. */
type PreparedPhoto = { jpeg: Buffer } | { reason: string };
type PhotoLookahead = Lookahead<Upload, PreparedPhoto>;

/**
 * Normalising (CPU) runs ahead of uploading (network, paced to the throttle): it starts as soon
 * as the plan is known and keeps a bounded number of photos ready, so the cores stay busy while
 * the run looks users up and while photos wait for the throttle. Memory stays flat however many
 * photos there are: at most `ahead` normalised photos wait, plus those in flight.
 */
function preparePhotos(uploads: readonly Upload[], headSnapshot: RevisionSnapshot): PhotoLookahead {
  const parallelism = recommendedParallelism();
  const cpuSlots = new Semaphore(parallelism);
  // Originals are needed only while they are normalised: one reusable buffer per photo in flight.
  const originals = new BufferPool(parallelism);
  const ahead = Math.max(32, parallelism * 8);
  const photos = new Lookahead(uploads, (upload: Upload) => preparePhoto(upload, headSnapshot, cpuSlots, originals), ahead);
  photos.fill();
  return photos;
}

async function preparePhoto(upload: Upload, headSnapshot: RevisionSnapshot, cpuSlots: Semaphore, originals: BufferPool): Promise<PreparedPhoto> {
  await cpuSlots.acquire();
  let original: Lease | undefined;
  try {
    original = await headSnapshot.readLeased(upload.photo, originals);
    const report = await checkPhoto(original.bytes, upload.settings);
    const error = report.issues.find((i) => i.severity === 'error');
    if (error || !report.output) return { reason: error?.message ?? 'The photo could not be normalised.' };
    const { jpeg } = report.output;
    // The upload must outlive the original's buffer, which the next photo overwrites.
    return { jpeg: jpeg.buffer === original.bytes.buffer ? Buffer.from(jpeg) : jpeg };
  } catch (err) {
    return { reason: `The photo could not be read: ${(err as Error).message}` };
  } finally {
    original?.release();
    cpuSlots.release();
  }
}

async function runUploads(uploads: readonly Upload[], ctx: UploadContext): Promise<void> {
  const { photos } = ctx;
  // No photo will be sent when the policy refuses writes: normalising ahead would be wasted.
  if (ctx.blocked) photos.stop();
  else photos.keepOnly(new Set(uploads));
  // A slot is held from taking a photo until its upload ends, so it must cover the uploads the
  // pacer may keep in flight plus a few photos waiting for it: with cores × 4 alone (12 on a
  // 2-core runner) uploads in flight were capped at 12, i.e. 12 / latency writes per second.
  const readySlots = new Semaphore(ctx.pacer.maxConcurrency + Math.max(8, recommendedParallelism() * 4));
  const inFlight = new Set<Promise<void>>();
  for (const upload of uploads) {
    if (ctx.signal?.aborted) {
      photos.stop();
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this photo was sent.' });
      continue;
    }
    const resolution = ctx.resolutions.get(upload.key.canonical);
    if (!isResolved(resolution)) {
      photos.discard(upload);
      ctx.outcomes.push(resolutionOutcome(upload.key, 'upload', resolution, 'failed', upload.photo));
      continue;
    }
    if (ctx.blocked) {
      photos.discard(upload);
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'failed', photo: upload.photo, reason: ctx.blocked });
      continue;
    }
    await readySlots.acquire();
    const job = uploadOne(upload, resolution.id, ctx).finally(() => {
      readySlots.release();
      inFlight.delete(job);
    });
    inFlight.add(job);
  }
  await Promise.all(inFlight);
}

async function uploadOne(upload: Upload, userId: string, ctx: UploadContext): Promise<void> {
  const prepared = await ctx.photos.take(upload);
  if ('reason' in prepared) {
    ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'failed', photo: upload.photo, reason: prepared.reason });
    return;
  }
  try {
    await ctx.pacer.run(() => ctx.tenant.putPhoto(userId, prepared.jpeg, ctx.signal), describeKey(upload.key));
    ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'uploaded', photo: upload.photo });
    await ctx.recordLanded({ action: 'upload', key: upload.key.canonical, fingerprint: upload.fingerprint });
  } catch (err) {
    ctx.outcomes.push(failure(upload.key, 'upload', upload.photo, err));
  }
}

function failure(key: UserKey, action: 'upload' | 'remove', photo: string, err: unknown): UserOutcome {
  const attempts = attemptsOf(err);
  if (err instanceof PacerCancelledError) return { key, action, status: 'cancelled', photo, reason: err.message };
  return { key, action, status: 'failed', photo, reason: (err as Error).message ?? String(err), ...(attempts ? { attempts } : {}) };
}

function resolutionOutcome(key: UserKey, action: 'upload' | 'remove', resolution: UserResolution | undefined, okStatus: OutcomeStatus, photo: string): UserOutcome {
  if (isResolved(resolution)) return { key, action, status: okStatus, photo };
  return { key, action, status: 'failed', photo, reason: resolution?.reason ?? `${describeKey(key)} was not looked up.` };
}

/**
 * A failed outcome for every entry of every same-user conflict (also entries the run did not plan
 * to write: the message is the same on each, naming all of them with their file and line).
 */
function conflictOutcomes(conflicts: ReadonlyMap<string, SameSubjectConflict>, dryRun: boolean): UserOutcome[] {
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
function heldRemovals(removals: readonly Plan['removals'][number][], resolutions: ReadonlyMap<string, UserResolution>, subjects: ReadonlyMap<string, SubjectEntries>): Map<string, UserOutcome> {
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
function kept(plan: Plan, options: ApplyOptions): UserOutcome[] {
  if (options.prune) return [];
  return plan.removals.map((r) => ({ key: r.key, action: 'remove' as const, status: 'kept' as const, photo: r.photo, reason: 'Removed from the manifests; the photo stays in the tenant without prune.' }));
}

async function flush(ledger: Ledger, base: string | undefined, head: string, log: (line: string) => void): Promise<void> {
  try {
    await ledger.flushProgress(base, head);
  } catch (err) {
    // Progress is an optimisation for resuming; failing to record it must not stop the uploads.
    log(`Could not record progress: ${(err as Error).message}`);
  }
}


/**
 * Whether `commit` is an ancestor of `than`. Shallow clones may lack the history to tell: then
 * the committer dates decide (the default branch's history is linear in time in practice).
 */
async function isOlder(repo: string, commit: string, than: string): Promise<boolean> {
  const byHistory = await gitMaybe(repo, ['merge-base', '--is-ancestor', commit, than]);
  if (byHistory !== undefined) return true;
  // In a full clone history has answered: the usual case (the head is newer) stops here.
  if ((await gitMaybe(repo, ['rev-parse', '--is-shallow-repository']))?.trim() !== 'true') return false;
  const dates = (await gitMaybe(repo, ['show', '-s', '--format=%ct', commit, than]))?.trim().split('\n').map(Number);
  return dates !== undefined && dates.length === 2 && dates[0]! < dates[1]!;
}

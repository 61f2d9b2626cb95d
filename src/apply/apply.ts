import { countFindings } from '../core/findings.js';
import { isUserError } from '../core/errors.js';
import type { Vocabulary } from '../core/vocabulary.js';
import { Semaphore } from '../core/pool.js';
import { Progress, throttleOf, type ProgressSettings } from '../core/progress.js';
import { desiredStateOf, sameSubjectConflicts, type DesiredState, type SameSubjectConflict, type SubjectEntries } from '../desired/desired.js';
import { printable } from '../core/untrusted.js';
import { describeKey, type UserKey } from '../manifest/userKey.js';
import { checkPhoto, compareSignatures, photoSignature, recommendedParallelism, SAME_PHOTO_THRESHOLD } from '../photo/index.js';
import { diffDesired, type Plan } from '../plan/plan.js';
import { gitMaybe } from '../repo/git.js';
import { BufferPool, type Lease } from '../repo/bufferPool.js';
import { RevisionSnapshot } from '../repo/revision.js';
import { attemptsOf, PacerCancelledError, WritePacer, type PacerStats } from '../tenant/index.js';
import {
  isResolvedSubject as isResolved,
  photoTargetOf,
  type DeletedSubject,
  type PhotoTarget,
  type SubjectResolution as UserResolution,
  type TargetInput,
  type TargetPolicyChange,
} from '../target/index.js';
import { validateRepository, type ValidationResult } from '../validate/validate.js';
import { Ledger, type LandedEntry, type PendingEntry } from './ledger.js';
import { Lookahead } from './lookahead.js';
import { ApplyLease } from './lock.js';
import { photoPolicyRefusal, planPolicyStep, rolesNeededFor, wantedPolicy, type PolicyStep, type TenantPolicy } from './policyGuard.js';
import { SubjectTracker, type TrackerStep } from './subjectTracker.js';
import { userNames, type UserNames } from './names.js';

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
  /** How the edge running apply names its options in messages (CLI flags or action inputs). */
  words?: Vocabulary;
  /** Cancellation (SIGTERM, time budget): nothing new starts; in-flight writes finish. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Progress lines of the uploads (through `log`): interval, log group (core/progress.ts). */
  progress?: ProgressSettings;
  /** Progress notes are written after at least this many landed changes (and at the end). */
  progressEvery?: number;
  /** Photo writes: a pacer built for this run unless given (tests, benchmarks). */
  pacer?: WritePacer;
  /** Names this run in the apply lease (e.g. the workflow run URL). */
  leaseHolder?: string;
  /**
   * A key that resolves to nobody (not created yet, or deleted) or to a disabled account:
   * `pending` (the default) leaves it waiting — the rest lands, the record advances, the user is
   * listed with the revision and looked up again by every later run; `fail` fails the run (the
   * record holds). Ambiguous keys and lookup failures fail either way.
   */
  unknownUsers?: UnknownUsers;
  /**
   * Drift repair (`drift --fix`): upload the head's photo of exactly these users (canonical keys)
   * whatever the applied record says, and the declared policy if the tenant's differs. No
   * removals; progress notes and the applied-revision record are left alone (record 'repair').
   */
  repair?: { users: ReadonlySet<string> };
}

/**
 * `not-attempted`: never sent because the run stopped writing (the tenant's photo policy refused
 * this app: ApplyResult.halted says why, once); the next run tries it again.
 */
export type OutcomeStatus = 'uploaded' | 'removed' | 'failed' | 'cancelled' | 'not-attempted' | 'would-upload' | 'would-remove' | 'kept' | 'pending';

/** What apply does with a key that has no usable account (ApplyOptions.unknownUsers). */
export type UnknownUsers = 'pending' | 'fail';
export const UNKNOWN_USERS: readonly UnknownUsers[] = ['pending', 'fail'];

export interface UserOutcome {
  key: UserKey;
  action: 'upload' | 'remove';
  status: OutcomeStatus;
  photo?: string;
  reason?: string;
  attempts?: number;
  /**
   * `same-user`: another entry of the head is the same tenant user; nothing was written for it.
   * `no-account` / `deleted` / `disabled` (status `pending`, or `failed` with unknownUsers `fail`):
   * the key resolves to nobody (`deleted`: a user in the recycle bin), or to a disabled account.
   */
  code?: 'same-user' | 'no-account' | 'deleted' | 'disabled';
  /** Where the manifest declares the user (set for users waiting for an account). */
  declaredAt?: { file: string; line: number };
  /** Users waiting for an account: when a run first found them waiting (ISO 8601). */
  waitingSince?: string;
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
  /**
   * The run stopped writing photos: the tenant answered 403 ForbiddenByAdminEditPolicy (its photo
   * update policy refuses this app). `message` is the run's one error: the policy, what it means,
   * what to do. The users refused are `failed`, the rest `not-attempted`.
   */
  halted?: { code: 'photo-policy'; message: string; refused: number; notAttempted: number };
  /** Canonical key → the name reports show beside it: the manifest's `name:`, else the tenant's displayName. */
  names?: UserNames;
}

/**
 * Applies the reviewed change: the plan from the last revision applied completely to this
 * environment up to `head`. Never re-derives intent from anything but two revisions (and the
 * progress notes of interrupted runs between them).
 */
export async function applyRevision(options: ApplyOptions, input: TargetInput): Promise<ApplyResult> {
  const tenant = photoTargetOf(input);
  const started = performance.now();
  const log = options.log ?? (() => {});
  const ledger = new Ledger({ repo: options.repo, environment: options.environment, ...(options.remote ? { remote: options.remote } : {}) });
  const headSnapshot = await RevisionSnapshot.open(options.repo, options.head);
  const head = headSnapshot.commit;
  const snapshots = [headSnapshot];
  let names: UserNames | undefined; // known once users are looked up
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
    ...(names ? { names } : {}),
    ...partial,
  });
  let photos: PhotoLookahead | undefined;
  let progress: Progress | undefined;
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
    // Users the base was applied without (no account yet): the tenant does not have their photo,
    // so the plan treats them as new and this run looks them up again.
    const waitingAtBase = await ledger.pendingAt(base);
    if (desiredBase && waitingAtBase.size > 0) {
      desiredBase = withoutUsers(desiredBase, waitingAtBase.keys());
      log(`${waitingAtBase.size} user(s) were waiting for an account when ${base!.slice(0, 12)} was applied: looking them up again.`);
    }
    const plan = diffDesired(desiredBase, desiredHead, { prune: options.prune });
    log(base ? `Applying ${base.slice(0, 12)}..${head.slice(0, 12)} to ${options.environment}.` : `No revision was applied to ${options.environment} yet: planning everything in ${head.slice(0, 12)}.`);

    // 2. Interrupted runs from the same base changed the tenant already: plan from what is live
    //    (the base overlaid with what they landed), so landed photos are not sent again and a
    //    photo that landed but is no longer wanted is put right.
    const landed = await ledger.landedSince(base);
    const live = overlayLanded(desiredBase, desiredHead, landed);
    const effective = landed.size ? diffDesired(live, desiredHead, { prune: options.prune }) : plan;
    const uploads = effective.uploads;
    const removals = options.prune ? effective.removals : [];
    const stillToDo = new Set([...uploads, ...removals].map((c) => c.key.canonical));
    const landedKeys = [...plan.uploads, ...(options.prune ? plan.removals : [])].filter((c) => !stillToDo.has(c.key.canonical)).map((c) => c.key.canonical);
    // Normalising needs nothing from the tenant: start it now, while users are looked up (a dry
    // run normalises only what it compares with the tenant, on demand).
    photos = preparePhotos(uploads, headSnapshot, !options.dryRun);
    const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});

    // 3. The policy, read only when a manifest manages it, while users are looked up; a change
    //    that must go first (it unblocks writes) is made before the first photo is sent.
    const policyPlanning = planPolicy(desiredHead, tenant, options);
    const beforeWrites = policyPlanning.then((plan) => (!options.dryRun && plan.step.kind === 'before-photos' ? patchPolicy(tenant, plan, log) : plan.outcome));
    // A sign-in failure rejects these before they are awaited: awaited later, not unhandled now.
    beforeWrites.catch(() => {});

    // 4. Users are looked up 20 to a $batch, and each is written as soon as its lookup answers
    //    and nothing else is pending for it: one person, one photo (entries of the head that are
    //    one tenant user under two keys are written for neither, and fail the run); with no
    //    record yet, the tenant's photo is compared first, so adopting a tenant (export, then the
    //    first apply) does not re-upload photos that are already there.
    const recordLanded = async (entry: Parameters<Ledger['record']>[0]) => {
      ledger.record(entry);
      if (ledger.dueForFlush(options.progressEvery ?? 50)) await flush(ledger, base, head, log);
    };
    const outcomes: UserOutcome[] = [];
    progress = new Progress({
      verb: options.dryRun ? 'Comparing' : removals.length ? 'Uploading and removing' : 'Uploading',
      total: uploads.length + removals.length,
      log,
      throttle: throttleOf(pacer),
      ...(options.progress ? { settings: options.progress } : {}),
    });
    const written = await writeUsers({
      uploads,
      progress,
      keys: [...uploads.map((u) => u.key), ...removals.map((r) => r.key)],
      desired: desiredHead,
      tenant,
      pacer,
      photos,
      compareWithTenant: !base,
      dryRun: options.dryRun,
      beforeWrites,
      recordLanded,
      outcomes,
      unknownUsers: options.unknownUsers ?? 'pending',
      waitingSince: waitingAtBase,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { resolutions, breaker } = written;
    // The final count right after the uploads (removals, if any, are counted as they are made).
    if (removals.length === 0) progress.finish();
    names = userNames([desiredHead, desiredBase], resolutions);
    const subjects = written.groups;
    // A removal whose user is still declared under another key (a manifest switched from UPN to
    // employeeId) deletes nothing.
    const conflicts = sameSubjectConflicts(subjects);
    const held = heldRemovals(removals, resolutions, subjects);
    const alreadyLanded = landedKeys.filter((canonical) => !conflicts.has(canonical)).length;
    if (alreadyLanded) log(`${alreadyLanded} planned change(s) already landed in an earlier run from the same base: skipped.`);
    if (conflicts.size) log(`${new Set(conflicts.values()).size} user(s) are declared twice under different keys: nothing is written for them.`);
    const alreadyInTenant = written.inTenant;
    await explainDeleted(outcomes, tenant, options.signal, log);
    if (!base && uploads.length > 0) log(`No applied revision is recorded for ${options.environment}: compared with the tenant, ${alreadyInTenant} user(s) already have their photo.`);
    const policyPlan = await policyPlanning;
    let policy = await beforeWrites;

    if (options.dryRun) {
      outcomes.push(...conflictOutcomes(conflicts, true));
      for (const r of removals) outcomes.push(held.get(r.key.canonical) ?? goneUserRemoval(r, resolutions.get(r.key.canonical), options) ?? resolutionOutcome(r.key, 'remove', resolutions.get(r.key.canonical), 'would-remove', r.photo));
      if (policy.status === 'applied') policy = { ...policy, status: 'would-apply' };
      progress.advance(removals.length);
      progress.finish();
      return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes: [...outcomes, ...kept(plan, options)], policy, appliedRevision: base, record: 'dry-run' });
    }
    outcomes.push(...conflictOutcomes(conflicts, false));
    // Removals after the uploads, and never of a user this head still declares under another key:
    // that would delete the photo just uploaded for them.
    for (const r of removals) {
      const keep = held.get(r.key.canonical);
      if (keep) {
        outcomes.push(keep);
        progress.advance();
        continue;
      }
      const resolution = resolutions.get(r.key.canonical);
      if (!resolution && options.signal?.aborted) {
        outcomes.push({ key: r.key, action: 'remove', status: 'cancelled', photo: r.photo, reason: 'The run was cancelled before this user was looked up.' });
        continue;
      }
      if (!isResolved(resolution)) {
        outcomes.push(goneUserRemoval(r, resolution, options) ?? resolutionOutcome(r.key, 'remove', resolution, 'failed', r.photo));
        progress.advance();
        continue;
      }
      if (breaker.tripped) {
        outcomes.push(notAttempted(r.key, 'remove', r.photo));
        continue;
      }
      try {
        await pacer.run(() => breaker.guard(() => tenant.deletePhoto(resolution.id, options.signal)), describeKey(r.key));
        outcomes.push({ key: r.key, action: 'remove', status: 'removed', photo: r.photo });
        await recordLanded({ action: 'remove', key: r.key.canonical });
      } catch (err) {
        outcomes.push(breaker.outcome(r.key, 'remove', r.photo, err) ?? failure(r.key, 'remove', r.photo, err));
      }
      if (!NOT_SENT.has(outcomes.at(-1)!.status)) progress.advance();
    }
    outcomes.push(...kept(plan, options));
    progress.finish();

    // 6. Policy after the photos (or refused), unless the run was cut short or the tenant refused
    //    the photos (what the guard assumed about this app's roles was wrong: change nothing more).
    if (options.signal?.aborted) {
      if (policy.status === 'applied') policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
    } else if (breaker.tripped && policyPlan.step.kind === 'after-photos') {
      policy = { ...policy, status: 'skipped', message: "The policy change was not made: the tenant's current photo policy refused this app's photo writes (see above); fix that first." };
    } else if (policyPlan.step.kind === 'after-photos') {
      policy = await patchPolicy(tenant, policyPlan, log);
    }
    const halted = breaker.tripped ? await policyHalt(breaker, outcomes, policyPlan, tenant, log) : undefined;

    // 7. Record: progress always; the applied revision only when everything landed.
    await flush(ledger, base, head, log);
    const complete = !halted && !options.signal?.aborted && outcomes.every((o) => o.status !== 'failed' && o.status !== 'cancelled' && o.status !== 'not-attempted') && !['refused', 'failed'].includes(policy.status);
    let record: ApplyResult['record'] = 'not-complete';
    let appliedRevision = base;
    if (complete) {
      // The users still waiting are listed on the revision before the record moves to it (a run
      // of the applied revision with nobody waiting before or after has nothing to write).
      const waitingNow = waitingEntries(outcomes, waitingAtBase);
      if (base !== head || waitingAtBase.size > 0 || waitingNow.length > 0) await ledger.writePending(head, waitingNow);
      if (base === head) record = 'unchanged';
      else {
        record = await ledger.advance(base, head);
        if (record === 'advanced') appliedRevision = head;
      }
    }
    return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes, policy, appliedRevision, record, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false, ...(halted ? { halted } : {}) });
  } finally {
    progress?.finish();
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
    tenant: PhotoTarget;
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
  const photos = preparePhotos(requested, headSnapshot, !options.dryRun);
  let progress: Progress | undefined;
  try {
    const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
    const policyPlanning = planPolicy(desiredHead, tenant, options);
    const beforeWrites = policyPlanning.then((plan) => (!options.dryRun && plan.step.kind === 'before-photos' ? patchPolicy(tenant, plan, log) : plan.outcome));
    // A sign-in failure rejects these before they are awaited: awaited later, not unhandled now.
    beforeWrites.catch(() => {});
    const outcomes: UserOutcome[] = [];
    progress = new Progress({ verb: options.dryRun ? 'Comparing' : 'Repairing', total: requested.length, log, throttle: throttleOf(pacer), ...(options.progress ? { settings: options.progress } : {}) });
    // Drift reports a user declared under two keys as an error, not as drifted; should one be
    // asked for anyway, it is not written here either.
    const written = await writeUsers({
      uploads: requested,
      progress,
      keys: requested.map((u) => u.key),
      desired: desiredHead,
      tenant,
      pacer,
      photos,
      compareWithTenant: false,
      dryRun: options.dryRun,
      beforeWrites,
      recordLanded: async () => {},
      outcomes,
      unknownUsers: options.unknownUsers ?? 'pending',
      waitingSince: new Map(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    progress.finish();
    outcomes.push(...conflictOutcomes(sameSubjectConflicts(written.groups), options.dryRun));
    const names = userNames([desiredHead], written.resolutions);
    const policyPlan = await policyPlanning;
    let policy = await beforeWrites;
    if (options.dryRun) {
      if (policy.status === 'applied') policy = { ...policy, status: 'would-apply' };
      return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'dry-run', names });
    }
    if (options.signal?.aborted) {
      if (policy.status === 'applied') policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
    } else if (written.breaker.tripped && policyPlan.step.kind === 'after-photos') {
      policy = { ...policy, status: 'skipped', message: "The policy change was not made: the tenant's current photo policy refused this app's photo writes (see above); fix that first." };
    } else if (policyPlan.step.kind === 'after-photos') {
      policy = await patchPolicy(tenant, policyPlan, log);
    }
    const halted = written.breaker.tripped ? await policyHalt(written.breaker, outcomes, policyPlan, tenant, log) : undefined;
    return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'repair', names, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false, ...(halted ? { halted } : {}) });
  } finally {
    progress?.finish();
    photos.stop();
  }
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

interface PolicyPlan {
  step: PolicyStep;
  outcome: PolicyOutcome;
  /** The live policy, when it was read (only when a manifest manages it). */
  live?: TenantPolicy;
  /**
   * What the PATCH sends: only the fields the manifest declares, so a field it leaves out is not
   * written back with the value read a moment earlier (someone may change it in between).
   */
  change?: TargetPolicyChange;
}

/**
 * The policy step: nothing to read when no manifest manages the policy (an app that manages only
 * photos needs no PeopleSettings permission: under a policy someone else set, writes are tried
 * and a refusal stops them). When one does, the live policy is compared with it, and the app's
 * directory roles are read only to guard a change that would restrict photo writes to roles.
 * Never throws for the policy itself: a failure is the policy's outcome, and the photos go on. A
 * sign-in failure (the app, tenant or token: UserError auth/config) is the run's, and is thrown.
 */
async function planPolicy(desired: DesiredState, tenant: PhotoTarget, options: ApplyOptions): Promise<PolicyPlan> {
  if (!desired.policy) return { step: { kind: 'none' }, outcome: { status: 'not-managed' } };
  const declared = `${printable(desired.policy.declaredAt.file)}:${desired.policy.declaredAt.line}`;
  if (!tenant.policy) return { step: { kind: 'none' }, outcome: { status: 'failed', message: `The manifests declare a photo update policy (policy: at ${declared}), and the ${tenant.id} target has none.` } };
  let live: TenantPolicy;
  try {
    live = await tenant.policy.read();
  } catch (err) {
    if (isUserError(err) && (err.kind === 'auth' || err.kind === 'config')) throw err;
    return { step: { kind: 'none' }, outcome: { status: 'failed', message: tenant.policy.describeReadFailure(err, declared) } };
  }
  const wanted = wantedPolicy(desired.policy, live);
  let appRoles: string[] | undefined;
  let rolesProblem: string | undefined;
  if (rolesNeededFor(live, wanted)) {
    try {
      appRoles = await tenant.policy.callerRoles();
    } catch (err) {
      rolesProblem = `the app's role assignments could not be read: ${(err as Error).message}`;
    }
  }
  const step = planPolicyStep(live, wanted, appRoles, options.allowPolicyLockout, rolesProblem, options.words);
  const outcome: PolicyOutcome =
    step.kind === 'none'
      ? { status: 'unchanged', from: live, to: wanted }
      : step.kind === 'refuse'
        ? { status: 'refused', from: live, to: wanted, message: step.reason }
        : { status: 'applied', from: live, to: wanted };
  const change: TargetPolicyChange = {
    ...(desired.policy.source ? { source: desired.policy.source } : {}),
    ...(desired.policy.allowedRoles ? { allowedRoles: desired.policy.allowedRoles } : {}),
  };
  return { step, outcome, live, change };
}

async function patchPolicy(tenant: PhotoTarget, plan: PolicyPlan, log: (line: string) => void): Promise<PolicyOutcome> {
  if (plan.step.kind !== 'before-photos' && plan.step.kind !== 'after-photos') return plan.outcome;
  try {
    await tenant.policy!.change(plan.change ?? plan.step.to);
    log('Photo policy updated (it takes up to 24 hours to apply everywhere).');
    return plan.outcome;
  } catch (err) {
    return { ...plan.outcome, status: 'failed', message: `The policy change failed: ${(err as Error).message}` };
  }
}

type Upload = Plan['uploads'][number];
/** Outcomes of changes never sent: not counted as done in the progress lines. */
const NOT_SENT: ReadonlySet<OutcomeStatus> = new Set(['cancelled', 'not-attempted']);
/** A photo ready to send, or why it cannot be. */
type PreparedPhoto = { jpeg: Buffer } | { reason: string };
type PhotoLookahead = Lookahead<Upload, PreparedPhoto>;

/**
 * Normalising (CPU) runs ahead of uploading (network, paced to the throttle): it starts as soon
 * as the plan is known and keeps a bounded number of photos ready, so the cores stay busy while
 * the run looks users up and while photos wait for the throttle. Memory stays flat however many
 * photos there are: at most `ahead` normalised photos wait, plus those in flight.
 */
function preparePhotos(uploads: readonly Upload[], headSnapshot: RevisionSnapshot, workAhead: boolean): PhotoLookahead {
  const parallelism = recommendedParallelism();
  const cpuSlots = new Semaphore(parallelism);
  // Originals are needed only while they are normalised: one reusable buffer per photo in flight.
  const originals = new BufferPool(parallelism);
  const ahead = Math.max(32, parallelism * 8);
  const photos = new Lookahead(uploads, (upload: Upload) => preparePhoto(upload, headSnapshot, cpuSlots, originals), ahead);
  // A dry run sends nothing: it normalises only the photos it compares with the tenant (take()).
  if (workAhead) photos.fill();
  else photos.keepOnly(new Set());
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

interface WriteContext {
  uploads: readonly Upload[];
  /** Advanced once per upload as it is settled (written, skipped, failed, waiting, conflicting). */
  progress: Progress;
  /** Every key the run looks up: its uploads' and its removals'. */
  keys: readonly UserKey[];
  desired: DesiredState;
  tenant: PhotoTarget;
  pacer: WritePacer;
  photos: PhotoLookahead;
  /** No applied record yet: compare with the tenant's photo before writing. */
  compareWithTenant: boolean;
  dryRun: boolean;
  /** Settles when photos may be written (after a policy change that must go first). */
  beforeWrites: Promise<unknown>;
  recordLanded: (entry: { action: 'upload'; key: string; fingerprint: string }) => Promise<void>;
  outcomes: UserOutcome[];
  /** Keys without a usable account: waiting (`pending`) or failed. */
  unknownUsers: UnknownUsers;
  /** Users already waiting at the base, with the time they were first found waiting. */
  waitingSince: ReadonlyMap<string, PendingEntry>;
  signal?: AbortSignal;
}

interface WriteResult {
  /** Answers of the lookups of `keys`. */
  resolutions: ReadonlyMap<string, UserResolution>;
  /** Head entries per tenant subject (entriesBySubject's groups): same-user conflicts and held removals. */
  groups: Map<string, SubjectEntries>;
  /** Uploads whose photo the tenant already holds (first apply). */
  inTenant: number;
  breaker: PolicyBreaker;
}

/** A user ready to be written: looked up, in no same-user conflict; `compare` first on a first apply. */
interface ReadyUser {
  upload: Upload;
  userId: string;
  compare: boolean;
}

/**
 * Looks users up and writes their photos as a pipeline, so the first photo leaves one lookup
 * round trip after sign-in instead of after every lookup:
 *   lookups (20 to a $batch, 4 in flight) ─▶ same-user check (SubjectTracker: a user is released
 *   once no other entry of the head can be the same tenant user) ─▶ on a first apply, which of
 *   them have a photo (20 to a $batch) and, for those that do, is it already the repository's
 *   (download and compare) ─▶ upload (normalised ahead, paced, retried) ─▶ progress record.
 * Conflicting users are written for neither (the caller reports them from `groups`); removals are
 * only looked up here and deleted by the caller after the uploads.
 */
async function writeUsers(ctx: WriteContext): Promise<WriteResult> {
  const { photos, tenant, signal } = ctx;
  const byKey = new Map(ctx.uploads.map((u) => [u.key.canonical, u]));
  const tracker = new SubjectTracker(ctx.desired, ctx.keys.map((k) => k.canonical));
  const breaker = new PolicyBreaker(tenant, () => photos.stop());
  const ready = new WorkQueue<ReadyUser>();
  const side = new Set<Promise<void>>();
  const decided = new Set<string>();
  let inTenant = 0;
  let broken: { error: unknown } | undefined;
  const readPacer = ctx.compareWithTenant ? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, ...(signal ? { signal } : {}) }) : undefined;
  const presenceSlots = new Semaphore(4);
  const cpu = new Semaphore(recommendedParallelism());

  const background = (work: () => Promise<void>) => {
    const job = work().catch((error: unknown) => {
      broken ??= { error };
    });
    side.add(job);
    void job.finally(() => side.delete(job));
  };
  // Each upload counts once as it is settled; one never sent (cancelled, or stopped by the photo
  // policy) is not "done", so a stopped run's final count says how far it got.
  const counted = new Set<string>();
  const count = (upload: Upload, done = true) => {
    if (counted.has(upload.key.canonical)) return;
    counted.add(upload.key.canonical);
    if (done) ctx.progress.advance();
  };
  const settle = (upload: Upload, outcome?: UserOutcome) => {
    count(upload, !outcome || !NOT_SENT.has(outcome.status));
    decided.add(upload.key.canonical);
    photos.discard(upload);
    if (outcome) ctx.outcomes.push(outcome);
  };
  const step = ({ released, toConfirm }: TrackerStep) => {
    if (toConfirm.length > 0) {
      background(async () => step(tracker.confirm(toConfirm, await tenant.resolveSubjects(toConfirm, signal ? { signal } : {}))));
    }
    const users: { upload: Upload; userId: string }[] = [];
    for (const canonical of released) {
      const upload = byKey.get(canonical);
      if (!upload) continue; // a removal: the caller deletes after the uploads
      const resolution = tracker.resolution(canonical);
      if (!isResolved(resolution)) settle(upload, noAccountOutcome(upload, resolution, ctx) ?? resolutionOutcome(upload.key, 'upload', resolution, 'failed', upload.photo));
      else if (tracker.entriesOf(canonical).length > 1) settle(upload); // same user twice: reported with all its entries
      else if (resolution.accountEnabled === false) settle(upload, noAccountOutcome(upload, resolution, ctx));
      else users.push({ upload, userId: resolution.id });
    }
    if (users.length === 0) return;
    if (!ctx.compareWithTenant) {
      for (const user of users) ready.push({ ...user, compare: false });
      return;
    }
    // Users without any photo need no download: ask 20 at a time which ones have one.
    background(async () => {
      const present = await presenceSlots.run(() => tenant.photoPresence(users.map((u) => u.userId), signal ? { signal } : {}));
      for (const user of users) ready.push({ ...user, compare: present.get(user.userId) !== false });
    });
  };

  const writeOne = async ({ upload, userId, compare }: ReadyUser): Promise<void> => {
    decided.add(upload.key.canonical);
    if (broken) return photos.discard(upload);
    if (signal?.aborted) return settle(upload, { key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this photo was sent.' });
    if (breaker.tripped) return settle(upload, notAttempted(upload.key, 'upload', upload.photo));
    const prepared = photos.take(upload);
    if (compare && (await sameAsTenant({ tenant, readPacer: readPacer!, cpu, userId, prepared, label: describeKey(upload.key), ...(signal ? { signal } : {}) }))) {
      inTenant++;
      return;
    }
    if (ctx.dryRun) {
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'would-upload', photo: upload.photo });
      return;
    }
    await ctx.beforeWrites;
    const photo = await prepared;
    if ('reason' in photo) {
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'failed', photo: upload.photo, reason: photo.reason });
      return;
    }
    if (breaker.tripped) return settle(upload, notAttempted(upload.key, 'upload', upload.photo));
    try {
      await ctx.pacer.run(() => breaker.guard(() => tenant.putPhoto(userId, photo.jpeg, signal)), describeKey(upload.key));
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'uploaded', photo: upload.photo });
      await ctx.recordLanded({ action: 'upload', key: upload.key.canonical, fingerprint: upload.fingerprint });
    } catch (err) {
      const outcome = breaker.outcome(upload.key, 'upload', upload.photo, err) ?? failure(upload.key, 'upload', upload.photo, err);
      if (NOT_SENT.has(outcome.status)) count(upload, false);
      ctx.outcomes.push(outcome);
    }
  };

  // A writer holds its photo from taking it until its upload ends, so the writers must cover the
  // uploads the pacer may keep in flight plus a few photos waiting for it: with cores × 4 alone
  // (12 on a 2-core runner) uploads in flight were capped at 12, i.e. 12 / latency writes per second.
  const writers = Array.from({ length: ctx.pacer.maxConcurrency + Math.max(8, recommendedParallelism() * 4) }, async () => {
    for (let user = await ready.next(); user; user = await ready.next()) {
      try {
        await writeOne(user);
      } finally {
        count(user.upload);
      }
    }
  });

  let resolutions: ReadonlyMap<string, UserResolution> = new Map();
  try {
    resolutions = await tenant.resolveSubjects(ctx.keys, { ...(signal ? { signal } : {}), onResolved: (answers) => step(tracker.resolved(answers)) });
    step(tracker.resolved(resolutions)); // any answer not announced as its batch landed
  } catch (error) {
    // A cancelled run stops looking users up: the users not reached are reported as cancelled.
    if (!signal?.aborted) broken ??= { error };
  }
  while (side.size > 0) await Promise.all([...side]);
  ready.close();
  await Promise.all(writers);
  if (readPacer) await readPacer.onIdle();
  if (broken) throw broken.error;
  for (const upload of ctx.uploads) {
    if (decided.has(upload.key.canonical) || !signal?.aborted) continue;
    settle(upload, { key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this user was looked up.' });
  }
  return { resolutions: tracker.resolutions, groups: tracker.groups(), inTenant, breaker };
}

/**
 * Whether the tenant already holds this user's photo: downloaded and compared with the photo
 * apply would send, by the same perceptual comparison as drift (Graph re-encodes, so bytes never
 * match). Anything uncertain (no photo, a failed download, an undecodable photo) is "no": upload.
 */
async function sameAsTenant(c: { tenant: PhotoTarget; readPacer: WritePacer; cpu: Semaphore; userId: string; prepared: Promise<PreparedPhoto>; label: string; signal?: AbortSignal }): Promise<boolean> {
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
    const [a, b] = await c.cpu.run(() => Promise.all([photoSignature(ours.jpeg), photoSignature(theirs)]));
    return compareSignatures(a, b, SAME_PHOTO_THRESHOLD).same;
  } catch {
    return false;
  }
}

/** An unbounded FIFO that writers wait on; closing it lets them finish. */
class WorkQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #closed = false;
  #waiting: (() => void)[] = [];

  push(item: T): void {
    this.#items.push(item);
    this.#waiting.shift()?.();
  }

  close(): void {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.#head < this.#items.length) {
        const item = this.#items[this.#head];
        this.#items[this.#head++] = undefined;
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        return item;
      }
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }
}

/** A write not sent because the breaker had tripped by the time the pacer started it. */
class NotSentError extends Error {
  constructor() {
    super('Not sent: photo writes stopped after the tenant refused them.');
    this.name = 'NotSentError';
  }
}

/**
 * The circuit breaker for a photo policy that refuses this app: the first 403
 * ForbiddenByAdminEditPolicy trips it, and from then on no photo write is sent (writes the pacer
 * starts later throw NotSentError unsent; requests already in flight finish and report). With the
 * pacer's initial concurrency that is a handful of refused writes, not one per user.
 */
class PolicyBreaker {
  tripped = false;
  /** Writes the tenant answered with the policy refusal. */
  refused = 0;
  constructor(
    private readonly target: PhotoTarget,
    private readonly onTrip: () => void,
  ) {}

  guard<T>(write: () => Promise<T>): Promise<T> {
    if (this.tripped) return Promise.reject(new NotSentError());
    return write();
  }

  /** The outcome of a write that failed because of the breaker or the policy; undefined for any other failure. */
  outcome(key: UserKey, action: 'upload' | 'remove', photo: string, err: unknown): UserOutcome | undefined {
    if (err instanceof NotSentError) return notAttempted(key, action, photo);
    const failure = this.target.classifyFailure(err);
    if (failure.kind !== 'refused-by-policy') return undefined;
    this.refused++;
    if (!this.tripped) {
      this.tripped = true;
      this.onTrip();
    }
    return { key, action, status: 'failed', photo, reason: `Refused by the tenant's photo update policy (403 ForbiddenByAdminEditPolicy${failure.requestId ? `, request-id ${failure.requestId}` : ''}): see the run's error.` };
  }
}

function notAttempted(key: UserKey, action: 'upload' | 'remove', photo: string): UserOutcome {
  return { key, action, status: 'not-attempted', photo, reason: "Not attempted: photo writes stopped when the tenant's photo update policy refused them." };
}

/** The run's one error for a tripped breaker: the policy as far as it can be read, and what to do. */
async function policyHalt(breaker: PolicyBreaker, outcomes: readonly UserOutcome[], plan: PolicyPlan, tenant: PhotoTarget, log: (line: string) => void): Promise<NonNullable<ApplyResult['halted']>> {
  let live = plan.live;
  let unreadable: string | undefined;
  if (!live && tenant.policy) {
    try {
      live = await tenant.policy.read();
    } catch (err) {
      unreadable = tenant.policy.whyUnreadable(err);
    }
  }
  const notAttemptedCount = outcomes.filter((o) => o.status === 'not-attempted').length;
  const message = photoPolicyRefusal(live, {
    sent: breaker.refused,
    notAttempted: notAttemptedCount,
    ...(unreadable ? { policyUnreadable: unreadable } : {}),
    ...(tenant.signIn === 'delegated' ? { delegated: true } : {}),
  });
  log(message);
  return { code: 'photo-policy', message, refused: breaker.refused, notAttempted: notAttemptedCount };
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
 * The outcome of an upload whose key resolves to nobody (not created yet, or deleted: Entra keeps
 * a deleted user 30 days in its recycle bin, outside /users) or to a disabled account: waiting
 * (`pending`), or failed under unknownUsers `fail`. Undefined for other unresolved keys (ambiguous,
 * lookup failed): they fail as before.
 */
function noAccountOutcome(upload: Upload, resolution: UserResolution | undefined, ctx: Pick<WriteContext, 'unknownUsers' | 'waitingSince'>): UserOutcome | undefined {
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
function goneUserRemoval(r: Plan['removals'][number], resolution: UserResolution | undefined, options: Pick<ApplyOptions, 'unknownUsers'>): UserOutcome | undefined {
  if (isResolved(resolution) || resolution?.problem !== 'not-found' || (options.unknownUsers ?? 'pending') !== 'pending') return undefined;
  return { key: r.key, action: 'remove', status: 'kept', photo: r.photo, code: 'no-account', reason: `${resolution.reason} There is no photo to remove.` };
}

/**
 * Users without an account who are in the tenant's recycle bin (deleted, restorable for 30 days)
 * get their own reason. Best effort: if the deleted users cannot be read, the reason stays.
 */
async function explainDeleted(outcomes: UserOutcome[], tenant: PhotoTarget, signal: AbortSignal | undefined, log: (line: string) => void): Promise<void> {
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
function waitingEntries(outcomes: readonly UserOutcome[], atBase: ReadonlyMap<string, PendingEntry>): PendingEntry[] {
  return outcomes
    .filter((o) => o.status === 'pending')
    .map((o) => ({ key: o.key.canonical, problem: o.code === 'disabled' ? ('disabled' as const) : ('not-found' as const), since: o.waitingSince ?? atBase.get(o.key.canonical)?.since ?? new Date().toISOString() }));
}

/** A desired state without some users (those the tenant does not hold though the state declares them). */
function withoutUsers(state: DesiredState, keys: Iterable<string>): DesiredState {
  const users = new Map(state.users);
  for (const key of keys) users.delete(key);
  return { ...state, users };
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

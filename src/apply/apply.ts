/**
 * apply: the orchestration of one run against one target. The parts:
 *   live.ts       — reading what is live: the plan from the applied base (and what interrupted
 *                   runs landed) to the head; whether the target already holds a photo
 *   execute.ts    — executing a plan against one target: lookups and uploads as a pipeline, removals
 *   policyStep.ts — the photo policy's place in the run, and the breaker for refused writes
 *   photos.ts     — normalising ahead of the uploads
 *   outcomes.ts   — how each change is reported
 *   repair.ts     — drift's fix: the same execution for the drifted users, nothing recorded
 * and here: the lease, validation, the ledger (progress notes, the applied-revision record).
 */
import { countFindings } from '../core/findings.js';
import { Progress, throttleOf } from '../core/progress.js';
import { desiredStateOf, sameSubjectConflicts } from '../desired/desired.js';
import { gitMaybe } from '../repo/git.js';
import { RevisionSnapshot } from '../repo/revision.js';
import { WritePacer, pacingClassifierOf } from '../pacing/index.js';
import { photoTargetOf, type TargetInput } from '../target/index.js';
import { validateRepository } from '../validate/validate.js';
import { executeRemovals, writeUsers, type RecordLanded } from './execute.js';
import { Ledger } from './ledger.js';
import { planFromLive } from './live.js';
import { ApplyLease } from './lock.js';
import { userNames, type UserNames } from './names.js';
import { conflictOutcomes, explainDeleted, goneUserRemoval, heldRemovals, kept, resolutionOutcome, waitingEntries } from './outcomes.js';
import { preparePhotos, type PhotoLookahead } from './photos.js';
import { finishPolicy, startPolicy } from './policyStep.js';
import { repairDrift } from './repair.js';
import type { ApplyOptions, ApplyResult, UserOutcome } from './types.js';

export type { ApplyOptions, ApplyResult, OutcomeStatus, PolicyOutcome, UnknownUsers, UserOutcome } from './types.js';

/**
 * Applies the reviewed change: the plan from the last revision applied completely to this
 * environment up to `head`. Never re-derives intent from anything but two revisions (and the
 * progress notes of interrupted runs between them).
 */
export async function applyRevision(options: ApplyOptions, input: TargetInput): Promise<ApplyResult> {
  const tenant = photoTargetOf(input);
  const started = performance.now();
  const log = options.log ?? (() => {});
  // Each target keeps its own record (Entra's, the default, under today's ref names): one target's
  // failure never holds another back.
  const ledger = new Ledger({ repo: options.repo, environment: options.environment, target: tenant.id, ...(options.remote ? { remote: options.remote } : {}), ...(options.provenance ? { provenance: options.provenance } : {}) });
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
    ...(tenant.policy ? {} : { targetHasNoPolicy: true as const }),
    ...partial,
  });
  let photos: PhotoLookahead | undefined;
  let progress: Progress | undefined;
  // One apply per environment at a time (a dry run writes nothing and needs no lease).
  const lease = options.dryRun ? undefined : new ApplyLease({ repo: options.repo, environment: options.environment, target: tenant.id, ...(options.remote ? { remote: options.remote } : {}), ...(options.signal ? { signal: options.signal } : {}), log, ...(options.leaseHolder ? { holder: options.leaseHolder } : {}) });
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
    const desiredHead = await desiredStateOf(headSnapshot, validation, tenant.spec, tenant.id);
    if (options.repair) return await repairDrift(options, options.repair.users, { tenant, headSnapshot, validation, base, desiredHead, result, log });

    // 2. What is live: the plan from the base, less what interrupted runs from it landed.
    const live = await planFromLive({ repo: options.repo, ledger, base, spec: tenant.spec, target: tenant.id, desiredHead, prune: options.prune, snapshots, log });
    const { desiredBase, plan, uploads, removals, landedKeys, waitingAtBase } = live;
    log(base ? `Applying ${base.slice(0, 12)}..${head.slice(0, 12)} to ${options.environment}.` : `No revision was applied to ${options.environment} yet: planning everything in ${head.slice(0, 12)}.`);
    // Normalising needs nothing from the tenant: start it now, while users are looked up (a dry
    // run normalises only what it compares with the tenant, on demand).
    photos = preparePhotos(uploads, headSnapshot, !options.dryRun);
    const pacer = options.pacer ?? new WritePacer({ classify: pacingClassifierOf(tenant), ...(options.signal ? { signal: options.signal } : {}) });

    // 3. The policy, read only when a manifest manages it, while users are looked up; a change
    //    that must go first (it unblocks writes) is made before the first photo is sent.
    const policyStart = startPolicy(desiredHead, tenant, options, log);

    // 4. Users are looked up 20 to a $batch, and each is written as soon as its lookup answers
    //    and nothing else is pending for it: one person, one photo (entries of the head that are
    //    one tenant user under two keys are written for neither, and fail the run); with no
    //    record yet, the tenant's photo is compared first, so adopting a tenant (export, then the
    //    first apply) does not re-upload photos that are already there.
    const recordLanded: RecordLanded = async (entry) => {
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
      beforeWrites: policyStart.beforeWrites,
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
    const policyPlan = await policyStart.planning;
    let policy = await policyStart.beforeWrites;

    if (options.dryRun) {
      outcomes.push(...conflictOutcomes(conflicts, true));
      for (const r of removals) outcomes.push(held.get(r.key.canonical) ?? goneUserRemoval(r, resolutions.get(r.key.canonical), options) ?? resolutionOutcome(r.key, 'remove', resolutions.get(r.key.canonical), 'would-remove', r.photo));
      if (policy.status === 'applied') policy = { ...policy, status: 'would-apply' };
      progress.advance(removals.length);
      progress.finish();
      return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes: [...outcomes, ...kept(plan, options)], policy, appliedRevision: base, record: 'dry-run' });
    }
    outcomes.push(...conflictOutcomes(conflicts, false));
    // 5. Removals after the uploads.
    await executeRemovals({ removals, held, resolutions, tenant, pacer, breaker, progress, outcomes, recordLanded, unknownUsers: options.unknownUsers, signal: options.signal });
    outcomes.push(...kept(plan, options));
    progress.finish();

    // 6. Policy after the photos (or refused), unless the run was cut short or the tenant refused
    //    the photos.
    const finished = await finishPolicy({ target: tenant, plan: policyPlan, policy, breaker, outcomes, signal: options.signal, log });
    policy = finished.policy;
    const halted = finished.halted;

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

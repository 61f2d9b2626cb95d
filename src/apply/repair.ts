/**
 * `drift --fix`: the same execution as apply (normalise, pace, retry; policy ordered by the
 * lockout guard), restricted to the drifted users, from the head alone. Nothing is recorded:
 * the applied record still says which reviewed revision was applied completely.
 */
import { Progress, throttleOf } from '../core/progress.js';
import { sameSubjectConflicts, type DesiredState } from '../desired/desired.js';
import { diffDesired, type Plan } from '../plan/plan.js';
import type { RevisionSnapshot } from '../repo/revision.js';
import { WritePacer, pacingClassifierOf } from '../pacing/index.js';
import type { PhotoTarget } from '../target/index.js';
import type { ValidationResult } from '../validate/validate.js';
import { writeUsers } from './execute.js';
import { userNames } from './names.js';
import { conflictOutcomes } from './outcomes.js';
import { preparePhotos } from './photos.js';
import { finishPolicy, startPolicy } from './policyStep.js';
import type { ApplyOptions, ApplyResult, UserOutcome } from './types.js';

export async function repairDrift(
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
    const pacer = options.pacer ?? new WritePacer({ classify: pacingClassifierOf(tenant), ...(options.signal ? { signal: options.signal } : {}) });
    const policyStart = startPolicy(desiredHead, tenant, options, log);
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
      beforeWrites: policyStart.beforeWrites,
      recordLanded: async () => {},
      outcomes,
      unknownUsers: options.unknownUsers ?? 'pending',
      waitingSince: new Map(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    progress.finish();
    outcomes.push(...conflictOutcomes(sameSubjectConflicts(written.groups), options.dryRun));
    const names = userNames([desiredHead], written.resolutions);
    const policyPlan = await policyStart.planning;
    let policy = await policyStart.beforeWrites;
    if (options.dryRun) {
      if (policy.status === 'applied') policy = { ...policy, status: 'would-apply' };
      return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'dry-run', names });
    }
    const finished = await finishPolicy({ target: tenant, plan: policyPlan, policy, breaker: written.breaker, outcomes, signal: options.signal, log });
    const halted = finished.halted;
    return result({ validation, base, plan, outcomes, policy: finished.policy, appliedRevision: base, record: 'repair', names, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false, ...(halted ? { halted } : {}) });
  } finally {
    progress?.finish();
    photos.stop();
  }
}

/**
 * The photo policy's part of a run, for a target with the policy extension: read and plan it
 * (policyGuard decides the order), change it before the first photo when that unblocks writes or
 * after the photos otherwise, and the breaker that stops photo writes the live policy refuses.
 * Shared by apply and drift's fix.
 */
import { isUserError } from '../core/errors.js';
import { printable } from '../core/untrusted.js';
import type { DesiredState } from '../desired/desired.js';
import type { UserKey } from '../manifest/userKey.js';
import type { PhotoTarget, TargetPolicyChange } from '../target/index.js';
import { notAttempted } from './outcomes.js';
import { photoPolicyRefusal, planPolicyStep, rolesNeededFor, wantedPolicy, type PolicyStep, type TenantPolicy } from './policyGuard.js';
import type { ApplyOptions, ApplyResult, PolicyOutcome, UserOutcome } from './types.js';

export interface PolicyPlan {
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
export async function planPolicy(desired: DesiredState, tenant: PhotoTarget, options: Pick<ApplyOptions, 'allowPolicyLockout' | 'words'>): Promise<PolicyPlan> {
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

export async function patchPolicy(tenant: PhotoTarget, plan: PolicyPlan, log: (line: string) => void): Promise<PolicyOutcome> {
  if (plan.step.kind !== 'before-photos' && plan.step.kind !== 'after-photos') return plan.outcome;
  try {
    await tenant.policy!.change(plan.change ?? plan.step.to);
    log('Photo policy updated (it takes up to 24 hours to apply everywhere).');
    return plan.outcome;
  } catch (err) {
    return { ...plan.outcome, status: 'failed', message: `The policy change failed: ${(err as Error).message}` };
  }
}

/**
 * Plans the policy (read only when a manifest manages it, while users are looked up) and, when the
 * change must go first (it unblocks writes), makes it: `beforeWrites` settles when photos may be
 * written. A dry run changes nothing.
 */
export function startPolicy(desired: DesiredState, target: PhotoTarget, options: Pick<ApplyOptions, 'allowPolicyLockout' | 'words' | 'dryRun'>, log: (line: string) => void): { planning: Promise<PolicyPlan>; beforeWrites: Promise<PolicyOutcome> } {
  const planning = planPolicy(desired, target, options);
  const beforeWrites = planning.then((plan) => (!options.dryRun && plan.step.kind === 'before-photos' ? patchPolicy(target, plan, log) : plan.outcome));
  // A sign-in failure rejects these before they are awaited: awaited later, not unhandled now.
  beforeWrites.catch(() => {});
  return { planning, beforeWrites };
}

/**
 * After the photos: the policy change that goes last, unless the run was cut short or the target
 * refused the photos (what the guard assumed about this app's roles was wrong: change nothing
 * more); and the run's one error when the breaker tripped.
 */
export async function finishPolicy(c: {
  target: PhotoTarget;
  plan: PolicyPlan;
  policy: PolicyOutcome;
  breaker: PolicyBreaker;
  outcomes: readonly UserOutcome[];
  signal?: AbortSignal | undefined;
  log: (line: string) => void;
}): Promise<{ policy: PolicyOutcome; halted: ApplyResult['halted'] }> {
  let policy = c.policy;
  if (c.signal?.aborted) {
    if (policy.status === 'applied') policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
  } else if (c.breaker.tripped && c.plan.step.kind === 'after-photos') {
    policy = { ...policy, status: 'skipped', message: "The policy change was not made: the tenant's current photo policy refused this app's photo writes (see above); fix that first." };
  } else if (c.plan.step.kind === 'after-photos') {
    policy = await patchPolicy(c.target, c.plan, c.log);
  }
  const halted = c.breaker.tripped ? await policyHalt(c.breaker, c.outcomes, c.plan, c.target, c.log) : undefined;
  return { policy, halted };
}

/** A write not sent because the breaker had tripped by the time the pacer started it. */
export class NotSentError extends Error {
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
export class PolicyBreaker {
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

/** The run's one error for a tripped breaker: the policy as far as it can be read, and what to do. */
export async function policyHalt(breaker: PolicyBreaker, outcomes: readonly UserOutcome[], plan: PolicyPlan, tenant: PhotoTarget, log: (line: string) => void): Promise<NonNullable<ApplyResult['halted']>> {
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

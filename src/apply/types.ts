/**
 * What apply is asked (ApplyOptions) and what it answers (ApplyResult, one UserOutcome per change,
 * the PolicyOutcome): the contract between the apply core and the edges and reports.
 */
import type { Vocabulary } from '../core/vocabulary.js';
import type { ProgressSettings } from '../core/progress.js';
import type { UserKey } from '../manifest/userKey.js';
import type { Plan } from '../plan/plan.js';
import type { PacerStats, WritePacer } from '../pacing/index.js';
import type { ValidationResult } from '../validate/validate.js';
import type { RunProvenance } from './ledger.js';
import type { UserNames } from './names.js';
import type { TenantPolicy } from './policyGuard.js';

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
  /** Run URL and actor, recorded in the progress note for `history` (ledger.ts RunProvenance). */
  provenance?: RunProvenance;
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
  /** The target has no photo policy (Google Workspace): reports say so instead of "not managed". */
  targetHasNoPolicy?: true;
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

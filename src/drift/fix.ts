/**
 * `drift --fix`: the repository's version of every drifted user (and the policy) goes through
 * applyRevision, so a repair is normalised, paced and lockout-guarded exactly like an apply.
 * Kept apart from drift.ts so that apply can use drift detection without an import cycle.
 */
import { applyRevision, type ApplyResult } from '../apply/apply.js';
import { UserError } from '../core/errors.js';
import type { Vocabulary } from '../core/vocabulary.js';
import type { ProgressSettings } from '../core/progress.js';
import type { TargetInput } from '../target/index.js';
import { drifted, type DriftResult } from './drift.js';

export interface FixOptions {
  repo: string;
  environment: string;
  remote?: string;
  dryRun?: boolean;
  allowPolicyLockout?: boolean;
  /** How the edge names its options in messages (CLI flags or action inputs). */
  words?: Vocabulary;
  signal?: AbortSignal;
  log?: (line: string) => void;
  progress?: ProgressSettings;
}

/** `--fix`: apply the repository's version of every drifted user (and the policy) via applyRevision. */
export async function fixDrift(result: DriftResult, options: FixOptions, tenant: TargetInput): Promise<ApplyResult | undefined> {
  const users = new Set(drifted(result).map((u) => u.key.canonical));
  if (users.size === 0 && result.policy.status !== 'different') return undefined;
  if (result.validation.findings.some((f) => f.severity === 'error')) {
    throw new UserError('guard', 'The repository does not validate, so drift was not repaired. Fix the findings above first.');
  }
  return applyRevision(
    {
      repo: options.repo,
      head: result.head,
      environment: options.environment,
      ...(options.remote ? { remote: options.remote } : {}),
      prune: false,
      dryRun: options.dryRun ?? false,
      allowPolicyLockout: options.allowPolicyLockout ?? false,
      ...(options.words ? { words: options.words } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      repair: { users },
    },
    tenant,
  );
}


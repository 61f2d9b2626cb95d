/**
 * `targets:` changing between two revisions (issue 16). A target the base declared and the head
 * does not is no longer managed: after the merge nothing updates it, and nothing takes its photos
 * away either (its applied record stays, naming the last revision applied to it). A pull request
 * that does that says so, and so does an apply that finds such a target's record, so nobody
 * mistakes "stopped updating" for "removed".
 */
import { appliedEnvironments } from '../drift/waiting.js';
import type { SourceRef, TargetName } from '../manifest/types.js';
import { TARGET_NAMES } from '../manifest/types.js';
import type { ValidationResult } from '../validate/validate.js';
import { targetsOf } from '../validate/validate.js';

export interface TargetChange {
  target: TargetName;
  /** `removed`: the base declared it, the head does not; `added`: the other way round. */
  change: 'removed' | 'added';
  /**
   * The `targets:` that declared it (removed: the base's; added: the head's); absent when the
   * revision declared it by default (no `targets:` at all: Entra alone).
   */
  at?: SourceRef;
}

/** The targets the head stops or starts declaring, removed first, each in the order of TARGET_NAMES. */
export function targetChanges(base: Pick<ValidationResult, 'targets'>, head: Pick<ValidationResult, 'targets'>): TargetChange[] {
  const before = targetsOf(base);
  const after = targetsOf(head);
  const changes: TargetChange[] = [];
  for (const target of TARGET_NAMES) {
    if (before.includes(target) && !after.includes(target)) changes.push({ target, change: 'removed', ...(base.targets ? { at: base.targets.at } : {}) });
  }
  for (const target of TARGET_NAMES) {
    if (after.includes(target) && !before.includes(target)) changes.push({ target, change: 'added', ...(head.targets ? { at: head.targets.at } : {}) });
  }
  return changes;
}

/** A target with an applied record that the head no longer declares: apply leaves it as it is. */
export interface UndeclaredTarget {
  target: TargetName;
  /** The environments with an applied record of the target (`entra-photos/TARGET/applied/ENV`). */
  environments: string[];
}

/**
 * The targets `declared` leaves out that hold an applied record (on `remote` when given, else in
 * the local repository), each with the environments it was applied to. A record that cannot be
 * listed is left out: this is advice, never a reason to stop.
 */
export async function undeclaredAppliedTargets(repo: string, declared: readonly TargetName[], remote?: string): Promise<UndeclaredTarget[]> {
  const out: UndeclaredTarget[] = [];
  for (const target of TARGET_NAMES) {
    if (declared.includes(target)) continue;
    try {
      const environments = await appliedEnvironments({ repo, target, ...(remote ? { remote } : {}) });
      if (environments.length) out.push({ target, environments });
    } catch {
      // Advice only: a remote that cannot be listed is apply's own error to report, with its reads.
    }
  }
  return out;
}

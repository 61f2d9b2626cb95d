import { desiredStateOf, photoFingerprint, settingsOf, type DesiredState } from '../desired/desired.js';
import { RevisionSnapshot } from '../repo/revision.js';
import type { Snapshot } from '../repo/snapshot.js';
import { WorktreeSnapshot } from '../repo/worktree.js';
import { validateRepository, type ValidateOptions, type ValidationResult } from '../validate/validate.js';
import { diffDesired, type Plan } from './plan.js';

export interface PlanOptions {
  /** Base revision; undefined plans everything (first commit, empty tenant). */
  base?: string;
  /** Head revision; undefined means the working tree. */
  head?: string;
  /** Decode every head photo, not only those whose content or settings changed. */
  all?: boolean;
  prune?: boolean;
  /** Progress lines while the head's photos are normalised. */
  progress?: ValidateOptions['progress'];
}

export interface PlanResult {
  /** Computed always, but only meaningful when `available` (reports show it only then). */
  plan: Plan;
  /** False when the head has validation errors: its desired state is incomplete, so is the plan. */
  available: boolean;
  /** Error findings of the head. */
  errors: number;
  /** Validation of the head: the plan is only trustworthy when it has no errors. */
  validation: ValidationResult;
  head: DesiredState;
  base?: DesiredState;
}

/**
 * Validates the head and plans it against the base. Only head photos whose (content, settings)
 * pair is not already in the base are decoded: the cost grows with the change, not with the
 * repository.
 */
export async function planRevisions(repo: string, options: PlanOptions = {}): Promise<PlanResult> {
  const snapshots: Snapshot[] = [];
  try {
    let base: DesiredState | undefined;
    if (options.base !== undefined) {
      const baseSnapshot = await RevisionSnapshot.open(repo, options.base);
      snapshots.push(baseSnapshot);
      // The base was reviewed when it landed: its photos need no decoding to know their content.
      const baseValidation = await validateRepository(baseSnapshot, { shouldDecode: () => false });
      base = await desiredStateOf(baseSnapshot, baseValidation);
    }
    const headSnapshot = options.head === undefined ? new WorktreeSnapshot(repo) : await RevisionSnapshot.open(repo, options.head);
    snapshots.push(headSnapshot);
    const known = new Set([...(base?.users.values() ?? [])].map((u) => u.fingerprint));
    const validation = await validateRepository(headSnapshot, {
      shouldDecode: async (user) => options.all === true || !known.has(photoFingerprint(await headSnapshot.blobId(user.photoPath), settingsOf(user))),
      ...(options.progress ? { progress: options.progress } : {}),
    });
    const head = await desiredStateOf(headSnapshot, validation);
    const errors = validation.findings.filter((f) => f.severity === 'error').length;
    return { plan: diffDesired(base, head, { prune: options.prune ?? false }), available: errors === 0, errors, validation, head, ...(base ? { base } : {}) };
  } finally {
    for (const s of snapshots) s.close();
  }
}

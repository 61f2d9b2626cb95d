import { desiredStateOf, photoFingerprint, settingsOf, type DesiredState } from '../desired/desired.js';
import { RevisionSnapshot } from '../repo/revision.js';
import type { Snapshot } from '../repo/snapshot.js';
import { WorktreeSnapshot } from '../repo/worktree.js';
import type { TargetName } from '../manifest/types.js';
import type { OutputSpec } from '../photo/index.js';
import { GOOGLE_PHOTO_SPEC } from '../target/google/googleTarget.js';
import { entraAlone, targetsOf, validateRepository, type ValidateOptions, type ValidationResult } from '../validate/validate.js';
import { diffDesired, type Plan } from './plan.js';
import { targetChanges, type TargetChange } from './targetChanges.js';

/** One declared target's plan, when the manifests declare targets other than Entra alone. */
export interface TargetPlan {
  target: TargetName;
  plan: Plan;
  /** `groups:` entries the target does not take (Google has no group photos): counted, said once. */
  groupsNotSent: number;
}

/** The photo spec each target normalises for (the fingerprint includes it, as apply's does). */
const SPECS: Record<TargetName, OutputSpec | undefined> = { entra: undefined, google: GOOGLE_PHOTO_SPEC };

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
  /**
   * Each declared target's plan, in the order declared, when the manifests declare `targets:`
   * other than [entra]; absent otherwise (the plan above is then Entra's, as always). The plan
   * above stays Entra's when Entra is declared, else the first target's.
   */
  targets?: TargetPlan[];
  /**
   * Targets the head stops (or starts) declaring in `targets:` compared with the base; empty
   * without a base. A removed target is not planned at all: after the merge nothing updates it.
   */
  targetChanges: TargetChange[];
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
    let baseValidation: ValidationResult | undefined;
    let baseSnapshot: Snapshot | undefined;
    if (options.base !== undefined) {
      baseSnapshot = await RevisionSnapshot.open(repo, options.base);
      snapshots.push(baseSnapshot);
      // The base was reviewed when it landed: its photos need no decoding to know their content.
      baseValidation = await validateRepository(baseSnapshot, { shouldDecode: () => false });
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
    const prune = options.prune ?? false;
    const declared = targetsOf(validation);
    const changes = baseValidation ? targetChanges(baseValidation, validation) : [];
    if (entraAlone(declared)) {
      return { plan: diffDesired(base, head, { prune }), available: errors === 0, errors, validation, head, ...(base ? { base } : {}), targetChanges: changes };
    }
    const targets: TargetPlan[] = [];
    for (const target of declared) {
      const targetHead = target === 'entra' ? head : await desiredStateOf(headSnapshot, validation, SPECS[target], target);
      // A base that did not declare this target has applied nothing to it: everything is new.
      const baseDeclares = baseValidation ? targetsOf(baseValidation).includes(target) : false;
      const targetBase = !baseSnapshot || !baseValidation || !baseDeclares ? undefined : target === 'entra' ? base : await desiredStateOf(baseSnapshot, baseValidation, SPECS[target], target);
      const groupsNotSent = target === 'google' ? validation.users.filter((u) => u.key.kind === 'group').length : 0;
      targets.push({ target, plan: diffDesired(targetBase, targetHead, { prune }), groupsNotSent });
    }
    const primary = targets.find((t) => t.target === 'entra') ?? targets[0]!;
    return { plan: primary.plan, available: errors === 0, errors, validation, head, ...(base ? { base } : {}), targets, targetChanges: changes };
  } finally {
    for (const s of snapshots) s.close();
  }
}

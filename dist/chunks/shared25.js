import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { d as desiredStateOf, p as photoFingerprint, s as settingsOf } from './shared10.js';
import { j as appliedEnvironments, R as RevisionSnapshot, k as diffDesired } from './shared3.js';
import { W as WorktreeSnapshot } from './shared21.js';
import { t as targetsOf, v as validateRepository, u as entraAlone, G as GOOGLE_PHOTO_SPEC } from './shared2.js';
import { T as TARGET_NAMES } from './shared.js';
import { p as printable } from './shared4.js';

/**
 * `targets:` changing between two revisions (issue 16). A target the base declared and the head
 * does not is no longer managed: after the merge nothing updates it, and nothing takes its photos
 * away either (its applied record stays, naming the last revision applied to it). A pull request
 * that does that says so, and so does an apply that finds such a target's record, so nobody
 * mistakes "stopped updating" for "removed".
 */
/** The targets the head stops or starts declaring, removed first, each in the order of TARGET_NAMES. */
function targetChanges(base, head) {
    const before = targetsOf(base);
    const after = targetsOf(head);
    const changes = [];
    for (const target of TARGET_NAMES) {
        if (before.includes(target) && !after.includes(target))
            changes.push({ target, change: 'removed', ...(base.targets ? { at: base.targets.at } : {}) });
    }
    for (const target of TARGET_NAMES) {
        if (after.includes(target) && !before.includes(target))
            changes.push({ target, change: 'added', ...(head.targets ? { at: head.targets.at } : {}) });
    }
    return changes;
}
/**
 * The targets `declared` leaves out that hold an applied record (on `remote` when given, else in
 * the local repository), each with the environments it was applied to. A record that cannot be
 * listed is left out: this is advice, never a reason to stop.
 */
async function undeclaredAppliedTargets(repo, declared, remote) {
    const out = [];
    for (const target of TARGET_NAMES) {
        if (declared.includes(target))
            continue;
        try {
            const environments = await appliedEnvironments({ repo, target, ...(remote ? { remote } : {}) });
            if (environments.length)
                out.push({ target, environments });
        }
        catch {
            // Advice only: a remote that cannot be listed is apply's own error to report, with its reads.
        }
    }
    return out;
}

/** The photo spec each target normalises for (the fingerprint includes it, as apply's does). */
const SPECS = { entra: undefined, google: GOOGLE_PHOTO_SPEC };
/**
 * Validates the head and plans it against the base. Only head photos whose (content, settings)
 * pair is not already in the base are decoded: the cost grows with the change, not with the
 * repository.
 */
async function planRevisions(repo, options = {}) {
    const snapshots = [];
    try {
        let base;
        let baseValidation;
        let baseSnapshot;
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
        const targets = [];
        for (const target of declared) {
            const targetHead = target === 'entra' ? head : await desiredStateOf(headSnapshot, validation, SPECS[target], target);
            // A base that did not declare this target has applied nothing to it: everything is new.
            const baseDeclares = baseValidation ? targetsOf(baseValidation).includes(target) : false;
            const targetBase = !baseSnapshot || !baseValidation || !baseDeclares ? undefined : target === 'entra' ? base : await desiredStateOf(baseSnapshot, baseValidation, SPECS[target], target);
            const groupsNotSent = target === 'google' ? validation.users.filter((u) => u.key.kind === 'group').length : 0;
            targets.push({ target, plan: diffDesired(targetBase, targetHead, { prune }), groupsNotSent });
        }
        const primary = targets.find((t) => t.target === 'entra') ?? targets[0];
        return { plan: primary.plan, available: errors === 0, errors, validation, head, ...(base ? { base } : {}), targets, targetChanges: changes };
    }
    finally {
        for (const s of snapshots)
            s.close();
    }
}

/** Which targets a revision's manifests declare (`targets:`), for the edges that pick targets. */
/** The targets `rev` declares (Entra alone without `targets:`); photos are not decoded. */
async function declaredTargets(repo, rev = 'HEAD') {
    const snapshot = await RevisionSnapshot.open(repo, rev);
    try {
        const validation = await validateRepository(snapshot, { shouldDecode: () => false });
        const at = validation.targets ? `${printable(validation.targets.at.file)}:${validation.targets.at.line}` : undefined;
        return { names: [...targetsOf(validation)], ...(at ? { at } : {}) };
    }
    finally {
        snapshot.close();
    }
}

export { declaredTargets as d, planRevisions as p, undeclaredAppliedTargets as u };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { j as plural, D as DEFAULT_LIMITS, b as describeKey, r as recommendedParallelism, c as describeUser, a as roleName, i as isGroupKey } from './shared.js';
import { p as printable } from './shared4.js';
import { b as mdLink, m as mdText } from './shared8.js';
import { r as recordRefPrefix, L as Ledger, b as recordRef, G as GitRecordStore, D as DEFAULT_TARGET } from './shared9.js';
import { resolveCommit, git, gitMaybe, BlobReader, TOOL_IDENTITY } from './git.js';
import { v as validateRepository, w as isResolvedSubject, j as pacingClassifierOf, S as Semaphore, z as sleep, c as checkPhoto, k as Progress, l as throttleOf } from './shared2.js';
import { d as desiredStateOf, k as keyIndex, i as isSubject, b as byDeclaration, c as keysResolvingTo, a as sameSubjectConflicts } from './shared10.js';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { a as attemptsOf, P as PacerCancelledError, W as WritePacer } from './shared11.js';
import { p as photoTargetOf } from './shared12.js';
import sharp from 'sharp';
import 'node:crypto';
import 'node:zlib';
import { hostname } from 'node:os';
import { i as isUserError, U as UserError } from './shared6.js';
import { w as wantedPolicy, r as rolesNeededFor, p as planPolicyStep, a as photoPolicyRefusal } from './shared13.js';

function countFindings(findings) {
    let errors = 0;
    let warnings = 0;
    for (const f of findings) {
        if (f.severity === 'error')
            errors++;
        else
            warnings++;
    }
    return { errors, warnings };
}
/** Stable order for every surface: by file, then line, then column, errors first. */
function sortFindings(findings) {
    return [...findings].sort((a, b) => a.file.localeCompare(b.file) ||
        (a.line ?? 0) - (b.line ?? 0) ||
        (a.col ?? 0) - (b.col ?? 0) ||
        (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
        a.code.localeCompare(b.code));
}

/**
 * Report builders for validation: pure functions from a result to text, JSON or Markdown.
 * Writing them (stdout, job summary, annotations) happens at the edges.
 */
/** `file:line:col` as written (the file name is data: printable() or mdText() it where it is shown). */
function findingLocation(f) {
    return f.line ? `${f.file}:${f.line}${f.col ? `:${f.col}` : ''}` : f.file;
}
/** Compiler-style lines (file:line:col: severity: message [code]) that editors and terminals link. */
function validationText(result) {
    const lines = sortFindings(result.findings).map((f) => `${printable(findingLocation(f))}: ${f.severity}: ${printable(f.message)} [${printable(f.code)}]`);
    lines.push(validationHeadline(result));
    return lines.join('\n') + '\n';
}
function validationHeadline(result) {
    const { errors, warnings } = countFindings(result.findings);
    const { manifests, users, photosDecoded } = result.stats;
    const verdict = errors > 0 ? 'Validation failed' : 'Validation passed';
    return `${verdict}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} (${plural(manifests, 'manifest')}, ${plural(users, 'user')}, ${plural(photosDecoded, 'photo')} checked).`;
}
function validationJson(result) {
    const { errors, warnings } = countFindings(result.findings);
    return { ok: errors === 0, errors, warnings, stats: result.stats, findings: sortFindings(result.findings) };
}
/** Job-summary Markdown: the verdict first, then every finding grouped by file. */
function validationSummary(result, options = {}) {
    const { errors } = countFindings(result.findings);
    const out = [`## ${errors > 0 ? '❌' : '✅'} entra-photos: ${validationHeadline(result)}`, ''];
    const sorted = sortFindings(result.findings);
    if (sorted.length === 0) {
        out.push('No problems found.', '');
        return out.join('\n');
    }
    out.push('| | Where | Problem |', '|---|---|---|');
    const maxRows = options.maxRows ?? Infinity;
    for (const f of sorted.slice(0, maxRows)) {
        // Data only through mdText/mdLink: no cell of a row can add a column, a link or a mention.
        const where = options.fileUrl ? mdLink(findingLocation(f), options.fileUrl(f)) : mdText(findingLocation(f));
        out.push(`| ${f.severity === 'error' ? '❌ error' : '⚠️ warning'} | ${where} | ${mdText(f.message)} <sub>${mdText(f.code)}</sub> |`);
    }
    if (sorted.length > maxRows)
        out.push(`| | | … and ${sorted.length - maxRows} more: every finding is an annotation and in the \`entra-photos validate\` output. |`);
    out.push('');
    return out.join('\n');
}

/**
 * Perceptual similarity of two photos, for drift detection.
 *
 * Graph re-encodes and may resize what it stores, so the tenant's bytes never equal the bytes we
 * uploaded. Both photos are reduced to a 32×32 greyscale square (auto-oriented, centre-cropped,
 * contrast-stretched: the structure) and an 8×8 colour square (coarse enough that chroma
 * subsampling and JPEG blocking average out: the colours), and compared by the mean absolute
 * difference of their pixels. `similarity` is 1 − the larger of the two differences (1 = identical):
 * re-encoding and resizing move it by about 1%, another photo by several percent. A difference-hash (dHash, 64 bits) distance is
 * reported alongside for diagnostics. Decoding is bounded like every other decode here.
 */
/** Edge of the greyscale square the comparison runs on. */
const SIGNATURE_SIDE = 32;
/** Edge of the colour square. */
const COLOUR_SIDE = 8;
/**
 * Photos at or above this similarity are the same picture. Measured on this project's sample
 * portraits (test/unit/photo/similarity.test.ts; docs/commands.md "How drift decides"): copies as
 * Graph may store them (re-encoded at JPEG q50–95, 4:4:4 or 4:2:0, resized down to 96 px, twice
 * re-encoded, PNG) scored 0.9868–0.9998; other portraits with the same pose and framing, and the
 * same portrait shifted by 10%, zoomed by 20% or with a quarter of its background recoloured,
 * scored 0.67–0.9594. 0.975 sits in the gap, a little nearer the "same" side because a false
 * "different" only costs a re-upload with --fix while a false "same" hides drift.
 */
const SAME_PHOTO_THRESHOLD = 0.975;
function bounded(jpeg) {
    return sharp(jpeg, { failOn: 'error', limitInputPixels: DEFAULT_LIMITS.maxInputPixels, pages: 1 }).timeout({ seconds: DEFAULT_LIMITS.timeoutSeconds });
}
/** The signature of a photo (any format sharp reads). Rejects when it cannot be decoded. */
async function photoSignature(image) {
    const meta = await bounded(image).metadata();
    const base = () => bounded(image).autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha();
    const [grey, colour] = await Promise.all([
        base().greyscale().resize(SIGNATURE_SIDE, SIGNATURE_SIDE, { fit: 'cover', position: 'centre', kernel: 'cubic' }).raw().toBuffer(),
        base().resize(COLOUR_SIDE, COLOUR_SIDE, { fit: 'cover', position: 'centre', kernel: 'cubic' }).raw().toBuffer(),
    ]);
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    return { grey: stretch(new Uint8Array(grey)), colour: new Uint8Array(colour), width, height };
}
/** Compares two signatures. */
function compareSignatures(a, b, threshold = SAME_PHOTO_THRESHOLD) {
    const similarity = Math.min(1 - meanAbsDiff(a.grey, b.grey), 1 - meanAbsDiff(a.colour, b.colour));
    return { similarity: Math.round(similarity * 10_000) / 10_000, same: similarity >= threshold };
}
/**
 * Whether a directory's photo (`theirs`) shows the same picture as `ours` (the normalised photo we
 * would send): perceptual signatures compared at `threshold`. A directory re-encodes and resizes
 * what it stores, so bytes never match. Rejects only when `ours` cannot be decoded. The one
 * comparison used by apply (does the target already hold the photo?) and drift.
 */
async function comparePhotos(ours, theirs, threshold = SAME_PHOTO_THRESHOLD) {
    const [a, b] = await Promise.allSettled([photoSignature(ours), photoSignature(theirs)]);
    if (a.status === 'rejected')
        throw a.reason;
    if (b.status === 'rejected')
        return { decoded: false, reason: b.reason.message };
    return { decoded: true, ...compareSignatures(a.value, b.value, threshold), width: b.value.width, height: b.value.height };
}
/** Mean absolute difference of two equal-length byte arrays, as a share of 0..255. */
function meanAbsDiff(a, b) {
    let sum = 0;
    for (let i = 0; i < a.length; i++)
        sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    return a.length ? sum / (a.length * 255) : 1;
}
/** Linear contrast stretch, so a re-encode that shifts levels slightly does not count. */
function stretch(values) {
    let min = 255;
    let max = 0;
    for (const v of values) {
        if (v < min)
            min = v;
        if (v > max)
            max = v;
    }
    const out = new Uint8Array(values.length);
    const range = max - min;
    for (let i = 0; i < values.length; i++)
        out[i] = range < 8 ? (values[i] ?? 0) : Math.round((((values[i] ?? 0) - min) * 255) / range);
    return out;
}

/**
 * A commit read through git itself (ls-tree + cat-file), without checking it out: a pull
 * request's base and head are compared side by side in one working copy.
 */
class RevisionSnapshot {
    repo;
    commit;
    entries;
    blobs;
    worktreeRoot;
    constructor(repo, commit, entries, blobs) {
        this.repo = repo;
        this.commit = commit;
        this.entries = entries;
        this.blobs = blobs;
    }
    get label() {
        return this.commit.slice(0, 12);
    }
    static async open(repo, rev) {
        const commit = await resolveCommit(repo, rev);
        // -t lists trees too (folders are entries), -l adds blob sizes, -z keeps odd names intact.
        const out = await git(repo, ['ls-tree', '-r', '-t', '-l', '-z', '--full-tree', commit]);
        const entries = new Map();
        for (const record of out.split('\0')) {
            if (!record)
                continue;
            const tab = record.indexOf('\t');
            const [mode, , oid, size] = record.slice(0, tab).split(/ +/);
            const path = record.slice(tab + 1);
            const kind = mode === '040000' ? 'directory' : mode === '120000' ? 'symlink' : mode === '100644' || mode === '100755' ? 'file' : 'other';
            const entry = { path, kind, blobId: oid };
            if (kind === 'file')
                entry.size = Number(size);
            entries.set(path, entry);
        }
        const snapshot = new RevisionSnapshot(repo, commit, entries, new BlobReader(repo));
        // Symlink targets are blob contents; read them up front so entry() stays synchronous in spirit.
        for (const entry of entries.values()) {
            if (entry.kind === 'symlink')
                entry.linkTarget = (await snapshot.blobs.read(entry.blobId)).toString('utf8');
        }
        return snapshot;
    }
    async entry(path) {
        return this.entries.get(path);
    }
    async list(dir) {
        const prefix = dir ? `${dir}/` : '';
        return [...this.entries.values()]
            .filter((e) => e.path.startsWith(prefix) && e.kind !== 'directory')
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    async read(path) {
        return this.load(path, (size) => Buffer.allocUnsafeSlow(size));
    }
    /**
     * The bytes of a file in a buffer from `pool`, given back by `release()`: for photos that are
     * only needed while they are checked and normalised (apply reads hundreds of them).
     */
    async readLeased(path, pool) {
        let taken;
        const giveBack = () => {
            if (taken)
                pool.give(taken);
            taken = undefined;
        };
        try {
            const bytes = await this.load(path, (size) => {
                giveBack(); // a worktree read that did not match falls back to git: one buffer at a time
                return (taken = pool.take(size));
            });
            return { bytes, release: giveBack };
        }
        catch (err) {
            giveBack();
            throw err;
        }
    }
    /**
     * A file's bytes. When the commit is the one checked out (actions/checkout of the pushed head,
     * an admin's clone at HEAD), the file is read from the working tree and its blob id computed
     * (off the main thread) and compared: equal bytes are the blob. Anything else — an edited
     * file, a filter such as Git LFS, a different commit — is read through git itself. Reading a
     * file beats reading a pipe: one read into the buffer instead of thousands of small chunks.
     */
    async load(path, allocate) {
        const entry = this.entries.get(path);
        if (!entry || entry.kind !== 'file')
            throw new Error(`${path} is not a file in ${this.label}`);
        const root = await this.checkedOutRoot();
        if (root) {
            const bytes = await readIfBlob(root, path, entry.blobId, entry.size ?? -1, allocate);
            if (bytes)
                return bytes;
        }
        return this.blobs.read(entry.blobId, allocate);
    }
    /** The working tree's root when this commit is what is checked out there. */
    checkedOutRoot() {
        this.worktreeRoot ??= gitMaybe(this.repo, ['rev-parse', '--show-toplevel', 'HEAD']).then((out) => {
            const [root, headCommit] = (out ?? '').trim().split('\n');
            return root && headCommit === this.commit ? root : undefined;
        });
        return this.worktreeRoot;
    }
    async blobId(path) {
        const entry = this.entries.get(path);
        if (!entry?.blobId)
            throw new Error(`${path} is not in ${this.label}`);
        return entry.blobId;
    }
    close() {
        this.blobs.close();
    }
}
/**
 * The working-tree file at `path`, read into a buffer from `allocate`, if and only if its bytes
 * are the blob `oid` (git's own object id: the header `blob <size>\0` then the bytes, SHA-1 or
 * SHA-256 by the id's length). The final path component is not followed if it is a symlink.
 */
async function readIfBlob(root, path, oid, size, allocate) {
    const algorithm = oid.length === 40 ? 'SHA-1' : oid.length === 64 ? 'SHA-256' : undefined;
    if (!algorithm || size < 0)
        return undefined;
    let file;
    try {
        file = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW);
    }
    catch {
        return undefined;
    }
    try {
        const stat = await file.stat();
        if (!stat.isFile() || stat.size !== size)
            return undefined;
        const header = Buffer.from(`blob ${size}\0`, 'latin1');
        const buffer = allocate(header.length + size);
        header.copy(buffer, 0);
        let filled = 0;
        while (filled < size) {
            const { bytesRead } = await file.read(buffer, header.length + filled, size - filled, filled);
            if (bytesRead === 0)
                return undefined; // shrank while being read
            filled += bytesRead;
        }
        const digest = Buffer.from(await crypto.subtle.digest(algorithm, buffer.subarray(0, header.length + size)));
        return digest.toString('hex') === oid ? buffer.subarray(header.length, header.length + size) : undefined;
    }
    catch {
        return undefined;
    }
    finally {
        await file.close();
    }
}

function diffDesired(base, head, options = {}) {
    const uploads = [];
    const removals = [];
    let unchanged = 0;
    for (const [canonical, want] of head.users) {
        const had = base?.users.get(canonical);
        if (had && had.fingerprint === want.fingerprint) {
            unchanged++;
            continue;
        }
        uploads.push({
            key: want.key,
            ...(want.name ? { name: want.name } : {}),
            photo: want.photoPath,
            reason: had ? 'replaced' : 'new',
            ...(had ? { previousPhoto: had.photoPath } : {}),
            fingerprint: want.fingerprint,
            settings: want.settings,
            declaredAt: want.declaredAt,
        });
    }
    for (const [canonical, had] of base?.users ?? []) {
        if (!head.users.has(canonical))
            removals.push({ key: had.key, ...(had.name ? { name: had.name } : {}), photo: had.photoPath });
    }
    return {
        base: base?.label ?? null,
        head: head.label,
        uploads: uploads.sort(byUser),
        removals: removals.sort(byUser),
        prune: options.prune ?? false,
        policy: policyChange(base?.policy, head.policy),
        unchanged,
    };
}
/**
 * A policy is managed only while a manifest declares it: removing the declaration stops
 * managing it (no tenant change), it does not reset the tenant.
 */
function policyChange(from, to) {
    if (!to)
        return null;
    if (from && from.source === to.source && sameList(from.allowedRoles, to.allowedRoles))
        return null;
    return { from: from ?? null, to };
}
function sameList(a, b) {
    if (a === undefined || b === undefined)
        return a === b;
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
function byUser(a, b) {
    return a.key.canonical < b.key.canonical ? -1 : a.key.canonical > b.key.canonical ? 1 : 0;
}

/**
 * The users apply left waiting for an account, as drift needs them: a school enrolls students
 * before their accounts exist, apply records them on the applied revision (the pending note of the
 * ledger) and retries them on every later run. Drift reports such a user as waiting, not as drift,
 * as long as the tenant still has no usable account for them.
 *
 * The list is the pending note on the revision the applied tag points at, for one environment or
 * (none named) for every environment that has an applied tag: a repository usually feeds one
 * tenant, and drift is not told which environment wrote to it.
 */
/** Canonical user key → the waiting entry (the earliest `since` when several environments list the user). */
async function waitingForAccount(options) {
    const out = new Map();
    const environments = options.environment ? [options.environment] : await appliedEnvironments(options);
    for (const environment of environments) {
        let ledger;
        try {
            ledger = new Ledger({ repo: options.repo, environment, ...(options.target ? { target: options.target } : {}), ...(options.remote ? { remote: options.remote } : {}) });
        }
        catch {
            continue; // a tag this tool did not write: its name is not one of our environment names
        }
        const applied = await ledger.lastApplied();
        for (const [key, entry] of await ledger.pendingAt(applied)) {
            const known = out.get(key);
            if (!known || entry.since < known.since)
                out.set(key, { ...entry, environment });
        }
    }
    return out;
}
/** Environments with an applied tag (of `options.target`, default entra), on the remote or locally. */
async function appliedEnvironments(options) {
    const prefix = recordRefPrefix('applied', options.target);
    const listing = options.remote
        ? await gitMaybe(options.repo, ['ls-remote', '--refs', options.remote, `${prefix}*`])
        : await gitMaybe(options.repo, ['for-each-ref', '--format=%(objectname)\t%(refname)', prefix]);
    if (listing === undefined && options.remote)
        throw new Error(`Could not list ${prefix}* on the remote "${options.remote}".`);
    const names = new Set();
    for (const line of (listing ?? '').split('\n')) {
        const ref = line.split('\t')[1]?.trim();
        if (ref?.startsWith(prefix) && !ref.slice(prefix.length).includes('/'))
            names.add(ref.slice(prefix.length));
    }
    return [...names].sort();
}

/**
 * The plan from the base to the head, and what is still to do once the changes that interrupted
 * runs from the same base landed are laid over the base. `snapshots` collects the base snapshot
 * opened here (the caller closes it).
 */
async function planFromLive(c) {
    const { base, desiredHead, prune, ledger } = c;
    let desiredBase;
    if (base) {
        const baseSnapshot = await RevisionSnapshot.open(c.repo, base);
        c.snapshots.push(baseSnapshot);
        desiredBase = await desiredStateOf(baseSnapshot, await validateRepository(baseSnapshot, { shouldDecode: () => false }), c.spec, c.target);
    }
    // Users the base was applied without (no account yet): the tenant does not have their photo,
    // so the plan treats them as new and this run looks them up again.
    const waitingAtBase = await ledger.pendingAt(base);
    if (desiredBase && waitingAtBase.size > 0) {
        desiredBase = withoutUsers(desiredBase, waitingAtBase.keys());
        c.log(`${waitingAtBase.size} user(s) were waiting for an account when ${base.slice(0, 12)} was applied: looking them up again.`);
    }
    const plan = diffDesired(desiredBase, desiredHead, { prune });
    // Interrupted runs from the same base changed the tenant already: plan from what is live (the
    // base overlaid with what they landed), so landed photos are not sent again and a photo that
    // landed but is no longer wanted is put right.
    const landed = await ledger.landedSince(base);
    const live = overlayLanded(desiredBase, desiredHead, landed);
    const effective = landed.size ? diffDesired(live, desiredHead, { prune }) : plan;
    const uploads = effective.uploads;
    const removals = prune ? effective.removals : [];
    const stillToDo = new Set([...uploads, ...removals].map((change) => change.key.canonical));
    const landedKeys = [...plan.uploads, ...(prune ? plan.removals : [])].filter((change) => !stillToDo.has(change.key.canonical)).map((change) => change.key.canonical);
    return { desiredBase, plan, uploads, removals, landedKeys, waitingAtBase };
}
/**
 * The desired state of the base with the tenant changes of interrupted runs laid over it: what
 * the tenant holds now, as far as git knows.
 */
function overlayLanded(base, head, landed) {
    const users = new Map(base?.users ?? []);
    for (const [canonical, entry] of landed) {
        if (entry.action === 'remove') {
            users.delete(canonical);
        }
        else if (entry.action === 'upload' && entry.fingerprint) {
            const known = head.users.get(canonical) ?? base?.users.get(canonical);
            if (!known)
                continue; // neither revision declares it: nothing to compare against
            users.set(canonical, { ...known, fingerprint: entry.fingerprint });
        }
    }
    return { label: base?.label ?? 'nothing', users, ...(base?.policy ? { policy: base.policy } : {}) };
}
/** A desired state without some users (those the tenant does not hold though the state declares them). */
function withoutUsers(state, keys) {
    const users = new Map(state.users);
    for (const key of keys)
        users.delete(key);
    return { ...state, users };
}
/**
 * Whether the tenant already holds this user's photo: downloaded and compared with the photo
 * apply would send, by the same perceptual comparison as drift (comparePhotos in src/photo).
 * Anything uncertain (no photo, a failed download, an undecodable photo) is "no": upload.
 */
async function targetHoldsPhoto(c) {
    let theirs;
    try {
        theirs = await c.readPacer.run(() => c.tenant.downloadPhoto(c.userId, c.signal), c.label);
    }
    catch {
        return false;
    }
    if (!theirs)
        return false;
    const ours = await c.prepared;
    if ('reason' in ours)
        return false;
    try {
        const comparison = await c.cpu.run(() => comparePhotos(ours.jpeg, theirs));
        return comparison.decoded && comparison.same;
    }
    catch {
        return false;
    }
}

/**
 * The outcome of each change: how a failure, a key without an account, a same-user conflict, a
 * held or kept removal is told to the reports. Pure functions of what apply learnt (explainDeleted
 * asks the target once, best effort).
 */
/** Outcomes of changes never sent: not counted as done in the progress lines. */
const NOT_SENT = new Set(['cancelled', 'not-attempted']);
function notAttempted(key, action, photo) {
    return { key, action, status: 'not-attempted', photo, reason: "Not attempted: photo writes stopped when the tenant's photo update policy refused them." };
}
function failure(key, action, photo, err) {
    const attempts = attemptsOf(err);
    if (err instanceof PacerCancelledError)
        return { key, action, status: 'cancelled', photo, reason: err.message };
    return { key, action, status: 'failed', photo, reason: err.message ?? String(err), ...(attempts ? { attempts } : {}) };
}
function resolutionOutcome(key, action, resolution, okStatus, photo) {
    if (isResolvedSubject(resolution))
        return { key, action, status: okStatus, photo };
    return { key, action, status: 'failed', photo, reason: resolution?.reason ?? `${describeKey(key)} was not looked up.` };
}
/**
 * The outcome of an upload whose key resolves to nobody (not created yet, or deleted: Entra keeps
 * a deleted user 30 days in its recycle bin, outside /users) or to a disabled account: waiting
 * (`pending`), or failed under unknownUsers `fail`. Undefined for other unresolved keys (ambiguous,
 * lookup failed): they fail as before.
 */
function noAccountOutcome(upload, resolution, ctx) {
    const disabled = isResolvedSubject(resolution);
    if (!disabled && resolution?.problem !== 'not-found')
        return undefined;
    const where = `${printable(upload.declaredAt.file)}:${upload.declaredAt.line}`;
    const what = disabled
        ? `${describeKey(upload.key)} is a disabled account (${printable(resolution.userPrincipalName)}): sign-in is blocked, so it gets no photo yet.`
        : `${resolution.reason} It may not be created yet, or was deleted.`;
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
function goneUserRemoval(r, resolution, options) {
    if (isResolvedSubject(resolution) || resolution?.problem !== 'not-found' || (options.unknownUsers ?? 'pending') !== 'pending')
        return undefined;
    return { key: r.key, action: 'remove', status: 'kept', photo: r.photo, code: 'no-account', reason: `${resolution.reason} There is no photo to remove.` };
}
/**
 * Users without an account who are in the tenant's recycle bin (deleted, restorable for 30 days)
 * get their own reason. Best effort: if the deleted users cannot be read, the reason stays.
 */
async function explainDeleted(outcomes, tenant, signal, log) {
    const gone = outcomes.filter((o) => o.code === 'no-account' && o.action === 'upload');
    if (gone.length === 0 || !tenant.findDeletedSubjects)
        return;
    let deleted;
    try {
        deleted = await tenant.findDeletedSubjects(gone.map((o) => o.key), signal ? { signal } : {});
    }
    catch (err) {
        log(`Could not read the deleted users (to tell a deleted account from one not created yet): ${err.message}`);
        return;
    }
    for (const o of gone) {
        const d = deleted.get(o.key.canonical);
        if (!d)
            continue;
        const where = o.declaredAt ? `${printable(o.declaredAt.file)}:${o.declaredAt.line}` : 'its manifest entry';
        o.code = 'deleted';
        o.reason = `${describeKey(o.key)} was deleted from the tenant${d.deletedDateTime ? ` on ${d.deletedDateTime.slice(0, 10)}` : ''} (object id ${printable(d.id)}; Entra keeps a deleted user 30 days). Restore the account to upload the photo, or remove the entry at ${where}.`;
    }
}
/** The users left waiting by this run, for the pending note on its revision. */
function waitingEntries(outcomes, atBase) {
    return outcomes
        .filter((o) => o.status === 'pending')
        .map((o) => ({ key: o.key.canonical, problem: o.code === 'disabled' ? 'disabled' : 'not-found', since: o.waitingSince ?? atBase.get(o.key.canonical)?.since ?? new Date().toISOString() }));
}
/**
 * A failed outcome for every entry of every same-user conflict (also entries the run did not plan
 * to write: the message is the same on each, naming all of them with their file and line).
 */
function conflictOutcomes(conflicts, dryRun) {
    const out = [];
    for (const conflict of new Set(conflicts.values())) {
        const reason = `${conflict.message} ${dryRun ? 'Nothing would be written for this user.' : 'Nothing was written for this user.'}`;
        for (const entry of conflict.entries)
            out.push({ key: entry.key, action: 'upload', status: 'failed', photo: entry.photoPath, reason, code: 'same-user' });
    }
    return out;
}
/**
 * Removals whose tenant user the head still declares under another key (the manifest switched
 * from UPN to employeeId, or to the object id): deleting would remove the photo that entry puts
 * (or keeps) there. They are kept, with the entry that holds the user.
 */
function heldRemovals(removals, resolutions, subjects) {
    const held = new Map();
    for (const r of removals) {
        const resolution = resolutions.get(r.key.canonical);
        if (!isResolvedSubject(resolution))
            continue;
        const holder = subjects.get(resolution.id.toLowerCase())?.entries[0];
        if (!holder)
            continue;
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
function kept(plan, options) {
    if (options.prune)
        return [];
    return plan.removals.map((r) => ({ key: r.key, action: 'remove', status: 'kept', photo: r.photo, reason: 'Removed from the manifests; the photo stays in the tenant without prune.' }));
}

/**
 * The photo policy's part of a run, for a target with the policy extension: read and plan it
 * (policyGuard decides the order), change it before the first photo when that unblocks writes or
 * after the photos otherwise, and the breaker that stops photo writes the live policy refuses.
 * Shared by apply and drift's fix.
 */
/**
 * The policy step: nothing to read when no manifest manages the policy (an app that manages only
 * photos needs no PeopleSettings permission: under a policy someone else set, writes are tried
 * and a refusal stops them). When one does, the live policy is compared with it, and the app's
 * directory roles are read only to guard a change that would restrict photo writes to roles.
 * Never throws for the policy itself: a failure is the policy's outcome, and the photos go on. A
 * sign-in failure (the app, tenant or token: UserError auth/config) is the run's, and is thrown.
 */
async function planPolicy(desired, tenant, options) {
    if (!desired.policy)
        return { step: { kind: 'none' }, outcome: { status: 'not-managed' } };
    const declared = `${printable(desired.policy.declaredAt.file)}:${desired.policy.declaredAt.line}`;
    if (!tenant.policy)
        return { step: { kind: 'none' }, outcome: { status: 'failed', message: `The manifests declare a photo update policy (policy: at ${declared}), and the ${tenant.id} target has none.` } };
    let live;
    try {
        live = await tenant.policy.read();
    }
    catch (err) {
        if (isUserError(err) && (err.kind === 'auth' || err.kind === 'config'))
            throw err;
        return { step: { kind: 'none' }, outcome: { status: 'failed', message: tenant.policy.describeReadFailure(err, declared) } };
    }
    const wanted = wantedPolicy(desired.policy, live);
    let appRoles;
    let rolesProblem;
    if (rolesNeededFor(live, wanted)) {
        try {
            appRoles = await tenant.policy.callerRoles();
        }
        catch (err) {
            rolesProblem = `the app's role assignments could not be read: ${err.message}`;
        }
    }
    const step = planPolicyStep(live, wanted, appRoles, options.allowPolicyLockout, rolesProblem, options.words);
    const outcome = step.kind === 'none'
        ? { status: 'unchanged', from: live, to: wanted }
        : step.kind === 'refuse'
            ? { status: 'refused', from: live, to: wanted, message: step.reason }
            : { status: 'applied', from: live, to: wanted };
    const change = {
        ...(desired.policy.source ? { source: desired.policy.source } : {}),
        ...(desired.policy.allowedRoles ? { allowedRoles: desired.policy.allowedRoles } : {}),
    };
    return { step, outcome, live, change };
}
async function patchPolicy(tenant, plan, log) {
    if (plan.step.kind !== 'before-photos' && plan.step.kind !== 'after-photos')
        return plan.outcome;
    try {
        await tenant.policy.change(plan.change ?? plan.step.to);
        log('Photo policy updated (it takes up to 24 hours to apply everywhere).');
        return plan.outcome;
    }
    catch (err) {
        return { ...plan.outcome, status: 'failed', message: `The policy change failed: ${err.message}` };
    }
}
/**
 * Plans the policy (read only when a manifest manages it, while users are looked up) and, when the
 * change must go first (it unblocks writes), makes it: `beforeWrites` settles when photos may be
 * written. A dry run changes nothing.
 */
function startPolicy(desired, target, options, log) {
    const planning = planPolicy(desired, target, options);
    const beforeWrites = planning.then((plan) => (!options.dryRun && plan.step.kind === 'before-photos' ? patchPolicy(target, plan, log) : plan.outcome));
    // A sign-in failure rejects these before they are awaited: awaited later, not unhandled now.
    beforeWrites.catch(() => { });
    return { planning, beforeWrites };
}
/**
 * After the photos: the policy change that goes last, unless the run was cut short or the target
 * refused the photos (what the guard assumed about this app's roles was wrong: change nothing
 * more); and the run's one error when the breaker tripped.
 */
async function finishPolicy(c) {
    let policy = c.policy;
    if (c.signal?.aborted) {
        if (policy.status === 'applied')
            policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
    }
    else if (c.breaker.tripped && c.plan.step.kind === 'after-photos') {
        policy = { ...policy, status: 'skipped', message: "The policy change was not made: the tenant's current photo policy refused this app's photo writes (see above); fix that first." };
    }
    else if (c.plan.step.kind === 'after-photos') {
        policy = await patchPolicy(c.target, c.plan, c.log);
    }
    const halted = c.breaker.tripped ? await policyHalt(c.breaker, c.outcomes, c.plan, c.target, c.log) : undefined;
    return { policy, halted };
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
    target;
    onTrip;
    tripped = false;
    /** Writes the tenant answered with the policy refusal. */
    refused = 0;
    constructor(target, onTrip) {
        this.target = target;
        this.onTrip = onTrip;
    }
    guard(write) {
        if (this.tripped)
            return Promise.reject(new NotSentError());
        return write();
    }
    /** The outcome of a write that failed because of the breaker or the policy; undefined for any other failure. */
    outcome(key, action, photo, err) {
        if (err instanceof NotSentError)
            return notAttempted(key, action, photo);
        const failure = this.target.classifyFailure(err);
        if (failure.kind !== 'refused-by-policy')
            return undefined;
        this.refused++;
        if (!this.tripped) {
            this.tripped = true;
            this.onTrip();
        }
        return { key, action, status: 'failed', photo, reason: `Refused by the tenant's photo update policy (403 ForbiddenByAdminEditPolicy${failure.requestId ? `, request-id ${failure.requestId}` : ''}): see the run's error.` };
    }
}
/** The run's one error for a tripped breaker: the policy as far as it can be read, and what to do. */
async function policyHalt(breaker, outcomes, plan, tenant, log) {
    let live = plan.live;
    let unreadable;
    if (!live && tenant.policy) {
        try {
            live = await tenant.policy.read();
        }
        catch (err) {
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

/**
 * One person, one photo, decided as lookups land: the groups of entriesBySubject
 * (src/desired/desired.ts), built incrementally, so apply can write a user as soon as it is known
 * that no other entry of the head is the same tenant user, instead of after every lookup.
 *
 * The rules are entriesBySubject's. A run looks up its planned keys (uploads and removals). Each
 * resolved planned key joins the group of its subject (tenant object id). An entry of the head
 * that the run did not plan is found through the subject's own properties (object id, UPN, mail,
 * employeeId: keysResolvingTo) in an index of the head, and confirmed by one more lookup (one that
 * fails counts as a match: the safe side).
 *
 * When is a subject's group final? Its entries come from planned keys that resolve to it and from
 * confirmed unplanned hits. A key resolves to a user only through one of the properties
 * keysResolvingTo lists (the resolver matches a `user:` key by object id, UPN or mail and an
 * `employeeId:` key by employeeId), so every key that can join the group is among the subject's
 * hits in the head index. The group is final ("settled") once every hit that is planned has its
 * own answer and every unplanned hit is confirmed. A planned key is released when its subject is
 * settled (or at once when it did not resolve); only then may apply write it.
 */
class SubjectTracker {
    #desired;
    #planned;
    #index;
    /** Answers to planned lookups so far. */
    #resolutions = new Map();
    #subjects = new Map();
    /** Canonical key → subjects (ids) waiting for its answer. */
    #waiters = new Map();
    /** Unplanned key → the subjects it is a hit for, and its entry. */
    #hits = new Map();
    #confirmed = new Map();
    /** `planned`: the canonical keys the run looks up (its uploads and removals). */
    constructor(desired, planned) {
        this.#desired = desired;
        this.#planned = new Set(planned);
        this.#index = keyIndex(desired);
    }
    /** Answers of planned lookups, as they land. */
    resolved(answers) {
        const released = [];
        const toConfirm = [];
        const touched = new Set();
        for (const [canonical, resolution] of answers) {
            if (this.#resolutions.has(canonical) || !this.#planned.has(canonical))
                continue;
            this.#resolutions.set(canonical, resolution);
            this.#answer(canonical, touched);
            if (!isSubject(resolution)) {
                released.push(canonical);
                continue;
            }
            const state = this.#subject(resolution, toConfirm);
            this.#add(state, this.#desired.users.get(canonical));
            state.held.push(canonical);
            touched.add(resolution.id.toLowerCase());
        }
        this.#release(touched, released);
        return { released, toConfirm };
    }
    /** Answers of confirming lookups (every key asked for; a missing answer counts as no match). */
    confirm(keys, answers) {
        const released = [];
        const touched = new Set();
        for (const key of keys) {
            const canonical = key.canonical;
            if (this.#confirmed.has(canonical) || !this.#hits.has(canonical))
                continue;
            const answer = answers.get(canonical);
            this.#confirmed.set(canonical, answer);
            for (const { subject, entry } of this.#hits.get(canonical) ?? [])
                this.#match(subject, entry, answer);
            this.#answer(canonical, touched);
        }
        this.#release(touched, released);
        return { released, toConfirm: [] };
    }
    /** The answer for a planned key (once it landed). */
    resolution(canonical) {
        return this.#resolutions.get(canonical);
    }
    get resolutions() {
        return this.#resolutions;
    }
    /** The head entries of a released key's subject (two or more: a same-user conflict). */
    entriesOf(canonical) {
        const resolution = this.#resolutions.get(canonical);
        if (!isSubject(resolution))
            return [];
        return [...(this.#subjects.get(resolution.id.toLowerCase())?.group.entries ?? [])].sort(byDeclaration);
    }
    /** Every group, as entriesBySubject returns them (entries in declaration order). */
    groups() {
        const out = new Map();
        for (const [id, { group }] of this.#subjects)
            out.set(id, { subject: group.subject, entries: [...group.entries].sort(byDeclaration) });
        return out;
    }
    #subject(resolution, toConfirm) {
        const id = resolution.id.toLowerCase();
        let state = this.#subjects.get(id);
        if (state)
            return state;
        state = { group: { subject: resolution, entries: [] }, waiting: new Set(), held: [] };
        this.#subjects.set(id, state);
        for (const folded of keysResolvingTo(resolution)) {
            for (const canonical of this.#index.get(folded) ?? []) {
                if (this.#resolutions.has(canonical))
                    continue; // answered: grouped by its own answer
                if (this.#planned.has(canonical)) {
                    this.#wait(state, id, canonical); // its own answer will group it
                    continue;
                }
                const entry = this.#desired.users.get(canonical);
                if (this.#confirmed.has(canonical)) {
                    this.#match(resolution, entry, this.#confirmed.get(canonical));
                    continue;
                }
                const hits = this.#hits.get(canonical);
                if (hits)
                    hits.push({ subject: resolution, entry });
                else {
                    this.#hits.set(canonical, [{ subject: resolution, entry }]);
                    toConfirm.push(entry.key);
                }
                this.#wait(state, id, canonical);
            }
        }
        return state;
    }
    #wait(state, id, canonical) {
        state.waiting.add(canonical);
        const waiters = this.#waiters.get(canonical);
        if (waiters)
            waiters.add(id);
        else
            this.#waiters.set(canonical, new Set([id]));
    }
    /** `canonical` has its answer: the subjects waiting for it wait for one less. */
    #answer(canonical, touched) {
        for (const id of this.#waiters.get(canonical) ?? []) {
            this.#subjects.get(id)?.waiting.delete(canonical);
            touched.add(id);
        }
        this.#waiters.delete(canonical);
    }
    #match(subject, entry, answer) {
        const same = isSubject(answer) ? answer.id.toLowerCase() === subject.id.toLowerCase() : answer?.problem === 'failed';
        if (same)
            this.#add(this.#subjects.get(subject.id.toLowerCase()), entry);
    }
    #add(state, entry) {
        if (entry && !state.group.entries.includes(entry))
            state.group.entries.push(entry);
    }
    #release(touched, released) {
        for (const id of touched) {
            const state = this.#subjects.get(id);
            if (!state || state.waiting.size > 0 || state.held.length === 0)
                continue;
            released.push(...state.held);
            state.held = [];
        }
    }
}

/**
 * Executing a plan against one target: users looked up and written as a pipeline (writeUsers),
 * then the removals (executeRemovals). Shared by apply and drift's fix; what to execute, and what
 * to record afterwards, is the caller's.
 */
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
async function writeUsers(ctx) {
    const { photos, tenant, signal } = ctx;
    const byKey = new Map(ctx.uploads.map((u) => [u.key.canonical, u]));
    const tracker = new SubjectTracker(ctx.desired, ctx.keys.map((k) => k.canonical));
    const breaker = new PolicyBreaker(tenant, () => photos.stop());
    const ready = new WorkQueue();
    const side = new Set();
    const decided = new Set();
    let inTenant = 0;
    let broken;
    const readPacer = ctx.compareWithTenant ? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, classify: pacingClassifierOf(tenant), ...(signal ? { signal } : {}) }) : undefined;
    const presenceSlots = new Semaphore(4);
    const cpu = new Semaphore(recommendedParallelism());
    const background = (work) => {
        const job = work().catch((error) => {
            broken ??= { error };
        });
        side.add(job);
        void job.finally(() => side.delete(job));
    };
    // Each upload counts once as it is settled; one never sent (cancelled, or stopped by the photo
    // policy) is not "done", so a stopped run's final count says how far it got.
    const counted = new Set();
    const count = (upload, done = true) => {
        if (counted.has(upload.key.canonical))
            return;
        counted.add(upload.key.canonical);
        if (done)
            ctx.progress.advance();
    };
    const settle = (upload, outcome) => {
        count(upload, !outcome || !NOT_SENT.has(outcome.status));
        decided.add(upload.key.canonical);
        photos.discard(upload);
        if (outcome)
            ctx.outcomes.push(outcome);
    };
    const step = ({ released, toConfirm }) => {
        if (toConfirm.length > 0) {
            background(async () => step(tracker.confirm(toConfirm, await tenant.resolveSubjects(toConfirm, signal ? { signal } : {}))));
        }
        const users = [];
        for (const canonical of released) {
            const upload = byKey.get(canonical);
            if (!upload)
                continue; // a removal: the caller deletes after the uploads
            const resolution = tracker.resolution(canonical);
            if (!isResolvedSubject(resolution))
                settle(upload, noAccountOutcome(upload, resolution, ctx) ?? resolutionOutcome(upload.key, 'upload', resolution, 'failed', upload.photo));
            else if (tracker.entriesOf(canonical).length > 1)
                settle(upload); // same user twice: reported with all its entries
            else if (resolution.accountEnabled === false)
                settle(upload, noAccountOutcome(upload, resolution, ctx));
            else
                users.push({ upload, userId: resolution.id });
        }
        if (users.length === 0)
            return;
        if (!ctx.compareWithTenant) {
            for (const user of users)
                ready.push({ ...user, compare: false });
            return;
        }
        // Users without any photo need no download: ask 20 at a time which ones have one.
        background(async () => {
            const present = await presenceSlots.run(() => tenant.photoPresence(users.map((u) => u.userId), signal ? { signal } : {}));
            for (const user of users)
                ready.push({ ...user, compare: present.get(user.userId) !== false });
        });
    };
    const writeOne = async ({ upload, userId, compare }) => {
        decided.add(upload.key.canonical);
        if (broken)
            return photos.discard(upload);
        if (signal?.aborted)
            return settle(upload, { key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this photo was sent.' });
        if (breaker.tripped)
            return settle(upload, notAttempted(upload.key, 'upload', upload.photo));
        const prepared = photos.take(upload);
        if (compare && (await targetHoldsPhoto({ tenant, readPacer: readPacer, cpu, userId, prepared, label: describeKey(upload.key), ...(signal ? { signal } : {}) }))) {
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
        if (breaker.tripped)
            return settle(upload, notAttempted(upload.key, 'upload', upload.photo));
        try {
            await ctx.pacer.run(() => breaker.guard(() => tenant.putPhoto(userId, photo.jpeg, signal)), describeKey(upload.key));
            ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'uploaded', photo: upload.photo });
            await ctx.recordLanded({ action: 'upload', key: upload.key.canonical, fingerprint: upload.fingerprint });
        }
        catch (err) {
            const outcome = breaker.outcome(upload.key, 'upload', upload.photo, err) ?? failure(upload.key, 'upload', upload.photo, err);
            if (NOT_SENT.has(outcome.status))
                count(upload, false);
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
            }
            finally {
                count(user.upload);
            }
        }
    });
    let resolutions = new Map();
    try {
        resolutions = await tenant.resolveSubjects(ctx.keys, { ...(signal ? { signal } : {}), onResolved: (answers) => step(tracker.resolved(answers)) });
        step(tracker.resolved(resolutions)); // any answer not announced as its batch landed
    }
    catch (error) {
        // A cancelled run stops looking users up: the users not reached are reported as cancelled.
        if (!signal?.aborted)
            broken ??= { error };
    }
    while (side.size > 0)
        await Promise.all([...side]);
    ready.close();
    await Promise.all(writers);
    if (readPacer)
        await readPacer.onIdle();
    if (broken)
        throw broken.error;
    for (const upload of ctx.uploads) {
        if (decided.has(upload.key.canonical) || !signal?.aborted)
            continue;
        settle(upload, { key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this user was looked up.' });
    }
    return { resolutions: tracker.resolutions, groups: tracker.groups(), inTenant, breaker };
}
/**
 * Removals after the uploads, and never of a user this head still declares under another key
 * (`held`): that would delete the photo just uploaded for them.
 */
async function executeRemovals(c) {
    const { outcomes, progress, breaker, signal } = c;
    for (const r of c.removals) {
        const keep = c.held.get(r.key.canonical);
        if (keep) {
            outcomes.push(keep);
            progress.advance();
            continue;
        }
        const resolution = c.resolutions.get(r.key.canonical);
        if (!resolution && signal?.aborted) {
            outcomes.push({ key: r.key, action: 'remove', status: 'cancelled', photo: r.photo, reason: 'The run was cancelled before this user was looked up.' });
            continue;
        }
        if (!isResolvedSubject(resolution)) {
            outcomes.push(goneUserRemoval(r, resolution, { unknownUsers: c.unknownUsers }) ?? resolutionOutcome(r.key, 'remove', resolution, 'failed', r.photo));
            progress.advance();
            continue;
        }
        if (breaker.tripped) {
            outcomes.push(notAttempted(r.key, 'remove', r.photo));
            continue;
        }
        try {
            await c.pacer.run(() => breaker.guard(() => c.tenant.deletePhoto(resolution.id, signal)), describeKey(r.key));
            outcomes.push({ key: r.key, action: 'remove', status: 'removed', photo: r.photo });
            await c.recordLanded({ action: 'remove', key: r.key.canonical });
        }
        catch (err) {
            outcomes.push(breaker.outcome(r.key, 'remove', r.photo, err) ?? failure(r.key, 'remove', r.photo, err));
        }
        if (!NOT_SENT.has(outcomes.at(-1).status))
            progress.advance();
    }
}
/** An unbounded FIFO that writers wait on; closing it lets them finish. */
class WorkQueue {
    #items = [];
    #head = 0;
    #closed = false;
    #waiting = [];
    push(item) {
        this.#items.push(item);
        this.#waiting.shift()?.();
    }
    close() {
        this.#closed = true;
        for (const wake of this.#waiting.splice(0))
            wake();
    }
    async next() {
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
            if (this.#closed)
                return undefined;
            await new Promise((resolve) => this.#waiting.push(resolve));
        }
    }
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
class ApplyLease {
    options;
    ref;
    held;
    renewTimer;
    renewing = Promise.resolve();
    ttlMs;
    store;
    constructor(options) {
        this.options = options;
        // A tag, because every git host accepts tag pushes; it exists only while a run holds it.
        this.ref = recordRef('lock', { environment: options.environment, ...(options.target ? { target: options.target } : {}) });
        this.store = new GitRecordStore({ repo: options.repo, ...(options.remote ? { remote: options.remote } : {}) });
        this.ttlMs = (options.ttlSeconds ?? Number(process.env.ENTRA_PHOTOS_LEASE_TTL_SECONDS || 120)) * 1000;
    }
    /** Waits (bounded) until the lease is free or expired, then takes it. */
    async acquire() {
        const { signal, log } = this.options;
        const deadline = Date.now() + (this.options.waitSeconds ?? 1800) * 1000;
        let announced = false;
        for (;;) {
            const current = await this.read();
            if (!current || current.expires < Date.now()) {
                if (current && log)
                    log(`The apply lease of ${current.holder} expired at ${new Date(current.expires).toISOString()}: taking it over.`);
                const mine = await this.makeLease();
                const outcome = await this.store.swap(this.ref, current?.sha, mine);
                if (outcome === 'refused') {
                    // Not a race (the lease still reads as before): looking again would spin on the same refusal.
                    throw new UserError('git', `Could not push the apply lease (${this.ref}) to ${this.options.remote}; nothing was written. The job needs "permissions: contents: write" to take it.`);
                }
                if (outcome === 'swapped') {
                    this.held = mine;
                    this.renewTimer = setInterval(() => void (this.renewing = this.renew()), Math.max(1000, this.ttlMs / 3));
                    this.renewTimer.unref();
                    return;
                }
                continue; // someone else won the race: look again
            }
            if (!announced) {
                log?.(`Another apply to ${this.options.environment} is running (${current.holder}); waiting for it to finish.`);
                announced = true;
            }
            if (Date.now() > deadline || signal?.aborted) {
                throw new UserError('guard', `Another apply to ${this.options.environment} (${current.holder}) has held the lease since before this run started; nothing was written. Run again when it has finished (a concurrency group in the workflow queues runs instead).`);
            }
            // An abort ends the wait early; the check above then says why nothing was written.
            await sleep((this.options.pollSeconds ?? Math.min(5, this.ttlMs / 2000)) * 1000, signal).catch(() => { });
        }
    }
    /** Gives the lease back (only if it is still ours). */
    async release() {
        if (this.renewTimer)
            clearInterval(this.renewTimer);
        await this.renewing;
        if (!this.held)
            return;
        const held = this.held;
        this.held = undefined;
        // A lease that cannot be given back (the remote went away) expires by itself: never fail the run for it.
        await this.store.swap(this.ref, held, undefined).catch(() => undefined);
    }
    async renew() {
        if (!this.held)
            return;
        try {
            const next = await this.makeLease();
            if ((await this.store.swap(this.ref, this.held, next)) === 'swapped')
                this.held = next;
        }
        catch {
            // Runs on a timer, where a rejection would end the process: the next tick tries again.
        }
    }
    async makeLease() {
        const expires = new Date(Date.now() + this.ttlMs).toISOString();
        const holder = this.options.holder ?? `${hostname()} pid ${process.pid}`;
        const target = this.options.target ?? DEFAULT_TARGET;
        const message = `entra-photos apply lease\n\nenvironment: ${this.options.environment}\ntarget: ${target}\nholder: ${holder}\nexpires: ${expires}\n`;
        return (await git(this.options.repo, ['commit-tree', EMPTY_TREE, '-m', message], { env: TOOL_IDENTITY })).trim();
    }
    async read() {
        const sha = await this.store.read(this.ref);
        if (!sha)
            return undefined;
        const body = (await gitMaybe(this.options.repo, ['cat-file', 'commit', sha])) ?? '';
        const expires = Date.parse(body.match(/^expires: (.+)$/m)?.[1] ?? '');
        return { sha, holder: body.match(/^holder: (.+)$/m)?.[1] ?? 'an unknown run', expires: Number.isFinite(expires) ? expires : 0 };
    }
}

function userNames(desired, resolutions = new Map()) {
    const names = new Map();
    for (const [canonical, resolution] of resolutions) {
        const shown = isResolvedSubject(resolution) ? resolution.displayName?.trim() : undefined;
        if (shown)
            names.set(canonical, shown);
    }
    // The manifest's name wins: it is what the reviewer approved. Later states (the head) are given
    // first by callers; an earlier one only fills keys the later ones do not name.
    for (const state of [...desired].reverse()) {
        for (const [canonical, photo] of state?.users ?? [])
            if (photo.name)
                names.set(canonical, photo.name);
    }
    return names;
}

class BufferPool {
    keep;
    #free = [];
    /** `keep`: at most this many idle buffers are kept (one per photo in flight is enough). */
    constructor(keep) {
        this.keep = keep;
    }
    /** A buffer of at least `size` bytes, the caller's alone until `give` returns it. */
    take(size) {
        const fit = this.#free.findIndex((b) => b.length >= size);
        if (fit >= 0)
            return this.#free.splice(fit, 1)[0];
        // Grow in 1 MB steps so that photos of slightly different sizes reuse the same buffers.
        return Buffer.allocUnsafeSlow(Math.ceil(Math.max(size, 1) / MB) * MB);
    }
    give(buffer) {
        if (this.#free.length < this.keep) {
            this.#free.push(buffer);
            return;
        }
        // Keep the largest: a smaller one would only be replaced by a new allocation later.
        const smallest = this.#free.reduce((at, b, i, all) => (b.length < all[at].length ? i : at), 0);
        if (this.#free[smallest].length < buffer.length)
            this.#free[smallest] = buffer;
    }
    /** Buffers held idle (for tests). */
    get idle() {
        return this.#free.length;
    }
}
const MB = 1024 * 1024;

/**
 * Works ahead through an ordered list: keeps `work(item)` started for up to `ahead` items not yet
 * taken, so each result is (nearly) ready when the consumer reaches it.
 *
 * Apply uses it to normalise photos (CPU) while the run is still talking to the tenant (sign-in,
 * user lookups, the first apply's comparison, the policy read) and while earlier photos wait for
 * the throttle: without it the cores sat idle for the first second or so of every run.
 * `ahead` bounds the memory held by results nobody has taken yet.
 */
class Lookahead {
    items;
    work;
    ahead;
    #position;
    #started = new Map();
    /** Set by keepOnly: items outside it are never started. */
    #wanted;
    #next = 0;
    #stopped = false;
    constructor(items, work, ahead) {
        this.items = items;
        this.work = work;
        this.ahead = ahead;
        this.#position = new Map(items.map((item, i) => [item, i]));
    }
    /** Starts work on the next items, until `ahead` results are pending or ready and untaken. */
    fill() {
        while (!this.#stopped && this.#started.size < this.ahead && this.#next < this.items.length) {
            const item = this.items[this.#next++];
            if (!this.#wanted || this.#wanted.has(item))
                this.#start(item);
        }
    }
    /** The result for `item`: the one worked ahead, or work started now. */
    take(item) {
        const result = this.#started.get(item) ?? this.work(item);
        this.#started.delete(item);
        const position = this.#position.get(item);
        if (position !== undefined && position >= this.#next)
            this.#next = position + 1;
        this.fill();
        return result;
    }
    /** The consumer will take none of the items outside `wanted`: their results are dropped and the rest never started. */
    keepOnly(wanted) {
        this.#wanted = wanted;
        for (const item of this.#started.keys())
            if (!wanted.has(item))
                this.#started.delete(item);
        this.fill();
    }
    /** The consumer will not take `item`. */
    discard(item) {
        this.#started.delete(item);
        const position = this.#position.get(item);
        if (position !== undefined && position >= this.#next)
            this.#next = position + 1;
        this.fill();
    }
    /** Nothing new starts (a cancelled run); work in progress finishes unobserved. */
    stop() {
        this.#stopped = true;
        this.#started.clear();
    }
    /** Results started and not yet taken (for tests and bounds). */
    get pending() {
        return this.#started.size;
    }
    #start(item) {
        const result = this.work(item);
        // Observed when taken; a result that is dropped must not become an unhandled rejection.
        result.catch(() => { });
        this.#started.set(item, result);
    }
}

/**
 * The photos a run sends, normalised ahead of the uploads (CPU while the network waits).
 */
/**
 * Normalising (CPU) runs ahead of uploading (network, paced to the throttle): it starts as soon
 * as the plan is known and keeps a bounded number of photos ready, so the cores stay busy while
 * the run looks users up and while photos wait for the throttle. Memory stays flat however many
 * photos there are: at most `ahead` normalised photos wait, plus those in flight.
 */
function preparePhotos(uploads, headSnapshot, workAhead) {
    const parallelism = recommendedParallelism();
    const cpuSlots = new Semaphore(parallelism);
    // Originals are needed only while they are normalised: one reusable buffer per photo in flight.
    const originals = new BufferPool(parallelism);
    const ahead = Math.max(32, parallelism * 8);
    const photos = new Lookahead(uploads, (upload) => preparePhoto(upload, headSnapshot, cpuSlots, originals), ahead);
    // A dry run sends nothing: it normalises only the photos it compares with the tenant (take()).
    if (workAhead)
        photos.fill();
    else
        photos.keepOnly(new Set());
    return photos;
}
async function preparePhoto(upload, headSnapshot, cpuSlots, originals) {
    await cpuSlots.acquire();
    let original;
    try {
        original = await headSnapshot.readLeased(upload.photo, originals);
        const report = await checkPhoto(original.bytes, upload.settings);
        const error = report.issues.find((i) => i.severity === 'error');
        if (error || !report.output)
            return { reason: error?.message ?? 'The photo could not be normalised.' };
        const { jpeg } = report.output;
        // The upload must outlive the original's buffer, which the next photo overwrites.
        return { jpeg: jpeg.buffer === original.bytes.buffer ? Buffer.from(jpeg) : jpeg };
    }
    catch (err) {
        return { reason: `The photo could not be read: ${err.message}` };
    }
    finally {
        original?.release();
        cpuSlots.release();
    }
}

/**
 * `drift --fix`: the same execution as apply (normalise, pace, retry; policy ordered by the
 * lockout guard), restricted to the drifted users, from the head alone. Nothing is recorded:
 * the applied record still says which reviewed revision was applied completely.
 */
async function repairDrift(options, users, ctx) {
    const { tenant, headSnapshot, validation, base, desiredHead, result, log } = ctx;
    const full = diffDesired(undefined, desiredHead, { prune: false });
    const requested = full.uploads.filter((u) => users.has(u.key.canonical));
    const plan = { ...full, base: base ?? null, uploads: requested, unchanged: desiredHead.users.size - requested.length, removals: [] };
    log(`Repairing drift from ${desiredHead.label}: ${requested.length} photo(s).`);
    const photos = preparePhotos(requested, headSnapshot, !options.dryRun);
    let progress;
    try {
        const pacer = options.pacer ?? new WritePacer({ classify: pacingClassifierOf(tenant), ...(options.signal ? { signal: options.signal } : {}) });
        const policyStart = startPolicy(desiredHead, tenant, options, log);
        const outcomes = [];
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
            recordLanded: async () => { },
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
            if (policy.status === 'applied')
                policy = { ...policy, status: 'would-apply' };
            return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'dry-run', names });
        }
        const finished = await finishPolicy({ target: tenant, plan: policyPlan, policy, breaker: written.breaker, outcomes, signal: options.signal, log });
        const halted = finished.halted;
        return result({ validation, base, plan, outcomes, policy: finished.policy, appliedRevision: base, record: 'repair', names, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false, ...(halted ? { halted } : {}) });
    }
    finally {
        progress?.finish();
        photos.stop();
    }
}

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
/**
 * Applies the reviewed change: the plan from the last revision applied completely to this
 * environment up to `head`. Never re-derives intent from anything but two revisions (and the
 * progress notes of interrupted runs between them).
 */
async function applyRevision(options, input) {
    const tenant = photoTargetOf(input);
    const started = performance.now();
    const log = options.log ?? (() => { });
    // Each target keeps its own record (Entra's, the default, under today's ref names): one target's
    // failure never holds another back.
    const ledger = new Ledger({ repo: options.repo, environment: options.environment, target: tenant.id, ...(options.remote ? { remote: options.remote } : {}), ...(options.provenance ? { provenance: options.provenance } : {}) });
    const headSnapshot = await RevisionSnapshot.open(options.repo, options.head);
    const head = headSnapshot.commit;
    const snapshots = [headSnapshot];
    let names; // known once users are looked up
    const result = (partial) => ({
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
        ...(tenant.policy ? {} : { targetHasNoPolicy: true }),
        ...partial,
    });
    let photos;
    let progress;
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
        if (options.repair)
            return await repairDrift(options, options.repair.users, { tenant, headSnapshot, validation, base, desiredHead, result, log });
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
        const recordLanded = async (entry) => {
            ledger.record(entry);
            if (ledger.dueForFlush(options.progressEvery ?? 50))
                await flush(ledger, base, head, log);
        };
        const outcomes = [];
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
        if (removals.length === 0)
            progress.finish();
        names = userNames([desiredHead, desiredBase], resolutions);
        const subjects = written.groups;
        // A removal whose user is still declared under another key (a manifest switched from UPN to
        // employeeId) deletes nothing.
        const conflicts = sameSubjectConflicts(subjects);
        const held = heldRemovals(removals, resolutions, subjects);
        const alreadyLanded = landedKeys.filter((canonical) => !conflicts.has(canonical)).length;
        if (alreadyLanded)
            log(`${alreadyLanded} planned change(s) already landed in an earlier run from the same base: skipped.`);
        if (conflicts.size)
            log(`${new Set(conflicts.values()).size} user(s) are declared twice under different keys: nothing is written for them.`);
        const alreadyInTenant = written.inTenant;
        await explainDeleted(outcomes, tenant, options.signal, log);
        if (!base && uploads.length > 0)
            log(`No applied revision is recorded for ${options.environment}: compared with the tenant, ${alreadyInTenant} user(s) already have their photo.`);
        const policyPlan = await policyStart.planning;
        let policy = await policyStart.beforeWrites;
        if (options.dryRun) {
            outcomes.push(...conflictOutcomes(conflicts, true));
            for (const r of removals)
                outcomes.push(held.get(r.key.canonical) ?? goneUserRemoval(r, resolutions.get(r.key.canonical), options) ?? resolutionOutcome(r.key, 'remove', resolutions.get(r.key.canonical), 'would-remove', r.photo));
            if (policy.status === 'applied')
                policy = { ...policy, status: 'would-apply' };
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
        let record = 'not-complete';
        let appliedRevision = base;
        if (complete) {
            // The users still waiting are listed on the revision before the record moves to it (a run
            // of the applied revision with nobody waiting before or after has nothing to write).
            const waitingNow = waitingEntries(outcomes, waitingAtBase);
            if (base !== head || waitingAtBase.size > 0 || waitingNow.length > 0)
                await ledger.writePending(head, waitingNow);
            if (base === head)
                record = 'unchanged';
            else {
                record = await ledger.advance(base, head);
                if (record === 'advanced')
                    appliedRevision = head;
            }
        }
        return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes, policy, appliedRevision, record, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false, ...(halted ? { halted } : {}) });
    }
    finally {
        progress?.finish();
        photos?.stop();
        await lease?.release();
        for (const s of snapshots)
            s.close();
    }
}
async function flush(ledger, base, head, log) {
    try {
        await ledger.flushProgress(base, head);
    }
    catch (err) {
        // Progress is an optimisation for resuming; failing to record it must not stop the uploads.
        log(`Could not record progress: ${err.message}`);
    }
}
/**
 * Whether `commit` is an ancestor of `than`. Shallow clones may lack the history to tell: then
 * the committer dates decide (the default branch's history is linear in time in practice).
 */
async function isOlder(repo, commit, than) {
    const byHistory = await gitMaybe(repo, ['merge-base', '--is-ancestor', commit, than]);
    if (byHistory !== undefined)
        return true;
    // In a full clone history has answered: the usual case (the head is newer) stops here.
    if ((await gitMaybe(repo, ['rev-parse', '--is-shallow-repository']))?.trim() !== 'true')
        return false;
    const dates = (await gitMaybe(repo, ['show', '-s', '--format=%ct', commit, than]))?.trim().split('\n').map(Number);
    return dates !== undefined && dates.length === 2 && dates[0] < dates[1];
}

/** The user as reports show it: the key, and the person's name beside it when known (ApplyResult.names). */
function outcomeUser(result, o) {
    return describeUser(o.key, result.names?.get(o.key.canonical));
}
function applyCounts(result) {
    const count = (s) => result.outcomes.filter((o) => o.status === s).length;
    return {
        uploaded: count('uploaded') + count('would-upload'),
        removed: count('removed') + count('would-remove'),
        failed: count('failed'),
        cancelled: count('cancelled'),
        notAttempted: count('not-attempted'),
        pending: count('pending'),
        kept: count('kept'),
        planned: result.outcomes.length - count('kept'),
    };
}
/** Whether the job should fail: anything failed, was cancelled, or the policy was refused. */
function applySucceeded(result) {
    const c = applyCounts(result);
    return c.failed === 0 && c.cancelled === 0 && c.notAttempted === 0 && !result.halted && !result.cancelled && !['refused', 'failed'].includes(result.policy.status) && result.validation.findings.every((f) => f.severity !== 'error');
}
function throughput(result) {
    const c = applyCounts(result);
    return result.durationMs > 0 ? ((c.uploaded + c.removed) * 1000) / result.durationMs : 0;
}
function applyHeadline(result) {
    const c = applyCounts(result);
    const dry = result.record === 'dry-run';
    const verb = dry ? 'Dry run' : applySucceeded(result) ? 'Applied' : result.cancelled ? 'Cancelled' : 'Apply failed';
    const parts = dry
        ? [`${c.uploaded} would upload`, `${c.removed} would remove`, `${c.failed} failed`, ...(c.pending ? [`${c.pending} waiting for an account`] : [])]
        : [`${c.uploaded} uploaded`, `${c.removed} removed`, `${c.failed} failed`, ...(c.cancelled ? [`${c.cancelled} not started`] : []), ...(c.notAttempted ? [`${c.notAttempted} not attempted`] : []), ...(c.pending ? [`${c.pending} waiting for an account`] : [])];
    const policy = result.targetHasNoPolicy && result.policy.status === 'not-managed' ? 'this directory has no photo policy' : policyOutcomeWords(result.policy.status);
    return `${verb} to ${result.environment}: ${parts.join(', ')}${result.alreadyLanded ? `, ${result.alreadyLanded} already landed` : ''}; ${policy} (${(result.durationMs / 1000).toFixed(1)} s).`;
}
/** A policy outcome in words (the JSON keeps the status value). */
function policyOutcomeWords(status) {
    switch (status) {
        case 'not-managed':
            return 'the photo policy is not managed by the manifests';
        case 'unchanged':
            return 'the photo policy is unchanged';
        case 'applied':
            return 'the photo policy was updated';
        case 'would-apply':
            return 'the photo policy would be updated';
        case 'refused':
            return 'the photo policy change was refused';
        case 'failed':
            return 'the photo policy update failed';
        case 'skipped':
            return 'the photo policy change was not made';
    }
}
/** Short words for one user's outcome in a table (the JSON keeps the status value). */
function outcomeWords(status) {
    switch (status) {
        case 'would-upload':
            return 'would upload';
        case 'would-remove':
            return 'would remove';
        case 'not-attempted':
            return 'not attempted';
        case 'cancelled':
            return 'not started';
        case 'kept':
            return 'kept (not pruned)';
        case 'pending':
            return 'waiting for an account';
        default:
            return status;
    }
}
/**
 * The message of a failed run, for the one error annotation: why writes stopped (the tenant's
 * photo policy) or why the policy change was refused (the lock-out guard), then the headline.
 */
function applyFailure(result) {
    const reasons = [
        ...(result.halted ? [result.halted.message] : []),
        ...(['refused', 'failed', 'skipped'].includes(result.policy.status) && result.policy.message ? [result.policy.message] : []),
    ];
    return [...reasons.map((r) => printable(r)), applyHeadline(result)].join('\n');
}
function describeTenantPolicy(p) {
    if (!p)
        return 'unknown';
    // What the tenant or a manifest says (a role id that is not a known role is shown as written).
    return `source ${printable(String(p.source ?? 'not set'))}; allowed roles: ${p.allowedRoles.length ? p.allowedRoles.map((id) => printable(roleName(id))).join(', ') : 'any'}`;
}
/** The users waiting for an account, in manifest order (file, then line). */
function waitingFor(result) {
    return result.outcomes
        .filter((o) => o.status === 'pending')
        .map((o) => ({
        user: o.key.kind === 'employeeId' ? `employeeId ${o.key.value}` : o.key.value,
        keyType: o.key.kind,
        ...nameOf(result, o),
        problem: o.code === 'disabled' || o.code === 'deleted' ? o.code : 'no-account',
        file: o.declaredAt?.file ?? '',
        line: o.declaredAt?.line ?? 0,
        reason: o.reason ?? '',
        ...(o.waitingSince ? { since: o.waitingSince } : {}),
    }))
        .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
/** What waiting means for this run and what to do. */
function waitingNote(result) {
    const recorded = result.record === 'advanced' || result.record === 'unchanged';
    const lead = result.record === 'dry-run' ? 'They would not hold the record back' : recorded ? `${result.head.slice(0, 12)} is recorded as applied without them` : 'They do not hold the record back';
    return `${lead}: every later apply looks them up again and uploads their photo once the account exists and is enabled. Create or enable each account, or remove its entry from the manifest.`;
}
function recordLine(result) {
    switch (result.record) {
        case 'advanced':
            return `Recorded ${result.head.slice(0, 12)} as applied to ${result.environment}.`;
        case 'unchanged':
            return `${result.head.slice(0, 12)} was already recorded as applied to ${result.environment}.`;
        case 'lost-race':
            return `Another run moved the ${result.environment} record meanwhile; this run did not overwrite it.`;
        case 'dry-run':
            return 'Dry run: nothing was written and the record did not move.';
        case 'superseded':
            return `${result.head.slice(0, 12)} is older than the revision applied to ${result.environment} (${result.appliedRevision?.slice(0, 12)}): nothing was written.`;
        default:
            return result.appliedRevision
                ? `${result.environment} stays recorded at ${result.appliedRevision.slice(0, 12)} (the last revision applied completely): the next run retries what did not land.`
                : `Nothing is recorded as applied to ${result.environment} yet: the next run retries what did not land.`;
    }
}
function applyText(result) {
    const lines = [];
    for (const o of result.outcomes) {
        // Paths and reasons (Graph's error messages among them) are data: one line each.
        if (o.status === 'failed' || o.status === 'cancelled')
            lines.push(`  ✗ ${outcomeUser(result, o)} (${o.action} ${printable(o.photo ?? '')}): ${printable(o.reason ?? outcomeWords(o.status))}`);
    }
    const waiting = waitingFor(result);
    if (waiting.length) {
        lines.push(`Waiting for an account: ${waiting.length} (${waitingNote(result)})`);
        for (const w of waiting)
            lines.push(`  … ${printable(w.user)}${w.name ? ` (${printable(w.name)})` : ''} (${printable(w.file)}:${w.line}): ${printable(w.reason)}`);
    }
    if (result.policy.message)
        lines.push(`  policy: ${printable(result.policy.message)}`);
    // The run's one error when the tenant's photo policy refused its writes (the users never sent
    // are counted, not listed one by one).
    if (result.halted)
        lines.push(`Error: ${printable(result.halted.message)}`);
    lines.push(applyHeadline(result), recordLine(result));
    return lines.join('\n') + '\n';
}
function applyJson(result) {
    return {
        environment: result.environment,
        base: result.base ?? null,
        head: result.head,
        counts: applyCounts(result),
        alreadyLanded: result.alreadyLanded,
        policy: result.policy,
        appliedRevision: result.appliedRevision ?? null,
        record: result.record,
        durationMs: result.durationMs,
        ...(result.halted ? { halted: result.halted } : {}),
        waiting: waitingFor(result),
        outcomes: result.outcomes.map((o) => ({ user: o.key.value, keyType: o.key.kind, ...nameOf(result, o), action: o.action, status: o.status, ...(o.photo ? { photo: o.photo } : {}), ...(o.reason ? { reason: o.reason } : {}) })),
    };
}
function nameOf(result, o) {
    const name = result.names?.get(o.key.canonical);
    return name ? { name } : {};
}
/**
 * Job summary: verdict and counts first, then failures, then every user, then the policy. Keys,
 * paths, reasons, the environment's name and the policy go through mdText (src/report/markdown.ts).
 */
function applyMarkdown(result, openRows = 15, targetTitle) {
    const c = applyCounts(result);
    const ok = applySucceeded(result);
    const out = [
        `## ${result.record === 'dry-run' ? '🔎' : ok ? '✅' : '❌'} entra-photos${targetTitle ? ` → ${mdText(targetTitle)}` : ''}: ${mdText(applyHeadline(result))}`,
        '',
        `| Uploaded | Removed | Failed | Not started | Kept (no prune) | Already landed | Duration | Throughput |`,
        `|---:|---:|---:|---:|---:|---:|---:|---:|`,
        `| ${c.uploaded} | ${c.removed} | ${c.failed} | ${c.cancelled} | ${c.kept} | ${result.alreadyLanded} | ${(result.durationMs / 1000).toFixed(1)} s | ${throughput(result).toFixed(1)}/s |`,
        '',
        mdText(recordLine(result)),
        '',
        ...(result.halted ? ['> [!CAUTION]', `> ${mdText(result.halted.message)}`, ''] : []),
    ];
    if (result.pacer) {
        const p = result.pacer;
        out.push(`Graph: ${p.attempts} write requests, ${p.throttled} throttled (429), ${p.retries} retries.`, '');
    }
    const waiting = waitingFor(result);
    if (waiting.length) {
        out.push(`### Waiting for an account: ${waiting.length}`, '', mdText(waitingNote(result)), '', '| User | Declared at | Why | Waiting since |', '|---|---|---|---|');
        for (const w of waiting)
            out.push(`| ${mdText(w.name ? `${w.user} (${w.name})` : w.user)} | ${mdText(`${w.file}:${w.line}`)} | ${mdText(w.reason)} | ${mdText(w.since?.slice(0, 10) ?? '')} |`);
        out.push('');
    }
    const problems = result.outcomes.filter((o) => o.status === 'failed' || o.status === 'cancelled');
    if (problems.length) {
        const who = problems.every((o) => isGroupKey(o.key)) ? 'Group' : problems.some((o) => isGroupKey(o.key)) ? 'User or group' : 'User';
        out.push(`### Failures (${problems.length})`, '', `| ${who} | Action | Photo | Why |`, '|---|---|---|---|');
        for (const o of problems)
            out.push(`| ${mdText(outcomeUser(result, o))} | ${o.action} | ${mdText(o.photo ?? '')} | ${mdText(o.reason ?? outcomeWords(o.status))} |`);
        out.push('');
    }
    // Users, then groups and teams in their own section.
    const outcomeTable = (outcomes, who, title, every) => {
        const rows = outcomes.map((o) => `| ${mdText(outcomeUser(result, o))} | ${o.action} | ${outcomeWords(o.status)} | ${mdText(o.photo ?? '')} |`);
        if (!rows.length)
            return;
        const table = [`| ${who} | Action | Result | Photo |`, '|---|---|---|---|', ...rows];
        if (rows.length > openRows)
            out.push(`<details><summary><b>${every} (${rows.length})</b></summary>`, '', ...table, '', '</details>', '');
        else
            out.push(`### ${title}`, '', ...table, '');
    };
    outcomeTable(result.outcomes.filter((o) => !isGroupKey(o.key)), 'User', 'Users', 'Every user');
    outcomeTable(result.outcomes.filter((o) => isGroupKey(o.key)), 'Group', 'Groups and teams', 'Every group');
    if (result.policy.status !== 'not-managed') {
        out.push('### Photo policy', '', `- ${capitalise(policyOutcomeWords(result.policy.status))}.`, `- tenant before: ${mdText(describeTenantPolicy(result.policy.from))}`);
        if (result.policy.to)
            out.push(`- declared: ${mdText(describeTenantPolicy(result.policy.to))}`);
        if (result.policy.message)
            out.push('', '> [!WARNING]', `> ${mdText(result.policy.message)}`);
        out.push('');
    }
    return out.join('\n');
}
function capitalise(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}

export { COLOUR_SIDE as C, RevisionSnapshot as R, SAME_PHOTO_THRESHOLD as S, SIGNATURE_SIDE as a, compareSignatures as b, comparePhotos as c, applySucceeded as d, applyJson as e, applyText as f, countFindings as g, validationJson as h, applyRevision as i, appliedEnvironments as j, diffDesired as k, applyCounts as l, describeTenantPolicy as m, policyOutcomeWords as n, outcomeUser as o, photoSignature as p, outcomeWords as q, validationSummary as r, sortFindings as s, applyMarkdown as t, applyFailure as u, validationText as v, waitingForAccount as w, waitingFor as x, validationHeadline as y };

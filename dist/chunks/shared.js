import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { p as plural, D as DEFAULT_LIMITS, n as normalisationKey, U as UserError, m as mapLimit, a as encodeSegment, s as sendBatch, b as parseRetryAfter, f as backoffDelayMs, g as sleep, M as MAX_BATCH, r as roleName, v as validateRepository, S as Semaphore, h as recommendedParallelism, j as isResolved, k as downloadPhotoOnce, l as checkPhoto, t as thumbnail, d as describeKey } from './shared2.js';
import { tmpdir, hostname } from 'node:os';
import 'node:crypto';
import sharp from 'sharp';
import 'node:zlib';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { constants } from 'node:fs';
import { open, mkdtemp, writeFile, rm } from 'node:fs/promises';
import path, { join } from 'node:path';
import { W as WritePacer, P as PacerCancelledError, a as attemptsOf } from './shared6.js';

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

/** Markdown pieces shared by the report builders (job summaries and the pull-request comment). */
/** Text safe inside a table cell: no column break, no HTML, one line. */
function cell(s) {
    return s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
}

/**
 * Report builders for validation: pure functions from a result to text, JSON or Markdown.
 * Writing them (stdout, job summary, annotations) happens at the edges.
 */
function findingLocation(f) {
    return f.line ? `${f.file}:${f.line}${f.col ? `:${f.col}` : ''}` : f.file;
}
/** Compiler-style lines (file:line:col: severity: message [code]) that editors and terminals link. */
function validationText(result) {
    const lines = sortFindings(result.findings).map((f) => `${findingLocation(f)}: ${f.severity}: ${f.message} [${f.code}]`);
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
        const where = options.fileUrl ? `[${cell(findingLocation(f))}](${options.fileUrl(f)})` : `\`${cell(findingLocation(f))}\``;
        out.push(`| ${f.severity === 'error' ? '❌ error' : '⚠️ warning'} | ${where} | ${cell(f.message)} <sub>${f.code}</sub> |`);
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

function photoFingerprint(blobId, settings) {
    return `${blobId}:${normalisationKey(settings)}`;
}
function settingsOf(user) {
    return { enabled: user.normalise, crop: user.crop };
}
async function desiredStateOf(snapshot, validation) {
    const users = new Map();
    for (const user of validation.users) {
        const blobId = await snapshot.blobId(user.photoPath);
        const settings = settingsOf(user);
        users.set(user.key.canonical, {
            key: user.key,
            photoPath: user.photoPath,
            blobId,
            settings,
            fingerprint: photoFingerprint(blobId, settings),
            declaredAt: user.keyAt,
        });
    }
    const policy = validation.policy ? desiredPolicy(validation.policy) : undefined;
    return { label: snapshot.label, users, ...(policy ? { policy } : {}) };
}
function desiredPolicy(policy) {
    const out = { declaredAt: policy.at };
    if (policy.source)
        out.source = policy.source;
    if (policy.allowedRoles)
        out.allowedRoles = policy.allowedRoles.map((r) => r.templateId).sort();
    return out;
}

class CatFileParser {
    onAnswer;
    allocate;
    /** Bytes of a header line not yet terminated (headers are short; this stays tiny). */
    header = [];
    body;
    filled = 0;
    /** The newline after an object's content is still to be skipped. */
    trailer = false;
    /**
     * `allocate(size)` gives the buffer the next object's content is copied into (at least `size`
     * bytes; the answer is a view of exactly `size`): a fresh one by default, a pooled one for photos.
     */
    constructor(onAnswer, allocate = (size) => Buffer.allocUnsafeSlow(size)) {
        this.onAnswer = onAnswer;
        this.allocate = allocate;
    }
    push(chunk) {
        let at = 0;
        while (at < chunk.length) {
            if (this.body) {
                const n = Math.min(this.body.length - this.filled, chunk.length - at);
                chunk.copy(this.body, this.filled, at, at + n);
                this.filled += n;
                at += n;
                if (this.filled === this.body.length)
                    this.finishBody();
            }
            else if (this.trailer) {
                at++; // the newline that ends every object's content
                this.trailer = false;
            }
            else {
                const newline = chunk.indexOf(10, at);
                if (newline < 0) {
                    this.header.push(chunk.subarray(at));
                    return;
                }
                this.header.push(chunk.subarray(at, newline));
                at = newline + 1;
                this.startObject(Buffer.concat(this.header).toString('latin1'));
                this.header = [];
            }
        }
    }
    startObject(line) {
        if (line.endsWith(' missing')) {
            this.onAnswer({ kind: 'missing' });
            return;
        }
        const size = Number(line.split(' ')[2]);
        if (!Number.isSafeInteger(size) || size < 0)
            throw new Error(`git cat-file answered an unexpected header: ${line.slice(0, 200)}`);
        this.body = this.allocate(size).subarray(0, size);
        this.filled = 0;
        if (size === 0)
            this.finishBody();
    }
    finishBody() {
        const content = this.body;
        this.body = undefined;
        this.trailer = true;
        this.onAnswer({ kind: 'object', content });
    }
}

const execFileAsync = promisify(execFile);
/** Runs git in a repository and returns stdout; failures become UserErrors that quote git. */
async function git(repo, args, options = {}) {
    try {
        const { stdout } = await execFileAsync('git', args, { cwd: repo, maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024, encoding: 'utf8', env: { ...gitEnv(), ...options.env } });
        return stdout;
    }
    catch (err) {
        const e = err;
        throw new UserError('git', `git ${args.join(' ')} failed in ${repo}: ${(e.stderr || e.message).trim()}`);
    }
}
/** Like git(), but answers undefined instead of failing (for "does this exist" questions). */
async function gitMaybe(repo, args) {
    try {
        return await git(repo, args);
    }
    catch {
        return undefined;
    }
}
function gitEnv() {
    // Never prompt (no terminal in CI), and read paths byte-exact (no octal quoting).
    return { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}
/** Where the applied-revision record lives by default: `origin` when the repository has one. */
async function defaultRemote(repo) {
    return (await gitMaybe(repo, ['remote', 'get-url', 'origin'])) !== undefined ? 'origin' : undefined;
}
/**
 * Identity for the commits git notes makes: runners have no git identity configured, and the
 * audit trail should say the tool wrote the progress record.
 */
const TOOL_IDENTITY = {
    GIT_AUTHOR_NAME: 'entra-photos',
    GIT_AUTHOR_EMAIL: 'entra-photos@users.noreply.github.com',
    GIT_COMMITTER_NAME: 'entra-photos',
    GIT_COMMITTER_EMAIL: 'entra-photos@users.noreply.github.com',
};
/** Resolves a revision to a full commit id, with an error that says what to do. */
async function resolveCommit(repo, rev) {
    const out = await gitMaybe(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    if (!out?.trim()) {
        throw new UserError('git', `"${rev}" is not a commit in ${repo}. Fetch it first (git fetch origin ${rev}), or pass a branch, tag or commit id that exists.`);
    }
    return out.trim();
}
/**
 * One long-lived `git cat-file --batch` process: reading thousands of blobs through it costs one
 * process, not thousands. Requests are answered in order, so a FIFO of waiters is enough.
 */
class BlobReader {
    repo;
    proc;
    waiters = [];
    constructor(repo) {
        this.repo = repo;
    }
    /** The blob's bytes, in a buffer from `allocate(size)` when given (a view of exactly its size). */
    read(oid, allocate) {
        const proc = this.start();
        return new Promise((resolve, reject) => {
            this.waiters.push({ resolve, reject, oid, allocate });
            proc.stdin.write(`${oid}\n`);
        });
    }
    close() {
        this.proc?.stdin.end();
        this.proc = undefined;
    }
    start() {
        if (this.proc)
            return this.proc;
        const proc = spawn('git', ['cat-file', '--batch'], { cwd: this.repo, env: gitEnv() });
        const failAll = (err) => {
            for (const w of this.waiters.splice(0))
                w.reject(err);
        };
        const parser = new CatFileParser((answer) => {
            const waiter = this.waiters.shift();
            if (!waiter)
                return;
            if (answer.kind === 'object')
                waiter.resolve(answer.content);
            else
                waiter.reject(new UserError('git', `Object ${waiter.oid} is missing from ${this.repo}. Fetch the history it belongs to.`));
        }, (size) => this.waiters[0]?.allocate?.(size) ?? Buffer.allocUnsafeSlow(size));
        proc.stdout.on('data', (chunk) => {
            try {
                parser.push(chunk);
            }
            catch (err) {
                failAll(new UserError('git', `${err.message} (in ${this.repo}).`));
                proc.kill();
            }
        });
        proc.on('error', failAll);
        proc.on('exit', (code) => {
            if (this.waiters.length)
                failAll(new UserError('git', `git cat-file exited (${code}) before answering in ${this.repo}.`));
            if (this.proc === proc)
                this.proc = undefined;
        });
        // Idle readers must not keep a finished CLI run alive.
        proc.unref();
        proc.stdout.unref?.();
        proc.stdin.unref?.();
        this.proc = proc;
        return proc;
    }
}
/**
 * Makes sure a commit is present, fetching just it from origin when it is not: after
 * actions/checkout's default shallow clone (fetch-depth: 1) a pull request's base is missing,
 * and asking every user to change their checkout would be worse than one small fetch.
 */
async function ensureCommit(repo, sha) {
    if (await gitMaybe(repo, ['cat-file', '-e', `${sha}^{commit}`]) !== undefined)
        return;
    try {
        await git(repo, ['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', sha]);
    }
    catch (err) {
        throw new UserError('git', `Commit ${sha} is not in the checkout and fetching it from origin failed (${err.message}). Check out with "fetch-depth: 0", or make sure origin is reachable.`);
    }
}
/** Parent commit ids of a commit (available even in a shallow clone: they are in the commit). */
async function parentsOf(repo, rev) {
    const out = await git(repo, ['cat-file', '-p', `${rev}^{commit}`]);
    return out
        .split('\n')
        .filter((l) => l.startsWith('parent '))
        .map((l) => l.slice('parent '.length).trim());
}
async function isGitRepository(repo) {
    return (await gitMaybe(repo, ['rev-parse', '--git-dir'])) !== undefined;
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
            removals.push({ key: had.key, photo: had.photoPath });
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
 * Which users have a photo at all, 20 users per request: `$batch` of `GET /users/{id}/photo`
 * (metadata only). Used before comparing a repository with a tenant, so that users without a
 * photo (a first import: all of them) cost a twentieth of a request instead of a download.
 * Sub-requests answered 429 are asked again after their Retry-After (for up to a minute); only
 * definite answers are returned (200: has one, 404: has none), and for anyone left out (still
 * throttled, failed) the caller falls back to looking at that user one by one.
 */
/** Throttled sub-requests are asked again for at most this long in all; the rest fall back. */
const MAX_WAIT_MS = 60_000;
async function photoPresence(connection, userIds, options = {}) {
    const present = new Map();
    let pending = [...userIds];
    // As for user lookups: after a throttled round, send no more than the last round got answered.
    let roundSize = Number.POSITIVE_INFINITY;
    let waitedMs = 0;
    for (let round = 1; pending.length > 0 && !options.signal?.aborted; round++) {
        const sending = pending.slice(0, Math.max(1, roundSize));
        const throttled = [];
        let answered = 0;
        let waitSeconds;
        const chunks = [];
        for (let i = 0; i < sending.length; i += MAX_BATCH)
            chunks.push(sending.slice(i, i + MAX_BATCH));
        await mapLimit(chunks, options.batchConcurrency ?? 4, async (chunk) => {
            if (options.signal?.aborted)
                return;
            const requests = chunk.map((id, index) => ({ id: String(index), method: 'GET', url: `/users/${encodeSegment(id)}/photo` }));
            let answers;
            try {
                answers = await sendBatch(connection, requests, { operation: `Checking which of ${chunk.length} user(s) have a photo`, permission: 'ProfilePhoto.ReadWrite.All', maxAttempts: 4, ...(options.signal ? { signal: options.signal } : {}) });
            }
            catch {
                return; // unknown for this chunk: the caller compares these users one by one
            }
            chunk.forEach((id, index) => {
                const answer = answers.get(String(index));
                if (answer?.status === 200 || answer?.status === 404) {
                    present.set(id, answer.status === 200);
                    answered++;
                }
                else if (answer?.status === 429) {
                    throttled.push(id);
                    const retryAfter = parseRetryAfter(Object.entries(answer.headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1]);
                    if (retryAfter !== undefined)
                        waitSeconds = Math.max(waitSeconds ?? 0, retryAfter);
                }
            });
        });
        pending = [...throttled, ...pending.slice(sending.length)];
        if (throttled.length === 0) {
            roundSize = Number.POSITIVE_INFINITY;
            continue;
        }
        roundSize = answered;
        const delayMs = waitSeconds !== undefined ? waitSeconds * 1000 : backoffDelayMs(round, undefined, { baseDelayMs: 1000 });
        if (waitedMs + delayMs > MAX_WAIT_MS)
            break;
        waitedMs += delayMs;
        await sleep(delayMs, options.signal).catch(() => { });
    }
    return present;
}

/**
 * Whether a policy stops this app's photo writes: onPremises stops everyone's cloud writes, and a
 * non-empty allowedRoles stops every app whose service principal holds none of those roles
 * (403 ForbiddenByAdminEditPolicy, DESIGN.md "Tenant facts").
 */
function blocksApp(policy, appRoles) {
    if (policy.source === 'onPremises')
        return 'source is onPremises, which disables cloud photo writes for everyone';
    if (policy.allowedRoles.length > 0 && !policy.allowedRoles.some((r) => appRoles.includes(r))) {
        return `allowedRoles (${policy.allowedRoles.map(roleName).join(', ')}) includes no role that this app's service principal holds`;
    }
    return undefined;
}
/** The tenant policy a manifest asks for; fields the manifest leaves out keep the tenant's value. */
function wantedPolicy(desired, live) {
    return {
        source: desired.source ?? live.source,
        allowedRoles: desired.allowedRoles ? [...desired.allowedRoles].sort() : live.allowedRoles,
    };
}
function samePolicy(a, b) {
    const ra = [...a.allowedRoles].sort();
    const rb = [...b.allowedRoles].sort();
    return a.source === b.source && ra.length === rb.length && ra.every((r, i) => r === rb[i]);
}
/**
 * Orders the policy change around the photo writes so the app never locks itself out silently:
 * a change that unblocks writes goes first; a change that would block them goes after the photos
 * and only with allowLockout; anything else goes last (photos land under the rules reviewers saw).
 */
function planPolicyStep(live, wanted, appRoles, allowLockout) {
    if (samePolicy(live, wanted))
        return { kind: 'none' };
    const blockedNow = blocksApp(live, appRoles);
    const blockedAfter = blocksApp(wanted, appRoles);
    if (blockedAfter) {
        if (allowLockout)
            return { kind: 'after-photos', to: wanted };
        return {
            kind: 'refuse',
            to: wanted,
            reason: `The policy change was not applied: afterwards ${blockedAfter}, so this app could no longer write photos (403 ForbiddenByAdminEditPolicy). Assign the app's service principal one of the allowed roles (for example User Administrator) and re-run, or set allow-policy-lockout: true if locking the app out is intended.`,
        };
    }
    return blockedNow ? { kind: 'before-photos', to: wanted } : { kind: 'after-photos', to: wanted };
}

/**
 * Drift: does the tenant still hold what the repository declares?
 *
 * For every manifest user of a revision (default HEAD): the repository's photo is normalised
 * exactly as apply would send it, the tenant's photo is downloaded, and the two are compared by
 * perceptual similarity (Graph re-encodes and resizes what it stores, so bytes never match).
 * The declared photo policy is compared with the tenant's. Downloads are reads paced through a
 * WritePacer (one shared Retry-After gate, adaptive concurrency, bounded retries), so a large
 * tenant that throttles is slowed down, not hammered. Nothing is written; `fixDrift` hands the
 * drifted users to applyRevision, the one upload path.
 */
async function detectDrift(options, tenant) {
    const started = performance.now();
    const log = options.log ?? (() => { });
    const threshold = options.threshold ?? SAME_PHOTO_THRESHOLD;
    const snapshot = await RevisionSnapshot.open(options.repo, options.head ?? 'HEAD');
    try {
        const validation = await validateRepository(snapshot, { shouldDecode: () => false });
        const base = { head: snapshot.commit, validation, threshold };
        if (countFindings(validation.findings).errors > 0) {
            return { ...base, users: [], policy: { status: 'not-managed' }, cancelled: false, durationMs: Math.round(performance.now() - started) };
        }
        const desired = await desiredStateOf(snapshot, validation);
        const wanted = [...desired.users.values()].filter((u) => !options.only || options.only.has(u.key.canonical)).sort((a, b) => (a.key.canonical < b.key.canonical ? -1 : 1));
        log(`Comparing ${wanted.length} user(s) of ${snapshot.commit.slice(0, 12)} with the tenant.`);
        // Policy first: one call, and a missing permission shows before thousands of downloads.
        let policy = { status: 'not-managed' };
        if (desired.policy) {
            try {
                const live = await tenant.getPhotoPolicy();
                const declared = wantedPolicy(desired.policy, live);
                policy = { status: samePolicy(declared, live) ? 'in-sync' : 'different', declared, tenant: live };
            }
            catch (err) {
                policy = { status: 'error', reason: err.message };
            }
        }
        const resolutions = await tenant.resolveUsers(wanted.map((w) => w.key), options.signal ? { signal: options.signal } : {});
        const pacer = options.pacer ?? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, ...(options.signal ? { signal: options.signal } : {}) });
        const cpu = new Semaphore(recommendedParallelism());
        // A bounded window of users in progress keeps memory flat: downloaded photos never pile up
        // waiting for the CPU, however large the tenant.
        const users = await mapLimit(wanted, 32, async (want) => {
            const entry = { key: want.key, photo: want.photoPath, declaredAt: want.declaredAt, status: 'error' };
            const resolution = resolutions.get(want.key.canonical);
            if (!isResolved(resolution))
                return { ...entry, status: 'unresolved', reason: resolution?.reason ?? 'The user was not looked up.' };
            entry.userId = resolution.id;
            if (options.signal?.aborted)
                return { ...entry, status: 'cancelled', reason: 'The run was cancelled before this user was compared.' };
            let tenantBytes;
            try {
                tenantBytes = await pacer.run(() => downloadPhotoOnce(tenant.connection, resolution.id, options.signal), want.key.value);
            }
            catch (err) {
                if (err instanceof PacerCancelledError)
                    return { ...entry, status: 'cancelled', reason: err.message };
                return { ...entry, status: 'error', reason: `Could not download the tenant's photo: ${err.message}` };
            }
            return cpu.run(() => compareOne(entry, want, snapshot, tenantBytes, threshold, options.thumbnails ?? false));
        });
        const counts = countBy(users);
        log(`In sync ${counts['in-sync'] ?? 0}, different ${counts.different ?? 0}, missing ${counts.missing ?? 0}, unresolved ${counts.unresolved ?? 0}, errors ${counts.error ?? 0}.`);
        return { ...base, users, policy, cancelled: options.signal?.aborted ?? false, durationMs: Math.round(performance.now() - started), pacer: pacer.stats };
    }
    finally {
        snapshot.close();
    }
}
async function compareOne(entry, want, snapshot, tenantBytes, threshold, withThumbnails) {
    // Nothing to compare with: no need to normalise (a first import would do it twice).
    if (!tenantBytes && !withThumbnails)
        return { ...entry, status: 'missing', reason: 'The tenant has no photo for this user.' };
    const report = await checkPhoto(await snapshot.read(want.photoPath), want.settings);
    const problem = report.issues.find((i) => i.severity === 'error');
    if (problem || !report.output)
        return { ...entry, status: 'error', reason: `The repository's photo cannot be sent: ${problem?.message ?? 'it could not be normalised.'}` };
    const repoJpeg = report.output.jpeg;
    if (!tenantBytes) {
        return { ...entry, status: 'missing', reason: 'The tenant has no photo for this user.', ...(withThumbnails ? { thumbnails: { repo: await thumbnail(repoJpeg, 96) } } : {}) };
    }
    let theirs;
    try {
        theirs = await photoSignature(tenantBytes);
    }
    catch (err) {
        return { ...entry, status: 'different', similarity: 0, tenantPhoto: { width: 0, height: 0, bytes: tenantBytes.length }, reason: `The tenant's photo could not be decoded (${err.message}).` };
    }
    const comparison = compareSignatures(await photoSignature(repoJpeg), theirs, threshold);
    const drift = {
        ...entry,
        status: comparison.same ? 'in-sync' : 'different',
        similarity: comparison.similarity,
        tenantPhoto: { width: theirs.width, height: theirs.height, bytes: tenantBytes.length },
    };
    if (!comparison.same) {
        drift.reason = `The tenant's photo (${theirs.width}×${theirs.height}) is not the repository's: similarity ${comparison.similarity.toFixed(3)} < ${threshold}.`;
        if (withThumbnails)
            drift.thumbnails = { repo: await thumbnail(repoJpeg, 96), tenant: await thumbnail(tenantBytes, 96).catch(() => Buffer.alloc(0)) };
    }
    return drift;
}
function driftCounts(result) {
    return { 'in-sync': 0, different: 0, missing: 0, unresolved: 0, error: 0, cancelled: 0, ...countBy(result.users) };
}
/** Whether the tenant matches the repository completely. */
function inSync(result) {
    const c = driftCounts(result);
    return c.different + c.missing + c.unresolved + c.error + c.cancelled === 0 && result.policy.status !== 'different' && result.policy.status !== 'error' && !result.cancelled && result.validation.findings.every((f) => f.severity !== 'error');
}
/** Users `--fix` would upload: a different or missing photo. */
function drifted(result) {
    return result.users.filter((u) => u.status === 'different' || u.status === 'missing');
}
function countBy(users) {
    const counts = {};
    for (const u of users)
        counts[u.status] = (counts[u.status] ?? 0) + 1;
    return counts;
}

const ENV_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const NOTE_HEADER = 'entra-photos progress v1';
class Ledger {
    options;
    tagRef;
    notesRef;
    pending = [];
    constructor(options) {
        this.options = options;
        if (!ENV_NAME.test(options.environment)) {
            throw new UserError('config', `Environment name "${options.environment}" cannot name a git ref. Use letters, digits, ".", "_" or "-".`);
        }
        this.tagRef = `refs/tags/entra-photos/applied/${options.environment}`;
        this.notesRef = `refs/notes/entra-photos/progress/${options.environment}`;
    }
    /** The last completely applied commit, fetched if needed; undefined when nothing was applied. */
    async lastApplied() {
        const { repo, remote } = this.options;
        let sha;
        if (remote) {
            const out = await git(repo, ['ls-remote', remote, this.tagRef]);
            sha = out.split(/\s+/)[0] || undefined;
            if (sha) {
                await ensureCommit(repo, sha);
                await git(repo, ['update-ref', this.tagRef, sha]);
            }
            else {
                await gitMaybe(repo, ['update-ref', '-d', this.tagRef]);
            }
        }
        else {
            sha = (await gitMaybe(repo, ['rev-parse', '--verify', '--quiet', `${this.tagRef}^{commit}`]))?.trim() || undefined;
        }
        return sha;
    }
    /**
     * What earlier runs that started from the same base (the record has not moved since) left in
     * the tenant: per user key, the last thing that landed (an upload with its fingerprint, or a
     * removal). Later notes override earlier ones.
     */
    async landedSince(base) {
        await this.fetchNotes();
        const landed = new Map();
        const list = await gitMaybe(this.options.repo, ['notes', `--ref=${this.notesRef}`, 'list']);
        const notes = [];
        // Every run that recorded progress left a note: read them all through one git process.
        const blobs = new BlobReader(this.options.repo);
        try {
            for (const line of (list ?? '').split('\n')) {
                const [noteBlob] = line.split(' ');
                if (!noteBlob)
                    continue;
                const parsed = parseNote((await blobs.read(noteBlob)).toString('utf8'));
                if (parsed && parsed.base === (base ?? 'none'))
                    notes.push(parsed);
            }
        }
        finally {
            blobs.close();
        }
        notes.sort((a, b) => (a.updated < b.updated ? -1 : 1));
        for (const note of notes)
            for (const e of note.entries)
                landed.set(e.key, e);
        return landed;
    }
    record(entry) {
        this.pending.push(entry);
    }
    /** Entries the note on the head held at the last flush. */
    noted = 0;
    /**
     * Whether enough has landed to write the note again. Each flush rewrites the whole note (a
     * git blob), so the interval grows with the note — at least `every`, at least a twentieth of
     * what is noted — keeping the bytes written proportional to the note's final size, not its
     * square, on a 200,000-user import; a crash re-sends at most that twentieth.
     */
    dueForFlush(every) {
        return this.pending.length >= Math.max(every, Math.ceil(this.noted / 20));
    }
    flushing = Promise.resolve();
    /**
     * Writes the progress note on `head` (merging with what it had) and pushes it. Flushes run one
     * at a time; entries recorded meanwhile go into the next one.
     */
    flushProgress(base, head) {
        const run = this.flushing.then(() => this.writeProgress(base, head));
        this.flushing = run.catch(() => { });
        return run;
    }
    async writeProgress(base, head) {
        if (this.pending.length === 0)
            return;
        const batch = this.pending.splice(0);
        try {
            await this.writeNote(base, head, batch);
        }
        catch (err) {
            this.pending.unshift(...batch);
            throw err;
        }
    }
    async writeNote(base, head, batch) {
        const { repo, remote } = this.options;
        const existing = await gitMaybe(repo, ['notes', `--ref=${this.notesRef}`, 'show', head]);
        const previous = existing ? parseNote(existing) : undefined;
        const entries = previous && previous.base === (base ?? 'none') ? [...previous.entries, ...batch] : batch;
        this.noted = entries.length;
        const body = [NOTE_HEADER, `environment: ${this.options.environment}`, `base: ${base ?? 'none'}`, `head: ${head}`, `updated: ${new Date().toISOString()}`, ...entries.map(formatEntry)].join('\n') + '\n';
        const dir = await mkdtemp(path.join(tmpdir(), 'entra-photos-note-'));
        try {
            const file = path.join(dir, 'note.txt');
            await writeFile(file, body);
            await git(repo, ['notes', `--ref=${this.notesRef}`, 'add', '-f', '-F', file, head], { env: TOOL_IDENTITY });
        }
        finally {
            await rm(dir, { recursive: true, force: true });
        }
        if (remote)
            await this.pushNotes();
    }
    /**
     * Moves the applied tag from `expected` to `head` with a compare-and-swap push: if another run
     * moved it meanwhile, this one does not overwrite it.
     */
    async advance(expected, head) {
        const { repo, remote } = this.options;
        if (remote) {
            const lease = `--force-with-lease=${this.tagRef}:${expected ?? ''}`;
            const pushed = await gitMaybe(repo, ['push', '--quiet', lease, remote, `${head}:${this.tagRef}`]);
            if (pushed === undefined) {
                const now = (await git(repo, ['ls-remote', remote, this.tagRef])).split(/\s+/)[0];
                if (now !== (expected ?? ''))
                    return 'lost-race';
                throw new UserError('git', `Could not push ${this.tagRef} to ${remote}. The job needs "permissions: contents: write" to record what it applied.`);
            }
            await git(repo, ['update-ref', this.tagRef, head]);
            return 'advanced';
        }
        const ok = await gitMaybe(repo, ['update-ref', this.tagRef, head, expected ?? '0'.repeat(40)]);
        return ok === undefined ? 'lost-race' : 'advanced';
    }
    async fetchNotes() {
        const { repo, remote } = this.options;
        if (!remote)
            return;
        // Missing on the remote is normal (first run); anything else surfaces on push.
        await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.notesRef}:${this.notesRef}`]);
    }
    async pushNotes() {
        const { repo, remote } = this.options;
        for (let attempt = 0; attempt < 3; attempt++) {
            if ((await gitMaybe(repo, ['push', '--quiet', remote, `${this.notesRef}:${this.notesRef}`])) !== undefined)
                return;
            // Someone else pushed notes meanwhile: merge theirs (union of lines) and try again.
            const theirs = `${this.notesRef}-remote`;
            await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.notesRef}:${theirs}`]);
            await git(repo, ['notes', `--ref=${this.notesRef}`, 'merge', '-q', '-s', 'cat_sort_uniq', theirs], { env: TOOL_IDENTITY }).catch(() => undefined);
        }
        throw new UserError('git', `Could not push progress notes (${this.notesRef}) to ${remote}. The job needs "permissions: contents: write".`);
    }
}
function formatEntry(e) {
    return [e.action, e.key, e.fingerprint].filter(Boolean).join(' ');
}
function parseNote(text) {
    // Tolerates notes merged line-wise (cat_sort_uniq) after concurrent pushes: header anywhere,
    // the latest `updated:` wins.
    const lines = text.split('\n');
    if (!lines.includes(NOTE_HEADER))
        return undefined;
    let base = '';
    let updated = '';
    const entries = [];
    for (const line of lines) {
        if (line.startsWith('base: '))
            base = line.slice(6);
        else if (line.startsWith('updated: '))
            updated = line.slice(9) > updated ? line.slice(9) : updated;
        else {
            const [action, key, fingerprint] = line.split(' ');
            if ((action === 'upload' || action === 'remove' || action === 'policy') && key)
                entries.push({ action, key, ...(fingerprint ? { fingerprint } : {}) });
        }
    }
    return { base, updated, entries };
}

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

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
class ApplyLease {
    options;
    ref;
    held;
    renewTimer;
    renewing = Promise.resolve();
    ttlMs;
    constructor(options) {
        this.options = options;
        // A tag, because every git host accepts tag pushes; it exists only while a run holds it.
        this.ref = `refs/tags/entra-photos/lock/${options.environment}`;
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
                if (await this.swap(current?.sha, mine)) {
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
        await this.swap(held, undefined);
    }
    async renew() {
        if (!this.held)
            return;
        const next = await this.makeLease();
        if (await this.swap(this.held, next))
            this.held = next;
    }
    async makeLease() {
        const expires = new Date(Date.now() + this.ttlMs).toISOString();
        const holder = this.options.holder ?? `${hostname()} pid ${process.pid}`;
        const message = `entra-photos apply lease\n\nenvironment: ${this.options.environment}\nholder: ${holder}\nexpires: ${expires}\n`;
        return (await git(this.options.repo, ['commit-tree', EMPTY_TREE, '-m', message], { env: TOOL_IDENTITY })).trim();
    }
    async read() {
        const { repo, remote } = this.options;
        let sha;
        if (remote) {
            sha = (await git(repo, ['ls-remote', remote, this.ref])).split(/\s+/)[0] || undefined;
            if (sha)
                await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.ref}:${this.ref}`]);
        }
        else {
            sha = (await gitMaybe(repo, ['rev-parse', '--verify', '--quiet', this.ref]))?.trim() || undefined;
        }
        if (!sha)
            return undefined;
        const body = (await gitMaybe(repo, ['cat-file', 'commit', sha])) ?? '';
        const expires = Date.parse(body.match(/^expires: (.+)$/m)?.[1] ?? '');
        return { sha, holder: body.match(/^holder: (.+)$/m)?.[1] ?? 'an unknown run', expires: Number.isFinite(expires) ? expires : 0 };
    }
    /** Compare-and-swap of the lease ref from `expected` (undefined: absent) to `next` (undefined: delete). */
    async swap(expected, next) {
        const { repo, remote } = this.options;
        if (remote) {
            const lease = `--force-with-lease=${this.ref}:${expected ?? ''}`;
            const ok = (await gitMaybe(repo, ['push', '--quiet', lease, remote, `${next ?? ''}:${this.ref}`])) !== undefined;
            if (ok)
                await gitMaybe(repo, next ? ['update-ref', this.ref, next] : ['update-ref', '-d', this.ref]);
            return ok;
        }
        const zero = '0'.repeat(40);
        const args = next ? ['update-ref', this.ref, next, expected ?? zero] : ['update-ref', '-d', this.ref, expected ?? zero];
        return (await gitMaybe(repo, args)) !== undefined;
    }
}

/**
 * Applies the reviewed change: the plan from the last revision applied completely to this
 * environment up to `head`. Never re-derives intent from anything but two revisions (and the
 * progress notes of interrupted runs between them).
 */
async function applyRevision(options, tenant) {
    const started = performance.now();
    const log = options.log ?? (() => { });
    const ledger = new Ledger({ repo: options.repo, environment: options.environment, ...(options.remote ? { remote: options.remote } : {}) });
    const headSnapshot = await RevisionSnapshot.open(options.repo, options.head);
    const head = headSnapshot.commit;
    const snapshots = [headSnapshot];
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
        ...partial,
    });
    let photos;
    // One apply per environment at a time (a dry run writes nothing and needs no lease).
    const lease = options.dryRun ? undefined : new ApplyLease({ repo: options.repo, environment: options.environment, ...(options.remote ? { remote: options.remote } : {}), ...(options.signal ? { signal: options.signal } : {}), log, ...(options.leaseHolder ? { holder: options.leaseHolder } : {}) });
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
        const desiredHead = await desiredStateOf(headSnapshot, validation);
        if (options.repair)
            return await repairDrift(options, options.repair.users, { tenant, headSnapshot, validation, base, desiredHead, result, log });
        let desiredBase;
        if (base) {
            const baseSnapshot = await RevisionSnapshot.open(options.repo, base);
            snapshots.push(baseSnapshot);
            desiredBase = await desiredStateOf(baseSnapshot, await validateRepository(baseSnapshot, { shouldDecode: () => false }));
        }
        const plan = diffDesired(desiredBase, desiredHead, { prune: options.prune });
        log(base ? `Applying ${base.slice(0, 12)}..${head.slice(0, 12)} to ${options.environment}.` : `No revision was applied to ${options.environment} yet: planning everything in ${head.slice(0, 12)}.`);
        // 2. Interrupted runs from the same base changed the tenant already: plan from what is live
        //    (the base overlaid with what they landed), so landed photos are not sent again and a
        //    photo that landed but is no longer wanted is put right.
        const landed = await ledger.landedSince(base);
        const live = overlayLanded(desiredBase, desiredHead, landed);
        const effective = landed.size ? diffDesired(live, desiredHead, { prune: options.prune }) : plan;
        let uploads = effective.uploads;
        const removals = options.prune ? effective.removals : [];
        const stillToDo = new Set([...uploads, ...removals].map((c) => c.key.canonical));
        const alreadyLanded = [...plan.uploads, ...(options.prune ? plan.removals : [])].filter((c) => !stillToDo.has(c.key.canonical)).length;
        if (alreadyLanded)
            log(`${alreadyLanded} planned change(s) already landed in an earlier run from the same base: skipped.`);
        // Normalising needs nothing from the tenant: start it now, while users are looked up.
        if (!options.dryRun)
            photos = preparePhotos(uploads, headSnapshot);
        // 3. Resolve users with few requests.
        const resolutions = await tenant.resolveUsers([...uploads.map((u) => u.key), ...removals.map((r) => r.key)], options.signal ? { signal: options.signal } : {});
        // No record yet: compare with the tenant itself instead of assuming it is empty, so adopting
        // a tenant (export, then the first apply) does not re-upload photos that are already there.
        let alreadyInTenant = 0;
        if (!base && uploads.length > 0) {
            const inTenant = await inSyncUsers(options, tenant, head, new Map(uploads.map((u) => [u.key.canonical, resolutions.get(u.key.canonical)])));
            uploads = uploads.filter((u) => !inTenant.has(u.key.canonical));
            alreadyInTenant = inTenant.size;
            log(`No applied revision is recorded for ${options.environment}: compared with the tenant, ${alreadyInTenant} user(s) already have their photo.`);
        }
        // 4. The policy: compare the manifest's with the live tenant's, and order it around the photos.
        const policyPlan = await planPolicy(desiredHead, tenant, options);
        const outcomes = [];
        let policy = policyPlan.outcome;
        if (options.dryRun) {
            for (const u of uploads)
                outcomes.push(resolutionOutcome(u.key, 'upload', resolutions.get(u.key.canonical), 'would-upload', u.photo));
            for (const r of removals)
                outcomes.push(resolutionOutcome(r.key, 'remove', resolutions.get(r.key.canonical), 'would-remove', r.photo));
            if (policy.status === 'applied')
                policy = { ...policy, status: 'would-apply' };
            return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes: [...outcomes, ...kept(plan, options)], policy, appliedRevision: base, record: 'dry-run' });
        }
        const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
        if (policyPlan.step.kind === 'before-photos')
            policy = await patchPolicy(tenant, policyPlan, log);
        // 5. Photos: normalise and upload, overlapped; each success is recorded as progress.
        const blocked = policyPlan.blockedReason;
        const recordLanded = async (entry) => {
            ledger.record(entry);
            if (ledger.dueForFlush(options.progressEvery ?? 50))
                await flush(ledger, base, head, log);
        };
        await runUploads(uploads, { photos: photos, tenant, pacer, resolutions, outcomes, blocked, recordLanded, ...(options.signal ? { signal: options.signal } : {}) });
        for (const r of removals) {
            const resolution = resolutions.get(r.key.canonical);
            if (!isResolved(resolution)) {
                outcomes.push(resolutionOutcome(r.key, 'remove', resolution, 'failed', r.photo));
                continue;
            }
            try {
                await pacer.run(() => tenant.deletePhoto(resolution.id, options.signal), describeKey(r.key));
                outcomes.push({ key: r.key, action: 'remove', status: 'removed', photo: r.photo });
                await recordLanded({ action: 'remove', key: r.key.canonical });
            }
            catch (err) {
                outcomes.push(failure(r.key, 'remove', r.photo, err));
            }
        }
        outcomes.push(...kept(plan, options));
        // 6. Policy after the photos (or refused), unless the run was cut short.
        if (options.signal?.aborted) {
            if (policy.status === 'applied')
                policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
        }
        else if (policyPlan.step.kind === 'after-photos') {
            policy = await patchPolicy(tenant, policyPlan, log);
        }
        // 7. Record: progress always; the applied revision only when everything landed.
        await flush(ledger, base, head, log);
        const complete = !options.signal?.aborted && outcomes.every((o) => o.status !== 'failed' && o.status !== 'cancelled') && !['refused', 'failed'].includes(policy.status);
        let record = 'not-complete';
        let appliedRevision = base;
        if (complete) {
            if (base === head)
                record = 'unchanged';
            else {
                record = await ledger.advance(base, head);
                if (record === 'advanced')
                    appliedRevision = head;
            }
        }
        return result({ validation, base, plan, alreadyLanded: alreadyLanded + alreadyInTenant, outcomes, policy, appliedRevision, record, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false });
    }
    finally {
        photos?.stop();
        await lease?.release();
        for (const s of snapshots)
            s.close();
    }
}
/**
 * `drift --fix`: the same upload path as apply (normalise, pace, retry; policy ordered by the
 * lockout guard), restricted to the drifted users, from the head alone. Nothing is recorded:
 * the applied record still says which reviewed revision was applied completely.
 */
async function repairDrift(options, users, ctx) {
    const { tenant, headSnapshot, validation, base, desiredHead, result, log } = ctx;
    const full = diffDesired(undefined, desiredHead, { prune: false });
    const uploads = full.uploads.filter((u) => users.has(u.key.canonical));
    const plan = { ...full, base: base ?? null, uploads, unchanged: desiredHead.users.size - uploads.length, removals: [] };
    log(`Repairing drift from ${desiredHead.label}: ${uploads.length} photo(s).`);
    const resolutions = await tenant.resolveUsers(uploads.map((u) => u.key), options.signal ? { signal: options.signal } : {});
    const policyPlan = await planPolicy(desiredHead, tenant, options);
    const outcomes = [];
    let policy = policyPlan.outcome;
    if (options.dryRun) {
        for (const u of uploads)
            outcomes.push(resolutionOutcome(u.key, 'upload', resolutions.get(u.key.canonical), 'would-upload', u.photo));
        if (policy.status === 'applied')
            policy = { ...policy, status: 'would-apply' };
        return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'dry-run' });
    }
    const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
    if (policyPlan.step.kind === 'before-photos')
        policy = await patchPolicy(tenant, policyPlan, log);
    await runUploads(uploads, { photos: preparePhotos(uploads, headSnapshot), tenant, pacer, resolutions, outcomes, blocked: policyPlan.blockedReason, recordLanded: async () => { }, ...(options.signal ? { signal: options.signal } : {}) });
    if (options.signal?.aborted) {
        if (policy.status === 'applied')
            policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
    }
    else if (policyPlan.step.kind === 'after-photos') {
        policy = await patchPolicy(tenant, policyPlan, log);
    }
    return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'repair', pacer: pacer.stats, cancelled: options.signal?.aborted ?? false });
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
/**
 * The users (of `candidates`) whose tenant photo already is the repository's, by the same
 * perceptual comparison as drift (Graph re-encodes, so bytes never match).
 */
async function inSyncUsers(options, tenant, head, candidates) {
    // Users without any photo need no download: ask 20 at a time which ones have one.
    const ids = [...candidates.values()].filter(isResolved).map((r) => r.id);
    const presence = await photoPresence(tenant.connection, ids, options.signal ? { signal: options.signal } : {});
    const worthComparing = new Set([...candidates].filter(([, r]) => isResolved(r) && presence.get(r.id) !== false).map(([canonical]) => canonical));
    if (worthComparing.size === 0)
        return new Set();
    const drift = await detectDrift({ repo: options.repo, head, only: worthComparing, ...(options.signal ? { signal: options.signal } : {}) }, tenant);
    return new Set(drift.users.filter((u) => u.status === 'in-sync').map((u) => u.key.canonical));
}
async function planPolicy(desired, tenant, options) {
    const live = await tenant.getPhotoPolicy();
    const wanted = desired.policy ? wantedPolicy(desired.policy, live) : live;
    // Role assignments are only needed when some policy restricts roles.
    const needsRoles = live.allowedRoles.length > 0 || wanted.allowedRoles.length > 0;
    const appRoles = needsRoles ? await tenant.appRoleTemplateIds() : [];
    const step = desired.policy ? planPolicyStep(live, wanted, appRoles, options.allowPolicyLockout) : { kind: 'none' };
    // The policy photo writes will meet: the new one if it goes first, the live one otherwise.
    const during = step.kind === 'before-photos' ? step.to : live;
    const blocked = blocksApp(during, appRoles);
    const outcome = !desired.policy
        ? { status: 'not-managed', from: live }
        : step.kind === 'none'
            ? { status: 'unchanged', from: live, to: wanted }
            : step.kind === 'refuse'
                ? { status: 'refused', from: live, to: wanted, message: step.reason }
                : { status: 'applied', from: live, to: wanted };
    return { step, outcome, ...(blocked ? { blockedReason: `Photo writes are refused by the tenant's photo policy: ${blocked}. Nothing was sent.` } : {}) };
}
async function patchPolicy(tenant, plan, log) {
    if (plan.step.kind !== 'before-photos' && plan.step.kind !== 'after-photos')
        return plan.outcome;
    try {
        await tenant.setPhotoPolicy(plan.step.to);
        log('Photo policy updated (it takes up to 24 hours to apply everywhere).');
        return plan.outcome;
    }
    catch (err) {
        return { ...plan.outcome, status: 'failed', message: `The policy change failed: ${err.message}` };
    }
}
/**
 * Normalising (CPU) runs ahead of uploading (network, paced to the throttle): it starts as soon
 * as the plan is known and keeps a bounded number of photos ready, so the cores stay busy while
 * the run looks users up and while photos wait for the throttle. Memory stays flat however many
 * photos there are: at most `ahead` normalised photos wait, plus those in flight.
 */
function preparePhotos(uploads, headSnapshot) {
    const parallelism = recommendedParallelism();
    const cpuSlots = new Semaphore(parallelism);
    // Originals are needed only while they are normalised: one reusable buffer per photo in flight.
    const originals = new BufferPool(parallelism);
    const ahead = Math.max(32, parallelism * 8);
    const photos = new Lookahead(uploads, (upload) => preparePhoto(upload, headSnapshot, cpuSlots, originals), ahead);
    photos.fill();
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
async function runUploads(uploads, ctx) {
    const { photos } = ctx;
    // No photo will be sent when the policy refuses writes: normalising ahead would be wasted.
    if (ctx.blocked)
        photos.stop();
    else
        photos.keepOnly(new Set(uploads));
    // A slot is held from taking a photo until its upload ends, so it must cover the uploads the
    // pacer may keep in flight plus a few photos waiting for it: with cores × 4 alone (12 on a
    // 2-core runner) uploads in flight were capped at 12, i.e. 12 / latency writes per second.
    const readySlots = new Semaphore(ctx.pacer.maxConcurrency + Math.max(8, recommendedParallelism() * 4));
    const inFlight = new Set();
    for (const upload of uploads) {
        if (ctx.signal?.aborted) {
            photos.stop();
            ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this photo was sent.' });
            continue;
        }
        const resolution = ctx.resolutions.get(upload.key.canonical);
        if (!isResolved(resolution)) {
            photos.discard(upload);
            ctx.outcomes.push(resolutionOutcome(upload.key, 'upload', resolution, 'failed', upload.photo));
            continue;
        }
        if (ctx.blocked) {
            photos.discard(upload);
            ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'failed', photo: upload.photo, reason: ctx.blocked });
            continue;
        }
        await readySlots.acquire();
        const job = uploadOne(upload, resolution.id, ctx).finally(() => {
            readySlots.release();
            inFlight.delete(job);
        });
        inFlight.add(job);
    }
    await Promise.all(inFlight);
}
async function uploadOne(upload, userId, ctx) {
    const prepared = await ctx.photos.take(upload);
    if ('reason' in prepared) {
        ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'failed', photo: upload.photo, reason: prepared.reason });
        return;
    }
    try {
        await ctx.pacer.run(() => ctx.tenant.putPhoto(userId, prepared.jpeg, ctx.signal), describeKey(upload.key));
        ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'uploaded', photo: upload.photo });
        await ctx.recordLanded({ action: 'upload', key: upload.key.canonical, fingerprint: upload.fingerprint });
    }
    catch (err) {
        ctx.outcomes.push(failure(upload.key, 'upload', upload.photo, err));
    }
}
function failure(key, action, photo, err) {
    const attempts = attemptsOf(err);
    if (err instanceof PacerCancelledError)
        return { key, action, status: 'cancelled', photo, reason: err.message };
    return { key, action, status: 'failed', photo, reason: err.message ?? String(err), ...(attempts ? { attempts } : {}) };
}
function resolutionOutcome(key, action, resolution, okStatus, photo) {
    if (isResolved(resolution))
        return { key, action, status: okStatus, photo };
    return { key, action, status: 'failed', photo, reason: resolution?.reason ?? `${describeKey(key)} was not looked up.` };
}
/** Removals without prune are shown (kept), never executed. */
function kept(plan, options) {
    if (options.prune)
        return [];
    return plan.removals.map((r) => ({ key: r.key, action: 'remove', status: 'kept', photo: r.photo, reason: 'Removed from the manifests; the photo stays in the tenant without prune.' }));
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

function applyCounts(result) {
    const count = (s) => result.outcomes.filter((o) => o.status === s).length;
    return {
        uploaded: count('uploaded') + count('would-upload'),
        removed: count('removed') + count('would-remove'),
        failed: count('failed'),
        cancelled: count('cancelled'),
        kept: count('kept'),
        planned: result.outcomes.length - count('kept'),
    };
}
/** Whether the job should fail: anything failed, was cancelled, or the policy was refused. */
function applySucceeded(result) {
    const c = applyCounts(result);
    return c.failed === 0 && c.cancelled === 0 && !result.cancelled && !['refused', 'failed'].includes(result.policy.status) && result.validation.findings.every((f) => f.severity !== 'error');
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
        ? [`${c.uploaded} would upload`, `${c.removed} would remove`, `${c.failed} failed`]
        : [`${c.uploaded} uploaded`, `${c.removed} removed`, `${c.failed} failed`, ...(c.cancelled ? [`${c.cancelled} not started`] : [])];
    return `${verb} to ${result.environment}: ${parts.join(', ')}${result.alreadyLanded ? `, ${result.alreadyLanded} already landed` : ''}; policy ${result.policy.status} (${(result.durationMs / 1000).toFixed(1)} s).`;
}
function describeTenantPolicy(p) {
    if (!p)
        return 'unknown';
    return `source ${p.source ?? 'not set'}; allowed roles: ${p.allowedRoles.length ? p.allowedRoles.map(roleName).join(', ') : 'any'}`;
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
            return `The ${result.environment} record stays at ${result.appliedRevision?.slice(0, 12) ?? 'nothing'}: the next run retries what did not land.`;
    }
}
function applyText(result) {
    const lines = [];
    for (const o of result.outcomes) {
        if (o.status === 'failed' || o.status === 'cancelled')
            lines.push(`  ✗ ${describeKey(o.key)} (${o.action} ${o.photo ?? ''}): ${o.reason ?? o.status}`);
    }
    if (result.policy.message)
        lines.push(`  policy: ${result.policy.message}`);
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
        outcomes: result.outcomes.map((o) => ({ user: o.key.value, keyType: o.key.kind, action: o.action, status: o.status, ...(o.photo ? { photo: o.photo } : {}), ...(o.reason ? { reason: o.reason } : {}) })),
    };
}
/** Job summary: verdict and counts first, then failures, then every user, then the policy. */
function applyMarkdown(result, openRows = 15) {
    const c = applyCounts(result);
    const ok = applySucceeded(result);
    const out = [
        `## ${result.record === 'dry-run' ? '🔎' : ok ? '✅' : '❌'} entra-photos: ${applyHeadline(result)}`,
        '',
        `| Uploaded | Removed | Failed | Not started | Kept (no prune) | Already landed | Duration | Throughput |`,
        `|---:|---:|---:|---:|---:|---:|---:|---:|`,
        `| ${c.uploaded} | ${c.removed} | ${c.failed} | ${c.cancelled} | ${c.kept} | ${result.alreadyLanded} | ${(result.durationMs / 1000).toFixed(1)} s | ${throughput(result).toFixed(1)}/s |`,
        '',
        recordLine(result),
        '',
    ];
    if (result.pacer) {
        const p = result.pacer;
        out.push(`Graph: ${p.attempts} write requests, ${p.throttled} throttled (429), ${p.retries} retries.`, '');
    }
    const problems = result.outcomes.filter((o) => o.status === 'failed' || o.status === 'cancelled');
    if (problems.length) {
        out.push(`### Failures (${problems.length})`, '', '| User | Action | Photo | Why |', '|---|---|---|---|');
        for (const o of problems)
            out.push(`| ${cell(describeKey(o.key))} | ${o.action} | \`${cell(o.photo ?? '')}\` | ${cell(o.reason ?? o.status)} |`);
        out.push('');
    }
    const rows = result.outcomes.map((o) => `| ${cell(describeKey(o.key))} | ${o.action} | ${o.status} | \`${cell(o.photo ?? '')}\` |`);
    if (rows.length) {
        const table = ['| User | Action | Result | Photo |', '|---|---|---|---|', ...rows];
        if (rows.length > openRows)
            out.push(`<details><summary><b>Every user (${rows.length})</b></summary>`, '', ...table, '', '</details>', '');
        else
            out.push('### Users', '', ...table, '');
    }
    if (result.policy.status !== 'not-managed') {
        out.push('### Photo policy', '', `- status: **${result.policy.status}**`, `- tenant before: ${describeTenantPolicy(result.policy.from)}`);
        if (result.policy.to)
            out.push(`- declared: ${describeTenantPolicy(result.policy.to)}`);
        if (result.policy.message)
            out.push('', '> [!WARNING]', `> ${result.policy.message}`);
        out.push('');
    }
    return out.join('\n');
}

export { drifted as A, describeTenantPolicy as B, RevisionSnapshot as R, applyJson as a, applyText as b, applySucceeded as c, defaultRemote as d, countFindings as e, validationJson as f, applyRevision as g, applyCounts as h, validationSummary as i, applyMarkdown as j, applyHeadline as k, isGitRepository as l, ensureCommit as m, validationHeadline as n, detectDrift as o, parentsOf as p, driftCounts as q, resolveCommit as r, sortFindings as s, inSync as t, cell as u, validationText as v, desiredStateOf as w, photoFingerprint as x, settingsOf as y, diffDesired as z };

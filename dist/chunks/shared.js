import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { p as plural, D as DEFAULT_LIMITS, m as mapLimit, j as encodeSegment, s as sendBatch, k as isNoPhotoMetadata, l as parseRetryAfter, n as backoffDelayMs, q as sleep, M as MAX_BATCH, f as isResolved, v as validateRepository, P as Progress, t as throttleOf, u as describeKey, b as recommendedParallelism, w as isGraphError, x as PERMISSIONS, S as Semaphore, y as findDeletedUsers, g as checkPhoto, a as describeUser, r as roleName } from './shared9.js';
import { p as printable } from './shared2.js';
import { U as UserError, i as isUserError } from './shared4.js';
import { k as keyIndex, i as isSubject, c as byDeclaration, f as keysResolvingTo, d as desiredStateOf, b as sameSubjectConflicts, w as wantedPolicy, r as rolesNeededFor, g as planPolicyStep, h as photoPolicyRefusal } from './shared5.js';
import sharp from 'sharp';
import 'node:crypto';
import { resolveCommit, git, gitMaybe, BlobReader, TOOL_IDENTITY, ensureCommit } from './git.js';
import { constants } from 'node:fs';
import { open, mkdtemp, writeFile, rm } from 'node:fs/promises';
import path, { join } from 'node:path';
import { W as WritePacer, a as attemptsOf, P as PacerCancelledError } from './shared10.js';
import { d as downloadPhotoOnce } from './shared11.js';
import { tmpdir, hostname } from 'node:os';

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
 * Markdown pieces shared by the report builders (job summaries and the pull-request comment).
 *
 * Everything that comes from a pull request (file names, manifest values, user keys, finding
 * messages that quote them) or from the tenant and libraries (Graph error messages) is written
 * by someone else and must stay text: no link, image, HTML, emphasis, table cell, line, mention or
 * issue reference may come out of it. Our own Markdown (headings, tables, `<details>`, emoji) is
 * written around data; data reaches the Markdown only through the helpers here:
 *
 * - `mdText(value)`: any inline text from data (a table cell, a list item, link text).
 * - `mdRevision(sha)`: a commit id, in a code span when it is one.
 * - `mdLink(text, url)`, `htmlImageSrc(url)`: links and thumbnails, whose URLs we build
 *   (`githubBlobUrl`) and check again here.
 *
 * GitHub renders comments and summaries with cmark-gfm and then rewrites the HTML (mentions,
 * issue references, ...). The rules below are chosen against both stages.
 */
/** U+200B ZERO WIDTH SPACE: invisible, not a word character, not part of a name or number. */
const ZWSP = '\u200b';
/**
 * ASCII punctuation written as numeric character references (`&#NN;`). A character reference
 * renders as its character but never takes part in syntax (CommonMark 6.2; GFM tables split rows
 * on a literal `|` before references are decoded; cmark-gfm's parse-time `www.` and `://`
 * autolinks match the source text). Covered: emphasis and strikethrough (`* _ ~`), code spans
 * (`` ` ``), links, images and footnotes (`[ ] ( ) !` `^`), raw HTML and autolinks (`< >`),
 * entities (`&` `;`), escapes (`\`), table cells (`|`), GFM extended autolinks (`.` `:`), block
 * markers should data ever start a line (`# + - = > ~`), math (`$`), and the rest of the ASCII
 * punctuation for good measure (`" % ' ? { }`... except the three below).
 *
 * Left as they are, for readability: `/` and `,` (no construct is made of them) and `@`, which
 * gets a zero-width space after it instead (see mdText: a reference would not help there).
 */
const ACTIVE = new Set('!"#$%&\'()*+-.:;<=>?[\\]^_`{|}~');
/**
 * Inline Markdown text that shows `value` and nothing else:
 *
 * 1. `printable()`: line breaks, tabs, controls, bidi overrides and zero-width characters become
 *    visible escapes (`\n`, `\u{202e}`), so data stays on its line (one table row, one list
 *    item) and cannot hide what it says. This also makes our own zero-width spaces (step 2) the
 *    only ones in the output.
 * 2. Zero-width spaces where GitHub works on the rendered text, after character references are
 *    decoded, so that step 3 does not reach it: mentions and issue references are found in the
 *    rendered HTML, and besides cmark-gfm's parse-time autolinks (on the source) GitHub runs a
 *    second, transform-time autolinker on decoded text (e-mail addresses everywhere; `www.` and
 *    `http(s)://` at least in rendered files; see micromark-extension-gfm-autolink-literal's
 *    readme). So: after every `@` (no `@user`/`@org/team` mention, no e-mail autolink, which
 *    needs an alphanumeric right after the `@`); between `#` or `GH-` and a digit (no `#1`,
 *    `owner/repo#1`, `GH-1`: a reference is also a cross-reference event on that issue);
 *    between `:` and `/` (no `scheme://` autolink); between `www` and `.`.
 *    The cost: a UPN copied from a report carries an invisible character after its `@`.
 * 3. Active ASCII punctuation becomes `&#NN;` (see ACTIVE): no Markdown or GFM syntax, and a `|`
 *    can never add or remove a table column.
 */
function mdText(value) {
    return printable(value)
        .replace(/@/g, `@${ZWSP}`)
        .replace(/(?<=#|\bGH-)(?=[0-9])/gi, ZWSP)
        .replace(/:(?=\/)/g, `:${ZWSP}`)
        .replace(/(?<=www)(?=\.)/gi, ZWSP)
        .replace(/[\x21-\x7e]/g, (ch) => (ACTIVE.has(ch) ? `&#${ch.charCodeAt(0)};` : ch));
}
/**
 * A commit id in a code span (monospace) when it is one; anything else as mdText. Code spans are
 * not used for other data: their content is not decoded, so a backtick, a `|` in a table or a
 * trailing backslash could not be neutralised inside them.
 */
function mdRevision(value) {
    return /^[0-9a-f]{4,64}$/i.test(value) ? `\`${value}\`` : mdText(value);
}
/**
 * A URL as a link destination or attribute value: only http(s) URLs, and every character that
 * could end the destination or the attribute early, or be read as an entity, escape or table
 * cell, percent-encoded (`( ) < > " ' \` space, `&`, `|`, backtick, `[ ]`, `*`, controls and
 * non-ASCII). Idempotent on the URLs githubBlobUrl builds. Undefined for anything else.
 */
function safeUrl(url) {
    if (!/^https?:\/\/[^\s/?#]+/i.test(url))
        return undefined;
    return wellFormed(url).replace(/[^A-Za-z0-9\-._~:/?#@!$+,;=%]/gu, (ch) => encodeURIComponent(ch).replace(/[!'()*]/g, percent));
}
/** Lone surrogates (a YAML `"\ud800"` escape) as U+FFFD: encodeURIComponent throws on them. */
function wellFormed(s) {
    return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
/** `[text](url)` with text from data; just the text when the URL is not one we can link. */
function mdLink(text, url) {
    const href = safeUrl(url);
    return href ? `[${mdText(text)}](${href})` : mdText(text);
}
/** The value of an `<img src="...">` attribute: a safeUrl (no `"`, `<`, `>`, `&`), or undefined. */
function htmlImageSrc(url) {
    return safeUrl(url);
}
function percent(ch) {
    return `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}
/**
 * One URL path segment: `encodeURIComponent` plus `! ' ( ) *`, which it leaves as they are and
 * which could end a Markdown link destination (`)`) or an attribute (`'`) early.
 */
function encodePathSegment(segment) {
    return encodeURIComponent(wellFormed(segment)).replace(/[!'()*]/g, percent);
}
/**
 * `server/owner/repo/blob/sha/path` with every segment of the repository, revision and path
 * encoded. `server` is the GitHub server URL of the run (GITHUB_SERVER_URL), not data. A `.` or
 * `..` segment (never in a git tree, but a manifest value could say it) would be resolved by the
 * browser, `%2E` included, and lead out of the repository: its dots are written `%252E`, a name
 * that does not exist, so the link stays inside the commit and finds nothing.
 */
function githubBlobUrl(server, repository, sha, path) {
    const segment = (s) => (s === '.' || s === '..' ? s.replace(/\./g, '%252E') : encodePathSegment(s));
    const segments = (s) => s.split('/').map(segment).join('/');
    return `${server.replace(/\/+$/, '')}/${segments(repository)}/blob/${encodePathSegment(sha)}/${segments(path)}`;
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
 * definite answers are returned, and for anyone left out (still throttled, failed) the caller falls
 * back to looking at that user one by one.
 * "No photo" is either answer a tenant gives: 200 with the documented 1x1 image/gif placeholder
 * (learn.microsoft.com/graph/api/profilephoto-get), or 404 ImageNotFound. Any other 200 is a photo.
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
                    present.set(id, answer.status === 200 && !isNoPhotoMetadata(answer.body));
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

const ENV_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const NOTE_HEADER = 'entra-photos progress v1';
const PENDING_HEADER = 'entra-photos pending v1';
class Ledger {
    options;
    tagRef;
    notesRef;
    pendingRef;
    pending = [];
    constructor(options) {
        this.options = options;
        if (!ENV_NAME.test(options.environment)) {
            throw new UserError('config', `Environment name "${options.environment}" cannot name a git ref. Use letters, digits, ".", "_" or "-".`);
        }
        this.tagRef = `refs/tags/entra-photos/applied/${options.environment}`;
        this.notesRef = `refs/notes/entra-photos/progress/${options.environment}`;
        this.pendingRef = `refs/notes/entra-photos/pending/${options.environment}`;
    }
    /** The users waiting for an account when `revision` was applied (its pending note); empty without one. */
    async pendingAt(revision) {
        const out = new Map();
        if (!revision)
            return out;
        const { repo, remote } = this.options;
        if (remote)
            await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.pendingRef}:${this.pendingRef}`]);
        const text = await gitMaybe(repo, ['notes', `--ref=${this.pendingRef}`, 'show', revision]);
        if (!text || !text.split('\n').includes(PENDING_HEADER))
            return out;
        for (const line of text.split('\n')) {
            const match = /^pending (not-found|disabled) (\S+) (.+)$/.exec(line);
            if (match)
                out.set(match[3], { key: match[3], problem: match[1], since: match[2] });
        }
        return out;
    }
    /**
     * Records the users of `revision` still waiting for an account (replacing its list; an empty
     * list removes the note). Called before the tag moves to `revision`, and on a run that re-tried
     * the users of the revision already applied.
     */
    async writePending(revision, entries) {
        const { repo, remote } = this.options;
        if (remote)
            await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.pendingRef}:${this.pendingRef}`]);
        const existing = await gitMaybe(repo, ['notes', `--ref=${this.pendingRef}`, 'show', revision]);
        if (entries.length === 0) {
            if (existing === undefined)
                return;
            await git(repo, ['notes', `--ref=${this.pendingRef}`, 'remove', '--ignore-missing', revision], { env: TOOL_IDENTITY });
        }
        else {
            const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
            const body = [PENDING_HEADER, `environment: ${this.options.environment}`, `revision: ${revision}`, `updated: ${new Date().toISOString()}`, ...sorted.map((e) => `pending ${e.problem} ${e.since} ${e.key}`)].join('\n') + '\n';
            await addNote(repo, this.pendingRef, revision, body);
        }
        if (remote)
            await this.pushNotes(this.pendingRef, 'ours');
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
        await addNote(repo, this.notesRef, head, body);
        if (remote)
            await this.pushNotes(this.notesRef, 'cat_sort_uniq');
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
    /**
     * Pushes a notes ref. Someone else pushed it meanwhile: merge theirs and try again (progress:
     * union of lines; pending: this run's list wins for the revision it wrote).
     */
    async pushNotes(ref, strategy) {
        const { repo, remote } = this.options;
        for (let attempt = 0; attempt < 3; attempt++) {
            if ((await gitMaybe(repo, ['push', '--quiet', remote, `${ref}:${ref}`])) !== undefined)
                return;
            const theirs = `${ref}-remote`;
            await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${ref}:${theirs}`]);
            await git(repo, ['notes', `--ref=${ref}`, 'merge', '-q', '-s', strategy, theirs], { env: TOOL_IDENTITY }).catch(() => undefined);
        }
        throw new UserError('git', `Could not push ${ref === this.pendingRef ? 'the list of users waiting for an account' : 'progress notes'} (${ref}) to ${remote}. The job needs "permissions: contents: write".`);
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
            // `upload KEY FINGERPRINT`, `remove KEY`: an employeeId key may contain spaces; a
            // fingerprint never does.
            const [action, ...rest] = line.split(' ');
            const fingerprint = action === 'upload' && rest.length >= 2 ? rest.pop() : undefined;
            const key = rest.join(' ');
            if ((action === 'upload' || action === 'remove' || action === 'policy') && key)
                entries.push({ action, key, ...(fingerprint ? { fingerprint } : {}) });
        }
    }
    return { base, updated, entries };
}
/** Writes (replaces) the note on `revision` under `ref`; the body goes through a file, as notes can be large. */
async function addNote(repo, ref, revision, body) {
    const dir = await mkdtemp(path.join(tmpdir(), 'entra-photos-note-'));
    try {
        const file = path.join(dir, 'note.txt');
        await writeFile(file, body);
        await git(repo, ['notes', `--ref=${ref}`, 'add', '-f', '-F', file, revision], { env: TOOL_IDENTITY });
    }
    finally {
        await rm(dir, { recursive: true, force: true });
    }
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

function userNames(desired, resolutions = new Map()) {
    const names = new Map();
    for (const [canonical, resolution] of resolutions) {
        const shown = isResolved(resolution) ? resolution.displayName?.trim() : undefined;
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
        ...partial,
    });
    let photos;
    let progress;
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
        // Users the base was applied without (no account yet): the tenant does not have their photo,
        // so the plan treats them as new and this run looks them up again.
        const waitingAtBase = await ledger.pendingAt(base);
        if (desiredBase && waitingAtBase.size > 0) {
            desiredBase = withoutUsers(desiredBase, waitingAtBase.keys());
            log(`${waitingAtBase.size} user(s) were waiting for an account when ${base.slice(0, 12)} was applied: looking them up again.`);
        }
        const plan = diffDesired(desiredBase, desiredHead, { prune: options.prune });
        log(base ? `Applying ${base.slice(0, 12)}..${head.slice(0, 12)} to ${options.environment}.` : `No revision was applied to ${options.environment} yet: planning everything in ${head.slice(0, 12)}.`);
        // 2. Interrupted runs from the same base changed the tenant already: plan from what is live
        //    (the base overlaid with what they landed), so landed photos are not sent again and a
        //    photo that landed but is no longer wanted is put right.
        const landed = await ledger.landedSince(base);
        const live = overlayLanded(desiredBase, desiredHead, landed);
        const effective = landed.size ? diffDesired(live, desiredHead, { prune: options.prune }) : plan;
        const uploads = effective.uploads;
        const removals = options.prune ? effective.removals : [];
        const stillToDo = new Set([...uploads, ...removals].map((c) => c.key.canonical));
        const landedKeys = [...plan.uploads, ...(options.prune ? plan.removals : [])].filter((c) => !stillToDo.has(c.key.canonical)).map((c) => c.key.canonical);
        // Normalising needs nothing from the tenant: start it now, while users are looked up (a dry
        // run normalises only what it compares with the tenant, on demand).
        photos = preparePhotos(uploads, headSnapshot, !options.dryRun);
        const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
        // 3. The policy, read only when a manifest manages it, while users are looked up; a change
        //    that must go first (it unblocks writes) is made before the first photo is sent.
        const policyPlanning = planPolicy(desiredHead, tenant, options);
        const beforeWrites = policyPlanning.then((plan) => (!options.dryRun && plan.step.kind === 'before-photos' ? patchPolicy(tenant, plan, log) : plan.outcome));
        // A sign-in failure rejects these before they are awaited: awaited later, not unhandled now.
        beforeWrites.catch(() => { });
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
            beforeWrites,
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
        const policyPlan = await policyPlanning;
        let policy = await beforeWrites;
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
        // Removals after the uploads, and never of a user this head still declares under another key:
        // that would delete the photo just uploaded for them.
        for (const r of removals) {
            const keep = held.get(r.key.canonical);
            if (keep) {
                outcomes.push(keep);
                progress.advance();
                continue;
            }
            const resolution = resolutions.get(r.key.canonical);
            if (!resolution && options.signal?.aborted) {
                outcomes.push({ key: r.key, action: 'remove', status: 'cancelled', photo: r.photo, reason: 'The run was cancelled before this user was looked up.' });
                continue;
            }
            if (!isResolved(resolution)) {
                outcomes.push(goneUserRemoval(r, resolution, options) ?? resolutionOutcome(r.key, 'remove', resolution, 'failed', r.photo));
                progress.advance();
                continue;
            }
            if (breaker.tripped) {
                outcomes.push(notAttempted(r.key, 'remove', r.photo));
                continue;
            }
            try {
                await pacer.run(() => breaker.guard(() => tenant.deletePhoto(resolution.id, options.signal)), describeKey(r.key));
                outcomes.push({ key: r.key, action: 'remove', status: 'removed', photo: r.photo });
                await recordLanded({ action: 'remove', key: r.key.canonical });
            }
            catch (err) {
                outcomes.push(breaker.outcome(r.key, 'remove', r.photo, err) ?? failure(r.key, 'remove', r.photo, err));
            }
            if (!NOT_SENT.has(outcomes.at(-1).status))
                progress.advance();
        }
        outcomes.push(...kept(plan, options));
        progress.finish();
        // 6. Policy after the photos (or refused), unless the run was cut short or the tenant refused
        //    the photos (what the guard assumed about this app's roles was wrong: change nothing more).
        if (options.signal?.aborted) {
            if (policy.status === 'applied')
                policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
        }
        else if (breaker.tripped && policyPlan.step.kind === 'after-photos') {
            policy = { ...policy, status: 'skipped', message: "The policy change was not made: the tenant's current photo policy refused this app's photo writes (see above); fix that first." };
        }
        else if (policyPlan.step.kind === 'after-photos') {
            policy = await patchPolicy(tenant, policyPlan, log);
        }
        const halted = breaker.tripped ? await policyHalt(breaker, outcomes, policyPlan, tenant, log) : undefined;
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
/**
 * `drift --fix`: the same upload path as apply (normalise, pace, retry; policy ordered by the
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
        const pacer = options.pacer ?? new WritePacer(options.signal ? { signal: options.signal } : {});
        const policyPlanning = planPolicy(desiredHead, tenant, options);
        const beforeWrites = policyPlanning.then((plan) => (!options.dryRun && plan.step.kind === 'before-photos' ? patchPolicy(tenant, plan, log) : plan.outcome));
        // A sign-in failure rejects these before they are awaited: awaited later, not unhandled now.
        beforeWrites.catch(() => { });
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
            beforeWrites,
            recordLanded: async () => { },
            outcomes,
            unknownUsers: options.unknownUsers ?? 'pending',
            waitingSince: new Map(),
            ...(options.signal ? { signal: options.signal } : {}),
        });
        progress.finish();
        outcomes.push(...conflictOutcomes(sameSubjectConflicts(written.groups), options.dryRun));
        const names = userNames([desiredHead], written.resolutions);
        const policyPlan = await policyPlanning;
        let policy = await beforeWrites;
        if (options.dryRun) {
            if (policy.status === 'applied')
                policy = { ...policy, status: 'would-apply' };
            return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'dry-run', names });
        }
        if (options.signal?.aborted) {
            if (policy.status === 'applied')
                policy = { ...policy, status: 'skipped', message: 'The run was cancelled before the policy change.' };
        }
        else if (written.breaker.tripped && policyPlan.step.kind === 'after-photos') {
            policy = { ...policy, status: 'skipped', message: "The policy change was not made: the tenant's current photo policy refused this app's photo writes (see above); fix that first." };
        }
        else if (policyPlan.step.kind === 'after-photos') {
            policy = await patchPolicy(tenant, policyPlan, log);
        }
        const halted = written.breaker.tripped ? await policyHalt(written.breaker, outcomes, policyPlan, tenant, log) : undefined;
        return result({ validation, base, plan, outcomes, policy, appliedRevision: base, record: 'repair', names, pacer: pacer.stats, cancelled: options.signal?.aborted ?? false, ...(halted ? { halted } : {}) });
    }
    finally {
        progress?.finish();
        photos.stop();
    }
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
    let live;
    try {
        live = await tenant.getPhotoPolicy();
    }
    catch (err) {
        if (isUserError(err) && (err.kind === 'auth' || err.kind === 'config'))
            throw err;
        const message = isForbidden(err) && isGraphError(err) && err.delegated
            ? `The manifests manage the photo update policy (policy: at ${declared}), and Graph refused to let the signed-in admin read it: ${err.message}`
            : isForbidden(err)
                ? `The manifests manage the photo update policy (policy: at ${declared}), and Graph refused to read it: grant the app the Microsoft Graph application permission ${PERMISSIONS.policy} (it reads and changes photoUpdateSettings; App registrations → this app → API permissions → add ${PERMISSIONS.policy}, type Application → Grant admin consent), or remove policy: from the manifests to leave the policy alone. (${err.message})`
                : `The photo update policy could not be read: ${err.message}`;
        return { step: { kind: 'none' }, outcome: { status: 'failed', message } };
    }
    const wanted = wantedPolicy(desired.policy, live);
    let appRoles;
    let rolesProblem;
    if (rolesNeededFor(live, wanted)) {
        try {
            appRoles = await tenant.appRoleTemplateIds();
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
function isForbidden(err) {
    return isGraphError(err) && err.status === 403;
}
async function patchPolicy(tenant, plan, log) {
    if (plan.step.kind !== 'before-photos' && plan.step.kind !== 'after-photos')
        return plan.outcome;
    try {
        await tenant.setPhotoPolicy(plan.change ?? plan.step.to);
        log('Photo policy updated (it takes up to 24 hours to apply everywhere).');
        return plan.outcome;
    }
    catch (err) {
        return { ...plan.outcome, status: 'failed', message: `The policy change failed: ${err.message}` };
    }
}
/** Outcomes of changes never sent: not counted as done in the progress lines. */
const NOT_SENT = new Set(['cancelled', 'not-attempted']);
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
    const breaker = new PolicyBreaker(() => photos.stop());
    const ready = new WorkQueue();
    const side = new Set();
    const decided = new Set();
    let inTenant = 0;
    let broken;
    const readPacer = ctx.compareWithTenant ? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, ...(signal ? { signal } : {}) }) : undefined;
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
            background(async () => step(tracker.confirm(toConfirm, await tenant.resolveUsers(toConfirm, signal ? { signal } : {}))));
        }
        const users = [];
        for (const canonical of released) {
            const upload = byKey.get(canonical);
            if (!upload)
                continue; // a removal: the caller deletes after the uploads
            const resolution = tracker.resolution(canonical);
            if (!isResolved(resolution))
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
            const present = await presenceSlots.run(() => photoPresence(tenant.connection, users.map((u) => u.userId), signal ? { signal } : {}));
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
        if (compare && (await sameAsTenant({ tenant, readPacer: readPacer, cpu, userId, prepared, label: describeKey(upload.key), ...(signal ? { signal } : {}) }))) {
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
        resolutions = await tenant.resolveUsers(ctx.keys, { ...(signal ? { signal } : {}), onResolved: (answers) => step(tracker.resolved(answers)) });
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
 * Whether the tenant already holds this user's photo: downloaded and compared with the photo
 * apply would send, by the same perceptual comparison as drift (Graph re-encodes, so bytes never
 * match). Anything uncertain (no photo, a failed download, an undecodable photo) is "no": upload.
 */
async function sameAsTenant(c) {
    let theirs;
    try {
        theirs = await c.readPacer.run(() => downloadPhotoOnce(c.tenant.connection, c.userId, c.signal), c.label);
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
        const [a, b] = await c.cpu.run(() => Promise.all([photoSignature(ours.jpeg), photoSignature(theirs)]));
        return compareSignatures(a, b, SAME_PHOTO_THRESHOLD).same;
    }
    catch {
        return false;
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
    onTrip;
    tripped = false;
    /** Writes the tenant answered with the policy refusal. */
    refused = 0;
    /** Graph's message of the first refusal. */
    first;
    constructor(onTrip) {
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
        if (!isGraphError(err) || err.status !== 403 || err.code !== 'ForbiddenByAdminEditPolicy')
            return undefined;
        this.refused++;
        if (!this.tripped) {
            this.tripped = true;
            this.first = err;
            this.onTrip();
        }
        return { key, action, status: 'failed', photo, reason: `Refused by the tenant's photo update policy (403 ForbiddenByAdminEditPolicy${err.requestId ? `, request-id ${err.requestId}` : ''}): see the run's error.` };
    }
}
function notAttempted(key, action, photo) {
    return { key, action, status: 'not-attempted', photo, reason: "Not attempted: photo writes stopped when the tenant's photo update policy refused them." };
}
/** The run's one error for a tripped breaker: the policy as far as it can be read, and what to do. */
async function policyHalt(breaker, outcomes, plan, tenant, log) {
    let live = plan.live;
    let unreadable;
    if (!live) {
        try {
            live = await tenant.getPhotoPolicy();
        }
        catch (err) {
            unreadable = !isForbidden(err)
                ? err.message
                : tenant.connection.delegated
                    ? 'reading it needs the delegated PeopleSettings.Read.All and People Administrator or Global Reader'
                    : 'reading it needs PeopleSettings.Read.All, which this app does not have';
        }
    }
    const notAttemptedCount = outcomes.filter((o) => o.status === 'not-attempted').length;
    const message = photoPolicyRefusal(live, {
        sent: breaker.refused,
        notAttempted: notAttemptedCount,
        ...(unreadable ? { policyUnreadable: unreadable } : {}),
        ...(tenant.connection.delegated ? { delegated: true } : {}),
    });
    log(message);
    return { code: 'photo-policy', message, refused: breaker.refused, notAttempted: notAttemptedCount };
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
/**
 * The outcome of an upload whose key resolves to nobody (not created yet, or deleted: Entra keeps
 * a deleted user 30 days in its recycle bin, outside /users) or to a disabled account: waiting
 * (`pending`), or failed under unknownUsers `fail`. Undefined for other unresolved keys (ambiguous,
 * lookup failed): they fail as before.
 */
function noAccountOutcome(upload, resolution, ctx) {
    const disabled = isResolved(resolution);
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
    if (isResolved(resolution) || resolution?.problem !== 'not-found' || (options.unknownUsers ?? 'pending') !== 'pending')
        return undefined;
    return { key: r.key, action: 'remove', status: 'kept', photo: r.photo, code: 'no-account', reason: `${resolution.reason} There is no photo to remove.` };
}
/**
 * Users without an account who are in the tenant's recycle bin (deleted, restorable for 30 days)
 * get their own reason. Best effort: if the deleted users cannot be read, the reason stays.
 */
async function explainDeleted(outcomes, tenant, signal, log) {
    const gone = outcomes.filter((o) => o.code === 'no-account' && o.action === 'upload');
    if (gone.length === 0)
        return;
    let deleted;
    try {
        deleted = await findDeletedUsers(tenant.connection, gone.map((o) => o.key), signal ? { signal } : {});
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
/** A desired state without some users (those the tenant does not hold though the state declares them). */
function withoutUsers(state, keys) {
    const users = new Map(state.users);
    for (const key of keys)
        users.delete(key);
    return { ...state, users };
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
        if (!isResolved(resolution))
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
    return `${verb} to ${result.environment}: ${parts.join(', ')}${result.alreadyLanded ? `, ${result.alreadyLanded} already landed` : ''}; ${policyOutcomeWords(result.policy.status)} (${(result.durationMs / 1000).toFixed(1)} s).`;
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
function applyMarkdown(result, openRows = 15) {
    const c = applyCounts(result);
    const ok = applySucceeded(result);
    const out = [
        `## ${result.record === 'dry-run' ? '🔎' : ok ? '✅' : '❌'} entra-photos: ${mdText(applyHeadline(result))}`,
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
        out.push(`### Failures (${problems.length})`, '', '| User | Action | Photo | Why |', '|---|---|---|---|');
        for (const o of problems)
            out.push(`| ${mdText(outcomeUser(result, o))} | ${o.action} | ${mdText(o.photo ?? '')} | ${mdText(o.reason ?? outcomeWords(o.status))} |`);
        out.push('');
    }
    const rows = result.outcomes.map((o) => `| ${mdText(outcomeUser(result, o))} | ${o.action} | ${outcomeWords(o.status)} | ${mdText(o.photo ?? '')} |`);
    if (rows.length) {
        const table = ['| User | Action | Result | Photo |', '|---|---|---|---|', ...rows];
        if (rows.length > openRows)
            out.push(`<details><summary><b>Every user (${rows.length})</b></summary>`, '', ...table, '', '</details>', '');
        else
            out.push('### Users', '', ...table, '');
    }
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

export { RevisionSnapshot as R, SAME_PHOTO_THRESHOLD as S, applyJson as a, applyText as b, applySucceeded as c, countFindings as d, validationJson as e, applyRevision as f, applyCounts as g, validationSummary as h, applyMarkdown as i, applyFailure as j, validationHeadline as k, githubBlobUrl as l, mdRevision as m, mdText as n, htmlImageSrc as o, diffDesired as p, photoSignature as q, compareSignatures as r, sortFindings as s, describeTenantPolicy as t, mdLink as u, validationText as v, waitingFor as w, policyOutcomeWords as x, outcomeUser as y, outcomeWords as z };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { U as UserError } from './shared6.js';
import { p as printable, l as logSafeJson } from './shared4.js';
import { D as DEFAULT_TARGET, a as parseNote } from './shared9.js';
import { git, gitMaybe, BlobReader, resolveCommit, isGitRepository, defaultRemote } from './git.js';
import { p as photoFingerprint } from './shared10.js';
import { p as parseManifest, e as resolvePhotoPath, f as MANIFEST_DIR, c as describeUser, g as parseEmployeeId, h as parseUserKey } from './shared.js';
import { spawn } from 'node:child_process';
import { w as wantsHelp, b as parseWithPositionals, a as repoDirectory, c as checkRevisionArguments } from './shared16.js';
import 'node:os';
import 'node:util';
import 'node:crypto';
import 'sharp';
import 'node:zlib';
import 'process';
import 'buffer';
import './shared5.js';

/**
 * What the record in git says was applied, per target and environment: the applied-revision tag,
 * the runs' progress notes (what landed, when, by which run) and the users waiting for an account
 * (the pending note on the applied revision). See src/repo/records.ts for the ref names.
 */
const TAG = /^refs\/tags\/entra-photos\/(?:([a-z0-9][a-z0-9-]{0,31})\/)?applied\/([A-Za-z0-9._-]{1,64})$/;
const NOTES = /^refs\/notes\/entra-photos\/(?:([a-z0-9][a-z0-9-]{0,31})\/)?(progress|pending)\/([A-Za-z0-9._-]{1,64})$/;
/**
 * Copies the remote's records (tags and notes under entra-photos/) into the local repository, so
 * that the history reads what the workflow recorded, not a stale local copy.
 */
async function fetchRecords(repo, remote) {
    try {
        await git(repo, ['fetch', '--quiet', '--no-tags', remote, '+refs/tags/entra-photos/*:refs/tags/entra-photos/*', '+refs/notes/entra-photos/*:refs/notes/entra-photos/*']);
    }
    catch (err) {
        throw new UserError('git', `Could not read the record of what was applied from the remote "${remote}": ${err.message} Check that it is reachable, or pass --remote none to use the local repository's record.`);
    }
}
/**
 * Every target/environment's record. `follow` limits what is kept of the progress notes to the
 * subjects asked about (a first import's note lists 200,000 users); undefined keeps everything.
 */
async function readAppliedRecords(repo, follow, only) {
    const refs = ((await gitMaybe(repo, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(*objectname)', 'refs/tags/entra-photos', 'refs/notes/entra-photos'])) ?? '').split('\n').filter(Boolean);
    const records = new Map();
    const recordOf = (target, environment) => {
        const id = `${target}\0${environment}`;
        let record = records.get(id);
        if (!record)
            records.set(id, (record = { target, environment, runs: [], waiting: new Map() }));
        return record;
    };
    const names = new Set(refs.map((line) => line.split('\0')[0]));
    for (const line of refs) {
        const [ref, object, peeled] = line.split('\0');
        const tag = TAG.exec(ref);
        if (tag) {
            recordOf(tag[1] ?? DEFAULT_TARGET, tag[2]).applied = peeled || object;
            continue;
        }
        const notes = NOTES.exec(ref);
        // Earlier versions' pushNotes left the remote's notes beside ours as `<ref>-remote` after a
        // raced push (records.ts now deletes it): a spent copy, not an environment. Notes only: no
        // copy of a tag is ever made, so `applied/prod-remote` beside `applied/prod` is an environment.
        if (notes && ref.endsWith('-remote') && names.has(ref.slice(0, -'-remote'.length)))
            continue;
        if (notes) {
            const record = recordOf(notes[1] ?? DEFAULT_TARGET, notes[3]);
            if (notes[2] === 'progress')
                record.progressRef = ref;
            else
                record.pendingRef = ref;
        }
    }
    const blobs = new BlobReader(repo);
    try {
        for (const record of records.values()) {
            if (record.progressRef) {
                for (const { note, object } of await listNotes(repo, record.progressRef)) {
                    const parsed = parseNote((await blobs.read(note)).toString('utf8'));
                    if (!parsed)
                        continue;
                    const landed = new Map();
                    for (const e of parsed.entries) {
                        if (e.action === 'policy' || (follow && !follow.has(e.key)))
                            continue;
                        landed.set(e.key, e.action === 'remove' ? 'remove' : (e.fingerprint ?? ''));
                    }
                    record.runs.push({ head: object, base: parsed.base, updated: parsed.updated, runs: parsed.runs, landed });
                }
                record.runs.sort((a, b) => (a.updated < b.updated ? -1 : a.updated > b.updated ? 1 : 0));
            }
            if (record.pendingRef && record.applied) {
                const text = (await gitMaybe(repo, ['notes', `--ref=${record.pendingRef}`, 'show', record.applied])) ?? '';
                for (const line of text.split('\n')) {
                    const match = /^pending (not-found|disabled) (\S+) (.+)$/.exec(line);
                    if (match && (!follow || follow.has(match[3])))
                        record.waiting.set(match[3], { since: match[2], problem: match[1] });
                }
            }
        }
    }
    finally {
        blobs.close();
    }
    return [...records.values()]
        .filter((r) => (only?.target ? r.target === only.target : true) && (r.applied || r.runs.length))
        .map(({ progressRef: _p, pendingRef: _q, ...r }) => r)
        .sort((a, b) => (a.target === b.target ? (a.environment < b.environment ? -1 : 1) : a.target < b.target ? -1 : 1));
}
async function listNotes(repo, ref) {
    const out = (await gitMaybe(repo, ['notes', `--ref=${ref}`, 'list'])) ?? '';
    return out
        .split('\n')
        .map((line) => line.split(' '))
        .filter((parts) => Boolean(parts[0] && parts[1]))
        .map(([note, object]) => ({ note, object }));
}

/**
 * The few GitHub REST calls `history` makes with a token, through plain fetch (only the action
 * uses @actions/github): a pull request, its reviews, the pull requests a commit belongs to (a
 * rebase merge names none in its message), and the environment approvals of a workflow run.
 * Every answer is data from the network: logins and titles are shown through the report's
 * escaping, never as markup.
 *
 * A call GitHub refuses does not stop the history: the problem is kept (once per kind) and the
 * report says what the token is missing.
 */
const PAGE = 100;
const MAX_PAGES = 10;
class GitHubApi {
    access;
    problems = [];
    pulls = new Map();
    runs = new Map();
    constructor(access) {
        this.access = access;
    }
    pullRequest(number) {
        let answer = this.pulls.get(number);
        if (!answer)
            this.pulls.set(number, (answer = this.loadPull(number)));
        return answer;
    }
    commitPulls = new Map();
    /** The merged pull request a commit came in by (GET /commits/{sha}/pulls), if GitHub knows one; asked once per commit. */
    pullRequestOfCommit(sha) {
        let answer = this.commitPulls.get(sha);
        if (!answer)
            this.commitPulls.set(sha, (answer = this.loadCommitPull(sha)));
        return answer;
    }
    async loadCommitPull(sha) {
        const list = await this.get(`/commits/${encodeURIComponent(sha)}/pulls`, 'the pull requests of a commit', 'contents: read and pull-requests: read');
        const merged = list?.find((p) => p.merged_at) ?? list?.[0];
        return merged?.number;
    }
    /** Environment approvals of a workflow run (GET /actions/runs/{id}/approvals; needs actions: read). */
    runApprovals(runId) {
        let answer = this.runs.get(runId);
        if (!answer) {
            answer = this.get(`/actions/runs/${encodeURIComponent(runId)}/approvals`, 'environment approvals of a workflow run', 'actions: read').then((list) => list?.map((a) => ({ user: a.user?.login ?? '', state: a.state ?? '', environments: (a.environments ?? []).map((e) => e.name ?? ''), ...(a.comment ? { comment: a.comment } : {}) })));
            this.runs.set(runId, answer);
        }
        return answer;
    }
    async loadPull(number) {
        const pull = await this.get(`/pulls/${number}`, 'pull request', 'pull-requests: read');
        if (!pull)
            return undefined;
        const reviews = [];
        for (let page = 1; page <= MAX_PAGES; page++) {
            const batch = await this.get(`/pulls/${number}/reviews?per_page=${PAGE}&page=${page}`, 'pull request reviews', 'pull-requests: read');
            if (!batch)
                break;
            for (const r of batch)
                if (r.user?.login && r.state)
                    reviews.push({ user: r.user.login, state: r.state, ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}) });
            if (batch.length < PAGE)
                break;
        }
        return {
            number,
            ...(pull.html_url ? { url: pull.html_url } : {}),
            ...(pull.title ? { title: pull.title } : {}),
            ...(pull.user?.login ? { author: pull.user.login } : {}),
            ...(pull.merged_by?.login ? { mergedBy: pull.merged_by.login } : {}),
            ...(pull.merged_at ? { mergedAt: pull.merged_at } : {}),
            reviews,
        };
    }
    async get(path, what, permission) {
        const url = `${this.access.apiUrl.replace(/\/+$/, '')}/repos/${this.access.repository}${path}`;
        let response;
        try {
            response = await fetch(url, {
                headers: { authorization: `Bearer ${this.access.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'entra-photos' },
                signal: AbortSignal.timeout(30_000),
            });
        }
        catch (err) {
            this.problem(`Could not reach GitHub (${this.access.apiUrl}) for ${what}: ${err.message}. The history shows what git records.`);
            return undefined;
        }
        if (response.status === 404 && path.startsWith('/pulls/')) {
            await response.body?.cancel();
            this.problem(`GitHub found no ${what} at ${path.split('?')[0]} in ${this.access.repository} (or the token cannot see it). Check --github-repository, and that the token has ${permission}.`);
            return undefined;
        }
        if (!response.ok) {
            await response.body?.cancel();
            this.problem(`GitHub answered ${response.status} for ${what} in ${this.access.repository}. The token needs ${permission}.`);
            return undefined;
        }
        return (await response.json());
    }
    problem(message) {
        if (!this.problems.includes(message))
            this.problems.push(message);
    }
}
/** `owner/name` from an explicit value, GITHUB_REPOSITORY, or origin's URL on GitHub. */
async function githubRepository(repo, explicit, env) {
    const valid = (v) => (v && /^[A-Za-z0-9-_.]+\/[A-Za-z0-9-_.]+$/.test(v) ? v : undefined);
    if (explicit !== undefined)
        return valid(explicit);
    if (valid(env.GITHUB_REPOSITORY))
        return env.GITHUB_REPOSITORY;
    const origin = (await gitMaybe(repo, ['remote', 'get-url', 'origin']))?.trim();
    const match = origin ? /github\.com[:/]([A-Za-z0-9-_.]+\/[A-Za-z0-9-_.]+?)(?:\.git)?\/?$/.exec(origin) : null;
    return valid(match?.[1]);
}
/** The run id in a workflow run URL (`…/actions/runs/123`). */
function runIdOf(url) {
    return url ? /\/actions\/runs\/(\d{1,20})(?:\/|$)/.exec(url)?.[1] : undefined;
}

const MERGE_SUBJECT = /^Merge pull request #(\d{1,9}) from \S/;
const SQUASH_SUBJECT = /\(#(\d{1,9})\)\s*$/;
/** The pull request a commit's own message names, if any. */
function pullRequestOf(info) {
    const merge = MERGE_SUBJECT.exec(info.subject);
    if (merge && info.parents.length > 1)
        return { number: Number(merge[1]), from: 'merge-commit' };
    const squash = SQUASH_SUBJECT.exec(info.subject);
    if (squash && info.parents.length <= 1)
        return { number: Number(squash[1]), from: 'squash-commit' };
    return undefined;
}
/** Approvals the commit message records in trailers (`Approved-by:`, `Reviewed-by:`). */
function trailerApprovals(info) {
    const seen = new Set();
    const out = [];
    for (const t of info.trailers) {
        if (t.key !== 'approved-by' && t.key !== 'reviewed-by')
            continue;
        if (seen.has(t.value))
            continue;
        seen.add(t.value);
        out.push({ by: t.value, from: 'trailer' });
    }
    return out;
}
/** Co-authors the message names (`Co-authored-by:`), besides the commit's author. */
function coAuthors(info) {
    return [...new Set(info.trailers.filter((t) => t.key === 'co-authored-by').map((t) => t.value))];
}
/**
 * Who approved, from a pull request's reviews (oldest first, as GitHub lists them): a reviewer's
 * latest deciding review counts (APPROVED, CHANGES_REQUESTED or DISMISSED; comments do not
 * change it), so an approval that was dismissed or followed by a request for changes is not one.
 */
function approvalsFromReviews(reviews) {
    const latest = new Map();
    for (const review of reviews) {
        if (review.state === 'COMMENTED' || review.state === 'PENDING')
            continue;
        latest.set(review.user, review);
    }
    return [...latest.values()].filter((r) => r.state === 'APPROVED').map((r) => ({ by: r.user, ...(r.submittedAt ? { at: r.submittedAt } : {}), from: 'github-review' }));
}

/**
 * The default branch's history as a stream of tree changes, oldest first, read by one `git log`
 * process: each first-parent revision with the paths it changed (against its first parent) and
 * their new blob ids. Applying them in order gives the tree of every revision without listing a
 * single tree: the cost grows with what changed, not with (revisions × files).
 *
 * First parent only: that is the line apply sees (a merge commit is one step: the pull request's
 * change as it landed). The branch commits behind a merge are read on demand (branchCommits).
 */
const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%cn', '%cI', '%s', '%(trailers:key=Approved-by,key=Reviewed-by,key=Co-authored-by,separator=%x1e,key_value_separator=%x1d)'];
const MARK = '\x01';
const MARK_BYTE = 1;
const NEWLINE = 10;
const COLON = 58;
const SPACE = 32;
/** File modes are a handful of values: one string each, not one per path. */
const MODES = new Map();
const TRAILER_KEYS = new Map(['approved-by', 'reviewed-by', 'co-authored-by'].map((k) => [k, k]));
/**
 * Every first-parent revision of `head`, oldest first, with its tree changes. Streams: memory is
 * bounded by one revision's changes (the first commit of a 200,000-photo import is the largest).
 */
function walkFirstParent(repo, head) {
    return logSteps(repo, ['--first-parent', '--reverse', head]);
}
/** `git log --raw -z` over `revisions`, parsed as it streams: each commit with its tree changes. */
async function* logSteps(repo, revisions) {
    const args = ['log', '--raw', '-z', '--no-renames', '--no-abbrev', '--no-color', `--format=${MARK}${FIELDS.join('%x00')}`, ...revisions, '--'];
    const proc = spawn('git', args, { cwd: repo, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
    let stderr = '';
    proc.stderr.on('data', (c) => (stderr += c.toString()));
    const exited = new Promise((resolve) => proc.on('close', (code) => resolve(code ?? -1)));
    // Tokens are NUL-separated (-z): a NUL is never part of a path, a header field or a blob id.
    let rest = Buffer.alloc(0);
    let step;
    let headerLeft = 0;
    let header = [];
    let pendingMeta;
    const out = [];
    // Each token is decoded into a string of its own, straight from git's bytes: a slice of a
    // longer string (a chunk, or the `:mode mode oid oid status` line) would keep that string alive
    // for as long as the tree holds the path or the blob id: 200,000 of them at district scale.
    const take = (data, start, end) => {
        if (headerLeft > 0) {
            header.push(data.toString('utf8', start, end));
            if (--headerLeft === 0)
                step = { info: commitInfo(header), changes: [] };
            return;
        }
        if (pendingMeta !== undefined) {
            // The path (any bytes but NUL: its meta was checked first).
            const { mode, oid, deleted } = pendingMeta;
            pendingMeta = undefined;
            const path = data.toString('utf8', start, end);
            step?.changes.push(deleted ? { path } : { path, oid, mode });
            return;
        }
        if (data[start] === MARK_BYTE) {
            if (step)
                out.push(step);
            step = undefined;
            header = [data.toString('utf8', start + 1, end)];
            headerLeft = FIELDS.length - 1;
            return;
        }
        let at = start;
        while (at < end && data[at] === NEWLINE)
            at++;
        if (data[at] === COLON)
            pendingMeta = rawMeta(data, at + 1, end);
    };
    let finished = false;
    try {
        for await (const chunk of proc.stdout) {
            const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
            // One pass over the chunk, token by token.
            let start = 0;
            for (let nul = data.indexOf(0); nul !== -1; nul = data.indexOf(0, start)) {
                take(data, start, nul);
                start = nul + 1;
            }
            rest = Buffer.from(data.subarray(start));
            for (const s of out.splice(0))
                yield s;
        }
        if (rest.length)
            take(rest, 0, rest.length);
        if (step)
            out.push(step);
        const code = await exited;
        finished = true;
        if (code !== 0)
            throw new UserError('git', `git log failed in ${repo}: ${stderr.trim()}`);
        for (const s of out)
            yield s;
    }
    finally {
        // A reader that stops early (an error while reporting) must not leave git writing to nobody.
        if (!finished)
            proc.kill();
    }
}
/**
 * `oldmode newmode oldoid newoid STATUS` (the colon skipped), from git's bytes: the new mode and
 * blob id each decoded on their own (see take).
 */
function rawMeta(data, start, end) {
    const fields = [];
    for (let at = start; at <= end && fields.length < 5;) {
        let space = data.indexOf(SPACE, at);
        if (space === -1 || space > end)
            space = end;
        fields.push([at, space]);
        at = space + 1;
    }
    const [, newMode, , newOid, status] = fields;
    const field = (f) => (f ? data.toString('latin1', f[0], f[1]) : '');
    const rawMode = field(newMode);
    let mode = MODES.get(rawMode);
    if (mode === undefined)
        MODES.set(rawMode, (mode = rawMode));
    return { mode, oid: field(newOid), deleted: field(status) === 'D' };
}
function commitInfo(fields) {
    const [commit, parents, authorName, authorEmail, authorDate, committerName, committerDate, subject, trailers] = fields.map((f) => f.replace(/^\n+/, ''));
    return {
        commit: commit,
        parents: parents ? parents.split(' ') : [],
        authorName: authorName ?? '',
        authorEmail: authorEmail ?? '',
        authorDate: authorDate ?? '',
        committerName: committerName ?? '',
        committerDate: committerDate ?? '',
        subject: subject ?? '',
        trailers: parseTrailers(trailers ?? ''),
    };
}
function parseTrailers(text) {
    const out = [];
    for (const item of text.split('\x1e')) {
        const sep = item.indexOf('\x1d');
        if (sep < 0)
            continue;
        const key = TRAILER_KEYS.get(item.slice(0, sep).trim().toLowerCase());
        const value = item.slice(sep + 1).trim();
        if (key && value)
            out.push({ key, value });
    }
    return out;
}
/**
 * The commits a merge brought in (reachable from its other parents, not from its first), newest
 * first, each with the paths it changed: who wrote the change the merge landed. One git process
 * per merge, whatever the number of subjects it changed.
 */
async function mergedCommits(repo, merge) {
    if (merge.parents.length < 2)
        return [];
    const out = [];
    for await (const step of logSteps(repo, [...merge.parents.slice(1), `^${merge.parents[0]}`]))
        out.push({ info: step.info, paths: new Set(step.changes.map((c) => c.path)) });
    return out;
}

/**
 * Desired state through history, one subject at a time: walks the default branch oldest first
 * (walk.ts) and says, for each revision, which followed subjects' desired photo changed and how.
 *
 * "Changed" is what a plan would call a change (src/plan/plan.ts): the photo's content or its
 * normalisation settings. Renaming a photo file, moving an entry to another manifest file, or
 * editing the `name:` is not a change; pointing the entry at another file with other bytes is.
 *
 * Cost: each manifest version is read and parsed once, when the walk reaches it, and only if it
 * can name a followed subject (a text search first: `history <key>` skips the other files of a
 * 200,000-user repository); a photo is never read, only its blob id. Memory: the current tree's
 * paths and the followed subjects' entries, never one copy per revision.
 */
const MANIFEST_FILE = /\.ya?ml$/i;
const REGULAR = new Set(['100644', '100755']);
/**
 * Follows `subjects`, or every subject, through the first-parent history of `head`. Yields only
 * revisions where a followed subject's desired photo changed; `positions` receives every
 * revision's place on the line.
 */
async function* desiredHistory(repo, head, subjects, positions, parsed = new ParsedManifests()) {
    const engine = new Engine(repo, subjects, parsed);
    try {
        let index = 0;
        for await (const step of walkFirstParent(repo, head)) {
            positions?.set(step.info.commit, index);
            const changes = await engine.step(step.changes);
            if (changes.length)
                yield { info: step.info, index, changes };
            index++;
        }
    }
    finally {
        engine.close();
    }
}
/**
 * Manifest versions already parsed (by blob id), for a second walk over the same history with
 * the same subjects: parsing is most of a walk's cost. Holds at most `budget` entries in all,
 * then stops remembering (a 200,000-user history is parsed again rather than held).
 */
class ParsedManifests {
    budget;
    versions = new Map();
    held = 0;
    constructor(budget = 100_000) {
        this.budget = budget;
    }
    get(oid) {
        return this.versions.get(oid);
    }
    set(oid, version) {
        const size = 1 + (version?.entries.size ?? 0);
        if (this.held + size > this.budget)
            return;
        this.held += size;
        this.versions.set(oid, version);
    }
}
class Engine {
    parsed;
    /** path → blob; `path` is the key itself, so a subject's photo path is not a second copy. */
    tree = new Map();
    /** Files below each folder: a folder exists while it holds one. */
    folders = new Map();
    manifests = new Map();
    /** Manifest files declaring each subject (one, except in a revision that declares it twice). */
    declaredIn = new Map();
    current = new Map();
    lastDeclared = new Map();
    /** Paths each subject's photo resolution looked at, and the reverse. */
    deps = new Map();
    byPath = new Map();
    linkTargets = new Map();
    blobs;
    followed;
    needles;
    constructor(repo, subjects, parsed) {
        this.parsed = parsed;
        this.blobs = new BlobReader(repo);
        this.followed = subjects === 'all' ? undefined : new Set(subjects.map((k) => k.canonical));
        this.needles = subjects === 'all' ? [] : subjects.map(needleOf);
    }
    close() {
        this.blobs.close();
    }
    async step(changes) {
        const candidates = new Set();
        const manifestChanges = [];
        for (const change of changes) {
            const had = this.tree.get(change.path);
            if (change.oid && change.mode) {
                this.tree.set(change.path, { path: change.path, oid: change.oid, mode: change.mode });
                if (!had)
                    this.countFolders(change.path, 1);
            }
            else if (had) {
                this.tree.delete(change.path);
                this.countFolders(change.path, -1);
            }
            if (isManifestPath(change.path))
                manifestChanges.push(change);
            // The path itself, and a missing path above it that now appears (a new folder of photos).
            for (let end = change.path.length; end > 0; end = change.path.lastIndexOf('/', end - 1)) {
                for (const subject of valuesOf(this.byPath, change.path.slice(0, end)))
                    candidates.add(subject);
            }
        }
        for (const change of manifestChanges)
            await this.readManifest(change, candidates);
        const out = [];
        for (const subject of [...candidates].sort()) {
            const change = await this.evaluate(subject);
            if (change)
                out.push(change);
        }
        return out;
    }
    countFolders(path, delta) {
        for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
            const folder = path.slice(0, slash);
            const n = (this.folders.get(folder) ?? 0) + delta;
            if (n > 0)
                this.folders.set(folder, n);
            else
                this.folders.delete(folder);
        }
    }
    /** Reads a changed manifest file and marks the followed subjects whose entry changed. */
    async readManifest(change, candidates) {
        const before = this.manifests.get(change.path);
        let after;
        if (change.oid && change.mode && REGULAR.has(change.mode)) {
            let version = this.parsed.get(change.oid);
            if (version === undefined)
                this.parsed.set(change.oid, (version = await this.parse(change.path, change.oid)));
            // A file that does not parse makes its revision unappliable; it changes nobody's photo.
            if (version === null)
                return;
            after = version;
        }
        if (after)
            this.manifests.set(change.path, after);
        else
            this.manifests.delete(change.path);
        const rootChanged = before?.photoRoot !== after?.photoRoot;
        for (const [subject, entry] of before?.entries ?? []) {
            const now = after?.entries.get(subject);
            if (!now)
                remove(this.declaredIn, subject, change.path);
            if (!now || rootChanged || !sameEntry(entry, now))
                candidates.add(subject);
        }
        for (const [subject, entry] of after?.entries ?? []) {
            add(this.declaredIn, subject, change.path);
            const was = before?.entries.get(subject);
            if (!was || rootChanged || !sameEntry(was, entry))
                candidates.add(subject);
        }
    }
    /**
     * The followed subjects' entries in one manifest version; null when it does not parse.
     *
     * The parser's strings are slices of the file's text: kept, any one of them would keep the
     * whole text (a megabyte for 20,000 users) alive, and with it every version of every manifest
     * the walk passed. So what is kept is the previous version's string when the value did not
     * change (most entries of a version: one copy per subject, not one per version), else a copy.
     */
    async parse(path, oid) {
        const text = (await this.blobs.read(oid)).toString('utf8');
        if (!this.mayName(text))
            return { oid, photoRoot: '', entries: new Map() };
        const parsed = parseManifest(path, text);
        if (!parsed.manifest)
            return null;
        const previous = this.manifests.get(path);
        const entries = new Map();
        for (const u of [...parsed.manifest.users, ...parsed.manifest.groups]) {
            if (this.followed && !this.followed.has(u.key.canonical))
                continue;
            if (entries.has(u.key.canonical))
                continue; // the first declaration is the one validation keeps
            const was = previous?.entries.get(u.key.canonical);
            const known = was?.key ?? this.current.get(u.key.canonical)?.key; // moved from another file
            const key = known && known.kind === u.key.kind && known.value === u.key.value ? known : { kind: u.key.kind, value: ownCopy(u.key.value), canonical: ownCopy(u.key.canonical) };
            const name = u.name ? (was?.name === u.name ? was.name : ownCopy(u.name)) : undefined;
            const photo = was?.photo === u.photo ? was.photo : ownCopy(u.photo);
            entries.set(key.canonical, { key, ...(name ? { name } : {}), photo, crop: u.crop, normalise: u.normalise, line: u.keyAt.line });
        }
        const photoRoot = previous?.photoRoot === parsed.manifest.photoRoot ? previous.photoRoot : ownCopy(parsed.manifest.photoRoot);
        return { oid, photoRoot, entries };
    }
    /** Whether a manifest's text can declare a followed subject (always, when following all). */
    mayName(text) {
        if (!this.followed)
            return true;
        // Escapes and quoting could spell a key in other characters: such a file is parsed.
        if (text.includes('\\'))
            return true;
        let folded;
        return this.needles.some((n) => !n.plain || (n.folded ? (folded ??= text.toLowerCase()) : text).includes(n.text));
    }
    async evaluate(subject) {
        const files = [...valuesOf(this.declaredIn, subject)].sort(byPath);
        const file = files[0];
        const version = file ? this.manifests.get(file) : undefined;
        const entry = version?.entries.get(subject);
        let next;
        const asked = [];
        if (file && version && entry) {
            const resolved = await resolvePhotoPath(this.snapshot(asked), version.photoRoot, entry.photo);
            if (resolved.ok) {
                const settings = settingsFor(entry.normalise, entry.crop);
                const photo = this.tree.get(resolved.path);
                next = { kind: 'declared', key: entry.key, ...(entry.name ? { name: entry.name } : {}), file, line: entry.line, photo: photo.path, blobId: photo.oid, settings };
            }
            else {
                next = { kind: 'invalid', key: entry.key, file, line: entry.line, message: resolved.message };
            }
        }
        this.track(subject, asked);
        const prev = this.current.get(subject);
        if (next)
            this.current.set(subject, next);
        else
            this.current.delete(subject);
        // The last declared state of a subject that is not declared now (for "added again"); while
        // it is declared, `current` holds it: one copy per subject, not two. Set when it stops being
        // declared, it stays through any invalid revisions after (their `previous` is the same state).
        const last = this.lastDeclared.get(subject);
        if (next?.kind === 'declared')
            this.lastDeclared.delete(subject);
        else if (prev?.kind === 'declared')
            this.lastDeclared.set(subject, strip(prev));
        if (next?.kind === 'declared') {
            if (prev?.kind === 'declared') {
                if (prev.blobId === next.blobId && prev.settings === next.settings)
                    return undefined;
                return { subject, kind: prev.blobId === next.blobId ? 'settings' : 'replaced', before: strip(prev), after: strip(next) };
            }
            const before = prev?.kind === 'invalid' ? prev.previous : undefined;
            if (before) {
                if (before.blobId === next.blobId && before.settings === next.settings)
                    return { subject, kind: 'valid-again', before, after: strip(next) };
                return { subject, kind: before.blobId === next.blobId ? 'settings' : 'replaced', before, after: strip(next) };
            }
            return { subject, kind: 'new', ...(last ? { readded: true, before: last } : {}), after: strip(next) };
        }
        if (next?.kind === 'invalid') {
            if (prev?.kind === 'invalid') {
                next.previous = prev.previous;
                return undefined;
            }
            if (prev?.kind === 'declared')
                next.previous = strip(prev);
            const { kind: _kind, ...invalid } = next;
            return { subject, kind: 'invalid', invalid, ...(next.previous ? { before: next.previous } : {}) };
        }
        const before = prev?.kind === 'declared' ? strip(prev) : prev?.previous;
        return before ? { subject, kind: 'removed', before } : undefined;
    }
    track(subject, asked) {
        for (const path of valuesOf(this.deps, subject))
            remove(this.byPath, path, subject);
        // Nearly every subject asks about one path (its photo): held as the string itself, no array.
        if (asked.length === 0)
            this.deps.delete(subject);
        else
            this.deps.set(subject, asked.length === 1 ? asked[0] : new Set(asked));
        for (const path of asked)
            add(this.byPath, path, subject);
    }
    /** The current tree as resolvePhotoPath sees it, noting every path it asks about. */
    snapshot(asked) {
        return {
            label: 'history',
            entry: async (path) => {
                const file = this.tree.get(path);
                // A folder is not a change of its own (`git log --raw` lists files): what could change the
                // resolution is a file, a link, or a missing path appearing. Folders shared by every
                // subject (photos/students) would otherwise each hold a set of 200,000 subjects.
                if (!file && this.folders.has(path))
                    return { path, kind: 'directory' };
                asked.push(file?.path ?? path); // the tree's copy of the string: not a second one per subject
                if (!file)
                    return undefined;
                if (file.mode === '120000') {
                    let linkTarget = this.linkTargets.get(file.oid);
                    if (linkTarget === undefined)
                        this.linkTargets.set(file.oid, (linkTarget = (await this.blobs.read(file.oid)).toString('utf8')));
                    return { path, kind: 'symlink', linkTarget, blobId: file.oid };
                }
                // No size: the history never reads photos (a Git LFS pointer is still a change of blob).
                return { path, kind: REGULAR.has(file.mode) ? 'file' : 'other', blobId: file.oid };
            },
            list: () => Promise.reject(new UserError('git', 'history snapshots are not listed')),
            read: () => Promise.reject(new UserError('git', 'history snapshots do not read photos')),
            blobId: async (path) => this.tree.get(path)?.oid ?? '',
            close: () => { },
        };
    }
}
function valuesOf(map, key) {
    const v = map.get(key);
    return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}
function add(map, key, value) {
    const v = map.get(key);
    if (v === undefined)
        map.set(key, value);
    else if (typeof v === 'string') {
        if (v !== value)
            map.set(key, new Set([v, value]));
    }
    else
        v.add(value);
}
function remove(map, key, value) {
    const v = map.get(key);
    if (v === value)
        map.delete(key);
    else if (typeof v === 'object') {
        v.delete(value);
        if (v.size === 1)
            map.set(key, v.values().next().value);
    }
}
/** Four possible settings: shared objects, not one per subject and revision. */
const SETTINGS = new Map();
function settingsFor(enabled, crop) {
    const id = `${enabled}/${crop}`;
    let settings = SETTINGS.get(id);
    if (!settings)
        SETTINGS.set(id, (settings = Object.freeze({ enabled, crop })));
    return settings;
}
function strip(state) {
    const { kind: _kind, ...rest } = state;
    return { ...rest, fingerprint: photoFingerprint(rest.blobId, rest.settings) };
}
/**
 * A string of its own (not a slice of a longer one): JSON's round trip gives back exactly the same
 * code units (lone surrogates included) in a new string.
 */
function ownCopy(text) {
    return JSON.parse(JSON.stringify(text));
}
function sameEntry(a, b) {
    return a.photo === b.photo && a.crop === b.crop && a.normalise === b.normalise && a.line === b.line && a.name === b.name && a.key.value === b.key.value;
}
function isManifestPath(path) {
    return path.startsWith(`${MANIFEST_DIR}/`) && MANIFEST_FILE.test(path);
}
function byPath(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
/**
 * How a key can appear in a manifest's text. UPNs and object ids match without regard to case
 * (their canonical form is lower case); an employeeId exactly. A key with a quote or a space
 * could be written folded or doubled in YAML: `plain: false` makes every file be parsed.
 */
function needleOf(key) {
    const folded = key.kind !== 'employeeId';
    const text = folded ? key.value.toLowerCase() : key.value;
    return { text, folded, plain: !/['" \t]/.test(text) };
}

/**
 * One subject's (or a few subjects') history, in memory: small. For every subject use
 * streamHistory, which holds one revision's changes at a time.
 */
async function subjectHistory(options) {
    const entries = [];
    const { head, records } = await streamHistory(options, async (entry) => {
        entries.push(entry);
    });
    return { head, subjects: options.subjects === 'all' ? 'all' : options.subjects.map((k) => k.canonical), entries, records, problems: options.github?.problems ?? [], ...(options.since ? { since: options.since } : {}) };
}
/**
 * Calls `emit` for every change, oldest first. For every subject, two walks of the history: the
 * first notes where each subject changed (a number per change), so that the second can tell, for
 * each change, which applied runs fall before the subject's next change; memory stays bounded by
 * the number of subjects and changes, not by revisions × subjects.
 */
async function streamHistory(options, emit) {
    const head = await resolveCommit(options.repo, options.head ?? 'HEAD');
    const follow = options.subjects === 'all' ? undefined : new Set(options.subjects.map((k) => k.canonical));
    const records = await readAppliedRecords(options.repo, follow, options.target ? { target: options.target } : undefined);
    const positions = new Map();
    const changedAt = new Map();
    // A few subjects' changes are few: kept from the first walk instead of walking again. Without
    // any record there is nothing to place the changes against: every subject needs one walk only.
    const kept = follow ? [] : undefined;
    const parsed = new ParsedManifests();
    const firstWalk = follow || records.length > 0 ? walk(options, head, parsed, positions) : [];
    for await (const revision of firstWalk) {
        kept?.push(revision);
        for (const change of revision.changes) {
            // Most subjects change once (the first import): the position itself, not an array of one.
            const at = changedAt.get(change.subject);
            if (at === undefined)
                changedAt.set(change.subject, revision.index);
            else if (typeof at === 'number')
                changedAt.set(change.subject, [at, revision.index]);
            else
                at.push(revision.index);
        }
    }
    const ancestry = new Ancestry(options.repo, positions);
    // Changes come in revision order: the commits of the merge being reported are read once.
    let lastMerge;
    const merged = (merge) => {
        if (lastMerge?.commit !== merge.commit)
            lastMerge = { commit: merge.commit, commits: mergedCommits(options.repo, merge) };
        return lastMerge.commits;
    };
    const context = { records, ancestry, merged };
    const since = options.since ? Date.parse(options.since) : undefined;
    for await (const revision of kept ?? walk(options, head, parsed)) {
        if (since !== undefined && Date.parse(revision.info.committerDate) < since)
            continue;
        for (const change of revision.changes) {
            const at = changedAt.get(change.subject);
            const next = typeof at === 'number' ? (at > revision.index ? at : undefined) : at?.find((i) => i > revision.index);
            await emit(await entryOf(options, revision, change, next, context));
        }
    }
    return { head, records: records.map((r) => ({ target: r.target, environment: r.environment, ...(r.applied ? { applied: r.applied } : {}) })) };
}
function walk(options, head, parsed, positions) {
    return desiredHistory(options.repo, head, options.subjects, positions, parsed);
}
async function entryOf(options, revision, change, next, context) {
    const { records, ancestry } = context;
    const { info } = revision;
    const shown = change.after ?? change.invalid ?? change.before;
    let pullRequest = pullRequestOf(info);
    const approvals = trailerApprovals(info);
    const github = options.github;
    if (github) {
        const number = pullRequest?.number ?? (await github.pullRequestOfCommit(info.commit));
        const pull = number !== undefined ? await github.pullRequest(number) : undefined;
        if (number !== undefined) {
            pullRequest = {
                number,
                from: pullRequest?.from ?? 'github',
                ...(pull?.url ? { url: pull.url } : {}),
                ...(pull?.title ? { title: pull.title } : {}),
                ...(pull?.author ? { author: pull.author } : {}),
                ...(pull?.mergedBy ? { mergedBy: pull.mergedBy } : {}),
            };
        }
        if (pull)
            approvals.push(...approvalsFromReviews(pull.reviews));
    }
    const files = [change.before?.file, change.before?.photo, shown.file, change.after?.photo].filter((p) => Boolean(p));
    const merged = info.parents.length > 1 ? (await context.merged(info)).filter((c) => files.some((f) => c.paths.has(f))).map((c) => summary(c.info)) : undefined;
    const environments = change.kind === 'invalid' ? [] : await Promise.all(records.map((record) => statusIn(record, revision, change, next, ancestry, github)));
    return {
        subject: change.subject,
        key: shown.key,
        ...('name' in shown && shown.name ? { name: shown.name } : {}),
        kind: change.kind,
        ...(change.readded ? { readded: true } : {}),
        revision: summary(info),
        ...(change.before ? { before: change.before } : {}),
        ...(change.after ? { after: change.after } : {}),
        ...(change.invalid ? { invalid: { file: change.invalid.file, line: change.invalid.line, message: change.invalid.message } } : {}),
        ...(pullRequest ? { pullRequest } : {}),
        approvals,
        ...(merged ? { branchCommits: merged } : {}),
        environments,
    };
}
function summary(info) {
    return {
        commit: info.commit,
        date: info.committerDate,
        author: { name: info.authorName, email: info.authorEmail, date: info.authorDate },
        committer: info.committerName,
        subject: info.subject,
        coAuthors: coAuthors(info),
    };
}
/**
 * Whether and when this change reached one target/environment:
 * - `applied`: a run whose revision lies between this change and the subject's next change
 *   landed exactly this photo (or this removal): its note says when and which run;
 * - `recorded`: the applied record covers this change and it is still the subject's state
 *   there, but no run's note lists the subject (the tenant already had the photo when the first
 *   apply compared, or a removal applied without prune keeps the photo);
 * - `waiting`: covered, but the subject waits for an account (the pending note);
 * - `superseded`: a later change of the subject reached the environment first;
 * - `not-yet`: the applied record has not reached this revision.
 */
async function statusIn(record, revision, change, next, ancestry, github) {
    const base = { target: record.target, environment: record.environment };
    const wanted = change.kind === 'removed' ? 'remove' : change.after?.fingerprint;
    const between = async (commit) => (await ancestry.contains(commit, revision.info.commit, revision.index)) && !(next !== undefined && (await ancestry.containsIndex(commit, next)));
    for (const run of record.runs) {
        if (run.landed.get(change.subject) !== wanted || !(await between(run.head)))
            continue;
        const runs = await Promise.all(run.runs.map(async (r) => {
            const id = github ? runIdOf(r.url) : undefined;
            const approvals = id ? (await github.runApprovals(id))?.filter((a) => a.environments.length === 0 || a.environments.includes(record.environment)) : undefined;
            return { ...r, ...(approvals ? { approvals } : {}) };
        }));
        return { ...base, status: 'applied', at: run.updated, head: run.head, runs };
    }
    if (!record.applied || !(await ancestry.contains(record.applied, revision.info.commit, revision.index)))
        return { ...base, status: 'not-yet' };
    if (next !== undefined && (await ancestry.containsIndex(record.applied, next)))
        return { ...base, status: 'superseded' };
    const waiting = change.kind !== 'removed' ? record.waiting.get(change.subject) : undefined;
    return waiting ? { ...base, status: 'waiting', waiting } : { ...base, status: 'recorded' };
}
/**
 * "Does revision A contain revision B": by position when both are on the walked first-parent
 * line (no process), else by git (a record made from another branch), remembered.
 */
class Ancestry {
    repo;
    positions;
    byIndex = [];
    asked = new Map();
    constructor(repo, positions) {
        this.repo = repo;
        this.positions = positions;
        for (const [commit, index] of positions)
            this.byIndex[index] = commit;
    }
    async contains(commit, ancestor, ancestorIndex) {
        const at = this.positions.get(commit);
        if (at !== undefined)
            return at >= ancestorIndex;
        const id = `${commit} ${ancestor}`;
        let answer = this.asked.get(id);
        if (answer === undefined)
            this.asked.set(id, (answer = (await gitMaybe(this.repo, ['merge-base', '--is-ancestor', ancestor, commit])) !== undefined));
        return answer;
    }
    containsIndex(commit, index) {
        return this.contains(commit, this.byIndex[index], index);
    }
}

/**
 * The history report: text (one block per change), JSON (docs/commands.md "history"), and a
 * local HTML page with the photos side by side. Pure functions. Everything shown comes from git
 * or GitHub and is attacker-written (keys, names, paths, author names, commit subjects, logins):
 * text goes through printable(), HTML through html() below.
 */
const KIND_WORDS = {
    new: 'new photo',
    replaced: 'photo replaced',
    settings: 'normalisation settings changed',
    removed: 'removed',
    invalid: 'declared, but does not validate',
    'valid-again': 'valid again (same photo as before)',
};
function kindWords(entry) {
    return entry.kind === 'new' && entry.readded ? 'added again' : KIND_WORDS[entry.kind];
}
/** The whole history of one subject (or a few) as text. */
function historyText(result) {
    const several = severalSubjects(result);
    const who = subjectsTitle(result);
    const lines = [`History of ${who}: ${result.entries.length} change${result.entries.length === 1 ? '' : 's'}${result.since ? ` since ${result.since}` : ''} up to ${result.head.slice(0, 12)}.`, recordsLine(result.records), ''];
    if (result.entries.length === 0) {
        lines.push(result.since ? `No change since ${result.since}: leave out --since for the whole history.` : 'No revision declares a photo for this key. Check the spelling (a userPrincipalName, an object id, or employeeId:NUMBER).', '');
    }
    for (const entry of result.entries)
        lines.push(historyEntryText(entry, several), '');
    for (const problem of result.problems)
        lines.push(`GitHub: ${printable(problem)}`);
    return lines.join('\n').replace(/\n+$/, '\n');
}
/** Several keys asked together: each change names its key. */
function severalSubjects(result) {
    return result.subjects === 'all' || result.subjects.length > 1;
}
/** Whose history it is: the one subject with its latest name, else the keys asked for (or every subject). */
function subjectsTitle(result) {
    const first = result.entries[0];
    if (first && !severalSubjects(result))
        return describeUser(first.key, result.entries.findLast((e) => e.name)?.name);
    return result.subjects === 'all' ? 'every subject' : result.subjects.map(printable).join(', ');
}
function recordsLine(records) {
    if (records.length === 0)
        return 'No applied-revision record in this repository (nothing applied yet, or fetch the tags and notes: --remote).';
    return `Applied records: ${records.map((r) => `${printable(r.target)}/${printable(r.environment)} at ${r.applied ? r.applied.slice(0, 12) : 'nothing complete yet'}`).join(', ')}.`;
}
/** One change: what, where, who, the pull request and its approvals, and each environment. */
function historyEntryText(entry, withKey) {
    const r = entry.revision;
    const what = `${withKey ? `${describeUser(entry.key, entry.name)}: ` : ''}${kindWords(entry)}`;
    const lines = [`${r.date}  ${r.commit.slice(0, 12)}  ${what}`];
    if (entry.after)
        lines.push(`  photo: ${photoLine(entry.after)}${entry.before && entry.kind !== 'valid-again' ? ` (was ${printable(entry.before.photo)})` : ''}`);
    else if (entry.kind === 'removed' && entry.before)
        lines.push(`  was: ${photoLine(entry.before)}`);
    if (entry.invalid)
        lines.push(`  ${printable(entry.invalid.file)}:${entry.invalid.line}: ${printable(entry.invalid.message)}`);
    lines.push(`  by ${person(r)}: "${printable(r.subject)}"`);
    for (const c of entry.branchCommits ?? [])
        lines.push(`  in the merge: ${c.commit.slice(0, 12)} by ${person(c)} ${c.author.date}: "${printable(c.subject)}"`);
    const pr = entry.pullRequest;
    if (pr) {
        const extra = [pr.author ? `opened by ${printable(pr.author)}` : '', pr.mergedBy ? `merged by ${printable(pr.mergedBy)}` : ''].filter(Boolean).join(', ');
        lines.push(`  pull request #${pr.number}${pr.url ? ` ${printable(pr.url)}` : ''}${extra ? ` (${extra})` : ''}`);
    }
    lines.push(`  approved by: ${entry.approvals.length ? entry.approvals.map(approvalText).join(', ') : pr ? 'not recorded in git (pass --github-token to read the reviews)' : 'no pull request or approval recorded'}`);
    for (const env of entry.environments)
        lines.push(`  ${printable(env.target)}/${printable(env.environment)}: ${environmentText(env)}`);
    return lines.join('\n');
}
function photoLine(state) {
    const settings = state.settings.enabled ? `crop ${state.settings.crop}` : 'not normalised';
    return `${printable(state.photo)} (blob ${state.blobId.slice(0, 12)}, ${settings}; ${printable(state.file)}:${state.line})`;
}
function person(r) {
    const co = r.coAuthors.length ? ` with ${r.coAuthors.map(printable).join(', ')}` : '';
    return `${printable(r.author.name)} <${printable(r.author.email)}>${co}`;
}
function approvalText(a) {
    return `${printable(a.by)} (${a.from === 'github-review' ? `review${a.at ? ` ${a.at}` : ''}` : 'commit trailer'})`;
}
function environmentText(env) {
    switch (env.status) {
        case 'applied': {
            const runs = (env.runs ?? []).map((run) => {
                const approvals = run.approvals?.length ? `; deployment approved by ${run.approvals.filter((a) => a.state === 'approved').map((a) => printable(a.user)).join(', ') || 'nobody'}` : '';
                return `${run.url ? printable(run.url) : 'a local run'}${run.actor ? ` by ${printable(run.actor)}` : ''}${approvals}`;
            });
            return `applied with ${env.head?.slice(0, 12) ?? '?'}, recorded ${env.at ?? '(time not recorded)'}${runs.length ? ` (${runs.join('; ')})` : ''}`;
        }
        case 'recorded':
            return 'covered by the applied record, no run lists it (the tenant already had it, or a removal applied without prune)';
        case 'waiting':
            return `applied record covers it; waiting for an account since ${env.waiting?.since ?? '?'} (${env.waiting?.problem === 'disabled' ? 'disabled account' : 'no account yet'})`;
        case 'superseded':
            return 'superseded: a later change of this subject was applied first';
        case 'not-yet':
            return 'not applied yet';
    }
}
/** JSON of one history (documented in docs/commands.md "history"). */
function historyJson(result) {
    return {
        head: result.head,
        subjects: result.subjects,
        since: result.since ?? null,
        records: result.records,
        entries: result.entries.map(historyEntryJson),
        problems: result.problems,
    };
}
function historyEntryJson(entry) {
    const state = (s) => s && { photo: s.photo, blobId: s.blobId, normalise: s.settings.enabled, crop: s.settings.crop, fingerprint: s.fingerprint, file: s.file, line: s.line };
    return {
        subject: entry.subject,
        key: entry.key.value,
        keyKind: entry.key.kind,
        ...(entry.name ? { name: entry.name } : {}),
        kind: entry.kind,
        ...(entry.readded ? { readded: true } : {}),
        revision: entry.revision,
        ...(entry.before ? { before: state(entry.before) } : {}),
        ...(entry.after ? { after: state(entry.after) } : {}),
        ...(entry.invalid ? { invalid: entry.invalid } : {}),
        ...(entry.pullRequest ? { pullRequest: entry.pullRequest } : {}),
        approvals: entry.approvals,
        ...(entry.branchCommits ? { branchCommits: entry.branchCommits } : {}),
        environments: entry.environments,
    };
}
/**
 * A self-contained page for the admin's own machine: each change with the photo before and after
 * as data URIs (thumbnails by blob id, made at the edge). Contains minors' photos: written 0600.
 */
function historyHtml(result, thumbnails) {
    const img = (state) => {
        const jpeg = state ? thumbnails.get(state.blobId) : undefined;
        return jpeg?.length ? `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" width="96" height="96" alt="">` : '<span class="none">—</span>';
    };
    const rows = result.entries.map((e) => {
        const r = e.revision;
        const detail = historyEntryText(e, false).split('\n').slice(1).map((l) => html(l.trim()));
        const subject = severalSubjects(result) ? `${html(describeUser(e.key, e.name))}<br>` : '';
        return `<tr><td>${img(e.before)}</td><td>${img(e.after)}</td><td>${subject}<b>${html(kindWords(e))}</b><br>${html(r.date)}<br><code>${html(r.commit.slice(0, 12))}</code></td><td>${detail.join('<br>')}</td></tr>`;
    });
    const who = subjectsTitle(result);
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><title>entra-photos history</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:6px;vertical-align:top;text-align:left}.none{color:#999}</style></head>
<body><h1>History of ${html(who)}</h1>
<p>${html(recordsLine(result.records))}</p>
<p>Contains photos of people: keep this file on this machine and delete it when done.</p>
<table><tr><th>Before</th><th>After</th><th>Change</th><th>Who, approval, applied</th></tr>
${rows.join('\n')}
</table></body></html>
`;
}
function html(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * `entra-photos history <user-key>` and `entra-photos log` (= `history --all`): who changed a
 * subject's photo, who approved it, and when it reached each environment. Offline by default (git
 * only); with a GitHub token, the pull requests' reviews and the runs' environment approvals.
 */
const HISTORY_USAGE = `Usage: entra-photos history <user-key>... [options]
       entra-photos log [--since DATE] [options]      (the same for every subject: history --all)

Every revision of the default branch that changed the subject's photo (new, replaced, removed,
normalisation settings), followed across manifest files and photo renames, with its author, the
pull request it came in by, who approved it, and when it was applied to each target/environment.

  <user-key>                userPrincipalName or mail, object id, or employeeId:NUMBER; name
                            several to see one person's keys together (a UPN entry that became
                            an employeeId entry is removed under one key and new under the other)
  --all                     Every subject (for periodic audits); --since limits the output
  --since DATE              Only changes committed at or after DATE (e.g. 2026-09-01)
  --repo DIR                Repository (default: current directory)
  --head REV                History up to REV (default: HEAD)
  --target NAME             Only this target's records (default: all of them)
  --remote NAME|none        Read the applied records (tags, notes) from this remote first
                            (default: origin if it exists)
  --github-token TOKEN      Read pull-request reviews and the runs' environment approvals from
                            GitHub (default: the GITHUB_TOKEN variable; prefer it: a token on the
                            command line is visible to other users of this machine). The token
                            needs pull-requests: read, and actions: read for approvals
  --github-repository O/R   The repository on GitHub (default: GITHUB_REPOSITORY, else origin's URL)
  --html FILE               Also write a local HTML page with the photos side by side over time
                            (contains photos: written readable by you only; keep it on this machine)
  --format text|json|html   Output format (default: text; html needs --html FILE)
Exit status: 0 history shown, 1 the key has no history at all, 2 usage error.
`;
async function historyCommand(args, out, all = false) {
    if (wantsHelp(args)) {
        out.write(HISTORY_USAGE);
        return 0;
    }
    const { values, positionals } = parseWithPositionals(args, {
        all: { type: 'boolean' },
        since: { type: 'string' },
        repo: { type: 'string' },
        head: { type: 'string' },
        target: { type: 'string' },
        remote: { type: 'string' },
        'github-token': { type: 'string' },
        'github-repository': { type: 'string' },
        html: { type: 'string' },
        format: { type: 'string' },
    }, HISTORY_USAGE);
    const every = all || values.all === true;
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'html')
        throw new UserError('usage', `--format must be text, json or html, not "${format}".`);
    if (format === 'html' && !values.html)
        throw new UserError('usage', '--format html writes a page with photos: name the file with --html FILE (it is written readable by you only).');
    if (every && positionals.length)
        throw new UserError('usage', `${all ? 'log' : 'history --all'} is about every subject: leave out "${positionals[0]}", or use history ${positionals[0]} for one.`);
    if (!every && positionals.length === 0)
        throw new UserError('usage', `Name a subject: entra-photos history ada@contoso.edu (or employeeId:10023, or an object id; several keys of one person side by side), or --all for every subject.\n\n${HISTORY_USAGE}`);
    if (every && values.html)
        throw new UserError('usage', '--html shows one subject\'s photos over time. For every subject use --format text or json; then look at one subject with history <user-key> --html FILE.');
    let since;
    if (values.since !== undefined) {
        const time = Date.parse(values.since);
        if (!Number.isFinite(time))
            throw new UserError('usage', `--since must be a date or time (e.g. 2026-09-01 or 2026-09-01T08:00:00Z), not "${values.since}".`);
        since = new Date(time).toISOString();
    }
    const subjects = every ? 'all' : positionals.map(subjectKey);
    const repo = await repoDirectory(values.repo);
    if (!(await isGitRepository(repo)))
        throw new UserError('usage', `${repo} is not a git repository. history reads the photos repository's git history: run it in a clone (or pass --repo).`);
    await checkRevisionArguments(repo, { '--head': values.head });
    if ((await gitMaybe(repo, ['rev-parse', '--is-shallow-repository']))?.trim() === 'true') {
        // A shallow clone starts its history at its cut: every change before it would be missing, and
        // the first commit would look like the day every photo was added.
        throw new UserError('usage', `${repo} is a shallow clone: its history is cut short, so it cannot tell who changed what. Fetch the whole history first: git fetch --unshallow (in a workflow: actions/checkout with fetch-depth: 0).`);
    }
    const remote = values.remote ?? (await defaultRemote(repo)) ?? 'none';
    if (remote !== 'none')
        await fetchRecords(repo, remote);
    const github = await githubAccess(repo, values['github-token'], values['github-repository']);
    const options = { repo, subjects, ...(values.head ? { head: values.head } : {}), ...(values.target ? { target: values.target } : {}), ...(since ? { since } : {}), ...(github ? { github } : {}) };
    if (every)
        return streamEvery(options, format === 'json' ? 'json' : 'text', out);
    const result = await subjectHistory(options);
    if (values.html) {
        await writeFile(path.resolve(values.html), historyHtml(result, await thumbnails(repo, result.entries)), { mode: 0o600 });
        if (format === 'text')
            out.write(`Wrote ${values.html} (photos over time; readable by you only; keep it on this machine).\n`);
    }
    if (format === 'json')
        out.write(logSafeJson(historyJson(result), 2) + '\n');
    else if (format === 'text')
        out.write(historyText(result));
    // No change at all is worth noticing (a typo?); none since a date is an answer.
    return result.entries.length || since ? 0 : 1;
}
const QUEUED_OUTPUT_LIMIT = 1 << 20;
/** Every subject, streamed: one change at a time is in memory, whatever the repository's size. */
async function streamEvery(options, format, out) {
    const head = await resolveCommit(options.repo, options.head ?? 'HEAD');
    let count = 0;
    if (format === 'json')
        out.write(`{\n  "head": ${JSON.stringify(head)},\n  "subjects": "all",\n  "since": ${JSON.stringify(options.since ?? null)},\n  "entries": [`);
    const { records } = await streamHistory({ ...options, head }, async (entry) => {
        if (format === 'json')
            out.write(`${count ? ',' : ''}\n    ${logSafeJson(historyEntryJson(entry))}`);
        else
            out.write(`${historyEntryText(entry, true)}\n\n`);
        count++;
        // Written to a pipe, what the reader has not taken yet queues in memory, and the walk makes
        // entries faster than a pipe drains: a 200,000-subject log held most of its output there.
        if (process.stdout.writableLength > QUEUED_OUTPUT_LIMIT)
            await once(process.stdout, 'drain');
    });
    const problems = options.github?.problems ?? [];
    if (format === 'json')
        out.write(`${count ? '\n  ' : ''}],\n  "records": ${logSafeJson(records)},\n  "problems": ${logSafeJson(problems)}\n}\n`);
    else {
        out.write(`${count} change${count === 1 ? '' : 's'}${options.since ? ` since ${options.since}` : ''} up to ${head.slice(0, 12)}. ${recordsLine(records)}\n`);
        for (const problem of problems)
            out.write(`GitHub: ${problem}\n`);
    }
    return 0;
}
function subjectKey(text) {
    const employee = /^employeeId:(.*)$/i.exec(text);
    const parsed = employee ? parseEmployeeId(employee[1]) : parseUserKey(text);
    if (!parsed.ok)
        throw new UserError('usage', parsed.message);
    return parsed.key;
}
async function githubAccess(repo, tokenOption, repositoryOption) {
    const token = tokenOption ?? process.env.GITHUB_TOKEN;
    if (!token)
        return undefined;
    const repository = await githubRepository(repo, repositoryOption, process.env);
    if (!repository) {
        throw new UserError('usage', `A GitHub token was given but the repository on GitHub is unknown${repositoryOption !== undefined ? ` ("${repositoryOption}" is not OWNER/NAME)` : ''}. Pass --github-repository OWNER/NAME.`);
    }
    return new GitHubApi({ token, repository, apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
}
/** 96-px previews of the photos the history shows, by blob id (a photo that does not decode has none). */
async function thumbnails(repo, entries) {
    const { thumbnail } = await import('./photo.js');
    const blobs = new BlobReader(repo);
    const out = new Map();
    try {
        for (const e of entries) {
            for (const state of [e.before, e.after]) {
                if (!state || out.has(state.blobId))
                    continue;
                out.set(state.blobId, await blobs.read(state.blobId).then((bytes) => thumbnail(bytes), () => Buffer.alloc(0)).catch(() => Buffer.alloc(0)));
            }
        }
    }
    finally {
        blobs.close();
    }
    return out;
}

export { HISTORY_USAGE, historyCommand };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError } from './shared6.js';
import { gitMaybe, ensureCommit, git, TOOL_IDENTITY, BlobReader } from './git.js';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The record this tool keeps in git itself, next to the history it describes: which revision is
 * live in an environment (a tag), who may write to it now (the lease, a tag), what landed of a
 * revision being applied and who waits for an account (git notes).
 *
 * Every record is scoped to a target (the directory service written to) and an environment, so
 * one target's failure never holds another back. The names:
 *
 * | record   | default target (`entra`): today's names | any other target `T`                    |
 * |----------|-----------------------------------------|-----------------------------------------|
 * | applied  | `refs/tags/entra-photos/applied/ENV`    | `refs/tags/entra-photos/T/applied/ENV`  |
 * | lock     | `refs/tags/entra-photos/lock/ENV`       | `refs/tags/entra-photos/T/lock/ENV`     |
 * | progress | `refs/notes/entra-photos/progress/ENV`  | `refs/notes/entra-photos/T/progress/ENV`|
 * | pending  | `refs/notes/entra-photos/pending/ENV`   | `refs/notes/entra-photos/T/pending/ENV` |
 *
 * The default target keeps the names every existing repository already has, so nothing needs
 * migrating. Another target gets a folder of its own beside the record kinds: a target may not
 * be named like a kind, or `entra-photos/applied/ENV` and `entra-photos/applied/ENV/...` could
 * collide (git cannot hold a ref and a folder of refs under one name).
 */
const DEFAULT_TARGET = 'entra';
const KINDS = ['applied', 'lock', 'progress', 'pending'];
const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TARGET_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** An environment name with one of these shapes is not a valid last component of a git ref. */
const REF_UNSAFE = /^\.|\.\.|\.lock$|\.$/;
/** The full ref of one record. Throws a UserError for names git could not hold. */
function recordRef(kind, scope) {
    const { environment } = scope;
    if (!ENVIRONMENT_NAME.test(environment) || REF_UNSAFE.test(environment)) {
        throw new UserError('config', `Environment name "${environment}" cannot name a git ref. Use letters, digits, ".", "_" or "-".`);
    }
    return `${recordRefPrefix(kind, scope.target)}${environment}`;
}
/** The refs of one kind of record of one target, for every environment: `${prefix}ENV`. Throws a UserError for a target name git could not hold. */
function recordRefPrefix(kind, target = DEFAULT_TARGET) {
    if (!TARGET_NAME.test(target) || KINDS.includes(target)) {
        throw new UserError('config', `Target name "${target}" cannot name the record in git: use lower-case letters, digits and "-", and none of ${KINDS.join(', ')}.`);
    }
    const namespace = kind === 'applied' || kind === 'lock' ? 'refs/tags' : 'refs/notes';
    return target === DEFAULT_TARGET ? `${namespace}/entra-photos/${kind}/` : `${namespace}/entra-photos/${target}/${kind}/`;
}
/**
 * Reads and writes records: refs are read from the remote when there is one (mirrored into the
 * local repository with the commit they name) and moved only by compare-and-swap, so two runs on
 * two machines cannot both move one; notes are pushed and, when someone else pushed first,
 * merged and pushed again.
 *
 * A remote that cannot be reached is an error, never a silent fall back to the local copy: a
 * stale local record would plan from the wrong base and take a lease someone else holds.
 */
class GitRecordStore {
    repo;
    remote;
    constructor(options) {
        this.repo = options.repo;
        this.remote = options.remote;
    }
    /**
     * The commit `ref` points at (undefined: no such ref). With a remote, its value there, made
     * available locally: the commit is fetched when missing (one commit, not its history: the
     * checkout may be shallow) and the local ref is set to it, or removed when the remote has none.
     */
    async read(ref) {
        const { repo, remote } = this;
        if (!remote)
            return (await gitMaybe(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))?.trim() || undefined;
        let sha = await this.remoteValue(ref);
        for (let attempt = 1; sha; attempt++) {
            try {
                await ensureCommit(repo, sha, remote);
                break;
            }
            catch (err) {
                // Moved (or deleted) between the two reads, e.g. a lease released just then: read again.
                const now = await this.remoteValue(ref);
                if (now === sha || attempt >= 3)
                    throw err;
                sha = now;
            }
        }
        await gitMaybe(repo, sha ? ['update-ref', ref, sha] : ['update-ref', '-d', ref]);
        return sha;
    }
    /** Moves `ref` from `expected` (undefined: absent) to `next` (undefined: delete it), only if it still holds `expected`. */
    async swap(ref, expected, next) {
        const { repo, remote } = this;
        if (!remote) {
            const zero = '0'.repeat(40);
            const args = next ? ['update-ref', ref, next, expected ?? zero] : ['update-ref', '-d', ref, expected ?? zero];
            return (await gitMaybe(repo, args)) !== undefined ? 'swapped' : 'lost-race';
        }
        const lease = `--force-with-lease=${ref}:${expected ?? ''}`;
        const pushed = await gitMaybe(repo, ['push', '--quiet', lease, remote, `${next ?? ''}:${ref}`]);
        if (pushed === undefined)
            return (await this.remoteValue(ref)) === expected ? 'refused' : 'lost-race';
        await gitMaybe(repo, next ? ['update-ref', ref, next] : ['update-ref', '-d', ref]);
        return 'swapped';
    }
    /** Makes the local notes ref a copy of the remote's (missing there is normal: a first run). */
    async fetchNotes(ref) {
        if (!this.remote)
            return;
        await gitMaybe(this.repo, ['fetch', '--quiet', '--no-tags', this.remote, `+${ref}:${ref}`]);
    }
    /** The note on `revision` under `ref`, undefined without one. */
    readNote(ref, revision) {
        return gitMaybe(this.repo, ['notes', `--ref=${ref}`, 'show', revision]);
    }
    /** `<note blob> <annotated object>` lines of every note under `ref`. */
    async listNotes(ref) {
        const out = (await gitMaybe(this.repo, ['notes', `--ref=${ref}`, 'list'])) ?? '';
        return out
            .split('\n')
            .map((line) => line.split(' '))
            .filter((parts) => Boolean(parts[0] && parts[1]))
            .map(([note, object]) => ({ note, object }));
    }
    /** Writes (replaces) the note on `revision`; the body goes through a file, as notes can be large. */
    async writeNote(ref, revision, body) {
        const dir = await mkdtemp(path.join(tmpdir(), 'entra-photos-note-'));
        try {
            const file = path.join(dir, 'note.txt');
            await writeFile(file, body);
            await git(this.repo, ['notes', `--ref=${ref}`, 'add', '-f', '-F', file, revision], { env: TOOL_IDENTITY });
        }
        finally {
            await rm(dir, { recursive: true, force: true });
        }
    }
    async removeNote(ref, revision) {
        await git(this.repo, ['notes', `--ref=${ref}`, 'remove', '--ignore-missing', revision], { env: TOOL_IDENTITY });
    }
    /**
     * Pushes a notes ref (nothing to do without a remote). Someone else pushed it meanwhile: merge
     * theirs with `strategy` (`cat_sort_uniq`: union of lines; `ours`: this run's note wins where
     * both wrote one) and try again. False when three attempts did not get it through.
     */
    async pushNotes(ref, strategy) {
        const { repo, remote } = this;
        if (!remote)
            return true;
        for (let attempt = 0; attempt < 3; attempt++) {
            if ((await gitMaybe(repo, ['push', '--quiet', remote, `${ref}:${ref}`])) !== undefined)
                return true;
            const theirs = `${ref}-remote`;
            await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${ref}:${theirs}`]);
            await git(repo, ['notes', `--ref=${ref}`, 'merge', '-q', '-s', strategy, theirs], { env: TOOL_IDENTITY }).catch(() => undefined);
            // Merged (or not): the copy is spent. Left in place it sits among the records, where a
            // reader listing refs/notes/entra-photos would take it for an environment.
            await gitMaybe(repo, ['update-ref', '-d', theirs]);
        }
        return false;
    }
    /** The remote's value of `ref`; a remote that cannot be reached is an error that says so. */
    async remoteValue(ref) {
        const { repo, remote } = this;
        let out;
        try {
            out = await git(repo, ['ls-remote', remote, ref]);
        }
        catch (err) {
            throw new UserError('git', `Could not read ${ref} from the remote "${remote}": ${err.message} The record of what was applied lives there; check that the remote is reachable (from a laptop, --remote none keeps the record in the local repository).`);
        }
        // The pattern matches ref names by their tail: keep the line naming exactly this ref.
        for (const line of out.split('\n')) {
            const [sha, name] = line.split('\t');
            if (name === ref && sha)
                return sha;
        }
        return undefined;
    }
}

/**
 * The run's provenance from the workflow's environment: the run URL (GITHUB_SERVER_URL,
 * GITHUB_REPOSITORY, GITHUB_RUN_ID) and the actor (GITHUB_ACTOR). Environment approvers are not
 * among the variables a job gets; the run URL lets `history` ask GitHub for them later.
 */
function provenanceFromEnv(env) {
    const url = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${(env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    const actor = env.GITHUB_ACTOR || undefined;
    return { ...(url ? { url } : {}), ...(actor ? { actor } : {}) };
}
const NOTE_HEADER = 'entra-photos progress v1';
const PENDING_HEADER = 'entra-photos pending v1';
class Ledger {
    options;
    tagRef;
    notesRef;
    pendingRef;
    pending = [];
    store;
    /** This run's line in the progress note (provenance is a handful of bytes per run, not per user). */
    run;
    constructor(options) {
        this.options = options;
        const scope = { environment: options.environment, ...(options.target ? { target: options.target } : {}) };
        this.tagRef = recordRef('applied', scope);
        this.notesRef = recordRef('progress', scope);
        this.pendingRef = recordRef('pending', scope);
        this.store = new GitRecordStore({ repo: options.repo, ...(options.remote ? { remote: options.remote } : {}) });
        this.run = { started: new Date().toISOString(), ...options.provenance };
    }
    /** The users waiting for an account when `revision` was applied (its pending note); empty without one. */
    async pendingAt(revision) {
        const out = new Map();
        if (!revision)
            return out;
        await this.store.fetchNotes(this.pendingRef);
        const text = await this.store.readNote(this.pendingRef, revision);
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
        await this.store.fetchNotes(this.pendingRef);
        const existing = await this.store.readNote(this.pendingRef, revision);
        if (entries.length === 0) {
            if (existing === undefined)
                return;
            await this.store.removeNote(this.pendingRef, revision);
        }
        else {
            const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
            const body = [PENDING_HEADER, `environment: ${this.options.environment}`, `revision: ${revision}`, `updated: ${new Date().toISOString()}`, ...sorted.map((e) => `pending ${e.problem} ${e.since} ${e.key}`)].join('\n') + '\n';
            await this.store.writeNote(this.pendingRef, revision, body);
        }
        await this.pushNotes(this.pendingRef, 'ours');
    }
    /** The last completely applied commit, fetched if needed; undefined when nothing was applied. */
    lastApplied() {
        return this.store.read(this.tagRef);
    }
    /**
     * What earlier runs that started from the same base (the record has not moved since) left in
     * the tenant: per user key, the last thing that landed (an upload with its fingerprint, or a
     * removal). Later notes override earlier ones.
     */
    async landedSince(base) {
        await this.store.fetchNotes(this.notesRef);
        const landed = new Map();
        const notes = [];
        // Every run that recorded progress left a note: read them all through one git process.
        const blobs = new BlobReader(this.options.repo);
        try {
            for (const { note } of await this.store.listNotes(this.notesRef)) {
                const parsed = parseNote((await blobs.read(note)).toString('utf8'));
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
        const existing = await this.store.readNote(this.notesRef, head);
        const previous = existing ? parseNote(existing) : undefined;
        const sameBase = previous !== undefined && previous.base === (base ?? 'none');
        const entries = sameBase ? [...previous.entries, ...batch] : batch;
        const runs = sameBase ? previous.runs.filter((r) => r.started !== this.run.started) : [];
        this.noted = entries.length;
        const body = [NOTE_HEADER, `environment: ${this.options.environment}`, `base: ${base ?? 'none'}`, `head: ${head}`, `updated: ${new Date().toISOString()}`, ...[...runs, this.run].map(formatRun), ...entries.map(formatEntry)].join('\n') + '\n';
        await this.store.writeNote(this.notesRef, head, body);
        await this.pushNotes(this.notesRef, 'cat_sort_uniq');
    }
    /**
     * Moves the applied tag from `expected` to `head` with a compare-and-swap push: if another run
     * moved it meanwhile, this one does not overwrite it.
     */
    async advance(expected, head) {
        const outcome = await this.store.swap(this.tagRef, expected, head);
        if (outcome === 'refused') {
            throw new UserError('git', `Could not push ${this.tagRef} to ${this.options.remote}. The job needs "permissions: contents: write" to record what it applied.`);
        }
        return outcome === 'swapped' ? 'advanced' : 'lost-race';
    }
    /**
     * Pushes a notes ref, merging what someone else pushed meanwhile (progress: union of lines;
     * pending: this run's list wins for the revision it wrote).
     */
    async pushNotes(ref, strategy) {
        if (await this.store.pushNotes(ref, strategy))
            return;
        throw new UserError('git', `Could not push ${ref === this.pendingRef ? 'the list of users waiting for an account' : 'progress notes'} (${ref}) to ${this.options.remote}. The job needs "permissions: contents: write".`);
    }
}
/** Values go on one line of a note: no whitespace inside (a URL or a login has none). */
function formatRun(r) {
    const word = (v) => (v ? v.replace(/\s/g, (ch) => encodeURIComponent(ch)) : '-');
    return `run ${r.started} ${word(r.url)} ${word(r.actor)}`;
}
function parseRun(line) {
    const [, started, url, actor] = line.split(' ');
    if (!started || !/^\d{4}-\d\d-\d\dT/.test(started))
        return undefined;
    const value = (v) => (v && v !== '-' ? v : undefined);
    const u = value(url);
    const a = value(actor);
    return { started, ...(u ? { url: u } : {}), ...(a ? { actor: a } : {}) };
}
function formatEntry(e) {
    return [e.action, e.key, e.fingerprint].filter(Boolean).join(' ');
}
/**
 * Reads a progress note: the base the run started from, when it last wrote, and what landed, in
 * order. Undefined for text that is not a progress note.
 */
function parseNote(text) {
    // Tolerates notes merged line-wise (cat_sort_uniq) after concurrent pushes: header anywhere,
    // the latest `updated:` wins.
    const lines = text.split('\n');
    if (!lines.includes(NOTE_HEADER))
        return undefined;
    let base = '';
    let head = '';
    let environment = '';
    let updated = '';
    const entries = [];
    const runs = [];
    for (const line of lines) {
        if (line.startsWith('base: '))
            base = line.slice(6);
        else if (line.startsWith('head: '))
            head = line.slice(6);
        else if (line.startsWith('environment: '))
            environment = line.slice(13);
        else if (line.startsWith('updated: '))
            updated = line.slice(9) > updated ? line.slice(9) : updated;
        else if (line.startsWith('run ')) {
            const run = parseRun(line);
            if (run && !runs.some((r) => r.started === run.started && r.url === run.url))
                runs.push(run);
        }
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
    runs.sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : 0));
    return { base, head, environment, updated, runs, entries };
}

export { DEFAULT_TARGET as D, GitRecordStore as G, Ledger as L, parseNote as a, recordRef as b, provenanceFromEnv as p, recordRefPrefix as r };

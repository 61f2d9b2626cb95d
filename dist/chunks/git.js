import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { U as UserError } from './shared6.js';

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
/**
 * Git commands that write to the repository (its refs, its shallow file, a notes merge's work
 * files). The action applies several targets at once in one checkout (issue 16), and two of these
 * at once in one repository fail on git's lock files ("Unable to create '.git/shallow.lock': File
 * exists"), so within this process they take turns per repository. Reads run freely.
 */
const WRITING_COMMANDS = new Set(['fetch', 'push', 'update-ref', 'notes', 'tag', 'commit', 'commit-tree', 'hash-object', 'mktree', 'merge', 'pack-refs', 'gc', 'reset', 'checkout']);
const writerTurns = new Map();
/** Runs git in a repository and returns stdout; failures become UserErrors that quote git. */
async function git(repo, args, options = {}) {
    if (!WRITING_COMMANDS.has(args[0] ?? ''))
        return runGit(repo, args, options);
    const key = path.resolve(repo);
    const previous = writerTurns.get(key) ?? Promise.resolve();
    const mine = previous.then(() => runGit(repo, args, options));
    const settled = mine.catch(() => undefined);
    writerTurns.set(key, settled);
    void settled.then(() => {
        if (writerTurns.get(key) === settled)
            writerTurns.delete(key);
    });
    return mine;
}
async function runGit(repo, args, options) {
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
async function ensureCommit(repo, sha, remote = 'origin') {
    if (await gitMaybe(repo, ['cat-file', '-e', `${sha}^{commit}`]) !== undefined)
        return;
    try {
        await git(repo, ['fetch', '--quiet', '--no-tags', '--depth=1', remote, sha]);
    }
    catch (err) {
        throw new UserError('git', `Commit ${sha} is not in the checkout and fetching it from ${remote} failed (${err.message}). Check out with "fetch-depth: 0", or make sure ${remote} is reachable.`);
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

export { BlobReader, TOOL_IDENTITY, defaultRemote, ensureCommit, git, gitMaybe, isGitRepository, parentsOf, resolveCommit };

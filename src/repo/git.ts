import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../core/errors.js';
import { CatFileParser } from './catFileParser.js';

const execFileAsync = promisify(execFile);

/**
 * Git commands that write to the repository (its refs, its shallow file, a notes merge's work
 * files). The action applies several targets at once in one checkout (issue 16), and two of these
 * at once in one repository fail on git's lock files ("Unable to create '.git/shallow.lock': File
 * exists"), so within this process they take turns per repository. Reads run freely.
 */
const WRITING_COMMANDS = new Set(['fetch', 'push', 'update-ref', 'notes', 'tag', 'commit', 'commit-tree', 'hash-object', 'mktree', 'merge', 'pack-refs', 'gc', 'reset', 'checkout']);
const writerTurns = new Map<string, Promise<unknown>>();

/** Runs git in a repository and returns stdout; failures become UserErrors that quote git. */
export async function git(repo: string, args: readonly string[], options: { maxBuffer?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  if (!WRITING_COMMANDS.has(args[0] ?? '')) return runGit(repo, args, options);
  const key = path.resolve(repo);
  const previous = writerTurns.get(key) ?? Promise.resolve();
  const mine = previous.then(() => runGit(repo, args, options));
  const settled = mine.catch(() => undefined);
  writerTurns.set(key, settled);
  void settled.then(() => {
    if (writerTurns.get(key) === settled) writerTurns.delete(key);
  });
  return mine;
}

async function runGit(repo: string, args: readonly string[], options: { maxBuffer?: number; env?: NodeJS.ProcessEnv }): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd: repo, maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024, encoding: 'utf8', env: { ...gitEnv(), ...options.env } });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new UserError('git', `git ${args.join(' ')} failed in ${repo}: ${(e.stderr || e.message).trim()}`);
  }
}

/** Like git(), but answers undefined instead of failing (for "does this exist" questions). */
export async function gitMaybe(repo: string, args: readonly string[]): Promise<string | undefined> {
  try {
    return await git(repo, args);
  } catch {
    return undefined;
  }
}

function gitEnv(): NodeJS.ProcessEnv {
  // Never prompt (no terminal in CI), and read paths byte-exact (no octal quoting).
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}

/** Where the applied-revision record lives by default: `origin` when the repository has one. */
export async function defaultRemote(repo: string): Promise<'origin' | undefined> {
  return (await gitMaybe(repo, ['remote', 'get-url', 'origin'])) !== undefined ? 'origin' : undefined;
}

/**
 * Identity for the commits git notes makes: runners have no git identity configured, and the
 * audit trail should say the tool wrote the progress record.
 */
export const TOOL_IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'entra-photos',
  GIT_AUTHOR_EMAIL: 'entra-photos@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'entra-photos',
  GIT_COMMITTER_EMAIL: 'entra-photos@users.noreply.github.com',
};

/** Resolves a revision to a full commit id, with an error that says what to do. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
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
export class BlobReader {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void; oid: string; allocate: ((size: number) => Buffer) | undefined }[] = [];

  constructor(private readonly repo: string) {}

  /** The blob's bytes, in a buffer from `allocate(size)` when given (a view of exactly its size). */
  read(oid: string, allocate?: (size: number) => Buffer): Promise<Buffer> {
    const proc = this.start();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, oid, allocate });
      proc.stdin.write(`${oid}\n`);
    });
  }

  close(): void {
    this.proc?.stdin.end();
    this.proc = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn('git', ['cat-file', '--batch'], { cwd: this.repo, env: gitEnv() });
    const failAll = (err: Error) => {
      for (const w of this.waiters.splice(0)) w.reject(err);
    };
    const parser = new CatFileParser((answer) => {
      const waiter = this.waiters.shift();
      if (!waiter) return;
      if (answer.kind === 'object') waiter.resolve(answer.content);
      else waiter.reject(new UserError('git', `Object ${waiter.oid} is missing from ${this.repo}. Fetch the history it belongs to.`));
    }, (size) => this.waiters[0]?.allocate?.(size) ?? Buffer.allocUnsafeSlow(size));
    proc.stdout.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (err) {
        failAll(new UserError('git', `${(err as Error).message} (in ${this.repo}).`));
        proc.kill();
      }
    });
    proc.on('error', failAll);
    proc.on('exit', (code) => {
      if (this.waiters.length) failAll(new UserError('git', `git cat-file exited (${code}) before answering in ${this.repo}.`));
      if (this.proc === proc) this.proc = undefined;
    });
    // Idle readers must not keep a finished CLI run alive.
    proc.unref();
    (proc.stdout as unknown as { unref?: () => void }).unref?.();
    (proc.stdin as unknown as { unref?: () => void }).unref?.();
    this.proc = proc;
    return proc;
  }
}

/**
 * Makes sure a commit is present, fetching just it from origin when it is not: after
 * actions/checkout's default shallow clone (fetch-depth: 1) a pull request's base is missing,
 * and asking every user to change their checkout would be worse than one small fetch.
 */
export async function ensureCommit(repo: string, sha: string, remote = 'origin'): Promise<void> {
  if (await gitMaybe(repo, ['cat-file', '-e', `${sha}^{commit}`]) !== undefined) return;
  try {
    await git(repo, ['fetch', '--quiet', '--no-tags', '--depth=1', remote, sha]);
  } catch (err) {
    throw new UserError('git', `Commit ${sha} is not in the checkout and fetching it from ${remote} failed (${(err as Error).message}). Check out with "fetch-depth: 0", or make sure ${remote} is reachable.`);
  }
}

/** Parent commit ids of a commit (available even in a shallow clone: they are in the commit). */
export async function parentsOf(repo: string, rev: string): Promise<string[]> {
  const out = await git(repo, ['cat-file', '-p', `${rev}^{commit}`]);
  return out
    .split('\n')
    .filter((l) => l.startsWith('parent '))
    .map((l) => l.slice('parent '.length).trim());
}

export async function isGitRepository(repo: string): Promise<boolean> {
  return (await gitMaybe(repo, ['rev-parse', '--git-dir'])) !== undefined;
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { ensureCommit, git, gitMaybe, TOOL_IDENTITY } from './git.js';

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
export const DEFAULT_TARGET = 'entra';

export type RecordKind = 'applied' | 'lock' | 'progress' | 'pending';

export interface RecordScope {
  environment: string;
  /** The target written to; default `entra`. */
  target?: string;
}

const KINDS: readonly RecordKind[] = ['applied', 'lock', 'progress', 'pending'];
const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TARGET_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** An environment name with one of these shapes is not a valid last component of a git ref. */
const REF_UNSAFE = /^\.|\.\.|\.lock$|\.$/;

/** The full ref of one record. Throws a UserError for names git could not hold. */
export function recordRef(kind: RecordKind, scope: RecordScope): string {
  const { environment } = scope;
  if (!ENVIRONMENT_NAME.test(environment) || REF_UNSAFE.test(environment)) {
    throw new UserError('config', `Environment name "${environment}" cannot name a git ref. Use letters, digits, ".", "_" or "-".`);
  }
  return `${recordRefPrefix(kind, scope.target)}${environment}`;
}

/** The refs of one kind of record of one target, for every environment: `${prefix}ENV`. Throws a UserError for a target name git could not hold. */
export function recordRefPrefix(kind: RecordKind, target: string = DEFAULT_TARGET): string {
  if (!TARGET_NAME.test(target) || (KINDS as readonly string[]).includes(target)) {
    throw new UserError('config', `Target name "${target}" cannot name the record in git: use lower-case letters, digits and "-", and none of ${KINDS.join(', ')}.`);
  }
  const namespace = kind === 'applied' || kind === 'lock' ? 'refs/tags' : 'refs/notes';
  return target === DEFAULT_TARGET ? `${namespace}/entra-photos/${kind}/` : `${namespace}/entra-photos/${target}/${kind}/`;
}

/**
 * What a compare-and-swap came to: `swapped`; `lost-race` (the ref no longer held the expected
 * value: someone else moved it); `refused` (it still holds the expected value but the remote
 * would not take the push: no write permission, a protected tag, a hook).
 */
export type SwapOutcome = 'swapped' | 'lost-race' | 'refused';

export interface RecordStoreOptions {
  repo: string;
  /** The remote the record lives on (the action: origin); undefined keeps it in the local repository. */
  remote?: string;
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
export class GitRecordStore {
  readonly repo: string;
  readonly remote: string | undefined;

  constructor(options: RecordStoreOptions) {
    this.repo = options.repo;
    this.remote = options.remote;
  }

  /**
   * The commit `ref` points at (undefined: no such ref). With a remote, its value there, made
   * available locally: the commit is fetched when missing (one commit, not its history: the
   * checkout may be shallow) and the local ref is set to it, or removed when the remote has none.
   */
  async read(ref: string): Promise<string | undefined> {
    const { repo, remote } = this;
    if (!remote) return (await gitMaybe(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))?.trim() || undefined;
    let sha = await this.remoteValue(ref);
    for (let attempt = 1; sha; attempt++) {
      try {
        await ensureCommit(repo, sha, remote);
        break;
      } catch (err) {
        // Moved (or deleted) between the two reads, e.g. a lease released just then: read again.
        const now = await this.remoteValue(ref);
        if (now === sha || attempt >= 3) throw err;
        sha = now;
      }
    }
    await gitMaybe(repo, sha ? ['update-ref', ref, sha] : ['update-ref', '-d', ref]);
    return sha;
  }

  /** Moves `ref` from `expected` (undefined: absent) to `next` (undefined: delete it), only if it still holds `expected`. */
  async swap(ref: string, expected: string | undefined, next: string | undefined): Promise<SwapOutcome> {
    const { repo, remote } = this;
    if (!remote) {
      const zero = '0'.repeat(40);
      const args = next ? ['update-ref', ref, next, expected ?? zero] : ['update-ref', '-d', ref, expected ?? zero];
      return (await gitMaybe(repo, args)) !== undefined ? 'swapped' : 'lost-race';
    }
    const lease = `--force-with-lease=${ref}:${expected ?? ''}`;
    const pushed = await gitMaybe(repo, ['push', '--quiet', lease, remote, `${next ?? ''}:${ref}`]);
    if (pushed === undefined) return (await this.remoteValue(ref)) === expected ? 'refused' : 'lost-race';
    await gitMaybe(repo, next ? ['update-ref', ref, next] : ['update-ref', '-d', ref]);
    return 'swapped';
  }

  /** Makes the local notes ref a copy of the remote's (missing there is normal: a first run). */
  async fetchNotes(ref: string): Promise<void> {
    if (!this.remote) return;
    await gitMaybe(this.repo, ['fetch', '--quiet', '--no-tags', this.remote, `+${ref}:${ref}`]);
  }

  /** The note on `revision` under `ref`, undefined without one. */
  readNote(ref: string, revision: string): Promise<string | undefined> {
    return gitMaybe(this.repo, ['notes', `--ref=${ref}`, 'show', revision]);
  }

  /** `<note blob> <annotated object>` lines of every note under `ref`. */
  async listNotes(ref: string): Promise<{ note: string; object: string }[]> {
    const out = (await gitMaybe(this.repo, ['notes', `--ref=${ref}`, 'list'])) ?? '';
    return out
      .split('\n')
      .map((line) => line.split(' '))
      .filter((parts): parts is [string, string] => Boolean(parts[0] && parts[1]))
      .map(([note, object]) => ({ note, object }));
  }

  /** Writes (replaces) the note on `revision`; the body goes through a file, as notes can be large. */
  async writeNote(ref: string, revision: string, body: string): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), 'entra-photos-note-'));
    try {
      const file = path.join(dir, 'note.txt');
      await writeFile(file, body);
      await git(this.repo, ['notes', `--ref=${ref}`, 'add', '-f', '-F', file, revision], { env: TOOL_IDENTITY });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async removeNote(ref: string, revision: string): Promise<void> {
    await git(this.repo, ['notes', `--ref=${ref}`, 'remove', '--ignore-missing', revision], { env: TOOL_IDENTITY });
  }

  /**
   * Pushes a notes ref (nothing to do without a remote). Someone else pushed it meanwhile: merge
   * theirs with `strategy` (`cat_sort_uniq`: union of lines; `ours`: this run's note wins where
   * both wrote one) and try again. False when three attempts did not get it through.
   */
  async pushNotes(ref: string, strategy: 'cat_sort_uniq' | 'ours'): Promise<boolean> {
    const { repo, remote } = this;
    if (!remote) return true;
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await gitMaybe(repo, ['push', '--quiet', remote, `${ref}:${ref}`])) !== undefined) return true;
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
  private async remoteValue(ref: string): Promise<string | undefined> {
    const { repo, remote } = this;
    let out: string;
    try {
      out = await git(repo, ['ls-remote', remote!, ref]);
    } catch (err) {
      throw new UserError('git', `Could not read ${ref} from the remote "${remote}": ${(err as Error).message} The record of what was applied lives there; check that the remote is reachable (from a laptop, --remote none keeps the record in the local repository).`);
    }
    // The pattern matches ref names by their tail: keep the line naming exactly this ref.
    for (const line of out.split('\n')) {
      const [sha, name] = line.split('\t');
      if (name === ref && sha) return sha;
    }
    return undefined;
  }
}

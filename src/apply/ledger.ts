import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { BlobReader, ensureCommit, git, gitMaybe, TOOL_IDENTITY } from '../repo/git.js';

/**
 * What is live in an environment, recorded in git itself so that `git log --decorate` shows it:
 *
 * - the tag `entra-photos/applied/<env>` points at the last revision applied *completely*; it is
 *   moved with a compare-and-swap push, so two overlapping runs cannot both advance it;
 * - progress within a revision is a git note (ref `entra-photos/progress/<env>`) on the head
 *   being applied, listing what already landed. A run cut short (time budget, cancellation,
 *   crash) leaves it behind; the next run from the same base skips what it lists.
 *
 * - users the applied revision declares but that have no usable account yet (no such user, or a
 *   disabled one) are a git note (ref `entra-photos/pending/<env>`) on the applied revision
 *   itself: "applied, except these users, who wait for an account". It is written before the
 *   tag moves, so the tag never points at a revision without its list; every later apply reads
 *   the list on its base and tries those users again. `git log --notes=entra-photos/pending/<env>`
 *   shows it beside the commit.
 *
 * With a remote (the action: origin), all are pushed; without one (a local CLI run), they stay
 * in the local repository.
 */
export interface LedgerOptions {
  repo: string;
  environment: string;
  /** Remote to read and push the record from; undefined keeps everything local. */
  remote?: string;
}

export interface LandedEntry {
  /** `upload` with the fingerprint that landed, or `remove`. */
  action: 'upload' | 'remove' | 'policy';
  key: string;
  fingerprint?: string;
}

/** A user the applied revision declares who could not be written yet: no account, or a disabled one. */
export interface PendingEntry {
  /** Canonical user key. */
  key: string;
  problem: 'not-found' | 'disabled';
  /** When a run first found this user waiting (ISO 8601); carried forward from run to run. */
  since: string;
}

const ENV_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const NOTE_HEADER = 'entra-photos progress v1';
const PENDING_HEADER = 'entra-photos pending v1';

export class Ledger {
  readonly tagRef: string;
  readonly notesRef: string;
  readonly pendingRef: string;
  private readonly pending: LandedEntry[] = [];

  constructor(private readonly options: LedgerOptions) {
    if (!ENV_NAME.test(options.environment)) {
      throw new UserError('config', `Environment name "${options.environment}" cannot name a git ref. Use letters, digits, ".", "_" or "-".`);
    }
    this.tagRef = `refs/tags/entra-photos/applied/${options.environment}`;
    this.notesRef = `refs/notes/entra-photos/progress/${options.environment}`;
    this.pendingRef = `refs/notes/entra-photos/pending/${options.environment}`;
  }

  /** The users waiting for an account when `revision` was applied (its pending note); empty without one. */
  async pendingAt(revision: string | undefined): Promise<Map<string, PendingEntry>> {
    const out = new Map<string, PendingEntry>();
    if (!revision) return out;
    const { repo, remote } = this.options;
    if (remote) await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.pendingRef}:${this.pendingRef}`]);
    const text = await gitMaybe(repo, ['notes', `--ref=${this.pendingRef}`, 'show', revision]);
    if (!text || !text.split('\n').includes(PENDING_HEADER)) return out;
    for (const line of text.split('\n')) {
      const match = /^pending (not-found|disabled) (\S+) (.+)$/.exec(line);
      if (match) out.set(match[3]!, { key: match[3]!, problem: match[1] as PendingEntry['problem'], since: match[2]! });
    }
    return out;
  }

  /**
   * Records the users of `revision` still waiting for an account (replacing its list; an empty
   * list removes the note). Called before the tag moves to `revision`, and on a run that re-tried
   * the users of the revision already applied.
   */
  async writePending(revision: string, entries: readonly PendingEntry[]): Promise<void> {
    const { repo, remote } = this.options;
    if (remote) await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.pendingRef}:${this.pendingRef}`]);
    const existing = await gitMaybe(repo, ['notes', `--ref=${this.pendingRef}`, 'show', revision]);
    if (entries.length === 0) {
      if (existing === undefined) return;
      await git(repo, ['notes', `--ref=${this.pendingRef}`, 'remove', '--ignore-missing', revision], { env: TOOL_IDENTITY });
    } else {
      const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const body = [PENDING_HEADER, `environment: ${this.options.environment}`, `revision: ${revision}`, `updated: ${new Date().toISOString()}`, ...sorted.map((e) => `pending ${e.problem} ${e.since} ${e.key}`)].join('\n') + '\n';
      await addNote(repo, this.pendingRef, revision, body);
    }
    if (remote) await this.pushNotes(this.pendingRef, 'ours');
  }

  /** The last completely applied commit, fetched if needed; undefined when nothing was applied. */
  async lastApplied(): Promise<string | undefined> {
    const { repo, remote } = this.options;
    let sha: string | undefined;
    if (remote) {
      const out = await git(repo, ['ls-remote', remote, this.tagRef]);
      sha = out.split(/\s+/)[0] || undefined;
      if (sha) {
        await ensureCommit(repo, sha);
        await git(repo, ['update-ref', this.tagRef, sha]);
      } else {
        await gitMaybe(repo, ['update-ref', '-d', this.tagRef]);
      }
    } else {
      sha = (await gitMaybe(repo, ['rev-parse', '--verify', '--quiet', `${this.tagRef}^{commit}`]))?.trim() || undefined;
    }
    return sha;
  }

  /**
   * What earlier runs that started from the same base (the record has not moved since) left in
   * the tenant: per user key, the last thing that landed (an upload with its fingerprint, or a
   * removal). Later notes override earlier ones.
   */
  async landedSince(base: string | undefined): Promise<Map<string, LandedEntry>> {
    await this.fetchNotes();
    const landed = new Map<string, LandedEntry>();
    const list = await gitMaybe(this.options.repo, ['notes', `--ref=${this.notesRef}`, 'list']);
    const notes: { updated: string; entries: LandedEntry[] }[] = [];
    // Every run that recorded progress left a note: read them all through one git process.
    const blobs = new BlobReader(this.options.repo);
    try {
      for (const line of (list ?? '').split('\n')) {
        const [noteBlob] = line.split(' ');
        if (!noteBlob) continue;
        const parsed = parseNote((await blobs.read(noteBlob)).toString('utf8'));
        if (parsed && parsed.base === (base ?? 'none')) notes.push(parsed);
      }
    } finally {
      blobs.close();
    }
    notes.sort((a, b) => (a.updated < b.updated ? -1 : 1));
    for (const note of notes) for (const e of note.entries) landed.set(e.key, e);
    return landed;
  }

  record(entry: LandedEntry): void {
    this.pending.push(entry);
  }

  /** Entries the note on the head held at the last flush. */
  private noted = 0;

  /**
   * Whether enough has landed to write the note again. Each flush rewrites the whole note (a
   * git blob), so the interval grows with the note — at least `every`, at least a twentieth of
   * what is noted — keeping the bytes written proportional to the note's final size, not its
   * square, on a 200,000-user import; a crash re-sends at most that twentieth.
   */
  dueForFlush(every: number): boolean {
    return this.pending.length >= Math.max(every, Math.ceil(this.noted / 20));
  }

  private flushing: Promise<void> = Promise.resolve();

  /**
   * Writes the progress note on `head` (merging with what it had) and pushes it. Flushes run one
   * at a time; entries recorded meanwhile go into the next one.
   */
  flushProgress(base: string | undefined, head: string): Promise<void> {
    const run = this.flushing.then(() => this.writeProgress(base, head));
    this.flushing = run.catch(() => {});
    return run;
  }

  private async writeProgress(base: string | undefined, head: string): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    try {
      await this.writeNote(base, head, batch);
    } catch (err) {
      this.pending.unshift(...batch);
      throw err;
    }
  }

  private async writeNote(base: string | undefined, head: string, batch: LandedEntry[]): Promise<void> {
    const { repo, remote } = this.options;
    const existing = await gitMaybe(repo, ['notes', `--ref=${this.notesRef}`, 'show', head]);
    const previous = existing ? parseNote(existing) : undefined;
    const entries = previous && previous.base === (base ?? 'none') ? [...previous.entries, ...batch] : batch;
    this.noted = entries.length;
    const body = [NOTE_HEADER, `environment: ${this.options.environment}`, `base: ${base ?? 'none'}`, `head: ${head}`, `updated: ${new Date().toISOString()}`, ...entries.map(formatEntry)].join('\n') + '\n';
    await addNote(repo, this.notesRef, head, body);
    if (remote) await this.pushNotes(this.notesRef, 'cat_sort_uniq');
  }

  /**
   * Moves the applied tag from `expected` to `head` with a compare-and-swap push: if another run
   * moved it meanwhile, this one does not overwrite it.
   */
  async advance(expected: string | undefined, head: string): Promise<'advanced' | 'lost-race'> {
    const { repo, remote } = this.options;
    if (remote) {
      const lease = `--force-with-lease=${this.tagRef}:${expected ?? ''}`;
      const pushed = await gitMaybe(repo, ['push', '--quiet', lease, remote, `${head}:${this.tagRef}`]);
      if (pushed === undefined) {
        const now = (await git(repo, ['ls-remote', remote, this.tagRef])).split(/\s+/)[0];
        if (now !== (expected ?? '')) return 'lost-race';
        throw new UserError('git', `Could not push ${this.tagRef} to ${remote}. The job needs "permissions: contents: write" to record what it applied.`);
      }
      await git(repo, ['update-ref', this.tagRef, head]);
      return 'advanced';
    }
    const ok = await gitMaybe(repo, ['update-ref', this.tagRef, head, expected ?? '0'.repeat(40)]);
    return ok === undefined ? 'lost-race' : 'advanced';
  }

  private async fetchNotes(): Promise<void> {
    const { repo, remote } = this.options;
    if (!remote) return;
    // Missing on the remote is normal (first run); anything else surfaces on push.
    await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote, `+${this.notesRef}:${this.notesRef}`]);
  }

  /**
   * Pushes a notes ref. Someone else pushed it meanwhile: merge theirs and try again (progress:
   * union of lines; pending: this run's list wins for the revision it wrote).
   */
  private async pushNotes(ref: string, strategy: 'cat_sort_uniq' | 'ours'): Promise<void> {
    const { repo, remote } = this.options;
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await gitMaybe(repo, ['push', '--quiet', remote!, `${ref}:${ref}`])) !== undefined) return;
      const theirs = `${ref}-remote`;
      await gitMaybe(repo, ['fetch', '--quiet', '--no-tags', remote!, `+${ref}:${theirs}`]);
      await git(repo, ['notes', `--ref=${ref}`, 'merge', '-q', '-s', strategy, theirs], { env: TOOL_IDENTITY }).catch(() => undefined);
    }
    throw new UserError('git', `Could not push ${ref === this.pendingRef ? 'the list of users waiting for an account' : 'progress notes'} (${ref}) to ${remote}. The job needs "permissions: contents: write".`);
  }
}

function formatEntry(e: LandedEntry): string {
  return [e.action, e.key, e.fingerprint].filter(Boolean).join(' ');
}

function parseNote(text: string): { base: string; updated: string; entries: LandedEntry[] } | undefined {
  // Tolerates notes merged line-wise (cat_sort_uniq) after concurrent pushes: header anywhere,
  // the latest `updated:` wins.
  const lines = text.split('\n');
  if (!lines.includes(NOTE_HEADER)) return undefined;
  let base = '';
  let updated = '';
  const entries: LandedEntry[] = [];
  for (const line of lines) {
    if (line.startsWith('base: ')) base = line.slice(6);
    else if (line.startsWith('updated: ')) updated = line.slice(9) > updated ? line.slice(9) : updated;
    else {
      // `upload KEY FINGERPRINT`, `remove KEY`: an employeeId key may contain spaces; a
      // fingerprint never does.
      const [action, ...rest] = line.split(' ');
      const fingerprint = action === 'upload' && rest.length >= 2 ? rest.pop() : undefined;
      const key = rest.join(' ');
      if ((action === 'upload' || action === 'remove' || action === 'policy') && key) entries.push({ action, key, ...(fingerprint ? { fingerprint } : {}) });
    }
  }
  return { base, updated, entries };
}

/** Writes (replaces) the note on `revision` under `ref`; the body goes through a file, as notes can be large. */
async function addNote(repo: string, ref: string, revision: string, body: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'entra-photos-note-'));
  try {
    const file = path.join(dir, 'note.txt');
    await writeFile(file, body);
    await git(repo, ['notes', `--ref=${ref}`, 'add', '-f', '-F', file, revision], { env: TOOL_IDENTITY });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

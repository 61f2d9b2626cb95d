import { UserError } from '../core/errors.js';
import { BlobReader } from '../repo/git.js';
import { GitRecordStore, recordRef } from '../repo/records.js';

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
 * in the local repository. The refs are named per target and environment (`recordRef`); for the
 * default target they are the names above. Reading and moving them is the record store's job;
 * this file knows what the records say.
 */
export interface LedgerOptions {
  repo: string;
  environment: string;
  /** Remote to read and push the record from; undefined keeps everything local. */
  remote?: string;
  /** The target the record is for; default `entra` (today's ref names). */
  target?: string;
  /** Who runs this apply and where (written into the progress note, one line per run). */
  provenance?: RunProvenance;
}

/** Where and by whom a run was started, as far as the environment says (the workflow run). */
export interface RunProvenance {
  /** The workflow run's URL. */
  url?: string;
  /** The GitHub login that triggered the run (GITHUB_ACTOR), or the local user. */
  actor?: string;
}

/** One run that wrote to a progress note: `run STARTED URL|- ACTOR|-`. */
export interface RunRecord extends RunProvenance {
  started: string;
}

/**
 * The run's provenance from the workflow's environment: the run URL (GITHUB_SERVER_URL,
 * GITHUB_REPOSITORY, GITHUB_RUN_ID) and the actor (GITHUB_ACTOR). Environment approvers are not
 * among the variables a job gets; the run URL lets `history` ask GitHub for them later.
 */
export function provenanceFromEnv(env: NodeJS.ProcessEnv): RunProvenance {
  const url = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${(env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const actor = env.GITHUB_ACTOR || undefined;
  return { ...(url ? { url } : {}), ...(actor ? { actor } : {}) };
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

const NOTE_HEADER = 'entra-photos progress v1';
const PENDING_HEADER = 'entra-photos pending v1';

export class Ledger {
  readonly tagRef: string;
  readonly notesRef: string;
  readonly pendingRef: string;
  private readonly pending: LandedEntry[] = [];
  private readonly store: GitRecordStore;
  /** This run's line in the progress note (provenance is a handful of bytes per run, not per user). */
  private readonly run: RunRecord;

  constructor(private readonly options: LedgerOptions) {
    const scope = { environment: options.environment, ...(options.target ? { target: options.target } : {}) };
    this.tagRef = recordRef('applied', scope);
    this.notesRef = recordRef('progress', scope);
    this.pendingRef = recordRef('pending', scope);
    this.store = new GitRecordStore({ repo: options.repo, ...(options.remote ? { remote: options.remote } : {}) });
    this.run = { started: new Date().toISOString(), ...options.provenance };
  }

  /** The users waiting for an account when `revision` was applied (its pending note); empty without one. */
  async pendingAt(revision: string | undefined): Promise<Map<string, PendingEntry>> {
    const out = new Map<string, PendingEntry>();
    if (!revision) return out;
    await this.store.fetchNotes(this.pendingRef);
    const text = await this.store.readNote(this.pendingRef, revision);
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
    await this.store.fetchNotes(this.pendingRef);
    const existing = await this.store.readNote(this.pendingRef, revision);
    if (entries.length === 0) {
      if (existing === undefined) return;
      await this.store.removeNote(this.pendingRef, revision);
    } else {
      const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const body = [PENDING_HEADER, `environment: ${this.options.environment}`, `revision: ${revision}`, `updated: ${new Date().toISOString()}`, ...sorted.map((e) => `pending ${e.problem} ${e.since} ${e.key}`)].join('\n') + '\n';
      await this.store.writeNote(this.pendingRef, revision, body);
    }
    await this.pushNotes(this.pendingRef, 'ours');
  }

  /** The last completely applied commit, fetched if needed; undefined when nothing was applied. */
  lastApplied(): Promise<string | undefined> {
    return this.store.read(this.tagRef);
  }

  /**
   * What earlier runs that started from the same base (the record has not moved since) left in
   * the tenant: per user key, the last thing that landed (an upload with its fingerprint, or a
   * removal). Later notes override earlier ones.
   */
  async landedSince(base: string | undefined): Promise<Map<string, LandedEntry>> {
    await this.store.fetchNotes(this.notesRef);
    const landed = new Map<string, LandedEntry>();
    const notes: { updated: string; entries: LandedEntry[] }[] = [];
    // Every run that recorded progress left a note: read them all through one git process.
    const blobs = new BlobReader(this.options.repo);
    try {
      for (const { note } of await this.store.listNotes(this.notesRef)) {
        const parsed = parseNote((await blobs.read(note)).toString('utf8'));
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
  async advance(expected: string | undefined, head: string): Promise<'advanced' | 'lost-race'> {
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
  private async pushNotes(ref: string, strategy: 'cat_sort_uniq' | 'ours'): Promise<void> {
    if (await this.store.pushNotes(ref, strategy)) return;
    throw new UserError('git', `Could not push ${ref === this.pendingRef ? 'the list of users waiting for an account' : 'progress notes'} (${ref}) to ${this.options.remote}. The job needs "permissions: contents: write".`);
  }
}

/** Values go on one line of a note: no whitespace inside (a URL or a login has none). */
function formatRun(r: RunRecord): string {
  const word = (v: string | undefined) => (v ? v.replace(/\s/g, (ch) => encodeURIComponent(ch)) : '-');
  return `run ${r.started} ${word(r.url)} ${word(r.actor)}`;
}

function parseRun(line: string): RunRecord | undefined {
  const [, started, url, actor] = line.split(' ');
  if (!started || !/^\d{4}-\d\d-\d\dT/.test(started)) return undefined;
  const value = (v: string | undefined) => (v && v !== '-' ? v : undefined);
  const u = value(url);
  const a = value(actor);
  return { started, ...(u ? { url: u } : {}), ...(a ? { actor: a } : {}) };
}

function formatEntry(e: LandedEntry): string {
  return [e.action, e.key, e.fingerprint].filter(Boolean).join(' ');
}

/**
 * Reads a progress note: the base the run started from, when it last wrote, and what landed, in
 * order. Undefined for text that is not a progress note.
 */
export function parseNote(text: string): { base: string; head: string; environment: string; updated: string; runs: RunRecord[]; entries: LandedEntry[] } | undefined {
  // Tolerates notes merged line-wise (cat_sort_uniq) after concurrent pushes: header anywhere,
  // the latest `updated:` wins.
  const lines = text.split('\n');
  if (!lines.includes(NOTE_HEADER)) return undefined;
  let base = '';
  let head = '';
  let environment = '';
  let updated = '';
  const entries: LandedEntry[] = [];
  const runs: RunRecord[] = [];
  for (const line of lines) {
    if (line.startsWith('base: ')) base = line.slice(6);
    else if (line.startsWith('head: ')) head = line.slice(6);
    else if (line.startsWith('environment: ')) environment = line.slice(13);
    else if (line.startsWith('updated: ')) updated = line.slice(9) > updated ? line.slice(9) : updated;
    else if (line.startsWith('run ')) {
      const run = parseRun(line);
      if (run && !runs.some((r) => r.started === run.started && r.url === run.url)) runs.push(run);
    } else {
      // `upload KEY FINGERPRINT`, `remove KEY`: an employeeId key may contain spaces; a
      // fingerprint never does.
      const [action, ...rest] = line.split(' ');
      const fingerprint = action === 'upload' && rest.length >= 2 ? rest.pop() : undefined;
      const key = rest.join(' ');
      if ((action === 'upload' || action === 'remove' || action === 'policy') && key) entries.push({ action, key, ...(fingerprint ? { fingerprint } : {}) });
    }
  }
  runs.sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : 0));
  return { base, head, environment, updated, runs, entries };
}

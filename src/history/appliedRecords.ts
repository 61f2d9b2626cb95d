/**
 * What the record in git says was applied, per target and environment: the applied-revision tag,
 * the runs' progress notes (what landed, when, by which run) and the users waiting for an account
 * (the pending note on the applied revision). See src/repo/records.ts for the ref names.
 */
import { UserError } from '../core/errors.js';
import { parseNote, type RunRecord } from '../apply/ledger.js';
import { BlobReader, git, gitMaybe } from '../repo/git.js';
import { DEFAULT_TARGET } from '../repo/records.js';

export interface AppliedRun {
  /** The revision the run applied (the note's commit). */
  head: string;
  base: string;
  /** When the note was last written: what it lists had landed by then. */
  updated: string;
  runs: RunRecord[];
  /** Followed subjects only: canonical key → the fingerprint that landed, or 'remove'. */
  landed: Map<string, string>;
}

export interface EnvironmentRecord {
  target: string;
  environment: string;
  /** The applied-revision tag: the last revision applied completely. */
  applied?: string;
  runs: AppliedRun[];
  /** Subjects waiting for an account at the applied revision: key → since (ISO 8601) and why. */
  waiting: Map<string, { since: string; problem: string }>;
}

const TAG = /^refs\/tags\/entra-photos\/(?:([a-z0-9][a-z0-9-]{0,31})\/)?applied\/([A-Za-z0-9._-]{1,64})$/;
const NOTES = /^refs\/notes\/entra-photos\/(?:([a-z0-9][a-z0-9-]{0,31})\/)?(progress|pending)\/([A-Za-z0-9._-]{1,64})$/;

/**
 * Copies the remote's records (tags and notes under entra-photos/) into the local repository, so
 * that the history reads what the workflow recorded, not a stale local copy.
 */
export async function fetchRecords(repo: string, remote: string): Promise<void> {
  try {
    await git(repo, ['fetch', '--quiet', '--no-tags', remote, '+refs/tags/entra-photos/*:refs/tags/entra-photos/*', '+refs/notes/entra-photos/*:refs/notes/entra-photos/*']);
  } catch (err) {
    throw new UserError('git', `Could not read the record of what was applied from the remote "${remote}": ${(err as Error).message} Check that it is reachable, or pass --remote none to use the local repository's record.`);
  }
}

/**
 * Every target/environment's record. `follow` limits what is kept of the progress notes to the
 * subjects asked about (a first import's note lists 200,000 users); undefined keeps everything.
 */
export async function readAppliedRecords(repo: string, follow: ReadonlySet<string> | undefined, only?: { target?: string }): Promise<EnvironmentRecord[]> {
  const refs = ((await gitMaybe(repo, ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(*objectname)', 'refs/tags/entra-photos', 'refs/notes/entra-photos'])) ?? '').split('\n').filter(Boolean);
  const records = new Map<string, EnvironmentRecord & { progressRef?: string; pendingRef?: string }>();
  const recordOf = (target: string, environment: string) => {
    const id = `${target}\0${environment}`;
    let record = records.get(id);
    if (!record) records.set(id, (record = { target, environment, runs: [], waiting: new Map() }));
    return record;
  };
  const names = new Set(refs.map((line) => line.split('\0')[0]));
  for (const line of refs) {
    const [ref, object, peeled] = line.split('\0');
    const tag = TAG.exec(ref!);
    if (tag) {
      recordOf(tag[1] ?? DEFAULT_TARGET, tag[2]!).applied = peeled || object;
      continue;
    }
    const notes = NOTES.exec(ref!);
    // Earlier versions' pushNotes left the remote's notes beside ours as `<ref>-remote` after a
    // raced push (records.ts now deletes it): a spent copy, not an environment. Notes only: no
    // copy of a tag is ever made, so `applied/prod-remote` beside `applied/prod` is an environment.
    if (notes && ref!.endsWith('-remote') && names.has(ref!.slice(0, -'-remote'.length))) continue;
    if (notes) {
      const record = recordOf(notes[1] ?? DEFAULT_TARGET, notes[3]!);
      if (notes[2] === 'progress') record.progressRef = ref;
      else record.pendingRef = ref;
    }
  }
  const blobs = new BlobReader(repo);
  try {
    for (const record of records.values()) {
      if (record.progressRef) {
        for (const { note, object } of await listNotes(repo, record.progressRef)) {
          const parsed = parseNote((await blobs.read(note)).toString('utf8'));
          if (!parsed) continue;
          const landed = new Map<string, string>();
          for (const e of parsed.entries) {
            if (e.action === 'policy' || (follow && !follow.has(e.key))) continue;
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
          if (match && (!follow || follow.has(match[3]!))) record.waiting.set(match[3]!, { since: match[2]!, problem: match[1]! });
        }
      }
    }
  } finally {
    blobs.close();
  }
  return [...records.values()]
    .filter((r) => (only?.target ? r.target === only.target : true) && (r.applied || r.runs.length))
    .map(({ progressRef: _p, pendingRef: _q, ...r }) => r)
    .sort((a, b) => (a.target === b.target ? (a.environment < b.environment ? -1 : 1) : a.target < b.target ? -1 : 1));
}

async function listNotes(repo: string, ref: string): Promise<{ note: string; object: string }[]> {
  const out = (await gitMaybe(repo, ['notes', `--ref=${ref}`, 'list'])) ?? '';
  return out
    .split('\n')
    .map((line) => line.split(' '))
    .filter((parts): parts is [string, string] => Boolean(parts[0] && parts[1]))
    .map(([note, object]) => ({ note, object }));
}

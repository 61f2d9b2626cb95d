/**
 * The default branch's history as a stream of tree changes, oldest first, read by one `git log`
 * process: each first-parent revision with the paths it changed (against its first parent) and
 * their new blob ids. Applying them in order gives the tree of every revision without listing a
 * single tree: the cost grows with what changed, not with (revisions × files).
 *
 * First parent only: that is the line apply sees (a merge commit is one step: the pull request's
 * change as it landed). The branch commits behind a merge are read on demand (branchCommits).
 */
import { spawn } from 'node:child_process';
import { UserError } from '../core/errors.js';

export interface CommitInfo {
  commit: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerDate: string;
  /** First line of the message (attacker-written: shown through printable/escaping only). */
  subject: string;
  /** Values of the message's `Approved-by:`, `Reviewed-by:` and `Co-authored-by:` trailers. */
  trailers: { key: string; value: string }[];
}

export interface TreeChange {
  path: string;
  /** Undefined: deleted. */
  oid?: string;
  mode?: string;
}

export interface WalkStep {
  info: CommitInfo;
  changes: TreeChange[];
}

const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%cn', '%cI', '%s', '%(trailers:key=Approved-by,key=Reviewed-by,key=Co-authored-by,separator=%x1e,key_value_separator=%x1d)'];
const MARK = '\x01';
const MARK_BYTE = 1;
const NEWLINE = 10;
const COLON = 58;
const SPACE = 32;
/** File modes are a handful of values: one string each, not one per path. */
const MODES = new Map<string, string>();
const TRAILER_KEYS = new Map(['approved-by', 'reviewed-by', 'co-authored-by'].map((k) => [k, k]));

/**
 * Every first-parent revision of `head`, oldest first, with its tree changes. Streams: memory is
 * bounded by one revision's changes (the first commit of a 200,000-photo import is the largest).
 */
export function walkFirstParent(repo: string, head: string): AsyncGenerator<WalkStep> {
  return logSteps(repo, ['--first-parent', '--reverse', head]);
}

/** `git log --raw -z` over `revisions`, parsed as it streams: each commit with its tree changes. */
async function* logSteps(repo: string, revisions: readonly string[]): AsyncGenerator<WalkStep> {
  const args = ['log', '--raw', '-z', '--no-renames', '--no-abbrev', '--no-color', `--format=${MARK}${FIELDS.join('%x00')}`, ...revisions, '--'];
  const proc = spawn('git', args, { cwd: repo, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? -1)));
  // Tokens are NUL-separated (-z): a NUL is never part of a path, a header field or a blob id.
  let rest = Buffer.alloc(0);
  let step: WalkStep | undefined;
  let headerLeft = 0;
  let header: string[] = [];
  let pendingMeta: { mode: string; oid: string; deleted: boolean } | undefined;
  const out: WalkStep[] = [];
  // Each token is decoded into a string of its own, straight from git's bytes: a slice of a
  // longer string (a chunk, or the `:mode mode oid oid status` line) would keep that string alive
  // for as long as the tree holds the path or the blob id: 200,000 of them at district scale.
  const take = (data: Buffer, start: number, end: number) => {
    if (headerLeft > 0) {
      header.push(data.toString('utf8', start, end));
      if (--headerLeft === 0) step = { info: commitInfo(header), changes: [] };
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
      if (step) out.push(step);
      step = undefined;
      header = [data.toString('utf8', start + 1, end)];
      headerLeft = FIELDS.length - 1;
      return;
    }
    let at = start;
    while (at < end && data[at] === NEWLINE) at++;
    if (data[at] === COLON) pendingMeta = rawMeta(data, at + 1, end);
  };
  let finished = false;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      // One pass over the chunk, token by token.
      let start = 0;
      for (let nul = data.indexOf(0); nul !== -1; nul = data.indexOf(0, start)) {
        take(data, start, nul);
        start = nul + 1;
      }
      rest = Buffer.from(data.subarray(start));
      for (const s of out.splice(0)) yield s;
    }
    if (rest.length) take(rest, 0, rest.length);
    if (step) out.push(step);
    const code = await exited;
    finished = true;
    if (code !== 0) throw new UserError('git', `git log failed in ${repo}: ${stderr.trim()}`);
    for (const s of out) yield s;
  } finally {
    // A reader that stops early (an error while reporting) must not leave git writing to nobody.
    if (!finished) proc.kill();
  }
}

/**
 * `oldmode newmode oldoid newoid STATUS` (the colon skipped), from git's bytes: the new mode and
 * blob id each decoded on their own (see take).
 */
function rawMeta(data: Buffer, start: number, end: number): { mode: string; oid: string; deleted: boolean } {
  const fields: [number, number][] = [];
  for (let at = start; at <= end && fields.length < 5; ) {
    let space = data.indexOf(SPACE, at);
    if (space === -1 || space > end) space = end;
    fields.push([at, space]);
    at = space + 1;
  }
  const [, newMode, , newOid, status] = fields;
  const field = (f: [number, number] | undefined) => (f ? data.toString('latin1', f[0], f[1]) : '');
  const rawMode = field(newMode);
  let mode = MODES.get(rawMode);
  if (mode === undefined) MODES.set(rawMode, (mode = rawMode));
  return { mode, oid: field(newOid), deleted: field(status) === 'D' };
}

function commitInfo(fields: string[]): CommitInfo {
  const [commit, parents, authorName, authorEmail, authorDate, committerName, committerDate, subject, trailers] = fields.map((f) => f.replace(/^\n+/, ''));
  return {
    commit: commit!,
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

function parseTrailers(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const item of text.split('\x1e')) {
    const sep = item.indexOf('\x1d');
    if (sep < 0) continue;
    const key = TRAILER_KEYS.get(item.slice(0, sep).trim().toLowerCase());
    const value = item.slice(sep + 1).trim();
    if (key && value) out.push({ key, value });
  }
  return out;
}

/**
 * The commits a merge brought in (reachable from its other parents, not from its first), newest
 * first, each with the paths it changed: who wrote the change the merge landed. One git process
 * per merge, whatever the number of subjects it changed.
 */
export async function mergedCommits(repo: string, merge: CommitInfo): Promise<{ info: CommitInfo; paths: Set<string> }[]> {
  if (merge.parents.length < 2) return [];
  const out: { info: CommitInfo; paths: Set<string> }[] = [];
  for await (const step of logSteps(repo, [...merge.parents.slice(1), `^${merge.parents[0]}`])) out.push({ info: step.info, paths: new Set(step.changes.map((c) => c.path)) });
  return out;
}

/**
 * `history`: every revision that changed a subject's desired photo, with who made the change,
 * the pull request it came in by and who approved it, and when it reached each target and
 * environment. The parts:
 *   walk.ts           — the default branch, oldest first, as tree changes (one git process)
 *   desiredHistory.ts — which followed subjects' desired photo changed at each revision
 *   approvals.ts      — the pull request and approvals a commit message records
 *   githubApi.ts      — with a token: the pull request's reviews, a run's environment approvals
 *   appliedRecords.ts — the applied-revision tags, progress notes (runs) and pending notes
 * and here: putting them together per change.
 */
import type { RunRecord } from '../apply/ledger.js';
import type { UserKey } from '../manifest/userKey.js';
import { gitMaybe, resolveCommit } from '../repo/git.js';
import { approvalsFromReviews, coAuthors, pullRequestOf, trailerApprovals, type Approval, type PullRequestRef } from './approvals.js';
import { readAppliedRecords, type EnvironmentRecord } from './appliedRecords.js';
import { desiredHistory, ParsedManifests, type ChangeKind, type DeclaredState, type RevisionChanges, type SubjectChange } from './desiredHistory.js';
import { runIdOf, type GitHubApi, type RunApproval } from './githubApi.js';
import { mergedCommits, type CommitInfo } from './walk.js';

export interface HistoryOptions {
  repo: string;
  /** Default HEAD. */
  head?: string;
  /** Subjects to follow, or every subject. */
  subjects: UserKey[] | 'all';
  /** Only this target's records (default: every target's). */
  target?: string;
  /** Only changes committed at or after this time (ISO 8601); the walk still starts at the root. */
  since?: string;
  /** With a token: reviews, pull requests of rebase merges, environment approvals of runs. */
  github?: GitHubApi;
}

export interface RevisionSummary {
  commit: string;
  /** Committer date: when the change reached the branch. */
  date: string;
  author: { name: string; email: string; date: string };
  committer: string;
  subject: string;
  coAuthors: string[];
}

export interface PullRequestSummary extends PullRequestRef {
  url?: string;
  title?: string;
  author?: string;
  mergedBy?: string;
}

export type AppliedStatus = 'applied' | 'recorded' | 'waiting' | 'superseded' | 'not-yet';

export interface EnvironmentStatus {
  target: string;
  environment: string;
  status: AppliedStatus;
  /** applied: when the run's note was last written (the change had landed by then). */
  at?: string;
  /** applied: the revision the run applied. */
  head?: string;
  /** applied: the runs that wrote the note (run URL, actor), with their environment approvals when GitHub gave them. */
  runs?: (RunRecord & { approvals?: RunApproval[] })[];
  /** waiting: since when, and why. */
  waiting?: { since: string; problem: string };
}

export interface HistoryEntry {
  subject: string;
  key: UserKey;
  name?: string;
  kind: ChangeKind;
  readded?: boolean;
  revision: RevisionSummary;
  before?: DeclaredState;
  after?: DeclaredState;
  invalid?: { file: string; line: number; message: string };
  pullRequest?: PullRequestSummary;
  approvals: Approval[];
  /** For a merge commit: the commits it brought in that touched this subject's files. */
  branchCommits?: RevisionSummary[];
  environments: EnvironmentStatus[];
}

export interface HistoryResult {
  head: string;
  subjects: string[] | 'all';
  entries: HistoryEntry[];
  /** The records read (target/environment and its applied revision). */
  records: { target: string; environment: string; applied?: string }[];
  /** What GitHub would not answer (the history still shows what git records). */
  problems: string[];
  /** Only changes committed at or after this time were listed. */
  since?: string;
}

/**
 * One subject's (or a few subjects') history, in memory: small. For every subject use
 * streamHistory, which holds one revision's changes at a time.
 */
export async function subjectHistory(options: HistoryOptions): Promise<HistoryResult> {
  const entries: HistoryEntry[] = [];
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
export async function streamHistory(options: HistoryOptions, emit: (entry: HistoryEntry) => Promise<void>): Promise<{ head: string; records: HistoryResult['records'] }> {
  const head = await resolveCommit(options.repo, options.head ?? 'HEAD');
  const follow = options.subjects === 'all' ? undefined : new Set(options.subjects.map((k) => k.canonical));
  const records = await readAppliedRecords(options.repo, follow, options.target ? { target: options.target } : undefined);
  const positions = new Map<string, number>();
  const changedAt = new Map<string, number | number[]>();
  // A few subjects' changes are few: kept from the first walk instead of walking again. Without
  // any record there is nothing to place the changes against: every subject needs one walk only.
  const kept: RevisionChanges[] | undefined = follow ? [] : undefined;
  const parsed = new ParsedManifests();
  const firstWalk = follow || records.length > 0 ? walk(options, head, parsed, positions) : [];
  for await (const revision of firstWalk) {
    kept?.push(revision);
    for (const change of revision.changes) {
      // Most subjects change once (the first import): the position itself, not an array of one.
      const at = changedAt.get(change.subject);
      if (at === undefined) changedAt.set(change.subject, revision.index);
      else if (typeof at === 'number') changedAt.set(change.subject, [at, revision.index]);
      else at.push(revision.index);
    }
  }
  const ancestry = new Ancestry(options.repo, positions);
  // Changes come in revision order: the commits of the merge being reported are read once.
  let lastMerge: { commit: string; commits: Promise<{ info: CommitInfo; paths: Set<string> }[]> } | undefined;
  const merged = (merge: CommitInfo) => {
    if (lastMerge?.commit !== merge.commit) lastMerge = { commit: merge.commit, commits: mergedCommits(options.repo, merge) };
    return lastMerge.commits;
  };
  const context: WalkContext = { records, ancestry, merged };
  const since = options.since ? Date.parse(options.since) : undefined;
  for await (const revision of kept ?? walk(options, head, parsed)) {
    if (since !== undefined && Date.parse(revision.info.committerDate) < since) continue;
    for (const change of revision.changes) {
      const at = changedAt.get(change.subject);
      const next = typeof at === 'number' ? (at > revision.index ? at : undefined) : at?.find((i) => i > revision.index);
      await emit(await entryOf(options, revision, change, next, context));
    }
  }
  return { head, records: records.map((r) => ({ target: r.target, environment: r.environment, ...(r.applied ? { applied: r.applied } : {}) })) };
}

function walk(options: HistoryOptions, head: string, parsed: ParsedManifests, positions?: Map<string, number>): AsyncGenerator<RevisionChanges> {
  return desiredHistory(options.repo, head, options.subjects, positions, parsed);
}

/** What entries of one walk share: the applied records, ancestry answers, the last merge's commits. */
interface WalkContext {
  records: EnvironmentRecord[];
  ancestry: Ancestry;
  merged: (merge: CommitInfo) => Promise<{ info: CommitInfo; paths: Set<string> }[]>;
}

async function entryOf(options: HistoryOptions, revision: RevisionChanges, change: SubjectChange, next: number | undefined, context: WalkContext): Promise<HistoryEntry> {
  const { records, ancestry } = context;
  const { info } = revision;
  const shown = change.after ?? change.invalid ?? change.before!;
  let pullRequest: PullRequestSummary | undefined = pullRequestOf(info);
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
    if (pull) approvals.push(...approvalsFromReviews(pull.reviews));
  }
  const files = [change.before?.file, change.before?.photo, shown.file, change.after?.photo].filter((p): p is string => Boolean(p));
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

function summary(info: CommitInfo): RevisionSummary {
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
async function statusIn(record: EnvironmentRecord, revision: RevisionChanges, change: SubjectChange, next: number | undefined, ancestry: Ancestry, github: GitHubApi | undefined): Promise<EnvironmentStatus> {
  const base = { target: record.target, environment: record.environment };
  const wanted = change.kind === 'removed' ? 'remove' : change.after?.fingerprint;
  const between = async (commit: string) => (await ancestry.contains(commit, revision.info.commit, revision.index)) && !(next !== undefined && (await ancestry.containsIndex(commit, next)));
  for (const run of record.runs) {
    if (run.landed.get(change.subject) !== wanted || !(await between(run.head))) continue;
    const runs = await Promise.all(
      run.runs.map(async (r) => {
        const id = github ? runIdOf(r.url) : undefined;
        const approvals = id ? (await github!.runApprovals(id))?.filter((a) => a.environments.length === 0 || a.environments.includes(record.environment)) : undefined;
        return { ...r, ...(approvals ? { approvals } : {}) };
      }),
    );
    return { ...base, status: 'applied', at: run.updated, head: run.head, runs };
  }
  if (!record.applied || !(await ancestry.contains(record.applied, revision.info.commit, revision.index))) return { ...base, status: 'not-yet' };
  if (next !== undefined && (await ancestry.containsIndex(record.applied, next))) return { ...base, status: 'superseded' };
  const waiting = change.kind !== 'removed' ? record.waiting.get(change.subject) : undefined;
  return waiting ? { ...base, status: 'waiting', waiting } : { ...base, status: 'recorded' };
}

/**
 * "Does revision A contain revision B": by position when both are on the walked first-parent
 * line (no process), else by git (a record made from another branch), remembered.
 */
class Ancestry {
  private readonly byIndex: string[] = [];
  private readonly asked = new Map<string, boolean>();

  constructor(
    private readonly repo: string,
    private readonly positions: Map<string, number>,
  ) {
    for (const [commit, index] of positions) this.byIndex[index] = commit;
  }

  async contains(commit: string, ancestor: string, ancestorIndex: number): Promise<boolean> {
    const at = this.positions.get(commit);
    if (at !== undefined) return at >= ancestorIndex;
    const id = `${commit} ${ancestor}`;
    let answer = this.asked.get(id);
    if (answer === undefined) this.asked.set(id, (answer = (await gitMaybe(this.repo, ['merge-base', '--is-ancestor', ancestor, commit])) !== undefined));
    return answer;
  }

  containsIndex(commit: string, index: number): Promise<boolean> {
    return this.contains(commit, this.byIndex[index]!, index);
  }
}

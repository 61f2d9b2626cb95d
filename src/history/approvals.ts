/**
 * Which pull request a revision came in by, and who approved it, as far as the commit itself
 * says (offline). Every value here is attacker-written text from git: shown only through
 * printable() or the report's escaping helpers.
 *
 * GitHub writes the pull request's number into the commit it makes when merging:
 * - a merge commit: `Merge pull request #12 from owner/branch`;
 * - a squash merge: `Title of the pull request (#12)` as the first line;
 * - a rebase merge: nothing (the API knows: githubReviews.ts asks it with a token).
 * It never writes who approved: offline, approvals come only from `Approved-by:` /
 * `Reviewed-by:` trailers (written by merge tools and by some teams' conventions).
 */
import type { CommitInfo } from './walk.js';

export interface PullRequestRef {
  number: number;
  /** How the number was found. */
  from: 'merge-commit' | 'squash-commit' | 'github';
}

export interface Approval {
  /** A GitHub login, or the trailer's `Name <email>`. */
  by: string;
  /** ISO 8601, when known (GitHub reviews). */
  at?: string;
  from: 'trailer' | 'github-review';
}

const MERGE_SUBJECT = /^Merge pull request #(\d{1,9}) from \S/;
const SQUASH_SUBJECT = /\(#(\d{1,9})\)\s*$/;

/** The pull request a commit's own message names, if any. */
export function pullRequestOf(info: Pick<CommitInfo, 'subject' | 'parents'>): PullRequestRef | undefined {
  const merge = MERGE_SUBJECT.exec(info.subject);
  if (merge && info.parents.length > 1) return { number: Number(merge[1]), from: 'merge-commit' };
  const squash = SQUASH_SUBJECT.exec(info.subject);
  if (squash && info.parents.length <= 1) return { number: Number(squash[1]), from: 'squash-commit' };
  return undefined;
}

/** Approvals the commit message records in trailers (`Approved-by:`, `Reviewed-by:`). */
export function trailerApprovals(info: Pick<CommitInfo, 'trailers'>): Approval[] {
  const seen = new Set<string>();
  const out: Approval[] = [];
  for (const t of info.trailers) {
    if (t.key !== 'approved-by' && t.key !== 'reviewed-by') continue;
    if (seen.has(t.value)) continue;
    seen.add(t.value);
    out.push({ by: t.value, from: 'trailer' });
  }
  return out;
}

/** Co-authors the message names (`Co-authored-by:`), besides the commit's author. */
export function coAuthors(info: Pick<CommitInfo, 'trailers'>): string[] {
  return [...new Set(info.trailers.filter((t) => t.key === 'co-authored-by').map((t) => t.value))];
}

export interface GitHubReview {
  user: string;
  state: string;
  submittedAt?: string;
}

/**
 * Who approved, from a pull request's reviews (oldest first, as GitHub lists them): a reviewer's
 * latest deciding review counts (APPROVED, CHANGES_REQUESTED or DISMISSED; comments do not
 * change it), so an approval that was dismissed or followed by a request for changes is not one.
 */
export function approvalsFromReviews(reviews: readonly GitHubReview[]): Approval[] {
  const latest = new Map<string, GitHubReview>();
  for (const review of reviews) {
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(review.user, review);
  }
  return [...latest.values()].filter((r) => r.state === 'APPROVED').map((r) => ({ by: r.user, ...(r.submittedAt ? { at: r.submittedAt } : {}), from: 'github-review' as const }));
}

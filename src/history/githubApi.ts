/**
 * The few GitHub REST calls `history` makes with a token, through plain fetch (only the action
 * uses @actions/github): a pull request, its reviews, the pull requests a commit belongs to (a
 * rebase merge names none in its message), and the environment approvals of a workflow run.
 * Every answer is data from the network: logins and titles are shown through the report's
 * escaping, never as markup.
 *
 * A call GitHub refuses does not stop the history: the problem is kept (once per kind) and the
 * report says what the token is missing.
 */
import { gitMaybe } from '../repo/git.js';
import type { GitHubReview } from './approvals.js';

export interface GitHubAccess {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** REST base, default https://api.github.com (GITHUB_API_URL on GitHub Enterprise). */
  apiUrl: string;
}

export interface PullRequestInfo {
  number: number;
  url?: string;
  title?: string;
  author?: string;
  mergedBy?: string;
  mergedAt?: string;
  reviews: GitHubReview[];
}

export interface RunApproval {
  user: string;
  state: string;
  environments: string[];
  comment?: string;
}

const PAGE = 100;
const MAX_PAGES = 10;

export class GitHubApi {
  readonly problems: string[] = [];
  private readonly pulls = new Map<number, Promise<PullRequestInfo | undefined>>();
  private readonly runs = new Map<string, Promise<RunApproval[] | undefined>>();

  constructor(private readonly access: GitHubAccess) {}

  pullRequest(number: number): Promise<PullRequestInfo | undefined> {
    let answer = this.pulls.get(number);
    if (!answer) this.pulls.set(number, (answer = this.loadPull(number)));
    return answer;
  }

  private readonly commitPulls = new Map<string, Promise<number | undefined>>();

  /** The merged pull request a commit came in by (GET /commits/{sha}/pulls), if GitHub knows one; asked once per commit. */
  pullRequestOfCommit(sha: string): Promise<number | undefined> {
    let answer = this.commitPulls.get(sha);
    if (!answer) this.commitPulls.set(sha, (answer = this.loadCommitPull(sha)));
    return answer;
  }

  private async loadCommitPull(sha: string): Promise<number | undefined> {
    const list = await this.get<{ number: number; merged_at?: string | null }[]>(`/commits/${encodeURIComponent(sha)}/pulls`, 'the pull requests of a commit', 'contents: read and pull-requests: read');
    const merged = list?.find((p) => p.merged_at) ?? list?.[0];
    return merged?.number;
  }

  /** Environment approvals of a workflow run (GET /actions/runs/{id}/approvals; needs actions: read). */
  runApprovals(runId: string): Promise<RunApproval[] | undefined> {
    let answer = this.runs.get(runId);
    if (!answer) {
      answer = this.get<{ state?: string; user?: { login?: string }; environments?: { name?: string }[]; comment?: string }[]>(`/actions/runs/${encodeURIComponent(runId)}/approvals`, 'environment approvals of a workflow run', 'actions: read').then((list) =>
        list?.map((a) => ({ user: a.user?.login ?? '', state: a.state ?? '', environments: (a.environments ?? []).map((e) => e.name ?? ''), ...(a.comment ? { comment: a.comment } : {}) })),
      );
      this.runs.set(runId, answer);
    }
    return answer;
  }

  private async loadPull(number: number): Promise<PullRequestInfo | undefined> {
    const pull = await this.get<{ html_url?: string; title?: string; user?: { login?: string }; merged_by?: { login?: string } | null; merged_at?: string | null }>(`/pulls/${number}`, 'pull request', 'pull-requests: read');
    if (!pull) return undefined;
    const reviews: GitHubReview[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const batch = await this.get<{ user?: { login?: string } | null; state?: string; submitted_at?: string }[]>(`/pulls/${number}/reviews?per_page=${PAGE}&page=${page}`, 'pull request reviews', 'pull-requests: read');
      if (!batch) break;
      for (const r of batch) if (r.user?.login && r.state) reviews.push({ user: r.user.login, state: r.state, ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}) });
      if (batch.length < PAGE) break;
    }
    return {
      number,
      ...(pull.html_url ? { url: pull.html_url } : {}),
      ...(pull.title ? { title: pull.title } : {}),
      ...(pull.user?.login ? { author: pull.user.login } : {}),
      ...(pull.merged_by?.login ? { mergedBy: pull.merged_by.login } : {}),
      ...(pull.merged_at ? { mergedAt: pull.merged_at } : {}),
      reviews,
    };
  }

  private async get<T>(path: string, what: string, permission: string): Promise<T | undefined> {
    const url = `${this.access.apiUrl.replace(/\/+$/, '')}/repos/${this.access.repository}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.access.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'entra-photos' },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      this.problem(`Could not reach GitHub (${this.access.apiUrl}) for ${what}: ${(err as Error).message}. The history shows what git records.`);
      return undefined;
    }
    if (response.status === 404 && path.startsWith('/pulls/')) {
      await response.body?.cancel();
      this.problem(`GitHub found no ${what} at ${path.split('?')[0]} in ${this.access.repository} (or the token cannot see it). Check --github-repository, and that the token has ${permission}.`);
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      this.problem(`GitHub answered ${response.status} for ${what} in ${this.access.repository}. The token needs ${permission}.`);
      return undefined;
    }
    return (await response.json()) as T;
  }

  private problem(message: string): void {
    if (!this.problems.includes(message)) this.problems.push(message);
  }
}

/** `owner/name` from an explicit value, GITHUB_REPOSITORY, or origin's URL on GitHub. */
export async function githubRepository(repo: string, explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const valid = (v: string | undefined) => (v && /^[A-Za-z0-9-_.]+\/[A-Za-z0-9-_.]+$/.test(v) ? v : undefined);
  if (explicit !== undefined) return valid(explicit);
  if (valid(env.GITHUB_REPOSITORY)) return env.GITHUB_REPOSITORY;
  const origin = (await gitMaybe(repo, ['remote', 'get-url', 'origin']))?.trim();
  const match = origin ? /github\.com[:/]([A-Za-z0-9-_.]+\/[A-Za-z0-9-_.]+?)(?:\.git)?\/?$/.exec(origin) : null;
  return valid(match?.[1]);
}

/** The run id in a workflow run URL (`…/actions/runs/123`). */
export function runIdOf(url: string | undefined): string | undefined {
  return url ? /\/actions\/runs\/(\d{1,20})(?:\/|$)/.exec(url)?.[1] : undefined;
}

/**
 * Pull requests as GitHub makes them, in real git: a bare origin seeded with the sample, a PR
 * branch and its merge commit (refs/pull/N/merge), and a shallow detached checkout of the merge
 * (what actions/checkout does by default on pull_request). `run` runs the built action on it.
 */
import path from 'node:path';
import { copySample, git, REPO_ROOT, tempDir } from './repo.js';
import { runAction, type ActionRun } from './runAction.js';

export interface PullRequest {
  workspace: string;
  number: number;
  headSha: string;
}

export interface PullRequestRepo {
  baseSha: string;
  open(change: (dir: string) => Promise<void>): Promise<PullRequest>;
  run(pr: PullRequest, options: { apiUrl: string; headRepo?: string; inputs?: Record<string, string> }): Promise<ActionRun>;
  event(pr: PullRequest, headRepo?: string): unknown;
  cleanup(): Promise<void>;
}

/** `seed` fills main's first commit (default: the sample manifests/ and photos/). */
export async function pullRequestRepo(prefix: string, seed: (dir: string) => Promise<void> = copySample): Promise<PullRequestRepo> {
  const scratch = await tempDir(prefix);
  const origin = path.join(scratch.dir, 'origin.git');
  git(scratch.dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true'); // as github.com allows
  const seedDir = path.join(scratch.dir, 'seed');
  await seed(seedDir);
  git(scratch.dir, 'init', '-q', '-b', 'main', seedDir);
  git(seedDir, 'add', '-A');
  git(seedDir, 'commit', '-q', '-m', 'sample');
  git(seedDir, 'push', '-q', origin, 'main');
  const baseSha = git(seedDir, 'rev-parse', 'HEAD');
  let count = 0;

  const event = (pr: PullRequest, headRepo = 'contoso/photos') => ({
    pull_request: { number: pr.number, base: { sha: baseSha, repo: { full_name: 'contoso/photos' } }, head: { sha: pr.headSha, repo: { full_name: headRepo } } },
    repository: { full_name: 'contoso/photos', private: true, visibility: 'private' },
  });

  return {
    baseSha,
    event,
    async open(change) {
      const number = ++count;
      const author = path.join(scratch.dir, `author-${number}`);
      git(scratch.dir, 'clone', '-q', origin, author);
      git(author, 'checkout', '-q', '-b', `pr-${number}`);
      await change(author);
      git(author, 'add', '-A');
      git(author, 'commit', '-q', '--allow-empty', '-m', `PR ${number}`);
      const headSha = git(author, 'rev-parse', 'HEAD');
      git(author, 'checkout', '-q', '--detach', 'origin/main');
      git(author, 'merge', '-q', '--no-ff', '--no-edit', headSha);
      git(author, 'push', '-q', 'origin', `${headSha}:refs/heads/pr-${number}`, `HEAD:refs/pull/${number}/merge`);
      const workspace = path.join(scratch.dir, `ws-${number}`);
      git(scratch.dir, 'init', '-q', workspace);
      git(workspace, 'remote', 'add', 'origin', `file://${origin}`);
      git(workspace, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', `+refs/pull/${number}/merge:refs/remotes/pull/${number}/merge`);
      git(workspace, 'checkout', '-q', '--detach', `refs/remotes/pull/${number}/merge`);
      return { workspace, number, headSha };
    },
    run(pr, options) {
      return runAction({
        actionDir: REPO_ROOT,
        workspace: pr.workspace,
        eventName: 'pull_request',
        event: event(pr, options.headRepo),
        inputs: { mode: '', path: '.', all: 'false', prune: 'false', 'allow-public-repo': 'false', 'github-token': 'ghs_faketoken123', ...options.inputs },
        env: { GITHUB_API_URL: options.apiUrl, ACTIONS_ID_TOKEN_REQUEST_URL: `${options.apiUrl}/oidc-token`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'must-not-be-used' },
      });
    },
    cleanup: () => scratch.cleanup(),
  };
}

/**
 * The GitHub calls `history` makes with a token, against the loopback stand-in for
 * api.github.com: reviews read across pages, a pull request GitHub does not have and an
 * unreachable API become problems the report names (with the permission to check), not failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApi, githubRepository } from '../../../src/history/githubApi.js';
import { startFakeGitHub, type FakeGitHub } from '../../helpers/fakeGitHub.js';
import { git, tempDir } from '../../helpers/repo.js';

let github: FakeGitHub;
beforeAll(async () => {
  github = await startFakeGitHub();
  github.merged.push({
    number: 5,
    title: 'Yearbook',
    author: 'pat',
    mergedBy: 'alex',
    mergedAt: '2026-09-01T10:00:00Z',
    reviews: Array.from({ length: 130 }, (_, i) => ({ user: `r${i}`, state: i === 129 ? 'APPROVED' : 'COMMENTED', submittedAt: '2026-09-01T09:00:00Z' })),
  });
  github.runApprovals['77'] = [{ state: 'approved', user: 'dpo', environments: ['production'] }];
});
afterAll(() => github?.close());

describe('GitHubApi', () => {
  it('reads a pull request and all its reviews (two pages), once', async () => {
    const api = new GitHubApi({ token: 't', repository: 'school/photos', apiUrl: github.url });
    const pull = await api.pullRequest(5);
    expect(pull).toMatchObject({ number: 5, author: 'pat', mergedBy: 'alex', url: 'https://github.com/school/photos/pull/5' });
    expect(pull?.reviews).toHaveLength(130);
    expect(pull?.reviews.at(-1)).toEqual({ user: 'r129', state: 'APPROVED', submittedAt: '2026-09-01T09:00:00Z' });
    await api.pullRequest(5);
    expect(github.requests.filter((r) => r.path.startsWith('/repos/school/photos/pulls/5')).map((r) => r.path)).toEqual(['/repos/school/photos/pulls/5', '/repos/school/photos/pulls/5/reviews', '/repos/school/photos/pulls/5/reviews']);
    expect(await api.runApprovals('77')).toEqual([{ user: 'dpo', state: 'approved', environments: ['production'] }]);
    expect(api.problems).toEqual([]);
  });

  it('a pull request GitHub does not have, or an API it cannot reach, is a problem that says what to check', async () => {
    const api = new GitHubApi({ token: 't', repository: 'school/photos', apiUrl: github.url });
    expect(await api.pullRequest(404)).toBeUndefined();
    expect(api.problems).toEqual([expect.stringMatching(/GitHub found no pull request at \/pulls\/404 in school\/photos .*--github-repository.*pull-requests: read/)]);
    const offline = new GitHubApi({ token: 't', repository: 'school/photos', apiUrl: 'http://127.0.0.1:9' });
    expect(await offline.runApprovals('1')).toBeUndefined();
    expect(offline.problems[0]).toMatch(/Could not reach GitHub/);
  });

  it('the repository comes from the option, GITHUB_REPOSITORY, or origin on github.com', async () => {
    const scratch = await tempDir();
    try {
      git(scratch.dir, 'init', '-q');
      expect(await githubRepository(scratch.dir, 'a/b', {})).toBe('a/b');
      expect(await githubRepository(scratch.dir, 'not a repo', {})).toBeUndefined();
      expect(await githubRepository(scratch.dir, undefined, { GITHUB_REPOSITORY: 'c/d' })).toBe('c/d');
      expect(await githubRepository(scratch.dir, undefined, {})).toBeUndefined();
      git(scratch.dir, 'remote', 'add', 'origin', 'git@github.com:school/photos.git');
      expect(await githubRepository(scratch.dir, undefined, {})).toBe('school/photos');
    } finally {
      await scratch.cleanup();
    }
  });
});

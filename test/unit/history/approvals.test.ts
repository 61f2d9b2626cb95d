/**
 * The pull request and approvals a commit message records (offline), GitHub reviews reduced to
 * who approved, the run id in a recorded run URL, and the provenance apply writes.
 */
import { describe, expect, it } from 'vitest';
import { provenanceFromEnv } from '../../../src/apply/ledger.js';
import { approvalsFromReviews, coAuthors, pullRequestOf, trailerApprovals } from '../../../src/history/approvals.js';
import { runIdOf } from '../../../src/history/githubApi.js';

const merge = { parents: ['a', 'b'] };
const single = { parents: ['a'] };

describe('pullRequestOf', () => {
  it('reads GitHub merge commits and squash merges', () => {
    expect(pullRequestOf({ ...merge, subject: 'Merge pull request #12 from school/ada-2026' })).toEqual({ number: 12, from: 'merge-commit' });
    expect(pullRequestOf({ ...single, subject: 'New portraits for grade 9 (#345)' })).toEqual({ number: 345, from: 'squash-commit' });
    expect(pullRequestOf({ ...single, subject: 'Fix typo (#7)  ' })).toEqual({ number: 7, from: 'squash-commit' });
  });

  it('does not invent one: a merge subject on a single-parent commit, a squash subject on a merge, a number mid-sentence', () => {
    expect(pullRequestOf({ ...single, subject: 'Merge pull request #12 from school/x' })).toBeUndefined();
    expect(pullRequestOf({ ...merge, subject: 'Update (#3)' })).toBeUndefined();
    expect(pullRequestOf({ ...single, subject: 'Revert #12 and (#13) later' })).toBeUndefined();
    expect(pullRequestOf({ ...merge, subject: "Merge branch 'main' into ada" })).toBeUndefined();
    expect(pullRequestOf({ ...single, subject: 'Huge (#12345678901)' })).toBeUndefined();
  });
});

describe('trailers', () => {
  const trailers = [
    { key: 'approved-by', value: 'Dana <dana@school.example>' },
    { key: 'reviewed-by', value: 'Erin <erin@school.example>' },
    { key: 'approved-by', value: 'Dana <dana@school.example>' },
    { key: 'co-authored-by', value: 'Pat <pat@photos.example>' },
  ];
  it('Approved-by and Reviewed-by are approvals, once each; Co-authored-by names authors', () => {
    expect(trailerApprovals({ trailers })).toEqual([
      { by: 'Dana <dana@school.example>', from: 'trailer' },
      { by: 'Erin <erin@school.example>', from: 'trailer' },
    ]);
    expect(coAuthors({ trailers })).toEqual(['Pat <pat@photos.example>']);
  });
});

describe('approvalsFromReviews', () => {
  it("a reviewer's latest deciding review counts; comments and pending reviews do not change it", () => {
    expect(
      approvalsFromReviews([
        { user: 'dana', state: 'APPROVED', submittedAt: '2026-09-05T09:00:00Z' },
        { user: 'erin', state: 'CHANGES_REQUESTED' },
        { user: 'erin', state: 'APPROVED', submittedAt: '2026-09-05T11:00:00Z' },
        { user: 'frank', state: 'APPROVED' },
        { user: 'frank', state: 'DISMISSED' },
        { user: 'dana', state: 'COMMENTED' },
        { user: 'gus', state: 'APPROVED' },
        { user: 'gus', state: 'CHANGES_REQUESTED' },
        { user: 'hal', state: 'PENDING' },
      ]),
    ).toEqual([
      { by: 'dana', at: '2026-09-05T09:00:00Z', from: 'github-review' },
      { by: 'erin', at: '2026-09-05T11:00:00Z', from: 'github-review' },
    ]);
  });
});

describe('provenance', () => {
  it('the run URL and actor from the workflow environment; nothing outside a workflow', () => {
    expect(provenanceFromEnv({ GITHUB_SERVER_URL: 'https://ghe.school.example/', GITHUB_REPOSITORY: 'school/photos', GITHUB_RUN_ID: '42', GITHUB_ACTOR: 'octo' })).toEqual({ url: 'https://ghe.school.example/school/photos/actions/runs/42', actor: 'octo' });
    expect(provenanceFromEnv({ GITHUB_REPOSITORY: 'school/photos', GITHUB_RUN_ID: '42' })).toEqual({ url: 'https://github.com/school/photos/actions/runs/42' });
    expect(provenanceFromEnv({})).toEqual({});
  });

  it('the run id is read back from a recorded run URL only', () => {
    expect(runIdOf('https://github.com/school/photos/actions/runs/42')).toBe('42');
    expect(runIdOf('https://github.com/school/photos/actions/runs/42/attempts/2')).toBe('42');
    expect(runIdOf('https://github.com/school/photos/pull/42')).toBeUndefined();
    expect(runIdOf(undefined)).toBeUndefined();
  });
});

/**
 * The built action (dist/index.js) on a pull request, run as the runner runs it, in a shallow
 * checkout of a PR merge commit (what actions/checkout does by default) from a local bare origin.
 * github.com itself is the only fake: a loopback server for the issue-comment API.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { pullRequestRepo, type PullRequest, type PullRequestRepo } from '../helpers/pullRequests.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { runAction } from '../helpers/runAction.js';

let api: FakeGitHub;
let repo: PullRequestRepo;
let baseSha: string;

const portrait = (colour: string) => sharp({ create: { width: 720, height: 720, channels: 3, background: colour } }).jpeg().toBuffer();
const pullRequest = (change: (dir: string) => Promise<void>) => repo.open(change);
const run = (pr: PullRequest, headRepo?: string) => repo.run(pr, { apiUrl: api.url, ...(headRepo ? { headRepo } : {}) });
const prEvent = (pr: PullRequest) => repo.event(pr);

beforeAll(async () => {
  api = await startFakeGitHub();
  repo = await pullRequestRepo('entra-photos-action-pr-');
  baseSha = repo.baseSha;
});
afterAll(async () => {
  await api.close();
  await repo.cleanup();
});

describe('action on pull_request (dist/index.js)', () => {
  it('plans a two-replacement, one-addition change in a shallow checkout, with summary, output and one sticky comment', async () => {
    const pr = await pullRequest(async (dir) => {
      await writeFile(path.join(dir, 'photos/staff/ada.lovelace.jpg'), await portrait('#aa5533'));
      await writeFile(path.join(dir, 'photos/students/10024.jpg'), await portrait('#3355aa'));
      await writeFile(path.join(dir, 'photos/students/10030.jpg'), await portrait('#33aa55'));
      const m = await readFile(path.join(dir, 'manifests/students.yaml'), 'utf8');
      await writeFile(path.join(dir, 'manifests/students.yaml'), `${m}  - employeeId: "10030"\n    name: Zoë Adeyemi\n    photo: students/10030.jpg\n`);
    });
    const first = await run(pr);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.outputs.errors).toBe('0');
    // One headline per run: the plan's line is logged once.
    expect(first.stdout.match(/^Plan: /gm)).toHaveLength(1);
    const plan = JSON.parse(first.outputs.plan!);
    expect(plan.base).toBe(baseSha.slice(0, 12));
    expect(plan.uploads.map((u: { user: string; reason: string }) => `${u.user}:${u.reason}`)).toEqual(['10024:replaced', '10030:new', 'ada.lovelace@contoso.edu:replaced']);
    expect(plan.unchanged).toBe(10);
    // The summary: counts first, then tables with thumbnails from the PR head commit.
    expect(first.summary).toContain('| New | Replaced | Removed | Unchanged | Policy |');
    expect(first.summary).toContain('| 1 | 2 | 0 | 10 | unchanged |');
    // Reviewers approve people: the manifest's name is the thumbnail's alt text and beside the key.
    expect(first.summary).toContain(`<img src="https://github.com/contoso/photos/blob/${pr.headSha}/photos/students/10030.jpg?raw=true" width="64" alt="Zoë Adeyemi"> | employeeId 10030 &#40;Zoë Adeyemi&#41; |`);
    expect(plan.uploads.find((u: { user: string }) => u.user === '10030').name).toBe('Zoë Adeyemi');
    // One comment, with the marker and the same plan.
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]!.body).toContain('<!-- entra-photos:plan -->');
    expect(api.comments[0]!.body).toContain('| 1 | 2 | 0 | 10 | unchanged |');
    expect(api.comments[0]!.body).toContain('alt="Zoë Adeyemi"');
    expect(api.requests.filter((r) => r.method === 'POST')[0]?.authorization).toBe('token ghs_faketoken123');

    // A second run (another push) updates the same comment instead of adding one.
    const second = await run(pr);
    expect(second.code).toBe(0);
    expect(api.comments).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);

    // Pull-request runs never request an OIDC token, and never print the GitHub token.
    expect(api.requests.some((r) => r.path.startsWith('/oidc-token'))).toBe(false);
    expect(first.stdout + second.stdout).not.toContain('ghs_faketoken123');
  });

  it('fails with annotations at the right lines when the change breaks a manifest', async () => {
    const pr = await pullRequest(async (dir) => {
      const m = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
      await writeFile(path.join(dir, 'manifests/staff.yaml'), m.replace('photo: staff/grace.hopper.jpg', 'photo: staff/grace.hoper.jpg').replace('- User Administrator', '- User Admin'));
    });
    const r = await run(pr);
    expect(r.code).toBe(1);
    expect(r.outputs.errors).toBe('2');
    expect(r.stdout).toContain('::error title=entra-photos%3A photo-missing,file=manifests/staff.yaml,line=9,col=12::The photo "staff/grace.hoper.jpg" does not exist');
    expect(r.stdout).toMatch(/::error title=entra-photos%3A unknown-role,file=manifests\/staff\.yaml,line=22,col=7::"User Admin" is not a role/);
    expect(r.summary).toContain('❌');
    expect(r.stdout).toContain('::error::Validation failed: 2 errors');
  });

  it('a manifest that does not parse: no plan (its users are not "removed"), the plan is unavailable until fixed', async () => {
    const pr = await pullRequest(async (dir) => {
      const m = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
      await writeFile(path.join(dir, 'manifests/staff.yaml'), m.replace('users:', 'users: [\n'));
    });
    const r = await run(pr);
    expect(r.code).toBe(1);
    expect(r.summary).toContain('Plan unavailable until the errors above are fixed');
    expect(r.summary).not.toMatch(/Removed users/);
    expect(r.stdout).toMatch(/No plan: the head revision has \d+ errors?/);
    expect(JSON.parse(r.outputs.plan!)).toMatchObject({ available: false });
  });

  it('on a fork pull request the comment is refused, the job says why and the summary still has the plan', async () => {
    const pr = await pullRequest(async (dir) => {
      await writeFile(path.join(dir, 'photos/staff/alan.turing.jpg'), await portrait('#552288'));
    });
    api.readOnly = true;
    try {
      const r = await run(pr, 'someone/photos-fork');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/::warning::Could not write the plan comment on pull request #\d+ \(HTTP 403\)\. Pull requests from forks get a read-only token\./);
      expect(r.summary).toContain('| 0 | 1 | 0 | 11 | unchanged |');
    } finally {
      api.readOnly = false;
    }
  });

  it('refuses to run in a public repository unless allowed', async () => {
    const pr = await pullRequest(async () => {});
    const r = await runAction({
      actionDir: REPO_ROOT,
      workspace: pr.workspace,
      eventName: 'pull_request',
      event: { ...(prEvent(pr) as object), repository: { full_name: 'contoso/photos', private: false, visibility: 'public' } },
      inputs: { 'github-token': '' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::contoso/photos is public. Profile photos are personal data');
  });
});

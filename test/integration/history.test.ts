/**
 * `entra-photos history` on a real git history, applied for real (the CLI against the emulator)
 * to two environments at different times: renames, a move between manifest files, a remap to
 * another photo that came in by a merge commit, a removal and a re-adding by squash commits.
 * The list must be exact, in text and JSON; with a token, approvals come from GitHub (the
 * loopback stand-in); --html writes an owner-only page whose hostile names are inert.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { copySample, tempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let github: FakeGitHub;
let repo: string;
const sha: Record<string, string> = {};
let day = 1;

/** git with a fixed date per commit (so the text can be compared exactly) and a chosen author. */
function git(args: string[], author = 'Alex Admin <alex@school.example>'): string {
  const [, name, email] = /^(.*) <(.*)>$/.exec(author)!;
  const date = `2026-09-${String(day).padStart(2, '0')}T10:00:00Z`;
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: 'Alex Admin', GIT_COMMITTER_EMAIL: 'alex@school.example', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}
function commit(label: string, message: string, author?: string) {
  git(['add', '-A']);
  git(['commit', '-q', '-m', message], author);
  sha[label] = git(['rev-parse', 'HEAD']);
  day++;
}
const file = (rel: string) => path.join(repo, rel);
async function edit(rel: string, from: string | RegExp, to: string) {
  const text = await readFile(file(rel), 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  await writeFile(file(rel), next);
}
const ADA_ENTRY = '  - user: ada.lovelace@contoso.edu\n    photo: staff/ada.lovelace.jpg\n';
const provenance = (run: string, actor: string) => ({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'school/photos', GITHUB_RUN_ID: run, GITHUB_ACTOR: actor });
async function apply(environment: string, rev: string, run: string, extra: string[] = []) {
  const result = await runCli(['apply', '--repo', repo, '--head', sha[rev]!, '--environment', environment, '--remote', 'none', '--format', 'json', ...extra], { ...(emulator.env as unknown as Record<string, string>), ...provenance(run, 'octo-admin') });
  expect(result.code, result.stderr + result.stdout).toBe(0);
  expect(JSON.parse(result.stdout).appliedRevision).toBe(sha[rev]);
}
/** Commit ids → labels, run timestamps → <time>: what is left must match exactly. */
function stable(text: string): string {
  let out = text;
  for (const [label, id] of Object.entries(sha)) out = out.replaceAll(id, `<${label}>`).replaceAll(id.slice(0, 12), `<${label}>`);
  return out.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>').replace(/blob [0-9a-f]{12}/g, 'blob <id>');
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-history-');
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  commit('sample', 'Sample photos');
  // A rename of the photo file, then a move of Ada's entry to another manifest: no change.
  await rename(file('photos/staff/ada.lovelace.jpg'), file('photos/staff/ada-lovelace.jpg'));
  await edit('manifests/staff.yaml', 'staff/ada.lovelace.jpg', 'staff/ada-lovelace.jpg');
  commit('rename', 'Rename Ada\'s photo file');
  await edit('manifests/staff.yaml', ADA_ENTRY.replace('ada.lovelace.jpg', 'ada-lovelace.jpg'), '');
  await writeFile(file('manifests/maths.yaml'), `version: 1\nusers:\n${ADA_ENTRY.replace('ada.lovelace.jpg', 'ada-lovelace.jpg')}`);
  commit('move', 'Maths department gets its own manifest');
  // A pull request remaps Ada to a new portrait; main moves on meanwhile; a merge commit lands it.
  git(['checkout', '-q', '-b', 'ada-2026']);
  await writeFile(file('photos/staff/ada-2026.jpg'), await sharp({ create: { width: 700, height: 700, channels: 3, background: '#aa2244' } }).jpeg().toBuffer());
  await edit('manifests/maths.yaml', 'staff/ada-lovelace.jpg', 'staff/ada-2026.jpg');
  commit('portrait', 'New portrait for Ada', 'Pat Photographer <pat@photos.example>');
  git(['checkout', '-q', 'main']);
  await writeFile(file('photos/staff/grace.hopper.jpg'), await sharp({ create: { width: 700, height: 700, channels: 3, background: '#22aa44' } }).jpeg().toBuffer());
  commit('grace', 'New portrait for Grace');
  git(['merge', '-q', '--no-ff', 'ada-2026', '-m', 'Merge pull request #12 from school/ada-2026', '-m', 'New portrait for Ada\n\nApproved-by: Dana Reviewer <dana@school.example>']);
  sha.merge = git(['rev-parse', 'HEAD']);
  day++;
  // Removed at her request (a squash merge), then re-added with a hostile name and subject.
  await writeFile(file('manifests/maths.yaml'), 'version: 1\nusers: []\n');
  commit('removal', "Remove Ada's photo at her request (#13)");
  await writeFile(file('manifests/maths.yaml'), `version: 1\nusers:\n  - user: ada.lovelace@contoso.edu\n    name: "<script>alert('name')</script>"\n    photo: staff/ada-2026.jpg\n`);
  commit('readd', 'Re-add Ada <img src=x onerror=alert(1)> (#14)');

  emulator = await startEmulator({ directoryRoles: ['fe930be7-5e62-47db-91af-98c3a49a38b1'] });
  // Two environments applied at different times: staging follows main, production only took the merge.
  await apply('staging', 'sample', '101');
  await apply('production', 'merge', '202');
  await apply('staging', 'removal', '103', ['--prune']);
  await apply('staging', 'readd', '104');

  github = await startFakeGitHub();
  github.merged.push(
    { number: 12, title: 'New portrait for Ada', author: 'pat-photos', mergedBy: 'alex-admin', mergedAt: '2026-09-06T10:00:00Z', reviews: [
      { user: 'dana', state: 'APPROVED', submittedAt: '2026-09-05T09:00:00Z' },
      { user: 'erin', state: 'CHANGES_REQUESTED', submittedAt: '2026-09-05T09:30:00Z' },
      { user: 'erin', state: 'APPROVED', submittedAt: '2026-09-05T11:00:00Z' },
      { user: 'frank', state: 'APPROVED', submittedAt: '2026-09-05T09:10:00Z' },
      { user: 'frank', state: 'DISMISSED', submittedAt: '2026-09-05T12:00:00Z' },
      { user: 'gus', state: 'COMMENTED', submittedAt: '2026-09-05T12:30:00Z' },
    ] },
    { number: 13, title: 'Remove Ada', author: 'alex-admin', mergedBy: 'alex-admin', mergedAt: '2026-09-07T10:00:00Z', reviews: [{ user: 'dpo-office', state: 'APPROVED', submittedAt: '2026-09-07T09:00:00Z' }] },
    { number: 14, title: 'Re-add Ada', author: 'alex-admin', mergedBy: 'alex-admin', mergedAt: '2026-09-08T10:00:00Z', reviews: [] },
    { number: 7, title: 'Sample photos', author: 'alex-admin', mergedBy: 'alex-admin', mergedAt: '2026-09-01T10:00:00Z', reviews: [{ user: 'dana', state: 'APPROVED', submittedAt: '2026-09-01T09:00:00Z' }] },
  );
  github.commitPulls[sha.sample!] = [7];
  github.runApprovals['202'] = [{ state: 'approved', user: 'prod-approver', environments: ['production'], comment: 'ok' }];
}, 180_000);
afterAll(async () => {
  await github?.close();
  await emulator?.stop();
  await scratch?.cleanup();
});

const history = (args: string[], env: Record<string, string> = {}) => runCli(['history', ...args, '--repo', repo, '--remote', 'none'], env);

describe('history of one subject', () => {
  it('lists exactly the revisions that changed Ada\'s photo, with who, the pull request, and each environment (text)', async () => {
    const result = await history(['Ada.Lovelace@contoso.edu']);
    expect(result.code, result.stderr).toBe(0);
    expect(stable(result.stdout)).toBe(`History of ada.lovelace@contoso.edu (<script>alert('name')</script>): 4 changes up to <readd>.
Applied records: entra/production at <merge>, entra/staging at <readd>.

2026-09-01T10:00:00+00:00  <sample>  new photo
  photo: photos/staff/ada.lovelace.jpg (blob <id>, crop centre; manifests/staff.yaml:6)
  by Alex Admin <alex@school.example>: "Sample photos"
  approved by: no pull request or approval recorded
  entra/production: superseded: a later change of this subject was applied first
  entra/staging: applied with <sample>, recorded <time> (https://github.com/school/photos/actions/runs/101 by octo-admin)

2026-09-06T10:00:00+00:00  <merge>  photo replaced
  photo: photos/staff/ada-2026.jpg (blob <id>, crop centre; manifests/maths.yaml:3) (was photos/staff/ada-lovelace.jpg)
  by Alex Admin <alex@school.example>: "Merge pull request #12 from school/ada-2026"
  in the merge: <portrait> by Pat Photographer <pat@photos.example> 2026-09-04T10:00:00+00:00: "New portrait for Ada"
  pull request #12
  approved by: Dana Reviewer <dana@school.example> (commit trailer)
  entra/production: applied with <merge>, recorded <time> (https://github.com/school/photos/actions/runs/202 by octo-admin)
  entra/staging: superseded: a later change of this subject was applied first

2026-09-07T10:00:00+00:00  <removal>  removed
  was: photos/staff/ada-2026.jpg (blob <id>, crop centre; manifests/maths.yaml:3)
  by Alex Admin <alex@school.example>: "Remove Ada's photo at her request (#13)"
  pull request #13
  approved by: not recorded in git (pass --github-token to read the reviews)
  entra/production: not applied yet
  entra/staging: applied with <removal>, recorded <time> (https://github.com/school/photos/actions/runs/103 by octo-admin)

2026-09-08T10:00:00+00:00  <readd>  added again
  photo: photos/staff/ada-2026.jpg (blob <id>, crop centre; manifests/maths.yaml:3) (was photos/staff/ada-2026.jpg)
  by Alex Admin <alex@school.example>: "Re-add Ada <img src=x onerror=alert(1)> (#14)"
  pull request #14
  approved by: not recorded in git (pass --github-token to read the reviews)
  entra/production: not applied yet
  entra/staging: applied with <readd>, recorded <time> (https://github.com/school/photos/actions/runs/104 by octo-admin)
`);
  });

  it('gives the same list as JSON, and with a token the reviews, the pull request of a commit and the deployment approval from GitHub', async () => {
    const result = await history(['ada.lovelace@contoso.edu', '--format', 'json', '--github-repository', 'school/photos'], { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: github.url });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.head).toBe(sha.readd);
    expect(json.subjects).toEqual(['upn:ada.lovelace@contoso.edu']);
    expect(json.records).toEqual([
      { target: 'entra', environment: 'production', applied: sha.merge },
      { target: 'entra', environment: 'staging', applied: sha.readd },
    ]);
    expect(json.problems).toEqual([]);
    const label = (id: string) => Object.entries(sha).find(([, v]) => v === id)?.[0];
    const view = json.entries.map((e: any) => ({
      at: label(e.revision.commit),
      kind: e.kind,
      photo: e.after?.photo ?? null,
      pr: e.pullRequest ? `${e.pullRequest.number} ${e.pullRequest.from} ${e.pullRequest.author} ${e.pullRequest.mergedBy}` : null,
      approvals: e.approvals.map((a: any) => `${a.by} ${a.from}`),
      merged: e.branchCommits?.map((c: any) => `${label(c.commit)} ${c.author.name}`) ?? null,
      environments: e.environments.map((env: any) => `${env.environment} ${env.status}${env.head ? ` ${label(env.head)}` : ''}${env.runs ? ` ${env.runs.map((r: any) => `${r.url.split('/').at(-1)}:${r.actor}:${(r.approvals ?? []).map((a: any) => a.user).join('+')}`).join(',')}` : ''}`),
    }));
    expect(view).toEqual([
      { at: 'sample', kind: 'new', photo: 'photos/staff/ada.lovelace.jpg', pr: '7 github alex-admin alex-admin', approvals: ['dana github-review'], merged: null, environments: ['production superseded', 'staging applied sample 101:octo-admin:'] },
      { at: 'merge', kind: 'replaced', photo: 'photos/staff/ada-2026.jpg', pr: '12 merge-commit pat-photos alex-admin', approvals: ['Dana Reviewer <dana@school.example> trailer', 'dana github-review', 'erin github-review'], merged: ['portrait Pat Photographer'], environments: ['production applied merge 202:octo-admin:prod-approver', 'staging superseded'] },
      { at: 'removal', kind: 'removed', photo: null, pr: '13 squash-commit alex-admin alex-admin', approvals: ['dpo-office github-review'], merged: null, environments: ['production not-yet', 'staging applied removal 103:octo-admin:'] },
      { at: 'readd', kind: 'new', photo: 'photos/staff/ada-2026.jpg', pr: '14 squash-commit alex-admin alex-admin', approvals: [], merged: null, environments: ['production not-yet', 'staging applied readd 104:octo-admin:'] },
    ]);
    expect(json.entries[3].readded).toBe(true);
    expect(json.entries[1].before).toMatchObject({ photo: 'photos/staff/ada-lovelace.jpg', file: 'manifests/maths.yaml', normalise: true, crop: 'centre' });
    expect(github.requests.every((r) => r.authorization === 'Bearer test-token')).toBe(true);
  });

  it('--html writes an owner-only page with the photos side by side, where hostile names and subjects are inert', async () => {
    const page = path.join(scratch.dir, 'ada.html');
    const result = await history(['ada.lovelace@contoso.edu', '--html', page]);
    expect(result.code, result.stderr).toBe(0);
    expect((await stat(page)).mode & 0o777).toBe(0o600);
    const html = await readFile(page, 'utf8');
    expect(html).not.toMatch(/<script|<img src=x|onerror=alert\(1\)>/);
    expect(html).toContain('&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html.match(/<img src="data:image\/jpeg;base64,/g)?.length).toBe(6); // before/after of 4 changes, less the first's before and the removal's after
    expect(html).toContain("Content-Security-Policy");
  });

  it('several keys side by side: every change in revision order, each naming its key', async () => {
    const result = await history(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu']);
    expect(result.code, result.stderr).toBe(0);
    const heads = result.stdout.split('\n').filter((l) => /^2026-/.test(l)).map((l) => stable(l));
    expect(heads).toEqual([
      '2026-09-01T10:00:00+00:00  <sample>  ada.lovelace@contoso.edu: new photo',
      '2026-09-01T10:00:00+00:00  <sample>  grace.hopper@contoso.edu: new photo',
      '2026-09-05T10:00:00+00:00  <grace>  grace.hopper@contoso.edu: photo replaced',
      '2026-09-06T10:00:00+00:00  <merge>  ada.lovelace@contoso.edu: photo replaced',
      '2026-09-07T10:00:00+00:00  <removal>  ada.lovelace@contoso.edu: removed',
      "2026-09-08T10:00:00+00:00  <readd>  ada.lovelace@contoso.edu (<script>alert('name')</script>): added again",
    ]);
    expect(result.stdout).toMatch(/^History of upn:ada\.lovelace@contoso\.edu, upn:grace\.hopper@contoso\.edu: 6 changes/);
  });

  it('a key with no history says so and exits 1; a malformed key is a usage error', async () => {
    const none = await history(['nobody@contoso.edu']);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('No revision declares a photo for this key');
    const quiet = await history(['ada.lovelace@contoso.edu', '--since', '2026-10-01']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('No change since 2026-10-01T00:00:00.000Z: leave out --since for the whole history.');
    const bad = await history(['not a key']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a userPrincipalName/);
  });
});

describe('the record on the remote', () => {
  it('a fresh clone reads the applied tags and notes from origin; --remote none reads only what the clone has; an unreachable remote is said', async () => {
    const clone = path.join(scratch.dir, 'clone');
    execFileSync('git', ['clone', '-q', repo, clone]);
    const statuses = async (extra: string[]) => {
      const result = await runCli(['history', 'ada.lovelace@contoso.edu', '--repo', clone, '--format', 'json', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).entries.map((e: any) => e.environments.map((env: any) => `${env.environment} ${env.status}`).join(', '));
    };
    // Without the notes (a clone fetches tags, not notes), no run says when: covered or not, that is all.
    expect(await statuses(['--remote', 'none'])).toEqual(['production superseded, staging superseded', 'production recorded, staging superseded', 'production not-yet, staging superseded', 'production not-yet, staging recorded']);
    expect(await statuses([])).toEqual(['production superseded, staging applied', 'production applied, staging superseded', 'production not-yet, staging applied', 'production not-yet, staging applied']);
    execFileSync('git', ['remote', 'set-url', 'origin', path.join(scratch.dir, 'gone')], { cwd: clone });
    const unreachable = await runCli(['history', 'ada.lovelace@contoso.edu', '--repo', clone]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/Could not read the record of what was applied from the remote "origin".*--remote none/s);
  });
});

describe('what history refuses or narrows', () => {
  it('a shallow clone is refused with what to do; --target narrows the records to one target', async () => {
    const shallow = path.join(scratch.dir, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
    const refused = await runCli(['history', 'ada.lovelace@contoso.edu', '--repo', shallow, '--remote', 'none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is a shallow clone.*git fetch --unshallow.*fetch-depth: 0/s);
    const other = JSON.parse((await history(['ada.lovelace@contoso.edu', '--format', 'json', '--target', 'google'])).stdout);
    expect(other.records).toEqual([]);
    expect(other.entries.map((e: any) => e.environments)).toEqual([[], [], [], []]);
  });
});

describe('log: every subject', () => {
  it('lists every change since a date, streamed as one JSON document', async () => {
    const result = await runCli(['log', '--repo', repo, '--remote', 'none', '--since', '2026-09-05', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.since).toBe('2026-09-05T00:00:00.000Z');
    expect(json.entries.map((e: any) => `${e.subject} ${e.kind}`)).toEqual(['upn:grace.hopper@contoso.edu replaced', 'upn:ada.lovelace@contoso.edu replaced', 'upn:ada.lovelace@contoso.edu removed', 'upn:ada.lovelace@contoso.edu new']);
    expect(json.entries[0].environments.map((e: any) => `${e.environment} ${e.status}`)).toEqual(['production applied', 'staging applied']);
  });

  it('text: one block per change with the subject named, and a count', async () => {
    const result = await runCli(['log', '--repo', repo, '--remote', 'none']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('ada.lovelace@contoso.edu (<script>alert(\'name\')</script>): added again');
    expect(result.stdout).toMatch(/^16 changes up to [0-9a-f]{12}\. Applied records: entra\/production at/m);
  });
});

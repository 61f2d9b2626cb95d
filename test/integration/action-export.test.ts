/**
 * Issue 14, part 2: `mode: export`, adopting a tenant from GitHub. The built action
 * (dist/index.js) runs as the runner runs it, in a shallow checkout of main from a local bare
 * origin, against the local tenant (real OIDC exchange, real Graph listing and downloads) and a
 * stand-in for api.github.com (the pull-request endpoints). It pushes a real branch to the bare
 * origin; the pull request it opens then passes the normal check (mode validate on that branch).
 * With export-target google it adopts the photos the emulated Google Workspace holds instead.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { expectInertMarkdown, renderedRows, renderedText } from '../helpers/markdownTree.js';
import { git, REPO_ROOT, shallowCheckout, tempDir, writeTree } from '../helpers/repo.js';
import { accessToken, graphFetch, trustEmulatorCa } from '../emulator/helpers.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';

const NO_PHOTO = 'edsger.dijkstra@contoso.edu';
/** A staff member whose tenant photo is too small to pass validation, with a name written to attack the pull request. */
const HOSTILE = { userPrincipalName: 'mallory@contoso.edu', displayName: '@octocat [click](https://evil.example) #1 <img src=x>' };
const RUN_URL = (id: number) => `https://github.com/contoso/photos/actions/runs/${id}`;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let api: FakeGitHub;
let origin: string;
let mainSha: string;
let runs = 0;

async function face(seed: number, size = 648): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="hsl(${hue},60%,45%)"/><circle cx="${size / 2}" cy="${size * 0.4}" r="${size * 0.2}" fill="#f1c27d"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/** Runs the action in a fresh shallow checkout of main, as workflow_dispatch does. */
async function exportRun(options: { inputs?: Record<string, string>; eventName?: string; event?: unknown } = {}) {
  const id = 100 + ++runs;
  const workspace = shallowCheckout(origin, mainSha, path.join(scratch.dir, `ws-${id}`));
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const apiSince = api.requests.length;
  const refsBefore = refs();
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace,
    eventName: options.eventName ?? 'workflow_dispatch',
    event: options.event ?? { ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private', default_branch: 'main' } },
    inputs: {
      mode: 'export',
      ...emulatorInputs(emulator),
      'github-token': 'ghs_faketoken123',
      'export-key': 'upn',
      'export-photo-dir': 'exported',
      ...options.inputs,
    },
    env: {
      ...emulatorRunnerEnv(emulator),
      GITHUB_API_URL: api.url,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: String(id),
      GITHUB_RUN_ATTEMPT: '1',
    },
  });
  const tenantRequests = await emulator.admin.requests(since);
  return { ...run, id, tenantRequests, apiRequests: api.requests.slice(apiSince), newRefs: refs().filter((r) => !refsBefore.includes(r)) };
}

function refs(): string[] {
  return git(origin, 'for-each-ref', '--format=%(refname)').split('\n').filter(Boolean);
}

function filesOn(ref: string): string[] {
  return git(origin, 'ls-tree', '-r', '--name-only', ref).split('\n').filter(Boolean);
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-action-export-');
  [emulator, api] = await Promise.all([startEmulator({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All'] }), startFakeGitHub()]);
  for (const [i, user] of DEFAULT_USERS.entries()) if (user.userPrincipalName !== NO_PHOTO) await emulator.admin.seedPhoto(user.userPrincipalName, await face(i));
  await emulator.admin.addUser({ ...HOSTILE, mail: HOSTILE.userPrincipalName });
  await emulator.admin.seedPhoto(HOSTILE.userPrincipalName, await face(77, 64));

  // main: one staff member is managed already.
  origin = path.join(scratch.dir, 'origin.git');
  git(scratch.dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  const author = path.join(scratch.dir, 'author');
  await writeTree(author, {
    'manifests/staff.yaml': 'version: 1\nphotoRoot: photos\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: staff/ada.jpg\n',
    'photos/staff/ada.jpg': await face(99),
  });
  git(scratch.dir, 'init', '-q', '-b', 'main', author);
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '-m', 'staff');
  git(author, 'push', '-q', origin, 'main');
  mainSha = git(author, 'rev-parse', 'HEAD');
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await api?.close();
  await scratch?.cleanup();
});

describe('the action, mode: export', { timeout: 90_000 }, () => {
  let branch = '';

  it('adopts one domain onto a new branch, opens an inert pull request, and the pull request passes the normal check', async () => {
    const run = await exportRun({ inputs: { 'export-domain': '@Contoso.edu' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // Six staff and mallory are listed; ada is managed, edsger has no photo, mallory's photo is refused.
    expect(run.outputs).toMatchObject({ exported: '4', branch: `entra-photos/export/${run.id}`, 'pull-request': expect.stringMatching(/\/pull\/\d+$/) });
    branch = run.outputs.branch!;

    // The branch on origin: the manifest and the photos (as the tenant holds them), no journal.
    const files = filesOn(`refs/heads/${branch}`);
    expect(files).toEqual(expect.arrayContaining(['manifests/exported.yaml', 'manifests/staff.yaml', 'photos/exported/grace.hopper@contoso.edu.jpg']));
    expect(files.filter((f) => f.startsWith('photos/exported/'))).toHaveLength(4);
    expect(files.some((f) => f.includes('export.jsonl'))).toBe(false);
    const manifest = git(origin, 'show', `refs/heads/${branch}:manifests/exported.yaml`);
    expect(manifest).toContain('  - user: grace.hopper@contoso.edu\n    name: Grace Hopper\n    photo: exported/grace.hopper@contoso.edu.jpg');
    expect(manifest).not.toContain('ada.lovelace');
    expect(manifest).not.toContain('students');
    const workspace = path.join(scratch.dir, `ws-${run.id}`);
    expect(await readFile(path.join(workspace, 'photos/exported/grace.hopper@contoso.edu.jpg'))).toEqual(await emulator.admin.photo('grace.hopper@contoso.edu'));
    // One commit on top of main, by the bot, saying what it is.
    expect(git(origin, 'rev-list', '--count', `main..refs/heads/${branch}`)).toBe('1');
    expect(git(origin, 'log', '-1', '--format=%an <%ae>|%cn|%s', `refs/heads/${branch}`)).toBe('github-actions[bot] <41898729+github-actions[bot]@users.noreply.github.com>|github-actions[bot]|Adopt 4 profile photos from the tenant');

    // The pull request: main ← the branch, its body inert (mallory's name is text), with the counts.
    expect(api.pulls).toHaveLength(1);
    const pr = api.pulls[0]!;
    expect(pr).toMatchObject({ base: 'main', head: branch, title: 'Adopt 4 profile photos from the tenant' });
    expect(run.outputs['pull-request']).toBe(pr.html_url);
    expectInertMarkdown(pr.body, { server: 'https://github.com', links: new Set([RUN_URL(run.id)]), images: new Set() });
    const rows = renderedRows(pr.body).map((r) => r.join(' | '));
    expect(rows).toContain('7 | 4 | 1 | 1 | 1 | 0 | 0'); // listed, exported, no photo, managed, refused, failed, not started
    expect(rows.find((r) => r.startsWith(`${HOSTILE.userPrincipalName} (${HOSTILE.displayName}) | refused: the tenant's photo would not pass validation`))).toBeDefined();
    expect(rows).toContain('edsger.dijkstra@contoso.edu (Edsger Dijkstra) | no photo in the tenant');
    expect(rows).toContain('ada.lovelace@contoso.edu (Ada Lovelace) | already declared at manifests/staff.yaml:4');
    const body = renderedText(pr.body);
    expect(body).toContain('This pull request goes through the normal path: the Validate photos check');
    expect(body).toContain('close and reopen this pull request');
    expect(run.summary).toContain('opened [the pull request]');
    // The workflow's own token opened it: the log says the check will not start by itself.
    expect(run.stdout).toMatch(/::notice::The pull request was opened with the workflow's GITHUB_TOKEN/);

    // The normal path: the check on that pull request (GitHub's merge commit, as actions/checkout fetches it) passes and plans 4 uploads.
    const merger = path.join(scratch.dir, `merge-${run.id}`);
    git(scratch.dir, 'clone', '-q', origin, merger);
    const headSha = git(merger, 'rev-parse', `origin/${branch}`);
    git(merger, 'checkout', '-q', '--detach', 'origin/main');
    git(merger, '-c', 'user.name=GitHub', '-c', 'user.email=noreply@github.com', 'merge', '-q', '--no-ff', '--no-edit', headSha);
    git(merger, 'push', '-q', 'origin', `HEAD:refs/pull/${pr.number}/merge`);
    const prWorkspace = path.join(scratch.dir, `pr-${run.id}`);
    git(scratch.dir, 'init', '-q', prWorkspace);
    git(prWorkspace, 'remote', 'add', 'origin', `file://${origin}`);
    git(prWorkspace, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', `+refs/pull/${pr.number}/merge:refs/remotes/pull/merge`);
    git(prWorkspace, 'checkout', '-q', '--detach', 'refs/remotes/pull/merge');
    const check = await runAction({
      actionDir: REPO_ROOT,
      workspace: prWorkspace,
      eventName: 'pull_request',
      event: { pull_request: { number: pr.number, base: { sha: mainSha, repo: { full_name: 'contoso/photos' } }, head: { sha: headSha, repo: { full_name: 'contoso/photos' } } }, repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
      inputs: { mode: '', 'github-token': '' },
      env: {},
    });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.outputs.errors).toBe('0');
    expect(JSON.parse(check.outputs.plan!).uploads.map((u: { user: string }) => u.user).sort()).toEqual(['alan.turing@contoso.edu', 'grace.hopper@contoso.edu', 'katherine.johnson@contoso.edu', 'margaret.hamilton@contoso.edu']);
  });

  it('while that pull request is open, a second run exports nothing and points to it', async () => {
    const run = await exportRun();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ exported: '0', branch, 'pull-request': api.pulls[0]!.html_url });
    expect(run.stdout).toMatch(/::warning::An export pull request is already open/);
    expect(run.tenantRequests.filter((r) => r.api === 'graph')).toEqual([]); // nothing was downloaded
    expect(run.newRefs).toEqual([]);
    expect(api.pulls).toHaveLength(1);
    api.pulls[0]!.state = 'closed';
  });

  it('a group, keyed by object id; GitHub refusing the pull request (403) leaves the pushed branch and says how to open it by hand', async () => {
    api.createPulls = 'not-permitted';
    try {
      const run = await exportRun({ inputs: { 'export-group': 'Grade 9', 'export-key': 'objectId', 'export-manifest': 'manifests/grade9.yaml', 'export-photo-dir': 'grade9' } });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.outputs).toMatchObject({ exported: '4', branch: `entra-photos/export/${run.id}`, 'pull-request': '' });
      expect(run.newRefs).toEqual([`refs/heads/entra-photos/export/${run.id}`]);
      const manifest = git(origin, 'show', `refs/heads/${run.outputs.branch}:manifests/grade9.yaml`);
      const grade9 = DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').slice(0, 4);
      for (const u of grade9) expect(manifest).toContain(`  - user: ${u.id}`);
      expect(manifest.match(/^ {2}- user:/gm)).toHaveLength(4);
      expect(filesOn(`refs/heads/${run.outputs.branch}`).filter((f) => f.startsWith('photos/grade9/'))).toHaveLength(4);
      // The warning names the repository setting and the way to open the pull request by hand.
      const warning = run.stdout.split('\n').find((l) => l.startsWith('::warning::The export branch'));
      expect(warning).toContain('GitHub Actions is not permitted to create or approve pull requests');
      expect(warning).toContain('Allow GitHub Actions to create and approve pull requests');
      expect(warning).toContain(`https://github.com/contoso/photos/compare/main...entra-photos/export/${run.id}?expand=1`);
      expect(renderedText(run.summary)).toContain('the pull request could not be opened');
      expect(api.pulls.filter((p) => p.state === 'open')).toHaveLength(0);
    } finally {
      api.createPulls = 'ok';
    }
  });

  it('nothing to adopt: no branch, no pull request, and the summary says so', async () => {
    const run = await exportRun({ inputs: { 'export-domain': 'nowhere.example, other.example' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ exported: '0', branch: '', 'pull-request': '' });
    expect(run.newRefs).toEqual([]);
    expect(run.apiRequests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(renderedText(run.summary)).toContain('No photo to adopt: no branch was pushed and no pull request was opened. Filters: domains nowhere.example, other.example');
  });

  it('refuses pull-request events, and inputs it cannot use, without requesting an OIDC token', async () => {
    const typo = await exportRun({ inputs: { 'export-key': 'email', 'export-domain': 'contoso.edu' } });
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain('::error::Input "export-key" is "email"; write upn or objectId.');
    expect(typo.tenantRequests).toEqual([]);

    for (const eventName of ['pull_request', 'pull_request_target']) {
      const run = await exportRun({ eventName, event: { pull_request: { number: 9 }, repository: { full_name: 'contoso/photos', private: true, visibility: 'private', default_branch: 'main' } } });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`::error::mode "export" never runs on ${eventName} events`);
      expect(run.stdout).toContain('Run it by hand (workflow_dispatch) in the protected environment');
      expect(run.tenantRequests).toEqual([]); // no OIDC token, no sign-in, no Graph
      expect(run.apiRequests).toEqual([]);
      expect(run.newRefs).toEqual([]);
    }
  });
  it('export-groups with GitHub answering 403 "Resource not accessible by integration": the branch says group photos, and the warning names the permission', async () => {
    // Class 9B (a Microsoft 365 group) has a photo in the tenant.
    trustEmulatorCa(emulator.caCertPem);
    const classId = (await emulator.admin.state()).groups.find((g) => g.mail === 'class-9b@contoso.edu')!.id;
    const put = await graphFetch(emulator, await accessToken(emulator), `/v1.0/groups/${classId}/photo/$value`, { method: 'PUT', body: await face(42), headers: { 'Content-Type': 'image/jpeg' } });
    expect(put.status).toBe(200);
    api.readOnly = true;
    try {
      const run = await exportRun({ inputs: { 'export-groups': 'true', 'export-manifest': 'manifests/classes.yaml', 'export-photo-dir': 'classes' } });
      if (process.env.SHOW_OUTPUT) console.log(run.stdout, run.summary);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.outputs).toMatchObject({ exported: '1', branch: `entra-photos/export/${run.id}`, 'pull-request': '' });
      expect(git(origin, 'show', `refs/heads/${run.outputs.branch}:manifests/classes.yaml`)).toContain('groups:\n  - group: class-9b@contoso.edu');
      expect(git(origin, 'log', '-1', '--format=%B', `refs/heads/${run.outputs.branch}`)).toMatch(/^Adopt 1 group photo from the tenant\n\nentra-photos export downloaded the photos the tenant holds for 1 group\(s\) and team\(s\),/);
      const warning = run.stdout.split('\n').find((l) => l.startsWith('::warning::The export branch'));
      expect(warning).toMatch(/GitHub answered 403 \(Resource not accessible by integration[^)]*\): the job needs "permissions: pull-requests: write"/);
      expect(warning).toContain(`https://github.com/contoso/photos/compare/main...entra-photos/export/${run.id}?expand=1`);
      const summary = renderedText(run.summary);
      expect(summary).toContain('the pull request could not be opened');
      expect(summary).toMatch(/entra-photos: Export complete: \d+ group\(s\) and team\(s\) listed; 1 photo\(s\) exported/);
      expect(summary).toContain('as they are: 1 group(s) and team(s), photos under photos/classes/');
      expect(summary).toContain('Filters: every domain; Microsoft 365 groups and teams named by mail address.');
      expect(api.pulls.filter((p) => p.state === 'open')).toHaveLength(0);
    } finally {
      api.readOnly = false;
    }
  });

  it('an export that does not complete (a download refused): what was adopted goes to the branch and the pull request, and the step fails saying to run it again', async () => {
    await emulator.admin.setConfig({ faults: [{ effect: 'status', status: 400, code: 'BadRequest', message: 'refused for the test', methods: ['GET'], path: '/photo/\\$value', user: 'grace.hopper@contoso.edu' }] });
    let run;
    try {
      run = await exportRun({ inputs: { 'export-domain': 'contoso.edu' } });
    } finally {
      await emulator.admin.setConfig({ faults: [] });
    }
    if (process.env.SHOW_OUTPUT) console.log(run.stdout, run.summary);
    expect(run.code).toBe(1);
    // Four staff photos were exported before: three now, Grace's failed.
    expect(run.outputs).toMatchObject({ exported: '3', branch: `entra-photos/export/${run.id}`, 'pull-request': expect.stringMatching(/\/pull\/\d+$/) });
    const files = filesOn(`refs/heads/${run.outputs.branch}`).filter((f) => f.startsWith('photos/exported/'));
    expect(files).toHaveLength(3);
    expect(files).not.toContain('photos/exported/grace.hopper@contoso.edu.jpg');
    expect(run.stdout).toMatch(/^::error::Export interrupted: 7 user\(s\) listed; 3 photo\(s\) exported, .*1 failed .*What was adopted is on the branch; once it is merged, run the export again: it adopts only the users no manifest declares yet\.$/m);
    expect(run.stdout).toMatch(/ ! grace\.hopper@contoso\.edu \(Grace Hopper\): failed: /);
    const pr = api.pulls.find((p) => p.head === run.outputs.branch)!;
    expect(pr.title).toBe('Adopt 3 profile photos from the tenant');
    for (const text of [renderedText(pr.body), renderedText(run.summary)]) {
      expect(text).toContain('The export did not complete (1 failed, 0 not started). What was adopted is valid as it is; once it is merged, run the export again: it adopts only the users no manifest declares yet.');
    }
    expect(renderedRows(pr.body).map((r) => r.join(' | '))).toContainEqual(expect.stringMatching(/^grace\.hopper@contoso\.edu \(Grace Hopper\) \| failed: /));
    pr.state = 'closed';
  });

  it('export-target google adopts the photos Google Workspace holds (its thumbnails) into a manifest keyed by primary email, and opens the pull request', async () => {
    // Grace and Alan have a photo in Google; Ada has one too but staff.yaml declares her already.
    const inGoogle = ['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu', 'alan.turing@contoso.edu'];
    expect((await emulator.google.admin.state()).users.filter((u) => u.photo)).toEqual([]);
    for (const [i, email] of inGoogle.entries()) await emulator.google.admin.seedPhoto(email, await face(20 + i));
    const run = await exportRun({ inputs: { ...emulatorInputs(emulator, { google: true }), 'export-target': 'google', 'export-domain': 'contoso.edu', 'export-manifest': 'manifests/from-google.yaml', 'export-photo-dir': 'google' } });
    if (process.env.SHOW_OUTPUT) console.log(run.stdout, run.summary);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ exported: '2', branch: `entra-photos/export/${run.id}`, 'pull-request': expect.stringMatching(/\/pull\/\d+$/) });
    // Google was listed and read; Graph was not.
    expect(run.tenantRequests.some((r) => r.api === 'google')).toBe(true);
    expect(run.tenantRequests.filter((r) => r.api === 'graph')).toEqual([]);

    // The branch: a manifest keyed by primary email and Google's thumbnails as downloaded.
    const ref = `refs/heads/${run.outputs.branch}`;
    expect(filesOn(ref).filter((f) => f.startsWith('photos/google/')).sort()).toEqual(['photos/google/alan.turing@contoso.edu.jpg', 'photos/google/grace.hopper@contoso.edu.jpg']);
    const manifest = git(origin, 'show', `${ref}:manifests/from-google.yaml`);
    expect(manifest).toContain('  - user: grace.hopper@contoso.edu\n');
    expect(manifest).toContain('  - user: alan.turing@contoso.edu\n');
    expect(manifest).not.toContain('ada.lovelace');
    expect(manifest.match(/^ {2}- user:/gm)).toHaveLength(2);
    const workspace = path.join(scratch.dir, `ws-${run.id}`);
    for (const email of ['grace.hopper@contoso.edu', 'alan.turing@contoso.edu']) {
      const file = await readFile(path.join(workspace, `photos/google/${email}.jpg`));
      // Google's bytes as Google holds them, not the tenant's photo of the same user.
      expect(file).toEqual(await emulator.google.admin.photo(email));
      expect(file).not.toEqual(await emulator.admin.photo(email));
    }

    // The texts say Google Workspace where they say the tenant for Entra.
    expect(git(origin, 'log', '-1', '--format=%B', ref)).toMatch(/^Adopt 2 profile photos from Google Workspace\n\nentra-photos export downloaded the photos Google Workspace holds for 2 user\(s\),/);
    const pr = api.pulls.find((p) => p.head === run.outputs.branch)!;
    expect(pr).toMatchObject({ base: 'main', title: 'Adopt 2 profile photos from Google Workspace', html_url: run.outputs['pull-request'] });
    const body = renderedText(pr.body);
    expect(body).toContain('These are the profile photos Google Workspace already holds (its 96x96 thumbnails, not the pictures it was sent)');
    expect(body).toContain('Filters: domains contoso.edu; users named by primary email.');
    expect(body).toContain('Once merged, these photos are applied to every target the manifests declare, Microsoft Entra ID included');
    expect(renderedRows(pr.body).map((r) => r.join(' | '))).toContain('ada.lovelace@contoso.edu (Ada Lovelace) | already declared at manifests/staff.yaml:4');
    expect(renderedText(run.summary)).toContain('No photo in Google Workspace');
    pr.state = 'closed';
  });

  it('export-target google refuses export-groups and missing google-* inputs, naming the input, without requesting a token', async () => {
    const groups = await exportRun({ inputs: { ...emulatorInputs(emulator, { google: true }), 'export-target': 'google', 'export-groups': 'true' } });
    expect(groups.code).toBe(1);
    expect(groups.stdout).toContain('::error::Input "export-groups" is "true", but input "export-target" is "google": Google Workspace has no group photos');
    const unconfigured = await exportRun({ inputs: { 'export-target': 'google' } });
    expect(unconfigured.code).toBe(1);
    expect(unconfigured.stdout).toContain('::error::Input "export-target" is "google", but Google Workspace cannot be reached: Input "google-workload-identity-provider" is empty');
    for (const run of [groups, unconfigured]) {
      expect(run.tenantRequests).toEqual([]); // no OIDC token, no sign-in, no Google or Graph
      expect(run.apiRequests).toEqual([]);
      expect(run.newRefs).toEqual([]);
    }
  });
});

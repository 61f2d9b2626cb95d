/**
 * Both directories from one repository (issue 16) through the built action (dist/index.js), run
 * as the runner runs it, against the emulator (which plays Entra and Google): a pull request that
 * declares targets: [entra, google] plans both without credentials; the merge updates both, each
 * with its own record; a user who exists only in Entra is done there and pending in Google; a
 * replaced photo lands in both; the scheduled drift check finds a photo changed in Google only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { git, originWithAuthor, REPO_ROOT, shallowCheckout, tempDir } from '../helpers/repo.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';
import { writePortraits } from '../helpers/portraits.js';
import { portrait } from '../reliability/helpers.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let origin: string;
let author: string;
let runs = 0;

const MANIFEST = (extra = '') =>
  `version: 1\ntargets: [entra, google]\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n  - user: grace.hopper@contoso.edu\n    google: amazing.grace@contoso.edu\n    photo: p1.jpg\n  - user: alan.turing@contoso.edu\n    photo: p2.jpg\n${extra}`;

async function commit(files: Record<string, string | Buffer>, message: string): Promise<string> {
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(author, file), content);
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '-m', message);
  git(author, 'push', '-q', 'origin', 'main');
  return git(author, 'rev-parse', 'HEAD');
}

const checkout = (sha: string) => shallowCheckout(origin, sha, path.join(scratch.dir, `ws-${++runs}`));

async function apply(sha: string, omit: string[] = []) {
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace: checkout(sha),
    eventName: 'push',
    event: { after: sha, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: { mode: 'apply', environment: 'production', ...emulatorInputs(emulator, { google: true, omit }) },
    env: emulatorRunnerEnv(emulator),
  });
  const requests = await emulator.admin.requests(since);
  const state = await emulator.admin.state();
  const upn = new Map(state.users.map((u) => [u.id, u.userPrincipalName]));
  const graphPuts = requests.filter((r) => r.api === 'graph' && r.method === 'PUT' && r.path.includes('/photo/')).map((r) => upn.get(r.userId ?? '') ?? '?');
  const google = await emulator.google.admin.state();
  const email = new Map(google.users.map((u) => [u.id, u.primaryEmail]));
  const googlePuts = requests.filter((r) => r.api === 'google' && r.method === 'PUT' && r.path.includes('/photos/thumbnail')).map((r) => email.get(r.userId ?? '') ?? '?');
  return { ...run, requests, graphPuts: graphPuts.sort(), googlePuts: googlePuts.sort() };
}

async function drift(sha: string) {
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace: checkout(sha),
    eventName: 'schedule',
    event: { repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: { mode: 'drift', ...emulatorInputs(emulator, { google: true }) },
    env: emulatorRunnerEnv(emulator),
  });
  if (process.env.SHOW_OUTPUT) console.log(run.stdout, run.summary);
  const report = run.outputs.drift ? JSON.parse(run.outputs.drift) : undefined;
  const byTarget: Record<string, Record<string, string>> = Object.fromEntries(
    (report?.targets ?? []).map((t: { target: string; users: { user: string; status: string }[] }) => [t.target, Object.fromEntries(t.users.map((u) => [u.user, u.status]))]),
  );
  return { ...run, requests: await emulator.admin.requests(since), byTarget };
}

const tag = (name: string) => git(origin, 'for-each-ref', '--format=%(objectname)', `refs/tags/${name}`) || undefined;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-action-google-');
  emulator = await startEmulator({ users: [...DEFAULT_USERS], throttle: false });
  ({ origin, author } = originWithAuthor(scratch.dir));
  await writePortraits(author, 4);
  // Alan has no Google account: he exists only in Entra.
  await emulator.google.admin.removeUser('alan.turing@contoso.edu');
  await emulator.google.admin.addUser({ primaryEmail: 'g.hopper@contoso.edu', aliases: ['amazing.grace@contoso.edu'] }).catch(() => undefined);
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('targets: [entra, google] through the built action', { timeout: 90_000 }, () => {
  it('a pull request plans both targets without credentials; the merge updates both; a user only in Entra is done there and pending in Google; a replaced photo lands in both; drift finds a photo changed in Google only', async () => {
    const base = await commit({ 'manifests/staff.yaml': 'version: 1\nusers: []\n' }, 'start');
    const head = await commit({ 'manifests/staff.yaml': MANIFEST() }, 'photos to both directories');

    // The pull request: validate and plan, no OIDC token, no Google request.
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const pr = await runAction({
      actionDir: REPO_ROOT,
      workspace: checkout(head),
      eventName: 'pull_request',
      event: { pull_request: { number: 7, base: { sha: base }, head: { sha: head } }, repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
      inputs: { 'github-token': '' },
    });
    expect(pr.stderr).toBe('');
    expect(pr.code).toBe(0);
    const plan = JSON.parse(pr.outputs.plan!);
    expect(plan.uploads.map((u: { user: string }) => u.user)).toEqual(['ada.lovelace@contoso.edu', 'alan.turing@contoso.edu', 'grace.hopper@contoso.edu']);
    expect(plan.targets.map((t: { target: string; uploads: { user: string }[] }) => [t.target, t.uploads.map((u) => u.user)])).toEqual([
      ['entra', ['ada.lovelace@contoso.edu', 'alan.turing@contoso.edu', 'grace.hopper@contoso.edu']],
      ['google', ['ada.lovelace@contoso.edu', 'alan.turing@contoso.edu', 'amazing.grace@contoso.edu']],
    ]);
    expect(pr.summary).toContain('### entra-photos plan: Microsoft Entra ID');
    expect(pr.summary).toContain('### entra-photos plan: Google Workspace');
    expect(pr.stdout).toContain('== Google Workspace (google) ==');
    expect((await emulator.admin.requests(since)).filter((r) => r.api === 'google' || r.api === 'github-oidc')).toEqual([]);

    // The merge: both directories, each with its own record.
    const merged = await apply(head);
    if (process.env.SHOW_OUTPUT) console.log(merged.stdout, merged.summary);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.graphPuts).toEqual(['ada.lovelace@contoso.edu', 'alan.turing@contoso.edu', 'grace.hopper@contoso.edu']);
    expect(merged.googlePuts).toEqual(['ada.lovelace@contoso.edu', 'g.hopper@contoso.edu']);
    expect(merged.outputs).toMatchObject({ uploaded: '5', failed: '0', pending: '1', 'applied-revision': head });
    expect(tag('entra-photos/applied/production')).toBe(head);
    expect(tag('entra-photos/google/applied/production')).toBe(head);
    expect(merged.summary).toContain('entra-photos → Microsoft Entra ID');
    expect(merged.summary).toContain('entra-photos → Google Workspace');
    expect(merged.stdout).toMatch(/^::warning title=entra-photos%3A waiting-for-account \(no-account\),file=manifests\/staff\.yaml,line=9::Google Workspace: No Google user has the address alan\.turing@contoso\.edu/m);
    // Google has no photo policy: its headline says so rather than "not managed".
    expect(merged.stdout).toMatch(/^Applied to production: 2 uploaded, 0 removed, 0 failed, 1 waiting for an account; this directory has no photo policy/m);
    // The manifests' findings are annotated once, not once per target.
    expect(merged.stdout.match(/orphan-photo/g)).toHaveLength(1);
    // The targets ran at once: Google's first request came before Entra's last upload...
    const firstGoogle = Math.min(...merged.requests.filter((r) => r.api === 'google').map((r) => r.seq));
    const lastGraphPut = Math.max(...merged.requests.filter((r) => r.api === 'graph' && r.method === 'PUT').map((r) => r.seq));
    expect(firstGoogle).toBeLessThan(lastGraphPut);
    // ...yet the log reads as one block per target, in the declared order: Entra's block (with its
    // headline) ends before Google's begins.
    const entraAt = merged.stdout.indexOf('== Microsoft Entra ID (entra) ==');
    const googleAt = merged.stdout.indexOf('== Google Workspace (google) ==');
    expect(entraAt).toBeGreaterThanOrEqual(0);
    expect(googleAt).toBeGreaterThan(entraAt);
    const entraHeadline = merged.stdout.search(/^Applied to production: 3 uploaded/m);
    expect(entraHeadline).toBeGreaterThan(entraAt);
    expect(entraHeadline).toBeLessThan(googleAt);
    expect(merged.stdout.search(/^Applied to production: 2 uploaded/m)).toBeGreaterThan(googleAt);

    // A replaced photo lands in both.
    const replaced = await commit({ 'photos/p0.jpg': await portrait(9) }, 'new photo for Ada');
    const second = await apply(replaced);
    expect(second.code).toBe(0);
    expect(second.graphPuts).toEqual(['ada.lovelace@contoso.edu']);
    expect(second.googlePuts).toContain('ada.lovelace@contoso.edu');
    expect(tag('entra-photos/google/applied/production')).toBe(replaced);

    // Someone sets another photo for Ada in Google: the scheduled drift check finds it there only.
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', await portrait(5, 2), 'user');
    const checked = await drift(replaced);
    expect(checked.code).toBe(1);
    expect(checked.outputs).toMatchObject({ different: '1', waiting: '1' });
    expect(checked.byTarget).toEqual({
      entra: { 'ada.lovelace@contoso.edu': 'in-sync', 'alan.turing@contoso.edu': 'in-sync', 'grace.hopper@contoso.edu': 'in-sync' },
      google: { 'ada.lovelace@contoso.edu': 'different', 'alan.turing@contoso.edu': 'waiting', 'amazing.grace@contoso.edu': 'in-sync' },
    });
    expect(checked.summary).toContain('## Google Workspace');
    expect(checked.stdout).toMatch(/^::error::Google Workspace: /m);
  });

  it('without the google inputs: Entra is applied, Google is not, and the step fails naming the declaration and the input', async () => {
    const head = await commit({ 'photos/p2.jpg': await portrait(8) }, 'new photo for Alan');
    const googleBefore = tag('entra-photos/google/applied/production');
    const run = await apply(head, ['google-workload-identity-provider']);
    expect(run.code).toBe(1);
    expect(run.graphPuts).toEqual(['alan.turing@contoso.edu']);
    expect(run.googlePuts).toEqual([]);
    expect(tag('entra-photos/applied/production')).toBe(head);
    expect(tag('entra-photos/google/applied/production')).toBe(googleBefore);
    expect(run.stdout).toContain('::error::Google Workspace: manifests/staff.yaml:2 declares targets: [entra, google], but Google Workspace cannot be reached: Input "google-workload-identity-provider" is empty');
    expect(run.summary).toContain('entra-photos → Google Workspace: not applied');
  });

  it('with targets: a pull-request event, or a job without id-token, is refused before any request to either directory', async () => {
    const head = git(author, 'rev-parse', 'HEAD');
    const cases = [
      { eventName: 'pull_request', env: emulatorRunnerEnv(emulator), says: '::error::mode "apply" never runs on pull_request events' },
      { eventName: 'push', env: { ...emulatorRunnerEnv(emulator), ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }, says: '::error::The job cannot request a GitHub OIDC token' },
    ];
    for (const { eventName, env, says } of cases) {
      const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
      const run = await runAction({
        actionDir: REPO_ROOT,
        workspace: checkout(head),
        eventName,
        event: { after: head, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
        inputs: { mode: 'apply', environment: 'production', ...emulatorInputs(emulator, { google: true }) },
        env,
      });
      expect(run.code, run.stdout).toBe(1);
      expect(run.stdout).toContain(says);
      expect(await emulator.admin.requests(since)).toEqual([]);
    }
  });

  it('Google refusing the sign-in (an attribute condition for another repository) does not hold Entra back; the next run catches Google up', async () => {
    const head = await commit({ 'photos/p0.jpg': await portrait(11) }, 'another photo for Ada');
    const googleBefore = tag('entra-photos/google/applied/production');
    await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/other'" });
    try {
      const run = await apply(head);
      expect(run.code).toBe(1);
      expect(run.graphPuts).toEqual(['ada.lovelace@contoso.edu']);
      expect(run.googlePuts).toEqual([]);
      expect(tag('entra-photos/applied/production')).toBe(head);
      expect(tag('entra-photos/google/applied/production')).toBe(googleBefore);
      expect(run.stdout).toMatch(/^::error::Google Workspace: .*attribute condition/m);
    } finally {
      await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/photos'" });
    }
    // Once the condition is fixed, the next run catches Google up (its lease was released): Entra has nothing to do.
    const retry = await apply(head);
    expect(retry.code).toBe(0);
    expect(retry.graphPuts).toEqual([]);
    expect(retry.googlePuts).toEqual(['ada.lovelace@contoso.edu']);
    expect(tag('entra-photos/google/applied/production')).toBe(head);
  });

  it('drift compares both directories at once, each finding its own drifted photo, with the log one block per target; Google refusing the sign-in does not hide Entra\'s result', async () => {
    const head = git(author, 'rev-parse', 'HEAD');
    // Someone changes Grace's photo in Entra and Ada's in Google.
    await emulator.admin.seedPhoto('grace.hopper@contoso.edu', await portrait(6, 2));
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', await portrait(7, 2), 'user');
    // A little latency on every request, so each target's requests spread over time as they do
    // against the real services: run one after the other they could not interleave.
    await emulator.admin.setConfig({ latency: { medianMs: 20, spreadMs: 5 } });
    let both;
    try {
      both = await drift(head);
    } finally {
      await emulator.admin.setConfig({ latency: null });
    }
    expect(both.code).toBe(1);
    expect(both.outputs).toMatchObject({ different: '2', waiting: '1' });
    expect(both.byTarget['entra']).toMatchObject({ 'grace.hopper@contoso.edu': 'different', 'ada.lovelace@contoso.edu': 'in-sync' });
    expect(both.byTarget['google']).toMatchObject({ 'ada.lovelace@contoso.edu': 'different', 'amazing.grace@contoso.edu': 'in-sync' });
    // The targets ran at once: the request log interleaves them (each began before the other ended).
    const seqs = (api: string) => both.requests.filter((r) => r.api === api).map((r) => r.seq);
    expect(seqs('graph').length).toBeGreaterThan(0);
    expect(seqs('google').length).toBeGreaterThan(0);
    expect(Math.min(...seqs('google'))).toBeLessThan(Math.max(...seqs('graph')));
    expect(Math.min(...seqs('graph'))).toBeLessThan(Math.max(...seqs('google')));
    // The log reads as one block per target in the declared order: Entra's headline before Google's block.
    const entraAt = both.stdout.indexOf('== Microsoft Entra ID (entra) ==');
    const googleAt = both.stdout.indexOf('== Google Workspace (google) ==');
    expect(entraAt).toBeGreaterThanOrEqual(0);
    expect(googleAt).toBeGreaterThan(entraAt);
    const entraLine = both.stdout.search(/^\s+~ .*grace\.hopper@contoso\.edu/m);
    expect(entraLine).toBeGreaterThan(entraAt);
    expect(entraLine).toBeLessThan(googleAt);
    expect(both.stdout.search(/^\s+~ .*ada\.lovelace@contoso\.edu/m)).toBeGreaterThan(googleAt);
    // The summary keeps its order: Entra's section, then Google's.
    expect(both.summary.indexOf('## Microsoft Entra ID')).toBeGreaterThanOrEqual(0);
    expect(both.summary.indexOf('## Google Workspace')).toBeGreaterThan(both.summary.indexOf('## Microsoft Entra ID'));
    expect(both.stdout).toMatch(/^::error::Microsoft Entra ID: .*%0AGoogle Workspace: /m);

    // Google refuses the sign-in: Entra's result is still reported, Google's section says why it was not compared.
    await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/other'" });
    let refused;
    try {
      refused = await drift(head);
    } finally {
      await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/photos'" });
    }
    expect(refused.code).toBe(1);
    expect(refused.outputs).toMatchObject({ different: '1' });
    expect(Object.keys(refused.byTarget)).toEqual(['entra']);
    expect(refused.byTarget['entra']).toMatchObject({ 'grace.hopper@contoso.edu': 'different' });
    expect(refused.summary).toContain('## Microsoft Entra ID');
    expect(refused.summary).toContain('## ❌ Google Workspace: not compared');
    expect(refused.stdout).toMatch(/Google Workspace: .*attribute condition/);
  });
});

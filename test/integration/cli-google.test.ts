/**
 * Google Workspace through the built CLI (dist/cli.js) against the emulator (issue 16): `apply
 * --target google` keeps its own record (entra-photos/google/applied/ENV), a user unknown in
 * Google waits for the account there; `drift --target google` finds a photo changed in Google;
 * --target google is refused, at the declaration, when the manifests do not declare google.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { git, tempDir } from '../helpers/repo.js';
import { emulatorRunnerEnv } from '../helpers/runAction.js';
import { runCli } from '../helpers/runCli.js';
import { writePortraits } from '../helpers/portraits.js';
import { portrait } from '../reliability/helpers.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;

const googleFlags = () => ['--target', 'google', '--google-workload-identity-provider', emulator.google.workloadIdentityProvider, '--google-service-account', emulator.google.serviceAccount, '--google-endpoint', emulator.google.endpoint];
const cliEnv = () => emulatorRunnerEnv(emulator);

async function commit(manifest: string): Promise<string> {
  await writeFile(path.join(repo, 'manifests', 'staff.yaml'), manifest);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'change');
  return git(repo, 'rev-parse', 'HEAD');
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-cli-google-');
  emulator = await startEmulator({ users: [...DEFAULT_USERS], throttle: false });
  repo = path.join(scratch.dir, 'photos-repo');
  await writePortraits(repo, 3);
  git(scratch.dir, 'init', '-q', '-b', 'main', repo);
  await emulator.google.admin.removeUser('alan.turing@contoso.edu');
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('the CLI with --target google (dist/cli.js)', { timeout: 90_000 }, () => {
  it('refuses --target google when the manifests do not declare it, then applies to Google with its own record and finds a photo changed in Google', async () => {
    await commit('version: 1\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n');
    const refused = await runCli(['apply', '--repo', repo, '--remote', 'none', '--environment', 'production', ...googleFlags()], cliEnv());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--target google: the manifests of HEAD do not declare it (targets: [entra], the default). Add it to targets: in a manifest first');

    const head = await commit('version: 1\ntargets: [entra, google]\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n  - user: alan.turing@contoso.edu\n    photo: p1.jpg\n  - user: grace.hopper@contoso.edu\n    photo: p2.jpg\n');
    const applied = await runCli(['apply', '--repo', repo, '--remote', 'none', '--environment', 'production', '--format', 'json', ...googleFlags()], cliEnv());
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const json = JSON.parse(applied.stdout);
    expect(json.appliedRevision).toBe(head);
    expect(git(repo, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/google/applied/production')).toBe(head);
    expect(git(repo, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/production')).toBe('');
    const google = await emulator.google.admin.state();
    const withPhoto = google.users.filter((u) => u.photo).map((u) => u.primaryEmail).sort();
    expect(withPhoto).toEqual(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu']);

    // Someone changes Ada's photo in Google: drift --target google finds it; Alan waits for his account.
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', await portrait(7, 3), 'user');
    // The emulator's ENTRA_PHOTOS_GOOGLE_* variables stand in for the --google-* flags.
    const googleEnv = Object.fromEntries(Object.entries(emulator.env).filter(([name]) => name.startsWith('ENTRA_PHOTOS_GOOGLE_')));
    expect(Object.keys(googleEnv).sort()).toEqual(['ENTRA_PHOTOS_GOOGLE_ENDPOINT', 'ENTRA_PHOTOS_GOOGLE_SERVICE_ACCOUNT', 'ENTRA_PHOTOS_GOOGLE_WORKLOAD_IDENTITY_PROVIDER']);
    const drift = await runCli(['drift', '--repo', repo, '--remote', 'none', '--environment', 'production', '--format', 'json', '--target', 'google'], { ...cliEnv(), ...googleEnv });
    if (process.env.SHOW_OUTPUT) console.log(drift.stdout, drift.stderr);
    expect(drift.code).toBe(1);
    const report = JSON.parse(drift.stdout);
    const status = Object.fromEntries(report.users.map((u: { user: string; status: string }) => [u.user, u.status]));
    expect(status).toEqual({ 'ada.lovelace@contoso.edu': 'different', 'alan.turing@contoso.edu': 'waiting', 'grace.hopper@contoso.edu': 'in-sync' });
  });

  it('a storm of 429 rateLimitExceeded from Google is paced: every photo lands', async () => {
    for (let i = 3; i < 9; i++) await writeFile(path.join(repo, 'photos', `p${i}.jpg`), await portrait(i, 5));
    const students = DEFAULT_USERS.filter((u) => u.userPrincipalName.includes('@students.')).slice(0, 6);
    const lines = students.map((u, i) => `  - user: ${u.userPrincipalName}\n    photo: p${i + 3}.jpg\n`).join('');
    await commit(`version: 1\ntargets: [entra, google]\nusers:\n${lines}`);
    await emulator.google.admin.setConfig({ quota: { perMinutePerUser: 6, windowSeconds: 1, answer: 'rateLimitExceeded', maxConcurrentPerUser: 0 } });
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    try {
      const applied = await runCli(['apply', '--repo', repo, '--remote', 'none', '--environment', 'storm', '--format', 'json', ...googleFlags()], cliEnv());
      expect(applied.code).toBe(0);
      const json = JSON.parse(applied.stdout);
      expect(json.outcomes.filter((o: { status: string }) => o.status === 'uploaded')).toHaveLength(students.length);
      const google = (await emulator.admin.requests(since)).filter((r) => r.api === 'google');
      expect(google.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    } finally {
      await emulator.google.admin.setConfig({ quota: null });
    }
    const state = await emulator.google.admin.state();
    for (const u of students) expect(state.users.find((g) => g.primaryEmail === u.userPrincipalName)?.photo).not.toBeNull();
  });

  it('export --target google adopts the photos Google holds (its thumbnails) into a manifest keyed by primary email', async () => {
    const state = await emulator.google.admin.state();
    const withPhoto = state.users.filter((u) => u.photo).map((u) => u.primaryEmail).sort();
    expect(withPhoto.length).toBeGreaterThan(0);
    const exported = await runCli(['export', '--repo', repo, '--manifest', 'manifests/from-google.yaml', '--photo-dir', 'google', '--format', 'json', ...googleFlags()], cliEnv());
    if (process.env.SHOW_OUTPUT) console.log(exported.stdout, exported.stderr);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const json = JSON.parse(exported.stdout);
    expect(json.complete).toBe(true);
    const having = (status: string) => json.users.filter((u: { status: string }) => u.status === status).map((u: { userPrincipalName: string }) => u.userPrincipalName).sort();
    // The six students the committed manifest declares are managed already; Ada's and Grace's
    // photos (no longer declared) are adopted.
    expect(having('managed')).toHaveLength(6);
    expect(having('exported')).toEqual(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu']);
    expect([...having('exported'), ...having('managed')].sort()).toEqual(withPhoto);
    const manifest = await readFile(path.join(repo, 'manifests', 'from-google.yaml'), 'utf8');
    for (const email of having('exported')) expect(manifest).toContain(`user: ${email}`);
    // Each file is Google's thumbnail as downloaded.
    for (const u of json.users.filter((x: { status: string }) => x.status === 'exported')) {
      const bytes = await readFile(path.join(repo, 'photos', u.file.replace(/^photos\//, '')));
      expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
    // Entra object ids mean nothing in Google.
    const refused = await runCli(['export', '--repo', repo, '--key', 'objectId', ...googleFlags()], cliEnv());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--key objectId names Entra object ids');
  });

  it('doctor checks Google when the manifests declare it: the sign-in chain, a harmless read, each key', async () => {
    await rm(path.join(repo, 'manifests', 'from-google.yaml'), { force: true }); // the export's, which declares Ada too
    await writeFile(path.join(repo, 'manifests', 'staff.yaml'), 'version: 1\ntargets: [entra, google]\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n  - user: alan.turing@contoso.edu\n    photo: p1.jpg\n');
    const entraEnv = Object.fromEntries(Object.entries(emulator.env).filter(([name]) => !name.startsWith('ENTRA_PHOTOS_GOOGLE_')));
    const checked = await runCli(['doctor', '--repo', repo, ...googleFlags().slice(2)], { ...entraEnv, ...cliEnv() });
    if (process.env.SHOW_OUTPUT) console.log(checked.stdout, checked.stderr);
    expect(checked.stdout).toContain('ok    Google Workspace: signed in keylessly (GitHub OIDC → STS → IAM Credentials), users can be read');
    // Alan has no Google account: named at his line.
    expect(checked.stdout).toMatch(/manifests\/staff\.yaml:6: user "alan\.turing@contoso\.edu" does not resolve in Google Workspace/);
    expect(checked.code).toBe(1);

    // Without Google's sign-in settings: said at the declaration, naming the flag.
    const unconfigured = await runCli(['doctor', '--repo', repo], { ...entraEnv, ...cliEnv() });
    expect(unconfigured.stdout).toContain('manifests/staff.yaml:2 declares the google target, but Google Workspace cannot be reached');
    expect(unconfigured.stdout).toContain('--google-workload-identity-provider is empty');

    // A refused sign-in (an attribute condition for another repository) is a problem, not a crash.
    await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/other'" });
    try {
      const refused = await runCli(['doctor', '--repo', repo, ...googleFlags().slice(2)], { ...entraEnv, ...cliEnv() });
      expect(refused.stdout).toMatch(/Google Workspace: could not sign in or read users: .*attribute condition/);
    } finally {
      await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/photos'" });
    }
  });
  it('dropping google from targets: the plan says Google stops being updated (its record stays), and an Entra apply says Google was applied before', async () => {
    const base = await commit('version: 1\ntargets: [entra, google]\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n');
    const head = await commit('version: 1\nusers:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n');
    const planned = await runCli(['plan', '--repo', repo, '--base', base, '--head', head]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('! google is no longer in targets: (manifests/staff.yaml:2 in the base). After the merge entra-photos stops updating Google Workspace: the photos already there stay as they are, and its record (tag entra-photos/google/applied/ENV) is kept.');
    expect(planned.stdout).toContain('apply with --prune (that removes them from every declared target)');

    const entraEnv = Object.fromEntries(Object.entries(emulator.env).filter(([name]) => !name.startsWith('ENTRA_PHOTOS_GOOGLE_')));
    const applied = await runCli(['apply', '--repo', repo, '--remote', 'none', '--environment', 'production', '--dry-run'], { ...entraEnv, ...cliEnv() });
    if (process.env.SHOW_OUTPUT) console.log(applied.stdout, applied.stderr);
    expect(applied.code).toBe(0);
    // The records the earlier tests left: Google was applied in production and in storm.
    expect(applied.stdout.match(/google is not in this revision's targets/g)).toHaveLength(1);
    expect(applied.stdout).toContain("google is not in this revision's targets: (it has no targets:, so Entra alone), but it was applied before (entra-photos/google/applied/production, entra-photos/google/applied/storm). This run does not update Google Workspace");
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/tags/entra-photos/google/applied/')).toContain('production');
  });
});

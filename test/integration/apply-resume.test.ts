/**
 * Resuming after an incomplete apply: the record stays at the last complete revision, and the
 * next run plans from what is live (the base plus what landed), via the CLI against the emulator.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { copySample, git, tempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;

const portrait = (colour: string) => sharp({ create: { width: 700, height: 700, channels: 3, background: colour } }).jpeg().toBuffer();
const apply = () => runCli(['apply', '--repo', repo, '--environment', 'staging', '--remote', 'none', '--format', 'json'], emulator.env as unknown as Record<string, string>);
async function commit(message: string) {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
}
async function sha256Of(upn: string) {
  return (await emulator.admin.state()).users.find((u) => u.userPrincipalName === upn)?.photo?.sha256;
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-resume-');
  emulator = await startEmulator({ directoryRoles: ['fe930be7-5e62-47db-91af-98c3a49a38b1'] });
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  git(scratch.dir, 'init', '-q', '-b', 'main', repo);
  await commit('sample');
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('apply resumes from what is live', () => {
  it('a photo that landed in a failed run and was then reverted is put back', async () => {
    const first = await apply();
    expect(first.code).toBe(0);
    const base = JSON.parse(first.stdout).appliedRevision;
    const originalAda = await sha256Of('ada.lovelace@contoso.edu');
    const originalAda0 = await readFile(path.join(repo, 'photos/staff/ada.lovelace.jpg'));

    // H1 changes Ada and Grace; Grace's writes fail, so the run is incomplete but Ada landed.
    await writeFile(path.join(repo, 'photos/staff/ada.lovelace.jpg'), await portrait('#aa2244'));
    await writeFile(path.join(repo, 'photos/staff/grace.hopper.jpg'), await portrait('#22aa44'));
    await commit('H1');
    await emulator.admin.setConfig({ faults: [{ user: 'grace.hopper@contoso.edu', methods: ['PUT'], effect: 'status', status: 400, code: 'invalidRequest' }] });
    const h1 = JSON.parse((await apply()).stdout);
    expect(h1.counts).toMatchObject({ uploaded: 1, failed: 1 });
    expect(h1.appliedRevision).toBe(base);
    expect(await sha256Of('ada.lovelace@contoso.edu')).not.toBe(originalAda);

    // H2 reverts Ada to the base photo. Relative to the base Ada is unchanged, but the tenant
    // holds H1's photo: she must be uploaded again; Grace is retried.
    await emulator.admin.setConfig({ faults: [] });
    await writeFile(path.join(repo, 'photos/staff/ada.lovelace.jpg'), originalAda0);
    await commit('H2: revert Ada');
    const h2 = JSON.parse((await apply()).stdout);
    expect(h2.counts).toMatchObject({ uploaded: 2, failed: 0 });
    expect(h2.outcomes.map((o: { user: string }) => o.user).sort()).toEqual(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu']);
    expect(await sha256Of('ada.lovelace@contoso.edu')).toBe(originalAda);
    expect(h2.appliedRevision).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(git(repo, 'log', '--oneline', '--decorate', '-1')).toContain('tag: entra-photos/applied/staging');
  });

  it('with no applied revision recorded, the first apply compares with the tenant and uploads only what differs', async () => {
    // The tenant already holds every photo of HEAD (the previous test applied it to "staging"):
    // a new environment record, as after adopting a tenant with export, must not re-upload them.
    await writeFile(path.join(repo, 'photos/staff/katherine.johnson.jpg'), await portrait('#335599'));
    await commit('one retake before adopting');
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const adopted = await runCli(['apply', '--repo', repo, '--environment', 'adopted', '--remote', 'none', '--format', 'json'], emulator.env as unknown as Record<string, string>);
    expect(adopted.code).toBe(0);
    const json = JSON.parse(adopted.stdout);
    expect(json.counts).toMatchObject({ uploaded: 1, failed: 0 });
    expect(json.alreadyLanded).toBe(11);
    const puts = (await emulator.admin.requests(since)).filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
    expect(puts).toHaveLength(1);
    expect(git(repo, 'log', '--oneline', '--decorate', '-1')).toContain('tag: entra-photos/applied/adopted');
  });
});

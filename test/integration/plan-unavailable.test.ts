/**
 * A head that does not validate has no plan: a manifest that fails to parse contributes no users,
 * so a diff would list its staff as removed. The built CLI says the plan is unavailable instead.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySample, initGitRepo, tempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let repo: string;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-plan-unavailable-');
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  initGitRepo(repo);
  const staff = path.join(repo, 'manifests/staff.yaml');
  await writeFile(staff, (await readFile(staff, 'utf8')).replace('users:', 'users: [\n'));
});
afterAll(() => scratch?.cleanup());

describe('entra-photos plan on a head with errors', () => {
  it('text: the findings, no removals, and why there is no plan', async () => {
    const run = await runCli(['plan', '--repo', repo, '--base', 'HEAD']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/manifests\/staff\.yaml:\d+/);
    expect(run.stdout).toMatch(/No plan: the head revision has \d+ errors?\. The plan is shown once/);
    expect(run.stdout).not.toMatch(/Removed|to remove|Plan:/);
  });

  it('JSON: available false, no uploads or removals, the validation', async () => {
    const run = await runCli(['plan', '--repo', repo, '--base', 'HEAD', '--format', 'json']);
    expect(run.code, run.stderr).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ available: false, validation: { ok: false } });
    expect(json.removals).toBeUndefined();
    expect(json.uploads).toBeUndefined();
  });
});

/**
 * A pull request that drops google from targets: (issue 16), through the built action
 * (dist/index.js): the plan (log, job summary, sticky comment) says that after the merge nothing
 * updates Google Workspace, that its photos and record stay, and how to take the photos out
 * first; the merge's apply, finding Google's applied record, says once that it leaves Google as
 * it is, and applies Entra as always.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { pullRequestRepo, type PullRequestRepo } from '../helpers/pullRequests.js';
import { git, REPO_ROOT } from '../helpers/repo.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';
import { writePortraits } from '../helpers/portraits.js';

const ADA = 'users:\n  - user: ada.lovelace@contoso.edu\n    photo: p0.jpg\n';

let api: FakeGitHub;
let repo: PullRequestRepo;
let emulator: RunningEmulator;

beforeAll(async () => {
  api = await startFakeGitHub();
  emulator = await startEmulator({ throttle: false });
  repo = await pullRequestRepo('entra-photos-targets-dropped-', async (dir) => {
    await writePortraits(dir, 1);
    await writeFile(path.join(dir, 'manifests', 'staff.yaml'), `version: 1\n# both directories\ntargets: [entra, google]\n${ADA}`);
  });
}, 30_000);
afterAll(async () => {
  await api?.close();
  await emulator?.stop();
  await repo?.cleanup();
});

describe('dropping google from targets: (dist/index.js)', { timeout: 90_000 }, () => {
  it('the pull request\'s plan says Google stops being updated; the merge\'s apply says so once and applies Entra', async () => {
    const pr = await repo.open(async (dir) => {
      await writeFile(path.join(dir, 'manifests', 'staff.yaml'), `version: 1\n${ADA}`);
    });
    const planned = await repo.run(pr, { apiUrl: api.url });
    if (process.env.SHOW_OUTPUT) console.log(planned.stdout, planned.summary);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const notice =
      'google is no longer in targets: (manifests/staff.yaml:3 in the base). After the merge entra-photos stops updating Google Workspace: the photos already there stay as they are, and its record (tag entra-photos/google/applied/ENV) is kept. ' +
      'To take the photos out of Google Workspace first, keep google in targets: for now, remove those entries from the manifests and apply with prune: true (that removes them from every declared target), then drop google from targets:.';
    expect(planned.stdout).toContain(`! ${notice}`);
    // Not "nothing to check": the pull request changes what is managed.
    expect(planned.stdout).not.toContain('Nothing to check');
    // The summary and the comment: a warning before the plan, the file name as Markdown data.
    const markdownNotice = notice.replace('manifests/staff.yaml', 'manifests/staff&#46;yaml');
    expect(planned.summary).toContain(`> [!WARNING]\n> ${markdownNotice}\n`);
    expect(planned.summary.indexOf('> [!WARNING]')).toBeLessThan(planned.summary.indexOf('### entra-photos plan'));
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]!.body).toContain(markdownNotice);
    // Entra's plan is as before: Ada unchanged, no per-target sections.
    const plan = JSON.parse(planned.outputs.plan!);
    expect(plan).toMatchObject({ uploads: [], removals: [], unchanged: 1 });
    expect(plan.targets).toBeUndefined();
    expect(plan.targetChanges).toEqual([{ target: 'google', change: 'removed', at: 'manifests/staff.yaml:3' }]);

    // The merge. Google was applied in production before: its record is on the origin.
    const merge = git(pr.workspace, 'rev-parse', 'HEAD');
    git(pr.workspace, 'push', '-q', 'origin', `${merge}:refs/tags/entra-photos/google/applied/production`);
    const applied = await runAction({
      actionDir: REPO_ROOT,
      workspace: pr.workspace,
      eventName: 'push',
      event: { after: merge, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
      inputs: { mode: 'apply', environment: 'production', ...emulatorInputs(emulator) },
      env: emulatorRunnerEnv(emulator),
    });
    if (process.env.SHOW_OUTPUT) console.log(applied.stdout, applied.stderr);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout.match(/google is not in this revision's targets/g)).toHaveLength(1);
    expect(applied.stdout).toContain(
      "google is not in this revision's targets: (it has no targets:, so Entra alone), but it was applied before (entra-photos/google/applied/production). This run does not update Google Workspace: the photos already there stay as they are, and the record is kept. Add google to targets: to manage it again.",
    );
    expect(applied.outputs).toMatchObject({ uploaded: '1', failed: '0', 'applied-revision': merge });
    // No Google request: the record is all apply looked at.
    expect((await emulator.admin.requests()).filter((r) => r.api === 'google')).toEqual([]);
  });
});

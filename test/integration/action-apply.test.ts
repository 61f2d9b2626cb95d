/**
 * The built action (dist/index.js) in apply mode, run as the runner runs it (INPUT_*, event file,
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ACTIONS_ID_TOKEN_REQUEST_URL), in a shallow checkout of a
 * push to main from a local bare origin, against the local tenant emulator: real OIDC token
 * exchange, real Graph calls, real git record.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderedRows, renderedText } from '../helpers/markdownTree.js';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { copySample, git, originWithAuthor, REPO_ROOT, shallowCheckout, tempDir } from '../helpers/repo.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let origin: string;
let author: string;
let runs = 0;

const portrait = (colour: string) => sharp({ create: { width: 720, height: 720, channels: 3, background: colour } }).jpeg().toBuffer();

async function push(change: (dir: string) => Promise<void>, message: string): Promise<string> {
  await change(author);
  git(author, 'add', '-A');
  git(author, 'commit', '-q', '--allow-empty', '-m', message);
  git(author, 'push', '-q', 'origin', 'main');
  return git(author, 'rev-parse', 'HEAD');
}

/** actions/checkout on push: fetch-depth 1 of the pushed sha. */
const checkout = (sha: string) => shallowCheckout(origin, sha, path.join(scratch.dir, `ws-${++runs}`));

async function apply(sha: string, options: { inputs?: Record<string, string>; env?: Record<string, string>; eventName?: string; onSpawn?: (child: import('node:child_process').ChildProcess) => void } = {}) {
  const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
  const run = await runAction({
    actionDir: REPO_ROOT,
    workspace: checkout(sha),
    eventName: options.eventName ?? 'push',
    event: { after: sha, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: { mode: 'apply', ...emulatorInputs(emulator), ...options.inputs },
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    env: { ...emulatorRunnerEnv(emulator), ...options.env },
  });
  const requests = (await emulator.admin.requests(since)).filter((r) => r.api === 'graph');
  const writes = requests.filter((r) => ['PUT', 'PATCH', 'DELETE', 'POST'].includes(r.method) && !r.path.includes('$batch'));
  const photoPuts = writes.filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
  return { ...run, requests, writes, photoPuts };
}

async function userIdOf(upn: string): Promise<string> {
  const state = await emulator.admin.state();
  return state.users.find((u) => u.userPrincipalName === upn)!.id;
}

function appliedTag(): string | undefined {
  return git(origin, 'for-each-ref', '--format=%(objectname)', 'refs/tags/entra-photos/applied/production') || undefined;
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-apply-');
  emulator = await startEmulator({ directoryRoles: [USER_ADMINISTRATOR] });
  ({ origin, author } = originWithAuthor(scratch.dir));
  await copySample(author);
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('action apply (dist/index.js against the emulator)', { timeout: 60_000 }, () => {
  let first: string;

  it('the first apply uploads every photo, applies the policy and records the revision', async () => {
    first = await push(async () => {}, 'sample');
    const r = await apply(first);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.photoPuts).toHaveLength(12);
    expect(r.photoPuts.every((p) => p.status === 200)).toBe(true);
    expect(r.outputs).toMatchObject({ uploaded: '12', removed: '0', failed: '0', 'policy-changed': 'true', 'applied-revision': first });
    expect(appliedTag()).toBe(first);
    const state = await emulator.admin.state();
    expect(state.users.filter((u) => u.photo).length).toBe(12);
    expect(state.policy.allowedRoles.sort()).toEqual(['62e90394-69f5-4237-9190-012177145e10', USER_ADMINISTRATOR]);
    expect(renderedText(r.summary)).toContain('✅ entra-photos: Applied to production: 12 uploaded');
    expect(r.summary).toContain('| Uploaded | Removed | Failed |');
    // The OIDC token is masked for the runner, never printed in clear outside the mask command.
    const tokenLines = r.stdout.split('\n').filter((l) => /eyJ[A-Za-z0-9_-]{20,}/.test(l));
    expect(tokenLines.length).toBeGreaterThan(0);
    expect(tokenLines.every((l) => l.startsWith('::add-mask::'))).toBe(true);
  });

  it('a second push replacing two photos uploads exactly those two', async () => {
    const second = await push(async (dir) => {
      await writeFile(path.join(dir, 'photos/staff/ada.lovelace.jpg'), await portrait('#aa3355'));
      await writeFile(path.join(dir, 'photos/students/10025.jpg'), await portrait('#3355aa'));
    }, 'retakes');
    const r = await apply(second);
    expect(r.code).toBe(0);
    expect(r.photoPuts.map((p) => p.userId).sort()).toEqual([await userIdOf('ada.lovelace@contoso.edu'), await userIdOf('s10025@students.contoso.edu')].sort());
    expect(r.writes.filter((w) => w.method === 'PATCH')).toHaveLength(0); // policy unchanged
    expect(r.outputs['applied-revision']).toBe(second);
  });

  it('a user whose writes fail fails the job while the others land; the next run retries only that user', async () => {
    const before = appliedTag();
    await emulator.admin.setConfig({ faults: [{ id: 'grace-broken', user: 'grace.hopper@contoso.edu', methods: ['PUT'], effect: 'status', status: 500, code: 'generalException' }] });
    const third = await push(async (dir) => {
      await writeFile(path.join(dir, 'photos/staff/grace.hopper.jpg'), await portrait('#228844'));
      await writeFile(path.join(dir, 'photos/staff/alan.turing.jpg'), await portrait('#884422'));
    }, 'two staff retakes');
    const failed = await apply(third);
    expect(failed.code).toBe(1);
    expect(failed.outputs).toMatchObject({ uploaded: '1', failed: '1' });
    expect(failed.outputs['applied-revision']).toBe(before);
    expect(appliedTag()).toBe(before);
    expect(failed.stdout).toContain('::error::Apply failed to production: 1 uploaded, 0 removed, 1 failed');
    expect(failed.summary).toContain('### Failures (1)');
    expect(renderedRows(failed.summary).some((row) => row.slice(0, 3).join(' | ') === 'grace.hopper@contoso.edu (Grace Hopper) | upload | photos/staff/grace.hopper.jpg')).toBe(true);
    const alan = await userIdOf('alan.turing@contoso.edu');
    expect(failed.photoPuts.filter((p) => p.userId === alan && p.status === 200)).toHaveLength(1);

    await emulator.admin.setConfig({ faults: [] });
    const unrelated = await push(async (dir) => writeFile(path.join(dir, 'README.md'), '# Our photos\n'), 'unrelated');
    const retry = await apply(unrelated);
    expect(retry.code).toBe(0);
    expect(retry.photoPuts.map((p) => p.userId)).toEqual([await userIdOf('grace.hopper@contoso.edu')]);
    expect(retry.stdout).toContain('1 planned change(s) already landed in an earlier run from the same base: skipped.');
    expect(appliedTag()).toBe(unrelated);
  });

  it('dry run resolves users and reads the tenant but writes nothing', async () => {
    const sha = await push(async (dir) => writeFile(path.join(dir, 'photos/students/10023.jpg'), await portrait('#123456')), 'retake 10023');
    const before = appliedTag();
    const r = await apply(sha, { inputs: { 'dry-run': 'true' } });
    expect(r.code).toBe(0);
    expect(r.writes).toEqual([]);
    expect(r.requests.some((q) => q.path.includes('$batch') || q.path.includes('/users'))).toBe(true);
    expect(r.outputs).toMatchObject({ uploaded: '1', failed: '0', 'applied-revision': before });
    expect(appliedTag()).toBe(before);
    expect(renderedText(r.summary)).toContain('Dry run');
    const real = await apply(sha);
    expect(real.photoPuts).toHaveLength(1);
  });

  it('a pull-request context cannot write: the action refuses, and a PR token cannot be exchanged', async () => {
    const head = git(author, 'rev-parse', 'HEAD');
    const onPr = await apply(head, { eventName: 'pull_request' });
    expect(onPr.code).toBe(1);
    expect(onPr.stdout).toContain('mode "apply" never runs on pull_request events');
    expect(onPr.requests).toEqual([]);

    const prToken = await emulator.admin.oidcRequestEnv({ kind: 'pull_request' });
    const withPrToken = await apply(head, { env: { ACTIONS_ID_TOKEN_REQUEST_URL: prToken.ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN: prToken.ACTIONS_ID_TOKEN_REQUEST_TOKEN } });
    expect(withPrToken.code).toBe(1);
    expect(withPrToken.stdout).toContain('AADSTS70021');
    expect(withPrToken.stdout).not.toContain('certificate checks'); // a sign-in refusal, not a TLS problem
    expect(withPrToken.writes).toEqual([]);
  });

  it('without id-token permission the error says what to add to the workflow', async () => {
    const r = await apply(git(author, 'rev-parse', 'HEAD'), { env: { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('id-token: write');
  });

  it('SIGTERM (a cancelled job) stops new work, finishes in-flight writes, reports, exits non-zero; the next run continues', async () => {
    const before = appliedTag();
    const sha = await push(async (dir) => {
      for (const [i, file] of ['students/10023.jpg', 'students/10024.jpg', 'students/10025.jpg', 'students/10026.jpg', 'students/10027.jpg', 'students/10028.jpg', 'students/10029.jpg', 'staff/margaret.hamilton.jpg'].entries()) {
        await writeFile(path.join(dir, 'photos', file), await portrait(`#${(0x203040 + i * 0x111111).toString(16)}`));
      }
    }, 'eight retakes');
    // Slow writes, and a tight concurrency cap, so that the run is mid-way when the signal comes.
    await emulator.admin.setConfig({ latency: { medianMs: 400, spreadMs: 0 }, throttle: { maxConcurrent: 1, burst: 1000, refillPerSecond: 1000 } });
    try {
      let signalled = false;
      const startSeq = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
      const cancelled = await apply(sha, {
        onSpawn: (child) => {
          const poll = setInterval(async () => {
            const puts = (await emulator.admin.requests(startSeq)).filter((r) => r.method === 'PUT' && r.status === 200 && r.path.includes('/photo/'));
            if (!signalled && puts.length >= 2) {
              signalled = true;
              child.kill('SIGTERM');
            }
            if (signalled || child.exitCode !== null) clearInterval(poll);
          }, 50);
        },
      });
      expect(signalled).toBe(true);
      expect(cancelled.code).toBe(1);
      expect(cancelled.stdout).toContain('Cancelled (SIGTERM): finishing in-flight requests');
      expect(renderedText(cancelled.summary)).toContain('Cancelled to production');
      const landed = Number(cancelled.outputs.uploaded);
      expect(landed).toBeGreaterThan(0);
      expect(landed).toBeLessThan(8);
      expect(cancelled.photoPuts.filter((p) => p.status === 200)).toHaveLength(landed); // in-flight writes finished and were counted
      expect(appliedTag()).toBe(before);

      await emulator.admin.setConfig({ latency: null });
      const resumed = await apply(sha);
      expect(resumed.code).toBe(0);
      expect(resumed.photoPuts).toHaveLength(8 - landed);
      expect(resumed.stdout).toContain(`${landed} planned change(s) already landed`);
      expect(appliedTag()).toBe(sha);
    } finally {
      await emulator.admin.setConfig({ latency: null, throttle: null });
    }
  });

  it('a narrowing policy the app does not hold a role for is refused after the photos land', async () => {
    await emulator.admin.setConfig({ directoryRoles: [] });
    await emulator.admin.setConfig({ policy: { source: 'cloud', allowedRoles: [] } });
    const before = appliedTag();
    const sha = await push(async (dir) => {
      const m = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
      await writeFile(path.join(dir, 'manifests/staff.yaml'), m.replace('    - User Administrator\n', ''));
      await writeFile(path.join(dir, 'photos/staff/katherine.johnson.jpg'), await portrait('#556677'));
    }, 'only global admins may change photos');
    const r = await apply(sha);
    expect(r.code).toBe(1);
    expect(r.photoPuts).toHaveLength(1);
    expect(r.photoPuts[0]!.status).toBe(200);
    expect(r.writes.filter((w) => w.method === 'PATCH')).toEqual([]);
    expect(r.outputs['policy-changed']).toBe('false');
    expect(r.stdout).toContain('The policy change was not applied');
    // The one error annotation carries the reason, in the action's words (an input, not a flag).
    expect(r.stdout).toMatch(/^::error::The policy change was not applied: .*set the input allow-policy-lockout: true/m);
    expect(r.stdout).not.toContain('--allow-policy-lockout');
    expect(r.summary).toContain('- The photo policy change was refused.');
    expect(appliedTag()).toBe(before);
    expect((await emulator.admin.state()).policy.allowedRoles).toEqual([]);
  });
});

/**
 * Long runs show progress: a throttled apply against the emulator prints progress lines with
 * counts, rate and throttling (applyRevision in process), and the built action prints them inside
 * a log group (dist/index.js, as the runner runs it). ENTRA_PHOTOS_PROGRESS_SECONDS / the
 * `progress` option make the interval short, so this runs in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { applyRevision } from '../../src/apply/apply.js';
import { detectDrift } from '../../src/drift/drift.js';
import { exportTenant } from '../../src/export/export.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { applySucceeded } from '../../src/report/apply.js';
import { REPO_ROOT, tempDir } from '../helpers/repo.js';
import { emulatorInputs, emulatorRunnerEnv, runAction } from '../helpers/runAction.js';
import { commitRoster, seedUsers, startTrustedEmulator, tenantFor } from '../reliability/helpers.js';
import path from 'node:path';

const N = 40;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-progress-');
  // About 8 writes/s from a small burst: 40 uploads take ~5 s, and the pacer meets 429s.
  emulator = await startTrustedEmulator({ users: seedUsers(N), throttle: { burst: 4, refillPerSecond: 8, countRejected: true } });
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

const PROGRESS = /^Uploading: (\d+) of 40 \((\d+) %\), [\d.]+\/s(, [\d,]+ throttled( \(pacing at [\d.]+\/s\))?)?, (about .+ left|less than a second left|time left not known yet)$/;
const FINAL = /^Uploading: 40 of 40 done in \d+ s \([\d.]+\/s(, [\d,]+ throttled.*)?\)\.$/;

describe('progress of a throttled apply', { timeout: 90_000 }, () => {
  it('applyRevision prints progress lines with counts, rate, throttling and time left, then the final count', async () => {
    const dir = path.join(scratch.dir, 'in-process');
    const { head } = await commitRoster(dir, N, () => 0, 'roster');
    const lines: string[] = [];
    const result = await applyRevision(
      { repo: dir, head, environment: 'production', prune: false, dryRun: false, allowPolicyLockout: false, log: (l) => lines.push(l), progress: { intervalMs: 400 } },
      tenantFor(emulator),
    );
    expect(applySucceeded(result)).toBe(true);
    expect(result.pacer!.throttled).toBeGreaterThan(0);
    const progress = lines.filter((l) => PROGRESS.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const counts = progress.map((l) => Number(PROGRESS.exec(l)![1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // never backwards
    expect(progress.some((l) => / throttled/.test(l))).toBe(true);
    expect(progress.some((l) => /about .+ left/.test(l))).toBe(true);
    expect(lines.filter((l) => FINAL.test(l))).toHaveLength(1);
    expect(lines.findIndex((l) => FINAL.test(l))).toBeGreaterThan(lines.findIndex((l) => PROGRESS.test(l)));
  });

  it('a cancelled apply counts only what it sent: its final count says how far it got', async () => {
    const dir = path.join(scratch.dir, 'cancelled');
    const { head } = await commitRoster(dir, N, () => 2, 'roster');
    const controller = new AbortController();
    const lines: string[] = [];
    const log = (l: string) => {
      lines.push(l);
      const m = PROGRESS.exec(l);
      if (m && Number(m[1]) >= 10) controller.abort(new Error('stop'));
    };
    const result = await applyRevision({ repo: dir, head, environment: 'cancel', prune: false, dryRun: false, allowPolicyLockout: false, log, signal: controller.signal, progress: { intervalMs: 300 } }, tenantFor(emulator));
    expect(result.cancelled).toBe(true);
    const sent = result.outcomes.filter((o) => o.status !== 'cancelled' && o.status !== 'not-attempted').length;
    expect(sent).toBeLessThan(N);
    expect(lines.filter((l) => l.startsWith('Uploading: ') && l.includes(' done in '))).toEqual([expect.stringMatching(new RegExp(`^Uploading: ${sent} of ${N} done in `))]);
  });

  it('drift and export print their progress through their log too', async () => {
    const dir = path.join(scratch.dir, 'drift');
    const { head } = await commitRoster(dir, N, () => 0, 'roster');
    const driftLines: string[] = [];
    await detectDrift({ repo: dir, head, log: (l) => driftLines.push(l), progress: { intervalMs: 1 } }, tenantFor(emulator));
    expect(driftLines.some((l) => /^Comparing: \d+ of 40 \(\d+ %\), [\d.]+\/s/.test(l))).toBe(true);
    expect(driftLines.filter((l) => /^Comparing: 40 of 40 done in \d+ s/.test(l))).toHaveLength(1);

    const exportDir = path.join(scratch.dir, 'export');
    await mkdir(exportDir, { recursive: true });
    const exportLines: string[] = [];
    const exported = await exportTenant({ repo: exportDir, log: (l) => exportLines.push(l), progress: { intervalMs: 1 } }, tenantFor(emulator));
    expect(exported.complete).toBe(true);
    expect(exportLines.some((l) => /^Exporting: \d+ of \d+ found so far, [\d.]+\/s/.test(l))).toBe(true);
    expect(exportLines.filter((l) => new RegExp(`^Exporting: ${N} done in \\d+ s`).test(l))).toHaveLength(1);
  });

  it('the built action prints the progress inside ::group:: … ::endgroup::', async () => {
    const dir = path.join(scratch.dir, 'action');
    const { head } = await commitRoster(dir, N, () => 1, 'roster');
    const run = await runAction({
      actionDir: REPO_ROOT,
      workspace: dir,
      eventName: 'push',
      event: { after: head, ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
      inputs: { mode: 'apply', ...emulatorInputs(emulator), environment: 'staging' },
      env: {
        ...emulatorRunnerEnv(emulator),
        ENTRA_PHOTOS_PROGRESS_SECONDS: '0.4',
      },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.uploaded).toBe('40');
    const out = run.stdout.split('\n');
    const open = out.indexOf('::group::Uploading: progress');
    const close = out.indexOf('::endgroup::', open);
    expect(open).toBeGreaterThanOrEqual(0);
    expect(close).toBeGreaterThan(open);
    const inside = out.slice(open + 1, close);
    expect(inside.filter((l) => PROGRESS.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(inside.at(-1)).toMatch(FINAL);
    // No progress line outside the group.
    expect([...out.slice(0, open), ...out.slice(close + 1)].filter((l) => PROGRESS.test(l) || FINAL.test(l))).toEqual([]);
  });
});

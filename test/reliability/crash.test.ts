/**
 * Crash (quick form; `npm run bench:crash` kills a bigger run more times): `dist/cli.js apply`
 * as a child process, SIGKILLed at seeded random points, rerun until it finishes. After every
 * kill the applied-revision record is never ahead of the tenant (if the tag points at a
 * revision, every photo of that revision is live); in the end the tenant holds exactly the head's
 * photos and re-uploads caused by the kills stay bounded by the progress-note interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { tempDir } from '../helpers/repo.js';
import { appliedTag, commitRoster, mismatches, runCliApply, seedUsers, seeded, startTrustedEmulator } from './helpers.js';

const N = 120;
const ENV = 'crash';
/** Progress notes are written every 50 landed changes (apply's default), plus what is in flight. */
const LOSS_PER_KILL = 50 + 16 + 8;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-crash-');
  emulator = await startTrustedEmulator({
    users: seedUsers(N),
    throttle: { burst: 10, refillPerSecond: 50, countRejected: true, maxConcurrent: 0, appliesTo: 'writes' },
    latency: { medianMs: 20, spreadMs: 10 },
  });
});
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('crash: SIGKILL at random points, then rerun', () => {
  it('never records a revision ahead of the tenant, and converges with nothing lost', { timeout: 60_000 }, async () => {
    const repo = `${scratch.dir}/repo`;
    const random = seeded(20260501);
    const revisions: { head: string; expected: Map<string, string> }[] = [];
    const kills: string[] = [];

    const checkRecord = async (when: string) => {
      const tag = appliedTag(repo, ENV);
      const k = revisions.findIndex((r) => r.head === tag);
      if (tag !== undefined) expect(k, `${when}: the tag points at ${tag}, which no apply was asked for`).toBeGreaterThanOrEqual(0);
      if (k < 0) return;
      // The record may lag the tenant (a user already has the photo of the revision being
      // applied), never lead it: every user has the recorded revision's photo or a later one's.
      const live = new Map((await emulator.admin.state()).users.map((u) => [u.id, u.photo?.sha256]));
      const behind = [...revisions[k]!.expected].filter(([id]) => !revisions.slice(k).some((r) => r.expected.get(id) === live.get(id))).map(([id]) => id);
      expect(behind, `${when}: tag at ${tag!.slice(0, 8)} but these users hold neither its photo nor a later one`).toEqual([]);
    };

    const applyWithKills = async (label: string, maxKills: number) => {
      for (let attempt = 0; ; attempt++) {
        const killAfterMs = attempt < maxKills ? Math.round(300 + random() * 2200) : undefined;
        const run = await runCliApply(emulator, ['--repo', repo, '--remote', 'none', '--environment', ENV], killAfterMs !== undefined ? { killAfterMs } : {});
        if (run.signal === 'SIGKILL') kills.push(`${label}: killed after ${killAfterMs} ms`);
        await checkRecord(`${label}, run ${attempt + 1}${run.signal ? ` (killed at ${killAfterMs} ms)` : ''}`);
        if (run.signal === null) {
          expect(run.code, run.stderr + run.stdout.slice(0, 3000)).toBe(0);
          return;
        }
        expect(attempt).toBeLessThan(maxKills + 1);
      }
    };

    const okPuts = async () => (await emulator.admin.requests()).filter((r) => r.method === 'PUT' && r.status === 200).length;

    // Revision 1: everyone's first photo.
    revisions.push(await commitRoster(repo, N, () => 0, 'roster'));
    await applyWithKills('first import', 2);
    expect(appliedTag(repo, ENV)).toBe(revisions[0]!.head);
    expect(await mismatches(emulator, revisions[0]!.expected)).toEqual([]);
    const afterFirst = await okPuts();
    expect(afterFirst).toBeLessThanOrEqual(N + 2 * LOSS_PER_KILL);
    expect(kills.filter((k) => k.startsWith('first import')), 'no run of the first import was killed: the crash was not tested').not.toEqual([]);

    // Revision 2: retakes for two thirds of the users, killed again.
    revisions.push(await commitRoster(repo, N, (i) => (i % 3 === 0 ? 0 : 1), 'retakes'));
    const changed = N - Math.ceil(N / 3);
    await applyWithKills('retakes', 2);
    expect(appliedTag(repo, ENV)).toBe(revisions[1]!.head);
    expect(await mismatches(emulator, revisions[1]!.expected)).toEqual([]);
    const second = (await okPuts()) - afterFirst;
    expect(second).toBeGreaterThanOrEqual(changed);
    expect(second).toBeLessThanOrEqual(changed + 2 * LOSS_PER_KILL);
    expect(kills.filter((k) => k.startsWith('retakes')), 'no run of the retakes was killed: the crash was not tested').not.toEqual([]);
    console.log(`crash: ${kills.length} kills (${kills.join('; ')}); successful PUTs ${afterFirst} for ${N} + ${second} for ${changed}`);
  });
});

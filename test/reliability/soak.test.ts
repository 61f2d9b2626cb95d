/**
 * Soak (quick form; `npm run bench:soak` runs 5,000 users through the CLI): a few hundred users
 * applied with applyRevision against the emulator while ~10% of requests fail with 5xx, some
 * connections are reset and a 429 storm hits mid-run. Afterwards the tenant holds exactly the
 * desired state (every user's photo is the normalised output, byte for byte), the record points
 * at the head, and no user was uploaded more often than its retries explain: exactly one PUT per
 * user succeeded, and every other PUT of that user was a refused attempt (429, 5xx or reset).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRevision, type ApplyResult } from '../../src/apply/apply.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { WritePacer } from '../../src/pacing/index.js';
import { tempDir } from '../helpers/repo.js';
import { appliedTag, commitRoster, mismatches, seedUsers, startTrustedEmulator, tenantFor } from './helpers.js';

const N = 200;
const MAX_ATTEMPTS = 8;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-soak-');
  emulator = await startTrustedEmulator({
    users: seedUsers(N),
    throttle: { burst: 40, refillPerSecond: 150, countRejected: true, maxConcurrent: 0, appliesTo: 'writes' },
    latency: { medianMs: 5, spreadMs: 4 },
    seed: 6,
    faults: [
      { id: 'put-503', methods: ['PUT'], effect: 'status', status: 503, retryAfterSeconds: 0.05, probability: 0.05 },
      { id: 'put-500', methods: ['PUT'], effect: 'status', status: 500, probability: 0.03 },
      { id: 'put-504', methods: ['PUT'], effect: 'status', status: 504, probability: 0.02 },
      { id: 'put-reset', methods: ['PUT'], effect: 'reset', probability: 0.03 },
      { id: 'read-503', methods: ['GET'], effect: 'status', status: 503, probability: 0.1 },
    ],
  });
});
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('soak: faults, resets and a 429 storm', () => {
  it('converges to exactly the desired state; no user uploaded more than its retries explain', { timeout: 60_000 }, async () => {
    const repo = `${scratch.dir}/repo`;
    const { head, expected } = await commitRoster(repo, N, () => 0, 'roster');
    const tenant = tenantFor(emulator);

    // The 429 storm: once a fifth of the photos landed, the bucket shrinks to a trickle for a
    // second, then recovers.
    const storm = (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const puts = (await emulator.admin.requests()).filter((r) => r.method === 'PUT' && r.status === 200).length;
        if (puts >= N / 5) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await emulator.admin.setConfig({ throttle: { burst: 1, refillPerSecond: 15 } });
      await new Promise((r) => setTimeout(r, 1000));
      await emulator.admin.setConfig({ throttle: { burst: 40, refillPerSecond: 150 } });
    })();

    const started = performance.now();
    const runs: ApplyResult[] = [];
    for (let run = 0; run < 4; run++) {
      const result = await applyRevision(
        { repo, head, environment: 'soak', prune: false, dryRun: false, allowPolicyLockout: false, pacer: new WritePacer({ baseDelayMs: 20, maxDelayMs: 400, maxAttempts: MAX_ATTEMPTS }) },
        tenant,
      );
      runs.push(result);
      if (result.record === 'advanced' || result.record === 'unchanged') break;
    }
    await storm;
    const last = runs.at(-1)!;
    const failures = runs.flatMap((r) => r.outcomes.filter((o) => o.status === 'failed').map((o) => `${o.key.canonical}: ${o.reason}`));
    // Converged (the first run normally suffices; a rerun must finish what is left).
    expect(last.record, failures.join('\n')).toBe('advanced');
    expect(appliedTag(repo, 'soak')).toBe(head);
    expect(await mismatches(emulator, expected)).toEqual([]);

    const log = (await emulator.admin.requests()).filter((r) => r.api === 'graph');
    const puts = log.filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
    // Faults did fire, in every flavour.
    const count = (f: (r: (typeof puts)[number]) => boolean) => puts.filter(f).length;
    expect(count((r) => r.throttled)).toBeGreaterThan(0);
    expect(count((r) => r.status === 0)).toBeGreaterThan(0);
    expect(count((r) => r.status >= 500)).toBeGreaterThan(N * 0.05);
    expect(log.filter((r) => r.method === 'GET' && r.status === 503).length).toBeGreaterThan(0);

    const byUser = new Map<string, { ok: number; refused: number }>();
    for (const r of puts) {
      const u = byUser.get(r.userId!) ?? { ok: 0, refused: 0 };
      if (r.status === 200) u.ok++;
      else u.refused++;
      byUser.set(r.userId!, u);
    }
    expect(byUser.size).toBe(N);
    for (const [user, u] of byUser) {
      // One landed upload per user: a retry never re-sends a photo that already landed, and a
      // rerun skips what the progress note lists.
      expect(u.ok, user).toBe(1);
      // Every other PUT is a refused attempt, within the attempt budget of the runs made.
      expect(u.refused, user).toBeLessThanOrEqual((MAX_ATTEMPTS - 1) * runs.length);
    }
    console.log(
      `soak: ${N} users in ${Math.round(performance.now() - started)} ms, ${runs.length} run(s), ${puts.length} PUTs (${count((r) => r.throttled)} × 429, ${count((r) => r.status >= 500)} × 5xx, ${count((r) => r.status === 0)} resets), ` +
        `max refused PUTs for one user ${Math.max(...[...byUser.values()].map((u) => u.refused))}`,
    );
  });
});

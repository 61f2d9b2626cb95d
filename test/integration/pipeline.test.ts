/**
 * Lookups pipelined with uploads keep "one person, one photo" exact: a user is written only once
 * no other entry of the head can be the same tenant user, even when the other entry's lookup lands
 * in a later $batch (applyRevision in process, the emulator with latency, a real git repository).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRevision } from '../../src/apply/apply.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { applySucceeded } from '../../src/report/apply.js';
import { git, tempDir } from '../helpers/repo.js';
import { appliedTag, commitRoster, seedUsers, startTrustedEmulator, tenantFor, upnOf, userIdOf } from '../reliability/helpers.js';

const N = 400;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-pipeline-');
  emulator = await startTrustedEmulator({ users: seedUsers(N), throttle: false, latency: { medianMs: 100, spreadMs: 20 } });
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('pipelined apply', { timeout: 60_000 }, () => {
  it('uploads while users are still looked up, and writes neither entry of a pair whose second key is looked up batches later', async () => {
    const dir = path.join(scratch.dir, 'repo');
    await commitRoster(dir, N, () => 0, 'roster');
    // The last entry names u0 again by object id: its lookup is in the last batch, u0's UPN in the first.
    await writeFile(path.join(dir, 'manifests', 'zz-ids.yaml'), `version: 1\nusers:\n  - user: ${userIdOf(0)}\n    photo: p1.jpg\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'u0 twice');

    const result = await applyRevision({ repo: dir, head: 'HEAD', environment: 'production', prune: false, dryRun: false, allowPolicyLockout: false }, tenantFor(emulator));
    const log = (await emulator.admin.requests()).filter((r) => r.api === 'graph');
    const puts = log.filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));

    expect(puts.map((r) => r.userId)).not.toContain(userIdOf(0));
    expect(puts).toHaveLength(N - 1);
    const failed = result.outcomes.filter((o) => o.status === 'failed');
    expect(failed.map((o) => o.code)).toEqual(['same-user', 'same-user']);
    expect(failed.map((o) => o.key.value).sort()).toEqual([upnOf(0), userIdOf(0)].sort());
    expect(failed[0]!.reason).toContain('manifests/zz-ids.yaml:3');
    expect(applySucceeded(result)).toBe(false);
    expect(appliedTag(dir, 'production')).toBeUndefined();

    // Pipelined: the first upload left before the last lookup or presence $batch was sent.
    const lastBatch = log.filter((r) => r.method === 'POST' && r.path.endsWith('/$batch')).at(-1)!;
    expect(puts[0]!.seq).toBeLessThan(lastBatch.seq);
  });
});

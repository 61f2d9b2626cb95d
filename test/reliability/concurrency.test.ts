/**
 * Concurrency: two applies of different heads started together (two pushes in quick succession
 * without a workflow `concurrency` group, or a re-run racing a new push) must never leave the
 * applied-revision record pointing at a revision whose photos are not all live.
 *
 * The heads: A (applied), B = retakes for every user, C = B + a second retake for a few users
 * (the "contested" ones, whose photo differs between B and C). Both runs start from the record
 * A. Each scenario varies which run is slower, so that one finishes and moves the record while
 * the other is still uploading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRevision, type ApplyResult } from '../../src/apply/apply.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { WritePacer } from '../../src/pacing/index.js';
import { git, tempDir } from '../helpers/repo.js';
import { appliedTag, commitRoster, mismatches, seedUsers, startTrustedEmulator, tenantFor } from './helpers.js';

const N = 40;
const CONTESTED = (i: number) => i >= N - 5;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;

beforeAll(async () => {
  // Short apply leases: the waiting run polls every second instead of every 5 s (test time only).
  process.env['ENTRA_PHOTOS_LEASE_TTL_SECONDS'] = '4';
  scratch = await tempDir('entra-photos-concurrency-');
  emulator = await startTrustedEmulator({ users: seedUsers(N), throttle: false, latency: { medianMs: 10, spreadMs: 5 } });
});
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

/**
 * A pacer whose writes wait for `gate`: makes "run X is still uploading when run Y finishes"
 * deterministic instead of a matter of timing.
 */
class GatedPacer extends WritePacer {
  constructor(private readonly gate: Promise<unknown>) {
    super();
  }
  override run<T>(task: () => Promise<T>, label?: string): Promise<T> {
    return this.gate.then(() => super.run(task, label));
  }
}

/**
 * Was a known bug: two overlapping runs both planned from the same record, and the slower one
 * kept writing its versions of the contested users after the other had moved the record. Fixed by
 * the per-environment apply lease (src/apply/lock.ts): the second run waits, then plans from the
 * record the first one left, or stops if its head is older. Kept switchable for bisecting.
 */
const KNOWN_RACE = false;
const property = KNOWN_RACE ? it.fails : it;

async function scenario(name: string, slower: 'older' | 'newer') {
  const repo = `${scratch.dir}/${name}`;
  await emulator.admin.reset();
  const tenant = tenantFor(emulator);
  const env = 'race';
  const options = (head: string, pacer: WritePacer) => ({ repo, head, environment: env, prune: false, dryRun: false, allowPolicyLockout: false, pacer });

  const a = await commitRoster(repo, N, () => 0, 'A');
  expect((await applyRevision(options(a.head, new WritePacer()), tenant)).record).toBe('advanced');
  const b = await commitRoster(repo, N, () => 1, 'B: retakes');
  const c = await commitRoster(repo, N, (i) => (CONTESTED(i) ? 2 : 1), 'C: second retakes');
  git(repo, 'checkout', '-q', '--detach', a.head); // the working tree does not matter: apply reads commits

  // Both start together from record A; the slower one's writes wait until the other finished
  // (or 3 s: if apply serialises runs, the other may be waiting for this one, not racing it).
  let release!: () => void;
  const finished = new Promise<void>((resolve) => (release = resolve));
  const gate = Promise.race([finished, new Promise<void>((resolve) => setTimeout(resolve, 3000).unref())]);
  const fast = (head: string) => applyRevision(options(head, new WritePacer()), tenant).finally(release);
  const slow = (head: string) => applyRevision(options(head, new GatedPacer(gate)), tenant);
  const [older, newer] = slower === 'older' ? await Promise.all([slow(b.head), fast(c.head)]) : await Promise.all([fast(b.head), slow(c.head)]);
  const tag = appliedTag(repo, env);
  const recorded = [a, b, c].find((r) => r.head === tag)!;
  const notLive = await mismatches(emulator, recorded.expected);
  const label = (r: ApplyResult) => `${r.head.slice(0, 8)}: ${r.record}`;
  return { recorded: recorded === a ? 'A' : recorded === b ? 'B' : 'C', notLive, runs: `${label(older)}, ${label(newer)}` };
}

describe('concurrency: two applies of different heads started together', () => {
  property('the newer head finishes while the older one is still uploading: the record stays truthful', { timeout: 30_000 }, async () => {
    const r = await scenario('older-slow', 'older');
    expect(r.notLive, `record at ${r.recorded} (${r.runs}) but the older run overwrote these users afterwards`).toEqual([]);
  });

  property('the older head finishes while the newer one is still uploading: the record stays truthful', { timeout: 30_000 }, async () => {
    const r = await scenario('newer-slow', 'newer');
    expect(r.notLive, `record at ${r.recorded} (${r.runs}) but the newer run overwrote these users afterwards`).toEqual([]);
  });

  it('one run at a time (the workflow concurrency group): each advances in turn and the record is truthful', { timeout: 30_000 }, async () => {
    const repo = `${scratch.dir}/serial`;
    await emulator.admin.reset();
    const tenant = tenantFor(emulator);
    const options = (head: string) => ({ repo, head, environment: 'serial', prune: false, dryRun: false, allowPolicyLockout: false, pacer: new WritePacer() });
    await commitRoster(repo, N, () => 0, 'A');
    const b = await commitRoster(repo, N, () => 1, 'B');
    expect((await applyRevision(options(b.head), tenant)).record).toBe('advanced');
    const c = await commitRoster(repo, N, (i) => (CONTESTED(i) ? 2 : 1), 'C');
    expect((await applyRevision(options(c.head), tenant)).record).toBe('advanced');
    expect(appliedTag(repo, 'serial')).toBe(c.head);
    expect(await mismatches(emulator, c.expected)).toEqual([]);
  });
});

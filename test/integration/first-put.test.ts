/**
 * First upload within 1 s of sign-in (issue 12): the action's apply mode, in process (the real
 * @actions/core OIDC client, @azure/identity and Graph client) against the emulator with 100 ms
 * of latency per Graph request, on a first apply of 600 users (no record yet, so each user's
 * presence is checked before it is written). From the emulator's request log:
 *  - one GitHub OIDC token request serves the job's environment claim and the sign-in (MSAL asks
 *    for the assertion twice per sign-in; it was three requests);
 *  - lookups are pipelined with uploads: the first PUT leaves after one lookup $batch and one
 *    presence $batch, not after all of them (it left ~2.3 s after start, after ~60 $batch round
 *    trips, before this change).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../../src/action/applyMode.js';
import { readSettings } from '../../src/action/settings.js';
import type { RequestLogEntry, RunningEmulator } from '../../src/emulator/index.js';
import { tempDir } from '../helpers/repo.js';
import { emulatorInputs, inputEnv } from '../helpers/runAction.js';
import { appliedTag, commitRoster, mismatches, seedUsers, startTrustedEmulator } from '../reliability/helpers.js';

const N = 600;
const LATENCY_MS = 100;
let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;
let expected: Map<string, string>;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  scratch = await tempDir('entra-photos-first-put-');
  emulator = await startTrustedEmulator({ users: seedUsers(N), throttle: false, latency: { medianMs: LATENCY_MS, spreadMs: 0 } });
  repo = path.join(scratch.dir, 'repo');
  ({ expected } = await commitRoster(repo, N, () => 0, 'roster'));
}, 120_000);
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await emulator?.stop();
  await scratch?.cleanup();
});

/** Runs the action's apply mode in this process, as the runner would start it. */
async function applyInProcess(): Promise<void> {
  const env: Record<string, string> = {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKSPACE: repo,
    ...inputEnv({ mode: 'apply', ...emulatorInputs(emulator) }),
    ACTIONS_ID_TOKEN_REQUEST_URL: emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
  for (const [name, value] of Object.entries(env)) {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
  }
  await runApply(readSettings());
}

const at = (entry: RequestLogEntry) => Date.parse(entry.time);

describe('first upload within 1 s of sign-in', () => {
  it('one GitHub token; the first PUT follows one lookup and one presence round trip', { timeout: 120_000 }, async () => {
    await applyInProcess();
    const log = await emulator.admin.requests();
    expect(appliedTag(repo, 'production')).toBeDefined();
    expect(await mismatches(emulator, expected)).toEqual([]);

    const oidc = log.filter((r) => r.api === 'github-oidc');
    expect(oidc).toHaveLength(1);
    const signIn = log.find((r) => r.api === 'entra' && r.method === 'POST' && r.path.includes('/oauth2/v2.0/token'))!;
    const firstGraph = log.find((r) => r.api === 'graph')!;
    const firstPut = log.find((r) => r.method === 'PUT' && r.path.includes('/photo/'))!;
    const batchesBefore = log.filter((r) => r.api === 'graph' && r.method === 'POST' && r.path.endsWith('/$batch') && r.seq < firstPut.seq);
    const figures = {
      startToSignInMs: at(signIn) - at(oidc[0]!),
      signInToFirstPutMs: at(firstPut) - at(signIn),
      startToFirstPutMs: at(firstPut) - at(oidc[0]!),
      batchesBeforeFirstPut: batchesBefore.length,
    };
    console.log(`first PUT (${N} users, ${LATENCY_MS} ms per Graph request):`, JSON.stringify(figures));
    expect(firstGraph.seq).toBeGreaterThan(signIn.seq);
    // Lookups and presence checks are still in flight when uploads start.
    const lastBatch = log.filter((r) => r.api === 'graph' && r.path.endsWith('/$batch')).at(-1)!;
    expect(lastBatch.seq).toBeGreaterThan(firstPut.seq);
    expect(figures.signInToFirstPutMs).toBeLessThan(1000);
  });
});

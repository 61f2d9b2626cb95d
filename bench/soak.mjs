// Soak: thousands of users through `entra-photos apply` while the tenant misbehaves (issue 6).
//
// A repository of N users (default 5,000), applied with `node dist/cli.js apply` against the
// local tenant with ~10% of photo writes failing with 5xx (503 with Retry-After, 500, 502),
// ~3% connection resets, 10% of lookups failing with 503, a throttle, and 429 storms (every
// `--storm-every` seconds the bucket empties and refills at `--storm-rate`/s for 3 s, then the
// normal limit returns). Note: with a deep storm (`--storm-rate 5`) the run currently crawls at
// about 1.5× the storm's rate until it ends: WritePacer does not find the restored limit again
// (see docs/performance.md, "Findings"). The apply is rerun until the
// record advances (a user can exhaust its attempts; the next run must finish what is left).
// Then:
//   - the tenant equals the desired state exactly: every user's photo sha256 equals the one a
//     clean reference apply of the same repository (no faults, no throttle) produced;
//   - no user was uploaded more often than its retries explain: per user, from the emulator's
//     request log, exactly one PUT succeeded and the refused ones stay within the attempt budget.
// Bounded: fixed N, at most --max-runs runs; 127.0.0.1 only.
//
// Usage: npm run bench:soak [-- --users 5000 --burst 300 --rate 50 --storm-every 20 --storm-rate 25 --max-runs 5]
//        (a few minutes at the defaults; --users 500 for a quick look)
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { fmt, photoSet, runApply, startEmulator, users, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '5000' },
    burst: { type: 'string', default: '300' },
    rate: { type: 'string', default: '50' },
    latency: { type: 'string', default: '50:30' },
    'storm-every': { type: 'string', default: '20' },
    'storm-rate': { type: 'string', default: '25' },
    'max-runs': { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
  },
});
const N = Number(values.users);
const throttle = { burst: Number(values.burst), refillPerSecond: Number(values.rate) };
const MAX_ATTEMPTS = 6; // the CLI's WritePacer default
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-soak-'));
const faults = [
  { id: 'put-503', methods: ['PUT'], effect: 'status', status: 503, retryAfterSeconds: 0.2, probability: 0.05 },
  { id: 'put-500', methods: ['PUT'], effect: 'status', status: 500, probability: 0.03 },
  { id: 'put-502', methods: ['PUT'], effect: 'status', status: 502, probability: 0.02 },
  { id: 'put-reset', methods: ['PUT'], effect: 'reset', probability: 0.03 },
  { id: 'read-503', methods: ['GET'], effect: 'status', status: 503, probability: 0.1 },
];

try {
  console.log(`entra-photos soak (node ${process.version}, ${availableParallelism()} cores): ${N} users, bucket ${throttle.burst} + ${throttle.refillPerSecond}/s, latency ${values.latency} ms, faults ${faults.map((f) => `${f.id} ${f.probability * 100}%`).join(', ')}, 429 storm (${values['storm-rate']}/s for 3 s) every ${values['storm-every']} s`);
  const { photoOf } = await photoSet(sharp, { width: 648, distinct: 64 });
  const repo = path.join(scratch, 'repo');
  writeRepo(repo, N, photoOf);
  const seeds = users(N);

  // Reference: the same repository applied to a clean tenant.
  const clean = await startEmulator({ users: seeds, throttle: 'off', scratch });
  let reference;
  try {
    const run = await runApply({ repo, emulator: clean });
    if (run.code !== 0) throw new Error(`reference apply failed: ${run.stderr || run.stdout.slice(0, 2000)}`);
    reference = new Map((await clean.admin.state()).users.map((u) => [u.id, u.photo?.sha256]));
  } finally {
    await clean.stop();
  }

  const emulator = await startEmulator({ users: seeds, throttle: `${throttle.burst}:${throttle.refillPerSecond}`, latency: values.latency, seed: Number(values.seed), scratch });
  try {
    await emulator.admin.setConfig({ faults });
    let stopStorms = false;
    let storms = 0;
    const stormLoop = (async () => {
      const every = Number(values['storm-every']) * 1000;
      while (!stopStorms) {
        await new Promise((r) => setTimeout(r, every));
        if (stopStorms) break;
        storms++;
        await emulator.admin.setConfig({ throttle: { burst: 1, refillPerSecond: Number(values['storm-rate']) } });
        await new Promise((r) => setTimeout(r, 3000));
        await emulator.admin.setConfig({ throttle });
      }
    })();
    const started = performance.now();
    const runs = [];
    for (let i = 0; i < Number(values['max-runs']); i++) {
      // fresh only for the first run: later runs resume from the progress notes.
      const run = await runApply({ repo, emulator, fresh: i === 0 });
      runs.push(run);
      console.log(`  run ${i + 1}: exit ${run.code}, ${run.json?.counts?.uploaded ?? '?'} uploaded, ${run.json?.counts?.failed ?? '?'} failed, ${run.json?.alreadyLanded ?? 0} already landed, record ${run.json?.record}, ${fmt(run.wallMs / 1000, 1)} s, ${fmt(run.peakRssMB, 0)} MB`);
      if (run.json?.record === 'advanced' || run.json?.record === 'unchanged') break;
    }
    stopStorms = true;
    await stormLoop;
    const seconds = (performance.now() - started) / 1000;

    const live = new Map((await emulator.admin.state()).users.map((u) => [u.id, u.photo?.sha256]));
    const wrong = seeds.filter((u) => !reference.get(u.id) || live.get(u.id) !== reference.get(u.id)).map((u) => u.userPrincipalName);
    const log = (await emulator.admin.requests()).filter((r) => r.api === 'graph');
    const puts = log.filter((r) => r.method === 'PUT' && r.path.includes('/photo/'));
    const perUser = new Map();
    for (const r of puts) {
      const u = perUser.get(r.userId) ?? { ok: 0, refused: 0 };
      if (r.status === 200) u.ok++;
      else u.refused++;
      perUser.set(r.userId, u);
    }
    const overUploaded = [...perUser].filter(([, u]) => u.ok !== 1).map(([id, u]) => `${id} (${u.ok} successful PUTs)`);
    const overBudget = [...perUser].filter(([, u]) => u.refused > (MAX_ATTEMPTS - 1) * runs.length);
    const maxPerUser = Math.max(...[...perUser.values()].map((u) => u.ok + u.refused));
    const last = runs.at(-1);
    const pass = wrong.length === 0 && overUploaded.length === 0 && overBudget.length === 0 && last.json?.record === 'advanced';

    console.log('\n| users | runs | time s | PUTs | 429 | 5xx | resets | lookups 503 | storms | max PUTs one user | users ≠ desired | users with ≠ 1 successful PUT | peak RSS MB | result |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    console.log(
      `| ${N} | ${runs.length} | ${fmt(seconds, 0)} | ${puts.length} | ${puts.filter((r) => r.throttled).length} | ${puts.filter((r) => r.status >= 500).length} | ${puts.filter((r) => r.status === 0).length} | ${log.filter((r) => r.method === 'GET' && r.status === 503).length} | ${storms} | ${maxPerUser} | ${wrong.length} | ${overUploaded.length} | ${fmt(Math.max(...runs.map((r) => r.peakRssMB)), 0)} | ${pass ? 'PASS' : 'FAIL'} |`,
    );
    if (wrong.length) console.log(`not in the desired state: ${wrong.slice(0, 20).join(', ')}${wrong.length > 20 ? ', …' : ''}`);
    if (overUploaded.length) console.log(`uploaded more than once: ${overUploaded.slice(0, 20).join(', ')}`);
    if (!pass) process.exitCode = 1;
  } finally {
    await emulator.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

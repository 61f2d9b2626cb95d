// Apply throughput against the throttle, side by side in one run (issue 5 "Performance", issue 6).
//
// Each scenario starts a fresh local tenant (`entra-photos emulator`, its own process: a token
// bucket of burst B refilling at R/s, rejected requests counted against the quota as Graph
// does, median latency ± spread), then runs, one after the other against fresh emulators with
// the same settings:
//   - entra-photos: `node dist/cli.js apply` on a git repository of N pre-normalised 648² photos
//     (the whole CLI: validate, plan, resolve users with $batch, normalise, paced upload, record);
//   - the usual PowerShell approach: one PUT at a time (Retry-After honoured), on a fixed count;
//   - optionally fixed-concurrency scripts (32 in flight) that retry on their own schedule or
//     honour each Retry-After without shared pacing.
// The physical ceiling for N uploads is (N − B)/R seconds; "of ceiling" is that minimum divided
// by the measured upload phase (first PUT to last successful PUT, from the emulator's request
// log), so 1.00 means as fast as the tenant allows. Prints ratios; machines are noisy, nothing
// here asserts an absolute time. Only 127.0.0.1; every load has a fixed count and stops.
//
// Usage: npm run bench:apply [-- --quick | --full] [-- --only 'R=200']
//   default  ≈ 5 min: the issue-5 headline (N=2000, B=300, R=20, 100 ms), fixed concurrency at
//            N=800, latency sweep at R=200 (20/100/300 ms, photos sent as is)
//   --quick  smaller N everywhere (≈ 1.5 min), for a smoke run
//   --full   also the fixed-concurrency scripts at N=2000, R=50, and R=200 with normalisation on
//   --only T only the scenarios whose name contains T (e.g. 'R=200')
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { baselineUpload, cpuSecondsOf, fmt, photoSet, putStats, runApply, startEmulator, userId, users, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, full: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick;
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-apply-'));

/** Scenarios: N photos, bucket B/R, latency median:spread; which clients to run. */
// `asIs`: the manifest says `normalise: false` (photos already 648² JPEGs, sent as they are after
// a decode check and a metadata strip); otherwise the default settings re-normalise them (CPU).
const scenarios = quick
  ? [
      { name: 'throttle-bound', n: 500, b: 100, r: 20, latency: '100:50', fixed: true, sequentialCount: 40 },
      { name: 'R=200, as is', n: 600, b: 100, r: 200, latency: '100:50', asIs: true, sequentialCount: 40 },
      { name: 'R=200, normalised', n: 600, b: 100, r: 200, latency: '100:50', sequentialCount: 0 },
    ]
  : [
      { name: 'issue-5 headline', n: 2000, b: 300, r: 20, latency: '100:50', fixed: values.full, sequentialCount: 100 },
      { name: 'fixed concurrency', n: 800, b: 300, r: 20, latency: '100:50', fixed: true, sequentialCount: 0 },
      { name: 'R=200, as is', n: 2000, b: 300, r: 200, latency: '20:10', asIs: true, sequentialCount: 200 },
      { name: 'R=200, as is', n: 2000, b: 300, r: 200, latency: '100:50', asIs: true, sequentialCount: 100 },
      { name: 'R=200, as is', n: 2000, b: 300, r: 200, latency: '300:100', asIs: true, sequentialCount: 40 },
      ...(values.full
        ? [
            { name: 'R=50', n: 1000, b: 300, r: 50, latency: '100:50', sequentialCount: 0 },
            { name: 'R=200, normalised', n: 2000, b: 300, r: 200, latency: '100:50', sequentialCount: 100 },
          ]
        : []),
    ];

// --only R=200 runs the scenarios whose name contains that text.
if (values.only) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => s.name.includes(values.only)));
const maxN = Math.max(...scenarios.map((s) => s.n));
console.log(`entra-photos apply throughput bench (node ${process.version}, ${availableParallelism()} cores: ${cpus()[0]?.model ?? '?'})`);
const { photoOf } = await photoSet(sharp, { width: 648, distinct: 32 });
const repos = new Map();
function repoFor(n, asIs) {
  const key = `${n}-${asIs ? 'as-is' : 'normalised'}`;
  if (!repos.has(key)) {
    const dir = path.join(scratch, `repo-${key}`);
    writeRepo(dir, n, photoOf, { header: asIs ? ['normalise: false'] : [] });
    repos.set(key, dir);
  }
  return repos.get(key);
}
const seeds = users(maxN);
const rows = [];

async function withEmulator(s, fn) {
  const emulator = await startEmulator({ users: seeds.slice(0, s.n), throttle: `${s.b}:${s.r}`, latency: s.latency, scratch });
  try {
    return await fn(emulator);
  } finally {
    await emulator.stop();
  }
}

try {
  for (const s of scenarios) {
    const minimum = Math.max(0, (s.n - s.b) / s.r);
    const label = `N=${s.n} B=${s.b} R=${s.r}/s ${s.latency.split(':')[0]} ms`;
    process.stdout.write(`\n${s.name}: ${label} (ceiling ${fmt(minimum, 1)} s)\n`);
    const repo = repoFor(s.n, s.asIs);

    // entra-photos apply (the CLI, as an admin runs it).
    const ours = await withEmulator(s, async (emulator) => {
      const run = await runApply({ repo, emulator });
      if (run.code !== 0) throw new Error(`apply failed (${run.code}): ${run.stderr || run.stdout.slice(0, 2000)}`);
      if (run.json.counts.uploaded !== s.n) throw new Error(`apply uploaded ${run.json.counts.uploaded} of ${s.n}`);
      return { run, puts: putStats(await emulator.admin.requests()), emulatorCpu: cpuSecondsOf(emulator.pid) };
    });
    const oursRate = s.n / ours.puts.seconds;
    const row = {
      scenario: s.name,
      label,
      client: 'entra-photos apply',
      uploaded: ours.run.json.counts.uploaded,
      failed: ours.run.json.counts.failed,
      attempts: ours.puts.attempts,
      throttledPct: (100 * ours.puts.throttled) / ours.puts.attempts,
      phase: ours.puts.seconds,
      wall: ours.run.wallMs / 1000,
      ofCeiling: minimum > 0 ? minimum / ours.puts.seconds : undefined,
      overMin: minimum > 0 ? ours.puts.seconds / minimum : undefined,
      wallOverMin: minimum > 0 ? ours.run.wallMs / 1000 / minimum : undefined,
      rate: oursRate,
      rss: ours.run.peakRssMB,
      cpu: `${fmt(ours.run.cpuSeconds, 0)} / ${fmt(ours.emulatorCpu, 0)}`,
    };
    rows.push(row);
    console.log(`  entra-photos: ${fmt(row.phase, 1)} s upload phase (${fmt(row.overMin, 3)}× minimum), ${fmt(row.wall, 1)} s whole run, ${fmt(row.throttledPct)}% 429, ${row.failed} failed, ${fmt(row.rss, 0)} MB peak RSS, CPU s apply/emulator ${row.cpu}`);

    if (s.sequentialCount) {
      const count = s.sequentialCount;
      const jpeg = photoOf(0);
      const seq = await withEmulator(s, (emulator) => baselineUpload(emulator, Array.from({ length: count }, (_, i) => ({ userId: userId(i), jpeg })), { concurrency: 1 }));
      const seqRow = { scenario: s.name, label, client: `one at a time (${count} PUTs)`, uploaded: seq.ok, failed: seq.failed, attempts: seq.attempts, throttledPct: (100 * seq.throttled) / seq.attempts, phase: seq.seconds, rate: seq.rate };
      // Its time for all N at that rate (it never reaches R here), for the ceiling column.
      const projected = Math.max(s.n / seq.rate, minimum);
      seqRow.ofCeiling = minimum > 0 ? minimum / projected : undefined;
      row.vsSequential = oursRate / seq.rate;
      row.wallVsSequential = s.n / row.wall / seq.rate;
      rows.push(seqRow);
      console.log(`  one at a time: ${fmt(seq.rate, 1)} PUT/s → entra-photos is ${fmt(row.vsSequential, 1)}× faster (upload phase), ${fmt(row.wallVsSequential, 1)}× (whole run)`);
    }

    if (s.fixed) {
      const jobs = Array.from({ length: s.n }, (_, i) => ({ userId: userId(i), jpeg: photoOf(i) }));
      for (const variant of [
        { retryAfter: 'ignore', client: 'fixed 32 in flight, own backoff (1 s doubling, 4 attempts)' },
        { retryAfter: 'honour', client: 'fixed 32 in flight, per-request Retry-After (4 attempts)' },
      ]) {
        const fixed = await withEmulator(s, (emulator) => baselineUpload(emulator, jobs, { concurrency: 32, retryAfter: variant.retryAfter, maxAttempts: 4 }));
        const fixedRow = {
          scenario: s.name,
          label,
          client: variant.client,
          uploaded: fixed.ok,
          failed: fixed.failed,
          attempts: fixed.attempts,
          throttledPct: (100 * fixed.throttled) / fixed.attempts,
          phase: fixed.lastOkSeconds,
          rate: fixed.ok / fixed.seconds,
          ofCeiling: fixed.failed === 0 && minimum > 0 ? minimum / fixed.lastOkSeconds : undefined,
          overMin: fixed.failed === 0 && minimum > 0 ? fixed.lastOkSeconds / minimum : undefined,
        };
        rows.push(fixedRow);
        console.log(`  ${variant.client}: ${fixed.ok}/${s.n} uploaded, ${fixed.failed} failed, ${fmt(fixedRow.throttledPct)}% 429 in ${fmt(fixed.seconds, 1)} s`);
      }
    }
  }

  console.log('\n| scenario | tenant | client | uploaded | failed | PUTs | 429s | upload phase s | ×minimum | of ceiling | whole run s | ×minimum (whole run) | PUT/s | vs one-at-a-time | peak RSS MB | CPU s apply / emulator |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.label} | ${r.client} | ${r.uploaded} | ${r.failed} | ${r.attempts} | ${fmt(r.throttledPct)}% | ${fmt(r.phase, 1)} | ${r.overMin ? `${fmt(r.overMin, 3)}×` : '–'} | ${r.ofCeiling ? fmt(r.ofCeiling) : '–'} | ${r.wall ? fmt(r.wall, 1) : '–'} | ${r.wallOverMin ? `${fmt(r.wallOverMin, 3)}×` : '–'} | ${fmt(r.rate, 1)} | ${r.vsSequential ? `${fmt(r.vsSequential, 1)}× (${fmt(r.wallVsSequential, 1)}× whole run)` : '–'} | ${r.rss ? fmt(r.rss, 0) : '–'} | ${r.cpu ?? '–'} |`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

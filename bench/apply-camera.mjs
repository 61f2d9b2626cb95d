// Camera-sized inputs: does normalising overlap uploading? (issue 5 "Performance", third point)
//
// N camera originals (3000×4000 JPEG, ~3 MB, photo-like noise so they compress like photos) in a
// git repository, applied with `node dist/cli.js apply` against the local tenant with a bucket
// chosen so that both stages take about as long (the case where overlapping matters most).
// Measured side by side in one run:
//   - normalise stage alone: `entra-photos validate --all` on the same repository (the same
//     checkPhoto decode + normalise, same parallelism, no network);
//   - upload stage alone: `entra-photos apply` of N already-normalised photos sent as is
//     (`normalise: false`) against a fresh tenant with the same bucket and latency;
//   - total: `entra-photos apply` of the camera originals against a fresh tenant.
// Overlap ratio = total / max(stages): 1.0 is perfect overlap, 2.0 would be no overlap at all.
// Peak RSS is the apply process's VmHWM, sampled from /proc while it runs.
//
// Usage: npm run bench:overlap [-- --n 240 --burst 48 --rate 20 --latency 100:50 --repeat 1]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CLI, NODE, fmt, photoSet, putStats, runApply, startEmulator, users, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '240' },
    burst: { type: 'string', default: '48' },
    rate: { type: 'string', default: '20' },
    latency: { type: 'string', default: '100:50' },
    repeat: { type: 'string', default: '1' },
  },
});
const n = Number(values.n);
const b = Number(values.burst);
const r = Number(values.rate);
const repeat = Number(values.repeat);
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-camera-'));

try {
  console.log(`entra-photos camera-sized apply bench (node ${process.version}, ${availableParallelism()} cores): N=${n}, bucket ${b} + ${r}/s, latency ${values.latency} ms`);
  let t = performance.now();
  const camera = await photoSet(sharp, { width: 3000, height: 4000, distinct: 6, quality: 88, grain: 6 });
  const small = await photoSet(sharp, { width: 648, distinct: 32 });
  const cameraRepo = path.join(scratch, 'camera');
  writeRepo(cameraRepo, n, camera.photoOf);
  const asIsRepo = path.join(scratch, 'as-is');
  writeRepo(asIsRepo, n, small.photoOf, { header: ['normalise: false'] });
  const meanMB = camera.bases.reduce((s, x) => s + x.length, 0) / camera.bases.length / 1e6;
  console.log(`inputs: ${n} × 3000×4000 JPEG, mean ${fmt(meanMB, 1)} MB (made in ${fmt((performance.now() - t) / 1000, 1)} s)`);
  const seeds = users(n);
  const minimum = (n - b) / r;

  const applyOnce = async (repo) => {
    const emulator = await startEmulator({ users: seeds, throttle: `${b}:${r}`, latency: values.latency, scratch });
    try {
      const run = await runApply({ repo, emulator });
      if (run.code !== 0) throw new Error(`apply failed (${run.code}): ${run.stderr || run.stdout.slice(0, 2000)}`);
      return { ...run, puts: putStats(await emulator.admin.requests()) };
    } finally {
      await emulator.stop();
    }
  };

  const rows = [];
  for (let i = 0; i < repeat; i++) {
    // Normalise stage alone: validate --all decodes and normalises every photo (exit 0 or 1 for warnings is fine).
    t = performance.now();
    try {
      execFileSync(NODE, [CLI, 'validate', '--repo', cameraRepo, '--all', '--format', 'json'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      if (e.status !== 1) throw e;
    }
    const normaliseS = (performance.now() - t) / 1000;

    const upload = await applyOnce(asIsRepo);
    const total = await applyOnce(cameraRepo);
    const slower = Math.max(normaliseS, upload.wallMs / 1000);
    rows.push({ normaliseS, uploadS: upload.wallMs / 1000, uploadRss: upload.peakRssMB, totalS: total.wallMs / 1000, totalPhase: total.puts.seconds, ratio: total.wallMs / 1000 / slower, sum: (normaliseS + upload.wallMs / 1000) / slower, rss: total.peakRssMB, throttledPct: (100 * total.puts.throttled) / total.puts.attempts, failed: total.json.counts.failed });
  }

  console.log(`\nceiling for the uploads alone: (N − B)/R = ${fmt(minimum, 1)} s`);
  console.log('\n| run | normalise stage alone s (validate --all) | upload stage alone s (apply, as is) | total s (apply camera originals) | total / slower stage | no overlap would be | 429s | failed | peak RSS MB (camera apply) | peak RSS MB (as-is apply) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  rows.forEach((x, i) =>
    console.log(`| ${i + 1} | ${fmt(x.normaliseS, 1)} (${fmt(n / x.normaliseS, 1)} photos/s) | ${fmt(x.uploadS, 1)} | ${fmt(x.totalS, 1)} | ${fmt(x.ratio)}× | ${fmt(x.sum)}× | ${fmt(x.throttledPct)}% | ${x.failed} | ${fmt(x.rss, 0)} | ${fmt(x.uploadRss, 0)} |`),
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

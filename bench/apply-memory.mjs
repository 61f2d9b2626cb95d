// Peak memory while applying 5,000 photos (issue 6), and whether it grows with the count.
//
// `node dist/cli.js apply` as a child process against the local tenant (throttle off, 20 ms
// latency: memory, not pacing, is under test), its peak RSS (VmHWM) sampled from /proc. The same
// run at a tenth of the size, side by side, shows whether memory grows with the number of photos
// (it should not: normalised photos waiting for the network are bounded).
//
// Usage: npm run bench:memory [-- --sizes 500,5000 --camera]
//   --camera  inputs are 3000×4000 camera originals (~3 MB) instead of 648² portraits (slow:
//             ~25 photos/s to normalise; the repository is ~3 MB × N on disk)
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { fmt, photoSet, putStats, runApply, startEmulator, users, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '500,5000' }, camera: { type: 'boolean', default: false } } });
const sizes = values.sizes.split(',').map(Number);
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-memory-'));
try {
  console.log(`entra-photos apply memory bench (node ${process.version}, ${availableParallelism()} cores), ${values.camera ? '3000×4000 camera originals' : '648² portraits'}`);
  const set = values.camera ? await photoSet(sharp, { width: 3000, height: 4000, distinct: 6, quality: 88, grain: 6 }) : await photoSet(sharp, { width: 648, distinct: 32 });
  const rows = [];
  for (const n of sizes) {
    const repo = path.join(scratch, `repo-${n}`);
    writeRepo(repo, n, set.photoOf);
    const emulator = await startEmulator({ users: users(n), throttle: 'off', latency: '20:10', scratch });
    try {
      const run = await runApply({ repo, emulator });
      if (run.code !== 0) throw new Error(`apply failed (${run.code}): ${run.stderr || run.stdout.slice(0, 2000)}`);
      const puts = putStats(await emulator.admin.requests());
      rows.push({ n, rss: run.peakRssMB, wall: run.wallMs / 1000, uploaded: run.json.counts.uploaded, ok: puts.ok });
      console.log(`  ${n}: ${fmt(run.peakRssMB, 0)} MB peak RSS, ${fmt(run.wallMs / 1000, 1)} s`);
    } finally {
      await emulator.stop();
    }
  }
  const first = rows[0];
  console.log('\n| photos | uploaded | whole run s | photos/s | peak RSS MB | RSS vs smallest |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const x of rows) console.log(`| ${x.n} | ${x.uploaded} | ${fmt(x.wall, 1)} | ${fmt(x.n / x.wall, 1)} | ${fmt(x.rss, 0)} | ${fmt(x.rss / first.rss)}× |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

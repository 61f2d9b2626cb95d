// Validate/normalise throughput on this machine vs a bare sharp pipeline (issue 6): our overhead.
//
// For each input kind, a folder of N photos with a manifest, then, interleaved, `repeat` times:
//   - entra-photos: `node dist/cli.js validate --all` (every photo read, header-checked, decoded
//     and normalised once: auto-orient, sRGB, flatten, cover-crop 648², JPEG q90, metadata check);
//   - bare sharp: a child process running sharp(file).resize(648, 648).jpeg(q90) over the same
//     files with the same photos in flight (cores + 1) — bench/lib/bare-sharp.mjs.
// Both are whole child processes (startup included on both sides). Reported: photos/s of each
// and the ratio of times (target ≤ 1.2×). Inputs: 3000×4000 camera JPEGs (~3 MB, photo-like
// noise) and already-normalised 648² JPEGs.
//
// Usage: npm run bench:normalise [-- --camera 120 --normalised 600 --repeat 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CLI, NODE, ROOT, fmt, median, photoSet, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({ options: { camera: { type: 'string', default: '120' }, normalised: { type: 'string', default: '600' }, repeat: { type: 'string', default: '3' } } });
const repeat = Number(values.repeat);
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-normalise-'));

function timeOurs(dir) {
  const t = performance.now();
  let out;
  try {
    out = execFileSync(NODE, [CLI, 'validate', '--repo', dir, '--all', '--format', 'json'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status !== 1) throw e; // 1 = findings (warnings only are 0; errors would be a bench bug)
    out = e.stdout;
  }
  const seconds = (performance.now() - t) / 1000;
  const json = JSON.parse(out.toString());
  if (json.stats?.photosDecoded !== undefined && json.stats.photosDecoded === 0) throw new Error('validate decoded nothing');
  return { seconds, errors: json.counts?.errors ?? json.summary?.errors };
}

function timeBare(dir) {
  const t = performance.now();
  const out = JSON.parse(execFileSync(NODE, [path.join(ROOT, 'bench', 'lib', 'bare-sharp.mjs'), path.join(dir, 'photos')], { maxBuffer: 1 << 20 }).toString());
  return { seconds: (performance.now() - t) / 1000, photos: out.photos };
}

try {
  console.log(`entra-photos normalise bench (node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ${availableParallelism()} cores: ${cpus()[0]?.model ?? '?'}, ${repeat} runs each, interleaved)`);
  const kinds = [];
  if (Number(values.camera) > 0) {
    const set = await photoSet(sharp, { width: 3000, height: 4000, distinct: 6, quality: 88, grain: 6 });
    const dir = path.join(scratch, 'camera');
    writeRepo(dir, Number(values.camera), set.photoOf, { commit: false });
    kinds.push({ name: `camera 3000×4000 (${fmt(set.bases[0].length / 1e6, 1)} MB)`, n: Number(values.camera), dir, ours: [], bare: [] });
  }
  if (Number(values.normalised) > 0) {
    const set = await photoSet(sharp, { width: 648, distinct: 32 });
    const dir = path.join(scratch, 'normalised');
    writeRepo(dir, Number(values.normalised), set.photoOf, { commit: false });
    kinds.push({ name: `already normalised 648² (${Math.round(set.bases[0].length / 1024)} KB)`, n: Number(values.normalised), dir, ours: [], bare: [] });
  }
  // Fixed costs (process start, loading the CLI and sharp, git/manifest reading) measured on a
  // one-photo copy of each input, so that the per-photo ratio can be shown apart from them.
  for (const k of kinds) {
    k.one = path.join(scratch, `${path.basename(k.dir)}-one`);
    const { readFileSync } = await import('node:fs');
    writeRepo(k.one, 1, () => readFileSync(path.join(k.dir, 'photos', 'p0.jpg')), { commit: false });
    k.ours1 = [];
    k.bare1 = [];
  }
  for (let i = 0; i < repeat; i++) {
    for (const k of kinds) {
      k.ours.push(timeOurs(k.dir).seconds);
      k.bare.push(timeBare(k.dir).seconds);
      k.ours1.push(timeOurs(k.one).seconds);
      k.bare1.push(timeBare(k.one).seconds);
    }
  }
  console.log('\n| input | photos | entra-photos validate --all photos/s | bare sharp photos/s | time ratio (ours / bare) | fixed cost s (ours / bare) | per-photo ratio (fixed costs removed) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const k of kinds) {
    const ours = median(k.ours);
    const bare = median(k.bare);
    const ours1 = median(k.ours1);
    const bare1 = median(k.bare1);
    console.log(`| ${k.name} | ${k.n} | ${fmt(k.n / ours, 1)} | ${fmt(k.n / bare, 1)} | ${fmt(ours / bare)}× | ${fmt(ours1)} / ${fmt(bare1)} | ${fmt((ours - ours1) / (bare - bare1))}× |`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

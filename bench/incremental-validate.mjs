// Incremental validation cost vs repository size (issue: "cost grows with the change, not with
// the repository"). Builds real git repositories with N photos, commits a one-photo change, and
// times `entra-photos plan --base HEAD~1 --head HEAD` (the pull-request check) on each, side by
// side in one run. Prints ratios, not absolute claims. Not a test.
//
// Usage: npm run bench:incremental [-- --sizes 50,5000,20000 --repeat 5]   (default 50,5000; 20,000 adds ~1 min)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '50,5000' }, repeat: { type: 'string', default: '5' } } });
const sizes = values.sizes.split(',').map(Number);
const repeat = Number(values.repeat);
const root = path.resolve(import.meta.dirname, '..');
// The committed build, or a copy of it (ENTRA_PHOTOS_DIST=DIR) that a rebuild cannot change mid-run.
const cli = path.join(process.env.ENTRA_PHOTOS_DIST ? path.resolve(process.env.ENTRA_PHOTOS_DIST) : path.join(root, 'dist'), 'cli.js');
const sample = readFileSync(path.join(root, 'photos', 'staff', 'ada.lovelace.jpg'));
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-'));
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

async function makeRepo(n) {
  const dir = path.join(scratch, `repo-${n}`);
  mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  mkdirSync(path.join(dir, 'photos', 'students'), { recursive: true });
  const lines = ['version: 1', 'users:'];
  for (let i = 0; i < n; i++) {
    const id = String(100000 + i);
    // Distinct blobs without n encodes: a real JPEG followed by a unique trailer after EOI.
    writeFileSync(path.join(dir, 'photos', 'students', `${id}.jpg`), Buffer.concat([sample, Buffer.from(`#${id}`)]));
    lines.push(`  - employeeId: "${id}"`, `    photo: students/${id}.jpg`);
  }
  writeFileSync(path.join(dir, 'manifests', 'students.yaml'), lines.join('\n') + '\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'roster');
  // The change under review: one retake.
  const retake = await sharp({ create: { width: 900, height: 900, channels: 3, background: '#884422' } }).jpeg().toBuffer();
  writeFileSync(path.join(dir, 'photos', 'students', `${100000}.jpg`), retake);
  git(dir, 'commit', '-qam', 'retake');
  return dir;
}

function timePlan(dir) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'plan', '--repo', dir, '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`plan failed on ${dir}: ${r.stderr || r.stdout.slice(0, 2000)}`);
  const json = JSON.parse(r.stdout);
  return { ms, uploads: json.uploads.length, decoded: json.validation.stats.photosDecoded };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  console.log(`entra-photos incremental validation bench (node ${process.version}, ${repeat} runs each, interleaved)`);
  const repos = [];
  for (const n of sizes) repos.push({ n, dir: await makeRepo(n), times: [], decoded: 0 });
  for (let i = 0; i < repeat; i++) {
    for (const repo of repos) {
      const t = timePlan(repo.dir);
      repo.times.push(t.ms);
      repo.decoded = t.decoded;
      if (t.uploads !== 1) throw new Error(`expected a one-upload plan, got ${t.uploads}`);
    }
  }
  const baseline = median(repos[0].times);
  console.log('\n| photos in repo | photos decoded | median ms | ratio vs smallest |');
  console.log('|---:|---:|---:|---:|');
  for (const repo of repos) {
    const m = median(repo.times);
    console.log(`| ${repo.n} | ${repo.decoded} | ${m.toFixed(0)} | ${(m / baseline).toFixed(2)}× |`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// `history` cost on a realistic repository (issue #18: "a 5,000-user repository with 500 commits
// answers one user's history in about a second"). Builds a real git repository with git
// fast-import: N users in M manifest files (one per grade), then C commits, each a retake (a photo
// replaced in place), a remap (manifest points at a new file), a rename, a move to another
// manifest, a removal or a re-adding. Times the built CLI: `history <one user>` and `log` (every
// subject, JSON), with peak memory when /usr/bin/time is available: the whole run's (node or any
// git child, whichever is larger), node's own (peak RSS, and sampled heap used / external /
// array buffers) and each git command's (git is run through a shim that times every call). Also
// prints the size of the progress note apply writes for 200,000 users, and what provenance adds
// to it. Not a test. KEEP=1 keeps the repository (its path is printed last).
//
// Usage: npm run bench:history [-- --users 5000 --commits 500 --manifests 10 --repeat 3 --repo DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { users: { type: 'string', default: '5000' }, commits: { type: 'string', default: '500' }, manifests: { type: 'string', default: '10' }, repeat: { type: 'string', default: '3' }, repo: { type: 'string' } } });
const USERS = Math.min(Number(values.users), 200_000);
const COMMITS = Math.min(Number(values.commits), 20_000);
const MANIFESTS = Math.max(1, Number(values.manifests));
const REPEAT = Math.max(1, Number(values.repeat));
const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(process.env.ENTRA_PHOTOS_DIST ? path.resolve(process.env.ENTRA_PHOTOS_DIST) : path.join(root, 'dist'), 'cli.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-history-'));
const repo = values.repo ? path.resolve(values.repo) : path.join(scratch, 'repo');

// A deterministic pseudo-random sequence: the same repository on every run.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (n) => Math.floor(random() * n);

const users = Array.from({ length: USERS }, (_, i) => ({ id: String(100000 + i), manifest: i % MANIFESTS, photo: `students/${100000 + i}.jpg`, present: true, mark: 0 }));
const FOLLOWED = 1234 % USERS;
let blobCount = 0;
const chunks = [];
let mark = 0;
const blob = (content) => {
  const m = ++mark;
  const bytes = Buffer.from(content);
  chunks.push(Buffer.from(`blob\nmark :${m}\ndata ${bytes.length}\n`), bytes, Buffer.from('\n'));
  blobCount++;
  return m;
};
// History never reads photos, only their blob ids: distinct small blobs stand in for portraits.
const photoBlob = (tag) => blob(`photo ${tag}`);
const manifestText = (k) => {
  const entries = users.filter((u) => u.manifest === k && u.present).flatMap((u) => [`  - employeeId: "${u.id}"`, `    photo: ${u.photo}`]);
  return ['version: 1', entries.length ? 'users:' : 'users: []', ...entries].join('\n') + '\n';
};
const manifestPath = (k) => `manifests/grade-${String(k).padStart(2, '0')}.yaml`;

const kinds = { retake: 0, remap: 0, rename: 0, move: 0, remove: 0, readd: 0 };
// --repo DIR: built there once, then reused as it is (for comparing builds on the same history).
const reused = values.repo !== undefined && existsSync(repo);
const started = performance.now();
if (!reused) buildRepository();
const built = performance.now() - started;

function buildRepository() {
  // Built as a list of operations per commit, then written: blobs must precede the commit using them.
  let lastCommit = 0;
  function writeCommit(n, message, changes) {
    // changes: [{ path, content } | { path, deleted: true }]
    const lines = [];
    for (const c of changes) {
      if (c.deleted) lines.push(`D ${c.path}`);
      else lines.push(`M 100644 :${c.mark ?? blob(c.content)} ${c.path}`);
    }
    const m = ++mark;
    const when = 1_767_225_600 + n * 3600;
    const msg = Buffer.from(message);
    chunks.push(Buffer.from(`commit refs/heads/main\nmark :${m}\nauthor Bench <bench@example> ${when} +0000\ncommitter Bench <bench@example> ${when} +0000\ndata ${msg.length}\n`), msg, Buffer.from('\n'));
    if (lastCommit) chunks.push(Buffer.from(`from :${lastCommit}\n`));
    chunks.push(Buffer.from(lines.join('\n') + '\n\n'));
    lastCommit = m;
  }

  writeCommit(0, 'Roster', [
    ...users.map((u) => ({ path: `photos/${u.photo}`, mark: (u.mark = photoBlob(`${u.id}-0`)) })),
    ...Array.from({ length: MANIFESTS }, (_, k) => ({ path: manifestPath(k), content: manifestText(k) })),
  ]);
  for (let n = 1; n < COMMITS; n++) {
    // The followed user changes every 25 commits; others at random.
    const u = users[n % 25 === 0 ? FOLLOWED : pick(USERS)];
    const roll = random();
    const kind = !u.present ? 'readd' : roll < 0.4 ? 'retake' : roll < 0.55 ? 'remap' : roll < 0.7 ? 'rename' : roll < 0.85 ? 'move' : 'remove';
    kinds[kind]++;
    const changes = [];
    if (kind === 'retake') changes.push({ path: `photos/${u.photo}`, mark: (u.mark = photoBlob(`${u.id}-${n}`)) });
    if (kind === 'remap' || kind === 'rename') {
      const before = u.photo;
      u.photo = `students/${u.id}-${n}.jpg`;
      // A rename keeps the bytes (the same blob: not a change); a remap points at new ones.
      if (kind === 'remap') u.mark = photoBlob(`${u.id}-${n}`);
      changes.push({ path: `photos/${before}`, deleted: true }, { path: `photos/${u.photo}`, mark: u.mark });
      changes.push({ path: manifestPath(u.manifest), content: manifestText(u.manifest) });
    }
    if (kind === 'move') {
      const from = u.manifest;
      u.manifest = (u.manifest + 1) % MANIFESTS;
      changes.push({ path: manifestPath(from), content: manifestText(from) }, { path: manifestPath(u.manifest), content: manifestText(u.manifest) });
    }
    if (kind === 'remove' || kind === 'readd') {
      u.present = kind === 'readd';
      changes.push({ path: manifestPath(u.manifest), content: manifestText(u.manifest) });
    }
    writeCommit(n, `${kind} ${u.id}`, changes);
  }
  const stream = Buffer.concat(chunks);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, input: stream, maxBuffer: 1 << 30 });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: repo });
  // An applied record, so history places changes against runs (and log walks twice, as in real use).
  const halfway = execFileSync('git', ['rev-list', '--first-parent', '--reverse', 'main'], { cwd: repo, encoding: 'utf8' }).split('\n')[Math.floor(COMMITS / 2)];
  execFileSync('git', ['tag', 'entra-photos/applied/production', halfway], { cwd: repo });
  const note = ['entra-photos progress v1', 'environment: production', 'base: none', `head: ${halfway}`, 'updated: 2026-11-26T10:00:00.000Z', 'run 2026-11-26T09:00:00.000Z https://github.com/school/photos/actions/runs/1 admin', `upload employeeId:${users[FOLLOWED].id} 0:n1/648/centre`].join('\n');
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'notes', '--ref=entra-photos/progress/production', 'add', '-m', note, halfway], { cwd: repo });
}

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
// Node's own peak: resourceUsage().maxRSS at exit is exact; the heap figures are sampled (a long
// synchronous stretch can hide a higher one between two samples).
const nodePeakFile = path.join(scratch, 'node-peak.json');
const sampler = path.join(scratch, 'sampler.mjs');
writeFileSync(
  sampler,
  `import { writeFileSync } from 'node:fs';
const peak = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const sample = () => { const m = process.memoryUsage(); for (const k in peak) peak[k] = Math.max(peak[k], m[k]); };
setInterval(sample, 20).unref();
process.on('exit', () => { sample(); writeFileSync(${JSON.stringify(nodePeakFile)}, JSON.stringify({ ...peak, rss: process.resourceUsage().maxRSS * 1024 })); });
`,
);
// Every git call of the CLI goes through this shim, which appends "<peak RSS in KB> <subcommand>".
const gitPeaksFile = path.join(scratch, 'git-peaks.txt');
const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
const shimDir = path.join(scratch, 'bin');
if (timeBin) {
  execFileSync('mkdir', ['-p', shimDir]);
  writeFileSync(path.join(shimDir, 'git'), `#!/bin/sh\nexec ${timeBin} -a -o "${gitPeaksFile}" -f "%M $1" "${realGit}" "$@"\n`);
  chmodSync(path.join(shimDir, 'git'), 0o755);
}
const MB = 1024 * 1024;
function run(args) {
  const command = timeBin ? [timeBin, '-f', '%M', process.execPath, '--import', sampler, cli, ...args] : [process.execPath, '--import', sampler, cli, ...args];
  rmSync(gitPeaksFile, { force: true });
  const env = timeBin ? { ...process.env, PATH: `${shimDir}${path.delimiter}${process.env.PATH}` } : process.env;
  const t0 = performance.now();
  const r = spawnSync(command[0], command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, env });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : NaN;
  const node = JSON.parse(readFileSync(nodePeakFile, 'utf8'));
  // The largest call of each git subcommand.
  const git = {};
  for (const line of existsSync(gitPeaksFile) ? readFileSync(gitPeaksFile, 'utf8').split('\n') : []) {
    const m = /^(\d+) (\S+)/.exec(line);
    if (m) git[m[2]] = Math.max(git[m[2]] ?? 0, Number(m[1]) / 1024);
  }
  return { ms, rssMb: rssKb / 1024, node, git, stdout: r.stdout };
}
/** Node's peaks and the largest git children of a run, in MB. */
function peaks(r) {
  const n = r.node;
  const git = Object.entries(r.git).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  return `node RSS ${(n.rss / MB).toFixed(0)} MB (heap used ≤ ${(n.heapUsed / MB).toFixed(0)}, external ≤ ${(n.external / MB).toFixed(0)}, array buffers ≤ ${(n.arrayBuffers / MB).toFixed(0)})${git ? `, git ${git} MB` : ''}`;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The largest live V8 heap after a full collection (--trace-gc), in MB: what the run holds, not what the GC left lying around. */
function liveHeapMb(args) {
  const r = spawnSync(process.execPath, ['--trace-gc', cli, ...args, '--format', 'text'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const sizes = [...r.stdout.matchAll(/Mark-Compact[^\n]*?-> ([\d.]+) \(/g)].map((m) => Number(m[1]));
  return sizes.length ? Math.max(...sizes) : NaN;
}

const key = `employeeId:${users[FOLLOWED].id}`;
const one = Array.from({ length: REPEAT }, () => run(['history', key, '--repo', repo, '--remote', 'none', '--format', 'json']));
const changes = JSON.parse(one[0].stdout).entries.length;
const all = Array.from({ length: Math.min(REPEAT, 2) }, () => run(['log', '--repo', repo, '--remote', 'none', '--format', 'json']));
const allChanges = JSON.parse(all[0].stdout).entries.length;
const oneHeap = liveHeapMb(['history', key, '--repo', repo, '--remote', 'none']);
const allHeap = liveHeapMb(['log', '--repo', repo, '--remote', 'none']);

// The progress note apply writes (src/apply/ledger.ts): one line per landed user; provenance is one line per run.
const entry = (i) => `upload upn:s${200000 + i}@students.district.k12.example ${'0123456789abcdef'.repeat(2)}01234567:n1/648/attention`;
let noteBytes = 0;
for (let i = 0; i < 200_000; i++) noteBytes += entry(i).length + 1;
const runLine = 'run 2026-11-26T10:00:00.000Z https://github.com/school-district/photos/actions/runs/12345678901 school-district-admin';

console.log(`history bench: ${USERS} users in ${MANIFESTS} manifest file(s), ${COMMITS} commits${reused ? `; reused ${repo}` : ` (${Object.entries(kinds).map(([k, v]) => `${v} ${k}`).join(', ')}), ${blobCount} blobs; built in ${(built / 1000).toFixed(1)} s`}`);
console.log(`  history ${key}: ${changes} changes, median ${median(one.map((r) => r.ms)).toFixed(0)} ms of ${REPEAT} runs; live heap after full GC at most ${oneHeap.toFixed(0)} MB${timeBin ? `, peak RSS of node or git ${median(one.map((r) => r.rssMb)).toFixed(0)} MB` : ''}`);
console.log(`    peaks of the first run: ${peaks(one[0])}`);
console.log(`  log (every subject, JSON): ${allChanges} changes, median ${median(all.map((r) => r.ms)).toFixed(0)} ms; live heap after full GC at most ${allHeap.toFixed(0)} MB${timeBin ? `, peak RSS of node or git ${median(all.map((r) => r.rssMb)).toFixed(0)} MB` : ''}`);
console.log(`    peaks of the first run: ${peaks(all[0])}`);
console.log(`  progress note for 200,000 users: ${(noteBytes / 1e6).toFixed(1)} MB (${(noteBytes / 200_000).toFixed(0)} bytes per user, written by apply before this change); provenance adds ${runLine.length + 1} bytes per run`);
if (process.env.KEEP) console.log(repo); else rmSync(scratch, { recursive: true, force: true });

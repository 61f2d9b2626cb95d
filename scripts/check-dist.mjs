#!/usr/bin/env node
// Fails when the committed dist/ is not what the sources build. GitHub runs dist/index.js as
// committed, so a pull request that changes src/ without rebuilding would ship old code.
//
//  1. Bundles src/ with rollup.config.mjs into a temporary directory and compares every
//     bundle file (dist/*.js, dist/chunks/**) byte for byte, and the executable bit of the bin.
//  2. Re-vendors sharp from dist/package.json + dist/package-lock.json into a temporary
//     directory (npm ci; needs the registry) and compares it with dist/node_modules.
//     `--skip-vendor` skips this step (offline).
//  3. Checks that no file under dist/ is ignored by git (it would silently not be committed).
//
// Exit status: 0 when up to date, 1 when stale (with the list of differences).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(repoRoot, 'dist');
const STALE = 'dist/ is stale: run `npm run build` and commit dist/';

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (a !== '--skip-vendor' && a !== '--keep-temp') {
    console.error(`check-dist: unknown argument ${a} (known: --skip-vendor, --keep-temp)`);
    process.exit(2);
  }
}

function log(message) {
  process.stdout.write(`check-dist: ${message}\n`);
}

/** Repository-relative file list (forward slashes) of `dir`, filtered by `keep(relPath)`. */
function listFiles(dir, keep = () => true, base = dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    const rel = path.relative(base, abs).split(path.sep).join('/');
    if (!keep(rel, entry)) continue;
    if (entry.isDirectory()) out.push(...listFiles(abs, keep, base));
    else out.push(rel);
  }
  return out.sort();
}

/** Differences between two trees as human-readable lines. */
function compareTrees(expectedDir, actualDir, files, label) {
  const [expected, actual] = files;
  const diffs = [];
  const actualSet = new Set(actual);
  const expectedSet = new Set(expected);
  for (const f of expected) {
    if (!actualSet.has(f)) diffs.push(`missing   ${label}${f} (the build produces it)`);
  }
  for (const f of actual) {
    if (!expectedSet.has(f)) diffs.push(`extra     ${label}${f} (the build does not produce it)`);
  }
  for (const f of expected) {
    if (!actualSet.has(f)) continue;
    const a = path.join(expectedDir, f);
    const b = path.join(actualDir, f);
    const [bytesA, bytesB] = [readFileSync(a), readFileSync(b)];
    if (!bytesA.equals(bytesB)) {
      diffs.push(`differs   ${label}${f}${firstDifference(bytesA, bytesB)}`);
    } else if ((statSync(a).mode & 0o111) !== 0 !== ((statSync(b).mode & 0o111) !== 0)) {
      diffs.push(`mode      ${label}${f} (executable bit differs)`);
    }
  }
  return diffs;
}

/** Where two text files first differ (line number and both lines, shortened), to tell why. */
function firstDifference(built, committed) {
  const [x, y] = [built.toString('utf8').split('\n'), committed.toString('utf8').split('\n')];
  const at = x.findIndex((line, i) => line !== y[i]);
  if (at < 0) return ` (the committed file has ${y.length - x.length} more line(s))`;
  const clip = (line) => (line === undefined ? '(end of file)' : JSON.stringify(line.length > 160 ? `${line.slice(0, 160)}…` : line));
  return `\n            first difference at line ${at + 1}:\n            built:     ${clip(x[at])}\n            committed: ${clip(y[at])}`;
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { cwd: repoRoot, stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'entra-photos-check-dist-'));
let failed = false;
const problems = [];
try {
  // 1. The bundle.
  const bundleOut = path.join(tmp, 'bundle');
  log('bundling src/ into a temporary directory');
  const rollupBin = path.join(repoRoot, 'node_modules', 'rollup', 'dist', 'bin', 'rollup');
  const status = run(process.execPath, [rollupBin, '-c', 'rollup.config.mjs', '--silent', '--dir', bundleOut]);
  if (status !== 0) {
    console.error('check-dist: error: the bundle failed to build (see above); fix the sources first');
    process.exitCode = 1;
    failed = true;
  } else {
    const isBundleFile = (rel) =>
      rel !== 'node_modules' && rel !== 'package.json' && rel !== 'package-lock.json';
    const diffs = compareTrees(
      bundleOut,
      distDir,
      [listFiles(bundleOut, isBundleFile), listFiles(distDir, isBundleFile)],
      'dist/',
    );
    problems.push(...diffs);
    log(`bundle: ${diffs.length === 0 ? 'up to date' : `${diffs.length} difference(s)`}`);
  }

  // 2. The vendored sharp.
  if (!failed && !args.has('--skip-vendor')) {
    const vendorDir = path.join(tmp, 'vendor');
    mkdirSync(vendorDir);
    for (const f of ['package.json', 'package-lock.json']) {
      if (!existsSync(path.join(distDir, f))) {
        problems.push(`missing   dist/${f} (run npm run vendor)`);
      } else {
        copyFileSync(path.join(distDir, f), path.join(vendorDir, f));
      }
    }
    if (problems.every((p) => !p.includes('run npm run vendor'))) {
      log('re-vendoring sharp from dist/package-lock.json into a temporary directory');
      const vStatus = run(process.execPath, [
        path.join(repoRoot, 'scripts', 'vendor-sharp.mjs'),
        '--prefix',
        vendorDir,
        '--no-smoke-test',
      ]);
      if (vStatus !== 0) {
        console.error('check-dist: error: could not re-vendor sharp (see above)');
        process.exitCode = 1;
        failed = true;
      } else {
        const expectedNm = path.join(vendorDir, 'node_modules');
        const actualNm = path.join(distDir, 'node_modules');
        const diffs = compareTrees(
          expectedNm,
          actualNm,
          [listFiles(expectedNm), listFiles(actualNm)],
          'dist/node_modules/',
        );
        problems.push(...diffs);
        log(`dist/node_modules: ${diffs.length === 0 ? 'up to date' : `${diffs.length} difference(s)`}`);
      }
    }
  }

  // 3. Nothing under dist/ may be ignored by git.
  const gitCheck = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: repoRoot, encoding: 'utf8' });
  if (!failed && gitCheck.status === 0 && gitCheck.stdout.trim() === 'true') {
    const files = listFiles(distDir).map((f) => `dist/${f}`);
    const ignored = spawnSync('git', ['check-ignore', '--stdin', '--no-index'], {
      cwd: repoRoot,
      input: files.join('\n'),
      encoding: 'utf8',
    });
    const list = ignored.stdout.split('\n').filter(Boolean);
    for (const f of list) problems.push(`ignored   ${f} (a .gitignore rule hides it; dist/ must be committed whole)`);
  }
} finally {
  if (args.has('--keep-temp')) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

if (failed) {
  process.exit(1);
}
if (problems.length > 0) {
  console.error(`\ncheck-dist: ${STALE}\n`);
  const shown = problems.slice(0, 50);
  for (const p of shown) console.error(`  ${p}`);
  if (problems.length > shown.length) console.error(`  ... and ${problems.length - shown.length} more`);
  process.exit(1);
}
log('dist/ is up to date with the sources');

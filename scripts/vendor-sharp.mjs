#!/usr/bin/env node
// Vendors sharp into dist/node_modules, so that dist/ runs on its own (the action runner has no
// `npm install` step): `import sharp from 'sharp'` in dist/index.js resolves to
// dist/node_modules/sharp, which loads, in this order (see sharp/dist/sharp.mjs),
//   1. @img/sharp-linux-x64 or @img/sharp-linux-arm64 (native addon + @img/sharp-libvips-*),
//   2. @img/sharp-wasm32 (WebAssembly, needs @emnapi/runtime) when no native one loads.
//
// The packages and their exact versions are pinned in dist/package.json and, with integrity
// hashes, in dist/package-lock.json, so two runs produce byte-identical trees.
//
//   node scripts/vendor-sharp.mjs              install exactly what dist/package-lock.json says
//   node scripts/vendor-sharp.mjs --update     re-resolve dist/package.json, rewrite the lock
//   node scripts/vendor-sharp.mjs --prefix DIR install into DIR (used by check-dist)
//
// Why these npm flags:
//   --force            the linux-arm64 packages do not match this machine's cpu; npm refuses them
//                      (EBADPLATFORM) unless forced. Integrity is still verified.
//   --omit=optional    sharp lists ~25 platform packages as optional; we want only the ones
//                      named in dist/package.json (all listed as regular dependencies).
//   --ignore-scripts   nothing here needs an install script (sharp's only builds from source).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Files that must exist in the vendored tree for every supported runtime. */
export function requiredFiles(versions) {
  const { sharp, libvips } = versions;
  return [
    `sharp/package.json`,
    `sharp/dist/index.mjs`,
    `sharp/dist/sharp.mjs`,
    `@img/colour/package.json`,
    `detect-libc/package.json`,
    `semver/package.json`,
    `@img/sharp-linux-x64/lib/sharp-linux-x64-${sharp}.node`,
    `@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.${libvips}`,
    `@img/sharp-linux-arm64/lib/sharp-linux-arm64-${sharp}.node`,
    `@img/sharp-libvips-linux-arm64/lib/libvips-cpp.so.${libvips}`,
    `@img/sharp-wasm32/lib/sharp-wasm32-${sharp}.node.js`,
    `@img/sharp-wasm32/lib/sharp-wasm32-${sharp}.node.wasm`,
    `@emnapi/runtime/package.json`,
  ];
}

function log(message) {
  process.stdout.write(`vendor-sharp: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`vendor-sharp: error: ${message}\n`);
  process.exit(1);
}

function npm(args, cwd) {
  log(`npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (result.error) fail(`could not run npm: ${result.error.message}`);
  if (result.status !== 0) fail(`npm exited with status ${result.status}`);
}

export function vendor({ prefix, update = false, smokeTest = true }) {
  const pkgFile = path.join(prefix, 'package.json');
  const lockFile = path.join(prefix, 'package-lock.json');
  if (!existsSync(pkgFile)) fail(`${pkgFile} is missing`);
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));

  const common = [
    '--prefix',
    prefix,
    '--omit=optional',
    '--force',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
  ];
  if (update || !existsSync(lockFile)) {
    rmSync(path.join(prefix, 'node_modules'), { recursive: true, force: true });
    npm(['install', '--save-exact', ...common], prefix);
  } else {
    // `npm ci` deletes dist/node_modules first and installs exactly the lockfile.
    npm(['ci', ...common], prefix);
  }
  // npm's own cache of the tree and the CLI links (semver's bin): neither is used at run time,
  // and symlinks are best kept out of a committed tree.
  rmSync(path.join(prefix, 'node_modules', '.package-lock.json'), { force: true });
  rmSync(path.join(prefix, 'node_modules', '.bin'), { recursive: true, force: true });

  const nm = path.join(prefix, 'node_modules');
  const sharpVersion = JSON.parse(readFileSync(path.join(nm, 'sharp/package.json'), 'utf8')).version;
  const libvipsPkg = JSON.parse(
    readFileSync(path.join(nm, '@img/sharp-libvips-linux-x64/package.json'), 'utf8'),
  );
  const libvipsVersion = readLibvipsVersion(path.join(nm, '@img/sharp-libvips-linux-x64/lib'));
  if (pkg.dependencies?.sharp !== sharpVersion) {
    fail(`dist/package.json pins sharp ${pkg.dependencies?.sharp} but ${sharpVersion} was installed`);
  }
  const missing = requiredFiles({ sharp: sharpVersion, libvips: libvipsVersion }).filter(
    (f) => !existsSync(path.join(nm, f)),
  );
  if (missing.length > 0) fail(`vendored tree is missing:\n  ${missing.join('\n  ')}`);
  log(`sharp ${sharpVersion}, @img/sharp-libvips ${libvipsPkg.version} (libvips ${libvipsVersion})`);

  if (smokeTest) {
    // Load sharp from the vendored tree with this Node (24 under npm scripts) and encode a pixel.
    const probe = `
      const { default: sharp } = await import(${JSON.stringify(path.join(nm, 'sharp/dist/index.mjs'))});
      const buf = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } }).jpeg().toBuffer();
      console.log('vendor-sharp: loaded sharp', sharp.versions.sharp, 'libvips', sharp.versions.vips, '(' + buf.length + ' byte JPEG)');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { stdio: 'inherit' });
    if (r.status !== 0) fail('the vendored sharp does not load on this machine');
  }
}

/** `libvips-cpp.so.8.18.7` → `8.18.7` (the file name is what the loader needs). */
function readLibvipsVersion(libDir) {
  const versionsFile = path.join(libDir, '..', 'versions.json');
  const versions = JSON.parse(readFileSync(versionsFile, 'utf8'));
  if (typeof versions.vips !== 'string') fail(`${versionsFile} has no "vips" version`);
  return versions.vips;
}

function parseArgs(argv) {
  const opts = { prefix: path.join(repoRoot, 'dist'), update: false, smokeTest: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--update') opts.update = true;
    else if (a === '--no-smoke-test') opts.smokeTest = false;
    else if (a === '--prefix') opts.prefix = path.resolve(argv[++i] ?? fail('--prefix needs a directory'));
    else fail(`unknown argument ${a}`);
  }
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  vendor(parseArgs(process.argv.slice(2)));
}

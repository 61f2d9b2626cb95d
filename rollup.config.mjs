// Bundles the action (src/index.ts → dist/index.js) and the CLI (src/cli.ts → dist/cli.js) as
// ES modules for Node 24. Shared code goes to dist/chunks/ under names derived from the module
// graph only (no content hashes), so the same sources always give byte-identical output and
// `npm run check-dist` can compare it with what is committed.
//
// `sharp` stays external: its native addon and libvips cannot be bundled. It is vendored under
// dist/node_modules by scripts/vendor-sharp.mjs, so `import sharp from 'sharp'` in dist/*.js
// resolves there. Everything else is bundled.
import { readFileSync } from 'node:fs';
import { chmod, readdir, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

/** Packages that must not be bundled (resolved at run time from dist/node_modules). */
const external = ['sharp'];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isExternal(id) {
  if (builtins.has(id)) return true;
  return external.some((pkg) => id === pkg || id.startsWith(`${pkg}/`));
}

// Bundled CommonJS code (MSAL, jsonwebtoken, tunnel, ...) may call `require` for Node built-ins
// or read `__dirname`; in an ES module these do not exist, so every output file defines them.
// The local names are prefixed so that they cannot collide with anything Rollup hoists.
const cjsShim = [
  "import { createRequire as __entraPhotosCreateRequire } from 'node:module';",
  "import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';",
  "import { dirname as __entraPhotosDirname } from 'node:path';",
  'const require = __entraPhotosCreateRequire(import.meta.url);',
  'const __filename = __entraPhotosFileURLToPath(import.meta.url);',
  'const __dirname = __entraPhotosDirname(__filename);',
].join('\n');

/**
 * Warnings we know to be harmless, by code and only when every module involved is a
 * dependency (never our own sources): a cycle or a top-level `this` inside src/ is a real bug.
 */
function isKnownHarmless(warning) {
  const inDeps = (id) => typeof id === 'string' && id.includes(`${path.sep}node_modules${path.sep}`);
  switch (warning.code) {
    case 'CIRCULAR_DEPENDENCY':
      // Cycles inside azure/msal/octokit/asn1/... packages are part of their published builds.
      return (warning.ids ?? []).every(inDeps);
    case 'THIS_IS_UNDEFINED':
      // TypeScript's down-levelled helpers (`this && this.__awaiter`) in published packages.
      return inDeps(warning.id);
    default:
      return false;
  }
}

/**
 * Removes the previous bundle (top-level *.js, *.js.map and chunks/) from the output directory
 * before writing, so a chunk that is no longer produced does not linger in dist/. Leaves
 * dist/package.json, dist/package-lock.json and dist/node_modules (the vendored sharp) alone.
 */
function cleanPreviousBundle() {
  return {
    name: 'clean-previous-bundle',
    async renderStart(options) {
      if (!options.dir) return;
      await rm(path.join(options.dir, 'chunks'), { recursive: true, force: true });
      const entries = await readdir(options.dir).catch(() => []);
      for (const name of entries) {
        if (name.endsWith('.js') || name.endsWith('.js.map')) {
          await rm(path.join(options.dir, name), { force: true });
        }
      }
    },
  };
}

/**
 * Replaces `__ENTRA_PHOTOS_VERSION__` (declared in src/cli/main.ts) with package.json's version,
 * so `entra-photos --version` names the release. Runs after TypeScript (the `declare const` is
 * gone by then); sources run unbundled (vitest) keep the 'dev' fallback.
 */
function versionConstant() {
  const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
  return {
    name: 'version-constant',
    transform(code) {
      if (!code.includes('__ENTRA_PHOTOS_VERSION__')) return null;
      return { code: code.replaceAll('__ENTRA_PHOTOS_VERSION__', JSON.stringify(version)), map: null };
    },
  };
}

/** Checks that the bin keeps its shebang and marks it executable (git records the mode). */
function executableBin(fileName) {
  return {
    name: 'executable-bin',
    generateBundle(_options, bundle) {
      const chunk = bundle[fileName];
      if (!chunk || chunk.type !== 'chunk' || !chunk.code.startsWith('#!/usr/bin/env node\n')) {
        this.error(`${fileName} must start with "#!/usr/bin/env node" (keep it in its source entry)`);
      }
    },
    async writeBundle(options) {
      await chmod(path.join(options.dir, fileName), 0o755);
    },
  };
}

export default {
  input: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
  },
  external: isExternal,
  output: {
    // check-dist builds into a temporary directory with `rollup -c --dir <tmp>`.
    dir: 'dist',
    format: 'es',
    entryFileNames: '[name].js',
    // Lazily imported modules keep their own name (chunks/command.js); code shared by both
    // entries goes to chunks/shared.js (Rollup numbers further ones shared2.js, ... in a stable
    // order). No content hashes: a rebuild of the same sources is byte-identical.
    chunkFileNames: (chunk) => (chunk.isDynamicEntry ? 'chunks/[name].js' : 'chunks/shared.js'),
    // Rollup keeps src/cli.ts's `#!/usr/bin/env node` as the first line, above this banner.
    banner: cjsShim,
    generatedCode: 'es2015',
    sourcemap: false,
    // Keep dynamic imports as separate chunks (one build, two entries).
    inlineDynamicImports: false,
  },
  plugins: [
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/**/*.ts'],
      compilerOptions: {
        noEmit: false,
        noEmitOnError: true,
        declaration: false,
        sourceMap: false,
        inlineSourceMap: false,
        incremental: false,
      },
      outputToFilesystem: false,
    }),
    nodeResolve({
      preferBuiltins: true,
      exportConditions: ['node', 'import', 'default'],
      browser: false,
    }),
    commonjs({
      // Bundled CJS that requires a built-in at run time keeps `require` (defined by the banner).
      ignoreDynamicRequires: true,
      // true, not 'auto': with 'auto' the plugin decides which CommonJS modules to wrap while the
      // module graph is still loading, so the same sources could bundle differently from run to
      // run (rollup/plugins#1425; seen here: semver's constants deconflicted as $1 or $2) and
      // check-dist would fail at random. Wrapping every CommonJS module is deterministic and
      // keeps Node's require semantics.
      strictRequires: true,
    }),
    json({ preferConst: true }),
    versionConstant(),
    cleanPreviousBundle(),
    executableBin('cli.js'),
  ],
  onwarn(warning, defaultHandler) {
    if (isKnownHarmless(warning)) return;
    // Anything else (unresolved import, missing export, eval, ...) fails the bundle rather than
    // producing a dist/ that breaks at run time.
    throw Object.assign(new Error(`rollup: ${warning.message}`), { warning });
  },
};

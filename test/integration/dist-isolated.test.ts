// The committed action, run the way a GitHub runner runs it: action.yml and dist/ copied ALONE
// into an empty directory (no node_modules next to or above it, so every import must be bundled
// or vendored under dist/node_modules), `node dist/index.js` with the INPUT_* / GITHUB_* environment
// the runner sets, on a git repository holding the sample manifests/ and photos/.
//
// Also: sharp's WebAssembly fallback (native packages for this platform removed), and the
// presence of the linux-arm64 binaries that the runner on an arm64 machine will load.
import { spawnSync } from 'node:child_process';
import { renderedText } from '../helpers/markdownTree.js';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPO_ROOT, copySample, git, initGitRepo, tempDir } from '../helpers/repo.js';

const TIMEOUT = 180_000;
const DIST = path.join(REPO_ROOT, 'dist');

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** Copies action.yml and dist/ (with the vendored sharp) into `dir`, and nothing else. */
async function installAction(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await cp(path.join(REPO_ROOT, 'action.yml'), path.join(dir, 'action.yml'));
  await cp(DIST, path.join(dir, 'dist'), { recursive: true, verbatimSymlinks: true });
}

/**
 * `INPUT_<NAME>` for every input with a default, as the runner sets them, plus overrides. The
 * runner evaluates expression defaults such as `${{ github.token }}`; there is no GitHub here, so
 * they are empty (the action must then skip what needs the API, e.g. the PR comment).
 */
function inputEnv(overrides: Record<string, string>): Record<string, string> {
  const meta = parseDocument(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')).toJS() as {
    inputs?: Record<string, { default?: string }>;
  };
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(meta.inputs ?? {})) {
    if (input?.default !== undefined) {
      const value = String(input.default);
      values[name] = value.includes('${{') ? '' : value;
    }
  }
  Object.assign(values, overrides);
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
}

/** Parses a GITHUB_OUTPUT file: `name<<DELIM\nvalue\nDELIM` blocks (and plain `name=value`). */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`GITHUB_OUTPUT: no closing ${delimiter} for ${name}`);
      outputs[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

const unescapeProperty = (s: string) =>
  s.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');

/** `::error file=F,line=L,col=C::message` lines on stdout, with properties unescaped. */
function workflowCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
    }
    out.push({ command: m[1]!, properties, message: unescapeProperty(m[3]!) });
  }
  return out;
}

/** 1-based line and column where `needle` starts in `text`. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not found`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** A pull_request event payload for a private repository, base → head. */
async function writePullRequestEvent(file: string, repo: string): Promise<void> {
  const head = git(repo, 'rev-parse', 'HEAD');
  const base = git(repo, 'rev-parse', 'HEAD~1');
  const event = {
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      base: { ref: 'main', sha: base },
      head: { ref: 'photo-day', sha: head, repo: { full_name: 'contoso/staff-photos' } },
    },
    repository: { full_name: 'contoso/staff-photos', private: true, visibility: 'private', default_branch: 'main' },
  };
  await writeFile(file, JSON.stringify(event, null, 2));
}

/** Runs `node <actionDir>/dist/index.js` in validate mode on `repo`, as the runner would. */
async function runAction(actionDir: string, repo: string, scratch: string): Promise<RunResult> {
  const runnerTemp = path.join(scratch, 'runner-temp');
  await mkdir(runnerTemp, { recursive: true });
  const outputFile = path.join(runnerTemp, 'github_output');
  const summaryFile = path.join(runnerTemp, 'step_summary');
  const eventFile = path.join(runnerTemp, 'event.json');
  // The runner creates both files empty before the step starts.
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  await writePullRequestEvent(eventFile, repo);

  // Built from nothing, not from process.env: when this test itself runs under GitHub Actions,
  // the parent's GITHUB_* and ACTIONS_ID_TOKEN_REQUEST_* must not leak into the action.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? scratch,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_WORKSPACE: repo,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'contoso/staff-photos',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: git(repo, 'rev-parse', 'HEAD'),
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_ACTION_PATH: actionDir,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ...inputEnv({ mode: 'validate' }),
  };

  const r = spawnSync(process.execPath, [path.join(actionDir, 'dist', 'index.js')], {
    cwd: repo,
    env,
    encoding: 'utf8',
    timeout: TIMEOUT - 10_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}

/**
 * A git repository where the pull request adds the sample: the base commit has only a README,
 * the head commit adds manifests/ and photos/ (so every sample photo is "touched" and decoded).
 * `edit` may change the head's files before it is committed.
 */
async function sampleRepo(dir: string, edit?: (repo: string) => Promise<void>): Promise<string> {
  const repo = path.join(dir, 'repo');
  await mkdir(repo, { recursive: true });
  await writeFile(path.join(repo, 'README.md'), '# Staff and student photos\n');
  initGitRepo(repo);
  await copySample(repo);
  if (edit) await edit(repo);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'Autumn photo day');
  return repo;
}

/** The pull request adds every sample photo, so the plan uploads all. */
function expectPlanUploadsAllSamplePhotos(r: RunResult): void {
  expect(r.outputs.plan, describeRun(r)).toBeDefined();
  const plan = JSON.parse(r.outputs.plan!) as { uploads?: unknown[] };
  const samplePhotos = readdirSync(path.join(REPO_ROOT, 'photos'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    /\.(jpe?g|png|webp|avif|tiff?|gif)$/i.test(f),
  );
  expect(plan.uploads?.length, describeRun(r)).toBe(samplePhotos.length);
}

const describeRun = (r: RunResult) =>
  `exit ${r.status}\n--- stdout ---\n${r.stdout.slice(-4000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`;

/** ELF e_machine of a shared object: 0x3e x86-64, 0xb7 AArch64. */
function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    return header.readUInt16LE(18);
  } finally {
    closeSync(fd);
  }
}

const nativePackage = `@img/sharp-${process.platform}-${process.arch}`;
const libvipsPackage = `@img/sharp-libvips-${process.platform}-${process.arch}`;

describe('dist/ alone, run like the GitHub runner runs it', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let actionDir: string;

  beforeAll(async () => {
    scratch = await tempDir('entra-photos-dist-');
    actionDir = path.join(scratch.dir, 'action');
    await installAction(actionDir);
  }, TIMEOUT);
  afterAll(async () => {
    await scratch?.cleanup();
  });

  it('has nothing to fall back on: no node_modules beside or above the copied action', () => {
    expect(existsSync(path.join(actionDir, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(path.join(actionDir, 'dist', 'node_modules', 'sharp', 'package.json'))).toBe(true);
    for (let dir = actionDir; ; dir = path.dirname(dir)) {
      expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
      if (path.dirname(dir) === dir) break;
    }
  });

  it(
    'validates the sample: exit 0, errors=0, a job summary',
    async () => {
      const repo = await sampleRepo(path.join(scratch.dir, 'clean'));
      const r = await runAction(actionDir, repo, path.join(scratch.dir, 'clean'));
      expect(r.status, describeRun(r)).toBe(0);
      expect(r.outputs.errors, describeRun(r)).toBe('0');
      expect(r.outputs).toHaveProperty('warnings');
      expect(r.summary.trim().length, 'GITHUB_STEP_SUMMARY is empty').toBeGreaterThan(0);
      expect(workflowCommands(r.stdout).filter((c) => c.command === 'error')).toEqual([]);
      expectPlanUploadsAllSamplePhotos(r);
    },
    TIMEOUT,
  );

  it(
    'fails a broken manifest with an ::error annotation at the file, line and column',
    async () => {
      const dir = path.join(scratch.dir, 'broken');
      let broken = '';
      const repo = await sampleRepo(dir, async (head) => {
        const manifest = path.join(head, 'manifests', 'staff.yaml');
        const text = await readFile(manifest, 'utf8');
        broken = text.replace('photo: staff/grace.hopper.jpg', 'photo: staff/grace.hoper.jpg');
        expect(broken).not.toBe(text);
        await writeFile(manifest, broken);
      });
      const where = positionOf(broken, 'staff/grace.hoper.jpg');

      const r = await runAction(actionDir, repo, dir);
      expect(r.status, describeRun(r)).toBe(1);
      expect(Number(r.outputs.errors), describeRun(r)).toBeGreaterThanOrEqual(1);
      const errors = workflowCommands(r.stdout).filter((c) => c.command === 'error');
      const annotation = errors.find((c) => c.properties.file === 'manifests/staff.yaml');
      expect(annotation, describeRun(r)).toBeDefined();
      expect(annotation!.properties.line).toBe(String(where.line));
      expect(annotation!.properties.col).toBe(String(where.col));
      expect(annotation!.message).toMatch(/grace\.hoper\.jpg/);
      // The raw workflow command, as the runner parses it.
      expect(r.stdout).toMatch(
        new RegExp(`^::error [^\\n]*file=manifests/staff\\.yaml,line=${where.line},col=${where.col}(,[^\\n]*)?::`, 'm'),
      );
      expect(renderedText(r.summary)).toMatch(/grace\.hoper\.jpg/);
    },
    TIMEOUT,
  );

  it(
    `falls back to sharp's WebAssembly build without ${nativePackage}`,
    async () => {
      const dir = path.join(scratch.dir, 'wasm');
      const wasmAction = path.join(dir, 'action');
      await installAction(wasmAction);
      for (const pkg of [nativePackage, libvipsPackage]) {
        await rm(path.join(wasmAction, 'dist', 'node_modules', pkg), { recursive: true, force: true });
      }
      // sharp loads, and it is the Wasm build (its versions name emscripten).
      const probe = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { default: sharp } = await import(${JSON.stringify(path.join(wasmAction, 'dist', 'node_modules', 'sharp', 'dist', 'index.mjs'))});
           console.log(JSON.stringify(sharp.versions));`,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      );
      expect(probe.status, probe.stderr).toBe(0);
      expect(JSON.parse(probe.stdout)).toHaveProperty('emscripten');

      const repo = await sampleRepo(dir);
      const r = await runAction(wasmAction, repo, dir);
      expect(r.status, describeRun(r)).toBe(0);
      expect(r.outputs.errors, describeRun(r)).toBe('0');
      expectPlanUploadsAllSamplePhotos(r);
    },
    TIMEOUT,
  );

  it('ships the native binaries for linux-x64 and linux-arm64', () => {
    const nm = path.join(DIST, 'node_modules');
    const sharpVersion = (JSON.parse(readFileSync(path.join(nm, 'sharp', 'package.json'), 'utf8')) as { version: string }).version;
    for (const [arch, machine] of [
      ['x64', 0x3e],
      ['arm64', 0xb7],
    ] as const) {
      const addon = path.join(nm, '@img', `sharp-linux-${arch}`, 'lib', `sharp-linux-${arch}-${sharpVersion}.node`);
      const vipsDir = path.join(nm, '@img', `sharp-libvips-linux-${arch}`);
      const vips = (JSON.parse(readFileSync(path.join(vipsDir, 'versions.json'), 'utf8')) as { vips: string }).vips;
      const libvips = path.join(vipsDir, 'lib', `libvips-cpp.so.${vips}`);
      expect(existsSync(addon), addon).toBe(true);
      expect(existsSync(libvips), libvips).toBe(true);
      expect(elfMachine(addon)).toBe(machine);
      expect(elfMachine(libvips)).toBe(machine);
    }
    expect(existsSync(path.join(nm, '@img', 'sharp-wasm32', 'lib', `sharp-wasm32-${sharpVersion}.node.wasm`))).toBe(true);
    expect(existsSync(path.join(nm, '@emnapi', 'runtime', 'package.json'))).toBe(true);
  });
});

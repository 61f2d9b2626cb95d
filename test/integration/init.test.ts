// `entra-photos init` through the built CLI (dist/cli.js, as an admin runs it): what it writes
// validates with `entra-photos validate` and lints with actionlint (scripts/lint-workflows.mjs),
// a second run refuses without --force and names every file, and --version names the release.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub } from '../helpers/fakeGitHub.js';
import { pullRequestRepo } from '../helpers/pullRequests.js';
import { REPO_ROOT, git, initGitRepo, tempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

const TIMEOUT = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function scratch(): Promise<string> {
  const { dir, cleanup } = await tempDir('entra-photos-init-');
  cleanups.push(cleanup);
  return dir;
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !path.relative(dir, path.join(e.parentPath, e.name)).startsWith('.git/'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

const EXPECTED_FILES = [
  '.github/CODEOWNERS',
  '.github/workflows/photos-apply.yml',
  '.github/workflows/photos-drift.yml',
  '.github/workflows/photos-export.yml',
  '.github/workflows/photos-pull-request.yml',
  'README.md',
  'manifests/photos.yaml',
  'photos/README.md',
  'schema/manifest.schema.json',
];

describe('entra-photos init (built CLI)', () => {
  it('scaffolds a repository that validates and whose workflows pass actionlint', { timeout: TIMEOUT }, async () => {
    const dir = path.join(await scratch(), 'photos-repo');
    const init = await runCli(['init', dir, '--tenant-id', '72f988bf-86f1-41af-91ab-2d7cd011db47', '--client-id', '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', '--cloud', 'usgov', '--owners', '@contoso/it-admins', '--lfs']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(await listTree(dir)).toEqual([...EXPECTED_FILES, '.gitattributes'].sort());
    for (const f of [...EXPECTED_FILES, '.gitattributes']) expect(init.stdout).toContain(f);
    expect(init.stdout).toContain('"Validate photos"');

    // As committed (validate reads the working tree; a git repository like the user's).
    initGitRepo(dir);
    const validate = await runCli(['validate', '--repo', dir]);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    const json = await runCli(['validate', '--repo', dir, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, errors: 0, warnings: 0 });
    expect(git(dir, 'check-attr', 'filter', 'photos/staff/ada.JPG')).toBe('photos/staff/ada.JPG: filter: lfs');

    const workflows = (await readdir(path.join(dir, '.github', 'workflows'))).map((f) => path.join(dir, '.github', 'workflows', f));
    const lint = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'lint-workflows.mjs'), ...workflows], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    expect(lint.stdout).toContain('4 workflow file(s) OK');

    const apply = await readFile(path.join(dir, '.github', 'workflows', 'photos-apply.yml'), 'utf8');
    expect(apply).toContain('tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(apply).toContain('cloud: usgov');
    expect(await readFile(path.join(dir, '.github', 'CODEOWNERS'), 'utf8')).toContain('/photos/      @contoso/it-admins');
  });

  it('the uncommented example entry validates once a photo is added', { timeout: TIMEOUT }, async () => {
    const dir = await scratch();
    expect((await runCli(['init', dir])).code).toBe(0);
    const manifestPath = path.join(dir, 'manifests', 'photos.yaml');
    const manifest = (await readFile(manifestPath, 'utf8'))
      .replace('users: []', 'users:')
      .replace('#  - user: ada@contoso.edu', '  - user: ada@contoso.edu')
      .replace('#    name: Ada Lovelace', '    name: Ada Lovelace')
      .replace('#    photo: staff/ada.jpg', '    photo: staff/ada.jpg');
    await writeFile(manifestPath, manifest);
    await mkdir(path.join(dir, 'photos', 'staff'));
    await writeFile(path.join(dir, 'photos', 'staff', 'ada.jpg'), readFileSync(path.join(REPO_ROOT, 'photos', 'staff', 'ada.lovelace.jpg')));
    const validate = await runCli(['validate', '--repo', dir, '--format', 'json']);
    expect(JSON.parse(validate.stdout)).toMatchObject({ ok: true, errors: 0, stats: { users: 1 } });
  });

  it('a second init refuses without --force, names the files and writes nothing; --force overwrites', { timeout: TIMEOUT }, async () => {
    const dir = await scratch();
    await writeFile(path.join(dir, 'README.md'), 'our own readme\n');
    const first = await runCli(['init', dir]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('init did not write anything: 1 file(s) already exist');
    expect(first.stderr).toContain('  README.md\n');
    expect(first.stderr).toContain('--force');
    expect(await listTree(dir)).toEqual(['README.md']);

    expect((await runCli(['init', dir, '--force'])).code).toBe(0);
    expect(await listTree(dir)).toEqual(EXPECTED_FILES);
    await writeFile(path.join(dir, 'manifests', 'photos.yaml'), 'version: 1\n');

    const again = await runCli(['init', dir]);
    expect(again.code).toBe(1);
    for (const f of EXPECTED_FILES) expect(again.stderr).toContain(`  ${f}\n`);
    expect(await readFile(path.join(dir, 'manifests', 'photos.yaml'), 'utf8')).toBe('version: 1\n');

    const forced = await runCli(['init', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('overwrote manifests/photos.yaml');
    expect(await readFile(path.join(dir, 'manifests', 'photos.yaml'), 'utf8')).toContain('yaml-language-server');
  });

  it('usage errors exit 2 with the reason; --help exits 0', { timeout: TIMEOUT }, async () => {
    const bad = await runCli(['init', '--client-id', 'not-a-guid']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--client-id must be a GUID');
    const help = await runCli(['init', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: entra-photos init [DIR]');
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}init {7}/m);
  });
});

describe('pull requests to a repository init scaffolded (the built action, mode: validate)', () => {
  it('a pull request that touches no photo passes at once; one that adds a user plans one upload', { timeout: TIMEOUT }, async () => {
    const api = await startFakeGitHub();
    const repo = await pullRequestRepo('entra-photos-init-pr-', async (dir) => {
      const init = await runCli(['init', dir, '--owners', '@contoso/it-admins']);
      if (init.code !== 0) throw new Error(init.stderr);
    });
    cleanups.push(async () => {
      await api.close();
      await repo.cleanup();
    });
    const docsOnly = await repo.open(async (dir) => writeFile(path.join(dir, 'README.md'), '# Our photos\n'));
    const quiet = await repo.run(docsOnly, { apiUrl: api.url });
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    expect(quiet.outputs.errors).toBe('0');
    expect(JSON.parse(quiet.outputs.plan!)).toMatchObject({ uploads: [], removals: [], policy: null, unchanged: 0 });
    expect(quiet.stdout).toContain('Nothing to check: this pull request changes no photo, user or policy');

    const addUser = await repo.open(async (dir) => {
      await mkdir(path.join(dir, 'photos', 'staff'));
      await cp(path.join(REPO_ROOT, 'photos', 'staff', 'ada.lovelace.jpg'), path.join(dir, 'photos', 'staff', 'ada.jpg'));
      const manifestPath = path.join(dir, 'manifests', 'photos.yaml');
      const manifest = await readFile(manifestPath, 'utf8');
      await writeFile(manifestPath, manifest.replace('users: []', 'users:\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg'));
    });
    const planned = await repo.run(addUser, { apiUrl: api.url });
    expect(planned.code).toBe(0);
    expect(planned.outputs.errors).toBe('0');
    expect(planned.stdout).not.toContain('Nothing to check');
    expect(JSON.parse(planned.outputs.plan!).uploads).toEqual([expect.objectContaining({ user: 'ada@contoso.edu', reason: 'new' })]);
  });
});

describe('entra-photos init from a copy of dist/ alone', () => {
  it('needs nothing next to the bundle: the templates and the schema are inside it', { timeout: TIMEOUT }, async () => {
    const root = await scratch();
    await cp(path.join(REPO_ROOT, 'dist'), path.join(root, 'action', 'dist'), { recursive: true, verbatimSymlinks: true });
    const cli = path.join(root, 'action', 'dist', 'cli.js');
    const repo = path.join(root, 'photos');
    const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: root } });
    const init = run(['init', repo]);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(await listTree(repo)).toEqual(EXPECTED_FILES);
    const validate = run(['validate', '--repo', repo]);
    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain('Validation passed');
  });
});

describe('entra-photos --version (built CLI)', () => {
  it("prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`entra-photos ${version}\n`);
    }
  });
});

// Versions people can pin: scripts/release.mjs (what .github/workflows/release.yml runs on a tag)
// accepts this repository at package.json's version and names every mismatch otherwise.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../helpers/repo.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'release.mjs');
const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

function release(args: string[], root = REPO_ROOT) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ENTRA_PHOTOS_RELEASE_ROOT: root } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-release-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('release checks', () => {
  it(`this repository is ready to be tagged v${version}`, () => {
    const run = release(['check', `v${version}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it("the notes are CHANGELOG.md's section for the version, without link definitions", () => {
    const run = release(['notes', `v${version}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('### Added');
    expect(run.stdout).not.toMatch(/^## /m);
    expect(run.stdout).not.toMatch(/^\[[^\]]+\]: https/m);
  });

  it('a tag that does not match names every mismatch', () => {
    const root = path.join(scratch, 'stale');
    mkdirSync(path.join(root, 'schema'), { recursive: true });
    for (const f of ['package.json', 'CHANGELOG.md', 'README.md', 'schema/manifest.schema.json']) cpSync(path.join(REPO_ROOT, f), path.join(root, f));
    const run = release(['check', 'v9.8.7'], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the tag v9.8.7 does not match package.json's version ${version}`);
    expect(run.stderr).toContain('CHANGELOG.md has no "## [9.8.7]" section');
    expect(run.stderr).toContain("schema/manifest.schema.json's $id");
    expect(run.stderr).toMatch(/README\.md says "uses: entra-photos\/entra-photos@v\d+"; this release publishes v9\.8\.7 and moves v9/);
    writeFileSync(path.join(root, 'README.md'), 'nothing pinned here\n');
    expect(release(['check', 'v9.8.7'], root).stderr).toContain('README.md has no "uses: entra-photos/entra-photos@');
  });

  it('the major tag to move: v1 for v1.2.3, none for a pre-release; bad tags are usage errors', () => {
    expect(release(['major', 'v1.2.3']).stdout).toBe('v1\n');
    expect(release(['major', 'v1.2.3-rc.1']).stdout).toBe('');
    expect(release(['check', '1.2.3']).code).toBe(2);
    expect(release(['check', 'v1.2']).code).toBe(2);
  });

  it('the release workflow runs on version tags and checks the tag, dist/ and the notes before publishing', () => {
    const text = readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
    const wf = parseDocument(text).toJS() as { on: { push: { tags: string[] } }; permissions: Record<string, string>; jobs: { release: { steps: { run?: string }[] } } };
    expect(wf.on.push.tags).toEqual(['v*.*.*']);
    expect(wf.permissions).toEqual({ contents: 'write' });
    const runs = wf.jobs.release.steps.map((s) => s.run ?? '');
    const at = (needle: string) => runs.findIndex((r) => r.includes(needle));
    for (const needle of ['merge-base --is-ancestor', 'release.mjs check', 'npm run check-dist', 'gh release create', 'git push --force origin']) expect(at(needle), needle).toBeGreaterThanOrEqual(0);
    expect(at('release.mjs check')).toBeLessThan(at('gh release create'));
    expect(at('npm run check-dist')).toBeLessThan(at('gh release create'));
    expect(at('gh release create')).toBeLessThan(at('git push --force origin'));
  });
});

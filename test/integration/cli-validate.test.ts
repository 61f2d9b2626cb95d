import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { copySample, REPO_ROOT, tempDir, writeTree } from '../helpers/repo.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (chunks.push(Buffer.from(chunk)), done()) });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function cli(...argv: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(argv, out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('entra-photos <command> --help', () => {
  it('prints the options of every command and exits 0, without doing the work', async () => {
    for (const command of ['validate', 'plan', 'apply']) {
      const r = await cli(command, '--help', '--repo', '/nonexistent');
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toContain(`Options for ${command}`);
    }
    for (const [command, heading] of [['drift', 'Options for drift'], ['export', 'Options for export'], ['import', 'Options for import']] as const) {
      const r = await cli(command, '-h');
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toContain(heading);
    }
  });
});

describe('entra-photos validate', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('passes the repository sample with no errors and no warnings', async () => {
    const r = await cli('validate', '--repo', REPO_ROOT, '--all');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Validation passed: 0 errors, 0 warnings (2 manifests, 12 users, 12 photos checked).');
    expect(r.code).toBe(0);
  });

  it('exits 1 and prints file:line:col for a broken manifest', async () => {
    const dir = `${scratch.dir}/broken`;
    await copySample(dir);
    await writeTree(dir, {
      'manifests/late.yaml': 'version: 1\nusers:\n  - user: new.teacher@contoso.edu\n    photo: staff/new.teacher.jpg\n',
    });
    const r = await cli('validate', '--repo', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^manifests\/late\.yaml:4:12: error: The photo "staff\/new\.teacher\.jpg" does not exist.* \[photo-missing\]$/m);
    expect(r.stdout).toContain('Validation failed: 1 error');
  });

  it('prints JSON with --format json', async () => {
    const r = await cli('validate', '--repo', REPO_ROOT, '--format', 'json');
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ ok: true, errors: 0, warnings: 0, stats: { manifests: 2, users: 12 } });
    expect(json.findings).toEqual([]);
  });

  it('exits 2 on usage errors, with the reason', async () => {
    expect((await cli('validate', '--format', 'xml')).stderr).toContain('--format must be text or json');
    expect((await cli('validate', '--format', 'xml')).code).toBe(2);
    expect((await cli('validate', '--bogus')).code).toBe(2);
    expect((await cli('frobnicate')).stderr).toContain('Unknown command "frobnicate"');
    const missing = await cli('validate', '--repo', `${scratch.dir}/does-not-exist`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a directory');
  });
});

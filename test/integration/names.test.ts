/**
 * Issue 13, part 2 end to end (the built CLI, a real git repository, the local tenant): reviewers
 * see people, not numbers. The manifest's `name:` is shown beside the key in the plan, apply and
 * drift; where the manifest has none, apply and drift show the tenant's displayName; a name change
 * alone plans and uploads nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { git, initGitRepo, tempDir, writeTree } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;
const env = () => emulator.env as unknown as Record<string, string>;

async function face(hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="648" height="648"><rect width="100%" height="100%" fill="hsl(${hue},60%,45%)"/><circle cx="324" cy="260" r="${110 + hue / 10}" fill="#f1c27d"/><rect x="130" y="460" width="${380 - hue / 2}" height="188" fill="#333"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

const MANIFEST = `version: 1
users:
  # Named in the manifest.
  - employeeId: "10023"
    name: Maya P.
    photo: students/10023.jpg
  # No name: the tenant's displayName is shown where the run can see the tenant.
  - employeeId: "10024"
    photo: students/10024.jpg
`;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-names-');
  emulator = await startEmulator();
  repo = path.join(scratch.dir, 'repo');
  await writeTree(repo, { 'manifests/students.yaml': MANIFEST, 'photos/students/10023.jpg': await face(10), 'photos/students/10024.jpg': await face(200) });
  initGitRepo(repo);
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('names beside keys', () => {
  it('plan (no tenant): the manifest name; apply: the manifest name, else the tenant displayName', async () => {
    const plan = await runCli(['plan', '--repo', repo]);
    expect(plan.stdout).toContain('+ employeeId 10023 (Maya P.)  photos/students/10023.jpg');
    expect(plan.stdout).toContain('+ employeeId 10024  photos/students/10024.jpg');
    const planJson = JSON.parse((await runCli(['plan', '--repo', repo, '--format', 'json'])).stdout);
    expect(planJson.uploads.map((u: { name?: string }) => u.name)).toEqual(['Maya P.', undefined]);

    const apply = await runCli(['apply', '--repo', repo, '--remote', 'none', '--format', 'json'], env());
    expect(apply.code, apply.stderr).toBe(0);
    const outcomes = JSON.parse(apply.stdout).outcomes;
    expect(outcomes.map((o: { user: string; name?: string; status: string }) => [o.user, o.name, o.status])).toEqual([
      ['10023', 'Maya P.', 'uploaded'],
      ['10024', "Liam O'Brien", 'uploaded'],
    ]);
  });

  it('a name change alone is not a change: nothing planned, nothing uploaded', async () => {
    await writeFile(path.join(repo, 'manifests/students.yaml'), MANIFEST.replace('name: Maya P.', 'name: Maya Patel').replace('photo: students/10024.jpg', 'name: Liam\n    photo: students/10024.jpg'));
    git(repo, 'commit', '-q', '-am', 'names only');
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const apply = await runCli(['apply', '--repo', repo, '--remote', 'none', '--format', 'json'], env());
    expect(apply.code, apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout)).toMatchObject({ counts: { uploaded: 0, planned: 0 }, record: 'advanced' });
    expect((await emulator.admin.requests(since)).filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('drift shows the manifest name, else the tenant displayName (text, JSON)', async () => {
    await writeFile(path.join(repo, 'manifests/students.yaml'), MANIFEST);
    git(repo, 'commit', '-q', '-am', 'names back');
    await emulator.admin.deletePhoto('s10023@students.contoso.edu');
    await emulator.admin.deletePhoto('s10024@students.contoso.edu');
    const text = await runCli(['drift', '--repo', repo], env());
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('+ employeeId 10023 (Maya P.)  photos/students/10023.jpg  [no photo in the tenant]');
    expect(text.stdout).toContain("+ employeeId 10024 (Liam O'Brien)  photos/students/10024.jpg  [no photo in the tenant]");
    const json = JSON.parse((await runCli(['drift', '--repo', repo, '--format', 'json'], env())).stdout);
    expect(json.users.map((u: { user: string; name?: string }) => [u.user, u.name])).toEqual([
      ['10023', 'Maya P.'],
      ['10024', "Liam O'Brien"],
    ]);
    // --fix: its outcomes carry the names too (in the order the uploads finished: sorted here).
    const fixed = JSON.parse((await runCli(['drift', '--repo', repo, '--fix', '--format', 'json'], env())).stdout);
    expect(fixed.fix.outcomes.map((o: { user: string; name?: string }) => [o.user, o.name]).sort()).toEqual([
      ['10023', 'Maya P.'],
      ['10024', "Liam O'Brien"],
    ]);
    expect(await readFile(path.join(repo, 'manifests/students.yaml'), 'utf8')).toBe(MANIFEST);
  });
});

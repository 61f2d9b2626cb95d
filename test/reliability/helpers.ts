// Shared setup for the reliability suite: the real emulator (trusted in-process, as a child
// process would trust it with NODE_EXTRA_CA_CERTS), the real tenant client, photo repositories
// in real git, and the expected bytes of every user's photo (the normalised output's sha256).
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { EmulatorUserSeed, RunningEmulator } from '../../src/emulator/index.js';
import { checkPhoto } from '../../src/photo/index.js';
import { git, REPO_ROOT } from '../helpers/repo.js';

export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** The same trusted emulator and tenant client as the tenant-layer tests. */
export { startTrustedEmulator, clientFor as tenantFor } from '../target/entra/helpers.js';

export const userIdOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
export const upnOf = (i: number) => `u${i}@rel.contoso.edu`;
export const seedUsers = (n: number): EmulatorUserSeed[] => Array.from({ length: n }, (_, i) => ({ id: userIdOf(i), userPrincipalName: upnOf(i) }));

/** A distinct, photo-like 200² JPEG per (i, variant): cheap to make and to normalise. */
export async function portrait(i: number, variant = 0): Promise<Buffer> {
  const hue = (i * 47 + variant * 101) % 256;
  return sharp({ create: { width: 200, height: 200, channels: 3, background: { r: hue, g: (i * 13) % 256, b: (variant * 89 + i) % 256 } } })
    .composite([{ input: Buffer.from(`<svg width="200" height="200"><text x="10" y="100" font-size="40">${i}/${variant}</text></svg>`), top: 0, left: 0 }])
    .jpeg({ quality: 80 })
    .toBuffer();
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The sha256 the tenant must hold for this input: the normalised output's (default settings). */
export async function expectedSha(input: Buffer): Promise<string> {
  const report = await checkPhoto(input, { enabled: true, crop: 'centre' });
  if (!report.output) throw new Error(`fixture does not normalise: ${JSON.stringify(report.issues)}`);
  return report.output.sha256;
}

/**
 * Writes manifests/users.yaml for users [0, n) and photos/p<i>.jpg (variant per user from
 * `variantOf`), commits, and returns the head and each user's expected sha256.
 */
export async function commitRoster(dir: string, n: number, variantOf: (i: number) => number, message: string): Promise<{ head: string; expected: Map<string, string> }> {
  await mkdir(path.join(dir, 'manifests'), { recursive: true });
  await mkdir(path.join(dir, 'photos'), { recursive: true });
  const lines = ['version: 1', 'users:'];
  const expected = new Map<string, string>();
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(`  - user: ${upnOf(i)}`, `    photo: p${i}.jpg`);
    jobs.push(
      (async () => {
        const bytes = await portrait(i, variantOf(i));
        await writeFile(path.join(dir, 'photos', `p${i}.jpg`), bytes);
        expected.set(userIdOf(i), await expectedSha(bytes));
      })(),
    );
  }
  await Promise.all(jobs);
  await writeFile(path.join(dir, 'manifests', 'users.yaml'), lines.join('\n') + '\n');
  git(dir, 'init', '-q', '-b', 'main'); // idempotent
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return { head: git(dir, 'rev-parse', 'HEAD'), expected };
}

/** Users whose live photo differs from the expected one (missing counts as different). */
export async function mismatches(emulator: RunningEmulator, expected: Map<string, string>): Promise<string[]> {
  const state = await emulator.admin.state();
  const live = new Map(state.users.map((u) => [u.id, u.photo?.sha256]));
  return [...expected].filter(([id, sha]) => live.get(id) !== sha).map(([id]) => id);
}

export function appliedTag(repo: string, environment: string): string | undefined {
  const out = git(repo, 'for-each-ref', '--format=%(objectname)', `refs/tags/entra-photos/applied/${environment}`);
  return out || undefined;
}

/** `node dist/cli.js apply` as a child process; `killAfterMs` SIGKILLs it (if still running). */
export function runCliApply(
  emulator: RunningEmulator,
  args: string[],
  options: { killAfterMs?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'apply', '--format', 'json', ...args], {
    // A killed run leaves its apply lease behind, as a lost runner would; a short lease lets the
    // rerun take it over after seconds instead of the default two minutes.
    env: { ...process.env, ...emulator.env, ENTRA_PHOTOS_LEASE_TTL_SECONDS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = options.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), options.killAfterMs) : undefined;
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** A seeded PRNG (the emulator's mulberry32) for reproducible kill points and fault mixes. */
export { seededRandom as seeded } from '../../src/emulator/random.js';

import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_PHOTO = path.join(REPO_ROOT, 'photos', 'staff', 'ada.lovelace.jpg');

export type FileSpec = string | Buffer | { symlink: string } | { dir: true };

/** A scratch directory for one test; `cleanup` removes it. */
export async function tempDir(prefix = 'entra-photos-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeTree(root: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [rel, spec] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    if (typeof spec === 'string' || Buffer.isBuffer(spec)) await writeFile(abs, spec);
    else if ('symlink' in spec) await symlink(spec.symlink, abs);
    else await mkdir(abs, { recursive: true });
  }
}

/** Copies the repository's sample manifests/ and photos/ into `dir`. */
export async function copySample(dir: string): Promise<void> {
  await cp(path.join(REPO_ROOT, 'manifests'), path.join(dir, 'manifests'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'photos'), path.join(dir, 'photos'), { recursive: true });
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

export function initGitRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
}

/**
 * A bare `origin.git` under `dir` that serves any commit by its sha, as GitHub does for
 * actions/checkout, and an empty `author` repository on main that pushes to it.
 */
export function originWithAuthor(dir: string): { origin: string; author: string } {
  const origin = path.join(dir, 'origin.git');
  git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  const author = path.join(dir, 'author');
  git(dir, 'init', '-q', '-b', 'main', author);
  git(author, 'remote', 'add', 'origin', origin);
  return { origin, author };
}

/**
 * What actions/checkout does on a push: a new repository at `workspace` with `origin` as its
 * remote, fetch-depth 1 of the pushed `sha`, checked out as main. Returns `workspace`.
 */
export function shallowCheckout(origin: string, sha: string, workspace: string): string {
  git(path.dirname(workspace), 'init', '-q', workspace);
  git(workspace, 'remote', 'add', 'origin', `file://${origin}`);
  git(workspace, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', `+${sha}:refs/remotes/origin/main`);
  git(workspace, 'checkout', '-q', '-B', 'main', 'refs/remotes/origin/main');
  return workspace;
}

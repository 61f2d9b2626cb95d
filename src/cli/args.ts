/** Argument handling shared by every CLI command: one parser, one message per mistake. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors.js';

/** Strict parsing; a mistake is a usage error that repeats the command's usage text. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UserError('usage', `${(e as Error).message}\n\n${usage}`);
  }
}

/** As parseOptions, for a command that also takes positional arguments (init DIR, history KEY). */
export function parseWithPositionals<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UserError('usage', `${(e as Error).message}\n\n${usage}`);
  }
}

export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

export function readFormat(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UserError('usage', `--format must be text or json, not "${value}".`);
}

/** `--repo` (default: the current directory), which must be an existing directory. */
export async function repoDirectory(option: string | undefined): Promise<string> {
  const repo = path.resolve(option ?? '.');
  const st = await stat(repo).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserError('usage', `--repo ${repo} is not a directory. Point it at your photos repository.`);
  return repo;
}

/**
 * A revision given on the command line (--base, --head) that is not a commit in the repository is
 * a usage error (exit 2), not a failed run: checked before any work starts.
 */
export async function checkRevisionArguments(repo: string, revisions: Record<string, string | undefined>): Promise<void> {
  const { resolveCommit } = await import('../repo/git.js');
  for (const [flag, rev] of Object.entries(revisions)) {
    if (rev === undefined) continue;
    try {
      await resolveCommit(repo, rev);
    } catch (error) {
      if (error instanceof UserError) throw new UserError('usage', `${flag} ${error.message}`);
      throw error;
    }
  }
}

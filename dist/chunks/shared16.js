import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { U as UserError } from './shared6.js';

/** Argument handling shared by every CLI command: one parser, one message per mistake. */
/** Strict parsing; a mistake is a usage error that repeats the command's usage text. */
function parseOptions(args, options, usage) {
    try {
        return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
    }
    catch (e) {
        throw new UserError('usage', `${e.message}\n\n${usage}`);
    }
}
/** As parseOptions, for a command that also takes positional arguments (init DIR, history KEY). */
function parseWithPositionals(args, options, usage) {
    try {
        return parseArgs({ args, options, strict: true, allowPositionals: true });
    }
    catch (e) {
        throw new UserError('usage', `${e.message}\n\n${usage}`);
    }
}
function wantsHelp(args) {
    return args.includes('--help') || args.includes('-h');
}
function readFormat(value) {
    if (value === undefined || value === 'text' || value === 'json')
        return value ?? 'text';
    throw new UserError('usage', `--format must be text or json, not "${value}".`);
}
/** `--repo` (default: the current directory), which must be an existing directory. */
async function repoDirectory(option) {
    const repo = path.resolve(option ?? '.');
    const st = await stat(repo).catch(() => undefined);
    if (!st?.isDirectory())
        throw new UserError('usage', `--repo ${repo} is not a directory. Point it at your photos repository.`);
    return repo;
}
/**
 * A revision given on the command line (--base, --head) that is not a commit in the repository is
 * a usage error (exit 2), not a failed run: checked before any work starts.
 */
async function checkRevisionArguments(repo, revisions) {
    const { resolveCommit } = await import('./git.js');
    for (const [flag, rev] of Object.entries(revisions)) {
        if (rev === undefined)
            continue;
        try {
            await resolveCommit(repo, rev);
        }
        catch (error) {
            if (error instanceof UserError)
                throw new UserError('usage', `${flag} ${error.message}`);
            throw error;
        }
    }
}

export { repoDirectory as a, parseWithPositionals as b, checkRevisionArguments as c, parseOptions as p, readFormat as r, wantsHelp as w };

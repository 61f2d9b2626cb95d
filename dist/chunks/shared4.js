import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError, o as openTenant, H as githubOidcFromEnv, I as DEFAULT_OIDC_AUDIENCE } from './shared2.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

/**
 * The tenant options the tenant-facing CLI commands share (drift, export, import): flags first,
 * then the ENTRA_PHOTOS_* variables that `entra-photos emulator` prints.
 */
const TENANT_OPTIONS = {
    'tenant-id': { type: 'string' },
    'client-id': { type: 'string' },
    cloud: { type: 'string' },
    'authority-host': { type: 'string' },
    'graph-url': { type: 'string' },
    audience: { type: 'string' },
};
function tenantFromArgs(command, values, env = process.env) {
    const tenantId = values['tenant-id'] ?? env.ENTRA_PHOTOS_TENANT_ID ?? '';
    const clientId = values['client-id'] ?? env.ENTRA_PHOTOS_CLIENT_ID ?? '';
    if (!tenantId || !clientId) {
        throw new UserError('usage', `${command} needs --tenant-id and --client-id (or ENTRA_PHOTOS_TENANT_ID and ENTRA_PHOTOS_CLIENT_ID; "entra-photos emulator" prints them for the local tenant).`);
    }
    const authorityHost = values['authority-host'] ?? env.ENTRA_PHOTOS_AUTHORITY_HOST;
    const graphUrl = values['graph-url'] ?? env.ENTRA_PHOTOS_GRAPH_URL;
    return openTenant({ tenantId, clientId, cloud: values.cloud ?? env.ENTRA_PHOTOS_CLOUD ?? 'global', ...(authorityHost ? { authorityHost } : {}), ...(graphUrl ? { graphUrl } : {}) }, githubOidcFromEnv(env, values.audience ?? DEFAULT_OIDC_AUDIENCE));
}
/** SIGINT/SIGTERM → abort: nothing new starts, in-flight requests finish, progress is kept. */
function interruptible(work) {
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('interrupted'));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return work(controller.signal).finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
    });
}

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

export { TENANT_OPTIONS as T, repoDirectory as a, interruptible as i, parseOptions as p, readFormat as r, tenantFromArgs as t, wantsHelp as w };

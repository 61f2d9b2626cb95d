import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { H as parseAuthKind, o as openTenant, J as githubOidcFromEnv, I as DEFAULT_OIDC_AUDIENCE, K as openTenantAsUser } from './shared9.js';
import { U as UserError } from './shared4.js';
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
    auth: { type: 'string' },
};
/** Where sign-in messages go: the CLI's stderr writer (set by main; --format json keeps stdout clean). */
let signInOutput;
/** main() hands its (log-safe) stderr writer here before any command runs. */
function setSignInOutput(writer) {
    signInOutput = writer;
}
/**
 * The tenant a command talks to, signed in as `--auth` says (ENTRA_PHOTOS_AUTH too): github-oidc
 * (the app, through the workflow's OIDC token; the default inside GitHub Actions) or, as the admin
 * at the keyboard, azure-cli, device-code or browser. Outside Actions the default tries the Azure
 * CLI, then device code, and says which it used. Sign-in messages (the device code and its URL)
 * go to `say` (stderr by default, so --format json output stays clean).
 */
function tenantFromArgs(command, values, env = process.env, say = (line) => signInOutput?.write(`${line}\n`)) {
    const tenantId = values['tenant-id'] ?? env.ENTRA_PHOTOS_TENANT_ID ?? '';
    const clientId = values['client-id'] ?? env.ENTRA_PHOTOS_CLIENT_ID ?? '';
    // Inside a workflow job (or wherever a job's OIDC token service is given): the app, by GitHub OIDC.
    const inActions = env.GITHUB_ACTIONS === 'true' || Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    const auth = parseAuthKind(values.auth ?? env.ENTRA_PHOTOS_AUTH) ?? (inActions ? 'github-oidc' : undefined);
    // The Azure CLI signs in through its own app: no client id needed (and the default falls back to device code, which needs one).
    const needsClientId = auth !== 'azure-cli' && auth !== undefined;
    if (!tenantId || (needsClientId && !clientId)) {
        throw new UserError('usage', `${command} needs --tenant-id and --client-id (or ENTRA_PHOTOS_TENANT_ID and ENTRA_PHOTOS_CLIENT_ID; "entra-photos emulator" prints them for the local tenant).`);
    }
    const authorityHost = values['authority-host'] ?? env.ENTRA_PHOTOS_AUTHORITY_HOST;
    const graphUrl = values['graph-url'] ?? env.ENTRA_PHOTOS_GRAPH_URL;
    const settings = { tenantId, clientId, cloud: values.cloud ?? env.ENTRA_PHOTOS_CLOUD ?? 'global', ...(authorityHost ? { authorityHost } : {}), ...(graphUrl ? { graphUrl } : {}) };
    if (auth === 'github-oidc')
        return openTenant(settings, githubOidcFromEnv(env, values.audience ?? DEFAULT_OIDC_AUDIENCE));
    return openTenantAsUser(settings, auth ?? 'auto', say);
}
/** `--unknown-users pending|fail` (default pending: see ApplyOptions.unknownUsers). */
function readUnknownUsers(value) {
    if (value === undefined)
        return 'pending';
    const choice = value.trim().toLowerCase();
    if (choice === 'pending' || choice === 'fail')
        return choice;
    throw new UserError('usage', `--unknown-users is "${value}"; write pending (wait for the account, the default) or fail.`);
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

export { TENANT_OPTIONS as T, readUnknownUsers as a, repoDirectory as b, checkRevisionArguments as c, interruptible as i, parseOptions as p, readFormat as r, setSignInOutput as s, tenantFromArgs as t, wantsHelp as w };

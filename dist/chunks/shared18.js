import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import 'node:os';
import { a as parseAuthKind, o as openTenant, g as githubOidcFromEnv, D as DEFAULT_OIDC_AUDIENCE, b as openTenantAsUser, d as googleSettingsProblems, e as openGoogle } from './shared2.js';
import { U as UserError } from './shared6.js';

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
    return openTenantAsUser(settings, auth ?? 'auto', say, (signIn) => endOnInterrupt(signIn, say));
}
/**
 * While the admin signs in (browser or device code), Ctrl-C or SIGTERM ends the command at once,
 * saying so: the wait cannot be cancelled (see userAuth.ts), and the command's own handler (let
 * in-flight work finish) would swallow the first Ctrl-C and wait on. The first sign-in comes
 * before anything is sent to the tenant, so ending there loses nothing.
 */
async function endOnInterrupt(signIn, say) {
    const cancel = (signal) => {
        say(`Sign-in cancelled (${signal === 'SIGINT' ? 'Ctrl-C' : signal}).`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', cancel);
    process.once('SIGTERM', cancel);
    try {
        return await signIn();
    }
    finally {
        process.off('SIGINT', cancel);
        process.off('SIGTERM', cancel);
    }
}
/** Which directory a command writes to or reads (`--target`), and Google's sign-in (the action's google-* inputs). */
const TARGET_OPTIONS = {
    target: { type: 'string' },
    'google-workload-identity-provider': { type: 'string' },
    'google-service-account': { type: 'string' },
    'google-admin-subject': { type: 'string' },
    'google-customer': { type: 'string' },
    'google-endpoint': { type: 'string' },
};
/** `--target entra|google` (default entra). */
function readTarget(value) {
    const choice = (value ?? 'entra').trim().toLowerCase();
    if (choice === 'entra' || choice === 'google')
        return choice;
    throw new UserError('usage', `--target is "${value}"; write entra (Microsoft Entra ID, the default) or google (Google Workspace).`);
}
/**
 * The target a command talks to: Entra (tenantFromArgs) or, with --target google, Google
 * Workspace signed in keylessly with the job's GitHub OIDC token (flags first, then
 * ENTRA_PHOTOS_GOOGLE_* variables). Google has no laptop sign-in here: it runs in a workflow job
 * (or against the emulator, whose OIDC variables stand in for one).
 */
function targetFromArgs(command, values, env = process.env) {
    if (readTarget(values.target) === 'entra')
        return tenantFromArgs(command, values, env);
    const pick = (flag, variable) => {
        const value = (values[flag] ?? env[variable] ?? '').trim();
        return value || undefined;
    };
    const settings = {
        workloadIdentityProvider: pick('google-workload-identity-provider', 'ENTRA_PHOTOS_GOOGLE_WORKLOAD_IDENTITY_PROVIDER') ?? '',
        serviceAccount: pick('google-service-account', 'ENTRA_PHOTOS_GOOGLE_SERVICE_ACCOUNT') ?? '',
        ...optional('adminSubject', pick('google-admin-subject', 'ENTRA_PHOTOS_GOOGLE_ADMIN_SUBJECT')),
        ...optional('customer', pick('google-customer', 'ENTRA_PHOTOS_GOOGLE_CUSTOMER')),
        ...optional('endpoint', pick('google-endpoint', 'ENTRA_PHOTOS_GOOGLE_ENDPOINT')),
    };
    const problems = googleSettingsProblems(settings, { provider: '--google-workload-identity-provider', serviceAccount: '--google-service-account', adminSubject: '--google-admin-subject', endpoint: '--google-endpoint' });
    if (problems.length)
        throw new UserError('usage', `${command} --target google: ${problems.join(' ')}`);
    return openGoogle(settings, (audience) => githubOidcFromEnv(env, audience)());
}
function optional(key, value) {
    return value === undefined ? {} : { [key]: value };
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

export { TARGET_OPTIONS as T, TENANT_OPTIONS as a, tenantFromArgs as b, readUnknownUsers as c, interruptible as i, readTarget as r, setSignInOutput as s, targetFromArgs as t };

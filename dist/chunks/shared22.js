import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { a as roleName, d as distExports } from './shared.js';
import { w as wantedPolicy, b as blocksApp } from './shared13.js';
import { g as githubOidcFromEnv, r as readJwtClaims, f as audienceClaim, P as PERMISSIONS, E as EntraTarget, t as targetsOf, i as isGraphError, h as isResolved, v as validateRepository } from './shared2.js';
import { p as printable } from './shared4.js';
import { N as NEUTRAL_VOCABULARY } from './shared14.js';
import { d as desiredStateOf } from './shared10.js';
import { W as WorktreeSnapshot } from './shared21.js';
import 'node:fs';
import 'node:os';

/**
 * `entra-photos doctor`: checks a setup and says what to fix, in order, without writing anything:
 * sign-in (and, for GitHub OIDC, the subject and audience presented), the Graph permissions the
 * app effectively has (by harmless reads), whether each manifest key resolves, the live photo
 * policy and whether it lets this app write photos, whether the repository is private (only
 * knowable in Actions), and whether the workflows grant what each mode needs.
 */
/** Every check, reads only. Shared by the CLI and the action's mode: doctor. */
async function diagnose(options) {
    const env = options.env ?? process.env;
    const report = { ok: [], notes: [], problems: [] };
    let signedIn = true;
    if (options.githubOidc) {
        // Without a token there is no sign-in: the tenant checks would only repeat the problem.
        signedIn = await presentedToken(env, options.githubOidc.audience, report);
    }
    else {
        report.notes.push(`Signing in as the admin at the keyboard (${options.authLabel ?? 'Azure CLI, then device code'}): Graph checks your own permissions and roles, not the app's. Run doctor in a workflow (or with --auth github-oidc) to check the app.`);
    }
    const manifests = worktreeManifests(options.repo);
    if (signedIn)
        await tenantChecks(options.tenant, manifests, !options.githubOidc, report, options.words ?? NEUTRAL_VOCABULARY);
    await googleChecks(manifests, options.google, report);
    await repositoryVisibility(env, report);
    await workflowChecks(options.repo, report);
    return report;
}
/** ok and note lines, then the numbered problems (or "Ready"). */
function doctorText(report) {
    const lines = [...report.ok.map((l) => `ok    ${l}`), ...report.notes.map((l) => `note  ${l}`), ''];
    if (report.problems.length === 0)
        lines.push('Ready: no problems found.');
    else
        lines.push(`${report.problems.length} problem(s); fix them in this order:`, ...report.problems.map((p, i) => `${i + 1}. ${p}`));
    return lines.join('\n') + '\n';
}
/** The GitHub OIDC token's subject, audience and issuer: what the federated credential must match. */
async function presentedToken(env, audience, report) {
    try {
        const jwt = await githubOidcFromEnv(env, audience)();
        const claims = readJwtClaims(jwt);
        if (!claims)
            throw new Error('the token GitHub returned is not a JWT');
        const aud = audienceClaim(claims, ', ') ?? String(claims['aud'] ?? '');
        report.ok.push(`GitHub OIDC token: subject "${String(claims['sub'] ?? '')}", audience "${aud}", issuer "${String(claims['iss'] ?? '')}" (the app's federated credential must match these exactly)`);
        return true;
    }
    catch (error) {
        report.problems.push(`No GitHub OIDC token: ${error.message}`);
        return false;
    }
}
const forbidden = (error) => isGraphError(error) && error.status === 403;
function worktreeManifests(repo) {
    const snapshot = new WorktreeSnapshot(repo);
    let validating;
    return { snapshot, validation: () => (validating ??= validateRepository(snapshot, { shouldDecode: () => false })) };
}
async function tenantChecks(tenant, manifests, delegated, report, words) {
    const who = delegated ? 'You (the signed-in admin)' : 'The app';
    const grant = (permission, why = '') => delegated
        ? `${who} cannot use ${permission}${why}: sign in as an admin who may (and consent to it), or check the app instead.`
        : `The app lacks the Graph application permission ${permission}${why}: add it under API permissions of the app registration and grant admin consent.`;
    // 1. Sign-in and User.Read.All, in one harmless read.
    let anyUser;
    let canReadUsers = false;
    try {
        anyUser = await tenant.anyUserId();
        report.ok.push(`Signed in to ${tenant.graphUrl}`);
        report.ok.push(`${PERMISSIONS.users}: users can be read`);
        canReadUsers = true;
    }
    catch (error) {
        if (!forbidden(error)) {
            report.problems.push(`Could not sign in or reach Graph: ${error.message}`);
            return; // nothing else about the tenant can be checked
        }
        report.ok.push(`Signed in to ${tenant.graphUrl}`);
        report.problems.push(grant(PERMISSIONS.users, ' (needed to find the users of the manifests)'));
    }
    // 2. Photos: read one user's photo metadata (writing cannot be checked without writing).
    if (anyUser) {
        try {
            await tenant.getPhotoMeta(anyUser);
            report.ok.push(`${PERMISSIONS.photos}: photos can be read (writes are not tried)`);
        }
        catch (error) {
            if (forbidden(error))
                report.problems.push(grant(PERMISSIONS.photos, ' (needed to upload photos)'));
            else
                report.notes.push(`Could not read a photo to check ${PERMISSIONS.photos}: ${error.message}`);
        }
    }
    else if (canReadUsers) {
        report.notes.push(`The tenant has no users to read a photo of: ${PERMISSIONS.photos} was not checked.`);
    }
    else {
        report.notes.push(`${PERMISSIONS.photos} was not checked (no user could be read).`);
    }
    // 3. Manifests: every key of the working tree resolves.
    const { snapshot } = manifests;
    const validation = await manifests.validation();
    const errors = validation.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
        report.problems.push(`The manifests do not validate (${errors.length} error(s)): run "entra-photos validate" and fix them.`);
        return;
    }
    const desired = await desiredStateOf(snapshot, validation);
    if (canReadUsers && desired.users.size > 0) {
        const wanted = [...desired.users.values()];
        try {
            // Through the Entra target: users and groups (a manifest's groups:) alike.
            const resolutions = await new EntraTarget(tenant).resolveSubjects(wanted.map((w) => w.key));
            const unknown = unresolvedSubjects(wanted, resolutions);
            const groups = wanted.filter((w) => w.key.kind === 'group').length;
            if (unknown.length === 0)
                report.ok.push(groups ? `All ${wanted.length - groups ? `${wanted.length - groups} manifest user(s) and ` : ''}${groups} manifest group(s) resolve` : `All ${wanted.length} manifest user(s) resolve to tenant users`);
            for (const { where, value, group, reason } of unknown) {
                report.problems.push(group
                    ? `${where}: group "${value}" does not resolve (${reason}). Fix the key (the group's mail, mailNickname or object id); looking groups up needs ${PERMISSIONS.groupMembers}.`
                    : `${where}: user "${value}" does not resolve (${reason}). Fix the key, or wait for the account to exist (apply keeps such users pending).`);
            }
        }
        catch (error) {
            report.problems.push(`Could not look up the manifest users: ${error.message}`);
        }
    }
    else if (desired.users.size === 0) {
        report.notes.push('The manifests declare no users.');
    }
    // 4. The live policy, and whether this app may write photos under it.
    let live;
    try {
        live = await tenant.getPhotoPolicy();
    }
    catch (error) {
        const why = forbidden(error) ? grant(`${PERMISSIONS.policyRead} (or ${PERMISSIONS.policy})`) : error.message;
        if (desired.policy)
            report.problems.push(`The manifests declare policy:, but the live photo policy cannot be read: ${why}`);
        else
            report.notes.push(`The live photo policy cannot be read (not needed without policy: in a manifest), so whether it allows this app's writes is unknown.`);
        return;
    }
    const described = `source ${live.source ?? 'unset'}, allowedRoles ${live.allowedRoles.length ? live.allowedRoles.map(roleName).join(', ') : '(none)'}`;
    report.ok.push(`Live photo policy: ${described}`);
    const after = desired.policy ? wantedPolicy(desired.policy, live) : undefined;
    if (live.source === 'onPremises' && !(after && after.source === 'cloud')) {
        report.problems.push(`The photo policy's source is onPremises, which disables cloud photo writes for everyone: set policy: source: cloud in a manifest (with ${PERMISSIONS.policy}) or change it in the Microsoft 365 admin center.`);
        return;
    }
    const restricts = [live, after].some((p) => p && p.source !== 'onPremises' && p.allowedRoles.length > 0);
    if (!restricts)
        return;
    if (delegated) {
        report.notes.push('The policy restricts photo writes to roles; as a signed-in admin your own roles count, which doctor does not read.');
        return;
    }
    let roles;
    try {
        roles = await tenant.appRoleTemplateIds();
    }
    catch (error) {
        report.notes.push(`The policy restricts photo writes to roles, and the app's roles cannot be read (${error.message}); whether it may write photos is unknown.`);
        return;
    }
    const blockedNow = live.allowedRoles.length > 0 ? blocksApp(live, roles) : undefined;
    if (blockedNow && !(after && !blocksApp(after, roles))) {
        report.problems.push(`The live photo policy refuses this app's photo writes: ${blockedNow}. Assign the app's service principal one of those roles (for example User Administrator), or change allowedRoles.`);
    }
    else if (after) {
        const blockedAfter = blocksApp(after, roles);
        if (blockedAfter)
            report.problems.push(`The policy the manifests declare would refuse this app's photo writes: ${blockedAfter}. apply refuses that change unless you ${words.allowPolicyLockout} (only if locking the app out is intended).`);
        else
            report.ok.push("The photo policy lets this app write photos");
    }
    else {
        report.ok.push("The photo policy lets this app write photos");
    }
}
/**
 * Google Workspace, when the manifests declare it: the keyless sign-in chain and a harmless read
 * (the first page of users.list), then whether each manifest user resolves to a Google account.
 */
async function googleChecks(manifests, open, report) {
    const { snapshot } = manifests;
    const validation = await manifests.validation();
    if (!targetsOf(validation).includes('google'))
        return;
    const at = validation.targets ? `${printable(validation.targets.at.file)}:${validation.targets.at.line}` : 'the manifests';
    if (validation.findings.some((f) => f.severity === 'error'))
        return; // said once, by the tenant checks
    let target;
    try {
        if (!open)
            throw new Error('no Google sign-in was given to doctor');
        target = open();
    }
    catch (error) {
        report.problems.push(`${at} declares the google target, but Google Workspace cannot be reached: ${error.message}`);
        return;
    }
    try {
        const pages = target.listSubjects()[Symbol.asyncIterator]();
        await pages.next();
        await pages.return?.();
        report.ok.push('Google Workspace: signed in keylessly (GitHub OIDC → STS → IAM Credentials), users can be read');
    }
    catch (error) {
        report.problems.push(`Google Workspace: could not sign in or read users: ${error.message}`);
        return;
    }
    const desired = await desiredStateOf(snapshot, validation, undefined, 'google');
    const wanted = [...desired.users.values()].filter((w) => w.key.kind !== 'group');
    if (wanted.length === 0)
        return;
    try {
        const resolutions = await target.resolveSubjects(wanted.map((w) => w.key));
        const unknown = unresolvedSubjects(wanted, resolutions);
        if (unknown.length === 0)
            report.ok.push(`All ${wanted.length} manifest user(s) resolve to Google Workspace users`);
        for (const { where, value, reason } of unknown) {
            report.problems.push(`${where}: user "${value}" does not resolve in Google Workspace (${reason}). Fix the key or add a google: key, or wait for the account to exist (apply keeps such users pending).`);
        }
    }
    catch (error) {
        report.problems.push(`Could not look up the manifest users in Google Workspace: ${error.message}`);
    }
}
/**
 * The wanted subjects a target did not resolve, each with its manifest line, its key and the
 * target's reason (without its final period); file and key are data, printed through printable.
 */
function unresolvedSubjects(wanted, resolutions) {
    return wanted.flatMap(({ key, declaredAt }) => {
        const resolution = resolutions.get(key.canonical);
        if (isResolved(resolution))
            return [];
        return [{ where: `${printable(declaredAt.file)}:${declaredAt.line}`, value: printable(key.value), group: key.kind === 'group', reason: (resolution?.reason ?? 'not looked up').replace(/\.$/, '') }];
    });
}
/** Private or public: known only from a workflow's event payload. */
async function repositoryVisibility(env, report) {
    if (!env.GITHUB_EVENT_PATH) {
        report.notes.push('Whether the repository is private cannot be told from here (run doctor in a workflow); photos are personal data: keep it private.');
        return;
    }
    try {
        const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'));
        const repository = event.repository;
        if (repository?.private === false || repository?.visibility === 'public') {
            report.problems.push(`The repository ${String(repository.full_name ?? '')} is public: anyone can download the photos. Make it private (Settings → General → Danger Zone → Change visibility).`);
        }
        else if (repository?.private === true) {
            report.ok.push('The repository is private');
        }
        else {
            report.notes.push('The event payload does not say whether the repository is private.');
        }
    }
    catch (error) {
        report.notes.push(`Could not read the event payload to tell whether the repository is private: ${error.message}`);
    }
}
/** Each job that runs the action (or the CLI) in a mode that talks to the tenant needs id-token: write. */
async function workflowChecks(repo, report) {
    const dir = path.join(repo, '.github', 'workflows');
    let files;
    try {
        files = (await readdir(dir)).filter((f) => /\.ya?ml$/i.test(f)).sort();
    }
    catch {
        report.notes.push('No .github/workflows directory: nothing applies the repository to the tenant yet ("entra-photos init" writes the workflows).');
        return;
    }
    for (const file of files) {
        const rel = `.github/workflows/${file}`;
        let doc;
        try {
            doc = distExports.parse(await readFile(path.join(dir, file), 'utf8'));
        }
        catch (error) {
            report.problems.push(`${rel} is not valid YAML: ${error.message.split('\n')[0]}`);
            continue;
        }
        if (!isObject(doc) || !isObject(doc['jobs']))
            continue;
        const triggers = triggersOf(doc['on']);
        for (const [jobName, job] of Object.entries(doc['jobs'])) {
            if (!isObject(job) || !Array.isArray(job['steps']))
                continue;
            const modes = new Set();
            const matchersBefore = new Set();
            let runsUs = false;
            for (const step of job['steps']) {
                if (!isObject(step))
                    continue;
                const registers = problemMatcherSource(step);
                if (registers && !runsUs)
                    matchersBefore.add(registers);
                if (typeof step['uses'] === 'string' && /entra-photos/i.test(step['uses'])) {
                    runsUs = true;
                    const mode = isObject(step['with']) && typeof step['with']['mode'] === 'string' ? step['with']['mode'].trim() : '';
                    if (mode)
                        modes.add(mode);
                    else if (triggers.some((t) => t !== 'pull_request' && t !== 'pull_request_target'))
                        modes.add('apply or drift (mode follows the event)');
                }
                if (typeof step['run'] === 'string')
                    for (const m of step['run'].matchAll(/entra-photos\s+(apply|drift|doctor|validate|plan)\b/g)) {
                        runsUs = true;
                        modes.add(m[1]);
                    }
            }
            if (runsUs && matchersBefore.size > 0) {
                report.notes.push(`${rel}: job "${jobName}" runs ${[...matchersBefore].map(printable).join(', ')} before entra-photos. Problem matchers a step registers read every later line of the job's log, entra-photos' too, and the runner turns a matching line into an annotation: a line carrying a pull request's file name could become one. Run entra-photos in a job of its own (as the workflows "entra-photos init" writes do).`);
            }
            const needs = [...modes].filter((m) => !['validate', 'plan'].includes(m));
            if (needs.length === 0)
                continue;
            const permissions = 'permissions' in job ? job['permissions'] : doc['permissions'];
            if (!grantsIdToken(permissions)) {
                report.problems.push(`${rel}: job "${jobName}" runs ${needs.join(', ')} but does not grant "permissions: id-token: write" (needed for the GitHub OIDC sign-in): add it to the job or the workflow.`);
            }
            else {
                report.ok.push(`${rel}: job "${jobName}" (${needs.join(', ')}) may request a GitHub OIDC token`);
            }
        }
    }
}
/**
 * The step, when it registers problem matchers for the rest of the job: the setup actions that do
 * (setup-node: tsc, eslint; setup-python, setup-go, setup-java, setup-dotnet: their compilers'),
 * or a script that writes `::add-matcher::` itself. Undefined for any other step.
 */
function problemMatcherSource(step) {
    const uses = typeof step['uses'] === 'string' ? step['uses'] : '';
    const setup = /^actions\/setup-(node|python|go|java|dotnet)@/i.exec(uses);
    if (setup)
        return uses.split('@')[0];
    if (typeof step['run'] === 'string' && step['run'].includes('::add-matcher::'))
        return `a step writing ::add-matcher::${typeof step['name'] === 'string' ? ` ("${step['name']}")` : ''}`;
    return undefined;
}
function grantsIdToken(permissions) {
    if (permissions === 'write-all')
        return true;
    return isObject(permissions) && permissions['id-token'] === 'write';
}
function triggersOf(on) {
    if (typeof on === 'string')
        return [on];
    if (Array.isArray(on))
        return on.filter((t) => typeof t === 'string');
    if (isObject(on))
        return Object.keys(on);
    return [];
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { diagnose as a, doctorText as d };

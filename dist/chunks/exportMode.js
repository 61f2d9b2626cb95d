import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { w as warning, s as setOutput, b as summary, c as cancellation, d as actionProgress, l as logInfo, a as setFailed, e as connectFromWorkflow, r as refusePullRequests, G as GOOGLE_INPUT_NAMES, f as requireOidcToken, g as googleFromWorkflow, n as notice } from './shared23.js';
import { g as getOctokit } from './shared26.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { p as provenanceFromEnv } from './shared9.js';
import { U as UserError } from './shared6.js';
import { p as printable } from './shared4.js';
import { c as exportHeadline, d as exportCounts, e as exportTenant } from './shared19.js';
import { m as mdText, t as truncateAtLine, s as safeUrl, b as mdLink } from './shared8.js';
import { d as targetTitle } from './shared24.js';
import { isGitRepository, defaultRemote, gitMaybe, git } from './git.js';
import 'node:os';
import { d as googleSettingsProblems } from './shared2.js';
import 'os';
import 'crypto';
import 'fs';
import 'path';
import 'http';
import 'https';
import 'net';
import 'tls';
import 'events';
import 'assert';
import 'util';
import 'node:assert';
import 'node:net';
import 'node:http';
import 'node:stream';
import 'node:buffer';
import 'node:util';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import 'node:tls';
import 'node:zlib';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'string_decoder';
import 'child_process';
import 'timers';
import 'sharp';
import 'node:crypto';
import './shared11.js';
import './shared12.js';
import './shared20.js';
import './shared.js';
import 'process';
import 'buffer';
import './shared5.js';
import './shared21.js';
import './shared14.js';
import 'node:child_process';
import './shared7.js';
import 'stream';
import 'node:process';
import 'tty';
import 'url';
import 'node:https';
import 'node:fs';

/**
 * The action's export (mode: export) in words: the pull request's title and body, the commit
 * message, the job summary and the log lines. Pure functions of an export result and of what the
 * action did with it.
 *
 * Everything the tenant says (userPrincipalNames, display names, Graph's messages) and everything
 * the workflow's inputs say (domains, group, paths) is data: in Markdown it goes through mdText
 * (src/report/markdown.ts), in text through printable, so a display name cannot mention anyone,
 * link anywhere or add a row.
 */
/** The required check the pull request goes through (the job name init's workflow gives it). */
const VALIDATE_CHECK = 'Validate photos';
/** Branches the action pushes; an open pull request from one of them means an export awaits review. */
const EXPORT_BRANCH_PREFIX = 'entra-photos/export/';
const USERS = { counted: 'user(s)', plural: 'users', column: 'User' };
const GROUPS = { counted: 'group(s) and team(s)', plural: 'groups and teams', column: 'Group or team' };
function subjectsOf(filters) {
    return filters?.groups ? GROUPS : USERS;
}
/** Where the photos came from, as the texts name it: "the tenant" (Entra) or "Google Workspace". */
function sourceOf(filters) {
    return filters?.target && filters.target !== 'entra' ? targetTitle(filters.target) : 'the tenant';
}
/** GitHub's limit for a pull request body is 65,536 characters: keep well under it. */
const BODY_LIMIT = 60_000;
const SUMMARY_LIMIT = 900_000;
function exportedCount(result) {
    return exportCounts(result).exported;
}
/** `filters` says whether groups were exported (default: users) and from where (default: the tenant). */
function exportPullRequestTitle(result, filters) {
    const n = exportedCount(result);
    return `Adopt ${n} ${filters?.groups ? 'group' : 'profile'} photo${n === 1 ? '' : 's'} from ${sourceOf(filters)}`;
}
/** The commit on the export branch: plain text, one line per fact, data through printable. */
function exportCommitMessage(result, context) {
    const c = exportCounts(result);
    const skipped = skippedParts(result);
    return [
        exportPullRequestTitle(result, context.filters),
        '',
        `entra-photos export downloaded the photos ${sourceOf(context.filters)} holds for ${c.exported} ${subjectsOf(context.filters).counted},`,
        `wrote them under ${printable(context.photoFolder)}/ and declared them in ${printable(result.manifest)}.`,
        `Filters: ${printable(describeFilters(context.filters))}.`,
        ...(skipped.length ? [`Not exported: ${skipped.join(', ')}.`] : []),
        ...(result.complete ? [] : ['The export did not complete: see the workflow run.']),
        ...(context.runUrl ? [`Workflow run: ${printable(context.runUrl)}`] : []),
        '',
    ].join('\n');
}
/**
 * The pull request's description: what was adopted, what was not and why, and what happens next
 * (the normal check, review, apply), including that a pull request opened with the workflow's
 * own token does not start its check by itself.
 */
function exportPullRequestBody(result, context) {
    const out = [`## ${result.complete ? '✅' : '⚠️'} entra-photos: ${mdText(exportPullRequestTitle(result, context.filters))}`, '', ...exportDetails(result, context), ...nextSteps(), ...checkNote()];
    return truncateAtLine(out.join('\n'), BODY_LIMIT);
}
/** The job summary of a run that adopted photos: what happened to the branch and the pull request, then the same details. */
function exportSummary(result, context, delivery) {
    const out = [`## ${result.complete && delivery.kind === 'opened' ? '✅' : '⚠️'} entra-photos: ${mdText(exportHeadline(result, subjectsOf(context.filters).counted))}`, ''];
    if (delivery.kind === 'opened') {
        out.push(`Pushed the branch ${mdText(delivery.branch)} and opened ${linkOr('the pull request', delivery.url)} against ${mdText(delivery.base)}.`, '');
    }
    else {
        out.push('> [!WARNING]', `> Pushed the branch ${mdText(delivery.branch)}, but the pull request could not be opened: ${mdText(delivery.why)} Open it by hand: ${linkOr(`compare ${delivery.base} with ${delivery.branch}`, delivery.compareUrl)}, and paste the description below.`, '');
    }
    out.push(...exportDetails(result, context), ...nextSteps(), ...checkNote());
    return truncateAtLine(out.join('\n'), SUMMARY_LIMIT);
}
/** The job summary of a run that adopted nothing: no branch, no pull request. */
function exportNothingSummary(result, context) {
    const out = [
        `## ${result.complete ? '✅' : '⚠️'} entra-photos: ${mdText(exportHeadline(result, subjectsOf(context.filters).counted))}`,
        '',
        mdText(`No photo to adopt: no branch was pushed and no pull request was opened. Filters: ${describeFilters(context.filters)}.`),
        '',
        ...exportDetails(result, context, false),
    ];
    return truncateAtLine(out.join('\n'), SUMMARY_LIMIT);
}
/** The job summary when an earlier export's pull request is still open: nothing was exported. */
function exportAlreadyOpenSummary(url, branch) {
    return [
        `## ⚠️ entra-photos: An export pull request is already open`,
        '',
        `${linkOr('The pull request', url)} from ${mdText(branch)} is waiting for review, so nothing was exported (a second export would declare the same users or groups again).`,
        'Merge it or close it, then run the export again: it adopts only the users (or groups) no manifest declares yet.',
        '',
    ].join('\n');
}
/** Why an incomplete export fails the step, and what to do: the headline, then the next run. */
function exportFailure(result, filters) {
    const next = exportedCount(result) > 0 ? `What was adopted is on the branch; once it is merged, run the export again: it adopts only the ${subjectsOf(filters).plural} no manifest declares yet.` : 'Run the export again.';
    return `${exportHeadline(result, subjectsOf(filters).counted)} ${next}`;
}
/** The log lines: each user who was refused or failed, the headline, and what became of the branch. */
function exportActionText(result, delivery, filters) {
    const lines = [];
    for (const u of result.users) {
        if (u.status === 'refused' || u.status === 'failed')
            lines.push(`  ! ${printable(userLabel(u))}: ${u.status}: ${printable(u.reason ?? '')}`);
    }
    lines.push(exportHeadline(result, subjectsOf(filters).counted));
    if (!delivery)
        lines.push('No photo to adopt: no branch was pushed and no pull request was opened.');
    else if (delivery.kind === 'opened')
        lines.push(`Pushed ${printable(delivery.branch)} and opened the pull request ${printable(delivery.url)} (against ${printable(delivery.base)}).`);
    else
        lines.push(`Pushed ${printable(delivery.branch)}; the pull request could not be opened: ${printable(delivery.why)} Open it by hand: ${printable(delivery.compareUrl)}`);
    return lines.join('\n');
}
function describeFilters(filters) {
    const parts = [filters.domains.length ? `domains ${filters.domains.join(', ')}` : 'every domain'];
    if (filters.group)
        parts.push(`members of the group ${filters.group}`);
    if (filters.groups)
        parts.push(filters.key === 'objectId' ? 'Microsoft 365 groups and teams named by object id' : 'Microsoft 365 groups and teams named by mail address');
    else if (filters.target === 'google')
        parts.push('users named by primary email');
    else
        parts.push(filters.key === 'objectId' ? 'users named by object id' : 'users named by userPrincipalName');
    return parts.join('; ');
}
// ---- pieces ----------------------------------------------------------------------------------
function exportDetails(result, context, adopted = true) {
    const c = exportCounts(result);
    const subjects = subjectsOf(context.filters);
    const maxRows = context.maxRows ?? 100;
    const out = [];
    if (adopted) {
        const run = context.runUrl ? ` by ${linkOr('this workflow run', context.runUrl)}` : '';
        // Google keeps a 96x96 thumbnail of what it was sent: that, not the original, is adopted.
        const held = context.filters.target === 'google' ? 'Google Workspace already holds (its 96x96 thumbnails, not the pictures it was sent)' : 'the tenant already holds';
        out.push(`These are the profile photos ${held}, downloaded${run} as they are: ${c.exported} ${subjects.counted}, photos under ${mdText(context.photoFolder + '/')}, declared in ${mdText(result.manifest)}. Filters: ${mdText(describeFilters(context.filters))}.`, '');
        if (context.filters.target === 'google') {
            // The manifest names users, not directories: once merged, apply sends these photos to every
            // target the manifests declare, Entra ID included, where a larger photo may be replaced.
            out.push('> [!WARNING]', '> Once merged, these photos are applied to every target the manifests declare, Microsoft Entra ID included: there a 96x96 thumbnail, upscaled, replaces whatever photo the user has (validation warns about each one). Keep only the users who have no better photo, or replace the files with the originals before merging.', '');
        }
    }
    out.push(`| Listed | Exported | No photo in ${sourceOf(context.filters)} | Already in the repository | Refused | Failed | Not started |`, '|---:|---:|---:|---:|---:|---:|---:|', `| ${result.listed} | ${c.exported} | ${c['no-photo']} | ${c.managed} | ${c.refused} | ${c.failed} | ${c['not-started']} |`, '');
    if (!result.complete) {
        out.push('> [!WARNING]', `> The export did not complete (${c.failed} failed, ${c['not-started']} not started). What was adopted is valid as it is; once it is merged, run the export again: it adopts only the ${subjects.plural} no manifest declares yet.`, '');
    }
    // What needs a look first (refused, failed), then the rest of what was not exported.
    const order = ['refused', 'failed', 'not-started', 'no-photo', 'managed'];
    const skipped = result.users.filter((u) => u.status !== 'exported').sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
    if (skipped.length) {
        const rows = skipped.slice(0, maxRows).map((u) => `| ${mdText(userLabel(u))} | ${mdText(whyNot(u, sourceOf(context.filters)))} |`);
        if (skipped.length > maxRows)
            rows.push(`| ${mdText(`… and ${skipped.length - maxRows} more`)} | see the job summary of the workflow run |`);
        out.push(`<details><summary><b>Not exported (${skipped.length})</b></summary>`, '', `| ${subjects.column} | Why |`, '|---|---|', ...rows, '', '</details>', '');
    }
    return out;
}
function nextSteps() {
    return [
        '**What happens next**',
        '',
        `This pull request goes through the normal path: the **${VALIDATE_CHECK}** check validates the manifest and every photo and shows the plan, reviewers approve, and merging applies it in the protected environment. Apply uploads these same pictures (normalised); the very first apply of a repository compares each user (or group) with the tenant first and leaves the photos already there alone. From then on the repository is the truth: change a photo by a pull request.`,
        '',
    ];
}
function checkNote() {
    return [
        '> [!WARNING]',
        `> Opened by the github-actions bot (the workflow's own GITHUB_TOKEN)? GitHub does not start the **${VALIDATE_CHECK}** check by itself for a pull request that token opens: either the check waits for someone with write access to approve it here (Approve workflows to run), or it does not start at all: then close and reopen this pull request to start it. Pull requests opened with a GitHub App token (the input github-token) are checked like anyone's; see docs/setup.md, Adopting existing photos from GitHub.`,
        '',
    ];
}
function skippedParts(result) {
    const c = exportCounts(result);
    const parts = [];
    if (c['no-photo'])
        parts.push(`${c['no-photo']} without a photo`);
    if (c.managed)
        parts.push(`${c.managed} already in the repository`);
    if (c.refused)
        parts.push(`${c.refused} refused (would not pass validation)`);
    if (c.failed)
        parts.push(`${c.failed} failed`);
    if (c['not-started'])
        parts.push(`${c['not-started']} not started`);
    return parts;
}
function userLabel(u) {
    return u.displayName ? `${u.userPrincipalName} (${u.displayName})` : u.userPrincipalName;
}
function whyNot(u, source) {
    switch (u.status) {
        case 'no-photo':
            return `no photo in ${source}`;
        case 'managed':
            return u.reason ?? 'already in the repository';
        case 'refused':
            return `refused: ${u.reason ?? 'would not pass validation'}`;
        case 'failed':
            return `failed: ${u.reason ?? 'unknown error'}`;
        case 'not-started':
            return 'not started (the run stopped first)';
        default:
            return u.status;
    }
}
/** A link when the URL is one we can link, else the text alone. */
function linkOr(text, url) {
    return safeUrl(url) ? mdLink(text, url) : mdText(text);
}

/**
 * `mode: export`: adopt the tenant's existing photos from GitHub, for schools that never run a CLI.
 * From Entra, or with export-target google from Google Workspace (its thumbnails): Google signs
 * in with GitHub OIDC tokens only, so from a laptop this is the way to adopt Google's photos.
 * Started by hand (workflow_dispatch) in the protected environment: signs in like apply (GitHub
 * OIDC; never on pull requests), runs the CLI's export (src/export/export.ts) into the checkout,
 * commits the manifest and photos on a new branch (entra-photos/export/RUN_ID) as the
 * github-actions bot, pushes it (contents: write) and opens a pull request against the default
 * branch (pull-requests: write). That pull request then goes through the normal check, review and
 * apply. Nothing to adopt: no branch, no pull request. A pull request that cannot be opened leaves
 * the pushed branch and says how to open it by hand.
 */
/** The identity GitHub itself gives commits made by workflows with GITHUB_TOKEN. */
const BOT_IDENTITY = {
    GIT_AUTHOR_NAME: 'github-actions[bot]',
    GIT_AUTHOR_EMAIL: '41898729+github-actions[bot]@users.noreply.github.com',
    GIT_COMMITTER_NAME: 'github-actions[bot]',
    GIT_COMMITTER_EMAIL: '41898729+github-actions[bot]@users.noreply.github.com',
};
const PHOTO_ROOT = 'photos';
async function runExport(settings, env = process.env) {
    // Refuses pull-request events, missing inputs and id-token before any token is requested.
    const directory = openExportSource(settings);
    const repoPath = settings.repoPath;
    if (!(await isGitRepository(repoPath)))
        throw new UserError('config', `${repoPath} is not a git repository: check the repository out with actions/checkout before the export step.`);
    if (!(await defaultRemote(repoPath)))
        throw new UserError('config', `${repoPath} has no "origin" remote to push the export branch to: check the repository out with actions/checkout.`);
    const base = await baseBranch(settings, env);
    const repository = repositoryOf(settings, env);
    const octokit = settings.githubToken && repository ? getOctokit(settings.githubToken) : undefined;
    // One export awaiting review at a time: a second would declare the same users in another branch.
    const open = octokit && repository ? await openExportPullRequest(octokit, repository) : undefined;
    if (open) {
        warning(`An export pull request is already open (${open.url}, branch ${open.branch}): nothing was exported. Merge or close it, then run the export again; it adopts only users no manifest declares yet.`);
        setOutput('exported', 0);
        setOutput('branch', open.branch);
        setOutput('pull-request', open.url);
        if (env.GITHUB_STEP_SUMMARY)
            await summary.addRaw(exportAlreadyOpenSummary(open.url, open.branch)).write();
        return;
    }
    const options = settings.export;
    const manifest = options.manifest || (await nextManifest(repoPath));
    if (options.manifest && (await exists(path.join(repoPath, manifest)))) {
        throw new UserError('config', `Input "export-manifest": ${manifest} exists already, and export writes a new manifest. Name another file (users that manifests already declare are skipped either way), or leave export-manifest empty to write manifests/exported.yaml or the first free manifests/exported-N.yaml.`);
    }
    const runUrl = provenanceFromEnv(env).url;
    const context = {
        photoFolder: `${PHOTO_ROOT}/${options.photoDir}`,
        filters: { target: options.target, domains: options.domains, group: options.group, key: options.key, ...(options.groups ? { groups: true } : {}) },
        ...(runUrl ? { runUrl } : {}),
    };
    const run = cancellation(settings, 'finishing the downloads in flight, then committing what was exported.');
    let result;
    try {
        result = await exportTenant({
            repo: repoPath,
            manifest,
            photoRoot: PHOTO_ROOT,
            photoDir: options.photoDir,
            ...(options.domains.length ? { domains: options.domains } : {}),
            ...(options.group ? { group: options.group } : {}),
            ...(options.groups ? { groups: true } : {}),
            key: options.key,
            signal: run.signal,
            log: (line) => logInfo(line),
            progress: actionProgress(env),
        }, directory);
    }
    finally {
        run.dispose();
    }
    const exported = exportCounts(result).exported;
    setOutput('exported', exported);
    let delivery;
    if (exported > 0) {
        const branch = branchName(env);
        await commitAndPush(repoPath, branch, [manifest, context.photoFolder], exportCommitMessage(result, context));
        setOutput('branch', branch);
        delivery = await openPullRequest(octokit, repository, { branch, base, title: exportPullRequestTitle(result, context.filters), body: exportPullRequestBody(result, context) }, env);
        setOutput('pull-request', delivery.kind === 'opened' ? delivery.url : '');
    }
    else {
        setOutput('branch', '');
        setOutput('pull-request', '');
    }
    logInfo(exportActionText(result, delivery, context.filters));
    if (delivery?.kind === 'pushed')
        warning(`The export branch ${delivery.branch} was pushed, but its pull request could not be opened: ${delivery.why} Open it by hand: ${delivery.compareUrl}`);
    if (env.GITHUB_STEP_SUMMARY) {
        await summary.addRaw(delivery ? exportSummary(result, context, delivery) : exportNothingSummary(result, context)).write();
    }
    if (!result.complete) {
        setFailed(exportFailure(result, context.filters));
    }
}
const EXPORT_RULES = {
    mode: 'export',
    notOnPullRequests: "it signs in with the app's credentials and pushes a branch. Run it by hand (workflow_dispatch) in the protected environment; see docs/examples/workflows/photos-export.yml.",
    docs: 'docs/setup.md',
    permissions: '    contents: write\n    pull-requests: write\n(contents: write pushes the export branch; pull-requests: write opens its pull request.)',
};
/** The directory the photos are adopted from (input export-target), opened like apply opens it. */
function openExportSource(settings) {
    if (settings.export.target === 'entra')
        return connectFromWorkflow(settings, EXPORT_RULES).tenant;
    refusePullRequests(settings, EXPORT_RULES);
    const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
    if (problems.length)
        throw new UserError('config', `Input "export-target" is "google", but Google Workspace cannot be reached: ${problems.join(' ')}`);
    requireOidcToken(EXPORT_RULES);
    return googleFromWorkflow(settings).target;
}
/**
 * The branch the pull request goes into: the repository's default branch. The run must be on it
 * (the export branch starts from the checkout, so any other branch's commits would come along).
 */
async function baseBranch(settings, env) {
    const ref = env.GITHUB_REF ?? '';
    const runBranch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
    const base = settings.event.repository?.default_branch || runBranch || (await gitMaybe(settings.repoPath, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim();
    if (!base)
        throw new UserError('config', 'Could not tell which branch the export pull request should go into: run the workflow from the default branch.');
    if (ref && !runBranch)
        throw new UserError('config', `mode "export" runs from the default branch (${printable(base)}), not ${printable(ref)}: run the workflow from ${printable(base)}.`);
    if (runBranch && runBranch !== base) {
        throw new UserError('config', `mode "export" runs from the default branch (${printable(base)}), not ${printable(runBranch)}: its pull request goes into ${printable(base)}, and a branch started from ${printable(runBranch)} would bring that branch's commits along. Run the workflow from ${printable(base)}.`);
    }
    return base;
}
function repositoryOf(settings, env) {
    const fullName = settings.event.repository?.full_name || env.GITHUB_REPOSITORY;
    const [owner, repo, ...rest] = (fullName ?? '').split('/');
    return owner && repo && rest.length === 0 ? { owner, repo, fullName: fullName } : undefined;
}
/** `entra-photos/export/RUN_ID` (a re-run attempt adds `-ATTEMPT`); outside Actions, a UTC timestamp. */
function branchName(env) {
    const id = env.GITHUB_RUN_ID?.trim();
    if (id && /^\d+$/.test(id)) {
        const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
        return `${EXPORT_BRANCH_PREFIX}${id}${attempt > 1 ? `-${attempt}` : ''}`;
    }
    return `${EXPORT_BRANCH_PREFIX}${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}
/** manifests/exported.yaml, or the first manifests/exported-N.yaml that does not exist: a later export adds a file. */
async function nextManifest(repoPath) {
    for (let n = 1;; n++) {
        const rel = n === 1 ? 'manifests/exported.yaml' : `manifests/exported-${n}.yaml`;
        if (!(await exists(path.join(repoPath, rel))))
            return rel;
    }
}
async function exists(file) {
    return (await stat(file).catch(() => undefined)) !== undefined;
}
/** A new branch from the checkout with only the export's files (never its journal), committed as the bot and pushed. */
async function commitAndPush(repoPath, branch, paths, message) {
    await git(repoPath, ['checkout', '--quiet', '-b', branch]);
    await git(repoPath, ['add', '--all', '--', ...paths]);
    await git(repoPath, ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-m', message], { env: BOT_IDENTITY });
    try {
        await git(repoPath, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
    }
    catch (err) {
        throw new UserError('git', `Could not push the export branch ${branch} to origin (${err.message}). The job needs "permissions: contents: write"; nothing was lost in the tenant, run the export again.`);
    }
}
/** The open pull request of an earlier export, if any (its head branch is one the action names). */
async function openExportPullRequest(octokit, repository) {
    try {
        const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner: repository.owner, repo: repository.repo, state: 'open', per_page: 100 });
        const mine = pulls.find((p) => p.head.ref.startsWith(EXPORT_BRANCH_PREFIX) && (p.head.repo?.full_name ?? repository.fullName) === repository.fullName);
        return mine ? { url: mine.html_url, branch: mine.head.ref } : undefined;
    }
    catch (err) {
        // Only a convenience: without it a second export may open a second pull request.
        warning(`Could not list the open pull requests to find an earlier export's (${describeApiError(err)}); exporting anyway.`);
        return undefined;
    }
}
async function openPullRequest(octokit, repository, pr, env) {
    const compareUrl = `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')}/${repository?.fullName ?? env.GITHUB_REPOSITORY ?? 'OWNER/REPO'}/compare/${encodeURIComponent(pr.base)}...${pr.branch}?expand=1`;
    const pushed = (why) => ({ kind: 'pushed', branch: pr.branch, base: pr.base, compareUrl, why });
    if (!repository)
        return pushed('the event does not name the repository.');
    if (!octokit)
        return pushed('the input github-token is empty.');
    try {
        const { data } = await octokit.rest.pulls.create({ owner: repository.owner, repo: repository.repo, title: pr.title, head: pr.branch, base: pr.base, body: pr.body });
        if (data.user?.login === 'github-actions[bot]') {
            notice(`The pull request was opened with the workflow's GITHUB_TOKEN, so GitHub does not start its pull-request check by itself: approve the waiting workflows in the pull request (Approve workflows to run) or, if none wait, close and reopen it. ${data.html_url}`);
        }
        return { kind: 'opened', branch: pr.branch, base: pr.base, url: data.html_url };
    }
    catch (err) {
        return pushed(whyNoPullRequest(err));
    }
}
/** Why GitHub refused the pull request, and what to change. */
function whyNoPullRequest(err) {
    const status = err.status;
    const message = describeApiError(err);
    if (status === 403 && /not permitted to create or approve pull requests/i.test(message)) {
        return `GitHub answered 403 (${message}): enable "Allow GitHub Actions to create and approve pull requests" (repository Settings → Actions → General → Workflow permissions; in an organisation, its Actions settings too), or give the input github-token a GitHub App token.`;
    }
    if (status === 403 || status === 401 || status === 404) {
        return `GitHub answered ${status} (${message}): the job needs "permissions: pull-requests: write" (and the repository setting "Allow GitHub Actions to create and approve pull requests").`;
    }
    return `GitHub answered ${status ?? 'with an error'} (${message}).`;
}
function describeApiError(err) {
    return printable((err.message ?? String(err)).split('\n')[0].slice(0, 300));
}

export { branchName, runExport };

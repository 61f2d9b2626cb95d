import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { h as error, w as warning, r as refusePullRequests, f as requireOidcToken, e as connectFromWorkflow, G as GOOGLE_INPUT_NAMES, g as googleFromWorkflow, O as OrderedLog, l as logInfo, c as cancellation, D as DIRECT_LOG, s as setOutput, b as summary, a as setFailed, d as actionProgress, i as getInput } from './chunks/shared23.js';
import { U as UserError, i as isUserError } from './chunks/shared6.js';
import { s as sortFindings, f as applyText, l as applyCounts, r as validationSummary, t as applyMarkdown, d as applySucceeded, u as applyFailure, i as applyRevision, x as waitingFor, v as validationText, g as countFindings, y as validationHeadline } from './chunks/shared3.js';
import { d as declaredTargets, u as undeclaredAppliedTargets, p as planRevisions } from './chunks/shared25.js';
import { d as googleSettingsProblems, u as entraAlone, y as environmentClaim, v as validateRepository } from './chunks/shared2.js';
import { m as mdText, t as truncateAtLine, g as githubBlobUrl } from './chunks/shared8.js';
import { d as targetTitle, u as undeclaredTargetNote, P as PLAN_COMMENT_MARKER, b as plansText, t as targetPlansJson, p as planJson, a as planUnavailableJson, e as planUnavailableHeadline, f as plansMarkdown, g as planUnavailableMarkdown } from './chunks/shared24.js';
import { p as provenanceFromEnv } from './chunks/shared9.js';
import { A as ACTION_VOCABULARY } from './chunks/shared14.js';
import { defaultRemote, isGitRepository, resolveCommit, parentsOf, ensureCommit } from './chunks/git.js';
import { p as printable } from './chunks/shared4.js';
import 'node:os';
import { W as WorktreeSnapshot } from './chunks/shared21.js';
import { g as getOctokit } from './chunks/shared26.js';
import { b as driftJson, e as driftMarkdown, d as detectDrift, g as driftCounts, f as fixDrift, c as driftText, h as driftHeadline, i as inSync } from './chunks/shared17.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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
import './chunks/shared.js';
import 'sharp';
import 'node:crypto';
import 'process';
import 'buffer';
import './chunks/shared5.js';
import './chunks/shared10.js';
import 'node:fs/promises';
import './chunks/shared11.js';
import './chunks/shared12.js';
import './chunks/shared13.js';
import './chunks/shared7.js';
import 'stream';
import 'node:process';
import 'tty';
import 'url';
import 'node:https';
import 'node:child_process';

/** Findings as workflow-command annotations at file:line:col. */
function annotate(findings) {
    for (const f of sortFindings(findings)) {
        const properties = { title: `entra-photos: ${f.code}`, file: f.file, ...(f.line ? { startLine: f.line } : {}), ...(f.col ? { startColumn: f.col } : {}) };
        if (f.severity === 'error')
            error(f.message, properties);
        else
            warning(f.message, properties);
    }
}

/**
 * The declared targets (issue 16) run at once, apply and drift alike: each opened from the action
 * inputs, run with its own log channel, its lines printed as one block per target in the declared
 * order (OrderedLog). One target failing to open or run does not hold the others back.
 */
/**
 * How each declared target is opened. The job is checked first (never on pull requests, allowed
 * an OIDC token), and the inputs now, so a missing one is said before any run.
 */
function declaredTargetOpeners(settings, declared, rules) {
    refusePullRequests(settings, rules);
    requireOidcToken(rules);
    return declared.names.map((name) => {
        if (name === 'entra') {
            return {
                name,
                open: () => {
                    const { tenant, getAssertion } = connectFromWorkflow(settings, rules);
                    return { target: tenant, token: getAssertion };
                },
            };
        }
        const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
        if (problems.length)
            return { name, problem: `${declared.at} declares targets: [${declared.names.join(', ')}], but Google Workspace cannot be reached: ${problems.join(' ')}` };
        return { name, open: () => googleFromWorkflow(settings) };
    });
}
/**
 * Runs `run` for every target at once, so the whole takes about as long as the slowest target.
 * Each target's log opens with `== Title (name) ==`; the first unfinished target prints as it
 * goes, the others are held and printed when their turn comes. Results come in the declared order.
 */
function runEachTarget(openers, run) {
    const log = new OrderedLog(openers.length);
    return Promise.all(openers.map(async (entry, index) => {
        const out = log.channel(index);
        const title = targetTitle(entry.name);
        out.info(`== ${title} (${entry.name}) ==`);
        try {
            if (!entry.open) {
                out.info(entry.problem ?? 'not configured');
                return { name: entry.name, error: entry.problem ?? 'not configured' };
            }
            try {
                return { name: entry.name, result: await run(entry.open(), out) };
            }
            catch (err) {
                // One target failing (sign-in refused, no lease) does not hold the others back.
                const message = printable(err instanceof Error ? err.message : String(err));
                out.info(`${title}: ${message}`);
                return { name: entry.name, error: message };
            }
        }
        finally {
            out.close();
        }
    }));
}

/**
 * Push to the default branch, in a protected environment: GitHub OIDC → Graph, apply the change
 * since the last completely applied revision, record it. Pull-request events never get here.
 */
async function runApply(settings) {
    const declared = await declaredTargets(settings.repoPath);
    // Where the applied records live: looked up once, for the note below and every target's apply.
    const remote = await defaultRemote(settings.repoPath);
    // A target the head no longer declares is left as it is: said once, when it was applied before.
    for (const undeclared of await undeclaredAppliedTargets(settings.repoPath, declared.names, remote))
        logInfo(undeclaredTargetNote(undeclared, declared));
    // A repository without targets: (or with [entra]) runs exactly as it always did.
    if (entraAlone(declared.names))
        return runEntraApply(settings, remote);
    await runTargetsApply(settings, declared, remote);
}
async function runEntraApply(settings, remote) {
    const { tenant, getAssertion } = connectFromWorkflow(settings, ENTRA_RULES);
    const environment = settings.environment || environmentClaim(await getAssertion()) || 'default';
    const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
    try {
        const result = await applyTo(settings, remote, environment, run.signal, tenant);
        annotateResult(result);
        logInfo(applyText(result));
        const counts = applyCounts(result);
        setOutput('uploaded', counts.uploaded);
        setOutput('removed', counts.removed);
        setOutput('failed', counts.failed);
        setOutput('pending', counts.pending);
        setOutput('policy-changed', result.policy.status === 'applied');
        setOutput('applied-revision', result.appliedRevision ?? '');
        if (process.env.GITHUB_STEP_SUMMARY) {
            const invalid = result.validation.findings.some((f) => f.severity === 'error');
            await summary.addRaw(invalid ? validationSummary(result.validation) : applyMarkdown(result)).write();
        }
        // A run the tenant's photo policy stopped fails with that one error (which says what to do).
        // So does a refused policy change: the annotation carries its reason, not only the headline.
        if (!applySucceeded(result))
            setFailed(applyFailure(result));
    }
    finally {
        run.dispose();
    }
}
const ENTRA_RULES = {
    mode: 'apply',
    notOnPullRequests: 'pull requests validate and plan without credentials. Apply on a push to the default branch, in a protected environment.',
    docs: 'docs/setup.md',
    permissions: '    contents: write\n(contents: write lets the action record the applied revision as a tag.)',
};
function applyTo(settings, remote, environment, signal, target, out = DIRECT_LOG) {
    const provenance = provenanceFromEnv(process.env);
    return applyRevision({
        repo: settings.repoPath,
        head: 'HEAD',
        environment,
        ...(remote ? { remote } : {}),
        prune: settings.prune,
        dryRun: settings.dryRun,
        allowPolicyLockout: settings.allowPolicyLockout,
        words: ACTION_VOCABULARY,
        unknownUsers: settings.unknownUsers,
        signal,
        log: (line) => out.info(line),
        progress: { ...actionProgress(), group: out.group },
        provenance,
        // The lease names this run: a second apply waiting for it says which run holds it.
        ...(provenance.url ? { leaseHolder: provenance.url } : {}),
    }, target);
}
function annotateResult(result, title, findings = true) {
    if (findings)
        annotate(result.validation.findings);
    // Users waiting for an account: a warning at the manifest line that declares each.
    annotate(waitingFor(result).map((w) => ({ severity: 'warning', code: `waiting-for-account (${w.problem})`, file: w.file, line: w.line, message: title ? `${title}: ${w.reason}` : w.reason })));
}
/**
 * The manifests declare targets (issue 16): the targets are applied at once, each with its own
 * record, lease and pacing, and reported in its own log block and summary section in the declared
 * order; one target failing (or not signing in) does not hold the others back. Outputs count every target; applied-revision and policy-changed are
 * Entra's when Entra is declared.
 */
async function runTargetsApply(settings, declared, remote) {
    const openers = declaredTargetOpeners(settings, declared, ENTRA_RULES);
    const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
    let results;
    try {
        results = await runEachTarget(openers, async ({ target, token }, out) => {
            const environment = settings.environment || environmentClaim(await token()) || 'default';
            const result = await applyTo(settings, remote, environment, run.signal, target, out);
            out.info(applyText(result));
            return result;
        });
    }
    finally {
        run.dispose();
    }
    // Annotations in the declared order; the manifests' findings once (every target validates the same head).
    let annotatedFindings = false;
    for (const { name, result } of results) {
        if (!result)
            continue;
        annotateResult(result, targetTitle(name), !annotatedFindings);
        annotatedFindings = true;
    }
    const totals = { uploaded: 0, removed: 0, failed: 0, pending: 0 };
    for (const { result, error } of results) {
        if (error)
            totals.failed++;
        if (!result)
            continue;
        const counts = applyCounts(result);
        totals.uploaded += counts.uploaded;
        totals.removed += counts.removed;
        totals.failed += counts.failed;
        totals.pending += counts.pending;
    }
    const primary = results.find((r) => r.name === 'entra')?.result ?? results.find((r) => r.result)?.result;
    setOutput('uploaded', totals.uploaded);
    setOutput('removed', totals.removed);
    setOutput('failed', totals.failed);
    setOutput('pending', totals.pending);
    setOutput('policy-changed', results.find((r) => r.name === 'entra')?.result?.policy.status === 'applied');
    setOutput('applied-revision', primary?.appliedRevision ?? '');
    if (process.env.GITHUB_STEP_SUMMARY) {
        const sections = results.map(({ name, result, error }) => {
            const title = targetTitle(name);
            if (!result)
                return `## ❌ entra-photos → ${mdText(title)}: not applied\n\n${mdText(error ?? '')}\n`;
            const invalid = result.validation.findings.some((f) => f.severity === 'error');
            return invalid ? validationSummary(result.validation) : applyMarkdown(result, 15, title);
        });
        await summary.addRaw(sections.join('\n')).write();
    }
    const failures = results.flatMap(({ name, result, error }) => {
        const title = targetTitle(name);
        if (error)
            return [`${title}: ${error}`];
        return result && !applySucceeded(result) ? [`${title}: ${applyFailure(result)}`] : [];
    });
    if (failures.length)
        setFailed(failures.join('\n'));
}

/**
 * One sticky comment per pull request, found by its marker and edited in place on every push,
 * so the conversation does not fill up with stale plans. Fork pull requests get a read-only
 * token: that is reported, and the job summary still carries the plan.
 */
async function upsertPlanComment(settings, body) {
    const number = settings.event.pull_request?.number;
    const fullName = settings.event.repository?.full_name;
    if (!number || !fullName || !settings.githubToken)
        return 'skipped';
    const [owner, repo] = fullName.split('/');
    const octokit = getOctokit(settings.githubToken);
    const text = `${PLAN_COMMENT_MARKER}\n${body}`;
    try {
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
        const mine = comments.find((c) => c.body?.includes(PLAN_COMMENT_MARKER));
        if (mine) {
            await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body: text });
            return 'updated';
        }
        await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: text });
        return 'created';
    }
    catch (err) {
        // The comment is a convenience: the check's verdict and the summary must not depend on it.
        const status = err.status;
        if (status === 403 || status === 404 || status === 401) {
            const fork = settings.event.pull_request?.head?.repo?.full_name !== fullName;
            warning(`Could not write the plan comment on pull request #${number} (HTTP ${status}). ${fork ? 'Pull requests from forks get a read-only token. ' : ''}Give the job "permissions: pull-requests: write" to get a comment; the plan is in the job summary either way.`);
            return 'forbidden';
        }
        warning(`Could not write the plan comment on pull request #${number}: ${err.message}. The plan is in the job summary.`);
        return 'failed';
    }
}

const NO_COMMIT = /^0+$/;
/**
 * Which revisions to compare, from the event. On a pull request actions/checkout checks out the
 * merge commit: its first parent is the base branch as it is now, so the plan shows exactly what
 * merging would change. Missing commits are fetched (shallow checkouts).
 */
async function revisionsFor(settings) {
    const repo = settings.repoPath;
    if (!(await isGitRepository(repo))) {
        warning(`${repo} is not a git repository: validating the files without a plan. Check the repository out with actions/checkout.`);
        return undefined;
    }
    const head = await resolveCommit(repo, 'HEAD');
    let base;
    if (settings.event.pull_request) {
        const parents = await parentsOf(repo, head);
        base = parents.length === 2 ? parents[0] : settings.event.pull_request.base?.sha;
    }
    else if (settings.event.before && !NO_COMMIT.test(settings.event.before)) {
        base = settings.event.before;
    }
    if (base)
        await ensureCommit(repo, base);
    return { head, ...(base ? { base } : {}) };
}

/**
 * Pull-request checks: validate the head (decoding only changed photos unless `all`), plan it
 * against the base, and report: annotations, job summary, `plan` output, sticky PR comment.
 * Never requests a token for the tenant.
 */
async function runValidate(settings) {
    const revisions = await revisionsFor(settings);
    // Normalising many changed photos (or all of them) takes a while: progress lines, in a group.
    const progress = { ...actionProgress(), log: (line) => logInfo(line) };
    const planned = revisions
        ? await planRevisions(settings.repoPath, { ...revisions, all: settings.checkAll, prune: settings.prune, progress })
        : { validation: await validateRepository(new WorktreeSnapshot(settings.repoPath), { progress }) };
    const { validation } = planned;
    // A head with errors has an incomplete desired state (a manifest that does not parse adds no
    // users): its plan would list those users as removed. Say the plan is unavailable instead.
    const unavailable = planned.plan && planned.available === false ? planned.plan : undefined;
    const plan = planned.available === false ? undefined : planned.plan;
    // With targets: other than [entra], each target's plan (the top-level plan stays Entra's).
    const targets = plan ? planned.targets : undefined;
    // Targets the pull request drops from (or adds to) targets:, said before the plan.
    const notes = { targetChanges: plan ? (planned.targetChanges ?? []) : [], words: ACTION_VOCABULARY };
    annotate(validation.findings);
    if (plan && notes.targetChanges.length === 0 && nothingToCheck(plan, validation) && (targets ?? []).every((t) => nothingToCheck(t.plan, validation))) {
        // The pull-request check runs on every pull request (a required check must report), so most
        // runs are about other files: say so first.
        logInfo('Nothing to check: this pull request changes no photo, user or policy (the manifests were validated).');
    }
    logInfo(validationText(validation));
    const { errors, warnings } = countFindings(validation.findings);
    if (plan)
        logInfo(plansText(plan, targets, notes));
    if (unavailable)
        logInfo(planUnavailableHeadline(errors));
    setOutput('errors', errors);
    setOutput('warnings', warnings);
    if (plan)
        setOutput('plan', JSON.stringify({ ...planJson(plan), ...targetPlansJson(targets, notes.targetChanges) }));
    if (unavailable)
        setOutput('plan', JSON.stringify(planUnavailableJson(unavailable, errors)));
    const links = githubLinks(settings);
    const render = (maxRows) => {
        const planSection = plan
            ? plansMarkdown(plan, targets, { ...notes, maxRows, ...(links.photoUrl ? { photoUrl: links.photoUrl } : {}) })
            : unavailable
                ? planUnavailableMarkdown(unavailable, errors)
                : '';
        return `${validationSummary(validation, { maxRows, ...(links.fileUrl ? { fileUrl: links.fileUrl } : {}) })}\n${planSection}`;
    };
    if (process.env.GITHUB_STEP_SUMMARY) {
        await summary.addRaw(fitWithin(render, SUMMARY_LIMIT)).write();
    }
    if ((plan || unavailable) && settings.event.pull_request) {
        const outcome = await upsertPlanComment(settings, fitWithin(render, COMMENT_LIMIT));
        logInfo(`Plan comment: ${outcome}.`);
    }
    // The plan's headline was logged with the plan (planText): once per run, not again here.
    if (errors > 0)
        setFailed(validationHeadline(validation));
}
function nothingToCheck(plan, validation) {
    return plan.uploads.length === 0 && plan.removals.length === 0 && !plan.policy && validation.stats.photosDecoded === 0;
}
/** GitHub's limits, with room for the marker and headers: 65,536 characters per comment, 1 MiB per summary. */
const COMMENT_LIMIT = 60_000;
const SUMMARY_LIMIT = 900_000;
/** Renders with fewer listed rows until the Markdown fits (counts always stay complete). */
function fitWithin(render, limit) {
    for (const rows of [5000, 1000, 300, 100, 30, 10]) {
        const text = render(rows);
        if (text.length <= limit)
            return text;
    }
    return truncateAtLine(render(0), limit);
}
/**
 * Links into the reviewed commit on GitHub. Thumbnails point at the repository's own files, so
 * they render only for people who can read the repository: photos are never copied elsewhere.
 * Paths are data: githubBlobUrl encodes every segment (`(`, `)`, `'` included), so a file name
 * cannot end a link or an attribute early; the report builders check the URLs again.
 */
function githubLinks(settings) {
    const server = process.env.GITHUB_SERVER_URL;
    const repo = process.env.GITHUB_REPOSITORY;
    const sha = settings.event.pull_request?.head?.sha ?? process.env.GITHUB_SHA;
    if (!server || !repo || !sha)
        return {};
    const blob = (path) => githubBlobUrl(server, repo, sha, path);
    return {
        fileUrl: (f) => `${blob(f.file)}${f.line ? `#L${f.line}` : ''}`,
        photoUrl: (path) => `${blob(path)}?raw=true`,
    };
}

/**
 * Scheduled check: does the tenant still hold what the checked-out revision declares? Reports
 * missing, different and in-sync users and the policy; with `fix: true` uploads the repository's
 * version through apply's upload path. Drift fails the step (so a schedule notifies someone)
 * unless it was fixed.
 */
async function runDrift(settings) {
    const declared = await declaredTargets(settings.repoPath);
    // A repository without targets: (or with [entra]) runs exactly as it always did.
    if (!entraAlone(declared.names))
        return runTargetsDrift(settings, declared);
    const { tenant, getAssertion } = connectFromWorkflow(settings, driftRules(settings));
    const run = cancellation(settings, 'finishing in-flight requests, then reporting what was compared.');
    try {
        const compared = await compareTarget(settings, await driftContext(settings, run.signal), tenant, getAssertion, DIRECT_LOG);
        annotate(compared.result.validation.findings);
        if (!validates(compared.result))
            return await failNotValidating(compared.result);
        const { result, fix, counts, failure } = compared;
        setOutput('in-sync', counts['in-sync']);
        setOutput('different', counts.different);
        setOutput('missing', counts.missing);
        setOutput('waiting', counts.waiting);
        setOutput('drift', JSON.stringify(driftJson(result, fix)));
        if (fix) {
            const fixed = fixCounts(fix);
            setOutput('uploaded', fixed.uploaded);
            setOutput('failed', fixed.failed);
            setOutput('policy-changed', fix.policy.status === 'applied');
        }
        if (process.env.GITHUB_STEP_SUMMARY)
            await summary.addRaw(driftMarkdown(result, fix, repoLinks(settings))).write();
        if (failure)
            setFailed(failure);
    }
    finally {
        run.dispose();
    }
}
async function driftContext(settings, signal) {
    const remote = await defaultRemote(settings.repoPath);
    const waitingRecord = { ...(remote ? { remote } : {}), ...(settings.environment ? { environment: settings.environment } : {}) };
    return { signal, progress: actionProgress(), remote, waitingRecord };
}
/**
 * One target compared (and, with fix: true, fixed), its lines and its text printed to `out`. A
 * repository that does not validate is not compared (see validates); the caller says so.
 */
async function compareTarget(settings, ctx, target, token, out) {
    const { signal, remote, waitingRecord } = ctx;
    const log = (line) => out.info(line);
    const progress = { ...ctx.progress, group: out.group };
    const result = await detectDrift({ repo: settings.repoPath, head: 'HEAD', signal, log, progress, waitingRecord }, target);
    const counts = driftCounts(result);
    if (!validates(result))
        return { result, fix: undefined, counts };
    let fix;
    if (settings.fix) {
        const environment = settings.environment || environmentClaim(await token()) || 'default';
        fix = await fixDrift(result, { repo: settings.repoPath, environment, ...(remote ? { remote } : {}), dryRun: settings.dryRun, allowPolicyLockout: settings.allowPolicyLockout, words: ACTION_VOCABULARY, signal, log, progress }, target);
    }
    out.info(driftText(result, fix, ACTION_VOCABULARY));
    const unresolvedOrErrors = counts.unresolved + counts.error + counts.cancelled > 0;
    let failure;
    if (fix && fix.record !== 'dry-run') {
        if (!applySucceeded(fix) || unresolvedOrErrors)
            failure = `${driftHeadline(result)} The fix did not repair everything: see the summary.`;
    }
    else if (!inSync(result)) {
        failure = `${driftHeadline(result)} Set "fix: true" to upload the repository's version, or change the repository to match.`;
    }
    return { result, fix, counts, ...(failure ? { failure } : {}) };
}
/** The `uploaded` and `failed` outputs of a fix (a dry run's would-uploads count as uploaded). */
function fixCounts(fix) {
    return {
        uploaded: fix.outcomes.filter((o) => o.status === 'uploaded' || o.status === 'would-upload').length,
        failed: fix.outcomes.filter((o) => o.status === 'failed').length,
    };
}
function validates(result) {
    return !result.validation.findings.some((f) => f.severity === 'error');
}
/** Drift was not checked: the repository does not validate (the findings are annotated). */
async function failNotValidating(result) {
    if (process.env.GITHUB_STEP_SUMMARY)
        await summary.addRaw(validationSummary(result.validation)).write();
    setFailed('The repository does not validate, so drift was not checked. Fix the findings (see the annotations) first.');
}
function driftRules(settings) {
    return {
        mode: 'drift',
        notOnPullRequests: "it reads the tenant with the app's credentials. Run it on a schedule (or workflow_dispatch) from the default branch; see docs/examples/workflows/drift.yml.",
        docs: 'docs/commands.md#drift',
        permissions: `    contents: read\n${settings.fix ? '(with fix: true, the job runs in the protected environment whose federated credential may write photos.)' : ''}`,
    };
}
/**
 * Drift for every declared target (issue 16): compared (and fixed) at once, each target's log in
 * one block and its own summary section, in the declared order; one target failing does not hide
 * the others' results. Outputs count every target; the `drift` JSON is Entra's (when declared)
 * with `targets[]` beside it.
 */
async function runTargetsDrift(settings, declared) {
    const openers = declaredTargetOpeners(settings, declared, driftRules(settings));
    const run = cancellation(settings, 'finishing in-flight requests, then reporting what was compared.');
    let runs;
    try {
        const ctx = await driftContext(settings, run.signal);
        runs = await runEachTarget(openers, ({ target, token }, out) => compareTarget(settings, ctx, target, token, out));
    }
    finally {
        run.dispose();
    }
    // Every target validates the same head: its findings are annotated once, and a repository that
    // does not validate is reported once, as with one target.
    const first = runs.find((r) => r.result)?.result;
    if (first) {
        annotate(first.result.validation.findings);
        if (!validates(first.result))
            return failNotValidating(first.result);
    }
    const sections = [];
    const failures = [];
    const jsons = [];
    const totals = { 'in-sync': 0, different: 0, missing: 0, waiting: 0 };
    let fixes = { uploaded: 0, failed: 0, policy: false, any: false };
    for (const { name, result: compared, error } of runs) {
        const title = targetTitle(name);
        if (!compared) {
            sections.push(`## ❌ ${mdText(title)}: not compared\n\n${mdText(error ?? '')}\n`);
            failures.push(`${title}: ${error ?? ''}`);
            continue;
        }
        const { result, fix, counts, failure } = compared;
        for (const key of Object.keys(totals))
            totals[key] += counts[key];
        jsons.push({ target: name, ...driftJson(result, fix) });
        if (fix) {
            const fixed = fixCounts(fix);
            fixes = {
                any: true,
                uploaded: fixes.uploaded + fixed.uploaded,
                failed: fixes.failed + fixed.failed,
                policy: fixes.policy || fix.policy.status === 'applied',
            };
        }
        sections.push(`## ${mdText(title)}\n\n${driftMarkdown(result, fix, repoLinks(settings))}`);
        if (failure)
            failures.push(`${title}: ${failure}`);
    }
    setOutput('in-sync', totals['in-sync']);
    setOutput('different', totals.different);
    setOutput('missing', totals.missing);
    setOutput('waiting', totals.waiting);
    const primary = jsons.find((j) => j.target === 'entra') ?? jsons[0];
    if (primary) {
        const { target: _target, ...top } = primary;
        setOutput('drift', JSON.stringify({ ...top, targets: jsons }));
    }
    if (fixes.any) {
        setOutput('uploaded', fixes.uploaded);
        setOutput('failed', fixes.failed);
        setOutput('policy-changed', fixes.policy);
    }
    if (process.env.GITHUB_STEP_SUMMARY)
        await summary.addRaw(sections.join('\n')).write();
    if (failures.length)
        setFailed(failures.join('\n'));
}
/**
 * Links into the compared commit: the repository's photos render only for people who can read it.
 * Paths are data: githubBlobUrl encodes every segment, so a file name cannot end a link early.
 */
function repoLinks(settings) {
    const server = process.env.GITHUB_SERVER_URL;
    const repo = process.env.GITHUB_REPOSITORY;
    const sha = process.env.GITHUB_SHA ?? settings.event.after;
    if (!server || !repo || !sha)
        return {};
    const blob = (p) => githubBlobUrl(server, repo, sha, p);
    return { photoUrl: (p) => `${blob(p)}?raw=true`, lineUrl: (file, line) => `${blob(file)}#L${line}` };
}

const MODES = ['validate', 'plan', 'apply', 'drift', 'doctor', 'export'];
function readSettings(env = process.env) {
    const eventName = env.GITHUB_EVENT_NAME ?? '';
    const event = readEvent(env.GITHUB_EVENT_PATH);
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    const mode = readMode(getInput('mode'), eventName);
    return {
        mode,
        repoPath: path.resolve(workspace, getInput('path') || '.'),
        checkAll: readBoolean('all', false),
        prune: readBoolean('prune', false),
        allowPublicRepo: readBoolean('allow-public-repo', false),
        githubToken: getInput('github-token'),
        tenant: {
            tenantId: getInput('tenant-id').trim(),
            clientId: getInput('client-id').trim(),
            cloud: getInput('cloud') || 'global',
            ...(getInput('authority-host') ? { authorityHost: getInput('authority-host').trim() } : {}),
            ...(getInput('graph-url') ? { graphUrl: getInput('graph-url').trim() } : {}),
        },
        audience: getInput('audience') || 'api://AzureADTokenExchange',
        google: {
            workloadIdentityProvider: getInput('google-workload-identity-provider').trim(),
            serviceAccount: getInput('google-service-account').trim(),
            ...(getInput('google-admin-subject').trim() ? { adminSubject: getInput('google-admin-subject').trim() } : {}),
            ...(getInput('google-customer').trim() ? { customer: getInput('google-customer').trim() } : {}),
            ...(getInput('google-endpoint').trim() ? { endpoint: getInput('google-endpoint').trim() } : {}),
        },
        environment: getInput('environment').trim(),
        dryRun: readBoolean('dry-run', false),
        fix: readBoolean('fix', false),
        allowPolicyLockout: readBoolean('allow-policy-lockout', false),
        unknownUsers: readChoice('unknown-users', ['pending', 'fail'], 'pending'),
        timeBudgetMinutes: readNumber('time-budget-minutes', 330),
        // Checked only where they matter: a stray export input does not fail a pull-request check.
        export: mode === 'export' ? readExportSettings() : { target: 'entra', domains: [], group: '', key: 'upn', manifest: '', photoDir: 'exported' },
        eventName,
        event,
    };
}
/** The mode follows the event unless set: pull requests validate, pushes apply, schedules check drift. */
function defaultMode(eventName) {
    if (eventName === 'push')
        return 'apply';
    if (eventName === 'schedule')
        return 'drift';
    return 'validate';
}
function readMode(input, eventName) {
    if (!input)
        return defaultMode(eventName);
    const mode = input.trim().toLowerCase();
    if (!MODES.includes(mode)) {
        throw new UserError('config', `Input "mode" is "${input}"; it must be one of ${MODES.join(', ')} (or empty to follow the event).`);
    }
    return mode;
}
function readBoolean(name, fallback) {
    const raw = getInput(name).trim().toLowerCase();
    if (raw === '')
        return fallback;
    if (raw === 'true')
        return true;
    if (raw === 'false')
        return false;
    throw new UserError('config', `Input "${name}" is "${raw}"; write true or false.`);
}
function readChoice(name, choices, fallback) {
    const raw = getInput(name).trim().toLowerCase();
    if (raw === '')
        return fallback;
    if (!choices.includes(raw))
        throw new UserError('config', `Input "${name}" is "${raw}"; write ${choices.join(' or ')}.`);
    return raw;
}
function readNumber(name, fallback) {
    const raw = getInput(name).trim();
    if (raw === '')
        return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0)
        throw new UserError('config', `Input "${name}" is "${raw}"; write a positive number.`);
    return n;
}
/**
 * The export inputs, checked here so a typo fails before the sign-in. `export-domain` takes
 * several domains, separated by commas, spaces or lines (the CLI's repeatable --domain).
 */
function readExportSettings() {
    const target = readChoice('export-target', ['entra', 'google'], 'entra');
    const domains = getInput('export-domain')
        .split(/[\s,]+/)
        .map((d) => d.trim().replace(/^@/, '').toLowerCase())
        .filter(Boolean);
    const badDomain = domains.find((d) => !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(d));
    if (badDomain !== undefined)
        throw new UserError('config', `Input "export-domain" has "${printable(badDomain)}", which is not a domain: write domains like contoso.edu, separated by commas.`);
    const keyInput = getInput('export-key').trim().toLowerCase();
    if (keyInput !== '' && keyInput !== 'upn' && keyInput !== 'objectid')
        throw new UserError('config', `Input "export-key" is "${printable(keyInput)}"; write upn or objectId.`);
    const manifest = getInput('export-manifest').trim().replace(/^\.\//, '');
    if (manifest && (!/^manifests\/[^/]+\.ya?ml$/i.test(manifest) || manifest.includes('..'))) {
        throw new UserError('config', `Input "export-manifest" is "${printable(manifest)}"; write a new .yaml file directly under manifests/ (validate reads manifests/*.yaml), e.g. manifests/exported-staff.yaml.`);
    }
    const photoDir = getInput('export-photo-dir').trim().replace(/^\/+|\/+$/g, '') || 'exported';
    if (photoDir.split('/').some((segment) => segment === '' || segment === '.' || segment === '..') || photoDir.includes('\\')) {
        throw new UserError('config', `Input "export-photo-dir" is "${printable(photoDir)}"; write a folder under photos/, e.g. exported or staff/2026.`);
    }
    const groupsInput = getInput('export-groups').trim().toLowerCase();
    if (groupsInput !== '' && groupsInput !== 'true' && groupsInput !== 'false')
        throw new UserError('config', `Input "export-groups" is "${printable(groupsInput)}"; write true or false.`);
    const group = getInput('export-group').trim();
    if (groupsInput === 'true' && group)
        throw new UserError('config', 'Inputs "export-groups" and "export-group" do not go together: export-groups exports the groups\' own photos, export-group picks the users of one group. Set one of them.');
    if (target === 'google')
        refuseForGoogle({ groups: groupsInput === 'true', group, objectIds: keyInput === 'objectid' });
    return { target, domains, group, key: keyInput === 'objectid' ? 'objectId' : 'upn', manifest, photoDir, ...(groupsInput === 'true' ? { groups: true } : {}) };
}
/** What Google Workspace cannot give an export (the CLI's export --target google refuses the same). */
function refuseForGoogle(wanted) {
    if (wanted.groups) {
        throw new UserError('config', 'Input "export-groups" is "true", but input "export-target" is "google": Google Workspace has no group photos (the Directory API sets user photos only). Export group photos with export-target entra, or set export-groups to false.');
    }
    if (wanted.group) {
        throw new UserError('config', 'Input "export-group" is set, but input "export-target" is "google": listing a group\'s members is not supported for Google Workspace yet. Pick the users with export-domain, or leave export-group empty.');
    }
    if (wanted.objectIds) {
        throw new UserError('config', 'Input "export-key" is "objectId", but input "export-target" is "google": objectId names Entra object ids; an export from Google names users by their primary email (export-key upn, the default).');
    }
}
function readEvent(eventPath) {
    if (!eventPath)
        return {};
    try {
        return JSON.parse(readFileSync(eventPath, 'utf8'));
    }
    catch (err) {
        throw new UserError('config', `Could not read the event payload at ${eventPath}: ${err.message}`);
    }
}
/** True when the event says the repository is public: student photos must not live there. */
function isPublicRepository(event) {
    const repo = event.repository;
    if (!repo)
        return false;
    return repo.visibility === 'public' || repo.private === false;
}

/** The action: read settings once, run the mode, report at the edge. Never throws. */
async function run() {
    try {
        const settings = readSettings();
        // doctor reports a public repository among its problems instead of stopping at it.
        if (settings.mode !== 'doctor')
            guardPublicRepository(settings);
        switch (settings.mode) {
            case 'validate':
            case 'plan':
                await runValidate(settings);
                return;
            case 'apply':
                await runApply(settings);
                return;
            case 'drift':
                await runDrift(settings);
                return;
            case 'doctor':
                await (await import('./chunks/doctorMode.js')).runDoctor(settings);
                return;
            case 'export':
                await (await import('./chunks/exportMode.js')).runExport(settings);
                return;
            default:
                throw new UserError('config', `Mode "${settings.mode}" is not available in this version of entra-photos yet. Use "mode: validate" or "mode: apply".`);
        }
    }
    catch (err) {
        if (isUserError(err))
            setFailed(err.message);
        else
            setFailed(`Internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
}
function guardPublicRepository(settings) {
    if (isPublicRepository(settings.event) && !settings.allowPublicRepo) {
        throw new UserError('guard', `${settings.event.repository?.full_name ?? 'This repository'} is public. Profile photos are personal data (for schools, of minors) and must not be published: make the repository private, or set "allow-public-repo: true" if these photos may be public.`);
    }
}

// The action's entry point: GitHub runs dist/index.js, built from this file. Everything lives in
// src/action/main.ts so that it can be imported by tests without side effects.
await run();

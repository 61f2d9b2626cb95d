import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { R as RevisionSnapshot, S as SAME_PHOTO_THRESHOLD, g as countFindings, w as waitingForAccount, c as comparePhotos, i as applyRevision, d as applySucceeded, l as applyCounts, m as describeTenantPolicy, n as policyOutcomeWords, o as outcomeUser, q as outcomeWords } from './shared3.js';
import { U as UserError } from './shared6.js';
import { w as wantedPolicy, s as samePolicy } from './shared13.js';
import { v as validateRepository, j as pacingClassifierOf, S as Semaphore, k as Progress, l as throttleOf, w as isResolvedSubject, m as mapLimit, c as checkPhoto } from './shared2.js';
import { d as desiredStateOf, a as sameSubjectConflicts, e as entriesBySubject } from './shared10.js';
import { r as recommendedParallelism, t as thumbnail, i as isGroupKey, c as describeUser } from './shared.js';
import 'sharp';
import { W as WritePacer, P as PacerCancelledError } from './shared11.js';
import { p as photoTargetOf } from './shared12.js';
import { p as printable } from './shared4.js';
import { N as NEUTRAL_VOCABULARY } from './shared14.js';
import { a as mdRevision, h as htmlImageSrc, b as mdLink, m as mdText } from './shared8.js';

/**
 * Drift: does the tenant still hold what the repository declares?
 *
 * For every manifest user of a revision (default HEAD): the repository's photo is normalised
 * exactly as apply would send it, the target's photo is downloaded through the photo target port,
 * and the two are compared by perceptual similarity (comparePhotos in src/photo, the comparison
 * apply makes too: a directory re-encodes and resizes what it stores, so bytes never match).
 * The declared photo policy is compared with the target's policy extension (a target without one
 * reports the policy as an error). Downloads are reads paced through a
 * WritePacer (one shared Retry-After gate, adaptive concurrency, bounded retries), so a large
 * tenant that throttles is slowed down, not hammered. Nothing is written; `fixDrift` hands the
 * drifted users to applyRevision, the one upload path.
 */
/** `input`: the target to compare with (an Entra TenantClient is taken as the Entra target). */
async function detectDrift(options, input) {
    const target = photoTargetOf(input);
    const started = performance.now();
    const log = options.log ?? (() => { });
    const threshold = options.threshold ?? SAME_PHOTO_THRESHOLD;
    const snapshot = await RevisionSnapshot.open(options.repo, options.head ?? 'HEAD');
    try {
        const validation = await validateRepository(snapshot, { shouldDecode: () => false });
        const base = { head: snapshot.commit, validation, threshold };
        if (countFindings(validation.findings).errors > 0) {
            return { ...base, users: [], policy: { status: 'not-managed' }, cancelled: false, durationMs: Math.round(performance.now() - started) };
        }
        const desired = await desiredStateOf(snapshot, validation, target.spec, target.id);
        const wanted = [...desired.users.values()].filter((u) => !options.only || options.only.has(u.key.canonical)).sort((a, b) => (a.key.canonical < b.key.canonical ? -1 : 1));
        log(`Comparing ${wanted.length} user(s) of ${snapshot.commit.slice(0, 12)} with the tenant.`);
        // Policy first: one call, and a missing permission shows before thousands of downloads.
        let policy = { status: 'not-managed' };
        if (desired.policy) {
            try {
                if (!target.policy)
                    throw new Error(`The manifests declare a photo update policy, and the ${target.id} target has none.`);
                const live = await target.policy.read();
                const declared = wantedPolicy(desired.policy, live);
                policy = { status: samePolicy(declared, live) ? 'in-sync' : 'different', declared, tenant: live };
            }
            catch (err) {
                policy = { status: 'error', reason: err.message };
            }
        }
        const resolutions = await target.resolveSubjects(wanted.map((w) => w.key), options.signal ? { signal: options.signal } : {});
        // Two entries that are one user in the tenant: which photo is "the repository's" is undefined,
        // so each is an error that names both, neither in sync nor different.
        const conflicts = sameSubjectConflicts(await entriesBySubject(desired, resolutions, (keys) => target.resolveSubjects(keys, options.signal ? { signal: options.signal } : {})));
        const waiting = await waitingUsers(options, target.id, wanted, resolutions, log);
        const pacer = options.pacer ?? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, classify: pacingClassifierOf(target), ...(options.signal ? { signal: options.signal } : {}) });
        const cpu = new Semaphore(recommendedParallelism());
        // A bounded window of users in progress keeps memory flat: downloaded photos never pile up
        // waiting for the CPU, however large the tenant.
        const progress = new Progress({ verb: 'Comparing', total: wanted.length, log, throttle: throttleOf(pacer), ...(options.progress ? { settings: options.progress } : {}) });
        const compareUser = async (want) => {
            const resolution = resolutions.get(want.key.canonical);
            const name = want.name ?? (isResolvedSubject(resolution) ? resolution.displayName?.trim() : undefined);
            const entry = { key: want.key, ...(name ? { name } : {}), photo: want.photoPath, declaredAt: want.declaredAt, status: 'error' };
            const recorded = waiting.get(want.key.canonical);
            if (!isResolvedSubject(resolution)) {
                if (recorded && resolution?.problem === 'not-found')
                    return waitingEntry(entry, recorded, resolution.reason);
                return { ...entry, status: 'unresolved', reason: resolution?.reason ?? 'The user was not looked up.' };
            }
            entry.userId = resolution.id;
            if (recorded && resolution.accountEnabled === false)
                return waitingEntry(entry, recorded, `${resolution.userPrincipalName} is a disabled account.`);
            const conflict = conflicts.get(want.key.canonical);
            if (conflict)
                return { ...entry, status: 'error', code: 'same-user', reason: conflict.message };
            if (options.signal?.aborted)
                return { ...entry, status: 'cancelled', reason: 'The run was cancelled before this user was compared.' };
            let tenantBytes;
            try {
                tenantBytes = await pacer.run(() => target.downloadPhoto(resolution.id, options.signal), want.key.value);
            }
            catch (err) {
                if (err instanceof PacerCancelledError)
                    return { ...entry, status: 'cancelled', reason: err.message };
                return { ...entry, status: 'error', reason: `Could not download the tenant's photo: ${err.message}` };
            }
            return cpu.run(() => compareOne(entry, want, snapshot, tenantBytes, threshold, options.thumbnails ?? false));
        };
        const users = await mapLimit(wanted, 32, (want) => compareUser(want).finally(() => progress.advance())).finally(() => progress.finish());
        // No count line here: the report's headline (driftHeadline) is the run's one summary line.
        return { ...base, users, policy, cancelled: options.signal?.aborted ?? false, durationMs: Math.round(performance.now() - started), pacer: pacer.stats };
    }
    finally {
        snapshot.close();
    }
}
/**
 * The users apply recorded as waiting, read only when some declared user has no usable account.
 * A record that cannot be read is said and leaves them unresolved (the check fails, as before).
 */
async function waitingUsers(options, targetId, wanted, resolutions, log) {
    const noAccount = wanted.some((want) => {
        const resolution = resolutions.get(want.key.canonical);
        return isResolvedSubject(resolution) ? resolution.accountEnabled === false : resolution?.problem === 'not-found';
    });
    if (!noAccount)
        return new Map();
    try {
        return await waitingForAccount({ repo: options.repo, target: targetId, ...options.waitingRecord });
    }
    catch (err) {
        log(`Could not read the users apply recorded as waiting for an account (${err.message}); users without an account count as not in the tenant.`);
        return new Map();
    }
}
function waitingEntry(entry, recorded, now) {
    const what = recorded.problem === 'disabled' ? 'a disabled account' : 'no account yet';
    return {
        ...entry,
        status: 'waiting',
        waiting: { since: recorded.since, problem: recorded.problem, environment: recorded.environment },
        reason: `Waiting for an account since ${recorded.since.slice(0, 10)} (apply in environment ${recorded.environment} found ${what}): ${now} It gets its photo from the next apply once the account is usable.`,
    };
}
async function compareOne(entry, want, snapshot, tenantBytes, threshold, withThumbnails) {
    // Nothing to compare with: no need to normalise (a first import would do it twice).
    if (!tenantBytes && !withThumbnails)
        return { ...entry, status: 'missing', reason: 'The tenant has no photo for this user.' };
    const report = await checkPhoto(await snapshot.read(want.photoPath), want.settings);
    const problem = report.issues.find((i) => i.severity === 'error');
    if (problem || !report.output)
        return { ...entry, status: 'error', reason: `The repository's photo cannot be sent: ${problem?.message ?? 'it could not be normalised.'}` };
    const repoJpeg = report.output.jpeg;
    if (!tenantBytes) {
        return { ...entry, status: 'missing', reason: 'The tenant has no photo for this user.', ...(withThumbnails ? { thumbnails: { repo: await thumbnail(repoJpeg, 96) } } : {}) };
    }
    const comparison = await comparePhotos(repoJpeg, tenantBytes, threshold);
    if (!comparison.decoded) {
        return { ...entry, status: 'different', similarity: 0, tenantPhoto: { width: 0, height: 0, bytes: tenantBytes.length }, reason: `The tenant's photo could not be decoded (${comparison.reason}).` };
    }
    const theirs = { width: comparison.width, height: comparison.height };
    const drift = {
        ...entry,
        status: comparison.same ? 'in-sync' : 'different',
        similarity: comparison.similarity,
        tenantPhoto: { width: theirs.width, height: theirs.height, bytes: tenantBytes.length },
    };
    if (!comparison.same) {
        drift.reason = `The tenant's photo (${theirs.width}×${theirs.height}) is not the repository's: similarity ${comparison.similarity.toFixed(3)} < ${threshold}.`;
        if (withThumbnails)
            drift.thumbnails = { repo: await thumbnail(repoJpeg, 96), tenant: await thumbnail(tenantBytes, 96).catch(() => Buffer.alloc(0)) };
    }
    return drift;
}
function driftCounts(result) {
    return { 'in-sync': 0, different: 0, missing: 0, unresolved: 0, error: 0, cancelled: 0, waiting: 0, ...countBy(result.users) };
}
/** Whether the tenant matches the repository completely (users waiting for an account are not drift). */
function inSync(result) {
    const c = driftCounts(result);
    return c.different + c.missing + c.unresolved + c.error + c.cancelled === 0 && result.policy.status !== 'different' && result.policy.status !== 'error' && !result.cancelled && result.validation.findings.every((f) => f.severity !== 'error');
}
/** Users `--fix` would upload: a different or missing photo. */
function drifted(result) {
    return result.users.filter((u) => u.status === 'different' || u.status === 'missing');
}
function countBy(users) {
    const counts = {};
    for (const u of users)
        counts[u.status] = (counts[u.status] ?? 0) + 1;
    return counts;
}

/**
 * `drift --fix`: the repository's version of every drifted user (and the policy) goes through
 * applyRevision, so a repair is normalised, paced and lockout-guarded exactly like an apply.
 * Kept apart from drift.ts so that apply can use drift detection without an import cycle.
 */
/** `--fix`: apply the repository's version of every drifted user (and the policy) via applyRevision. */
async function fixDrift(result, options, tenant) {
    const users = new Set(drifted(result).map((u) => u.key.canonical));
    if (users.size === 0 && result.policy.status !== 'different')
        return undefined;
    if (result.validation.findings.some((f) => f.severity === 'error')) {
        throw new UserError('guard', 'The repository does not validate, so drift was not repaired. Fix the findings above first.');
    }
    return applyRevision({
        repo: options.repo,
        head: result.head,
        environment: options.environment,
        ...(options.remote ? { remote: options.remote } : {}),
        prune: false,
        dryRun: options.dryRun ?? false,
        allowPolicyLockout: options.allowPolicyLockout ?? false,
        ...(options.words ? { words: options.words } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.progress ? { progress: options.progress } : {}),
        repair: { users },
    }, tenant);
}

function driftHeadline(result) {
    const c = driftCounts(result);
    const seconds = `(${(result.durationMs / 1000).toFixed(1)} s)`;
    // Users waiting for an account are reported, never drift: apply uploads them once the account is usable.
    const waiting = c.waiting ? `; ${c.waiting} waiting for an account` : '';
    if (inSync(result)) {
        const photos = c['in-sync'] === 1 ? "1 user's photo matches" : `all ${c['in-sync']} users' photos match`;
        return `No drift: ${photos} the repository${waiting}; ${policyWord(result.policy)} ${seconds}.`;
    }
    const parts = [`${c.different} different`, `${c.missing} missing`, `${c['in-sync']} matching`];
    if (c.unresolved)
        parts.push(`${c.unresolved} not in the tenant`);
    if (c.error)
        parts.push(`${c.error} could not be compared`);
    if (c.cancelled)
        parts.push(`${c.cancelled} not compared (cancelled)`);
    return `Drift: ${parts.join(', ')}${waiting}; ${policyWord(result.policy)} ${seconds}.`;
}
/** The policy comparison in words (the JSON keeps the status value). */
function policyWord(policy) {
    switch (policy.status) {
        case 'not-managed':
            return 'the photo policy is not managed by the manifests';
        case 'in-sync':
            return "the tenant's photo policy matches";
        case 'different':
            return "the tenant's photo policy differs";
        case 'error':
            return "the tenant's photo policy could not be read";
    }
}
/** One user's comparison in words (the JSON keeps the status value). */
function driftWords(status) {
    switch (status) {
        case 'in-sync':
            return 'matches';
        case 'different':
            return 'different photo';
        case 'missing':
            return 'no photo in the tenant';
        case 'unresolved':
            return 'not in the tenant';
        case 'error':
            return 'could not be compared';
        case 'cancelled':
            return 'not compared';
        case 'waiting':
            return 'waiting for an account';
    }
}
const STATUS_ORDER = ['different', 'missing', 'unresolved', 'error', 'cancelled', 'waiting', 'in-sync'];
function sorted(users) {
    return [...users].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || (a.key.canonical < b.key.canonical ? -1 : 1));
}
function tenantDescription(u) {
    if (u.status === 'missing')
        return 'no photo';
    if (!u.tenantPhoto)
        return '';
    const { width, height, bytes } = u.tenantPhoto;
    return `${width}×${height}, ${Math.max(1, Math.round(bytes / 1024))} KB${u.similarity !== undefined ? `, similarity ${u.similarity.toFixed(3)}` : ''}`;
}
function driftText(result, fix, words = NEUTRAL_VOCABULARY) {
    const lines = [];
    for (const u of sorted(result.users)) {
        if (u.status === 'in-sync')
            continue;
        // Paths, reasons (Graph's messages) and manifest names are data: printable() keeps each on its line.
        lines.push(`  ${symbol(u.status)} ${describeUser(u.key, u.name)}  ${printable(u.photo)}  [${driftWords(u.status)}] ${printable(u.reason ?? '')} (${printable(u.declaredAt.file)}:${u.declaredAt.line})`.trimEnd());
    }
    if (result.policy.status === 'different')
        lines.push(`  ~ policy: tenant has ${describeTenantPolicy(result.policy.tenant)}; the manifests declare ${describeTenantPolicy(result.policy.declared)}`);
    if (result.policy.status === 'error')
        lines.push(`  ! policy: ${printable(result.policy.reason ?? '')}`);
    lines.push(driftHeadline(result));
    if (fix)
        lines.push(fixLine(fix));
    else if (!inSync(result) && (driftCounts(result).different || driftCounts(result).missing || result.policy.status === 'different')) {
        lines.push(`To upload the repository's version of the different and missing photos, ${words.fixDrift}.`);
    }
    return lines.join('\n') + '\n';
}
function symbol(status) {
    return status === 'different' ? '~' : status === 'missing' ? '+' : status === 'in-sync' ? '=' : status === 'waiting' ? '.' : '!';
}
function fixLine(fix) {
    const c = applyCounts(fix);
    const dry = fix.record === 'dry-run';
    const failures = fix.outcomes.filter((o) => o.status === 'failed' || o.status === 'cancelled');
    return [
        `Fix${dry ? ' (dry run)' : ''}: ${c.uploaded} ${dry ? 'would upload' : 'uploaded'}, ${c.failed} failed${c.cancelled ? `, ${c.cancelled} not started` : ''}${c.notAttempted ? `, ${c.notAttempted} not attempted` : ''}; ${policyOutcomeWords(fix.policy.status)}${fix.policy.message ? ` (${printable(fix.policy.message)})` : ''}.`,
        // The photo policy stopped the writes: one reason for all of them, not one per user.
        ...(fix.halted ? [`Stopped: ${printable(fix.halted.message)}`] : []),
        ...failures.map((o) => `  ✗ ${outcomeUser(fix, o)} (${printable(o.photo ?? '')}): ${printable(o.reason ?? outcomeWords(o.status))}`),
    ].join('\n');
}
function driftJson(result, fix) {
    return {
        head: result.head,
        inSync: inSync(result),
        threshold: result.threshold,
        counts: driftCounts(result),
        policy: result.policy,
        users: sorted(result.users).map((u) => ({
            user: u.key.value,
            keyType: u.key.kind,
            ...(u.name ? { name: u.name } : {}),
            photo: u.photo,
            status: u.status,
            ...(u.similarity !== undefined ? { similarity: u.similarity } : {}),
            ...(u.tenantPhoto ? { tenantPhoto: u.tenantPhoto } : {}),
            ...(u.reason ? { reason: u.reason } : {}),
            declaredAt: `${u.declaredAt.file}:${u.declaredAt.line}`,
            ...(u.waiting ? { waiting: u.waiting } : {}),
        })),
        ...(fix
            ? { fix: { counts: applyCounts(fix), succeeded: applySucceeded(fix), policy: fix.policy.status, ...(fix.halted ? { halted: fix.halted } : {}), outcomes: fix.outcomes.map((o) => ({ user: o.key.value, ...(fix.names?.get(o.key.canonical) ? { name: fix.names.get(o.key.canonical) } : {}), status: o.status, ...(o.reason ? { reason: o.reason } : {}) })) } }
            : {}),
    };
}
/**
 * The job summary: verdict and counts, then each drifted user side by side, then the policy. Data
 * (keys, paths, reasons, manifest names, the policy) goes through mdText (src/report/markdown.ts).
 */
function driftMarkdown(result, fix, options = {}) {
    const c = driftCounts(result);
    const openRows = options.openRows ?? 20;
    const out = [
        `## ${inSync(result) ? '✅' : '⚠️'} entra-photos: ${driftHeadline(result)}`,
        '',
        `Compared ${mdRevision(result.head.slice(0, 12))} with the tenant. Photos are compared perceptually (Graph re-encodes what it stores): the same picture scores ≥ ${result.threshold}.`,
        '',
        '| Matching | Different | Missing | Not in tenant | Errors | Waiting for an account | Policy |',
        '|---:|---:|---:|---:|---:|---:|---|',
        `| ${c['in-sync']} | ${c.different} | ${c.missing} | ${c.unresolved} | ${c.error + c.cancelled} | ${c.waiting} | ${policyWord(result.policy)} |`,
        '',
    ];
    const differing = sorted(result.users).filter((u) => u.status !== 'in-sync' && u.status !== 'waiting');
    // Users first, then groups and teams in their own table.
    for (const groups of [false, true]) {
        const shown = differing.filter((u) => isGroupKey(u.key) === groups);
        if (!shown.length)
            continue;
        const header = [
            "The repository's photo is linked from the repository (visible only to people who can read it). The tenant's photo is described, not shown: it never leaves the job.",
            '',
            `| Repository | Tenant | ${groups ? 'Group' : 'User'} | Status | Photo | Declared at |`,
            '|---|---|---|---|---|---|',
        ];
        const title = groups ? 'Groups and teams: what differs' : 'What differs';
        const rows = shown.map((u) => {
            const src = options.photoUrl ? htmlImageSrc(options.photoUrl(u.photo)) : undefined;
            const repo = src ? `<img src="${src}" width="64" alt="repository photo">` : '';
            const declared = `${u.declaredAt.file}:${u.declaredAt.line}`;
            const declaredCell = options.lineUrl ? mdLink(declared, options.lineUrl(u.declaredAt.file, u.declaredAt.line)) : mdText(declared);
            return `| ${repo} | ${mdText(tenantDescription(u))} | ${mdText(describeUser(u.key, u.name))} | **${driftWords(u.status)}**${u.reason && u.status !== 'missing' ? `: ${mdText(u.reason)}` : ''} | ${mdText(u.photo)} | ${declaredCell} |`;
        });
        if (rows.length > openRows)
            out.push(`<details><summary><b>${title} (${rows.length})</b></summary>`, '', ...header, ...rows, '', '</details>', '');
        else
            out.push(`### ${title}`, '', ...header, ...rows, '');
    }
    const waiting = sorted(result.users).filter((u) => u.status === 'waiting');
    if (waiting.length) {
        // Not drift: users apply recorded as waiting (no account yet, or a disabled one). Folded: a school's list can be long.
        const rows = waiting.map((u) => {
            const declared = `${u.declaredAt.file}:${u.declaredAt.line}`;
            const declaredCell = options.lineUrl ? mdLink(declared, options.lineUrl(u.declaredAt.file, u.declaredAt.line)) : mdText(declared);
            const why = u.waiting?.problem === 'disabled' ? 'disabled account' : 'no account yet';
            return `| ${mdText(describeUser(u.key, u.name))} | ${mdText(why)} | ${mdText(u.waiting?.since.slice(0, 10) ?? '')} | ${mdText(u.photo)} | ${declaredCell} |`;
        });
        out.push(`<details><summary><b>Waiting for an account (${waiting.length})</b></summary>`, '', 'Apply recorded these users as waiting for an account: not drift. Each gets its photo from the next apply once the account exists and is enabled.', '', '| User | Why | Since | Photo | Declared at |', '|---|---|---|---|---|', ...rows, '', '</details>', '');
    }
    if (result.policy.status !== 'not-managed') {
        out.push('### Photo policy', '', `- ${policyWord(result.policy).replace(/^t/, 'T')}.`);
        if (result.policy.tenant)
            out.push(`- tenant: ${mdText(describeTenantPolicy(result.policy.tenant))}`);
        if (result.policy.declared)
            out.push(`- declared: ${mdText(describeTenantPolicy(result.policy.declared))}`);
        if (result.policy.reason)
            out.push(`- ${mdText(result.policy.reason)}`);
        out.push('');
    }
    // fixLine's lines quote data (paths, reasons, the policy message) but stay one line each (printable).
    if (fix)
        out.push('### Fix', '', ...fixLine(fix).split('\n').map((l) => (l.startsWith('  ') ? `- ${mdText(l.trim())}` : mdText(l))), '');
    else if (c.different + c.missing > 0 || result.policy.status === 'different')
        out.push(mdText(`To upload the repository's version, ${(options.words ?? NEUTRAL_VOCABULARY).fixDrift}.`), '');
    return out.join('\n');
}
/** A self-contained page for the admin's own machine: both thumbnails side by side as data URIs. */
function driftHtml(result, fix) {
    const img = (jpeg) => (jpeg && jpeg.length ? `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" width="96" height="96" alt="">` : '<span class="none">—</span>');
    const rows = sorted(result.users)
        .filter((u) => u.status !== 'in-sync')
        .map((u) => `<tr><td>${img(u.thumbnails?.repo)}</td><td>${img(u.thumbnails?.tenant)}</td><td>${html(describeUser(u.key, u.name))}</td><td><b>${html(driftWords(u.status))}</b><br>${html(u.reason ?? '')}</td><td><code>${html(u.photo)}</code><br>${html(`${u.declaredAt.file}:${u.declaredAt.line}`)}</td></tr>`);
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>entra-photos drift ${html(result.head.slice(0, 12))}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:6px;vertical-align:top;text-align:left}.none{color:#999}</style></head>
<body><h1>entra-photos drift</h1>
<p>${html(driftHeadline(result))}</p>
${fix ? `<p>${html(fixLine(fix))}</p>` : ''}
<p>Contains photos of people: keep this file on this machine and delete it when done.</p>
<table><tr><th>Repository</th><th>Tenant</th><th>User</th><th>Status</th><th>Photo</th></tr>
${rows.join('\n')}
</table></body></html>
`;
}
function html(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export { driftHtml as a, driftJson as b, driftText as c, detectDrift as d, driftMarkdown as e, fixDrift as f, driftCounts as g, driftHeadline as h, inSync as i };

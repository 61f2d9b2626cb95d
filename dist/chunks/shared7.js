import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { A as drifted, g as applyRevision, B as describeTenantPolicy, t as inSync, q as driftCounts, c as applySucceeded, h as applyCounts, u as cell } from './shared.js';
import { U as UserError, d as describeKey } from './shared2.js';

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
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.log ? { log: options.log } : {}),
        repair: { users },
    }, tenant);
}

function driftHeadline(result) {
    const c = driftCounts(result);
    const verdict = inSync(result) ? 'In sync' : 'Drift';
    const parts = [`${c['in-sync']} in sync`, `${c.different} different`, `${c.missing} missing`];
    if (c.unresolved)
        parts.push(`${c.unresolved} not in the tenant`);
    if (c.error)
        parts.push(`${c.error} could not be compared`);
    if (c.cancelled)
        parts.push(`${c.cancelled} not compared (cancelled)`);
    return `${verdict}: ${parts.join(', ')}; policy ${policyWord(result.policy)} (${(result.durationMs / 1000).toFixed(1)} s).`;
}
function policyWord(policy) {
    return policy.status === 'not-managed' ? 'not managed' : policy.status;
}
const STATUS_ORDER = ['different', 'missing', 'unresolved', 'error', 'cancelled', 'in-sync'];
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
function driftText(result, fix) {
    const lines = [];
    for (const u of sorted(result.users)) {
        if (u.status === 'in-sync')
            continue;
        lines.push(`  ${symbol(u.status)} ${describeKey(u.key)}  ${u.photo}  [${u.status}] ${u.reason ?? ''} (${u.declaredAt.file}:${u.declaredAt.line})`.trimEnd());
    }
    if (result.policy.status === 'different')
        lines.push(`  ~ policy: tenant has ${describeTenantPolicy(result.policy.tenant)}; the manifests declare ${describeTenantPolicy(result.policy.declared)}`);
    if (result.policy.status === 'error')
        lines.push(`  ! policy: ${result.policy.reason}`);
    lines.push(driftHeadline(result));
    if (fix)
        lines.push(fixLine(fix));
    else if (!inSync(result) && (driftCounts(result).different || driftCounts(result).missing || result.policy.status === 'different')) {
        lines.push('Run with --fix (action: fix: true) to upload the repository\'s version of the different and missing photos.');
    }
    return lines.join('\n') + '\n';
}
function symbol(status) {
    return status === 'different' ? '~' : status === 'missing' ? '+' : status === 'in-sync' ? '=' : '!';
}
function fixLine(fix) {
    const c = applyCounts(fix);
    const dry = fix.record === 'dry-run';
    const failures = fix.outcomes.filter((o) => o.status === 'failed' || o.status === 'cancelled');
    return [
        `Fix${dry ? ' (dry run)' : ''}: ${c.uploaded} ${dry ? 'would upload' : 'uploaded'}, ${c.failed} failed${c.cancelled ? `, ${c.cancelled} not started` : ''}; policy ${fix.policy.status}${fix.policy.message ? ` (${fix.policy.message})` : ''}.`,
        ...failures.map((o) => `  ✗ ${describeKey(o.key)} (${o.photo ?? ''}): ${o.reason ?? o.status}`),
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
            photo: u.photo,
            status: u.status,
            ...(u.similarity !== undefined ? { similarity: u.similarity } : {}),
            ...(u.tenantPhoto ? { tenantPhoto: u.tenantPhoto } : {}),
            ...(u.reason ? { reason: u.reason } : {}),
            declaredAt: `${u.declaredAt.file}:${u.declaredAt.line}`,
        })),
        ...(fix
            ? { fix: { counts: applyCounts(fix), succeeded: applySucceeded(fix), policy: fix.policy.status, outcomes: fix.outcomes.map((o) => ({ user: o.key.value, status: o.status, ...(o.reason ? { reason: o.reason } : {}) })) } }
            : {}),
    };
}
/** The job summary: verdict and counts, then each drifted user side by side, then the policy. */
function driftMarkdown(result, fix, options = {}) {
    const c = driftCounts(result);
    const openRows = options.openRows ?? 20;
    const out = [
        `## ${inSync(result) ? '✅' : '⚠️'} entra-photos: ${driftHeadline(result)}`,
        '',
        `Compared \`${result.head.slice(0, 12)}\` with the tenant. Photos are compared perceptually (Graph re-encodes what it stores): the same picture scores ≥ ${result.threshold}.`,
        '',
        '| In sync | Different | Missing | Not in tenant | Errors | Policy |',
        '|---:|---:|---:|---:|---:|---|',
        `| ${c['in-sync']} | ${c.different} | ${c.missing} | ${c.unresolved} | ${c.error + c.cancelled} | ${policyWord(result.policy)} |`,
        '',
    ];
    const shown = sorted(result.users).filter((u) => u.status !== 'in-sync');
    if (shown.length) {
        const header = [
            "The repository's photo is linked from the repository (visible only to people who can read it). The tenant's photo is described, not shown: it never leaves the job.",
            '',
            '| Repository | Tenant | User | Status | Photo | Declared at |',
            '|---|---|---|---|---|---|',
        ];
        const rows = shown.map((u) => {
            const repo = options.photoUrl ? `<img src="${attr(options.photoUrl(u.photo))}" width="64" alt="repository photo">` : '';
            const declared = `${u.declaredAt.file}:${u.declaredAt.line}`;
            const declaredCell = options.lineUrl ? `[${cell(declared)}](${options.lineUrl(u.declaredAt.file, u.declaredAt.line)})` : `\`${cell(declared)}\``;
            return `| ${repo} | ${cell(tenantDescription(u))} | ${cell(describeKey(u.key))} | **${u.status}**${u.reason && u.status !== 'missing' ? `: ${cell(u.reason)}` : ''} | \`${cell(u.photo)}\` | ${declaredCell} |`;
        });
        if (rows.length > openRows)
            out.push(`<details><summary><b>What differs (${rows.length})</b></summary>`, '', ...header, ...rows, '', '</details>', '');
        else
            out.push('### What differs', '', ...header, ...rows, '');
    }
    if (result.policy.status !== 'not-managed') {
        out.push('### Photo policy', '', `- status: **${result.policy.status}**`);
        if (result.policy.tenant)
            out.push(`- tenant: ${describeTenantPolicy(result.policy.tenant)}`);
        if (result.policy.declared)
            out.push(`- declared: ${describeTenantPolicy(result.policy.declared)}`);
        if (result.policy.reason)
            out.push(`- ${cell(result.policy.reason)}`);
        out.push('');
    }
    if (fix)
        out.push('### Fix', '', ...fixLine(fix).split('\n').map((l) => (l.startsWith('  ') ? `- ${cell(l.trim())}` : l)), '');
    else if (c.different + c.missing > 0 || result.policy.status === 'different')
        out.push("Run with `fix: true` (CLI: `entra-photos drift --fix`) to upload the repository's version.", '');
    return out.join('\n');
}
/** A self-contained page for the admin's own machine: both thumbnails side by side as data URIs. */
function driftHtml(result, fix) {
    const img = (jpeg) => (jpeg && jpeg.length ? `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" width="96" height="96" alt="">` : '<span class="none">—</span>');
    const rows = sorted(result.users)
        .filter((u) => u.status !== 'in-sync')
        .map((u) => `<tr><td>${img(u.thumbnails?.repo)}</td><td>${img(u.thumbnails?.tenant)}</td><td>${html(describeKey(u.key))}</td><td><b>${u.status}</b><br>${html(u.reason ?? '')}</td><td><code>${html(u.photo)}</code><br>${html(`${u.declaredAt.file}:${u.declaredAt.line}`)}</td></tr>`);
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
function attr(s) {
    return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
function html(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export { driftJson as a, driftMarkdown as b, driftHeadline as c, driftText as d, driftHtml as e, fixDrift as f };

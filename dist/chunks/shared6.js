import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { a as describeUser, r as roleName, v as validateRepository } from './shared9.js';
import { p as printable } from './shared2.js';
import { m as mdRevision, n as mdText, o as htmlImageSrc, R as RevisionSnapshot, p as diffDesired } from './shared.js';
import { d as desiredStateOf, p as photoFingerprint, s as settingsOf } from './shared5.js';
import { W as WorktreeSnapshot } from './shared8.js';

function planJson(plan) {
    return {
        base: plan.base,
        head: plan.head,
        uploads: plan.uploads.map((u) => ({ user: u.key.value, keyType: u.key.kind, ...(u.name ? { name: u.name } : {}), photo: u.photo, reason: u.reason, ...(u.previousPhoto ? { previousPhoto: u.previousPhoto } : {}) })),
        removals: plan.removals.map((r) => ({ user: r.key.value, keyType: r.key.kind, ...(r.name ? { name: r.name } : {}), photo: r.photo })),
        prune: plan.prune,
        policy: plan.policy ? { from: plan.policy.from ? policyJson(plan.policy.from) : null, to: policyJson(plan.policy.to) } : null,
        unchanged: plan.unchanged,
    };
}
function planUnavailableHeadline(errors) {
    return `No plan: the head revision has ${errors === 1 ? '1 error' : `${errors} errors`}. The plan is shown once ${errors === 1 ? 'it is' : 'they are'} fixed (a manifest that does not parse would otherwise look like its users were removed).`;
}
function planUnavailableJson(plan, errors) {
    return { available: false, base: plan.base, head: plan.head, reason: planUnavailableHeadline(errors) };
}
function planUnavailableText(errors) {
    return `${planUnavailableHeadline(errors)}\n`;
}
function planUnavailableMarkdown(plan, errors) {
    return [
        `### entra-photos plan${plan.base ? ` ${mdRevision(plan.base)} → ${mdRevision(plan.head)}` : ` for ${mdRevision(plan.head)}`}`,
        '',
        `**Plan unavailable until the errors above are fixed.** ${errors === 1 ? 'The head revision has 1 error' : `The head revision has ${errors} errors`}: a manifest that does not validate would make its users look removed, so no plan is shown.`,
        '',
    ].join('\n');
}
function policyJson(p) {
    return { source: p.source ?? null, allowedRoles: p.allowedRoles ? p.allowedRoles.map((id) => ({ id, name: roleName(id) })) : null };
}
function planHeadline(plan) {
    const news = plan.uploads.filter((u) => u.reason === 'new').length;
    const replaced = plan.uploads.length - news;
    const parts = [`${news} new`, `${replaced} replaced`, `${plan.removals.length} to remove${plan.prune || plan.removals.length === 0 ? '' : ' (not pruned)'}`, `${plan.unchanged} unchanged`];
    return `Plan: ${parts.join(', ')}; policy ${plan.policy ? 'changes' : 'unchanged'}.`;
}
/** A role's name, or the id as written in the manifest (data) when it is not a known role. */
function roleLabel(id) {
    return printable(roleName(id));
}
function describePolicy(p) {
    if (!p)
        return 'not managed';
    const parts = [];
    if (p.source)
        parts.push(`source ${p.source}`);
    if (p.allowedRoles)
        parts.push(p.allowedRoles.length ? `allowed roles: ${p.allowedRoles.map(roleLabel).join(', ')}` : 'allowed roles: none');
    return parts.join('; ') || 'declared, empty';
}
/**
 * Why a policy change needs care (DESIGN.md, "Tenant facts"): once allowedRoles is set, an app
 * whose service principal holds none of them is refused photo writes; onPremises stops all cloud
 * writes. Apply checks the app's roles; the plan warns reviewers before they approve.
 */
function policyWarnings(plan) {
    const to = plan.policy?.to;
    if (!to)
        return [];
    const warnings = [];
    if (to.allowedRoles && to.allowedRoles.length > 0) {
        warnings.push(`Setting allowedRoles limits who may change other users' photos to ${to.allowedRoles.map(roleLabel).join(', ')}. This tool's app must hold one of these roles, or Graph answers 403 ForbiddenByAdminEditPolicy to its photo writes: apply uploads photos first and refuses a change that would lock it out. Changes take up to 24 hours to apply.`);
    }
    if (to.source === 'onPremises') {
        warnings.push('source: onPremises disables cloud photo writes for everyone, this tool included: photos in this repository will no longer be applied.');
    }
    return warnings;
}
function planText(plan) {
    // Keys, names and paths are data: printable() keeps each on its line (describeUser already is).
    const lines = [`Plan ${plan.base ? `${plan.base}..${plan.head}` : `for ${plan.head} (no base: everything is new)`}`];
    for (const u of plan.uploads)
        lines.push(`  ${u.reason === 'new' ? '+' : '~'} ${describeUser(u.key, u.name)}  ${printable(u.photo)}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${printable(u.previousPhoto)})` : ''}  [${u.reason}]`);
    for (const r of plan.removals)
        lines.push(`  - ${describeUser(r.key, r.name)}  ${printable(r.photo)}  [${plan.prune ? 'remove' : 'removed from manifests; photo kept without prune'}]`);
    if (plan.policy)
        lines.push(`  ~ policy: ${describePolicy(plan.policy.from)} → ${describePolicy(plan.policy.to)}`);
    for (const w of policyWarnings(plan))
        lines.push(`  ! ${w}`);
    lines.push(planHeadline(plan));
    return lines.join('\n') + '\n';
}
const PLAN_COMMENT_MARKER = '<!-- entra-photos:plan -->';
/**
 * Markdown for the job summary and the sticky PR comment: counts first, then tables. Keys, paths,
 * role names and warnings that quote them go through mdText (src/report/markdown.ts), so nothing
 * from the pull request can link, mention, add a table column or leave its row.
 */
function planMarkdown(plan, options = {}) {
    const openRows = options.openRows ?? 10;
    const maxRows = options.maxRows ?? Infinity;
    const news = plan.uploads.filter((u) => u.reason === 'new');
    const replaced = plan.uploads.filter((u) => u.reason === 'replaced');
    const out = [
        `### entra-photos plan${plan.base ? ` ${mdRevision(plan.base)} → ${mdRevision(plan.head)}` : ` for ${mdRevision(plan.head)}`}`,
        '',
        '| New | Replaced | Removed | Unchanged | Policy |',
        '|---:|---:|---:|---:|---|',
        `| ${news.length} | ${replaced.length} | ${plan.removals.length}${plan.removals.length && !plan.prune ? ' (not pruned)' : ''} | ${plan.unchanged} | ${plan.policy ? '**changes**' : 'unchanged'} |`,
        '',
    ];
    if (plan.uploads.length === 0 && plan.removals.length === 0 && !plan.policy) {
        out.push('No changes: the tenant already matches this revision.', '');
    }
    const uploadTable = (title, rows) => {
        if (!rows.length)
            return;
        const header = ['| Photo | User | File |', '|---|---|---|'];
        const body = rows.map((u) => `| ${thumb(u.photo, options, u.name)} | ${mdText(describeUser(u.key, u.name))} | ${mdText(u.photo)}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${mdText(u.previousPhoto)})` : ''} |`);
        out.push(...collapsible(`${title} (${rows.length})`, header, capped(body, maxRows, 3), openRows), '');
    };
    uploadTable('New photos', news);
    uploadTable('Replaced photos', replaced);
    if (plan.removals.length) {
        const note = plan.prune ? 'These photos will be deleted from the tenant.' : `Removed from the manifests. Without \`${options.words?.prune ?? 'prune: true'}\` their photos stay in the tenant.`;
        out.push(...collapsible(`Removed users (${plan.removals.length})`, [note, '', '| User | Had |', '|---|---|'], capped(plan.removals.map((r) => `| ${mdText(describeUser(r.key, r.name))} | ${mdText(r.photo)} |`), maxRows, 2), openRows), '');
    }
    if (plan.policy) {
        out.push('#### Photo policy', '', `- from: ${mdText(describePolicy(plan.policy.from))}`, `- to: **${mdText(describePolicy(plan.policy.to))}**`, '');
        for (const w of policyWarnings(plan))
            out.push(`> [!WARNING]`, `> ${mdText(w)}`, '');
    }
    return out.join('\n');
}
/**
 * A thumbnail from our own URL (htmlImageSrc re-checks it: no quote or bracket can end the
 * attribute), with the person's name as its alt text. The name is data inside an HTML attribute:
 * mdText writes every quote, `<`, `>` and `&` as a character reference, so it cannot end the
 * attribute or the tag.
 */
function thumb(path, options, name) {
    const src = options.photoUrl ? htmlImageSrc(options.photoUrl(path)) : undefined;
    return src ? `<img src="${src}" width="64" alt="${name ? mdText(name) : ''}">` : '';
}
/** At most maxRows rows, then one row (of `columns` cells) that counts the rest. */
function capped(rows, maxRows, columns) {
    if (rows.length <= maxRows)
        return rows;
    return [...rows.slice(0, maxRows), `| … and ${rows.length - maxRows} more (the full list is in the \`plan\` output)${' |'.repeat(columns - 1)} |`];
}
function collapsible(summary, header, rows, openRows) {
    if (rows.length <= openRows)
        return [`**${summary}**`, '', ...header, ...rows];
    return [`<details><summary><b>${summary}</b></summary>`, '', ...header, ...rows, '', '</details>'];
}

/**
 * Validates the head and plans it against the base. Only head photos whose (content, settings)
 * pair is not already in the base are decoded: the cost grows with the change, not with the
 * repository.
 */
async function planRevisions(repo, options = {}) {
    const snapshots = [];
    try {
        let base;
        if (options.base !== undefined) {
            const baseSnapshot = await RevisionSnapshot.open(repo, options.base);
            snapshots.push(baseSnapshot);
            // The base was reviewed when it landed: its photos need no decoding to know their content.
            const baseValidation = await validateRepository(baseSnapshot, { shouldDecode: () => false });
            base = await desiredStateOf(baseSnapshot, baseValidation);
        }
        const headSnapshot = options.head === undefined ? new WorktreeSnapshot(repo) : await RevisionSnapshot.open(repo, options.head);
        snapshots.push(headSnapshot);
        const known = new Set([...(base?.users.values() ?? [])].map((u) => u.fingerprint));
        const validation = await validateRepository(headSnapshot, {
            shouldDecode: async (user) => options.all === true || !known.has(photoFingerprint(await headSnapshot.blobId(user.photoPath), settingsOf(user))),
            ...(options.progress ? { progress: options.progress } : {}),
        });
        const head = await desiredStateOf(headSnapshot, validation);
        const errors = validation.findings.filter((f) => f.severity === 'error').length;
        return { plan: diffDesired(base, head, { prune: options.prune ?? false }), available: errors === 0, errors, validation, head, ...(base ? { base } : {}) };
    }
    finally {
        for (const s of snapshots)
            s.close();
    }
}

export { PLAN_COMMENT_MARKER as P, planJson as a, planUnavailableJson as b, planText as c, planUnavailableText as d, planUnavailableHeadline as e, planMarkdown as f, planUnavailableMarkdown as g, planRevisions as p };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { d as describeKey, r as roleName, v as validateRepository } from './shared2.js';
import { u as cell, R as RevisionSnapshot, w as desiredStateOf, x as photoFingerprint, y as settingsOf, z as diffDesired } from './shared.js';
import { W as WorktreeSnapshot } from './shared5.js';

function planJson(plan) {
    return {
        base: plan.base,
        head: plan.head,
        uploads: plan.uploads.map((u) => ({ user: u.key.value, keyType: u.key.kind, photo: u.photo, reason: u.reason, ...(u.previousPhoto ? { previousPhoto: u.previousPhoto } : {}) })),
        removals: plan.removals.map((r) => ({ user: r.key.value, keyType: r.key.kind, photo: r.photo })),
        prune: plan.prune,
        policy: plan.policy ? { from: plan.policy.from ? policyJson(plan.policy.from) : null, to: policyJson(plan.policy.to) } : null,
        unchanged: plan.unchanged,
    };
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
function describePolicy(p) {
    if (!p)
        return 'not managed';
    const parts = [];
    if (p.source)
        parts.push(`source ${p.source}`);
    if (p.allowedRoles)
        parts.push(p.allowedRoles.length ? `allowed roles: ${p.allowedRoles.map(roleName).join(', ')}` : 'allowed roles: none');
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
        warnings.push(`Setting allowedRoles limits who may change other users' photos to ${to.allowedRoles.map(roleName).join(', ')}. This tool's app must hold one of these roles, or Graph answers 403 ForbiddenByAdminEditPolicy to its photo writes: apply uploads photos first and refuses a change that would lock it out. Changes take up to 24 hours to apply.`);
    }
    if (to.source === 'onPremises') {
        warnings.push('source: onPremises disables cloud photo writes for everyone, this tool included: photos in this repository will no longer be applied.');
    }
    return warnings;
}
function planText(plan) {
    const lines = [`Plan ${plan.base ? `${plan.base}..${plan.head}` : `for ${plan.head} (no base: everything is new)`}`];
    for (const u of plan.uploads)
        lines.push(`  ${u.reason === 'new' ? '+' : '~'} ${describeKey(u.key)}  ${u.photo}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${u.previousPhoto})` : ''}  [${u.reason}]`);
    for (const r of plan.removals)
        lines.push(`  - ${describeKey(r.key)}  ${r.photo}  [${plan.prune ? 'remove' : 'removed from manifests; photo kept without prune'}]`);
    if (plan.policy)
        lines.push(`  ~ policy: ${describePolicy(plan.policy.from)} → ${describePolicy(plan.policy.to)}`);
    for (const w of policyWarnings(plan))
        lines.push(`  ! ${w}`);
    lines.push(planHeadline(plan));
    return lines.join('\n') + '\n';
}
const PLAN_COMMENT_MARKER = '<!-- entra-photos:plan -->';
/** Markdown for the job summary and the sticky PR comment: counts first, then tables. */
function planMarkdown(plan, options = {}) {
    const openRows = options.openRows ?? 10;
    const maxRows = options.maxRows ?? Infinity;
    const news = plan.uploads.filter((u) => u.reason === 'new');
    const replaced = plan.uploads.filter((u) => u.reason === 'replaced');
    const out = [
        `### entra-photos plan${plan.base ? ` \`${plan.base}\` → \`${plan.head}\`` : ` for \`${plan.head}\``}`,
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
        const body = rows.map((u) => `| ${thumb(u.photo, options)} | ${cell(describeKey(u.key))} | \`${cell(u.photo)}\`${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was \`${cell(u.previousPhoto)}\`)` : ''} |`);
        out.push(...collapsible(`${title} (${rows.length})`, header, capped(body, maxRows), openRows), '');
    };
    uploadTable('New photos', news);
    uploadTable('Replaced photos', replaced);
    if (plan.removals.length) {
        const note = plan.prune ? 'These photos will be deleted from the tenant.' : 'Removed from the manifests. Without `prune: true` their photos stay in the tenant.';
        out.push(...collapsible(`Removed users (${plan.removals.length})`, [note, '', '| User | Had |', '|---|---|'], capped(plan.removals.map((r) => `| ${cell(describeKey(r.key))} | \`${cell(r.photo)}\` |`), maxRows), openRows), '');
    }
    if (plan.policy) {
        out.push('#### Photo policy', '', `- from: ${describePolicy(plan.policy.from)}`, `- to: **${describePolicy(plan.policy.to)}**`, '');
        for (const w of policyWarnings(plan))
            out.push(`> [!WARNING]`, `> ${w}`, '');
    }
    return out.join('\n');
}
function thumb(path, options) {
    return options.photoUrl ? `<img src="${options.photoUrl(path)}" width="64" alt="">` : '';
}
function capped(rows, maxRows) {
    if (rows.length <= maxRows)
        return rows;
    const columns = (rows[0]?.match(/(?<!\\)\|/g)?.length ?? 2) - 1;
    return [...rows.slice(0, maxRows), `| … and ${rows.length - maxRows} more (the full list is in the \`plan\` output)${' |'.repeat(Math.max(1, columns))}`];
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
        });
        const head = await desiredStateOf(headSnapshot, validation);
        return { plan: diffDesired(base, head, { prune: options.prune ?? false }), validation, head, ...(base ? { base } : {}) };
    }
    finally {
        for (const s of snapshots)
            s.close();
    }
}

export { PLAN_COMMENT_MARKER as P, planJson as a, planText as b, planHeadline as c, planMarkdown as d, planRevisions as p };

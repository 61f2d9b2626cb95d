import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { a as roleName, i as isGroupKey, c as describeUser } from './shared.js';
import { p as printable } from './shared4.js';
import { N as NEUTRAL_VOCABULARY } from './shared14.js';
import { r as recordRefPrefix } from './shared9.js';
import { m as mdText, a as mdRevision, h as htmlImageSrc } from './shared8.js';

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
/**
 * `{ targets: [...], targetChanges: [...] }` to spread beside the top-level plan (which stays
 * Entra's): each present only when there is something to say.
 */
function targetPlansJson(targets, changes = []) {
    return {
        ...(targets ? { targets: targets.map((t) => ({ target: t.target, ...planJson(t.plan), ...(t.groupsNotSent ? { groupsNotSent: t.groupsNotSent } : {}) })) } : {}),
        ...(changes.length ? { targetChanges: changes.map((c) => ({ target: c.target, change: c.change, ...(c.at ? { at: `${c.at.file}:${c.at.line}` } : {}) })) } : {}),
    };
}
/** How reports name a target. */
const TARGET_TITLES = { entra: 'Microsoft Entra ID', google: 'Google Workspace' };
/** A target's name for people: its title, or the name itself for one without a title. */
function targetTitle(target) {
    return TARGET_TITLES[target] ?? target;
}
/** Said once per plan, not per group: groups are Entra's only. */
function groupsNotSentNote(count) {
    return `${count === 1 ? '1 group is' : `${count} groups are`} not sent to Google Workspace: it has no group photos (the Directory API sets user photos only). Groups are applied to Microsoft Entra ID.`;
}
/** The plan as text; with several targets, one section per target (with Entra alone: planText, unchanged). `targets:` changes are said first. */
function plansText(plan, targets, notes = {}) {
    const out = (notes.targetChanges ?? []).map((change) => `${change.change === 'removed' ? '!' : 'Note:'} ${targetChangeNote(change, notes.words)}`);
    if (!targets)
        return [...out, planText(plan)].join('\n');
    for (const t of targets) {
        out.push(`== ${targetTitle(t.target)} (${t.target}) ==`);
        out.push(planText(t.plan).trimEnd());
        if (t.groupsNotSent)
            out.push(`  Note: ${groupsNotSentNote(t.groupsNotSent)}`);
    }
    return out.join('\n') + '\n';
}
/** The plan as Markdown; with several targets, one section per target (with Entra alone: planMarkdown, unchanged). `targets:` changes are said first. */
function plansMarkdown(plan, targets, options = {}) {
    const notes = (options.targetChanges ?? []).map((change) => `> [!${change.change === 'removed' ? 'WARNING' : 'NOTE'}]\n> ${targetChangeNote(change, options.words, mdText)}\n`);
    if (!targets)
        return [...notes, planMarkdown(plan, options)].join('\n');
    const sections = targets.map((t) => {
        const section = planMarkdown(t.plan, { ...options, target: t.target });
        return t.groupsNotSent ? `${section}> [!NOTE]\n> ${groupsNotSentNote(t.groupsNotSent)}\n` : section;
    });
    return [...notes, ...sections].join('\n');
}
/** The applied record's tag of a target, with ENV standing for the environment: `entra-photos/google/applied/ENV`. */
function appliedTag(target, environment = 'ENV') {
    return `${recordRefPrefix('applied', target).replace(/^refs\/tags\//, '')}${environment}`;
}
/**
 * What a `targets:` change does at the merge. A removed target is not cleaned up: its photos and
 * its record stay, and the way to take the photos out is a prune while it is still declared.
 * The file name is data: printed through `data` (printable for text, mdText for Markdown).
 */
function targetChangeNote(change, words = NEUTRAL_VOCABULARY, data = printable) {
    const title = targetTitle(change.target);
    if (change.change === 'added') {
        return `${change.target} is new in targets:${change.at ? ` (${data(change.at.file)}:${change.at.line})` : ''}: the first apply uploads every photo to ${title}, comparing with any photo already there (if it was applied before, it starts from its record, tag ${appliedTag(change.target)}).`;
    }
    const where = change.at ? `${data(change.at.file)}:${change.at.line} in the base` : 'the base declares it by default: it has no targets:';
    return (`${change.target} is no longer in targets: (${where}). After the merge entra-photos stops updating ${title}: the photos already there stay as they are, and its record (tag ${appliedTag(change.target)}) is kept. ` +
        `To take the photos out of ${title} first, keep ${change.target} in targets: for now, remove those entries from the manifests and apply with ${words.prune} (that removes them from every declared target), then drop ${change.target} from targets:.`);
}
/**
 * Said by apply when a target it no longer runs still has an applied record: the head's
 * `targets:` (`declared`, its file:line already printable) left it out, so nothing updates it.
 */
function undeclaredTargetNote(undeclared, declared) {
    const title = targetTitle(undeclared.target);
    const tags = undeclared.environments.map((environment) => appliedTag(undeclared.target, printable(environment))).join(', ');
    const where = declared.at ? `targets: [${declared.names.join(', ')}] at ${declared.at}` : 'it has no targets:, so Entra alone';
    return `${undeclared.target} is not in this revision's targets: (${where}), but it was applied before (${tags}). This run does not update ${title}: the photos already there stay as they are, and the record is kept. Add ${undeclared.target} to targets: to manage it again.`;
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
    // Users first, then groups (and teams) in their own section.
    for (const groups of [false, true]) {
        const uploads = plan.uploads.filter((u) => isGroupKey(u.key) === groups);
        const removals = plan.removals.filter((r) => isGroupKey(r.key) === groups);
        if (groups && uploads.length + removals.length > 0)
            lines.push('  Groups and teams:');
        for (const u of uploads)
            lines.push(`  ${u.reason === 'new' ? '+' : '~'} ${describeUser(u.key, u.name)}  ${printable(u.photo)}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${printable(u.previousPhoto)})` : ''}  [${u.reason}]`);
        for (const r of removals)
            lines.push(`  - ${describeUser(r.key, r.name)}  ${printable(r.photo)}  [${plan.prune ? 'remove' : 'removed from manifests; photo kept without prune'}]`);
    }
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
        `### entra-photos plan${options.target ? `: ${targetTitle(options.target)}` : ''}${plan.base ? ` ${mdRevision(plan.base)} → ${mdRevision(plan.head)}` : ` for ${mdRevision(plan.head)}`}`,
        '',
        '| New | Replaced | Removed | Unchanged | Policy |',
        '|---:|---:|---:|---:|---|',
        `| ${news.length} | ${replaced.length} | ${plan.removals.length}${plan.removals.length && !plan.prune ? ' (not pruned)' : ''} | ${plan.unchanged} | ${plan.policy ? '**changes**' : 'unchanged'} |`,
        '',
    ];
    if (plan.uploads.length === 0 && plan.removals.length === 0 && !plan.policy) {
        out.push(`No changes: ${options.target && options.target !== 'entra' ? targetTitle(options.target) : 'the tenant'} already matches this revision.`, '');
    }
    const userNews = news.filter((u) => !isGroupKey(u.key));
    const userReplaced = replaced.filter((u) => !isGroupKey(u.key));
    const userRemovals = plan.removals.filter((r) => !isGroupKey(r.key));
    const uploadTable = (title, rows, who = 'User') => {
        if (!rows.length)
            return;
        const header = [`| Photo | ${who} | File |`, '|---|---|---|'];
        const body = rows.map((u) => `| ${thumb(u.photo, options, u.name)} | ${mdText(describeUser(u.key, u.name))} | ${mdText(u.photo)}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${mdText(u.previousPhoto)})` : ''} |`);
        out.push(...collapsible(`${title} (${rows.length})`, header, capped(body, maxRows, 3), openRows), '');
    };
    const removalNote = plan.prune ? 'These photos will be deleted from the tenant.' : `Removed from the manifests. Without \`${options.words?.prune ?? 'prune: true'}\` their photos stay in the tenant.`;
    const removalTable = (title, rows, who) => {
        if (!rows.length)
            return;
        out.push(...collapsible(`${title} (${rows.length})`, [removalNote, '', `| ${who} | Had |`, '|---|---|'], capped(rows.map((r) => `| ${mdText(describeUser(r.key, r.name))} | ${mdText(r.photo)} |`), maxRows, 2), openRows), '');
    };
    uploadTable('New photos', userNews);
    uploadTable('Replaced photos', userReplaced);
    removalTable('Removed users', userRemovals, 'User');
    // Groups and teams in their own section (a team's photo is its group's photo).
    const groupNews = news.filter((u) => isGroupKey(u.key));
    const groupReplaced = replaced.filter((u) => isGroupKey(u.key));
    const groupRemovals = plan.removals.filter((r) => isGroupKey(r.key));
    if (groupNews.length + groupReplaced.length + groupRemovals.length > 0) {
        out.push('#### Groups and teams', '');
        uploadTable('New group photos', groupNews, 'Group');
        uploadTable('Replaced group photos', groupReplaced, 'Group');
        removalTable('Removed groups', groupRemovals, 'Group');
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

export { PLAN_COMMENT_MARKER as P, planUnavailableJson as a, plansText as b, planUnavailableText as c, targetTitle as d, planUnavailableHeadline as e, plansMarkdown as f, planUnavailableMarkdown as g, planJson as p, targetPlansJson as t, undeclaredTargetNote as u };

/**
 * Plan report builders: pure functions from a plan to JSON, text, and the Markdown used for the
 * job summary and the sticky pull-request comment.
 */
import type { DesiredPolicy } from '../desired/desired.js';
import { roleName } from '../manifest/roles.js';
import { describeUser, isGroupKey, type UserKeyKind } from '../manifest/userKey.js';
import type { Plan, PlannedUpload } from '../plan/plan.js';
import type { TargetPlan } from '../plan/planRevisions.js';
import type { TargetChange, UndeclaredTarget } from '../plan/targetChanges.js';
import { printable } from '../core/untrusted.js';
import { NEUTRAL_VOCABULARY, type Vocabulary } from '../core/vocabulary.js';
import { recordRefPrefix } from '../repo/records.js';
import { htmlImageSrc, mdRevision, mdText } from './markdown.js';

export interface PolicyJson {
  source: 'cloud' | 'onPremises' | null;
  allowedRoles: { id: string; name: string }[] | null;
}

/** The documented `plan` JSON (README "Plan JSON"). */
export interface PlanJson {
  base: string | null;
  head: string;
  /** `name`: the manifest's `name:` for the user, when it has one (display only). A group's entry has `keyType: "group"`. */
  uploads: { user: string; keyType: UserKeyKind; name?: string; photo: string; reason: 'new' | 'replaced'; previousPhoto?: string }[];
  removals: { user: string; keyType: UserKeyKind; name?: string; photo: string }[];
  prune: boolean;
  policy: null | { from: PolicyJson | null; to: PolicyJson };
  unchanged: number;
}

export function planJson(plan: Plan): PlanJson {
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

/** Each target's plan in the `plan` JSON (README "Plan JSON"), present only with `targets:` other than [entra]. */
export type TargetPlanJson = PlanJson & { target: string; groupsNotSent?: number };

/** A target the head stops or starts declaring, in the `plan` JSON; `at`: file:line of the `targets:` that declared it. */
export interface TargetChangeJson {
  target: string;
  change: 'removed' | 'added';
  at?: string;
}

/**
 * `{ targets: [...], targetChanges: [...] }` to spread beside the top-level plan (which stays
 * Entra's): each present only when there is something to say.
 */
export function targetPlansJson(targets: readonly TargetPlan[] | undefined, changes: readonly TargetChange[] = []): { targets?: TargetPlanJson[]; targetChanges?: TargetChangeJson[] } {
  return {
    ...(targets ? { targets: targets.map((t) => ({ target: t.target, ...planJson(t.plan), ...(t.groupsNotSent ? { groupsNotSent: t.groupsNotSent } : {}) })) } : {}),
    ...(changes.length ? { targetChanges: changes.map((c) => ({ target: c.target, change: c.change, ...(c.at ? { at: `${c.at.file}:${c.at.line}` } : {}) })) } : {}),
  };
}

/** How reports name a target. */
const TARGET_TITLES: Record<string, string> = { entra: 'Microsoft Entra ID', google: 'Google Workspace' };

/** A target's name for people: its title, or the name itself for one without a title. */
export function targetTitle(target: string): string {
  return TARGET_TITLES[target] ?? target;
}

/** Said once per plan, not per group: groups are Entra's only. */
function groupsNotSentNote(count: number): string {
  return `${count === 1 ? '1 group is' : `${count} groups are`} not sent to Google Workspace: it has no group photos (the Directory API sets user photos only). Groups are applied to Microsoft Entra ID.`;
}

/** The plan as text; with several targets, one section per target (with Entra alone: planText, unchanged). `targets:` changes are said first. */
export function plansText(plan: Plan, targets?: readonly TargetPlan[], notes: TargetNotesOptions = {}): string {
  const out = (notes.targetChanges ?? []).map((change) => `${change.change === 'removed' ? '!' : 'Note:'} ${targetChangeNote(change, notes.words)}`);
  if (!targets) return [...out, planText(plan)].join('\n');
  for (const t of targets) {
    out.push(`== ${targetTitle(t.target)} (${t.target}) ==`);
    out.push(planText(t.plan).trimEnd());
    if (t.groupsNotSent) out.push(`  Note: ${groupsNotSentNote(t.groupsNotSent)}`);
  }
  return out.join('\n') + '\n';
}

/** The plan as Markdown; with several targets, one section per target (with Entra alone: planMarkdown, unchanged). `targets:` changes are said first. */
export function plansMarkdown(plan: Plan, targets: readonly TargetPlan[] | undefined, options: PlanMarkdownOptions = {}): string {
  const notes = (options.targetChanges ?? []).map((change) => `> [!${change.change === 'removed' ? 'WARNING' : 'NOTE'}]\n> ${targetChangeNote(change, options.words, mdText)}\n`);
  if (!targets) return [...notes, planMarkdown(plan, options)].join('\n');
  const sections = targets.map((t) => {
    const section = planMarkdown(t.plan, { ...options, target: t.target });
    return t.groupsNotSent ? `${section}> [!NOTE]\n> ${groupsNotSentNote(t.groupsNotSent)}\n` : section;
  });
  return [...notes, ...sections].join('\n');
}

export interface TargetNotesOptions {
  /** Targets the head stops or starts declaring (PlanResult.targetChanges). */
  targetChanges?: readonly TargetChange[];
  /** How the edge names its options (both spellings by default). */
  words?: Vocabulary;
}

/** The applied record's tag of a target, with ENV standing for the environment: `entra-photos/google/applied/ENV`. */
function appliedTag(target: string, environment = 'ENV'): string {
  return `${recordRefPrefix('applied', target).replace(/^refs\/tags\//, '')}${environment}`;
}

/**
 * What a `targets:` change does at the merge. A removed target is not cleaned up: its photos and
 * its record stay, and the way to take the photos out is a prune while it is still declared.
 * The file name is data: printed through `data` (printable for text, mdText for Markdown).
 */
export function targetChangeNote(change: TargetChange, words: Vocabulary = NEUTRAL_VOCABULARY, data: (value: string) => string = printable): string {
  const title = targetTitle(change.target);
  if (change.change === 'added') {
    return `${change.target} is new in targets:${change.at ? ` (${data(change.at.file)}:${change.at.line})` : ''}: the first apply uploads every photo to ${title}, comparing with any photo already there (if it was applied before, it starts from its record, tag ${appliedTag(change.target)}).`;
  }
  const where = change.at ? `${data(change.at.file)}:${change.at.line} in the base` : 'the base declares it by default: it has no targets:';
  return (
    `${change.target} is no longer in targets: (${where}). After the merge entra-photos stops updating ${title}: the photos already there stay as they are, and its record (tag ${appliedTag(change.target)}) is kept. ` +
    `To take the photos out of ${title} first, keep ${change.target} in targets: for now, remove those entries from the manifests and apply with ${words.prune} (that removes them from every declared target), then drop ${change.target} from targets:.`
  );
}

/**
 * Said by apply when a target it no longer runs still has an applied record: the head's
 * `targets:` (`declared`, its file:line already printable) left it out, so nothing updates it.
 */
export function undeclaredTargetNote(undeclared: UndeclaredTarget, declared: { names: readonly string[]; at?: string }): string {
  const title = targetTitle(undeclared.target);
  const tags = undeclared.environments.map((environment) => appliedTag(undeclared.target, printable(environment))).join(', ');
  const where = declared.at ? `targets: [${declared.names.join(', ')}] at ${declared.at}` : 'it has no targets:, so Entra alone';
  return `${undeclared.target} is not in this revision's targets: (${where}), but it was applied before (${tags}). This run does not update ${title}: the photos already there stay as they are, and the record is kept. Add ${undeclared.target} to targets: to manage it again.`;
}

/**
 * The head does not validate: its desired state is incomplete (a manifest that fails to parse
 * contributes no users), so a diff would list its users as removed. No plan is shown until the
 * errors are fixed. JSON: `{ available: false, base, head, reason }` (README "Plan JSON").
 */
export interface PlanUnavailableJson {
  available: false;
  base: string | null;
  head: string;
  reason: string;
}

export function planUnavailableHeadline(errors: number): string {
  return `No plan: the head revision has ${errors === 1 ? '1 error' : `${errors} errors`}. The plan is shown once ${errors === 1 ? 'it is' : 'they are'} fixed (a manifest that does not parse would otherwise look like its users were removed).`;
}

export function planUnavailableJson(plan: Pick<Plan, 'base' | 'head'>, errors: number): PlanUnavailableJson {
  return { available: false, base: plan.base, head: plan.head, reason: planUnavailableHeadline(errors) };
}

export function planUnavailableText(errors: number): string {
  return `${planUnavailableHeadline(errors)}\n`;
}

export function planUnavailableMarkdown(plan: Pick<Plan, 'base' | 'head'>, errors: number): string {
  return [
    `### entra-photos plan${plan.base ? ` ${mdRevision(plan.base)} → ${mdRevision(plan.head)}` : ` for ${mdRevision(plan.head)}`}`,
    '',
    `**Plan unavailable until the errors above are fixed.** ${errors === 1 ? 'The head revision has 1 error' : `The head revision has ${errors} errors`}: a manifest that does not validate would make its users look removed, so no plan is shown.`,
    '',
  ].join('\n');
}

function policyJson(p: DesiredPolicy): PolicyJson {
  return { source: p.source ?? null, allowedRoles: p.allowedRoles ? p.allowedRoles.map((id) => ({ id, name: roleName(id) })) : null };
}

export function planHeadline(plan: Plan): string {
  const news = plan.uploads.filter((u) => u.reason === 'new').length;
  const replaced = plan.uploads.length - news;
  const parts = [`${news} new`, `${replaced} replaced`, `${plan.removals.length} to remove${plan.prune || plan.removals.length === 0 ? '' : ' (not pruned)'}`, `${plan.unchanged} unchanged`];
  return `Plan: ${parts.join(', ')}; policy ${plan.policy ? 'changes' : 'unchanged'}.`;
}

/** A role's name, or the id as written in the manifest (data) when it is not a known role. */
function roleLabel(id: string): string {
  return printable(roleName(id));
}

export function describePolicy(p: DesiredPolicy | null): string {
  if (!p) return 'not managed';
  const parts: string[] = [];
  if (p.source) parts.push(`source ${p.source}`);
  if (p.allowedRoles) parts.push(p.allowedRoles.length ? `allowed roles: ${p.allowedRoles.map(roleLabel).join(', ')}` : 'allowed roles: none');
  return parts.join('; ') || 'declared, empty';
}

/**
 * Why a policy change needs care (DESIGN.md, "Tenant facts"): once allowedRoles is set, an app
 * whose service principal holds none of them is refused photo writes; onPremises stops all cloud
 * writes. Apply checks the app's roles; the plan warns reviewers before they approve.
 */
export function policyWarnings(plan: Plan): string[] {
  const to = plan.policy?.to;
  if (!to) return [];
  const warnings: string[] = [];
  if (to.allowedRoles && to.allowedRoles.length > 0) {
    warnings.push(
      `Setting allowedRoles limits who may change other users' photos to ${to.allowedRoles.map(roleLabel).join(', ')}. This tool's app must hold one of these roles, or Graph answers 403 ForbiddenByAdminEditPolicy to its photo writes: apply uploads photos first and refuses a change that would lock it out. Changes take up to 24 hours to apply.`,
    );
  }
  if (to.source === 'onPremises') {
    warnings.push('source: onPremises disables cloud photo writes for everyone, this tool included: photos in this repository will no longer be applied.');
  }
  return warnings;
}

export function planText(plan: Plan): string {
  // Keys, names and paths are data: printable() keeps each on its line (describeUser already is).
  const lines = [`Plan ${plan.base ? `${plan.base}..${plan.head}` : `for ${plan.head} (no base: everything is new)`}`];
  // Users first, then groups (and teams) in their own section.
  for (const groups of [false, true]) {
    const uploads = plan.uploads.filter((u) => isGroupKey(u.key) === groups);
    const removals = plan.removals.filter((r) => isGroupKey(r.key) === groups);
    if (groups && uploads.length + removals.length > 0) lines.push('  Groups and teams:');
    for (const u of uploads) lines.push(`  ${u.reason === 'new' ? '+' : '~'} ${describeUser(u.key, u.name)}  ${printable(u.photo)}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${printable(u.previousPhoto)})` : ''}  [${u.reason}]`);
    for (const r of removals) lines.push(`  - ${describeUser(r.key, r.name)}  ${printable(r.photo)}  [${plan.prune ? 'remove' : 'removed from manifests; photo kept without prune'}]`);
  }
  if (plan.policy) lines.push(`  ~ policy: ${describePolicy(plan.policy.from)} → ${describePolicy(plan.policy.to)}`);
  for (const w of policyWarnings(plan)) lines.push(`  ! ${w}`);
  lines.push(planHeadline(plan));
  return lines.join('\n') + '\n';
}

export interface PlanMarkdownOptions {
  /** How the edge names its options (the action's inputs by default). */
  words?: Vocabulary;
  /** URL of a photo as of the head, viewable by people who can read the repository. */
  photoUrl?: (path: string) => string;
  /** Rows shown before a list is collapsed into <details>. */
  openRows?: number;
  /**
   * Rows listed per table at most; the rest are counted. A first import can plan 200,000 users,
   * and GitHub caps a PR comment at 65,536 characters and a job summary at 1 MiB.
   */
  maxRows?: number;
  /** The target this plan is for, named in the heading (only when several targets are declared). */
  target?: string;
  /** Targets the head stops or starts declaring (plansMarkdown says them first). */
  targetChanges?: readonly TargetChange[];
}

export const PLAN_COMMENT_MARKER = '<!-- entra-photos:plan -->';

/**
 * Markdown for the job summary and the sticky PR comment: counts first, then tables. Keys, paths,
 * role names and warnings that quote them go through mdText (src/report/markdown.ts), so nothing
 * from the pull request can link, mention, add a table column or leave its row.
 */
export function planMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const openRows = options.openRows ?? 10;
  const maxRows = options.maxRows ?? Infinity;
  const news = plan.uploads.filter((u) => u.reason === 'new');
  const replaced = plan.uploads.filter((u) => u.reason === 'replaced');
  const out: string[] = [
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
  const uploadTable = (title: string, rows: PlannedUpload[], who = 'User') => {
    if (!rows.length) return;
    const header = [`| Photo | ${who} | File |`, '|---|---|---|'];
    const body = rows.map((u) => `| ${thumb(u.photo, options, u.name)} | ${mdText(describeUser(u.key, u.name))} | ${mdText(u.photo)}${u.previousPhoto && u.previousPhoto !== u.photo ? ` (was ${mdText(u.previousPhoto)})` : ''} |`);
    out.push(...collapsible(`${title} (${rows.length})`, header, capped(body, maxRows, 3), openRows), '');
  };
  const removalNote = plan.prune ? 'These photos will be deleted from the tenant.' : `Removed from the manifests. Without \`${options.words?.prune ?? 'prune: true'}\` their photos stay in the tenant.`;
  const removalTable = (title: string, rows: Plan['removals'], who: string) => {
    if (!rows.length) return;
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
    for (const w of policyWarnings(plan)) out.push(`> [!WARNING]`, `> ${mdText(w)}`, '');
  }
  return out.join('\n');
}

/**
 * A thumbnail from our own URL (htmlImageSrc re-checks it: no quote or bracket can end the
 * attribute), with the person's name as its alt text. The name is data inside an HTML attribute:
 * mdText writes every quote, `<`, `>` and `&` as a character reference, so it cannot end the
 * attribute or the tag.
 */
function thumb(path: string, options: PlanMarkdownOptions, name?: string): string {
  const src = options.photoUrl ? htmlImageSrc(options.photoUrl(path)) : undefined;
  return src ? `<img src="${src}" width="64" alt="${name ? mdText(name) : ''}">` : '';
}

/** At most maxRows rows, then one row (of `columns` cells) that counts the rest. */
function capped(rows: string[], maxRows: number, columns: number): string[] {
  if (rows.length <= maxRows) return rows;
  return [...rows.slice(0, maxRows), `| … and ${rows.length - maxRows} more (the full list is in the \`plan\` output)${' |'.repeat(columns - 1)} |`];
}

function collapsible(summary: string, header: string[], rows: string[], openRows: number): string[] {
  if (rows.length <= openRows) return [`**${summary}**`, '', ...header, ...rows];
  return [`<details><summary><b>${summary}</b></summary>`, '', ...header, ...rows, '', '</details>'];
}


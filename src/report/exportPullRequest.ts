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
import { printable } from '../core/untrusted.js';
import type { ExportedUser, ExportResult } from '../export/export.js';
import type { TargetName } from '../manifest/types.js';
import { exportCounts, exportHeadline } from './export.js';
import { mdLink, mdText, safeUrl, truncateAtLine } from './markdown.js';
import { targetTitle } from './plan.js';

/** The required check the pull request goes through (the job name init's workflow gives it). */
export const VALIDATE_CHECK = 'Validate photos';

/** Branches the action pushes; an open pull request from one of them means an export awaits review. */
export const EXPORT_BRANCH_PREFIX = 'entra-photos/export/';

export interface ExportFilters {
  /** Where the photos were adopted from (input export-target); default entra, "the tenant". */
  target?: TargetName;
  domains: readonly string[];
  group: string;
  key: 'upn' | 'objectId';
  /** The groups' (so teams') own photos were exported, not users' (input export-groups). */
  groups?: boolean;
}

/** What the export adopted photos of, in the words the texts use. */
interface Subjects {
  /** "user(s)" / "group(s) and team(s)". */
  counted: string;
  /** "users" / "groups and teams". */
  plural: string;
  /** The table column: "User" / "Group or team". */
  column: string;
}

const USERS: Subjects = { counted: 'user(s)', plural: 'users', column: 'User' };
const GROUPS: Subjects = { counted: 'group(s) and team(s)', plural: 'groups and teams', column: 'Group or team' };

function subjectsOf(filters: Pick<ExportFilters, 'groups'> | undefined): Subjects {
  return filters?.groups ? GROUPS : USERS;
}

/** Where the photos came from, as the texts name it: "the tenant" (Entra) or "Google Workspace". */
function sourceOf(filters: Pick<ExportFilters, 'target'> | undefined): string {
  return filters?.target && filters.target !== 'entra' ? targetTitle(filters.target) : 'the tenant';
}

export interface ExportContext {
  /** Repository-relative folder of the photos (photos/exported). */
  photoFolder: string;
  filters: ExportFilters;
  /** The workflow run that exported (linked when it is an http(s) URL). */
  runUrl?: string;
  /** Users listed per table before "and N more"; default 100 (a pull request body holds 65,536 characters). */
  maxRows?: number;
}

/** What became of an export that adopted photos. */
export type ExportDelivery =
  | { kind: 'opened'; branch: string; base: string; url: string }
  /** The branch is pushed; the pull request could not be opened (`why`), `compareUrl` opens it by hand. */
  | { kind: 'pushed'; branch: string; base: string; compareUrl: string; why: string };

/** GitHub's limit for a pull request body is 65,536 characters: keep well under it. */
const BODY_LIMIT = 60_000;
const SUMMARY_LIMIT = 900_000;

export function exportedCount(result: ExportResult): number {
  return exportCounts(result).exported;
}

/** `filters` says whether groups were exported (default: users) and from where (default: the tenant). */
export function exportPullRequestTitle(result: ExportResult, filters?: Pick<ExportFilters, 'groups' | 'target'>): string {
  const n = exportedCount(result);
  return `Adopt ${n} ${filters?.groups ? 'group' : 'profile'} photo${n === 1 ? '' : 's'} from ${sourceOf(filters)}`;
}

/** The commit on the export branch: plain text, one line per fact, data through printable. */
export function exportCommitMessage(result: ExportResult, context: ExportContext): string {
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
export function exportPullRequestBody(result: ExportResult, context: ExportContext): string {
  const out = [`## ${result.complete ? '✅' : '⚠️'} entra-photos: ${mdText(exportPullRequestTitle(result, context.filters))}`, '', ...exportDetails(result, context), ...nextSteps(), ...checkNote()];
  return truncateAtLine(out.join('\n'), BODY_LIMIT);
}

/** The job summary of a run that adopted photos: what happened to the branch and the pull request, then the same details. */
export function exportSummary(result: ExportResult, context: ExportContext, delivery: ExportDelivery): string {
  const out = [`## ${result.complete && delivery.kind === 'opened' ? '✅' : '⚠️'} entra-photos: ${mdText(exportHeadline(result, subjectsOf(context.filters).counted))}`, ''];
  if (delivery.kind === 'opened') {
    out.push(`Pushed the branch ${mdText(delivery.branch)} and opened ${linkOr('the pull request', delivery.url)} against ${mdText(delivery.base)}.`, '');
  } else {
    out.push(
      '> [!WARNING]',
      `> Pushed the branch ${mdText(delivery.branch)}, but the pull request could not be opened: ${mdText(delivery.why)} Open it by hand: ${linkOr(`compare ${delivery.base} with ${delivery.branch}`, delivery.compareUrl)}, and paste the description below.`,
      '',
    );
  }
  out.push(...exportDetails(result, context), ...nextSteps(), ...checkNote());
  return truncateAtLine(out.join('\n'), SUMMARY_LIMIT);
}

/** The job summary of a run that adopted nothing: no branch, no pull request. */
export function exportNothingSummary(result: ExportResult, context: ExportContext): string {
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
export function exportAlreadyOpenSummary(url: string, branch: string): string {
  return [
    `## ⚠️ entra-photos: An export pull request is already open`,
    '',
    `${linkOr('The pull request', url)} from ${mdText(branch)} is waiting for review, so nothing was exported (a second export would declare the same users or groups again).`,
    'Merge it or close it, then run the export again: it adopts only the users (or groups) no manifest declares yet.',
    '',
  ].join('\n');
}

/** Why an incomplete export fails the step, and what to do: the headline, then the next run. */
export function exportFailure(result: ExportResult, filters?: Pick<ExportFilters, 'groups'>): string {
  const next = exportedCount(result) > 0 ? `What was adopted is on the branch; once it is merged, run the export again: it adopts only the ${subjectsOf(filters).plural} no manifest declares yet.` : 'Run the export again.';
  return `${exportHeadline(result, subjectsOf(filters).counted)} ${next}`;
}

/** The log lines: each user who was refused or failed, the headline, and what became of the branch. */
export function exportActionText(result: ExportResult, delivery: ExportDelivery | undefined, filters?: Pick<ExportFilters, 'groups'>): string {
  const lines: string[] = [];
  for (const u of result.users) {
    if (u.status === 'refused' || u.status === 'failed') lines.push(`  ! ${printable(userLabel(u))}: ${u.status}: ${printable(u.reason ?? '')}`);
  }
  lines.push(exportHeadline(result, subjectsOf(filters).counted));
  if (!delivery) lines.push('No photo to adopt: no branch was pushed and no pull request was opened.');
  else if (delivery.kind === 'opened') lines.push(`Pushed ${printable(delivery.branch)} and opened the pull request ${printable(delivery.url)} (against ${printable(delivery.base)}).`);
  else lines.push(`Pushed ${printable(delivery.branch)}; the pull request could not be opened: ${printable(delivery.why)} Open it by hand: ${printable(delivery.compareUrl)}`);
  return lines.join('\n');
}

export function describeFilters(filters: ExportFilters): string {
  const parts = [filters.domains.length ? `domains ${filters.domains.join(', ')}` : 'every domain'];
  if (filters.group) parts.push(`members of the group ${filters.group}`);
  if (filters.groups) parts.push(filters.key === 'objectId' ? 'Microsoft 365 groups and teams named by object id' : 'Microsoft 365 groups and teams named by mail address');
  else if (filters.target === 'google') parts.push('users named by primary email');
  else parts.push(filters.key === 'objectId' ? 'users named by object id' : 'users named by userPrincipalName');
  return parts.join('; ');
}

// ---- pieces ----------------------------------------------------------------------------------

function exportDetails(result: ExportResult, context: ExportContext, adopted = true): string[] {
  const c = exportCounts(result);
  const subjects = subjectsOf(context.filters);
  const maxRows = context.maxRows ?? 100;
  const out: string[] = [];
  if (adopted) {
    const run = context.runUrl ? ` by ${linkOr('this workflow run', context.runUrl)}` : '';
    // Google keeps a 96x96 thumbnail of what it was sent: that, not the original, is adopted.
    const held = context.filters.target === 'google' ? 'Google Workspace already holds (its 96x96 thumbnails, not the pictures it was sent)' : 'the tenant already holds';
    out.push(
      `These are the profile photos ${held}, downloaded${run} as they are: ${c.exported} ${subjects.counted}, photos under ${mdText(context.photoFolder + '/')}, declared in ${mdText(result.manifest)}. Filters: ${mdText(describeFilters(context.filters))}.`,
      '',
    );
    if (context.filters.target === 'google') {
      // The manifest names users, not directories: once merged, apply sends these photos to every
      // target the manifests declare, Entra ID included, where a larger photo may be replaced.
      out.push(
        '> [!WARNING]',
        '> Once merged, these photos are applied to every target the manifests declare, Microsoft Entra ID included: there a 96x96 thumbnail, upscaled, replaces whatever photo the user has (validation warns about each one). Keep only the users who have no better photo, or replace the files with the originals before merging.',
        '',
      );
    }
  }
  out.push(
    `| Listed | Exported | No photo in ${sourceOf(context.filters)} | Already in the repository | Refused | Failed | Not started |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${result.listed} | ${c.exported} | ${c['no-photo']} | ${c.managed} | ${c.refused} | ${c.failed} | ${c['not-started']} |`,
    '',
  );
  if (!result.complete) {
    out.push(
      '> [!WARNING]',
      `> The export did not complete (${c.failed} failed, ${c['not-started']} not started). What was adopted is valid as it is; once it is merged, run the export again: it adopts only the ${subjects.plural} no manifest declares yet.`,
      '',
    );
  }
  // What needs a look first (refused, failed), then the rest of what was not exported.
  const order: ExportedUser['status'][] = ['refused', 'failed', 'not-started', 'no-photo', 'managed'];
  const skipped = result.users.filter((u) => u.status !== 'exported').sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
  if (skipped.length) {
    const rows = skipped.slice(0, maxRows).map((u) => `| ${mdText(userLabel(u))} | ${mdText(whyNot(u, sourceOf(context.filters)))} |`);
    if (skipped.length > maxRows) rows.push(`| ${mdText(`… and ${skipped.length - maxRows} more`)} | see the job summary of the workflow run |`);
    out.push(`<details><summary><b>Not exported (${skipped.length})</b></summary>`, '', `| ${subjects.column} | Why |`, '|---|---|', ...rows, '', '</details>', '');
  }
  return out;
}

function nextSteps(): string[] {
  return [
    '**What happens next**',
    '',
    `This pull request goes through the normal path: the **${VALIDATE_CHECK}** check validates the manifest and every photo and shows the plan, reviewers approve, and merging applies it in the protected environment. Apply uploads these same pictures (normalised); the very first apply of a repository compares each user (or group) with the tenant first and leaves the photos already there alone. From then on the repository is the truth: change a photo by a pull request.`,
    '',
  ];
}

function checkNote(): string[] {
  return [
    '> [!WARNING]',
    `> Opened by the github-actions bot (the workflow's own GITHUB_TOKEN)? GitHub does not start the **${VALIDATE_CHECK}** check by itself for a pull request that token opens: either the check waits for someone with write access to approve it here (Approve workflows to run), or it does not start at all: then close and reopen this pull request to start it. Pull requests opened with a GitHub App token (the input github-token) are checked like anyone's; see docs/setup.md, Adopting existing photos from GitHub.`,
    '',
  ];
}

function skippedParts(result: ExportResult): string[] {
  const c = exportCounts(result);
  const parts: string[] = [];
  if (c['no-photo']) parts.push(`${c['no-photo']} without a photo`);
  if (c.managed) parts.push(`${c.managed} already in the repository`);
  if (c.refused) parts.push(`${c.refused} refused (would not pass validation)`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c['not-started']) parts.push(`${c['not-started']} not started`);
  return parts;
}

function userLabel(u: ExportedUser): string {
  return u.displayName ? `${u.userPrincipalName} (${u.displayName})` : u.userPrincipalName;
}

function whyNot(u: ExportedUser, source: string): string {
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
function linkOr(text: string, url: string): string {
  return safeUrl(url) ? mdLink(text, url) : mdText(text);
}

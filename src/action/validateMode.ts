import * as core from '@actions/core';
import { actionProgress, logInfo } from './log.js';
import { countFindings, type Finding } from '../core/findings.js';
import { planRevisions } from '../plan/planRevisions.js';
import { githubBlobUrl, truncateAtLine } from '../report/markdown.js';
import { planJson, plansMarkdown, plansText, planUnavailableHeadline, planUnavailableJson, planUnavailableMarkdown, targetPlansJson } from '../report/plan.js';
import { validationHeadline, validationSummary, validationText } from '../report/validation.js';
import { WorktreeSnapshot } from '../repo/worktree.js';
import { validateRepository, type ValidationResult } from '../validate/validate.js';
import type { Plan } from '../plan/plan.js';
import type { TargetPlan } from '../plan/planRevisions.js';
import type { TargetChange } from '../plan/targetChanges.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { annotate } from './annotate.js';
import { upsertPlanComment } from './prComment.js';
import { revisionsFor } from './revisions.js';
import type { ActionSettings } from './settings.js';

/**
 * Pull-request checks: validate the head (decoding only changed photos unless `all`), plan it
 * against the base, and report: annotations, job summary, `plan` output, sticky PR comment.
 * Never requests a token for the tenant.
 */
export async function runValidate(settings: ActionSettings): Promise<void> {
  const revisions = await revisionsFor(settings);
  // Normalising many changed photos (or all of them) takes a while: progress lines, in a group.
  const progress = { ...actionProgress(), log: (line: string) => logInfo(line) };
  const planned: { validation: ValidationResult; plan?: Plan; available?: boolean; targets?: TargetPlan[]; targetChanges?: TargetChange[] } = revisions
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
  if (plan) logInfo(plansText(plan, targets, notes));
  if (unavailable) logInfo(planUnavailableHeadline(errors));

  core.setOutput('errors', errors);
  core.setOutput('warnings', warnings);
  if (plan) core.setOutput('plan', JSON.stringify({ ...planJson(plan), ...targetPlansJson(targets, notes.targetChanges) }));
  if (unavailable) core.setOutput('plan', JSON.stringify(planUnavailableJson(unavailable, errors)));

  const links = githubLinks(settings);
  const render = (maxRows: number) => {
    const planSection = plan
      ? plansMarkdown(plan, targets, { ...notes, maxRows, ...(links.photoUrl ? { photoUrl: links.photoUrl } : {}) })
      : unavailable
        ? planUnavailableMarkdown(unavailable, errors)
        : '';
    return `${validationSummary(validation, { maxRows, ...(links.fileUrl ? { fileUrl: links.fileUrl } : {}) })}\n${planSection}`;
  };
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(fitWithin(render, SUMMARY_LIMIT)).write();
  }
  if ((plan || unavailable) && settings.event.pull_request) {
    const outcome = await upsertPlanComment(settings, fitWithin(render, COMMENT_LIMIT));
    logInfo(`Plan comment: ${outcome}.`);
  }
  // The plan's headline was logged with the plan (planText): once per run, not again here.
  if (errors > 0) core.setFailed(validationHeadline(validation));
}

function nothingToCheck(plan: Plan, validation: ValidationResult): boolean {
  return plan.uploads.length === 0 && plan.removals.length === 0 && !plan.policy && validation.stats.photosDecoded === 0;
}

/** GitHub's limits, with room for the marker and headers: 65,536 characters per comment, 1 MiB per summary. */
const COMMENT_LIMIT = 60_000;
const SUMMARY_LIMIT = 900_000;

/** Renders with fewer listed rows until the Markdown fits (counts always stay complete). */
function fitWithin(render: (maxRows: number) => string, limit: number): string {
  for (const rows of [5000, 1000, 300, 100, 30, 10]) {
    const text = render(rows);
    if (text.length <= limit) return text;
  }
  return truncateAtLine(render(0), limit);
}

/**
 * Links into the reviewed commit on GitHub. Thumbnails point at the repository's own files, so
 * they render only for people who can read the repository: photos are never copied elsewhere.
 * Paths are data: githubBlobUrl encodes every segment (`(`, `)`, `'` included), so a file name
 * cannot end a link or an attribute early; the report builders check the URLs again.
 */
function githubLinks(settings: ActionSettings): { fileUrl?: (f: Finding) => string; photoUrl?: (path: string) => string } {
  const server = process.env.GITHUB_SERVER_URL;
  const repo = process.env.GITHUB_REPOSITORY;
  const sha = settings.event.pull_request?.head?.sha ?? process.env.GITHUB_SHA;
  if (!server || !repo || !sha) return {};
  const blob = (path: string) => githubBlobUrl(server, repo, sha, path);
  return {
    fileUrl: (f) => `${blob(f.file)}${f.line ? `#L${f.line}` : ''}`,
    photoUrl: (path) => `${blob(path)}?raw=true`,
  };
}

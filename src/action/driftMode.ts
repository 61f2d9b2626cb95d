import * as core from '@actions/core';
import { actionProgress, logInfo } from './log.js';
import { environmentClaim } from '../apply/connection.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { detectDrift, driftCounts, inSync } from '../drift/drift.js';
import { fixDrift } from '../drift/fix.js';
import { applySucceeded } from '../report/apply.js';
import { driftHeadline, driftJson, driftMarkdown, driftText } from '../report/drift.js';
import { githubBlobUrl } from '../report/markdown.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';
import { cancellation, connectFromWorkflow } from './tenantJob.js';

/**
 * Scheduled check: does the tenant still hold what the checked-out revision declares? Reports
 * missing, different and in-sync users and the policy; with `fix: true` uploads the repository's
 * version through apply's upload path. Drift fails the step (so a schedule notifies someone)
 * unless it was fixed.
 */
export async function runDrift(settings: ActionSettings): Promise<void> {
  const { tenant, getAssertion } = connectFromWorkflow(settings, {
    mode: 'drift',
    notOnPullRequests: "it reads the tenant with the app's credentials. Run it on a schedule (or workflow_dispatch) from the default branch; see docs/examples/workflows/drift.yml.",
    docs: 'docs/commands.md#drift',
    permissions: `    contents: read\n${settings.fix ? '(with fix: true, the job runs in the protected environment whose federated credential may write photos.)' : ''}`,
  });
  const run = cancellation(settings, 'finishing in-flight requests, then reporting what was compared.');
  try {
    const log = (line: string) => logInfo(line);
    const progress = actionProgress();
    // Users apply left waiting for an account (its record on origin) are reported apart, not as drift.
    const remote = await defaultRemote(settings.repoPath);
    const waitingRecord = { ...(remote ? { remote } : {}), ...(settings.environment ? { environment: settings.environment } : {}) };
    const result = await detectDrift({ repo: settings.repoPath, head: 'HEAD', signal: run.signal, log, progress, waitingRecord }, tenant);
    annotate(result.validation.findings);
    if (result.validation.findings.some((f) => f.severity === 'error')) {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(validationSummary(result.validation)).write();
      core.setFailed('The repository does not validate, so drift was not checked. Fix the findings (see the annotations) first.');
      return;
    }
    let fix;
    if (settings.fix) {
      const environment = settings.environment || environmentClaim(await getAssertion()) || 'default';
      fix = await fixDrift(result, { repo: settings.repoPath, environment, ...(remote ? { remote } : {}), dryRun: settings.dryRun, allowPolicyLockout: settings.allowPolicyLockout, words: ACTION_VOCABULARY, signal: run.signal, log, progress }, tenant);
    }
    logInfo(driftText(result, fix, ACTION_VOCABULARY));
    const counts = driftCounts(result);
    core.setOutput('in-sync', counts['in-sync']);
    core.setOutput('different', counts.different);
    core.setOutput('missing', counts.missing);
    core.setOutput('waiting', counts.waiting);
    core.setOutput('drift', JSON.stringify(driftJson(result, fix)));
    if (fix) {
      const c = fix.outcomes.filter((o) => o.status === 'uploaded' || o.status === 'would-upload').length;
      core.setOutput('uploaded', c);
      core.setOutput('failed', fix.outcomes.filter((o) => o.status === 'failed').length);
      core.setOutput('policy-changed', fix.policy.status === 'applied');
    }
    if (process.env.GITHUB_STEP_SUMMARY) {
      const links = repoLinks(settings);
      await core.summary.addRaw(driftMarkdown(result, fix, links)).write();
    }
    const unresolvedOrErrors = counts.unresolved + counts.error + counts.cancelled > 0;
    if (fix && fix.record !== 'dry-run') {
      if (!applySucceeded(fix) || unresolvedOrErrors) core.setFailed(`${driftHeadline(result)} The fix did not repair everything: see the summary.`);
    } else if (!inSync(result)) {
      core.setFailed(`${driftHeadline(result)} Set "fix: true" to upload the repository's version, or change the repository to match.`);
    }
  } finally {
    run.dispose();
  }
}

/**
 * Links into the compared commit: the repository's photos render only for people who can read it.
 * Paths are data: githubBlobUrl encodes every segment, so a file name cannot end a link early.
 */
function repoLinks(settings: ActionSettings): { photoUrl?: (path: string) => string; lineUrl?: (file: string, line: number) => string } {
  const server = process.env.GITHUB_SERVER_URL;
  const repo = process.env.GITHUB_REPOSITORY;
  const sha = process.env.GITHUB_SHA ?? settings.event.after;
  if (!server || !repo || !sha) return {};
  const blob = (p: string) => githubBlobUrl(server, repo, sha, p);
  return { photoUrl: (p) => `${blob(p)}?raw=true`, lineUrl: (file, line) => `${blob(file)}#L${line}` };
}

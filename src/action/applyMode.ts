import * as core from '@actions/core';
import { actionProgress, logInfo } from './log.js';
import { applyRevision } from '../apply/apply.js';
import { environmentClaim } from '../apply/connection.js';
import { provenanceFromEnv } from '../apply/ledger.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { applyCounts, applyFailure, applyMarkdown, applySucceeded, applyText, waitingFor } from '../report/apply.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';
import { cancellation, connectFromWorkflow } from './tenantJob.js';

/**
 * Push to the default branch, in a protected environment: GitHub OIDC → Graph, apply the change
 * since the last completely applied revision, record it. Pull-request events never get here.
 */
export async function runApply(settings: ActionSettings): Promise<void> {
  const { tenant, getAssertion } = connectFromWorkflow(settings, {
    mode: 'apply',
    notOnPullRequests: 'pull requests validate and plan without credentials. Apply on a push to the default branch, in a protected environment.',
    docs: 'docs/setup.md',
    permissions: '    contents: write\n(contents: write lets the action record the applied revision as a tag.)',
  });
  const environment = settings.environment || environmentClaim(await getAssertion()) || 'default';
  const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
  try {
    const remote = await defaultRemote(settings.repoPath);
    const result = await applyRevision(
      {
        repo: settings.repoPath,
        head: 'HEAD',
        environment,
        ...(remote ? { remote } : {}),
        prune: settings.prune,
        dryRun: settings.dryRun,
        allowPolicyLockout: settings.allowPolicyLockout,
        words: ACTION_VOCABULARY,
        unknownUsers: settings.unknownUsers,
        signal: run.signal,
        log: (line) => logInfo(line),
        progress: actionProgress(),
        provenance: provenanceFromEnv(process.env),
        ...(process.env.GITHUB_RUN_ID ? { leaseHolder: `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID}` } : {}),
      },
      tenant,
    );
    annotate(result.validation.findings);
    // Users waiting for an account: a warning at the manifest line that declares each.
    annotate(waitingFor(result).map((w) => ({ severity: 'warning' as const, code: `waiting-for-account (${w.problem})`, file: w.file, line: w.line, message: w.reason })));
    logInfo(applyText(result));
    const counts = applyCounts(result);
    core.setOutput('uploaded', counts.uploaded);
    core.setOutput('removed', counts.removed);
    core.setOutput('failed', counts.failed);
    core.setOutput('pending', counts.pending);
    core.setOutput('policy-changed', result.policy.status === 'applied');
    core.setOutput('applied-revision', result.appliedRevision ?? '');
    if (process.env.GITHUB_STEP_SUMMARY) {
      const invalid = result.validation.findings.some((f) => f.severity === 'error');
      await core.summary.addRaw(invalid ? validationSummary(result.validation) : applyMarkdown(result)).write();
    }
    // A run the tenant's photo policy stopped fails with that one error (which says what to do).
    // So does a refused policy change: the annotation carries its reason, not only the headline.
    if (!applySucceeded(result)) core.setFailed(applyFailure(result));
  } finally {
    run.dispose();
  }
}

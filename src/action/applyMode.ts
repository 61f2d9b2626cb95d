import * as core from '@actions/core';
import { applyRevision } from '../apply/apply.js';
import { environmentClaim, openTenant } from '../apply/connection.js';
import { UserError } from '../core/errors.js';
import { applyCounts, applyHeadline, applyMarkdown, applySucceeded, applyText } from '../report/apply.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

/**
 * Push to the default branch, in a protected environment: GitHub OIDC → Graph, apply the change
 * since the last completely applied revision, record it. Pull-request events never get here.
 */
export async function runApply(settings: ActionSettings): Promise<void> {
  if (PULL_REQUEST_EVENTS.has(settings.eventName)) {
    throw new UserError('guard', `mode "apply" never runs on ${settings.eventName} events: pull requests validate and plan without credentials. Apply on a push to the default branch, in a protected environment.`);
  }
  if (!settings.tenant.tenantId || !settings.tenant.clientId) {
    throw new UserError('config', 'mode "apply" needs the inputs tenant-id and client-id (the app registration that has a federated credential for this repository). See docs/setup.md.');
  }
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new UserError('auth', 'The job cannot request a GitHub OIDC token. Add to the workflow job:\n  permissions:\n    id-token: write\n    contents: write\n(contents: write lets the action record the applied revision as a tag.)');
  }
  const getAssertion = async () => {
    try {
      return await core.getIDToken(settings.audience);
    } catch (err) {
      throw new UserError('auth', `Could not get a GitHub OIDC token (${(err as Error).message}). The job needs "permissions: id-token: write".`);
    }
  };
  const environment = settings.environment || environmentClaim(await getAssertion()) || 'default';
  const tenant = openTenant(settings.tenant, getAssertion);

  // A cancelled job gets SIGTERM; hosted jobs end at 6 h. Either way: stop starting new work,
  // let in-flight writes finish, record progress, report.
  const controller = new AbortController();
  const stop = (why: string) => () => {
    if (!controller.signal.aborted) {
      core.warning(`${why}: finishing in-flight requests, recording progress, then stopping. The next run continues from here.`);
      controller.abort(new Error(why));
    }
  };
  const onTerm = stop('Cancelled (SIGTERM)');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onTerm);
  const budget = setTimeout(stop(`Time budget of ${settings.timeBudgetMinutes} minutes reached`), settings.timeBudgetMinutes * 60_000);
  budget.unref();
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
        signal: controller.signal,
        log: (line) => core.info(line),
        ...(process.env.GITHUB_RUN_ID ? { leaseHolder: `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID}` } : {}),
      },
      tenant,
    );
    annotate(result.validation.findings);
    core.info(applyText(result));
    const counts = applyCounts(result);
    core.setOutput('uploaded', counts.uploaded);
    core.setOutput('removed', counts.removed);
    core.setOutput('failed', counts.failed);
    core.setOutput('policy-changed', result.policy.status === 'applied');
    core.setOutput('applied-revision', result.appliedRevision ?? '');
    if (process.env.GITHUB_STEP_SUMMARY) {
      const invalid = result.validation.findings.some((f) => f.severity === 'error');
      await core.summary.addRaw(invalid ? validationSummary(result.validation) : applyMarkdown(result)).write();
    }
    if (!applySucceeded(result)) core.setFailed(applyHeadline(result));
  } finally {
    clearTimeout(budget);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
  }
}

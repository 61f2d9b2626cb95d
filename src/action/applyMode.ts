import * as core from '@actions/core';
import { actionProgress, logInfo } from './log.js';
import { applyRevision, type ApplyResult } from '../apply/apply.js';
import { googleSettingsProblems, openGoogle } from '../apply/googleConnection.js';
import { declaredTargets, type DeclaredTargets } from '../apply/targets.js';
import { UserError } from '../core/errors.js';
import { describeNetworkFailure, isNetworkFailure } from '../core/network.js';
import { printable } from '../core/untrusted.js';
import type { TargetName } from '../manifest/types.js';
import { mdText } from '../report/markdown.js';
import { TARGET_TITLES } from '../report/plan.js';
import type { TargetInput } from '../target/index.js';
import { environmentClaim } from '../apply/connection.js';
import { provenanceFromEnv } from '../apply/ledger.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { applyCounts, applyFailure, applyMarkdown, applySucceeded, applyText, waitingFor } from '../report/apply.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';
import { PULL_REQUEST_EVENTS, cancellation, connectFromWorkflow } from './tenantJob.js';

/**
 * Push to the default branch, in a protected environment: GitHub OIDC → Graph, apply the change
 * since the last completely applied revision, record it. Pull-request events never get here.
 */
export async function runApply(settings: ActionSettings): Promise<void> {
  const declared = await declaredTargets(settings.repoPath);
  // A repository without targets: (or with [entra]) runs exactly as it always did.
  if (!declared.at || (declared.names.length === 1 && declared.names[0] === 'entra')) return runEntraApply(settings);
  await runTargetsApply(settings, declared);
}

async function runEntraApply(settings: ActionSettings): Promise<void> {
  const { tenant, getAssertion } = connectFromWorkflow(settings, ENTRA_RULES);
  const environment = settings.environment || environmentClaim(await getAssertion()) || 'default';
  const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
  try {
    const result = await applyTo(settings, environment, run.signal, tenant);
    annotateResult(result);
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

const ENTRA_RULES = {
  mode: 'apply' as const,
  notOnPullRequests: 'pull requests validate and plan without credentials. Apply on a push to the default branch, in a protected environment.',
  docs: 'docs/setup.md',
  permissions: '    contents: write\n(contents: write lets the action record the applied revision as a tag.)',
};

function applyTo(settings: ActionSettings, environment: string, signal: AbortSignal, target: TargetInput): Promise<ApplyResult> {
  return defaultRemote(settings.repoPath).then((remote) =>
    applyRevision(
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
        signal,
        log: (line) => logInfo(line),
        progress: actionProgress(),
        provenance: provenanceFromEnv(process.env),
        ...(process.env.GITHUB_RUN_ID ? { leaseHolder: `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID}` } : {}),
      },
      target,
    ),
  );
}

function annotateResult(result: ApplyResult, title?: string, findings = true): void {
  if (findings) annotate(result.validation.findings);
  // Users waiting for an account: a warning at the manifest line that declares each.
  annotate(waitingFor(result).map((w) => ({ severity: 'warning' as const, code: `waiting-for-account (${w.problem})`, file: w.file, line: w.line, message: title ? `${title}: ${w.reason}` : w.reason })));
}

/**
 * The manifests declare targets (issue 16): each target is applied in turn with its own record,
 * lease and pacing, and reported in its own section; one target failing (or not signing in) does
 * not hold the next back. Outputs count every target; applied-revision and policy-changed are
 * Entra's when Entra is declared.
 */
async function runTargetsApply(settings: ActionSettings, declared: DeclaredTargets): Promise<void> {
  if (PULL_REQUEST_EVENTS.has(settings.eventName)) {
    throw new UserError('guard', `mode "apply" never runs on ${settings.eventName} events: ${ENTRA_RULES.notOnPullRequests}`);
  }
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new UserError('auth', `The job cannot request a GitHub OIDC token. Add to the workflow job:\n  permissions:\n    id-token: write\n${ENTRA_RULES.permissions}`);
  }
  const idToken = async (audience: string): Promise<string> => {
    try {
      return await core.getIDToken(audience);
    } catch (err) {
      if (isNetworkFailure(err)) throw new UserError('auth', describeNetworkFailure('the GitHub OIDC token service', process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '', err));
      throw new UserError('auth', `Could not get a GitHub OIDC token (${(err as Error).message}). The job needs "permissions: id-token: write".`);
    }
  };
  // Each target is opened before anything runs, so a missing input is said before any write.
  const opened: { name: TargetName; open?: () => { target: TargetInput; token: () => Promise<string> }; problem?: string }[] = declared.names.map((name) => {
    if (name === 'entra') {
      return { name, open: () => { const { tenant, getAssertion } = connectFromWorkflow(settings, ENTRA_RULES); return { target: tenant, token: getAssertion }; } };
    }
    const problems = googleSettingsProblems(settings.google, { provider: 'Input "google-workload-identity-provider"', serviceAccount: 'Input "google-service-account"', adminSubject: 'Input "google-admin-subject"', endpoint: 'Input "google-endpoint"' });
    if (problems.length) return { name, problem: `${declared.at} declares targets: [${declared.names.join(', ')}], but Google Workspace cannot be reached: ${problems.join(' ')}` };
    return {
      name,
      open: () => {
        const target = openGoogle(settings.google, idToken);
        return { target, token: () => idToken(`https://iam.googleapis.com/${settings.google.workloadIdentityProvider.replace(/^(https:)?\/\/iam\.googleapis\.com\//, '')}`) };
      },
    };
  });
  const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
  const results: { name: TargetName; result?: ApplyResult; error?: string }[] = [];
  let environment = settings.environment;
  try {
    for (const entry of opened) {
      const title = TARGET_TITLES[entry.name] ?? entry.name;
      logInfo(`== ${title} (${entry.name}) ==`);
      if (!entry.open) {
        results.push({ name: entry.name, error: entry.problem ?? 'not configured' });
        logInfo(entry.problem ?? 'not configured');
        continue;
      }
      try {
        const { target, token } = entry.open();
        environment ||= environmentClaim(await token()) || 'default';
        const result = await applyTo(settings, environment, run.signal, target);
        // The manifests' findings once (every target validates the same head).
        annotateResult(result, title, !results.some((r) => r.result));
        logInfo(applyText(result));
        results.push({ name: entry.name, result });
      } catch (err) {
        // One target failing to start (sign-in refused, no lease) does not hold the next back.
        const message = printable(err instanceof Error ? err.message : String(err));
        logInfo(`${title}: ${message}`);
        results.push({ name: entry.name, error: message });
      }
    }
  } finally {
    run.dispose();
  }

  const totals = { uploaded: 0, removed: 0, failed: 0, pending: 0 };
  for (const { result, error } of results) {
    if (error) totals.failed++;
    if (!result) continue;
    const counts = applyCounts(result);
    totals.uploaded += counts.uploaded;
    totals.removed += counts.removed;
    totals.failed += counts.failed;
    totals.pending += counts.pending;
  }
  const primary = results.find((r) => r.name === 'entra')?.result ?? results.find((r) => r.result)?.result;
  core.setOutput('uploaded', totals.uploaded);
  core.setOutput('removed', totals.removed);
  core.setOutput('failed', totals.failed);
  core.setOutput('pending', totals.pending);
  core.setOutput('policy-changed', results.find((r) => r.name === 'entra')?.result?.policy.status === 'applied');
  core.setOutput('applied-revision', primary?.appliedRevision ?? '');
  if (process.env.GITHUB_STEP_SUMMARY) {
    const sections = results.map(({ name, result, error }) => {
      const title = TARGET_TITLES[name] ?? name;
      if (!result) return `## ❌ entra-photos → ${mdText(title)}: not applied\n\n${mdText(error ?? '')}\n`;
      const invalid = result.validation.findings.some((f) => f.severity === 'error');
      return invalid ? validationSummary(result.validation) : applyMarkdown(result, 15, title);
    });
    await core.summary.addRaw(sections.join('\n')).write();
  }
  const failures = results.flatMap(({ name, result, error }) => {
    const title = TARGET_TITLES[name] ?? name;
    if (error) return [`${title}: ${error}`];
    return result && !applySucceeded(result) ? [`${title}: ${applyFailure(result)}`] : [];
  });
  if (failures.length) core.setFailed(failures.join('\n'));
}

import * as core from '@actions/core';
import { DIRECT_LOG, actionProgress, logInfo, type LogChannel } from './log.js';
import { applyRevision, type ApplyResult } from '../apply/apply.js';
import { declaredTargets, type DeclaredTargets } from '../validate/declaredTargets.js';
import { entraAlone } from '../validate/validate.js';
import { mdText } from '../report/markdown.js';
import { targetTitle, undeclaredTargetNote } from '../report/plan.js';
import { undeclaredAppliedTargets } from '../plan/targetChanges.js';
import type { TargetInput } from '../target/index.js';
import { environmentClaim } from '../core/oidcToken.js';
import { provenanceFromEnv } from '../apply/ledger.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { applyCounts, applyFailure, applyMarkdown, applySucceeded, applyText, waitingFor } from '../report/apply.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';
import { declaredTargetOpeners, runEachTarget, type TargetRun } from './targetRuns.js';
import { cancellation, connectFromWorkflow } from './tenantJob.js';

/**
 * Push to the default branch, in a protected environment: GitHub OIDC → Graph, apply the change
 * since the last completely applied revision, record it. Pull-request events never get here.
 */
export async function runApply(settings: ActionSettings): Promise<void> {
  const declared = await declaredTargets(settings.repoPath);
  // Where the applied records live: looked up once, for the note below and every target's apply.
  const remote = await defaultRemote(settings.repoPath);
  // A target the head no longer declares is left as it is: said once, when it was applied before.
  for (const undeclared of await undeclaredAppliedTargets(settings.repoPath, declared.names, remote)) logInfo(undeclaredTargetNote(undeclared, declared));
  // A repository without targets: (or with [entra]) runs exactly as it always did.
  if (entraAlone(declared.names)) return runEntraApply(settings, remote);
  await runTargetsApply(settings, declared, remote);
}

async function runEntraApply(settings: ActionSettings, remote: string | undefined): Promise<void> {
  const { tenant, getAssertion } = connectFromWorkflow(settings, ENTRA_RULES);
  const environment = settings.environment || environmentClaim(await getAssertion()) || 'default';
  const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
  try {
    const result = await applyTo(settings, remote, environment, run.signal, tenant);
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

function applyTo(settings: ActionSettings, remote: string | undefined, environment: string, signal: AbortSignal, target: TargetInput, out: LogChannel = DIRECT_LOG): Promise<ApplyResult> {
  const provenance = provenanceFromEnv(process.env);
  return applyRevision(
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
      log: (line) => out.info(line),
      progress: { ...actionProgress(), group: out.group },
      provenance,
      // The lease names this run: a second apply waiting for it says which run holds it.
      ...(provenance.url ? { leaseHolder: provenance.url } : {}),
    },
    target,
  );
}

function annotateResult(result: ApplyResult, title?: string, findings = true): void {
  if (findings) annotate(result.validation.findings);
  // Users waiting for an account: a warning at the manifest line that declares each.
  annotate(waitingFor(result).map((w) => ({ severity: 'warning' as const, code: `waiting-for-account (${w.problem})`, file: w.file, line: w.line, message: title ? `${title}: ${w.reason}` : w.reason })));
}

/**
 * The manifests declare targets (issue 16): the targets are applied at once, each with its own
 * record, lease and pacing, and reported in its own log block and summary section in the declared
 * order; one target failing (or not signing in) does not hold the others back. Outputs count every target; applied-revision and policy-changed are
 * Entra's when Entra is declared.
 */
async function runTargetsApply(settings: ActionSettings, declared: DeclaredTargets, remote: string | undefined): Promise<void> {
  const openers = declaredTargetOpeners(settings, declared, ENTRA_RULES);
  const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
  let results: TargetRun<ApplyResult>[];
  try {
    results = await runEachTarget(openers, async ({ target, token }, out) => {
      const environment = settings.environment || environmentClaim(await token()) || 'default';
      const result = await applyTo(settings, remote, environment, run.signal, target, out);
      out.info(applyText(result));
      return result;
    });
  } finally {
    run.dispose();
  }
  // Annotations in the declared order; the manifests' findings once (every target validates the same head).
  let annotatedFindings = false;
  for (const { name, result } of results) {
    if (!result) continue;
    annotateResult(result, targetTitle(name), !annotatedFindings);
    annotatedFindings = true;
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
      const title = targetTitle(name);
      if (!result) return `## ❌ entra-photos → ${mdText(title)}: not applied\n\n${mdText(error ?? '')}\n`;
      const invalid = result.validation.findings.some((f) => f.severity === 'error');
      return invalid ? validationSummary(result.validation) : applyMarkdown(result, 15, title);
    });
    await core.summary.addRaw(sections.join('\n')).write();
  }
  const failures = results.flatMap(({ name, result, error }) => {
    const title = targetTitle(name);
    if (error) return [`${title}: ${error}`];
    return result && !applySucceeded(result) ? [`${title}: ${applyFailure(result)}`] : [];
  });
  if (failures.length) core.setFailed(failures.join('\n'));
}

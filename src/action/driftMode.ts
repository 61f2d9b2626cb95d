import * as core from '@actions/core';
import { DIRECT_LOG, actionProgress, type LogChannel } from './log.js';
import { environmentClaim } from '../core/oidcToken.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { detectDrift, driftCounts, inSync, type DriftOptions, type DriftResult } from '../drift/drift.js';
import { fixDrift } from '../drift/fix.js';
import { applySucceeded } from '../report/apply.js';
import { driftHeadline, driftJson, driftMarkdown, driftText } from '../report/drift.js';
import { githubBlobUrl } from '../report/markdown.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';
import { declaredTargetOpeners, runEachTarget, type TargetRun } from './targetRuns.js';
import { cancellation, connectFromWorkflow } from './tenantJob.js';
import { declaredTargets, type DeclaredTargets } from '../validate/declaredTargets.js';
import { entraAlone } from '../validate/validate.js';
import { mdText } from '../report/markdown.js';
import { targetTitle } from '../report/plan.js';
import type { TargetInput } from '../target/index.js';

/**
 * Scheduled check: does the tenant still hold what the checked-out revision declares? Reports
 * missing, different and in-sync users and the policy; with `fix: true` uploads the repository's
 * version through apply's upload path. Drift fails the step (so a schedule notifies someone)
 * unless it was fixed.
 */
export async function runDrift(settings: ActionSettings): Promise<void> {
  const declared = await declaredTargets(settings.repoPath);
  // A repository without targets: (or with [entra]) runs exactly as it always did.
  if (!entraAlone(declared.names)) return runTargetsDrift(settings, declared);
  const { tenant, getAssertion } = connectFromWorkflow(settings, driftRules(settings));
  const run = cancellation(settings, 'finishing in-flight requests, then reporting what was compared.');
  try {
    const compared = await compareTarget(settings, await driftContext(settings, run.signal), tenant, getAssertion, DIRECT_LOG);
    annotate(compared.result.validation.findings);
    if (!validates(compared.result)) return await failNotValidating(compared.result);
    const { result, fix, counts, failure } = compared;
    core.setOutput('in-sync', counts['in-sync']);
    core.setOutput('different', counts.different);
    core.setOutput('missing', counts.missing);
    core.setOutput('waiting', counts.waiting);
    core.setOutput('drift', JSON.stringify(driftJson(result, fix)));
    if (fix) {
      const fixed = fixCounts(fix);
      core.setOutput('uploaded', fixed.uploaded);
      core.setOutput('failed', fixed.failed);
      core.setOutput('policy-changed', fix.policy.status === 'applied');
    }
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(driftMarkdown(result, fix, repoLinks(settings))).write();
    if (failure) core.setFailed(failure);
  } finally {
    run.dispose();
  }
}

interface DriftContext {
  signal: AbortSignal;
  progress: ReturnType<typeof actionProgress>;
  remote: string | undefined;
  /** Users apply left waiting for an account (its record on origin) are reported apart, not as drift. */
  waitingRecord: NonNullable<DriftOptions['waitingRecord']>;
}

async function driftContext(settings: ActionSettings, signal: AbortSignal): Promise<DriftContext> {
  const remote = await defaultRemote(settings.repoPath);
  const waitingRecord = { ...(remote ? { remote } : {}), ...(settings.environment ? { environment: settings.environment } : {}) };
  return { signal, progress: actionProgress(), remote, waitingRecord };
}

interface Compared {
  result: DriftResult;
  fix: Awaited<ReturnType<typeof fixDrift>> | undefined;
  counts: ReturnType<typeof driftCounts>;
  /** Why the step fails for this target. */
  failure?: string;
}

/**
 * One target compared (and, with fix: true, fixed), its lines and its text printed to `out`. A
 * repository that does not validate is not compared (see validates); the caller says so.
 */
async function compareTarget(settings: ActionSettings, ctx: DriftContext, target: TargetInput, token: () => Promise<string>, out: LogChannel): Promise<Compared> {
  const { signal, remote, waitingRecord } = ctx;
  const log = (line: string) => out.info(line);
  const progress = { ...ctx.progress, group: out.group };
  const result = await detectDrift({ repo: settings.repoPath, head: 'HEAD', signal, log, progress, waitingRecord }, target);
  const counts = driftCounts(result);
  if (!validates(result)) return { result, fix: undefined, counts };
  let fix;
  if (settings.fix) {
    const environment = settings.environment || environmentClaim(await token()) || 'default';
    fix = await fixDrift(result, { repo: settings.repoPath, environment, ...(remote ? { remote } : {}), dryRun: settings.dryRun, allowPolicyLockout: settings.allowPolicyLockout, words: ACTION_VOCABULARY, signal, log, progress }, target);
  }
  out.info(driftText(result, fix, ACTION_VOCABULARY));
  const unresolvedOrErrors = counts.unresolved + counts.error + counts.cancelled > 0;
  let failure: string | undefined;
  if (fix && fix.record !== 'dry-run') {
    if (!applySucceeded(fix) || unresolvedOrErrors) failure = `${driftHeadline(result)} The fix did not repair everything: see the summary.`;
  } else if (!inSync(result)) {
    failure = `${driftHeadline(result)} Set "fix: true" to upload the repository's version, or change the repository to match.`;
  }
  return { result, fix, counts, ...(failure ? { failure } : {}) };
}

/** The `uploaded` and `failed` outputs of a fix (a dry run's would-uploads count as uploaded). */
function fixCounts(fix: NonNullable<Compared['fix']>): { uploaded: number; failed: number } {
  return {
    uploaded: fix.outcomes.filter((o) => o.status === 'uploaded' || o.status === 'would-upload').length,
    failed: fix.outcomes.filter((o) => o.status === 'failed').length,
  };
}

function validates(result: DriftResult): boolean {
  return !result.validation.findings.some((f) => f.severity === 'error');
}

/** Drift was not checked: the repository does not validate (the findings are annotated). */
async function failNotValidating(result: DriftResult): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(validationSummary(result.validation)).write();
  core.setFailed('The repository does not validate, so drift was not checked. Fix the findings (see the annotations) first.');
}

function driftRules(settings: ActionSettings) {
  return {
    mode: 'drift' as const,
    notOnPullRequests: "it reads the tenant with the app's credentials. Run it on a schedule (or workflow_dispatch) from the default branch; see docs/examples/workflows/drift.yml.",
    docs: 'docs/commands.md#drift',
    permissions: `    contents: read\n${settings.fix ? '(with fix: true, the job runs in the protected environment whose federated credential may write photos.)' : ''}`,
  };
}

/**
 * Drift for every declared target (issue 16): compared (and fixed) at once, each target's log in
 * one block and its own summary section, in the declared order; one target failing does not hide
 * the others' results. Outputs count every target; the `drift` JSON is Entra's (when declared)
 * with `targets[]` beside it.
 */
async function runTargetsDrift(settings: ActionSettings, declared: DeclaredTargets): Promise<void> {
  const openers = declaredTargetOpeners(settings, declared, driftRules(settings));
  const run = cancellation(settings, 'finishing in-flight requests, then reporting what was compared.');
  let runs: TargetRun<Compared>[];
  try {
    const ctx = await driftContext(settings, run.signal);
    runs = await runEachTarget(openers, ({ target, token }, out) => compareTarget(settings, ctx, target, token, out));
  } finally {
    run.dispose();
  }
  // Every target validates the same head: its findings are annotated once, and a repository that
  // does not validate is reported once, as with one target.
  const first = runs.find((r) => r.result)?.result;
  if (first) {
    annotate(first.result.validation.findings);
    if (!validates(first.result)) return failNotValidating(first.result);
  }
  const sections: string[] = [];
  const failures: string[] = [];
  const jsons: Record<string, unknown>[] = [];
  const totals = { 'in-sync': 0, different: 0, missing: 0, waiting: 0 };
  let fixes = { uploaded: 0, failed: 0, policy: false, any: false };
  for (const { name, result: compared, error } of runs) {
    const title = targetTitle(name);
    if (!compared) {
      sections.push(`## ❌ ${mdText(title)}: not compared\n\n${mdText(error ?? '')}\n`);
      failures.push(`${title}: ${error ?? ''}`);
      continue;
    }
    const { result, fix, counts, failure } = compared;
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
    jsons.push({ target: name, ...driftJson(result, fix) });
    if (fix) {
      const fixed = fixCounts(fix);
      fixes = {
        any: true,
        uploaded: fixes.uploaded + fixed.uploaded,
        failed: fixes.failed + fixed.failed,
        policy: fixes.policy || fix.policy.status === 'applied',
      };
    }
    sections.push(`## ${mdText(title)}\n\n${driftMarkdown(result, fix, repoLinks(settings))}`);
    if (failure) failures.push(`${title}: ${failure}`);
  }
  core.setOutput('in-sync', totals['in-sync']);
  core.setOutput('different', totals.different);
  core.setOutput('missing', totals.missing);
  core.setOutput('waiting', totals.waiting);
  const primary = jsons.find((j) => j.target === 'entra') ?? jsons[0];
  if (primary) {
    const { target: _target, ...top } = primary;
    core.setOutput('drift', JSON.stringify({ ...top, targets: jsons }));
  }
  if (fixes.any) {
    core.setOutput('uploaded', fixes.uploaded);
    core.setOutput('failed', fixes.failed);
    core.setOutput('policy-changed', fixes.policy);
  }
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(sections.join('\n')).write();
  if (failures.length) core.setFailed(failures.join('\n'));
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

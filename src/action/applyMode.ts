import * as core from '@actions/core';
import { actionProgress, logGroup, logInfo } from './log.js';
import { applyRevision, type ApplyResult } from '../apply/apply.js';
import { declaredTargets, type DeclaredTargets } from '../validate/declaredTargets.js';
import { printable } from '../core/untrusted.js';
import type { TargetName } from '../manifest/types.js';
import { mdText } from '../report/markdown.js';
import { TARGET_TITLES } from '../report/plan.js';
import type { TargetInput } from '../target/index.js';
import { googleSettingsProblems } from '../target/google/index.js';
import { environmentClaim } from '../core/oidcToken.js';
import { provenanceFromEnv } from '../apply/ledger.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { applyCounts, applyFailure, applyMarkdown, applySucceeded, applyText, waitingFor } from '../report/apply.js';
import { validationSummary } from '../report/validation.js';
import { defaultRemote } from '../repo/git.js';
import { annotate } from './annotate.js';
import type { ActionSettings } from './settings.js';
import { GOOGLE_INPUT_NAMES, cancellation, connectFromWorkflow, googleFromWorkflow, refusePullRequests, requireOidcToken } from './tenantJob.js';

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

function applyTo(settings: ActionSettings, environment: string, signal: AbortSignal, target: TargetInput, out: LogChannel = DIRECT_LOG): Promise<ApplyResult> {
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
        log: (line) => out.info(line),
        progress: { ...actionProgress(), group: out.group },
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
 * The manifests declare targets (issue 16): the targets are applied at once, each with its own
 * record, lease and pacing, and reported in its own log block and summary section in the declared
 * order; one target failing (or not signing in) does not hold the others back. Outputs count every target; applied-revision and policy-changed are
 * Entra's when Entra is declared.
 */
async function runTargetsApply(settings: ActionSettings, declared: DeclaredTargets): Promise<void> {
  refusePullRequests(settings, ENTRA_RULES);
  requireOidcToken(ENTRA_RULES);
  // Each target is opened before anything runs, so a missing input is said before any write.
  const opened: { name: TargetName; open?: () => { target: TargetInput; token: () => Promise<string> }; problem?: string }[] = declared.names.map((name) => {
    if (name === 'entra') {
      return { name, open: () => { const { tenant, getAssertion } = connectFromWorkflow(settings, ENTRA_RULES); return { target: tenant, token: getAssertion }; } };
    }
    const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
    if (problems.length) return { name, problem: `${declared.at} declares targets: [${declared.names.join(', ')}], but Google Workspace cannot be reached: ${problems.join(' ')}` };
    return { name, open: () => googleFromWorkflow(settings) };
  });
  const run = cancellation(settings, 'finishing in-flight requests, recording progress, then stopping. The next run continues from here.');
  // The targets run at once (each its own record, lease and pacing), so the whole run takes about
  // as long as the slowest target. The log stays grouped per target, in the declared order: the
  // first unfinished target prints as it goes, the others are held and printed when their turn comes.
  const log = new OrderedLog(opened.length);
  let results: { name: TargetName; result?: ApplyResult; error?: string }[];
  try {
    results = await Promise.all(
      opened.map(async (entry, index) => {
        const out = log.channel(index);
        const title = TARGET_TITLES[entry.name] ?? entry.name;
        out.info(`== ${title} (${entry.name}) ==`);
        try {
          if (!entry.open) {
            out.info(entry.problem ?? 'not configured');
            return { name: entry.name, error: entry.problem ?? 'not configured' };
          }
          try {
            const { target, token } = entry.open();
            const environment = settings.environment || environmentClaim(await token()) || 'default';
            const result = await applyTo(settings, environment, run.signal, target, out);
            out.info(applyText(result));
            return { name: entry.name, result };
          } catch (err) {
            // One target failing to start (sign-in refused, no lease) does not hold the others back.
            const message = printable(err instanceof Error ? err.message : String(err));
            out.info(`${title}: ${message}`);
            return { name: entry.name, error: message };
          }
        } finally {
          out.close();
        }
      }),
    );
  } finally {
    run.dispose();
  }
  // Annotations in the declared order; the manifests' findings once (every target validates the same head).
  let annotatedFindings = false;
  for (const { name, result } of results) {
    if (!result) continue;
    annotateResult(result, TARGET_TITLES[name] ?? name, !annotatedFindings);
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

/** Where one apply prints: its plain lines and its progress group. */
interface LogChannel {
  info(text: string): void;
  group: { start(title: string): void; end(): void };
}

const DIRECT_LOG: LogChannel = {
  info: (text) => logInfo(text),
  group: logGroup,
};

type LogEntry = { kind: 'info' | 'start'; text: string } | { kind: 'end' };

/**
 * The log of runs that go at once, printed as if they had run one after the other: channel i
 * prints live while every channel before it has closed; until then its lines (and its progress
 * group) are held, and printed in one block when its turn comes.
 */
export class OrderedLog {
  readonly #held: LogEntry[][];
  readonly #closed: boolean[];
  #head = 0;

  constructor(count: number, private readonly sink: (entry: LogEntry) => void = printEntry) {
    this.#held = Array.from({ length: count }, () => []);
    this.#closed = Array.from({ length: count }, () => false);
  }

  channel(index: number): LogChannel & { close(): void } {
    const write = (entry: LogEntry): void => {
      if (this.#closed[index]) return;
      if (index === this.#head) this.sink(entry);
      else this.#held[index]!.push(entry);
    };
    return {
      info: (text) => write({ kind: 'info', text }),
      group: { start: (title) => write({ kind: 'start', text: title }), end: () => write({ kind: 'end' }) },
      close: () => {
        if (this.#closed[index]) return;
        this.#closed[index] = true;
        while (this.#head < this.#held.length && this.#closed[this.#head]) {
          this.#head++;
          if (this.#head < this.#held.length) {
            for (const entry of this.#held[this.#head]!.splice(0)) this.sink(entry);
          }
        }
      },
    };
  }
}

function printEntry(entry: LogEntry): void {
  if (entry.kind === 'info') logInfo(entry.text);
  else if (entry.kind === 'start') logGroup.start(entry.text);
  else logGroup.end();
}

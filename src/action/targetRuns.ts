/**
 * The declared targets (issue 16) run at once, apply and drift alike: each opened from the action
 * inputs, run with its own log channel, its lines printed as one block per target in the declared
 * order (OrderedLog). One target failing to open or run does not hold the others back.
 */
import { printable } from '../core/untrusted.js';
import type { TargetName } from '../manifest/types.js';
import { targetTitle } from '../report/plan.js';
import { googleSettingsProblems } from '../target/google/index.js';
import type { TargetInput } from '../target/index.js';
import type { DeclaredTargets } from '../validate/declaredTargets.js';
import { OrderedLog, type LogChannel } from './log.js';
import type { ActionSettings } from './settings.js';
import { GOOGLE_INPUT_NAMES, connectFromWorkflow, googleFromWorkflow, refusePullRequests, requireOidcToken, type TenantJobRules } from './tenantJob.js';

/** A target signed in, and the GitHub OIDC token its sign-in uses (its claims name the environment). */
export interface OpenedTarget {
  target: TargetInput;
  token: () => Promise<string>;
}

/** A declared target: how to open it, or why it cannot be (a google-* input missing). */
export interface TargetOpener {
  name: TargetName;
  open?: () => OpenedTarget;
  problem?: string;
}

/**
 * How each declared target is opened. The job is checked first (never on pull requests, allowed
 * an OIDC token), and the inputs now, so a missing one is said before any run.
 */
export function declaredTargetOpeners(settings: ActionSettings, declared: DeclaredTargets, rules: TenantJobRules): TargetOpener[] {
  refusePullRequests(settings, rules);
  requireOidcToken(rules);
  return declared.names.map((name) => {
    if (name === 'entra') {
      return {
        name,
        open: () => {
          const { tenant, getAssertion } = connectFromWorkflow(settings, rules);
          return { target: tenant, token: getAssertion };
        },
      };
    }
    const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
    if (problems.length) return { name, problem: `${declared.at} declares targets: [${declared.names.join(', ')}], but Google Workspace cannot be reached: ${problems.join(' ')}` };
    return { name, open: () => googleFromWorkflow(settings) };
  });
}

/** One target's run: its result, or why it did not run (printable). */
export interface TargetRun<R> {
  name: TargetName;
  result?: R;
  error?: string;
}

/**
 * Runs `run` for every target at once, so the whole takes about as long as the slowest target.
 * Each target's log opens with `== Title (name) ==`; the first unfinished target prints as it
 * goes, the others are held and printed when their turn comes. Results come in the declared order.
 */
export function runEachTarget<R>(openers: TargetOpener[], run: (opened: OpenedTarget, out: LogChannel) => Promise<R>): Promise<TargetRun<R>[]> {
  const log = new OrderedLog(openers.length);
  return Promise.all(
    openers.map(async (entry, index): Promise<TargetRun<R>> => {
      const out = log.channel(index);
      const title = targetTitle(entry.name);
      out.info(`== ${title} (${entry.name}) ==`);
      try {
        if (!entry.open) {
          out.info(entry.problem ?? 'not configured');
          return { name: entry.name, error: entry.problem ?? 'not configured' };
        }
        try {
          return { name: entry.name, result: await run(entry.open(), out) };
        } catch (err) {
          // One target failing (sign-in refused, no lease) does not hold the others back.
          const message = printable(err instanceof Error ? err.message : String(err));
          out.info(`${title}: ${message}`);
          return { name: entry.name, error: message };
        }
      } finally {
        out.close();
      }
    }),
  );
}

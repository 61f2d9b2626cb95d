/**
 * What every mode that talks to the tenant (apply, drift) does first and last: refuse
 * pull-request events, check the inputs and the OIDC permission, connect with a GitHub OIDC
 * token, and turn SIGTERM or the time budget into an abort signal.
 */
import * as core from '@actions/core';
import { cachedAssertion } from '../core/oidcToken.js';
import { UserError } from '../core/errors.js';
import { describeNetworkFailure, isNetworkFailure } from '../core/network.js';
import { openTenant, type TenantClient } from '../target/entra/index.js';
import { googleGithubAudience, openGoogle, type GoogleTarget } from '../target/google/index.js';
import type { ActionSettings } from './settings.js';

export const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

export interface TenantJobRules {
  mode: 'apply' | 'drift' | 'export';
  /** Why the mode never runs on pull requests, and where it does run. */
  notOnPullRequests: string;
  /** Where the inputs are explained. */
  docs: string;
  /** The `permissions:` lines (after id-token) and a note for the job. */
  permissions: string;
}

export function connectFromWorkflow(settings: ActionSettings, rules: TenantJobRules): { tenant: TenantClient; getAssertion: () => Promise<string> } {
  refusePullRequests(settings, rules);
  if (!settings.tenant.tenantId || !settings.tenant.clientId) {
    throw new UserError('config', `mode "${rules.mode}" needs the inputs tenant-id and client-id (the app registration that has a federated credential for this repository). See ${rules.docs}.`);
  }
  requireOidcToken(rules);
  // One GitHub OIDC token serves the environment claim and the sign-in (see cachedAssertion).
  const getAssertion = cachedAssertion(() => githubIdToken(settings.audience));
  return { tenant: openTenant(settings.tenant, getAssertion), getAssertion };
}

/** A mode that signs in with the app's credentials never runs on pull-request events. */
export function refusePullRequests(settings: ActionSettings, rules: TenantJobRules): void {
  if (PULL_REQUEST_EVENTS.has(settings.eventName)) {
    throw new UserError('guard', `mode "${rules.mode}" never runs on ${settings.eventName} events: ${rules.notOnPullRequests}`);
  }
}

/** The job must be allowed to request a GitHub OIDC token (permissions: id-token: write). */
export function requireOidcToken(rules: TenantJobRules): void {
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new UserError('auth', `The job cannot request a GitHub OIDC token. Add to the workflow job:\n  permissions:\n    id-token: write\n${rules.permissions}`);
  }
}

/** The job's GitHub OIDC token for `audience`; a failure says what to check. */
async function githubIdToken(audience: string): Promise<string> {
  try {
    return await core.getIDToken(audience);
  } catch (err) {
    // @actions/core keeps only the socket's message ("unable to verify the first certificate"):
    // a connection failure is told as one (host, code, what to check), not as a permission.
    if (isNetworkFailure(err)) throw new UserError('auth', describeNetworkFailure('the GitHub OIDC token service', process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '', err));
    throw new UserError('auth', `Could not get a GitHub OIDC token (${(err as Error).message}). The job needs "permissions: id-token: write".`);
  }
}

/** How the action spells the Google settings in a problem (googleSettingsProblems). */
export const GOOGLE_INPUT_NAMES = { provider: 'Input "google-workload-identity-provider"', serviceAccount: 'Input "google-service-account"', adminSubject: 'Input "google-admin-subject"', endpoint: 'Input "google-endpoint"' };

/**
 * Google Workspace signed in with the job's GitHub OIDC tokens; `token` is the one Google's STS
 * exchanges (audience: the workload identity provider), whose claims name the environment.
 */
export function googleFromWorkflow(settings: ActionSettings): { target: GoogleTarget; token: () => Promise<string> } {
  // One GitHub OIDC token for Google's audience, shared by the sign-in and the caller's
  // environment claim (as Entra's assertion is), not one request each.
  const audience = googleGithubAudience(settings.google.workloadIdentityProvider);
  const token = cachedAssertion(() => githubIdToken(audience));
  const target = openGoogle(settings.google, (asked) => (asked === audience ? token() : githubIdToken(asked)));
  return { target, token };
}

/**
 * A cancelled job gets SIGTERM; hosted jobs end at 6 h. Either way the returned signal aborts:
 * nothing new starts, in-flight requests finish, the mode reports. `then` says what happens next.
 */
export function cancellation(settings: ActionSettings, then: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (why: string) => () => {
    if (!controller.signal.aborted) {
      core.warning(`${why}: ${then}`);
      controller.abort(new Error(why));
    }
  };
  const onTerm = stop('Cancelled (SIGTERM)');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onTerm);
  const budget = setTimeout(stop(`Time budget of ${settings.timeBudgetMinutes} minutes reached`), settings.timeBudgetMinutes * 60_000);
  budget.unref();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(budget);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onTerm);
    },
  };
}

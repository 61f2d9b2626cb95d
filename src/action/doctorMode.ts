/**
 * `mode: doctor`: the setup checks of `entra-photos doctor` (src/doctor/doctor.ts) in a workflow,
 * signed in as the app by the job's GitHub OIDC token. Reads only; the step fails with the
 * numbered list of problems when the setup is not ready. Runs on any event except pull requests
 * (the app's credentials never reach pull-request jobs).
 */
import * as core from '@actions/core';
import { openTenant } from '../target/entra/index.js';
import { googleSettingsProblems, openGoogle } from '../target/google/index.js';
import type { PhotoTarget } from '../target/port.js';
import { UserError } from '../core/errors.js';
import { ACTION_VOCABULARY } from '../core/vocabulary.js';
import { diagnose, doctorText } from '../doctor/doctor.js';
import { githubOidcFromEnv } from '../target/entra/index.js';
import { logInfo } from './log.js';
import type { ActionSettings } from './settings.js';
import { GOOGLE_INPUT_NAMES, PULL_REQUEST_EVENTS } from './tenantJob.js';

export async function runDoctor(settings: ActionSettings, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (PULL_REQUEST_EVENTS.has(settings.eventName)) {
    throw new UserError('guard', `mode "doctor" never runs on ${settings.eventName} events: it signs in with the app's credentials. Run it with workflow_dispatch (or on a schedule) from the default branch.`);
  }
  if (!settings.tenant.tenantId || !settings.tenant.clientId) {
    throw new UserError('config', 'mode "doctor" needs the inputs tenant-id and client-id (the app registration that has a federated credential for this repository). See docs/commands.md#doctor.');
  }
  // The token is requested when first needed: doctor reports a job without id-token: write as a problem.
  const tenant = openTenant(settings.tenant, () => githubOidcFromEnv(env, settings.audience)());
  const google = (): PhotoTarget => {
    const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
    if (problems.length) throw new UserError('config', problems.join(' '));
    return openGoogle(settings.google, (audience) => githubOidcFromEnv(env, audience)());
  };
  const report = await diagnose({ repo: settings.repoPath, tenant, env, words: ACTION_VOCABULARY, githubOidc: { audience: settings.audience }, google });
  logInfo(doctorText(report));
  core.setOutput('problems', report.problems.length);
  if (report.problems.length > 0) core.setFailed(`doctor found ${report.problems.length} problem(s); fix them in this order:\n${report.problems.map((p, i) => `${i + 1}. ${p}`).join('\n')}`);
}

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { P as PULL_REQUEST_EVENTS, l as logInfo, s as setOutput, a as setFailed, G as GOOGLE_INPUT_NAMES } from './shared23.js';
import { U as UserError } from './shared6.js';
import { o as openTenant, d as googleSettingsProblems, e as openGoogle, g as githubOidcFromEnv } from './shared2.js';
import 'node:os';
import { A as ACTION_VOCABULARY } from './shared14.js';
import { a as diagnose, d as doctorText } from './shared22.js';
import './shared4.js';
import 'os';
import 'crypto';
import 'fs';
import 'path';
import 'http';
import 'https';
import 'net';
import 'tls';
import 'events';
import 'assert';
import 'util';
import 'node:assert';
import 'node:net';
import 'node:http';
import 'node:stream';
import 'node:buffer';
import 'node:util';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import 'node:tls';
import 'node:zlib';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'string_decoder';
import 'child_process';
import 'timers';
import './shared.js';
import 'sharp';
import 'node:crypto';
import 'process';
import 'buffer';
import './shared5.js';
import './shared7.js';
import 'stream';
import 'node:process';
import 'tty';
import 'url';
import 'node:https';
import 'node:fs';
import 'node:path';
import 'node:fs/promises';
import './shared13.js';
import './shared10.js';
import './shared21.js';

/**
 * `mode: doctor`: the setup checks of `entra-photos doctor` (src/doctor/doctor.ts) in a workflow,
 * signed in as the app by the job's GitHub OIDC token. Reads only; the step fails with the
 * numbered list of problems when the setup is not ready. Runs on any event except pull requests
 * (the app's credentials never reach pull-request jobs).
 */
async function runDoctor(settings, env = process.env) {
    if (PULL_REQUEST_EVENTS.has(settings.eventName)) {
        throw new UserError('guard', `mode "doctor" never runs on ${settings.eventName} events: it signs in with the app's credentials. Run it with workflow_dispatch (or on a schedule) from the default branch.`);
    }
    if (!settings.tenant.tenantId || !settings.tenant.clientId) {
        throw new UserError('config', 'mode "doctor" needs the inputs tenant-id and client-id (the app registration that has a federated credential for this repository). See docs/commands.md#doctor.');
    }
    // The token is requested when first needed: doctor reports a job without id-token: write as a problem.
    const tenant = openTenant(settings.tenant, () => githubOidcFromEnv(env, settings.audience)());
    const google = () => {
        const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
        if (problems.length)
            throw new UserError('config', problems.join(' '));
        return openGoogle(settings.google, (audience) => githubOidcFromEnv(env, audience)());
    };
    const report = await diagnose({ repo: settings.repoPath, tenant, env, words: ACTION_VOCABULARY, githubOidc: { audience: settings.audience }, google });
    logInfo(doctorText(report));
    setOutput('problems', report.problems.length);
    if (report.problems.length > 0)
        setFailed(`doctor found ${report.problems.length} problem(s); fix them in this order:\n${report.problems.map((p, i) => `${i + 1}. ${p}`).join('\n')}`);
}

export { runDoctor };

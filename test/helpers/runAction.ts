/**
 * Runs a built action (dist/index.js) the way the GitHub runner does: a fresh Node process with
 * INPUT_* variables, an event payload file, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { git, REPO_ROOT } from './repo.js';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface ActionRunOptions {
  actionDir: string;
  workspace: string;
  inputs?: Record<string, string>;
  eventName: string;
  event: unknown;
  env?: Record<string, string>;
  /** Called once the process runs (e.g. to signal it mid-run). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const runnerTemp = await mkdtemp(path.join(tmpdir(), 'runner-temp-'));
  const eventPath = path.join(runnerTemp, 'event.json');
  const outputPath = path.join(runnerTemp, 'output.txt');
  const summaryPath = path.join(runnerTemp, 'summary.md');
  await writeFile(eventPath, JSON.stringify(options.event));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runnerTemp,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: 'contoso/photos',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: runnerTemp,
    ...options.env,
  };
  Object.assign(env, inputEnv(options.inputs ?? {}));
  const child = spawn(process.execPath, [path.join(options.actionDir, 'dist', 'index.js')], { cwd: options.workspace, env });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr, outputs: parseOutputs(await readFile(outputPath, 'utf8')), summary: await readFile(summaryPath, 'utf8') };
}

/** Inputs as the runner passes them: INPUT_<NAME> upper-cased, dashes kept. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));
}

/**
 * The action's inputs that point it at the emulator (tenant, app, authority and Graph; with
 * `google`, the Google workload identity and endpoint too), less the names in `omit`, so a test
 * can take one away to see the step say it is empty.
 */
export function emulatorInputs(emulator: RunningEmulator, options: { google?: boolean; omit?: readonly string[] } = {}): Record<string, string> {
  const inputs: Record<string, string> = {
    'tenant-id': emulator.tenantId,
    'client-id': emulator.clientId,
    'authority-host': emulator.authorityHost,
    'graph-url': emulator.graphUrl,
    ...(options.google
      ? {
          'google-workload-identity-provider': emulator.google.workloadIdentityProvider,
          'google-service-account': emulator.google.serviceAccount,
          'google-endpoint': emulator.google.endpoint,
        }
      : {}),
  };
  for (const name of options.omit ?? []) delete inputs[name];
  return inputs;
}

/**
 * What the runner gives a job with `id-token: write` against the emulator: its CA to trust and the
 * GitHub OIDC token request. Nothing else of emulator.env: the action must get the rest from inputs.
 */
export function emulatorRunnerEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    ACTIONS_ID_TOKEN_REQUEST_URL: emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
}

/**
 * The action on a nightly schedule (no mode input: drift is what a schedule runs) in `workspace`
 * at its HEAD, signed in to the emulator as a job with `id-token: write` is.
 */
export function runScheduledAction(emulator: RunningEmulator, workspace: string): Promise<ActionRun> {
  return runAction({
    actionDir: REPO_ROOT,
    workspace,
    eventName: 'schedule',
    event: { repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: emulatorInputs(emulator),
    env: { GITHUB_SHA: git(workspace, 'rev-parse', 'HEAD'), ...emulatorRunnerEnv(emulator) },
  });
}

/** Parses the GITHUB_OUTPUT file format (`name<<DELIMITER` … `DELIMITER`). */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]!.match(/^([^<=]+)<<(.+)$/);
    if (m) {
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]!);
      outputs[m[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [k, ...v] = lines[i]!.split('=');
      outputs[k!] = v.join('=');
    }
  }
  return outputs;
}

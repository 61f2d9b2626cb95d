/** Runs the built CLI (dist/cli.js) as a child process, the way an admin runs it. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { REPO_ROOT } from './repo.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

/** `entra-photos drift --format json` on `repo`, with the report parsed (undefined when it printed none). */
export async function runDriftJson(repo: string, env: Record<string, string>, args: string[] = []): Promise<CliRun & { json: any }> {
  const run = await runCli(['drift', '--repo', repo, '--format', 'json', ...args], env);
  return { ...run, json: run.stdout ? JSON.parse(run.stdout) : undefined };
}

/** The emulator's settings without a GitHub OIDC token service: a laptop, not a workflow job. */
export function laptopEnv(emulator: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  const { ACTIONS_ID_TOKEN_REQUEST_URL: _url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _token, ...rest } = emulator.env;
  return { ...rest, ...extra };
}

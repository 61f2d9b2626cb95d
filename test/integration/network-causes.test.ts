/**
 * A connection that fails says why, through the built CLI against the real emulator: a stopped
 * emulator names the host and ECONNREFUSED, an emulator whose CA is not trusted names the TLS
 * code and NODE_EXTRA_CA_CERTS, and the same for Entra ID and Graph each on their own (never the
 * bare "fetch failed").
 */
import { copyFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { copySample, git, initGitRepo, REPO_ROOT, tempDir } from '../helpers/repo.js';
import { emulatorInputs, runAction } from '../helpers/runAction.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;
let env: Record<string, string>;

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The built action, drift mode on a schedule, with the emulator's settings as inputs. */
const actionDrift = (extraEnv: Record<string, string | undefined>) =>
  runAction({
    actionDir: REPO_ROOT,
    workspace: repo,
    eventName: 'schedule',
    event: { repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } },
    inputs: emulatorInputs(emulator),
    env: Object.fromEntries(
      Object.entries({
        GITHUB_SHA: git(repo, 'rev-parse', 'HEAD'),
        ACTIONS_ID_TOKEN_REQUEST_URL: env['ACTIONS_ID_TOKEN_REQUEST_URL'],
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
        ...extraEnv,
      }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  });

const commands = (...extra: string[]) => [
  ['apply', '--repo', repo, '--remote', 'none', ...extra],
  ['drift', '--repo', repo, ...extra],
];

beforeAll(async () => {
  scratch = await tempDir('entra-photos-network-');
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  initGitRepo(repo);
  emulator = await startEmulator({});
  env = { ...(emulator.env as unknown as Record<string, string>) };
  // Keep the CA after the emulator stops (it deletes its own copy), so only the socket fails.
  const ca = path.join(scratch.dir, 'ca.pem');
  await copyFile(env['NODE_EXTRA_CA_CERTS']!, ca);
  env['NODE_EXTRA_CA_CERTS'] = ca;
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('network and TLS failures name their cause', () => {
  it('an emulator whose CA is not trusted: the TLS code and NODE_EXTRA_CA_CERTS', async () => {
    const untrusted = { ...env };
    delete untrusted['NODE_EXTRA_CA_CERTS'];
    const host = new URL(env['ENTRA_PHOTOS_GRAPH_URL']!).host;
    for (const args of commands()) {
      const run = await runCli(args, untrusted);
      expect(run.code, args[0]).not.toBe(0);
      expect(run.stderr, args[0]).toContain(host);
      expect(run.stderr, args[0]).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
      expect(run.stderr, args[0]).toContain('NODE_EXTRA_CA_CERTS');
      expect(run.stderr, args[0]).not.toMatch(/: fetch failed\s*$/m);
    }
    const action = await actionDrift({});
    expect(action.code).toBe(1);
    expect(action.stdout).toMatch(/^::error::.*(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT).*NODE_EXTRA_CA_CERTS/m);
  }, 60_000);

  it('Entra ID unreachable (OIDC fine): names Entra ID, its host and ECONNREFUSED', async () => {
    const authority = `https://127.0.0.1:${await closedPort()}`;
    const run = await runCli(commands()[0]!, { ...env, ENTRA_PHOTOS_AUTHORITY_HOST: authority });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Entra ID/);
    expect(run.stderr).toContain(new URL(authority).host);
    expect(run.stderr).toContain('ECONNREFUSED');
  }, 60_000);

  it('a stopped emulator: the host, ECONNREFUSED and what to check', async () => {
    const host = new URL(env['ENTRA_PHOTOS_GRAPH_URL']!).host;
    await emulator.stop();
    for (const args of commands()) {
      const run = await runCli(args, env);
      expect(run.code, args[0]).not.toBe(0);
      expect(run.stderr, args[0]).toContain(host);
      expect(run.stderr, args[0]).toContain('ECONNREFUSED');
      expect(run.stderr, args[0]).toMatch(/running/);
      expect(run.stderr, args[0]).not.toMatch(/: fetch failed\s*$/m);
    }
    const action = await actionDrift({ NODE_EXTRA_CA_CERTS: env['NODE_EXTRA_CA_CERTS'] });
    expect(action.code).toBe(1);
    expect(action.stdout).toMatch(new RegExp(`^::error::.*${host.replace(/\./g, '\\.')}.*ECONNREFUSED.*running`, 'm'));
  }, 60_000);
});

// `entra-photos emulator`: runs the local tenant until SIGINT/SIGTERM. The first line on
// stdout is one JSON object (URLs, ids, CA path, and the env a client or the action needs),
// so a script can start it in the background and read how to reach it.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';
import type { EmulatorOptions, EmulatorUserSeed, WorkflowContext } from './options.js';
import { DEFAULT_REPOSITORY } from './options.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

export const EMULATOR_USAGE = `Usage: entra-photos emulator [options]

Runs a local tenant (Microsoft Graph, Entra ID, GitHub OIDC, Google) on https://127.0.0.1 until
interrupted. Prints one JSON line first: graphUrl, authorityHost, tenantId, clientId,
caCertPath, adminUrl, env (NODE_EXTRA_CA_CERTS, ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN,
ENTRA_PHOTOS_*) and google (endpoint, workloadIdentityProvider, serviceAccount, customerId).

Options:
  --port N                  Port on 127.0.0.1 (default: a free one)
  --users FILE              JSON array of users ({ userPrincipalName, mail, employeeId,
                            displayName, id? }) replacing the sample contoso.edu directory
  --latency MS[:SPREAD]     Added latency per Graph request, median and +/- spread in ms
  --throttle BURST:RATE     Token bucket per app+tenant for writes (default 3000:20); "off"
  --throttle-all            Throttle reads as well as writes
  --no-count-rejected       Rejected requests do not use up quota (Graph's do)
  --max-concurrent N        429 beyond N concurrent Graph requests (default: no cap)
  --permissions A,B         Graph application permissions of the app
  --directory-roles ID,ID   Directory role template ids held by the app's service principal
  --oidc push|pull_request  Workflow context of the default OIDC request token (default push)
  --environment NAME        GitHub environment of that context (default production for push;
                            "none" for no environment)
  --repository OWNER/REPO   Repository of that context (default ${DEFAULT_REPOSITORY})
  --tenant-id GUID          Tenant id
  --client-id GUID          App (client) id
  --state-dir DIR           Keep the CA here and reuse it across runs (default: temp dir)
  --seed N                  Seed for latency jitter and probabilistic faults
  -h, --help                Show this help
`;

class UsageError extends Error {}

function positiveNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`${name} must be a non-negative number, got "${text}".`);
  return value;
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((item) => item.trim()).filter(Boolean);
}

async function readUsers(path: string): Promise<EmulatorUserSeed[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`Cannot read users from ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const users = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown })?.users;
  if (!Array.isArray(users) || !users.every((user) => typeof user?.userPrincipalName === 'string')) {
    throw new UsageError(`${path} must hold a JSON array of users, each with a userPrincipalName.`);
  }
  return users as EmulatorUserSeed[];
}

/** Turns argv into startEmulator options; throws UsageError on bad input. */
export async function parseEmulatorArgs(argv: string[]): Promise<EmulatorOptions | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        users: { type: 'string' },
        latency: { type: 'string' },
        throttle: { type: 'string' },
        'throttle-all': { type: 'boolean' },
        'no-count-rejected': { type: 'boolean' },
        'max-concurrent': { type: 'string' },
        permissions: { type: 'string' },
        'directory-roles': { type: 'string' },
        oidc: { type: 'string' },
        environment: { type: 'string' },
        repository: { type: 'string' },
        'tenant-id': { type: 'string' },
        'client-id': { type: 'string' },
        'state-dir': { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';

  const options: EmulatorOptions = {};
  if (values.port !== undefined) {
    const port = positiveNumber(values.port, '--port');
    if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be an integer 0..65535, got "${values.port}".`);
    options.port = port;
  }
  if (values.users !== undefined) options.users = await readUsers(values.users);
  if (values.latency !== undefined) {
    const [median = '', spread = '0'] = values.latency.split(':');
    options.latency = { medianMs: positiveNumber(median, '--latency'), spreadMs: positiveNumber(spread, '--latency spread') };
  }
  if (values.throttle === 'off') {
    options.throttle = false;
  } else {
    const throttle: NonNullable<Exclude<EmulatorOptions['throttle'], false>> = {};
    if (values.throttle !== undefined) {
      const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(values.throttle);
      if (!match) throw new UsageError(`--throttle must be BURST:RATE (e.g. 3000:20) or "off", got "${values.throttle}".`);
      throttle.burst = Number(match[1]);
      throttle.refillPerSecond = Number(match[2]);
      if (throttle.burst < 1) throw new UsageError('--throttle burst must be at least 1.');
    }
    if (values['throttle-all']) throttle.appliesTo = 'all';
    if (values['no-count-rejected']) throttle.countRejected = false;
    if (values['max-concurrent'] !== undefined) throttle.maxConcurrent = Math.floor(positiveNumber(values['max-concurrent'], '--max-concurrent'));
    options.throttle = throttle;
  }
  const permissions = list(values.permissions);
  if (permissions) options.appPermissions = permissions;
  const roles = list(values['directory-roles']);
  if (roles) options.directoryRoles = roles;
  if (values.oidc !== undefined || values.environment !== undefined || values.repository !== undefined) {
    const kind = values.oidc ?? 'push';
    if (kind !== 'push' && kind !== 'pull_request') throw new UsageError(`--oidc must be push or pull_request, got "${kind}".`);
    const environment = values.environment ?? (kind === 'push' ? 'production' : 'none');
    const repository = values.repository ?? DEFAULT_REPOSITORY;
    const context: WorkflowContext = environment === 'none' ? { kind, repository } : { kind, repository, environment };
    options.oidc = context;
  }
  if (values['tenant-id'] !== undefined) options.tenantId = values['tenant-id'];
  if (values['client-id'] !== undefined) options.clientId = values['client-id'];
  if (values['state-dir'] !== undefined) options.stateDir = values['state-dir'];
  if (values.seed !== undefined) options.seed = positiveNumber(values.seed, '--seed');
  return options;
}

export interface EmulatorCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Stops the emulator when aborted (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
}

export async function runEmulatorCommand(argv: string[], io: EmulatorCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let options: EmulatorOptions | 'help';
  try {
    options = await parseEmulatorArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`entra-photos emulator: ${error.message}\n\n${EMULATOR_USAGE}`);
    return EXIT_USAGE;
  }
  if (options === 'help') {
    stdout.write(EMULATOR_USAGE);
    return EXIT_OK;
  }

  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    stderr.write(`entra-photos emulator: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
  const { url, graphUrl, authorityHost, tenantId, clientId, servicePrincipalId, oidcIssuer, caCertPath, adminUrl, env } = emulator;
  const { endpoint, workloadIdentityProvider, serviceAccount, customerId } = emulator.google;
  const google = { endpoint, workloadIdentityProvider, serviceAccount, customerId };
  stdout.write(`${JSON.stringify({ url, graphUrl, authorityHost, tenantId, clientId, servicePrincipalId, oidcIssuer, caCertPath, adminUrl, env, google })}\n`);
  stderr.write(`entra-photos emulator: serving ${url} (admin ${adminUrl}); Ctrl-C to stop\n`);

  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      io.signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (io.signal?.aborted) done();
    else io.signal?.addEventListener('abort', done, { once: true });
  });
  await emulator.stop();
  return EXIT_OK;
}

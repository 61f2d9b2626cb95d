// Shared pieces of the apply benchmarks and reliability scripts. Everything runs the committed
// build (dist/cli.js) in child processes, as an admin or the runner would, against the local
// tenant emulator (also dist/cli.js, in its own process) on 127.0.0.1 only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import readline from 'node:readline';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The build under test: the committed dist/, or a copy of it (ENTRA_PHOTOS_DIST=DIR) so that a rebuild during a long run cannot change it. */
export const CLI = path.join(process.env.ENTRA_PHOTOS_DIST ? path.resolve(process.env.ENTRA_PHOTOS_DIST) : path.join(ROOT, 'dist'), 'cli.js');
export const NODE = process.execPath;

/** Children started here (emulators, applies): stopped if the bench itself is stopped. */
const children = new Set();
const track = (child) => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};
const stopChildren = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.once('exit', stopChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopChildren();
    process.exit(130);
  });
}

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', GIT_CONFIG_NOSYSTEM: '1' };
export const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString().trim();

export const userId = (i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
export const upn = (i) => `u${i}@bench.contoso.edu`;
export const users = (n) => Array.from({ length: n }, (_, i) => ({ id: userId(i), userPrincipalName: upn(i), displayName: `User ${i}` }));

/**
 * A photos repository with one user per photo: manifests/users.yaml keyed by UPN and
 * photos/p<i>.jpg from `photoOf(i)`. Returns the head sha.
 */
export function writeRepo(dir, n, photoOf, { commit = true, message = 'roster', header = [] } = {}) {
  mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  mkdirSync(path.join(dir, 'photos'), { recursive: true });
  const lines = ['version: 1', ...header, 'users:'];
  for (let i = 0; i < n; i++) {
    writeFileSync(path.join(dir, 'photos', `p${i}.jpg`), photoOf(i));
    lines.push(`  - user: ${upn(i)}`, `    photo: p${i}.jpg`);
  }
  writeFileSync(path.join(dir, 'manifests', 'users.yaml'), lines.join('\n') + '\n');
  if (!commit) return undefined;
  try {
    git(dir, 'rev-parse', '--git-dir');
  } catch {
    git(dir, 'init', '-q', '-b', 'main');
    // Photos are already compressed: do not spend the bench's time deflating them again.
    git(dir, 'config', 'core.compression', '0');
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Minimal HTTPS JSON client trusting the emulator's CA (the admin API and raw Graph calls). */
export class HttpsClient {
  constructor(origin, caPem, { maxSockets = 64 } = {}) {
    this.origin = new URL(origin);
    this.ca = caPem;
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: caPem });
  }

  request(method, pathAndQuery, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: this.origin.hostname, port: this.origin.port, method, path: pathAndQuery, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) }, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body) req.end(body);
      else req.end();
    });
  }

  async json(method, pathAndQuery, payload) {
    const r = await this.request(method, pathAndQuery, payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    if (r.status >= 400) throw new Error(`${method} ${pathAndQuery} → ${r.status} ${r.body.toString().slice(0, 300)}`);
    return r.body.length ? JSON.parse(r.body.toString()) : undefined;
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * Starts `entra-photos emulator` as a child process. `throttle` is "BURST:RATE" or "off",
 * `latency` "MEDIAN:SPREAD". Returns its JSON line, an admin client and stop().
 */
export async function startEmulator({ users: seed, throttle = 'off', latency, seed: prng = 1, scratch, extra = [] }) {
  const usersFile = path.join(scratch, `users-${process.hrtime.bigint()}.json`);
  writeFileSync(usersFile, JSON.stringify(seed));
  const args = [CLI, 'emulator', '--users', usersFile, '--throttle', throttle, '--seed', String(prng), ...(latency ? ['--latency', latency] : []), ...extra];
  const child = track(spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const line = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before it was ready: ${stderr}`)));
  });
  child.stdout.resume();
  const info = JSON.parse(line);
  const caPem = readFileSync(info.caCertPath, 'utf8');
  const http = new HttpsClient(info.url, caPem);
  const admin = {
    state: () => http.json('GET', '/_emulator/state'),
    requests: async (since = 0) => (await http.json('GET', `/_emulator/requests?since=${since}`)).requests,
    clearRequests: () => http.request('DELETE', '/_emulator/requests'),
    setConfig: (patch) => http.json('POST', '/_emulator/config', patch),
    reset: () => http.request('POST', '/_emulator/reset'),
  };
  const stop = async () => {
    http.close();
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { info, env: info.env, caPem, admin, http, stop, pid: child.pid };
}

/** VmHWM / VmRSS of a live process in MB (Linux), undefined once it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
    return { hwmMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a live process has used so far (Linux), undefined once it is gone. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/**
 * Runs `entra-photos apply` as a child process with the emulator's environment, sampling its
 * peak RSS (VmHWM) until it exits. `onSpawn(child)` lets a caller kill it.
 */
export function runApply({ repo, emulator, args = [], env = {}, onSpawn, fresh = true, remote = 'none', environment = 'bench' }) {
  if (fresh) {
    // A repository reused across scenarios: forget what an earlier run recorded as applied.
    for (const ref of [`refs/tags/entra-photos/applied/${environment}`, `refs/notes/entra-photos/progress/${environment}`]) {
      try {
        git(repo, 'update-ref', '-d', ref);
      } catch {
        // not there
      }
    }
  }
  const started = performance.now();
  const child = track(
    spawn(NODE, [CLI, 'apply', '--repo', repo, '--remote', remote, '--environment', environment, '--format', 'json', ...args], {
      env: { ...process.env, ...emulator.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let peak = 0;
  let cpu = 0;
  const sample = () => {
    const m = memoryOf(child.pid);
    if (m) peak = Math.max(peak, m.hwmMB, m.rssMB);
    cpu = cpuSecondsOf(child.pid) ?? cpu;
  };
  const sampler = setInterval(sample, 50);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  onSpawn?.(child);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, json, wallMs: performance.now() - started, peakRssMB: peak, cpuSeconds: cpu });
    });
    // Sample once right away and just before exit too (the interval may miss short runs).
    child.once('spawn', sample);
  });
}

/**
 * A Graph access token the way any script gets one (here: the emulator's GitHub OIDC token
 * exchanged for a client assertion), for the baseline clients below.
 */
export async function accessToken(emulator) {
  const { env } = emulator;
  const oidcUrl = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL);
  oidcUrl.searchParams.set('audience', 'api://AzureADTokenExchange');
  const oidc = await emulator.http.request('GET', oidcUrl.pathname + oidcUrl.search, { headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } });
  const assertion = JSON.parse(oidc.body.toString()).value;
  const form = new URLSearchParams({
    client_id: env.ENTRA_PHOTOS_CLIENT_ID,
    scope: 'https://graph.microsoft.com/.default',
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  }).toString();
  const r = await emulator.http.request('POST', `/${env.ENTRA_PHOTOS_TENANT_ID}/oauth2/v2.0/token`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.body}`);
  return JSON.parse(r.body.toString()).access_token;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The baseline scripts. `concurrency: 1` is the usual PowerShell loop (Set-MgUserPhotoContent in
 * a foreach: one request at a time; the Graph SDK's retry handler honours Retry-After).
 * `concurrency: 32` with `retryAfter: 'ignore'` is a hand-written parallel loop with its own
 * backoff (1 s, doubling), a common pattern; with `retryAfter: 'honour'` each request sleeps for
 * its own Retry-After but the 32 workers keep arriving (no shared pacing).
 * Bounded: a fixed list of uploads, at most `maxAttempts` attempts each.
 */
export async function baselineUpload(emulator, jobs, { concurrency = 1, retryAfter = 'honour', maxAttempts = 4 } = {}) {
  const token = await accessToken(emulator);
  const client = new HttpsClient(emulator.info.graphUrl, emulator.caPem, { maxSockets: concurrency });
  const stats = { attempts: 0, throttled: 0, ok: 0, failed: 0, other: 0 };
  let next = 0;
  const started = performance.now();
  let lastOk = started;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      for (let attempt = 1; ; attempt++) {
        stats.attempts++;
        let r;
        try {
          r = await client.request('PUT', `/v1.0/users/${job.userId}/photo/$value`, { headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: job.jpeg });
        } catch {
          r = { status: 0, headers: {} };
        }
        if (r.status === 200) {
          stats.ok++;
          lastOk = performance.now();
          break;
        }
        if (r.status === 429) stats.throttled++;
        else stats.other++;
        if (attempt >= maxAttempts) {
          stats.failed++;
          break;
        }
        const ra = Number(r.headers['retry-after']);
        const wait = retryAfter === 'honour' && Number.isFinite(ra) ? ra * 1000 : 1000 * 2 ** (attempt - 1);
        await sleep(wait);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  client.close();
  const seconds = (performance.now() - started) / 1000;
  return { ...stats, seconds, lastOkSeconds: (lastOk - started) / 1000, rate: stats.ok / seconds };
}

/** Photo PUTs in an emulator request log: count, 429s, first→last successful PUT time. */
export function putStats(requests) {
  const puts = requests.filter((r) => r.api === 'graph' && r.method === 'PUT' && r.path.includes('/photo/'));
  const ok = puts.filter((r) => r.status === 200);
  const t = (r) => Date.parse(r.time) + r.durationMs;
  const first = puts.length ? Math.min(...puts.map((r) => Date.parse(r.time))) : 0;
  const last = ok.length ? Math.max(...ok.map(t)) : first;
  const perUser = new Map();
  for (const r of puts) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + 1);
  return { attempts: puts.length, ok: ok.length, throttled: puts.filter((r) => r.throttled).length, faults: puts.filter((r) => r.fault).length, seconds: (last - first) / 1000, perUser };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));

/**
 * Photo-like JPEGs: smooth noise (a small noise image scaled up) compresses like a portrait,
 * unlike a flat colour. `distinct` bases are encoded; photo i is base (i mod distinct) plus a
 * unique trailer after the JPEG's end marker, so every user has its own blob (git) while only
 * a few images are encoded. The normalised output of photos sharing a base is the same.
 */
export async function photoSet(sharp, { width, height = width, distinct = 16, quality = 85, grain = 8, seed = 0 }) {
  const bases = [];
  for (let k = 0; k < distinct; k++) {
    const small = await sharp({ create: { width: Math.ceil(width / grain), height: Math.ceil(height / grain), channels: 3, noise: { type: 'gaussian', mean: 110 + ((k * 37 + seed) % 40), sigma: 45 } } })
      .png()
      .toBuffer();
    bases.push(await sharp(small).resize(width, height, { kernel: 'cubic' }).jpeg({ quality }).toBuffer());
  }
  return { bases, photoOf: (i) => Buffer.concat([bases[i % distinct], Buffer.from(`#${seed}:${i}`)]) };
}

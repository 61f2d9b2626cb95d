// Google Workspace apply under the Directory API's per-user quota, and both targets at once
// (issue 16), side by side in one run against one emulator process (`entra-photos emulator`):
//   1. entra-photos applies N photos to Google (the built action, dist/index.js, as the runner
//      runs it, manifests declaring `targets: [google]`) under a per-minute quota shortened to a
//      `--window` of seconds (403 userRateLimitExceeded over it): users.get per user, then delete
//      + update per photo (docs/google.md), paced.
//   2. the usual script against the same emulator and quota: one user at a time, delete then
//      update (as GAM does), Google's exponential backoff (1 s, 2 s, 4 s …) on a rate-limit answer.
//   3. both targets at once (`targets: [entra, google]`, Entra under a token bucket) vs each alone
//      (`targets: [entra]`, `targets: [google]`): the action runs the targets concurrently, so the
//      total should approach the slower target alone, not the sum.
// The emulator's state is reset between runs (photos, quota windows); each run starts from an
// empty record. Prints ratios measured in this run; machines are noisy, nothing asserts a time.
// Bounded: fixed N, every loop has a fixed count and at most `maxAttempts` attempts per request.
// Only 127.0.0.1.
//
// Usage: npm run bench:google [-- --n 40 --quota 30 --window 1 --entra 10:10]
//   --n       photos (users), default 40
//   --quota   Directory requests per window per caller, default 400 (the emulator's "per minute")
//   --window  the quota window in seconds, default 10 (Google's is 60; default 2,400 a minute).
//             A window much shorter than the pacer's 1 s base backoff after a refusal without
//             Retry-After (Google sends none) is not a fair shape: --quota 30 --window 1 shows it
//   --entra   Entra's token bucket BURST:RATE for part 3, default 10:10
//   --latency every answer's latency MEDIAN:SPREAD in ms, default 150:50 (a one-at-a-time loop's
//             time is N × 2 × latency; a paced run's is bounded by the quota instead)
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { HttpsClient, NODE, ROOT, fmt, git, photoSet, startEmulator, upn, users, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({ options: { n: { type: 'string', default: '40' }, quota: { type: 'string', default: '400' }, window: { type: 'string', default: '10' }, entra: { type: 'string', default: '10:10' }, latency: { type: 'string', default: '150:50' } } });
const N = Math.min(500, Math.max(1, Number(values.n)));
const QUOTA = { perMinutePerUser: Number(values.quota), windowSeconds: Number(values.window), answer: 'userRateLimitExceeded' };
const ACTION = path.join(process.env.ENTRA_PHOTOS_DIST ? path.resolve(process.env.ENTRA_PHOTOS_DIST) : path.join(ROOT, 'dist'), 'index.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-google-'));

console.log(`entra-photos Google bench (node ${process.version}, ${availableParallelism()} cores: ${cpus()[0]?.model ?? '?'})`);
console.log(`N=${N} photos; Google quota ${QUOTA.perMinutePerUser} requests per ${QUOTA.windowSeconds} s per caller; Entra bucket ${values.entra}; latency ${values.latency} ms (median:spread, both services)`);

const { photoOf } = await photoSet(sharp, { width: 648, distinct: 16 });
const repoFor = (targets) => {
  const dir = path.join(scratch, `repo-${targets.join('-')}`);
  // Photos already 648² JPEGs, sent as they are (no normalising: the bench measures the network side).
  writeRepo(dir, N, photoOf, { header: [`targets: [${targets.join(', ')}]`, 'normalise: false'] });
  return dir;
};

const emulator = await startEmulator({ users: users(N), throttle: values.entra, latency: values.latency, scratch });
const { info } = emulator;
const admin = {
  reset: async () => {
    await emulator.admin.reset();
    await emulator.http.json('POST', '/_emulator/google/config', { quota: QUOTA });
  },
};

/** The built action on `repo`, as the runner runs it; answers its wall time and exit code. */
function runAction(repo) {
  for (const ref of git(repo, 'for-each-ref', '--format=%(refname)', 'refs/tags/entra-photos', 'refs/notes/entra-photos').split('\n').filter(Boolean)) git(repo, 'update-ref', '-d', ref);
  const runnerTemp = mkdtempSync(path.join(scratch, 'runner-'));
  const eventPath = path.join(runnerTemp, 'event.json');
  const summaryPath = path.join(runnerTemp, 'summary.md');
  writeFileSync(eventPath, JSON.stringify({ after: git(repo, 'rev-parse', 'HEAD'), ref: 'refs/heads/main', repository: { full_name: 'contoso/photos', private: true, visibility: 'private' } }));
  writeFileSync(summaryPath, '');
  writeFileSync(path.join(runnerTemp, 'output'), '');
  const inputs = {
    mode: 'apply',
    environment: 'bench',
    'tenant-id': info.tenantId,
    'client-id': info.clientId,
    'authority-host': info.authorityHost,
    'graph-url': info.graphUrl,
    'google-workload-identity-provider': info.google.workloadIdentityProvider,
    'google-service-account': info.google.serviceAccount,
    'google-endpoint': info.google.endpoint,
  };
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runnerTemp,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: repo,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: path.join(runnerTemp, 'output'),
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: 'contoso/photos',
    GITHUB_SERVER_URL: 'https://github.com',
    NODE_EXTRA_CA_CERTS: info.caCertPath,
    ACTIONS_ID_TOKEN_REQUEST_URL: info.env.ACTIONS_ID_TOKEN_REQUEST_URL,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: info.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const started = performance.now();
  const child = spawn(NODE, [ACTION], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c) => (stdout = (stdout + c).slice(-20_000)));
  child.stderr.on('data', (c) => (stdout = (stdout + c).slice(-20_000)));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, wallMs: performance.now() - started, stdout, output: readFileSync(path.join(runnerTemp, 'output'), 'utf8') })));
}

/** Photos each directory holds after a run. */
async function landed() {
  const entra = (await emulator.admin.state()).users.filter((u) => u.photo).length;
  const google = (await emulator.http.json('GET', '/_emulator/google/state')).users.filter((u) => u.photo).length;
  return { entra, google };
}

/** The Google requests of a run: the photo writes' span (first to last) and the rate-limit answers. */
async function googleStats(since) {
  const requests = (await emulator.admin.requests(since)).filter((r) => r.api === 'google' && r.path.includes('/admin/directory/'));
  const writes = requests.filter((r) => r.path.includes('/photos/thumbnail') && r.method !== 'GET');
  const times = writes.map((r) => Date.parse(r.time));
  return { requests: requests.length, throttled: requests.filter((r) => r.status === 403 || r.status === 429).length, spanMs: times.length ? Math.max(...times) - Math.min(...times) : 0 };
}
const lastSeq = async () => (await emulator.admin.requests()).at(-1)?.seq ?? 0;

/** A Google access token the way a script gets one keylessly: GitHub OIDC → STS → generateAccessToken. */
async function googleToken() {
  const provider = info.google.workloadIdentityProvider;
  const oidcUrl = new URL(info.env.ACTIONS_ID_TOKEN_REQUEST_URL);
  oidcUrl.searchParams.set('audience', `https://iam.googleapis.com/${provider}`);
  const oidc = await emulator.http.request('GET', oidcUrl.pathname + oidcUrl.search, { headers: { authorization: `Bearer ${info.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } });
  const idToken = JSON.parse(oidc.body.toString()).value;
  const base = new URL(info.google.endpoint).pathname;
  const sts = await emulator.http.json('POST', `${base}/sts/v1/token`, {
    audience: `//iam.googleapis.com/${provider}`,
    grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
    subjectToken: idToken,
  });
  const r = await emulator.http.request('POST', `${base}/iamcredentials/v1/projects/-/serviceAccounts/${info.google.serviceAccount}:generateAccessToken`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sts.access_token}` },
    body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/admin.directory.user'], lifetime: '3600s' }),
  });
  if (r.status !== 200) throw new Error(`generateAccessToken: ${r.status} ${r.body}`);
  return JSON.parse(r.body.toString()).accessToken;
}

/** The usual script: for each user, delete then update, one request at a time, exponential backoff. */
async function oneAtATime() {
  const token = await googleToken();
  const base = new URL(info.google.endpoint).pathname;
  const client = new HttpsClient(info.url, emulator.caPem, { maxSockets: 1 });
  const maxAttempts = 6;
  let failed = 0;
  const call = async (method, p, body) => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const r = await client.request(method, p, { headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) });
      if (r.status < 300 || (method === 'DELETE' && r.status === 404)) return true;
      if (!(r.status === 429 || r.status === 403 || r.status >= 500)) return false;
      await new Promise((res) => setTimeout(res, 1000 * 2 ** attempt + Math.random() * 100));
    }
    return false;
  };
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const p = `${base}/admin/admin/directory/v1/users/${encodeURIComponent(upn(i))}/photos/thumbnail`;
    const photo = photoOf(i);
    const body = JSON.stringify({ photoData: photo.toString('base64').replaceAll('+', '-').replaceAll('/', '_'), mimeType: 'image/jpeg', width: 648, height: 648 });
    if (!((await call('DELETE', p)) && (await call('PUT', p, body)))) failed++;
  }
  client.close();
  return { wallMs: performance.now() - started, failed };
}

const rows = [];
const fmtS = (ms) => `${fmt(ms / 1000, 1)} s`;
try {
  const googleRepo = repoFor(['google']);
  const entraRepo = repoFor(['entra']);
  const bothRepo = repoFor(['entra', 'google']);

  // 1 and 2: Google under the quota.
  await admin.reset();
  let since = await lastSeq();
  const tool = await runAction(googleRepo);
  const toolStats = await googleStats(since);
  const toolLanded = await landed();
  if (tool.code !== 0) console.log(tool.stdout);
  await admin.reset();
  since = await lastSeq();
  const loop = await oneAtATime();
  const loopStats = await googleStats(since);
  const loopLanded = await landed();
  // The fixed windows allow `quota` requests each: R requests cannot end before window ⌈R/quota⌉ opens.
  const granted = toolStats.requests - toolStats.throttled;
  const floorS = (Math.ceil(granted / QUOTA.perMinutePerUser) - 1) * QUOTA.windowSeconds;
  console.log(`\n1-2. ${N} photos to Google under ${QUOTA.perMinutePerUser} requests / ${QUOTA.windowSeconds} s`);
  console.log(`  entra-photos (action): ${fmtS(tool.wallMs)} wall, photo writes over ${fmtS(toolStats.spanMs)}; ${toolStats.requests} Directory requests, ${toolStats.throttled} refused by the quota; ${toolLanded.google}/${N} landed (exit ${tool.code})`);
  console.log(`  one at a time (delete + update, backoff): ${fmtS(loop.wallMs)} wall; ${loopStats.requests} requests, ${loopStats.throttled} refused; ${loopLanded.google}/${N} landed, ${loop.failed} gave up`);
  console.log(`  the quota's floor for entra-photos' ${granted} granted requests: ${fmt(floorS, 1)} s (0: not quota-bound); loop / entra-photos: ${fmt(loop.wallMs / tool.wallMs)}x`);
  rows.push(['google, entra-photos', tool.wallMs], ['google, one at a time', loop.wallMs]);

  // 3: both at once vs each alone.
  await admin.reset();
  const entraAlone = await runAction(entraRepo);
  const entraLanded = await landed();
  await admin.reset();
  const googleAlone = await runAction(googleRepo);
  const googleLanded = await landed();
  await admin.reset();
  const both = await runAction(bothRepo);
  const bothLanded = await landed();
  for (const [name, r] of [['entra alone', entraAlone], ['google alone', googleAlone], ['both', both]]) if (r.code !== 0) console.log(`${name} exited ${r.code}:\n${r.stdout}`);
  const slower = Math.max(entraAlone.wallMs, googleAlone.wallMs);
  const sum = entraAlone.wallMs + googleAlone.wallMs;
  console.log(`\n3. Both targets at once (the action), ${N} photos each`);
  console.log(`  Entra alone:  ${fmtS(entraAlone.wallMs)} (${entraLanded.entra}/${N} landed)`);
  console.log(`  Google alone: ${fmtS(googleAlone.wallMs)} (${googleLanded.google}/${N} landed)`);
  console.log(`  both at once: ${fmtS(both.wallMs)} (Entra ${bothLanded.entra}/${N}, Google ${bothLanded.google}/${N} landed)`);
  console.log(`  both / slower alone: ${fmt(both.wallMs / slower)}; both / sum of the two: ${fmt(both.wallMs / sum)}`);
} finally {
  await emulator.stop();
  rmSync(scratch, { recursive: true, force: true });
}

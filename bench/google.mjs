// Google Workspace apply under the Directory API's per-user quota, and both targets at once
// (issue 16), side by side in one run against one emulator process (`entra-photos emulator`):
//   1. entra-photos applies N photos to Google (the built action, dist/index.js, as the runner
//      runs it, manifests declaring `targets: [google]`) under a per-minute quota shortened to a
//      `--window` of seconds (403 userRateLimitExceeded over it), a first load (nobody holds a
//      photo): users looked up from users.list pages, which say who holds a photo, then an update
//      alone per photo (docs/google.md), paced.
//   2. the usual script against the same emulator and quota: one user at a time, delete then
//      update (as GAM does), Google's exponential backoff (1 s, 2 s, 4 s …) on a rate-limit answer.
//   1b-2b. a replace: every user holds a photo set by an admin, and entra-photos' record is from
//      the apply that set them (run first, not timed); new photos are committed and applied again.
//      Both sides delete + update per photo. The loop's users get their earlier photos through
//      the emulator's admin API (no quota).
//   Each run's Directory requests are broken down by kind: users.list, users.get, photo GET,
//   DELETE, PUT (and how many of all were refused by the quota).
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
const { photoOf: newPhotoOf } = await photoSet(sharp, { width: 648, distinct: 16, seed: 7 });
const headerFor = (targets) => [`targets: [${targets.join(', ')}]`, 'normalise: false'];
const repoFor = (targets, name = targets.join('-')) => {
  const dir = path.join(scratch, `repo-${name}`);
  // Photos already 648² JPEGs, sent as they are (no normalising: the bench measures the network side).
  writeRepo(dir, N, photoOf, { header: headerFor(targets) });
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

/** The built action on `repo`, as the runner runs it; answers its wall time and exit code. `fresh`: drop the record first. */
function runAction(repo, { fresh = true } = {}) {
  if (fresh) for (const ref of git(repo, 'for-each-ref', '--format=%(refname)', 'refs/tags/entra-photos', 'refs/notes/entra-photos').split('\n').filter(Boolean)) git(repo, 'update-ref', '-d', ref);
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

/** Google's photos by primary email (their sha256). */
async function googlePhotos() {
  const { users: all } = await emulator.http.json('GET', '/_emulator/google/state');
  return new Map(all.filter((u) => u.photo).map((u) => [u.primaryEmail, u.photo.sha256]));
}

/** Photos each directory holds after a run; with `before` (googlePhotos() before the run), Google's count is of photos changed by it. */
async function landed(before) {
  const entra = (await emulator.admin.state()).users.filter((u) => u.photo).length;
  const after = await googlePhotos();
  const google = [...after].filter(([email, sha256]) => !before || before.get(email) !== sha256).length;
  return { entra, google };
}

/** Which Directory request: users.list, users.get, or a photo GET/DELETE/PUT. */
function kindOf(request) {
  const bare = request.path.split('?')[0];
  if (bare.endsWith('/photos/thumbnail')) return request.method === 'GET' ? 'photo GET' : request.method;
  return bare.endsWith('/users') ? 'list' : 'get';
}
const KINDS = ['list', 'get', 'photo GET', 'DELETE', 'PUT'];

/** The Google requests of a run: the photo writes' span (first to last), the rate-limit answers, and the requests by kind. */
async function googleStats(since) {
  await new Promise((resolve) => setTimeout(resolve, 200)); // the log entry of the last answer is written as it is sent
  const requests = (await emulator.admin.requests(since)).filter((r) => r.api === 'google' && r.path.includes('/admin/directory/'));
  const writes = requests.filter((r) => r.path.includes('/photos/thumbnail') && r.method !== 'GET');
  const times = writes.map((r) => Date.parse(r.time));
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, requests.filter((r) => kindOf(r) === kind).length]));
  // Time with no Directory request sent for over a second: waiting (backoff, a spent quota window).
  const sent = requests.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
  const gaps = sent.slice(1).map((t, i) => t - sent[i]).filter((gap) => gap > 1000);
  const quiet = { ms: gaps.reduce((sum, gap) => sum + gap, 0), count: gaps.length };
  return { requests: requests.length, throttled: requests.filter((r) => r.status === 403 || r.status === 429).length, byKind, quiet, spanMs: times.length ? Math.max(...times) - Math.min(...times) : 0 };
}
const breakdown = (stats) => `${KINDS.map((kind) => `${kind} ${stats.byKind[kind]}`).join(', ')}; quiet ${fmtS(stats.quiet.ms)} in ${stats.quiet.count} gaps over 1 s`;
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
async function oneAtATime(photoFor = photoOf) {
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
    const photo = photoFor(i);
    const body = JSON.stringify({ photoData: photo.toString('base64').replaceAll('+', '-').replaceAll('/', '_'), mimeType: 'image/jpeg', width: 648, height: 648 });
    if (!((await call('DELETE', p)) && (await call('PUT', p, body)))) failed++;
  }
  client.close();
  return { wallMs: performance.now() - started, failed };
}

const fmtS = (ms) => `${fmt(ms / 1000, 1)} s`;

/** One scenario's two sides, with the requests by kind and the quota's floor for ours. */
function report(title, { tool, toolStats, toolLanded, loop, loopStats, loopLanded }) {
  // The fixed windows allow `quota` requests each: R requests cannot end before window ⌈R/quota⌉ opens.
  const granted = toolStats.requests - toolStats.throttled;
  const floorS = (Math.ceil(granted / QUOTA.perMinutePerUser) - 1) * QUOTA.windowSeconds;
  console.log(`\n${title}`);
  console.log(`  entra-photos (action): ${fmtS(tool.wallMs)} wall, photo writes over ${fmtS(toolStats.spanMs)}; ${toolStats.requests} Directory requests, ${toolStats.throttled} refused by the quota; ${toolLanded.google}/${N} landed (exit ${tool.code})`);
  console.log(`    by kind: ${breakdown(toolStats)}`);
  console.log(`  one at a time (delete + update, backoff): ${fmtS(loop.wallMs)} wall; ${loopStats.requests} requests, ${loopStats.throttled} refused; ${loopLanded.google}/${N} landed, ${loop.failed} gave up`);
  console.log(`    by kind: ${breakdown(loopStats)}`);
  console.log(`  the quota's floor for entra-photos' ${granted} granted requests: ${fmt(floorS, 1)} s (0: not quota-bound); loop / entra-photos: ${fmt(loop.wallMs / tool.wallMs)}x`);
}
try {
  const googleRepo = repoFor(['google']);
  const entraRepo = repoFor(['entra']);
  const bothRepo = repoFor(['entra', 'google']);

  // 1 and 2: Google under the quota, a first load.
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
  report(`1-2. ${N} photos to Google under ${QUOTA.perMinutePerUser} requests / ${QUOTA.windowSeconds} s, a first load (no user holds a photo)`, { tool, toolStats, toolLanded, loop, loopStats, loopLanded });

  // 1b and 2b: a replace. entra-photos' first apply sets the photos and keeps its record (not timed).
  await admin.reset();
  const replaceRepo = repoFor(['google'], 'google-replace');
  const setup = await runAction(replaceRepo);
  if (setup.code !== 0) console.log(setup.stdout);
  writeRepo(replaceRepo, N, newPhotoOf, { header: headerFor(['google']), message: 'new photos' });
  await emulator.http.json('POST', '/_emulator/google/config', { quota: QUOTA }); // fresh quota windows, photos kept
  let before = await googlePhotos();
  since = await lastSeq();
  const replace = await runAction(replaceRepo, { fresh: false });
  const replaceStats = await googleStats(since);
  const replaceLanded = await landed(before);
  if (replace.code !== 0) console.log(replace.stdout);
  await admin.reset();
  for (let i = 0; i < N; i++) {
    const seeded = await emulator.http.request('PUT', `/_emulator/google/users/${encodeURIComponent(upn(i))}/photo?setBy=admin`, { headers: { 'content-type': 'application/octet-stream' }, body: photoOf(i) });
    if (seeded.status >= 400) throw new Error(`seeding ${upn(i)}'s photo: ${seeded.status} ${seeded.body}`);
  }
  before = await googlePhotos();
  since = await lastSeq();
  const loopReplace = await oneAtATime(newPhotoOf);
  const loopReplaceStats = await googleStats(since);
  const loopReplaceLanded = await landed(before);
  report(`1b-2b. ${N} photos replaced in Google under the same quota (every user holds an admin-set photo; entra-photos' record from that apply; landed = photos changed)`, {
    tool: replace,
    toolStats: replaceStats,
    toolLanded: replaceLanded,
    loop: loopReplace,
    loopStats: loopReplaceStats,
    loopLanded: loopReplaceLanded,
  });

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

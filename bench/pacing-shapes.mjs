// Pacing without hints (issue 12): the WritePacer against every throttle shape the emulator
// plays, in one run, each with real HTTPS photo PUTs through the real tenant client
// (src/target/entra: @azure/identity sign-in, Graph client, node:https transport) to the tenant
// emulator (src/emulator, its own process, 127.0.0.1 only).
//
// Per shape: a fresh throttle state, N uploads (one per user) fed to a fresh pacer with a bounded
// lookahead of 64 as apply does; the time is first PUT → last successful PUT from the emulator's
// request log; the minimum is what the shape allows at best (defined per shape below). The same
// runs with the pacer before issue 12 (bench/lib/previous-pacer.ts) side by side, unless --quick.
// Where nothing throttles, the pacer is compared with a one-request-at-a-time loop.
// Google's per-minute quota (issue 16): photo updates through the Google target's Directory client
// (keyless sign-in, fetch) to the same emulator's Directory API under its per-user quota (fixed
// windows from the first request, 403 userRateLimitExceeded, no Retry-After), paced with Google's
// classifier; their own N (the minute's 2,400 needs 6,000 writes to show two waits). The previous
// pacer reads no Google errors, so these rows have this pacer only. The same quotas counted on
// clock minutes and sliding (the emulator's windowAlignment) follow.
//
// Runs the sources, not dist/ (Node 24 strips the types; bench/lib/ts-hooks.mjs maps .js → .ts).
// Bounded: a fixed number of uploads per run, attempts bounded by the pacer, and a watchdog.
//
// Usage: npm run bench:pacing [-- --quick] [-- --n 600] [-- --only window] [-- --only google] [-- --only clock] [-- --verbose (the pacer's rate changes)]
//        [-- --ramp-doubling-seconds 1.75 (this pacer's rampDoublingSeconds; default: the pacer's own)]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, n: { type: 'string' }, only: { type: 'string' }, 'ramp-doubling-seconds': { type: 'string' } } });
const N = Number(values.n ?? 600);
const RAMP_DOUBLING_SECONDS = values['ramp-doubling-seconds'] === undefined ? undefined : Number(values['ramp-doubling-seconds']);
if (RAMP_DOUBLING_SECONDS !== undefined && !(RAMP_DOUBLING_SECONDS > 0)) throw new Error(`--ramp-doubling-seconds: a positive number, not ${values['ramp-doubling-seconds']}`);
const LATENCY = { medianMs: 100, spreadMs: 50 };
const SEQUENTIAL_PUTS = 40;
const ROOT = path.resolve(import.meta.dirname, '..');
const HOOKS = path.join(ROOT, 'bench', 'lib', 'ts-hooks.mjs');
const WATCHDOG_MS = 20 * 60_000;
/** Google's per-user quotas the bench plays (each counted three ways), with the writes each needs to show two waits. */
const GOOGLE_QUOTAS = [
  { perWindow: 60, windowSeconds: 10, n: 300 },
  { perWindow: 2400, windowSeconds: 60, n: 6000 },
];

async function main() {
  const { connectTenant, createCredential, cloudEndpoints } = await import('../src/target/entra/index.ts');
  const { WritePacer, pacingClassifierOf } = await import('../src/pacing/index.ts');
  const { WritePacer: PreviousPacer } = await import('./lib/previous-pacer.ts');
  const { EmulatorAdminClient } = await import('../src/emulator/admin-client.ts');
  const { GoogleEmulatorAdminClient } = await import('../src/emulator/google/admin-client.ts');
  const { GoogleDirectoryClient, GoogleKeylessAuth, classifyGoogleFailure } = await import('../src/target/google/index.ts');
  const { quotaMinimumSeconds } = await import('../test/pacing/quota-minimum.ts');

  const bucket = { burst: 60, refillPerSecond: 40, countRejected: true, appliesTo: 'writes', maxConcurrent: 0 };
  /**
   * The shapes. `minimum(noneSeconds, puts)`: the least time N uploads can take, first PUT to
   * last successful one (writes are decided after the emulator's latency, so the first write's
   * latency is not in it).
   */
  const shapes = [
    { name: 'none', params: 'no throttling', throttle: null, minimum: () => undefined },
    {
      name: 'token bucket + early warning',
      params: 'B=60, R=40/s, refused count, x-ms-throttle-limit-percentage past 80%',
      throttle: { ...bucket, shape: 'token-bucket', earlyWarning: true },
      minimum: () => (N - bucket.burst) / bucket.refillPerSecond,
    },
    {
      name: 'token bucket, no warning',
      params: 'B=60, R=40/s, refused count',
      throttle: { ...bucket, shape: 'token-bucket', earlyWarning: false },
      minimum: () => (N - bucket.burst) / bucket.refillPerSecond,
    },
    {
      name: 'fixed window',
      params: '80 per 2 s window, Retry-After = rest of window',
      throttle: { ...bucket, shape: 'fixed-window', windowRequests: 80, windowSeconds: 2 },
      // Windows start at the first write; the last one opens after ⌈N/80⌉ − 1 windows.
      minimum: () => (Math.ceil(N / 80) - 1) * 2,
    },
    {
      name: 'per-mailbox concurrency + bucket',
      params: '4 in flight per user; B=60, R=40/s across users, refused count',
      throttle: { ...bucket, shape: 'mailbox', mailboxConcurrent: 4, mailboxHoldMs: LATENCY.medianMs },
      // One write per user: the per-mailbox limit never binds; the bucket does.
      minimum: () => (N - bucket.burst) / bucket.refillPerSecond,
    },
    {
      name: '429 storm, then open',
      params: 'all refused for 4 s (Retry-After 1 s), then no limit',
      throttle: { ...bucket, shape: 'storm', stormSeconds: 4, stormRetryAfterSeconds: 1 },
      // The storm, then what the same pacer needs with no throttling at all (the 'none' row).
      minimum: (noneSeconds) => (noneSeconds === undefined ? undefined : 4 + noneSeconds),
    },
    {
      name: 'app-wide concurrency',
      params: '4 in flight per app (Outlook\'s 4 per mailbox, read across mailboxes), refused on arrival, Retry-After 1 s',
      throttle: { ...bucket, shape: 'token-bucket', burst: 1e9, refillPerSecond: 1e6, earlyWarning: false, maxConcurrent: 4 },
      // 4 at a time, each taking the mean time of this run's successful PUTs (latency + the
      // emulator's own time on this machine).
      minimum: (_, puts) => (N * puts.meanOkMs) / 1000 / 4,
    },
    ...GOOGLE_QUOTAS.map((quota) => ({
      name: `google per-minute window ${quota.perWindow}/${quota.windowSeconds} s`,
      params: `Google Directory quota ${quota.perWindow} per ${quota.windowSeconds} s per caller, fixed windows from the first request, 403 userRateLimitExceeded without Retry-After`,
      throttle: null,
      google: quota,
      n: quota.n,
      // The last window opens ⌈N/Q⌉ − 1 windows after the first request; its last write takes a latency.
      minimum: (_, puts) => (Math.ceil(quota.n / quota.perWindow) - 1) * quota.windowSeconds + puts.meanOkMs / 1000,
    })),
    // The same quotas counted otherwise (Google does not say how it counts the minute): on clock
    // minutes (where in one the first request falls is up to the wall clock) and sliding. Their
    // minimum is what a client starting as the pacer does (40/s doubling every 1.75 s, 32 in
    // flight) could take knowing when the quota frees up (test/pacing/quota-minimum.ts): the bare
    // count of windows cannot be reached when a clock window is nearly over at the first request.
    ...['clock', 'sliding'].flatMap((windowAlignment) =>
      GOOGLE_QUOTAS.map((quota) => ({
        name: `google per-minute window ${quota.perWindow}/${quota.windowSeconds} s, ${windowAlignment}`,
        params: `the same, ${windowAlignment === 'clock' ? 'windows on clock minutes' : 'a sliding window'}`,
        describe: (puts) => (windowAlignment === 'clock' ? ` (first request ${fmt((puts.firstMs % (quota.windowSeconds * 1000)) / 1000, 1)} s into a window)` : ''),
        throttle: null,
        google: { ...quota, windowAlignment },
        n: quota.n,
        minimum: (_, puts) =>
          quotaMinimumSeconds(quota.n, quota.perWindow, quota.windowSeconds, windowAlignment, {
            phaseSeconds: (puts.firstMs % (quota.windowSeconds * 1000)) / 1000,
            latencySeconds: puts.meanOkMs / 1000,
          }),
      })),
    ),
  ].filter((shape) => !values.only || shape.name.includes(values.only) || shape.name === 'none');

  console.log(
    `entra-photos pacing bench (node ${process.version}, ${availableParallelism()} cores: ${cpus()[0]?.model ?? '?'}), N=${N}, latency ${LATENCY.medianMs} ± ${LATENCY.spreadMs} ms` +
      (RAMP_DOUBLING_SECONDS !== undefined ? `, this pacer's rampDoublingSeconds ${RAMP_DOUBLING_SECONDS}` : ''),
  );

  const users = Array.from({ length: Math.max(N, ...shapes.map((shape) => shape.n ?? 0)) }, (_, i) => ({ id: userId(i), userPrincipalName: `u${i}@bench.contoso.edu`, displayName: `User ${i}` }));
  const emulator = await startSrcEmulator({ users, latency: LATENCY, throttle: false, requestLogLimit: 200_000 });
  const watchdog = setTimeout(() => {
    console.error(`pacing bench: still running after ${WATCHDOG_MS / 60_000} min, stopping`);
    emulator.kill();
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), emulator.info.caCertPem]);
    const admin = new EmulatorAdminClient(emulator.info.adminUrl, emulator.info.caCertPem);
    const googleAdmin = new GoogleEmulatorAdminClient(emulator.info.adminUrl, emulator.info.caCertPem);
    const googleAuth = new GoogleKeylessAuth({
      ...emulator.info.google,
      getIdToken: async (audience) => {
        const { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token } = emulator.info.env;
        const response = await fetch(`${url}&audience=${encodeURIComponent(audience)}`, { headers: { Authorization: `Bearer ${token}` } });
        return (await response.json()).value;
      },
    });
    const google = new GoogleDirectoryClient({ auth: googleAuth, endpoint: emulator.info.google.endpoint });
    await googleAuth.accessToken(); // signed in before any clock starts
    const googleClassifier = pacingClassifierOf({ classifyFailure: classifyGoogleFailure });
    const endpoints = cloudEndpoints('global', { authorityHost: emulator.info.authorityHost, graphUrl: emulator.info.graphUrl });
    const credential = createCredential({
      tenantId: emulator.info.tenantId,
      clientId: emulator.info.clientId,
      authorityHost: endpoints.authorityHost,
      getAssertion: () => admin.issueOidcToken(undefined, 'api://AzureADTokenExchange'),
    });
    const tenant = connectTenant({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope });
    await tenant.connection.accessToken(); // signed in before any clock starts
    const jpeg = await sharp({ create: { width: 648, height: 648, channels: 3, background: { r: 120, g: 110, b: 100 } } }).jpeg({ quality: 85 }).toBuffer();

    // Does the emulator tell the throttle which mailbox a request is for? (The per-mailbox limit
    // needs it; without it only the bucket of that shape applies.) Two writes at once to one user,
    // with one allowed in flight per mailbox.
    await admin.reset();
    await admin.setConfig({ throttle: { ...bucket, burst: 1e9, refillPerSecond: 1e6, shape: 'mailbox', mailboxConcurrent: 1, mailboxHoldMs: 5000 }, latency: LATENCY });
    const pair = await Promise.allSettled([tenant.putPhoto(userId(0), jpeg), tenant.putPhoto(userId(0), jpeg)]);
    const mailboxActive = pair.some((r) => r.status === 'rejected');
    if (!mailboxActive) {
      for (const shape of shapes) if (shape.throttle?.shape === 'mailbox') shape.params += ' (per-mailbox part inactive: the Graph pipeline does not pass the user to the throttle)';
      console.log('note: the per-mailbox limit did not act (two writes at once to one user both landed): only the bucket of that shape applies');
    }

    const pacers = values.quick ? [{ name: 'this pacer', Pacer: WritePacer }] : [{ name: 'this pacer', Pacer: WritePacer }, { name: 'previous pacer', Pacer: PreviousPacer }];
    const rows = [];
    let noneSeconds;
    let sequentialRate;
    for (const shape of shapes) {
      const n = shape.n ?? N;
      for (const { name: pacerName, Pacer } of shape.google ? pacers.slice(0, 1) : pacers) {
        await admin.reset();
        await admin.setConfig({ throttle: shape.throttle, latency: LATENCY });
        if (shape.google) await googleAdmin.setConfig({ quota: { perMinutePerUser: shape.google.perWindow, windowSeconds: shape.google.windowSeconds, windowAlignment: shape.google.windowAlignment ?? 'first-request', answer: 'userRateLimitExceeded' } });
        const options = Pacer === WritePacer && RAMP_DOUBLING_SECONDS !== undefined ? { rampDoublingSeconds: RAMP_DOUBLING_SECONDS } : {};
        const run = shape.google
          ? await uploadAll(Pacer, n, (i) => google.putPhoto(users[i].userPrincipalName, jpeg), { ...options, classify: googleClassifier })
          : await uploadAll(Pacer, n, (i) => tenant.putPhoto(userId(i), jpeg), options);
        const log = await admin.requests();
        const puts = putStats(log, shape.google ? 'google' : 'graph');
        const seconds = puts.seconds;
        if (shape.name === 'none' && pacerName === 'this pacer') noneSeconds = seconds;
        const minimum = shape.minimum(noneSeconds, puts);
        const row = {
          shape: shape.name,
          params: shape.params + (shape.describe?.(puts) ?? ''),
          pacer: pacerName,
          n,
          minimum,
          seconds,
          ratio: minimum ? seconds / minimum : undefined,
          puts: puts.attempts,
          throttled: puts.throttled,
          share: (100 * puts.throttled) / Math.max(1, puts.attempts),
          failed: run.failed,
          landed: puts.ok,
          events: run.stats.events,
        };
        rows.push(row);
        console.log(
          `${shape.name}${shape.describe?.(puts) ?? ''} [${pacerName}]: ${fmt(seconds, 2)} s${minimum ? ` for a minimum of ${fmt(minimum, 2)} s (${fmt(row.ratio, 3)}×)` : ''}, ` +
            `${puts.attempts} PUTs, ${puts.throttled} refused (${fmt(row.share)}%), ${run.failed} failed` +
            (run.stats.events !== undefined ? `, ${run.stats.events} congestion events, estimate ${run.stats.refillEstimate ?? '–'}/s` : ''),
        );
        if (run.failed > 0 || puts.ok !== n) console.log(`  ! ${n - puts.ok} users without a successful PUT`);
      }
      if (shape.name === 'none') {
        await admin.reset();
        await admin.setConfig({ throttle: null, latency: LATENCY });
        const started = performance.now();
        for (let i = 0; i < SEQUENTIAL_PUTS; i++) await tenant.putPhoto(userId(i), jpeg);
        const seq = putStats(await admin.requests());
        sequentialRate = seq.ok / seq.seconds;
        const wall = (performance.now() - started) / 1000;
        console.log(`one at a time: ${SEQUENTIAL_PUTS} PUTs in ${fmt(seq.seconds, 2)} s (${fmt(sequentialRate, 1)} PUT/s; ${fmt(wall, 2)} s client side)`);
        for (const row of rows.filter((r) => r.shape === 'none')) row.vsSequential = N / row.seconds / sequentialRate;
      }
    }

    console.log('\n| shape | parameters | pacer | N | minimum s | time s | time / minimum | PUTs | refused (429, 403) | % refused | failed |');
    console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const ratio = r.vsSequential !== undefined ? `${fmt(r.vsSequential, 1)}× a one-at-a-time loop (${fmt(sequentialRate, 1)} PUT/s)` : r.ratio !== undefined ? `${fmt(r.ratio, 3)}×` : '–';
      console.log(`| ${r.shape} | ${r.params} | ${r.pacer} | ${r.n} | ${r.minimum !== undefined ? fmt(r.minimum, 2) : '–'} | ${fmt(r.seconds, 2)} | ${ratio} | ${r.puts} | ${r.throttled} | ${fmt(r.share)}% | ${r.failed} |`);
    }
  } finally {
    emulator.kill();
  }
}

const userId = (i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));

/** Feeds the pacer `n` writes (`put(i)`) with a bounded lookahead, as apply does, and waits for every one. */
async function uploadAll(Pacer, n, put, options) {
  const started = performance.now();
  const pacer = new Pacer({
    ...options,
    ...(values.verbose ? { onEvent: (event) => event.type === 'rate' && console.log(`  ${((performance.now() - started) / 1000).toFixed(2)} s ${event.reason}: ${event.rate}/s, estimate ${event.refillEstimate ?? '–'}/s, cap ${event.concurrency}`) } : {}),
  });
  const results = [];
  for (let i = 0; i < n; i++) {
    await pacer.whenPendingBelow(64);
    results.push(pacer.run(() => put(i), `u${i}`));
  }
  const settled = await Promise.allSettled(results);
  return { failed: settled.filter((r) => r.status === 'rejected').length, stats: pacer.stats };
}

/** Photo PUTs in the emulator's request log (Graph's or Google's): count, refusals, first PUT → last successful PUT. */
function putStats(requests, api = 'graph') {
  const photoPath = api === 'google' ? '/photos/thumbnail' : '/photo/';
  const puts = requests.filter((r) => r.api === api && r.method === 'PUT' && r.path.includes(photoPath));
  const ok = puts.filter((r) => r.status === 200);
  const first = puts.length ? Math.min(...puts.map((r) => Date.parse(r.time))) : 0;
  const last = ok.length ? Math.max(...ok.map((r) => Date.parse(r.time) + r.durationMs)) : first;
  const meanOkMs = ok.reduce((sum, r) => sum + r.durationMs, 0) / Math.max(1, ok.length);
  return { attempts: puts.length, ok: ok.length, throttled: puts.filter((r) => r.status === 429 || r.status === 403).length, seconds: (last - first) / 1000, meanOkMs, firstMs: first };
}

/** Starts src/emulator in a child process (bench/lib/src-emulator.mjs) and reads what it prints. */
async function startSrcEmulator(options) {
  // The options through a file: thousands of users do not fit in one argument.
  const optionsFile = path.join(mkdtempSync(path.join(tmpdir(), 'entra-photos-bench-pacing-')), 'emulator.json');
  writeFileSync(optionsFile, JSON.stringify(options));
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', HOOKS, path.join(ROOT, 'bench', 'lib', 'src-emulator.mjs'), `@${optionsFile}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(path.dirname(optionsFile), { recursive: true, force: true });
  };
  process.once('exit', kill);
  const lines = readline.createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  return { info, kill };
}

if (!process.execArgv.includes('--experimental-transform-types')) {
  // Re-run with what loading the TypeScript sources needs (npm run bench:pacing passes it already).
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', HOOKS, ...process.argv.slice(1)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}

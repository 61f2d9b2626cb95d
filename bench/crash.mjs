// Crash: SIGKILL `entra-photos apply` at random points, many times, and rerun until done (issue 6).
//
// The record lives where the action keeps it: a bare "origin" (tag pushed with compare-and-swap,
// progress notes pushed). A workspace clone runs `node dist/cli.js apply --remote origin` as a
// child process; a seeded PRNG picks when to SIGKILL it. After every kill, the applied-revision
// tag on origin is checked against the tenant: if it points at a revision, every user holds that
// revision's photo or a newer one being applied (the record may lag the tenant, never lead it).
// Two revisions are applied this way (a first import, then retakes for two thirds of the users).
// Reported: kills, runs, failures of the invariant, and re-uploads caused by the kills.
//
// Usage: npm run bench:crash [-- --users 1000 --kills 8 --seed 42 --burst 200 --rate 100]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { fmt, git, photoSet, runApply, startEmulator, users, writeRepo } from './lib/harness.mjs';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    kills: { type: 'string', default: '8' },
    seed: { type: 'string', default: '42' },
    burst: { type: 'string', default: '200' },
    rate: { type: 'string', default: '100' },
    latency: { type: 'string', default: '30:15' },
  },
});
const N = Number(values.users);
const KILLS = Number(values.kills);
const ENV = 'production';
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-crash-'));
let seed = Number(values.seed) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

try {
  console.log(`entra-photos crash bench (node ${process.version}, ${availableParallelism()} cores): ${N} users, ${KILLS} kills per revision, seed ${values.seed}`);
  const v1 = await photoSet(sharp, { width: 648, distinct: 32, seed: 1 });
  const v2 = await photoSet(sharp, { width: 648, distinct: 32, seed: 2 });
  const author = path.join(scratch, 'author');
  const origin = path.join(scratch, 'origin.git');
  const workspace = path.join(scratch, 'workspace');
  mkdirSync(author);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  const seeds = users(N);
  const emulator = await startEmulator({ users: seeds, throttle: `${values.burst}:${values.rate}`, latency: values.latency, scratch });
  const rows = [];
  let violations = 0;
  try {
    // Expected photo per user per revision: what a clean apply produces, measured on the fly
    // from the tenant after each completed revision would be circular, so compare blobs instead:
    // the emulator stores what was sent, and the same input always normalises to the same bytes.
    const revisions = [];
    const shaOfLive = async () => new Map((await emulator.admin.state()).users.map((u) => [u.id, u.photo?.sha256]));
    const tagOnOrigin = () => git(origin, 'for-each-ref', '--format=%(objectname)', `refs/tags/entra-photos/applied/${ENV}`) || undefined;

    for (const [label, photoOf, variantOf] of [
      ['first import', v1.photoOf, () => 1],
      ['retakes', (i) => (i % 3 === 0 ? v1.photoOf(i) : v2.photoOf(i)), (i) => (i % 3 === 0 ? 1 : 2)],
    ]) {
      const head = writeRepo(author, N, photoOf, { message: label });
      if (revisions.length === 0) git(author, 'remote', 'add', 'origin', origin);
      git(author, 'push', '-q', 'origin', 'main');
      rmSync(workspace, { recursive: true, force: true });
      execFileSync('git', ['clone', '-q', origin, workspace]);
      const revision = { head, variantOf, expected: undefined };
      revisions.push(revision);
      const okBefore = (await emulator.admin.requests()).filter((r) => r.method === 'PUT' && r.status === 200).length;
      let runs = 0;
      let kills = 0;
      for (;;) {
        runs++;
        const killAfterMs = kills < KILLS ? Math.round(400 + random() * 3000) : undefined;
        let timer;
        const run = await runApply({
          repo: workspace,
          emulator,
          remote: 'origin',
          environment: ENV,
          fresh: false,
          // A killed run cannot release the apply lease: let the rerun take it over after 5 s
          // instead of the default lifetime (2 min), which would only add waiting here.
          env: { ENTRA_PHOTOS_LEASE_TTL_SECONDS: process.env.ENTRA_PHOTOS_LEASE_TTL_SECONDS ?? '5' },
          onSpawn: (child) => {
            if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          },
        });
        clearTimeout(timer);
        if (run.signal === 'SIGKILL') kills++;
        // Invariant: the tag on origin never leads the tenant.
        const tag = tagOnOrigin();
        const k = revisions.findIndex((r) => r.head === tag);
        if (tag && k < 0) {
          violations++;
          console.log(`  VIOLATION: tag at ${tag}, which was never applied`);
        } else if (k >= 0) {
          // Every user whose photo in revision k is variant X must hold a photo of variant X or of
          // a later revision's variant: compare with what the tenant held right after revision k completed.
          const live = await shaOfLive();
          const base = revisions[k].expected;
          if (base) {
            const later = revisions.slice(k + 1);
            const behind = seeds.filter((u, i) => live.get(u.id) !== base.get(u.id) && !later.some((r) => r.variantOf(i) !== revisions[k].variantOf(i)));
            if (behind.length) {
              violations++;
              console.log(`  VIOLATION after ${run.signal ? `a kill at ${killAfterMs} ms` : 'a run'}: tag at ${label} revision ${k + 1} but ${behind.length} users lack its photo`);
            }
          }
        }
        console.log(`  ${label}, run ${runs}: ${run.signal ? `killed at ${killAfterMs} ms` : `exit ${run.code}, record ${run.json?.record}, ${run.json?.counts?.uploaded} uploaded, ${run.json?.alreadyLanded ?? 0} already landed`}`);
        if (!run.signal) {
          if (run.code !== 0) throw new Error(`apply failed: ${run.stderr || run.stdout.slice(0, 3000)}`);
          break;
        }
        if (runs > KILLS + 3) throw new Error('did not converge');
      }
      if (tagOnOrigin() !== head) {
        violations++;
        console.log(`  VIOLATION: after the final run the tag is not at ${label}'s head`);
      }
      revision.expected = await shaOfLive();
      const missing = seeds.filter((u) => !revision.expected.get(u.id)).length;
      const okPuts = (await emulator.admin.requests()).filter((r) => r.method === 'PUT' && r.status === 200).length - okBefore;
      const changed = label === 'first import' ? N : seeds.filter((_, i) => i % 3 !== 0).length;
      rows.push({ label, runs, kills, changed, okPuts, missing });
    }
    // Nothing lost: the final tenant equals a clean apply of the final head.
    const clean = await startEmulator({ users: seeds, throttle: 'off', scratch });
    let differ = -1;
    try {
      const fresh = path.join(scratch, 'fresh');
      execFileSync('git', ['clone', '-q', origin, fresh]);
      const run = await runApply({ repo: fresh, emulator: clean, fresh: true, environment: 'reference' });
      if (run.code !== 0) throw new Error(`reference apply failed: ${run.stderr}`);
      const ref = new Map((await clean.admin.state()).users.map((u) => [u.id, u.photo?.sha256]));
      const live = await shaOfLive();
      differ = seeds.filter((u) => ref.get(u.id) !== live.get(u.id)).length;
    } finally {
      await clean.stop();
    }
    console.log('\n| revision | runs | SIGKILLs | changed users | successful PUTs | re-uploads caused by kills | users without a photo |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.label} | ${r.runs} | ${r.kills} | ${r.changed} | ${r.okPuts} | ${r.okPuts - r.changed} (${fmt((100 * (r.okPuts - r.changed)) / r.changed, 1)}%) | ${r.missing} |`);
    console.log(`\nrecord-ahead-of-tenant violations: ${violations}; users differing from a clean apply of the final head: ${differ}`);
    if (violations || differ !== 0) process.exitCode = 1;
  } finally {
    await emulator.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

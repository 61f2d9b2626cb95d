/**
 * apply and drift's fix over the in-memory target (test/helpers/fakeTarget.ts): real git
 * repositories in temp dirs, real normalising, the real ledger and lease; no emulator, no dist.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRevision, type ApplyOptions, type ApplyResult } from '../../../src/apply/apply.js';
import { ApplyLease } from '../../../src/apply/lock.js';
import { fixDrift } from '../../../src/drift/fix.js';
import type { DriftResult } from '../../../src/drift/drift.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';
import { FakeTarget, type FakeSubject } from '../../helpers/fakeTarget.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const NAMES = ['ada', 'grace', 'alan', 'kate', 'margaret'];
const subject = (name: string, extra: Partial<FakeSubject> = {}): FakeSubject => ({ id: `id-${name}`, userPrincipalName: `${name}@contoso.edu`, displayName: name, ...extra });

let scratch: Awaited<ReturnType<typeof tempDir>>;
let repo: string;

const portrait = (r: number, g: number, b: number) => sharp({ create: { width: 160, height: 160, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();
/** A photo that perceptual comparison tells apart from the others: a split of two colours. */
async function distinctPortrait(seed: number): Promise<Buffer> {
  const left = await sharp({ create: { width: 80, height: 160, channels: 3, background: { r: (seed * 97) % 256, g: (seed * 57) % 256, b: (seed * 31) % 256 } } }).png().toBuffer();
  return sharp({ create: { width: 160, height: 160, channels: 3, background: { r: 255 - ((seed * 97) % 256), g: 255 - ((seed * 13) % 256), b: (seed * 71) % 256 } } })
    .composite([{ input: left, left: seed % 2 ? 0 : 80, top: 0 }])
    .jpeg()
    .toBuffer();
}

function manifest(entries: string[], policy = ''): string {
  return `version: 1\nphotoRoot: photos\nusers:\n${entries.join('')}${policy}`;
}
const entry = (user: string, photo: string) => `  - user: ${user}\n    photo: ${photo}\n`;

async function commit(files: Record<string, string | Buffer>, message: string): Promise<string> {
  await writeTree(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

function apply(target: FakeTarget, extra: Partial<ApplyOptions> = {}): Promise<ApplyResult> {
  return applyRevision({ repo, head: 'HEAD', environment: 'test', prune: false, dryRun: false, allowPolicyLockout: false, ...extra }, target);
}

const statusOf = (result: ApplyResult) => Object.fromEntries(result.outcomes.map((o) => [o.key.value, o.status]));

beforeEach(async () => {
  scratch = await tempDir('entra-photos-fake-');
  repo = path.join(scratch.dir, 'repo');
  git(scratch.dir, 'init', '-q', '-b', 'main', repo);
  const files: Record<string, Buffer | string> = {};
  for (const [i, name] of NAMES.entries()) files[`photos/${name}.jpg`] = await distinctPortrait(i + 1);
  files['manifests/staff.yaml'] = manifest(NAMES.map((n) => entry(`${n}@contoso.edu`, `${n}.jpg`)));
  await commit(files, 'five staff');
});
afterEach(async () => {
  await scratch?.cleanup();
});

describe('apply over the fake target', () => {
  it('uploads every photo, advances the record, and a re-run writes nothing', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    const first = await apply(target);
    expect(first.record).toBe('advanced');
    expect(first.appliedRevision).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(Object.values(statusOf(first))).toEqual(Array(5).fill('uploaded'));
    expect([...target.photos.keys()].sort()).toEqual(NAMES.map((n) => `id-${n}`).sort());
    // The photo sent is the normalised one: a 648×648 JPEG.
    expect(await sharp(target.photos.get('id-ada')!).metadata()).toMatchObject({ format: 'jpeg', width: 648, height: 648 });

    // The record is the target's own: the fake's tag, not Entra's.
    expect(git(repo, 'tag', '--list', 'entra-photos/*')).toBe('entra-photos/fake/applied/test');

    const again = await apply(target);
    expect(again.record).toBe('unchanged');
    expect(again.outcomes).toEqual([]);
    expect(target.writes).toHaveLength(5);
  });

  it('a failed write fails only that user; the record holds, and the next run sends only what did not land', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    expect((await apply(target)).record).toBe('advanced');
    const base = git(repo, 'rev-parse', 'HEAD');

    // Three retakes; Grace's write fails.
    await commit({ 'photos/ada.jpg': await distinctPortrait(11), 'photos/grace.jpg': await distinctPortrait(12), 'photos/alan.jpg': await distinctPortrait(13) }, 'retakes');
    target.writes.length = 0;
    target.fail('id-grace', 'put');
    const partial = await apply(target);
    expect(statusOf(partial)).toEqual({ 'ada@contoso.edu': 'uploaded', 'grace@contoso.edu': 'failed', 'alan@contoso.edu': 'uploaded' });
    expect(partial.outcomes.find((o) => o.status === 'failed')?.reason).toMatch(/fake put of id-grace failed/);
    expect(partial.record).toBe('not-complete');
    expect(partial.appliedRevision).toBe(base);

    // The next run resumes from the progress notes: Ada and Alan landed and are not sent again.
    target.clearFaults();
    target.writes.length = 0;
    const resumed = await apply(target);
    expect(resumed.alreadyLanded).toBe(2);
    expect(statusOf(resumed)).toEqual({ 'grace@contoso.edu': 'uploaded' });
    expect(target.writes).toEqual([{ op: 'put', id: 'id-grace' }]);
    expect(resumed.record).toBe('advanced');
  });

  it('with no record yet, photos the target already holds are compared and not sent again', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    expect((await apply(target, { environment: 'first' })).record).toBe('advanced');
    target.writes.length = 0;
    // Another environment record (as after `export`): every photo is already there but one.
    await commit({ 'photos/kate.jpg': await distinctPortrait(21) }, 'one retake');
    const adopted = await apply(target, { environment: 'second' });
    expect(adopted.alreadyLanded).toBe(4);
    expect(statusOf(adopted)).toEqual({ 'kate@contoso.edu': 'uploaded' });
    expect(target.writes).toEqual([{ op: 'put', id: 'id-kate' }]);
    expect(target.calls.download).toBe(5);
  });

  it('waits for another run holding the lease: cancelled while waiting, it writes nothing', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    const other = new ApplyLease({ repo, environment: 'test', target: 'fake', holder: 'another run' });
    await other.acquire();
    try {
      const controller = new AbortController();
      const lines: string[] = [];
      const run = apply(target, { signal: controller.signal, log: (l) => lines.push(l) });
      setTimeout(() => controller.abort(), 300);
      await expect(run).rejects.toThrow(/Another apply to test \(another run\).*nothing was written/);
      expect(lines.join('\n')).toMatch(/waiting for it to finish/);
      expect(target.writes).toEqual([]);
    } finally {
      await other.release();
    }
    // Released, the next run takes the lease and applies.
    expect((await apply(target)).record).toBe('advanced');
  });

  it('two keys of one subject: neither is written, both fail as same-user, the rest lands', async () => {
    const target = new FakeTarget({ subjects: [...NAMES.map((n) => subject(n)), subject('zed', { mail: 'z.alias@contoso.edu' })] });
    await commit(
      {
        'photos/zed1.jpg': await distinctPortrait(31),
        'photos/zed2.jpg': await distinctPortrait(32),
        'manifests/more.yaml': manifest([entry('zed@contoso.edu', 'zed1.jpg'), entry('z.alias@contoso.edu', 'zed2.jpg')]),
      },
      'zed twice',
    );
    const result = await apply(target);
    const zed = result.outcomes.filter((o) => o.key.value.includes('z'));
    expect(zed.map((o) => [o.key.value, o.status, o.code])).toEqual(
      expect.arrayContaining([
        ['zed@contoso.edu', 'failed', 'same-user'],
        ['z.alias@contoso.edu', 'failed', 'same-user'],
      ]),
    );
    expect(target.photos.has('id-zed')).toBe(false);
    expect(target.photos.size).toBe(5);
    expect(result.record).toBe('not-complete');
  });

  it('a key that names nobody waits (pending) and the record still advances', async () => {
    const target = new FakeTarget({ subjects: NAMES.filter((n) => n !== 'kate').map((n) => subject(n)) });
    const result = await apply(target);
    expect(statusOf(result)['kate@contoso.edu']).toBe('pending');
    expect(result.outcomes.find((o) => o.status === 'pending')).toMatchObject({ code: 'no-account', declaredAt: { file: 'manifests/staff.yaml' } });
    expect(result.record).toBe('advanced');
  });
});

describe('policy ordering over the fake target', () => {
  const withPolicy = (roles: string[]) => manifest(NAMES.map((n) => entry(`${n}@contoso.edu`, `${n}.jpg`)), `policy:\n  source: cloud\n  allowedRoles: [${roles.join(', ')}]\n`);

  it('a change that unblocks writes goes before the first photo', async () => {
    await commit({ 'manifests/staff.yaml': withPolicy(['User Administrator']) }, 'policy');
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)), policy: { source: 'onPremises', allowedRoles: [] } });
    target.roles = [USER_ADMIN];
    const result = await apply(target);
    expect(result.policy.status).toBe('applied');
    expect(target.writes[0]).toEqual({ op: 'policy-change', id: 'policy' });
    expect(target.writes.filter((w) => w.op === 'put')).toHaveLength(5);
    expect(target.livePolicy).toEqual({ source: 'cloud', allowedRoles: [USER_ADMIN] });
    expect(result.record).toBe('advanced');
  });

  it('a change that restricts writes to roles the app holds goes after the photos', async () => {
    await commit({ 'manifests/staff.yaml': withPolicy(['User Administrator']) }, 'policy');
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)), policy: { source: 'cloud', allowedRoles: [] } });
    target.roles = [USER_ADMIN];
    const result = await apply(target);
    expect(result.policy.status).toBe('applied');
    expect(target.writes.at(-1)).toEqual({ op: 'policy-change', id: 'policy' });
    expect(target.writes.slice(0, -1).every((w) => w.op === 'put')).toBe(true);
  });

  it('a change that would lock the app out is refused; the photos still land and the record holds', async () => {
    await commit({ 'manifests/staff.yaml': withPolicy(['Global Administrator']) }, 'policy');
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)), policy: { source: 'cloud', allowedRoles: [] } });
    target.roles = [USER_ADMIN];
    const result = await apply(target);
    expect(result.policy.status).toBe('refused');
    expect(result.policy.message).toMatch(/could no longer write photos/);
    expect(target.writes.some((w) => w.op === 'policy-change')).toBe(false);
    expect(target.writes.filter((w) => w.op === 'put')).toHaveLength(5);
    expect(result.record).toBe('not-complete');
    expect(target.livePolicy?.allowedRoles).toEqual([]);
  });

  it('writes refused by a policy someone else set stop the run after the first refusals (the breaker)', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)), policy: { source: 'cloud', allowedRoles: [GLOBAL_ADMIN] } });
    const result = await apply(target);
    expect(result.halted?.code).toBe('photo-policy');
    const statuses = result.outcomes.map((o) => o.status);
    expect(statuses.filter((s) => s === 'failed').length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 'failed' || s === 'not-attempted')).toBe(true);
    // Fewer writes sent than users: the breaker stopped the rest unsent.
    expect(target.calls.put).toBeLessThan(NAMES.length);
    expect(result.halted?.message).toMatch(/403 ForbiddenByAdminEditPolicy/);
    expect(result.record).toBe('not-complete');
    expect(target.photos.size).toBe(0);
  });
});

describe("drift's fix over the fake target", () => {
  it('uploads exactly the drifted users and leaves the applied record alone', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    const applied = await apply(target);
    expect(applied.record).toBe('advanced');
    target.writes.length = 0;
    // Someone replaced Ada's photo in the tenant and removed Alan's: drift found them.
    target.photos.set('id-ada', await portrait(10, 10, 10));
    target.photos.delete('id-alan');
    const key = (user: string) => {
      const parsed = parseUserKey(user);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.key;
    };
    const drift = {
      head: applied.head,
      validation: applied.validation,
      threshold: 0.9,
      users: [
        { key: key('ada@contoso.edu'), photo: 'ada.jpg', declaredAt: { file: 'manifests/staff.yaml', line: 4, col: 5 }, status: 'different' },
        { key: key('alan@contoso.edu'), photo: 'alan.jpg', declaredAt: { file: 'manifests/staff.yaml', line: 8, col: 5 }, status: 'missing' },
        { key: key('grace@contoso.edu'), photo: 'grace.jpg', declaredAt: { file: 'manifests/staff.yaml', line: 6, col: 5 }, status: 'in-sync' },
      ],
      policy: { status: 'not-managed' },
      cancelled: false,
      durationMs: 0,
    } satisfies DriftResult;
    const fixed = await fixDrift(drift, { repo, environment: 'test' }, target);
    expect(fixed?.record).toBe('repair');
    expect(statusOf(fixed!)).toEqual({ 'ada@contoso.edu': 'uploaded', 'alan@contoso.edu': 'uploaded' });
    expect(target.writes.map((w) => w.id).sort()).toEqual(['id-ada', 'id-alan']);
    expect(fixed?.appliedRevision).toBe(applied.appliedRevision);
  });

  it('nothing drifted: nothing to do', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    const applied = await apply(target);
    const drift: DriftResult = { head: applied.head, validation: applied.validation, threshold: 0.9, users: [], policy: { status: 'in-sync' }, cancelled: false, durationMs: 0 };
    expect(await fixDrift(drift, { repo, environment: 'test' }, target)).toBeUndefined();
  });
});

// Keep the photo helper honest: distinct portraits differ, so "different" is not an accident.
it('the generated portraits are distinct', async () => {
  const a = await sharp(await distinctPortrait(1)).raw().toBuffer();
  const b = await sharp(await distinctPortrait(2)).raw().toBuffer();
  expect(a.equals(b)).toBe(false);
});

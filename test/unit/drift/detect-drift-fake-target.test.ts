/**
 * detectDrift over the in-memory target (test/helpers/fakeTarget.ts): drift reads through the
 * photo target port, with the same photo comparison as apply (comparePhotos in src/photo). Real
 * git repositories in temp dirs, real normalising; no emulator, no dist.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRevision } from '../../../src/apply/apply.js';
import { detectDrift, driftCounts, drifted, inSync } from '../../../src/drift/drift.js';
import { FakeTarget, type FakeSubject } from '../../helpers/fakeTarget.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

const NAMES = ['ada', 'grace', 'alan', 'kate'];
const subject = (name: string, extra: Partial<FakeSubject> = {}): FakeSubject => ({ id: `id-${name}`, userPrincipalName: `${name}@contoso.edu`, displayName: name, ...extra });

let scratch: Awaited<ReturnType<typeof tempDir>>;
let repo: string;

/** A photo that perceptual comparison tells apart from the others: a split of two colours. */
async function distinctPortrait(seed: number): Promise<Buffer> {
  const left = await sharp({ create: { width: 80, height: 160, channels: 3, background: { r: (seed * 97) % 256, g: (seed * 57) % 256, b: (seed * 31) % 256 } } }).png().toBuffer();
  return sharp({ create: { width: 160, height: 160, channels: 3, background: { r: 255 - ((seed * 97) % 256), g: 255 - ((seed * 13) % 256), b: (seed * 71) % 256 } } })
    .composite([{ input: left, left: seed % 2 ? 0 : 80, top: 0 }])
    .jpeg()
    .toBuffer();
}

const entry = (user: string, photo: string) => `  - user: ${user}\n    photo: ${photo}\n`;
const manifest = (policy = '') => `version: 1\nphotoRoot: photos\nusers:\n${NAMES.map((n) => entry(`${n}@contoso.edu`, `${n}.jpg`)).join('')}${policy}`;

async function commit(files: Record<string, string | Buffer>, message: string): Promise<void> {
  await writeTree(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
}

beforeEach(async () => {
  scratch = await tempDir('entra-photos-drift-fake-');
  repo = path.join(scratch.dir, 'repo');
  git(scratch.dir, 'init', '-q', '-b', 'main', repo);
  const files: Record<string, Buffer | string> = { 'manifests/staff.yaml': manifest() };
  for (const [i, name] of NAMES.entries()) files[`photos/${name}.jpg`] = await distinctPortrait(i + 1);
  await commit(files, 'four staff');
});

afterEach(async () => {
  await scratch.cleanup();
});

describe('detectDrift over the fake target', () => {
  it('in sync after apply; then a replaced, a removed and an undecodable photo, and a subject gone', async () => {
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    const applied = await applyRevision({ repo, head: 'HEAD', environment: 'test', prune: false, dryRun: false, allowPolicyLockout: false }, target);
    expect(applied.record).toBe('advanced');

    const clean = await detectDrift({ repo }, target);
    expect(inSync(clean)).toBe(true);
    expect(driftCounts(clean)['in-sync']).toBe(4);
    // Every comparison is of a stored photo (the fake stores the bytes sent: similarity 1).
    expect(clean.users.every((u) => u.similarity === 1 && u.tenantPhoto?.width === 648)).toBe(true);
    expect(target.writes).toHaveLength(4); // drift wrote nothing

    target.photos.set('id-ada', await distinctPortrait(9));
    target.photos.delete('id-grace');
    target.photos.set('id-alan', Buffer.from('not a photo'));
    target.subjects.delete('id-kate');
    const result = await detectDrift({ repo }, target);
    const status = Object.fromEntries(result.users.map((u) => [u.key.value, u.status]));
    expect(status).toEqual({ 'ada@contoso.edu': 'different', 'grace@contoso.edu': 'missing', 'alan@contoso.edu': 'different', 'kate@contoso.edu': 'unresolved' });
    const byKey = new Map(result.users.map((u) => [u.key.value, u]));
    expect(byKey.get('ada@contoso.edu')?.similarity).toBeLessThan(result.threshold);
    expect(byKey.get('ada@contoso.edu')?.reason).toMatch(/is not the repository's: similarity/);
    expect(byKey.get('alan@contoso.edu')).toMatchObject({ similarity: 0, tenantPhoto: { width: 0, height: 0, bytes: 11 } });
    expect(byKey.get('alan@contoso.edu')?.reason).toMatch(/could not be decoded/);
    expect(byKey.get('kate@contoso.edu')?.reason).toMatch(/No subject kate@contoso.edu/);
    expect(drifted(result).map((u) => u.key.value).sort()).toEqual(['ada@contoso.edu', 'alan@contoso.edu', 'grace@contoso.edu']);
    expect(inSync(result)).toBe(false);
  });

  it('a declared policy is compared through the policy extension', async () => {
    await commit({ 'manifests/staff.yaml': manifest('policy:\n  allowedRoles: []\n') }, 'policy');
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)), policy: { source: 'cloud', allowedRoles: ['62e90394-69f5-4237-9190-012177145e10'] } });
    const result = await detectDrift({ repo }, target);
    expect(result.policy).toMatchObject({ status: 'different', declared: { allowedRoles: [] }, tenant: { allowedRoles: ['62e90394-69f5-4237-9190-012177145e10'] } });
    expect(target.calls['policy-read']).toBe(1);
  });

  it('a declared policy on a target without a policy extension is an error, not a crash', async () => {
    await commit({ 'manifests/staff.yaml': manifest('policy:\n  allowedRoles: []\n') }, 'policy');
    const target = new FakeTarget({ subjects: NAMES.map((n) => subject(n)) });
    const result = await detectDrift({ repo }, target);
    expect(result.policy).toEqual({ status: 'error', reason: 'The manifests declare a photo update policy, and the fake target has none.' });
    expect(inSync(result)).toBe(false);
    expect(driftCounts(result).missing).toBe(4);
  });
});

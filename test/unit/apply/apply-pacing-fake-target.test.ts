/**
 * One pacing engine for every target: apply's pacer takes the target's classifier, so a target
 * whose throttling is not Graph's (here the fake's own error type, with no HTTP status, like
 * Google's 403 userRateLimitExceeded) is paced and retried, not failed on its first refusal.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { applyRevision } from '../../../src/apply/apply.js';
import { classifyHttpFailure, pacingClassifierOf } from '../../../src/pacing/index.js';
import { FakeTarget, FakeTargetError } from '../../helpers/fakeTarget.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

const NAMES = ['ada', 'grace', 'alan', 'kate'];
let scratch: Awaited<ReturnType<typeof tempDir>>;
let repo: string;

beforeEach(async () => {
  scratch = await tempDir('entra-photos-pacing-fake-');
  repo = path.join(scratch.dir, 'repo');
  git(scratch.dir, 'init', '-q', '-b', 'main', repo);
  const files: Record<string, Buffer | string> = {
    'manifests/staff.yaml': `version: 1\nphotoRoot: photos\nusers:\n${NAMES.map((n) => `  - user: ${n}@contoso.edu\n    photo: ${n}.jpg\n`).join('')}`,
  };
  for (const [i, name] of NAMES.entries()) files[`photos/${name}.jpg`] = await sharp({ create: { width: 160, height: 160, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } } }).jpeg().toBuffer();
  await writeTree(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'staff');
});

afterEach(async () => {
  await scratch.cleanup();
});

const apply = (target: FakeTarget) => applyRevision({ repo, head: 'HEAD', environment: 'test', prune: false, dryRun: false, allowPolicyLockout: false }, target);

it("the fake's own throttling and transient failures are paced and retried: every photo lands", async () => {
  const target = new FakeTarget({ subjects: NAMES.map((n) => ({ id: `id-${n}`, userPrincipalName: `${n}@contoso.edu` })) });
  target.fail('id-ada', 'put', 'throttled', { times: 2, retryAfterSeconds: 0.05 });
  target.fail('id-grace', 'put', 'throttled', { times: 1 });
  target.fail('id-alan', 'put', 'transient', { times: 1 });
  const result = await apply(target);
  expect(Object.fromEntries(result.outcomes.map((o) => [o.key.value, o.status]))).toEqual({ 'ada@contoso.edu': 'uploaded', 'grace@contoso.edu': 'uploaded', 'alan@contoso.edu': 'uploaded', 'kate@contoso.edu': 'uploaded' });
  expect(result.record).toBe('advanced');
  expect(target.photos.size).toBe(4);
  // Four writes landed after four refused attempts: 3 throttled, 1 transient, each retried.
  expect(target.calls.put).toBe(8);
  expect(result.pacer).toMatchObject({ succeeded: 4, failed: 0, throttled: 3, retries: 4 });
  expect(result.pacer?.outcomes['FakeTargetError']).toBe(4);
});

it('a final failure of the fake is still final: one attempt, the others land', async () => {
  const target = new FakeTarget({ subjects: NAMES.map((n) => ({ id: `id-${n}`, userPrincipalName: `${n}@contoso.edu` })) });
  target.fail('id-kate', 'put', 'fatal');
  const result = await apply(target);
  expect(result.outcomes.find((o) => o.key.value === 'kate@contoso.edu')?.status).toBe('failed');
  expect(target.calls.put).toBe(4);
  expect(target.photos.size).toBe(3);
  expect(result.record).toBe('not-complete');
});

it("the port's kinds map to pacing's: policy refusals and missing permissions are final; the default HTTP rules know nothing of the fake", () => {
  const classify = pacingClassifierOf(new FakeTarget());
  expect(classify(new FakeTargetError('throttled', 'slow down', 2))).toEqual({ kind: 'throttled', retryAfterSeconds: 2 });
  expect(classify(new FakeTargetError('transient', 'again'))).toEqual({ kind: 'transient', retryAfterSeconds: undefined });
  expect(classify(new FakeTargetError('refused-by-policy', 'no')).kind).toBe('fatal');
  expect(classify(new FakeTargetError('forbidden', 'no')).kind).toBe('fatal');
  expect(classifyHttpFailure(new FakeTargetError('throttled', 'slow down', 2)).kind).toBe('fatal');
  expect(classifyHttpFailure(Object.assign(new Error('429'), { status: 429, retryAfterSeconds: 3 }))).toEqual({ kind: 'throttled', retryAfterSeconds: 3 });
  expect(classifyHttpFailure(Object.assign(new Error('aborted'), { status: 0, code: 'AbortError' })).kind).toBe('fatal');
  expect(classifyHttpFailure(Object.assign(new Error('reset'), { status: 0, code: 'ECONNRESET' })).kind).toBe('transient');
  expect(classifyHttpFailure(Object.assign(new Error('bad'), { status: 501 })).kind).toBe('fatal');
});

/**
 * Issue 13, part 4: text for people says what happened in words. Internal values (`not-managed`,
 * `would-apply`, `in-sync`, `would-upload`...) stay in the JSON only; one headline per run.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyResult, PolicyOutcome } from '../../../src/apply/apply.js';
import type { DriftResult } from '../../../src/drift/drift.js';
import { parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import { applyHeadline, applyJson, applyMarkdown, applyText } from '../../../src/report/apply.js';
import { driftHeadline, driftJson, driftMarkdown, driftText } from '../../../src/report/drift.js';
import type { ValidationResult } from '../../../src/validate/validate.js';

const upn = (v: string): UserKey => {
  const r = parseUserKey(v);
  if (!r.ok) throw new Error(r.message);
  return r.key;
};
const at = { file: 'manifests/staff.yaml', line: 4, col: 11 };
const validation: ValidationResult = { findings: [], manifestFiles: [], users: [], decoded: [], stats: { manifests: 1, users: 0, photos: 0, photosDecoded: 0 } };
const ENUMS = /not-managed|would-apply|would-upload|would-remove|not-attempted|in-sync|\bt1 record\b|stays at nothing|In sync: \d+ in sync/;

const apply = (overrides: Partial<ApplyResult> = {}): ApplyResult => ({
  environment: 't1',
  base: null as unknown as string,
  head: 'b'.repeat(40),
  validation,
  alreadyLanded: 0,
  outcomes: [
    { key: upn('ada@contoso.edu'), action: 'upload', status: 'would-upload', photo: 'photos/ada.jpg' },
    { key: upn('bo@contoso.edu'), action: 'upload', status: 'failed', photo: 'photos/bo.jpg', reason: 'Graph: 500' },
    { key: upn('cy@contoso.edu'), action: 'upload', status: 'not-attempted', photo: 'photos/cy.jpg' },
  ],
  policy: { status: 'not-managed' },
  record: 'not-complete',
  cancelled: false,
  durationMs: 10,
  ...overrides,
} as ApplyResult);

describe('apply reports in words', () => {
  it('no internal values in the headline, text or Markdown; the JSON keeps them', () => {
    for (const status of ['not-managed', 'unchanged', 'applied', 'would-apply', 'refused', 'failed', 'skipped'] as PolicyOutcome['status'][]) {
      const result = apply({ policy: { status } as PolicyOutcome });
      expect(applyHeadline(result), status).not.toMatch(ENUMS);
      expect(applyHeadline(result), status).not.toMatch(new RegExp(`policy ${status}\\b`));
      expect(applyText(result), status).not.toMatch(ENUMS);
      expect(applyMarkdown(result), status).not.toMatch(ENUMS);
    }
    expect(applyHeadline(apply({ policy: { status: 'would-apply' } as PolicyOutcome }))).toContain('the photo policy would be updated');
    expect(applyText(apply())).toContain('Nothing is recorded as applied to t1 yet');
    expect(applyText(apply({ appliedRevision: 'a'.repeat(40) }))).toContain('t1 stays recorded at aaaaaaaaaaaa');
    expect(applyMarkdown(apply())).toContain('| upload | would upload | photos/ada&#46;jpg |');
    expect(applyJson(apply()).outcomes.map((o) => o.status)).toEqual(['would-upload', 'failed', 'not-attempted']);
    expect(applyJson(apply()).policy.status).toBe('not-managed');
  });
});

describe('drift reports in words', () => {
  const drift = (overrides: Partial<DriftResult> = {}): DriftResult => ({
    head: 'c0ffee',
    validation,
    threshold: 0.975,
    users: Array.from({ length: 39 }, (_, i) => ({ key: upn(`u${i}@contoso.edu`), photo: `photos/u${i}.jpg`, declaredAt: at, status: 'in-sync' as const, similarity: 0.99 })),
    policy: { status: 'in-sync' },
    cancelled: false,
    durationMs: 5,
    ...overrides,
  });

  it('in sync: one headline, no "In sync: 39 in sync"', () => {
    const result = drift();
    expect(driftHeadline(result)).toBe("No drift: all 39 users' photos match the repository; the tenant's photo policy matches (0.0 s).");
    expect(driftText(result)).toBe(`${driftHeadline(result)}\n`);
    expect(driftMarkdown(result)).not.toMatch(ENUMS);
    expect(driftJson(result).counts['in-sync']).toBe(39);
  });

  it('drift: different and missing in words, the policy in words', () => {
    const result = drift({
      users: [
        { key: upn('ada@contoso.edu'), photo: 'photos/ada.jpg', declaredAt: at, status: 'different', similarity: 0.4 },
        { key: upn('bo@contoso.edu'), photo: 'photos/bo.jpg', declaredAt: at, status: 'missing' },
        { key: upn('cy@contoso.edu'), photo: 'photos/cy.jpg', declaredAt: at, status: 'in-sync', similarity: 0.99 },
      ],
      policy: { status: 'not-managed' },
    });
    expect(driftHeadline(result)).toBe('Drift: 1 different, 1 missing, 1 matching; the photo policy is not managed by the manifests (0.0 s).');
    expect(driftText(result)).toContain('[different photo]');
    expect(driftText(result)).toContain('[no photo in the tenant]');
    expect(driftText(result)).not.toMatch(ENUMS);
    expect(driftMarkdown(result)).not.toMatch(ENUMS);
    expect(driftJson(result).users.map((u) => u.status)).toEqual(['different', 'missing', 'in-sync']);
  });
});

describe('import report in words', () => {
  it('the headline and groups name each status in words', async () => {
    const { importHeadline, importText } = await import('../../../src/report/import.js');
    const result = {
      dryRun: false,
      durationMs: 100,
      manifest: 'manifests/students.yaml',
      keys: [],
      rows: [
        { status: 'imported', message: 'a' },
        { status: 'missing-file', message: 'INDEX.TXT:3: no file' },
        { status: 'no-id', message: 'INDEX.TXT:8: no id' },
      ],
    } as unknown as Parameters<typeof importHeadline>[0];
    expect(importHeadline(result)).toBe('Import: 1 photo file missing, 1 without an id, 1 imported (0.1 s).');
    expect(importText(result)).toContain('Photo file missing (1):');
    expect(importText(result)).not.toMatch(/missing-file|no-id/);
  });
});

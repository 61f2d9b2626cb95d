/**
 * Issue 13, part 2: reviewers approve people, not numbers. The manifest's optional `name:` is
 * carried to every report beside the key, and it is display only: a name change alone is not a
 * photo change.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../src/apply/apply.js';
import { userNames } from '../../../src/apply/names.js';
import type { DesiredPhoto, DesiredState } from '../../../src/desired/desired.js';
import type { DriftResult } from '../../../src/drift/drift.js';
import { parseManifest } from '../../../src/manifest/parse.js';
import { manifestSchema } from '../../../src/manifest/schema.js';
import { describeUser, parseEmployeeId, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import { diffDesired } from '../../../src/plan/plan.js';
import { applyJson, applyMarkdown, applyText } from '../../../src/report/apply.js';
import { driftJson, driftMarkdown, driftText } from '../../../src/report/drift.js';
import { planJson, planMarkdown, planText } from '../../../src/report/plan.js';
import type { ValidationResult } from '../../../src/validate/validate.js';

const emp = (v: string): UserKey => {
  const r = parseEmployeeId(v);
  if (!r.ok) throw new Error(r.message);
  return r.key;
};
const upn = (v: string): UserKey => {
  const r = parseUserKey(v);
  if (!r.ok) throw new Error(r.message);
  return r.key;
};
const at = { file: 'manifests/students.yaml', line: 4, col: 17 };
const settings = { enabled: true, crop: 'centre' } as const;
const photo = (key: UserKey, blob: string, name?: string): DesiredPhoto => ({
  key,
  ...(name ? { name } : {}),
  photoPath: `photos/${key.value}.jpg`,
  blobId: blob,
  settings,
  fingerprint: `${blob}:n`,
  declaredAt: at,
});
const state = (label: string, photos: DesiredPhoto[]): DesiredState => ({ label, users: new Map(photos.map((p) => [p.key.canonical, p])) });
const validation: ValidationResult = { findings: [], manifestFiles: [], users: [], decoded: [], stats: { manifests: 1, users: 0, photos: 0, photosDecoded: 0 } };

describe('manifest name:', () => {
  it('is parsed (trimmed), optional, and in the published schema', () => {
    const { manifest, findings } = parseManifest(
      'manifests/a.yaml',
      'version: 1\nusers:\n  - employeeId: "41002"\n    name: "  Ada Lovelace "\n    photo: a.jpg\n  - user: bo@contoso.edu\n    photo: b.jpg\n',
    );
    expect(findings).toEqual([]);
    expect(manifest!.users.map((u) => u.name)).toEqual(['Ada Lovelace', undefined]);
    expect(manifestSchema.definitions.user.properties.name.type).toBe('string');
  });

  it('must be text, not empty and at most 256 characters', () => {
    const bad = (value: string) => parseManifest('m.yaml', `version: 1\nusers:\n  - user: a@contoso.edu\n    name: ${value}\n    photo: a.jpg\n`).findings;
    expect(bad('""')[0]).toMatchObject({ severity: 'error', line: 4, message: expect.stringContaining('"name" of users entry 1 is empty') });
    expect(bad('[a, b]')[0]).toMatchObject({ severity: 'error', line: 4, message: expect.stringContaining('must be text') });
    expect(bad(`"${'x'.repeat(257)}"`)[0]).toMatchObject({ severity: 'error', line: 4 });
  });

  it('a misspelt key suggests name', () => {
    const { findings } = parseManifest('m.yaml', 'version: 1\nusers:\n  - user: a@contoso.edu\n    nmae: Ada\n    photo: a.jpg\n');
    expect(findings[0]!.message).toContain('Did you mean "name"?');
  });
});

describe('a name is display only', () => {
  it('a name change alone is not a change; with a photo change the plan carries the new name', () => {
    const base = state('base', [photo(emp('41002'), 'b1', 'Ada'), photo(emp('41003'), 'b2')]);
    const renamed = state('head', [photo(emp('41002'), 'b1', 'Ada Lovelace'), photo(emp('41003'), 'b2', 'Bo Diddley')]);
    expect(diffDesired(base, renamed)).toMatchObject({ uploads: [], removals: [], unchanged: 2 });
    const retake = state('head', [photo(emp('41002'), 'b9', 'Ada Lovelace'), photo(emp('41003'), 'b2')]);
    expect(diffDesired(base, retake).uploads).toMatchObject([{ key: emp('41002'), name: 'Ada Lovelace', reason: 'replaced' }]);
    expect(diffDesired(base, state('head', [])).removals).toMatchObject([{ name: 'Ada' }, { key: emp('41003') }]);
  });
});

describe('reports show the name beside the key', () => {
  const plan = diffDesired(state('base', [photo(emp('41003'), 'b2', 'Bo Diddley')]), state('head', [photo(emp('41002'), 'b1', 'Ada Lovelace'), photo(upn('cy@contoso.edu'), 'b3')]), { prune: true });

  it('plan: text, Markdown (row and thumbnail alt) and JSON', () => {
    expect(planText(plan)).toContain('+ employeeId 41002 (Ada Lovelace)  photos/41002.jpg');
    expect(planText(plan)).toContain('- employeeId 41003 (Bo Diddley)');
    expect(planText(plan)).toContain('+ cy@contoso.edu  photos/');
    const md = planMarkdown(plan, { photoUrl: (p) => `https://github.example/o/r/blob/c0ffee/${p}?raw=true` });
    expect(md).toContain('alt="Ada Lovelace">');
    expect(md).toContain('| employeeId 41002 &#40;Ada Lovelace&#41; |');
    expect(md).toContain('| employeeId 41003 &#40;Bo Diddley&#41; |');
    expect(md).toContain('alt="">'); // no name: an empty alt, as before
    const json = planJson(plan);
    expect(json.uploads[0]).toMatchObject({ user: '41002', keyType: 'employeeId', name: 'Ada Lovelace' });
    expect(json.uploads[1]).not.toHaveProperty('name');
    expect(json.removals[0]).toMatchObject({ user: '41003', name: 'Bo Diddley' });
  });

  it('apply: the manifest name wins over the tenant displayName, which fills in', () => {
    const names = userNames([state('head', [photo(emp('41002'), 'b1', 'Ada Lovelace'), photo(emp('41004'), 'b4')]), state('base', [photo(emp('41003'), 'b2', 'Bo Diddley')])], new Map([
      [emp('41002').canonical, { id: 'i1', userPrincipalName: 'ada@contoso.edu', displayName: 'Lovelace, Ada', matchedBy: 'employeeId' as const }],
      [emp('41004').canonical, { id: 'i4', userPrincipalName: 'dee@contoso.edu', displayName: 'Dee Dee', matchedBy: 'employeeId' as const }],
      [emp('41005').canonical, { notFound: true as const, problem: 'not-found' as const, reason: 'No user.' }],
    ]));
    expect(Object.fromEntries(names)).toEqual({ 'employeeId:41002': 'Ada Lovelace', 'employeeId:41003': 'Bo Diddley', 'employeeId:41004': 'Dee Dee' });
    const result: ApplyResult = {
      environment: 'production',
      base: 'a',
      head: 'b',
      validation,
      alreadyLanded: 0,
      outcomes: [
        { key: emp('41002'), action: 'upload', status: 'uploaded', photo: 'photos/41002.jpg' },
        { key: emp('41004'), action: 'upload', status: 'failed', photo: 'photos/41004.jpg', reason: 'Graph: 500' },
        { key: emp('41005'), action: 'upload', status: 'uploaded', photo: 'photos/41005.jpg' },
        { key: emp('41003'), action: 'upload', status: 'pending', code: 'no-account', photo: 'photos/41003.jpg', declaredAt: at, reason: 'No user in the tenant has employeeId 41003.' },
      ],
      policy: { status: 'not-managed' },
      appliedRevision: 'a',
      record: 'not-complete',
      cancelled: false,
      durationMs: 10,
      names,
    };
    expect(applyText(result)).toContain('✗ employeeId 41004 (Dee Dee) (upload photos/41004.jpg): Graph: 500');
    // Waiting for an account: the tenant has no displayName to give, the manifest's name is shown.
    expect(applyText(result)).toContain('… employeeId 41003 (Bo Diddley) (manifests/students.yaml:4)');
    expect(applyMarkdown(result)).toContain('| employeeId 41003 &#40;Bo Diddley&#41; | manifests/students&#46;yaml&#58;4 |');
    expect(applyJson(result).waiting).toMatchObject([{ user: 'employeeId 41003', name: 'Bo Diddley' }]);
    const md = applyMarkdown(result);
    expect(md).toContain('| employeeId 41002 &#40;Ada Lovelace&#41; | upload | uploaded |');
    expect(md).toContain('| employeeId 41005 | upload | uploaded |');
    expect(applyJson(result).outcomes.map((o) => o.name)).toEqual(['Ada Lovelace', 'Dee Dee', undefined, 'Bo Diddley']);
  });

  it('drift: text, Markdown and JSON', () => {
    const drift: DriftResult = {
      head: 'c0ffee',
      validation,
      threshold: 0.9,
      users: [{ key: emp('41002'), name: 'Ada Lovelace', photo: 'photos/41002.jpg', declaredAt: at, status: 'missing', reason: 'The tenant has no photo for this user.' }],
      policy: { status: 'not-managed' },
      cancelled: false,
      durationMs: 5,
    };
    expect(driftText(drift)).toContain('+ employeeId 41002 (Ada Lovelace)  photos/41002.jpg  [no photo in the tenant]');
    expect(driftMarkdown(drift)).toContain('| employeeId 41002 &#40;Ada Lovelace&#41; |');
    expect(driftJson(drift).users[0]).toMatchObject({ user: '41002', name: 'Ada Lovelace' });
  });

  it('describeUser keeps a hostile name on one line', () => {
    expect(describeUser(emp('1'), 'a\nb\u202e')).toBe('employeeId 1 (a\\nb\\u{202e})');
    expect(describeUser(emp('1'), '  ')).toBe('employeeId 1');
  });
});

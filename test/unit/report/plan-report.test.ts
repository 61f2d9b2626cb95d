import { describe, expect, it } from 'vitest';
import type { DesiredPolicy } from '../../../src/desired/desired.js';
import { parseEmployeeId, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import type { Plan } from '../../../src/plan/plan.js';
import { planHeadline, planJson, planMarkdown, planText, policyWarnings } from '../../../src/report/plan.js';

const upn = (v: string): UserKey => {
  const r = parseUserKey(v);
  if (!r.ok) throw new Error(r.message);
  return r.key;
};
const emp = (v: string): UserKey => {
  const r = parseEmployeeId(v);
  if (!r.ok) throw new Error(r.message);
  return r.key;
};
const at = { file: 'manifests/a.yaml', line: 3, col: 11 };
const normalised = { enabled: true, crop: 'centre' } as const;
const policy = (roles: string[] | undefined, source: DesiredPolicy['source'] = 'cloud'): DesiredPolicy => ({ source, ...(roles ? { allowedRoles: roles } : {}), declaredAt: at });

const plan = (overrides: Partial<Plan> = {}): Plan => ({
  base: 'aaaaaaaaaaaa',
  head: 'bbbbbbbbbbbb',
  uploads: [
    { key: emp('10023'), photo: 'photos/students/10023.jpg', reason: 'new', fingerprint: 'x', settings: normalised, declaredAt: at },
    { key: upn('ada@contoso.edu'), photo: 'photos/staff/ada.jpg', reason: 'replaced', previousPhoto: 'photos/staff/ada-old.jpg', fingerprint: 'y', settings: normalised, declaredAt: at },
  ],
  removals: [{ key: upn('gone@contoso.edu'), photo: 'photos/staff/gone.jpg' }],
  prune: false,
  policy: null,
  unchanged: 40,
  ...overrides,
});

describe('plan report builders', () => {
  it('JSON has the documented shape', () => {
    expect(planJson(plan({ policy: { from: null, to: policy(['fe930be7-5e62-47db-91af-98c3a49a38b1']) } }))).toEqual({
      base: 'aaaaaaaaaaaa',
      head: 'bbbbbbbbbbbb',
      uploads: [
        { user: '10023', keyType: 'employeeId', photo: 'photos/students/10023.jpg', reason: 'new' },
        { user: 'ada@contoso.edu', keyType: 'upn', photo: 'photos/staff/ada.jpg', reason: 'replaced', previousPhoto: 'photos/staff/ada-old.jpg' },
      ],
      removals: [{ user: 'gone@contoso.edu', keyType: 'upn', photo: 'photos/staff/gone.jpg' }],
      prune: false,
      policy: { from: null, to: { source: 'cloud', allowedRoles: [{ id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', name: 'User Administrator' }] } },
      unchanged: 40,
    });
  });

  it('headline and text name every change', () => {
    expect(planHeadline(plan())).toBe('Plan: 1 new, 1 replaced, 1 to remove (not pruned), 40 unchanged; policy unchanged.');
    const text = planText(plan());
    expect(text).toContain('+ employeeId 10023  photos/students/10023.jpg  [new]');
    expect(text).toContain('~ ada@contoso.edu  photos/staff/ada.jpg (was photos/staff/ada-old.jpg)  [replaced]');
    expect(text).toContain('- gone@contoso.edu  photos/staff/gone.jpg  [removed from manifests; photo kept without prune]');
  });

  it('markdown: counts first, then tables with thumbnails', () => {
    const md = planMarkdown(plan(), { photoUrl: (p) => `https://gh.test/${p}?raw=true` });
    const counts = md.indexOf('| 1 | 1 | 1 (not pruned) | 40 | unchanged |');
    expect(counts).toBeGreaterThan(0);
    expect(md.indexOf('**New photos (1)**')).toBeGreaterThan(counts);
    expect(md).toContain('<img src="https://gh.test/photos/students/10023.jpg?raw=true" width="64" alt="">');
    expect(md).toContain('Without `prune: true` their photos stay in the tenant.');
  });

  it('markdown collapses long lists', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ key: emp(String(20000 + i)), photo: `photos/s/${i}.jpg`, reason: 'new' as const, fingerprint: String(i), settings: normalised, declaredAt: at }));
    const md = planMarkdown(plan({ uploads: many, removals: [] }));
    expect(md).toContain('<details><summary><b>New photos (25)</b></summary>');
  });

  it('an empty plan says the tenant already matches', () => {
    expect(planMarkdown(plan({ uploads: [], removals: [], unchanged: 12 }))).toContain('No changes: the tenant already matches this revision.');
  });

  it('a narrowing policy carries the lockout warning with role names; onPremises warns too', () => {
    const narrowing = plan({ policy: { from: policy(undefined), to: policy(['fe930be7-5e62-47db-91af-98c3a49a38b1']) } });
    expect(policyWarnings(narrowing)[0]).toMatch(/User Administrator.*403 ForbiddenByAdminEditPolicy.*refuses a change that would lock it out/);
    const md = planMarkdown(narrowing);
    expect(md).toContain('- to: **source cloud&#59; allowed roles&#58; User Administrator**');
    expect(md).toContain('> [!WARNING]');
    expect(policyWarnings(plan({ policy: { from: null, to: policy(undefined, 'onPremises') } }))[0]).toContain('disables cloud photo writes');
  });
});

describe('plan markdown size limits', () => {
  it('lists at most maxRows per table and counts the rest', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ key: emp(String(30000 + i)), photo: `photos/s/${i}.jpg`, reason: 'new' as const, fingerprint: String(i), settings: normalised, declaredAt: at }));
    const md = planMarkdown(plan({ uploads: many, removals: [] }), { maxRows: 20 });
    expect(md).toContain('| 500 | 0 | 0 | 40 | unchanged |');
    expect(md.match(/^\| .* \| employeeId 3\d{4} \|/gm)).toHaveLength(20);
    expect(md).toContain('| … and 480 more (the full list is in the `plan` output) |');
  });
});

describe('plan unavailable', () => {
  it('says why there is no plan, in text, Markdown and JSON', async () => {
    const { planUnavailableJson, planUnavailableMarkdown, planUnavailableText } = await import('../../../src/report/plan.js');
    expect(planUnavailableText(3)).toBe('No plan: the head revision has 3 errors. The plan is shown once they are fixed (a manifest that does not parse would otherwise look like its users were removed).\n');
    expect(planUnavailableText(1)).toContain('has 1 error. The plan is shown once it is fixed');
    const md = planUnavailableMarkdown(plan(), 2);
    expect(md).toContain('Plan unavailable until the errors above are fixed');
    expect(md).not.toContain('Removed users');
    expect(planUnavailableJson(plan(), 2)).toMatchObject({ available: false, base: 'aaaaaaaaaaaa', head: 'bbbbbbbbbbbb' });
  });
});

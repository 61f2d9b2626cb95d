/**
 * diffDesired: a plan is diff(desired(base), desired(head)). Built here from hand-made desired
 * states (no repository, no photos): what counts as a change, what does not, and the order.
 */
import { describe, expect, it } from 'vitest';
import { photoFingerprint, type DesiredPhoto, type DesiredPolicy, type DesiredState } from '../../../src/desired/desired.js';
import { parseEmployeeId, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import type { NormaliseSettings } from '../../../src/photo/index.js';
import { diffDesired } from '../../../src/plan/plan.js';

const CENTRE: NormaliseSettings = { enabled: true, crop: 'centre' };
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const PEOPLE_ADMIN = '024906de-61e5-49c8-8572-40335f1e0e10';

function key(text: string): UserKey {
  const parsed = text.startsWith('employeeId:') ? parseEmployeeId(text.slice('employeeId:'.length)) : parseUserKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

function photo(user: string, photoPath: string, blobId: string, extra: { settings?: NormaliseSettings; name?: string; line?: number } = {}): DesiredPhoto {
  const settings = extra.settings ?? CENTRE;
  return {
    key: key(user),
    ...(extra.name ? { name: extra.name } : {}),
    photoPath,
    blobId,
    settings,
    fingerprint: photoFingerprint(blobId, settings),
    declaredAt: { file: 'manifests/staff.yaml', line: extra.line ?? 3, col: 11 },
  };
}

function state(label: string, photos: DesiredPhoto[], policy?: Omit<DesiredPolicy, 'declaredAt'>): DesiredState {
  return {
    label,
    users: new Map(photos.map((p) => [p.key.canonical, p])),
    ...(policy ? { policy: { ...policy, declaredAt: { file: 'manifests/policy.yaml', line: 2, col: 1 } } } : {}),
  };
}

describe('diffDesired', () => {
  it('without a base every user is a new upload, sorted by canonical key; nothing is removed', () => {
    const head = state('head', [photo('zoe@contoso.edu', 'staff/zoe.jpg', 'b3'), photo('Ada@Contoso.edu', 'staff/ada.jpg', 'b1', { name: 'Ada Lovelace' }), photo('employeeId:10023', 'students/10023.jpg', 'b2')]);
    const plan = diffDesired(undefined, head);
    expect(plan.base).toBeNull();
    expect(plan.head).toBe('head');
    expect(plan.uploads.map((u) => [u.key.canonical, u.reason])).toEqual([
      ['employeeId:10023', 'new'],
      ['upn:ada@contoso.edu', 'new'],
      ['upn:zoe@contoso.edu', 'new'],
    ]);
    expect(plan.uploads[1]).toEqual({
      key: key('Ada@Contoso.edu'),
      name: 'Ada Lovelace',
      photo: 'staff/ada.jpg',
      reason: 'new',
      fingerprint: photoFingerprint('b1', CENTRE),
      settings: CENTRE,
      declaredAt: { file: 'manifests/staff.yaml', line: 3, col: 11 },
    });
    expect(plan.uploads[0]).not.toHaveProperty('previousPhoto');
    expect(plan.uploads[0]).not.toHaveProperty('name');
    expect(plan).toMatchObject({ removals: [], prune: false, policy: null, unchanged: 0 });
  });

  it('a renamed or moved file with the same bytes is not a change; new bytes under the same path are', () => {
    const base = state('base', [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1'), photo('bob@contoso.edu', 'staff/bob.jpg', 'b2')]);
    const head = state('head', [photo('ada@contoso.edu', 'people/ada-lovelace.jpg', 'b1'), photo('bob@contoso.edu', 'staff/bob.jpg', 'b2-new')]);
    const plan = diffDesired(base, head);
    expect(plan.unchanged).toBe(1);
    expect(plan.uploads).toHaveLength(1);
    expect(plan.uploads[0]).toMatchObject({ key: { canonical: 'upn:bob@contoso.edu' }, reason: 'replaced', photo: 'staff/bob.jpg', previousPhoto: 'staff/bob.jpg', fingerprint: photoFingerprint('b2-new', CENTRE) });
  });

  it('pointing a user at another file is a replacement naming both files', () => {
    const base = state('base', [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1')]);
    const head = state('head', [photo('ada@contoso.edu', 'staff/ada-2026.jpg', 'b9')]);
    expect(diffDesired(base, head).uploads).toMatchObject([{ reason: 'replaced', photo: 'staff/ada-2026.jpg', previousPhoto: 'staff/ada.jpg' }]);
  });

  it('changed normalisation settings on the same bytes re-upload; a changed display name alone does not', () => {
    const base = state('base', [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1', { name: 'Ada' }), photo('bob@contoso.edu', 'staff/bob.jpg', 'b2')]);
    const head = state('head', [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1', { name: 'Ada Lovelace' }), photo('bob@contoso.edu', 'staff/bob.jpg', 'b2', { settings: { enabled: true, crop: 'attention' } })]);
    const plan = diffDesired(base, head);
    expect(plan.unchanged).toBe(1);
    expect(plan.uploads.map((u) => [u.key.canonical, u.reason, u.settings.crop])).toEqual([['upn:bob@contoso.edu', 'replaced', 'attention']]);
  });

  it('a user dropped from the manifests is a removal (shown always; prune says whether it runs), with the base name and photo', () => {
    const base = state('base', [photo('zed@contoso.edu', 'staff/zed.jpg', 'b3', { name: 'Zed' }), photo('ada@contoso.edu', 'staff/ada.jpg', 'b1'), photo('employeeId:7', 'students/7.jpg', 'b7')]);
    const head = state('head', [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1')]);
    const plan = diffDesired(base, head);
    expect(plan.removals).toEqual([
      { key: key('employeeId:7'), photo: 'students/7.jpg' },
      { key: key('zed@contoso.edu'), name: 'Zed', photo: 'staff/zed.jpg' },
    ]);
    expect(plan.prune).toBe(false);
    expect(diffDesired(base, head, { prune: true }).prune).toBe(true);
    expect(diffDesired(base, head, { prune: true }).removals).toHaveLength(2);
  });

  it('a case-only edit of a UPN is the same user, not a removal and an upload', () => {
    const base = state('base', [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1')]);
    const head = state('head', [photo('ADA@contoso.EDU', 'staff/ada.jpg', 'b1')]);
    expect(diffDesired(base, head)).toMatchObject({ uploads: [], removals: [], unchanged: 1 });
  });

  it('identical states plan nothing', () => {
    const users = [photo('ada@contoso.edu', 'staff/ada.jpg', 'b1'), photo('bob@contoso.edu', 'staff/bob.jpg', 'b2')];
    const plan = diffDesired(state('base', users, { source: 'cloud', allowedRoles: [USER_ADMIN] }), state('head', users, { source: 'cloud', allowedRoles: [USER_ADMIN] }));
    expect(plan).toMatchObject({ base: 'base', head: 'head', uploads: [], removals: [], policy: null, unchanged: 2 });
  });

  describe('policy', () => {
    const users: DesiredPhoto[] = [];
    it('a newly declared policy is a change from nothing', () => {
      const plan = diffDesired(state('base', users), state('head', users, { source: 'cloud' }));
      expect(plan.policy).toEqual({ from: null, to: { source: 'cloud', declaredAt: { file: 'manifests/policy.yaml', line: 2, col: 1 } } });
      expect(diffDesired(undefined, state('head', users, { allowedRoles: [USER_ADMIN] })).policy?.from).toBeNull();
    });

    it('a removed declaration stops managing the policy: no change, no reset', () => {
      expect(diffDesired(state('base', users, { source: 'cloud', allowedRoles: [USER_ADMIN] }), state('head', users)).policy).toBeNull();
    });

    it('a change of source, of the role list, or of whether a field is declared at all is a change', () => {
      const base = state('base', users, { source: 'cloud', allowedRoles: [USER_ADMIN] });
      expect(diffDesired(base, state('head', users, { source: 'onPremises', allowedRoles: [USER_ADMIN] })).policy).toMatchObject({ from: { source: 'cloud' }, to: { source: 'onPremises' } });
      expect(diffDesired(base, state('head', users, { source: 'cloud', allowedRoles: [PEOPLE_ADMIN, USER_ADMIN].sort() })).policy?.to.allowedRoles).toEqual([PEOPLE_ADMIN, USER_ADMIN].sort());
      expect(diffDesired(base, state('head', users, { source: 'cloud', allowedRoles: [] })).policy).not.toBeNull();
      expect(diffDesired(base, state('head', users, { source: 'cloud' })).policy).not.toBeNull(); // roles no longer declared
      expect(diffDesired(state('base', users, { source: 'cloud' }), state('head', users, { allowedRoles: [USER_ADMIN] })).policy).not.toBeNull();
    });

    it('where it was declared is not part of the comparison', () => {
      const base = state('base', users, { source: 'cloud' });
      const head: DesiredState = { label: 'head', users: new Map(), policy: { source: 'cloud', declaredAt: { file: 'manifests/other.yaml', line: 40, col: 3 } } };
      expect(diffDesired(base, head).policy).toBeNull();
    });
  });
});

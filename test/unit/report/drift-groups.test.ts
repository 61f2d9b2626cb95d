import { describe, expect, it } from 'vitest';
import type { DriftResult } from '../../../src/drift/drift.js';
import { parseGroupKey, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import { driftMarkdown } from '../../../src/report/drift.js';

const key = (v: string): UserKey => {
  const parsed = v.startsWith('group:') ? parseGroupKey(v.slice(6)) : parseUserKey(v);
  if (!parsed.ok) throw new Error(v);
  return parsed.key;
};
const at = (line: number) => ({ file: 'manifests/m.yaml', line, col: 3 });

describe('drift report with groups', () => {
  it('lists the groups that differ in their own table, after the users', () => {
    const result = {
      head: 'bbbbbbbbbbbb',
      validation: { findings: [], stats: { manifests: 1, users: 1, groups: 2, photos: 3, photosDecoded: 3 } },
      threshold: 0.975,
      users: [
        { key: key('ada@contoso.edu'), photo: 'photos/ada.jpg', declaredAt: at(3), status: 'different', similarity: 0.5 },
        { key: key('group:class-9b@contoso.edu'), name: 'Class 9B', photo: 'photos/g/9b.jpg', declaredAt: at(6), status: 'missing' },
        { key: key('group:staff'), photo: 'photos/g/staff.jpg', declaredAt: at(9), status: 'in-sync', similarity: 1 },
      ],
      policy: { status: 'not-managed' },
      cancelled: false,
      durationMs: 5,
    } as unknown as DriftResult;
    const md = driftMarkdown(result);
    const users = md.indexOf('### What differs');
    const groups = md.indexOf('### Groups and teams: what differs');
    expect(users).toBeGreaterThan(0);
    expect(groups).toBeGreaterThan(users);
    expect(md.slice(users, groups)).toContain('ada@');
    expect(md.slice(users, groups)).not.toContain('class&#45;9b');
    expect(md.slice(groups)).toContain('| Repository | Tenant | Group | Status | Photo | Declared at |');
    expect(md.slice(groups)).toContain('&#40;Class 9B&#41;');
    expect(md.slice(groups)).not.toContain('group staff');
  });
});

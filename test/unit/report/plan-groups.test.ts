/**
 * Groups in a plan: diffDesired treats a group like a user (new, replaced, removed, unchanged), and
 * the reports show groups in their own section; a group's name is data like a user's.
 */
import { describe, expect, it } from 'vitest';
import { photoFingerprint, type DesiredPhoto, type DesiredState } from '../../../src/desired/desired.js';
import { parseGroupKey, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import { diffDesired } from '../../../src/plan/plan.js';
import { planJson, planMarkdown, planText } from '../../../src/report/plan.js';

const CENTRE = { enabled: true, crop: 'centre' } as const;

function key(text: string): UserKey {
  const parsed = text.startsWith('group:') ? parseGroupKey(text.slice('group:'.length)) : parseUserKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

function photo(subject: string, photoPath: string, blobId: string, name?: string): DesiredPhoto {
  return { key: key(subject), ...(name ? { name } : {}), photoPath, blobId, settings: CENTRE, fingerprint: photoFingerprint(blobId, CENTRE), declaredAt: { file: 'manifests/m.yaml', line: 3, col: 12 } };
}

const state = (label: string, photos: DesiredPhoto[]): DesiredState => ({ label, users: new Map(photos.map((p) => [p.key.canonical, p])) });

describe('groups in the plan', () => {
  const base = state('base', [photo('ada@school.edu', 'photos/ada.jpg', 'a1'), photo('group:class-9a@school.edu', 'photos/g/9a.jpg', 'g1'), photo('group:class-8z', 'photos/g/8z.jpg', 'g8'), photo('group:staff', 'photos/g/staff.jpg', 'gs')]);
  const head = state('head', [
    photo('ada@school.edu', 'photos/ada.jpg', 'a1'),
    photo('bob@school.edu', 'photos/bob.jpg', 'b1'),
    photo('group:class-9a@school.edu', 'photos/g/9a.jpg', 'g2', 'Class 9A'), // replaced
    photo('group:class-9b@school.edu', 'photos/g/9b.jpg', 'g3', 'Class 9B | <img src=x> @everyone [x](http://e.vil)'), // new
    photo('group:STAFF', 'photos/g/renamed.jpg', 'gs'), // a case-only edit and a rename: no change
  ]);
  const plan = diffDesired(base, head, { prune: true });

  it('diffs groups like users: new, replaced, removed, and a rename or a case-only edit is not a change', () => {
    expect(new Map(plan.uploads.map((u) => [u.key.canonical, u.reason]))).toEqual(
      new Map([
        ['upn:bob@school.edu', 'new'],
        ['group:class-9a@school.edu', 'replaced'],
        ['group:class-9b@school.edu', 'new'],
      ]),
    );
    expect(plan.removals.map((r) => r.key.canonical)).toEqual(['group:class-8z']);
    expect(plan.unchanged).toBe(2);
  });

  it('JSON marks group entries with keyType "group"', () => {
    const json = planJson(plan);
    expect(json.uploads.filter((u) => u.keyType === 'group').map((u) => u.user).sort()).toEqual(['class-9a@school.edu', 'class-9b@school.edu']);
    expect(json.removals).toEqual([{ user: 'class-8z', keyType: 'group', photo: 'photos/g/8z.jpg' }]);
  });

  it('Markdown: groups in their own section after the users, with the name as inert text', () => {
    const md = planMarkdown(plan);
    const groupsAt = md.indexOf('#### Groups and teams');
    expect(groupsAt).toBeGreaterThan(md.indexOf('**New photos (1)**'));
    const users = md.slice(0, groupsAt);
    const groups = md.slice(groupsAt);
    expect(users).toContain('bob@');
    expect(users).not.toContain('class&#45;9');
    expect(groups).toContain('**New group photos (1)**');
    expect(groups).toContain('**Replaced group photos (1)**');
    expect(groups).toContain('**Removed groups (1)**');
    expect(groups).toContain('| Group | File |');
    expect(groups).toMatch(/\| group class&#45;9a@\S* &#40;Class 9A&#41; \|/);
    // The hostile name cannot add a column, an image, a mention or a link.
    const row = groups.split('\n').find((l) => l.includes('class&#45;9b'))!;
    expect(row.split(' | ').length).toBe(3);
    expect(row).not.toMatch(/<img src=x>|\]\(http|(^|[^`])@everyone/);
  });

  it('text: a "Groups and teams" heading before the group lines', () => {
    const text = planText(plan);
    const lines = text.split('\n');
    const heading = lines.indexOf('  Groups and teams:');
    expect(heading).toBeGreaterThan(lines.findIndex((l) => l.includes('bob@school.edu')));
    expect(lines.slice(heading + 1).filter((l) => l.includes('group ')).length).toBe(3);
  });
});

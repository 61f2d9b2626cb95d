/**
 * entriesBySubject / sameSubjectConflicts: which entries of a desired state land on one tenant
 * user, found from the keys a run looked up plus an index lookup of the user's own properties
 * (object id, UPN, mail, employeeId), each hit confirmed by resolving it.
 */
import { describe, expect, it } from 'vitest';
import { entriesBySubject, sameSubjectConflicts, type DesiredPhoto, type DesiredState } from '../../../src/desired/desired.js';
import { parseEmployeeId, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import type { UserResolution } from '../../../src/target/entra/index.js';

function key(text: string): UserKey {
  const parsed = text.startsWith('employeeId:') ? parseEmployeeId(text.slice('employeeId:'.length)) : parseUserKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

function desired(entries: [string, string, number][]): DesiredState {
  const users = new Map<string, DesiredPhoto>();
  for (const [text, file, line] of entries) {
    const k = key(text);
    users.set(k.canonical, { key: k, photoPath: `photos/${line}.jpg`, blobId: String(line), settings: { enabled: true, crop: 'centre' }, fingerprint: String(line), declaredAt: { file, line, col: 5 } });
  }
  return { label: 'head', users };
}

const DEE = { id: 'aaaaaaaa-0000-4000-8000-000000000001', userPrincipalName: 'dee@contoso.edu', mail: 'deirdre@contoso.edu', employeeId: 'A123', matchedBy: 'upn' as const };
const BOB = { id: 'aaaaaaaa-0000-4000-8000-000000000002', userPrincipalName: 'bob@contoso.edu', mail: 'deirdre@contoso.edu', matchedBy: 'upn' as const };

/** A resolver over a fixed directory, recording what it was asked. */
function directory(answers: Record<string, UserResolution>) {
  const asked: string[][] = [];
  const resolve = async (keys: UserKey[]) => {
    asked.push(keys.map((k) => k.canonical));
    return new Map(keys.map((k) => [k.canonical, answers[k.canonical] ?? { notFound: true as const, problem: 'not-found' as const, reason: 'no' }]));
  };
  return { asked, resolve };
}

describe('entries that are one tenant user', () => {
  it('finds an unchanged entry under the user\'s mail, object id or employeeId (case-folded), confirmed by one lookup', async () => {
    const head = desired([
      ['dee@contoso.edu', 'manifests/staff.yaml', 4],
      ['Deirdre@Contoso.edu', 'manifests/mail.yaml', 2],
      [DEE.id.toUpperCase(), 'manifests/ids.yaml', 7],
      ['employeeId:a123', 'manifests/students.yaml', 12],
      ['someone@contoso.edu', 'manifests/staff.yaml', 6],
    ]);
    const { asked, resolve } = directory({ 'upn:deirdre@contoso.edu': DEE, [`objectId:${DEE.id}`]: DEE, 'employeeId:a123': DEE });
    const groups = await entriesBySubject(head, new Map([['upn:dee@contoso.edu', DEE]]), resolve);
    expect(asked.map((keys) => keys.sort())).toEqual([[`objectId:${DEE.id}`, 'employeeId:a123', 'upn:deirdre@contoso.edu'].sort()]);
    expect(groups.get(DEE.id)!.entries.map((e) => e.declaredAt.file)).toEqual(['manifests/ids.yaml', 'manifests/mail.yaml', 'manifests/staff.yaml', 'manifests/students.yaml']);
    const conflict = sameSubjectConflicts(groups).get('upn:dee@contoso.edu')!;
    expect(conflict.message).toBe(
      `${DEE.id.toUpperCase()} (manifests/ids.yaml:7), Deirdre@Contoso.edu (manifests/mail.yaml:2), dee@contoso.edu (manifests/staff.yaml:4) and employeeId a123 (manifests/students.yaml:12) are the same user in the tenant (dee@contoso.edu, object id ${DEE.id}): a user has one photo. Keep one of these 4 entries and remove the others.`,
    );
    expect(sameSubjectConflicts(groups).has('upn:someone@contoso.edu')).toBe(false);
  });

  it('two looked-up keys on one user conflict without any further lookup', async () => {
    const head = desired([
      ['dee@contoso.edu', 'manifests/staff.yaml', 4],
      ['employeeId:A123', 'manifests/students.yaml', 12],
    ]);
    const { asked, resolve } = directory({});
    const conflicts = sameSubjectConflicts(await entriesBySubject(head, new Map<string, UserResolution>([['upn:dee@contoso.edu', DEE], ['employeeId:A123', { ...DEE, matchedBy: 'employeeId' }]]), resolve));
    expect(asked).toEqual([]);
    expect(conflicts.get('employeeId:A123')!.message).toBe(
      `dee@contoso.edu (manifests/staff.yaml:4) and employeeId A123 (manifests/students.yaml:12) are the same user in the tenant (dee@contoso.edu, object id ${DEE.id}): a user has one photo. Remove one of the two entries.`,
    );
  });

  it('an index hit that resolves to someone else is not a conflict (a UPN key matches a UPN before a mail)', async () => {
    // Bob's mail is Dee's mail here; the key deirdre@… resolves to Dee (say, her UPN), not to Bob.
    const head = desired([
      ['bob@contoso.edu', 'manifests/staff.yaml', 4],
      ['deirdre@contoso.edu', 'manifests/staff.yaml', 6],
    ]);
    const { resolve } = directory({ 'upn:deirdre@contoso.edu': DEE });
    const groups = await entriesBySubject(head, new Map([['upn:bob@contoso.edu', BOB]]), resolve);
    expect(sameSubjectConflicts(groups).size).toBe(0);
    expect(groups.get(BOB.id)!.entries.map((e) => e.key.canonical)).toEqual(['upn:bob@contoso.edu']);
  });

  it('a confirming lookup that fails counts as the same user (write nothing rather than guess)', async () => {
    const head = desired([
      ['dee@contoso.edu', 'manifests/staff.yaml', 4],
      ['employeeId:A123', 'manifests/students.yaml', 12],
    ]);
    const { resolve } = directory({ 'employeeId:A123': { notFound: true, problem: 'failed', reason: '503' } });
    expect(sameSubjectConflicts(await entriesBySubject(head, new Map([['upn:dee@contoso.edu', DEE]]), resolve)).size).toBe(2);
  });

  it('a removed key (not in the head) holds its user only through head entries', async () => {
    const head = desired([['employeeId:A123', 'manifests/staff.yaml', 3]]);
    const { resolve } = directory({});
    const groups = await entriesBySubject(head, new Map<string, UserResolution>([['upn:dee@contoso.edu', DEE], ['employeeId:A123', DEE], ['upn:bob@contoso.edu', BOB]]), resolve);
    expect(groups.get(DEE.id)!.entries.map((e) => e.key.canonical)).toEqual(['employeeId:A123']);
    expect(groups.get(BOB.id)!.entries).toEqual([]);
    expect(sameSubjectConflicts(groups).size).toBe(0);
  });
});

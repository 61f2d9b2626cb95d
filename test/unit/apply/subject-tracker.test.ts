/**
 * SubjectTracker: entriesBySubject's groups, built as lookups land, so apply writes a user as soon
 * as no other entry of the head can be the same tenant user (and never before).
 */
import { describe, expect, it } from 'vitest';
import { SubjectTracker } from '../../../src/apply/subjectTracker.js';
import { entriesBySubject, type DesiredPhoto, type DesiredState } from '../../../src/desired/desired.js';
import { parseEmployeeId, parseUserKey, type UserKey } from '../../../src/manifest/userKey.js';
import type { UserResolution } from '../../../src/target/entra/index.js';

function key(text: string): UserKey {
  const parsed = text.startsWith('employeeId:') ? parseEmployeeId(text.slice('employeeId:'.length)) : parseUserKey(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
}

function desired(entries: string[]): DesiredState {
  const users = new Map<string, DesiredPhoto>();
  entries.forEach((text, line) => {
    const k = key(text);
    users.set(k.canonical, { key: k, photoPath: `photos/${line}.jpg`, blobId: String(line), settings: { enabled: true, crop: 'centre' }, fingerprint: String(line), declaredAt: { file: 'manifests/a.yaml', line: line + 1, col: 5 } });
  });
  return { label: 'head', users };
}

const DEE = { id: 'aaaaaaaa-0000-4000-8000-000000000001', userPrincipalName: 'dee@contoso.edu', mail: 'deirdre@contoso.edu', employeeId: 'A123', matchedBy: 'upn' as const };
const ADA = { id: 'aaaaaaaa-0000-4000-8000-000000000002', userPrincipalName: 'ada@contoso.edu', matchedBy: 'upn' as const };
const NOT_FOUND: UserResolution = { notFound: true, problem: 'not-found', reason: 'no such user' };
const FAILED: UserResolution = { notFound: true, problem: 'failed', reason: 'HTTP 503' };
const c = (text: string) => key(text).canonical;
const answers = (pairs: [string, UserResolution][]) => new Map(pairs.map(([k, r]) => [c(k), r]));

describe('SubjectTracker', () => {
  it('a user with no other entry that could be them is released with its own answer', () => {
    const tracker = new SubjectTracker(desired(['ada@contoso.edu', 'dee@contoso.edu']), [c('ada@contoso.edu'), c('dee@contoso.edu')]);
    const step = tracker.resolved(answers([['ada@contoso.edu', ADA]]));
    expect(step).toEqual({ released: [c('ada@contoso.edu')], toConfirm: [] });
    expect(tracker.entriesOf(c('ada@contoso.edu'))).toHaveLength(1);
  });

  it('two planned keys for one user answered in different batches: neither is released before both are known', () => {
    const keys = ['dee@contoso.edu', ...Array.from({ length: 30 }, (_, i) => `u${i}@contoso.edu`), DEE.id];
    const tracker = new SubjectTracker(desired(keys), keys.map(c));
    // The first batch holds dee's UPN: her object id (planned, later batch) could be her.
    expect(tracker.resolved(answers([['dee@contoso.edu', DEE]])).released).toEqual([]);
    const last = tracker.resolved(answers([[DEE.id, { ...DEE, matchedBy: 'objectId' }]]));
    expect(last.released.sort()).toEqual([c('dee@contoso.edu'), c(DEE.id)].sort());
    expect(tracker.entriesOf(c('dee@contoso.edu'))).toHaveLength(2);
  });

  it('an unchanged entry that could be the user is confirmed by a lookup first; a match makes a conflict', () => {
    const head = desired(['dee@contoso.edu', 'employeeId:a123']);
    const tracker = new SubjectTracker(head, [c('dee@contoso.edu')]);
    const step = tracker.resolved(answers([['dee@contoso.edu', DEE]]));
    expect(step.released).toEqual([]);
    expect(step.toConfirm.map((k) => k.canonical)).toEqual([c('employeeId:a123')]);
    const confirmed = tracker.confirm(step.toConfirm, answers([['employeeId:a123', { ...DEE, matchedBy: 'employeeId' }]]));
    expect(confirmed.released).toEqual([c('dee@contoso.edu')]);
    expect(tracker.entriesOf(c('dee@contoso.edu')).map((e) => e.key.canonical)).toEqual([c('dee@contoso.edu'), c('employeeId:a123')]);
  });

  it('a confirming lookup that says "someone else" or "nobody" releases the user alone; one that fails counts as a match', () => {
    for (const [answer, entries] of [
      [{ ...ADA, matchedBy: 'employeeId' as const }, 1],
      [NOT_FOUND, 1],
      [FAILED, 2],
    ] as const) {
      const tracker = new SubjectTracker(desired(['dee@contoso.edu', 'employeeId:a123']), [c('dee@contoso.edu')]);
      const step = tracker.resolved(answers([['dee@contoso.edu', DEE]]));
      expect(tracker.confirm(step.toConfirm, answers([['employeeId:a123', answer]])).released).toEqual([c('dee@contoso.edu')]);
      expect(tracker.entriesOf(c('dee@contoso.edu'))).toHaveLength(entries);
    }
  });

  it('a key that did not resolve is released at once; an unplanned hit shared by two subjects is asked for once', () => {
    const head = desired(['dee@contoso.edu', 'deirdre@contoso.edu', 'nobody@contoso.edu']);
    const BOB = { id: 'aaaaaaaa-0000-4000-8000-000000000003', userPrincipalName: 'bob@contoso.edu', mail: 'deirdre@contoso.edu', matchedBy: 'upn' as const };
    const tracker = new SubjectTracker(head, [c('dee@contoso.edu'), c('nobody@contoso.edu'), c('bob@contoso.edu')]);
    const first = tracker.resolved(answers([['nobody@contoso.edu', NOT_FOUND], ['dee@contoso.edu', DEE], ['bob@contoso.edu', BOB]]));
    expect(first.released).toEqual([c('nobody@contoso.edu')]);
    expect(first.toConfirm.map((k) => k.canonical)).toEqual([c('deirdre@contoso.edu')]);
    // deirdre@ is dee's mail and bob's too; a UPN key is matched as a UPN first: it is Dee.
    const done = tracker.confirm(first.toConfirm, answers([['deirdre@contoso.edu', DEE]]));
    expect(done.released.sort()).toEqual([c('dee@contoso.edu'), c('bob@contoso.edu')].sort());
    expect(tracker.entriesOf(c('dee@contoso.edu'))).toHaveLength(2);
    expect(tracker.entriesOf(c('bob@contoso.edu'))).toHaveLength(0); // bob@ is a removal: not in the head
  });

  it('ends with the groups entriesBySubject finds from all the answers at once', async () => {
    const head = desired(['dee@contoso.edu', 'ada@contoso.edu', DEE.id, 'employeeId:a123', 'deirdre@contoso.edu', 'someone@contoso.edu']);
    const planned = ['dee@contoso.edu', 'ada@contoso.edu', DEE.id];
    const directory: Record<string, UserResolution> = {
      [c('dee@contoso.edu')]: DEE,
      [c('ada@contoso.edu')]: ADA,
      [c(DEE.id)]: { ...DEE, matchedBy: 'objectId' },
      [c('employeeId:a123')]: { ...DEE, matchedBy: 'employeeId' },
      [c('deirdre@contoso.edu')]: { ...DEE, matchedBy: 'mail' },
    };
    const lookup = (keys: readonly UserKey[]) => new Map(keys.map((k) => [k.canonical, directory[k.canonical] ?? NOT_FOUND]));
    const all = lookup(planned.map(key));
    const expected = await entriesBySubject(head, all, async (keys) => lookup(keys));

    const tracker = new SubjectTracker(head, planned.map(c));
    const released: string[] = [];
    for (const k of planned) {
      const step = tracker.resolved(lookup([key(k)]));
      released.push(...step.released);
      if (step.toConfirm.length) released.push(...tracker.confirm(step.toConfirm, lookup(step.toConfirm)).released);
    }
    expect(released.sort()).toEqual(planned.map(c).sort());
    const summary = (groups: Map<string, { entries: DesiredPhoto[] }>) => [...groups].map(([id, g]) => [id, g.entries.map((e) => e.key.canonical)]).sort();
    expect(summary(tracker.groups())).toEqual(summary(expected));
  });
});

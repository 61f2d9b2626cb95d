/**
 * parseNote reads the progress note a run leaves on the head it applies: the base it started
 * from, when it last wrote, and what landed. Notes are also merged line by line
 * (`git notes merge -s cat_sort_uniq`) after two runs pushed at once, so the header may stand
 * anywhere and several `updated:` lines may be present.
 */
import { describe, expect, it } from 'vitest';
import { parseNote } from '../../../src/apply/ledger.js';

const HEAD = 'c0ffee0000000000000000000000000000000001';
const BASE = 'ba5e000000000000000000000000000000000002';

const note = (...lines: string[]) => lines.join('\n') + '\n';

describe('parseNote', () => {
  it('reads a note as the ledger writes it', () => {
    const text = note('entra-photos progress v1', 'environment: production', `base: ${BASE}`, `head: ${HEAD}`, 'updated: 2026-11-26T10:00:00.000Z', 'upload upn:ada@contoso.edu 3f2a:n1/648/centre', 'remove upn:bob@contoso.edu', 'upload objectId:0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01 77aa:as-is');
    expect(parseNote(text)).toEqual({
      base: BASE,
      head: HEAD,
      environment: 'production',
      updated: '2026-11-26T10:00:00.000Z',
      runs: [],
      entries: [
        { action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: '3f2a:n1/648/centre' },
        { action: 'remove', key: 'upn:bob@contoso.edu' },
        { action: 'upload', key: 'objectId:0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', fingerprint: '77aa:as-is' },
      ],
    });
  });

  it('a first apply records its base as "none"', () => {
    expect(parseNote(note('entra-photos progress v1', 'base: none', 'updated: 2026-11-26T10:00:00.000Z'))).toEqual({ base: 'none', head: '', environment: '', updated: '2026-11-26T10:00:00.000Z', runs: [], entries: [] });
  });

  it('reads the runs that wrote the note (provenance: started, run URL, actor), once each, oldest first', () => {
    const parsed = parseNote(note('entra-photos progress v1', 'base: none', 'run 2026-11-26T10:05:00.000Z - -', 'run 2026-11-26T10:00:00.000Z https://github.com/o/r/actions/runs/42 octocat', 'run 2026-11-26T10:00:00.000Z https://github.com/o/r/actions/runs/42 octocat', 'run yesterday x y', 'upload upn:ada@contoso.edu f'));
    expect(parsed?.runs).toEqual([{ started: '2026-11-26T10:00:00.000Z', url: 'https://github.com/o/r/actions/runs/42', actor: 'octocat' }, { started: '2026-11-26T10:05:00.000Z' }]);
    expect(parsed?.entries).toEqual([{ action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: 'f' }]);
  });

  it('is not a progress note without its header line: other notes, an older or newer format, a header inside a line', () => {
    expect(parseNote('')).toBeUndefined();
    expect(parseNote(note('entra-photos pending v1', 'pending not-found 2026-11-20T08:00:00.000Z upn:x@contoso.edu'))).toBeUndefined();
    expect(parseNote(note('entra-photos progress v2', 'upload upn:ada@contoso.edu f'))).toBeUndefined();
    expect(parseNote(note('# entra-photos progress v1', 'upload upn:ada@contoso.edu f'))).toBeUndefined();
    expect(parseNote('entra-photos progress v1 upload upn:ada@contoso.edu f\n')).toBeUndefined();
  });

  it('keeps employeeId keys with spaces whole: the fingerprint is the last word of an upload, and a removal has none', () => {
    const parsed = parseNote(note('entra-photos progress v1', 'base: none', 'upload employeeId:A 12 x 9d:n1/648/attention', 'remove employeeId:B 7 x'));
    expect(parsed?.entries).toEqual([
      { action: 'upload', key: 'employeeId:A 12 x', fingerprint: '9d:n1/648/attention' },
      { action: 'remove', key: 'employeeId:B 7 x' },
    ]);
  });

  it('an upload line with no fingerprint keeps its key and carries none; a policy entry is read too', () => {
    expect(parseNote(note('entra-photos progress v1', 'upload upn:ada@contoso.edu', 'policy photoUpdateSettings'))?.entries).toEqual([
      { action: 'upload', key: 'upn:ada@contoso.edu' },
      { action: 'policy', key: 'photoUpdateSettings' },
    ]);
  });

  it('ignores lines it does not know, and entries without a key', () => {
    const parsed = parseNote(note('entra-photos progress v1', 'environment: production', `head: ${HEAD}`, 'comment: hello', 'rename upn:a@contoso.edu', 'upload', 'remove', 'remove ', '', 'Upload upn:a@contoso.edu f'));
    expect(parsed?.entries).toEqual([]);
    expect(parsed?.base).toBe('');
    expect(parsed?.updated).toBe('');
  });

  it('two notes merged line by line (sorted, duplicates dropped): header anywhere, the latest update wins, every entry kept', () => {
    // What `cat_sort_uniq` makes of two runs' notes on one head: the union of their lines, sorted.
    const merged = [
      `base: ${BASE}`,
      'entra-photos progress v1',
      'environment: production',
      `head: ${HEAD}`,
      'remove upn:bob@contoso.edu',
      'updated: 2026-11-26T10:00:00.000Z',
      'updated: 2026-11-26T11:30:00.000Z',
      'updated: 2026-11-26T09:15:00.000Z',
      'upload upn:ada@contoso.edu 3f2a:n1/648/centre',
      'upload upn:cy@contoso.edu 44bb:n1/648/centre',
    ].join('\n');
    const parsed = parseNote(merged);
    expect(parsed?.base).toBe(BASE);
    expect(parsed?.updated).toBe('2026-11-26T11:30:00.000Z');
    expect(parsed?.entries.map((e) => e.key)).toEqual(['upn:bob@contoso.edu', 'upn:ada@contoso.edu', 'upn:cy@contoso.edu']);
  });

  it('a note naming two bases (only a line-wise merge of runs from different bases makes one) reads as the last', () => {
    expect(parseNote(note('entra-photos progress v1', 'base: none', `base: ${BASE}`))?.base).toBe(BASE);
  });
});

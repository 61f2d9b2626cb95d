/**
 * The history report is built from attacker-written text (author names, commit subjects, names,
 * paths, logins): in text each stays one line of visible characters; in HTML it is inert.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry, HistoryResult } from '../../../src/history/history.js';
import { historyEntryText, historyHtml, historyJson } from '../../../src/report/history.js';

const settings = { enabled: true, crop: 'centre' as const };
const entry: HistoryEntry = {
  subject: 'upn:ada@contoso.edu',
  key: { kind: 'upn', value: 'ada@contoso.edu', canonical: 'upn:ada@contoso.edu' },
  name: 'Ada\n::error::x',
  kind: 'replaced',
  revision: { commit: 'c'.repeat(40), date: '2026-09-06T10:00:00+00:00', author: { name: 'Eve\u202e<b>', email: 'eve@x\nfake: line', date: '2026-09-05T10:00:00+00:00' }, committer: 'Eve', subject: 'New\rphoto <script>alert(1)</script>', coAuthors: ['Mallory\u200b <m@x>'] },
  before: { key: { kind: 'upn', value: 'ada@contoso.edu', canonical: 'upn:ada@contoso.edu' }, file: 'manifests/a.yaml', line: 3, photo: 'photos/old\n.jpg', blobId: 'a'.repeat(40), settings, fingerprint: 'f1' },
  after: { key: { kind: 'upn', value: 'ada@contoso.edu', canonical: 'upn:ada@contoso.edu' }, file: 'manifests/a.yaml', line: 3, photo: 'photos/"new".jpg', blobId: 'b'.repeat(40), settings, fingerprint: 'f2' },
  pullRequest: { number: 12, from: 'github', author: 'pat\n', url: 'https://github.com/o/r/pull/12' },
  approvals: [{ by: 'dana<img src=x onerror=alert(1)>', from: 'github-review', at: '2026-09-05T09:00:00Z' }],
  environments: [{ target: 'entra', environment: 'production', status: 'applied', at: '2026-09-07T10:00:00.000Z', head: 'c'.repeat(40), runs: [{ started: '2026-09-07T09:59:00.000Z', url: 'https://github.com/o/r/actions/runs/1', actor: 'octo\u2028x', approvals: [{ user: 'boss', state: 'approved', environments: ['production'] }] }] }],
};
const result: HistoryResult = { head: 'c'.repeat(40), subjects: ['upn:ada@contoso.edu'], entries: [entry], records: [{ target: 'entra', environment: 'production', applied: 'c'.repeat(40) }], problems: [] };

describe('history report', () => {
  it('text: every value from data stays on its line, with invisible characters shown', () => {
    const text = historyEntryText(entry, true);
    expect(text.split('\n')).toHaveLength(6); // change, photo, by, pull request, approvals, one environment
    expect(text).toContain('Eve\\u{202e}<b> <eve@x\\nfake: line> with Mallory\\u{200b} <m@x>');
    expect(text).toContain('"New\\rphoto <script>alert(1)</script>"');
    expect(text).toContain('ada@contoso.edu (Ada\\n::error::x): photo replaced');
    expect(text).toContain('(was photos/old\\n.jpg)');
    expect(text).toContain('deployment approved by boss');
    expect(text).toContain('by octo\\u{2028}x');
  });

  it('HTML: no markup from data; photos only as data: images', () => {
    const page = historyHtml(result, new Map([['b'.repeat(40), Buffer.from([0xff, 0xd8, 0xff])]]));
    expect(page).not.toMatch(/<script>alert|<img src=x|\u202e|<b> </);
    expect(page).toContain('Eve\\u{202e}&lt;b&gt;');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.match(/<img /g)).toHaveLength(1);
    expect(page).toContain('src="data:image/jpeg;base64,/9j/"');
  });

  it('JSON keeps the values as they are (escaping is the writer\'s job)', () => {
    const json = historyJson(result) as { entries: { revision: { subject: string }; after: { photo: string; normalise: boolean } }[] };
    expect(json.entries[0]!.revision.subject).toBe('New\rphoto <script>alert(1)</script>');
    expect(json.entries[0]!.after).toEqual({ photo: 'photos/"new".jpg', blobId: 'b'.repeat(40), normalise: true, crop: 'centre', fingerprint: 'f2', file: 'manifests/a.yaml', line: 3 });
  });
});

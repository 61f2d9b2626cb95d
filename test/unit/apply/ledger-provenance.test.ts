/**
 * Apply's provenance in the progress note it already writes: one `run STARTED URL ACTOR` line per
 * run, kept while later runs resume from the same base, dropped with a new base; a note that
 * large imports make stays a line per user plus a line per run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, parseNote } from '../../../src/apply/ledger.js';
import { git, tempDir } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let head: string;
const BASE = 'ba5e000000000000000000000000000000000002';

beforeAll(async () => {
  scratch = await tempDir('entra-photos-ledger-provenance-');
  git(scratch.dir, 'init', '-q', '-b', 'main');
  git(scratch.dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one');
  head = git(scratch.dir, 'rev-parse', 'HEAD');
});
afterAll(() => scratch?.cleanup());

const note = () => git(scratch.dir, 'notes', '--ref=entra-photos/progress/prod', 'show', head);

describe('run provenance in the progress note', () => {
  it('each run adds its line; a run resuming from the same base keeps the earlier ones; a new base starts over', async () => {
    const first = new Ledger({ repo: scratch.dir, environment: 'prod', provenance: { url: 'https://github.com/school/photos/actions/runs/1', actor: 'octo' } });
    first.record({ action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: 'aa:n1/648/centre' });
    await first.flushProgress(BASE, head);
    first.record({ action: 'upload', key: 'upn:bob@contoso.edu', fingerprint: 'bb:n1/648/centre' });
    await first.flushProgress(BASE, head);
    const second = new Ledger({ repo: scratch.dir, environment: 'prod', provenance: { actor: 'laptop admin' } });
    await new Promise((r) => setTimeout(r, 5)); // a later start time
    second.record({ action: 'remove', key: 'upn:cy@contoso.edu' });
    await second.flushProgress(BASE, head);
    const parsed = parseNote(note())!;
    expect(parsed.runs.map((r) => [r.url, r.actor])).toEqual([
      ['https://github.com/school/photos/actions/runs/1', 'octo'],
      [undefined, 'laptop%20admin'],
    ]);
    expect(note().split('\n').filter((l) => l.startsWith('run '))).toHaveLength(2);
    expect(parsed.entries.map((e) => e.key)).toEqual(['upn:ada@contoso.edu', 'upn:bob@contoso.edu', 'upn:cy@contoso.edu']);

    const fresh = new Ledger({ repo: scratch.dir, environment: 'prod', provenance: { url: 'https://github.com/school/photos/actions/runs/2' } });
    fresh.record({ action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: 'cc:as-is' });
    await fresh.flushProgress(undefined, head);
    expect(parseNote(note())!.runs.map((r) => r.url)).toEqual(['https://github.com/school/photos/actions/runs/2']);
  });
});

/**
 * The ledger's notes keep user keys whole: progress (`upload KEY FINGERPRINT`) and the users
 * waiting for an account (`pending PROBLEM SINCE KEY`), also for employeeId keys with spaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/apply/ledger.js';
import { git, tempDir } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let head: string;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-ledger-');
  git(scratch.dir, 'init', '-q', '-b', 'main');
  git(scratch.dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one');
  head = git(scratch.dir, 'rev-parse', 'HEAD');
});
afterAll(async () => {
  await scratch?.cleanup();
});

describe('ledger notes', () => {
  it('progress entries keep keys with spaces and their fingerprint', async () => {
    const ledger = new Ledger({ repo: scratch.dir, environment: 'keys' });
    ledger.record({ action: 'upload', key: 'employeeId:A 12', fingerprint: 'abc123:n1/648/centre' });
    ledger.record({ action: 'remove', key: 'employeeId:B 7 x' });
    ledger.record({ action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: 'def456:as-is' });
    await ledger.flushProgress(undefined, head);
    const landed = await new Ledger({ repo: scratch.dir, environment: 'keys' }).landedSince(undefined);
    expect([...landed.values()]).toEqual([
      { action: 'upload', key: 'employeeId:A 12', fingerprint: 'abc123:n1/648/centre' },
      { action: 'remove', key: 'employeeId:B 7 x' },
      { action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: 'def456:as-is' },
    ]);
  });

  it('the users waiting for an account: written on a revision, read back, cleared by an empty list', async () => {
    const ledger = new Ledger({ repo: scratch.dir, environment: 'pending' });
    expect((await ledger.pendingAt(head)).size).toBe(0);
    expect((await ledger.pendingAt(undefined)).size).toBe(0);
    await ledger.writePending(head, [
      { key: 'upn:new.teacher@contoso.edu', problem: 'not-found', since: '2026-11-20T08:00:00.000Z' },
      { key: 'employeeId:A 12', problem: 'disabled', since: '2026-11-21T08:00:00.000Z' },
    ]);
    const note = git(scratch.dir, 'notes', '--ref=refs/notes/entra-photos/pending/pending', 'show', head);
    expect(note).toContain('pending disabled 2026-11-21T08:00:00.000Z employeeId:A 12');
    expect([...(await ledger.pendingAt(head)).values()]).toEqual([
      { key: 'employeeId:A 12', problem: 'disabled', since: '2026-11-21T08:00:00.000Z' },
      { key: 'upn:new.teacher@contoso.edu', problem: 'not-found', since: '2026-11-20T08:00:00.000Z' },
    ]);
    await ledger.writePending(head, []);
    expect((await ledger.pendingAt(head)).size).toBe(0);
    await ledger.writePending(head, []); // nothing to remove: no error
  });
});

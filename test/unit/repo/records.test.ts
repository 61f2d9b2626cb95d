/**
 * The git-backed record store under the ledger and the lease, on real repositories: a bare
 * origin and clones of it (file:// remotes, so a shallow clone really is shallow).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/apply/ledger.js';
import { ApplyLease } from '../../../src/apply/lock.js';
import { UserError } from '../../../src/core/errors.js';
import { GitRecordStore, recordRef, recordRefPrefix } from '../../../src/repo/records.js';
import { git, tempDir } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let counter = 0;

/** A bare origin with two commits on main, and a full clone of it. */
function originWithClone(): { base: string; origin: string; clone: string; first: string; second: string } {
  const base = path.join(scratch.dir, `r${counter++}`);
  const origin = path.join(base, 'origin.git');
  const seed = path.join(base, 'seed');
  git(scratch.dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(scratch.dir, 'init', '-q', '-b', 'main', seed);
  git(seed, 'commit', '-q', '--allow-empty', '-m', 'first');
  const first = git(seed, 'rev-parse', 'HEAD');
  git(seed, 'commit', '-q', '--allow-empty', '-m', 'second');
  const second = git(seed, 'rev-parse', 'HEAD');
  git(seed, 'push', '-q', origin, 'main');
  const clone = cloneOf(origin, base, 'clone');
  return { base, origin, clone, first, second };
}

function cloneOf(origin: string, base: string, name: string, ...flags: string[]): string {
  const dir = path.join(base, name);
  git(base, 'clone', '-q', ...flags, `file://${origin}`, dir);
  return dir;
}

const refValue = (repo: string, ref: string) => git(repo, 'for-each-ref', '--format=%(objectname)', ref) || undefined;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-records-');
});
afterAll(() => scratch.cleanup());

describe('record names', () => {
  it('the default target keeps the names repositories already have', () => {
    expect(recordRef('applied', { environment: 'production' })).toBe('refs/tags/entra-photos/applied/production');
    expect(recordRef('applied', { environment: 'production', target: 'entra' })).toBe('refs/tags/entra-photos/applied/production');
    expect(recordRef('lock', { environment: 'production' })).toBe('refs/tags/entra-photos/lock/production');
    expect(recordRef('progress', { environment: 'production' })).toBe('refs/notes/entra-photos/progress/production');
    expect(recordRef('pending', { environment: 'production' })).toBe('refs/notes/entra-photos/pending/production');
  });

  it('another target has a folder of its own, beside the record kinds', () => {
    expect(recordRef('applied', { environment: 'production', target: 'google' })).toBe('refs/tags/entra-photos/google/applied/production');
    expect(recordRef('lock', { environment: 'staging', target: 'google' })).toBe('refs/tags/entra-photos/google/lock/staging');
    expect(recordRef('progress', { environment: 'production', target: 'google' })).toBe('refs/notes/entra-photos/google/progress/production');
  });

  it('the prefix of a kind lists every environment of one target (drift lists applied tags with it)', () => {
    expect(recordRefPrefix('applied')).toBe('refs/tags/entra-photos/applied/');
    expect(recordRefPrefix('applied', 'google')).toBe('refs/tags/entra-photos/google/applied/');
    expect(recordRefPrefix('pending', 'google')).toBe('refs/notes/entra-photos/google/pending/');
    expect(`${recordRefPrefix('lock', 'google')}staging`).toBe(recordRef('lock', { environment: 'staging', target: 'google' }));
    expect(() => recordRefPrefix('applied', 'applied')).toThrow(/Target name "applied" cannot name the record/);
  });

  it('refuses names git cannot hold, and targets named like a record kind', () => {
    for (const environment of ['', 'a/b', 'with space', '.hidden', 'x.lock', 'a..b', 'trailing.', 'x'.repeat(65)]) {
      expect(() => recordRef('applied', { environment }), environment).toThrow(/Environment name .* cannot name a git ref/);
    }
    for (const target of ['applied', 'lock', 'progress', 'pending', 'Google', 'a/b', '-x', '']) {
      expect(() => recordRef('applied', { environment: 'production', target }), target).toThrow(UserError);
    }
    expect(() => new Ledger({ repo: scratch.dir, environment: 'a b' })).toThrow(/cannot name a git ref/);
  });
});

describe('record store without a remote', () => {
  it('reads and compare-and-swaps the local ref', async () => {
    const { clone, first, second } = originWithClone();
    const store = new GitRecordStore({ repo: clone });
    const ref = 'refs/tags/entra-photos/applied/local';
    expect(await store.read(ref)).toBeUndefined();
    expect(await store.swap(ref, undefined, first)).toBe('swapped');
    expect(await store.read(ref)).toBe(first);
    expect(await store.swap(ref, undefined, second)).toBe('lost-race'); // it exists now
    expect(await store.swap(ref, second, second)).toBe('lost-race'); // it is not at `second`
    expect(await store.read(ref)).toBe(first);
    expect(await store.swap(ref, first, second)).toBe('swapped');
    expect(await store.swap(ref, second, undefined)).toBe('swapped');
    expect(await store.read(ref)).toBeUndefined();
    expect(refValue(clone, ref)).toBeUndefined();
  });

  it('a CLI run without a remote keeps the record local even when the repository has one', async () => {
    const { clone, origin, first } = originWithClone();
    const ledger = new Ledger({ repo: clone, environment: 'laptop' });
    expect(await ledger.advance(undefined, first)).toBe('advanced');
    expect(await ledger.lastApplied()).toBe(first);
    expect(refValue(origin, 'refs/tags/entra-photos/applied/laptop')).toBeUndefined();
  });
});

describe('record store through a remote', () => {
  it('compare-and-swap: the second of two clones that read the same value loses the race', async () => {
    const { base, origin, clone, first, second } = originWithClone();
    const other = cloneOf(origin, base, 'other');
    const ref = 'refs/tags/entra-photos/applied/production';
    const a = new GitRecordStore({ repo: clone, remote: 'origin' });
    const b = new GitRecordStore({ repo: other, remote: 'origin' });
    expect(await a.read(ref)).toBeUndefined();
    expect(await b.read(ref)).toBeUndefined();
    expect(await a.swap(ref, undefined, first)).toBe('swapped');
    expect(await b.swap(ref, undefined, second)).toBe('lost-race');
    expect(refValue(origin, ref)).toBe(first);
    expect(refValue(other, ref)).toBeUndefined(); // a lost swap leaves the local mirror alone
    // Read again, the other clone sees the winner (mirrored locally) and can move it on.
    expect(await b.read(ref)).toBe(first);
    expect(refValue(other, ref)).toBe(first);
    expect(await b.swap(ref, first, second)).toBe('swapped');
    expect(refValue(origin, ref)).toBe(second);
    expect(refValue(other, ref)).toBe(second);
    // The first clone's local mirror is stale until it reads; its swap from the stale value loses.
    expect(await a.swap(ref, first, first)).toBe('lost-race');
    expect(await a.read(ref)).toBe(second);
    // Deleted on the remote: a read removes the local mirror too.
    expect(await a.swap(ref, second, undefined)).toBe('swapped');
    expect(await b.read(ref)).toBeUndefined();
    expect(refValue(other, ref)).toBeUndefined();
  });

  it('a push the remote refuses while the ref is unchanged is "refused", not a lost race; ledger and lease say what the job needs', async () => {
    const { origin, clone, first } = originWithClone();
    const hook = path.join(origin, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "read-only token" >&2\nexit 1\n', { mode: 0o755 });
    const store = new GitRecordStore({ repo: clone, remote: 'origin' });
    expect(await store.swap('refs/tags/entra-photos/applied/production', undefined, first)).toBe('refused');
    const ledger = new Ledger({ repo: clone, environment: 'production', remote: 'origin' });
    await expect(ledger.advance(undefined, first)).rejects.toThrow(/Could not push refs\/tags\/entra-photos\/applied\/production to origin\. The job needs "permissions: contents: write"/);
    // The lease gives up at once instead of looking again and again at a free lease it cannot take.
    const lease = new ApplyLease({ repo: clone, environment: 'production', remote: 'origin', waitSeconds: 30 });
    const started = Date.now();
    await expect(lease.acquire()).rejects.toThrow(/Could not push the apply lease .*contents: write/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(git(origin, 'for-each-ref', 'refs/tags')).toBe('');
  });

  it('a remote that cannot be reached is an error naming it, never a silent fall back to the local copy', async () => {
    const { clone, first } = originWithClone();
    git(clone, 'tag', 'entra-photos/applied/production', first); // a local copy exists
    git(clone, 'remote', 'add', 'gone', `file://${path.join(scratch.dir, 'no-such-remote.git')}`);
    const ledger = new Ledger({ repo: clone, environment: 'production', remote: 'gone' });
    const error = await ledger.lastApplied().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).kind).toBe('git');
    expect((error as Error).message).toMatch(/Could not read refs\/tags\/entra-photos\/applied\/production from the remote "gone".*--remote none/s);
    // Without the remote, the same repository's local record answers.
    expect(await new Ledger({ repo: clone, environment: 'production' }).lastApplied()).toBe(first);
  });

  it('notes pushed from two clones are merged, not lost', async () => {
    const { base, origin, clone, first, second } = originWithClone();
    const other = cloneOf(origin, base, 'other');
    const ref = recordRef('progress', { environment: 'production' });
    const a = new GitRecordStore({ repo: clone, remote: 'origin' });
    const b = new GitRecordStore({ repo: other, remote: 'origin' });
    await a.writeNote(ref, first, 'from a\n');
    expect(await a.pushNotes(ref, 'cat_sort_uniq')).toBe(true);
    await b.writeNote(ref, second, 'from b\n'); // b did not fetch a's note first
    expect(await b.pushNotes(ref, 'cat_sort_uniq')).toBe(true);
    expect(refValue(other, `${ref}-remote`)).toBeUndefined(); // the merged copy is not left among the records
    await a.fetchNotes(ref);
    expect((await a.readNote(ref, first))?.trim()).toBe('from a');
    expect((await a.readNote(ref, second))?.trim()).toBe('from b');
    expect((await a.listNotes(ref)).map((n) => n.object).sort()).toEqual([first, second].sort());
  });
});

describe("today's applied tags", () => {
  it('a tag written by an earlier version is read, also from a shallow checkout that lacks its commit', async () => {
    const { base, origin, first, second } = originWithClone();
    // What earlier versions left on the remote: a lightweight tag on the revision applied.
    const seedClone = cloneOf(origin, base, 'earlier');
    git(seedClone, 'tag', 'entra-photos/applied/production', first);
    git(seedClone, 'push', '-q', 'origin', 'refs/tags/entra-photos/applied/production');
    const shallow = cloneOf(origin, base, 'shallow', '--depth=1', '--no-tags');
    expect(() => git(shallow, 'cat-file', '-e', `${first}^{commit}`)).toThrow();

    const ledger = new Ledger({ repo: shallow, environment: 'production', remote: 'origin' });
    expect(ledger.tagRef).toBe('refs/tags/entra-photos/applied/production');
    expect(await ledger.lastApplied()).toBe(first);
    expect(git(shallow, 'cat-file', '-t', first)).toBe('commit'); // fetched: planning needs it
    expect(await new Ledger({ repo: shallow, environment: 'production', remote: 'origin', target: 'entra' }).lastApplied()).toBe(first);
    expect(await ledger.advance(first, second)).toBe('advanced');
    expect(refValue(origin, 'refs/tags/entra-photos/applied/production')).toBe(second);
  });

  it("another target's record is separate: it neither sees nor moves the default target's tag", async () => {
    const { origin, clone, first, second } = originWithClone();
    const entra = new Ledger({ repo: clone, environment: 'production', remote: 'origin' });
    const google = new Ledger({ repo: clone, environment: 'production', remote: 'origin', target: 'google' });
    expect(await entra.advance(undefined, second)).toBe('advanced');
    expect(await google.lastApplied()).toBeUndefined();
    expect(await google.advance(undefined, first)).toBe('advanced');
    expect(refValue(origin, 'refs/tags/entra-photos/google/applied/production')).toBe(first);
    expect(refValue(origin, 'refs/tags/entra-photos/applied/production')).toBe(second);
    // Leases too: holding one target's lease does not make the other wait.
    const entraLease = new ApplyLease({ repo: clone, environment: 'production', remote: 'origin', waitSeconds: 1 });
    const googleLease = new ApplyLease({ repo: clone, environment: 'production', remote: 'origin', target: 'google', waitSeconds: 1 });
    await entraLease.acquire();
    await googleLease.acquire();
    expect(git(origin, 'for-each-ref', '--format=%(refname)', 'refs/tags/entra-photos/lock', 'refs/tags/entra-photos/google/lock').split('\n').sort()).toEqual(['refs/tags/entra-photos/google/lock/production', 'refs/tags/entra-photos/lock/production']);
    await googleLease.release();
    await entraLease.release();
    expect(git(origin, 'for-each-ref', 'refs/tags/entra-photos/lock', 'refs/tags/entra-photos/google/lock')).toBe('');
  });
});

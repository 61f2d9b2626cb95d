import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/repo/bufferPool.js';
import { RevisionSnapshot } from '../../../src/repo/revision.js';
import { git, initGitRepo, tempDir, writeTree } from '../../helpers/repo.js';

/**
 * RevisionSnapshot reads the working-tree file when the commit is checked out and the file's
 * bytes are the blob; every other case must still answer the commit's bytes (read through git).
 */
describe('RevisionSnapshot reads', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function repoWith(files: Record<string, string | Buffer>) {
    const { dir, cleanup } = await tempDir('entra-photos-reads-');
    cleanups.push(cleanup);
    await writeTree(dir, files);
    initGitRepo(dir);
    return dir;
  }

  const big = Buffer.alloc(2_500_000, 9);
  big.write('a big photo', 100);

  it('answers the committed bytes when the checked-out file is unchanged, edited, removed or replaced by a symlink', async () => {
    const dir = await repoWith({ 'photos/a.jpg': 'committed a', 'photos/b.jpg': 'committed b', 'photos/c.jpg': 'committed c', 'photos/d.jpg': 'committed d', 'photos/big.jpg': big, 'outside.txt': 'committed d' });
    await writeFile(path.join(dir, 'photos/b.jpg'), 'edited, same len'); // different bytes
    await writeFile(path.join(dir, 'photos/c.jpg'), 'committed C'); // same size, different bytes
    await rm(path.join(dir, 'photos/d.jpg'));
    await symlink('../outside.txt', path.join(dir, 'photos/d.jpg')); // same bytes behind a symlink
    const snapshot = await RevisionSnapshot.open(dir, 'HEAD');
    try {
      expect((await snapshot.read('photos/a.jpg')).toString()).toBe('committed a');
      expect((await snapshot.read('photos/b.jpg')).toString()).toBe('committed b');
      expect((await snapshot.read('photos/c.jpg')).toString()).toBe('committed c');
      expect((await snapshot.read('photos/d.jpg')).toString()).toBe('committed d');
      expect((await snapshot.read('photos/big.jpg')).equals(big)).toBe(true);
    } finally {
      snapshot.close();
    }
  });

  it('reads an older commit through git while a newer one is checked out', async () => {
    const dir = await repoWith({ 'photos/a.jpg': 'version 1' });
    await writeFile(path.join(dir, 'photos/a.jpg'), 'version 2');
    git(dir, 'commit', '-qam', 'retake');
    const old = await RevisionSnapshot.open(dir, 'HEAD~1');
    const current = await RevisionSnapshot.open(dir, 'HEAD');
    try {
      expect((await old.read('photos/a.jpg')).toString()).toBe('version 1');
      expect((await current.read('photos/a.jpg')).toString()).toBe('version 2');
    } finally {
      old.close();
      current.close();
    }
  });

  it('answers the blob, not the smudged file, when a filter rewrites the checkout', async () => {
    const dir = await repoWith({ '.gitattributes': '*.jpg filter=upper\n', 'photos/a.jpg': 'abc' });
    // A clean/smudge filter (Git LFS works this way): the working tree holds other bytes than the blob.
    git(dir, 'config', 'filter.upper.smudge', 'tr a-z A-Z');
    git(dir, 'config', 'filter.upper.clean', 'cat');
    await rm(path.join(dir, 'photos/a.jpg'));
    git(dir, 'checkout', '--', 'photos/a.jpg');
    expect(await readFile(path.join(dir, 'photos/a.jpg'), 'utf8')).toBe('ABC');
    const snapshot = await RevisionSnapshot.open(dir, 'HEAD');
    try {
      expect((await snapshot.read('photos/a.jpg')).toString()).toBe('abc');
    } finally {
      snapshot.close();
    }
  });

  it('lends pooled buffers and reuses them once given back (worktree and git reads alike)', async () => {
    const dir = await repoWith({ 'photos/big.jpg': big, 'photos/edited.jpg': big });
    const edited = Buffer.from(big);
    edited[0] = 1;
    await writeFile(path.join(dir, 'photos/edited.jpg'), edited); // read through git
    const snapshot = await RevisionSnapshot.open(dir, 'HEAD');
    const pool = new BufferPool(2);
    try {
      const first = await snapshot.readLeased('photos/big.jpg', pool);
      expect(first.bytes.equals(big)).toBe(true);
      // Which way it was read: a working-tree read leaves git's blob header before the bytes.
      expect(first.bytes.byteOffset).toBe(`blob ${big.length}\0`.length);
      const underlying = first.bytes.buffer;
      first.release();
      expect(pool.idle).toBe(1);
      const second = await snapshot.readLeased('photos/edited.jpg', pool);
      expect(second.bytes.equals(big)).toBe(true); // the committed bytes, not the edit
      expect(second.bytes.byteOffset).toBe(0); // through git
      expect(second.bytes.buffer).toBe(underlying); // the same memory, lent again
      expect(pool.idle).toBe(0);
      second.release();
      second.release(); // twice is harmless
      expect(pool.idle).toBe(1);
      await expect(snapshot.readLeased('photos/missing.jpg', pool)).rejects.toThrow(/not a file/);
      expect(pool.idle).toBe(1);
    } finally {
      snapshot.close();
    }
  });
});

describe('BufferPool', () => {
  it('gives a buffer at least as large as asked, keeps at most `keep` idle, preferring large ones', () => {
    const pool = new BufferPool(1);
    const small = pool.take(10);
    expect(small.length).toBeGreaterThanOrEqual(10);
    const large = pool.take(3_000_000);
    expect(large.length).toBeGreaterThanOrEqual(3_000_000);
    pool.give(small);
    pool.give(large);
    expect(pool.idle).toBe(1);
    expect(pool.take(2_000_000)).toBe(large);
  });
});

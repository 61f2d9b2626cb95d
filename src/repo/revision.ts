import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { BufferPool, Lease } from './bufferPool.js';
import { BlobReader, git, gitMaybe, resolveCommit } from './git.js';
import type { EntryKind, Snapshot, TreeEntry } from './snapshot.js';

/**
 * A commit read through git itself (ls-tree + cat-file), without checking it out: a pull
 * request's base and head are compared side by side in one working copy.
 */
export class RevisionSnapshot implements Snapshot {
  private worktreeRoot: Promise<string | undefined> | undefined;

  private constructor(
    private readonly repo: string,
    readonly commit: string,
    private readonly entries: Map<string, TreeEntry>,
    private readonly blobs: BlobReader,
  ) {}

  get label(): string {
    return this.commit.slice(0, 12);
  }

  static async open(repo: string, rev: string): Promise<RevisionSnapshot> {
    const commit = await resolveCommit(repo, rev);
    // -t lists trees too (folders are entries), -l adds blob sizes, -z keeps odd names intact.
    const out = await git(repo, ['ls-tree', '-r', '-t', '-l', '-z', '--full-tree', commit]);
    const entries = new Map<string, TreeEntry>();
    for (const record of out.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, , oid, size] = record.slice(0, tab).split(/ +/);
      const path = record.slice(tab + 1);
      const kind: EntryKind = mode === '040000' ? 'directory' : mode === '120000' ? 'symlink' : mode === '100644' || mode === '100755' ? 'file' : 'other';
      const entry: TreeEntry = { path, kind, blobId: oid! };
      if (kind === 'file') entry.size = Number(size);
      entries.set(path, entry);
    }
    const snapshot = new RevisionSnapshot(repo, commit, entries, new BlobReader(repo));
    // Symlink targets are blob contents; read them up front so entry() stays synchronous in spirit.
    for (const entry of entries.values()) {
      if (entry.kind === 'symlink') entry.linkTarget = (await snapshot.blobs.read(entry.blobId!)).toString('utf8');
    }
    return snapshot;
  }

  async entry(path: string): Promise<TreeEntry | undefined> {
    return this.entries.get(path);
  }

  async list(dir: string): Promise<TreeEntry[]> {
    const prefix = dir ? `${dir}/` : '';
    return [...this.entries.values()]
      .filter((e) => e.path.startsWith(prefix) && e.kind !== 'directory')
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(path: string): Promise<Buffer> {
    return this.load(path, (size) => Buffer.allocUnsafeSlow(size));
  }

  /**
   * The bytes of a file in a buffer from `pool`, given back by `release()`: for photos that are
   * only needed while they are checked and normalised (apply reads hundreds of them).
   */
  async readLeased(path: string, pool: BufferPool): Promise<Lease> {
    let taken: Buffer | undefined;
    const giveBack = () => {
      if (taken) pool.give(taken);
      taken = undefined;
    };
    try {
      const bytes = await this.load(path, (size) => {
        giveBack(); // a worktree read that did not match falls back to git: one buffer at a time
        return (taken = pool.take(size));
      });
      return { bytes, release: giveBack };
    } catch (err) {
      giveBack();
      throw err;
    }
  }

  /**
   * A file's bytes. When the commit is the one checked out (actions/checkout of the pushed head,
   * an admin's clone at HEAD), the file is read from the working tree and its blob id computed
   * (off the main thread) and compared: equal bytes are the blob. Anything else — an edited
   * file, a filter such as Git LFS, a different commit — is read through git itself. Reading a
   * file beats reading a pipe: one read into the buffer instead of thousands of small chunks.
   */
  private async load(path: string, allocate: (size: number) => Buffer): Promise<Buffer> {
    const entry = this.entries.get(path);
    if (!entry || entry.kind !== 'file') throw new Error(`${path} is not a file in ${this.label}`);
    const root = await this.checkedOutRoot();
    if (root) {
      const bytes = await readIfBlob(root, path, entry.blobId!, entry.size ?? -1, allocate);
      if (bytes) return bytes;
    }
    return this.blobs.read(entry.blobId!, allocate);
  }

  /** The working tree's root when this commit is what is checked out there. */
  private checkedOutRoot(): Promise<string | undefined> {
    this.worktreeRoot ??= gitMaybe(this.repo, ['rev-parse', '--show-toplevel', 'HEAD']).then((out) => {
      const [root, headCommit] = (out ?? '').trim().split('\n');
      return root && headCommit === this.commit ? root : undefined;
    });
    return this.worktreeRoot;
  }

  async blobId(path: string): Promise<string> {
    const entry = this.entries.get(path);
    if (!entry?.blobId) throw new Error(`${path} is not in ${this.label}`);
    return entry.blobId;
  }

  close(): void {
    this.blobs.close();
  }
}

/**
 * The working-tree file at `path`, read into a buffer from `allocate`, if and only if its bytes
 * are the blob `oid` (git's own object id: the header `blob <size>\0` then the bytes, SHA-1 or
 * SHA-256 by the id's length). The final path component is not followed if it is a symlink.
 */
async function readIfBlob(root: string, path: string, oid: string, size: number, allocate: (size: number) => Buffer): Promise<Buffer | undefined> {
  const algorithm = oid.length === 40 ? 'SHA-1' : oid.length === 64 ? 'SHA-256' : undefined;
  if (!algorithm || size < 0) return undefined;
  let file;
  try {
    file = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile() || stat.size !== size) return undefined;
    const header = Buffer.from(`blob ${size}\0`, 'latin1');
    const buffer = allocate(header.length + size);
    header.copy(buffer, 0);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await file.read(buffer, header.length + filled, size - filled, filled);
      if (bytesRead === 0) return undefined; // shrank while being read
      filled += bytesRead;
    }
    const digest = Buffer.from(await crypto.subtle.digest(algorithm, buffer.subarray(0, header.length + size)));
    return digest.toString('hex') === oid ? buffer.subarray(header.length, header.length + size) : undefined;
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

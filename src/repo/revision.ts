import { BlobReader, git, resolveCommit } from './git.js';
import type { EntryKind, Snapshot, TreeEntry } from './snapshot.js';

/**
 * A commit read through git itself (ls-tree + cat-file), without checking it out: a pull
 * request's base and head are compared side by side in one working copy.
 */
export class RevisionSnapshot implements Snapshot {
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
    const entry = this.entries.get(path);
    if (!entry || entry.kind !== 'file') throw new Error(`${path} is not a file in ${this.label}`);
    return this.blobs.read(entry.blobId!);
  }

  async blobId(path: string): Promise<string> {
    const entry = this.entries.get(path);
    if (!entry?.blobId) throw new Error(`${path} is not in ${this.label}`);
    return entry.blobId;
  }

  close(): void {
    this.blobs.close();
  }

  get repository(): string {
    return this.repo;
  }
}

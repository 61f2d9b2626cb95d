import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { EntryKind, Snapshot, TreeEntry } from './snapshot.js';

/** The repository as it is on disk (a checkout, or an admin's working copy). */
export class WorktreeSnapshot implements Snapshot {
  readonly label = 'working tree';

  constructor(private readonly root: string) {}

  private abs(rel: string): string {
    return path.join(this.root, ...rel.split('/').filter(Boolean));
  }

  async entry(rel: string): Promise<TreeEntry | undefined> {
    try {
      const st = await lstat(this.abs(rel));
      const kind: EntryKind = st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
      const entry: TreeEntry = { path: rel, kind };
      if (kind === 'file') entry.size = st.size;
      if (kind === 'symlink') entry.linkTarget = (await readlink(this.abs(rel))).split(path.sep).join('/');
      return entry;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(dir: string): Promise<TreeEntry[]> {
    const out: TreeEntry[] = [];
    // readdir follows symlinks: a folder reached through a symlink (photoRoot: pics, pics → /etc)
    // is not part of the repository, and listing it would name files outside it.
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      if ((await this.entry(parts.slice(0, i).join('/')))?.kind !== 'directory') return out;
    }
    const walk = async (rel: string): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(this.abs(rel));
      } catch (err) {
        if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw err;
      }
      for (const name of names.sort()) {
        if (name === '.git') continue;
        const childRel = rel ? `${rel}/${name}` : name;
        const e = await this.entry(childRel);
        if (!e) continue;
        if (e.kind === 'directory') await walk(childRel);
        else out.push(e);
      }
    };
    await walk(dir);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  read(rel: string): Promise<Buffer> {
    return readFile(this.abs(rel));
  }

  private readonly blobIds = new Map<string, Promise<string>>();

  /** Hashes each file once per snapshot: plans ask for the same ids several times. */
  blobId(rel: string): Promise<string> {
    let id = this.blobIds.get(rel);
    if (!id) this.blobIds.set(rel, (id = this.read(rel).then(gitBlobId)));
    return id;
  }

  close(): void {}
}

/** The id git gives a blob: sha1 of "blob <size>\0" + content. */
export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * A path no file can have is a path that does not exist: a manifest value longer than the file
 * system allows (ENAMETOOLONG) is reported like any missing photo, as it is when read from git.
 */
function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
}

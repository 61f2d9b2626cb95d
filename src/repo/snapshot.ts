/**
 * A read-only view of the repository at one point: the working tree, or (for plans) a git
 * revision read through git itself. Validation and desired state only ever see this interface,
 * so the same checks run on a checkout, on a pull request's base and on its head.
 *
 * Paths are repository-relative with forward slashes. Implementations never touch anything
 * outside the repository: callers pass only paths they have already normalised.
 */
export type EntryKind = 'file' | 'symlink' | 'directory' | 'other';

export interface TreeEntry {
  path: string;
  kind: EntryKind;
  /** Bytes, for files. */
  size?: number;
  /** Target as stored in the link, for symlinks. */
  linkTarget?: string;
  /** Git blob id when known (revisions always; working tree only when computed). */
  blobId?: string;
}

export interface Snapshot {
  /** Human label: "working tree" or an abbreviated commit id. */
  readonly label: string;
  /** The entry at a path, without following a final symlink; undefined when nothing is there. */
  entry(path: string): Promise<TreeEntry | undefined>;
  /** Files and symlinks below a directory (recursive, not following symlinks), sorted by path. */
  list(dir: string): Promise<TreeEntry[]>;
  /** The bytes of a file; rejects for anything else. */
  read(path: string): Promise<Buffer>;
  /**
   * Git's blob id of a file: the content hash desired state is built on. Free for revisions;
   * computed (the same way git does) for the working tree.
   */
  blobId(path: string): Promise<string>;
  /** Releases helper processes (git cat-file); safe to call twice. */
  close(): void;
}

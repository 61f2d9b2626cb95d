/**
 * Desired state through history, one subject at a time: walks the default branch oldest first
 * (walk.ts) and says, for each revision, which followed subjects' desired photo changed and how.
 *
 * "Changed" is what a plan would call a change (src/plan/plan.ts): the photo's content or its
 * normalisation settings. Renaming a photo file, moving an entry to another manifest file, or
 * editing the `name:` is not a change; pointing the entry at another file with other bytes is.
 *
 * Cost: each manifest version is read and parsed once, when the walk reaches it, and only if it
 * can name a followed subject (a text search first: `history <key>` skips the other files of a
 * 200,000-user repository); a photo is never read, only its blob id. Memory: the current tree's
 * paths and the followed subjects' entries, never one copy per revision.
 */
import { UserError } from '../core/errors.js';
import { photoFingerprint } from '../desired/desired.js';
import { parseManifest } from '../manifest/parse.js';
import { MANIFEST_DIR, type Crop } from '../manifest/types.js';
import type { UserKey } from '../manifest/userKey.js';
import type { NormaliseSettings } from '../photo/index.js';
import { BlobReader } from '../repo/git.js';
import type { Snapshot, TreeEntry } from '../repo/snapshot.js';
import { resolvePhotoPath } from '../validate/photoPath.js';
import { walkFirstParent, type CommitInfo } from './walk.js';

/** A subject's desired photo at one revision. */
export interface DeclaredState {
  key: UserKey;
  name?: string;
  /** Manifest file and line of the entry. */
  file: string;
  line: number;
  /** The photo file (repository-relative, symlinks inside photoRoot followed). */
  photo: string;
  blobId: string;
  settings: NormaliseSettings;
  fingerprint: string;
}

/** The entry exists but does not validate (its photo is missing, outside photoRoot...): not appliable. */
export interface InvalidState {
  key: UserKey;
  file: string;
  line: number;
  message: string;
  /** The last valid state before, if any. */
  previous?: DeclaredState;
}

export type ChangeKind = 'new' | 'replaced' | 'settings' | 'removed' | 'invalid' | 'valid-again';

export interface SubjectChange {
  /** Canonical key. */
  subject: string;
  kind: ChangeKind;
  /** `new` for a subject that had been declared before and removed. */
  readded?: boolean;
  before?: DeclaredState;
  after?: DeclaredState;
  invalid?: InvalidState;
}

export interface RevisionChanges {
  info: CommitInfo;
  /** Position on the first-parent line, 0 = the oldest revision. */
  index: number;
  changes: SubjectChange[];
}

/**
 * What the walk holds per subject: a declared state without its fingerprint (settings objects are
 * shared, so blob id and settings identity decide), made whole only for the changes it reports.
 */
type Held = Omit<DeclaredState, 'fingerprint'>;
type State = ({ kind: 'declared' } & Held) | ({ kind: 'invalid' } & InvalidState);

interface CompactEntry {
  key: UserKey;
  name?: string;
  photo: string;
  crop: Crop;
  normalise: boolean;
  line: number;
}

interface ManifestVersion {
  oid: string;
  photoRoot: string;
  entries: Map<string, CompactEntry>;
}

const MANIFEST_FILE = /\.ya?ml$/i;
const REGULAR = new Set(['100644', '100755']);

/**
 * Follows `subjects`, or every subject, through the first-parent history of `head`. Yields only
 * revisions where a followed subject's desired photo changed; `positions` receives every
 * revision's place on the line.
 */
export async function* desiredHistory(repo: string, head: string, subjects: readonly UserKey[] | 'all', positions?: Map<string, number>, parsed = new ParsedManifests()): AsyncGenerator<RevisionChanges> {
  const engine = new Engine(repo, subjects, parsed);
  try {
    let index = 0;
    for await (const step of walkFirstParent(repo, head)) {
      positions?.set(step.info.commit, index);
      const changes = await engine.step(step.changes);
      if (changes.length) yield { info: step.info, index, changes };
      index++;
    }
  } finally {
    engine.close();
  }
}

/**
 * Manifest versions already parsed (by blob id), for a second walk over the same history with
 * the same subjects: parsing is most of a walk's cost. Holds at most `budget` entries in all,
 * then stops remembering (a 200,000-user history is parsed again rather than held).
 */
export class ParsedManifests {
  private readonly versions = new Map<string, ManifestVersion | null>();
  private held = 0;

  constructor(private readonly budget = 100_000) {}

  get(oid: string): ManifestVersion | null | undefined {
    return this.versions.get(oid);
  }

  set(oid: string, version: ManifestVersion | null): void {
    const size = 1 + (version?.entries.size ?? 0);
    if (this.held + size > this.budget) return;
    this.held += size;
    this.versions.set(oid, version);
  }
}

class Engine {
  /** path → blob; `path` is the key itself, so a subject's photo path is not a second copy. */
  private readonly tree = new Map<string, { path: string; oid: string; mode: string }>();
  /** Files below each folder: a folder exists while it holds one. */
  private readonly folders = new Map<string, number>();
  private readonly manifests = new Map<string, ManifestVersion>();
  /** Manifest files declaring each subject (one, except in a revision that declares it twice). */
  private readonly declaredIn: MultiMap = new Map();
  private readonly current = new Map<string, State>();
  private readonly lastDeclared = new Map<string, DeclaredState>();
  /** Paths each subject's photo resolution looked at, and the reverse. */
  private readonly deps: MultiMap = new Map();
  private readonly byPath: MultiMap = new Map();
  private readonly linkTargets = new Map<string, string>();
  private readonly blobs: BlobReader;
  private readonly followed: Set<string> | undefined;
  private readonly needles: { text: string; folded: boolean; plain: boolean }[];

  constructor(
    repo: string,
    subjects: readonly UserKey[] | 'all',
    private readonly parsed: ParsedManifests,
  ) {
    this.blobs = new BlobReader(repo);
    this.followed = subjects === 'all' ? undefined : new Set(subjects.map((k) => k.canonical));
    this.needles = subjects === 'all' ? [] : subjects.map(needleOf);
  }

  close(): void {
    this.blobs.close();
  }

  async step(changes: readonly { path: string; oid?: string; mode?: string }[]): Promise<SubjectChange[]> {
    const candidates = new Set<string>();
    const manifestChanges: { path: string; oid?: string; mode?: string }[] = [];
    for (const change of changes) {
      const had = this.tree.get(change.path);
      if (change.oid && change.mode) {
        this.tree.set(change.path, { path: change.path, oid: change.oid, mode: change.mode });
        if (!had) this.countFolders(change.path, 1);
      } else if (had) {
        this.tree.delete(change.path);
        this.countFolders(change.path, -1);
      }
      if (isManifestPath(change.path)) manifestChanges.push(change);
      // The path itself, and a missing path above it that now appears (a new folder of photos).
      for (let end = change.path.length; end > 0; end = change.path.lastIndexOf('/', end - 1)) {
        for (const subject of valuesOf(this.byPath, change.path.slice(0, end))) candidates.add(subject);
      }
    }
    for (const change of manifestChanges) await this.readManifest(change, candidates);
    const out: SubjectChange[] = [];
    for (const subject of [...candidates].sort()) {
      const change = await this.evaluate(subject);
      if (change) out.push(change);
    }
    return out;
  }

  private countFolders(path: string, delta: number): void {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      const folder = path.slice(0, slash);
      const n = (this.folders.get(folder) ?? 0) + delta;
      if (n > 0) this.folders.set(folder, n);
      else this.folders.delete(folder);
    }
  }

  /** Reads a changed manifest file and marks the followed subjects whose entry changed. */
  private async readManifest(change: { path: string; oid?: string; mode?: string }, candidates: Set<string>): Promise<void> {
    const before = this.manifests.get(change.path);
    let after: ManifestVersion | undefined;
    if (change.oid && change.mode && REGULAR.has(change.mode)) {
      let version = this.parsed.get(change.oid);
      if (version === undefined) this.parsed.set(change.oid, (version = await this.parse(change.path, change.oid)));
      // A file that does not parse makes its revision unappliable; it changes nobody's photo.
      if (version === null) return;
      after = version;
    }
    if (after) this.manifests.set(change.path, after);
    else this.manifests.delete(change.path);
    const rootChanged = before?.photoRoot !== after?.photoRoot;
    for (const [subject, entry] of before?.entries ?? []) {
      const now = after?.entries.get(subject);
      if (!now) remove(this.declaredIn, subject, change.path);
      if (!now || rootChanged || !sameEntry(entry, now)) candidates.add(subject);
    }
    for (const [subject, entry] of after?.entries ?? []) {
      add(this.declaredIn, subject, change.path);
      const was = before?.entries.get(subject);
      if (!was || rootChanged || !sameEntry(was, entry)) candidates.add(subject);
    }
  }

  /**
   * The followed subjects' entries in one manifest version; null when it does not parse.
   *
   * The parser's strings are slices of the file's text: kept, any one of them would keep the
   * whole text (a megabyte for 20,000 users) alive, and with it every version of every manifest
   * the walk passed. So what is kept is the previous version's string when the value did not
   * change (most entries of a version: one copy per subject, not one per version), else a copy.
   */
  private async parse(path: string, oid: string): Promise<ManifestVersion | null> {
    const text = (await this.blobs.read(oid)).toString('utf8');
    if (!this.mayName(text)) return { oid, photoRoot: '', entries: new Map() };
    const parsed = parseManifest(path, text);
    if (!parsed.manifest) return null;
    const previous = this.manifests.get(path);
    const entries = new Map<string, CompactEntry>();
    for (const u of [...parsed.manifest.users, ...parsed.manifest.groups]) {
      if (this.followed && !this.followed.has(u.key.canonical)) continue;
      if (entries.has(u.key.canonical)) continue; // the first declaration is the one validation keeps
      const was = previous?.entries.get(u.key.canonical);
      const known = was?.key ?? this.current.get(u.key.canonical)?.key; // moved from another file
      const key = known && known.kind === u.key.kind && known.value === u.key.value ? known : { kind: u.key.kind, value: ownCopy(u.key.value), canonical: ownCopy(u.key.canonical) };
      const name = u.name ? (was?.name === u.name ? was.name : ownCopy(u.name)) : undefined;
      const photo = was?.photo === u.photo ? was.photo : ownCopy(u.photo);
      entries.set(key.canonical, { key, ...(name ? { name } : {}), photo, crop: u.crop, normalise: u.normalise, line: u.keyAt.line });
    }
    const photoRoot = previous?.photoRoot === parsed.manifest.photoRoot ? previous.photoRoot : ownCopy(parsed.manifest.photoRoot);
    return { oid, photoRoot, entries };
  }

  /** Whether a manifest's text can declare a followed subject (always, when following all). */
  private mayName(text: string): boolean {
    if (!this.followed) return true;
    // Escapes and quoting could spell a key in other characters: such a file is parsed.
    if (text.includes('\\')) return true;
    let folded: string | undefined;
    return this.needles.some((n) => !n.plain || (n.folded ? (folded ??= text.toLowerCase()) : text).includes(n.text));
  }

  private async evaluate(subject: string): Promise<SubjectChange | undefined> {
    const files = [...valuesOf(this.declaredIn, subject)].sort(byPath);
    const file = files[0];
    const version = file ? this.manifests.get(file) : undefined;
    const entry = version?.entries.get(subject);
    let next: State | undefined;
    const asked: string[] = [];
    if (file && version && entry) {
      const resolved = await resolvePhotoPath(this.snapshot(asked), version.photoRoot, entry.photo);
      if (resolved.ok) {
        const settings = settingsFor(entry.normalise, entry.crop);
        const photo = this.tree.get(resolved.path)!;
        next = { kind: 'declared', key: entry.key, ...(entry.name ? { name: entry.name } : {}), file, line: entry.line, photo: photo.path, blobId: photo.oid, settings };
      } else {
        next = { kind: 'invalid', key: entry.key, file, line: entry.line, message: resolved.message };
      }
    }
    this.track(subject, asked);
    const prev = this.current.get(subject);
    if (next) this.current.set(subject, next);
    else this.current.delete(subject);
    // The last declared state of a subject that is not declared now (for "added again"); while
    // it is declared, `current` holds it: one copy per subject, not two. Set when it stops being
    // declared, it stays through any invalid revisions after (their `previous` is the same state).
    const last = this.lastDeclared.get(subject);
    if (next?.kind === 'declared') this.lastDeclared.delete(subject);
    else if (prev?.kind === 'declared') this.lastDeclared.set(subject, strip(prev));

    if (next?.kind === 'declared') {
      if (prev?.kind === 'declared') {
        if (prev.blobId === next.blobId && prev.settings === next.settings) return undefined;
        return { subject, kind: prev.blobId === next.blobId ? 'settings' : 'replaced', before: strip(prev), after: strip(next) };
      }
      const before = prev?.kind === 'invalid' ? prev.previous : undefined;
      if (before) {
        if (before.blobId === next.blobId && before.settings === next.settings) return { subject, kind: 'valid-again', before, after: strip(next) };
        return { subject, kind: before.blobId === next.blobId ? 'settings' : 'replaced', before, after: strip(next) };
      }
      return { subject, kind: 'new', ...(last ? { readded: true, before: last } : {}), after: strip(next) };
    }
    if (next?.kind === 'invalid') {
      if (prev?.kind === 'invalid') {
        next.previous = prev.previous;
        return undefined;
      }
      if (prev?.kind === 'declared') next.previous = strip(prev);
      const { kind: _kind, ...invalid } = next;
      return { subject, kind: 'invalid', invalid, ...(next.previous ? { before: next.previous } : {}) };
    }
    const before = prev?.kind === 'declared' ? strip(prev) : prev?.previous;
    return before ? { subject, kind: 'removed', before } : undefined;
  }

  private track(subject: string, asked: string[]): void {
    for (const path of valuesOf(this.deps, subject)) remove(this.byPath, path, subject);
    // Nearly every subject asks about one path (its photo): held as the string itself, no array.
    if (asked.length === 0) this.deps.delete(subject);
    else this.deps.set(subject, asked.length === 1 ? asked[0]! : new Set(asked));
    for (const path of asked) add(this.byPath, path, subject);
  }

  /** The current tree as resolvePhotoPath sees it, noting every path it asks about. */
  private snapshot(asked: string[]): Snapshot {
    return {
      label: 'history',
      entry: async (path: string): Promise<TreeEntry | undefined> => {
        const file = this.tree.get(path);
        // A folder is not a change of its own (`git log --raw` lists files): what could change the
        // resolution is a file, a link, or a missing path appearing. Folders shared by every
        // subject (photos/students) would otherwise each hold a set of 200,000 subjects.
        if (!file && this.folders.has(path)) return { path, kind: 'directory' };
        asked.push(file?.path ?? path); // the tree's copy of the string: not a second one per subject
        if (!file) return undefined;
        if (file.mode === '120000') {
          let linkTarget = this.linkTargets.get(file.oid);
          if (linkTarget === undefined) this.linkTargets.set(file.oid, (linkTarget = (await this.blobs.read(file.oid)).toString('utf8')));
          return { path, kind: 'symlink', linkTarget, blobId: file.oid };
        }
        // No size: the history never reads photos (a Git LFS pointer is still a change of blob).
        return { path, kind: REGULAR.has(file.mode) ? 'file' : 'other', blobId: file.oid };
      },
      list: () => Promise.reject(new UserError('git', 'history snapshots are not listed')),
      read: () => Promise.reject(new UserError('git', 'history snapshots do not read photos')),
      blobId: async (path: string) => this.tree.get(path)?.oid ?? '',
      close: () => {},
    };
  }
}

/**
 * key → values, holding a lone value as itself: nearly every subject is declared in one file and
 * nearly every photo file belongs to one subject, and a Set each would cost ~10× the string.
 */
type MultiMap = Map<string, string | Set<string>>;

function valuesOf(map: MultiMap, key: string): Iterable<string> {
  const v = map.get(key);
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function add(map: MultiMap, key: string, value: string): void {
  const v = map.get(key);
  if (v === undefined) map.set(key, value);
  else if (typeof v === 'string') {
    if (v !== value) map.set(key, new Set([v, value]));
  } else v.add(value);
}

function remove(map: MultiMap, key: string, value: string): void {
  const v = map.get(key);
  if (v === value) map.delete(key);
  else if (typeof v === 'object') {
    v.delete(value);
    if (v.size === 1) map.set(key, v.values().next().value!);
  }
}

/** Four possible settings: shared objects, not one per subject and revision. */
const SETTINGS = new Map<string, NormaliseSettings>();
function settingsFor(enabled: boolean, crop: Crop): NormaliseSettings {
  const id = `${enabled}/${crop}`;
  let settings = SETTINGS.get(id);
  if (!settings) SETTINGS.set(id, (settings = Object.freeze({ enabled, crop })));
  return settings;
}

function strip(state: { kind: 'declared' } & Held): DeclaredState {
  const { kind: _kind, ...rest } = state;
  return { ...rest, fingerprint: photoFingerprint(rest.blobId, rest.settings) };
}

/**
 * A string of its own (not a slice of a longer one): JSON's round trip gives back exactly the same
 * code units (lone surrogates included) in a new string.
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function sameEntry(a: CompactEntry, b: CompactEntry): boolean {
  return a.photo === b.photo && a.crop === b.crop && a.normalise === b.normalise && a.line === b.line && a.name === b.name && a.key.value === b.key.value;
}

function isManifestPath(path: string): boolean {
  return path.startsWith(`${MANIFEST_DIR}/`) && MANIFEST_FILE.test(path);
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * How a key can appear in a manifest's text. UPNs and object ids match without regard to case
 * (their canonical form is lower case); an employeeId exactly. A key with a quote or a space
 * could be written folded or doubled in YAML: `plain: false` makes every file be parsed.
 */
function needleOf(key: UserKey): { text: string; folded: boolean; plain: boolean } {
  const folded = key.kind !== 'employeeId';
  const text = folded ? key.value.toLowerCase() : key.value;
  return { text, folded, plain: !/['" \t]/.test(text) };
}

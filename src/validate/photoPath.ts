import { printable } from '../core/untrusted.js';
import type { Snapshot } from '../repo/snapshot.js';

export type PhotoPathResult =
  | { ok: true; path: string; size: number }
  | { ok: false; code: PhotoPathProblem; message: string };

export type PhotoPathProblem =
  | 'photo-path-backslash'
  | 'photo-path-absolute'
  | 'photo-path-escapes-root'
  | 'photo-missing'
  | 'photo-symlink-escapes'
  | 'photo-symlink-loop'
  | 'photo-not-regular-file'
  | 'photo-lfs-pointer';

const MAX_LINK_HOPS = 16;
const LFS_POINTER_PREFIX = 'version https://git-lfs.github.com/spec/v1';
/** LFS pointer files are ~130 bytes; only files this small are read to look for one. */
const LFS_POINTER_MAX_BYTES = 1024;

/**
 * Resolves a manifest's photo path inside photoRoot, following symlinks only while they stay
 * inside photoRoot. Never reads or stats anything outside the repository: every candidate path is
 * checked lexically before the snapshot is asked about it.
 */
export async function resolvePhotoPath(snapshot: Snapshot, photoRoot: string, photoPath: string): Promise<PhotoPathResult> {
  // Paths are data from the pull request: shown with printable() so that a line break or a bidi
  // control in a name cannot break or disguise the message.
  const photo = printable(photoPath);
  const root = printable(photoRoot);
  if (photoPath.includes('\\')) {
    return fail('photo-path-backslash', `The photo path "${photo}" uses backslashes. Write it with forward slashes: "${printable(photoPath.replace(/\\/g, '/'))}".`);
  }
  if (photoPath.startsWith('/') || /^[A-Za-z]:/.test(photoPath) || photoPath.startsWith('~')) {
    return fail('photo-path-absolute', `The photo path "${photo}" is absolute. Write it relative to photoRoot "${root}" (e.g. "staff/ada.jpg").`);
  }
  const rootParts = photoRoot.split('/');
  const lexical = normaliseParts([...photoRoot.split('/'), ...photoPath.split('/')]);
  if (!lexical || !isInside(lexical, rootParts)) {
    return fail('photo-path-escapes-root', `The photo path "${photo}" leads outside photoRoot "${root}". Keep photos inside ${root}/ and remove the "..".`);
  }

  // Walk from the repository root, so that a photoRoot which is itself a symlink out of the
  // repository is caught before anything behind it is touched.
  let parts: string[] = lexical;
  let hops = 0;
  let i = 0;
  while (i < parts.length) {
    const current = parts.slice(0, i + 1).join('/');
    const entry = await snapshot.entry(current);
    if (!entry) {
      return fail('photo-missing', `The photo "${photo}" does not exist (looked for ${printable(parts.join('/'))}). Add the file, or correct the path (it is case-sensitive).`);
    }
    const isLast = i === parts.length - 1;
    if (entry.kind === 'symlink') {
      if (++hops > MAX_LINK_HOPS) {
        return fail('photo-symlink-loop', `The photo "${photo}" is a chain of symlinks that never ends. Replace the link with the photo file.`);
      }
      const target = entry.linkTarget ?? '';
      const resolved: string[] | undefined = target.startsWith('/') ? undefined : normaliseParts([...parts.slice(0, i), ...target.split('/'), ...parts.slice(i + 1)]);
      if (!resolved || !isInside(resolved, rootParts)) {
        return fail('photo-symlink-escapes', `"${printable(current)}" is a symlink to "${printable(target)}", outside photoRoot "${root}". Photos must be real files inside ${root}/: copy the photo in instead of linking to it.`);
      }
      parts = resolved;
      i = 0; // re-walk the new path: earlier parts may have changed
      continue;
    }
    if (!isLast) {
      if (entry.kind !== 'directory') {
        return fail('photo-missing', `The photo "${photo}" does not exist: "${printable(current)}" is not a folder. Correct the path.`);
      }
      i++;
      continue;
    }
    if (entry.kind !== 'file') {
      return fail('photo-not-regular-file', `"${printable(current)}" is ${entry.kind === 'directory' ? 'a folder' : 'not a regular file'}, not a photo. Point "photo:" at an image file.`);
    }
    const size = entry.size ?? 0;
    if (size <= LFS_POINTER_MAX_BYTES && size > 0) {
      const head = (await snapshot.read(current)).subarray(0, LFS_POINTER_PREFIX.length).toString('latin1');
      if (head === LFS_POINTER_PREFIX) {
        return fail('photo-lfs-pointer', `"${printable(current)}" is a Git LFS pointer, not the photo. Check the repository out with LFS (actions/checkout with "lfs: true", or "git lfs pull" locally).`);
      }
    }
    return { ok: true, path: current, size };
  }
  return fail('photo-not-regular-file', `The photo path "${photo}" names photoRoot itself, not a file. Point it at an image file.`);
}

function fail(code: PhotoPathProblem, message: string): PhotoPathResult {
  return { ok: false, code, message };
}

/** Lexically resolves `.` and `..`; undefined when it climbs above the repository root. */
function normaliseParts(parts: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out;
}

function isInside(parts: readonly string[], rootParts: readonly string[]): boolean {
  return parts.length > rootParts.length && rootParts.every((r, i) => parts[i] === r);
}

/**
 * How a file under photoRoot resembles a photo path that does not exist:
 * - `unicode-form`: the same text in another Unicode normalisation form (NFC `é` = U+00E9 in the
 *   manifest, NFD `e` + U+0301 in the file name, as macOS writes names). They look identical,
 *   but git, the tree a plan is built from, and every other tool see different names.
 * - `case`: the same once case and Unicode compatibility forms are folded (NFKC, e.g. fullwidth
 *   letters).
 * - `extension`: the same apart from the extension (ada.jpg / ada.png).
 *
 * The missing photo stays an error in every case: accepting the lookalike would make the
 * manifest mean whichever name a file system happens to match, not what the revision says.
 */
export type LookalikeKind = 'unicode-form' | 'case' | 'extension';

export interface Lookalike {
  /** Repository-relative path of the existing file. */
  path: string;
  kind: LookalikeKind;
}

const fold = (s: string) => s.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
const stem = (s: string) => s.replace(/\.[\p{L}\p{N}]+$/u, '');

/**
 * The files under one photoRoot, indexed for "did you mean": built once per validation and asked
 * once per missing photo, so a thousand missing photos among 200,000 files stay cheap.
 */
export class LookalikeIndex {
  private readonly byForm = new Map<string, string>();
  private readonly byFold = new Map<string, string>();
  private readonly byStem = new Map<string, string>();

  constructor(paths: Iterable<string>) {
    for (const path of paths) {
      const folded = fold(path);
      setFirst(this.byForm, path.normalize('NFC'), path);
      setFirst(this.byFold, folded, path);
      setFirst(this.byStem, stem(folded), path);
    }
  }

  /** The closest existing file to `wanted` (repository-relative), if any. */
  find(wanted: string): Lookalike | undefined {
    const sameForm = this.byForm.get(wanted.normalize('NFC'));
    if (sameForm !== undefined && sameForm !== wanted) return { path: sameForm, kind: 'unicode-form' };
    const folded = fold(wanted);
    const sameFold = this.byFold.get(folded);
    if (sameFold !== undefined && sameFold !== wanted) return { path: sameFold, kind: 'case' };
    const sameStem = this.byStem.get(stem(folded));
    if (sameStem !== undefined && sameStem !== wanted) return { path: sameStem, kind: 'extension' };
    return undefined;
  }
}

function setFirst(map: Map<string, string>, key: string, value: string): void {
  if (!map.has(key)) map.set(key, value);
}

/**
 * The message for a missing photo that has a lookalike. A name in another Unicode form gets a
 * message of its own (the file does exist, under a name that looks the same), showing both
 * spellings with the code points where they differ; the others get "did you mean".
 */
export function explainMissing(message: string, photoRoot: string, photo: string, match: Lookalike): string {
  const rel = match.path.startsWith(`${photoRoot}/`) ? match.path.slice(photoRoot.length + 1) : match.path;
  if (match.kind === 'unicode-form') {
    return (
      `The photo "${printable(photo)}" does not exist as written, but the file exists with a different Unicode form ("${printable(rel)}": ${describeDifference(photo, rel)}); ` +
      'rename it or copy the name from the file. The two names look the same, but git treats them as different files.'
    );
  }
  const difference = /[^\x20-\x7e]/u.test(photo + rel) && match.kind === 'case' ? ` (${describeDifference(photo, rel)})` : '';
  return `${message} Did you mean "${printable(rel)}"${difference}?`;
}

/** Where two spellings differ, as code points: `the manifest writes é as U+00E9 (composed, NFC), the file has e U+0065 U+0301 (decomposed, NFD)`. */
export function describeDifference(written: string, onDisk: string): string {
  const a = [...written];
  const b = [...onDisk];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  // Start the difference at a base character, not at a combining mark that follows one.
  while (start > 0 && (/\p{M}/u.test(a[start] ?? '') || /\p{M}/u.test(b[start] ?? ''))) start--;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const part = (chars: string[]) => chars.slice(start, chars.length - end);
  const show = (chars: string[]) => {
    const text = chars.join('');
    const codes = chars.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
    return `"${printable(text)}" ${codes}${formName(text)}`;
  };
  return `the manifest writes ${show(part(a))}, the file name has ${show(part(b))}`;
}

function formName(text: string): string {
  const nfc = text === text.normalize('NFC');
  const nfd = text === text.normalize('NFD');
  if (nfc && nfd) return '';
  if (nfc) return ' (composed, NFC)';
  if (nfd) return ' (decomposed, NFD, as macOS writes names)';
  return '';
}

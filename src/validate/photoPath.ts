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
export async function resolvePhotoPath(snapshot: Snapshot, photoRoot: string, photo: string): Promise<PhotoPathResult> {
  if (photo.includes('\\')) {
    return fail('photo-path-backslash', `The photo path "${photo}" uses backslashes. Write it with forward slashes: "${photo.replace(/\\/g, '/')}".`);
  }
  if (photo.startsWith('/') || /^[A-Za-z]:/.test(photo) || photo.startsWith('~')) {
    return fail('photo-path-absolute', `The photo path "${photo}" is absolute. Write it relative to photoRoot "${photoRoot}" (e.g. "staff/ada.jpg").`);
  }
  const rootParts = photoRoot.split('/');
  const lexical = normaliseParts([...photoRoot.split('/'), ...photo.split('/')]);
  if (!lexical || !isInside(lexical, rootParts)) {
    return fail('photo-path-escapes-root', `The photo path "${photo}" leads outside photoRoot "${photoRoot}". Keep photos inside ${photoRoot}/ and remove the "..".`);
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
      return fail('photo-missing', `The photo "${photo}" does not exist (looked for ${parts.join('/')}). Add the file, or correct the path (it is case-sensitive).`);
    }
    const isLast = i === parts.length - 1;
    if (entry.kind === 'symlink') {
      if (++hops > MAX_LINK_HOPS) {
        return fail('photo-symlink-loop', `The photo "${photo}" is a chain of symlinks that never ends. Replace the link with the photo file.`);
      }
      const target = entry.linkTarget ?? '';
      const resolved: string[] | undefined = target.startsWith('/') ? undefined : normaliseParts([...parts.slice(0, i), ...target.split('/'), ...parts.slice(i + 1)]);
      if (!resolved || !isInside(resolved, rootParts)) {
        return fail('photo-symlink-escapes', `"${current}" is a symlink to "${target}", outside photoRoot "${photoRoot}". Photos must be real files inside ${photoRoot}/: copy the photo in instead of linking to it.`);
      }
      parts = resolved;
      i = 0; // re-walk the new path: earlier parts may have changed
      continue;
    }
    if (!isLast) {
      if (entry.kind !== 'directory') {
        return fail('photo-missing', `The photo "${photo}" does not exist: "${current}" is not a folder. Correct the path.`);
      }
      i++;
      continue;
    }
    if (entry.kind !== 'file') {
      return fail('photo-not-regular-file', `"${current}" is ${entry.kind === 'directory' ? 'a folder' : 'not a regular file'}, not a photo. Point "photo:" at an image file.`);
    }
    const size = entry.size ?? 0;
    if (size <= LFS_POINTER_MAX_BYTES && size > 0) {
      const head = (await snapshot.read(current)).subarray(0, LFS_POINTER_PREFIX.length).toString('latin1');
      if (head === LFS_POINTER_PREFIX) {
        return fail('photo-lfs-pointer', `"${current}" is a Git LFS pointer, not the photo. Check the repository out with LFS (actions/checkout with "lfs: true", or "git lfs pull" locally).`);
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

/**
 * What export and import share: the users a repository already declares, safe photo file names,
 * atomic writes, and writing manifest entries (a new file, or appended to an existing one with
 * its comments kept).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { UserError } from '../core/errors.js';
import type { SourceRef } from '../manifest/types.js';
import { WorktreeSnapshot } from '../repo/worktree.js';
import { validateRepository } from '../validate/validate.js';

export interface Declaration {
  /** Canonical key as declared (upn:…, objectId:…, employeeId:…). */
  canonical: string;
  photoPath: string;
  at: SourceRef;
}

/** Users the repository's manifests declare, by canonical key. A repository without manifests declares none. */
export async function declaredUsers(repo: string): Promise<Map<string, Declaration>> {
  const snapshot = new WorktreeSnapshot(repo);
  try {
    const validation = await validateRepository(snapshot, { shouldDecode: () => false });
    return new Map(validation.users.map((u) => [u.key.canonical, { canonical: u.key.canonical, photoPath: u.photoPath, at: u.keyAt }]));
  } finally {
    snapshot.close();
  }
}

/** The declaration of a tenant user under any of the keys a manifest may use for them. */
export function findDeclaration(declared: ReadonlyMap<string, Declaration>, user: { id: string; userPrincipalName: string; mail: string | null; employeeId: string | null }): Declaration | undefined {
  const keys = [`objectId:${user.id.toLowerCase()}`, `upn:${user.userPrincipalName.toLowerCase()}`];
  if (user.mail) keys.push(`upn:${user.mail.toLowerCase()}`);
  if (user.employeeId) keys.push(`employeeId:${user.employeeId}`);
  for (const key of keys) {
    const found = declared.get(key);
    if (found) return found;
  }
  return undefined;
}

/** A file name from an identifier: lower case, only [a-z0-9._@-], never empty or hidden. */
export function safeFileStem(value: string): string {
  const stem = value.toLowerCase().replace(/[^a-z0-9._@-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
  return stem || 'photo';
}

/** Repository-relative path (forward slashes) checked to stay inside the repository. */
export function insideRepo(repo: string, rel: string, what: string): string {
  const abs = path.resolve(repo, rel);
  const relative = path.relative(repo, abs);
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new UserError('usage', `${what} "${rel}" is outside the repository ${repo}. Give a path inside it (e.g. manifests/imported.yaml).`);
  }
  return abs;
}

/** Writes through a temporary file and a rename: an interruption never leaves half a file. */
export async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export interface ManifestEntry {
  /** `user` (UPN, mail or object id) or `employeeId`. */
  keyField: 'user' | 'employeeId';
  keyValue: string;
  /** Relative to photoRoot. */
  photo: string;
  /** A comment after the entry's first line (e.g. the person's name and the source row). */
  comment?: string;
}

function scalar(value: string): string {
  return /^[A-Za-z0-9@._/-]+$/.test(value) && !/^[0-9.]+$/.test(value) ? value : JSON.stringify(value);
}

/** A new manifest file's text. */
export function manifestText(entries: readonly ManifestEntry[], options: { photoRoot: string; header: string[] }): string {
  const lines = [
    '# yaml-language-server: $schema=../schema/manifest.schema.json',
    ...options.header.map((h) => `# ${h}`),
    'version: 1',
    `photoRoot: ${scalar(options.photoRoot)}`,
    entries.length ? 'users:' : 'users: []',
  ];
  for (const e of entries) {
    lines.push(`  - ${e.keyField}: ${e.keyField === 'employeeId' ? JSON.stringify(e.keyValue) : scalar(e.keyValue)}${e.comment ? `  # ${e.comment.replace(/[\r\n]+/g, ' ')}` : ''}`);
    lines.push(`    photo: ${scalar(e.photo)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Adds entries to an existing manifest, keeping its comments and layout. Refuses a file whose
 * photoRoot differs from the one the photos were written under.
 */
export async function appendToManifest(file: string, entries: readonly ManifestEntry[], photoRoot: string, displayPath: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new UserError('usage', `${displayPath}: cannot add entries to this file: it is not a valid manifest (${doc.errors[0]?.message ?? 'not a mapping'}). Fix it (entra-photos validate), or write to another file with --manifest.`);
  }
  const root = doc.get('photoRoot');
  if ((typeof root === 'string' ? root.replace(/\/+$/, '') : 'photos') !== photoRoot) {
    throw new UserError('usage', `${displayPath}: its photoRoot is "${String(root ?? 'photos')}", not "${photoRoot}" where the photos go. Write to another manifest with --manifest.`);
  }
  let users = doc.get('users', true);
  if (!isSeq(users)) {
    users = new YAMLSeq();
    doc.set('users', users);
  }
  for (const e of entries) {
    const item = doc.createNode({ [e.keyField]: e.keyValue, photo: e.photo });
    if (e.comment) item.commentBefore = ` ${e.comment.replace(/[\r\n]+/g, ' ')}`;
    (users as YAMLSeq).add(item);
  }
  await writeAtomic(file, doc.toString({ lineWidth: 0 }));
}

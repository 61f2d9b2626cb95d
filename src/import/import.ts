/**
 * Import: a photographer's delivery → normalised photos and manifest entries.
 *
 *   delivery rows (retakes applied) → match each id to a directory user (tenant or roster)
 *   → read the file (inside the delivery folder only) → crop the 4:5 portrait to a square
 *   (centre or attention) and normalise it exactly as apply would (648², sRGB, no metadata)
 *   → write photos/<dir>/<name>.jpg and a manifest entry.
 *
 * Every row has an outcome with its file:line. Nothing is overwritten without `force`: a user the
 * repository already declares keeps their photo (with force, the photo file their entry points at
 * is replaced, so the next plan shows "replaced", and an entry without `name:` gets the person's
 * name, as a new entry would; a name already written is never changed); an existing file that no
 * entry uses is not replaced either.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '../core/pool.js';
import { UserError } from '../core/errors.js';
import type { Crop } from '../manifest/types.js';
import { checkPhoto, recommendedParallelism } from '../photo/index.js';
import { listAllSubjects, photoTargetOf, type TargetInput } from '../target/index.js';
import { addNamesToEntries, appendToManifest, declaredUsers, findDeclaration, insideRepo, manifestText, safeFileStem, writeAtomic, type Declaration, type ManifestEntry } from '../adopt/repoFiles.js';
import { readCsvDelivery, readPspaDelivery, type Delivery, type DeliveryRow } from './delivery.js';
import { describeRosterUser, Directory, readRosterFile, type RosterColumns, type RosterUser } from './match.js';

export type ImportStatus =
  | 'imported'
  | 'replaced'
  | 'superseded'
  | 'unmatched'
  | 'ambiguous'
  | 'missing-file'
  | 'invalid-photo'
  | 'already-declared'
  | 'file-exists'
  | 'duplicate-user'
  | 'no-id';

export interface ImportRowResult {
  source: string;
  line: number;
  id: string;
  file: string;
  /** The person's name: the directory's displayName (roster or tenant), else the delivery's; written as `name:`. */
  name?: string;
  status: ImportStatus;
  /** The matched user as the manifest names them. */
  user?: string;
  /** Which of the user's properties the manifest key is. */
  keyFrom?: KeySource;
  /** Repository-relative path of the photo written (or that would be). */
  photo?: string;
  /** With --force over an entry without `name:`: the name was added to it (replaced rows only). */
  nameAdded?: boolean;
  message: string;
}

export interface ImportOptions {
  repo: string;
  source: { kind: 'pspa'; dir: string; idColumn?: string } | { kind: 'csv'; file: string; idColumn?: string; fileColumn?: string };
  /** Offline matching; otherwise the tenant's users are listed. */
  roster?: string;
  crop?: Crop;
  /** Repository-relative; default manifests/imported.yaml. */
  manifest?: string;
  /** Folder under photos/; default imported. */
  photoDir?: string;
  /** How the manifest names users: upn (default, when known) or employeeId. */
  key?: 'upn' | 'employeeId';
  force?: boolean;
  dryRun?: boolean;
  log?: (line: string) => void;
}

/** The property of a directory user a manifest key was written from. */
export type KeySource = 'userPrincipalName' | 'mail' | 'employeeId';

/** Which key the manifest entries were written with, and why: one per distinct choice. */
export interface KeyChoice {
  field: 'user' | 'employeeId';
  from: KeySource;
  why: string;
  count: number;
}

export interface ImportResult {
  manifest: string;
  rows: ImportRowResult[];
  /** The keys of the entries written (or, in a dry run, that would be). */
  keys: KeyChoice[];
  directorySize: number;
  dryRun: boolean;
  durationMs: number;
}

const PHOTO_ROOT = 'photos';

export async function importDelivery(options: ImportOptions, tenant: TargetInput | undefined): Promise<ImportResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const repo = options.repo;
  const manifestRel = (options.manifest ?? 'manifests/imported.yaml').split(path.sep).join('/').replace(/^\.\//, '');
  if (!/^manifests\/.+\.ya?ml$/i.test(manifestRel)) throw new UserError('usage', `--manifest ${manifestRel} must be a .yaml file under manifests/ (validate reads manifests/*.yaml).`);
  const manifestAbs = insideRepo(repo, manifestRel, '--manifest');
  const photoDir = (options.photoDir ?? 'imported').replace(/^\/+|\/+$/g, '');
  insideRepo(repo, `${PHOTO_ROOT}/${photoDir}/x`, '--photo-dir');
  const crop = options.crop ?? 'centre';

  const delivery: Delivery = options.source.kind === 'pspa'
    ? await readPspaDelivery(options.source.dir, options.source.idColumn !== undefined ? { idColumn: options.source.idColumn } : {})
    : await readCsvDelivery(options.source.file, { ...(options.source.idColumn ? { idColumn: options.source.idColumn } : {}), ...(options.source.fileColumn ? { fileColumn: options.source.fileColumn } : {}) });
  log(`${delivery.rows.length} person(s) in the delivery (${delivery.superseded.length} retake/MASTER row(s) replaced earlier ones).`);

  let rosterUsers: RosterUser[];
  let rosterColumns: RosterColumns | undefined;
  if (options.roster) {
    const roster = await readRosterFile(options.roster);
    rosterUsers = roster.users;
    rosterColumns = roster.columns;
    const shown = (field: keyof RosterColumns) => (rosterColumns![field] !== undefined ? `"${rosterColumns![field]}"` : 'none');
    log(`Roster columns: userPrincipalName ← ${shown('userPrincipalName')}, mail ← ${shown('mail')}, employeeId ← ${shown('employeeId')}, name ← ${shown('displayName')}.`);
  } else if (tenant) {
    rosterUsers = (await listAllSubjects(photoTargetOf(tenant))).map((u) => ({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      ...(u.mail ? { mail: u.mail } : {}),
      ...(u.employeeId ? { employeeId: u.employeeId } : {}),
      ...(u.displayName ? { displayName: u.displayName } : {}),
    }));
  } else throw new UserError('usage', 'import needs the tenant (--tenant-id/--client-id or ENTRA_PHOTOS_* variables) or an offline --roster FILE to match ids to users.');
  const directory = new Directory(rosterUsers);
  log(`Matching against ${directory.size} user(s) ${options.roster ? `from ${path.basename(options.roster)}` : 'in the tenant'}.`);

  const declared = await declaredUsers(repo);
  const rows: ImportRowResult[] = [];
  const base = (r: DeliveryRow) => ({ source: r.source, line: r.line, id: r.id, file: r.file, ...(r.name ? { name: r.name } : {}) });
  const baseOf = base;
  for (const r of delivery.withoutId) rows.push({ ...base(r), status: 'no-id', message: `${r.source}:${r.line}: the row has no id, so it cannot be matched to a user. Add the student/employee id, or import this photo with a CSV row.` });
  for (const s of delivery.superseded) {
    rows.push({ ...base(s.row), status: 'superseded', message: `${s.row.source}:${s.row.line}: replaced by ${s.by.source}:${s.by.line} (${s.by.file}) — a retake or the MASTER.TXT row wins.` });
  }

  // Match, then claim each user once (two ids may name one person: "0123" and an e-mail).
  interface Planned { row: DeliveryRow; user: RosterUser; keyField: 'user' | 'employeeId'; keyValue: string; keyFrom: KeySource; why: string; name?: string; declaration?: Declaration }
  const planned: Planned[] = [];
  const claimed = new Map<string, DeliveryRow>();
  for (const row of delivery.rows) {
    const match = directory.match(row.id);
    if (match.kind === 'unmatched') {
      rows.push({ ...base(row), status: 'unmatched', message: `${row.source}:${row.line}: no user has ${row.id.includes('@') ? 'the userPrincipalName or mail' : 'employeeId'} ${row.id}${row.id.includes('@') ? '' : ' (leading zeros ignored)'}. Check the id with the school office, or add it to the user in Entra ID.` });
      continue;
    }
    if (match.kind === 'ambiguous') {
      rows.push({ ...base(row), status: 'ambiguous', message: `${row.source}:${row.line}: ${row.id} matches ${match.candidates.length} users by ${match.by} (${match.candidates.map(describeRosterUser).join(', ')}). Make the ${match.by} unique in the directory, or import this photo with a CSV row keyed by userPrincipalName.` });
      continue;
    }
    const identity = (match.user.id ?? match.user.userPrincipalName ?? match.user.mail ?? match.user.employeeId ?? '').toLowerCase();
    const previous = claimed.get(identity);
    if (previous) {
      rows.push({ ...base(row), status: 'duplicate-user', message: `${row.source}:${row.line}: ${row.id} is the same user as ${previous.source}:${previous.line} (${describeRosterUser(match.user)}). Keep one of the two rows.` });
      continue;
    }
    claimed.set(identity, row);
    const key = chooseKey(match.user, options.key ?? 'upn', rosterColumns);
    if (!key) {
      rows.push({ ...base(row), status: 'unmatched', message: `${row.source}:${row.line}: ${describeRosterUser(match.user)} has no userPrincipalName, mail address or employeeId to declare them by. Add one to the roster.` });
      continue;
    }
    const name = (match.user.displayName ?? row.name)?.trim();
    const declaration = findDeclaration(declared, {
      id: match.user.id ?? '',
      userPrincipalName: match.user.userPrincipalName ?? '',
      mail: match.user.mail ?? null,
      employeeId: match.user.employeeId ?? null,
    });
    planned.push({ row, user: match.user, ...key, ...(name ? { name } : {}), ...(declaration ? { declaration } : {}) });
  }

  // Read, crop and normalise in parallel; write only what passes.
  const newEntries: ManifestEntry[] = [];
  /** Replaced users whose entry has no `name:` while the import knows the name: added after the photos. */
  const namesToAdd: { row: ImportRowResult; declaration: Declaration; name: string }[] = [];
  const choices: { keyField: 'user' | 'employeeId'; keyFrom: KeySource; why: string }[] = [];
  const usedFiles = new Set<string>();
  const deliveryRoot = path.resolve(delivery.dir);
  await mapLimit(planned, recommendedParallelism(), async (p) => {
    const row = p.row;
    const base = (r: DeliveryRow) => ({ ...baseOf(r), ...(p.name ? { name: p.name } : {}), keyFrom: p.keyFrom });
    const key = p.keyField === 'employeeId' ? `employeeId ${p.keyValue}` : p.keyValue;
    const who = p.name ? `${key} (${p.name})` : key;
    if (p.declaration && !options.force) {
      rows.push({ ...base(row), status: 'already-declared', user: key, photo: p.declaration.photoPath, message: `${row.source}:${row.line}: ${who} is already declared at ${p.declaration.at.file}:${p.declaration.at.line} (${p.declaration.photoPath}); kept. Re-run with --force to replace that photo with this one.` });
      return;
    }
    const abs = path.resolve(deliveryRoot, ...row.file.split('/'));
    const inside = path.relative(deliveryRoot, abs);
    if (!row.file || inside.startsWith('..') || path.isAbsolute(inside)) {
      rows.push({ ...base(row), status: 'missing-file', user: key, message: `${row.source}:${row.line}: the file "${row.file}" is ${row.file ? 'outside the delivery folder' : 'not named'}. Correct the row.` });
      return;
    }
    const bytes = await readFile(abs).catch(() => undefined);
    if (!bytes) {
      rows.push({ ...base(row), status: 'missing-file', user: key, message: `${row.source}:${row.line}: ${row.file} for ${who} is not in the delivery (${delivery.dir}). Ask the photographer for it, or correct the folder/file name (it is case-sensitive).` });
      return;
    }
    const report = await checkPhoto(bytes, { enabled: true, crop });
    const problem = report.issues.find((i) => i.severity === 'error');
    if (problem || !report.output) {
      rows.push({ ...base(row), status: 'invalid-photo', user: key, message: `${row.source}:${row.line}: ${row.file} for ${who}: ${problem?.message ?? 'the photo could not be normalised.'}` });
      return;
    }
    let target: string;
    let status: ImportStatus = 'imported';
    if (p.declaration) {
      target = p.declaration.photoPath;
      status = 'replaced';
    } else {
      const stem = safeFileStem(p.keyField === 'employeeId' ? p.keyValue : p.keyValue.split('@')[0] + '@' + (p.keyValue.split('@')[1] ?? ''));
      let rel = `${photoDir}/${stem}.jpg`;
      if (usedFiles.has(rel)) rel = `${photoDir}/${stem}-${row.line}.jpg`;
      usedFiles.add(rel);
      target = `${PHOTO_ROOT}/${rel}`;
      const existing = await stat(path.join(repo, target)).catch(() => undefined);
      if (existing && !options.force) {
        rows.push({ ...base(row), status: 'file-exists', user: key, photo: target, message: `${row.source}:${row.line}: ${target} already exists and no manifest uses it for ${who}; kept. Re-run with --force to overwrite it, or remove it.` });
        return;
      }
      newEntries.push({ keyField: p.keyField, keyValue: p.keyValue, ...(p.name ? { name: p.name } : {}), photo: rel, comment: `${row.source}:${row.line} ${row.file}` });
      choices.push(p);
    }
    if (!options.dryRun) await writeAtomic(path.join(repo, ...target.split('/')), report.output.jpeg);
    const result: ImportRowResult = {
      ...base(row),
      status,
      user: key,
      photo: target,
      message: status === 'replaced' ? `${row.source}:${row.line}: replaced ${target} for ${who} (declared at ${p.declaration!.at.file}:${p.declaration!.at.line}).` : `${row.source}:${row.line}: ${row.file} → ${target} (${who}).`,
    };
    rows.push(result);
    if (p.declaration && p.name && !p.declaration.name) namesToAdd.push({ row: result, declaration: p.declaration, name: p.name });
  });

  await addNames(repo, namesToAdd, options.dryRun ?? false);

  if (newEntries.length && !options.dryRun) {
    newEntries.sort((a, b) => (a.keyValue.toLowerCase() < b.keyValue.toLowerCase() ? -1 : 1));
    const exists = await stat(manifestAbs).catch(() => undefined);
    if (exists) await appendToManifest(manifestAbs, newEntries, PHOTO_ROOT, manifestRel);
    else {
      const source = options.source.kind === 'pspa' ? `the delivery in ${path.basename(options.source.dir)}/` : path.basename(options.source.file);
      await writeAtomic(manifestAbs, manifestText(newEntries, { photoRoot: PHOTO_ROOT, header: [`Imported by \`entra-photos import\` from ${source} (crop: ${crop}).`, 'Each comment names the delivery row the photo came from.'] }));
    }
  }
  rows.sort((a, b) => (a.source === b.source ? a.line - b.line : a.source < b.source ? -1 : 1));
  const keys = keyChoices(choices);
  for (const k of keys) log(`Manifest keys: ${k.count} × ${k.field}: from the ${k.from}: ${k.why}.`);
  return { manifest: manifestRel, rows, keys, directorySize: directory.size, dryRun: options.dryRun ?? false, durationMs: Math.round(performance.now() - started) };
}

/**
 * Adds `name:` to the existing entries of replaced users (each manifest read, edited and written
 * once: addNamesToEntries), and says so in each row's message; an entry that cannot be edited in place keeps its text and
 * the message says to add the name by hand. A dry run works the edits out and writes nothing.
 */
async function addNames(repo: string, additions: readonly { row: ImportRowResult; declaration: Declaration; name: string }[], dryRun: boolean): Promise<void> {
  const byFile = new Map<string, (typeof additions)[number][]>();
  for (const a of additions) {
    const inFile = byFile.get(a.declaration.at.file);
    if (inFile) inFile.push(a);
    else byFile.set(a.declaration.at.file, [a]);
  }
  for (const [file, inFile] of byFile) {
    const abs = insideRepo(repo, file, 'manifest');
    const original = await readFile(abs, 'utf8');
    const { text, edits } = addNamesToEntries(original, inFile.map((a) => ({ keyAt: a.declaration.at, name: a.name })));
    inFile.forEach((a, i) => {
      const edit = edits[i]!;
      const message = a.row.message.replace(/\.$/, '');
      if (edit.kind === 'added') {
        a.row.nameAdded = true;
        a.row.message = `${message} and added name: ${a.name}.`;
      } else a.row.message = `${message}; name: ${a.name} was not added to ${file}:${a.declaration.at.line} (${edit.why}): add it by hand if you want it.`;
    });
    if (text !== original && !dryRun) await writeAtomic(abs, text);
  }
}

/**
 * The key a new manifest entry names the user by, and why (import reports it). The default is the
 * userPrincipalName (`user:`); `--key employeeId` asks for the employeeId. A roster without a UPN
 * column still gives a `user:` key when it has mail addresses (apply matches a `user:` key by
 * userPrincipalName, then by mail); only a user with neither is declared by employeeId.
 */
export function chooseKey(user: RosterUser, wanted: 'upn' | 'employeeId', roster: RosterColumns | undefined): { keyField: 'user' | 'employeeId'; keyValue: string; keyFrom: KeySource; why: string } | undefined {
  const column = (field: keyof RosterColumns) => (roster?.[field] !== undefined ? ` (the roster's "${roster[field]}" column)` : '');
  if (wanted === 'employeeId' && user.employeeId) return { keyField: 'employeeId', keyValue: user.employeeId, keyFrom: 'employeeId', why: `--key employeeId${column('employeeId')}` };
  if (user.userPrincipalName) {
    const why = wanted === 'employeeId' ? 'these users have no employeeId, which --key employeeId asked for' : 'the default key';
    return { keyField: 'user', keyValue: user.userPrincipalName, keyFrom: 'userPrincipalName', why: `${why}${column('userPrincipalName')}` };
  }
  if (user.mail) {
    const why = roster && roster.userPrincipalName === undefined
      ? `the roster has no userPrincipalName (UPN) column; its "${roster.mail}" column gives the mail address, and a user: key is matched by userPrincipalName or mail`
      : `these users have no userPrincipalName in the roster; a user: key is matched by userPrincipalName or mail${column('mail')}`;
    return { keyField: 'user', keyValue: user.mail, keyFrom: 'mail', why };
  }
  if (user.employeeId) return { keyField: 'employeeId', keyValue: user.employeeId, keyFrom: 'employeeId', why: `these users have neither a userPrincipalName nor a mail address in the roster${column('employeeId')}` };
  return undefined;
}

function keyChoices(choices: readonly { keyField: 'user' | 'employeeId'; keyFrom: KeySource; why: string }[]): KeyChoice[] {
  const byChoice = new Map<string, KeyChoice>();
  for (const c of choices) {
    const id = `${c.keyField}\0${c.keyFrom}\0${c.why}`;
    const seen = byChoice.get(id);
    if (seen) seen.count++;
    else byChoice.set(id, { field: c.keyField, from: c.keyFrom, why: c.why, count: 1 });
  }
  return [...byChoice.values()].sort((a, b) => b.count - a.count);
}

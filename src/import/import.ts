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
 * is replaced, so the next plan shows "replaced"); an existing file that no entry uses is not
 * replaced either.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '../core/pool.js';
import { UserError } from '../core/errors.js';
import type { Crop } from '../manifest/types.js';
import { checkPhoto, recommendedParallelism } from '../photo/index.js';
import { listAllDirectoryUsers, type TenantClient } from '../tenant/index.js';
import { appendToManifest, declaredUsers, findDeclaration, insideRepo, manifestText, safeFileStem, writeAtomic, type Declaration, type ManifestEntry } from '../adopt/repoFiles.js';
import { readCsvDelivery, readPspaDelivery, type Delivery, type DeliveryRow } from './delivery.js';
import { describeRosterUser, Directory, readRoster, type RosterUser } from './match.js';

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
  name?: string;
  status: ImportStatus;
  /** The matched user as the manifest names them. */
  user?: string;
  /** Repository-relative path of the photo written (or that would be). */
  photo?: string;
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

export interface ImportResult {
  manifest: string;
  rows: ImportRowResult[];
  directorySize: number;
  dryRun: boolean;
  durationMs: number;
}

const PHOTO_ROOT = 'photos';

export async function importDelivery(options: ImportOptions, tenant: TenantClient | undefined): Promise<ImportResult> {
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
  if (options.roster) rosterUsers = await readRoster(options.roster);
  else if (tenant) {
    rosterUsers = (await listAllDirectoryUsers(tenant.connection)).map((u) => ({
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
  for (const r of delivery.withoutId) rows.push({ ...base(r), status: 'no-id', message: `${r.source}:${r.line}: the row has no id, so it cannot be matched to a user. Add the student/employee id, or import this photo with a CSV row.` });
  for (const s of delivery.superseded) {
    rows.push({ ...base(s.row), status: 'superseded', message: `${s.row.source}:${s.row.line}: replaced by ${s.by.source}:${s.by.line} (${s.by.file}) — a retake or the MASTER.TXT row wins.` });
  }

  // Match, then claim each user once (two ids may name one person: "0123" and an e-mail).
  interface Planned { row: DeliveryRow; user: RosterUser; keyField: 'user' | 'employeeId'; keyValue: string; declaration?: Declaration }
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
    const useEmployeeId = (options.key === 'employeeId' && match.user.employeeId) || !match.user.userPrincipalName;
    const keyField = useEmployeeId ? 'employeeId' : 'user';
    const keyValue = useEmployeeId ? (match.user.employeeId ?? match.user.mail ?? '') : match.user.userPrincipalName!;
    if (!keyValue) {
      rows.push({ ...base(row), status: 'unmatched', message: `${row.source}:${row.line}: ${describeRosterUser(match.user)} has neither a userPrincipalName nor an employeeId to declare them by. Add one to the roster.` });
      continue;
    }
    const declaration = findDeclaration(declared, {
      id: match.user.id ?? '',
      userPrincipalName: match.user.userPrincipalName ?? '',
      mail: match.user.mail ?? null,
      employeeId: match.user.employeeId ?? null,
    });
    planned.push({ row, user: match.user, keyField, keyValue, ...(declaration ? { declaration } : {}) });
  }

  // Read, crop and normalise in parallel; write only what passes.
  const newEntries: ManifestEntry[] = [];
  const usedFiles = new Set<string>();
  const deliveryRoot = path.resolve(delivery.dir);
  await mapLimit(planned, recommendedParallelism(), async (p) => {
    const { row } = p;
    const who = p.keyField === 'employeeId' ? `employeeId ${p.keyValue}` : p.keyValue;
    if (p.declaration && !options.force) {
      rows.push({ ...base(row), status: 'already-declared', user: who, photo: p.declaration.photoPath, message: `${row.source}:${row.line}: ${who} is already declared at ${p.declaration.at.file}:${p.declaration.at.line} (${p.declaration.photoPath}); kept. Re-run with --force to replace that photo with this one.` });
      return;
    }
    const abs = path.resolve(deliveryRoot, ...row.file.split('/'));
    const inside = path.relative(deliveryRoot, abs);
    if (!row.file || inside.startsWith('..') || path.isAbsolute(inside)) {
      rows.push({ ...base(row), status: 'missing-file', user: who, message: `${row.source}:${row.line}: the file "${row.file}" is ${row.file ? 'outside the delivery folder' : 'not named'}. Correct the row.` });
      return;
    }
    const bytes = await readFile(abs).catch(() => undefined);
    if (!bytes) {
      rows.push({ ...base(row), status: 'missing-file', user: who, message: `${row.source}:${row.line}: ${row.file} is not in the delivery (${delivery.dir}). Ask the photographer for it, or correct the folder/file name (it is case-sensitive).` });
      return;
    }
    const report = await checkPhoto(bytes, { enabled: true, crop });
    const problem = report.issues.find((i) => i.severity === 'error');
    if (problem || !report.output) {
      rows.push({ ...base(row), status: 'invalid-photo', user: who, message: `${row.source}:${row.line}: ${row.file}: ${problem?.message ?? 'the photo could not be normalised.'}` });
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
        rows.push({ ...base(row), status: 'file-exists', user: who, photo: target, message: `${row.source}:${row.line}: ${target} already exists and no manifest uses it for ${who}; kept. Re-run with --force to overwrite it, or remove it.` });
        return;
      }
      newEntries.push({ keyField: p.keyField, keyValue: p.keyValue, photo: rel, comment: `${row.name ? `${row.name}, ` : ''}${row.source}:${row.line} ${row.file}` });
    }
    if (!options.dryRun) await writeAtomic(path.join(repo, ...target.split('/')), report.output.jpeg);
    rows.push({
      ...base(row),
      status,
      user: who,
      photo: target,
      message: status === 'replaced' ? `${row.source}:${row.line}: replaced ${target} (declared at ${p.declaration!.at.file}:${p.declaration!.at.line}).` : `${row.source}:${row.line}: ${row.file} → ${target}.`,
    });
  });

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
  return { manifest: manifestRel, rows, directorySize: directory.size, dryRun: options.dryRun ?? false, durationMs: Math.round(performance.now() - started) };
}

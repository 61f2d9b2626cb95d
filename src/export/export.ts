/**
 * Export: adopt a tenant's existing photos into the repository.
 *
 * Lists the tenant's users page by page ($select: only what is needed), optionally only a group's
 * members and/or some UPN domains, skips users the repository already declares, downloads each
 * remaining user's photo (paced: one shared Retry-After gate, adaptive concurrency, bounded
 * retries), checks it as validate will, writes it under photoRoot and declares it in one manifest.
 *
 * Resumable: every user done (photo written, no photo, or refused) is appended to a journal
 * (.entra-photos-export.jsonl at the repository root) as it happens, and the manifest is
 * rewritten from the journal every few dozen users, atomically. A run that is interrupted
 * (Ctrl-C, SIGTERM, a crash) leaves a valid repository and the journal; the same command
 * continues, downloading only what is not in the journal. The journal is removed when the
 * export completes.
 */
import { appendFile, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { mapLimit } from '../core/pool.js';
import { Progress, throttleOf, type ProgressSettings } from '../core/progress.js';
import { checkPhoto } from '../photo/index.js';
import { PacerCancelledError, WritePacer, type PacerStats, pacingClassifierOf } from '../pacing/index.js';
import { photoTargetOf, type DirectorySubject as DirectoryUser, type TargetInput } from '../target/index.js';
import { declaredUsers, findDeclaration, findGroupDeclaration, insideRepo, manifestText, safeFileStem, writeAtomic, type ManifestEntry } from '../adopt/repoFiles.js';

export const EXPORT_JOURNAL = '.entra-photos-export.jsonl';

export interface ExportOptions {
  repo: string;
  /** Repository-relative manifest to write; default manifests/exported.yaml. */
  manifest?: string;
  /** photoRoot of that manifest; default photos. */
  photoRoot?: string;
  /** Folder under photoRoot for the photos; default exported. */
  photoDir?: string;
  /** Only users whose userPrincipalName ends with @one of these (case-insensitive). */
  domains?: string[];
  /** Only (transitive) members of this group: object id or exact display name. */
  group?: string;
  /** How the manifest names users; default upn (for groups: their mail, else mailNickname; objectId: the object id). */
  key?: 'upn' | 'objectId';
  /**
   * Export group photos instead of users' (Microsoft 365 groups, so teams too), declared under
   * `groups:`; default manifest manifests/exported-groups.yaml and photo folder exported-groups.
   */
  groups?: boolean;
  /** Start over: replace an existing export manifest and ignore a journal. */
  force?: boolean;
  /** Rewrite the manifest after this many users done; default 50. */
  checkpointEvery?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Progress lines of the downloads (through `log`): interval, log group (core/progress.ts). */
  progress?: ProgressSettings;
  /** Called after each user is recorded in the journal (progress display, tests). */
  onUser?: (user: ExportedUser) => void;
  pacer?: WritePacer;
}

export type ExportStatus = 'exported' | 'no-photo' | 'managed' | 'refused' | 'failed' | 'not-started';

export interface ExportedUser {
  id: string;
  userPrincipalName: string;
  /** The tenant's displayName, written as the entry's `name:` and shown beside the key. */
  displayName?: string;
  status: ExportStatus;
  /** Repository-relative path of the photo written. */
  file?: string;
  reason?: string;
}

export interface ExportResult {
  manifest: string;
  listed: number;
  /** Users done in earlier, interrupted runs (not downloaded again). */
  resumed: number;
  users: ExportedUser[];
  complete: boolean;
  durationMs: number;
  pacer?: PacerStats;
}

interface JournalHeader {
  journal: 'entra-photos export v1';
  manifest: string;
  photoRoot: string;
  photoDir: string;
  domains: string[];
  group: string | null;
  key: 'upn' | 'objectId';
  /** Present (true) for an export of group photos. */
  groups?: true;
}

type JournalEntry = { id: string; upn: string; name?: string; status: 'exported' | 'no-photo' | 'refused'; file?: string; key?: string; reason?: string };

export async function exportTenant(options: ExportOptions, tenant: TargetInput): Promise<ExportResult> {
  const target = photoTargetOf(tenant);
  const started = performance.now();
  const log = options.log ?? (() => {});
  const repo = options.repo;
  const groups = options.groups === true;
  if (groups && options.group) throw new UserError('usage', '--groups exports the groups\' own photos; --group picks the users of one group. Use one of them.');
  const manifestRel = toPosix(options.manifest ?? (groups ? 'manifests/exported-groups.yaml' : 'manifests/exported.yaml'));
  const photoRoot = toPosix(options.photoRoot ?? 'photos').replace(/\/+$/, '');
  const photoDir = toPosix(options.photoDir ?? (groups ? 'exported-groups' : 'exported')).replace(/^\/+|\/+$/g, '');
  const manifestAbs = insideRepo(repo, manifestRel, '--manifest');
  if (!/^manifests\/.+\.ya?ml$/i.test(manifestRel)) throw new UserError('usage', `--manifest ${manifestRel} must be a .yaml file under manifests/ (validate reads manifests/*.yaml).`);
  insideRepo(repo, `${photoRoot}/${photoDir}/x`, '--photo-dir');
  const domains = (options.domains ?? []).map((d) => d.trim().replace(/^@/, '').toLowerCase()).filter(Boolean);
  const header: JournalHeader = { journal: 'entra-photos export v1', manifest: manifestRel, photoRoot, photoDir, domains, group: options.group ?? null, key: options.key ?? 'upn', ...(groups ? { groups: true as const } : {}) };
  const journalPath = path.join(repo, EXPORT_JOURNAL);

  // Resume from a journal, or start (refusing to replace an earlier export without --force).
  let done = new Map<string, JournalEntry>();
  const journalText = options.force ? undefined : await readFile(journalPath, 'utf8').catch(() => undefined);
  const parsed = journalText !== undefined ? parseJournal(journalText, journalPath) : undefined;
  // A journal with no user in it (a run that stopped before the first download) holds nothing to keep.
  if (parsed && parsed.entries.size > 0) {
    if (JSON.stringify(parsed.header) !== JSON.stringify(header)) {
      throw new UserError(
        'usage',
        `${EXPORT_JOURNAL}:1: an interrupted export with other options is waiting to be continued (${describeHeader(parsed.header)}). Run it again with the same options to finish it, or pass --force to start over.`,
      );
    }
    done = parsed.entries;
    log(`Continuing an interrupted export: ${done.size} user(s) already done.`);
  } else {
    // (With a journal of no users, the manifest is that stopped run's own, empty one.)
    if (!options.force && !parsed && (await exists(manifestAbs))) {
      throw new UserError('usage', `${manifestRel} already exists (an earlier export?). Nothing was overwritten: pass --force to export again and replace it, or --manifest to write another file.`);
    }
    await writeAtomic(journalPath, JSON.stringify(header) + '\n');
  }
  const resumed = done.size;

  // Users the other manifests declare are managed already: export leaves them alone.
  const declared = await declaredUsers(repo);
  for (const [key, declaration] of declared) if (declaration.at.file === manifestRel) declared.delete(key);

  const pacer = options.pacer ?? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, classify: pacingClassifierOf(target), ...(options.signal ? { signal: options.signal } : {}) });
  const users: ExportedUser[] = [];
  let listed = 0;
  let sinceCheckpoint = 0;
  const every = options.checkpointEvery ?? 50;
  const checkpoint = async () => {
    sinceCheckpoint = 0;
    await writeAtomic(manifestAbs, exportManifest(done, header));
  };
  const record = async (entry: JournalEntry, user: ExportedUser) => {
    done.set(entry.id, entry);
    users.push(user);
    await appendFile(journalPath, JSON.stringify(entry) + '\n');
    if (++sinceCheckpoint >= every) await checkpoint();
    options.onUser?.(user);
  };

  // The total grows page by page as the directory is listed.
  const progress = new Progress({ verb: 'Exporting', total: 0, totalKnown: false, log, throttle: throttleOf(pacer), ...(options.progress ? { settings: options.progress } : {}) });
  const usedFiles = new Set([...done.values()].flatMap((e) => (e.file ? [e.file.toLowerCase()] : [])));
  let interrupted = false;
  try {
    for await (const page of target.listSubjects({ ...(options.group ? { group: options.group } : {}), ...(groups ? { kind: 'groups' as const } : {}), ...(options.signal ? { signal: options.signal } : {}) })) {
      const wanted: DirectoryUser[] = [];
      for (const user of page) {
        // --domain filters by the address: a group without mail is named by its alias and kept.
        const address = groups ? (user.mail ?? '') : user.userPrincipalName;
        if (domains.length && !(groups && !address) && !domains.some((d) => address.toLowerCase().endsWith(`@${d}`))) continue;
        listed++;
        const previous = done.get(user.id);
        if (previous) {
          users.push({ id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: previous.status, ...(previous.file ? { file: previous.file } : {}), ...(previous.reason ? { reason: previous.reason } : {}) });
          continue;
        }
        const declaration = groups ? findGroupDeclaration(declared, user) : findDeclaration(declared, user);
        if (declaration) {
          users.push({ id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: 'managed', reason: `already declared at ${declaration.at.file}:${declaration.at.line}` });
          continue;
        }
        wanted.push(user);
      }
      progress.addTotal(wanted.length);
      // A bounded window: downloaded photos never pile up waiting to be checked and written.
      await mapLimit(wanted, 32, (user) => exportUser(user).finally(() => progress.advance()));
      async function exportUser(user: DirectoryUser): Promise<void> {
          let bytes: Buffer | null;
          try {
            bytes = await pacer.run(() => target.downloadPhoto(user.id, options.signal), user.userPrincipalName);
          } catch (err) {
            const cancelled = err instanceof PacerCancelledError;
            users.push({ id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: cancelled ? 'not-started' : 'failed', reason: (err as Error).message });
            return;
          }
          const base = { id: user.id, upn: user.userPrincipalName, ...(user.displayName?.trim() ? { name: user.displayName.trim() } : {}) };
          if (!bytes) {
            await record({ ...base, status: 'no-photo' }, { id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: 'no-photo' });
            return;
          }
          const report = await checkPhoto(bytes, { enabled: true, crop: 'centre' });
          const problem = report.issues.find((i) => i.severity === 'error');
          if (problem || !report.input) {
            const reason = `the tenant's photo would not pass validation: ${problem?.message ?? 'unreadable'}`;
            await record({ ...base, status: 'refused', reason }, { id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: 'refused', reason });
            return;
          }
          const ext = report.input.format === 'jpeg' ? 'jpg' : report.input.format;
          let rel = `${photoDir}/${safeFileStem(user.userPrincipalName || user.id)}.${ext}`;
          // Two UPNs that differ only in characters a file name cannot hold get the object id too.
          if (usedFiles.has(rel.toLowerCase())) rel = `${photoDir}/${safeFileStem(user.userPrincipalName)}-${user.id.slice(0, 8)}.${ext}`;
          usedFiles.add(rel.toLowerCase());
          await writeAtomic(path.join(repo, photoRoot, ...rel.split('/')), bytes);
          const key = header.key === 'objectId' ? user.id.replace(/^group:/, '') : user.userPrincipalName;
          await record({ ...base, status: 'exported', file: rel, key }, { id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: 'exported', file: `${photoRoot}/${rel}` });
      }
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
  } catch (err) {
    if (!options.signal?.aborted) {
      await checkpoint().catch(() => {});
      throw err;
    }
    interrupted = true;
  } finally {
    progress.finish();
  }
  await checkpoint();
  const complete = !interrupted && !options.signal?.aborted && users.every((u) => u.status !== 'failed' && u.status !== 'not-started');
  if (complete) await rm(journalPath, { force: true });
  log(complete ? `Export complete: ${manifestRel} declares ${[...done.values()].filter((e) => e.status === 'exported').length} user(s).` : `Export not complete: progress is in ${EXPORT_JOURNAL}; run the same command again to continue.`);
  return { manifest: manifestRel, listed, resumed, users, complete, durationMs: Math.round(performance.now() - started), pacer: pacer.stats };
}

function exportManifest(done: ReadonlyMap<string, JournalEntry>, header: JournalHeader): string {
  const entries: ManifestEntry[] = [...done.values()]
    .filter((e): e is JournalEntry & { file: string; key: string } => e.status === 'exported' && e.file !== undefined && e.key !== undefined)
    .sort((a, b) => (a.key.toLowerCase() < b.key.toLowerCase() ? -1 : 1))
    .map((e) => ({ keyField: header.groups ? 'group' : 'user', keyValue: e.key, ...(e.name ? { name: e.name } : {}), photo: e.file, ...(header.key === 'objectId' ? { comment: e.upn } : {}) }));
  return manifestText(entries, {
    photoRoot: header.photoRoot,
    list: header.groups ? 'groups' : 'users',
    header: [
      'Photos adopted from the tenant by `entra-photos export`.',
      `Filters: ${describeHeader(header)}.`,
      'From now on the repository is the truth: change a photo by a pull request.',
    ],
  });
}

function describeHeader(h: JournalHeader): string {
  const parts = [`manifest ${h.manifest}`, `photos ${h.photoRoot}/${h.photoDir}`, `key ${h.key}`];
  if (h.domains.length) parts.push(`domains ${h.domains.join(', ')}`);
  if (h.group) parts.push(`group ${h.group}`);
  if (h.groups) parts.push('group photos');
  return parts.join('; ');
}

function parseJournal(text: string, file: string): { header: JournalHeader; entries: Map<string, JournalEntry> } {
  const lines = text.split('\n');
  const entries = new Map<string, JournalEntry>();
  let header: JournalHeader | undefined;
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A crash can cut the last line short; everything before it is good.
      if (index === lines.length - 1 || lines.slice(index + 1).every((l) => !l.trim())) break;
      throw new UserError('usage', `${path.basename(file)}:${index + 1}: not a journal line. The file is damaged: delete it and run export with --force to start over.`);
    }
    if (!header) {
      if ((value as JournalHeader).journal !== 'entra-photos export v1') {
        throw new UserError('usage', `${path.basename(file)}:1: not an entra-photos export journal. Delete it, or run export with --force.`);
      }
      header = value as JournalHeader;
      continue;
    }
    const entry = value as JournalEntry;
    if (typeof entry.id === 'string') entries.set(entry.id, entry);
  }
  if (!header) throw new UserError('usage', `${path.basename(file)}:1: the journal is empty. Delete it, or run export with --force.`);
  return { header, entries };
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/').replace(/^\.\//, '');
}

/** The tenant's displayName for reports, when it has one. */
function shownName(user: Pick<DirectoryUser, 'displayName'>): { displayName?: string } {
  const name = user.displayName?.trim();
  return name ? { displayName: name } : {};
}

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { readFile, rm, stat, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { U as UserError } from './shared6.js';
import { j as pacingClassifierOf, k as Progress, l as throttleOf, m as mapLimit, c as checkPhoto } from './shared2.js';
import 'node:os';
import 'sharp';
import 'node:crypto';
import { W as WritePacer, P as PacerCancelledError } from './shared11.js';
import { p as photoTargetOf } from './shared12.js';
import { i as insideRepo, w as writeAtomic, d as declaredUsers, f as findGroupDeclaration, a as findDeclaration, s as safeFileStem, m as manifestText } from './shared20.js';
import { p as printable } from './shared4.js';

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
const EXPORT_JOURNAL = '.entra-photos-export.jsonl';
async function exportTenant(options, tenant) {
    const target = photoTargetOf(tenant);
    const started = performance.now();
    const log = options.log ?? (() => { });
    const repo = options.repo;
    const groups = options.groups === true;
    if (groups && options.group)
        throw new UserError('usage', '--groups exports the groups\' own photos; --group picks the users of one group. Use one of them.');
    const manifestRel = toPosix(options.manifest ?? (groups ? 'manifests/exported-groups.yaml' : 'manifests/exported.yaml'));
    const photoRoot = toPosix(options.photoRoot ?? 'photos').replace(/\/+$/, '');
    const photoDir = toPosix(options.photoDir ?? (groups ? 'exported-groups' : 'exported')).replace(/^\/+|\/+$/g, '');
    const manifestAbs = insideRepo(repo, manifestRel, '--manifest');
    if (!/^manifests\/.+\.ya?ml$/i.test(manifestRel))
        throw new UserError('usage', `--manifest ${manifestRel} must be a .yaml file under manifests/ (validate reads manifests/*.yaml).`);
    insideRepo(repo, `${photoRoot}/${photoDir}/x`, '--photo-dir');
    const domains = (options.domains ?? []).map((d) => d.trim().replace(/^@/, '').toLowerCase()).filter(Boolean);
    const header = { journal: 'entra-photos export v1', manifest: manifestRel, photoRoot, photoDir, domains, group: options.group ?? null, key: options.key ?? 'upn', ...(groups ? { groups: true } : {}) };
    const journalPath = path.join(repo, EXPORT_JOURNAL);
    // Resume from a journal, or start (refusing to replace an earlier export without --force).
    let done = new Map();
    const journalText = options.force ? undefined : await readFile(journalPath, 'utf8').catch(() => undefined);
    const parsed = journalText !== undefined ? parseJournal(journalText, journalPath) : undefined;
    // A journal with no user in it (a run that stopped before the first download) holds nothing to keep.
    if (parsed && parsed.entries.size > 0) {
        if (JSON.stringify(parsed.header) !== JSON.stringify(header)) {
            throw new UserError('usage', `${EXPORT_JOURNAL}:1: an interrupted export with other options is waiting to be continued (${describeHeader(parsed.header)}). Run it again with the same options to finish it, or pass --force to start over.`);
        }
        done = parsed.entries;
        log(`Continuing an interrupted export: ${done.size} user(s) already done.`);
    }
    else {
        // (With a journal of no users, the manifest is that stopped run's own, empty one.)
        if (!options.force && !parsed && (await exists(manifestAbs))) {
            throw new UserError('usage', `${manifestRel} already exists (an earlier export?). Nothing was overwritten: pass --force to export again and replace it, or --manifest to write another file.`);
        }
        await writeAtomic(journalPath, JSON.stringify(header) + '\n');
    }
    const resumed = done.size;
    // Users the other manifests declare are managed already: export leaves them alone.
    const declared = await declaredUsers(repo);
    for (const [key, declaration] of declared)
        if (declaration.at.file === manifestRel)
            declared.delete(key);
    const pacer = options.pacer ?? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, classify: pacingClassifierOf(target), ...(options.signal ? { signal: options.signal } : {}) });
    const users = [];
    let listed = 0;
    let sinceCheckpoint = 0;
    const every = options.checkpointEvery ?? 50;
    const checkpoint = async () => {
        sinceCheckpoint = 0;
        await writeAtomic(manifestAbs, exportManifest(done, header));
    };
    const record = async (entry, user) => {
        done.set(entry.id, entry);
        users.push(user);
        await appendFile(journalPath, JSON.stringify(entry) + '\n');
        if (++sinceCheckpoint >= every)
            await checkpoint();
        options.onUser?.(user);
    };
    // The total grows page by page as the directory is listed.
    const progress = new Progress({ verb: 'Exporting', total: 0, totalKnown: false, log, throttle: throttleOf(pacer), ...(options.progress ? { settings: options.progress } : {}) });
    const usedFiles = new Set([...done.values()].flatMap((e) => (e.file ? [e.file.toLowerCase()] : [])));
    let interrupted = false;
    try {
        for await (const page of target.listSubjects({ ...(options.group ? { group: options.group } : {}), ...(groups ? { kind: 'groups' } : {}), ...(options.signal ? { signal: options.signal } : {}) })) {
            const wanted = [];
            for (const user of page) {
                // --domain filters by the address: a group without mail is named by its alias and kept.
                const address = groups ? (user.mail ?? '') : user.userPrincipalName;
                if (domains.length && !(groups && !address) && !domains.some((d) => address.toLowerCase().endsWith(`@${d}`)))
                    continue;
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
            async function exportUser(user) {
                let bytes;
                try {
                    bytes = await pacer.run(() => target.downloadPhoto(user.id, options.signal), user.userPrincipalName);
                }
                catch (err) {
                    const cancelled = err instanceof PacerCancelledError;
                    users.push({ id: user.id, userPrincipalName: user.userPrincipalName, ...shownName(user), status: cancelled ? 'not-started' : 'failed', reason: err.message });
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
                if (usedFiles.has(rel.toLowerCase()))
                    rel = `${photoDir}/${safeFileStem(user.userPrincipalName)}-${user.id.slice(0, 8)}.${ext}`;
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
    }
    catch (err) {
        if (!options.signal?.aborted) {
            await checkpoint().catch(() => { });
            throw err;
        }
        interrupted = true;
    }
    finally {
        progress.finish();
    }
    await checkpoint();
    const complete = !interrupted && !options.signal?.aborted && users.every((u) => u.status !== 'failed' && u.status !== 'not-started');
    if (complete)
        await rm(journalPath, { force: true });
    log(complete ? `Export complete: ${manifestRel} declares ${[...done.values()].filter((e) => e.status === 'exported').length} user(s).` : `Export not complete: progress is in ${EXPORT_JOURNAL}; run the same command again to continue.`);
    return { manifest: manifestRel, listed, resumed, users, complete, durationMs: Math.round(performance.now() - started), pacer: pacer.stats };
}
function exportManifest(done, header) {
    const entries = [...done.values()]
        .filter((e) => e.status === 'exported' && e.file !== undefined && e.key !== undefined)
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
function describeHeader(h) {
    const parts = [`manifest ${h.manifest}`, `photos ${h.photoRoot}/${h.photoDir}`, `key ${h.key}`];
    if (h.domains.length)
        parts.push(`domains ${h.domains.join(', ')}`);
    if (h.group)
        parts.push(`group ${h.group}`);
    if (h.groups)
        parts.push('group photos');
    return parts.join('; ');
}
function parseJournal(text, file) {
    const lines = text.split('\n');
    const entries = new Map();
    let header;
    for (const [index, line] of lines.entries()) {
        if (!line.trim())
            continue;
        let value;
        try {
            value = JSON.parse(line);
        }
        catch {
            // A crash can cut the last line short; everything before it is good.
            if (index === lines.length - 1 || lines.slice(index + 1).every((l) => !l.trim()))
                break;
            throw new UserError('usage', `${path.basename(file)}:${index + 1}: not a journal line. The file is damaged: delete it and run export with --force to start over.`);
        }
        if (!header) {
            if (value.journal !== 'entra-photos export v1') {
                throw new UserError('usage', `${path.basename(file)}:1: not an entra-photos export journal. Delete it, or run export with --force.`);
            }
            header = value;
            continue;
        }
        const entry = value;
        if (typeof entry.id === 'string')
            entries.set(entry.id, entry);
    }
    if (!header)
        throw new UserError('usage', `${path.basename(file)}:1: the journal is empty. Delete it, or run export with --force.`);
    return { header, entries };
}
async function exists(file) {
    return (await stat(file).catch(() => undefined)) !== undefined;
}
function toPosix(p) {
    return p.split(path.sep).join('/').replace(/^\.\//, '');
}
/** The tenant's displayName for reports, when it has one. */
function shownName(user) {
    const name = user.displayName?.trim();
    return name ? { displayName: name } : {};
}

/** Export report builders: pure functions from an export result to text and JSON. */
function exportCounts(result) {
    const counts = { exported: 0, 'no-photo': 0, managed: 0, refused: 0, failed: 0, 'not-started': 0 };
    for (const u of result.users)
        counts[u.status]++;
    return counts;
}
/** `listed` names what was listed: users, or (an export of group photos) "group(s) and team(s)". */
function exportHeadline(result, listed = 'user(s)') {
    const c = exportCounts(result);
    const parts = [`${c.exported} photo(s) exported`, `${c['no-photo']} without a photo`, `${c.managed} already in the repository`];
    if (c.refused)
        parts.push(`${c.refused} refused`);
    if (c.failed)
        parts.push(`${c.failed} failed`);
    if (c['not-started'])
        parts.push(`${c['not-started']} not started`);
    return `${result.complete ? 'Export complete' : 'Export interrupted'}: ${result.listed} ${listed} listed; ${parts.join(', ')}${result.resumed ? ` (${result.resumed} done by an earlier run)` : ''} (${(result.durationMs / 1000).toFixed(1)} s).`;
}
function exportText(result) {
    const lines = [];
    for (const u of result.users) {
        // The tenant's names and Graph's messages are data: printable() keeps each on its line.
        if (u.status === 'refused' || u.status === 'failed')
            lines.push(`  ! ${printable(u.userPrincipalName)}${u.displayName ? ` (${printable(u.displayName)})` : ''}: ${u.status}: ${printable(u.reason ?? '')}`);
    }
    lines.push(exportHeadline(result));
    lines.push(result.complete
        ? `Next: review and commit ${printable(result.manifest)} and the photos (entra-photos validate checks them). The first apply after the commit re-uploads the same pictures; entra-photos drift shows them in sync.`
        : 'Run the same command again to continue where this run stopped (nothing done is downloaded again).');
    return lines.join('\n') + '\n';
}
function exportJson(result) {
    return {
        manifest: result.manifest,
        complete: result.complete,
        listed: result.listed,
        resumed: result.resumed,
        counts: exportCounts(result),
        durationMs: result.durationMs,
        users: result.users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, ...(u.displayName ? { displayName: u.displayName } : {}), status: u.status, ...(u.file ? { file: u.file } : {}), ...(u.reason ? { reason: u.reason } : {}) })),
    };
}

export { exportJson as a, exportText as b, exportHeadline as c, exportCounts as d, exportTenant as e };

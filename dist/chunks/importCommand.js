import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import path from 'node:path';
import { p as printable, l as logSafeJson } from './shared4.js';
import { U as UserError } from './shared6.js';
import { w as wantsHelp, p as parseOptions, r as readFormat, a as repoDirectory } from './shared16.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { x as listAllSubjects, m as mapLimit, c as checkPhoto } from './shared2.js';
import { r as recommendedParallelism } from './shared.js';
import 'sharp';
import 'node:crypto';
import { p as photoTargetOf } from './shared12.js';
import { i as insideRepo, d as declaredUsers, a as findDeclaration, b as appendToManifest, w as writeAtomic, m as manifestText, c as addNamesToEntries, s as safeFileStem } from './shared20.js';
import { i as isGuid } from './shared5.js';
import { b as tenantFromArgs, a as TENANT_OPTIONS } from './shared18.js';
import 'node:util';
import 'node:zlib';
import './shared7.js';
import 'crypto';
import 'buffer';
import 'stream';
import 'util';
import 'http';
import 'fs';
import 'path';
import 'node:os';
import 'node:process';
import 'net';
import 'tls';
import 'assert';
import 'tty';
import 'https';
import 'url';
import 'events';
import 'node:http';
import 'node:https';
import 'node:stream';
import 'node:fs';
import 'child_process';
import 'process';
import './shared21.js';

function decodeText(bytes) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    // U+FFFD means the bytes were not UTF-8: PSPA discs are often Windows-1252.
    const decoded = text.includes('\uFFFD') ? bytes.toString('latin1') : text;
    return decoded.replace(/^\uFEFF/, '');
}
/** Tab when the first non-empty line has one, else comma. */
function guessDelimiter(text) {
    const first = text.split(/\r?\n/).find((l) => l.trim()) ?? '';
    return first.includes('\t') ? '\t' : ',';
}
function parseDelimited(text, delimiter = guessDelimiter(text)) {
    const rows = [];
    let cells = [];
    let cell = '';
    let quoted = false;
    let line = 1;
    let rowLine = 1;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"') {
                if (text[i + 1] === '"') {
                    cell += '"';
                    i++;
                }
                else
                    quoted = false;
            }
            else {
                if (c === '\n')
                    line++;
                cell += c;
            }
            continue;
        }
        if (c === '"' && cell.trim() === '') {
            quoted = true;
            cell = '';
        }
        else if (c === delimiter) {
            cells.push(cell.trim());
            cell = '';
        }
        else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n')
                i++;
            cells.push(cell.trim());
            if (cells.some((x) => x !== ''))
                rows.push({ line: rowLine, cells });
            cells = [];
            cell = '';
            line++;
            rowLine = line;
        }
        else
            cell += c;
    }
    cells.push(cell.trim());
    if (cells.some((x) => x !== ''))
        rows.push({ line: rowLine, cells });
    return rows;
}
/** Header lookup: case-, space- and underscore-insensitive. */
function headerIndex(header, ...names) {
    const norm = (s) => s.toLowerCase().replace(/[\s_.-]+/g, '');
    const wanted = names.map(norm);
    return header.findIndex((h) => wanted.includes(norm(h)));
}

/**
 * A photographer's delivery, as rows: who (an id) and which file.
 *
 * (a) PSPA-style: INDEX.TXT (and MASTER.TXT) next to the image folders; tab-delimited, usually
 *     without a header row, columns in the PSPA order: A Volume, B Image Folder, C Image File
 *     Name, D Grade, E Last Name, F First Name, G Homeroom, H Period, I Teacher, J Track,
 *     K Department, L Title, M Image Size, then studio extensions — the student id is commonly
 *     column N. With a header row, columns are found by name (Student ID, Person ID, ID, …).
 *     MASTER.TXT is the studio's cumulative file after retake day: where both list a person, its
 *     row wins; within one file a later row for the same person wins (the retake).
 * (b) CSV: a header row with an id column and a file column (paths relative to the CSV).
 */
/** Leading zeros are formatting, not identity: "0012345" and "12345" are one student. */
function normaliseId(id) {
    const trimmed = id.trim();
    if (/^\d+$/.test(trimmed))
        return trimmed.replace(/^0+(?=\d)/, '');
    return trimmed.toLowerCase();
}
const PSPA_COLUMNS = { folder: 1, file: 2, grade: 3, last: 4, first: 5 };
/** 0-based default id column of a header-less PSPA file: N, after Image Size. */
const PSPA_DEFAULT_ID_COLUMN = 13;
const ID_HEADERS = ['student id', 'studentid', 'student number', 'person id', 'personid', 'employee id', 'employeeid', 'id', 'student no'];
async function readPspaDelivery(dir, options = {}) {
    const names = await readdir(dir).catch(() => {
        throw new UserError('usage', `--pspa ${dir} is not a folder. Point it at the delivery folder that holds INDEX.TXT.`);
    });
    const find = (wanted) => names.find((n) => n.toLowerCase() === wanted.toLowerCase());
    const index = find('INDEX.TXT');
    const master = find('MASTER.TXT');
    if (!index && !master)
        throw new UserError('usage', `${dir} holds neither INDEX.TXT nor MASTER.TXT. Point --pspa at the folder of the photographer's delivery (where INDEX.TXT is).`);
    const files = [index, master].filter((n) => n !== undefined);
    const all = [];
    const withoutId = [];
    for (const name of files) {
        const rows = parseDelimited(decodeText(await readFile(path.join(dir, name))));
        for (const row of pspaRows(name, rows, options))
            (row.id ? all : withoutId).push(row);
    }
    return { dir, ...applyRetakes(all, master), withoutId };
}
function pspaRows(source, rows, options) {
    if (rows.length === 0)
        return [];
    const first = rows[0].cells;
    const hasHeader = headerIndex(first, 'volume', 'volume name') >= 0 || headerIndex(first, 'image file name', 'filename', 'file name', 'image') >= 0;
    const header = hasHeader ? first : undefined;
    const col = (names, fallback) => (header ? headerIndex(header, ...names) : fallback);
    const folder = col(['image folder', 'folder'], PSPA_COLUMNS.folder);
    const file = col(['image file name', 'filename', 'file name', 'image'], PSPA_COLUMNS.file);
    const grade = col(['grade'], PSPA_COLUMNS.grade);
    const last = col(['last name', 'last', 'lastname'], PSPA_COLUMNS.last);
    const firstName = col(['first name', 'first', 'firstname'], PSPA_COLUMNS.first);
    const id = idColumn(source, header, options.idColumn);
    if (header && file < 0)
        throw new UserError('usage', `${source}:1: the header row has no Image File Name column. Name it "Image File Name" (or remove the header row to use the PSPA column order).`);
    return rows.slice(hasHeader ? 1 : 0).map((row) => {
        const cell = (i) => (i >= 0 ? (row.cells[i] ?? '').trim() : '');
        const name = [cell(firstName), cell(last)].filter(Boolean).join(' ');
        const rel = [cell(folder), cell(file)].filter(Boolean).join('/').replace(/\\/g, '/');
        return { source, line: row.line, id: cell(id), file: rel, ...(name ? { name } : {}), ...(cell(grade) ? { grade: cell(grade) } : {}) };
    });
}
function idColumn(source, header, option) {
    if (option === undefined) {
        if (header) {
            const found = headerIndex(header, ...ID_HEADERS);
            if (found < 0)
                throw new UserError('usage', `${source}:1: no id column in the header (looked for ${ID_HEADERS.slice(0, 4).join(', ')}, …). Say which column holds the student or employee id with --id-column NAME.`);
            return found;
        }
        return PSPA_DEFAULT_ID_COLUMN;
    }
    if (/^\d+$/.test(option))
        return Number(option) - 1;
    if (/^[A-Za-z]$/.test(option))
        return option.toUpperCase().charCodeAt(0) - 65;
    if (header) {
        const found = headerIndex(header, option);
        if (found >= 0)
            return found;
    }
    throw new UserError('usage', `--id-column ${option}: ${header ? `no column named "${option}" in ${source}:1` : `${source} has no header row, so give a column number (1 = A) or letter`}.`);
}
/** One row per person: MASTER.TXT over INDEX.TXT, a later row over an earlier one. */
function applyRetakes(rows, master) {
    const winner = new Map();
    const superseded = [];
    const rank = (r) => (r.source === master ? 1 : 0);
    for (const row of rows) {
        const key = normaliseId(row.id);
        const current = winner.get(key);
        if (!current) {
            winner.set(key, row);
        }
        else if (rank(row) >= rank(current)) {
            superseded.push({ row: current, by: row });
            winner.set(key, row);
        }
        else {
            superseded.push({ row, by: current });
        }
    }
    return { rows: [...winner.values()], superseded };
}
async function readCsvDelivery(csvPath, options = {}) {
    const source = path.basename(csvPath);
    const bytes = await readFile(csvPath).catch(() => {
        throw new UserError('usage', `--csv ${csvPath} cannot be read. Give the path of a CSV with a header row, e.g. "id,file".`);
    });
    const rows = parseDelimited(decodeText(bytes));
    const header = rows[0]?.cells ?? [];
    const id = headerIndex(header, options.idColumn ?? 'id', ...(options.idColumn ? [] : ['employeeId', 'student id', 'upn', 'userPrincipalName', 'mail', 'email']));
    const file = headerIndex(header, options.fileColumn ?? 'file', ...(options.fileColumn ? [] : ['photo', 'filename', 'file name', 'path', 'image']));
    if (id < 0 || file < 0) {
        throw new UserError('usage', `${source}:1: the header row needs an id column (${options.idColumn ?? 'id'}) and a file column (${options.fileColumn ?? 'file'}); it has: ${header.join(', ') || 'nothing'}. Rename them, or pass --id-column / --file-column.`);
    }
    const all = [];
    const withoutId = [];
    for (const row of rows.slice(1)) {
        const r = { source, line: row.line, id: (row.cells[id] ?? '').trim(), file: (row.cells[file] ?? '').trim().replace(/\\/g, '/') };
        (r.id ? all : withoutId).push(r);
    }
    return { dir: path.dirname(csvPath), ...applyRetakes(all, undefined), withoutId };
}

/**
 * Matching delivery ids to directory users: by employeeId (leading zeros ignored), by
 * userPrincipalName or mail (case-insensitive), or by object id. The directory comes from the
 * tenant (one paged listing) or, offline, from a roster CSV exported from the SIS/HR system.
 * More than one candidate is an ambiguity, never a guess.
 */
class Directory {
    #byEmployeeId = new Map();
    #byUpn = new Map();
    #byMail = new Map();
    #byObjectId = new Map();
    size;
    constructor(users) {
        const add = (map, key, user) => {
            if (!key)
                return;
            const list = map.get(key) ?? [];
            list.push(user);
            map.set(key, list);
        };
        for (const user of users) {
            add(this.#byEmployeeId, user.employeeId ? normaliseId(user.employeeId) : undefined, user);
            add(this.#byUpn, user.userPrincipalName?.toLowerCase(), user);
            add(this.#byMail, user.mail?.toLowerCase(), user);
            if (user.id)
                this.#byObjectId.set(user.id.toLowerCase(), user);
        }
        this.size = users.length;
    }
    match(id) {
        const value = id.trim();
        if (isGuid(value)) {
            const user = this.#byObjectId.get(value.toLowerCase());
            return user ? { kind: 'matched', user, by: 'objectId' } : { kind: 'unmatched' };
        }
        if (value.includes('@')) {
            const lower = value.toLowerCase();
            const byUpn = this.#byUpn.get(lower) ?? [];
            if (byUpn.length === 1)
                return { kind: 'matched', user: byUpn[0], by: 'upn' };
            if (byUpn.length > 1)
                return { kind: 'ambiguous', candidates: byUpn, by: 'upn' };
            const byMail = this.#byMail.get(lower) ?? [];
            if (byMail.length === 1)
                return { kind: 'matched', user: byMail[0], by: 'mail' };
            if (byMail.length > 1)
                return { kind: 'ambiguous', candidates: byMail, by: 'mail' };
            return { kind: 'unmatched' };
        }
        const found = this.#byEmployeeId.get(normaliseId(value)) ?? [];
        if (found.length === 1)
            return { kind: 'matched', user: found[0], by: 'employeeId' };
        if (found.length > 1)
            return { kind: 'ambiguous', candidates: found, by: 'employeeId' };
        return { kind: 'unmatched' };
    }
}
/**
 * The usual names of roster columns, compared without regard to case, spaces, `_`, `.` and `-`
 * (so "E-mail", "Email Address" and "USER_PRINCIPAL_NAME" all match).
 */
const ROSTER_COLUMN_NAMES = {
    employeeId: ['employeeId', 'employee id', 'employee number', 'student id', 'student number', 'staff id'],
    userPrincipalName: ['userPrincipalName', 'upn', 'username', 'login', 'sign-in name', 'signin name'],
    mail: ['mail', 'email', 'e-mail', 'email address', 'mail address', 'primary email'],
    id: ['id', 'objectId', 'object id'],
    displayName: ['displayName', 'display name', 'name', 'full name'],
};
/** readRoster, and which column each field came from (import says which key it wrote, and why). */
async function readRosterFile(file) {
    const source = path.basename(file);
    const bytes = await readFile(file).catch(() => {
        throw new UserError('usage', `--roster ${file} cannot be read. Give a CSV exported from your SIS or HR system with a header row (employeeId,userPrincipalName,mail).`);
    });
    const rows = parseDelimited(decodeText(bytes));
    const header = rows[0]?.cells ?? [];
    const col = {
        employeeId: headerIndex(header, ...ROSTER_COLUMN_NAMES.employeeId),
        upn: headerIndex(header, ...ROSTER_COLUMN_NAMES.userPrincipalName),
        mail: headerIndex(header, ...ROSTER_COLUMN_NAMES.mail),
        id: headerIndex(header, ...ROSTER_COLUMN_NAMES.id),
        displayName: headerIndex(header, ...ROSTER_COLUMN_NAMES.displayName),
    };
    if (col.employeeId < 0 && col.upn < 0 && col.mail < 0) {
        throw new UserError('usage', `${source}:1: the roster's header row names none of employeeId, userPrincipalName (UPN), mail (Email) (it has: ${header.join(', ') || 'nothing'}). Rename the columns.`);
    }
    const columns = {};
    const named = (i) => (i >= 0 ? header[i] : undefined);
    for (const [field, i] of [['employeeId', col.employeeId], ['userPrincipalName', col.upn], ['mail', col.mail], ['id', col.id], ['displayName', col.displayName]]) {
        const h = named(i);
        if (h !== undefined)
            columns[field] = h;
    }
    const users = rows.slice(1).map((row) => {
        const cell = (i) => (i >= 0 ? (row.cells[i] ?? '').trim() || undefined : undefined);
        const user = { at: `${source}:${row.line}` };
        const values = { employeeId: cell(col.employeeId), userPrincipalName: cell(col.upn), mail: cell(col.mail), id: cell(col.id), displayName: cell(col.displayName) };
        for (const [k, v] of Object.entries(values))
            if (v !== undefined)
                user[k] = v;
        return user;
    });
    return { users, columns };
}
function describeRosterUser(user) {
    const name = user.userPrincipalName ?? user.mail ?? (user.employeeId ? `employeeId ${user.employeeId}` : user.id ?? '?');
    return user.at ? `${name} (${user.at})` : name;
}

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
const PHOTO_ROOT = 'photos';
async function importDelivery(options, tenant) {
    const started = performance.now();
    const log = options.log ?? (() => { });
    const repo = options.repo;
    const manifestRel = (options.manifest ?? 'manifests/imported.yaml').split(path.sep).join('/').replace(/^\.\//, '');
    if (!/^manifests\/.+\.ya?ml$/i.test(manifestRel))
        throw new UserError('usage', `--manifest ${manifestRel} must be a .yaml file under manifests/ (validate reads manifests/*.yaml).`);
    const manifestAbs = insideRepo(repo, manifestRel, '--manifest');
    const photoDir = (options.photoDir ?? 'imported').replace(/^\/+|\/+$/g, '');
    insideRepo(repo, `${PHOTO_ROOT}/${photoDir}/x`, '--photo-dir');
    const crop = options.crop ?? 'centre';
    const delivery = options.source.kind === 'pspa'
        ? await readPspaDelivery(options.source.dir, options.source.idColumn !== undefined ? { idColumn: options.source.idColumn } : {})
        : await readCsvDelivery(options.source.file, { ...(options.source.idColumn ? { idColumn: options.source.idColumn } : {}), ...(options.source.fileColumn ? { fileColumn: options.source.fileColumn } : {}) });
    log(`${delivery.rows.length} person(s) in the delivery (${delivery.superseded.length} retake/MASTER row(s) replaced earlier ones).`);
    let rosterUsers;
    let rosterColumns;
    if (options.roster) {
        const roster = await readRosterFile(options.roster);
        rosterUsers = roster.users;
        rosterColumns = roster.columns;
        const shown = (field) => (rosterColumns[field] !== undefined ? `"${rosterColumns[field]}"` : 'none');
        log(`Roster columns: userPrincipalName ← ${shown('userPrincipalName')}, mail ← ${shown('mail')}, employeeId ← ${shown('employeeId')}, name ← ${shown('displayName')}.`);
    }
    else if (tenant) {
        rosterUsers = (await listAllSubjects(photoTargetOf(tenant))).map((u) => ({
            id: u.id,
            userPrincipalName: u.userPrincipalName,
            ...(u.mail ? { mail: u.mail } : {}),
            ...(u.employeeId ? { employeeId: u.employeeId } : {}),
            ...(u.displayName ? { displayName: u.displayName } : {}),
        }));
    }
    else
        throw new UserError('usage', 'import needs the tenant (--tenant-id/--client-id or ENTRA_PHOTOS_* variables) or an offline --roster FILE to match ids to users.');
    const directory = new Directory(rosterUsers);
    log(`Matching against ${directory.size} user(s) ${options.roster ? `from ${path.basename(options.roster)}` : 'in the tenant'}.`);
    const declared = await declaredUsers(repo);
    const rows = [];
    const base = (r) => ({ source: r.source, line: r.line, id: r.id, file: r.file, ...(r.name ? { name: r.name } : {}) });
    const baseOf = base;
    for (const r of delivery.withoutId)
        rows.push({ ...base(r), status: 'no-id', message: `${r.source}:${r.line}: the row has no id, so it cannot be matched to a user. Add the student/employee id, or import this photo with a CSV row.` });
    for (const s of delivery.superseded) {
        rows.push({ ...base(s.row), status: 'superseded', message: `${s.row.source}:${s.row.line}: replaced by ${s.by.source}:${s.by.line} (${s.by.file}) — a retake or the MASTER.TXT row wins.` });
    }
    const planned = [];
    const claimed = new Map();
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
    const newEntries = [];
    /** Replaced users whose entry has no `name:` while the import knows the name: added after the photos. */
    const namesToAdd = [];
    const choices = [];
    const usedFiles = new Set();
    const deliveryRoot = path.resolve(delivery.dir);
    await mapLimit(planned, recommendedParallelism(), async (p) => {
        const row = p.row;
        const base = (r) => ({ ...baseOf(r), ...(p.name ? { name: p.name } : {}), keyFrom: p.keyFrom });
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
        let target;
        let status = 'imported';
        if (p.declaration) {
            target = p.declaration.photoPath;
            status = 'replaced';
        }
        else {
            const stem = safeFileStem(p.keyField === 'employeeId' ? p.keyValue : p.keyValue.split('@')[0] + '@' + (p.keyValue.split('@')[1] ?? ''));
            let rel = `${photoDir}/${stem}.jpg`;
            if (usedFiles.has(rel))
                rel = `${photoDir}/${stem}-${row.line}.jpg`;
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
        if (!options.dryRun)
            await writeAtomic(path.join(repo, ...target.split('/')), report.output.jpeg);
        const result = {
            ...base(row),
            status,
            user: key,
            photo: target,
            message: status === 'replaced' ? `${row.source}:${row.line}: replaced ${target} for ${who} (declared at ${p.declaration.at.file}:${p.declaration.at.line}).` : `${row.source}:${row.line}: ${row.file} → ${target} (${who}).`,
        };
        rows.push(result);
        if (p.declaration && p.name && !p.declaration.name)
            namesToAdd.push({ row: result, declaration: p.declaration, name: p.name });
    });
    await addNames(repo, namesToAdd, options.dryRun ?? false);
    if (newEntries.length && !options.dryRun) {
        newEntries.sort((a, b) => (a.keyValue.toLowerCase() < b.keyValue.toLowerCase() ? -1 : 1));
        const exists = await stat(manifestAbs).catch(() => undefined);
        if (exists)
            await appendToManifest(manifestAbs, newEntries, PHOTO_ROOT, manifestRel);
        else {
            const source = options.source.kind === 'pspa' ? `the delivery in ${path.basename(options.source.dir)}/` : path.basename(options.source.file);
            await writeAtomic(manifestAbs, manifestText(newEntries, { photoRoot: PHOTO_ROOT, header: [`Imported by \`entra-photos import\` from ${source} (crop: ${crop}).`, 'Each comment names the delivery row the photo came from.'] }));
        }
    }
    rows.sort((a, b) => (a.source === b.source ? a.line - b.line : a.source < b.source ? -1 : 1));
    const keys = keyChoices(choices);
    for (const k of keys)
        log(`Manifest keys: ${k.count} × ${k.field}: from the ${k.from}: ${k.why}.`);
    return { manifest: manifestRel, rows, keys, directorySize: directory.size, dryRun: options.dryRun ?? false, durationMs: Math.round(performance.now() - started) };
}
/**
 * Adds `name:` to the existing entries of replaced users (each manifest read, edited and written
 * once: addNamesToEntries), and says so in each row's message; an entry that cannot be edited in place keeps its text and
 * the message says to add the name by hand. A dry run works the edits out and writes nothing.
 */
async function addNames(repo, additions, dryRun) {
    const byFile = new Map();
    for (const a of additions) {
        const inFile = byFile.get(a.declaration.at.file);
        if (inFile)
            inFile.push(a);
        else
            byFile.set(a.declaration.at.file, [a]);
    }
    for (const [file, inFile] of byFile) {
        const abs = insideRepo(repo, file, 'manifest');
        const original = await readFile(abs, 'utf8');
        const { text, edits } = addNamesToEntries(original, inFile.map((a) => ({ keyAt: a.declaration.at, name: a.name })));
        inFile.forEach((a, i) => {
            const edit = edits[i];
            const message = a.row.message.replace(/\.$/, '');
            if (edit.kind === 'added') {
                a.row.nameAdded = true;
                a.row.message = `${message} and added name: ${a.name}.`;
            }
            else
                a.row.message = `${message}; name: ${a.name} was not added to ${file}:${a.declaration.at.line} (${edit.why}): add it by hand if you want it.`;
        });
        if (text !== original && !dryRun)
            await writeAtomic(abs, text);
    }
}
/**
 * The key a new manifest entry names the user by, and why (import reports it). The default is the
 * userPrincipalName (`user:`); `--key employeeId` asks for the employeeId. A roster without a UPN
 * column still gives a `user:` key when it has mail addresses (apply matches a `user:` key by
 * userPrincipalName, then by mail); only a user with neither is declared by employeeId.
 */
function chooseKey(user, wanted, roster) {
    const column = (field) => (roster?.[field] !== undefined ? ` (the roster's "${roster[field]}" column)` : '');
    if (wanted === 'employeeId' && user.employeeId)
        return { keyField: 'employeeId', keyValue: user.employeeId, keyFrom: 'employeeId', why: `--key employeeId${column('employeeId')}` };
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
    if (user.employeeId)
        return { keyField: 'employeeId', keyValue: user.employeeId, keyFrom: 'employeeId', why: `these users have neither a userPrincipalName nor a mail address in the roster${column('employeeId')}` };
    return undefined;
}
function keyChoices(choices) {
    const byChoice = new Map();
    for (const c of choices) {
        const id = `${c.keyField}\0${c.keyFrom}\0${c.why}`;
        const seen = byChoice.get(id);
        if (seen)
            seen.count++;
        else
            byChoice.set(id, { field: c.keyField, from: c.keyFrom, why: c.why, count: 1 });
    }
    return [...byChoice.values()].sort((a, b) => b.count - a.count);
}

/** Import report builders: pure functions from an import result to text and JSON. */
const ORDER = ['unmatched', 'ambiguous', 'missing-file', 'invalid-photo', 'duplicate-user', 'no-id', 'file-exists', 'already-declared', 'superseded', 'replaced', 'imported'];
function importCounts(result) {
    const counts = Object.fromEntries(ORDER.map((s) => [s, 0]));
    for (const r of result.rows)
        counts[r.status]++;
    return counts;
}
/** Whether every row was imported, replaced or superseded by a retake. */
function importClean(result) {
    return result.rows.every((r) => r.status === 'imported' || r.status === 'replaced' || r.status === 'superseded');
}
/** Each row status in words (the JSON keeps the status value). */
const WORDS = {
    unmatched: 'matched no user',
    ambiguous: 'matched more than one user',
    'missing-file': 'photo file missing',
    'invalid-photo': 'photo not usable',
    'duplicate-user': 'same user twice',
    'no-id': 'without an id',
    'file-exists': 'file already in the repository',
    'already-declared': 'already in the manifests',
    superseded: 'replaced by a retake',
    replaced: 'replaced',
    imported: 'imported',
};
function importHeadline(result) {
    const c = importCounts(result);
    const parts = ORDER.filter((s) => c[s] > 0).map((s) => `${c[s]} ${WORDS[s]}`);
    return `${result.dryRun ? 'Import (dry run)' : 'Import'}: ${parts.join(', ') || 'nothing to do'} (${(result.durationMs / 1000).toFixed(1)} s).`;
}
function importText(result) {
    const lines = [];
    for (const status of ORDER) {
        const rows = result.rows.filter((r) => r.status === status);
        if (!rows.length || status === 'imported')
            continue;
        lines.push(`${WORDS[status].charAt(0).toUpperCase()}${WORDS[status].slice(1)} (${rows.length}):`);
        // Messages quote the delivery's file names and values (data): printable() keeps each on its line.
        for (const r of rows)
            lines.push(`  ${printable(r.message)}`);
    }
    // Which key the entries name users by, and why (the roster's column names are data).
    for (const k of result.keys)
        lines.push(`Manifest keys: ${k.count} × ${k.field}: from the ${k.from}: ${printable(k.why)}.`);
    lines.push(importHeadline(result));
    const written = result.rows.filter((r) => r.status === 'imported').length;
    if (written && !result.dryRun)
        lines.push(`Wrote ${written} photo(s) and their entries in ${printable(result.manifest)}. Review with "entra-photos validate" and "entra-photos plan", then commit.`);
    if (!importClean(result))
        lines.push('Rows above were not imported: fix them (each names its file and line) and run import again; rows already imported are kept.');
    return lines.join('\n') + '\n';
}
function importJson(result) {
    return {
        manifest: result.manifest,
        dryRun: result.dryRun,
        directorySize: result.directorySize,
        counts: importCounts(result),
        clean: importClean(result),
        keys: result.keys,
        rows: result.rows,
    };
}

/** `entra-photos import`: a photographer's delivery (PSPA INDEX.TXT or a CSV) into photos and a manifest. */
const IMPORT_USAGE = `Options for import (one of --pspa / --csv; tenant options as for apply, or --roster):
  --repo DIR                Repository to write into (default: current directory)
  --pspa DIR                PSPA delivery folder (INDEX.TXT, MASTER.TXT with retakes wins)
  --csv FILE                CSV with a header row: an id column and a file column
  --id-column COL           Id column: header name, or for header-less INDEX.TXT a number or
                            letter (default: "Student ID"-like header, else column N)
  --file-column NAME        File column of --csv (default: file)
  --roster FILE             Match offline against a roster CSV instead of the tenant's users;
                            columns by their usual names (UPN/userPrincipalName, Email/Mail/
                            E-mail, Student ID/employeeId, Name/displayName), any case or spacing
  --crop centre|attention   How 4:5 portraits become square (default: centre)
  --key upn|employeeId      How the manifest names users (default: upn; a roster without a UPN
                            column gives mail-address keys); the report says which and why
  --manifest FILE           Manifest to write or extend (default: manifests/imported.yaml)
  --photo-dir DIR           Folder under photos/ (default: imported)
  --force                   Replace photos of users already declared (adding name: to their
                            entry when it has none), and existing files
  --dry-run                 Report only; write nothing
  --format text|json
Exit status: 0 every row imported, 1 some rows need attention (see the report), 2 usage error.
`;
async function importCommand(args, out) {
    if (wantsHelp(args)) {
        out.write(IMPORT_USAGE);
        return 0;
    }
    const values = parseOptions(args, {
        repo: { type: 'string' },
        pspa: { type: 'string' },
        csv: { type: 'string' },
        'id-column': { type: 'string' },
        'file-column': { type: 'string' },
        roster: { type: 'string' },
        crop: { type: 'string' },
        key: { type: 'string' },
        manifest: { type: 'string' },
        'photo-dir': { type: 'string' },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        format: { type: 'string' },
        ...TENANT_OPTIONS,
    }, IMPORT_USAGE);
    const format = readFormat(values.format);
    if ((values.pspa === undefined) === (values.csv === undefined))
        throw new UserError('usage', `import needs exactly one of --pspa DIR (a PSPA delivery with INDEX.TXT) or --csv FILE (id,file).\n\n${IMPORT_USAGE}`);
    const crop = values.crop === 'center' ? 'centre' : (values.crop ?? 'centre');
    if (crop !== 'centre' && crop !== 'attention')
        throw new UserError('usage', `--crop must be centre or attention, not "${values.crop}".`);
    const key = values.key ?? 'upn';
    if (key !== 'upn' && key !== 'employeeId')
        throw new UserError('usage', `--key must be upn or employeeId, not "${key}".`);
    const repo = await repoDirectory(values.repo);
    const tenant = values.roster ? undefined : tenantFromArgs('import (without --roster)', values);
    const result = await importDelivery({
        repo,
        source: values.pspa !== undefined
            ? { kind: 'pspa', dir: path.resolve(values.pspa), ...(values['id-column'] ? { idColumn: values['id-column'] } : {}) }
            : { kind: 'csv', file: path.resolve(values.csv), ...(values['id-column'] ? { idColumn: values['id-column'] } : {}), ...(values['file-column'] ? { fileColumn: values['file-column'] } : {}) },
        ...(values.roster ? { roster: path.resolve(values.roster) } : {}),
        crop,
        key,
        ...(values.manifest ? { manifest: values.manifest } : {}),
        ...(values['photo-dir'] ? { photoDir: values['photo-dir'] } : {}),
        force: values.force ?? false,
        dryRun: values['dry-run'] ?? false,
        log: format === 'text' ? (line) => out.write(`${line}\n`) : () => { },
    }, tenant);
    out.write(format === 'json' ? logSafeJson(importJson(result), 2) + '\n' : importText(result));
    return importClean(result) ? 0 : 1;
}

export { IMPORT_USAGE, importCommand };

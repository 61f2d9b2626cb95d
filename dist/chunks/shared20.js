import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { randomBytes } from 'node:crypto';
import { readFile, mkdir, writeFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { d as distExports } from './shared.js';
import { U as UserError } from './shared6.js';
import { W as WorktreeSnapshot } from './shared21.js';
import { v as validateRepository } from './shared2.js';

/**
 * What export and import share: the users a repository already declares, safe photo file names,
 * atomic writes, and writing manifest entries (a new file, or appended to an existing one: every
 * line already there, comments included, stays byte for byte as it was).
 */
/** Users the repository's manifests declare, by canonical key. A repository without manifests declares none. */
async function declaredUsers(repo) {
    const snapshot = new WorktreeSnapshot(repo);
    try {
        const validation = await validateRepository(snapshot, { shouldDecode: () => false });
        return new Map(validation.users.map((u) => [u.key.canonical, { canonical: u.key.canonical, photoPath: u.photoPath, ...(u.name ? { name: u.name } : {}), at: u.keyAt }]));
    }
    finally {
        snapshot.close();
    }
}
/** The declaration of a tenant group (listed with kind `groups`) under any key a `groups:` entry may use for it. */
function findGroupDeclaration(declared, group) {
    const id = group.id.replace(/^group:/, '');
    for (const value of [id, group.mail, group.mailNickname]) {
        const found = value ? declared.get(`group:${value.toLowerCase()}`) : undefined;
        if (found)
            return found;
    }
    return undefined;
}
/** The declaration of a tenant user under any of the keys a manifest may use for them. */
function findDeclaration(declared, user) {
    const keys = [`objectId:${user.id.toLowerCase()}`, `upn:${user.userPrincipalName.toLowerCase()}`];
    if (user.mail)
        keys.push(`upn:${user.mail.toLowerCase()}`);
    if (user.employeeId)
        keys.push(`employeeId:${user.employeeId}`);
    for (const key of keys) {
        const found = declared.get(key);
        if (found)
            return found;
    }
    return undefined;
}
/** A file name from an identifier: lower case, only [a-z0-9._@-], never empty or hidden. */
function safeFileStem(value) {
    const stem = value.toLowerCase().replace(/[^a-z0-9._@-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
    return stem || 'photo';
}
/** Repository-relative path (forward slashes) checked to stay inside the repository. */
function insideRepo(repo, rel, what) {
    const abs = path.resolve(repo, rel);
    const relative = path.relative(repo, abs);
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) {
        throw new UserError('usage', `${what} "${rel}" is outside the repository ${repo}. Give a path inside it (e.g. manifests/imported.yaml).`);
    }
    return abs;
}
/** Writes through a temporary file and a rename: an interruption never leaves half a file. */
async function writeAtomic(file, data) {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
        await writeFile(temp, data);
        await rename(temp, file);
    }
    catch (err) {
        await rm(temp, { force: true });
        throw err;
    }
}
function scalar(value) {
    return /^[A-Za-z0-9@._/-]+$/.test(value) && !/^[0-9.]+$/.test(value) ? value : quoted(value);
}
/**
 * A person's name as a YAML string: plain when it reads the same in every YAML version (letters
 * first, then letters, digits, spaces and . , ' -; not a word YAML 1.1 tools read as a boolean or
 * null), double-quoted otherwise.
 */
function nameScalar(value) {
    const plain = /^\p{L}[\p{L}\p{M}\p{N} .,'-]*$/u.test(value) && !/\s$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value);
    return plain ? value : quoted(value);
}
/** A YAML double-quoted scalar: JSON's escapes, plus the characters YAML may not hold unescaped. */
function quoted(value) {
    return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
/** One users entry as block YAML lines: `- key: value  # comment`, then name and photo under it. */
function entryLines(e, dash, indent) {
    const key = e.keyField === 'employeeId' ? quoted(e.keyValue) : scalar(e.keyValue);
    return [
        `${dash}${e.keyField}: ${key}${e.comment ? `  # ${e.comment.replace(/[\r\n]+/g, ' ')}` : ''}`,
        ...(e.name ? [`${indent}name: ${nameScalar(e.name)}`] : []),
        `${indent}photo: ${scalar(e.photo)}`,
    ];
}
/** A new manifest file's text. */
function manifestText(entries, options) {
    const list = options.list ?? 'users';
    const lines = [
        '# yaml-language-server: $schema=../schema/manifest.schema.json',
        ...options.header.map((h) => `# ${h}`),
        'version: 1',
        `photoRoot: ${scalar(options.photoRoot)}`,
        entries.length ? `${list}:` : `${list}: []`,
    ];
    for (const e of entries)
        lines.push(...entryLines(e, '  - ', '    '));
    return lines.join('\n') + '\n';
}
/**
 * Adds entries to an existing manifest. Every line already in the file, comments and blank lines
 * included, stays byte for byte as it was: the file is read with the yaml library's Document API,
 * which says where the users list ends and how its entries are indented, and the new entries are
 * written there in the same indentation; the result is parsed again to check that it holds exactly
 * the old entries plus the new ones. (Printing the whole Document again would re-space comments
 * and blank lines everywhere: a 73-line diff for two photos.) Refuses a file whose photoRoot
 * differs from the one the photos were written under.
 */
async function appendToManifest(file, entries, photoRoot, displayPath) {
    const text = await readFile(file, 'utf8');
    const doc = distExports.parseDocument(text);
    if (doc.errors.length > 0 || !distExports.isMap(doc.contents)) {
        throw new UserError('usage', `${displayPath}: cannot add entries to this file: it is not a valid manifest (${doc.errors[0]?.message ?? 'not a mapping'}). Fix it (entra-photos validate), or write to another file with --manifest.`);
    }
    const root = doc.get('photoRoot');
    if ((typeof root === 'string' ? root.replace(/\/+$/, '') : 'photos') !== photoRoot) {
        throw new UserError('usage', `${displayPath}: its photoRoot is "${String(root ?? 'photos')}", not "${photoRoot}" where the photos go. Write to another manifest with --manifest.`);
    }
    const edited = insertEntries(text, doc, entries);
    if (edited !== undefined) {
        await writeAtomic(file, edited);
        return;
    }
    // A layout the text edit does not handle (a flow list with entries, `users:` in a flow mapping):
    // the Document is printed again, which keeps the comments but may re-space them.
    let users = doc.get('users', true);
    if (!distExports.isSeq(users)) {
        users = new distExports.YAMLSeq();
        doc.set('users', users);
    }
    for (const e of entries) {
        const item = doc.createNode({ [e.keyField]: e.keyValue, ...(e.name ? { name: e.name } : {}), photo: e.photo });
        if (e.comment)
            item.commentBefore = ` ${e.comment.replace(/[\r\n]+/g, ' ')}`;
        users.add(item);
    }
    await writeAtomic(file, doc.toString({ lineWidth: 0 }));
}
/**
 * `text` with `entries` added at the end of its users list, every other byte unchanged; undefined
 * when the layout is not one this handles, or the result would not read back as exactly the old
 * entries plus the new ones.
 */
function insertEntries(text, doc, entries) {
    if (entries.length === 0)
        return text;
    const root = doc.contents;
    if (!distExports.isMap(root) || root.flow)
        return undefined;
    const pair = root.items.find((p) => distExports.isPair(p) && distExports.isScalar(p.key) && p.key.value === 'users');
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lineStart = (offset) => text.lastIndexOf('\n', offset - 1) + 1;
    const lineEnd = (offset) => {
        const nl = text.indexOf('\n', offset);
        return nl < 0 ? text.length : nl + 1;
    };
    const column = (offset) => offset - lineStart(offset);
    const block = (seqColumn, keyColumn) => {
        const dash = `${' '.repeat(seqColumn)}-${' '.repeat(Math.max(1, keyColumn - seqColumn - 1))}`;
        return entries.flatMap((e) => entryLines(e, dash, ' '.repeat(keyColumn))).map((l) => l + eol).join('');
    };
    const rootColumn = root.range ? column(root.range[0]) : 0;
    let edited;
    const value = pair?.value;
    if (!pair || !distExports.isScalar(pair.key) || !pair.key.range) {
        // No users list yet: one at the end of the file.
        const end = text.length && !text.endsWith('\n') ? `${text}${eol}` : text;
        edited = `${end}${' '.repeat(rootColumn)}users:${eol}${block(rootColumn + 2, rootColumn + 4)}`;
    }
    else if (distExports.isSeq(value) && !value.flow && value.items.length > 0 && value.range) {
        // After the line where the list's last entry ends (a trailing comment on it stays with it).
        const first = value.items[0];
        if (!distExports.isMap(first) || first.flow || !first.range)
            return undefined;
        const at = text[value.range[1] - 1] === '\n' ? value.range[1] : lineEnd(value.range[1]);
        const before = at === text.length && text.length && !text.endsWith('\n') ? `${text}${eol}` : text.slice(0, at);
        edited = `${before}${block(column(value.range[0]), column(first.range[0]))}${text.slice(at)}`;
    }
    else if ((value === null || (distExports.isScalar(value) && value.value === null) || (distExports.isSeq(value) && value.flow && value.items.length === 0)) && pair.key.range) {
        // `users:`, `users: ~` or `users: []`: the entries go under the key, the value text goes.
        const keyColumn = column(pair.key.range[0]);
        let from = value && value.range ? value.range[0] : pair.key.range[1] + 1;
        const to = value && value.range ? value.range[1] : from;
        while (from > 0 && text[from - 1] === ' ')
            from--;
        const rest = text.slice(to);
        const restOfLine = rest.slice(0, rest.indexOf('\n') < 0 ? rest.length : rest.indexOf('\n') + 1);
        if (restOfLine.trim() && !restOfLine.trim().startsWith('#'))
            return undefined;
        edited = `${text.slice(0, from)}${restOfLine.replace(/\r?\n$/, '')}${eol}${block(keyColumn + 2, keyColumn + 4)}${rest.slice(restOfLine.length)}`;
    }
    else
        return undefined;
    return readsBack(doc, edited, entries) ? edited : undefined;
}
/** Whether `edited` holds the users `doc` holds plus `entries`, and nothing else changed. */
function readsBack(doc, edited, entries) {
    const after = distExports.parseDocument(edited);
    if (after.errors.length > 0)
        return false;
    const want = doc.toJS();
    const wantUsers = Array.isArray(want.users) ? want.users : [];
    const added = entries.map((e) => ({ [e.keyField]: e.keyValue, ...(e.name ? { name: e.name } : {}), photo: e.photo }));
    return JSON.stringify(after.toJS()) === JSON.stringify({ ...want, users: [...wantUsers, ...added] });
}
/**
 * `text` with `name: <name>` added to the users entry whose key value starts at `keyAt` (line and
 * column, 1-based, as validation reports them): one new line right under the key's line, at the
 * entry's indentation, so the entry reads key, name, photo as new entries do; every other byte
 * stays as it was. An entry that already has `name:` is never changed (the name someone wrote wins).
 * The result must read back as the same manifest with only that name added; a layout this does
 * not handle (a flow mapping `{user: …, photo: …}`, a key whose value spans lines) is kept.
 */
function addNameToEntry(text, keyAt, name) {
    const { text: edited, edits } = addNamesToEntries(text, [{ keyAt, name }]);
    const edit = edits[0];
    return edit.kind === 'added' ? { kind: 'added', text: edited } : edit;
}
/**
 * addNameToEntry for many entries of one file: the file parsed, edited and read back once (an
 * import over 20,000 unnamed entries would otherwise parse the whole manifest twice per entry).
 * `edits[i]` says what became of `additions[i]`; a second addition for an entry is kept (the first
 * one's name is written). Should the edits together not read back, each is tried on its own.
 */
function addNamesToEntries(text, additions) {
    const lineCounter = new distExports.LineCounter();
    const doc = distExports.parseDocument(text, { lineCounter });
    const users = doc.errors.length === 0 ? doc.get('users', true) : undefined;
    // Each entry by where its key value starts.
    const entryAt = new Map();
    if (distExports.isSeq(users)) {
        users.items.forEach((item, index) => {
            if (!distExports.isMap(item))
                return;
            for (const p of item.items) {
                if (distExports.isPair(p) && distExports.isScalar(p.key) && (p.key.value === 'user' || p.key.value === 'employeeId') && distExports.isScalar(p.value) && p.value.range)
                    entryAt.set(p.value.range[0], index);
            }
        });
    }
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const inserts = [];
    const named = new Set();
    const edits = additions.map(({ keyAt, name }) => {
        const lineStart = lineCounter.lineStarts[keyAt.line - 1];
        if (!distExports.isSeq(users) || lineStart === undefined)
            return { kind: 'kept', why: 'the file no longer reads as it did (changed meanwhile?)' };
        const offset = lineStart + keyAt.col - 1;
        const index = entryAt.get(offset);
        const entry = index === undefined ? undefined : users.items[index];
        if (index === undefined || !distExports.isMap(entry))
            return { kind: 'kept', why: 'its entry was not found where validation saw it (changed meanwhile?)' };
        if (entry.has('name') || named.has(index))
            return { kind: 'kept', why: 'it already has name:' };
        const keyValue = entry.items.find((p) => distExports.isScalar(p.value) && p.value.range?.[0] === offset).value;
        if (entry.flow || !entry.range || text.slice(offset, keyValue.range[1]).includes('\n'))
            return { kind: 'kept', why: 'the entry is not written one key a line, so it is not edited in place' };
        const newline = text.indexOf('\n', keyValue.range[1]);
        const indent = entry.range[0] - (text.lastIndexOf('\n', entry.range[0] - 1) + 1);
        named.add(index);
        inserts.push({ at: newline < 0 ? text.length : newline + 1, line: `${newline < 0 ? eol : ''}${' '.repeat(indent)}name: ${nameScalar(name)}${eol}`, index, name });
        return { kind: 'added' };
    });
    if (inserts.length === 0)
        return { text, edits };
    // From the bottom up, so the offsets of the inserts above stay where they were.
    let edited = text;
    for (const insert of [...inserts].sort((a, b) => b.at - a.at))
        edited = `${edited.slice(0, insert.at)}${insert.line}${edited.slice(insert.at)}`;
    // Read back: the same document with only these entries' names added (key order aside).
    const want = doc.toJS();
    for (const { index, name } of inserts)
        want.users[index] = { ...want.users[index], name };
    const after = distExports.parseDocument(edited);
    if (after.errors.length === 0 && isDeepStrictEqual(after.toJS(), want))
        return { text: edited, edits };
    if (additions.length === 1)
        return { text, edits: [{ kind: 'kept', why: 'the edit would not read back as the same manifest plus the name' }] };
    // One of them spoils the rest: each on its own, from the bottom up (so the lines validation gave
    // for the entries above stay where they were).
    let current = text;
    const alone = [];
    const bottomUp = additions.map((_, i) => i).sort((x, y) => additions[y].keyAt.line - additions[x].keyAt.line || additions[y].keyAt.col - additions[x].keyAt.col);
    for (const i of bottomUp) {
        const edit = addNameToEntry(current, additions[i].keyAt, additions[i].name);
        if (edit.kind === 'added')
            current = edit.text;
        alone[i] = edit.kind === 'added' ? { kind: 'added' } : edit;
    }
    return { text: current, edits: alone };
}

export { findDeclaration as a, appendToManifest as b, addNamesToEntries as c, declaredUsers as d, findGroupDeclaration as f, insideRepo as i, manifestText as m, safeFileStem as s, writeAtomic as w };

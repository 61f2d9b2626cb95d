import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { randomBytes } from 'node:crypto';
import { readFile, mkdir, writeFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { U as UserError, v as validateRepository, E as parseDocument, F as isMap, G as isSeq, Y as YAMLSeq_1 } from './shared2.js';
import { W as WorktreeSnapshot } from './shared5.js';

/**
 * What export and import share: the users a repository already declares, safe photo file names,
 * atomic writes, and writing manifest entries (a new file, or appended to an existing one with
 * its comments kept).
 */
/** Users the repository's manifests declare, by canonical key. A repository without manifests declares none. */
async function declaredUsers(repo) {
    const snapshot = new WorktreeSnapshot(repo);
    try {
        const validation = await validateRepository(snapshot, { shouldDecode: () => false });
        return new Map(validation.users.map((u) => [u.key.canonical, { canonical: u.key.canonical, photoPath: u.photoPath, at: u.keyAt }]));
    }
    finally {
        snapshot.close();
    }
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
    return /^[A-Za-z0-9@._/-]+$/.test(value) && !/^[0-9.]+$/.test(value) ? value : JSON.stringify(value);
}
/** A new manifest file's text. */
function manifestText(entries, options) {
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
async function appendToManifest(file, entries, photoRoot, displayPath) {
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
        users = new YAMLSeq_1();
        doc.set('users', users);
    }
    for (const e of entries) {
        const item = doc.createNode({ [e.keyField]: e.keyValue, photo: e.photo });
        if (e.comment)
            item.commentBefore = ` ${e.comment.replace(/[\r\n]+/g, ' ')}`;
        users.add(item);
    }
    await writeAtomic(file, doc.toString({ lineWidth: 0 }));
}

export { appendToManifest as a, declaredUsers as d, findDeclaration as f, insideRepo as i, manifestText as m, safeFileStem as s, writeAtomic as w };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { createHash } from 'node:crypto';
import { lstat, readlink, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The repository as it is on disk (a checkout, or an admin's working copy). */
class WorktreeSnapshot {
    root;
    label = 'working tree';
    constructor(root) {
        this.root = root;
    }
    abs(rel) {
        return path.join(this.root, ...rel.split('/').filter(Boolean));
    }
    async entry(rel) {
        try {
            const st = await lstat(this.abs(rel));
            const kind = st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
            const entry = { path: rel, kind };
            if (kind === 'file')
                entry.size = st.size;
            if (kind === 'symlink')
                entry.linkTarget = (await readlink(this.abs(rel))).split(path.sep).join('/');
            return entry;
        }
        catch (err) {
            if (isNotFound(err))
                return undefined;
            throw err;
        }
    }
    async list(dir) {
        const out = [];
        // readdir follows symlinks: a folder reached through a symlink (photoRoot: pics, pics → /etc)
        // is not part of the repository, and listing it would name files outside it.
        const parts = dir.split('/').filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
            if ((await this.entry(parts.slice(0, i).join('/')))?.kind !== 'directory')
                return out;
        }
        const walk = async (rel) => {
            let names;
            try {
                names = await readdir(this.abs(rel));
            }
            catch (err) {
                if (isNotFound(err) || err.code === 'ENOTDIR')
                    return;
                throw err;
            }
            for (const name of names.sort()) {
                if (name === '.git')
                    continue;
                const childRel = rel ? `${rel}/${name}` : name;
                const e = await this.entry(childRel);
                if (!e)
                    continue;
                if (e.kind === 'directory')
                    await walk(childRel);
                else
                    out.push(e);
            }
        };
        await walk(dir);
        return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    read(rel) {
        return readFile(this.abs(rel));
    }
    blobIds = new Map();
    /** Hashes each file once per snapshot: plans ask for the same ids several times. */
    blobId(rel) {
        let id = this.blobIds.get(rel);
        if (!id)
            this.blobIds.set(rel, (id = this.read(rel).then(gitBlobId)));
        return id;
    }
    close() { }
}
/** The id git gives a blob: sha1 of "blob <size>\0" + content. */
function gitBlobId(content) {
    return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}
/**
 * A path no file can have is a path that does not exist: a manifest value longer than the file
 * system allows (ENAMETOOLONG) is reported like any missing photo, as it is when read from git.
 */
function isNotFound(err) {
    const code = err.code;
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
}

export { WorktreeSnapshot as W };

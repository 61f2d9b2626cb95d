import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
function isResolvedSubject(resolution) {
    return resolution !== undefined && !('notFound' in resolution);
}
/** Every subject at once (import's matching index). */
async function listAllSubjects(target, options = {}) {
    const all = [];
    for await (const page of target.listSubjects(options))
        all.push(...page);
    return all;
}

export { isResolvedSubject as i, listAllSubjects as l };

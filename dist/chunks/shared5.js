import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
/**
 * A GUID in its usual text form (8-4-4-4-12 hex digits, either case): Entra object ids, tenant and
 * client ids, directory role template ids. One pattern, so every place that tells a GUID from a
 * name (a user key, a group, a role) draws the line in the same place.
 */
const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isGuid(value) {
    return GUID_PATTERN.test(value);
}

export { isGuid as i };

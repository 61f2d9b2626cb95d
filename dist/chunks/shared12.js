import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { T as TenantClient, E as EntraTarget } from './shared2.js';

/**
 * Where targets are chosen. The core takes a PhotoTarget; callers that still hold an Entra
 * TenantClient (the CLI, the action, tests written before the port) pass it as is and get the
 * Entra target. Adding a target: a folder beside entra/ implementing PhotoTarget, and a line here
 * (see docs/architecture.md).
 */
function photoTargetOf(input) {
    if (input instanceof TenantClient)
        return new EntraTarget(input);
    return input;
}

export { photoTargetOf as p };

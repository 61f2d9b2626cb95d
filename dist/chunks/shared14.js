import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
const CLI_VOCABULARY = {
    allowPolicyLockout: 'run with --allow-policy-lockout',
    fixDrift: 'run entra-photos drift --fix',
    prune: '--prune',
};
const ACTION_VOCABULARY = {
    allowPolicyLockout: 'set the input allow-policy-lockout: true',
    fixDrift: 'set the input fix: true',
    prune: 'prune: true',
};
/** For a core caller that did not say (tests, libraries): both spellings. */
const NEUTRAL_VOCABULARY = {
    allowPolicyLockout: 'set allow-policy-lockout: true (CLI: --allow-policy-lockout)',
    fixDrift: 'set fix: true (CLI: entra-photos drift --fix)',
    prune: 'prune: true (CLI: --prune)',
};

export { ACTION_VOCABULARY as A, CLI_VOCABULARY as C, NEUTRAL_VOCABULARY as N };

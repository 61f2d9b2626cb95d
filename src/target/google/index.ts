/** Google Workspace as a photo target: keyless auth, the Directory client, the port adapter. */
export { GoogleKeylessAuth, googleGithubAudience } from './auth.js';
export type { GoogleKeylessConfig } from './auth.js';
export { GoogleDirectoryClient } from './directory.js';
export type { GoogleDirectoryOptions } from './directory.js';
export { googleUrl } from './endpoints.js';
export { GoogleApiError, GoogleAuthError, classifyGoogleFailure, googleBackoffMs } from './errors.js';
export { GoogleTarget } from './googleTarget.js';
export type { GoogleTargetOptions } from './googleTarget.js';
export { googleSettingsProblems, openGoogle } from './connect.js';

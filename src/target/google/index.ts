/** Google Workspace as a photo target: keyless auth, the Directory client, the port adapter. */
export { GoogleKeylessAuth, googleGithubAudience } from './auth.js';
export type { GoogleKeylessConfig } from './auth.js';
export { GoogleDirectoryClient } from './directory.js';
export type { GoogleDirectoryOptions, GoogleDirectoryUser, GooglePhoto } from './directory.js';
export { CLOUD_PLATFORM_SCOPE, DIRECTORY_USER_SCOPE, googleUrl } from './endpoints.js';
export { GoogleApiError, GoogleAuthError, classifyGoogleFailure, googleBackoffMs, isRetryableGoogleFailure } from './errors.js';
export { GOOGLE_PHOTO_SPEC, GoogleTarget } from './googleTarget.js';
export type { GoogleTargetOptions } from './googleTarget.js';
export { googleSettingsProblems, openGoogle } from './connect.js';
export type { GoogleConnectionSettings } from './connect.js';

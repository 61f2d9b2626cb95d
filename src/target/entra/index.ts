// Microsoft Entra ID: the only code that talks HTTP to Entra ID and Microsoft Graph.
//   clouds  — which authority / Graph host / scope for each Microsoft cloud
//   auth    — GitHub OIDC → ClientAssertionCredential, with actionable sign-in errors
//   graph   — TenantClient: users, photos, photo policy, the app's directory roles
//   errors  — GraphError and how failures are classified for retries
//   connect — opens a TenantClient from the edges' settings (as the app, or as an admin)
export { cloudEndpoints, isMicrosoftAuthorityHost, parseCloud } from './clouds.js';
export { DEFAULT_OIDC_AUDIENCE, createCredential, githubOidcFromEnv } from './auth.js';
export { GraphError, classifyFailure, isGraphError } from './errors.js';
export { PERMISSIONS, TenantClient, connectTenant } from './graph.js';
export type { PhotoPolicyChange } from './graph.js';
export { GraphConnection } from './http.js';
export { isResolved } from './users.js';
export type { UserResolution } from './users.js';
export { listAllDirectoryUsers } from './directory.js';
export type { DirectoryUser } from './directory.js';
export { photoPresence } from './presence.js';
export { openTenant, openTenantAsUser } from './connect.js';

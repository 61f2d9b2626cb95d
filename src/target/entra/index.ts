// Microsoft Entra ID: the only code that talks HTTP to Entra ID and Microsoft Graph.
//   clouds  — which authority / Graph host / scope for each Microsoft cloud
//   auth    — GitHub OIDC → ClientAssertionCredential, with actionable sign-in errors
//   graph   — TenantClient: users, photos, photo policy, the app's directory roles
//   errors  — GraphError and how failures are classified for retries
//   connect — opens a TenantClient from the edges' settings (as the app, or as an admin)
export { CLOUD_NAMES, cloudEndpoints, isMicrosoftAuthorityHost, parseCloud } from './clouds.js';
export type { Cloud, CloudEndpoints, EndpointOverrides } from './clouds.js';
export { DEFAULT_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, createCredential, describeAuthError, githubOidcFromEnv, peekJwtClaims } from './auth.js';
export type { AuthErrorContext, CredentialOptions } from './auth.js';
export { GraphError, classifyFailure, graphErrorFromNetwork, graphErrorFromResponse, isGraphError, parseRetryAfter } from './errors.js';
export type { FailureDisposition, GraphErrorInit } from './errors.js';
export { PERMISSIONS, TenantClient, connectTenant } from './graph.js';
export type { PhotoMeta, PhotoPolicy, PhotoPolicyChange, PhotoSource, PhotoWriteResult, TenantClientOptions } from './graph.js';
export { GraphConnection, encodeSegment, odataString } from './http.js';
export type { GraphRequest, GraphResponse, GraphVersion } from './http.js';
export { findDeletedUsers, isResolved } from './users.js';
export type { DeletedUser } from './users.js';
export type { ResolveOptions, ResolvedUser, UnresolvedUser, UserResolution } from './users.js';
export { DIRECTORY_PERMISSIONS, DIRECTORY_USER_SELECT, downloadPhotoOnce, findGroup, listAllDirectoryUsers, listDirectoryUsers } from './directory.js';
export type { DirectoryUser, GroupRef, ListUsersOptions } from './directory.js';
export { photoPresence } from './presence.js';
export { openTenant, openTenantAsUser } from './connect.js';
export type { TenantSettings } from './connect.js';

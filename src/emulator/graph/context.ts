// What Graph handlers share: the tenant state and where Graph lives (for @odata links).
import type { TenantState } from '../state.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';

export interface GraphContext {
  state: TenantState;
  /** Root of the emulated Graph, like https://graph.microsoft.com (no version). */
  graphUrl: string;
}

export type GraphHandler = (context: GraphContext, call: GraphCall, identity: AppIdentity) => GraphResult | Promise<GraphResult>;

/** Application permissions that satisfy each operation (least privileged first). */
export const PERMISSIONS = Object.freeze({
  readUsers: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readPhotos: ['ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  writePhotos: ['ProfilePhoto.ReadWrite.All', 'User.ReadWrite.All'],
  readGroupMembers: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readPeopleSettings: ['PeopleSettings.Read.All', 'PeopleSettings.ReadWrite.All'],
  writePeopleSettings: ['PeopleSettings.ReadWrite.All'],
  readServicePrincipals: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readRoleAssignments: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'],
});

/**
 * Directory roles a signed-in admin needs on top of the delegated permission (a delegated call can
 * do only what both the scope and the user's roles allow). Writing another user's photo: the roles
 * Microsoft lists for photo updates; photoUpdateSettings: People Administrator (least privileged,
 * per photoupdatesettings-get/-update) or Global Administrator; reading it also Global Reader.
 */
export const DELEGATED_ROLES = Object.freeze({
  writePhotos: [
    '62e90394-69f5-4237-9190-012177145e10', // Global Administrator
    'fe930be7-5e62-47db-91af-98c3a49a38b1', // User Administrator
    '024906de-61e5-49c8-8572-40335f1e0e10', // People Administrator
    '9360feb5-f418-4baa-8175-e2a00bac4301', // Directory Writers
    '3a2c62db-5318-420d-8d74-23affee5d9d5', // Intune Administrator
    '4ba39ca4-527c-499a-b93d-d9b492c50246', // Partner Tier1 Support
    'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8', // Partner Tier2 Support
  ],
  writePeopleSettings: ['024906de-61e5-49c8-8572-40335f1e0e10', '62e90394-69f5-4237-9190-012177145e10'],
  readPeopleSettings: ['024906de-61e5-49c8-8572-40335f1e0e10', '62e90394-69f5-4237-9190-012177145e10', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'],
});

/** True for an app token; for a delegated one, whether the signed-in user holds one of `roles` (or acts on itself). */
export function userMay(identity: AppIdentity, roles: readonly string[], targetUserId?: string): boolean {
  if (!identity.user) return true;
  if (targetUserId !== undefined && targetUserId === identity.user.id) return true;
  return identity.user.directoryRoles.some((role) => roles.includes(role));
}

export function hasAnyRole(identity: AppIdentity, accepted: readonly string[]): boolean {
  return identity.roles.some((role) => accepted.includes(role));
}

/** Graph's JSON content type for OData responses. */
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

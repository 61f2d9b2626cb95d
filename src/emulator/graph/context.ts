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

export function hasAnyRole(identity: AppIdentity, accepted: readonly string[]): boolean {
  return identity.roles.some((role) => accepted.includes(role));
}

/** Graph's JSON content type for OData responses. */
export const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

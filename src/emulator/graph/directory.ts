// The app's own directory objects: its service principal (GET /servicePrincipals(appId='…'),
// /servicePrincipals/{id}, /servicePrincipals?$filter=appId eq '…') and the directory role
// assignments of that principal (GET /roleManagement/directory/roleAssignments?$filter=
// principalId eq '…'), which is how apply checks it will not lock itself out.
import { ROLE_DISPLAY_NAMES } from '../options.js';
import { PERMISSIONS, hasAnyRole } from './context.js';
import type { GraphContext } from './context.js';
import { insufficientPrivileges, resourceNotFound, unsupportedQuery } from './errors.js';
import { parseEqualityFilter } from './odata-filter.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';

function servicePrincipal(context: GraphContext): Record<string, unknown> {
  const { state } = context;
  return {
    id: state.servicePrincipalId,
    appId: state.clientId,
    appDisplayName: 'entra-photos',
    displayName: 'entra-photos',
    accountEnabled: true,
    servicePrincipalType: 'Application',
    appOwnerOrganizationId: state.tenantId,
    servicePrincipalNames: [state.clientId],
    appRoles: [],
    tags: [],
  };
}

export function getServicePrincipal(context: GraphContext, call: GraphCall, identity: AppIdentity, by: { appId?: string; id?: string }): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readServicePrincipals)) return insufficientPrivileges(call);
  const { state } = context;
  const found = by.appId !== undefined ? by.appId.toLowerCase() === state.clientId.toLowerCase() : by.id?.toLowerCase() === state.servicePrincipalId.toLowerCase();
  if (!found) return resourceNotFound(call, by.appId ?? by.id ?? '');
  return {
    status: 200,
    json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#servicePrincipals/$entity`, ...servicePrincipal(context) },
  };
}

export function listServicePrincipals(context: GraphContext, call: GraphCall, identity: AppIdentity): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readServicePrincipals)) return insufficientPrivileges(call);
  const filter = call.query.get('$filter');
  let include = true;
  if (filter) {
    const clauses = parseEqualityFilter(filter, ['appId', 'id', 'displayName']);
    if (!clauses) return unsupportedQuery(call);
    const sp = servicePrincipal(context);
    include = clauses.some(({ property, values }) => values.some((value) => String(sp[property]).toLowerCase() === value.toLowerCase()));
  }
  return {
    status: 200,
    json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#servicePrincipals`, value: include ? [servicePrincipal(context)] : [] },
  };
}

/** Built-in roles: the role definition id is the role template id. */
function roleAssignment(context: GraphContext, roleTemplateId: string, expandDefinition: boolean): Record<string, unknown> {
  const principalId = context.state.servicePrincipalId;
  const id = `${Buffer.from(roleTemplateId.replaceAll('-', ''), 'hex').toString('base64url')}${Buffer.from(principalId.replaceAll('-', ''), 'hex').toString('base64url')}-1`;
  const assignment: Record<string, unknown> = { id, principalId, roleDefinitionId: roleTemplateId, directoryScopeId: '/' };
  if (expandDefinition) {
    assignment['roleDefinition'] = {
      id: roleTemplateId,
      templateId: roleTemplateId,
      displayName: ROLE_DISPLAY_NAMES[roleTemplateId] ?? 'Directory role',
      isBuiltIn: true,
      isEnabled: true,
    };
  }
  return assignment;
}

export function listRoleAssignments(context: GraphContext, call: GraphCall, identity: AppIdentity): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readRoleAssignments)) return insufficientPrivileges(call);
  const expand = (call.query.get('$expand') ?? '').split(',').map((part) => part.trim().toLowerCase());
  let assignments = context.state.directoryRoles.map((role) => roleAssignment(context, role.toLowerCase(), expand.includes('roledefinition')));
  const filter = call.query.get('$filter');
  if (filter) {
    const clauses = parseEqualityFilter(filter, ['principalId', 'roleDefinitionId', 'directoryScopeId']);
    if (!clauses) return unsupportedQuery(call);
    assignments = assignments.filter((assignment) =>
      clauses.some(({ property, values }) => values.some((value) => String(assignment[property]).toLowerCase() === value.toLowerCase())),
    );
  }
  return {
    status: 200,
    json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#roleManagement/directory/roleAssignments`, value: assignments },
  };
}

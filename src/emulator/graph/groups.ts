// Groups, as far as export and group photos need them: GET /groups?$filter=displayName, mail or
// mailNickname eq '…' (the group resource lists $filter eq for all three), GET /groups/{id},
// and the members of a group (GET /groups/{id}/members and /transitiveMembers, optionally cast
// to /microsoft.graph.user), paged and $select-ed like GET /users. Groups hold users only here,
// so members and transitive members are the same list. Needs GroupMember.Read.All (or
// Group.Read.All, Directory.Read.All).
// The OData cast (…/members/microsoft.graph.user) is an advanced query: Microsoft lists "Use of
// OData cast with transitive members list" among the queries that need the ConsistencyLevel:
// eventual header and $count=true (learn.microsoft.com/graph/aad-advanced-queries), and a query
// that needs them without them is answered 400 Request_UnsupportedQuery.
import type { DirectoryGroup } from '../state.js';
import { PERMISSIONS, hasAnyRole } from './context.js';
import type { GraphContext } from './context.js';
import { insufficientPrivileges, resourceNotFound, unsupportedQuery } from './errors.js';
import { parseEqualityFilter } from './odata-filter.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';
import { listUsers } from './users.js';

function project(group: DirectoryGroup, call: GraphCall): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: group.id,
    displayName: group.displayName,
    mail: group.mail,
    mailNickname: group.mailNickname,
    securityEnabled: !group.unified,
    mailEnabled: group.unified || group.mail !== null,
    groupTypes: group.unified ? ['Unified'] : [],
  };
  const select = call.query.get('$select');
  if (!select) return all;
  return Object.fromEntries(select.split(',').map((name) => name.trim()).filter((name) => name in all).map((name) => [name, all[name]]));
}

export function listGroups(context: GraphContext, call: GraphCall, identity: AppIdentity): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readGroupMembers)) return insufficientPrivileges(call);
  let groups = context.state.groups;
  const filter = call.query.get('$filter');
  if (filter) {
    const clauses = parseEqualityFilter(filter, ['id', 'displayName', 'mail', 'mailNickname']);
    if (!clauses) return unsupportedQuery(call);
    const valueOf = (group: DirectoryGroup, property: string): string | null =>
      property === 'id' ? group.id : property === 'mail' ? group.mail : property === 'mailNickname' ? group.mailNickname : group.displayName;
    groups = groups.filter((group) =>
      clauses.some(({ property, values }) => values.some((value) => valueOf(group, property)?.toLowerCase() === value.toLowerCase())),
    );
  }
  return { status: 200, json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#groups`, value: groups.map((group) => project(group, call)) } };
}

export function getGroup(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readGroupMembers)) return insufficientPrivileges(call);
  const group = context.state.findGroup(id);
  if (!group) return resourceNotFound(call, id);
  return { status: 200, json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#groups/$entity`, ...project(group, call) } };
}

/** True when the call carries both advanced query parameters. */
export function hasAdvancedQueryParameters(call: GraphCall): boolean {
  return (call.headers['consistencylevel'] ?? '').trim().toLowerCase() === 'eventual' && (call.query.get('$count') ?? '').toLowerCase() === 'true';
}

export function listGroupMembers(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string, options: { cast?: string } = {}): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readGroupMembers)) return insufficientPrivileges(call);
  const group = context.state.findGroup(id);
  if (!group) return resourceNotFound(call, id);
  if (options.cast !== undefined && !hasAdvancedQueryParameters(call)) {
    // Worded like the documented answer for another advanced-only query (endsWith).
    return unsupportedQuery(
      call,
      `OData cast '${options.cast}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
    );
  }
  const users = group.memberIds.map((memberId) => context.state.findUser(memberId)).filter((user) => user !== undefined);
  return listUsers(context, call, identity, { users, permissions: PERMISSIONS.readGroupMembers, collection: 'directoryObjects' });
}

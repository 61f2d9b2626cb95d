// Maps a Graph path to its handler. Paths are matched on percent-decoded segments, so
// /users/ada%40contoso.edu/photo/%24value and /users/ada@contoso.edu/photo/$value are the same.
import { PERMISSIONS } from './context.js';
import type { GraphContext } from './context.js';
import { getServicePrincipal, listRoleAssignments, listServicePrincipals } from './directory.js';
import { methodNotAllowed, noRoute } from './errors.js';
import { deletePhoto, getPhotoMetadata, getPhotoSize, getPhotoValue, listPhotoSizes, putPhoto } from './photos.js';
import { getPhotoUpdateSettings, updatePhotoUpdateSettings } from './policy.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';
import { getUser, listUsers } from './users.js';
import { getGroup, listGroupMembers, listGroups } from './groups.js';
import { deleteGroupPhoto, getGroupPhotoMetadata, getGroupPhotoValue, putGroupPhoto } from './group-photos.js';

export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/** The user a path targets (/users/{key}/...), for logging and fault rules. */
export function targetUserKey(path: string): string | undefined {
  const [collection, key] = pathSegments(path);
  return collection?.toLowerCase() === 'users' && key ? key : undefined;
}

/** The group a path targets (/groups/{id}/...): its photo requests are throttled and logged like a user's. */
export function targetGroupKey(path: string): string | undefined {
  const [collection, key] = pathSegments(path);
  return collection?.toLowerCase() === 'groups' && key ? key : undefined;
}

/**
 * "A service principal can retrieve its own application and service principal details without
 * being granted any application permissions" (learn.microsoft.com/graph/api/serviceprincipal-get).
 * The caller reading its own service principal is let through as if it held Application.Read.All;
 * any other service principal still needs one of the permissions.
 */
function selfRead(identity: AppIdentity, by: { appId?: string; id?: string }): AppIdentity {
  const self =
    (by.appId !== undefined && by.appId.toLowerCase() === identity.appId.toLowerCase()) ||
    (by.id !== undefined && by.id.toLowerCase() === identity.servicePrincipalId.toLowerCase());
  return self ? { ...identity, roles: [...identity.roles, PERMISSIONS.readServicePrincipals[0]!] } : identity;
}

export function route(context: GraphContext, call: GraphCall, identity: AppIdentity): GraphResult | Promise<GraphResult> {
  const segments = pathSegments(call.path);
  const method = call.method.toUpperCase();
  const [first = '', second, third, fourth, fifth] = segments;
  const lowerFirst = first.toLowerCase();

  if (lowerFirst === 'users') {
    if (second === undefined) return method === 'GET' ? listUsers(context, call, identity) : methodNotAllowed(call);
    if (third === undefined) return method === 'GET' ? getUser(context, call, identity, second) : methodNotAllowed(call);
    if (third === 'photo' && fourth === undefined) {
      return method === 'GET' ? getPhotoMetadata(context, call, identity, second) : methodNotAllowed(call);
    }
    if (third === 'photo' && fourth === '$value' && fifth === undefined) {
      if (method === 'GET') return getPhotoValue(context, call, identity, second);
      if (method === 'PUT' || method === 'PATCH') return putPhoto(context, call, identity, second);
      if (method === 'DELETE') return deletePhoto(context, call, identity, second);
      return methodNotAllowed(call);
    }
    if (third === 'photos' && method === 'GET') {
      if (fourth === undefined) return listPhotoSizes(context, call, identity, second);
      if (fifth === undefined || fifth === '$value') return getPhotoSize(context, call, identity, second, fourth, fifth === '$value');
    }
    return noRoute(call);
  }

  if (lowerFirst === 'groups') {
    if (second !== undefined && third === 'photo' && fourth === undefined) {
      return method === 'GET' ? getGroupPhotoMetadata(context, call, identity, second) : methodNotAllowed(call);
    }
    if (second !== undefined && third === 'photo' && fourth === '$value' && fifth === undefined) {
      if (method === 'GET') return getGroupPhotoValue(context, call, identity, second);
      if (method === 'PUT' || method === 'PATCH') return putGroupPhoto(context, call, identity, second);
      if (method === 'DELETE') return deleteGroupPhoto(context, call, identity, second);
      return methodNotAllowed(call);
    }
    if (method !== 'GET') return methodNotAllowed(call);
    if (second === undefined) return listGroups(context, call, identity);
    if (third === undefined) return getGroup(context, call, identity, second);
    const relation = third.toLowerCase();
    if ((relation === 'members' || relation === 'transitivemembers') && (fourth === undefined || (fourth.toLowerCase() === 'microsoft.graph.user' && fifth === undefined))) {
      return listGroupMembers(context, call, identity, second, fourth === undefined ? {} : { cast: fourth });
    }
    return noRoute(call);
  }

  // Deleted users (the recycle bin): GET /directory/deletedItems/microsoft.graph.user, paged and
  // $select-ed like GET /users; the cast is required (learn.microsoft.com/graph/api/directory-deleteditems-list).
  if (lowerFirst === 'directory' && second?.toLowerCase() === 'deleteditems' && third?.toLowerCase() === 'microsoft.graph.user' && fourth === undefined) {
    return method === 'GET' ? listUsers(context, call, identity, { users: context.state.deletedUsers, permissions: PERMISSIONS.readUsers, collection: 'directoryObjects' }) : methodNotAllowed(call);
  }

  if (lowerFirst === 'admin' && second === 'people' && third === 'photoUpdateSettings' && fourth === undefined) {
    // photoUpdateSettings exists in beta only.
    if (call.version !== 'beta') return noRoute({ ...call, path: '/photoUpdateSettings' });
    if (method === 'GET') return getPhotoUpdateSettings(context, call, identity);
    if (method === 'PATCH') return updatePhotoUpdateSettings(context, call, identity);
    return methodNotAllowed(call);
  }

  const byAppId = /^servicePrincipals\(appId='([^']*)'\)$/i.exec(first);
  if (byAppId && second === undefined) {
    const by = { appId: byAppId[1] ?? '' };
    return method === 'GET' ? getServicePrincipal(context, call, selfRead(identity, by), by) : methodNotAllowed(call);
  }
  if (lowerFirst === 'serviceprincipals') {
    if (second === undefined) return method === 'GET' ? listServicePrincipals(context, call, identity) : methodNotAllowed(call);
    if (third === undefined) return method === 'GET' ? getServicePrincipal(context, call, selfRead(identity, { id: second }), { id: second }) : methodNotAllowed(call);
  }

  if (lowerFirst === 'rolemanagement' && second === 'directory' && third === 'roleAssignments' && fourth === undefined) {
    return method === 'GET' ? listRoleAssignments(context, call, identity) : methodNotAllowed(call);
  }

  return noRoute(call);
}

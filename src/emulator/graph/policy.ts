// Beta /admin/people/photoUpdateSettings and its enforcement on photo writes.
//   source onPremises → photos are mastered on-premises: cloud writes are refused for everyone.
//   allowedRoles [...] → only callers holding one of those directory roles may write photos;
//     an app whose service principal holds none gets 403 ForbiddenByAdminEditPolicy
//     (reported in the field). The emulator applies changes at once; Entra takes up to 24 h.
// PATCH takes either property alone (both are "Optional" on photoupdatesettings-update) and
// refuses null for either: `source` is an enum (cloud | onPremises | unknownFutureValue) and
// `allowedRoles` a collection; what Graph answers to a null is not documented (our choice: 400).
import type { PhotoUpdateSettings } from '../options.js';
import type { TenantState } from '../state.js';
import { DELEGATED_ROLES, PERMISSIONS, hasAnyRole, userMay } from './context.js';
import type { GraphContext } from './context.js';
import { badRequest, graphError, insufficientPrivileges } from './errors.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';
import { isGuid } from '../../core/guid.js';


function representation(context: GraphContext, call: GraphCall, policy: PhotoUpdateSettings): Record<string, unknown> {
  return {
    '@odata.context': `${context.graphUrl}/${call.version}/$metadata#admin/people/photoUpdateSettings/$entity`,
    source: policy.source,
    allowedRoles: [...policy.allowedRoles],
  };
}

export function getPhotoUpdateSettings(context: GraphContext, call: GraphCall, identity: AppIdentity): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readPeopleSettings) || !userMay(identity, DELEGATED_ROLES.readPeopleSettings)) return insufficientPrivileges(call);
  return { status: 200, json: representation(context, call, context.state.policy) };
}

export function updatePhotoUpdateSettings(context: GraphContext, call: GraphCall, identity: AppIdentity): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.writePeopleSettings) || !userMay(identity, DELEGATED_ROLES.writePeopleSettings)) return insufficientPrivileges(call);
  let patch: unknown;
  try {
    patch = JSON.parse(call.body.toString('utf8'));
  } catch {
    return badRequest(call, 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return badRequest(call, 'The request body must be a JSON object.');
  const next: PhotoUpdateSettings = { ...context.state.policy, allowedRoles: [...context.state.policy.allowedRoles] };
  for (const [name, value] of Object.entries(patch)) {
    if (name === '@odata.type' || name === 'id') continue;
    if (name === 'source') {
      if (value !== 'cloud' && value !== 'onPremises') {
        return badRequest(call, `Invalid value '${value === null ? 'null' : String(value)}' for property 'source'. Expected 'cloud' or 'onPremises'.`);
      }
      next.source = value;
    } else if (name === 'allowedRoles') {
      if (!Array.isArray(value) || !value.every((role) => typeof role === 'string' && isGuid(role))) {
        return badRequest(call, "Property 'allowedRoles' must be a collection of directory role template ids (GUIDs).");
      }
      next.allowedRoles = value.map((role: string) => role.toLowerCase());
    } else {
      return badRequest(call, `The property '${name}' does not exist on type 'microsoft.graph.photoUpdateSettings'.`, 'Request_BadRequest');
    }
  }
  context.state.policy = next;
  return { status: 200, json: representation(context, call, next) };
}

/** Why the tenant's policy refuses a cloud photo write by this app, or undefined when it allows it. */
export function photoWriteRefusal(state: TenantState, call: GraphCall, identity?: AppIdentity): GraphResult | undefined {
  const { policy } = state;
  if (policy.source === 'onPremises') {
    return graphError(
      call,
      403,
      'ForbiddenByAdminEditPolicy',
      'Photo updates in the cloud are disabled by the photoUpdateSettings of this tenant (source: onPremises).',
    );
  }
  if (policy.allowedRoles.length > 0) {
    // The caller's roles: the signed-in user's for a delegated token, the app's service principal's otherwise.
    const held = new Set((identity?.user ? identity.user.directoryRoles : state.directoryRoles).map((role) => role.toLowerCase()));
    if (!policy.allowedRoles.some((role) => held.has(role.toLowerCase()))) {
      return graphError(
        call,
        403,
        'ForbiddenByAdminEditPolicy',
        'The caller does not hold any of the roles allowed to edit photos by the photoUpdateSettings of this tenant.',
      );
    }
  }
  return undefined;
}

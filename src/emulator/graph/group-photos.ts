// A group's photo (a team's photo is its group's): PUT|PATCH|DELETE /groups/{id}/photo/$value,
// GET /groups/{id}/photo (metadata) and GET /groups/{id}/photo/$value. Stored and checked like a
// user's photo (4 MB, image/jpeg, ValidationWidthTooSmall), and throttled like one (the request
// goes through the same bucket and per-subject rules, keyed by the group's id).
//
// Permissions (learn.microsoft.com/graph/api/profilephoto-update, "To update the profile photo of
// a group"; profilephoto-delete, profilephoto-get): writes need ProfilePhoto.ReadWrite.All (least
// privileged) or Group.ReadWrite.All, delegated or application; reads ProfilePhoto.Read.All or
// Group.Read.All and up. Before mid-2024 the page said "Not supported" for applications and Graph
// answered an app-only write 403 AppOnlyTokenNotSupportedForGroupUpdate
// (github.com/microsoftgraph/microsoft-graph-docs/issues/18507); the state's groupPhotoAppOnly
// chooses which of the two the emulator plays. photoUpdateSettings governs user photos only: it is
// not applied to groups (our reading: it names "users' profile photos").
// No group photo: metadata and $value answer 404 ImageNotFound, as for a user without one.
import type { DirectoryGroup } from '../state.js';
import { hasAnyRole } from './context.js';
import type { GraphContext } from './context.js';
import { graphError, insufficientPrivileges, resourceNotFound } from './errors.js';
import { imageNotFound, photoMetadata, readPhotoUpload } from './photos.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';

export const GROUP_PHOTO_PERMISSIONS = Object.freeze({
  read: ['ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  write: ['ProfilePhoto.ReadWrite.All', 'Group.ReadWrite.All'],
});

type Lookup = { group: DirectoryGroup } | { result: GraphResult };

function lookup(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string, permissions: readonly string[]): Lookup {
  if (!hasAnyRole(identity, permissions)) return { result: insufficientPrivileges(call) };
  const group = context.state.findGroup(id);
  return group ? { group } : { result: resourceNotFound(call, id) };
}

/**
 * The group a photo write (PUT, PATCH, DELETE) may change, or the refusal: the write permissions,
 * then, when the tenant plays the older behaviour, the documented refusal of an app-only write.
 */
function lookupForWrite(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string): Lookup {
  const found = lookup(context, call, identity, id, GROUP_PHOTO_PERMISSIONS.write);
  if ('result' in found || identity.user || context.state.groupPhotoAppOnly !== 'refused') return found;
  const refusal = graphError(call, 403, 'AppOnlyTokenNotSupportedForGroupUpdate', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ProfileAccessDeniedException' was thrown.");
  return { result: { ...refusal, userId: found.group.id } };
}

export function getGroupPhotoMetadata(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string): GraphResult {
  const found = lookup(context, call, identity, id, GROUP_PHOTO_PERMISSIONS.read);
  if ('result' in found) return found.result;
  const photo = context.state.getPhoto(found.group.id);
  if (!photo) return { ...imageNotFound(call), userId: found.group.id };
  return { status: 200, userId: found.group.id, json: photoMetadata(context, call, `groups('${found.group.id}')`, photo.width, photo.height, photo.mediaEtag) };
}

export function getGroupPhotoValue(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string): GraphResult {
  const found = lookup(context, call, identity, id, GROUP_PHOTO_PERMISSIONS.read);
  if ('result' in found) return found.result;
  const photo = context.state.getPhoto(found.group.id);
  if (!photo) return { ...imageNotFound(call), userId: found.group.id };
  return { status: 200, userId: found.group.id, bytes: photo.bytes, headers: { 'Content-Type': photo.contentType, ETag: photo.mediaEtag } };
}

export function putGroupPhoto(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string): GraphResult {
  const found = lookupForWrite(context, call, identity, id);
  if ('result' in found) return found.result;
  const groupId = found.group.id;
  const upload = readPhotoUpload(call);
  if ('result' in upload) return { ...upload.result, userId: groupId };
  context.state.setPhoto(groupId, upload.photo);
  return { status: 200, userId: groupId };
}

export function deleteGroupPhoto(context: GraphContext, call: GraphCall, identity: AppIdentity, id: string): GraphResult {
  const found = lookupForWrite(context, call, identity, id);
  if ('result' in found) return found.result;
  const groupId = found.group.id;
  if (!context.state.deletePhoto(groupId)) return { ...imageNotFound(call), userId: groupId };
  return { status: 204, userId: groupId };
}

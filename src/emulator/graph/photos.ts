// A user's profile photo: PUT|PATCH|DELETE /users/{id | upn}/photo/$value,
// GET /users/{..}/photo (metadata of the largest size), GET /users/{..}/photo/$value,
// GET /users/{..}/photos and /photos/{size}. Entra keeps the uploaded size and derives the
// HD sizes (48 ... 648) no larger than it; the emulator stores the upload only.
// A user without a photo: GET …/photo answers the documented 1x1 image/gif placeholder (or, with
// noPhotoMetadata 'notFound', 404 ImageNotFound as some tenants do); GET …/photo/$value and
// DELETE answer 404 ImageNotFound.
import { describePhoto } from '../state.js';
import type { DirectoryUser, StoredPhoto } from '../state.js';
import { DELEGATED_ROLES, PERMISSIONS, hasAnyRole, userMay } from './context.js';
import type { GraphContext } from './context.js';
import { graphError, insufficientPrivileges, resourceNotFound } from './errors.js';
import { readJpegDimensions } from './jpeg.js';
import { photoWriteRefusal } from './policy.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';

/** "The size of the photo you can update to is limited to 4 MB" (Update profilePhoto). Read as MiB. */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
/** Smallest HD size; Graph answers ValidationWidthTooSmall for tiny images but documents no minimum. */
export const MIN_PHOTO_EDGE = 48;
export const HD_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648] as const;
const ACCEPTED_CONTENT_TYPES = ['image/jpeg', 'image/jpg'];

export const imageNotFound = (call: GraphCall): GraphResult =>
  graphError(call, 404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");

function metadata(context: GraphContext, call: GraphCall, user: DirectoryUser, width: number, height: number, etag: string): Record<string, unknown> {
  return photoMetadata(context, call, `users('${user.id}')`, width, height, etag);
}

/** A stored JPEG photo's metadata; `owner` is its owner as the @odata.context names it, e.g. groups('{id}'). */
export function photoMetadata(context: GraphContext, call: GraphCall, owner: string, width: number, height: number, etag: string): Record<string, unknown> {
  return {
    '@odata.context': `${context.graphUrl}/${call.version}/$metadata#${owner}/photo/$entity`,
    '@odata.mediaContentType': 'image/jpeg',
    '@odata.mediaEtag': etag,
    id: `${width}x${height}`,
    width,
    height,
  };
}

type Lookup = { user: DirectoryUser } | { result: GraphResult };

function lookup(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string, permissions: readonly string[]): Lookup {
  if (!hasAnyRole(identity, permissions)) return { result: insufficientPrivileges(call) };
  const user = context.state.findUser(key);
  return user ? { user } : { result: resourceNotFound(call, key) };
}

/**
 * "The following response data shows the contents of a response when a photo hasn't already been
 * uploaded for the user" (learn.microsoft.com/graph/api/profilephoto-get, example 3).
 */
function placeholder(context: GraphContext, call: GraphCall, user: DirectoryUser): Record<string, unknown> {
  return {
    '@odata.context': `${context.graphUrl}/${call.version}/$metadata#users('${user.id}')/photo/$entity`,
    '@odata.mediaContentType': 'image/gif',
    '@odata.mediaEtag': '',
    id: '1x1',
    width: 1,
    height: 1,
  };
}

export function getPhotoMetadata(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string): GraphResult {
  const found = lookup(context, call, identity, key, PERMISSIONS.readPhotos);
  if ('result' in found) return found.result;
  const photo = context.state.getPhoto(found.user.id);
  if (!photo && context.state.noPhotoMetadata === 'placeholder') return { status: 200, userId: found.user.id, json: placeholder(context, call, found.user) };
  if (!photo) return { ...imageNotFound(call), userId: found.user.id };
  return { status: 200, userId: found.user.id, json: metadata(context, call, found.user, photo.width, photo.height, photo.mediaEtag) };
}

export function getPhotoValue(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string): GraphResult {
  const found = lookup(context, call, identity, key, PERMISSIONS.readPhotos);
  if ('result' in found) return found.result;
  const photo = context.state.getPhoto(found.user.id);
  if (!photo) return { ...imageNotFound(call), userId: found.user.id };
  return { status: 200, userId: found.user.id, bytes: photo.bytes, headers: { 'Content-Type': photo.contentType, ETag: photo.mediaEtag } };
}

/** The HD sizes available for a stored photo: those no larger than it (plus its own size). */
function availableSizes(width: number, height: number): Array<{ width: number; height: number }> {
  const edge = Math.min(width, height);
  const sizes: Array<{ width: number; height: number }> = HD_SIZES.filter((size) => size <= edge).map((size) => ({ width: size, height: size }));
  if (!HD_SIZES.some((size) => size === width && size === height)) sizes.push({ width, height });
  return sizes;
}

export function listPhotoSizes(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string): GraphResult {
  const found = lookup(context, call, identity, key, PERMISSIONS.readPhotos);
  if ('result' in found) return found.result;
  const photo = context.state.getPhoto(found.user.id);
  const sizes = photo ? availableSizes(photo.width, photo.height) : [];
  return {
    status: 200,
    userId: found.user.id,
    json: {
      '@odata.context': `${context.graphUrl}/${call.version}/$metadata#users('${found.user.id}')/photos`,
      value: sizes.map((size) => {
        const { '@odata.context': _context, ...item } = metadata(context, call, found.user, size.width, size.height, photo?.mediaEtag ?? '');
        return item;
      }),
    },
  };
}

/** GET /photos/{size} and /photos/{size}/$value. $value returns the stored bytes, not a resized copy. */
export function getPhotoSize(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string, size: string, wantsValue: boolean): GraphResult {
  const found = lookup(context, call, identity, key, PERMISSIONS.readPhotos);
  if ('result' in found) return found.result;
  const photo = context.state.getPhoto(found.user.id);
  const wanted = /^(\d+)x(\d+)$/i.exec(size);
  const match = photo && wanted
    ? availableSizes(photo.width, photo.height).find((available) => available.width === Number(wanted[1]) && available.height === Number(wanted[2]))
    : undefined;
  if (!photo || !match) return { ...imageNotFound(call), userId: found.user.id };
  if (wantsValue) return { status: 200, userId: found.user.id, bytes: photo.bytes, headers: { 'Content-Type': photo.contentType } };
  return { status: 200, userId: found.user.id, json: metadata(context, call, found.user, match.width, match.height, photo.mediaEtag) };
}

export function putPhoto(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string): GraphResult {
  const found = lookup(context, call, identity, key, PERMISSIONS.writePhotos);
  if ('result' in found) return found.result;
  const userId = found.user.id;
  if (!userMay(identity, DELEGATED_ROLES.writePhotos, userId)) return { ...insufficientPrivileges(call), userId };
  const refusal = photoWriteRefusal(context.state, call, identity);
  if (refusal) return { ...refusal, userId };
  const upload = readPhotoUpload(call);
  if ('result' in upload) return { ...upload.result, userId };
  context.state.setPhoto(userId, upload.photo);
  return { status: 200, userId };
}

/**
 * The body of a profile photo upload (a user's or a group's), checked as Graph checks it: at most
 * 4 MB, image/jpeg, a readable JPEG, no edge under MIN_PHOTO_EDGE (ValidationWidthTooSmall).
 */
export function readPhotoUpload(call: GraphCall): { photo: StoredPhoto } | { result: GraphResult } {
  if (call.body.length > MAX_PHOTO_BYTES) {
    return { result: graphError(call, 413, 'RequestEntityTooLarge', `The photo is ${call.body.length} bytes; the limit is 4 MB (${MAX_PHOTO_BYTES} bytes).`) };
  }
  const contentType = (call.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED_CONTENT_TYPES.includes(contentType)) {
    return { result: graphError(call, 415, 'UnsupportedMediaType', `Content-Type '${contentType || '(none)'}' is not supported for a profile photo; send image/jpeg.`) };
  }
  const dimensions = readJpegDimensions(call.body);
  if (!dimensions) return { result: graphError(call, 400, 'ImageInvalid', 'The request body is not a readable JPEG image.') };
  if (dimensions.width < MIN_PHOTO_EDGE || dimensions.height < MIN_PHOTO_EDGE) {
    return { result: graphError(call, 400, 'ValidationWidthTooSmall', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ProfileBadRequestException' was thrown.") };
  }
  return { photo: describePhoto(Buffer.from(call.body), dimensions.width, dimensions.height) };
}

export function deletePhoto(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string): GraphResult {
  const found = lookup(context, call, identity, key, PERMISSIONS.writePhotos);
  if ('result' in found) return found.result;
  const userId = found.user.id;
  if (!userMay(identity, DELEGATED_ROLES.writePhotos, userId)) return { ...insufficientPrivileges(call), userId };
  const refusal = photoWriteRefusal(context.state, call, identity);
  if (refusal) return { ...refusal, userId };
  if (!context.state.deletePhoto(userId)) return { ...imageNotFound(call), userId };
  return { status: 204, userId };
}

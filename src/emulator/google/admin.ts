// The admin API's Google part, under /_emulator/google: inspect the Workspace domain (users,
// photo hashes, who set each photo), change Google's knobs at run time (attribute condition,
// IAM bindings, domain-wide delegation, quota, faults, what an update does to a user's own
// photo), and seed users and photos behind the API's back (not logged, not throttled).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminError, readAdminJson } from '../admin.js';
import { readBody, sendJson } from '../http.js';
import type { GoogleUserSeed } from './options.js';
import { sniffImage } from './photo-data.js';
import type { GoogleEmulatorConfigPatch, GoogleService } from './service.js';

export const GOOGLE_ADMIN_PATH = '/_emulator/google';

export async function handleGoogleAdmin(google: GoogleService, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  try {
    await route(google, request, response, url);
  } catch (error) {
    sendJson(response, error instanceof AdminError ? error.status : 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

async function route(google: GoogleService, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method ?? 'GET';
  const path = url.pathname.slice(GOOGLE_ADMIN_PATH.length).replace(/\/$/, '') || '/';
  const readJson = () => readAdminJson(request);
  const userFor = (key: string) => {
    const user = google.directory.findUser(key);
    if (!user) throw new AdminError(404, `No Google user '${key}'.`);
    return user;
  };

  if (method === 'GET' && path === '/state') {
    sendJson(response, 200, {
      endpoint: google.endpoint,
      workloadIdentityProvider: google.workloadIdentityProvider,
      serviceAccount: google.identity.serviceAccount,
      serviceAccountId: google.identity.serviceAccountId,
      customerId: google.directorySettings.customerId,
      users: google.directory.snapshot(),
    });
  } else if (method === 'GET' && path === '/config') {
    sendJson(response, 200, google.config());
  } else if (method === 'POST' && path === '/config') {
    sendJson(response, 200, google.applyConfig((await readJson()) as GoogleEmulatorConfigPatch));
  } else if (method === 'POST' && path === '/reset') {
    google.reset();
    response.writeHead(204).end();
  } else if (method === 'POST' && path === '/users') {
    const body = await readJson();
    if (typeof body['primaryEmail'] !== 'string' || !body['primaryEmail']) throw new AdminError(400, 'primaryEmail is required.');
    try {
      sendJson(response, 201, google.directory.addUser(body as unknown as GoogleUserSeed));
    } catch (error) {
      throw new AdminError(409, (error as Error).message);
    }
  } else if (method === 'DELETE' && /^\/users\/[^/]+$/.test(path)) {
    google.directory.removeUser(userFor(decodeURIComponent(path.slice('/users/'.length))));
    response.writeHead(204).end();
  } else if (/^\/users\/[^/]+\/photo$/.test(path)) {
    const user = userFor(decodeURIComponent(path.slice('/users/'.length, -'/photo'.length)));
    if (method === 'GET') {
      const photo = google.directory.getPhoto(user.id);
      if (!photo) throw new AdminError(404, `Google user '${user.primaryEmail}' has no photo.`);
      response.writeHead(200, { 'Content-Type': photo.mimeType, 'Content-Length': String(photo.bytes.length), 'X-Set-By': photo.setBy });
      response.end(photo.bytes);
    } else if (method === 'PUT') {
      // ?setBy=user stores it as a photo the user chose themselves (what an admin update may not replace).
      const setBy = url.searchParams.get('setBy') === 'user' ? 'user' : 'admin';
      const { body, tooLarge } = await readBody(request, 16 * 1024 * 1024);
      const image = tooLarge ? undefined : sniffImage(body);
      if (!image) throw new AdminError(400, 'The body must be a JPEG, PNG, GIF, BMP or TIFF image.');
      google.directory.setPhoto(user.id, { bytes: body, mimeType: image.mimeType, width: image.width ?? 0, height: image.height ?? 0, setBy });
      response.writeHead(204).end();
    } else if (method === 'DELETE') {
      google.directory.deletePhoto(user.id);
      response.writeHead(204).end();
    } else {
      throw new AdminError(405, 'Method not allowed.');
    }
  } else {
    throw new AdminError(404, `No admin endpoint ${method} ${GOOGLE_ADMIN_PATH}${path}.`);
  }
}

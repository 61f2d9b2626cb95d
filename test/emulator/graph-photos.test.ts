// Profile photos through the real Graph client: upload, read back, metadata, replace,
// delete, and each refusal (size, dimensions, content type, missing photo, unknown user).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { Client } from '@microsoft/microsoft-graph-client';
import { MAX_PHOTO_BYTES, readJpegDimensions, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import {
  accessToken,
  authProviderFor,
  expectGraphErrorShape,
  federatedCredential,
  graphClient,
  graphFailure,
  graphFetch,
  jpeg,
  trustEmulatorCa,
} from './helpers.js';

let emulator: RunningEmulator;
let graph: Client;
let portrait: Buffer;
const ADA = 'ada.lovelace@contoso.edu';
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  graph = graphClient(emulator, authProviderFor(federatedCredential(emulator)), { retries: false });
  portrait = await jpeg(648);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.admin.reset());

const upload = (user: string, bytes: Buffer, contentType = 'image/jpeg', method: 'put' | 'patch' = 'put'): Promise<unknown> =>
  graph.api(`/users/${encodeURIComponent(user)}/photo/$value`).header('Content-Type', contentType)[method](bytes);

describe('the JPEG frame header reader', () => {
  it('reads width and height without decoding, and rejects what is not a JPEG', async () => {
    expect(readJpegDimensions(await jpeg(640, 480))).toEqual({ width: 640, height: 480 });
    expect(readJpegDimensions(Buffer.from('not a jpeg'))).toBeUndefined();
    expect(readJpegDimensions(portrait.subarray(0, 20))).toBeUndefined();
  });
});

describe('PUT|PATCH /users/{id | upn}/photo/$value', () => {
  it('stores the photo: 200, then the metadata, bytes and admin state agree', async () => {
    await upload(ADA, portrait);

    const metadata = (await graph.api(`/users/${ADA}/photo`).get()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ '@odata.mediaContentType': 'image/jpeg', id: '648x648', width: 648, height: 648 });
    expect(metadata['@odata.mediaEtag']).toMatch(/^"[0-9A-F]{8}"$/);

    const bytes = Buffer.from((await graph.api(`/users/${ADA}/photo/$value`).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    expect(sha256(bytes)).toBe(sha256(portrait));

    const user = (await emulator.admin.state()).users.find((candidate) => candidate.userPrincipalName === ADA);
    expect(user?.photo).toMatchObject({ sha256: sha256(portrait), width: 648, height: 648, mediaEtag: metadata['@odata.mediaEtag'] });
    expect(sha256((await emulator.admin.photo(ADA))!)).toBe(sha256(portrait));
  });

  it('answers 200 with an empty body on the wire', async () => {
    const response = await graphFetch(emulator, await accessToken(emulator), `/v1.0/users/${ADA}/photo/$value`, {
      method: 'PUT',
      body: portrait,
      headers: { 'Content-Type': 'image/jpeg' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('replaces with PATCH and changes the etag; accepts the user by object id', async () => {
    await upload(ADA, portrait);
    const before = (await graph.api(`/users/${ADA}/photo`).get()) as Record<string, unknown>;
    const id = '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01';
    await upload(id, await jpeg(504, 504, { r: 10, g: 20, b: 30 }), 'image/jpeg', 'patch');
    const after = (await graph.api(`/users/${ADA}/photo`).get()) as Record<string, unknown>;
    expect(after).toMatchObject({ id: '504x504', width: 504 });
    expect(after['@odata.mediaEtag']).not.toBe(before['@odata.mediaEtag']);
  });

  it('keeps any dimension, as Entra does (not only the HD sizes)', async () => {
    await upload(ADA, await jpeg(700, 900));
    expect(await graph.api(`/users/${ADA}/photo`).get()).toMatchObject({ id: '700x900', width: 700, height: 900 });
  });

  it('lists the HD sizes derived from the stored photo', async () => {
    await upload(ADA, await jpeg(240));
    const sizes = (await graph.api(`/users/${ADA}/photos`).get()) as { value: Array<{ id: string }> };
    expect(sizes.value.map((size) => size.id)).toEqual(['48x48', '64x64', '96x96', '120x120', '240x240']);
    expect(await graph.api(`/users/${ADA}/photos/96x96`).get()).toMatchObject({ width: 96, height: 96 });
    expect((await graphFailure(graph.api(`/users/${ADA}/photos/648x648`).get())).code).toBe('ImageNotFound');
  });

  it('refuses an image under 48 px with 400 ValidationWidthTooSmall', async () => {
    const { statusCode, code, body } = await graphFailure(upload(ADA, await jpeg(40)));
    expect(statusCode).toBe(400);
    expect(code).toBe('ValidationWidthTooSmall');
    expectGraphErrorShape(body);
    await upload(ADA, await jpeg(48)); // the limit itself is fine
  });

  it('refuses a body over 4 MB with 413', async () => {
    const padded = Buffer.concat([portrait, Buffer.alloc(MAX_PHOTO_BYTES + 1 - portrait.length)]);
    const { statusCode, body } = await graphFailure(upload(ADA, padded));
    expect(statusCode).toBe(413);
    expectGraphErrorShape(body);
    const exactlyAtLimit = Buffer.concat([portrait, Buffer.alloc(MAX_PHOTO_BYTES - portrait.length)]);
    await upload(ADA, exactlyAtLimit);
  });

  it('refuses a content type other than image/jpeg with 415, and bytes that are not a JPEG with 400', async () => {
    expect((await graphFailure(upload(ADA, portrait, 'image/png'))).statusCode).toBe(415);
    expect((await graphFailure(upload(ADA, Buffer.from('GIF89a....'), 'image/jpeg'))).statusCode).toBe(400);
    expect((await emulator.admin.state()).users.find((user) => user.userPrincipalName === ADA)?.photo).toBeNull();
  });

  it('404s an unknown user', async () => {
    const { statusCode, code } = await graphFailure(upload('nobody@contoso.edu', portrait));
    expect(statusCode).toBe(404);
    expect(code).toBe('Request_ResourceNotFound');
  });
});

describe('GET and DELETE without a photo', () => {
  it('answers the metadata with the documented 1x1 image/gif placeholder (profilephoto-get, example 3)', async () => {
    const metadata = (await graph.api(`/users/${ADA}/photo`).get()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ '@odata.mediaContentType': 'image/gif', '@odata.mediaEtag': '', id: '1x1', width: 1, height: 1 });
  });

  it("answers the metadata 404 ImageNotFound with noPhotoMetadata: 'notFound' (as some tenants do)", async () => {
    await emulator.admin.setConfig({ noPhotoMetadata: 'notFound' });
    const { statusCode, code, body } = await graphFailure(graph.api(`/users/${ADA}/photo`).get());
    expect([statusCode, code]).toEqual([404, 'ImageNotFound']);
    expectGraphErrorShape(body);
    await emulator.admin.reset();
    expect((await emulator.admin.config()).noPhotoMetadata).toBe('placeholder');
  });

  it('404s ImageNotFound for $value and DELETE', async () => {
    for (const request of [graph.api(`/users/${ADA}/photo/$value`).get(), graph.api(`/users/${ADA}/photo/$value`).delete()]) {
      const { statusCode, code, body } = await graphFailure(request);
      expect(statusCode).toBe(404);
      expect(code).toBe('ImageNotFound');
      expectGraphErrorShape(body);
    }
  });

  it('DELETE removes a stored photo with 204', async () => {
    await upload(ADA, portrait);
    const response = await graphFetch(emulator, await accessToken(emulator), `/v1.0/users/${ADA}/photo/$value`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await graph.api(`/users/${ADA}/photo`).get()).toMatchObject({ id: '1x1' });
    expect((await graphFailure(graph.api(`/users/${ADA}/photo/$value`).get())).code).toBe('ImageNotFound');
  });
});

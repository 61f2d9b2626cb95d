// A typed client for /_emulator/google (the CA passed explicitly, so it works in-process and
// against an emulator in another process alike).
import { adminRequest, type AdminResponse } from '../admin-request.js';
import type { GoogleUserSeed } from './options.js';
import type { GoogleEmulatorConfig, GoogleEmulatorConfigPatch } from './service.js';
import type { GoogleUser, GoogleUserSnapshot } from './state.js';

export interface GoogleStateSnapshot {
  endpoint: string;
  workloadIdentityProvider: string;
  serviceAccount: string;
  serviceAccountId: string;
  customerId: string;
  users: GoogleUserSnapshot[];
}

export class GoogleEmulatorAdminClient {
  readonly #root: string;
  readonly #caCertPem: string;

  /** `adminUrl` as printed by the emulator (…/_emulator). */
  constructor(adminUrl: string, caCertPem: string) {
    this.#root = `${adminUrl.replace(/\/$/, '')}/google`;
    this.#caCertPem = caCertPem;
  }

  #send(method: string, path: string, body?: Buffer | object, contentType = 'application/json'): Promise<AdminResponse> {
    return adminRequest(`${this.#root}${path}`, this.#caCertPem, method, body, contentType);
  }

  async #json<T>(method: string, path: string, body?: object): Promise<T> {
    const response = await this.#send(method, path, body);
    if (response.status >= 400) throw new Error(`Emulator admin ${method} /google${path} failed (${response.status}): ${response.body.toString('utf8')}`);
    return (response.body.length ? JSON.parse(response.body.toString('utf8')) : undefined) as T;
  }

  /** The domain's users with their photo's sha256, size and who set it. */
  state(): Promise<GoogleStateSnapshot> {
    return this.#json('GET', '/state');
  }

  config(): Promise<GoogleEmulatorConfig> {
    return this.#json('GET', '/config');
  }

  /** E.g. { quota: { perMinutePerUser: 5, windowSeconds: 1 } }, { attributeCondition: "assertion.repository == 'x/y'" }. */
  setConfig(patch: GoogleEmulatorConfigPatch): Promise<GoogleEmulatorConfig> {
    return this.#json('POST', '/config', patch);
  }

  async reset(): Promise<void> {
    await this.#json('POST', '/reset');
  }

  addUser(seed: GoogleUserSeed): Promise<GoogleUser> {
    return this.#json('POST', '/users', seed);
  }

  async removeUser(userKey: string): Promise<void> {
    await this.#json('DELETE', `/users/${encodeURIComponent(userKey)}`);
  }

  /** Stores a photo as if set earlier: by an admin, or by the user themselves (`setBy: 'user'`). */
  async seedPhoto(userKey: string, image: Buffer, setBy: 'admin' | 'user' = 'admin'): Promise<void> {
    const response = await this.#send('PUT', `/users/${encodeURIComponent(userKey)}/photo?setBy=${setBy}`, image, 'application/octet-stream');
    if (response.status >= 400) throw new Error(`Emulator admin Google photo seed failed (${response.status}): ${response.body.toString('utf8')}`);
  }

  /** The stored photo bytes, or undefined when the user has none. */
  async photo(userKey: string): Promise<Buffer | undefined> {
    const response = await this.#send('GET', `/users/${encodeURIComponent(userKey)}/photo`);
    if (response.status === 404) return undefined;
    if (response.status >= 400) throw new Error(`Emulator admin Google photo read failed (${response.status}): ${response.body.toString('utf8')}`);
    return response.body;
  }
}

/**
 * The Admin SDK Directory API calls the Google target needs: users.get, users.list (the whole
 * domain page by page, or by externalId), users.photos get/update/delete. Writes and downloads make one attempt (the
 * caller's pacer retries); lookups retry Google's retryable failures with its exponential backoff.
 */
import type { GoogleKeylessAuth } from './auth.js';
import { googleUrl } from './endpoints.js';
import { GoogleApiError, googleBackoffMs, isRetryableGoogleFailure, readGoogleError } from './errors.js';
import { decodePhotoData, encodePhotoData, googleMimeType } from './photoData.js';

export interface GoogleExternalIdEntry {
  value: string;
  type: string;
  customType?: string;
}

/** The fields of a Directory user this tool reads. */
export interface GoogleDirectoryUser {
  id: string;
  primaryEmail: string;
  name?: { fullName?: string; givenName?: string; familyName?: string };
  aliases?: string[];
  /** Output only: addresses Google made for the user (typically outside the primary domain). */
  nonEditableAliases?: string[];
  externalIds?: GoogleExternalIdEntry[];
  suspended?: boolean;
  isAdmin?: boolean;
  /** Output only: set when the user has a profile photo (whoever set it). */
  thumbnailPhotoUrl?: string;
}

/** One page of users.list and the token of the next, if any. */
export interface GoogleUserPage {
  users: GoogleDirectoryUser[];
  nextPageToken?: string;
}

export interface GooglePhoto {
  bytes: Buffer;
  mimeType: string;
  width?: number;
  height?: number;
  etag?: string;
}

export interface GoogleDirectoryOptions {
  auth: Pick<GoogleKeylessAuth, 'accessToken' | 'invalidate'>;
  /** Stands in for Google's hosts (the emulator). */
  endpoint?: string;
  /** users.list's customer: `my_customer` (the caller's own account, default) or a customer id. */
  customer?: string;
  /**
   * Attempts for lookups (users.get/list) before giving up; default 7: the waits (1, 2, 4, 8, 16,
   * 32 s plus jitter, about 63 s) outlast one of the Directory API's one-minute quota windows, so a
   * lookup refused because the minute's quota is spent gets through in the next. With 4 (about 7 s)
   * lookups failed for good under a spent quota (bench/google.mjs, --quota 100 --window 10).
   */
  lookupAttempts?: number;
  /** Users per users.list page; default 500, Google's maximum (tests list smaller pages). */
  listPageSize?: number;
  /** Waits between lookup attempts (tests pass a recorder). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const sleepFor = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });

export class GoogleDirectoryClient {
  readonly #options: GoogleDirectoryOptions;

  constructor(options: GoogleDirectoryOptions) {
    this.#options = options;
  }

  get customer(): string {
    return this.#options.customer ?? 'my_customer';
  }

  /** users.get by primary email, alias or id; null when Google knows no such user. */
  getUser(userKey: string, signal?: AbortSignal): Promise<GoogleDirectoryUser | null> {
    return this.#lookup(async () => {
      try {
        return (await this.#json('GET', `/users/${encodeURIComponent(userKey)}`, undefined, signal)) as unknown as GoogleDirectoryUser;
      } catch (error) {
        if (error instanceof GoogleApiError && error.status === 404) return null;
        throw error;
      }
    }, signal);
  }

  /** users.list?query=externalId='…': every user with that external id value, whatever its type. */
  async findByExternalId(value: string, signal?: AbortSignal): Promise<GoogleDirectoryUser[]> {
    const quoted = `'${value.replaceAll("'", "\\'")}'`;
    const found: GoogleDirectoryUser[] = [];
    for await (const page of this.listUsers({ query: `externalId=${quoted}`, signal })) found.push(...page);
    return found;
  }

  /** users.list page by page (500 a page, Google's maximum). */
  async *listUsers(options: { query?: string; signal?: AbortSignal } = {}): AsyncIterable<GoogleDirectoryUser[]> {
    let pageToken: string | undefined;
    do {
      const page = await this.listUserPage({ ...options, ...(pageToken ? { pageToken } : {}) });
      yield page.users;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** One users.list page: for a caller that decides after each page whether the next is worth it. */
  async listUserPage(options: { query?: string; pageToken?: string; signal?: AbortSignal } = {}): Promise<GoogleUserPage> {
    const params = new URLSearchParams({ customer: this.customer, maxResults: String(this.#options.listPageSize ?? 500) });
    if (options.query) params.set('query', options.query);
    if (options.pageToken) params.set('pageToken', options.pageToken);
    const body = await this.#lookup(() => this.#json('GET', `/users?${params.toString()}`, undefined, options.signal), options.signal);
    return {
      users: Array.isArray(body['users']) ? (body['users'] as GoogleDirectoryUser[]) : [],
      ...(typeof body['nextPageToken'] === 'string' && body['nextPageToken'] ? { nextPageToken: body['nextPageToken'] } : {}),
    };
  }

  /** One attempt: the stored photo (Google keeps a 96x96 thumbnail), or null when there is none. */
  async getPhoto(userKey: string, signal?: AbortSignal): Promise<GooglePhoto | null> {
    try {
      const body = await this.#json('GET', photoPath(userKey), undefined, signal);
      if (typeof body['photoData'] !== 'string') return null;
      return {
        bytes: decodePhotoData(body['photoData']),
        mimeType: String(body['mimeType'] ?? ''),
        ...(typeof body['width'] === 'number' ? { width: body['width'] } : {}),
        ...(typeof body['height'] === 'number' ? { height: body['height'] } : {}),
        ...(typeof body['etag'] === 'string' ? { etag: body['etag'] } : {}),
      };
    } catch (error) {
      if (isMissingPhoto(error)) return null;
      throw error;
    }
  }

  /** One attempt: users.photos.update with the image as web-safe base64. */
  async putPhoto(userKey: string, image: Buffer, size?: { width: number; height: number }, signal?: AbortSignal): Promise<void> {
    const mimeType = googleMimeType(image);
    if (!mimeType) throw new GoogleApiError(0, 'invalid', 'The photo is not a JPEG, PNG, GIF, BMP or TIFF image; Google accepts no other format.');
    await this.#json('PUT', photoPath(userKey), { photoData: encodePhotoData(image), mimeType, ...(size ?? {}) }, signal);
  }

  /** One attempt: users.photos.delete; a user without a photo is done (Google answers 404). */
  async deletePhoto(userKey: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#json('DELETE', photoPath(userKey), undefined, signal);
    } catch (error) {
      if (isMissingPhoto(error)) return;
      throw error;
    }
  }

  async #lookup<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const attempts = this.#options.lookupAttempts ?? 7;
    const sleep = this.#options.sleep ?? sleepFor;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt + 1 >= attempts || !isRetryableGoogleFailure(error) || signal?.aborted) throw error;
        const retryAfter = error instanceof GoogleApiError ? error.retryAfterSeconds : undefined;
        await sleep(retryAfter !== undefined ? retryAfter * 1000 : googleBackoffMs(attempt, this.#options.random), signal);
      }
    }
  }

  async #json(method: string, path: string, body: object | undefined, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    const url = googleUrl('admin', `/admin/directory/v1${path}`, this.#options.endpoint);
    const send = async (): Promise<Response> =>
      fetch(url, {
        method,
        headers: { Authorization: `Bearer ${await this.#options.auth.accessToken()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    let response = await send();
    if (response.status === 401) {
      // A token revoked or issued by an emulator that restarted: sign in again, once.
      await response.body?.cancel();
      this.#options.auth.invalidate();
      response = await send();
    }
    const text = await response.text();
    if (!response.ok) throw readGoogleError(response.status, text, response.headers.get('retry-after'));
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }
}

/** 404 about the photo ("Resource Not Found: photo"), not about the user ("…: userKey"). */
function isMissingPhoto(error: unknown): boolean {
  return error instanceof GoogleApiError && error.status === 404 && !/userKey/i.test(error.message);
}

function photoPath(userKey: string): string {
  return `/users/${encodeURIComponent(userKey)}/photos/thumbnail`;
}

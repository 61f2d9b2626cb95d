// The Workspace domain's users and their photos, as the Directory API reads and writes them.
// Photos are kept as sent: Google documents that it downsizes every photo to 96x96, but the
// emulator imports no image library (only the photo layer does), so it reports the sent width
// and height and serves the sent bytes. A client must never expect its bytes back from real Google.
import { createHash } from 'node:crypto';
import type { DirectoryUser } from '../state.js';
import type { GoogleExternalId, GoogleUserSeed } from './options.js';
import { DEFAULT_GOOGLE_ADMIN } from './options.js';

export interface GoogleUser {
  id: string;
  primaryEmail: string;
  givenName: string;
  familyName: string;
  aliases: string[];
  nonEditableAliases: string[];
  externalIds: GoogleExternalId[];
  isAdmin: boolean;
  suspended: boolean;
  creationTime: string;
}

export interface GooglePhoto {
  bytes: Buffer;
  mimeType: string;
  width: number;
  height: number;
  sha256: string;
  /** Who set it: an admin through the API, or the user themselves (seeded through the admin API). */
  setBy: 'admin' | 'user';
  etag: string;
  photoId: string;
  updatedAt: string;
}

export interface GoogleUserSnapshot extends GoogleUser {
  photo: (Omit<GooglePhoto, 'bytes'> & { byteLength: number }) | null;
}

/** Google's user ids are 21-digit numbers; derived from the email so they are stable across runs. */
export function googleIdFor(email: string): string {
  const hex = createHash('sha256').update(`google:${email.toLowerCase()}`).digest('hex');
  return `1${BigInt(`0x${hex.slice(0, 24)}`).toString().padStart(20, '0').slice(0, 20)}`;
}

function toUser(seed: GoogleUserSeed): GoogleUser {
  const local = seed.primaryEmail.split('@')[0] ?? seed.primaryEmail;
  return {
    id: seed.id ?? googleIdFor(seed.primaryEmail),
    primaryEmail: seed.primaryEmail,
    givenName: seed.givenName ?? local,
    familyName: seed.familyName ?? '',
    aliases: [...(seed.aliases ?? [])],
    nonEditableAliases: [...(seed.nonEditableAliases ?? [])],
    externalIds: (seed.externalIds ?? []).map((entry) => ({ ...entry })),
    isAdmin: seed.isAdmin ?? false,
    suspended: seed.suspended ?? false,
    creationTime: '2024-08-01T08:00:00.000Z',
  };
}

/** The sample school in Google too: same addresses as in Entra, employee ids as `organization` externalIds. */
export function googleSeedsFromDirectory(users: readonly Pick<DirectoryUser, 'userPrincipalName' | 'employeeId' | 'givenName' | 'surname'>[]): GoogleUserSeed[] {
  return users.map((user) => ({
    primaryEmail: user.userPrincipalName,
    ...(user.givenName ? { givenName: user.givenName } : {}),
    ...(user.surname ? { familyName: user.surname } : {}),
    externalIds: user.employeeId ? [{ value: user.employeeId, type: 'organization' as const }] : [],
    isAdmin: user.userPrincipalName.toLowerCase() === DEFAULT_GOOGLE_ADMIN,
  }));
}

export class GoogleDirectoryState {
  readonly #seeds: readonly GoogleUserSeed[];
  #users: GoogleUser[] = [];
  readonly #photos = new Map<string, GooglePhoto>();

  constructor(seeds: readonly GoogleUserSeed[]) {
    this.#seeds = seeds;
    this.reset();
  }

  reset(): void {
    this.#users = [];
    this.#photos.clear();
    for (const seed of this.#seeds) this.addUser(seed);
  }

  get users(): readonly GoogleUser[] {
    return this.#users;
  }

  /** users.get's userKey: primary email, alias (either kind, case-insensitive) or id. */
  findUser(userKey: string): GoogleUser | undefined {
    const key = userKey.toLowerCase();
    return this.#users.find((user) => user.id === userKey || [user.primaryEmail, ...user.aliases, ...user.nonEditableAliases].some((address) => address.toLowerCase() === key));
  }

  addUser(seed: GoogleUserSeed): GoogleUser {
    const user = toUser(seed);
    if (this.findUser(user.primaryEmail) || this.findUser(user.id)) throw new Error(`A Google user ${user.primaryEmail} (or id ${user.id}) exists already.`);
    for (const alias of [...user.aliases, ...user.nonEditableAliases]) if (this.findUser(alias)) throw new Error(`The address ${alias} is taken.`);
    this.#users.push(user);
    return user;
  }

  removeUser(user: GoogleUser): void {
    this.#users = this.#users.filter((candidate) => candidate !== user);
    this.#photos.delete(user.id);
  }

  getPhoto(userId: string): GooglePhoto | undefined {
    return this.#photos.get(userId);
  }

  setPhoto(userId: string, photo: Omit<GooglePhoto, 'sha256' | 'etag' | 'photoId' | 'updatedAt'>): GooglePhoto {
    const sha256 = createHash('sha256').update(photo.bytes).digest('hex');
    const stored: GooglePhoto = {
      ...photo,
      sha256,
      etag: `"${createHash('sha256').update(`${sha256}:${Date.now()}`).digest('base64url').slice(0, 27)}"`,
      photoId: `${userId.slice(-10)}${sha256.slice(0, 8)}`,
      updatedAt: new Date().toISOString(),
    };
    this.#photos.set(userId, stored);
    return stored;
  }

  deletePhoto(userId: string): boolean {
    return this.#photos.delete(userId);
  }

  snapshot(): GoogleUserSnapshot[] {
    return this.#users.map((user) => {
      const photo = this.#photos.get(user.id);
      if (!photo) return { ...user, photo: null };
      const { bytes, ...rest } = photo;
      return { ...user, photo: { ...rest, byteLength: bytes.length } };
    });
  }
}

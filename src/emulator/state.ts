// The tenant's mutable state: directory users, their stored photos, the photo update policy
// and the app's grants. Everything Graph reads or writes goes through here, and the admin
// API reports from here.
import { createHash } from 'node:crypto';
import type { AccessTokenFormat, EmulatorGroupSeed, EmulatorUserSeed, GroupPhotoAppOnly, NoPhotoMetadata, PhotoUpdateSettings } from './options.js';
import { objectIdForUpn } from './seed-users.js';

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  employeeId: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  /** Set on users in the recycle bin (deleted, restorable for 30 days). */
  deletedDateTime?: string;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  mail: string | null;
  mailNickname: string;
  /** Microsoft 365 group (groupTypes ["Unified"]); else a security group. */
  unified: boolean;
  /** Object ids of the member users. */
  memberIds: string[];
}

export interface StoredPhoto {
  /** The bytes as uploaded: Entra keeps the largest size; smaller ones are derived. */
  bytes: Buffer;
  contentType: string;
  width: number;
  height: number;
  sha256: string;
  /** The value of @odata.mediaEtag, quotes included. */
  mediaEtag: string;
  updatedAt: string;
}

export interface UserSnapshot extends DirectoryUser {
  photo: Omit<StoredPhoto, 'bytes'> & { byteLength: number } | null;
}

export interface TenantSnapshot {
  tenantId: string;
  clientId: string;
  servicePrincipalId: string;
  appPermissions: string[];
  directoryRoles: string[];
  policy: PhotoUpdateSettings;
  users: UserSnapshot[];
  /** Groups with their photos (group photos are stored like users'). */
  groups: Array<DirectoryGroup & { photo: (Omit<StoredPhoto, 'bytes'> & { byteLength: number }) | null }>;
}

export interface TenantInit {
  tenantId: string;
  clientId: string;
  servicePrincipalId: string;
  users: readonly EmulatorUserSeed[];
  groups?: readonly EmulatorGroupSeed[];
  appPermissions: readonly string[];
  directoryRoles: readonly string[];
  policy: PhotoUpdateSettings;
  /** Default 'jwt'. */
  accessTokenFormat?: AccessTokenFormat;
  /** Default 'placeholder' (what Microsoft's documentation shows). */
  noPhotoMetadata?: NoPhotoMetadata;
  /** Default 'allowed' (what Microsoft's documentation lists today). */
  groupPhotoAppOnly?: GroupPhotoAppOnly;
}

function toDirectoryUser(seed: EmulatorUserSeed): DirectoryUser {
  const upn = seed.userPrincipalName;
  return {
    id: (seed.id ?? objectIdForUpn(upn)).toLowerCase(),
    userPrincipalName: upn,
    mail: seed.mail ?? null,
    employeeId: seed.employeeId ?? null,
    displayName: seed.displayName ?? upn.split('@')[0] ?? upn,
    givenName: seed.givenName ?? null,
    surname: seed.surname ?? null,
    jobTitle: seed.jobTitle ?? null,
    accountEnabled: seed.accountEnabled ?? true,
  };
}

export function describePhoto(bytes: Buffer, width: number, height: number, contentType = 'image/jpeg'): StoredPhoto {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return {
    bytes,
    contentType,
    width,
    height,
    sha256,
    // Graph's media etags look like "BA09D118": short, opaque, quoted.
    mediaEtag: `"${sha256.slice(0, 8).toUpperCase()}"`,
    updatedAt: new Date().toISOString(),
  };
}

export class TenantState {
  readonly tenantId: string;
  readonly clientId: string;
  readonly servicePrincipalId: string;
  appPermissions: string[];
  directoryRoles: string[];
  policy: PhotoUpdateSettings;
  /** How Entra issues access tokens from now on (tokens already issued stay valid). */
  accessTokenFormat: AccessTokenFormat;
  /** How GET /users/{id}/photo answers for a user without a photo. */
  noPhotoMetadata: NoPhotoMetadata;
  /** Whether app-only tokens may write group photos. */
  groupPhotoAppOnly: GroupPhotoAppOnly;

  readonly #init: TenantInit;
  readonly #users: DirectoryUser[] = [];
  readonly #usersById = new Map<string, DirectoryUser>();
  readonly #usersByUpn = new Map<string, DirectoryUser>();
  readonly #photos = new Map<string, StoredPhoto>();
  /** Deleted users, as /directory/deletedItems lists them. */
  readonly #deleted: DirectoryUser[] = [];
  readonly groups: readonly DirectoryGroup[];

  constructor(init: TenantInit) {
    this.#init = init;
    this.tenantId = init.tenantId;
    this.clientId = init.clientId;
    this.servicePrincipalId = init.servicePrincipalId;
    this.appPermissions = [...init.appPermissions];
    this.directoryRoles = [...init.directoryRoles];
    this.policy = clonePolicy(init.policy);
    this.accessTokenFormat = init.accessTokenFormat ?? 'jwt';
    this.noPhotoMetadata = init.noPhotoMetadata ?? 'placeholder';
    this.groupPhotoAppOnly = init.groupPhotoAppOnly ?? 'allowed';
    this.#addSeededUsers();
    this.groups = (init.groups ?? []).map((group) => ({
      id: (group.id ?? objectIdForUpn(`group:${group.displayName}`)).toLowerCase(),
      displayName: group.displayName,
      mail: group.mail ?? null,
      mailNickname: group.mailNickname ?? group.displayName.replace(/[^A-Za-z0-9._-]/g, '').toLowerCase(),
      unified: group.unified ?? false,
      memberIds: group.members.map((member) => {
        const user = this.findUser(member);
        if (!user) throw new Error(`Group "${group.displayName}" lists ${member}, who is not a seeded user.`);
        return user.id;
      }),
    }));
  }

  findGroup(id: string): DirectoryGroup | undefined {
    return this.groups.find((group) => group.id === id.toLowerCase());
  }

  /** A user by object id or userPrincipalName (both case-insensitive), as /users/{id | upn} resolves. */
  findUser(idOrUpn: string): DirectoryUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.#usersById.get(key) ?? this.#usersByUpn.get(key);
  }

  /** A user by id, UPN or mail: how the admin API and fault rules name users. */
  findUserLoosely(key: string): DirectoryUser | undefined {
    const lower = key.toLowerCase();
    return this.findUser(key) ?? this.#users.find((user) => user.mail?.toLowerCase() === lower);
  }

  get users(): readonly DirectoryUser[] {
    return this.#users;
  }

  /** Creates a user at run time (an account created after the manifest named it). */
  addUser(seed: EmulatorUserSeed): DirectoryUser {
    return this.#add(toDirectoryUser(seed), false);
  }

  /** Adds a user to the list and both indexes; refuses a second user with the same id or userPrincipalName. */
  #add(user: DirectoryUser, seeded: boolean): DirectoryUser {
    const upnKey = user.userPrincipalName.toLowerCase();
    if (this.#usersById.has(user.id)) throw new Error(seeded ? `Duplicate user id in seed: ${user.id}` : `A user with id ${user.id} exists already.`);
    if (this.#usersByUpn.has(upnKey)) throw new Error(seeded ? `Duplicate userPrincipalName in seed: ${user.userPrincipalName}` : `A user ${user.userPrincipalName} exists already.`);
    this.#users.push(user);
    this.#usersById.set(user.id, user);
    this.#usersByUpn.set(upnKey, user);
    return user;
  }

  /** The seeded users, fresh (the constructor, and reset after users were added or removed). */
  #addSeededUsers(): void {
    for (const seed of this.#init.users) this.#add(toDirectoryUser(seed), true);
  }

  /**
   * Deletes a user with its photo, as Entra soft-deletes one: gone from /users, listed under
   * /directory/deletedItems for 30 days with its userPrincipalName prefixed by its object id.
   */
  removeUser(user: DirectoryUser): void {
    this.#deleted.push({ ...user, userPrincipalName: `${user.id.replace(/-/g, '')}${user.userPrincipalName}`, deletedDateTime: new Date().toISOString() });
    const index = this.#users.indexOf(user);
    if (index >= 0) this.#users.splice(index, 1);
    this.#usersById.delete(user.id);
    this.#usersByUpn.delete(user.userPrincipalName.toLowerCase());
    this.#photos.delete(user.id);
  }

  get deletedUsers(): readonly DirectoryUser[] {
    return this.#deleted;
  }

  /** Enables or disables sign-in for a user. */
  setAccountEnabled(user: DirectoryUser, enabled: boolean): void {
    user.accountEnabled = enabled;
  }

  getPhoto(userId: string): StoredPhoto | undefined {
    return this.#photos.get(userId);
  }

  setPhoto(userId: string, photo: StoredPhoto): void {
    this.#photos.set(userId, photo);
  }

  deletePhoto(userId: string): boolean {
    return this.#photos.delete(userId);
  }

  /** Back to the initial state: no photos, the seeded users, the initial policy, grants and behaviours. */
  reset(): void {
    this.#photos.clear();
    this.#deleted.length = 0;
    this.#users.length = 0;
    this.#usersById.clear();
    this.#usersByUpn.clear();
    this.#addSeededUsers();
    this.policy = clonePolicy(this.#init.policy);
    this.appPermissions = [...this.#init.appPermissions];
    this.directoryRoles = [...this.#init.directoryRoles];
    this.accessTokenFormat = this.#init.accessTokenFormat ?? 'jwt';
    this.noPhotoMetadata = this.#init.noPhotoMetadata ?? 'placeholder';
    this.groupPhotoAppOnly = this.#init.groupPhotoAppOnly ?? 'allowed';
  }

  snapshot(): TenantSnapshot {
    return {
      tenantId: this.tenantId,
      clientId: this.clientId,
      servicePrincipalId: this.servicePrincipalId,
      appPermissions: [...this.appPermissions],
      directoryRoles: [...this.directoryRoles],
      policy: clonePolicy(this.policy),
      users: this.#users.map((user) => ({ ...user, photo: this.#photoSummary(user.id) })),
      groups: this.groups.map((group) => ({ ...group, memberIds: [...group.memberIds], photo: this.#photoSummary(group.id) })),
    };
  }

  /** A stored photo without its bytes (a user's or a group's), for the snapshot. */
  #photoSummary(id: string): (Omit<StoredPhoto, 'bytes'> & { byteLength: number }) | null {
    const photo = this.#photos.get(id);
    if (!photo) return null;
    const { bytes, ...metadata } = photo;
    return { ...metadata, byteLength: bytes.length };
  }
}

function clonePolicy(policy: PhotoUpdateSettings): PhotoUpdateSettings {
  return { source: policy.source, allowedRoles: [...policy.allowedRoles] };
}

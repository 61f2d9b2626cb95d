import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { writeFile, chmod, readFile, mkdtemp, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID, generateKeyPair, sign, createPublicKey, verify, randomBytes, X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { i as isGuid } from './shared5.js';
import { request, createServer } from 'node:https';
import { existsSync } from 'node:fs';

// Reads a JPEG's pixel dimensions from its frame header (SOFn) without decoding it. The
// emulator stores photos as given (no image library: only the photo layer imports sharp),
// and needs width and height for the photo metadata and the too-small check.
/** Start-of-frame markers: C0..CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker) {
    return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}
/** Markers that stand alone, without a length field: TEM, RST0..7, SOI, EOI. */
function isStandalone(marker) {
    return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}
/**
 * The dimensions from the first frame header, or undefined when the bytes are not a JPEG or
 * the header is missing/truncated (scan data before any frame header counts as missing).
 */
function readJpegDimensions(bytes) {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8)
        return undefined;
    let offset = 2;
    while (offset < bytes.length) {
        if (bytes[offset] !== 0xff)
            return undefined;
        while (bytes[offset] === 0xff)
            offset++; // fill bytes
        const marker = bytes[offset];
        offset++;
        if (marker === undefined)
            return undefined;
        if (isStandalone(marker)) {
            if (marker === 0xd9)
                return undefined; // end of image without a frame
            continue;
        }
        if (offset + 2 > bytes.length)
            return undefined;
        const segmentLength = ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
        if (segmentLength < 2 || offset + segmentLength > bytes.length)
            return undefined;
        if (isStartOfFrame(marker)) {
            if (segmentLength < 7)
                return undefined;
            const height = ((bytes[offset + 3] ?? 0) << 8) | (bytes[offset + 4] ?? 0);
            const width = ((bytes[offset + 5] ?? 0) << 8) | (bytes[offset + 6] ?? 0);
            return width > 0 && height > 0 ? { width, height } : undefined;
        }
        if (marker === 0xda)
            return undefined; // start of scan before any frame header
        offset += segmentLength;
    }
    return undefined;
}

// The sample directory the emulator starts with: a school district in contoso.edu with
// staff (UPN = mail) and students (UPN sNNNNN@students.contoso.edu, employeeId = NNNNN).
// The ids are fixed so manifests may key users by object id and stay valid across runs.
const DEFAULT_USERS = Object.freeze([
    staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01', 'ada.lovelace', 'Ada', 'Lovelace', 'Mathematics Teacher', 'E1001'),
    staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e02', 'grace.hopper', 'Grace', 'Hopper', 'Computer Science Teacher', 'E1002'),
    staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e03', 'alan.turing', 'Alan', 'Turing', 'Principal', 'E1003'),
    staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e04', 'katherine.johnson', 'Katherine', 'Johnson', 'Physics Teacher', 'E1004'),
    staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e05', 'margaret.hamilton', 'Margaret', 'Hamilton', 'IT Administrator', 'E1005'),
    staff('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e06', 'edsger.dijkstra', 'Edsger', 'Dijkstra', 'Librarian', 'E1006'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', 10023, 'Maya', 'Patel'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a02', 10024, 'Liam', "O'Brien"),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a03', 10025, 'Sofia', 'Garcia'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a04', 10026, 'Noah', 'Kim'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a05', 10027, 'Amara', 'Okafor'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a06', 10028, 'Lucas', 'Müller'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a07', 10029, 'Aiko', 'Tanaka'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a08', 10030, 'Mateo', 'Rossi'),
    student('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a09', 10031, 'Zara', 'Ahmed'),
]);
/** "Staff" holds the six staff, "Students" the nine students, "Grade 9" the first four students, "Class 9B" (a Microsoft 365 group, class-9b@contoso.edu) the next four. */
const DEFAULT_GROUPS = Object.freeze([
    { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f01', displayName: 'Staff', members: DEFAULT_USERS.filter((u) => u.jobTitle !== 'Student').map((u) => u.userPrincipalName) },
    { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f02', displayName: 'Students', members: DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').map((u) => u.userPrincipalName) },
    { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f03', displayName: 'Grade 9', members: DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').slice(0, 4).map((u) => u.userPrincipalName) },
    // A class team (a Microsoft 365 group), for group photos: named by mail or mailNickname in manifests.
    { id: '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04', displayName: 'Class 9B', unified: true, mail: 'class-9b@contoso.edu', mailNickname: 'class-9b', members: DEFAULT_USERS.filter((u) => u.jobTitle === 'Student').slice(4, 8).map((u) => u.userPrincipalName) },
]);
function staff(id, alias, givenName, surname, jobTitle, employeeId) {
    const upn = `${alias}@contoso.edu`;
    return { id, userPrincipalName: upn, mail: upn, employeeId, displayName: `${givenName} ${surname}`, givenName, surname, jobTitle };
}
function student(id, studentNumber, givenName, surname) {
    const upn = `s${studentNumber}@students.contoso.edu`;
    return {
        id,
        userPrincipalName: upn,
        mail: upn,
        employeeId: String(studentNumber),
        displayName: `${givenName} ${surname}`,
        givenName,
        surname,
        jobTitle: 'Student',
    };
}
/** A stable object id for a seed user given without one (same UPN → same id on every run). */
function objectIdForUpn(userPrincipalName) {
    const hex = createHash('sha256').update(userPrincipalName.toLowerCase()).digest('hex');
    const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// The tenant's mutable state: directory users, their stored photos, the photo update policy
// and the app's grants. Everything Graph reads or writes goes through here, and the admin
// API reports from here.
function toDirectoryUser(seed) {
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
function describePhoto(bytes, width, height, contentType = 'image/jpeg') {
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
class TenantState {
    tenantId;
    clientId;
    servicePrincipalId;
    appPermissions;
    directoryRoles;
    policy;
    /** How Entra issues access tokens from now on (tokens already issued stay valid). */
    accessTokenFormat;
    /** How GET /users/{id}/photo answers for a user without a photo. */
    noPhotoMetadata;
    /** Whether app-only tokens may write group photos. */
    groupPhotoAppOnly;
    #init;
    #users = [];
    #usersById = new Map();
    #usersByUpn = new Map();
    #photos = new Map();
    /** Deleted users, as /directory/deletedItems lists them. */
    #deleted = [];
    groups;
    constructor(init) {
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
                if (!user)
                    throw new Error(`Group "${group.displayName}" lists ${member}, who is not a seeded user.`);
                return user.id;
            }),
        }));
    }
    findGroup(id) {
        return this.groups.find((group) => group.id === id.toLowerCase());
    }
    /** A user by object id or userPrincipalName (both case-insensitive), as /users/{id | upn} resolves. */
    findUser(idOrUpn) {
        const key = idOrUpn.toLowerCase();
        return this.#usersById.get(key) ?? this.#usersByUpn.get(key);
    }
    /** A user by id, UPN or mail: how the admin API and fault rules name users. */
    findUserLoosely(key) {
        const lower = key.toLowerCase();
        return this.findUser(key) ?? this.#users.find((user) => user.mail?.toLowerCase() === lower);
    }
    get users() {
        return this.#users;
    }
    /** Creates a user at run time (an account created after the manifest named it). */
    addUser(seed) {
        return this.#add(toDirectoryUser(seed), false);
    }
    /** Adds a user to the list and both indexes; refuses a second user with the same id or userPrincipalName. */
    #add(user, seeded) {
        const upnKey = user.userPrincipalName.toLowerCase();
        if (this.#usersById.has(user.id))
            throw new Error(seeded ? `Duplicate user id in seed: ${user.id}` : `A user with id ${user.id} exists already.`);
        if (this.#usersByUpn.has(upnKey))
            throw new Error(seeded ? `Duplicate userPrincipalName in seed: ${user.userPrincipalName}` : `A user ${user.userPrincipalName} exists already.`);
        this.#users.push(user);
        this.#usersById.set(user.id, user);
        this.#usersByUpn.set(upnKey, user);
        return user;
    }
    /** The seeded users, fresh (the constructor, and reset after users were added or removed). */
    #addSeededUsers() {
        for (const seed of this.#init.users)
            this.#add(toDirectoryUser(seed), true);
    }
    /**
     * Deletes a user with its photo, as Entra soft-deletes one: gone from /users, listed under
     * /directory/deletedItems for 30 days with its userPrincipalName prefixed by its object id.
     */
    removeUser(user) {
        this.#deleted.push({ ...user, userPrincipalName: `${user.id.replace(/-/g, '')}${user.userPrincipalName}`, deletedDateTime: new Date().toISOString() });
        const index = this.#users.indexOf(user);
        if (index >= 0)
            this.#users.splice(index, 1);
        this.#usersById.delete(user.id);
        this.#usersByUpn.delete(user.userPrincipalName.toLowerCase());
        this.#photos.delete(user.id);
    }
    get deletedUsers() {
        return this.#deleted;
    }
    /** Enables or disables sign-in for a user. */
    setAccountEnabled(user, enabled) {
        user.accountEnabled = enabled;
    }
    getPhoto(userId) {
        return this.#photos.get(userId);
    }
    setPhoto(userId, photo) {
        this.#photos.set(userId, photo);
    }
    deletePhoto(userId) {
        return this.#photos.delete(userId);
    }
    /** Back to the initial state: no photos, the seeded users, the initial policy, grants and behaviours. */
    reset() {
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
    snapshot() {
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
    #photoSummary(id) {
        const photo = this.#photos.get(id);
        if (!photo)
            return null;
        const { bytes, ...metadata } = photo;
        return { ...metadata, byteLength: bytes.length };
    }
}
function clonePolicy(policy) {
    return { source: policy.source, allowedRoles: [...policy.allowedRoles] };
}

/** Application permissions that satisfy each operation (least privileged first). */
const PERMISSIONS = Object.freeze({
    readUsers: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    readPhotos: ['ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    writePhotos: ['ProfilePhoto.ReadWrite.All', 'User.ReadWrite.All'],
    readGroupMembers: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    readPeopleSettings: ['PeopleSettings.Read.All', 'PeopleSettings.ReadWrite.All'],
    writePeopleSettings: ['PeopleSettings.ReadWrite.All'],
    readServicePrincipals: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    readRoleAssignments: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'],
});
/**
 * Directory roles a signed-in admin needs on top of the delegated permission (a delegated call can
 * do only what both the scope and the user's roles allow). Writing another user's photo: the roles
 * Microsoft lists for photo updates; photoUpdateSettings: People Administrator (least privileged,
 * per photoupdatesettings-get/-update) or Global Administrator; reading it also Global Reader.
 */
const DELEGATED_ROLES = Object.freeze({
    writePhotos: [
        '62e90394-69f5-4237-9190-012177145e10', // Global Administrator
        'fe930be7-5e62-47db-91af-98c3a49a38b1', // User Administrator
        '024906de-61e5-49c8-8572-40335f1e0e10', // People Administrator
        '9360feb5-f418-4baa-8175-e2a00bac4301', // Directory Writers
        '3a2c62db-5318-420d-8d74-23affee5d9d5', // Intune Administrator
        '4ba39ca4-527c-499a-b93d-d9b492c50246', // Partner Tier1 Support
        'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8', // Partner Tier2 Support
    ],
    writePeopleSettings: ['024906de-61e5-49c8-8572-40335f1e0e10', '62e90394-69f5-4237-9190-012177145e10'],
    readPeopleSettings: ['024906de-61e5-49c8-8572-40335f1e0e10', '62e90394-69f5-4237-9190-012177145e10', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'],
});
/** True for an app token; for a delegated one, whether the signed-in user holds one of `roles` (or acts on itself). */
function userMay(identity, roles, targetUserId) {
    if (!identity.user)
        return true;
    if (targetUserId !== undefined && targetUserId === identity.user.id)
        return true;
    return identity.user.directoryRoles.some((role) => roles.includes(role));
}
function hasAnyRole(identity, accepted) {
    return identity.roles.some((role) => accepted.includes(role));
}
/** Graph's JSON content type for OData responses. */
const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

// Error bodies in the shapes the real services send. Graph:
//   {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}
// Entra token endpoint (AADSTS):
//   {"error","error_description","error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"}
function graphError(call, status, code, message, headers = {}) {
    return {
        status,
        headers,
        errorCode: code,
        json: {
            error: {
                code,
                message,
                innerError: {
                    date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
                    'request-id': call.requestId,
                    'client-request-id': call.headers['client-request-id'] ?? call.requestId,
                },
            },
        },
    };
}
const insufficientPrivileges = (call) => graphError(call, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
const resourceNotFound = (call, key) => graphError(call, 404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
const unsupportedQuery = (call, detail = 'Unsupported Query.') => graphError(call, 400, 'Request_UnsupportedQuery', detail);
const badRequest = (call, message, code = 'BadRequest') => graphError(call, 400, code, message);
const noRoute = (call) => graphError(call, 400, 'BadRequest', `Resource not found for the segment '${firstSegment(call.path)}'.`);
const methodNotAllowed = (call) => graphError(call, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
function firstSegment(path) {
    return decodeURIComponent(path.split('/').filter(Boolean)[0] ?? '');
}
/** An Entra ID token endpoint error: "AADSTSnnnn: message" plus trace lines, as Entra words it. */
function aadstsError(status, error, code, message, correlationId) {
    const traceId = randomUUID();
    const correlation = correlationId ?? randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
    return {
        status,
        body: {
            error,
            error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
            error_codes: [code],
            timestamp,
            trace_id: traceId,
            correlation_id: correlation,
            error_uri: `https://login.microsoftonline.com/error?code=${code}`,
        },
    };
}

function representation(context, call, policy) {
    return {
        '@odata.context': `${context.graphUrl}/${call.version}/$metadata#admin/people/photoUpdateSettings/$entity`,
        source: policy.source,
        allowedRoles: [...policy.allowedRoles],
    };
}
function getPhotoUpdateSettings(context, call, identity) {
    if (!hasAnyRole(identity, PERMISSIONS.readPeopleSettings) || !userMay(identity, DELEGATED_ROLES.readPeopleSettings))
        return insufficientPrivileges(call);
    return { status: 200, json: representation(context, call, context.state.policy) };
}
function updatePhotoUpdateSettings(context, call, identity) {
    if (!hasAnyRole(identity, PERMISSIONS.writePeopleSettings) || !userMay(identity, DELEGATED_ROLES.writePeopleSettings))
        return insufficientPrivileges(call);
    let patch;
    try {
        patch = JSON.parse(call.body.toString('utf8'));
    }
    catch {
        return badRequest(call, 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
        return badRequest(call, 'The request body must be a JSON object.');
    const next = { ...context.state.policy, allowedRoles: [...context.state.policy.allowedRoles] };
    for (const [name, value] of Object.entries(patch)) {
        if (name === '@odata.type' || name === 'id')
            continue;
        if (name === 'source') {
            if (value !== 'cloud' && value !== 'onPremises') {
                return badRequest(call, `Invalid value '${value === null ? 'null' : String(value)}' for property 'source'. Expected 'cloud' or 'onPremises'.`);
            }
            next.source = value;
        }
        else if (name === 'allowedRoles') {
            if (!Array.isArray(value) || !value.every((role) => typeof role === 'string' && isGuid(role))) {
                return badRequest(call, "Property 'allowedRoles' must be a collection of directory role template ids (GUIDs).");
            }
            next.allowedRoles = value.map((role) => role.toLowerCase());
        }
        else {
            return badRequest(call, `The property '${name}' does not exist on type 'microsoft.graph.photoUpdateSettings'.`, 'Request_BadRequest');
        }
    }
    context.state.policy = next;
    return { status: 200, json: representation(context, call, next) };
}
/** Why the tenant's policy refuses a cloud photo write by this app, or undefined when it allows it. */
function photoWriteRefusal(state, call, identity) {
    const { policy } = state;
    if (policy.source === 'onPremises') {
        return graphError(call, 403, 'ForbiddenByAdminEditPolicy', 'Photo updates in the cloud are disabled by the photoUpdateSettings of this tenant (source: onPremises).');
    }
    if (policy.allowedRoles.length > 0) {
        // The caller's roles: the signed-in user's for a delegated token, the app's service principal's otherwise.
        const held = new Set((identity?.user ? identity.user.directoryRoles : state.directoryRoles).map((role) => role.toLowerCase()));
        if (!policy.allowedRoles.some((role) => held.has(role.toLowerCase()))) {
            return graphError(call, 403, 'ForbiddenByAdminEditPolicy', 'The caller does not hold any of the roles allowed to edit photos by the photoUpdateSettings of this tenant.');
        }
    }
    return undefined;
}

// A user's profile photo: PUT|PATCH|DELETE /users/{id | upn}/photo/$value,
// GET /users/{..}/photo (metadata of the largest size), GET /users/{..}/photo/$value,
// GET /users/{..}/photos and /photos/{size}. Entra keeps the uploaded size and derives the
// HD sizes (48 ... 648) no larger than it; the emulator stores the upload only.
// A user without a photo: GET …/photo answers the documented 1x1 image/gif placeholder (or, with
// noPhotoMetadata 'notFound', 404 ImageNotFound as some tenants do); GET …/photo/$value and
// DELETE answer 404 ImageNotFound.
/** "The size of the photo you can update to is limited to 4 MB" (Update profilePhoto). Read as MiB. */
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
/** Smallest HD size; Graph answers ValidationWidthTooSmall for tiny images but documents no minimum. */
const MIN_PHOTO_EDGE = 48;
const HD_SIZES = [48, 64, 96, 120, 240, 360, 432, 504, 648];
const ACCEPTED_CONTENT_TYPES = ['image/jpeg', 'image/jpg'];
const imageNotFound = (call) => graphError(call, 404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");
function metadata(context, call, user, width, height, etag) {
    return photoMetadata(context, call, `users('${user.id}')`, width, height, etag);
}
/** A stored JPEG photo's metadata; `owner` is its owner as the @odata.context names it, e.g. groups('{id}'). */
function photoMetadata(context, call, owner, width, height, etag) {
    return {
        '@odata.context': `${context.graphUrl}/${call.version}/$metadata#${owner}/photo/$entity`,
        '@odata.mediaContentType': 'image/jpeg',
        '@odata.mediaEtag': etag,
        id: `${width}x${height}`,
        width,
        height,
    };
}
function lookup$1(context, call, identity, key, permissions) {
    if (!hasAnyRole(identity, permissions))
        return { result: insufficientPrivileges(call) };
    const user = context.state.findUser(key);
    return user ? { user } : { result: resourceNotFound(call, key) };
}
/**
 * "The following response data shows the contents of a response when a photo hasn't already been
 * uploaded for the user" (learn.microsoft.com/graph/api/profilephoto-get, example 3).
 */
function placeholder(context, call, user) {
    return {
        '@odata.context': `${context.graphUrl}/${call.version}/$metadata#users('${user.id}')/photo/$entity`,
        '@odata.mediaContentType': 'image/gif',
        '@odata.mediaEtag': '',
        id: '1x1',
        width: 1,
        height: 1,
    };
}
function getPhotoMetadata(context, call, identity, key) {
    const found = lookup$1(context, call, identity, key, PERMISSIONS.readPhotos);
    if ('result' in found)
        return found.result;
    const photo = context.state.getPhoto(found.user.id);
    if (!photo && context.state.noPhotoMetadata === 'placeholder')
        return { status: 200, userId: found.user.id, json: placeholder(context, call, found.user) };
    if (!photo)
        return { ...imageNotFound(call), userId: found.user.id };
    return { status: 200, userId: found.user.id, json: metadata(context, call, found.user, photo.width, photo.height, photo.mediaEtag) };
}
function getPhotoValue(context, call, identity, key) {
    const found = lookup$1(context, call, identity, key, PERMISSIONS.readPhotos);
    if ('result' in found)
        return found.result;
    const photo = context.state.getPhoto(found.user.id);
    if (!photo)
        return { ...imageNotFound(call), userId: found.user.id };
    return { status: 200, userId: found.user.id, bytes: photo.bytes, headers: { 'Content-Type': photo.contentType, ETag: photo.mediaEtag } };
}
/** The HD sizes available for a stored photo: those no larger than it (plus its own size). */
function availableSizes(width, height) {
    const edge = Math.min(width, height);
    const sizes = HD_SIZES.filter((size) => size <= edge).map((size) => ({ width: size, height: size }));
    if (!HD_SIZES.some((size) => size === width && size === height))
        sizes.push({ width, height });
    return sizes;
}
function listPhotoSizes(context, call, identity, key) {
    const found = lookup$1(context, call, identity, key, PERMISSIONS.readPhotos);
    if ('result' in found)
        return found.result;
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
function getPhotoSize(context, call, identity, key, size, wantsValue) {
    const found = lookup$1(context, call, identity, key, PERMISSIONS.readPhotos);
    if ('result' in found)
        return found.result;
    const photo = context.state.getPhoto(found.user.id);
    const wanted = /^(\d+)x(\d+)$/i.exec(size);
    const match = photo && wanted
        ? availableSizes(photo.width, photo.height).find((available) => available.width === Number(wanted[1]) && available.height === Number(wanted[2]))
        : undefined;
    if (!photo || !match)
        return { ...imageNotFound(call), userId: found.user.id };
    if (wantsValue)
        return { status: 200, userId: found.user.id, bytes: photo.bytes, headers: { 'Content-Type': photo.contentType } };
    return { status: 200, userId: found.user.id, json: metadata(context, call, found.user, match.width, match.height, photo.mediaEtag) };
}
function putPhoto(context, call, identity, key) {
    const found = lookup$1(context, call, identity, key, PERMISSIONS.writePhotos);
    if ('result' in found)
        return found.result;
    const userId = found.user.id;
    if (!userMay(identity, DELEGATED_ROLES.writePhotos, userId))
        return { ...insufficientPrivileges(call), userId };
    const refusal = photoWriteRefusal(context.state, call, identity);
    if (refusal)
        return { ...refusal, userId };
    const upload = readPhotoUpload(call);
    if ('result' in upload)
        return { ...upload.result, userId };
    context.state.setPhoto(userId, upload.photo);
    return { status: 200, userId };
}
/**
 * The body of a profile photo upload (a user's or a group's), checked as Graph checks it: at most
 * 4 MB, image/jpeg, a readable JPEG, no edge under MIN_PHOTO_EDGE (ValidationWidthTooSmall).
 */
function readPhotoUpload(call) {
    if (call.body.length > MAX_PHOTO_BYTES) {
        return { result: graphError(call, 413, 'RequestEntityTooLarge', `The photo is ${call.body.length} bytes; the limit is 4 MB (${MAX_PHOTO_BYTES} bytes).`) };
    }
    const contentType = (call.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!ACCEPTED_CONTENT_TYPES.includes(contentType)) {
        return { result: graphError(call, 415, 'UnsupportedMediaType', `Content-Type '${contentType || '(none)'}' is not supported for a profile photo; send image/jpeg.`) };
    }
    const dimensions = readJpegDimensions(call.body);
    if (!dimensions)
        return { result: graphError(call, 400, 'ImageInvalid', 'The request body is not a readable JPEG image.') };
    if (dimensions.width < MIN_PHOTO_EDGE || dimensions.height < MIN_PHOTO_EDGE) {
        return { result: graphError(call, 400, 'ValidationWidthTooSmall', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ProfileBadRequestException' was thrown.") };
    }
    return { photo: describePhoto(Buffer.from(call.body), dimensions.width, dimensions.height) };
}
function deletePhoto(context, call, identity, key) {
    const found = lookup$1(context, call, identity, key, PERMISSIONS.writePhotos);
    if ('result' in found)
        return found.result;
    const userId = found.user.id;
    if (!userMay(identity, DELEGATED_ROLES.writePhotos, userId))
        return { ...insufficientPrivileges(call), userId };
    const refusal = photoWriteRefusal(context.state, call, identity);
    if (refusal)
        return { ...refusal, userId };
    if (!context.state.deletePhoto(userId))
        return { ...imageNotFound(call), userId };
    return { status: 204, userId };
}

/**
 * Reads a request body up to `limit` bytes. Past the limit the rest is drained without being
 * kept, so the caller can still answer (413) on a healthy connection.
 */
function readBody(request, limit) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let kept = 0;
        let received = 0;
        request.on('data', (chunk) => {
            received += chunk.length;
            if (kept + chunk.length <= limit) {
                chunks.push(chunk);
                kept += chunk.length;
            }
        });
        request.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: received > limit, receivedBytes: received }));
        request.on('error', reject);
    });
}
function sendJson(response, status, body, headers = {}) {
    const payload = Buffer.from(JSON.stringify(body));
    response.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(payload.length),
        'Cache-Control': 'no-store',
        ...headers,
    });
    response.end(payload);
}
/** Lower-cased single-valued headers. */
function flatHeaders(request) {
    const headers = {};
    for (const [name, value] of Object.entries(request.headers)) {
        if (value === undefined)
            continue;
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return headers;
}
function parseFormBody(body) {
    return new URLSearchParams(body.toString('utf8'));
}

// RS256 JSON Web Tokens and JWKs with node:crypto only. Both token issuers in the emulator
// (GitHub's OIDC service and Entra ID) sign with their own key, and each verifier only
// trusts the key set of the issuer it expects, as the real services do.
async function createSigningKey() {
    const { privateKey, publicKey } = await new Promise((resolve, reject) => generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKeyObject, privateKeyObject) => error ? reject(error) : resolve({ privateKey: privateKeyObject, publicKey: publicKeyObject })));
    const kid = randomUUID().replaceAll('-', '').toUpperCase();
    const jwk = publicKey.export({ format: 'jwk' });
    return { kid, privateKey, publicKey, publicJwk: { ...jwk, kty: 'RSA', kid, use: 'sig', alg: 'RS256' } };
}
const base64url = (data) => Buffer.from(data).toString('base64url');
function signJwt(payload, key, extraHeader = {}) {
    const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, ...extraHeader };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
    return `${signingInput}.${base64url(signature)}`;
}
/** Parses a compact JWS without trusting it; undefined when it is not a well-formed JWT. */
function decodeJwt(token) {
    const parts = token.split('.');
    if (parts.length !== 3)
        return undefined;
    const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
    try {
        const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
        const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
        if (!isRecord(header) || !isRecord(payload))
            return undefined;
        return {
            header,
            payload,
            signingInput: `${headerPart}.${payloadPart}`,
            signature: Buffer.from(signaturePart, 'base64url'),
        };
    }
    catch {
        return undefined;
    }
}
/** True when the token is RS256 and signed by one of the keys (matched by kid when present). */
function verifyJwtSignature(decoded, keys) {
    if (decoded.header['alg'] !== 'RS256')
        return false;
    const kid = decoded.header['kid'];
    const candidates = typeof kid === 'string' ? keys.filter((key) => key['kid'] === kid) : keys;
    return candidates.some((jwk) => {
        try {
            const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
            return verify('sha256', Buffer.from(decoded.signingInput), publicKey, decoded.signature);
        }
        catch {
            return false;
        }
    });
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const nowInSeconds = () => Math.floor(Date.now() / 1000);

const DEFAULT_TENANT_ID = '8c5b2b3e-1f0a-4d7c-9b6e-2a4f1e3d5c70';
const DEFAULT_CLIENT_ID = '3f9a6c2d-7e41-4b58-a0d3-6c2e9f1b4a87';
const DEFAULT_SERVICE_PRINCIPAL_ID = 'b7e4d1a2-5c3f-4e69-8a0b-9d2c7f6e1a35';
const DEFAULT_REPOSITORY = 'contoso/photos';
/** GitHub's audience for Entra workload identity federation. */
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const DEFAULT_APP_PERMISSIONS = Object.freeze([
    'ProfilePhoto.ReadWrite.All',
    'PeopleSettings.ReadWrite.All',
    'RoleManagement.Read.Directory',
    'User.Read.All',
]);
/**
 * Directory roles the emulated tenant knows by name (for role assignments it reports). Kept apart
 * from the client's table (src/manifest/roles.ts) on purpose: the emulator plays the service, so a
 * client that misreads the role list is not confirmed by an emulator that imports its reading.
 */
const PHOTO_ROLE_TEMPLATE_IDS = Object.freeze({
    globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
    userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    peopleAdministrator: '024906de-61e5-49c8-8572-40335f1e0e10',
    directoryWriters: '9360feb5-f418-4baa-8175-e2a00bac4301',
    intuneAdministrator: '3a2c62db-5318-420d-8d74-23affee5d9d5',
    partnerTier1Support: '4ba39ca4-527c-499a-b93d-d9b492c50246',
    partnerTier2Support: 'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8',
});
const ROLE_DISPLAY_NAMES = Object.freeze({
    [PHOTO_ROLE_TEMPLATE_IDS.globalAdministrator]: 'Global Administrator',
    [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator]: 'User Administrator',
    [PHOTO_ROLE_TEMPLATE_IDS.peopleAdministrator]: 'People Administrator',
    [PHOTO_ROLE_TEMPLATE_IDS.directoryWriters]: 'Directory Writers',
    [PHOTO_ROLE_TEMPLATE_IDS.intuneAdministrator]: 'Intune Administrator',
    [PHOTO_ROLE_TEMPLATE_IDS.partnerTier1Support]: 'Partner Tier1 Support',
    [PHOTO_ROLE_TEMPLATE_IDS.partnerTier2Support]: 'Partner Tier2 Support',
});
const DEFAULT_WORKFLOW_CONTEXT = Object.freeze({
    kind: 'push',
    repository: DEFAULT_REPOSITORY,
    ref: 'refs/heads/main',
    environment: 'production',
});
/** Graph's identity write limit: about 3,000 writes per 150 s per app+tenant. */
const DEFAULT_THROTTLE = Object.freeze({
    burst: 3000,
    refillPerSecond: 20,
    countRejected: true,
    maxConcurrent: 0,
    appliesTo: 'writes',
});

/** Arrivals this close after their reserved time still claim it (timer and clock jitter). */
const RESERVATION_TOLERANCE_MS = 2;
/** Unclaimed reservations are dropped after this: the quota they held is simply lost. */
const RESERVATION_EXPIRY_MS = 60_000;
const THROTTLE_SHAPES = Object.freeze(['token-bucket', 'fixed-window', 'mailbox', 'storm']);
const limitReason = (config) => (config.appliesTo === 'writes' ? 'WriteLimitExceeded' : 'ResourceUnitLimitExceeded');
/**
 * Token bucket (documented for the identity limits: "a token bucket algorithm"; its burst and rate
 * here are parameters). With `countRejected`, a refused request still takes a token (the bucket
 * goes into debt) and its Retry-After is the moment that token is paid back: the slot is reserved,
 * and whoever comes back at (or after) that time claims it. A client that honours Retry-After
 * therefore gets through; one that retries early only digs the hole deeper ("all requests accrue
 * against your usage limits", learn.microsoft.com/graph/throttling).
 * Without `countRejected`, a refusal costs nothing and reserves nothing, and its Retry-After is
 * the time until the next whole token.
 */
class BucketShape {
    #config;
    #tokens;
    #updatedAt;
    /** Times (ms, ascending) at which reserved tokens become claimable. */
    #reservations = [];
    constructor(config, now) {
        this.#config = config;
        this.#tokens = config.burst;
        this.#updatedAt = now;
    }
    #refill(now) {
        const elapsedSeconds = (now - this.#updatedAt) / 1000;
        this.#updatedAt = now;
        this.#tokens = Math.min(this.#config.burst, this.#tokens + elapsedSeconds * this.#config.refillPerSecond);
        while (this.#reservations.length > 0 && (this.#reservations[0] ?? 0) + RESERVATION_EXPIRY_MS < now)
            this.#reservations.shift();
    }
    take(now) {
        this.#refill(now);
        const { refillPerSecond, countRejected } = this.#config;
        const firstReservation = this.#reservations[0];
        if (firstReservation !== undefined && firstReservation <= now + RESERVATION_TOLERANCE_MS) {
            this.#reservations.shift(); // its token was taken when the reservation was made
            return { allowed: true, usage: this.usage(now) };
        }
        if (this.#tokens >= 1) {
            this.#tokens -= 1;
            return { allowed: true, usage: this.usage(now) };
        }
        const retryAfterSeconds = refillPerSecond > 0 ? (1 - this.#tokens) / refillPerSecond : 60;
        if (countRejected && refillPerSecond > 0) {
            this.#tokens -= 1;
            this.#reservations.push(now + retryAfterSeconds * 1000);
        }
        return { allowed: false, retryAfterSeconds, reason: limitReason(this.#config) };
    }
    /** 0 when full, 1 when empty, more when in debt (reported up to 1.8 like Graph). */
    usage(now) {
        this.#refill(now);
        return Math.min(1.8, (this.#config.burst - this.#tokens) / Math.max(1, this.#config.burst));
    }
}
/**
 * Fixed window: `windowRequests` per `windowSeconds`, windows back to back from the first request
 * after (re)configuration; a refusal's Retry-After is the rest of the window. Our stress shape:
 * Outlook's "10,000 API requests in a 10 minute period" per mailbox reads like a window, but its
 * kind (fixed or sliding) is not documented, and no such limit is documented across mailboxes.
 * Refused requests are counted (the counter goes past the limit), which changes nothing: the
 * counter starts from zero at the next window either way.
 */
class WindowShape {
    #config;
    #limit;
    #windowMs;
    #start;
    #index = -1;
    #count = 0;
    constructor(config) {
        this.#config = config;
        this.#limit = config.windowRequests ?? 100;
        this.#windowMs = (config.windowSeconds ?? 1) * 1000;
    }
    #roll(now) {
        this.#start ??= now;
        const index = Math.floor((now - this.#start) / this.#windowMs);
        if (index !== this.#index) {
            this.#index = index;
            this.#count = 0;
        }
        return this.#start + (index + 1) * this.#windowMs;
    }
    take(now) {
        const windowEnd = this.#roll(now);
        this.#count++;
        if (this.#count <= this.#limit)
            return { allowed: true, usage: this.#count / this.#limit };
        return { allowed: false, retryAfterSeconds: Math.max(0.001, (windowEnd - now) / 1000), reason: limitReason(this.#config) };
    }
    usage(now) {
        if (this.#start === undefined)
            return 0;
        this.#roll(now);
        return Math.min(1.8, this.#count / this.#limit);
    }
}
/**
 * Per-mailbox concurrency (documented: Outlook allows an app 4 concurrent requests per mailbox,
 * "throttling-limits", Outlook service limits; its 429 says "Application is over its
 * MailboxConcurrency limit") on top of a token bucket across all mailboxes (ours: Microsoft
 * documents no cross-mailbox photo limit, but some ceiling exists). A request counts as in flight
 * at its mailbox for `mailboxHoldMs` after it is admitted (the emulator decides after the
 * latency it adds, so "in flight" is modelled, not observed). A request refused for concurrency
 * does not take a token from the bucket (our choice); its Retry-After is the time until a slot
 * frees. Needs the target user: without it only the bucket applies.
 */
class MailboxShape {
    #bucket;
    #limit;
    #holdMs;
    #admitted = new Map();
    constructor(config, now) {
        this.#bucket = new BucketShape(config, now);
        this.#limit = config.mailboxConcurrent ?? 4;
        this.#holdMs = config.mailboxHoldMs ?? 100;
    }
    take(now, target) {
        const userId = target?.userId;
        let times;
        if (userId !== undefined && this.#limit > 0) {
            times = (this.#admitted.get(userId) ?? []).filter((at) => at + this.#holdMs > now);
            if (times.length >= this.#limit) {
                this.#admitted.set(userId, times);
                const freeAt = Math.min(...times) + this.#holdMs;
                return { allowed: false, retryAfterSeconds: Math.max(0.001, (freeAt - now) / 1000), reason: 'MailboxConcurrency' };
            }
        }
        const decision = this.#bucket.take(now);
        if (decision.allowed && userId !== undefined && times) {
            times.push(now);
            this.#admitted.set(userId, times);
        }
        if (this.#admitted.size > 10_000) {
            for (const [key, list] of this.#admitted)
                if (!list.some((at) => at + this.#holdMs > now))
                    this.#admitted.delete(key);
        }
        return decision;
    }
    usage(now) {
        return this.#bucket.usage(now);
    }
}
/**
 * A 429 storm (our stress shape; Graph documents that 429s can come "even when the limits are not
 * reached, in situations when the services are under an important load"): every request is refused
 * for `stormSeconds` from the first request after (re)configuration, each with the same
 * Retry-After (the service does not know when it will recover), then nothing is limited. Refused
 * requests do not count against anything: the storm lasts its time whatever the client does.
 */
class StormShape {
    #stormMs;
    #retryAfterSeconds;
    #start;
    constructor(config) {
        this.#stormMs = (config.stormSeconds ?? 3) * 1000;
        this.#retryAfterSeconds = config.stormRetryAfterSeconds ?? 1;
    }
    take(now) {
        this.#start ??= now;
        if (now < this.#start + this.#stormMs)
            return { allowed: false, retryAfterSeconds: this.#retryAfterSeconds, reason: 'CPULimitExceeded' };
        return { allowed: true, usage: 0 };
    }
    usage() {
        return 0;
    }
}
function checkConfig(config) {
    const shape = config.shape ?? 'token-bucket';
    if (!THROTTLE_SHAPES.includes(shape))
        throw new Error(`Unknown throttle shape '${String(shape)}' (one of ${THROTTLE_SHAPES.join(', ')}).`);
    const positive = (name, min = 0) => {
        const value = config[name];
        if (value !== undefined && !(typeof value === 'number' && value > min - Number.EPSILON && Number.isFinite(value))) {
            throw new Error(`throttle.${name} must be a number >= ${min}.`);
        }
    };
    positive('windowRequests', 1);
    positive('windowSeconds', 0.001);
    positive('mailboxConcurrent', 0);
    positive('mailboxHoldMs', 0);
    positive('stormSeconds', 0);
    positive('stormRetryAfterSeconds', 0.001);
}
function createShape(config, now) {
    switch (config.shape ?? 'token-bucket') {
        case 'fixed-window':
            return new WindowShape(config);
        case 'mailbox':
            return new MailboxShape(config, now);
        case 'storm':
            return new StormShape(config);
        default:
            return new BucketShape(config, now);
    }
}
/**
 * The tenant's throttle, whatever its shape (the name is historical: the token bucket was the only
 * shape). `take` decides one request; `usage` feeds x-ms-throttle-limit-percentage, and is 0 when
 * the shape sends no early warning (`earlyWarning`, default only for the token bucket).
 */
class TokenBucket {
    #config;
    #shape;
    #now;
    constructor(config, now = () => performance.now()) {
        checkConfig(config);
        this.#config = config;
        this.#now = now;
        this.#shape = createShape(config, now());
    }
    get config() {
        return this.#config;
    }
    /** New limits (or a new shape) apply at once; the state starts fresh (a full bucket, a new window, a new storm). */
    reconfigure(config) {
        checkConfig(config);
        this.#config = config;
        this.#shape = createShape(config, this.#now());
    }
    /** Takes one unit of quota for a request, or says how long to wait. */
    take(target) {
        return this.#shape.take(this.#now(), target);
    }
    /** Share of the limit used, when the shape reports one (see `earlyWarning`); else 0. */
    usage() {
        const earlyWarning = this.#config.earlyWarning ?? (this.#config.shape ?? 'token-bucket') === 'token-bucket';
        return earlyWarning ? this.#shape.usage(this.#now()) : 0;
    }
}
/** Counts requests in flight so a cap on concurrency can refuse the excess at once. */
class ConcurrencyGate {
    #inFlight = 0;
    limit;
    constructor(limit) {
        this.limit = limit;
    }
    tryEnter() {
        if (this.limit > 0 && this.#inFlight >= this.limit)
            return false;
        this.#inFlight++;
        return true;
    }
    leave() {
        this.#inFlight = Math.max(0, this.#inFlight - 1);
    }
}
/** Retry-After as Graph may send it: seconds, fractional allowed (3 decimals, at least 1 ms). */
function formatRetryAfter(seconds) {
    const rounded = Math.max(0.001, Math.ceil(seconds * 1000) / 1000);
    return String(Number(rounded.toFixed(3)));
}

/** A refusal of an admin call, answered with `status` and `{ error: message }`. */
class AdminError extends Error {
    status;
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}
/** The largest admin JSON body: a config or a seed is far smaller; a bigger one is a mistake. */
const ADMIN_JSON_LIMIT = 1024 * 1024;
/** An admin call's JSON object body (empty: {}); a body over 1 MB is refused 413, anything else not a JSON object 400. */
async function readAdminJson(request) {
    const { body, tooLarge, receivedBytes } = await readBody(request, ADMIN_JSON_LIMIT);
    // Cut at the limit, the body would only look like broken JSON: say the limit instead.
    if (tooLarge)
        throw new AdminError(413, `The body is ${receivedBytes} bytes; admin JSON bodies are limited to ${ADMIN_JSON_LIMIT} bytes (1 MB).`);
    if (body.length === 0)
        return {};
    let parsed;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new AdminError(400, 'The body must be JSON.');
    }
    if (!isRecord(parsed))
        throw new AdminError(400, 'The body must be a JSON object.');
    return parsed;
}
class AdminApi {
    #deps;
    latency;
    constructor(deps) {
        this.#deps = deps;
        this.latency = deps.initial.latency;
    }
    config() {
        const { state, graph, gate, faults } = this.#deps;
        return {
            latency: this.latency,
            throttle: graph.bucket ? { ...graph.bucket.config, maxConcurrent: gate.limit } : null,
            faults: faults.rules,
            appPermissions: [...state.appPermissions],
            directoryRoles: [...state.directoryRoles],
            policy: { source: state.policy.source, allowedRoles: [...state.policy.allowedRoles] },
            accessTokenFormat: state.accessTokenFormat,
            noPhotoMetadata: state.noPhotoMetadata,
            groupPhotoAppOnly: state.groupPhotoAppOnly,
        };
    }
    applyConfig(patch) {
        const { state, faults } = this.#deps;
        if (patch.faults !== undefined) {
            if (!Array.isArray(patch.faults))
                throw new AdminError(400, 'faults must be an array of rules.');
            try {
                faults.setRules(patch.faults);
            }
            catch (error) {
                throw new AdminError(400, error instanceof Error ? error.message : String(error));
            }
        }
        if (patch.latency !== undefined) {
            if (patch.latency !== null && (typeof patch.latency.medianMs !== 'number' || typeof patch.latency.spreadMs !== 'number')) {
                throw new AdminError(400, 'latency needs numeric medianMs and spreadMs (or null).');
            }
            this.latency = patch.latency;
        }
        if (patch.throttle !== undefined)
            this.#applyThrottle(patch.throttle);
        if (patch.appPermissions !== undefined)
            state.appPermissions = stringArray(patch.appPermissions, 'appPermissions');
        if (patch.directoryRoles !== undefined)
            state.directoryRoles = stringArray(patch.directoryRoles, 'directoryRoles').map((role) => role.toLowerCase());
        if (patch.policy !== undefined) {
            const { source, allowedRoles } = patch.policy;
            if (source !== 'cloud' && source !== 'onPremises' && source !== null)
                throw new AdminError(400, "policy.source must be 'cloud', 'onPremises' or null.");
            state.policy = { source, allowedRoles: stringArray(allowedRoles ?? [], 'policy.allowedRoles').map((role) => role.toLowerCase()) };
        }
        if (patch.accessTokenFormat !== undefined) {
            if (patch.accessTokenFormat !== 'jwt' && patch.accessTokenFormat !== 'opaque')
                throw new AdminError(400, "accessTokenFormat must be 'jwt' or 'opaque'.");
            state.accessTokenFormat = patch.accessTokenFormat;
        }
        if (patch.noPhotoMetadata !== undefined) {
            if (patch.noPhotoMetadata !== 'placeholder' && patch.noPhotoMetadata !== 'notFound')
                throw new AdminError(400, "noPhotoMetadata must be 'placeholder' or 'notFound'.");
            state.noPhotoMetadata = patch.noPhotoMetadata;
        }
        if (patch.groupPhotoAppOnly !== undefined) {
            if (patch.groupPhotoAppOnly !== 'allowed' && patch.groupPhotoAppOnly !== 'refused')
                throw new AdminError(400, "groupPhotoAppOnly must be 'allowed' or 'refused'.");
            state.groupPhotoAppOnly = patch.groupPhotoAppOnly;
        }
        return this.config();
    }
    #applyThrottle(throttle) {
        const { graph, gate } = this.#deps;
        if (throttle === null || throttle === false) {
            graph.bucket = undefined;
            gate.limit = 0;
            return;
        }
        const merged = { ...(graph.bucket?.config ?? DEFAULT_THROTTLE), maxConcurrent: gate.limit, ...throttle };
        if (!(merged.burst >= 1) || !(merged.refillPerSecond >= 0) || !(merged.maxConcurrent >= 0)) {
            throw new AdminError(400, 'throttle needs burst >= 1, refillPerSecond >= 0 and maxConcurrent >= 0.');
        }
        if (graph.bucket)
            graph.bucket.reconfigure(merged);
        else
            graph.bucket = new TokenBucket(merged);
        gate.limit = merged.maxConcurrent;
    }
    /** Back to the start: no photos, initial policy, grants, behaviours, knobs and faults; empty log. */
    reset() {
        const { state, log, initial } = this.#deps;
        state.reset();
        this.#deps.alsoReset?.();
        this.#deps.entra.setBrowserSession(undefined);
        log.clear();
        this.latency = initial.latency;
        this.applyConfig({ throttle: initial.throttle ?? null, faults: [...initial.faults] });
    }
    oidcRequestEnv(context) {
        return this.#deps.github.requestEnv(context);
    }
    async handle(request, response, url) {
        try {
            await this.#route(request, response, url);
        }
        catch (error) {
            const status = error instanceof AdminError ? error.status : 500;
            sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
        }
    }
    async #route(request, response, url) {
        const { state, log, github } = this.#deps;
        const method = request.method ?? 'GET';
        const path = url.pathname.replace(/^\/_emulator/, '').replace(/\/$/, '') || '/';
        const readJson = () => readAdminJson(request);
        if (method === 'GET' && path === '/') {
            sendJson(response, 200, {
                endpoints: [
                    'GET /_emulator/state', 'GET /_emulator/requests?since=SEQ', 'DELETE /_emulator/requests',
                    'GET /_emulator/config', 'POST /_emulator/config', 'POST /_emulator/reset',
                    'POST /_emulator/oidc/token', 'POST /_emulator/oidc/request-env',
                    'POST /_emulator/delegated-token', 'GET /_emulator/devicecode', 'POST /_emulator/devicecode/approve', 'POST /_emulator/devicecode/deny',
                    'GET /_emulator/browser-sign-in', 'POST /_emulator/browser-sign-in',
                    'GET /_emulator/users/{id|upn|mail}/photo', 'PUT /_emulator/users/{id|upn|mail}/photo',
                    'POST /_emulator/users', 'PATCH /_emulator/users/{id|upn|mail}', 'DELETE /_emulator/users/{id|upn|mail}',
                ],
            });
        }
        else if (method === 'GET' && path === '/state') {
            sendJson(response, 200, state.snapshot());
        }
        else if (method === 'GET' && path === '/requests') {
            sendJson(response, 200, { requests: log.list(Number(url.searchParams.get('since') ?? 0) || 0) });
        }
        else if (method === 'DELETE' && path === '/requests') {
            log.clear();
            response.writeHead(204).end();
        }
        else if (method === 'GET' && path === '/config') {
            sendJson(response, 200, this.config());
        }
        else if (method === 'POST' && path === '/config') {
            sendJson(response, 200, this.applyConfig((await readJson())));
        }
        else if (method === 'POST' && path === '/reset') {
            this.reset();
            response.writeHead(204).end();
        }
        else if (method === 'POST' && path === '/oidc/token') {
            const body = await readJson();
            const audience = typeof body['audience'] === 'string' ? body['audience'] : undefined;
            const context = isRecord(body['context']) ? body['context'] : undefined;
            sendJson(response, 200, { value: github.issueToken(context ?? github.defaultContext, audience) });
        }
        else if (method === 'POST' && path === '/oidc/request-env') {
            const body = await readJson();
            sendJson(response, 200, github.requestEnv(isRecord(body['context']) ? body['context'] : undefined));
        }
        else if (method === 'POST' && path === '/delegated-token') {
            // What `az account get-access-token --output json` prints after `az login` as this user.
            const body = await readJson();
            const grant = delegatedGrant(body);
            // The Azure CLI signs in through its own first-party app: its tokens carry that app id.
            const clientId = typeof body['clientId'] === 'string' && body['clientId'] ? body['clientId'] : AZURE_CLI_APP_ID;
            let token;
            try {
                token = this.#deps.entra.issueDelegatedToken(grant, clientId);
            }
            catch (error) {
                throw new AdminError(404, error.message);
            }
            sendJson(response, 200, {
                accessToken: token.accessToken,
                expiresOn: localDateTime(token.expiresOn),
                expires_on: token.expiresOn,
                subscription: '00000000-0000-0000-0000-000000000000',
                tenant: state.tenantId,
                tokenType: 'Bearer',
            });
        }
        else if (method === 'GET' && path === '/devicecode') {
            sendJson(response, 200, { pending: this.#deps.entra.pendingDeviceCodes() });
        }
        else if (method === 'POST' && (path === '/devicecode/approve' || path === '/devicecode/deny')) {
            const body = await readJson();
            const userCode = typeof body['userCode'] === 'string' ? body['userCode'] : '';
            if (!userCode)
                throw new AdminError(400, 'userCode is required.');
            try {
                this.#deps.entra.decideDeviceCode(userCode, path.endsWith('/deny') ? 'deny' : delegatedGrant(body));
            }
            catch (error) {
                throw new AdminError(404, error.message);
            }
            response.writeHead(204).end();
        }
        else if (method === 'GET' && path === '/browser-sign-in') {
            sendJson(response, 200, browserSessionBody(this.#deps.entra.browserSession));
        }
        else if (method === 'POST' && path === '/browser-sign-in') {
            // Who the emulator's browser is signed in as: { user, scopes?, roles? } approves every
            // /authorize request from now on; { decline: true } cancels them (error=access_denied);
            // {} goes back to the default user.
            const body = await readJson();
            const session = body['decline'] === true ? 'decline' : Object.keys(body).length === 0 ? undefined : delegatedGrant(body);
            try {
                this.#deps.entra.setBrowserSession(session);
            }
            catch (error) {
                throw new AdminError(404, error.message);
            }
            sendJson(response, 200, browserSessionBody(this.#deps.entra.browserSession));
        }
        else if (path.startsWith('/users/') && path.endsWith('/photo')) {
            const key = decodeURIComponent(path.slice('/users/'.length, -'/photo'.length));
            const user = state.findUserLoosely(key);
            if (!user)
                throw new AdminError(404, `No user '${key}'.`);
            if (method === 'GET') {
                const photo = state.getPhoto(user.id);
                if (!photo)
                    throw new AdminError(404, `User '${key}' has no photo.`);
                response.writeHead(200, { 'Content-Type': photo.contentType, 'Content-Length': String(photo.bytes.length), ETag: photo.mediaEtag });
                response.end(photo.bytes);
            }
            else if (method === 'PUT') {
                const { body, tooLarge } = await readBody(request, MAX_PHOTO_BYTES);
                if (tooLarge)
                    throw new AdminError(413, 'Photos are limited to 4 MB.');
                const dimensions = readJpegDimensions(body);
                if (!dimensions)
                    throw new AdminError(400, 'The body must be a JPEG image.');
                state.setPhoto(user.id, describePhoto(body, dimensions.width, dimensions.height));
                response.writeHead(204).end();
            }
            else if (method === 'DELETE') {
                state.deletePhoto(user.id);
                response.writeHead(204).end();
            }
            else {
                throw new AdminError(405, 'Method not allowed.');
            }
        }
        else if (method === 'POST' && path === '/users') {
            // Creates a user (e.g. a new teacher's account, created after the manifest named them).
            const body = await readJson();
            if (typeof body['userPrincipalName'] !== 'string' || !body['userPrincipalName'])
                throw new AdminError(400, 'userPrincipalName is required.');
            try {
                sendJson(response, 201, state.addUser(body));
            }
            catch (error) {
                throw new AdminError(409, error.message);
            }
        }
        else if (path.startsWith('/users/') && path.indexOf('/', '/users/'.length) < 0 && (method === 'PATCH' || method === 'DELETE')) {
            const key = decodeURIComponent(path.slice('/users/'.length));
            const user = state.findUserLoosely(key);
            if (!user)
                throw new AdminError(404, `No user '${key}'.`);
            if (method === 'DELETE') {
                state.removeUser(user);
                response.writeHead(204).end();
            }
            else {
                const body = await readJson();
                if (typeof body['accountEnabled'] !== 'boolean')
                    throw new AdminError(400, 'accountEnabled (true or false) is the only property that can be changed.');
                state.setAccountEnabled(user, body['accountEnabled']);
                sendJson(response, 200, user);
            }
        }
        else {
            throw new AdminError(404, `No admin endpoint ${method} ${url.pathname}.`);
        }
    }
}
function stringArray(value, name) {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
        throw new AdminError(400, `${name} must be an array of strings.`);
    return [...value];
}
/** Microsoft's Azure CLI app (the client id of every `az login` token). */
const AZURE_CLI_APP_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
/** { user, scopes?, roles? } from an admin request body. */
function delegatedGrant(body) {
    if (typeof body['user'] !== 'string' || !body['user'])
        throw new AdminError(400, 'user (id, UPN or mail of the signed-in admin) is required.');
    return {
        user: body['user'],
        ...(body['scopes'] !== undefined ? { scopes: stringArray(body['scopes'], 'scopes') } : {}),
        ...(body['roles'] !== undefined ? { roles: stringArray(body['roles'], 'roles') } : {}),
    };
}
function browserSessionBody(session) {
    return session === 'decline' ? { decline: true } : { ...session };
}
/** The Azure CLI's `expiresOn`: local time, "YYYY-MM-DD HH:MM:SS.ffffff". */
function localDateTime(epochSeconds) {
    const date = new Date(epochSeconds * 1000);
    const pad = (value) => String(value).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.000000`;
}

// One HTTPS request to the admin API, trusting the emulator's CA explicitly (so it works without
// any global trust setup, in-process or against an emulator in another process).
function adminRequest(url, caCertPem, method, body, contentType = 'application/json') {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
        const outgoing = request(url, {
            method,
            ca: caCertPem,
            // A fresh connection per call: nothing lingers in an agent pool after the emulator stops.
            agent: false,
            headers: payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {},
        }, (incoming) => {
            const chunks = [];
            incoming.on('data', (chunk) => chunks.push(chunk));
            incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) }));
            incoming.on('error', reject);
        });
        outgoing.on('error', reject);
        outgoing.end(payload);
    });
}

class EmulatorAdminClient {
    adminUrl;
    #caCertPem;
    /** `adminUrl` as printed by the emulator (…/_emulator); `caCertPem` the emulator's CA. */
    constructor(adminUrl, caCertPem) {
        this.adminUrl = adminUrl.replace(/\/$/, '');
        this.#caCertPem = caCertPem;
    }
    #send(method, path, body, contentType = 'application/json') {
        return adminRequest(`${this.adminUrl}${path}`, this.#caCertPem, method, body, contentType);
    }
    async #json(method, path, body) {
        const response = await this.#send(method, path, body);
        if (response.status >= 400)
            throw new Error(`Emulator admin ${method} ${path} failed (${response.status}): ${response.body.toString('utf8')}`);
        return (response.body.length ? JSON.parse(response.body.toString('utf8')) : undefined);
    }
    /** Users with their photo's sha256/width/height/etag, the policy, the app's grants. */
    state() {
        return this.#json('GET', '/state');
    }
    async requests(sinceSeq = 0) {
        return (await this.#json('GET', `/requests?since=${sinceSeq}`)).requests;
    }
    async clearRequests() {
        await this.#json('DELETE', '/requests');
    }
    config() {
        return this.#json('GET', '/config');
    }
    /** Changes knobs at run time, e.g. { throttle: { burst: 5 }, faults: [...], accessTokenFormat: 'opaque', noPhotoMetadata: 'notFound' }. */
    setConfig(patch) {
        return this.#json('POST', '/config', patch);
    }
    /** No photos, initial policy/grants/behaviours/knobs/faults, empty request log. */
    async reset() {
        await this.#json('POST', '/reset');
    }
    /** A signed GitHub OIDC token for a workflow context (default: the emulator's `oidc` option). */
    async issueOidcToken(context, audience) {
        return (await this.#json('POST', '/oidc/token', { context, audience })).value;
    }
    /** ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN for a job whose tokens describe `context`. */
    oidcRequestEnv(context) {
        return this.#json('POST', '/oidc/request-env', { context });
    }
    /**
     * A delegated access token for a seeded user, in the JSON `az account get-access-token --output
     * json` prints (accessToken, expiresOn, expires_on, subscription, tenant, tokenType).
     */
    delegatedToken(grant) {
        return this.#json('POST', '/delegated-token', grant);
    }
    /** Device codes waiting for the user (not redeemed, not expired). */
    async pendingDeviceCodes() {
        return (await this.#json('GET', '/devicecode')).pending;
    }
    /** Approves a device code as `grant.user` would at the verification page (roles default: User Administrator). */
    async approveDeviceCode(userCode, grant) {
        await this.#json('POST', '/devicecode/approve', { userCode, ...grant });
    }
    /** Declines a device code. */
    async denyDeviceCode(userCode) {
        await this.#json('POST', '/devicecode/deny', { userCode });
    }
    /**
     * Who the emulator's browser is signed in as, for `--auth browser` (GET /authorize): a user who
     * approves (roles default: User Administrator), 'decline' (the user cancels: access_denied), or
     * undefined for the default (the sample tenant's IT administrator, margaret.hamilton@contoso.edu).
     */
    async setBrowserSignIn(session) {
        await this.#json('POST', '/browser-sign-in', session === 'decline' ? { decline: true } : (session ?? {}));
    }
    /** The browser session in force: `{ user, scopes?, roles? }` or `{ decline: true }`. */
    browserSignIn() {
        return this.#json('GET', '/browser-sign-in');
    }
    /** The stored photo bytes of a user (by id, UPN or mail), or undefined if there is none. */
    async photo(user) {
        const response = await this.#send('GET', `/users/${encodeURIComponent(user)}/photo`);
        if (response.status === 404)
            return undefined;
        if (response.status >= 400)
            throw new Error(`Emulator admin photo read failed (${response.status}): ${response.body.toString('utf8')}`);
        return response.body;
    }
    /** Removes a user's photo behind the tool's back (not logged, not throttled). */
    async deletePhoto(user) {
        const response = await this.#send('DELETE', `/users/${encodeURIComponent(user)}/photo`);
        if (response.status >= 400 && response.status !== 404)
            throw new Error(`Emulator admin photo delete failed (${response.status}): ${response.body.toString('utf8')}`);
    }
    /** Creates a user (an account created after the manifest named it). */
    addUser(seed) {
        return this.#json('POST', '/users', seed);
    }
    /** Deletes a user (by id, UPN or mail) and its photo: the user is no longer under /users. */
    async removeUser(user) {
        await this.#json('DELETE', `/users/${encodeURIComponent(user)}`);
    }
    /** Enables or disables a user's account (by id, UPN or mail). */
    setAccountEnabled(user, accountEnabled) {
        return this.#json('PATCH', `/users/${encodeURIComponent(user)}`, { accountEnabled });
    }
    /** Stores a photo as if it had been uploaded earlier (not logged, not throttled). */
    async seedPhoto(user, jpeg) {
        const response = await this.#send('PUT', `/users/${encodeURIComponent(user)}/photo`, jpeg, 'image/jpeg');
        if (response.status >= 400)
            throw new Error(`Emulator admin photo seed failed (${response.status}): ${response.body.toString('utf8')}`);
    }
}

// The OAuth 2.0 authorization code flow with PKCE, as a public client on a laptop uses it
// (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow): MSAL's
// InteractiveBrowserCredential listens on http://localhost:{random port}, opens the browser at
// GET {tenant}/oauth2/v2.0/authorize, the user signs in, Entra redirects the browser to the
// loopback listener with `code` and `state`, and the client redeems the code at the token endpoint
// (grant_type=authorization_code) with its code_verifier.
//
// The emulator has no sign-in page. Its "browser session" is already signed in (and the app
// consented), so /authorize answers at once: a redirect with a code for the session's user, or,
// when the session is set to decline, a redirect with error=access_denied (what Entra sends when
// the user cancels consent). The admin API sets the session (POST /_emulator/browser-sign-in).
// Errors Entra shows on its own page instead of redirecting (unknown app, unregistered redirect
// URI: the redirect target cannot be trusted) are a 400 page here too, and the client keeps waiting,
// as it does with Entra.
/** The app registration's redirect URIs (Mobile and desktop applications platform), as docs/setup.md registers them. */
const REGISTERED_REDIRECT_URIS = ['http://localhost'];
/** Entra's codes live "about 10 minutes" (Microsoft Q&A; RFC 6749 §4.1.2 recommends at most 10). */
const AUTHORIZATION_CODE_LIFETIME_SECONDS = 600;
const OIDC_SCOPES$1 = new Set(['openid', 'profile', 'offline_access', 'email']);
class AuthorizationCodes {
    #codes = new Map();
    #now;
    constructor(now = nowInSeconds) {
        this.#now = now;
    }
    /** GET {tenant}/oauth2/v2.0/authorize with the browser's query. */
    authorize(query, context) {
        const clientId = query.get('client_id') ?? '';
        const unknownClient = context.unknownClient(clientId);
        if (unknownClient)
            return errorPage(unknownClient);
        const redirectUri = query.get('redirect_uri') ?? '';
        if (!isRegisteredRedirect(redirectUri)) {
            return errorPage(aadstsError(400, 'invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`));
        }
        // From here on the redirect URI is trusted: errors go back to the client, as Entra sends them.
        const responseMode = query.get('response_mode') ?? 'query';
        if (!['query', 'fragment', 'form_post'].includes(responseMode)) {
            return errorPage(aadstsError(400, 'invalid_request', 900144, `The response_mode '${responseMode}' is not supported; use query, fragment or form_post.`));
        }
        const reply = (fields) => respond(redirectUri, responseMode, { ...fields, ...stateOf(query) });
        const replyError = (error) => reply({ error: String(error.body['error']), error_description: String(error.body['error_description']), error_codes: String(error.body['error_codes']) });
        const responseType = query.get('response_type') ?? '';
        if (responseType !== 'code') {
            return replyError(aadstsError(400, 'unsupported_response_type', 70005, `response_type '${responseType}' is not enabled for the application; the emulator serves the authorization code flow (response_type=code).`));
        }
        const codeChallenge = query.get('code_challenge') ?? '';
        if (!codeChallenge) {
            return replyError(aadstsError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'code_challenge'. (The emulator requires PKCE from a public client.)"));
        }
        if ((query.get('code_challenge_method') ?? 'plain') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
            return replyError(aadstsError(400, 'invalid_request', 900144, 'The emulator accepts only code_challenge_method=S256 with a 43-character base64url challenge.'));
        }
        const scope = query.get('scope') ?? '';
        const scopeError = context.checkScope(withoutOidcScopes(scope));
        if (scopeError)
            return replyError(scopeError);
        const session = context.session;
        if (session === 'decline') {
            return replyError(aadstsError(400, 'access_denied', 65004, 'User declined to consent to access the app.'));
        }
        try {
            context.checkUser(session);
        }
        catch (error) {
            return errorPage(aadstsError(400, 'invalid_request', 50034, `The user account does not exist in the directory. (${error.message} Set the browser session with POST /_emulator/browser-sign-in.)`));
        }
        this.#forgetOld();
        const code = randomBytes(48).toString('base64url');
        const nonce = query.get('nonce');
        this.#codes.set(code, {
            clientId,
            grant: session,
            scope,
            ...(nonce ? { nonce } : {}),
            redirectUri,
            codeChallenge,
            expiresAt: this.#now() + AUTHORIZATION_CODE_LIFETIME_SECONDS,
            used: false,
        });
        return reply({ code });
    }
    /** The token endpoint's grant_type=authorization_code: single use, in time, same client and redirect URI, PKCE. */
    redeem(form) {
        const issued = this.#codes.get(form.get('code') ?? '');
        if (!issued || (form.get('client_id') ?? '').toLowerCase() !== issued.clientId.toLowerCase()) {
            return { error: aadstsError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.') };
        }
        if (issued.used) {
            return { error: aadstsError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.') };
        }
        // Any attempt uses the code up: a stolen code cannot be tried with guessed verifiers.
        issued.used = true;
        if (issued.expiresAt < this.#now()) {
            return { error: aadstsError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.') };
        }
        if ((form.get('redirect_uri') ?? '') !== issued.redirectUri) {
            return { error: aadstsError(400, 'invalid_grant', 70000, 'The redirect_uri does not match the one of the authorization request.') };
        }
        const verifier = form.get('code_verifier') ?? '';
        if (!verifier)
            return { error: aadstsError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'code_verifier'.") };
        if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge) {
            return { error: aadstsError(400, 'invalid_grant', 50148, 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.') };
        }
        return { clientId: issued.clientId, grant: issued.grant, scope: issued.scope, ...(issued.nonce ? { nonce: issued.nonce } : {}) };
    }
    #forgetOld() {
        const now = this.#now();
        for (const [code, issued] of this.#codes)
            if (issued.expiresAt + 3600 < now)
                this.#codes.delete(code);
    }
}
function withoutOidcScopes(scope) {
    return scope.split(' ').filter((item) => item && !OIDC_SCOPES$1.has(item)).join(' ');
}
/**
 * A registered redirect URI, with Entra's localhost exception: http is allowed and the port is
 * ignored (a native client listens on whatever port is free). Anything else must match exactly.
 */
function isRegisteredRedirect(redirectUri) {
    let url;
    try {
        url = new URL(redirectUri);
    }
    catch {
        return false;
    }
    return REGISTERED_REDIRECT_URIS.some((registered) => {
        const expected = new URL(registered);
        if (expected.hostname === 'localhost' && url.hostname === 'localhost') {
            return url.protocol === expected.protocol && url.pathname === expected.pathname && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
        }
        return redirectUri === registered;
    });
}
function stateOf(query) {
    const state = query.get('state');
    return state === null ? {} : { state };
}
function respond(redirectUri, responseMode, fields) {
    if (responseMode === 'form_post')
        return { kind: 'form_post', action: redirectUri, fields };
    // Entra returns a redirect URI without a path with a trailing slash (http://localhost:7071/?code=…).
    const location = new URL(redirectUri);
    const parameters = new URLSearchParams(fields).toString();
    if (responseMode === 'fragment')
        location.hash = parameters;
    else
        location.search = parameters;
    return { kind: 'redirect', location: location.toString() };
}
function errorPage(error) {
    const description = String(error.body['error_description']).split('\r\n')[0] ?? '';
    return { kind: 'page', status: error.status, title: 'Sorry, but we’re having trouble signing you in.', message: description };
}

// Entra ID for one tenant: OpenID discovery, signing keys, and the v2.0 token endpoint for
// the client-credentials grant with a federated client assertion (workload identity
// federation). The assertion is checked as Entra checks it: issuer known to a federated
// credential, signature against that issuer's keys, lifetime, then an exact
// (issuer, subject, audience) match. Access tokens carry the app's Graph roles as granted
// at issuance time. They are JWTs (the v1 shape Graph tokens have today) or, with
// accessTokenFormat 'opaque', random strings whose claims only the emulator knows: Microsoft tells
// clients to treat access tokens as opaque, and this proves a client does.
//
// Delegated sign-in (an admin on a laptop): the OAuth 2.0 device authorization grant
// (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code): POST
// {tenant}/oauth2/v2.0/devicecode answers device_code, user_code, verification_uri, expires_in,
// interval and message; the token endpoint answers `authorization_pending` to
// grant_type=urn:ietf:params:oauth:grant-type:device_code until the code is approved through the
// admin API (as the user would at the verification page), then issues a delegated token: `scp`
// (delegated permissions), `wids` (the user's directory roles), the user's `oid`/`upn`, with an
// id_token and client_info for MSAL's account cache and a refresh token. The admin API also mints
// such a token directly (what `az account get-access-token` hands out).
//
// Browser sign-in: the authorization code flow with PKCE (auth-code.ts): GET
// {tenant}/oauth2/v2.0/authorize redirects to the loopback redirect URI with a code for the user of
// the emulator's browser session (set through the admin API; by default the tenant's IT
// administrator), and grant_type=authorization_code redeems it for the same delegated token.
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const DEVICE_CODE_LIFETIME_SECONDS = 900;
/** Scopes MSAL adds to every user sign-in; they are about the id token, not Graph. */
/** User Administrator: what a delegated sign-in holds unless the grant says otherwise. */
const DEFAULT_DELEGATED_ROLE = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** Who the emulator's browser is signed in as unless the admin API says otherwise: the IT administrator of the sample tenant. */
const DEFAULT_BROWSER_USER = 'margaret.hamilton@contoso.edu';
/** Graph's well-known resource: its app id and its identifier URI. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
const CLOCK_SKEW_SECONDS = 300;
class EntraId {
    #origin;
    #state;
    #key;
    #github;
    #credentials;
    /** Resource identifiers accepted in `scope`: Graph's, and the emulator's own Graph URL. */
    #graphResources;
    /** Opaque access tokens issued → their claims (the "server side" of a token with no structure). */
    #opaqueTokens = new Map();
    /** Device authorizations by device_code (what the client polls with). */
    #deviceCodes = new Map();
    /** Refresh tokens issued to delegated sessions. */
    #refreshTokens = new Map();
    /** Authorization codes issued by /authorize (browser sign-in). */
    #authorizationCodes = new AuthorizationCodes();
    /** The browser session set through the admin API; undefined: the default user approves. */
    #browserSession;
    constructor(params) {
        this.#origin = params.origin;
        this.#state = params.state;
        this.#key = params.key;
        this.#github = params.github;
        this.#credentials = params.federatedCredentials;
        this.#graphResources = new Set([GRAPH_RESOURCE, GRAPH_APP_ID, params.graphUrl]);
    }
    get accessTokenIssuer() {
        return `https://sts.windows.net/${this.#state.tenantId}/`;
    }
    #tenantUrl() {
        return `${this.#origin}/${this.#state.tenantId}`;
    }
    #openIdConfiguration() {
        const tenantUrl = this.#tenantUrl();
        return {
            token_endpoint: `${tenantUrl}/oauth2/v2.0/token`,
            token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            jwks_uri: `${tenantUrl}/discovery/v2.0/keys`,
            response_modes_supported: ['query', 'fragment', 'form_post'],
            subject_types_supported: ['pairwise'],
            id_token_signing_alg_values_supported: ['RS256'],
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
            scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
            issuer: `${tenantUrl}/v2.0`,
            request_uri_parameter_supported: false,
            userinfo_endpoint: `${this.#origin}/oidc/userinfo`,
            authorization_endpoint: `${tenantUrl}/oauth2/v2.0/authorize`,
            device_authorization_endpoint: `${tenantUrl}/oauth2/v2.0/devicecode`,
            http_logout_supported: true,
            frontchannel_logout_supported: true,
            end_session_endpoint: `${tenantUrl}/oauth2/v2.0/logout`,
            claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
            tenant_region_scope: 'NA',
            cloud_instance_name: 'microsoftonline.com',
            cloud_graph_host_name: 'graph.windows.net',
            msgraph_host: 'graph.microsoft.com',
        };
    }
    /** Serves /{tenant}/...; false when the path is not an Entra path. */
    async handle(request, response, url) {
        const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|oauth2\/v2\.0\/token|oauth2\/v2\.0\/devicecode|oauth2\/v2\.0\/authorize)$/.exec(url.pathname);
        if (!match)
            return false;
        const [, tenant = '', endpoint = ''] = match;
        if (tenant.toLowerCase() !== this.#state.tenantId.toLowerCase()) {
            const error = aadstsError(400, 'invalid_tenant', 90002, `Tenant '${decodeURIComponent(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
            sendJson(response, error.status, error.body);
            return true;
        }
        if (endpoint.endsWith('openid-configuration') && request.method === 'GET') {
            sendJson(response, 200, this.#openIdConfiguration());
        }
        else if (endpoint.includes('keys') && request.method === 'GET') {
            sendJson(response, 200, { keys: [{ ...this.#key.publicJwk, x5t: this.#key.kid, issuer: `${this.#tenantUrl()}/v2.0` }] });
        }
        else if (endpoint === 'oauth2/v2.0/token' && request.method === 'POST') {
            const { body } = await readBody(request, 1024 * 1024);
            const result = this.exchange(parseFormBody(body));
            if ('error' in result)
                sendJson(response, result.error.status, result.error.body);
            else
                sendJson(response, 200, result.token);
        }
        else if (endpoint === 'oauth2/v2.0/authorize' && request.method === 'GET') {
            sendAuthorizeOutcome(response, this.authorize(url.searchParams));
        }
        else if (endpoint === 'oauth2/v2.0/devicecode' && request.method === 'POST') {
            const { body } = await readBody(request, 1024 * 1024);
            const result = this.startDeviceAuthorization(parseFormBody(body));
            if ('error' in result)
                sendJson(response, result.error.status, result.error.body);
            else
                sendJson(response, 200, result.authorization);
        }
        else {
            sendJson(response, 405, { error: 'invalid_request', error_description: 'Method not allowed.' });
        }
        return true;
    }
    /** The token endpoint's logic, separate from HTTP so it is easy to follow and to test. */
    exchange(form) {
        this.#state.tenantId;
        const grantType = form.get('grant_type');
        // The documented value is the RFC 8628 URN; MSAL sends the short 'device_code', which Entra accepts too.
        if (grantType === DEVICE_CODE_GRANT || grantType === 'device_code')
            return this.#redeemDeviceCode(form);
        if (grantType === 'refresh_token')
            return this.#redeemRefreshToken(form);
        if (grantType === 'authorization_code')
            return this.#redeemAuthorizationCode(form);
        if (grantType !== 'client_credentials') {
            return { error: aadstsError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.') };
        }
        const clientId = form.get('client_id') ?? '';
        const unknownClient = this.#unknownClient(clientId);
        if (unknownClient)
            return { error: unknownClient };
        const scopeError = this.#checkScope(form.get('scope') ?? '');
        if (scopeError)
            return { error: scopeError };
        return this.#exchangeAssertion(form);
    }
    #unknownClient(clientId) {
        const tenantId = this.#state.tenantId;
        if (clientId.toLowerCase() !== this.#state.clientId.toLowerCase()) {
            return aadstsError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
        }
        return undefined;
    }
    #exchangeAssertion(form) {
        const assertion = form.get('client_assertion');
        if (!assertion || form.get('client_assertion_type') !== JWT_BEARER) {
            return {
                error: aadstsError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
            };
        }
        const decoded = decodeJwt(assertion);
        if (!decoded)
            return { error: aadstsError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.') };
        const { payload } = decoded;
        const issuer = typeof payload['iss'] === 'string' ? payload['iss'] : '';
        const subject = typeof payload['sub'] === 'string' ? payload['sub'] : '';
        const audiences = Array.isArray(payload['aud']) ? payload['aud'].map(String) : [String(payload['aud'] ?? '')];
        const noMatch = () => ({
            error: aadstsError(400, 'invalid_request', 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(',')}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`),
        });
        const forIssuer = this.#credentials.filter((credential) => credential.issuer === issuer);
        if (forIssuer.length === 0)
            return noMatch();
        // Entra fetches the issuer's keys from its discovery document. Only the emulator's own
        // issuer is reachable here; any other issuer is as unreachable as from an offline tenant.
        if (issuer !== this.#github.issuer) {
            return { error: aadstsError(400, 'invalid_client', 50166, `Request to External OIDC endpoint failed. Issuer: '${issuer}'.`) };
        }
        if (!verifyJwtSignature(decoded, this.#github.jwks.keys)) {
            return {
                error: aadstsError(401, 'invalid_client', 50013, 'Assertion failed signature validation. [Reason - The key was not found or the provided signature value did not match the expected signature value.]'),
            };
        }
        const now = nowInSeconds();
        const exp = Number(payload['exp']);
        const nbf = Number(payload['nbf'] ?? payload['iat'] ?? 0);
        if (!Number.isFinite(exp) || exp + CLOCK_SKEW_SECONDS < now || nbf - CLOCK_SKEW_SECONDS > now) {
            return {
                error: aadstsError(400, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${new Date(nbf * 1000).toISOString()}, expiry time of assertion ${new Date((Number.isFinite(exp) ? exp : 0) * 1000).toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`),
            };
        }
        // Exact, case-sensitive match, as Entra does since 2025.
        const matched = forIssuer.some((credential) => credential.subject === subject &&
            (credential.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).some((audience) => audiences.includes(audience)));
        if (!matched)
            return noMatch();
        return { token: this.#issueAccessToken() };
    }
    /** POST {tenant}/oauth2/v2.0/devicecode: starts a device authorization (client_id, scope). */
    startDeviceAuthorization(form) {
        const clientId = form.get('client_id') ?? '';
        const unknownClient = this.#unknownClient(clientId);
        if (unknownClient)
            return { error: unknownClient };
        const scope = form.get('scope') ?? '';
        const scopeError = this.#checkScope(scope.split(' ').filter((item) => !OIDC_SCOPES.has(item)).join(' '));
        if (scopeError)
            return { error: scopeError };
        const now = nowInSeconds();
        for (const [code, stored] of this.#deviceCodes)
            if (stored.expiresAt + 3600 < now)
                this.#deviceCodes.delete(code);
        const userCode = randomUserCode();
        const authorization = { deviceCode: randomBytes(48).toString('base64url'), userCode, clientId, scope, expiresAt: now + DEVICE_CODE_LIFETIME_SECONDS };
        this.#deviceCodes.set(authorization.deviceCode, authorization);
        const verificationUri = this.deviceLoginUrl;
        return {
            authorization: {
                device_code: authorization.deviceCode,
                user_code: userCode,
                verification_uri: verificationUri,
                expires_in: DEVICE_CODE_LIFETIME_SECONDS,
                interval: 1,
                message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
            },
        };
    }
    /** GET {tenant}/oauth2/v2.0/authorize: what the browser is told to do (see auth-code.ts). */
    authorize(query) {
        return this.#authorizationCodes.authorize(query, {
            unknownClient: (clientId) => this.#unknownClient(clientId),
            checkScope: (scope) => this.#checkScope(scope),
            checkUser: (grant) => void this.#delegatedUser(grant),
            session: this.browserSession,
        });
    }
    /** Who the emulator's browser is signed in as (and whether that user approves or declines). */
    get browserSession() {
        if (this.#browserSession)
            return this.#browserSession;
        const fallback = this.#state.findUserLoosely(DEFAULT_BROWSER_USER) ?? this.#state.users[0];
        return { user: fallback?.userPrincipalName ?? DEFAULT_BROWSER_USER };
    }
    /** Sets the browser session (undefined: back to the default user); refuses a user not in the tenant. */
    setBrowserSession(session) {
        if (session !== undefined && session !== 'decline')
            this.#delegatedUser(session);
        this.#browserSession = session;
    }
    #redeemAuthorizationCode(form) {
        const clientId = form.get('client_id') ?? '';
        const unknownClient = this.#unknownClient(clientId);
        if (unknownClient)
            return { error: unknownClient };
        const redeemed = this.#authorizationCodes.redeem(form);
        if ('error' in redeemed)
            return redeemed;
        return { token: this.#delegatedTokenResponse({ clientId: redeemed.clientId, grant: redeemed.grant }, redeemed.scope, redeemed.nonce) };
    }
    /** Where a user would enter the code (the emulator approves through its admin API instead). */
    get deviceLoginUrl() {
        return `${this.#origin}/_emulator/devicelogin`;
    }
    /** Device authorizations not yet redeemed nor expired (for the admin API). */
    pendingDeviceCodes() {
        const now = nowInSeconds();
        return [...this.#deviceCodes.values()]
            .filter((item) => !item.redeemed && item.expiresAt >= now)
            .map((item) => ({ userCode: item.userCode, clientId: item.clientId, scope: item.scope, expiresAt: new Date(item.expiresAt * 1000).toISOString(), approved: item.approved !== undefined }));
    }
    /** What the user does at the verification page: approve (as `grant.user`) or deny a user code. */
    decideDeviceCode(userCode, decision) {
        const wanted = userCode.trim().toUpperCase();
        const found = [...this.#deviceCodes.values()].find((item) => item.userCode === wanted && !item.redeemed && item.expiresAt >= nowInSeconds());
        if (!found)
            throw new Error(`No pending device code '${userCode}'.`);
        if (decision === 'deny') {
            found.denied = true;
            return;
        }
        this.#delegatedUser(decision); // refuse an unknown user now, not at the next poll
        found.approved = decision;
    }
    #redeemDeviceCode(form) {
        const found = this.#deviceCodes.get(form.get('device_code') ?? '');
        if (!found || found.redeemed || (form.get('client_id') ?? '').toLowerCase() !== found.clientId.toLowerCase()) {
            return { error: aadstsError(400, 'bad_verification_code', 70019, 'Verification code was not recognized or has already been used.') };
        }
        if (found.expiresAt < nowInSeconds())
            return { error: aadstsError(400, 'expired_token', 70020, 'The provided device code has expired.') };
        if (found.denied)
            return { error: aadstsError(400, 'authorization_declined', 70018, 'The user declined the authorization request.') };
        if (!found.approved) {
            return { error: aadstsError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.') };
        }
        found.redeemed = true;
        return { token: this.#delegatedTokenResponse({ clientId: found.clientId, grant: found.approved }, found.scope) };
    }
    #redeemRefreshToken(form) {
        const session = this.#refreshTokens.get(form.get('refresh_token') ?? '');
        if (!session || (form.get('client_id') ?? '').toLowerCase() !== session.clientId.toLowerCase()) {
            return { error: aadstsError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.') };
        }
        const scope = form.get('scope') ?? '';
        const scopeError = this.#checkScope(scope.split(' ').filter((item) => !OIDC_SCOPES.has(item)).join(' '));
        if (scopeError)
            return { error: scopeError };
        return { token: this.#delegatedTokenResponse(session, scope) };
    }
    #delegatedUser(grant) {
        const user = this.#state.findUserLoosely(grant.user);
        if (!user)
            throw new Error(`No user '${grant.user}' in the tenant.`);
        return { id: user.id, userPrincipalName: user.userPrincipalName, displayName: String(user.displayName ?? user.userPrincipalName) };
    }
    /**
     * A delegated access token for `grant.user` (what the Azure CLI hands out after `az login`, or
     * what the device code flow ends with): `scp` the delegated permissions, `wids` the user's roles.
     */
    issueDelegatedToken(grant, clientId = this.#state.clientId) {
        const token = this.#delegatedAccessToken(clientId, grant);
        return { accessToken: token.accessToken, expiresOn: token.expiresOn };
    }
    #delegatedAccessToken(clientId, grant) {
        const state = this.#state;
        const user = this.#delegatedUser(grant);
        const iat = nowInSeconds();
        const scopes = grant.scopes ?? state.appPermissions;
        const roles = (grant.roles ?? [DEFAULT_DELEGATED_ROLE]).map((role) => role.toLowerCase());
        const claims = {
            ...this.#accessTokenBase(iat),
            appid: clientId,
            appidacr: '0',
            idtyp: 'user',
            name: user.displayName,
            oid: user.id,
            scp: scopes.join(' '),
            sub: user.id,
            tid: state.tenantId,
            unique_name: user.userPrincipalName,
            upn: user.userPrincipalName,
            uti: randomUUID().replaceAll('-', ''),
            ver: '1.0',
            wids: roles,
        };
        const accessToken = this.#encodeAccessToken(claims);
        return { accessToken, expiresOn: iat + ACCESS_TOKEN_LIFETIME_SECONDS, user };
    }
    /** The token response of a user sign-in, as MSAL expects it: with id_token and client_info. */
    #delegatedTokenResponse(session, requestedScope, nonce) {
        const { accessToken, user } = this.#delegatedAccessToken(session.clientId, session.grant);
        const tenantId = this.#state.tenantId;
        const iat = nowInSeconds();
        const idToken = signJwt({
            aud: session.clientId,
            iss: `${this.#tenantUrl()}/v2.0`,
            iat,
            nbf: iat,
            exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS,
            name: user.displayName,
            oid: user.id,
            preferred_username: user.userPrincipalName,
            sub: user.id,
            tid: tenantId,
            ver: '2.0',
            ...(nonce ? { nonce } : {}),
        }, this.#key);
        const refreshToken = randomBytes(64).toString('base64url');
        this.#refreshTokens.set(refreshToken, session);
        return {
            token_type: 'Bearer',
            scope: withoutOidcScopes(requestedScope),
            expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
            ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
            access_token: accessToken,
            refresh_token: refreshToken,
            id_token: idToken,
            client_info: Buffer.from(JSON.stringify({ uid: user.id, utid: tenantId })).toString('base64url'),
        };
    }
    #checkScope(scopeParameter) {
        const scopes = scopeParameter.split(' ').filter(Boolean);
        const defaultScope = scopes.find((scope) => scope.endsWith('/.default'));
        if (!defaultScope) {
            return aadstsError(400, 'invalid_scope', 1002012, `The provided value for scope ${scopeParameter} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
        }
        const resource = defaultScope.slice(0, -'/.default'.length).replace(/\/$/, '');
        if (!this.#graphResources.has(resource)) {
            return aadstsError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${this.#state.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
        }
        return undefined;
    }
    #issueAccessToken() {
        const state = this.#state;
        const iat = nowInSeconds();
        const claims = {
            ...this.#accessTokenBase(iat),
            appid: state.clientId,
            appidacr: '2',
            idp: this.accessTokenIssuer,
            idtyp: 'app',
            oid: state.servicePrincipalId,
            sub: state.servicePrincipalId,
            tid: state.tenantId,
            uti: randomUUID().replaceAll('-', ''),
            ver: '1.0',
        };
        // Entra omits `roles` when the app holds none.
        if (state.appPermissions.length > 0)
            claims['roles'] = [...state.appPermissions];
        return {
            token_type: 'Bearer',
            expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
            ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
            access_token: this.#encodeAccessToken(claims),
        };
    }
    /** The claims every Graph access token starts with, an app's or a user's. */
    #accessTokenBase(iat) {
        return { aud: GRAPH_RESOURCE, iss: this.accessTokenIssuer, iat, nbf: iat, exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS, app_displayname: 'entra-photos' };
    }
    /** A signed JWT, or an opaque token when the tenant is set to hand those out. */
    #encodeAccessToken(claims) {
        return this.#state.accessTokenFormat === 'opaque' ? this.#issueOpaque(claims) : signJwt(claims, this.#key, { x5t: this.#key.kid });
    }
    /** A random string with no dots and no structure; its claims stay here. */
    #issueOpaque(claims) {
        const now = nowInSeconds();
        // Forgotten an hour after expiry (until then a late use is told "expired", as for a JWT).
        for (const [token, stored] of this.#opaqueTokens)
            if (Number(stored['exp']) + 3600 < now)
                this.#opaqueTokens.delete(token);
        const token = randomBytes(96).toString('base64url');
        this.#opaqueTokens.set(token, claims);
        return token;
    }
    /** What Graph does with the Authorization header: verify the token Entra issued. */
    verifyAccessToken(authorization) {
        if (!authorization)
            return { ok: false, message: 'Access token is empty.' };
        const token = authorization.replace(/^Bearer\s+/i, '');
        const opaque = this.#opaqueTokens.get(token);
        if (opaque)
            return this.#checkClaims(opaque);
        const decoded = decodeJwt(token);
        if (!decoded)
            return { ok: false, message: 'CompactToken parsing failed with error code: 80049217' };
        if (!verifyJwtSignature(decoded, [this.#key.publicJwk]))
            return { ok: false, message: 'Access token validation failure.' };
        return this.#checkClaims(decoded.payload);
    }
    #checkClaims(payload) {
        if (payload['aud'] !== GRAPH_RESOURCE && payload['aud'] !== GRAPH_APP_ID) {
            return { ok: false, message: 'Access token validation failure. Invalid audience.' };
        }
        if (Number(payload['exp']) < nowInSeconds())
            return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
        if (payload['tid'] !== this.#state.tenantId)
            return { ok: false, message: 'Access token validation failure.' };
        if (typeof payload['scp'] === 'string') {
            // Delegated: the permissions are the consented scopes, the user's roles come in `wids`.
            return {
                ok: true,
                identity: {
                    appId: String(payload['appid']),
                    tenantId: String(payload['tid']),
                    servicePrincipalId: '',
                    roles: payload['scp'].split(' ').filter(Boolean),
                    user: {
                        id: String(payload['oid']),
                        userPrincipalName: String(payload['upn'] ?? ''),
                        directoryRoles: Array.isArray(payload['wids']) ? payload['wids'].map((role) => String(role).toLowerCase()) : [],
                    },
                },
            };
        }
        const roles = Array.isArray(payload['roles']) ? payload['roles'].map(String) : [];
        return {
            ok: true,
            identity: {
                appId: String(payload['appid']),
                tenantId: String(payload['tid']),
                servicePrincipalId: String(payload['oid']),
                roles,
            },
        };
    }
}
/** An 8-character code like Entra's (no 0/O/1/I to misread). */
function randomUserCode() {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    return [...randomBytes(8)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
/** Writes what /authorize decided: a 302, a self-posting form (response_mode=form_post), or an error page. */
function sendAuthorizeOutcome(response, outcome) {
    if (outcome.kind === 'redirect') {
        response.writeHead(302, { Location: outcome.location, 'Cache-Control': 'no-store' }).end();
        return;
    }
    const body = outcome.kind === 'form_post'
        ? `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(outcome.action)}">${Object.entries(outcome.fields)
            .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
            .join('')}<noscript><button type="submit">Continue</button></noscript></form></body></html>`
        : `<!doctype html><html><head><title>Sign in to your account</title></head><body><h1>${escapeHtml(outcome.title)}</h1><p>${escapeHtml(outcome.message)}</p></body></html>`;
    const payload = Buffer.from(body);
    response.writeHead(outcome.kind === 'form_post' ? 200 : outcome.status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(payload.length),
        'Cache-Control': 'no-store',
    });
    response.end(payload);
}
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isWriteMethod = (method) => WRITE_METHODS.has(method.toUpperCase());
class FaultInjector {
    #rules = [];
    #generatedIds = 0;
    #random;
    /** Resolves FaultRule.user (id, UPN or mail) to an object id. */
    #resolveUser;
    constructor(random, resolveUser) {
        this.#random = random;
        this.#resolveUser = resolveUser;
    }
    /** Replaces every rule. Throws on an invalid rule so the admin API can answer 400. */
    setRules(rules) {
        this.#rules = rules.map((rule) => {
            if (!['status', 'reset', 'delay'].includes(rule.effect))
                throw new Error(`Unknown fault effect: ${String(rule.effect)}`);
            const id = rule.id ?? `fault-${++this.#generatedIds}`;
            const active = { rule: { ...rule, id }, remaining: rule.times ?? Number.POSITIVE_INFINITY };
            if (rule.path !== undefined)
                active.pattern = new RegExp(rule.path);
            return active;
        });
    }
    get rules() {
        return this.#rules.map(({ rule, remaining }) => ({ ...rule, ...(Number.isFinite(remaining) ? { times: remaining } : {}) }));
    }
    /** The first rule that matches and fires for this request (consuming one of its `times`). */
    match(target) {
        for (const active of this.#rules) {
            const { rule } = active;
            if (active.remaining <= 0)
                continue;
            if (rule.methods && !rule.methods.some((method) => method.toUpperCase() === target.method.toUpperCase()))
                continue;
            if (rule.writesOnly && !isWriteMethod(target.method))
                continue;
            if (active.pattern && !active.pattern.test(target.path))
                continue;
            if (rule.user !== undefined) {
                const userId = this.#resolveUser(rule.user);
                if (!userId || userId !== target.userId)
                    continue;
            }
            if (rule.probability !== undefined && this.#random() >= rule.probability)
                continue;
            active.remaining--;
            return rule;
        }
        return undefined;
    }
}

// GitHub Actions' OIDC token service, as a job sees it: ACTIONS_ID_TOKEN_REQUEST_URL answers a
// GET (Authorization: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, &audience=...) with
// {"value": "<JWT>"}; the JWT's claims describe the job (repository, ref, event,
// environment, ...) and are signed with keys published under the issuer's
// /.well-known/jwks. Each request token is bound to one workflow context, so a test can
// hand one client a push-to-main job and another a pull request.
/** GitHub's OIDC tokens are short-lived; the exact lifetime is GitHub's business, 5 min is typical. */
const TOKEN_LIFETIME_SECONDS = 300;
const GITHUB_OIDC_PATH = '/_github';
/** The subject GitHub puts in `sub`: the environment wins, then pull_request, then the ref. */
function subjectFor(repository, context) {
    if (context.environment)
        return `repo:${repository}:environment:${context.environment}`;
    if (context.kind === 'pull_request')
        return `repo:${repository}:pull_request`;
    return `repo:${repository}:ref:${context.ref ?? 'refs/heads/main'}`;
}
class GitHubOidcIssuer {
    issuer;
    #key;
    #requestTokens = new Map();
    #defaultRequestToken;
    /** The job behind the default request token (the emulator's `oidc` option). */
    defaultContext;
    constructor(origin, key, defaultContext) {
        this.issuer = `${origin}${GITHUB_OIDC_PATH}`;
        this.#key = key;
        this.defaultContext = defaultContext;
        this.#defaultRequestToken = this.registerRequestToken(defaultContext);
    }
    get jwks() {
        return { keys: [this.#key.publicJwk] };
    }
    /** ACTIONS_ID_TOKEN_REQUEST_URL; like GitHub's it already has a query, as @actions/core appends `&audience=`. */
    get requestUrl() {
        return `${this.issuer}/idtoken?api-version=2.0`;
    }
    /** Env for a job whose OIDC tokens describe `context` (default: the emulator's `oidc` option). */
    requestEnv(context) {
        const token = context ? this.registerRequestToken(context) : this.#defaultRequestToken;
        return { ACTIONS_ID_TOKEN_REQUEST_URL: this.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token };
    }
    registerRequestToken(context) {
        const token = randomBytes(24).toString('base64url');
        this.#requestTokens.set(token, context);
        return token;
    }
    /** The claims GitHub would put in a token for this job and audience. */
    claimsFor(context, audience) {
        const iat = nowInSeconds();
        const base = { jti: randomUUID(), iss: this.issuer, iat, nbf: iat - 5, exp: iat + TOKEN_LIFETIME_SECONDS };
        if ('claims' in context)
            return { ...base, ...(audience ? { aud: audience } : {}), ...context.claims };
        const repository = context.repository ?? DEFAULT_REPOSITORY;
        const owner = repository.split('/')[0] ?? repository;
        const sha = context.sha ?? 'd6e8a1b2c3f4e5d6a7b8c9d0e1f2a3b4c5d6e7f8';
        const isPullRequest = context.kind === 'pull_request';
        const number = isPullRequest ? (context.number ?? 1) : undefined;
        const ref = isPullRequest ? `refs/pull/${number}/merge` : (context.ref ?? 'refs/heads/main');
        const workflowRef = `${repository}/.github/workflows/photos.yml@${ref}`;
        const claims = {
            ...base,
            sub: subjectFor(repository, context),
            aud: audience ?? `https://github.com/${owner}`,
            ref,
            sha,
            repository,
            repository_owner: owner,
            repository_owner_id: '91000001',
            repository_id: '712000001',
            repository_visibility: 'private',
            run_id: '9100000001',
            run_number: '42',
            run_attempt: '1',
            actor: context.actor ?? 'octocat',
            actor_id: '583231',
            workflow: 'photos',
            workflow_ref: workflowRef,
            workflow_sha: sha,
            job_workflow_ref: workflowRef,
            job_workflow_sha: sha,
            event_name: isPullRequest ? 'pull_request' : 'push',
            ref_type: 'branch',
            ref_protected: isPullRequest ? 'false' : 'true',
            head_ref: isPullRequest ? (context.headRef ?? 'photos-update') : '',
            base_ref: isPullRequest ? (context.baseRef ?? 'main') : '',
            runner_environment: 'github-hosted',
        };
        if (context.environment)
            claims['environment'] = context.environment;
        return claims;
    }
    issueToken(context, audience) {
        return signJwt(this.claimsFor(context, audience), this.#key, { x5t: this.#key.kid });
    }
    /** Serves the issuer's discovery, JWKS and token-request endpoints; false when the path is not ours. */
    handle(request, response, url) {
        const path = url.pathname.slice(GITHUB_OIDC_PATH.length);
        if (request.method === 'GET' && path === '/.well-known/openid-configuration') {
            sendJson(response, 200, {
                issuer: this.issuer,
                jwks_uri: `${this.issuer}/.well-known/jwks`,
                subject_types_supported: ['public', 'pairwise'],
                response_types_supported: ['id_token'],
                claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'sha', 'repository', 'repository_owner',
                    'run_id', 'run_number', 'run_attempt', 'actor', 'workflow', 'event_name', 'ref_type', 'environment', 'job_workflow_ref'],
                id_token_signing_alg_values_supported: ['RS256'],
                scopes_supported: ['openid'],
            });
            return true;
        }
        if (request.method === 'GET' && path === '/.well-known/jwks') {
            sendJson(response, 200, this.jwks);
            return true;
        }
        if (request.method === 'GET' && path === '/idtoken') {
            const authorization = request.headers.authorization ?? '';
            const requestToken = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
            const context = this.#requestTokens.get(requestToken);
            if (!context) {
                sendJson(response, 401, { message: 'Bad credentials: ACTIONS_ID_TOKEN_REQUEST_TOKEN is missing or unknown.' });
                return true;
            }
            const audience = url.searchParams.get('audience') ?? undefined;
            sendJson(response, 200, { count: 1, value: this.issueToken(context, audience) });
            return true;
        }
        return false;
    }
}

// A typed client for /_emulator/google (the CA passed explicitly, so it works in-process and
// against an emulator in another process alike).
class GoogleEmulatorAdminClient {
    #root;
    #caCertPem;
    /** `adminUrl` as printed by the emulator (…/_emulator). */
    constructor(adminUrl, caCertPem) {
        this.#root = `${adminUrl.replace(/\/$/, '')}/google`;
        this.#caCertPem = caCertPem;
    }
    #send(method, path, body, contentType = 'application/json') {
        return adminRequest(`${this.#root}${path}`, this.#caCertPem, method, body, contentType);
    }
    async #json(method, path, body) {
        const response = await this.#send(method, path, body);
        if (response.status >= 400)
            throw new Error(`Emulator admin ${method} /google${path} failed (${response.status}): ${response.body.toString('utf8')}`);
        return (response.body.length ? JSON.parse(response.body.toString('utf8')) : undefined);
    }
    /** The domain's users with their photo's sha256, size and who set it. */
    state() {
        return this.#json('GET', '/state');
    }
    config() {
        return this.#json('GET', '/config');
    }
    /** E.g. { quota: { perMinutePerUser: 5, windowSeconds: 1 } }, { attributeCondition: "assertion.repository == 'x/y'" }. */
    setConfig(patch) {
        return this.#json('POST', '/config', patch);
    }
    async reset() {
        await this.#json('POST', '/reset');
    }
    addUser(seed) {
        return this.#json('POST', '/users', seed);
    }
    async removeUser(userKey) {
        await this.#json('DELETE', `/users/${encodeURIComponent(userKey)}`);
    }
    /** Stores a photo as if set earlier: by an admin, or by the user themselves (`setBy: 'user'`). */
    async seedPhoto(userKey, image, setBy = 'admin') {
        const response = await this.#send('PUT', `/users/${encodeURIComponent(userKey)}/photo?setBy=${setBy}`, image, 'application/octet-stream');
        if (response.status >= 400)
            throw new Error(`Emulator admin Google photo seed failed (${response.status}): ${response.body.toString('utf8')}`);
    }
    /** The stored photo bytes, or undefined when the user has none. */
    async photo(userKey) {
        const response = await this.#send('GET', `/users/${encodeURIComponent(userKey)}/photo`);
        if (response.status === 404)
            return undefined;
        if (response.status >= 400)
            throw new Error(`Emulator admin Google photo read failed (${response.status}): ${response.body.toString('utf8')}`);
        return response.body;
    }
}

// A workload identity provider's attribute condition, in the small subset of CEL the setup
// guides use: `assertion.CLAIM == 'value'` clauses joined by `&&` (e.g. pinning the repository
// and the environment). Real providers accept full CEL; anything outside this subset is refused
// when the emulator is configured, so a test never believes a condition was checked when it was not.
const CLAUSE = /^assertion\.([A-Za-z_][A-Za-z0-9_]*)\s*==\s*(?:'([^']*)'|"([^"]*)")$/;
class AttributeConditionError extends Error {
    name = 'AttributeConditionError';
}
function parseAttributeCondition(source) {
    const clauses = source.split('&&').map((part) => {
        const match = CLAUSE.exec(part.trim());
        if (!match) {
            throw new AttributeConditionError(`The emulator understands attribute conditions made of assertion.CLAIM == 'value' clauses joined by &&; not: ${part.trim()}`);
        }
        return { claim: match[1] ?? '', value: match[2] ?? match[3] ?? '' };
    });
    return { source, clauses };
}
/** True when every clause holds for the token's claims. */
function conditionHolds(condition, claims) {
    return condition.clauses.every(({ claim, value }) => claims[claim] === value);
}

const STATUS_TEXT = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ALREADY_EXISTS',
    413: 'INVALID_ARGUMENT',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    502: 'UNAVAILABLE',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
};
function googleStatusText(code) {
    return STATUS_TEXT[code] ?? 'UNKNOWN';
}
/** A Google API error with the legacy `errors` list (what the Directory API sends). */
function apiError(code, reason, message, domain = 'global', extra = {}) {
    return {
        status: code,
        errorCode: reason,
        body: { error: { code, message, errors: [{ message, domain, reason, ...extra }], status: googleStatusText(code) } },
    };
}
/** An IAM Credentials error: `details` carries a google.rpc.ErrorInfo. */
function iamError(code, reason, message, metadata = {}) {
    return {
        status: code,
        errorCode: reason,
        body: {
            error: {
                code,
                message,
                status: googleStatusText(code),
                details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'iam.googleapis.com', metadata }],
            },
        },
    };
}
/** An OAuth 2.0 error (RFC 6749 §5.2): STS and the OAuth2 token endpoint. */
function oauthError(status, error, description) {
    return { status, errorCode: error, body: { error, error_description: description } };
}
function unauthenticated() {
    return apiError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'global', { location: 'Authorization', locationType: 'header' });
}
function writeAnswer(response, answer) {
    if (answer.body === undefined) {
        response.writeHead(answer.status, { 'Content-Length': '0' });
        response.end();
        return;
    }
    sendJson(response, answer.status, answer.body, { Vary: 'Origin, X-Origin, Referer' });
}

const GOOGLE_PATH = '/_google';
const DIRECTORY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user';
const DIRECTORY_READONLY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const DEFAULT_GOOGLE_PROJECT_NUMBER = '314159265358';
const DEFAULT_GOOGLE_POOL = 'github';
const DEFAULT_GOOGLE_PROVIDER = 'contoso-photos';
const DEFAULT_GOOGLE_SERVICE_ACCOUNT = 'entra-photos@contoso-photos.iam.gserviceaccount.com';
/** The service account's unique id: the "client ID" an admin authorises for domain-wide delegation. */
const DEFAULT_GOOGLE_SERVICE_ACCOUNT_ID = '104857600000000000001';
const DEFAULT_GOOGLE_CUSTOMER_ID = 'C03az79cb';
const DEFAULT_GOOGLE_ADMIN = 'margaret.hamilton@contoso.edu';
const DEFAULT_GOOGLE_QUOTA = Object.freeze({
    perMinutePerUser: 2400,
    windowSeconds: 60,
    windowAlignment: 'first-request',
    answer: 'userRateLimitExceeded',
    maxConcurrentPerUser: 0,
});
/** projects/N/locations/global/workloadIdentityPools/P/providers/X */
function providerResourceName(projectNumber, pool, provider) {
    return `projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/providers/${provider}`;
}
/** The pool's principal-set prefix, as IAM bindings name federated identities. */
function poolPrincipalPrefix(projectNumber, pool) {
    return `iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}`;
}

// `photoData` in web-safe base64 and the image formats Google accepts. Google's UserPhoto page
// says: `/` → `_`, `+` → `-`, and padding with `=` replaced (it names both `*` and `.`); so the
// emulator accepts `=`, `*` or `.` as padding, and refuses the standard alphabet's `+` and `/`
// (our choice: the documented format is the web-safe one).
function decodeWebSafeBase64(data) {
    const unpadded = data.replace(/[=*.]{1,2}$/, '');
    if (unpadded.length === 0 || !/^[A-Za-z0-9_-]+$/.test(unpadded) || unpadded.length % 4 === 1)
        return undefined;
    return Buffer.from(unpadded, 'base64url');
}
/** Web-safe base64 as Google sends it back (`=` padding kept, as its client libraries decode it). */
function encodeWebSafeBase64(bytes) {
    return bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}
/** The format by its magic bytes (JPEG, PNG, GIF, BMP, TIFF: the ones Google lists), with the size when the header says it. */
function sniffImage(bytes) {
    if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
        const dimensions = readJpegDimensions(bytes);
        return dimensions ? { mimeType: 'image/jpeg', ...dimensions } : undefined;
    }
    if (bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
        return { mimeType: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    }
    if (bytes.length >= 10 && (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a')) {
        return { mimeType: 'image/gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
    }
    if (bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
        return { mimeType: 'image/bmp', width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
    }
    if (bytes.length >= 8 && (bytes.subarray(0, 4).equals(Buffer.from('II*\0', 'latin1')) || bytes.subarray(0, 4).equals(Buffer.from('MM\0*', 'latin1')))) {
        return { mimeType: 'image/tiff' };
    }
    return undefined;
}
const MIME_NAMES = {
    JPEG: 'image/jpeg',
    JPG: 'image/jpeg',
    PNG: 'image/png',
    GIF: 'image/gif',
    BMP: 'image/bmp',
    TIFF: 'image/tiff',
};
/** `mimeType` as sent (`JPEG` as the reference lists it, or `image/jpeg`); undefined when it names no accepted format. */
function normaliseMimeType(value) {
    const upper = value.trim().toUpperCase();
    return MIME_NAMES[upper] ?? MIME_NAMES[upper.replace(/^IMAGE\//, '')];
}

// Admin SDK Directory API: users.get, users.list (customer + query) and users.photos
// (GET/PUT/PATCH/DELETE …/users/{userKey}/photos/thumbnail), behind the caller checks Google
// makes: a valid token, a Directory scope, and a caller allowed to administer users (a service
// account holding an admin role, or an admin named by a domain-wide delegated token).
const USERS_PREFIX = '/admin/directory/v1/users';
const MAX_PAGE = 500;
/** The user a Directory path names, if any (for fault rules and the request log). */
function userKeyOf(path) {
    const match = /^\/admin\/directory\/v1\/users\/([^/]+)/.exec(path);
    return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
/** 401/403 when the token may not call the Directory API for this method; undefined when it may. */
function authorize(token, method, directory, settings) {
    if (!token)
        return unauthenticated();
    const reads = method === 'GET';
    const scoped = token.scopes.includes(DIRECTORY_SCOPE) || (reads && token.scopes.includes(DIRECTORY_READONLY_SCOPE));
    if (!scoped)
        return apiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
    const { subject } = token;
    const isAdmin = subject.kind === 'serviceAccount' ? settings.serviceAccountIsAdmin : subject.kind === 'user' ? (directory.findUser(subject.email)?.isAdmin ?? false) : false;
    if (!isAdmin)
        return apiError(403, 'forbidden', 'Not Authorized to access this resource/api');
    return undefined;
}
function serveDirectory(call, directory, settings) {
    const { method, path } = call;
    if (path === USERS_PREFIX && method === 'GET')
        return listUsers$1(call, directory, settings);
    const match = /^\/admin\/directory\/v1\/users\/([^/]+)(\/.*)?$/.exec(path);
    if (!match?.[1])
        return apiError(404, 'notFound', 'Not Found');
    const key = decodeURIComponent(match[1]);
    const rest = match[2] ?? '';
    const user = directory.findUser(key);
    if (rest === '' && method === 'GET') {
        if (!user)
            return apiError(404, 'notFound', 'Resource Not Found: userKey');
        return { status: 200, userId: user.id, body: userResource(user, directory.getPhoto(user.id), settings) };
    }
    if (rest === '/photos/thumbnail') {
        if (!user)
            return apiError(404, 'notFound', 'Resource Not Found: userKey');
        const answer = servePhoto(call, user, directory, settings);
        return { ...answer, userId: user.id };
    }
    return apiError(404, 'notFound', 'Not Found');
}
function servePhoto(call, user, directory, settings) {
    const stored = directory.getPhoto(user.id);
    switch (call.method) {
        case 'GET':
            return stored ? { status: 200, body: photoResource(user, stored) } : photoNotFound();
        case 'DELETE':
            if (!directory.deletePhoto(user.id))
                return photoNotFound();
            return { status: 204 };
        case 'PUT':
        case 'PATCH':
            return updatePhoto(call, user, directory, settings, stored);
        default:
            return apiError(405, 'methodNotAllowed', `Method ${call.method} is not allowed here.`);
    }
}
/** Reported wording (GAM-team/GAM#997: "404: Resource Not Found: photo - resourceNotFound"). */
function photoNotFound() {
    return apiError(404, 'resourceNotFound', 'Resource Not Found: photo');
}
/** GAM-team/GAM#1634 reports "400: Invalid Input: photoData - invalid" for data Google cannot use. */
function invalidPhotoData() {
    return apiError(400, 'invalid', 'Invalid Input: photoData');
}
function updatePhoto(call, user, directory, settings, stored) {
    let body;
    try {
        body = JSON.parse(call.body.toString('utf8'));
    }
    catch {
        return apiError(400, 'parseError', 'Parse Error');
    }
    if (!isRecord(body) || typeof body['photoData'] !== 'string')
        return invalidPhotoData();
    const bytes = decodeWebSafeBase64(body['photoData']);
    const image = bytes ? sniffImage(bytes) : undefined;
    if (!bytes || !image)
        return invalidPhotoData();
    if (body['mimeType'] !== undefined && (typeof body['mimeType'] !== 'string' || !normaliseMimeType(body['mimeType']))) {
        return apiError(400, 'invalid', 'Invalid Input: mimeType');
    }
    if (stored?.setBy === 'user' && settings.userPhotoOnUpdate === 'kept') {
        // Reported: the update is accepted, yet the photo the user chose stays.
        return { status: 200, body: photoResource(user, stored) };
    }
    const width = numberOr(body['width'], image.width);
    const height = numberOr(body['height'], image.height);
    const photo = directory.setPhoto(user.id, { bytes, mimeType: image.mimeType, width: width ?? 0, height: height ?? 0, setBy: 'admin' });
    return { status: 200, body: photoResource(user, photo) };
}
function numberOr(value, fallback) {
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
function photoResource(user, photo) {
    return {
        kind: 'admin#directory#user#photo',
        id: photo.photoId,
        etag: photo.etag,
        primaryEmail: user.primaryEmail,
        mimeType: photo.mimeType,
        width: photo.width,
        height: photo.height,
        photoData: encodeWebSafeBase64(photo.bytes),
    };
}
function userResource(user, photo, settings) {
    return {
        kind: 'admin#directory#user',
        id: user.id,
        etag: `"${user.id.slice(-12)}"`,
        primaryEmail: user.primaryEmail,
        name: { givenName: user.givenName, familyName: user.familyName, fullName: `${user.givenName} ${user.familyName}`.trim() },
        isAdmin: user.isAdmin,
        isDelegatedAdmin: false,
        suspended: user.suspended,
        archived: false,
        customerId: settings.customerId,
        orgUnitPath: '/',
        creationTime: user.creationTime,
        // Google omits empty lists and unset fields.
        ...(user.aliases.length ? { aliases: [...user.aliases] } : {}),
        ...(user.nonEditableAliases.length ? { nonEditableAliases: [...user.nonEditableAliases] } : {}),
        ...(user.externalIds.length ? { externalIds: user.externalIds.map((entry) => ({ ...entry })) } : {}),
        ...(photo ? { thumbnailPhotoUrl: `https://www.google.com/s2/photos/private/${photo.photoId}`, thumbnailPhotoEtag: photo.etag } : {}),
    };
}
/** users.list: `customer` (my_customer or the id) or `domain`, and a query of `field=value` / `field:value` clauses. */
function listUsers$1(call, directory, settings) {
    const customer = call.query.get('customer');
    const domain = call.query.get('domain');
    if (!customer && !domain)
        return apiError(400, 'badRequest', 'Bad Request');
    if (customer && customer !== 'my_customer' && customer !== settings.customerId)
        return apiError(400, 'badRequest', 'Bad Request');
    let clauses;
    try {
        clauses = parseQuery(call.query.get('query') ?? '');
    }
    catch {
        return apiError(400, 'invalid', 'Invalid Input');
    }
    const maxResults = Math.min(MAX_PAGE, Math.max(1, Number(call.query.get('maxResults') ?? 100) || 100));
    const start = Number(call.query.get('pageToken') ?? 0) || 0;
    const matching = directory.users
        .filter((user) => !domain || user.primaryEmail.toLowerCase().endsWith(`@${domain.toLowerCase()}`))
        .filter((user) => clauses.every((clause) => clause(user)));
    const page = matching.slice(start, start + maxResults);
    return {
        status: 200,
        body: {
            kind: 'admin#directory#users',
            etag: `"users-${matching.length}"`,
            ...(page.length ? { users: page.map((user) => userResource(user, directory.getPhoto(user.id), settings)) } : {}),
            ...(start + maxResults < matching.length ? { nextPageToken: String(start + maxResults) } : {}),
        },
    };
}
/** The fields this emulator searches: externalId and email (each with = exact, : contains). */
function parseQuery(query) {
    const clauses = [];
    const pattern = /([A-Za-z]+)\s*([=:])\s*('([^']*)'|"([^"]*)"|(\S+))/g;
    let consumed = '';
    for (const match of query.matchAll(pattern)) {
        consumed += match[0];
        const field = match[1] ?? '';
        const exact = match[2] === '=';
        const value = (match[4] ?? match[5] ?? match[6] ?? '').toLowerCase();
        const test = (candidate) => (exact ? candidate.toLowerCase() === value : candidate.toLowerCase().includes(value));
        if (field === 'externalId')
            clauses.push((user) => user.externalIds.some((entry) => test(entry.value)));
        else if (field === 'email')
            clauses.push((user) => [user.primaryEmail, ...user.aliases].some(test));
        else
            throw new Error(`Unsupported field ${field}`);
    }
    if (consumed.replace(/\s/g, '').length !== query.replace(/\s/g, '').length)
        throw new Error('Unparsed query');
    return clauses;
}

// Google's keyless sign-in chain for a GitHub workflow, as three endpoints:
//   sts.googleapis.com/v1/token            GitHub OIDC token → federated token (RFC 8693 exchange)
//   iamcredentials.googleapis.com/v1/…     federated token → service account access token
//                                          (generateAccessToken) or a JWT it signed (signJwt)
//   oauth2.googleapis.com/token            signed JWT → access token (jwt-bearer, RFC 7523), with
//                                          `sub` = a Workspace admin for domain-wide delegation
// Each check is the one Google documents or is reported to make; docs/emulator.md, "Google".
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = new Set(['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']);
/** The `aud` Google requires in a jwt-bearer assertion, whatever host the request went to. */
const OAUTH2_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const MAX_LIFETIME_SECONDS = 3600;
/** Claims mapped to attributes (the mapping the setup guide gives): attribute.NAME = assertion.NAME. */
const MAPPED_ATTRIBUTES = ['repository', 'repository_owner', 'environment', 'ref', 'actor', 'workflow_ref'];
/**
 * Roles that carry each permission, as docs/setup-google.md tells the admin to grant them: Token
 * Creator carries both (Google's "Roles for service account authentication"); Workload Identity
 * User carries getAccessToken, not signJwt. No other role counts (not a basic role: we could not
 * confirm what Google's basic roles carry here, and our guide never grants one).
 */
const ROLES_WITH = {
    'iam.serviceAccounts.getAccessToken': ['roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountTokenCreator'],
    'iam.serviceAccounts.signJwt': ['roles/iam.serviceAccountTokenCreator'],
};
/** The STS request's fields, from JSON (camelCase, the REST reference) or a form (snake_case, as some libraries send). */
function stsFields(body) {
    const pick = (camel, snake) => body[camel] ?? body[snake] ?? '';
    return {
        grantType: pick('grantType', 'grant_type'),
        audience: pick('audience', 'audience'),
        scope: pick('scope', 'scope'),
        requestedTokenType: pick('requestedTokenType', 'requested_token_type'),
        subjectToken: pick('subjectToken', 'subject_token'),
        subjectTokenType: pick('subjectTokenType', 'subject_token_type'),
    };
}
function exchangeToken(context, body) {
    const { settings, github } = context;
    const request = stsFields(body);
    if (request.grantType !== TOKEN_EXCHANGE_GRANT)
        return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${request.grantType || '(none)'}.`);
    if (request.requestedTokenType !== ACCESS_TOKEN_TYPE)
        return oauthError(400, 'invalid_request', 'Invalid value for "requested_token_type".');
    if (!SUBJECT_TOKEN_TYPES.has(request.subjectTokenType))
        return oauthError(400, 'invalid_request', 'Invalid value for "subject_token_type".');
    if (!/^\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(request.audience)) {
        return oauthError(400, 'invalid_request', 'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.');
    }
    const providerName = providerResourceName(settings.projectNumber, settings.pool, settings.provider);
    if (request.audience !== `//iam.googleapis.com/${providerName}`) {
        return oauthError(400, 'invalid_target', 'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.');
    }
    const decoded = decodeJwt(request.subjectToken);
    if (!decoded)
        return oauthError(400, 'invalid_grant', 'Unable to parse the ID Token.');
    if (!verifyJwtSignature(decoded, github.jwks.keys))
        return oauthError(400, 'invalid_grant', 'Invalid ID Token signature.');
    const claims = decoded.payload;
    if (claims['iss'] !== github.issuer) {
        return oauthError(400, 'invalid_grant', `The issuer in ID Token ${String(claims['iss'])} does not match the expected ones: ${github.issuer}.`);
    }
    const now = nowInSeconds();
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= now)
        return oauthError(400, 'invalid_grant', 'ID Token expired.');
    const audiences = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
    if (!audiences.some((audience) => typeof audience === 'string' && settings.allowedAudiences.includes(audience))) {
        return oauthError(400, 'invalid_grant', `The audience in ID Token [${audiences.join(', ')}] does not match the expected audience ${settings.allowedAudiences.join(', ')}.`);
    }
    if (typeof claims['sub'] !== 'string' || !claims['sub'])
        return oauthError(400, 'invalid_grant', 'The ID Token has no subject (google.subject is mapped from assertion.sub).');
    if (settings.attributeCondition && !conditionHolds(settings.attributeCondition, claims)) {
        return oauthError(400, 'unauthorized_client', 'The given credential is rejected by the attribute condition.');
    }
    const prefix = poolPrincipalPrefix(settings.projectNumber, settings.pool);
    const principalSets = [`principalSet://${prefix}/*`];
    for (const name of MAPPED_ATTRIBUTES) {
        const value = claims[name];
        if (typeof value === 'string' && value)
            principalSets.push(`principalSet://${prefix}/attribute.${name}/${value}`);
    }
    const lifetime = Math.max(1, Math.min(MAX_LIFETIME_SECONDS, claims['exp'] - now));
    const issued = context.tokens.issue({ kind: 'federated', principal: `principal://${prefix}/subject/${claims['sub']}`, principalSets }, request.scope.split(/\s+/).filter(Boolean), lifetime);
    return { status: 200, body: { access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: lifetime } };
}
/** POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken | :signJwt */
function serviceAccountCredentials(context, path, authorization, body) {
    const match = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):(generateAccessToken|signJwt)$/.exec(path);
    if (!match)
        return apiError(404, 'notFound', `Method not found: ${path}`);
    const [, project = '', rawAccount = '', method = ''] = match;
    const account = decodeURIComponent(rawAccount);
    const caller = context.tokens.fromHeader(authorization);
    if (!caller)
        return unauthenticated();
    if (project !== '-')
        return apiError(400, 'badRequest', 'The project in a service account resource name must be the - wildcard.');
    if (!isRecord(body))
        return apiError(400, 'badRequest', 'Invalid JSON payload received.');
    const permission = method === 'generateAccessToken' ? 'iam.serviceAccounts.getAccessToken' : 'iam.serviceAccounts.signJwt';
    const { settings } = context;
    const known = account.toLowerCase() === settings.serviceAccount.toLowerCase() || account === settings.serviceAccountId;
    // Google answers an unknown account like a refused one: "(or it may not exist)".
    if (!known || !mayUse(settings.bindings, permission, caller.subject)) {
        return iamError(403, 'IAM_PERMISSION_DENIED', `Permission '${permission}' denied on resource (or it may not exist).`, { permission });
    }
    if (method === 'generateAccessToken') {
        const scopes = Array.isArray(body['scope']) ? body['scope'].filter((scope) => typeof scope === 'string') : [];
        if (scopes.length === 0)
            return apiError(400, 'badRequest', 'Scope required.');
        const lifetime = parseDuration(body['lifetime']) ?? MAX_LIFETIME_SECONDS;
        if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS)
            return apiError(400, 'badRequest', 'The lifetime must be between 1 and 3600 seconds.');
        const issued = context.tokens.issue({ kind: 'serviceAccount', email: settings.serviceAccount }, scopes, lifetime);
        return { status: 200, body: { accessToken: issued.token, expireTime: new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
    }
    let claims;
    try {
        claims = JSON.parse(typeof body['payload'] === 'string' ? body['payload'] : '');
    }
    catch {
        claims = undefined;
    }
    if (!isRecord(claims))
        return apiError(400, 'badRequest', 'The payload must be a serialized JSON object that contains a JWT Claims Set.');
    const exp = claims['exp'];
    const now = nowInSeconds();
    if (exp !== undefined && (typeof exp !== 'number' || exp < now || exp > now + 12 * 3600)) {
        return apiError(400, 'badRequest', 'The exp claim must be an integer timestamp that is not in the past and no more than 12 hours in the future.');
    }
    const signed = signJwt({ ...claims, ...(exp === undefined ? { exp: now + 3600 } : {}) }, context.serviceAccountKey);
    return { status: 200, body: { keyId: context.serviceAccountKey.kid, signedJwt: signed } };
}
function mayUse(bindings, permission, subject) {
    const identities = subject.kind === 'federated' ? [subject.principal, ...subject.principalSets] : [`serviceAccount:${subject.email}`, `user:${subject.email}`];
    const roles = ROLES_WITH[permission] ?? [];
    return bindings.some((binding) => roles.includes(binding.role) && binding.members.some((member) => identities.includes(member)));
}
function parseDuration(value) {
    if (typeof value !== 'string')
        return undefined;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
    return match ? Number(match[1]) : Number.NaN;
}
/** POST oauth2.googleapis.com/token with grant_type=jwt-bearer. */
function jwtBearer(context, form) {
    const { settings, serviceAccountKey, directory } = context;
    if (form['grant_type'] !== JWT_BEARER_GRANT)
        return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form['grant_type'] ?? ''));
    const decoded = decodeJwt(form['assertion'] ?? '');
    if (!decoded)
        return oauthError(400, 'invalid_grant', 'Invalid JWT: the assertion is not a JWT.');
    if (!verifyJwtSignature(decoded, [serviceAccountKey.publicJwk]))
        return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const claims = decoded.payload;
    if (String(claims['iss'] ?? '').toLowerCase() !== settings.serviceAccount.toLowerCase())
        return oauthError(400, 'invalid_grant', 'Invalid JWT: the issuer is not the service account that signed it.');
    if (claims['aud'] !== OAUTH2_TOKEN_AUDIENCE)
        return oauthError(400, 'invalid_grant', `Invalid JWT: the audience must be ${OAUTH2_TOKEN_AUDIENCE}.`);
    const now = nowInSeconds();
    const iat = claims['iat'];
    const exp = claims['exp'];
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= now || exp - iat > 3600 || iat > now + 300) {
        return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(/\s+/).filter(Boolean) : [];
    const subject = claims['sub'];
    if (typeof subject !== 'string' || subject.toLowerCase() === settings.serviceAccount.toLowerCase()) {
        const issued = context.tokens.issue({ kind: 'serviceAccount', email: settings.serviceAccount }, scopes, exp - now);
        return { status: 200, body: { access_token: issued.token, expires_in: exp - now, token_type: 'Bearer' } };
    }
    const grant = settings.domainWideDelegation.find((entry) => entry.clientId === settings.serviceAccountId);
    if (scopes.length === 0 || !grant || !scopes.every((scope) => grant.scopes.includes(scope))) {
        return oauthError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
    }
    const user = directory.findUser(subject);
    if (!user || user.suspended || user.primaryEmail.toLowerCase() !== subject.toLowerCase())
        return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
    const issued = context.tokens.issue({ kind: 'user', email: user.primaryEmail, viaServiceAccount: settings.serviceAccount }, scopes, exp - now);
    return { status: 200, body: { access_token: issued.token, expires_in: exp - now, token_type: 'Bearer' } };
}

class PerUserQuota {
    config;
    #windows = new Map();
    /** 'sliding': when each caller's admitted requests of the last window arrived, oldest first. */
    #admitted = new Map();
    #inFlight = new Map();
    constructor(config) {
        this.config = normalise(config);
    }
    reconfigure(config) {
        this.config = normalise(config);
        this.#windows.clear();
        this.#admitted.clear();
    }
    take(user, now = Date.now()) {
        const { perMinutePerUser, windowSeconds, answer, maxConcurrentPerUser } = this.config;
        const inFlight = this.#inFlight.get(user) ?? 0;
        if (maxConcurrentPerUser > 0 && inFlight >= maxConcurrentPerUser)
            return { allowed: false, reason: 'quotaExceeded' };
        if (!this.#admit(user, now, windowSeconds * 1000, perMinutePerUser))
            return { allowed: false, reason: answer };
        this.#inFlight.set(user, inFlight + 1);
        let released = false;
        return {
            allowed: true,
            release: () => {
                if (released)
                    return;
                released = true;
                const left = (this.#inFlight.get(user) ?? 1) - 1;
                if (left > 0)
                    this.#inFlight.set(user, left);
                else
                    this.#inFlight.delete(user);
            },
        };
    }
    /** Whether the quota admits one more request from `user` at `now` (and counts it). */
    #admit(user, now, windowMs, quota) {
        const alignment = this.config.windowAlignment;
        if (alignment === 'sliding') {
            // At most `quota` admitted in any `windowMs`; refusals are not counted (else a client probing
            // while refused would keep its own window closed).
            const admitted = this.#admitted.get(user) ?? [];
            this.#admitted.set(user, admitted);
            let expired = 0;
            while (expired < admitted.length && admitted[expired] <= now - windowMs)
                expired++;
            if (expired > 0)
                admitted.splice(0, expired);
            if (admitted.length >= quota)
                return false;
            admitted.push(now);
            return true;
        }
        let window = this.#windows.get(user);
        if (!window || now - window.start >= windowMs) {
            // 'first-request': windows follow each other from the caller's first request; 'clock': from
            // the epoch (the caller's first window is what is left of the current one).
            const start = alignment === 'clock' ? Math.floor(now / windowMs) * windowMs : window ? window.start + Math.floor((now - window.start) / windowMs) * windowMs : now;
            window = { start, count: 0 };
            this.#windows.set(user, window);
        }
        // Refused requests count in their window, but never carry into the next.
        window.count++;
        return window.count <= quota;
    }
}
const WINDOW_ALIGNMENTS = ['first-request', 'clock', 'sliding'];
function normalise(config) {
    if (!(config.perMinutePerUser >= 1))
        throw new Error('quota.perMinutePerUser must be at least 1.');
    const windowSeconds = config.windowSeconds ?? 60;
    if (!(windowSeconds > 0))
        throw new Error('quota.windowSeconds must be positive.');
    const answer = config.answer ?? 'userRateLimitExceeded';
    if (answer !== 'userRateLimitExceeded' && answer !== 'rateLimitExceeded')
        throw new Error("quota.answer must be 'userRateLimitExceeded' or 'rateLimitExceeded'.");
    const windowAlignment = config.windowAlignment ?? 'first-request';
    if (!WINDOW_ALIGNMENTS.includes(windowAlignment))
        throw new Error(`quota.windowAlignment must be one of ${WINDOW_ALIGNMENTS.map((a) => `'${a}'`).join(', ')}.`);
    return { perMinutePerUser: config.perMinutePerUser, windowSeconds, windowAlignment, answer, maxConcurrentPerUser: config.maxConcurrentPerUser ?? 0 };
}

// The Workspace domain's users and their photos, as the Directory API reads and writes them.
// Photos are kept as sent: Google documents that it downsizes every photo to 96x96, but the
// emulator imports no image library (only the photo layer does), so it reports the sent width
// and height and serves the sent bytes. A client must never expect its bytes back from real Google.
/** Google's user ids are 21-digit numbers; derived from the email so they are stable across runs. */
function googleIdFor(email) {
    const hex = createHash('sha256').update(`google:${email.toLowerCase()}`).digest('hex');
    return `1${BigInt(`0x${hex.slice(0, 24)}`).toString().padStart(20, '0').slice(0, 20)}`;
}
function toUser(seed) {
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
function googleSeedsFromDirectory(users) {
    return users.map((user) => ({
        primaryEmail: user.userPrincipalName,
        ...(user.givenName ? { givenName: user.givenName } : {}),
        ...(user.surname ? { familyName: user.surname } : {}),
        externalIds: user.employeeId ? [{ value: user.employeeId, type: 'organization' }] : [],
        isAdmin: user.userPrincipalName.toLowerCase() === DEFAULT_GOOGLE_ADMIN,
    }));
}
class GoogleDirectoryState {
    #seeds;
    #users = [];
    #photos = new Map();
    constructor(seeds) {
        this.#seeds = seeds;
        this.reset();
    }
    reset() {
        this.#users = [];
        this.#photos.clear();
        for (const seed of this.#seeds)
            this.addUser(seed);
    }
    get users() {
        return this.#users;
    }
    /** users.get's userKey: primary email, alias (either kind, case-insensitive) or id. */
    findUser(userKey) {
        const key = userKey.toLowerCase();
        return this.#users.find((user) => user.id === userKey || [user.primaryEmail, ...user.aliases, ...user.nonEditableAliases].some((address) => address.toLowerCase() === key));
    }
    addUser(seed) {
        const user = toUser(seed);
        if (this.findUser(user.primaryEmail) || this.findUser(user.id))
            throw new Error(`A Google user ${user.primaryEmail} (or id ${user.id}) exists already.`);
        for (const alias of [...user.aliases, ...user.nonEditableAliases])
            if (this.findUser(alias))
                throw new Error(`The address ${alias} is taken.`);
        this.#users.push(user);
        return user;
    }
    removeUser(user) {
        this.#users = this.#users.filter((candidate) => candidate !== user);
        this.#photos.delete(user.id);
    }
    getPhoto(userId) {
        return this.#photos.get(userId);
    }
    setPhoto(userId, photo) {
        const sha256 = createHash('sha256').update(photo.bytes).digest('hex');
        const stored = {
            ...photo,
            sha256,
            etag: `"${createHash('sha256').update(`${sha256}:${Date.now()}`).digest('base64url').slice(0, 27)}"`,
            photoId: `${userId.slice(-10)}${sha256.slice(0, 8)}`,
            updatedAt: new Date().toISOString(),
        };
        this.#photos.set(userId, stored);
        return stored;
    }
    deletePhoto(userId) {
        return this.#photos.delete(userId);
    }
    snapshot() {
        return this.#users.map((user) => {
            const photo = this.#photos.get(user.id);
            if (!photo)
                return { ...user, photo: null };
            const { bytes, ...rest } = photo;
            return { ...user, photo: { ...rest, byteLength: bytes.length } };
        });
    }
}

// Access tokens the emulated Google services issue. Like Google's (`ya29.…`) they are opaque:
// only the emulator can map one back to whom it stands for, so a client cannot read them.
/** Tokens live an hour at most; a bounded map so a long benchmark cannot grow it without end. */
const MAX_TOKENS = 50_000;
class GoogleTokenStore {
    #tokens = new Map();
    issue(subject, scopes, lifetimeSeconds) {
        const token = `ya29.${randomBytes(48).toString('base64url')}`;
        const expiresAt = Date.now() + lifetimeSeconds * 1000;
        this.#tokens.set(token, { subject, scopes, expiresAt });
        if (this.#tokens.size > MAX_TOKENS) {
            const oldest = this.#tokens.keys().next().value;
            if (oldest !== undefined)
                this.#tokens.delete(oldest);
        }
        return { token, expiresAt };
    }
    /** The token named by an `Authorization: Bearer` header, if known and not expired. */
    fromHeader(authorization) {
        if (!authorization?.startsWith('Bearer '))
            return undefined;
        const token = this.#tokens.get(authorization.slice('Bearer '.length).trim());
        if (!token || token.expiresAt <= Date.now())
            return undefined;
        return token;
    }
    clear() {
        this.#tokens.clear();
    }
}
/** Who a token's requests count against in the per-user quota. */
function quotaUserOf(subject) {
    return subject.kind === 'federated' ? subject.principal : subject.email.toLowerCase();
}

const DIRECTORY_BODY_LIMIT = 16 * 1024 * 1024;
const AUTH_BODY_LIMIT = 64 * 1024;
class GoogleService {
    endpoint;
    directory;
    tokens = new GoogleTokenStore();
    identity;
    directorySettings;
    faults;
    quota;
    #deps;
    #initial;
    constructor(deps, options = {}) {
        this.#deps = deps;
        this.endpoint = `${deps.origin}${GOOGLE_PATH}`;
        const projectNumber = options.projectNumber ?? DEFAULT_GOOGLE_PROJECT_NUMBER;
        const pool = options.pool ?? DEFAULT_GOOGLE_POOL;
        const provider = options.provider ?? DEFAULT_GOOGLE_PROVIDER;
        const serviceAccount = options.serviceAccount ?? DEFAULT_GOOGLE_SERVICE_ACCOUNT;
        const serviceAccountId = options.serviceAccountId ?? DEFAULT_GOOGLE_SERVICE_ACCOUNT_ID;
        const repositorySet = `principalSet://${poolPrincipalPrefix(projectNumber, pool)}/attribute.repository/${repositoryOf(deps.github)}`;
        this.identity = {
            projectNumber,
            pool,
            provider,
            allowedAudiences: [],
            attributeCondition: null,
            serviceAccount,
            serviceAccountId,
            bindings: [],
            domainWideDelegation: [],
        };
        this.directorySettings = { customerId: options.customerId ?? DEFAULT_GOOGLE_CUSTOMER_ID, serviceAccountIsAdmin: true, userPhotoOnUpdate: 'kept' };
        this.directory = new GoogleDirectoryState(options.users ?? deps.defaultUsers);
        this.faults = new FaultInjector(deps.random, (key) => this.directory.findUser(key)?.id);
        this.#initial = {
            attributeCondition: options.attributeCondition === undefined ? `assertion.repository == '${repositoryOf(deps.github)}'` : options.attributeCondition,
            allowedAudiences: options.allowedAudiences ?? [`https://iam.googleapis.com/${providerResourceName(projectNumber, pool, provider)}`],
            bindings: options.bindings ?? [
                { role: 'roles/iam.workloadIdentityUser', members: [repositorySet] },
                { role: 'roles/iam.serviceAccountTokenCreator', members: [repositorySet] },
            ],
            serviceAccountIsAdmin: options.serviceAccountIsAdmin ?? true,
            domainWideDelegation: options.domainWideDelegation ?? [{ clientId: serviceAccountId, scopes: [DIRECTORY_SCOPE] }],
            quota: options.quota === false ? null : (options.quota ?? DEFAULT_GOOGLE_QUOTA),
            userPhotoOnUpdate: options.userPhotoOnUpdate ?? 'kept',
            faults: options.faults ?? [],
        };
        this.applyConfig(this.#initial);
    }
    /** projects/N/locations/global/workloadIdentityPools/P/providers/X, as the action input takes it. */
    get workloadIdentityProvider() {
        return providerResourceName(this.identity.projectNumber, this.identity.pool, this.identity.provider);
    }
    config() {
        return {
            attributeCondition: this.identity.attributeCondition?.source ?? null,
            allowedAudiences: [...this.identity.allowedAudiences],
            bindings: this.identity.bindings.map((binding) => ({ role: binding.role, members: [...binding.members] })),
            serviceAccountIsAdmin: this.directorySettings.serviceAccountIsAdmin,
            domainWideDelegation: this.identity.domainWideDelegation.map((grant) => ({ clientId: grant.clientId, scopes: [...grant.scopes] })),
            quota: this.quota ? { ...this.quota.config } : null,
            userPhotoOnUpdate: this.directorySettings.userPhotoOnUpdate,
            faults: this.faults.rules,
        };
    }
    /** Changes only the keys given; throws (→ 400) on an invalid value, before changing anything it validates. */
    applyConfig(patch) {
        const condition = patch.attributeCondition === undefined ? undefined : patch.attributeCondition === null ? null : parseAttributeCondition(patch.attributeCondition);
        if (patch.userPhotoOnUpdate !== undefined && patch.userPhotoOnUpdate !== 'kept' && patch.userPhotoOnUpdate !== 'replaced') {
            throw new Error("userPhotoOnUpdate must be 'kept' or 'replaced'.");
        }
        if (patch.faults !== undefined)
            this.faults.setRules(patch.faults);
        if (patch.quota !== undefined) {
            if (patch.quota === null || patch.quota === false)
                this.quota = undefined;
            else if (this.quota)
                this.quota.reconfigure({ ...this.quota.config, ...patch.quota });
            else
                this.quota = new PerUserQuota({ ...DEFAULT_GOOGLE_QUOTA, ...patch.quota });
        }
        if (condition !== undefined)
            this.identity.attributeCondition = condition;
        if (patch.allowedAudiences !== undefined)
            this.identity.allowedAudiences = [...patch.allowedAudiences];
        if (patch.bindings !== undefined)
            this.identity.bindings = patch.bindings.map((binding) => ({ role: binding.role, members: [...binding.members] }));
        if (patch.domainWideDelegation !== undefined)
            this.identity.domainWideDelegation = patch.domainWideDelegation.map((grant) => ({ clientId: grant.clientId, scopes: [...grant.scopes] }));
        if (patch.serviceAccountIsAdmin !== undefined)
            this.directorySettings.serviceAccountIsAdmin = patch.serviceAccountIsAdmin;
        if (patch.userPhotoOnUpdate !== undefined)
            this.directorySettings.userPhotoOnUpdate = patch.userPhotoOnUpdate;
        return this.config();
    }
    /** Users and photos as seeded, the knobs as started. Issued tokens stay valid. */
    reset() {
        this.directory.reset();
        this.applyConfig({ ...this.#initial, quota: this.#initial.quota ?? null });
    }
    async handle(request, response, url, note) {
        const path = url.pathname.slice(GOOGLE_PATH.length);
        const method = (request.method ?? 'GET').toUpperCase();
        const headers = flatHeaders(request);
        const isDirectory = path.startsWith('/admin/');
        const { body, tooLarge } = await readBody(request, isDirectory ? DIRECTORY_BODY_LIMIT : AUTH_BODY_LIMIT);
        // Directory calls wait inside their quota slot (so requests in flight are really in flight).
        if (!isDirectory)
            await this.#deps.delays.wait(this.#deps.latencyMs());
        const finish = (answer) => {
            note({
                ...(answer.userId ? { userId: answer.userId } : {}),
                ...(answer.errorCode ? { errorCode: answer.errorCode } : {}),
                ...(answer.fault ? { fault: answer.fault } : {}),
                ...(answer.throttled ? { throttled: true } : {}),
            });
            writeAnswer(response, answer);
        };
        if (tooLarge) {
            finish(apiError(413, 'uploadTooLarge', 'The request is too large.'));
            return;
        }
        if (method === 'POST' && path === '/sts/v1/token') {
            finish(exchangeToken(this.#identityContext(), parseBody(body, headers['content-type'])));
        }
        else if (method === 'POST' && path.startsWith('/iamcredentials/')) {
            finish(serviceAccountCredentials(this.#identityContext(), path.slice('/iamcredentials'.length), headers['authorization'], parseJson(body)));
        }
        else if (method === 'POST' && path === '/oauth2/token') {
            finish(jwtBearer(this.#identityContext(), parseBody(body, headers['content-type'])));
        }
        else if (isDirectory) {
            await this.#serveDirectory(method, path.slice('/admin'.length), url.searchParams, headers['authorization'], body, finish, () => {
                note({ reset: true });
                request.socket.destroy();
            });
        }
        else {
            finish(oauthError(404, 'not_found', `Nothing is served at ${url.pathname}.`));
        }
    }
    async #serveDirectory(method, path, query, authorization, body, finish, reset) {
        const token = this.tokens.fromHeader(authorization);
        const refused = authorize(token, method, this.directory, this.directorySettings);
        if (refused || !token) {
            finish(refused ?? apiError(401, 'authError', 'Invalid Credentials'));
            return;
        }
        const key = userKeyOf(path);
        const userId = key === undefined ? undefined : this.directory.findUser(key)?.id;
        const rule = this.faults.match({ method, path, ...(userId ? { userId } : {}) });
        if (rule?.effect === 'reset') {
            reset();
            return;
        }
        if (rule?.effect === 'delay')
            await this.#deps.delays.wait(rule.delayMs ?? 1000);
        if (rule?.effect === 'status') {
            const status = rule.status ?? 503;
            const reason = rule.code ?? (status === 503 ? 'backendError' : 'internalError');
            const answer = apiError(status, reason, rule.message ?? (reason === 'backendError' ? 'Backend Error' : 'Internal Error'));
            finish({ ...answer, fault: rule.id ?? 'fault', ...(userId ? { userId } : {}) });
            return;
        }
        const decision = this.quota?.take(quotaUserOf(token.subject));
        if (decision && !decision.allowed) {
            const answer = decision.reason === 'rateLimitExceeded'
                ? apiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits')
                : decision.reason === 'quotaExceeded'
                    ? apiError(403, 'quotaExceeded', 'Quota exceeded: too many concurrent requests for this user.', 'usageLimits')
                    : apiError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits');
            finish({ ...answer, throttled: true, ...(userId ? { userId } : {}) });
            return;
        }
        try {
            await this.#deps.delays.wait(this.#deps.latencyMs());
            finish(serveDirectory({ method, path, query, token, body }, this.directory, this.directorySettings));
        }
        finally {
            if (decision?.allowed)
                decision.release();
        }
    }
    #identityContext() {
        return { github: this.#deps.github, tokens: this.tokens, directory: this.directory, serviceAccountKey: this.#deps.serviceAccountKey, settings: this.identity };
    }
}
function repositoryOf(github) {
    const context = github.defaultContext;
    if ('claims' in context)
        return String(context.claims['repository'] ?? 'contoso/photos');
    return context.repository ?? 'contoso/photos';
}
function parseJson(body) {
    try {
        return body.length ? JSON.parse(body.toString('utf8')) : {};
    }
    catch {
        return undefined;
    }
}
/** A JSON object or a form, as strings. */
function parseBody(body, contentType) {
    if (contentType?.includes('application/json')) {
        const parsed = parseJson(body);
        if (!isRecord(parsed))
            return {};
        return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
    }
    return Object.fromEntries(parseFormBody(body));
}

// JSON batching: POST /{version}/$batch with up to 20 requests. Each sub-request runs the
// whole pipeline on its own (auth, throttling, faults, handler), so a batch does not raise
// the throttling ceiling. Binary bodies travel base64-encoded both ways; JSON stays JSON.
// Requests run in order; one whose dependsOn failed gets 424.
const MAX_BATCH_REQUESTS = 20;
function isJsonContentType(contentType) {
    return !contentType || /^application\/(?:[\w.+-]+\+)?json/i.test(contentType);
}
function parseBatch(call) {
    let payload;
    try {
        payload = JSON.parse(call.body.toString('utf8'));
    }
    catch {
        return badRequest(call, 'Invalid batch payload format.');
    }
    const requests = payload.requests;
    if (!Array.isArray(requests) || requests.length === 0)
        return badRequest(call, 'Invalid batch payload format.');
    if (requests.length > MAX_BATCH_REQUESTS) {
        return badRequest(call, `The number of requests in a batch (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
    }
    const ids = new Set();
    for (const request of requests) {
        if (typeof request?.id !== 'string' || typeof request.method !== 'string' || typeof request.url !== 'string') {
            return badRequest(call, "Each batch request needs string 'id', 'method' and 'url' properties.");
        }
        if (ids.has(request.id))
            return badRequest(call, `Batch request id '${request.id}' is not unique.`);
        ids.add(request.id);
    }
    return requests;
}
/** Turns one batch entry into a GraphCall; a GraphResult when the entry cannot be run. */
function toSubCall(parent, request, subRequestId) {
    if (/^https?:/i.test(request.url) || /\$batch/i.test(request.url)) {
        return badRequest(parent, 'Batch request urls must be relative to the version root and cannot nest $batch.');
    }
    const relative = request.url.startsWith('/') ? request.url : `/${request.url}`;
    const url = new URL(relative, 'https://graph.invalid');
    const headers = {};
    for (const [name, value] of Object.entries(request.headers ?? {}))
        headers[name.toLowerCase()] = String(value);
    let body = Buffer.alloc(0);
    if (request.body !== undefined && request.body !== null) {
        if (typeof request.body === 'string' && !isJsonContentType(headers['content-type'])) {
            body = Buffer.from(request.body, 'base64'); // binary bodies (a photo) are base64 in the batch
        }
        else {
            body = Buffer.from(typeof request.body === 'string' ? request.body : JSON.stringify(request.body));
            headers['content-type'] ??= 'application/json';
        }
    }
    const authorization = parent.headers['authorization'];
    if (authorization !== undefined)
        headers['authorization'] = authorization;
    return {
        method: request.method.toUpperCase(),
        version: parent.version,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body,
        requestId: subRequestId,
        batchRequestId: request.id,
    };
}
function toBatchResponse(id, result) {
    const headers = { ...(result.headers ?? {}) };
    const response = { id, status: result.status, headers };
    if (result.json !== undefined) {
        headers['Content-Type'] ??= 'application/json';
        response.body = result.json;
    }
    else if (result.bytes !== undefined) {
        response.body = result.bytes.toString('base64');
    }
    return response;
}
async function executeBatch(call, runSubCall, newRequestId) {
    if (call.method.toUpperCase() !== 'POST')
        return graphError(call, 405, 'BadRequest', 'Only POST is allowed on $batch.');
    if (call.body.length > MAX_PHOTO_BYTES) {
        return graphError(call, 413, 'RequestEntityTooLarge', `The batch payload exceeds the 4 MB limit (${MAX_PHOTO_BYTES} bytes).`);
    }
    const requests = parseBatch(call);
    if (!Array.isArray(requests))
        return requests;
    const statusById = new Map();
    const responses = [];
    for (const request of requests) {
        const failedDependency = (request.dependsOn ?? []).find((id) => {
            const status = statusById.get(id);
            return status === undefined || status >= 400;
        });
        let result;
        if (failedDependency !== undefined) {
            result = graphError(call, 424, 'FailedDependency', `The request depends on '${failedDependency}', which failed or has not run.`);
        }
        else {
            const subCall = toSubCall(call, request, newRequestId());
            result = 'status' in subCall ? subCall : await runSubCall(subCall);
        }
        statusById.set(request.id, result.status);
        responses.push(toBatchResponse(request.id, result));
    }
    return { status: 200, json: { responses } };
}

// The slice of OData $filter the emulator understands: equality on a few string properties,
// `in (...)`, joined with `or`. String literals use single quotes, a quote inside doubled
// ('O''Brien'). Anything else is refused the way Graph refuses an unsupported query.
function tokenize(filter) {
    const tokens = [];
    let index = 0;
    while (index < filter.length) {
        const char = filter[index] ?? '';
        if (/\s/.test(char)) {
            index++;
        }
        else if (char === "'") {
            let text = '';
            index++;
            for (;;) {
                if (index >= filter.length)
                    return undefined; // unterminated literal
                const current = filter[index] ?? '';
                if (current === "'") {
                    if (filter[index + 1] === "'") {
                        text += "'";
                        index += 2;
                        continue;
                    }
                    index++;
                    break;
                }
                text += current;
                index++;
            }
            tokens.push({ kind: 'string', text });
        }
        else if (char === '(' || char === ')' || char === ',') {
            tokens.push({ kind: 'punct', text: char });
            index++;
        }
        else {
            const word = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(filter.slice(index))?.[0];
            if (!word)
                return undefined;
            tokens.push({ kind: 'word', text: word });
            index += word.length;
        }
    }
    return tokens;
}
/** Parses `a eq 'x' or b in ('y','z')` into clauses (any one matching selects the item). */
function parseEqualityFilter(filter, allowedProperties) {
    const tokens = tokenize(filter);
    if (!tokens || tokens.length === 0)
        return undefined;
    const clauses = [];
    let position = 0;
    const next = () => tokens[position++];
    for (;;) {
        const property = next();
        const operator = next();
        if (property?.kind !== 'word' || operator?.kind !== 'word')
            return undefined;
        const canonical = allowedProperties.find((name) => name.toLowerCase() === property.text.toLowerCase());
        if (!canonical)
            return undefined;
        const op = operator.text.toLowerCase();
        if (op === 'eq') {
            const value = next();
            if (value?.kind !== 'string')
                return undefined;
            clauses.push({ property: canonical, values: [value.text] });
        }
        else if (op === 'in') {
            if (next()?.text !== '(')
                return undefined;
            const values = [];
            for (;;) {
                const value = next();
                if (value?.kind !== 'string')
                    return undefined;
                values.push(value.text);
                const separator = next();
                if (separator?.text === ')')
                    break;
                if (separator?.text !== ',')
                    return undefined;
            }
            clauses.push({ property: canonical, values });
        }
        else {
            return undefined;
        }
        const joiner = next();
        if (joiner === undefined)
            return clauses;
        if (joiner.kind !== 'word' || joiner.text.toLowerCase() !== 'or')
            return undefined;
    }
}

// The app's own directory objects: its service principal (GET /servicePrincipals(appId='…'),
// /servicePrincipals/{id}, /servicePrincipals?$filter=appId eq '…') and the directory role
// assignments of that principal (GET /roleManagement/directory/roleAssignments?$filter=
// principalId eq '…'), which is how apply checks it will not lock itself out.
function servicePrincipal(context) {
    const { state } = context;
    return {
        id: state.servicePrincipalId,
        appId: state.clientId,
        appDisplayName: 'entra-photos',
        displayName: 'entra-photos',
        accountEnabled: true,
        servicePrincipalType: 'Application',
        appOwnerOrganizationId: state.tenantId,
        servicePrincipalNames: [state.clientId],
        appRoles: [],
        tags: [],
    };
}
function getServicePrincipal(context, call, identity, by) {
    if (!hasAnyRole(identity, PERMISSIONS.readServicePrincipals))
        return insufficientPrivileges(call);
    const { state } = context;
    const found = by.appId !== undefined ? by.appId.toLowerCase() === state.clientId.toLowerCase() : by.id?.toLowerCase() === state.servicePrincipalId.toLowerCase();
    if (!found)
        return resourceNotFound(call, by.appId ?? by.id ?? '');
    return {
        status: 200,
        json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#servicePrincipals/$entity`, ...servicePrincipal(context) },
    };
}
function listServicePrincipals(context, call, identity) {
    if (!hasAnyRole(identity, PERMISSIONS.readServicePrincipals))
        return insufficientPrivileges(call);
    const filter = call.query.get('$filter');
    let include = true;
    if (filter) {
        const clauses = parseEqualityFilter(filter, ['appId', 'id', 'displayName']);
        if (!clauses)
            return unsupportedQuery(call);
        const sp = servicePrincipal(context);
        include = clauses.some(({ property, values }) => values.some((value) => String(sp[property]).toLowerCase() === value.toLowerCase()));
    }
    return {
        status: 200,
        json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#servicePrincipals`, value: include ? [servicePrincipal(context)] : [] },
    };
}
/** Built-in roles: the role definition id is the role template id. */
function roleAssignment(context, roleTemplateId, expandDefinition) {
    const principalId = context.state.servicePrincipalId;
    const id = `${Buffer.from(roleTemplateId.replaceAll('-', ''), 'hex').toString('base64url')}${Buffer.from(principalId.replaceAll('-', ''), 'hex').toString('base64url')}-1`;
    const assignment = { id, principalId, roleDefinitionId: roleTemplateId, directoryScopeId: '/' };
    if (expandDefinition) {
        assignment['roleDefinition'] = {
            id: roleTemplateId,
            templateId: roleTemplateId,
            displayName: ROLE_DISPLAY_NAMES[roleTemplateId] ?? 'Directory role',
            isBuiltIn: true,
            isEnabled: true,
        };
    }
    return assignment;
}
function listRoleAssignments(context, call, identity) {
    if (!hasAnyRole(identity, PERMISSIONS.readRoleAssignments))
        return insufficientPrivileges(call);
    const expand = (call.query.get('$expand') ?? '').split(',').map((part) => part.trim().toLowerCase());
    let assignments = context.state.directoryRoles.map((role) => roleAssignment(context, role.toLowerCase(), expand.includes('roledefinition')));
    const filter = call.query.get('$filter');
    if (filter) {
        const clauses = parseEqualityFilter(filter, ['principalId', 'roleDefinitionId', 'directoryScopeId']);
        if (!clauses)
            return unsupportedQuery(call);
        assignments = assignments.filter((assignment) => clauses.some(({ property, values }) => values.some((value) => String(assignment[property]).toLowerCase() === value.toLowerCase())));
    }
    return {
        status: 200,
        json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#roleManagement/directory/roleAssignments`, value: assignments },
    };
}

const DEFAULT_PROPERTIES = [
    'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone',
    'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];
const SELECTABLE_PROPERTIES = [...DEFAULT_PROPERTIES, 'employeeId', 'accountEnabled', 'deletedDateTime'];
const FILTERABLE_PROPERTIES = ['id', 'userPrincipalName', 'mail', 'employeeId', 'displayName'];
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;
function allProperties(user) {
    return {
        businessPhones: [],
        displayName: user.displayName,
        givenName: user.givenName,
        jobTitle: user.jobTitle,
        mail: user.mail,
        mobilePhone: null,
        officeLocation: null,
        preferredLanguage: null,
        surname: user.surname,
        userPrincipalName: user.userPrincipalName,
        id: user.id,
        employeeId: user.employeeId,
        accountEnabled: user.accountEnabled,
        deletedDateTime: user.deletedDateTime ?? null,
    };
}
/** Parses $select into canonical property names; a GraphResult when a name is unknown. */
function parseSelect(call) {
    const select = call.query.get('$select');
    if (!select)
        return DEFAULT_PROPERTIES;
    const selected = [];
    for (const raw of select.split(',').map((name) => name.trim()).filter(Boolean)) {
        const canonical = SELECTABLE_PROPERTIES.find((name) => name.toLowerCase() === raw.toLowerCase());
        if (!canonical) {
            return graphError(call, 400, 'Request_BadRequest', `Could not find a property named '${raw}' on type 'microsoft.graph.user'.`);
        }
        selected.push(canonical);
    }
    return selected;
}
function project$1(user, properties) {
    const all = allProperties(user);
    return Object.fromEntries(properties.map((name) => [name, all[name]]));
}
function contextUrl(context, call, suffix) {
    return `${context.graphUrl}/${call.version}/$metadata#${suffix}`;
}
/** GET /users, or (with `scope`) a group's members listed the same way (paging, $select, $filter). */
function listUsers(context, call, identity, scope) {
    if (!hasAnyRole(identity, scope?.permissions ?? PERMISSIONS.readUsers))
        return insufficientPrivileges(call);
    const properties = parseSelect(call);
    if (!Array.isArray(properties))
        return properties;
    let users = scope?.users ?? context.state.users;
    const filter = call.query.get('$filter');
    if (filter) {
        const clauses = parseEqualityFilter(filter, FILTERABLE_PROPERTIES);
        if (!clauses)
            return unsupportedQuery(call);
        users = users.filter((user) => {
            const values = allProperties(user);
            return clauses.some(({ property, values: wanted }) => {
                const actual = values[property];
                return typeof actual === 'string' && wanted.some((value) => value.toLowerCase() === actual.toLowerCase());
            });
        });
    }
    const topParameter = call.query.get('$top');
    const top = topParameter === null ? DEFAULT_PAGE_SIZE : Number(topParameter);
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
        return badRequest(call, `Invalid page size specified: '${topParameter}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`, 'Request_UnsupportedQuery');
    }
    const skipToken = call.query.get('$skiptoken');
    const offset = skipToken ? Number(Buffer.from(skipToken, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0)
        return badRequest(call, 'Invalid $skiptoken.', 'Request_BadRequest');
    const page = users.slice(offset, offset + top);
    const selectSuffix = call.query.get('$select') ? `(${properties.join(',')})` : '';
    const body = { '@odata.context': contextUrl(context, call, `${scope?.collection ?? 'users'}${selectSuffix}`) };
    if (call.query.get('$count') === 'true')
        body['@odata.count'] = users.length;
    if (offset + top < users.length) {
        const nextQuery = new URLSearchParams(call.query);
        nextQuery.set('$skiptoken', Buffer.from(String(offset + top)).toString('base64url'));
        body['@odata.nextLink'] = `${context.graphUrl}/${call.version}${scope ? call.path : '/users'}?${nextQuery.toString()}`;
    }
    body['value'] = page.map((user) => project$1(user, properties));
    return { status: 200, json: body };
}
function getUser(context, call, identity, key) {
    if (!hasAnyRole(identity, PERMISSIONS.readUsers))
        return insufficientPrivileges(call);
    const user = context.state.findUser(key);
    if (!user)
        return resourceNotFound(call, key);
    const properties = parseSelect(call);
    if (!Array.isArray(properties))
        return properties;
    return {
        status: 200,
        userId: user.id,
        json: { '@odata.context': contextUrl(context, call, 'users/$entity'), ...project$1(user, properties) },
    };
}

function project(group, call) {
    const all = {
        id: group.id,
        displayName: group.displayName,
        mail: group.mail,
        mailNickname: group.mailNickname,
        securityEnabled: !group.unified,
        mailEnabled: group.unified || group.mail !== null,
        groupTypes: group.unified ? ['Unified'] : [],
    };
    const select = call.query.get('$select');
    if (!select)
        return all;
    return Object.fromEntries(select.split(',').map((name) => name.trim()).filter((name) => name in all).map((name) => [name, all[name]]));
}
function listGroups(context, call, identity) {
    if (!hasAnyRole(identity, PERMISSIONS.readGroupMembers))
        return insufficientPrivileges(call);
    let groups = context.state.groups;
    const filter = call.query.get('$filter');
    if (filter) {
        const clauses = parseEqualityFilter(filter, ['id', 'displayName', 'mail', 'mailNickname']);
        if (!clauses)
            return unsupportedQuery(call);
        const valueOf = (group, property) => property === 'id' ? group.id : property === 'mail' ? group.mail : property === 'mailNickname' ? group.mailNickname : group.displayName;
        groups = groups.filter((group) => clauses.some(({ property, values }) => values.some((value) => valueOf(group, property)?.toLowerCase() === value.toLowerCase())));
    }
    return { status: 200, json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#groups`, value: groups.map((group) => project(group, call)) } };
}
function getGroup(context, call, identity, id) {
    if (!hasAnyRole(identity, PERMISSIONS.readGroupMembers))
        return insufficientPrivileges(call);
    const group = context.state.findGroup(id);
    if (!group)
        return resourceNotFound(call, id);
    return { status: 200, json: { '@odata.context': `${context.graphUrl}/${call.version}/$metadata#groups/$entity`, ...project(group, call) } };
}
/** True when the call carries both advanced query parameters. */
function hasAdvancedQueryParameters(call) {
    return (call.headers['consistencylevel'] ?? '').trim().toLowerCase() === 'eventual' && (call.query.get('$count') ?? '').toLowerCase() === 'true';
}
function listGroupMembers(context, call, identity, id, options = {}) {
    if (!hasAnyRole(identity, PERMISSIONS.readGroupMembers))
        return insufficientPrivileges(call);
    const group = context.state.findGroup(id);
    if (!group)
        return resourceNotFound(call, id);
    if (options.cast !== undefined && !hasAdvancedQueryParameters(call)) {
        // Worded like the documented answer for another advanced-only query (endsWith).
        return unsupportedQuery(call, `OData cast '${options.cast}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`);
    }
    const users = group.memberIds.map((memberId) => context.state.findUser(memberId)).filter((user) => user !== undefined);
    return listUsers(context, call, identity, { users, permissions: PERMISSIONS.readGroupMembers, collection: 'directoryObjects' });
}

const GROUP_PHOTO_PERMISSIONS = Object.freeze({
    read: ['ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    write: ['ProfilePhoto.ReadWrite.All', 'Group.ReadWrite.All'],
});
function lookup(context, call, identity, id, permissions) {
    if (!hasAnyRole(identity, permissions))
        return { result: insufficientPrivileges(call) };
    const group = context.state.findGroup(id);
    return group ? { group } : { result: resourceNotFound(call, id) };
}
/**
 * The group a photo write (PUT, PATCH, DELETE) may change, or the refusal: the write permissions,
 * then, when the tenant plays the older behaviour, the documented refusal of an app-only write.
 */
function lookupForWrite(context, call, identity, id) {
    const found = lookup(context, call, identity, id, GROUP_PHOTO_PERMISSIONS.write);
    if ('result' in found || identity.user || context.state.groupPhotoAppOnly !== 'refused')
        return found;
    const refusal = graphError(call, 403, 'AppOnlyTokenNotSupportedForGroupUpdate', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ProfileAccessDeniedException' was thrown.");
    return { result: { ...refusal, userId: found.group.id } };
}
function getGroupPhotoMetadata(context, call, identity, id) {
    const found = lookup(context, call, identity, id, GROUP_PHOTO_PERMISSIONS.read);
    if ('result' in found)
        return found.result;
    const photo = context.state.getPhoto(found.group.id);
    if (!photo)
        return { ...imageNotFound(call), userId: found.group.id };
    return { status: 200, userId: found.group.id, json: photoMetadata(context, call, `groups('${found.group.id}')`, photo.width, photo.height, photo.mediaEtag) };
}
function getGroupPhotoValue(context, call, identity, id) {
    const found = lookup(context, call, identity, id, GROUP_PHOTO_PERMISSIONS.read);
    if ('result' in found)
        return found.result;
    const photo = context.state.getPhoto(found.group.id);
    if (!photo)
        return { ...imageNotFound(call), userId: found.group.id };
    return { status: 200, userId: found.group.id, bytes: photo.bytes, headers: { 'Content-Type': photo.contentType, ETag: photo.mediaEtag } };
}
function putGroupPhoto(context, call, identity, id) {
    const found = lookupForWrite(context, call, identity, id);
    if ('result' in found)
        return found.result;
    const groupId = found.group.id;
    const upload = readPhotoUpload(call);
    if ('result' in upload)
        return { ...upload.result, userId: groupId };
    context.state.setPhoto(groupId, upload.photo);
    return { status: 200, userId: groupId };
}
function deleteGroupPhoto(context, call, identity, id) {
    const found = lookupForWrite(context, call, identity, id);
    if ('result' in found)
        return found.result;
    const groupId = found.group.id;
    if (!context.state.deletePhoto(groupId))
        return { ...imageNotFound(call), userId: groupId };
    return { status: 204, userId: groupId };
}

// Maps a Graph path to its handler. Paths are matched on percent-decoded segments, so
// /users/ada%40contoso.edu/photo/%24value and /users/ada@contoso.edu/photo/$value are the same.
function pathSegments(path) {
    return path
        .split('/')
        .filter(Boolean)
        .map((segment) => {
        try {
            return decodeURIComponent(segment);
        }
        catch {
            return segment;
        }
    });
}
/** The user a path targets (/users/{key}/...), for logging and fault rules. */
function targetUserKey(path) {
    const [collection, key] = pathSegments(path);
    return collection?.toLowerCase() === 'users' && key ? key : undefined;
}
/** The group a path targets (/groups/{id}/...): its photo requests are throttled and logged like a user's. */
function targetGroupKey(path) {
    const [collection, key] = pathSegments(path);
    return collection?.toLowerCase() === 'groups' && key ? key : undefined;
}
/**
 * "A service principal can retrieve its own application and service principal details without
 * being granted any application permissions" (learn.microsoft.com/graph/api/serviceprincipal-get).
 * The caller reading its own service principal is let through as if it held Application.Read.All;
 * any other service principal still needs one of the permissions.
 */
function selfRead(identity, by) {
    const self = (by.appId !== undefined && by.appId.toLowerCase() === identity.appId.toLowerCase()) ||
        (by.id !== undefined && by.id.toLowerCase() === identity.servicePrincipalId.toLowerCase());
    return self ? { ...identity, roles: [...identity.roles, PERMISSIONS.readServicePrincipals[0]] } : identity;
}
function route$1(context, call, identity) {
    const segments = pathSegments(call.path);
    const method = call.method.toUpperCase();
    const [first = '', second, third, fourth, fifth] = segments;
    const lowerFirst = first.toLowerCase();
    if (lowerFirst === 'users') {
        if (second === undefined)
            return method === 'GET' ? listUsers(context, call, identity) : methodNotAllowed(call);
        if (third === undefined)
            return method === 'GET' ? getUser(context, call, identity, second) : methodNotAllowed(call);
        if (third === 'photo' && fourth === undefined) {
            return method === 'GET' ? getPhotoMetadata(context, call, identity, second) : methodNotAllowed(call);
        }
        if (third === 'photo' && fourth === '$value' && fifth === undefined) {
            if (method === 'GET')
                return getPhotoValue(context, call, identity, second);
            if (method === 'PUT' || method === 'PATCH')
                return putPhoto(context, call, identity, second);
            if (method === 'DELETE')
                return deletePhoto(context, call, identity, second);
            return methodNotAllowed(call);
        }
        if (third === 'photos' && method === 'GET') {
            if (fourth === undefined)
                return listPhotoSizes(context, call, identity, second);
            if (fifth === undefined || fifth === '$value')
                return getPhotoSize(context, call, identity, second, fourth, fifth === '$value');
        }
        return noRoute(call);
    }
    if (lowerFirst === 'groups') {
        if (second !== undefined && third === 'photo' && fourth === undefined) {
            return method === 'GET' ? getGroupPhotoMetadata(context, call, identity, second) : methodNotAllowed(call);
        }
        if (second !== undefined && third === 'photo' && fourth === '$value' && fifth === undefined) {
            if (method === 'GET')
                return getGroupPhotoValue(context, call, identity, second);
            if (method === 'PUT' || method === 'PATCH')
                return putGroupPhoto(context, call, identity, second);
            if (method === 'DELETE')
                return deleteGroupPhoto(context, call, identity, second);
            return methodNotAllowed(call);
        }
        if (method !== 'GET')
            return methodNotAllowed(call);
        if (second === undefined)
            return listGroups(context, call, identity);
        if (third === undefined)
            return getGroup(context, call, identity, second);
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
        if (call.version !== 'beta')
            return noRoute({ ...call, path: '/photoUpdateSettings' });
        if (method === 'GET')
            return getPhotoUpdateSettings(context, call, identity);
        if (method === 'PATCH')
            return updatePhotoUpdateSettings(context, call, identity);
        return methodNotAllowed(call);
    }
    const byAppId = /^servicePrincipals\(appId='([^']*)'\)$/i.exec(first);
    if (byAppId && second === undefined) {
        const by = { appId: byAppId[1] ?? '' };
        return method === 'GET' ? getServicePrincipal(context, call, selfRead(identity, by), by) : methodNotAllowed(call);
    }
    if (lowerFirst === 'serviceprincipals') {
        if (second === undefined)
            return method === 'GET' ? listServicePrincipals(context, call, identity) : methodNotAllowed(call);
        if (third === undefined)
            return method === 'GET' ? getServicePrincipal(context, call, selfRead(identity, { id: second }), { id: second }) : methodNotAllowed(call);
    }
    if (lowerFirst === 'rolemanagement' && second === 'directory' && third === 'roleAssignments' && fourth === undefined) {
        return method === 'GET' ? listRoleAssignments(context, call, identity) : methodNotAllowed(call);
    }
    return noRoute(call);
}

// The Graph pipeline every request (and every $batch sub-request) goes through, in order:
//   1. authentication: the bearer token Entra issued (401 InvalidAuthenticationToken)
//   2. throttling: the app+tenant token bucket (429 TooManyRequests + Retry-After)
//   3. injected faults: error status, connection reset, or delay
//   4. the handler, which checks the token's roles (403 Authorization_RequestDenied) and
//      the tenant's rules.
const FAULT_CODES = { 503: 'serviceNotAvailable' };
class GraphService {
    #deps;
    #context;
    bucket;
    constructor(deps) {
        this.#deps = deps;
        this.bucket = deps.bucket;
        this.#context = { state: deps.state, graphUrl: deps.graphUrl };
    }
    /** 429 for a request refused by the throttle, with Graph's headers and body. */
    throttled(call, retryAfterSeconds, reason, limit) {
        const { state } = this.#deps;
        return {
            ...graphError(call, 429, 'TooManyRequests', 'Too many requests. Please retry after the time given in the Retry-After header.', {
                'Retry-After': formatRetryAfter(retryAfterSeconds),
                'x-ms-throttle-scope': `Tenant_Application/${limit}/${state.clientId}/${state.tenantId}`,
                'x-ms-throttle-information': reason,
            }),
            throttled: true,
        };
    }
    async execute(call) {
        const result = await this.#execute(call);
        const headers = { 'x-ms-resource-unit': '1', ...(result.headers ?? {}) };
        const usage = this.bucket?.usage() ?? 0;
        // Graph sends this only past 80% of the limit; the value runs from 0.8 to 1.8.
        if (usage > 0.8 && result.status !== 429)
            headers['x-ms-throttle-limit-percentage'] = usage.toFixed(2);
        return { ...result, headers };
    }
    async #execute(call) {
        const { entra, state, faults, delays } = this.#deps;
        const auth = entra.verifyAccessToken(call.headers['authorization']);
        if (!auth.ok)
            return graphError(call, 401, 'InvalidAuthenticationToken', auth.message, { 'WWW-Authenticate': 'Bearer realm=""' });
        const isBatch = pathSegments(call.path)[0] === '$batch';
        const userKey = targetUserKey(call.path);
        const groupKey = targetGroupKey(call.path);
        // A group is a subject like a user: its photo writes count against the same per-subject limits.
        const userId = userKey !== undefined ? state.findUser(userKey)?.id : groupKey !== undefined ? state.findGroup(groupKey)?.id : undefined;
        const withUser = (result) => (userId && !result.userId ? { ...result, userId } : result);
        if (!isBatch && this.bucket) {
            const { appliesTo } = this.bucket.config;
            if (appliesTo === 'all' || isWriteMethod(call.method)) {
                const decision = this.bucket.take({ userId });
                if (!decision.allowed) {
                    return withUser(this.throttled(call, decision.retryAfterSeconds, decision.reason, appliesTo === 'writes' ? 'Write' : 'ReadWrite'));
                }
            }
        }
        if (!isBatch) {
            const fault = faults.match({ method: call.method, path: `/${call.version}${call.path}`, userId });
            if (fault?.effect === 'reset') {
                // A connection cannot be reset under a $batch; the sub-request is answered as a 502 instead.
                if (call.batchRequestId === undefined)
                    return withUser({ status: 0, reset: true, fault: fault.id });
                return withUser({ ...graphError(call, 502, 'generalException', 'Injected fault: connection reset.'), fault: fault.id });
            }
            if (fault?.effect === 'delay') {
                await delays.wait(fault.delayMs ?? 1000);
            }
            else if (fault) {
                const status = fault.status ?? 503;
                const headers = {};
                if (fault.retryAfterSeconds !== undefined)
                    headers['Retry-After'] = formatRetryAfter(fault.retryAfterSeconds);
                const error = graphError(call, status, fault.code ?? FAULT_CODES[status] ?? 'generalException', fault.message ?? 'Injected fault.', headers);
                return withUser({ ...error, fault: fault.id });
            }
        }
        if (isBatch) {
            return executeBatch(call, (subCall) => this.#executeLogged(subCall, call), () => randomUUID());
        }
        return withUser(await route$1(this.#context, call, auth.identity));
    }
    /** Runs a $batch sub-request and gives it its own request-log entry. */
    async #executeLogged(subCall, parent) {
        const { log } = this.#deps;
        const seq = log.nextSeq();
        const started = performance.now();
        const time = new Date().toISOString();
        const result = await this.execute(subCall);
        const query = subCall.query.toString();
        log.add({
            seq,
            time,
            method: subCall.method,
            path: `/${subCall.version}${subCall.path}${query ? `?${query}` : ''}`,
            api: 'graph',
            status: result.status,
            throttled: result.throttled ?? false,
            durationMs: Math.round(performance.now() - started),
            batch: { parentSeq: parent.logSeq ?? 0, id: subCall.batchRequestId ?? '' },
            ...(result.userId ? { userId: result.userId } : {}),
            ...(result.fault ? { fault: result.fault } : {}),
            ...(result.errorCode ? { errorCode: result.errorCode } : {}),
        });
        return result;
    }
}

class Delays {
    #pending = new Map();
    #stopped = false;
    /** Resolves after `ms` (or at once when stopped); the timer never holds the event loop open. */
    wait(ms) {
        if (ms <= 0 || this.#stopped)
            return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.#pending.delete(timer);
                resolve();
            }, ms);
            timer.unref();
            this.#pending.set(timer, resolve);
        });
    }
    /** Cancels every pending delay, releasing whoever awaits it. */
    stop() {
        this.#stopped = true;
        for (const [timer, release] of this.#pending) {
            clearTimeout(timer);
            release();
        }
        this.#pending.clear();
    }
}
function sampleLatency(config, random) {
    if (!config || (config.medianMs <= 0 && config.spreadMs <= 0))
        return 0;
    const jitter = (random() * 2 - 1) * config.spreadMs;
    return Math.max(0, config.medianMs + jitter);
}

function seededRandom(seed) {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
}

// The request log: one entry per HTTP request the emulator answered (and one per $batch
// sub-request), newest last, bounded so a long benchmark cannot exhaust memory.
class RequestLog {
    #entries = [];
    #limit;
    #nextSeq = 1;
    constructor(limit) {
        this.#limit = limit;
    }
    /** Reserves a sequence number when the request arrives, so entries sort by arrival. */
    nextSeq() {
        return this.#nextSeq++;
    }
    add(entry) {
        this.#entries.push(entry);
        if (this.#entries.length > this.#limit)
            this.#entries.splice(0, this.#entries.length - this.#limit);
    }
    list(sinceSeq = 0) {
        return this.#entries.filter((entry) => entry.seq > sinceSeq).sort((a, b) => a.seq - b.seq);
    }
    clear() {
        this.#entries.length = 0;
    }
}

const GOOGLE_ADMIN_PATH = '/_emulator/google';
async function handleGoogleAdmin(google, request, response, url) {
    try {
        await route(google, request, response, url);
    }
    catch (error) {
        sendJson(response, error instanceof AdminError ? error.status : 400, { error: error instanceof Error ? error.message : String(error) });
    }
}
async function route(google, request, response, url) {
    const method = request.method ?? 'GET';
    const path = url.pathname.slice(GOOGLE_ADMIN_PATH.length).replace(/\/$/, '') || '/';
    const readJson = () => readAdminJson(request);
    const userFor = (key) => {
        const user = google.directory.findUser(key);
        if (!user)
            throw new AdminError(404, `No Google user '${key}'.`);
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
    }
    else if (method === 'GET' && path === '/config') {
        sendJson(response, 200, google.config());
    }
    else if (method === 'POST' && path === '/config') {
        sendJson(response, 200, google.applyConfig((await readJson())));
    }
    else if (method === 'POST' && path === '/reset') {
        google.reset();
        response.writeHead(204).end();
    }
    else if (method === 'POST' && path === '/users') {
        const body = await readJson();
        if (typeof body['primaryEmail'] !== 'string' || !body['primaryEmail'])
            throw new AdminError(400, 'primaryEmail is required.');
        try {
            sendJson(response, 201, google.directory.addUser(body));
        }
        catch (error) {
            throw new AdminError(409, error.message);
        }
    }
    else if (method === 'DELETE' && /^\/users\/[^/]+$/.test(path)) {
        google.directory.removeUser(userFor(decodeURIComponent(path.slice('/users/'.length))));
        response.writeHead(204).end();
    }
    else if (/^\/users\/[^/]+\/photo$/.test(path)) {
        const user = userFor(decodeURIComponent(path.slice('/users/'.length, -'/photo'.length)));
        if (method === 'GET') {
            const photo = google.directory.getPhoto(user.id);
            if (!photo)
                throw new AdminError(404, `Google user '${user.primaryEmail}' has no photo.`);
            response.writeHead(200, { 'Content-Type': photo.mimeType, 'Content-Length': String(photo.bytes.length), 'X-Set-By': photo.setBy });
            response.end(photo.bytes);
        }
        else if (method === 'PUT') {
            // ?setBy=user stores it as a photo the user chose themselves (what an admin update may not replace).
            const setBy = url.searchParams.get('setBy') === 'user' ? 'user' : 'admin';
            const { body, tooLarge } = await readBody(request, 16 * 1024 * 1024);
            const image = tooLarge ? undefined : sniffImage(body);
            if (!image)
                throw new AdminError(400, 'The body must be a JPEG, PNG, GIF, BMP or TIFF image.');
            google.directory.setPhoto(user.id, { bytes: body, mimeType: image.mimeType, width: image.width ?? 0, height: image.height ?? 0, setBy });
            response.writeHead(204).end();
        }
        else if (method === 'DELETE') {
            google.directory.deletePhoto(user.id);
            response.writeHead(204).end();
        }
        else {
            throw new AdminError(405, 'Method not allowed.');
        }
    }
    else {
        throw new AdminError(404, `No admin endpoint ${method} ${GOOGLE_ADMIN_PATH}${path}.`);
    }
}

// The one HTTPS server on 127.0.0.1 and its router. Paths:
//   /v1.0/..., /beta/...        Microsoft Graph
//   /{tenantId}/...             Entra ID (discovery, keys, token endpoint)
//   /_github/...                GitHub Actions OIDC token service
//   /_google/{host}/...         Google's hosts ({host}.googleapis.com), see google/service.ts
//   /_emulator/...              admin API (no token; loopback only)
// Every request except admin calls is written to the request log when its response ends.
/** Bodies past this are not even buffered: answered 413 and drained. Photos are capped at 4 MB anyway. */
const GRAPH_BODY_HARD_LIMIT = 16 * 1024 * 1024;
const ADMIN_PATH = '/_emulator';
function apiFor(path) {
    if (/^\/(v1\.0|beta)(\/|$)/.test(path))
        return 'graph';
    if (path.startsWith(`${GITHUB_OIDC_PATH}/`))
        return 'github-oidc';
    if (path.startsWith(`${GOOGLE_PATH}/`))
        return 'google';
    return 'entra';
}
function writeGraphResult(response, call, result) {
    const headers = {
        'request-id': call.requestId,
        'client-request-id': call.headers['client-request-id'] ?? call.requestId,
        ...(result.headers ?? {}),
    };
    if (result.status === 204 || (result.json === undefined && result.bytes === undefined)) {
        response.writeHead(result.status, { ...headers, 'Content-Length': '0' });
        response.end();
    }
    else if (result.bytes !== undefined) {
        response.writeHead(result.status, { 'Content-Type': 'application/octet-stream', ...headers, 'Content-Length': String(result.bytes.length) });
        response.end(result.bytes);
    }
    else {
        const payload = Buffer.from(JSON.stringify(result.json));
        response.writeHead(result.status, { 'Content-Type': ODATA_JSON, ...headers, 'Content-Length': String(payload.length) });
        response.end(payload);
    }
}
async function serveGraph(components, request, response, url, draft) {
    const [, version = 'v1.0'] = /^\/(v1\.0|beta)/.exec(url.pathname) ?? [];
    const headers = flatHeaders(request);
    const call = {
        method: (request.method ?? 'GET').toUpperCase(),
        version: version === 'beta' ? 'beta' : 'v1.0',
        path: url.pathname.slice(version.length + 1) || '/',
        query: url.searchParams,
        headers,
        body: Buffer.alloc(0),
        requestId: randomUUID(),
        logSeq: draft.seq,
    };
    const finish = (result) => {
        if (result.userId)
            draft.userId = result.userId;
        if (result.fault)
            draft.fault = result.fault;
        if (result.errorCode)
            draft.errorCode = result.errorCode;
        draft.throttled = result.throttled ?? false;
        if (result.reset) {
            draft.reset = true;
            request.socket.destroy();
            return;
        }
        writeGraphResult(response, call, result);
    };
    if (!components.gate.tryEnter()) {
        // Over the concurrency cap: refused before the request is read, as a busy front end would.
        request.resume();
        const throttled = components.graph.throttled(call, 1, 'ConcurrencyLimitExceeded', 'ReadWrite');
        finish({ ...throttled, headers: { ...throttled.headers, 'Retry-After': formatRetryAfter(1) } });
        return;
    }
    try {
        const { body, tooLarge } = await readBody(request, GRAPH_BODY_HARD_LIMIT);
        if (tooLarge) {
            finish(graphError(call, 413, 'RequestEntityTooLarge', 'The request body exceeds the size Graph accepts.'));
            return;
        }
        call.body = body;
        await components.delays.wait(sampleLatency(components.latency(), components.random));
        finish(await components.graph.execute(call));
    }
    finally {
        components.gate.leave();
    }
}
function createEmulatorServer(tls, getComponents) {
    const sockets = new Set();
    const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
        const components = getComponents();
        if (!components) {
            response.writeHead(503).end();
            return;
        }
        void handleRequest(components, request, response).catch((error) => {
            if (!response.headersSent)
                sendJson(response, 500, { error: { code: 'generalException', message: String(error) } });
            else
                response.destroy();
        });
    });
    server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    server.on('tlsClientError', (_error, socket) => socket.destroy());
    return { server, sockets };
}
async function handleRequest(components, request, response) {
    const url = new URL(request.url ?? '/', components.origin);
    if (url.pathname === GOOGLE_ADMIN_PATH || url.pathname.startsWith(`${GOOGLE_ADMIN_PATH}/`)) {
        await handleGoogleAdmin(components.google, request, response, url);
        return;
    }
    if (url.pathname === ADMIN_PATH || url.pathname.startsWith(`${ADMIN_PATH}/`)) {
        await components.admin.handle(request, response, url);
        return;
    }
    const { log } = components;
    const draft = {
        seq: log.nextSeq(),
        time: new Date().toISOString(),
        method: (request.method ?? 'GET').toUpperCase(),
        path: `${url.pathname}${url.search}`,
        api: apiFor(url.pathname),
        throttled: false,
        reset: false,
        started: performance.now(),
    };
    response.on('close', () => {
        const { started, reset, ...entry } = draft;
        log.add({
            ...entry,
            status: reset || !response.headersSent ? 0 : response.statusCode,
            durationMs: Math.round(performance.now() - started),
        });
    });
    if (draft.api === 'graph') {
        await serveGraph(components, request, response, url, draft);
    }
    else if (draft.api === 'google') {
        await components.google.handle(request, response, url, (note) => {
            if (note.userId)
                draft.userId = note.userId;
            if (note.errorCode)
                draft.errorCode = note.errorCode;
            if (note.fault)
                draft.fault = note.fault;
            if (note.throttled)
                draft.throttled = true;
            if (note.reset)
                draft.reset = true;
        });
    }
    else if (draft.api === 'github-oidc') {
        if (!components.github.handle(request, response, url))
            sendJson(response, 404, { message: 'Not Found' });
    }
    else if (!(await components.entra.handle(request, response, url))) {
        sendJson(response, 404, { error: 'not_found', error_description: `Nothing is served at ${url.pathname}.` });
    }
}

// A minimal DER (ASN.1 Distinguished Encoding Rules) writer: just the types an X.509
// certificate needs. node:crypto can sign and parse certificates but not build one, and the
// certificate library in package.json (@peculiar/x509) needs a global Reflect metadata
// polyfill that this project does not ship; a certificate is a small, fully specified
// structure, so it is written here instead.
function encodeLength(length) {
    if (length < 0x80)
        return Buffer.from([length]);
    const bytes = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256))
        bytes.unshift(rest & 0xff);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}
/** Tag-length-value with an explicit tag byte (universal or context-specific). */
function tlv(tag, content) {
    return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}
const sequence = (...items) => tlv(0x30, Buffer.concat(items));
const set = (...items) => tlv(0x31, Buffer.concat(items));
const octetString = (bytes) => tlv(0x04, bytes);
const utf8String = (text) => tlv(0x0c, Buffer.from(text, 'utf8'));
const boolean = (value) => tlv(0x01, Buffer.from([0xff ]));
/** A non-negative INTEGER from big-endian magnitude bytes (a 0x00 is prepended if the top bit is set). */
function unsignedInteger(magnitude) {
    let start = 0;
    while (start < magnitude.length - 1 && magnitude[start] === 0)
        start++;
    const trimmed = magnitude.subarray(start);
    const needsPad = (trimmed[0] ?? 0) & 0x80;
    return tlv(0x02, needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}
function smallInteger(value) {
    return unsignedInteger(Buffer.from([value]));
}
function objectIdentifier(dotted) {
    const arcs = dotted.split('.').map(Number);
    const [first = 0, second = 0, ...rest] = arcs;
    const bytes = [first * 40 + second];
    for (const arc of rest) {
        const chunk = [arc & 0x7f];
        for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
            chunk.unshift((value & 0x7f) | 0x80);
        }
        bytes.push(...chunk);
    }
    return tlv(0x06, Buffer.from(bytes));
}
/** BIT STRING holding whole bytes (keys, signatures). */
function bitString(bytes) {
    return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}
/**
 * BIT STRING of named bits (KeyUsage): bit 0 is the most significant bit of the first byte, and
 * DER requires trailing zero bits to be dropped and counted as "unused".
 */
function namedBitString(bitIndexes) {
    const highest = Math.max(...bitIndexes);
    const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
    for (const bit of bitIndexes) {
        const index = Math.floor(bit / 8);
        bytes[index] = (bytes[index] ?? 0) | (0x80 >> bit % 8);
    }
    const unusedBits = 7 - (highest % 8);
    return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}
/** UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 requires. */
function time(date) {
    const iso = date.toISOString(); // 2025-01-02T03:04:05.678Z
    const digits = iso.slice(0, 19).replace(/[-:T]/g, ''); // 20250102030405
    return date.getUTCFullYear() < 2050
        ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
        : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}
/** [n] EXPLICIT: wraps an already encoded value. */
const explicit = (tagNumber, inner) => tlv(0xa0 | tagNumber, inner);
/** [n] IMPLICIT primitive (e.g. GeneralName dNSName [2], iPAddress [7], keyIdentifier [0]). */
const implicitPrimitive = (tagNumber, content) => tlv(0x80 | tagNumber, content);

// The emulator's private certificate authority and the loopback server certificate it signs.
//
// Clients trust the CA, never the server certificate directly: NODE_EXTRA_CA_CERTS (child
// processes) or tls.setDefaultCACertificates (in-process) take a CA. The CA is constrained
// (RFC 5280 name constraints) to 127.0.0.1 and localhost, so a copy that ends up in a trust
// store by mistake cannot vouch for any real host.
const OID = {
    commonName: '2.5.4.3',
    organization: '2.5.4.10',
    ecdsaWithSha256: '1.2.840.10045.4.3.2',
    basicConstraints: '2.5.29.19',
    keyUsage: '2.5.29.15',
    extendedKeyUsage: '2.5.29.37',
    serverAuth: '1.3.6.1.5.5.7.3.1',
    subjectAltName: '2.5.29.17',
    subjectKeyIdentifier: '2.5.29.14',
    authorityKeyIdentifier: '2.5.29.35',
    nameConstraints: '2.5.29.30',
};
const KEY_USAGE_BIT = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };
const LOOPBACK_IP = Buffer.from([127, 0, 0, 1]);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
function distinguishedName(commonName) {
    return sequence(set(sequence(objectIdentifier(OID.organization), utf8String('entra-photos emulator'))), set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))));
}
function extension(oid, critical, value) {
    return critical
        ? sequence(objectIdentifier(oid), boolean(), octetString(value))
        : sequence(objectIdentifier(oid), octetString(value));
}
/** SHA-1 of the subjectPublicKey bits: the usual key identifier (RFC 5280 4.2.1.2, method 1). */
function keyIdentifier(spkiDer) {
    return createHash('sha1').update(subjectPublicKeyBits(spkiDer)).digest();
}
/** The key bits inside a DER SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING }. */
function subjectPublicKeyBits(spki) {
    const header = (offset) => {
        const first = spki[offset + 1] ?? 0;
        if (first < 0x80)
            return { headerLength: 2, contentLength: first };
        const count = first & 0x7f;
        let contentLength = 0;
        for (let i = 0; i < count; i++)
            contentLength = contentLength * 256 + (spki[offset + 2 + i] ?? 0);
        return { headerLength: 2 + count, contentLength };
    };
    const algorithmOffset = header(0).headerLength;
    const algorithm = header(algorithmOffset);
    const bitStringOffset = algorithmOffset + algorithm.headerLength + algorithm.contentLength;
    const bits = header(bitStringOffset);
    const contentStart = bitStringOffset + bits.headerLength;
    return spki.subarray(contentStart + 1, contentStart + bits.contentLength); // +1 skips the unused-bits byte
}
function signCertificate(tbs, signingKey) {
    const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
    // For EC keys node:crypto returns the DER ECDSA-Sig-Value that X.509 expects.
    const signature = sign('sha256', tbs, signingKey);
    return sequence(tbs, algorithm, bitString(signature));
}
function toPem(der, label) {
    const base64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
    return `-----BEGIN ${label}-----\n${base64}-----END ${label}-----\n`;
}
function tbsCertificate(params) {
    const serial = randomBytes(16);
    serial[0] = (serial[0] ?? 0) & 0x7f; // positive
    return sequence(explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial), sequence(objectIdentifier(OID.ecdsaWithSha256)), params.issuerName, sequence(time(params.notBefore), time(params.notAfter)), params.subjectName, params.spkiDer, explicit(3, sequence(...params.extensions)));
}
function createCertificateAuthority() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
    const subjectName = distinguishedName('entra-photos emulator local CA');
    const subjectKeyId = keyIdentifier(spkiDer);
    const now = Date.now();
    const permittedSubtrees = sequence(sequence(implicitPrimitive(7, Buffer.concat([LOOPBACK_IP, Buffer.from([255, 255, 255, 255])]))), sequence(implicitPrimitive(2, Buffer.from('localhost', 'ascii'))));
    const tbs = tbsCertificate({
        issuerName: subjectName,
        subjectName,
        spkiDer,
        notBefore: new Date(now - HOUR_MS),
        notAfter: new Date(now + 365 * DAY_MS),
        extensions: [
            extension(OID.basicConstraints, true, sequence(boolean(), smallInteger(0))),
            extension(OID.keyUsage, true, namedBitString([KEY_USAGE_BIT.keyCertSign, KEY_USAGE_BIT.cRLSign])),
            extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)),
            extension(OID.nameConstraints, true, sequence(tlvContext0(permittedSubtrees))),
        ],
    });
    const certDer = signCertificate(tbs, privateKey);
    return { certPem: toPem(certDer, 'CERTIFICATE'), certDer, key: privateKey, subjectKeyId, subjectName };
}
/** permittedSubtrees [0] IMPLICIT GeneralSubtrees: a constructed context tag over the SEQUENCE's content. */
function tlvContext0(subtreesSequence) {
    // Re-tag the SEQUENCE (0x30) as [0] constructed (0xa0), keeping its length and content.
    const retagged = Buffer.from(subtreesSequence);
    retagged[0] = 0xa0;
    return retagged;
}
function createServerCertificate(ca) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
    const now = Date.now();
    const tbs = tbsCertificate({
        issuerName: ca.subjectName,
        subjectName: distinguishedName('localhost'),
        spkiDer,
        notBefore: new Date(now - HOUR_MS),
        notAfter: new Date(now + 30 * DAY_MS),
        extensions: [
            extension(OID.basicConstraints, true, sequence()),
            extension(OID.keyUsage, true, namedBitString([KEY_USAGE_BIT.digitalSignature, KEY_USAGE_BIT.keyEncipherment])),
            extension(OID.extendedKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
            extension(OID.subjectAltName, false, sequence(implicitPrimitive(2, Buffer.from('localhost', 'ascii')), implicitPrimitive(7, LOOPBACK_IP))),
            extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spkiDer))),
            extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, ca.subjectKeyId))),
        ],
    });
    const certPem = toPem(signCertificate(tbs, ca.key), 'CERTIFICATE');
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return { certPem, keyPem };
}
/** Loads a CA left in the state directory by an earlier run, if it is still usable. */
async function loadCertificateAuthority(certPath, keyPath) {
    if (!existsSync(certPath) || !existsSync(keyPath))
        return undefined;
    try {
        const certPem = await readFile(certPath, 'utf8');
        const cert = new X509Certificate(certPem);
        const key = createPrivateKey(await readFile(keyPath, 'utf8'));
        const stillValidForAWeek = Date.parse(cert.validTo) - Date.now() > 7 * DAY_MS;
        if (!cert.ca || !stillValidForAWeek || !cert.checkPrivateKey(key))
            return undefined;
        const certDer = cert.raw;
        const spkiDer = cert.publicKey.export({ type: 'spki', format: 'der' });
        // The subject is re-encoded exactly as createCertificateAuthority wrote it.
        return {
            certPem,
            certDer,
            key,
            subjectKeyId: keyIdentifier(spkiDer),
            subjectName: distinguishedName('entra-photos emulator local CA'),
        };
    }
    catch {
        return undefined;
    }
}
/**
 * Creates (or reuses, when the state directory already holds one) the CA, writes `ca.pem` and
 * `ca-key.pem` into `stateDir`, and issues a fresh server certificate for 127.0.0.1/localhost.
 * Reusing the CA lets a developer point NODE_EXTRA_CA_CERTS at a fixed path once.
 */
async function prepareTls(stateDir) {
    const caCertPath = join(stateDir, 'ca.pem');
    const caKeyPath = join(stateDir, 'ca-key.pem');
    let ca = await loadCertificateAuthority(caCertPath, caKeyPath);
    if (!ca) {
        ca = createCertificateAuthority();
        await writeFile(caCertPath, ca.certPem, { mode: 0o644 });
        await writeFile(caKeyPath, ca.key.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
        await chmod(caKeyPath, 0o600);
    }
    const server = createServerCertificate(ca);
    return { caCertPem: ca.certPem, caCertPath, serverCertPem: server.certPem, serverKeyPem: server.keyPem };
}

// The local tenant emulator: Microsoft Graph, Entra ID and GitHub's OIDC token service on one
// HTTPS server on 127.0.0.1, so the real @azure/identity, Graph client and @actions/core run
// against it unmodified. See docs/emulator.md.
function resolveThrottle(option) {
    if (option === false)
        return null;
    return { ...DEFAULT_THROTTLE, ...(option ?? {}) };
}
async function startEmulator(options = {}) {
    const ownsStateDir = options.stateDir === undefined;
    const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'entra-photos-emulator-')));
    const [tls, githubKey, entraKey, googleKey] = await Promise.all([prepareTls(stateDir), createSigningKey(), createSigningKey(), createSigningKey()]);
    let components;
    const { server, sockets } = createEmulatorServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, () => components);
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
        });
    });
    const { port } = server.address();
    const origin = `https://127.0.0.1:${port}`;
    const tenantId = (options.tenantId ?? DEFAULT_TENANT_ID).toLowerCase();
    const clientId = (options.clientId ?? DEFAULT_CLIENT_ID).toLowerCase();
    const servicePrincipalId = (options.servicePrincipalId ?? DEFAULT_SERVICE_PRINCIPAL_ID).toLowerCase();
    const state = new TenantState({
        tenantId,
        clientId,
        servicePrincipalId,
        users: options.users ?? DEFAULT_USERS,
        groups: options.groups ?? (options.users ? [] : DEFAULT_GROUPS),
        appPermissions: options.appPermissions ?? DEFAULT_APP_PERMISSIONS,
        directoryRoles: (options.directoryRoles ?? []).map((role) => role.toLowerCase()),
        policy: options.policy ?? { source: null, allowedRoles: [] },
        ...(options.accessTokenFormat ? { accessTokenFormat: options.accessTokenFormat } : {}),
        ...(options.noPhotoMetadata ? { noPhotoMetadata: options.noPhotoMetadata } : {}),
        ...(options.groupPhotoAppOnly ? { groupPhotoAppOnly: options.groupPhotoAppOnly } : {}),
    });
    const random = seededRandom(options.seed ?? 1);
    const log = new RequestLog(options.requestLogLimit ?? 100_000);
    const delays = new Delays();
    const github = new GitHubOidcIssuer(origin, githubKey, options.oidc ?? DEFAULT_WORKFLOW_CONTEXT);
    const federatedCredentials = [
        ...(options.federatedCredentials ?? [
            { name: 'production', issuer: github.issuer, subject: `repo:${DEFAULT_REPOSITORY}:environment:production`, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
            { name: 'main', issuer: github.issuer, subject: `repo:${DEFAULT_REPOSITORY}:ref:refs/heads/main`, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
        ]),
    ];
    const entra = new EntraId({ origin, state, key: entraKey, github, federatedCredentials, graphUrl: origin });
    const throttle = resolveThrottle(options.throttle);
    const gate = new ConcurrencyGate(throttle?.maxConcurrent ?? 0);
    const faults = new FaultInjector(random, (key) => state.findUserLoosely(key)?.id);
    faults.setRules(options.faults ?? []);
    const graph = new GraphService({
        state,
        entra,
        bucket: throttle ? new TokenBucket(throttle) : undefined,
        faults,
        delays,
        log,
        graphUrl: origin,
    });
    const google = new GoogleService({
        origin,
        github,
        serviceAccountKey: googleKey,
        random,
        delays,
        latencyMs: () => sampleLatency(admin.latency ?? undefined, random),
        defaultUsers: googleSeedsFromDirectory(state.users),
    }, options.google);
    const admin = new AdminApi({
        state,
        log,
        faults,
        graph,
        gate,
        github,
        entra,
        initial: { latency: options.latency ?? null, throttle, faults: faults.rules },
        alsoReset: () => google.reset(),
    });
    components = {
        origin,
        graph,
        entra,
        github,
        google,
        admin,
        log,
        delays,
        gate,
        random,
        latency: () => admin.latency ?? undefined,
    };
    const oidcEnv = github.requestEnv();
    const adminUrl = `${origin}${ADMIN_PATH}`;
    let stopped;
    return {
        url: origin,
        graphUrl: origin,
        authorityHost: origin,
        tenantId,
        clientId,
        servicePrincipalId,
        oidcIssuer: github.issuer,
        caCertPath: tls.caCertPath,
        caCertPem: tls.caCertPem,
        adminUrl,
        env: {
            NODE_EXTRA_CA_CERTS: tls.caCertPath,
            ACTIONS_ID_TOKEN_REQUEST_URL: oidcEnv.ACTIONS_ID_TOKEN_REQUEST_URL,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidcEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
            ENTRA_PHOTOS_TENANT_ID: tenantId,
            ENTRA_PHOTOS_CLIENT_ID: clientId,
            ENTRA_PHOTOS_AUTHORITY_HOST: origin,
            ENTRA_PHOTOS_GRAPH_URL: origin,
            // The Google target's sign-in (apply/drift --target google read them as their --google-* defaults).
            ENTRA_PHOTOS_GOOGLE_ENDPOINT: google.endpoint,
            ENTRA_PHOTOS_GOOGLE_WORKLOAD_IDENTITY_PROVIDER: google.workloadIdentityProvider,
            ENTRA_PHOTOS_GOOGLE_SERVICE_ACCOUNT: google.identity.serviceAccount,
        },
        admin: new EmulatorAdminClient(adminUrl, tls.caCertPem),
        google: {
            endpoint: google.endpoint,
            workloadIdentityProvider: google.workloadIdentityProvider,
            serviceAccount: google.identity.serviceAccount,
            customerId: google.directorySettings.customerId,
            admin: new GoogleEmulatorAdminClient(adminUrl, tls.caCertPem),
        },
        stop() {
            stopped ??= (async () => {
                delays.stop();
                const closed = new Promise((resolve) => server.close(() => resolve()));
                server.closeAllConnections();
                for (const socket of sockets)
                    socket.destroy();
                await closed;
                components = undefined;
                if (ownsStateDir)
                    await rm(stateDir, { recursive: true, force: true });
            })();
            return stopped;
        },
    };
}

// `entra-photos emulator`: runs the local tenant until SIGINT/SIGTERM. The first line on
// stdout is one JSON object (URLs, ids, CA path, and the env a client or the action needs),
// so a script can start it in the background and read how to reach it.
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EMULATOR_USAGE = `Usage: entra-photos emulator [options]

Runs a local tenant (Microsoft Graph, Entra ID, GitHub OIDC, Google) on https://127.0.0.1 until
interrupted. Prints one JSON line first: graphUrl, authorityHost, tenantId, clientId,
caCertPath, adminUrl, env (NODE_EXTRA_CA_CERTS, ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN,
ENTRA_PHOTOS_*) and google (endpoint, workloadIdentityProvider, serviceAccount, customerId).

Options:
  --port N                  Port on 127.0.0.1 (default: a free one)
  --users FILE              JSON array of users ({ userPrincipalName, mail, employeeId,
                            displayName, id? }) replacing the sample contoso.edu directory
  --latency MS[:SPREAD]     Added latency per Graph request, median and +/- spread in ms
  --throttle BURST:RATE     Token bucket per app+tenant for writes (default 3000:20); "off"
  --throttle-all            Throttle reads as well as writes
  --no-count-rejected       Rejected requests do not use up quota (Graph's do)
  --max-concurrent N        429 beyond N concurrent Graph requests (default: no cap)
  --permissions A,B         Graph application permissions of the app
  --directory-roles ID,ID   Directory role template ids held by the app's service principal
  --oidc push|pull_request  Workflow context of the default OIDC request token (default push)
  --environment NAME        GitHub environment of that context (default production for push;
                            "none" for no environment)
  --repository OWNER/REPO   Repository of that context (default ${DEFAULT_REPOSITORY})
  --tenant-id GUID          Tenant id
  --client-id GUID          App (client) id
  --state-dir DIR           Keep the CA here and reuse it across runs (default: temp dir)
  --seed N                  Seed for latency jitter and probabilistic faults
  -h, --help                Show this help
`;
class UsageError extends Error {
}
function positiveNumber(text, name) {
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0)
        throw new UsageError(`${name} must be a non-negative number, got "${text}".`);
    return value;
}
function list(text) {
    return text === undefined ? undefined : text.split(',').map((item) => item.trim()).filter(Boolean);
}
async function readUsers(path) {
    let parsed;
    try {
        parsed = JSON.parse(await readFile(path, 'utf8'));
    }
    catch (error) {
        throw new UsageError(`Cannot read users from ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const users = Array.isArray(parsed) ? parsed : parsed?.users;
    if (!Array.isArray(users) || !users.every((user) => typeof user?.userPrincipalName === 'string')) {
        throw new UsageError(`${path} must hold a JSON array of users, each with a userPrincipalName.`);
    }
    return users;
}
/** Turns argv into startEmulator options; throws UsageError on bad input. */
async function parseEmulatorArgs(argv) {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            allowPositionals: false,
            options: {
                port: { type: 'string' },
                users: { type: 'string' },
                latency: { type: 'string' },
                throttle: { type: 'string' },
                'throttle-all': { type: 'boolean' },
                'no-count-rejected': { type: 'boolean' },
                'max-concurrent': { type: 'string' },
                permissions: { type: 'string' },
                'directory-roles': { type: 'string' },
                oidc: { type: 'string' },
                environment: { type: 'string' },
                repository: { type: 'string' },
                'tenant-id': { type: 'string' },
                'client-id': { type: 'string' },
                'state-dir': { type: 'string' },
                seed: { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        }));
    }
    catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help)
        return 'help';
    const options = {};
    if (values.port !== undefined) {
        const port = positiveNumber(values.port, '--port');
        if (!Number.isInteger(port) || port > 65535)
            throw new UsageError(`--port must be an integer 0..65535, got "${values.port}".`);
        options.port = port;
    }
    if (values.users !== undefined)
        options.users = await readUsers(values.users);
    if (values.latency !== undefined) {
        const [median = '', spread = '0'] = values.latency.split(':');
        options.latency = { medianMs: positiveNumber(median, '--latency'), spreadMs: positiveNumber(spread, '--latency spread') };
    }
    if (values.throttle === 'off') {
        options.throttle = false;
    }
    else {
        const throttle = {};
        if (values.throttle !== undefined) {
            const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(values.throttle);
            if (!match)
                throw new UsageError(`--throttle must be BURST:RATE (e.g. 3000:20) or "off", got "${values.throttle}".`);
            throttle.burst = Number(match[1]);
            throttle.refillPerSecond = Number(match[2]);
            if (throttle.burst < 1)
                throw new UsageError('--throttle burst must be at least 1.');
        }
        if (values['throttle-all'])
            throttle.appliesTo = 'all';
        if (values['no-count-rejected'])
            throttle.countRejected = false;
        if (values['max-concurrent'] !== undefined)
            throttle.maxConcurrent = Math.floor(positiveNumber(values['max-concurrent'], '--max-concurrent'));
        options.throttle = throttle;
    }
    const permissions = list(values.permissions);
    if (permissions)
        options.appPermissions = permissions;
    const roles = list(values['directory-roles']);
    if (roles)
        options.directoryRoles = roles;
    if (values.oidc !== undefined || values.environment !== undefined || values.repository !== undefined) {
        const kind = values.oidc ?? 'push';
        if (kind !== 'push' && kind !== 'pull_request')
            throw new UsageError(`--oidc must be push or pull_request, got "${kind}".`);
        const environment = values.environment ?? (kind === 'push' ? 'production' : 'none');
        const repository = values.repository ?? DEFAULT_REPOSITORY;
        const context = environment === 'none' ? { kind, repository } : { kind, repository, environment };
        options.oidc = context;
    }
    if (values['tenant-id'] !== undefined)
        options.tenantId = values['tenant-id'];
    if (values['client-id'] !== undefined)
        options.clientId = values['client-id'];
    if (values['state-dir'] !== undefined)
        options.stateDir = values['state-dir'];
    if (values.seed !== undefined)
        options.seed = positiveNumber(values.seed, '--seed');
    return options;
}
async function runEmulatorCommand(argv, io = {}) {
    const stdout = io.stdout ?? process.stdout;
    const stderr = io.stderr ?? process.stderr;
    let options;
    try {
        options = await parseEmulatorArgs(argv);
    }
    catch (error) {
        if (!(error instanceof UsageError))
            throw error;
        stderr.write(`entra-photos emulator: ${error.message}\n\n${EMULATOR_USAGE}`);
        return EXIT_USAGE;
    }
    if (options === 'help') {
        stdout.write(EMULATOR_USAGE);
        return EXIT_OK;
    }
    let emulator;
    try {
        emulator = await startEmulator(options);
    }
    catch (error) {
        stderr.write(`entra-photos emulator: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT_FAILURE;
    }
    const { url, graphUrl, authorityHost, tenantId, clientId, servicePrincipalId, oidcIssuer, caCertPath, adminUrl, env } = emulator;
    const { endpoint, workloadIdentityProvider, serviceAccount, customerId } = emulator.google;
    const google = { endpoint, workloadIdentityProvider, serviceAccount, customerId };
    stdout.write(`${JSON.stringify({ url, graphUrl, authorityHost, tenantId, clientId, servicePrincipalId, oidcIssuer, caCertPath, adminUrl, env, google })}\n`);
    stderr.write(`entra-photos emulator: serving ${url} (admin ${adminUrl}); Ctrl-C to stop\n`);
    await new Promise((resolve) => {
        const done = () => {
            process.off('SIGINT', done);
            process.off('SIGTERM', done);
            io.signal?.removeEventListener('abort', done);
            resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        if (io.signal?.aborted)
            done();
        else
            io.signal?.addEventListener('abort', done, { once: true });
    });
    await emulator.stop();
    return EXIT_OK;
}

export { EMULATOR_USAGE, parseEmulatorArgs, runEmulatorCommand };

/**
 * A user key is how a manifest names a user. Keys are normalised so that a case-only edit of a
 * UPN is not a change and the same person cannot be declared twice under two spellings.
 */
import { printable } from '../core/untrusted.js';
import { isGuid } from '../core/guid.js';

/**
 * `group`: a Microsoft 365 group or team (manifest `groups:`), by object id, mail or mailNickname.
 * `googleId`: a Google Workspace user id (a `google:` value that is not an address); Google only.
 */
export type UserKeyKind = 'objectId' | 'upn' | 'employeeId' | 'group' | 'googleId';

export interface UserKey {
  kind: UserKeyKind;
  /** As written in the manifest (trimmed). */
  value: string;
  /** Canonical form: `upn:ada@contoso.edu`, `objectId:0b6c…`, `employeeId:10023`, `group:class-9b@school.edu`. */
  canonical: string;
}

// userPrincipalName: local part of letters, digits and ' . - _ ! # ^ ~ (Entra ID's rules), an @,
// and a domain. Mail addresses used as keys follow the same shape. Anything else (spaces, slashes,
// quotes, percent signs, control characters) could only break URLs or OData filters later.
const UPN = /^[A-Za-z0-9'._\-!#^~+]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const EMPLOYEE_ID = /^[\p{L}\p{N}._\-/ ]{1,64}$/u;

export type UserKeyResult = { ok: true; key: UserKey } | { ok: false; message: string };

export function parseUserKey(user: string): UserKeyResult {
  const value = user.trim();
  if (isGuid(value)) {
    return { ok: true, key: { kind: 'objectId', value, canonical: `objectId:${value.toLowerCase()}` } };
  }
  if (value.includes('@')) {
    if (!UPN.test(value) || value.length > 113) {
      return {
        ok: false,
        message: `"${value}" is not a valid userPrincipalName or mail address. It may contain only letters, digits and ' . - _ ! # ^ ~ + before the @, and a domain after it.`,
      };
    }
    return { ok: true, key: { kind: 'upn', value, canonical: `upn:${value.toLowerCase()}` } };
  }
  return {
    ok: false,
    message: `"${value}" is not a userPrincipalName, mail address or object id. Write the full sign-in name (e.g. ${value || 'jsmith'}@yourschool.edu), or use "employeeId:" for roster numbers.`,
  };
}

export function parseEmployeeId(id: string): UserKeyResult {
  const value = id.trim();
  if (!EMPLOYEE_ID.test(value)) {
    return {
      ok: false,
      message: `employeeId "${value}" contains characters that are not allowed. Use the roster number as it appears in Entra ID (letters, digits, . _ - / and spaces, at most 64).`,
    };
  }
  return { ok: true, key: { kind: 'employeeId', value, canonical: `employeeId:${value}` } };
}

// mailNickname: Graph allows ASCII without @ ( ) \ [ ] " ; : < > , and spaces, at most 64
// characters. Accepted here: the characters a school or company actually uses, none of which can
// break a URL or an OData string (a quote is doubled when it is sent).
const MAIL_NICKNAME = /^[A-Za-z0-9'._\-!#^~+]{1,64}$/;

/** How a group key names its group. */
export type GroupKeyForm = 'objectId' | 'mail' | 'mailNickname';

/** Parses a `groups:` entry's `group:` value: an object id (GUID), a mail address, or a mailNickname. */
export function parseGroupKey(group: string): UserKeyResult {
  const value = group.trim();
  if (isGuid(value)) return { ok: true, key: { kind: 'group', value, canonical: `group:${value.toLowerCase()}` } };
  if (value.includes('@')) {
    if (!UPN.test(value) || value.length > 256) {
      return { ok: false, message: `"${value}" is not a valid group mail address. It may contain only letters, digits and ' . - _ ! # ^ ~ + before the @, and a domain after it.` };
    }
    return { ok: true, key: { kind: 'group', value, canonical: `group:${value.toLowerCase()}` } };
  }
  if (!MAIL_NICKNAME.test(value)) {
    return {
      ok: false,
      message: `"${value}" is not a group object id, mail address or mailNickname. A mailNickname is at most 64 letters, digits and ' . - _ ! # ^ ~ + (no spaces): write the group's mail (e.g. class-9b@yourschool.edu) or its object id.`,
    };
  }
  return { ok: true, key: { kind: 'group', value, canonical: `group:${value.toLowerCase()}` } };
}

// Google's user ids are decimal numbers (21 digits today); accepted: 1 to 32 digits.
const GOOGLE_ID = /^[0-9]{1,32}$/;

/**
 * Parses a `google:` value: a Google email (primary or alias; a `upn` key, which the Google target
 * looks up with users.get) or a numeric Google user id (`googleId`).
 */
export function parseGoogleKey(google: string): UserKeyResult {
  const value = google.trim();
  if (GOOGLE_ID.test(value)) return { ok: true, key: { kind: 'googleId', value, canonical: `googleId:${value}` } };
  if (value.includes('@')) {
    const parsed = parseUserKey(value);
    if (parsed.ok) return parsed;
    return { ok: false, message: `google: "${value}" is not a valid email address. It may contain only letters, digits and ' . - _ ! # ^ ~ + before the @, and a domain after it.` };
  }
  return { ok: false, message: `google: "${value}" is neither a Google email address nor a Google user id (digits only). Write the user's Google email (e.g. ${value || 'jsmith'}@yourschool.edu).` };
}

/** Which property of the group a group key matches (undefined for a user key). */
export function groupKeyForm(key: UserKey): GroupKeyForm | undefined {
  if (key.kind !== 'group') return undefined;
  if (isGuid(key.value)) return 'objectId';
  return key.value.includes('@') ? 'mail' : 'mailNickname';
}

export function isGroupKey(key: UserKey): boolean {
  return key.kind === 'group';
}

/**
 * The key with the person's name beside it, for reports read by people: `employeeId 41002 (Ada
 * Lovelace)`. The name (the manifest's `name:`, else the tenant's displayName) is data: one line
 * of visible text like the key. Without a name, just the key.
 */
export function describeUser(key: UserKey, name?: string): string {
  const shown = name?.trim();
  return shown ? `${describeKey(key)} (${printable(shown)})` : describeKey(key);
}

/** The key as shown in messages, logs and reports: one line of visible text (the value is data). */
export function describeKey(key: UserKey): string {
  if (key.kind === 'employeeId') return `employeeId ${printable(key.value)}`;
  if (key.kind === 'group') return `group ${printable(key.value)}`;
  if (key.kind === 'googleId') return `Google user id ${printable(key.value)}`;
  return printable(key.value);
}

/**
 * Matching delivery ids to directory users: by employeeId (leading zeros ignored), by
 * userPrincipalName or mail (case-insensitive), or by object id. The directory comes from the
 * tenant (one paged listing) or, offline, from a roster CSV exported from the SIS/HR system.
 * More than one candidate is an ambiguity, never a guess.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { decodeText, headerIndex, parseDelimited } from './delimited.js';
import { normaliseId } from './delivery.js';
import { isGuid } from '../core/guid.js';

export interface RosterUser {
  id?: string;
  userPrincipalName?: string;
  mail?: string;
  employeeId?: string;
  displayName?: string;
  /** Where the entry came from (roster.csv:12) for reports; undefined for the tenant. */
  at?: string;
}

export type Match =
  | { kind: 'matched'; user: RosterUser; by: 'employeeId' | 'upn' | 'mail' | 'objectId' }
  | { kind: 'unmatched' }
  | { kind: 'ambiguous'; candidates: RosterUser[]; by: 'employeeId' | 'upn' | 'mail' };


export class Directory {
  readonly #byEmployeeId = new Map<string, RosterUser[]>();
  readonly #byUpn = new Map<string, RosterUser[]>();
  readonly #byMail = new Map<string, RosterUser[]>();
  readonly #byObjectId = new Map<string, RosterUser>();
  readonly size: number;

  constructor(users: readonly RosterUser[]) {
    const add = (map: Map<string, RosterUser[]>, key: string | undefined, user: RosterUser) => {
      if (!key) return;
      const list = map.get(key) ?? [];
      list.push(user);
      map.set(key, list);
    };
    for (const user of users) {
      add(this.#byEmployeeId, user.employeeId ? normaliseId(user.employeeId) : undefined, user);
      add(this.#byUpn, user.userPrincipalName?.toLowerCase(), user);
      add(this.#byMail, user.mail?.toLowerCase(), user);
      if (user.id) this.#byObjectId.set(user.id.toLowerCase(), user);
    }
    this.size = users.length;
  }

  match(id: string): Match {
    const value = id.trim();
    if (isGuid(value)) {
      const user = this.#byObjectId.get(value.toLowerCase());
      return user ? { kind: 'matched', user, by: 'objectId' } : { kind: 'unmatched' };
    }
    if (value.includes('@')) {
      const lower = value.toLowerCase();
      const byUpn = this.#byUpn.get(lower) ?? [];
      if (byUpn.length === 1) return { kind: 'matched', user: byUpn[0]!, by: 'upn' };
      if (byUpn.length > 1) return { kind: 'ambiguous', candidates: byUpn, by: 'upn' };
      const byMail = this.#byMail.get(lower) ?? [];
      if (byMail.length === 1) return { kind: 'matched', user: byMail[0]!, by: 'mail' };
      if (byMail.length > 1) return { kind: 'ambiguous', candidates: byMail, by: 'mail' };
      return { kind: 'unmatched' };
    }
    const found = this.#byEmployeeId.get(normaliseId(value)) ?? [];
    if (found.length === 1) return { kind: 'matched', user: found[0]!, by: 'employeeId' };
    if (found.length > 1) return { kind: 'ambiguous', candidates: found, by: 'employeeId' };
    return { kind: 'unmatched' };
  }
}

/** Which header of a roster each field was read from (undefined: the roster has no such column). */
export interface RosterColumns {
  employeeId?: string;
  userPrincipalName?: string;
  mail?: string;
  id?: string;
  displayName?: string;
}

/**
 * The usual names of roster columns, compared without regard to case, spaces, `_`, `.` and `-`
 * (so "E-mail", "Email Address" and "USER_PRINCIPAL_NAME" all match).
 */
export const ROSTER_COLUMN_NAMES = {
  employeeId: ['employeeId', 'employee id', 'employee number', 'student id', 'student number', 'staff id'],
  userPrincipalName: ['userPrincipalName', 'upn', 'username', 'login', 'sign-in name', 'signin name'],
  mail: ['mail', 'email', 'e-mail', 'email address', 'mail address', 'primary email'],
  id: ['id', 'objectId', 'object id'],
  displayName: ['displayName', 'display name', 'name', 'full name'],
} as const;

/**
 * A roster CSV: a header row naming any of employeeId, userPrincipalName (UPN), mail (Email,
 * E-mail), id (object id), displayName; at least one of employeeId / userPrincipalName / mail.
 */
export async function readRoster(file: string): Promise<RosterUser[]> {
  return (await readRosterFile(file)).users;
}

/** readRoster, and which column each field came from (import says which key it wrote, and why). */
export async function readRosterFile(file: string): Promise<{ users: RosterUser[]; columns: RosterColumns }> {
  const source = path.basename(file);
  const bytes = await readFile(file).catch(() => {
    throw new UserError('usage', `--roster ${file} cannot be read. Give a CSV exported from your SIS or HR system with a header row (employeeId,userPrincipalName,mail).`);
  });
  const rows = parseDelimited(decodeText(bytes));
  const header = rows[0]?.cells ?? [];
  const col = {
    employeeId: headerIndex(header, ...ROSTER_COLUMN_NAMES.employeeId),
    upn: headerIndex(header, ...ROSTER_COLUMN_NAMES.userPrincipalName),
    mail: headerIndex(header, ...ROSTER_COLUMN_NAMES.mail),
    id: headerIndex(header, ...ROSTER_COLUMN_NAMES.id),
    displayName: headerIndex(header, ...ROSTER_COLUMN_NAMES.displayName),
  };
  if (col.employeeId < 0 && col.upn < 0 && col.mail < 0) {
    throw new UserError('usage', `${source}:1: the roster's header row names none of employeeId, userPrincipalName (UPN), mail (Email) (it has: ${header.join(', ') || 'nothing'}). Rename the columns.`);
  }
  const columns: RosterColumns = {};
  const named = (i: number) => (i >= 0 ? header[i] : undefined);
  for (const [field, i] of [['employeeId', col.employeeId], ['userPrincipalName', col.upn], ['mail', col.mail], ['id', col.id], ['displayName', col.displayName]] as const) {
    const h = named(i);
    if (h !== undefined) columns[field] = h;
  }
  const users = rows.slice(1).map((row) => {
    const cell = (i: number) => (i >= 0 ? (row.cells[i] ?? '').trim() || undefined : undefined);
    const user: RosterUser = { at: `${source}:${row.line}` };
    const values = { employeeId: cell(col.employeeId), userPrincipalName: cell(col.upn), mail: cell(col.mail), id: cell(col.id), displayName: cell(col.displayName) };
    for (const [k, v] of Object.entries(values)) if (v !== undefined) (user as Record<string, string>)[k] = v;
    return user;
  });
  return { users, columns };
}

export function describeRosterUser(user: RosterUser): string {
  const name = user.userPrincipalName ?? user.mail ?? (user.employeeId ? `employeeId ${user.employeeId}` : user.id ?? '?');
  return user.at ? `${name} (${user.at})` : name;
}

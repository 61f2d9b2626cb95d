/**
 * What a Google user found for a manifest key means (the answers both lookup paths give: one
 * request per key in GoogleTarget, or the domain listed page by page here), and the listing path.
 *
 * Listing: users.list pages of up to 500 users answer many keys for a request each, where looking
 * keys up costs a request per key. It is bounded so it never costs much more than the per-key
 * path: a page is read only while the pages read are fewer than the keys not yet answered, so
 * pages + the keys left over ≤ about twice the keys. What the listing cannot answer for sure goes
 * back to the per-key path (one request per key):
 *   - every key not answered when the listing stopped early (or failed: a 403 from a caller that
 *     may get users but not list them, a page refused for good);
 *   - a key a COMPLETE listing lacks: a user created seconds ago may not be listed yet, but users.get
 *     finds them (and the per-key path words "not found" and "only of another type");
 *   - an employee id is answered only once the listing is complete: another page may hold a
 *     second user with the same id, which makes it ambiguous.
 */
import type { UserKey } from '../../manifest/userKey.js';
import type { SubjectResolution } from '../port.js';
import { GoogleAuthError } from './errors.js';
import type { GoogleDirectoryClient, GoogleDirectoryUser } from './directory.js';

/** A UPN/mail key's answer: the user users.get (or the listing) found by that address, if any. */
export function answerByAddress(key: UserKey, user: GoogleDirectoryUser | null, externalIdType: string): SubjectResolution {
  if (!user) return { notFound: true, problem: 'not-found', reason: `No Google user has the address ${key.value}.` };
  return subjectOf(user, user.primaryEmail.toLowerCase() === key.value.toLowerCase() ? 'upn' : 'mail', externalIdType);
}

/** A googleId key's answer: the user with that id, if any. */
export function answerById(key: UserKey, user: GoogleDirectoryUser | null, externalIdType: string): SubjectResolution {
  if (!user) return { notFound: true, problem: 'not-found', reason: `No Google user has the id ${key.value}.` };
  return subjectOf(user, 'objectId', externalIdType);
}

/** An employeeId key's answer from every user holding the value as an external id of any type. */
export function answerByEmployeeId(key: UserKey, holders: readonly GoogleDirectoryUser[], externalIdType: string): SubjectResolution {
  const matches = holders.filter((user) => user.externalIds?.some((entry) => entry.value === key.value && entry.type === externalIdType));
  if (matches.length > 1) {
    return { notFound: true, problem: 'ambiguous', reason: `${matches.length} Google users have employee id ${key.value} (${matches.map((user) => user.primaryEmail).join(', ')}); give this user a google: key.` };
  }
  const [only] = matches;
  if (only) return subjectOf(only, 'employeeId', externalIdType);
  const otherTypes = [...new Set(holders.flatMap((user) => (user.externalIds ?? []).filter((entry) => entry.value === key.value).map((entry) => entry.type)))];
  return {
    notFound: true,
    problem: 'not-found',
    reason: otherTypes.length
      ? `Google has ${key.value} only as an external id of type ${otherTypes.join(', ')}, not ${externalIdType} (the Admin console's Employee ID).`
      : `No Google user has employee id ${key.value}.`,
  };
}

function subjectOf(user: GoogleDirectoryUser, matchedBy: 'objectId' | 'upn' | 'mail' | 'employeeId', externalIdType: string): SubjectResolution {
  const employeeId = user.externalIds?.find((entry) => entry.type === externalIdType)?.value;
  return {
    id: user.id,
    userPrincipalName: user.primaryEmail,
    ...(user.name?.fullName ? { displayName: user.name.fullName } : {}),
    mail: user.primaryEmail,
    ...(employeeId ? { employeeId } : {}),
    matchedBy,
    ...(user.suspended === undefined ? {} : { accountEnabled: !user.suspended }),
  };
}

/** Every address users.get finds the user by: primary, aliases, and the aliases Google made. */
function addressesOf(user: GoogleDirectoryUser): string[] {
  return [user.primaryEmail, ...(user.aliases ?? []), ...(user.nonEditableAliases ?? [])].map((address) => address.toLowerCase());
}

export interface ListingLookup {
  externalIdType: string;
  signal?: AbortSignal;
  /** Every user read (the target remembers whether each holds a photo). */
  onUser: (user: GoogleDirectoryUser) => void;
  /** Final answers, a batch per page (and the employee ids once the listing is complete). */
  onAnswers: (answers: ReadonlyMap<string, SubjectResolution>) => void;
}

/**
 * Answers `keys` (upn, googleId and employeeId kinds) from users.list pages, as far as the bound
 * allows; returns the keys left for the per-key path. Throws only a sign-in failure or the
 * caller's cancellation: any other failure of users.list leaves the keys to the per-key path,
 * which reports per key.
 */
export async function resolveByListing(directory: GoogleDirectoryClient, keys: readonly UserKey[], lookup: ListingLookup): Promise<UserKey[]> {
  const byAddress = new Map<string, UserKey>();
  const byId = new Map<string, UserKey>();
  const holders = new Map<string, { key: UserKey; users: GoogleDirectoryUser[] }>();
  for (const key of keys) {
    if (key.kind === 'upn') byAddress.set(key.value.toLowerCase(), key);
    else if (key.kind === 'googleId') byId.set(key.value, key);
    else if (key.kind === 'employeeId') holders.set(key.value, { key, users: [] });
  }
  const answered = new Set<string>();
  let complete = false;
  try {
    let pageToken: string | undefined;
    for (let pages = 0; pages < keys.length - answered.size; pages++) {
      const page = await directory.listUserPage({ ...(pageToken ? { pageToken } : {}), ...(lookup.signal ? { signal: lookup.signal } : {}) });
      const batch = new Map<string, SubjectResolution>();
      for (const user of page.users) {
        lookup.onUser(user);
        const byIdKey = byId.get(user.id);
        if (byIdKey) batch.set(byIdKey.canonical, answerById(byIdKey, user, lookup.externalIdType));
        for (const address of addressesOf(user)) {
          const key = byAddress.get(address);
          if (key) batch.set(key.canonical, answerByAddress(key, user, lookup.externalIdType));
        }
        const values = new Set((user.externalIds ?? []).map((entry) => entry.value));
        for (const value of values) holders.get(value)?.users.push(user);
      }
      for (const canonical of batch.keys()) answered.add(canonical);
      if (batch.size > 0) lookup.onAnswers(batch);
      pageToken = page.nextPageToken;
      if (!pageToken) {
        complete = true;
        break;
      }
    }
  } catch (error) {
    if (error instanceof GoogleAuthError || lookup.signal?.aborted) throw error;
    // Listing refused or failed: the per-key path looks the rest up and reports what fails.
  }
  if (complete) {
    const batch = new Map<string, SubjectResolution>();
    for (const { key, users } of holders.values()) {
      const answer = answerByEmployeeId(key, users, lookup.externalIdType);
      // Not found in the whole listing: the per-key lookup says so (or finds a user just created).
      if ('notFound' in answer && answer.problem === 'not-found') continue;
      batch.set(key.canonical, answer);
      answered.add(key.canonical);
    }
    if (batch.size > 0) lookup.onAnswers(batch);
  }
  return keys.filter((key) => !answered.has(key.canonical));
}

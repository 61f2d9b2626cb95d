/**
 * Resolving manifest user keys to tenant users with few requests: GET lookups packed 20 to a
 * JSON $batch, a few batches in flight. Graph throttles every sub-request on its own, so a
 * sub-request answered 429/5xx is retried in a later batch (after the longest Retry-After seen)
 * while its siblings' answers are kept.
 *   objectId → GET /users/{id};  upn → GET /users/{upn}, and when that is 404 the key may be a
 *   mail address → GET /users?$filter=mail eq '…';  employeeId → GET /users?$filter=employeeId eq '…'.
 * A filter matching more than one user is ambiguous and resolves to nobody.
 */
import { isResolvedSubject, type ResolvedSubject, type SubjectResolution, type UnresolvedSubject } from '../port.js';
import { mapLimit } from '../../core/pool.js';
import type { UserKey } from '../../manifest/userKey.js';
import { classifyFailure, graphErrorFromResponse } from './errors.js';
import type { GraphError } from './errors.js';
import type { GraphConnection, GraphRequest, GraphResponse } from './http.js';
import { encodeSegment, odataString, query, relativeNextLink } from './http.js';
import { PERMISSIONS } from './permissions.js';
import { MAX_BATCH, sendBatch, type BatchAnswer } from './batch.js';
import { BatchRounds } from '../../pacing/rounds.js';
import { withRetries } from '../../pacing/retry.js';

/**
 * Entra's answers are the port's (src/target/port.ts): one definition, so the core and this
 * target cannot drift apart. A soft-deleted user is not under /users at all: it resolves to
 * nobody ('not-found'); `accountEnabled: false` is a disabled account (a leaver, or one prepared
 * ahead of its start date).
 */
export type ResolvedUser = ResolvedSubject;
export type UnresolvedUser = UnresolvedSubject;
export type UserResolution = SubjectResolution;
export const isResolved = isResolvedSubject;

export interface ResolveOptions {
  /** Batches in flight at once; default 4. */
  batchConcurrency?: number;
  /** Attempts per lookup (and per batch request); default 5. */
  maxAttempts?: number;
  signal?: AbortSignal;
  /**
   * Told the answers of each batch as it lands (keys answered for good: resolved, not found,
   * ambiguous, failed), so a caller can start on the first users while the rest are looked up.
   */
  onResolved?: (answers: ReadonlyMap<string, UserResolution>) => void;
}

const SELECT = 'id,userPrincipalName,displayName,mail,employeeId,accountEnabled';
const READ_PERMISSION = PERMISSIONS.users;

type Stage = 'direct' | 'mail' | 'employeeId';

/**
 * A key being looked up. Failed attempts (5xx, network) and throttled ones are counted apart: a
 * 429 is not a failure.
 */
export interface PendingLookup {
  key: UserKey;
  attempts: number;
  throttled: number;
}

interface Lookup extends PendingLookup {
  stage: Stage;
}

/** What one sub-request's answer comes to: settled, a further lookup of the key, or another attempt. */
export type LookupOutcome<L extends PendingLookup> =
  | { kind: 'done'; resolution: UserResolution }
  | { kind: 'next'; lookup: L }
  | { kind: 'retry'; error: GraphError; retryAfterSeconds: number | undefined };

/** How one kind of subject (users, groups) is looked up: the rounds around it are shared (lookUpInRounds). */
export interface LookupKind<L extends PendingLookup> {
  /** What a batch looks up, for its error messages: "user(s)", "group(s)". */
  noun: string;
  permission: string;
  start(key: UserKey): L;
  url(lookup: L): string;
  /** 401/403 throw: they are the same for every key. */
  interpret(lookup: L, answer: BatchAnswer | undefined): LookupOutcome<L>;
}

function subRequestUrl(lookup: Lookup): string {
  const { key, stage } = lookup;
  if (stage === 'direct') return `/users/${encodeSegment(key.value)}${query({ $select: SELECT })}`;
  const property = stage === 'mail' ? 'mail' : 'employeeId';
  return `/users${query({ $filter: `${property} eq ${odataString(key.value)}`, $select: SELECT, $top: 2 })}`;
}

function toUser(value: unknown, matchedBy: ResolvedUser['matchedBy']): ResolvedUser | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['id'] !== 'string') return undefined;
  const user: ResolvedUser = { id: record['id'], userPrincipalName: String(record['userPrincipalName'] ?? ''), matchedBy };
  if (typeof record['displayName'] === 'string') user.displayName = record['displayName'];
  if (typeof record['mail'] === 'string' && record['mail']) user.mail = record['mail'];
  if (typeof record['employeeId'] === 'string' && record['employeeId']) user.employeeId = record['employeeId'];
  if (typeof record['accountEnabled'] === 'boolean') user.accountEnabled = record['accountEnabled'];
  return user;
}

export function resolveUsers(connection: GraphConnection, keys: readonly UserKey[], options: ResolveOptions = {}): Promise<Map<string, UserResolution>> {
  return lookUpInRounds(connection, keys, USER_LOOKUPS, options);
}

const USER_LOOKUPS: LookupKind<Lookup> = {
  noun: 'user(s)',
  permission: READ_PERMISSION,
  start: (key) => ({ key, stage: key.kind === 'employeeId' ? 'employeeId' : 'direct', attempts: 0, throttled: 0 }),
  url: subRequestUrl,
  interpret,
};

/**
 * Keys → subjects, keyed by UserKey.canonical, in rounds of batches (users' and groups' alike).
 * Lookups answered 429 wait for the longest Retry-After; the next round then sends no more
 * lookups than the previous one got through, so a throttled app does not keep hammering (the
 * pacing engine's BatchRounds). A lookup fails for good after `maxAttempts` failed attempts, or
 * four times as many throttled ones.
 */
export async function lookUpInRounds<L extends PendingLookup>(connection: GraphConnection, keys: readonly UserKey[], kind: LookupKind<L>, options: ResolveOptions = {}): Promise<Map<string, UserResolution>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const results = new Map<string, UserResolution>();
  let pending: L[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.canonical)) continue;
    seen.add(key.canonical);
    pending.push(kind.start(key));
  }

  const rounds = new BatchRounds(options.signal ? { signal: options.signal } : {});
  while (pending.length > 0) {
    const sending = rounds.take(pending);
    const held = pending.slice(sending.length);
    const chunks: L[][] = [];
    for (let index = 0; index < sending.length; index += MAX_BATCH) chunks.push(sending.slice(index, index + MAX_BATCH));
    const next: L[] = [];
    let waitSeconds: number | undefined;
    let throttledThisRound = 0;
    let answeredThisRound = 0;
    let backoffRetry = 0;
    await mapLimit(chunks, options.batchConcurrency ?? 4, async (chunk) => {
      const requests = chunk.map((lookup, index) => ({ id: String(index), method: 'GET' as const, url: kind.url(lookup) }));
      const answers = await sendBatch(connection, requests, { operation: `Looking up ${chunk.length} ${kind.noun}`, permission: kind.permission, maxAttempts, ...(options.signal ? { signal: options.signal } : {}) });
      const settled = new Map<string, UserResolution>();
      chunk.forEach((lookup, index) => {
        const outcome = kind.interpret(lookup, answers.get(String(index)));
        if (outcome.kind === 'done') {
          answeredThisRound++;
          results.set(lookup.key.canonical, outcome.resolution);
          settled.set(lookup.key.canonical, outcome.resolution);
          return;
        }
        if (outcome.kind === 'next') {
          answeredThisRound++;
          next.push(outcome.lookup);
          return;
        }
        const throttled = outcome.error.status === 429;
        if (throttled) {
          lookup.throttled++;
          throttledThisRound++;
        } else {
          lookup.attempts++;
          backoffRetry = Math.max(backoffRetry, lookup.attempts);
        }
        if (lookup.attempts >= maxAttempts || lookup.throttled >= maxAttempts * 4) {
          const failed: UnresolvedUser = { notFound: true, problem: 'failed', reason: outcome.error.message };
          results.set(lookup.key.canonical, failed);
          settled.set(lookup.key.canonical, failed);
          return;
        }
        next.push(lookup);
        if (outcome.retryAfterSeconds !== undefined) waitSeconds = Math.max(waitSeconds ?? 0, outcome.retryAfterSeconds);
      });
      if (settled.size > 0) options.onResolved?.(settled);
    });
    await rounds.next({ answered: answeredThisRound, throttled: throttledThisRound, retryAfterSeconds: waitSeconds, retry: backoffRetry });
    pending = [...next, ...held];
  }
  return results;
}

function describe(key: UserKey): string {
  return key.kind === 'employeeId' ? `employeeId ${key.value}` : key.value;
}

function interpret(lookup: Lookup, answer: BatchAnswer | undefined): LookupOutcome<Lookup> {
  const { key, stage } = lookup;
  const path = subRequestUrl(lookup);
  if (!answer) {
    const error = graphErrorFromResponse({ status: 502, headers: {}, body: '', method: 'GET', path, operation: `Looking up ${describe(key)}` });
    return { kind: 'retry', error, retryAfterSeconds: undefined };
  }
  if (answer.status >= 200 && answer.status < 300) {
    if (stage === 'direct') {
      const user = toUser(answer.body, key.kind === 'objectId' ? 'objectId' : 'upn');
      return user ? { kind: 'done', resolution: user } : { kind: 'done', resolution: { notFound: true, problem: 'failed', reason: `Graph answered the lookup of ${describe(key)} without a user.` } };
    }
    const values = (answer.body as { value?: unknown[] } | undefined)?.value ?? [];
    const users = values.map((value) => toUser(value, stage === 'mail' ? 'mail' : 'employeeId')).filter((user): user is ResolvedUser => user !== undefined);
    if (users.length === 1) return { kind: 'done', resolution: users[0]! };
    if (users.length > 1) {
      return {
        kind: 'done',
        resolution: {
          notFound: true,
          problem: 'ambiguous',
          reason: `${describe(key)} matches several users (${users.map((user) => user.userPrincipalName).join(', ')}${values.length >= 2 ? ', …' : ''}). Key them by userPrincipalName or object id instead.`,
        },
      };
    }
    return {
      kind: 'done',
      resolution: {
        notFound: true,
        problem: 'not-found',
        reason:
          stage === 'mail'
            ? `No user in the tenant has the userPrincipalName or mail address ${key.value}.`
            : `No user in the tenant has employeeId ${key.value}.`,
      },
    };
  }
  const error = graphErrorFromResponse({
    status: answer.status,
    headers: answer.headers ?? {},
    body: answer.body ?? '',
    method: 'GET',
    path: `/v1.0${path}`,
    operation: `Looking up ${describe(key)}`,
    permission: READ_PERMISSION,
  });
  if (answer.status === 404 && stage === 'direct' && key.kind === 'upn') return { kind: 'next', lookup: { key, stage: 'mail', attempts: 0, throttled: 0 } };
  if (answer.status === 404 && stage === 'direct') {
    return { kind: 'done', resolution: { notFound: true, problem: 'not-found', reason: `No user in the tenant has the object id ${key.value}.` } };
  }
  if (answer.status === 401 || answer.status === 403) throw error; // the same for every user: stop here
  const disposition = classifyFailure(error);
  if (disposition.kind !== 'fatal') return { kind: 'retry', error, retryAfterSeconds: disposition.retryAfterSeconds };
  return { kind: 'done', resolution: { notFound: true, problem: 'failed', reason: error.message } };
}

type DeletedPage = { value?: Record<string, unknown>[]; '@odata.nextLink'?: string };

/** A deleted user (in the recycle bin) that a manifest key names. */
export interface DeletedUser {
  id: string;
  /** The name it had: Entra prefixes a deleted user's userPrincipalName with its object id. */
  userPrincipalName: string;
  deletedDateTime?: string;
}

/**
 * Which of `keys` name a deleted user (soft-deleted: restorable for 30 days, listed under
 * GET /directory/deletedItems/microsoft.graph.user, not under /users). The recycle bin is read
 * page by page (999 a page) and matched here, by object id, userPrincipalName (without the object
 * id prefix Entra adds), mail or employeeId.
 */
export async function findDeletedUsers(connection: GraphConnection, keys: readonly UserKey[], options: { signal?: AbortSignal; maxAttempts?: number } = {}): Promise<Map<string, DeletedUser>> {
  const found = new Map<string, DeletedUser>();
  if (keys.length === 0) return found;
  const byValue = new Map<string, UserKey[]>();
  const index = (value: string, key: UserKey) => {
    const folded = value.toLowerCase();
    byValue.set(folded, [...(byValue.get(folded) ?? []), key]);
  };
  for (const key of keys) index(key.kind === 'employeeId' ? `employeeId:${key.value}` : key.value, key);
  let path: string | undefined = `/directory/deletedItems/microsoft.graph.user${query({ $select: 'id,userPrincipalName,mail,employeeId,deletedDateTime', $top: 999 })}`;
  while (path !== undefined) {
    const request: GraphRequest = { method: 'GET', path, operation: 'Listing deleted users', permission: READ_PERMISSION, ...(options.signal ? { signal: options.signal } : {}) };
    const response: GraphResponse<DeletedPage> = await withRetries(() => connection.send<DeletedPage>(request), { maxAttempts: options.maxAttempts ?? 3, ...(options.signal ? { signal: options.signal } : {}) });
    for (const value of response.body.value ?? []) {
      const id = typeof value['id'] === 'string' ? value['id'] : '';
      const upn = typeof value['userPrincipalName'] === 'string' ? value['userPrincipalName'] : '';
      const original = [id, id.replace(/-/g, '')].filter(Boolean).reduce((name, prefix) => (name.toLowerCase().startsWith(prefix.toLowerCase()) ? name.slice(prefix.length) : name), upn);
      const deleted: DeletedUser = { id, userPrincipalName: original, ...(typeof value['deletedDateTime'] === 'string' ? { deletedDateTime: value['deletedDateTime'] } : {}) };
      const names = [id, original, typeof value['mail'] === 'string' ? value['mail'] : '', typeof value['employeeId'] === 'string' && value['employeeId'] ? `employeeId:${value['employeeId']}` : ''];
      for (const name of names) for (const key of name ? (byValue.get(name.toLowerCase()) ?? []) : []) found.set(key.canonical, deleted);
    }
    path = relativeNextLink(response.body['@odata.nextLink']);
  }
  return found;
}

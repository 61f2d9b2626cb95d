// The Graph pipeline every request (and every $batch sub-request) goes through, in order:
//   1. authentication: the bearer token Entra issued (401 InvalidAuthenticationToken)
//   2. throttling: the app+tenant token bucket (429 TooManyRequests + Retry-After)
//   3. injected faults: error status, connection reset, or delay
//   4. the handler, which checks the token's roles (403 Authorization_RequestDenied) and
//      the tenant's rules.
import { randomUUID } from 'node:crypto';
import type { EntraId } from '../entra.js';
import type { FaultInjector } from '../faults.js';
import { isWriteMethod } from '../faults.js';
import type { Delays } from '../latency.js';
import type { RequestLog } from '../request-log.js';
import type { TenantState } from '../state.js';
import type { TokenBucket } from '../throttle.js';
import { formatRetryAfter } from '../throttle.js';
import { executeBatch } from './batch.js';
import type { GraphContext } from './context.js';
import { graphError } from './errors.js';
import { route, pathSegments, targetUserKey, targetGroupKey } from './router.js';
import type { GraphCall, GraphResult } from './types.js';

export interface GraphServiceDeps {
  state: TenantState;
  entra: EntraId;
  bucket: TokenBucket | undefined;
  faults: FaultInjector;
  delays: Delays;
  log: RequestLog;
  graphUrl: string;
}

const FAULT_CODES: Record<number, string> = { 503: 'serviceNotAvailable' };

export class GraphService {
  readonly #deps: GraphServiceDeps;
  readonly #context: GraphContext;
  bucket: TokenBucket | undefined;

  constructor(deps: GraphServiceDeps) {
    this.#deps = deps;
    this.bucket = deps.bucket;
    this.#context = { state: deps.state, graphUrl: deps.graphUrl };
  }

  /** 429 for a request refused by the throttle, with Graph's headers and body. */
  throttled(call: GraphCall, retryAfterSeconds: number, reason: string, limit: 'Write' | 'ReadWrite'): GraphResult {
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

  async execute(call: GraphCall): Promise<GraphResult> {
    const result = await this.#execute(call);
    const headers: Record<string, string> = { 'x-ms-resource-unit': '1', ...(result.headers ?? {}) };
    const usage = this.bucket?.usage() ?? 0;
    // Graph sends this only past 80% of the limit; the value runs from 0.8 to 1.8.
    if (usage > 0.8 && result.status !== 429) headers['x-ms-throttle-limit-percentage'] = usage.toFixed(2);
    return { ...result, headers };
  }

  async #execute(call: GraphCall): Promise<GraphResult> {
    const { entra, state, faults, delays } = this.#deps;
    const auth = entra.verifyAccessToken(call.headers['authorization']);
    if (!auth.ok) return graphError(call, 401, 'InvalidAuthenticationToken', auth.message, { 'WWW-Authenticate': 'Bearer realm=""' });

    const isBatch = pathSegments(call.path)[0] === '$batch';
    const userKey = targetUserKey(call.path);
    const groupKey = targetGroupKey(call.path);
    // A group is a subject like a user: its photo writes count against the same per-subject limits.
    const userId = userKey !== undefined ? state.findUser(userKey)?.id : groupKey !== undefined ? state.findGroup(groupKey)?.id : undefined;
    const withUser = (result: GraphResult): GraphResult => (userId && !result.userId ? { ...result, userId } : result);

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
        if (call.batchRequestId === undefined) return withUser({ status: 0, reset: true, fault: fault.id });
        return withUser({ ...graphError(call, 502, 'generalException', 'Injected fault: connection reset.'), fault: fault.id });
      }
      if (fault?.effect === 'delay') {
        await delays.wait(fault.delayMs ?? 1000);
      } else if (fault) {
        const status = fault.status ?? 503;
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = formatRetryAfter(fault.retryAfterSeconds);
        const error = graphError(call, status, fault.code ?? FAULT_CODES[status] ?? 'generalException', fault.message ?? 'Injected fault.', headers);
        return withUser({ ...error, fault: fault.id });
      }
    }

    if (isBatch) {
      return executeBatch(
        call,
        (subCall) => this.#executeLogged(subCall, call),
        () => randomUUID(),
      );
    }
    return withUser(await route(this.#context, call, auth.identity));
  }

  /** Runs a $batch sub-request and gives it its own request-log entry. */
  async #executeLogged(subCall: GraphCall, parent: GraphCall): Promise<GraphResult> {
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

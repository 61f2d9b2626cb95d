// Injected faults: rules matched against Graph requests. A rule can answer with an error
// status (500/502/503/504, with Retry-After), reset the connection, or slow the request
// down; it can be limited to some methods, a path, or one user ("a user whose writes always
// fail"), fire a given number of times, or fire with a probability.
import type { RandomSource } from './random.js';

export interface FaultRule {
  /** Shown in the request log; generated when omitted. */
  id?: string;
  /** Request methods the rule applies to, e.g. ['PUT', 'PATCH']. Default: any. */
  methods?: string[];
  /** Only writes (POST, PUT, PATCH, DELETE). */
  writesOnly?: boolean;
  /** Regular expression tested against the Graph path with its version, e.g. '^/v1.0/users/.+/photo'. */
  path?: string;
  /** The targeted user, by object id, userPrincipalName or mail. */
  user?: string;
  effect: 'status' | 'reset' | 'delay';
  /** For effect 'status'; default 503. */
  status?: number;
  /** For effect 'status': Retry-After in seconds (fractional allowed); omitted → no header. */
  retryAfterSeconds?: number;
  /** For effect 'status': the Graph error code; default generalException/serviceNotAvailable. */
  code?: string;
  message?: string;
  /** For effect 'delay'. */
  delayMs?: number;
  /** Fire at most this many times, then stop matching. Default: unlimited. */
  times?: number;
  /** Chance (0..1) that a matching request is hit. Default 1. */
  probability?: number;
}

export interface FaultTarget {
  method: string;
  /** Path with version, without query. */
  path: string;
  /** Resolved object id of the targeted user, if any. */
  userId?: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isWriteMethod = (method: string): boolean => WRITE_METHODS.has(method.toUpperCase());

interface ActiveRule {
  rule: FaultRule & { id: string };
  pattern?: RegExp;
  remaining: number;
}

export class FaultInjector {
  #rules: ActiveRule[] = [];
  #generatedIds = 0;
  readonly #random: RandomSource;
  /** Resolves FaultRule.user (id, UPN or mail) to an object id. */
  readonly #resolveUser: (key: string) => string | undefined;

  constructor(random: RandomSource, resolveUser: (key: string) => string | undefined) {
    this.#random = random;
    this.#resolveUser = resolveUser;
  }

  /** Replaces every rule. Throws on an invalid rule so the admin API can answer 400. */
  setRules(rules: readonly FaultRule[]): void {
    this.#rules = rules.map((rule) => {
      if (!['status', 'reset', 'delay'].includes(rule.effect)) throw new Error(`Unknown fault effect: ${String(rule.effect)}`);
      const id = rule.id ?? `fault-${++this.#generatedIds}`;
      const active: ActiveRule = { rule: { ...rule, id }, remaining: rule.times ?? Number.POSITIVE_INFINITY };
      if (rule.path !== undefined) active.pattern = new RegExp(rule.path);
      return active;
    });
  }

  get rules(): FaultRule[] {
    return this.#rules.map(({ rule, remaining }) => ({ ...rule, ...(Number.isFinite(remaining) ? { times: remaining } : {}) }));
  }

  /** The first rule that matches and fires for this request (consuming one of its `times`). */
  match(target: FaultTarget): (FaultRule & { id: string }) | undefined {
    for (const active of this.#rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.methods && !rule.methods.some((method) => method.toUpperCase() === target.method.toUpperCase())) continue;
      if (rule.writesOnly && !isWriteMethod(target.method)) continue;
      if (active.pattern && !active.pattern.test(target.path)) continue;
      if (rule.user !== undefined) {
        const userId = this.#resolveUser(rule.user);
        if (!userId || userId !== target.userId) continue;
      }
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      active.remaining--;
      return rule;
    }
    return undefined;
  }
}

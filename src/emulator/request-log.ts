// The request log: one entry per HTTP request the emulator answered (and one per $batch
// sub-request), newest last, bounded so a long benchmark cannot exhaust memory.

export type RequestApi = 'graph' | 'entra' | 'github-oidc' | 'google' | 'other';

export interface RequestLogEntry {
  /** Monotonic sequence number; use it with `since` to read only new entries. */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  method: string;
  /** Path and query as sent (for batch sub-requests: the sub-request's URL, version prefixed). */
  path: string;
  api: RequestApi;
  /** Object id of the user the request targeted, once resolved. */
  userId?: string;
  /** HTTP status sent; 0 when the connection was reset instead. */
  status: number;
  /** True when the throttle (bucket or concurrency cap) answered 429. */
  throttled: boolean;
  /** Id of the fault rule that fired, if any. */
  fault?: string;
  /** Graph error code of an error response, if any. */
  errorCode?: string;
  /** For sub-requests: the $batch request's seq and the sub-request id. */
  batch?: { parentSeq: number; id: string };
  durationMs: number;
}

export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #limit: number;
  #nextSeq = 1;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Reserves a sequence number when the request arrives, so entries sort by arrival. */
  nextSeq(): number {
    return this.#nextSeq++;
  }

  add(entry: RequestLogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.splice(0, this.#entries.length - this.#limit);
  }

  list(sinceSeq = 0): RequestLogEntry[] {
    return this.#entries.filter((entry) => entry.seq > sinceSeq).sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

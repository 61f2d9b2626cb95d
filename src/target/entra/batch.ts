/**
 * One JSON `$batch` request (up to MAX_BATCH sub-requests), retried as a whole on throttling and
 * transient failures; the answers come back by sub-request id. Shared by user lookups and the
 * photo-presence check, which each decide what to do with a sub-request's own status.
 */
import type { GraphConnection } from './http.js';
import { withRetries } from '../../pacing/retry.js';

/** Graph accepts at most 20 requests in one $batch. */
export const MAX_BATCH = 20;

export interface BatchRequest {
  id: string;
  method: 'GET';
  url: string;
}

export interface BatchAnswer {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchOptions {
  /** What the batch is for, and the permission it needs (for error messages). */
  operation: string;
  permission: string;
  maxAttempts: number;
  signal?: AbortSignal;
}

export async function sendBatch(connection: GraphConnection, requests: readonly BatchRequest[], options: BatchOptions): Promise<Map<string, BatchAnswer>> {
  const { signal } = options;
  const response = await withRetries(
    () =>
      connection.send<{ responses?: BatchAnswer[] }>({
        method: 'POST',
        path: '/$batch',
        body: { requests },
        operation: options.operation,
        permission: options.permission,
        ...(signal ? { signal } : {}),
      }),
    { maxAttempts: options.maxAttempts, ...(signal ? { signal } : {}) },
  );
  return new Map((response.body?.responses ?? []).map((answer) => [String(answer.id), answer]));
}

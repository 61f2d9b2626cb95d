/**
 * Which users have a photo at all, 20 users per request: `$batch` of `GET /users/{id}/photo`
 * (metadata only). Used before comparing a repository with a tenant, so that users without a
 * photo (a first import: all of them) cost a twentieth of a request instead of a download.
 * Only definite answers are returned (200: has one, 404: has none); anything else (throttled,
 * failed) is left out and the caller falls back to looking at that user one by one.
 */
import { mapLimit } from '../core/pool.js';
import type { GraphConnection } from './http.js';
import { encodeSegment } from './http.js';
import { withRetries } from './retry.js';
import { MAX_BATCH } from './users.js';

export async function photoPresence(connection: GraphConnection, userIds: readonly string[], options: { signal?: AbortSignal; batchConcurrency?: number } = {}): Promise<Map<string, boolean>> {
  const present = new Map<string, boolean>();
  const chunks: string[][] = [];
  for (let i = 0; i < userIds.length; i += MAX_BATCH) chunks.push(userIds.slice(i, i + MAX_BATCH));
  await mapLimit(chunks, options.batchConcurrency ?? 4, async (chunk) => {
    if (options.signal?.aborted) return;
    const requests = chunk.map((id, index) => ({ id: String(index), method: 'GET', url: `/users/${encodeSegment(id)}/photo` }));
    try {
      const response = await withRetries(
        () =>
          connection.send<{ responses?: { id: string; status: number }[] }>({
            method: 'POST',
            path: '/$batch',
            body: { requests },
            operation: `Checking which of ${chunk.length} user(s) have a photo`,
            permission: 'ProfilePhoto.ReadWrite.All',
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        { maxAttempts: 4, ...(options.signal ? { signal: options.signal } : {}) },
      );
      for (const answer of response.body?.responses ?? []) {
        const id = chunk[Number(answer.id)];
        if (id === undefined) continue;
        if (answer.status === 200) present.set(id, true);
        else if (answer.status === 404) present.set(id, false);
      }
    } catch {
      // Unknown for this chunk: the caller compares these users one by one.
    }
  });
  return present;
}

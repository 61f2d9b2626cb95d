/**
 * Which users have a photo at all, 20 users per request: `$batch` of `GET /users/{id}/photo`
 * (metadata only). Used before comparing a repository with a tenant, so that users without a
 * photo (a first import: all of them) cost a twentieth of a request instead of a download.
 * Sub-requests answered 429 are asked again after their Retry-After (for up to a minute); only
 * definite answers are returned, and for anyone left out (still throttled, failed) the caller falls
 * back to looking at that user one by one.
 * "No photo" is either answer a tenant gives: 200 with the documented 1x1 image/gif placeholder
 * (learn.microsoft.com/graph/api/profilephoto-get), or 404 ImageNotFound. Any other 200 is a photo.
 */
import { mapLimit } from '../../core/pool.js';
import { MAX_BATCH, sendBatch } from './batch.js';
import { isNoPhotoMetadata, parseRetryAfter } from './errors.js';
import type { GraphConnection } from './http.js';
import { encodeSegment } from './http.js';
import { PERMISSIONS } from './permissions.js';
import { BatchRounds } from '../../pacing/rounds.js';

/** Throttled sub-requests are asked again for at most this long in all; the rest fall back. */
const MAX_WAIT_MS = 60_000;

export async function photoPresence(connection: GraphConnection, userIds: readonly string[], options: { signal?: AbortSignal; batchConcurrency?: number } = {}): Promise<Map<string, boolean>> {
  const present = new Map<string, boolean>();
  let pending = [...userIds];
  // As for user lookups: after a throttled round, send no more than the last round got answered
  // (the pacing engine's BatchRounds), and wait at most MAX_WAIT_MS in all.
  const rounds = new BatchRounds({ maxTotalWaitMs: MAX_WAIT_MS, ...(options.signal ? { signal: options.signal } : {}) });
  for (let round = 1; pending.length > 0 && !options.signal?.aborted; round++) {
    const sending = rounds.take(pending);
    const throttled: string[] = [];
    let answered = 0;
    let waitSeconds: number | undefined;
    const chunks: string[][] = [];
    for (let i = 0; i < sending.length; i += MAX_BATCH) chunks.push(sending.slice(i, i + MAX_BATCH));
    await mapLimit(chunks, options.batchConcurrency ?? 4, async (chunk) => {
      if (options.signal?.aborted) return;
      const requests = chunk.map((id, index) => ({ id: String(index), method: 'GET' as const, url: `/users/${encodeSegment(id)}/photo` }));
      let answers;
      try {
        answers = await sendBatch(connection, requests, { operation: `Checking which of ${chunk.length} user(s) have a photo`, permission: PERMISSIONS.photos, maxAttempts: 4, ...(options.signal ? { signal: options.signal } : {}) });
      } catch {
        return; // unknown for this chunk: the caller compares these users one by one
      }
      chunk.forEach((id, index) => {
        const answer = answers.get(String(index));
        if (answer?.status === 200 || answer?.status === 404) {
          present.set(id, answer.status === 200 && !isNoPhotoMetadata(answer.body));
          answered++;
        } else if (answer?.status === 429) {
          throttled.push(id);
          const retryAfter = parseRetryAfter(Object.entries(answer.headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1]);
          if (retryAfter !== undefined) waitSeconds = Math.max(waitSeconds ?? 0, retryAfter);
        }
      });
    });
    pending = [...throttled, ...pending.slice(sending.length)];
    // A cancelled wait ends the rounds like the signal does: the rest stays unknown.
    const goOn = await rounds.next({ answered, throttled: throttled.length, retryAfterSeconds: waitSeconds, retry: throttled.length > 0 ? round : 0 }).catch(() => false);
    if (!goOn) break;
  }
  return present;
}

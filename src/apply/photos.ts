/**
 * The photos a run sends, normalised ahead of the uploads (CPU while the network waits).
 */
import { Semaphore } from '../core/pool.js';
import { checkPhoto, recommendedParallelism } from '../photo/index.js';
import { BufferPool, type Lease } from '../repo/bufferPool.js';
import type { RevisionSnapshot } from '../repo/revision.js';
import { Lookahead } from './lookahead.js';
import type { Upload } from './outcomes.js';

/** A photo ready to send, or why it cannot be. */
export type PreparedPhoto = { jpeg: Buffer } | { reason: string };
export type PhotoLookahead = Lookahead<Upload, PreparedPhoto>;

/**
 * Normalising (CPU) runs ahead of uploading (network, paced to the throttle): it starts as soon
 * as the plan is known and keeps a bounded number of photos ready, so the cores stay busy while
 * the run looks users up and while photos wait for the throttle. Memory stays flat however many
 * photos there are: at most `ahead` normalised photos wait, plus those in flight.
 */
export function preparePhotos(uploads: readonly Upload[], headSnapshot: RevisionSnapshot, workAhead: boolean): PhotoLookahead {
  const parallelism = recommendedParallelism();
  const cpuSlots = new Semaphore(parallelism);
  // Originals are needed only while they are normalised: one reusable buffer per photo in flight.
  const originals = new BufferPool(parallelism);
  const ahead = Math.max(32, parallelism * 8);
  const photos = new Lookahead(uploads, (upload: Upload) => preparePhoto(upload, headSnapshot, cpuSlots, originals), ahead);
  // A dry run sends nothing: it normalises only the photos it compares with the tenant (take()).
  if (workAhead) photos.fill();
  else photos.keepOnly(new Set());
  return photos;
}

async function preparePhoto(upload: Upload, headSnapshot: RevisionSnapshot, cpuSlots: Semaphore, originals: BufferPool): Promise<PreparedPhoto> {
  await cpuSlots.acquire();
  let original: Lease | undefined;
  try {
    original = await headSnapshot.readLeased(upload.photo, originals);
    const report = await checkPhoto(original.bytes, upload.settings);
    const error = report.issues.find((i) => i.severity === 'error');
    if (error || !report.output) return { reason: error?.message ?? 'The photo could not be normalised.' };
    const { jpeg } = report.output;
    // The upload must outlive the original's buffer, which the next photo overwrites.
    return { jpeg: jpeg.buffer === original.bytes.buffer ? Buffer.from(jpeg) : jpeg };
  } catch (err) {
    return { reason: `The photo could not be read: ${(err as Error).message}` };
  } finally {
    original?.release();
    cpuSlots.release();
  }
}

/**
 * Executing a plan against one target: users looked up and written as a pipeline (writeUsers),
 * then the removals (executeRemovals). Shared by apply and drift's fix; what to execute, and what
 * to record afterwards, is the caller's.
 */
import { Semaphore } from '../core/pool.js';
import type { Progress } from '../core/progress.js';
import type { DesiredState, SubjectEntries } from '../desired/desired.js';
import { describeKey, type UserKey } from '../manifest/userKey.js';
import { recommendedParallelism } from '../photo/index.js';
import { WritePacer, pacingClassifierOf } from '../pacing/index.js';
import { isResolvedSubject as isResolved, type PhotoTarget, type SubjectResolution as UserResolution } from '../target/index.js';
import type { Ledger, PendingEntry } from './ledger.js';
import { targetHoldsPhoto } from './live.js';
import { failure, goneUserRemoval, noAccountOutcome, notAttempted, NOT_SENT, resolutionOutcome, type Removal, type Upload } from './outcomes.js';
import type { PhotoLookahead } from './photos.js';
import { PolicyBreaker } from './policyStep.js';
import { SubjectTracker, type TrackerStep } from './subjectTracker.js';
import type { UnknownUsers, UserOutcome } from './types.js';

/** Told each change that landed (the progress notes); resolves once it is recorded as far as it must be. */
export type RecordLanded = (entry: Parameters<Ledger['record']>[0]) => Promise<void>;

export interface WriteContext {
  uploads: readonly Upload[];
  /** Advanced once per upload as it is settled (written, skipped, failed, waiting, conflicting). */
  progress: Progress;
  /** Every key the run looks up: its uploads' and its removals'. */
  keys: readonly UserKey[];
  desired: DesiredState;
  tenant: PhotoTarget;
  pacer: WritePacer;
  photos: PhotoLookahead;
  /** No applied record yet: compare with the tenant's photo before writing. */
  compareWithTenant: boolean;
  dryRun: boolean;
  /** Settles when photos may be written (after a policy change that must go first). */
  beforeWrites: Promise<unknown>;
  recordLanded: RecordLanded;
  outcomes: UserOutcome[];
  /** Keys without a usable account: waiting (`pending`) or failed. */
  unknownUsers: UnknownUsers;
  /** Users already waiting at the base, with the time they were first found waiting. */
  waitingSince: ReadonlyMap<string, PendingEntry>;
  signal?: AbortSignal;
}

export interface WriteResult {
  /** Answers of the lookups of `keys`. */
  resolutions: ReadonlyMap<string, UserResolution>;
  /** Head entries per tenant subject (entriesBySubject's groups): same-user conflicts and held removals. */
  groups: Map<string, SubjectEntries>;
  /** Uploads whose photo the tenant already holds (first apply). */
  inTenant: number;
  breaker: PolicyBreaker;
}

/** A user ready to be written: looked up, in no same-user conflict; `compare` first on a first apply. */
interface ReadyUser {
  upload: Upload;
  userId: string;
  compare: boolean;
}

/**
 * Looks users up and writes their photos as a pipeline, so the first photo leaves one lookup
 * round trip after sign-in instead of after every lookup:
 *   lookups (20 to a $batch, 4 in flight) ─▶ same-user check (SubjectTracker: a user is released
 *   once no other entry of the head can be the same tenant user) ─▶ on a first apply, which of
 *   them have a photo (20 to a $batch) and, for those that do, is it already the repository's
 *   (download and compare) ─▶ upload (normalised ahead, paced, retried) ─▶ progress record.
 * Conflicting users are written for neither (the caller reports them from `groups`); removals are
 * only looked up here and deleted by the caller after the uploads.
 */
export async function writeUsers(ctx: WriteContext): Promise<WriteResult> {
  const { photos, tenant, signal } = ctx;
  const byKey = new Map(ctx.uploads.map((u) => [u.key.canonical, u]));
  const tracker = new SubjectTracker(ctx.desired, ctx.keys.map((k) => k.canonical));
  const breaker = new PolicyBreaker(tenant, () => photos.stop());
  const ready = new WorkQueue<ReadyUser>();
  const side = new Set<Promise<void>>();
  const decided = new Set<string>();
  let inTenant = 0;
  let broken: { error: unknown } | undefined;
  const readPacer = ctx.compareWithTenant ? new WritePacer({ maxConcurrency: 16, initialConcurrency: 4, classify: pacingClassifierOf(tenant), ...(signal ? { signal } : {}) }) : undefined;
  const presenceSlots = new Semaphore(4);
  const cpu = new Semaphore(recommendedParallelism());

  const background = (work: () => Promise<void>) => {
    const job = work().catch((error: unknown) => {
      broken ??= { error };
    });
    side.add(job);
    void job.finally(() => side.delete(job));
  };
  // Each upload counts once as it is settled; one never sent (cancelled, or stopped by the photo
  // policy) is not "done", so a stopped run's final count says how far it got.
  const counted = new Set<string>();
  const count = (upload: Upload, done = true) => {
    if (counted.has(upload.key.canonical)) return;
    counted.add(upload.key.canonical);
    if (done) ctx.progress.advance();
  };
  const settle = (upload: Upload, outcome?: UserOutcome) => {
    count(upload, !outcome || !NOT_SENT.has(outcome.status));
    decided.add(upload.key.canonical);
    photos.discard(upload);
    if (outcome) ctx.outcomes.push(outcome);
  };
  const step = ({ released, toConfirm }: TrackerStep) => {
    if (toConfirm.length > 0) {
      background(async () => step(tracker.confirm(toConfirm, await tenant.resolveSubjects(toConfirm, signal ? { signal } : {}))));
    }
    const users: { upload: Upload; userId: string }[] = [];
    for (const canonical of released) {
      const upload = byKey.get(canonical);
      if (!upload) continue; // a removal: the caller deletes after the uploads
      const resolution = tracker.resolution(canonical);
      if (!isResolved(resolution)) settle(upload, noAccountOutcome(upload, resolution, ctx) ?? resolutionOutcome(upload.key, 'upload', resolution, 'failed', upload.photo));
      else if (tracker.entriesOf(canonical).length > 1) settle(upload); // same user twice: reported with all its entries
      else if (resolution.accountEnabled === false) settle(upload, noAccountOutcome(upload, resolution, ctx));
      else users.push({ upload, userId: resolution.id });
    }
    if (users.length === 0) return;
    if (!ctx.compareWithTenant) {
      for (const user of users) ready.push({ ...user, compare: false });
      return;
    }
    // Users without any photo need no download: ask 20 at a time which ones have one.
    background(async () => {
      const present = await presenceSlots.run(() => tenant.photoPresence(users.map((u) => u.userId), signal ? { signal } : {}));
      for (const user of users) ready.push({ ...user, compare: present.get(user.userId) !== false });
    });
  };

  const writeOne = async ({ upload, userId, compare }: ReadyUser): Promise<void> => {
    decided.add(upload.key.canonical);
    if (broken) return photos.discard(upload);
    if (signal?.aborted) return settle(upload, { key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this photo was sent.' });
    if (breaker.tripped) return settle(upload, notAttempted(upload.key, 'upload', upload.photo));
    const prepared = photos.take(upload);
    if (compare && (await targetHoldsPhoto({ tenant, readPacer: readPacer!, cpu, userId, prepared, label: describeKey(upload.key), ...(signal ? { signal } : {}) }))) {
      inTenant++;
      return;
    }
    if (ctx.dryRun) {
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'would-upload', photo: upload.photo });
      return;
    }
    await ctx.beforeWrites;
    const photo = await prepared;
    if ('reason' in photo) {
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'failed', photo: upload.photo, reason: photo.reason });
      return;
    }
    if (breaker.tripped) return settle(upload, notAttempted(upload.key, 'upload', upload.photo));
    try {
      await ctx.pacer.run(() => breaker.guard(() => tenant.putPhoto(userId, photo.jpeg, signal)), describeKey(upload.key));
      ctx.outcomes.push({ key: upload.key, action: 'upload', status: 'uploaded', photo: upload.photo });
      await ctx.recordLanded({ action: 'upload', key: upload.key.canonical, fingerprint: upload.fingerprint });
    } catch (err) {
      const outcome = breaker.outcome(upload.key, 'upload', upload.photo, err) ?? failure(upload.key, 'upload', upload.photo, err);
      if (NOT_SENT.has(outcome.status)) count(upload, false);
      ctx.outcomes.push(outcome);
    }
  };

  // A writer holds its photo from taking it until its upload ends, so the writers must cover the
  // uploads the pacer may keep in flight plus a few photos waiting for it: with cores × 4 alone
  // (12 on a 2-core runner) uploads in flight were capped at 12, i.e. 12 / latency writes per second.
  const writers = Array.from({ length: ctx.pacer.maxConcurrency + Math.max(8, recommendedParallelism() * 4) }, async () => {
    for (let user = await ready.next(); user; user = await ready.next()) {
      try {
        await writeOne(user);
      } finally {
        count(user.upload);
      }
    }
  });

  let resolutions: ReadonlyMap<string, UserResolution> = new Map();
  try {
    resolutions = await tenant.resolveSubjects(ctx.keys, { ...(signal ? { signal } : {}), onResolved: (answers) => step(tracker.resolved(answers)) });
    step(tracker.resolved(resolutions)); // any answer not announced as its batch landed
  } catch (error) {
    // A cancelled run stops looking users up: the users not reached are reported as cancelled.
    if (!signal?.aborted) broken ??= { error };
  }
  while (side.size > 0) await Promise.all([...side]);
  ready.close();
  await Promise.all(writers);
  if (readPacer) await readPacer.onIdle();
  if (broken) throw broken.error;
  for (const upload of ctx.uploads) {
    if (decided.has(upload.key.canonical) || !signal?.aborted) continue;
    settle(upload, { key: upload.key, action: 'upload', status: 'cancelled', photo: upload.photo, reason: 'The run was cancelled before this user was looked up.' });
  }
  return { resolutions: tracker.resolutions, groups: tracker.groups(), inTenant, breaker };
}

/**
 * Removals after the uploads, and never of a user this head still declares under another key
 * (`held`): that would delete the photo just uploaded for them.
 */
export async function executeRemovals(c: {
  removals: readonly Removal[];
  held: ReadonlyMap<string, UserOutcome>;
  resolutions: ReadonlyMap<string, UserResolution>;
  tenant: PhotoTarget;
  pacer: WritePacer;
  breaker: PolicyBreaker;
  progress: Progress;
  outcomes: UserOutcome[];
  recordLanded: RecordLanded;
  unknownUsers: UnknownUsers | undefined;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const { outcomes, progress, breaker, signal } = c;
  for (const r of c.removals) {
    const keep = c.held.get(r.key.canonical);
    if (keep) {
      outcomes.push(keep);
      progress.advance();
      continue;
    }
    const resolution = c.resolutions.get(r.key.canonical);
    if (!resolution && signal?.aborted) {
      outcomes.push({ key: r.key, action: 'remove', status: 'cancelled', photo: r.photo, reason: 'The run was cancelled before this user was looked up.' });
      continue;
    }
    if (!isResolved(resolution)) {
      outcomes.push(goneUserRemoval(r, resolution, { unknownUsers: c.unknownUsers }) ?? resolutionOutcome(r.key, 'remove', resolution, 'failed', r.photo));
      progress.advance();
      continue;
    }
    if (breaker.tripped) {
      outcomes.push(notAttempted(r.key, 'remove', r.photo));
      continue;
    }
    try {
      await c.pacer.run(() => breaker.guard(() => c.tenant.deletePhoto(resolution.id, signal)), describeKey(r.key));
      outcomes.push({ key: r.key, action: 'remove', status: 'removed', photo: r.photo });
      await c.recordLanded({ action: 'remove', key: r.key.canonical });
    } catch (err) {
      outcomes.push(breaker.outcome(r.key, 'remove', r.photo, err) ?? failure(r.key, 'remove', r.photo, err));
    }
    if (!NOT_SENT.has(outcomes.at(-1)!.status)) progress.advance();
  }
}

/** An unbounded FIFO that writers wait on; closing it lets them finish. */
class WorkQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #closed = false;
  #waiting: (() => void)[] = [];

  push(item: T): void {
    this.#items.push(item);
    this.#waiting.shift()?.();
  }

  close(): void {
    this.#closed = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.#head < this.#items.length) {
        const item = this.#items[this.#head];
        this.#items[this.#head++] = undefined;
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        return item;
      }
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }
}

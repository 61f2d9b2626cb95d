/**
 * Google Workspace behind the photo target port: users' photos through the Admin SDK Directory
 * API, signed in keylessly (auth.ts).
 *
 * Keys: a UPN/mail key is looked up as a Google email (primary or alias); an employeeId key as
 * an `externalIds` entry of type `organization` (Admin console's "Employee ID"), refusing a value
 * two users share; a `googleId` key (a manifest's numeric `google:`) as a Google user id; an
 * object-id key names nobody in Google (the manifest needs a `google:` key). Three keys or more
 * are answered from users.list pages where that is cheaper (lookup.ts), the rest one request each.
 *
 * Requests per photo, against the Directory API's per-user quota: a user resource (from users.get
 * or users.list) says whether the user holds a photo (`thumbnailPhotoUrl`), so that is remembered
 * per user and photoPresence answers from it, with no request. A photo the user set themselves is
 * not replaced by an update (reported by GAM's maintainers), so putPhoto deletes first, as GAM
 * does, but only when the user may hold a photo: a user seen without one gets the update alone.
 * The accepted gap: a user who sets a photo in the seconds between their lookup and our write
 * keeps it (the update does not replace it), and the next apply that sends them a photo replaces
 * it. Checking again right before the write would cost the very request this saves, per photo.
 */
import type { UserKey } from '../../manifest/userKey.js';
import { RECOMMENDED_SIDE } from '../../photo/limits.js';
import type {
  DirectorySubject,
  ListSubjectsOptions,
  PhotoSpec,
  PhotoTarget,
  ResolveSubjectsOptions,
  SubjectResolution,
  TargetFailure,
} from '../port.js';
import { GoogleDirectoryClient } from './directory.js';
import type { GoogleDirectoryUser } from './directory.js';
import { GoogleAuthError, classifyGoogleFailure } from './errors.js';
import { answerByAddress, answerByEmployeeId, answerById, resolveByListing } from './lookup.js';

/** Fewer keys than this are looked up one by one: a listing would not be cheaper. */
const LIST_FROM_KEYS = 3;

/**
 * Google stores a 96x96 thumbnail of whatever is sent ("the API downsizes it to 96x96 pixels",
 * UserPhoto reference); we send the same square the Entra target gets, so one normalised photo
 * serves both. No size limit is documented: 4 MB is our bound.
 */
export const GOOGLE_PHOTO_SPEC: PhotoSpec = Object.freeze({
  side: RECOMMENDED_SIDE,
  minSide: 96,
  maxBytes: 4 * 1024 * 1024,
  formats: Object.freeze(['image/jpeg']),
});

export interface GoogleTargetOptions {
  /** The externalIds type an employeeId key matches; default 'organization'. */
  externalIdType?: string;
  /** Delete before update so a photo the user set is replaced (default true; only for a user who may hold a photo; see above). */
  deleteBeforeUpdate?: boolean;
  /** How many keys are looked up at once; default 4. */
  lookupConcurrency?: number;
}

export class GoogleTarget implements PhotoTarget {
  readonly id = 'google';
  readonly spec = GOOGLE_PHOTO_SPEC;
  readonly signIn = 'app' as const;
  readonly #options: GoogleTargetOptions;
  /** Whether each user looked up or listed held a photo then (by user id); updated by our writes. */
  readonly #holdsPhoto = new Map<string, boolean>();

  constructor(
    readonly directory: GoogleDirectoryClient,
    options: GoogleTargetOptions = {},
  ) {
    this.#options = options;
  }

  async resolveSubjects(keys: readonly UserKey[], options: ResolveSubjectsOptions = {}): Promise<Map<string, SubjectResolution>> {
    const answers = new Map<string, SubjectResolution>();
    const announce = (batch: ReadonlyMap<string, SubjectResolution>): void => {
      for (const [canonical, resolution] of batch) answers.set(canonical, resolution);
      options.onResolved?.(batch);
    };
    const unique = [...new Map(keys.map((key) => [key.canonical, key])).values()];
    const local = new Map<string, SubjectResolution>();
    const remote: UserKey[] = [];
    for (const key of unique) {
      const answer = answerWithoutRequest(key);
      if (answer) local.set(key.canonical, answer);
      else remote.push(key);
    }
    if (local.size > 0) announce(local);
    const perKey =
      remote.length < LIST_FROM_KEYS
        ? remote
        : await resolveByListing(this.directory, remote, {
            externalIdType: this.#type,
            ...(options.signal ? { signal: options.signal } : {}),
            onUser: (user) => this.#remember(user),
            onAnswers: announce,
          });
    const queue = [...perKey];
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key; key = queue.shift()) {
        let resolution: SubjectResolution;
        try {
          resolution = await this.resolveSubject(key, options.signal);
        } catch (error) {
          // Signing in failed: that is about the setup, not about this user; say it once.
          if (error instanceof GoogleAuthError) throw error;
          resolution = { notFound: true, problem: 'failed', reason: `Google could not look up ${key.value}: ${(error as Error).message}` };
        }
        announce(new Map([[key.canonical, resolution]]));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#options.lookupConcurrency ?? 4) }, worker));
    return answers;
  }

  /** One key, one request (users.get, or users.list by externalId for an employee id). */
  async resolveSubject(key: UserKey, signal?: AbortSignal): Promise<SubjectResolution> {
    const local = answerWithoutRequest(key);
    if (local) return local;
    if (key.kind === 'googleId' || key.kind === 'upn') {
      const user = await this.directory.getUser(key.value, signal);
      if (user) this.#remember(user);
      return key.kind === 'googleId' ? answerById(key, user, this.#type) : answerByAddress(key, user, this.#type);
    }
    const holders = await this.directory.findByExternalId(key.value, signal);
    for (const user of holders) this.#remember(user);
    return answerByEmployeeId(key, holders, this.#type);
  }

  #remember(user: GoogleDirectoryUser): void {
    this.#holdsPhoto.set(user.id, Boolean(user.thumbnailPhotoUrl));
  }

  get #type(): string {
    return this.#options.externalIdType ?? 'organization';
  }

  /** From the user resources read by the lookups (no request); a user never read is left out (unknown). */
  async photoPresence(subjectIds: readonly string[]): Promise<Map<string, boolean>> {
    const known = new Map<string, boolean>();
    for (const id of subjectIds) {
      const holds = this.#holdsPhoto.get(id);
      if (holds !== undefined) known.set(id, holds);
    }
    return known;
  }

  async putPhoto(subjectId: string, photo: Buffer, signal?: AbortSignal): Promise<void> {
    if ((this.#options.deleteBeforeUpdate ?? true) && this.#holdsPhoto.get(subjectId) !== false) await this.deletePhoto(subjectId, signal);
    await this.directory.putPhoto(subjectId, photo, { width: this.spec.side, height: this.spec.side }, signal);
    this.#holdsPhoto.set(subjectId, true);
  }

  async deletePhoto(subjectId: string, signal?: AbortSignal): Promise<void> {
    await this.directory.deletePhoto(subjectId, signal);
    // Also spares a retried putPhoto (its update refused) a second delete.
    this.#holdsPhoto.set(subjectId, false);
  }

  /** Google's stored thumbnail (96x96 in Google; not the bytes sent). */
  async downloadPhoto(subjectId: string, signal?: AbortSignal): Promise<Buffer | null> {
    return (await this.directory.getPhoto(subjectId, signal))?.bytes ?? null;
  }

  async *listSubjects(options: ListSubjectsOptions = {}): AsyncIterable<DirectorySubject[]> {
    if (options.group) throw new Error('Listing a group\'s members is not supported for Google yet.');
    if (options.kind === 'groups') throw new Error('Google Workspace has no group photos (the Directory API sets user photos only): export --groups works with the entra target only.');
    for await (const page of this.directory.listUsers(options.signal ? { signal: options.signal } : {})) {
      yield page.map((user) => {
        this.#remember(user);
        const employeeId = user.externalIds?.find((entry) => entry.type === this.#type)?.value ?? null;
        return { id: user.id, userPrincipalName: user.primaryEmail, mail: user.primaryEmail, employeeId, displayName: user.name?.fullName ?? null, accountEnabled: user.suspended === undefined ? null : !user.suspended };
      });
    }
  }

  classifyFailure(error: unknown): TargetFailure {
    return classifyGoogleFailure(error);
  }
}

/** Keys Google cannot name, answered without a request. */
function answerWithoutRequest(key: UserKey): SubjectResolution | undefined {
  if (key.kind === 'group') {
    // The Directory API has user photos only (users.photos); Google groups have no photo API.
    // Nothing is sent: the entry fails here, with what to do, and never reaches a write.
    return { notFound: true, problem: 'failed', reason: `Google Workspace has no photo for groups (the Directory API sets user photos only), so group ${key.value} is not sent to Google. Group photos are applied by the entra target; leave this entry to it.` };
  }
  if (key.kind === 'objectId') {
    return { notFound: true, problem: 'not-found', reason: `${key.value} is an Entra object id, which Google does not know: give this user a google: key (their Google email or id).` };
  }
  return undefined;
}

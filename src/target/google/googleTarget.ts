/**
 * Google Workspace behind the photo target port: users' photos through the Admin SDK Directory
 * API, signed in keylessly (auth.ts). Not wired into apply/plan yet (issue 16's next slice).
 *
 * Keys: a UPN/mail key is looked up as a Google email (primary or alias); an employeeId key as
 * an `externalIds` entry of type `organization` (Admin console's "Employee ID"), refusing a value
 * two users share; a `googleId` key (a manifest's numeric `google:`) as a Google user id; an
 * object-id key names nobody in Google (the manifest needs a `google:` key).
 *
 * A photo the user set themselves is not replaced by an update (reported by GAM's maintainers),
 * so putPhoto deletes first, as GAM does: two requests per photo against the per-user quota.
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
  /** Delete before update so a photo the user set is replaced (default true; see above). */
  deleteBeforeUpdate?: boolean;
  /** How many keys are looked up at once; default 4. */
  lookupConcurrency?: number;
}

export class GoogleTarget implements PhotoTarget {
  readonly id = 'google';
  readonly spec = GOOGLE_PHOTO_SPEC;
  readonly signIn = 'app' as const;
  readonly #options: GoogleTargetOptions;

  constructor(
    readonly directory: GoogleDirectoryClient,
    options: GoogleTargetOptions = {},
  ) {
    this.#options = options;
  }

  async resolveSubjects(keys: readonly UserKey[], options: ResolveSubjectsOptions = {}): Promise<Map<string, SubjectResolution>> {
    const answers = new Map<string, SubjectResolution>();
    const queue = [...new Map(keys.map((key) => [key.canonical, key])).values()];
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
        answers.set(key.canonical, resolution);
        options.onResolved?.(new Map([[key.canonical, resolution]]));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#options.lookupConcurrency ?? 4) }, worker));
    return answers;
  }

  async resolveSubject(key: UserKey, signal?: AbortSignal): Promise<SubjectResolution> {
    if (key.kind === 'group') {
      // The Directory API has user photos only (users.photos); Google groups have no photo API.
      // Nothing is sent: the entry fails here, with what to do, and never reaches a write.
      return { notFound: true, problem: 'failed', reason: `Google Workspace has no photo for groups (the Directory API sets user photos only), so group ${key.value} is not sent to Google. Group photos are applied by the entra target; leave this entry to it.` };
    }
    if (key.kind === 'objectId') {
      return { notFound: true, problem: 'not-found', reason: `${key.value} is an Entra object id, which Google does not know: give this user a google: key (their Google email or id).` };
    }
    if (key.kind === 'googleId') {
      const user = await this.directory.getUser(key.value, signal);
      if (!user) return { notFound: true, problem: 'not-found', reason: `No Google user has the id ${key.value}.` };
      return subjectOf(user, 'objectId', this.#type);
    }
    if (key.kind === 'upn') {
      const user = await this.directory.getUser(key.value, signal);
      if (!user) return { notFound: true, problem: 'not-found', reason: `No Google user has the address ${key.value}.` };
      return subjectOf(user, user.primaryEmail.toLowerCase() === key.value.toLowerCase() ? 'upn' : 'mail', this.#type);
    }
    const all = await this.directory.findByExternalId(key.value, signal);
    const matches = all.filter((user) => user.externalIds?.some((entry) => entry.value === key.value && entry.type === this.#type));
    if (matches.length > 1) {
      return { notFound: true, problem: 'ambiguous', reason: `${matches.length} Google users have employee id ${key.value} (${matches.map((user) => user.primaryEmail).join(', ')}); give this user a google: key.` };
    }
    const [only] = matches;
    if (only) return subjectOf(only, 'employeeId', this.#type);
    const otherTypes = [...new Set(all.flatMap((user) => (user.externalIds ?? []).filter((entry) => entry.value === key.value).map((entry) => entry.type)))];
    return {
      notFound: true,
      problem: 'not-found',
      reason: otherTypes.length
        ? `Google has ${key.value} only as an external id of type ${otherTypes.join(', ')}, not ${this.#type} (the Admin console's Employee ID).`
        : `No Google user has employee id ${key.value}.`,
    };
  }

  get #type(): string {
    return this.#options.externalIdType ?? 'organization';
  }

  /** Unknown for every subject: the Directory has no cheap presence check, so the caller downloads. */
  async photoPresence(): Promise<Map<string, boolean>> {
    return new Map();
  }

  async putPhoto(subjectId: string, photo: Buffer, signal?: AbortSignal): Promise<void> {
    if (this.#options.deleteBeforeUpdate ?? true) await this.directory.deletePhoto(subjectId, signal);
    await this.directory.putPhoto(subjectId, photo, { width: this.spec.side, height: this.spec.side }, signal);
  }

  deletePhoto(subjectId: string, signal?: AbortSignal): Promise<void> {
    return this.directory.deletePhoto(subjectId, signal);
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
        const employeeId = user.externalIds?.find((entry) => entry.type === this.#type)?.value ?? null;
        return { id: user.id, userPrincipalName: user.primaryEmail, mail: user.primaryEmail, employeeId, displayName: user.name?.fullName ?? null, accountEnabled: user.suspended === undefined ? null : !user.suspended };
      });
    }
  }

  classifyFailure(error: unknown): TargetFailure {
    return classifyGoogleFailure(error);
  }
}

function subjectOf(user: GoogleDirectoryUser, matchedBy: 'objectId' | 'upn' | 'mail' | 'employeeId', externalIdType: string): SubjectResolution {
  const employeeId = user.externalIds?.find((entry) => entry.type === externalIdType)?.value;
  return {
    id: user.id,
    userPrincipalName: user.primaryEmail,
    ...(user.name?.fullName ? { displayName: user.name.fullName } : {}),
    mail: user.primaryEmail,
    ...(employeeId ? { employeeId } : {}),
    matchedBy,
    ...(user.suspended === undefined ? {} : { accountEnabled: !user.suspended }),
  };
}

/**
 * Microsoft Entra ID behind the photo target port: users' profile photos through Microsoft Graph.
 * A thin adapter over TenantClient (./graph.ts) and its helpers in this folder: the Graph client,
 * auth, clouds and errors.
 */
import { BASELINE_OUTPUT_SPEC } from '../../photo/limits.js';
import { isGroupKey, type UserKey } from '../../manifest/userKey.js';
import { deleteGroupPhoto, downloadGroupPhotoOnce, isGroupSubjectId, listPhotoGroups, putGroupPhoto, resolveGroups } from './groups.js';
import { classifyFailure, isGraphError } from './errors.js';
import { PERMISSIONS, type TenantClient } from './graph.js';
import type { DeletedSubject, DirectorySubject, ListSubjectsOptions, PhotoPolicyExtension, PhotoSpec, PhotoTarget, ResolveSubjectsOptions, SubjectResolution, TargetFailure, TargetPolicyChange } from '../port.js';

/**
 * Graph: PUT …/photo/$value takes a JPEG of at most 4 MB; Entra serves sizes up to 648 px. That is
 * the spec normalisation was built for, so Entra's is the baseline itself (its fingerprints keep
 * the key photos always had).
 */
export const ENTRA_PHOTO_SPEC: PhotoSpec = BASELINE_OUTPUT_SPEC;

export class EntraTarget implements PhotoTarget {
  readonly id = 'entra';
  readonly spec = ENTRA_PHOTO_SPEC;
  readonly policy: PhotoPolicyExtension;

  constructor(readonly tenant: TenantClient) {
    this.policy = entraPolicy(tenant);
  }

  get signIn(): 'app' | 'delegated' {
    return this.tenant.delegated ? 'delegated' : 'app';
  }

  /** Users and groups (key kind `group`) are looked up side by side, each batched. */
  async resolveSubjects(keys: readonly UserKey[], options: ResolveSubjectsOptions = {}): Promise<Map<string, SubjectResolution>> {
    const groups = keys.filter(isGroupKey);
    if (groups.length === 0) return this.tenant.resolveUsers(keys, options);
    const users = keys.filter((key) => !isGroupKey(key));
    const [userAnswers, groupAnswers] = await Promise.all([
      users.length > 0 ? this.tenant.resolveUsers(users, options) : new Map<string, SubjectResolution>(),
      resolveGroups(this.tenant.connection, groups, options),
    ]);
    return new Map([...userAnswers, ...groupAnswers]);
  }

  /** Users only: a group is left out (unknown), so the caller downloads its photo to compare. */
  photoPresence(subjectIds: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Map<string, boolean>> {
    return this.tenant.photoPresence(subjectIds.filter((id) => !isGroupSubjectId(id)), options);
  }

  async putPhoto(subjectId: string, photo: Buffer, signal?: AbortSignal): Promise<void> {
    if (isGroupSubjectId(subjectId)) return putGroupPhoto(this.tenant.connection, subjectId, photo, signal);
    await this.tenant.putPhoto(subjectId, photo, signal);
  }

  async deletePhoto(subjectId: string, signal?: AbortSignal): Promise<void> {
    if (isGroupSubjectId(subjectId)) return deleteGroupPhoto(this.tenant.connection, subjectId, signal);
    await this.tenant.deletePhoto(subjectId, signal);
  }

  downloadPhoto(subjectId: string, signal?: AbortSignal): Promise<Buffer | null> {
    if (isGroupSubjectId(subjectId)) return downloadGroupPhotoOnce(this.tenant.connection, subjectId, signal);
    return this.tenant.downloadPhotoOnce(subjectId, signal);
  }

  listSubjects(options: ListSubjectsOptions = {}): AsyncIterable<DirectorySubject[]> {
    if (options.kind === 'groups') return listPhotoGroups(this.tenant.connection, options.signal ? { signal: options.signal } : {});
    return this.tenant.listUsers(options);
  }

  findDeletedSubjects(keys: readonly UserKey[], options: { signal?: AbortSignal } = {}): Promise<Map<string, DeletedSubject>> {
    return this.tenant.findDeletedUsers(keys.filter((key) => !isGroupKey(key)), options);
  }

  classifyFailure(error: unknown): TargetFailure {
    if (isGraphError(error) && error.status === 403) {
      return error.code === 'ForbiddenByAdminEditPolicy' ? { kind: 'refused-by-policy', requestId: error.requestId } : { kind: 'forbidden', delegated: error.delegated };
    }
    return classifyFailure(error);
  }
}

/** photoUpdateSettings (beta): read, change, and the app's directory roles for the lockout guard. */
function entraPolicy(tenant: TenantClient): PhotoPolicyExtension {
  return {
    read: () => tenant.getPhotoPolicy(),
    change: (change: TargetPolicyChange) => tenant.setPhotoPolicy(change),
    callerRoles: () => tenant.appRoleTemplateIds(),
    describeReadFailure(err: unknown, declared: string): string {
      const forbidden = isGraphError(err) && err.status === 403;
      const message = (err as Error).message;
      if (forbidden && err.delegated) return `The manifests manage the photo update policy (policy: at ${declared}), and Graph refused to let the signed-in admin read it: ${message}`;
      if (forbidden) {
        return `The manifests manage the photo update policy (policy: at ${declared}), and Graph refused to read it: grant the app the Microsoft Graph application permission ${PERMISSIONS.policy} (it reads and changes photoUpdateSettings; App registrations → this app → API permissions → add ${PERMISSIONS.policy}, type Application → Grant admin consent), or remove policy: from the manifests to leave the policy alone. (${message})`;
      }
      return `The photo update policy could not be read: ${message}`;
    },
    whyUnreadable(err: unknown): string {
      if (!(isGraphError(err) && err.status === 403)) return (err as Error).message;
      return tenant.delegated
        ? 'reading it needs the delegated PeopleSettings.Read.All and People Administrator or Global Reader'
        : 'reading it needs PeopleSettings.Read.All, which this app does not have';
    },
  };
}

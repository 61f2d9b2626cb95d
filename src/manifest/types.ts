import type { DirectoryRole } from './roles.js';
import type { UserKey } from './userKey.js';

export type Crop = 'centre' | 'attention';

/** Where something was declared, for findings and for the plan's "declared at" links. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}

export interface ManifestUser {
  key: UserKey;
  /** Photo path as written, relative to the manifest's photoRoot. */
  photo: string;
  crop: Crop;
  normalise: boolean;
  /** The person's name as the manifest writes it (`name:`), for reports only; never part of desired state's photo. */
  name?: string;
  /** The `user:`/`employeeId:`/`group:` value. */
  keyAt: SourceRef;
  /** The `photo:` value. */
  photoAt: SourceRef;
  /** The `google:` value: the user's Google account where it differs from the key (users only). */
  google?: UserKey;
  googleAt?: SourceRef;
}

/** The directory services a repository can manage (`targets:`). */
export const TARGET_NAMES = ['entra', 'google'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
export const DEFAULT_TARGETS: readonly TargetName[] = Object.freeze(['entra']);

export interface ManifestTargets {
  names: TargetName[];
  at: SourceRef;
}

export interface ManifestPolicy {
  source?: 'cloud' | 'onPremises';
  allowedRoles?: DirectoryRole[];
  at: SourceRef;
}

export interface Manifest {
  file: string;
  /** Repository-relative, normalised, no trailing slash. */
  photoRoot: string;
  photoRootAt?: SourceRef;
  users: ManifestUser[];
  /** `groups:` entries (Microsoft 365 groups and teams); their keys are of kind `group`. */
  groups: ManifestUser[];
  policy?: ManifestPolicy;
  /** `targets:`, when this file declares it. */
  targets?: ManifestTargets;
}

export const DEFAULT_PHOTO_ROOT = 'photos';
export const MANIFEST_DIR = 'manifests';

import type { ManifestPolicy, SourceRef } from '../manifest/types.js';
import type { UserKey } from '../manifest/userKey.js';
import { normalisationKey, type NormaliseSettings } from '../photo/index.js';
import type { Snapshot } from '../repo/snapshot.js';
import type { DeclaredUser, ValidationResult } from '../validate/validate.js';

/** What one user's photo should be: the photo's content and how it is normalised. */
export interface DesiredPhoto {
  key: UserKey;
  photoPath: string;
  blobId: string;
  settings: NormaliseSettings;
  /**
   * Content hash of the photo plus the normalisation settings: equal fingerprints mean equal
   * uploads. A renamed file keeps its blob id, so a rename is not a change.
   */
  fingerprint: string;
  declaredAt: SourceRef;
}

export interface DesiredPolicy {
  source?: 'cloud' | 'onPremises';
  /** Role template ids, sorted, so that order in the manifest is not a change. */
  allowedRoles?: string[];
  declaredAt: SourceRef;
}

/** Desired state is a pure function of a revision: user key → photo fingerprint, and the policy. */
export interface DesiredState {
  label: string;
  users: Map<string, DesiredPhoto>;
  policy?: DesiredPolicy;
}

export function photoFingerprint(blobId: string, settings: NormaliseSettings): string {
  return `${blobId}:${normalisationKey(settings)}`;
}

export function settingsOf(user: Pick<DeclaredUser, 'normalise' | 'crop'>): NormaliseSettings {
  return { enabled: user.normalise, crop: user.crop };
}

export async function desiredStateOf(snapshot: Snapshot, validation: ValidationResult): Promise<DesiredState> {
  const users = new Map<string, DesiredPhoto>();
  for (const user of validation.users) {
    const blobId = await snapshot.blobId(user.photoPath);
    const settings = settingsOf(user);
    users.set(user.key.canonical, {
      key: user.key,
      photoPath: user.photoPath,
      blobId,
      settings,
      fingerprint: photoFingerprint(blobId, settings),
      declaredAt: user.keyAt,
    });
  }
  const policy = validation.policy ? desiredPolicy(validation.policy) : undefined;
  return { label: snapshot.label, users, ...(policy ? { policy } : {}) };
}

function desiredPolicy(policy: ManifestPolicy): DesiredPolicy {
  const out: DesiredPolicy = { declaredAt: policy.at };
  if (policy.source) out.source = policy.source;
  if (policy.allowedRoles) out.allowedRoles = policy.allowedRoles.map((r) => r.templateId).sort();
  return out;
}

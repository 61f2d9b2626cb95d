/**
 * Names shown beside user keys in apply and drift reports, so that reviewers see people, not
 * numbers: the manifest's `name:` when it has one, else the tenant's displayName when the run
 * looked the user up. Display only: nothing here changes what is written.
 */
import type { DesiredState } from '../desired/desired.js';
import { isResolvedSubject as isResolved, type SubjectResolution as UserResolution } from '../target/port.js';

/** Canonical user key → the name to show. */
export type UserNames = ReadonlyMap<string, string>;

export function userNames(
  desired: readonly (DesiredState | undefined)[],
  resolutions: ReadonlyMap<string, UserResolution> = new Map(),
): Map<string, string> {
  const names = new Map<string, string>();
  for (const [canonical, resolution] of resolutions) {
    const shown = isResolved(resolution) ? resolution.displayName?.trim() : undefined;
    if (shown) names.set(canonical, shown);
  }
  // The manifest's name wins: it is what the reviewer approved. Later states (the head) are given
  // first by callers; an earlier one only fills keys the later ones do not name.
  for (const state of [...desired].reverse()) {
    for (const [canonical, photo] of state?.users ?? []) if (photo.name) names.set(canonical, photo.name);
  }
  return names;
}

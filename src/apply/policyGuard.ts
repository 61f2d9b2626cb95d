import type { DesiredPolicy } from '../desired/desired.js';
import { roleName } from '../manifest/roles.js';

/** The tenant's photoUpdateSettings as apply compares them (role template ids, lower case, sorted). */
export interface TenantPolicy {
  source: 'cloud' | 'onPremises' | null;
  allowedRoles: string[];
}

export type PolicyStep =
  | { kind: 'none' }
  | { kind: 'before-photos'; to: TenantPolicy }
  | { kind: 'after-photos'; to: TenantPolicy }
  | { kind: 'refuse'; to: TenantPolicy; reason: string };

/**
 * Whether a policy stops this app's photo writes: onPremises stops everyone's cloud writes, and a
 * non-empty allowedRoles stops every app whose service principal holds none of those roles
 * (403 ForbiddenByAdminEditPolicy, DESIGN.md "Tenant facts").
 */
export function blocksApp(policy: TenantPolicy, appRoles: readonly string[]): string | undefined {
  if (policy.source === 'onPremises') return 'source is onPremises, which disables cloud photo writes for everyone';
  if (policy.allowedRoles.length > 0 && !policy.allowedRoles.some((r) => appRoles.includes(r))) {
    return `allowedRoles (${policy.allowedRoles.map(roleName).join(', ')}) includes no role that this app's service principal holds`;
  }
  return undefined;
}

/** The tenant policy a manifest asks for; fields the manifest leaves out keep the tenant's value. */
export function wantedPolicy(desired: DesiredPolicy, live: TenantPolicy): TenantPolicy {
  return {
    source: desired.source ?? live.source,
    allowedRoles: desired.allowedRoles ? [...desired.allowedRoles].sort() : live.allowedRoles,
  };
}

export function samePolicy(a: TenantPolicy, b: TenantPolicy): boolean {
  const ra = [...a.allowedRoles].sort();
  const rb = [...b.allowedRoles].sort();
  return a.source === b.source && ra.length === rb.length && ra.every((r, i) => r === rb[i]);
}

/**
 * Orders the policy change around the photo writes so the app never locks itself out silently:
 * a change that unblocks writes goes first; a change that would block them goes after the photos
 * and only with allowLockout; anything else goes last (photos land under the rules reviewers saw).
 */
export function planPolicyStep(live: TenantPolicy, wanted: TenantPolicy, appRoles: readonly string[], allowLockout: boolean): PolicyStep {
  if (samePolicy(live, wanted)) return { kind: 'none' };
  const blockedNow = blocksApp(live, appRoles);
  const blockedAfter = blocksApp(wanted, appRoles);
  if (blockedAfter) {
    if (allowLockout) return { kind: 'after-photos', to: wanted };
    return {
      kind: 'refuse',
      to: wanted,
      reason: `The policy change was not applied: afterwards ${blockedAfter}, so this app could no longer write photos (403 ForbiddenByAdminEditPolicy). Assign the app's service principal one of the allowed roles (for example User Administrator) and re-run, or set allow-policy-lockout: true if locking the app out is intended.`,
    };
  }
  return blockedNow ? { kind: 'before-photos', to: wanted } : { kind: 'after-photos', to: wanted };
}

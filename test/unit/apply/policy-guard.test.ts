/**
 * The lockout guard guards a policy change this tool is about to make (roles are read only for a
 * change that restricts writes to roles; unknown roles never count as held), and the one error of
 * a run the tenant's policy stopped says which policy, what it means and what to do.
 */
import { describe, expect, it } from 'vitest';
import { photoPolicyRefusal, planPolicyStep, rolesNeededFor, type TenantPolicy } from '../../../src/apply/policyGuard.js';

const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const PEOPLE_ADMIN = '024906de-61e5-49c8-8572-40335f1e0e10';
const open: TenantPolicy = { source: 'cloud', allowedRoles: [] };
const restricted: TenantPolicy = { source: 'cloud', allowedRoles: [USER_ADMIN] };
const onPremises: TenantPolicy = { source: 'onPremises', allowedRoles: [] };

describe('rolesNeededFor', () => {
  it('only a change that restricts photo writes to roles needs the app\'s roles', () => {
    expect(rolesNeededFor(open, open)).toBe(false);
    expect(rolesNeededFor(restricted, restricted)).toBe(false);
    expect(rolesNeededFor(open, restricted)).toBe(true);
    expect(rolesNeededFor(restricted, open)).toBe(false);
    expect(rolesNeededFor(open, onPremises)).toBe(false);
  });
});

describe('planPolicyStep', () => {
  it('a restricting change with the role held goes after the photos; without it, or unknown, it is refused unless allowed', () => {
    expect(planPolicyStep(open, restricted, [USER_ADMIN], false)).toEqual({ kind: 'after-photos', to: restricted });
    expect(planPolicyStep(open, restricted, [PEOPLE_ADMIN], false).kind).toBe('refuse');
    const unknown = planPolicyStep(open, restricted, undefined, false, "the app's role assignments could not be read: grant RoleManagement.Read.Directory");
    expect(unknown.kind).toBe('refuse');
    expect(unknown.kind === 'refuse' && unknown.reason).toMatch(/RoleManagement\.Read\.Directory/);
    expect(unknown.kind === 'refuse' && unknown.reason).toMatch(/through a group/);
    expect(planPolicyStep(open, restricted, undefined, true)).toEqual({ kind: 'after-photos', to: restricted });
  });

  it('a change that lifts a restriction goes first without reading roles; onPremises is refused without roles', () => {
    expect(planPolicyStep(restricted, open, undefined, false)).toEqual({ kind: 'before-photos', to: open });
    expect(planPolicyStep(onPremises, open, undefined, false)).toEqual({ kind: 'before-photos', to: open });
    expect(planPolicyStep(open, onPremises, undefined, false).kind).toBe('refuse');
  });
});

describe('photoPolicyRefusal', () => {
  it('names the roles, what to do, the 24 h delay and the record', () => {
    const message = photoPolicyRefusal({ source: 'cloud', allowedRoles: [USER_ADMIN, PEOPLE_ADMIN] }, { sent: 3, notAttempted: 197 });
    expect(message).toContain('3 write(s) were refused and 197 were not attempted');
    expect(message).toContain('allowedRoles User Administrator, People Administrator');
    expect(message).toMatch(/directly or through a role-assignable group/);
    expect(message).toMatch(/up to 24 hours/);
    expect(message).toMatch(/applied record stays/);
  });

  it('says what to check when the policy could not be read, and explains a policy that reads as open', () => {
    expect(photoPolicyRefusal(undefined, { sent: 1, notAttempted: 9, policyUnreadable: 'reading it needs PeopleSettings.Read.All' })).toMatch(/could not be read \(reading it needs PeopleSettings\.Read\.All\)/);
    expect(photoPolicyRefusal(open, { sent: 1, notAttempted: 0 })).toMatch(/previous policy is still enforced/);
    expect(photoPolicyRefusal(onPremises, { sent: 1, notAttempted: 0 })).toMatch(/disabled for everyone/);
  });
});

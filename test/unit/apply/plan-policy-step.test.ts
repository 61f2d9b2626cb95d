/**
 * planPolicyStep orders a policy change around the photo writes (first when it unblocks them,
 * last otherwise, refused when it would lock the app out) — the cases policy-guard.test.ts does
 * not reach: no change, order-insensitive roles, live policies that block now, onPremises with
 * and without consent, the words of the edge, and the helpers it builds on.
 */
import { describe, expect, it } from 'vitest';
import { blocksApp, planPolicyStep, samePolicy, wantedPolicy, type TenantPolicy } from '../../../src/apply/policyGuard.js';
import { ACTION_VOCABULARY, CLI_VOCABULARY } from '../../../src/core/vocabulary.js';

const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const PEOPLE_ADMIN = '024906de-61e5-49c8-8572-40335f1e0e10';
const open: TenantPolicy = { source: 'cloud', allowedRoles: [] };
const unset: TenantPolicy = { source: null, allowedRoles: [] };
const userAdmins: TenantPolicy = { source: 'cloud', allowedRoles: [USER_ADMIN] };
const peopleAdmins: TenantPolicy = { source: 'cloud', allowedRoles: [PEOPLE_ADMIN] };
const onPremises: TenantPolicy = { source: 'onPremises', allowedRoles: [] };
const at = { file: 'manifests/policy.yaml', line: 1, col: 1 };

describe('planPolicyStep', () => {
  it('no change (roles in another order count as the same) is no step, whatever the roles or consent', () => {
    const twoRoles: TenantPolicy = { source: 'cloud', allowedRoles: [USER_ADMIN, PEOPLE_ADMIN] };
    const reversed: TenantPolicy = { source: 'cloud', allowedRoles: [PEOPLE_ADMIN, USER_ADMIN] };
    expect(planPolicyStep(twoRoles, reversed, undefined, false)).toEqual({ kind: 'none' });
    expect(planPolicyStep(onPremises, onPremises, [], false)).toEqual({ kind: 'none' });
    expect(planPolicyStep(open, open, undefined, true)).toEqual({ kind: 'none' });
  });

  it('a change that blocks nobody, from a policy that blocks nobody, goes after the photos', () => {
    expect(planPolicyStep(unset, open, undefined, false)).toEqual({ kind: 'after-photos', to: open });
    expect(planPolicyStep(unset, open, [], false)).toEqual({ kind: 'after-photos', to: open });
  });

  it('a change that unblocks the app goes first: known roles decide whether the live policy blocks it', () => {
    // The app holds no allowed role today; afterwards it holds one: unblock first.
    expect(planPolicyStep(peopleAdmins, userAdmins, [USER_ADMIN], false)).toEqual({ kind: 'before-photos', to: userAdmins });
    // The app already holds an allowed role today and still does afterwards: not blocked now, so last.
    const both: TenantPolicy = { source: 'cloud', allowedRoles: [PEOPLE_ADMIN, USER_ADMIN] };
    expect(planPolicyStep(userAdmins, both, [USER_ADMIN], false)).toEqual({ kind: 'after-photos', to: both });
    // From onPremises (everyone blocked) to a role list the app holds: first.
    expect(planPolicyStep(onPremises, userAdmins, [USER_ADMIN], false)).toEqual({ kind: 'before-photos', to: userAdmins });
  });

  it('roles not read: a live role list counts as blocking, so lifting it goes first', () => {
    expect(planPolicyStep(userAdmins, open, undefined, false)).toEqual({ kind: 'before-photos', to: open });
    expect(planPolicyStep(userAdmins, { source: 'cloud', allowedRoles: [] }, undefined, true)).toEqual({ kind: 'before-photos', to: open });
  });

  it('moving to onPremises locks everyone out: refused, or last with consent', () => {
    const refused = planPolicyStep(open, onPremises, [GLOBAL_ADMIN], false);
    expect(refused.kind).toBe('refuse');
    expect(refused.kind === 'refuse' && refused.reason).toMatch(/source is onPremises, which disables cloud photo writes for everyone/);
    expect(planPolicyStep(open, onPremises, [GLOBAL_ADMIN], true)).toEqual({ kind: 'after-photos', to: onPremises });
    expect(planPolicyStep(userAdmins, onPremises, undefined, true)).toEqual({ kind: 'after-photos', to: onPremises });
  });

  it('a role list the app holds none of is refused and names the roles by name; known roles make the roles problem irrelevant', () => {
    const step = planPolicyStep(open, peopleAdmins, [USER_ADMIN, GLOBAL_ADMIN], false, 'ignored when roles are known');
    expect(step.kind).toBe('refuse');
    if (step.kind !== 'refuse') return;
    expect(step.to).toEqual(peopleAdmins);
    expect(step.reason).toContain('allowedRoles (People Administrator) includes no role');
    expect(step.reason).toContain('403 ForbiddenByAdminEditPolicy');
    expect(step.reason).not.toContain('ignored when roles are known');
  });

  it("the refusal tells the user how to consent in the words of the edge that runs it", () => {
    const cli = planPolicyStep(open, peopleAdmins, [], false, undefined, CLI_VOCABULARY);
    const action = planPolicyStep(open, peopleAdmins, [], false, undefined, ACTION_VOCABULARY);
    const neutral = planPolicyStep(open, peopleAdmins, [], false);
    expect(cli.kind === 'refuse' && cli.reason).toContain('run with --allow-policy-lockout');
    expect(action.kind === 'refuse' && action.reason).toContain('set the input allow-policy-lockout: true');
    expect(neutral.kind === 'refuse' && neutral.reason).toContain('(CLI: --allow-policy-lockout)');
  });

  it('roles unknown and no reason given: the refusal still says the holding is not known', () => {
    const step = planPolicyStep(open, userAdmins, undefined, false);
    expect(step.kind === 'refuse' && step.reason).toMatch(/restricts photo writes to those roles, and whether this app holds one is not known, so/);
  });
});

describe('the helpers planPolicyStep builds on', () => {
  it('blocksApp: onPremises always; a role list unless the app holds one of the roles; an open policy never', () => {
    expect(blocksApp(onPremises, [GLOBAL_ADMIN])).toMatch(/onPremises/);
    expect(blocksApp(userAdmins, [])).toMatch(/User Administrator/);
    expect(blocksApp(userAdmins, [PEOPLE_ADMIN, USER_ADMIN])).toBeUndefined();
    expect(blocksApp(open, [])).toBeUndefined();
    expect(blocksApp(unset, [])).toBeUndefined();
  });

  it('wantedPolicy: fields the manifest leaves out keep the live value; declared roles are sorted', () => {
    expect(wantedPolicy({ declaredAt: at }, userAdmins)).toEqual(userAdmins);
    expect(wantedPolicy({ source: 'onPremises', declaredAt: at }, userAdmins)).toEqual({ source: 'onPremises', allowedRoles: [USER_ADMIN] });
    expect(wantedPolicy({ allowedRoles: [USER_ADMIN, PEOPLE_ADMIN], declaredAt: at }, unset)).toEqual({ source: null, allowedRoles: [PEOPLE_ADMIN, USER_ADMIN] });
    expect(wantedPolicy({ allowedRoles: [], declaredAt: at }, userAdmins)).toEqual(open);
    const declared = [USER_ADMIN, PEOPLE_ADMIN];
    wantedPolicy({ allowedRoles: declared, declaredAt: at }, unset);
    expect(declared).toEqual([USER_ADMIN, PEOPLE_ADMIN]); // the desired state is not reordered in place
  });

  it('samePolicy: source and the set of roles', () => {
    expect(samePolicy(open, { source: 'cloud', allowedRoles: [] })).toBe(true);
    expect(samePolicy(open, unset)).toBe(false);
    expect(samePolicy(userAdmins, peopleAdmins)).toBe(false);
    expect(samePolicy({ source: 'cloud', allowedRoles: [USER_ADMIN, USER_ADMIN] }, userAdmins)).toBe(false);
  });
});

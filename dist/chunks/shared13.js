import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { a as roleName } from './shared.js';
import { N as NEUTRAL_VOCABULARY } from './shared14.js';

/**
 * Whether a policy would stop this app's photo writes: onPremises stops everyone's cloud writes,
 * and a non-empty allowedRoles stops every app whose service principal holds none of those roles
 * (403 ForbiddenByAdminEditPolicy, reported in the field: DESIGN.md "Tenant facts"). Used only to
 * guard a policy change this tool is about to make; uploads under a policy someone else set are
 * tried, and a refusal stops them (apply's circuit breaker).
 */
function blocksApp(policy, appRoles) {
    if (policy.source === 'onPremises')
        return 'source is onPremises, which disables cloud photo writes for everyone';
    if (policy.allowedRoles.length > 0 && !policy.allowedRoles.some((r) => appRoles.includes(r))) {
        return `allowedRoles (${policy.allowedRoles.map(roleName).join(', ')}) includes no role that this app's service principal holds directly`;
    }
    return undefined;
}
/** The tenant policy a manifest asks for; fields the manifest leaves out keep the tenant's value. */
function wantedPolicy(desired, live) {
    return {
        source: desired.source ?? live.source,
        allowedRoles: desired.allowedRoles ? [...desired.allowedRoles].sort() : live.allowedRoles,
    };
}
function samePolicy(a, b) {
    const ra = [...a.allowedRoles].sort();
    const rb = [...b.allowedRoles].sort();
    return a.source === b.source && ra.length === rb.length && ra.every((r, i) => r === rb[i]);
}
/**
 * Whether this tool needs the app's directory roles to guard a change from `live` to `wanted`:
 * only when the change makes allowedRoles restrict photo writes to roles the app may not hold.
 * A change that lifts restrictions, or moves to onPremises (which stops everyone), needs none.
 */
function rolesNeededFor(live, wanted) {
    return !samePolicy(live, wanted) && wanted.source !== 'onPremises' && wanted.allowedRoles.length > 0;
}
/**
 * Orders the policy change around the photo writes so the app never locks itself out silently:
 * a change that unblocks writes goes first; a change that would block them goes after the photos
 * and only with allowLockout; anything else goes last (photos land under the rules reviewers saw).
 *
 * `appRoles` are the role template ids the app's service principal holds directly, or undefined
 * when they were not read (not needed: rolesNeededFor) or could not be (`rolesProblem` says why).
 * Unknown roles never count as holding one: a change that would restrict writes to roles is then
 * refused unless allowLockout (roles held through a group are not in the direct assignments either,
 * so such an app is told to set allow-policy-lockout). Whether the live policy blocks the app
 * decides only the order: when that is unknown, a change that blocks nobody goes first.
 */
function planPolicyStep(live, wanted, appRoles, allowLockout, rolesProblem, words = NEUTRAL_VOCABULARY) {
    if (samePolicy(live, wanted))
        return { kind: 'none' };
    const blockedAfter = lockoutAfter(wanted, appRoles, rolesProblem);
    if (blockedAfter) {
        if (allowLockout)
            return { kind: 'after-photos', to: wanted };
        return {
            kind: 'refuse',
            to: wanted,
            reason: `The policy change was not applied: afterwards ${blockedAfter}, so this app could no longer write photos (403 ForbiddenByAdminEditPolicy). Assign the app's service principal one of the allowed roles (for example User Administrator) and re-run, or ${words.allowPolicyLockout} if locking the app out is intended (or if the app holds one of the roles through a group, which this check cannot see).`,
        };
    }
    const blockedNow = appRoles ? blocksApp(live, appRoles) !== undefined : live.source === 'onPremises' || live.allowedRoles.length > 0;
    return blockedNow ? { kind: 'before-photos', to: wanted } : { kind: 'after-photos', to: wanted };
}
function lockoutAfter(wanted, appRoles, rolesProblem) {
    if (wanted.source === 'onPremises' || appRoles)
        return blocksApp(wanted, appRoles ?? []);
    if (wanted.allowedRoles.length === 0)
        return undefined;
    return `allowedRoles (${wanted.allowedRoles.map(roleName).join(', ')}) restricts photo writes to those roles, and whether this app holds one is not known${rolesProblem ? ` (${rolesProblem})` : ''}`;
}
/**
 * The one error of a run whose photo writes the tenant refused (403 ForbiddenByAdminEditPolicy):
 * the policy as far as it could be read, what it means, and what to do.
 */
function photoPolicyRefusal(policy, details) {
    const stopped = `Photo writes stopped after the tenant refused them (403 ForbiddenByAdminEditPolicy): ${details.sent} write(s) were refused and ${details.notAttempted} were not attempted.`;
    const lag = 'Policy changes take up to 24 hours to be enforced, so what Graph shows may not be what it enforces yet.';
    const record = 'The applied record stays where it was: the next run retries every photo that did not land.';
    let what;
    let todo;
    if (!policy) {
        what = `The tenant's photo update policy (photoUpdateSettings) refuses this app's photo writes; it could not be read${details.policyUnreadable ? ` (${details.policyUnreadable})` : ''}. Either its source is onPremises (photos are mastered on-premises: cloud writes are disabled for everyone), or its allowedRoles lists directory roles this app's service principal does not hold.`;
        todo = "Ask an administrator to check Microsoft 365 admin center → Settings → Org settings → People → Profile photos (or GET /beta/admin/people/photoUpdateSettings), then assign the app's service principal one of the allowed roles (directly or through a role-assignable group: Roles and administrators → the role → Add assignment), or change the policy.";
    }
    else if (policy.source === 'onPremises') {
        what = "The tenant's photo update policy (photoUpdateSettings) has source onPremises: photos are mastered on-premises and cloud photo writes are disabled for everyone, this app included.";
        todo = 'Change the policy to source cloud (in a manifest `policy: source: cloud`, or in the Microsoft 365 admin center), or manage these photos on-premises.';
    }
    else if (policy.allowedRoles.length > 0) {
        const roles = policy.allowedRoles.map(roleName).join(', ');
        what = `The tenant's photo update policy (photoUpdateSettings: source ${policy.source ?? 'not set'}, allowedRoles ${roles}) lets only callers holding one of those directory roles change photos, and this app's service principal holds none of them (as far as the tenant enforces it).`;
        todo = `Assign the app's service principal one of these roles (${roles}) — directly or through a role-assignable group (Entra admin center → Roles and administrators → the role → Add assignment → the app) — or change the policy's allowedRoles.`;
    }
    else {
        what = `The tenant's photo update policy (photoUpdateSettings) reads source ${policy.source ?? 'not set'} with no allowedRoles, which would allow these writes: it was probably changed recently and the previous policy is still enforced.`;
        todo = 'Wait until the change is enforced, or check the policy in the Microsoft 365 admin center.';
    }
    if (details.delegated && policy?.source !== 'onPremises' && (policy === undefined || policy.allowedRoles.length > 0)) {
        // Signed in as an admin: the tenant judges the admin's roles, not the app's service principal's.
        const roles = policy ? policy.allowedRoles.map(roleName).join(', ') : 'the allowed roles';
        what = policy
            ? `The tenant's photo update policy (photoUpdateSettings: source ${policy.source ?? 'not set'}, allowedRoles ${roles}) lets only callers holding one of those directory roles change photos, and you (the signed-in admin) hold none of them (as far as the tenant enforces it).`
            : `The tenant's photo update policy (photoUpdateSettings) refuses your photo writes (signed in as an admin); it could not be read${details.policyUnreadable ? ` (${details.policyUnreadable})` : ''}. Either its source is onPremises, or its allowedRoles lists directory roles you do not hold.`;
        todo = `Sign in as an admin holding one of ${policy ? `these roles (${roles})` : 'the allowed roles'} (Entra admin center → Roles and administrators → the role → Add assignment), run apply from the workflow (the app's roles count there), or change the policy's allowedRoles.`;
    }
    return `${stopped} ${what} ${todo} ${lag} ${record}`;
}

export { photoPolicyRefusal as a, blocksApp as b, planPolicyStep as p, rolesNeededFor as r, samePolicy as s, wantedPolicy as w };

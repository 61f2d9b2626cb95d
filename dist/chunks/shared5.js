import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { p as printable } from './shared2.js';
import { N as normalisationKey, u as describeKey, r as roleName } from './shared9.js';
import 'node:os';
import 'node:crypto';
import 'sharp';
import 'node:zlib';

const CLI_VOCABULARY = {
    allowPolicyLockout: 'run with --allow-policy-lockout',
    fixDrift: 'run entra-photos drift --fix',
    prune: '--prune',
};
const ACTION_VOCABULARY = {
    allowPolicyLockout: 'set the input allow-policy-lockout: true',
    fixDrift: 'set the input fix: true',
    prune: 'prune: true',
};
/** For a core caller that did not say (tests, libraries): both spellings. */
const NEUTRAL_VOCABULARY = {
    allowPolicyLockout: 'set allow-policy-lockout: true (CLI: --allow-policy-lockout)',
    fixDrift: 'set fix: true (CLI: entra-photos drift --fix)',
    prune: 'prune: true (CLI: --prune)',
};

function photoFingerprint(blobId, settings) {
    return `${blobId}:${normalisationKey(settings)}`;
}
function settingsOf(user) {
    return { enabled: user.normalise, crop: user.crop };
}
async function desiredStateOf(snapshot, validation) {
    const users = new Map();
    for (const user of validation.users) {
        const blobId = await snapshot.blobId(user.photoPath);
        const settings = settingsOf(user);
        users.set(user.key.canonical, {
            key: user.key,
            ...(user.name ? { name: user.name } : {}),
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
function desiredPolicy(policy) {
    const out = { declaredAt: policy.at };
    if (policy.source)
        out.source = policy.source;
    if (policy.allowedRoles)
        out.allowedRoles = policy.allowedRoles.map((r) => r.templateId).sort();
    return out;
}
/**
 * The keys (lower-cased canonical form) a manifest entry may be written as to resolve to `user`:
 * its object id, its userPrincipalName or its mail (a `user:` key is looked up as a UPN, then as
 * a mail address), its employeeId. These are exactly the resolver's ways of matching a key; a
 * proxy address (smtp alias) or otherMails is not one of them, so a key written that way does not
 * resolve at all and cannot collide.
 */
function keysResolvingTo(user) {
    const keys = [`objectid:${user.id.toLowerCase()}`];
    if (user.userPrincipalName)
        keys.push(`upn:${user.userPrincipalName.toLowerCase()}`);
    if (user.mail)
        keys.push(`upn:${user.mail.toLowerCase()}`);
    if (user.employeeId)
        keys.push(`employeeid:${user.employeeId.trim().toLowerCase()}`);
    return keys;
}
/**
 * Canonical keys of `desired` by their lower-cased form. Graph matches `employeeId eq` without
 * regard to case while canonical employeeId keys keep it, so "A12" and "a12" share one slot.
 */
function keyIndex(desired) {
    const index = new Map();
    for (const canonical of desired.users.keys()) {
        const folded = canonical.toLowerCase();
        const slot = index.get(folded);
        if (slot)
            slot.push(canonical);
        else
            index.set(folded, [canonical]);
    }
    return index;
}
function isSubject(resolution) {
    return resolution !== undefined && 'id' in resolution;
}
/**
 * For every subject among `resolutions` (the keys a run looked up: its uploads and removals),
 * every entry of `desired` that resolves to it, whether or not the run looked that entry up.
 *
 * Cost: a run looks up only the keys it changes, not the whole desired state (200,000 users), so
 * an entry that did not change is found through the tenant user's own properties: the keys it
 * would resolve from (object id, UPN, mail, employeeId) are looked up in an index of `desired`.
 * A hit is confirmed by resolving that key too (rare: only actual collisions hit), since a UPN
 * key is first matched as a UPN: `a@x` is the mail of one user and the UPN of another resolves
 * to the latter. A confirming lookup that fails counts as a match (the tenant itself says the
 * user has that address or number): the safe side is to write nothing for the user this run.
 */
async function entriesBySubject(desired, resolutions, resolve) {
    const bySubject = new Map();
    const add = (subject, entry) => {
        const id = subject.id.toLowerCase();
        let group = bySubject.get(id);
        if (!group)
            bySubject.set(id, (group = { subject, entries: [] }));
        if (entry && !group.entries.includes(entry))
            group.entries.push(entry);
    };
    for (const [canonical, resolution] of resolutions)
        if (isSubject(resolution))
            add(resolution, desired.users.get(canonical));
    if (bySubject.size === 0)
        return bySubject;
    const index = keyIndex(desired);
    const toConfirm = new Map();
    for (const { subject } of bySubject.values()) {
        for (const folded of keysResolvingTo(subject)) {
            for (const canonical of index.get(folded) ?? []) {
                if (resolutions.has(canonical))
                    continue; // looked up already: grouped by its own answer
                const entry = desired.users.get(canonical);
                const pending = toConfirm.get(canonical);
                if (pending)
                    pending.push({ subject, entry });
                else
                    toConfirm.set(canonical, [{ subject, entry }]);
            }
        }
    }
    if (toConfirm.size > 0) {
        const confirmed = await resolve([...toConfirm.keys()].map((canonical) => desired.users.get(canonical).key));
        for (const [canonical, hits] of toConfirm) {
            const answer = confirmed.get(canonical);
            for (const { subject, entry } of hits) {
                const same = isSubject(answer) ? answer.id.toLowerCase() === subject.id.toLowerCase() : answer?.problem === 'failed';
                if (same)
                    add(subject, entry);
            }
        }
    }
    for (const group of bySubject.values())
        group.entries.sort(byDeclaration);
    return bySubject;
}
/** Per canonical key, the conflict it is part of: subjects with two or more entries. */
function sameSubjectConflicts(bySubject) {
    const conflicts = new Map();
    for (const [id, { subject, entries }] of bySubject) {
        if (entries.length < 2)
            continue;
        const conflict = { subjectId: id, entries, message: sameSubjectMessage(subject, entries) };
        for (const entry of entries)
            conflicts.set(entry.key.canonical, conflict);
    }
    return conflicts;
}
/** `a (f:1) and b (g:2) are the same user in the tenant (upn, object id …): …` */
function sameSubjectMessage(subject, entries) {
    const named = entries.map((e) => `${describeKey(e.key)} (${placeOf(e.declaredAt)})`);
    const list = named.length === 2 ? `${named[0]} and ${named[1]}` : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
    const who = subject.userPrincipalName ? `${printable(subject.userPrincipalName)}, object id ${subject.id}` : `object id ${subject.id}`;
    const todo = entries.length === 2 ? 'Remove one of the two entries.' : `Keep one of these ${entries.length} entries and remove the others.`;
    return `${list} are the same user in the tenant (${who}): a user has one photo. ${todo}`;
}
function placeOf(at) {
    return `${printable(at.file)}:${at.line}`;
}
function byDeclaration(a, b) {
    const fa = a.declaredAt.file;
    const fb = b.declaredAt.file;
    if (fa !== fb)
        return fa < fb ? -1 : 1;
    return a.declaredAt.line - b.declaredAt.line;
}

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

export { ACTION_VOCABULARY as A, CLI_VOCABULARY as C, NEUTRAL_VOCABULARY as N, samePolicy as a, sameSubjectConflicts as b, byDeclaration as c, desiredStateOf as d, entriesBySubject as e, keysResolvingTo as f, planPolicyStep as g, photoPolicyRefusal as h, isSubject as i, blocksApp as j, keyIndex as k, photoFingerprint as p, rolesNeededFor as r, settingsOf as s, wantedPolicy as w };

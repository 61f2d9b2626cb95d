import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { p as printable } from './shared4.js';
import { n as normalisationKey, b as describeKey } from './shared.js';
import 'node:os';
import 'node:crypto';
import 'sharp';
import 'node:zlib';

/** `spec`: the target's photo spec (default: the baseline, Entra's, which leaves the key as it always was). */
function photoFingerprint(blobId, settings, spec) {
    return `${blobId}:${normalisationKey(settings, spec)}`;
}
function settingsOf(user) {
    return { enabled: user.normalise, crop: user.crop };
}
/**
 * `spec`: the photo spec of the target the state is for (default: the baseline, Entra's).
 * `target`: which directory the state is for (default entra). For google, each user is named by
 * its `google:` key where it has one, and groups are left out (Google has no group photos).
 */
async function desiredStateOf(snapshot, validation, spec, target = 'entra') {
    const users = new Map();
    for (const user of validation.users) {
        const key = target === 'google' ? googleKeyOf(user) : user.key;
        if (!key)
            continue;
        const blobId = await snapshot.blobId(user.photoPath);
        const settings = settingsOf(user);
        users.set(key.canonical, {
            key,
            ...(user.name ? { name: user.name } : {}),
            photoPath: user.photoPath,
            blobId,
            settings,
            fingerprint: photoFingerprint(blobId, settings, spec),
            declaredAt: user.keyAt,
        });
    }
    const policy = validation.policy && target !== 'google' ? desiredPolicy(validation.policy) : undefined;
    return { label: snapshot.label, users, ...(policy ? { policy } : {}) };
}
/** How an entry is named in Google: its `google:` key, else its own key; a group: not at all. */
function googleKeyOf(user) {
    if (user.key.kind === 'group')
        return undefined;
    return user.google ?? user.key;
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
    if (user.kind === 'group') {
        // A group (id `group:<object id>`): its object id, its mail, and the name it is shown by
        // (mail, else mailNickname), as `groups:` keys are written.
        const keys = [user.id.toLowerCase()];
        if (user.mail)
            keys.push(`group:${user.mail.toLowerCase()}`);
        if (user.userPrincipalName)
            keys.push(`group:${user.userPrincipalName.toLowerCase()}`);
        return [...new Set(keys)];
    }
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
    const id = subject.id.replace(/^group:/, '');
    const who = subject.userPrincipalName ? `${printable(subject.userPrincipalName)}, object id ${id}` : `object id ${id}`;
    const todo = entries.length === 2 ? 'Remove one of the two entries.' : `Keep one of these ${entries.length} entries and remove the others.`;
    const what = entries.every((e) => e.key.kind === 'group') ? 'group' : 'user';
    return `${list} are the same ${what} in the tenant (${who}): a ${what} has one photo. ${todo}`;
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

export { sameSubjectConflicts as a, byDeclaration as b, keysResolvingTo as c, desiredStateOf as d, entriesBySubject as e, isSubject as i, keyIndex as k, photoFingerprint as p, settingsOf as s };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError } from './shared4.js';
import { j as encodeSegment, C as query, E as withRetries, F as odataString, w as isGraphError, G as isNoPhoto } from './shared9.js';

/**
 * Reading the directory in bulk, for export, import and drift:
 *   - every user (or a group's members), paged, with only the properties asked for ($select);
 *   - a group named by object id or display name;
 *   - a photo download that makes exactly ONE attempt, for callers that pace many downloads
 *     through a WritePacer (which owns retries, Retry-After and concurrency for the whole run).
 * Pages are read with withRetries (a page is one occasional call); the next page is whatever
 * @odata.nextLink says, so a caller may stop and continue where it left off.
 */
const DIRECTORY_PERMISSIONS = Object.freeze({
    users: 'User.Read.All',
    groupMembers: 'GroupMember.Read.All',
    photos: 'ProfilePhoto.ReadWrite.All',
});
/** The advanced query header (with $count=true in the query) for casts, ne, not, endsWith. */
const ADVANCED_QUERY_HEADERS = Object.freeze({ ConsistencyLevel: 'eventual' });
/** The user properties export, import and drift need. */
const DIRECTORY_USER_SELECT = ['id', 'userPrincipalName', 'mail', 'employeeId', 'displayName', 'accountEnabled'];
/** Every user of the tenant (or of a group), page by page. */
async function* listDirectoryUsers(connection, options = {}) {
    const top = Math.min(999, Math.max(1, options.pageSize ?? 999));
    const select = DIRECTORY_USER_SELECT.join(',');
    let path;
    let operation;
    let permission;
    let headers;
    if (options.group !== undefined) {
        const group = await findGroup(connection, options.group, options);
        // The OData cast to microsoft.graph.user is an advanced query: Microsoft lists "Use of OData
        // cast with transitive members list" among those that need the ConsistencyLevel: eventual
        // header and $count=true (learn.microsoft.com/graph/aad-advanced-queries). Every page is asked
        // with the header (the nextLink keeps $count=true).
        path = `/groups/${encodeSegment(group.id)}/transitiveMembers/microsoft.graph.user${query({ $count: 'true', $select: select, $top: top })}`;
        headers = ADVANCED_QUERY_HEADERS;
        operation = `Listing the members of group "${group.displayName}"`;
        permission = DIRECTORY_PERMISSIONS.groupMembers;
    }
    else {
        path = `/users${query({ $select: select, $top: top })}`;
        operation = 'Listing the users of the tenant';
        permission = DIRECTORY_PERMISSIONS.users;
    }
    while (path !== undefined) {
        const request = { method: 'GET', path, operation, permission, ...(headers ? { headers } : {}), ...(options.signal ? { signal: options.signal } : {}) };
        let response;
        try {
            response = await withRetries(() => connection.send(request), { maxAttempts: options.maxAttempts ?? 5, ...(options.signal ? { signal: options.signal } : {}) });
        }
        catch (error) {
            throw permissionHint(error, permission, operation.toLowerCase());
        }
        yield (response.body.value ?? []).map(toDirectoryUser).filter((u) => u !== undefined);
        path = relativeNextLink(response.body['@odata.nextLink']);
    }
}
/** All pages at once (import's matching index, drift's small lookups). */
async function listAllDirectoryUsers(connection, options = {}) {
    const users = [];
    for await (const page of listDirectoryUsers(connection, options))
        users.push(...page);
    return users;
}
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A group by object id, or by exact display name (which must name exactly one group). */
async function findGroup(connection, group, options = {}) {
    const retry = { maxAttempts: options.maxAttempts ?? 5, ...(options.signal ? { signal: options.signal } : {}) };
    const permission = DIRECTORY_PERMISSIONS.groupMembers;
    try {
        if (GUID.test(group)) {
            const { body } = await withRetries(() => connection.send({ method: 'GET', path: `/groups/${encodeSegment(group)}${query({ $select: 'id,displayName' })}`, operation: `Looking up group ${group}`, permission }), retry);
            return { id: String(body['id'] ?? group), displayName: String(body['displayName'] ?? group) };
        }
        const { body } = await withRetries(() => connection.send({
            method: 'GET',
            path: `/groups${query({ $filter: `displayName eq ${odataString(group)}`, $select: 'id,displayName', $top: 2 })}`,
            operation: `Looking up group "${group}"`,
            permission,
        }), retry);
        const found = body.value ?? [];
        if (found.length === 0)
            throw new UserError('usage', `No group is named "${group}" in the tenant. Check the name (it must match exactly) or pass the group's object id.`);
        if (found.length > 1)
            throw new UserError('usage', `Several groups are named "${group}". Pass the object id of the one you mean (Entra admin center → Groups → the group → Object ID).`);
        return { id: String(found[0]['id']), displayName: String(found[0]['displayName'] ?? group) };
    }
    catch (error) {
        if (isGraphError(error) && error.status === 404)
            throw new UserError('usage', `No group has the object id ${group} in this tenant. Check the id, or pass the group's display name.`);
        throw permissionHint(error, permission, `read group ${group}`);
    }
}
/**
 * GET /users/{id}/photo/$value — ONE attempt (run it through a WritePacer); null when the user
 * has no photo (404 ImageNotFound).
 */
async function downloadPhotoOnce(connection, userId, signal) {
    try {
        const { body } = await connection.send({
            method: 'GET',
            path: `/users/${encodeSegment(userId)}/photo/$value`,
            responseType: 'bytes',
            operation: `Downloading the photo of user ${userId}`,
            permission: DIRECTORY_PERMISSIONS.photos,
            ...(signal ? { signal } : {}),
        });
        return body;
    }
    catch (error) {
        if (isNoPhoto(error))
            return null;
        throw error;
    }
}
function toDirectoryUser(value) {
    if (typeof value['id'] !== 'string')
        return undefined;
    const text = (name) => (typeof value[name] === 'string' && value[name] !== '' ? value[name] : null);
    return {
        id: value['id'],
        userPrincipalName: text('userPrincipalName') ?? '',
        mail: text('mail'),
        employeeId: text('employeeId'),
        displayName: text('displayName'),
        accountEnabled: typeof value['accountEnabled'] === 'boolean' ? value['accountEnabled'] : null,
    };
}
function relativeNextLink(nextLink) {
    if (!nextLink)
        return undefined;
    const url = new URL(nextLink);
    return `${url.pathname.replace(/^\/(v1\.0|beta)/, '')}${url.search}`;
}
function permissionHint(error, permission, purpose) {
    if (isGraphError(error) && error.status === 403 && !error.delegated) {
        return new UserError('tenant', `The app may not ${purpose}: grant it the Microsoft Graph application permission ${permission} (App registrations → this app → API permissions → add ${permission}, type Application → Grant admin consent). (${error.code}: ${error.graphMessage}${error.requestId ? `; request-id ${error.requestId}` : ''})`);
    }
    return error;
}

export { listAllDirectoryUsers as a, downloadPhotoOnce as d, listDirectoryUsers as l };

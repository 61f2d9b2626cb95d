// GET /users (with $filter, $select, $top and paging) and GET /users/{id | userPrincipalName}.
// Like Graph, a user is returned with its default property set unless $select asks for more:
// employeeId, for one, only appears when selected.
import type { DirectoryUser } from '../state.js';
import { PERMISSIONS, hasAnyRole } from './context.js';
import type { GraphContext } from './context.js';
import { badRequest, graphError, insufficientPrivileges, resourceNotFound, unsupportedQuery } from './errors.js';
import { parseEqualityFilter } from './odata-filter.js';
import type { AppIdentity, GraphCall, GraphResult } from './types.js';

const DEFAULT_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone',
  'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
] as const;
const SELECTABLE_PROPERTIES = [...DEFAULT_PROPERTIES, 'employeeId', 'accountEnabled', 'deletedDateTime'] as const;
const FILTERABLE_PROPERTIES = ['id', 'userPrincipalName', 'mail', 'employeeId', 'displayName'] as const;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;

function allProperties(user: DirectoryUser): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    employeeId: user.employeeId,
    accountEnabled: user.accountEnabled,
    deletedDateTime: user.deletedDateTime ?? null,
  };
}

/** Parses $select into canonical property names; a GraphResult when a name is unknown. */
function parseSelect(call: GraphCall): readonly string[] | GraphResult {
  const select = call.query.get('$select');
  if (!select) return DEFAULT_PROPERTIES;
  const selected: string[] = [];
  for (const raw of select.split(',').map((name) => name.trim()).filter(Boolean)) {
    const canonical = SELECTABLE_PROPERTIES.find((name) => name.toLowerCase() === raw.toLowerCase());
    if (!canonical) {
      return graphError(call, 400, 'Request_BadRequest', `Could not find a property named '${raw}' on type 'microsoft.graph.user'.`);
    }
    selected.push(canonical);
  }
  return selected;
}

function project(user: DirectoryUser, properties: readonly string[]): Record<string, unknown> {
  const all = allProperties(user);
  return Object.fromEntries(properties.map((name) => [name, all[name]]));
}

function contextUrl(context: GraphContext, call: GraphCall, suffix: string): string {
  return `${context.graphUrl}/${call.version}/$metadata#${suffix}`;
}

/** GET /users, or (with `scope`) a group's members listed the same way (paging, $select, $filter). */
export function listUsers(context: GraphContext, call: GraphCall, identity: AppIdentity, scope?: { users: readonly DirectoryUser[]; permissions: readonly string[]; collection: string }): GraphResult {
  if (!hasAnyRole(identity, scope?.permissions ?? PERMISSIONS.readUsers)) return insufficientPrivileges(call);
  const properties = parseSelect(call);
  if (!Array.isArray(properties)) return properties as GraphResult;

  let users = scope?.users ?? context.state.users;
  const filter = call.query.get('$filter');
  if (filter) {
    const clauses = parseEqualityFilter(filter, FILTERABLE_PROPERTIES);
    if (!clauses) return unsupportedQuery(call);
    users = users.filter((user) => {
      const values = allProperties(user);
      return clauses.some(({ property, values: wanted }) => {
        const actual = values[property];
        return typeof actual === 'string' && wanted.some((value) => value.toLowerCase() === actual.toLowerCase());
      });
    });
  }

  const topParameter = call.query.get('$top');
  const top = topParameter === null ? DEFAULT_PAGE_SIZE : Number(topParameter);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
    return badRequest(call, `Invalid page size specified: '${topParameter}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`, 'Request_UnsupportedQuery');
  }
  const skipToken = call.query.get('$skiptoken');
  const offset = skipToken ? Number(Buffer.from(skipToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return badRequest(call, 'Invalid $skiptoken.', 'Request_BadRequest');

  const page = users.slice(offset, offset + top);
  const selectSuffix = call.query.get('$select') ? `(${properties.join(',')})` : '';
  const body: Record<string, unknown> = { '@odata.context': contextUrl(context, call, `${scope?.collection ?? 'users'}${selectSuffix}`) };
  if (call.query.get('$count') === 'true') body['@odata.count'] = users.length;
  if (offset + top < users.length) {
    const nextQuery = new URLSearchParams(call.query);
    nextQuery.set('$skiptoken', Buffer.from(String(offset + top)).toString('base64url'));
    body['@odata.nextLink'] = `${context.graphUrl}/${call.version}${scope ? call.path : '/users'}?${nextQuery.toString()}`;
  }
  body['value'] = page.map((user) => project(user, properties));
  return { status: 200, json: body };
}

export function getUser(context: GraphContext, call: GraphCall, identity: AppIdentity, key: string): GraphResult {
  if (!hasAnyRole(identity, PERMISSIONS.readUsers)) return insufficientPrivileges(call);
  const user = context.state.findUser(key);
  if (!user) return resourceNotFound(call, key);
  const properties = parseSelect(call);
  if (!Array.isArray(properties)) return properties as GraphResult;
  return {
    status: 200,
    userId: user.id,
    json: { '@odata.context': contextUrl(context, call, 'users/$entity'), ...project(user, properties) },
  };
}

// Directory lookups through the real Graph client: by id, by UPN, $filter on mail and
// employeeId (quotes doubled), $select, paging, and the errors Graph gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { DEFAULT_USERS, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { authProviderFor, expectGraphErrorShape, federatedCredential, graphClient, graphFailure as failure, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let graph: Client;

beforeAll(async () => {
  emulator = await startEmulator({
    users: [...DEFAULT_USERS, { userPrincipalName: "conan.o'malley@contoso.edu", mail: "conan.o'malley@contoso.edu", employeeId: "E'77", displayName: "Conan O'Malley" }],
  });
  trustEmulatorCa(emulator.caCertPem);
  graph = graphClient(emulator, authProviderFor(federatedCredential(emulator)), { retries: false });
});
afterAll(() => emulator.stop());

describe('the sample directory', () => {
  it('holds staff and students the repository manifests name', () => {
    const upns = DEFAULT_USERS.map((user) => user.userPrincipalName);
    for (const upn of ['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu', 'alan.turing@contoso.edu', 'katherine.johnson@contoso.edu', 'margaret.hamilton@contoso.edu']) {
      expect(upns).toContain(upn);
    }
    for (let id = 10023; id <= 10031; id++) {
      expect(DEFAULT_USERS.find((user) => user.employeeId === String(id))?.userPrincipalName).toBe(`s${id}@students.contoso.edu`);
    }
  });
});

describe('GET /users/{id | userPrincipalName}', () => {
  it('finds a user by UPN and by object id, with the default property set', async () => {
    const byUpn = (await graph.api('/users/ada.lovelace@contoso.edu').get()) as Record<string, unknown>;
    expect(byUpn).toMatchObject({ userPrincipalName: 'ada.lovelace@contoso.edu', mail: 'ada.lovelace@contoso.edu', displayName: 'Ada Lovelace' });
    expect(byUpn).not.toHaveProperty('employeeId'); // not in Graph's default set
    const byId = (await graph.api(`/users/${String(byUpn['id'])}`).get()) as Record<string, unknown>;
    expect(byId['userPrincipalName']).toBe('ada.lovelace@contoso.edu');
  });

  it('treats the UPN case-insensitively and accepts it URL-encoded', async () => {
    const user = (await graph.api(`/users/${encodeURIComponent('Grace.Hopper@Contoso.edu')}`).get()) as Record<string, unknown>;
    expect(user['userPrincipalName']).toBe('grace.hopper@contoso.edu');
  });

  it('returns employeeId only when selected', async () => {
    const user = (await graph.api('/users/s10023@students.contoso.edu').select(['id', 'employeeId']).get()) as Record<string, unknown>;
    expect(user).toMatchObject({ id: '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', employeeId: '10023' });
    expect(user).not.toHaveProperty('displayName');
  });

  it('404s an unknown user with Request_ResourceNotFound', async () => {
    const { statusCode, code, body } = await failure(graph.api('/users/nobody@contoso.edu').get());
    expect(statusCode).toBe(404);
    expect(code).toBe('Request_ResourceNotFound');
    expectGraphErrorShape(body);
  });

  it('400s an unknown $select property', async () => {
    const { statusCode, code } = await failure(graph.api('/users/ada.lovelace@contoso.edu').select('shoeSize').get());
    expect(statusCode).toBe(400);
    expect(code).toBe('Request_BadRequest');
  });
});

describe('GET /users?$filter=', () => {
  const filter = async (expression: string): Promise<Array<Record<string, unknown>>> =>
    ((await graph.api('/users').filter(expression).select(['id', 'userPrincipalName', 'mail', 'employeeId']).get()) as { value: Array<Record<string, unknown>> }).value;

  it("finds by mail eq '…'", async () => {
    const users = await filter("mail eq 'katherine.johnson@contoso.edu'");
    expect(users.map((user) => user.userPrincipalName)).toEqual(['katherine.johnson@contoso.edu']);
  });

  it("finds by employeeId eq '…' (student numbers)", async () => {
    const users = await filter("employeeId eq '10031'");
    expect(users.map((user) => user.userPrincipalName)).toEqual(['s10031@students.contoso.edu']);
  });

  it('unescapes doubled single quotes in literals', async () => {
    expect((await filter("mail eq 'conan.o''malley@contoso.edu'")).map((user) => user.employeeId)).toEqual(["E'77"]);
    expect((await filter("employeeId eq 'E''77'")).length).toBe(1);
  });

  it("supports 'in' and 'or' for lookups in bulk", async () => {
    const users = await filter("employeeId in ('10023','10024') or mail eq 'alan.turing@contoso.edu'");
    expect(users.map((user) => user.employeeId).sort()).toEqual(['10023', '10024', 'E1003']);
  });

  it('returns an empty page when nothing matches', async () => {
    expect(await filter("mail eq 'nobody@contoso.edu'")).toEqual([]);
  });

  it('refuses an unsupported filter with Request_UnsupportedQuery', async () => {
    const { statusCode, code } = await failure(graph.api('/users').filter("startswith(mail,'a')").get());
    expect(statusCode).toBe(400);
    expect(code).toBe('Request_UnsupportedQuery');
  });
});

describe('GET /users paging', () => {
  it('pages with $top and @odata.nextLink until every user is seen', async () => {
    const seen: string[] = [];
    let page = (await graph.api('/users').top(4).select(['id']).get()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
    seen.push(...page.value.map((user) => user.id));
    while (page['@odata.nextLink']) {
      page = (await graph.api(page['@odata.nextLink']).get()) as typeof page;
      seen.push(...page.value.map((user) => user.id));
    }
    expect(seen).toHaveLength(DEFAULT_USERS.length + 1);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

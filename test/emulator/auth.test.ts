// GitHub OIDC → Entra ID workload identity federation → Graph access token, with the real
// @actions/core and @azure/identity, and each refusal Entra makes.
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { GRAPH_SCOPE, federatedCredential, getGitHubIdToken, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
});
afterAll(() => emulator.stop());

const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** Posts a client assertion to the token endpoint as MSAL would, returning status and body. */
async function exchange(assertion: string, overrides: Record<string, string> = {}, tenant = emulator.tenantId): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    client_id: emulator.clientId,
    scope: GRAPH_SCOPE,
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    ...overrides,
  });
  const response = await fetch(`${emulator.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GitHub OIDC token service', () => {
  it('publishes discovery and keys under its issuer', async () => {
    const discovery = (await (await fetch(`${emulator.oidcIssuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery['issuer']).toBe(emulator.oidcIssuer);
    const jwks = (await (await fetch(String(discovery['jwks_uri']))).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('issues a push-to-main token in the production environment by default, via @actions/core', async () => {
    const token = await getGitHubIdToken(emulator.env);
    expect(claimsOf(token)).toMatchObject({
      iss: emulator.oidcIssuer,
      aud: 'api://AzureADTokenExchange',
      sub: 'repo:contoso/photos:environment:production',
      repository: 'contoso/photos',
      repository_owner: 'contoso',
      ref: 'refs/heads/main',
      event_name: 'push',
      environment: 'production',
    });
  });

  it('issues pull_request tokens with the pull_request subject', async () => {
    const requestEnv = await emulator.admin.oidcRequestEnv({ kind: 'pull_request', number: 7 });
    const claims = claimsOf(await getGitHubIdToken(requestEnv));
    expect(claims).toMatchObject({ sub: 'repo:contoso/photos:pull_request', event_name: 'pull_request', ref: 'refs/pull/7/merge', base_ref: 'main' });
    expect(claims['environment']).toBeUndefined();
  });

  it('refuses a token request without the request token', async () => {
    const response = await fetch(`${emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`, { headers: { Authorization: 'Bearer wrong' } });
    expect(response.status).toBe(401);
  });
});

describe('Entra ID', () => {
  it('serves the tenant openid-configuration MSAL needs', async () => {
    const config = (await (await fetch(`${emulator.authorityHost}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(config['token_endpoint']).toBe(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`);
    for (const field of ['authorization_endpoint', 'issuer', 'jwks_uri']) expect(config[field]).toBeTruthy();
  });

  it('exchanges the push token for a Graph token carrying the app roles (ClientAssertionCredential)', async () => {
    const token = await federatedCredential(emulator).getToken(GRAPH_SCOPE);
    expect(token?.token).toBeTruthy();
    expect(token!.expiresOnTimestamp).toBeGreaterThan(Date.now());
    const claims = claimsOf(token!.token);
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      appid: emulator.clientId,
      tid: emulator.tenantId,
      oid: emulator.servicePrincipalId,
      idtyp: 'app',
      roles: ['ProfilePhoto.ReadWrite.All', 'PeopleSettings.ReadWrite.All', 'RoleManagement.Read.Directory', 'User.Read.All'],
    });
  });

  it('accepts the ref subject (push to main without an environment)', async () => {
    const requestEnv = await emulator.admin.oidcRequestEnv({ kind: 'push', ref: 'refs/heads/main' });
    const token = await federatedCredential(emulator, requestEnv).getToken(GRAPH_SCOPE);
    expect(token?.token).toBeTruthy();
  });

  it('refuses the pull_request subject with AADSTS70021: a PR cannot obtain a write token', async () => {
    const requestEnv = await emulator.admin.oidcRequestEnv({ kind: 'pull_request' });
    await expect(federatedCredential(emulator, requestEnv).getToken(GRAPH_SCOPE)).rejects.toThrow(/AADSTS70021: No matching federated identity record found/);

    const { status, body } = await exchange(await getGitHubIdToken(requestEnv));
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request', error_codes: [70021] });
    expect(String(body['error_description'])).toContain("Assertion Subject: 'repo:contoso/photos:pull_request'");
    for (const field of ['timestamp', 'trace_id', 'correlation_id', 'error_uri']) expect(body[field]).toBeTruthy();
  });

  it('refuses a branch other than main, and another environment', async () => {
    for (const context of [{ kind: 'push' as const, ref: 'refs/heads/feature' }, { kind: 'push' as const, environment: 'staging' }]) {
      const { body } = await exchange(await emulator.admin.issueOidcToken(context, 'api://AzureADTokenExchange'));
      expect(body['error_codes']).toEqual([70021]);
    }
  });

  it('refuses the wrong audience (AADSTS70021)', async () => {
    await expect(federatedCredential(emulator, emulator.env, 'api://SomethingElse').getToken(GRAPH_SCOPE)).rejects.toThrow(/AADSTS70021/);
    const { body } = await exchange(await emulator.admin.issueOidcToken(undefined, 'https://github.com/contoso'));
    expect(String(body['error_description'])).toContain("Assertion Audience: 'https://github.com/contoso'");
  });

  it('refuses a token from an issuer no federated credential names (AADSTS70021)', async () => {
    const forged = await emulator.admin.issueOidcToken({
      claims: { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:contoso/photos:environment:production', aud: 'api://AzureADTokenExchange' },
    });
    const { status, body } = await exchange(forged);
    expect(status).toBe(400);
    expect(body['error_codes']).toEqual([70021]);
    expect(String(body['error_description'])).toContain("Assertion Issuer: 'https://token.actions.githubusercontent.com'");
  });

  it('refuses a token not signed by the issuer (AADSTS50013)', async () => {
    const genuine = await emulator.admin.issueOidcToken(undefined, 'api://AzureADTokenExchange');
    const [header = '', payload = ''] = genuine.split('.');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
    const { status, body } = await exchange(`${header}.${payload}.${signature}`);
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [50013] });
  });

  it('refuses an expired assertion (AADSTS700024)', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await emulator.admin.issueOidcToken({
      claims: { sub: 'repo:contoso/photos:environment:production', aud: 'api://AzureADTokenExchange', iat: past - 300, nbf: past - 300, exp: past },
    });
    const { body } = await exchange(expired);
    expect(body['error_codes']).toEqual([700024]);
  });

  it('refuses an unknown client id, a scope without /.default, and an unknown tenant', async () => {
    const assertion = await emulator.admin.issueOidcToken(undefined, 'api://AzureADTokenExchange');
    expect((await exchange(assertion, { client_id: '11111111-2222-3333-4444-555555555555' })).body['error_codes']).toEqual([700016]);
    expect((await exchange(assertion, { scope: 'User.Read.All' })).body['error_codes']).toEqual([1002012]);
    expect((await exchange(assertion, { scope: 'https://management.azure.com/.default' })).body['error_codes']).toEqual([500011]);
    const unknownTenant = await exchange(assertion, {}, '99999999-9999-9999-9999-999999999999');
    expect(unknownTenant.body['error_codes']).toEqual([90002]);
  });

  it('puts the roles granted at issuance time in the token', async () => {
    await emulator.admin.setConfig({ appPermissions: [] });
    try {
      const { body } = await exchange(await emulator.admin.issueOidcToken(undefined, 'api://AzureADTokenExchange'));
      expect(claimsOf(String(body['access_token']))['roles']).toBeUndefined();
    } finally {
      await emulator.admin.reset();
    }
  });
});

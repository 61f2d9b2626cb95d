// The emulator's Google sign-in chain, spoken to as raw HTTP the way Google documents it:
// STS token exchange with a GitHub OIDC token from the emulator (via @actions/core), IAM
// Credentials generateAccessToken and signJwt, and the OAuth2 jwt-bearer grant, with each refusal
// in Google's own shape.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_SCOPE, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { getGitHubIdToken, trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
let provider: string;

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  provider = emulator.google.workloadIdentityProvider;
});
afterAll(() => emulator.stop());
afterEach(() => emulator.admin.reset());

const githubAudience = (): string => `https://iam.googleapis.com/${provider}`;

async function post(path: string, body: object | URLSearchParams, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = body instanceof URLSearchParams;
  const response = await fetch(`${emulator.google.endpoint}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: form ? body.toString() : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function exchange(subjectToken: string, audience = `//iam.googleapis.com/${provider}`): Promise<{ status: number; body: Record<string, unknown> }> {
  return post('/sts/v1/token', {
    audience,
    grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
    subjectToken,
  });
}

async function federatedToken(): Promise<string> {
  const { status, body } = await exchange(await getGitHubIdToken(emulator.env, githubAudience()));
  expect(status).toBe(200);
  return String(body['access_token']);
}

const saPath = (method: string, account = emulator.google.serviceAccount): string => `/iamcredentials/v1/projects/-/serviceAccounts/${encodeURIComponent(account)}:${method}`;

describe('STS token exchange', () => {
  it('exchanges a GitHub OIDC token for a federated token, as RFC 8693 describes the answer', async () => {
    const { status, body } = await exchange(await getGitHubIdToken(emulator.env, githubAudience()));
    expect(status).toBe(200);
    expect(body).toMatchObject({ issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer' });
    expect(String(body['access_token'])).toMatch(/^ya29\./);
    expect(body['expires_in']).toBeGreaterThan(0);
  });

  it('takes the form-encoded, snake_case request some libraries send', async () => {
    const subject = await getGitHubIdToken(emulator.env, githubAudience());
    const { status } = await post('/sts/v1/token', new URLSearchParams({
      audience: `//iam.googleapis.com/${provider}`,
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: subject,
    }));
    expect(status).toBe(200);
  });

  it('refuses a GitHub token minted for another audience (invalid_grant)', async () => {
    const { status, body } = await exchange(await getGitHubIdToken(emulator.env, 'api://AzureADTokenExchange'));
    expect(status).toBe(400);
    expect(body['error']).toBe('invalid_grant');
    expect(String(body['error_description'])).toMatch(/audience in ID Token \[api:\/\/AzureADTokenExchange\] does not match/);
  });

  it('refuses an audience that is not a provider resource name, and a provider that does not exist', async () => {
    const token = await getGitHubIdToken(emulator.env, githubAudience());
    const malformed = await exchange(token, `https://iam.googleapis.com/${provider}`);
    expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(String(malformed.body['error_description'])).toMatch(/full resource name of the Identity Provider/);
    const unknown = await exchange(token, `//iam.googleapis.com/${provider.replace(/providers\/.*/, 'providers/other')}`);
    expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('refuses a token from another issuer or with a forged signature', async () => {
    const forgedIssuer = await emulator.admin.issueOidcToken({ claims: { iss: 'https://token.actions.example.com', sub: 'repo:contoso/photos:ref:refs/heads/main', repository: 'contoso/photos' } }, githubAudience());
    expect((await exchange(forgedIssuer)).body).toMatchObject({ error: 'invalid_grant' });
    const good = await getGitHubIdToken(emulator.env, githubAudience());
    const [header, payload] = good.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), repository: 'evil/photos' })).toString('base64url')}.${good.split('.')[2]}`;
    const refused = await exchange(tampered);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid ID Token signature.' });
  });

  it('applies the attribute condition on the repository (unauthorized_client)', async () => {
    const otherRepository = await emulator.admin.oidcRequestEnv({ kind: 'push', repository: 'fabrikam/photos' });
    const { status, body } = await exchange(await getGitHubIdToken(otherRepository, githubAudience()));
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'unauthorized_client', error_description: 'The given credential is rejected by the attribute condition.' });
  });

  it('takes a condition pinning the environment too, and refuses a condition outside its CEL subset', async () => {
    await emulator.google.admin.setConfig({ attributeCondition: "assertion.repository == 'contoso/photos' && assertion.environment == 'production'" });
    expect((await exchange(await getGitHubIdToken(emulator.env, githubAudience()))).status).toBe(200);
    const noEnvironment = await emulator.admin.oidcRequestEnv({ kind: 'push', repository: 'contoso/photos' });
    expect((await exchange(await getGitHubIdToken(noEnvironment, githubAudience()))).body['error']).toBe('unauthorized_client');
    await expect(emulator.google.admin.setConfig({ attributeCondition: "assertion.repository.startsWith('contoso/')" })).rejects.toThrow(/400/);
  });
});

describe('IAM Credentials', () => {
  it('generateAccessToken: the repository impersonates the service account (roles/iam.workloadIdentityUser)', async () => {
    const { status, body } = await post(saPath('generateAccessToken'), { scope: [DIRECTORY_SCOPE], lifetime: '3600s' }, await federatedToken());
    expect(status).toBe(200);
    expect(String(body['accessToken'])).toMatch(/^ya29\./);
    expect(Date.parse(String(body['expireTime']))).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('refuses a principal the bindings do not name, in Google\'s PERMISSION_DENIED shape', async () => {
    await emulator.google.admin.setConfig({ bindings: [{ role: 'roles/iam.workloadIdentityUser', members: ['principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/github/attribute.repository/other/repo'] }] });
    const { status, body } = await post(saPath('generateAccessToken'), { scope: [DIRECTORY_SCOPE] }, await federatedToken());
    expect(status).toBe(403);
    expect(body).toEqual({
      error: {
        code: 403,
        message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: 'PERMISSION_DENIED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com', metadata: { permission: 'iam.serviceAccounts.getAccessToken' } }],
      },
    });
  });

  it('answers an unknown service account like a refused one, and no token with 401', async () => {
    const unknown = await post(saPath('generateAccessToken', 'nobody@contoso-photos.iam.gserviceaccount.com'), { scope: [DIRECTORY_SCOPE] }, await federatedToken());
    expect(unknown.status).toBe(403);
    const anonymous = await post(saPath('generateAccessToken'), { scope: [DIRECTORY_SCOPE] });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });

  it('signJwt needs roles/iam.serviceAccountTokenCreator, which workloadIdentityUser alone does not give', async () => {
    const config = await emulator.google.admin.config();
    await emulator.google.admin.setConfig({ bindings: config.bindings.filter((binding) => binding.role === 'roles/iam.workloadIdentityUser') });
    const refused = await post(saPath('signJwt'), { payload: JSON.stringify({ sub: 'x' }) }, await federatedToken());
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { message: "Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist)." } });
  });

  it('serviceAccountTokenCreator alone gives both calls (docs/setup-google.md: delegation needs only it); a role carrying neither gives none', async () => {
    const config = await emulator.google.admin.config();
    const members = config.bindings.flatMap((binding) => binding.members);
    await emulator.google.admin.setConfig({ bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members }] });
    expect((await post(saPath('generateAccessToken'), { scope: [DIRECTORY_SCOPE] }, await federatedToken())).status).toBe(200);
    expect((await post(saPath('signJwt'), { payload: JSON.stringify({ sub: 'x' }) }, await federatedToken())).status).toBe(200);
    // Only the roles Google documents as carrying the permissions count: not a basic role, not Service Account User.
    for (const role of ['roles/owner', 'roles/iam.serviceAccountUser']) {
      await emulator.google.admin.setConfig({ bindings: [{ role, members }] });
      expect((await post(saPath('generateAccessToken'), { scope: [DIRECTORY_SCOPE] }, await federatedToken())).status).toBe(403);
      expect((await post(saPath('signJwt'), { payload: JSON.stringify({ sub: 'x' }) }, await federatedToken())).status).toBe(403);
    }
  });
});

describe('OAuth2 jwt-bearer grant (domain-wide delegation)', () => {
  async function signedAssertion(claims: Record<string, unknown>): Promise<string> {
    const { status, body } = await post(saPath('signJwt'), { payload: JSON.stringify(claims) }, await federatedToken());
    expect(status).toBe(200);
    expect(body['keyId']).toEqual(expect.any(String));
    return String(body['signedJwt']);
  }
  const claimsFor = (sub: string, scope = DIRECTORY_SCOPE): Record<string, unknown> => {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: emulator.google.serviceAccount, sub, scope, aud: 'https://oauth2.googleapis.com/token', iat, exp: iat + 3600 };
  };
  const grant = (assertion: string) => post('/oauth2/token', new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }));

  it('issues a token acting as the admin named in sub', async () => {
    const { status, body } = await grant(await signedAssertion(claimsFor('margaret.hamilton@contoso.edu')));
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', access_token: expect.stringMatching(/^ya29\./) });
  });

  it('refuses a client not authorised for the scope (unauthorized_client)', async () => {
    await emulator.google.admin.setConfig({ domainWideDelegation: [] });
    const { status, body } = await grant(await signedAssertion(claimsFor('margaret.hamilton@contoso.edu')));
    expect(status).toBe(401);
    expect(body).toEqual({ error: 'unauthorized_client', error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.' });
  });

  it('refuses a subject who is not a user of the domain, and a JWT lasting over an hour', async () => {
    expect((await grant(await signedAssertion(claimsFor('nobody@contoso.edu')))).body).toEqual({ error: 'invalid_grant', error_description: 'Invalid email or User ID' });
    const long = claimsFor('margaret.hamilton@contoso.edu');
    long['exp'] = Number(long['iat']) + 7200;
    expect((await grant(await signedAssertion(long))).body['error']).toBe('invalid_grant');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { isUserError } from '../../../src/core/errors.js';
import { createCredential, githubOidcFromEnv } from '../../../src/target/entra/index.js';
import { credentialFor, startTrustedEmulator } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<Error & { kind?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { kind?: string };
  }
  throw new Error('expected a failure');
}

describe('auth against the emulator', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startTrustedEmulator({ throttle: false });
  });
  afterAll(() => emulator?.stop());

  it('exchanges a GitHub OIDC token for a Graph token (no instance discovery, fast)', async () => {
    const { credential, endpoints } = credentialFor(emulator);
    const started = performance.now();
    const token = await credential.getToken(endpoints.scope);
    expect(token?.token.split('.')).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('explains AADSTS70021 with the subject the token had', async () => {
    const { credential, endpoints } = credentialFor(emulator, { kind: 'push', repository: 'contoso/photos', ref: 'refs/heads/main', environment: 'staging' });
    const error = await failure(credential.getToken(endpoints.scope));
    expect(isUserError(error)).toBe(true);
    expect(error.kind).toBe('auth');
    expect(error.message).toContain("subject 'repo:contoso/photos:environment:staging'");
    expect(error.message).toContain('repo:ORG/REPO:environment:production');
    expect(error.message).toContain('federated credential');
  });

  it('says a pull-request token cannot write', async () => {
    const { credential, endpoints } = credentialFor(emulator, { kind: 'pull_request' });
    const error = await failure(credential.getToken(endpoints.scope));
    expect(error.message).toContain("subject 'repo:contoso/photos:pull_request'");
    expect(error.message).toMatch(/pull request/i);
  });

  it('explains AADSTS700016 (app not in the tenant)', async () => {
    const { credential, endpoints } = credentialFor(emulator, undefined, { clientId: '00000000-1111-2222-3333-444444444444' });
    const error = await failure(credential.getToken(endpoints.scope));
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(/no application with client id 00000000-1111-2222-3333-444444444444/);
  });

  it('explains AADSTS90002 (tenant not found)', async () => {
    const { credential, endpoints } = credentialFor(emulator, undefined, { tenantId: '11111111-2222-3333-4444-555555555555' });
    const error = await failure(credential.getToken(endpoints.scope));
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(/does not know tenant 11111111-2222-3333-4444-555555555555/);
    expect(error.message).toMatch(/cloud/);
  });

  it('explains an unreachable authority', async () => {
    const { credential, endpoints } = credentialFor(emulator, undefined, { authorityHost: 'https://127.0.0.1:1', maxRetries: 0 });
    const error = await failure(credential.getToken(endpoints.scope));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/Could not reach Entra ID at https:\/\/127\.0\.0\.1:1/);
  });

  it('fetches the OIDC token from the job environment', async () => {
    const getAssertion = githubOidcFromEnv(emulator.env);
    const credential = createCredential({ tenantId: emulator.tenantId, clientId: emulator.clientId, authorityHost: emulator.authorityHost, getAssertion });
    expect((await credential.getToken(`${emulator.graphUrl}/.default`))?.token).toBeTruthy();
    const claims = JSON.parse(Buffer.from((await getAssertion()).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims['aud']).toBe('api://AzureADTokenExchange');
  });

  it('says what to add to the workflow when the OIDC variables are missing', () => {
    let error: unknown;
    try {
      githubOidcFromEnv({});
    } catch (caught) {
      error = caught;
    }
    expect(isUserError(error) && error.kind === 'config').toBe(true);
    expect((error as Error).message).toContain('id-token: write');
  });

  it('reports a refused OIDC request as an auth error', async () => {
    const getAssertion = githubOidcFromEnv({ ...emulator.env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' });
    const error = await failure(getAssertion());
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/401/);
  });
});

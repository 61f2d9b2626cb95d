/**
 * The emulator's authorization code flow with PKCE (what `--auth browser` drives through MSAL), at
 * the HTTP level: discovery advertises the authorize endpoint; /authorize refuses an unknown app and
 * an unregistered redirect URI on its own page (no redirect), accepts http://localhost on any port,
 * sends other errors and the admin's decline back to the redirect URI, and issues a code for the
 * browser session's user; the token endpoint redeems a code once, in time, for the same client and
 * redirect URI, with the verifier of the challenge, for the same delegated token as device code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUTHORIZATION_CODE_LIFETIME_SECONDS, AuthorizationCodes, isRegisteredRedirect } from '../../src/emulator/auth-code.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;
const PEOPLE_ADMIN = '024906de-61e5-49c8-8572-40335f1e0e10';

beforeAll(async () => {
  emulator = await startEmulator({ appPermissions: ['User.Read.All', 'ProfilePhoto.ReadWrite.All'] });
  trustEmulatorCa(emulator.caCertPem);
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(async () => {
  await emulator.admin.setBrowserSignIn(undefined);
});

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const authorizeUrl = (): string => `${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/authorize`;

/** GET /authorize with MSAL's parameters, overridden by `params`; the redirect is not followed. */
async function authorize(params: Record<string, string | undefined> = {}): Promise<{ status: number; location?: URL; text: string }> {
  const { challenge } = pkce();
  const query = new URLSearchParams();
  const all: Record<string, string | undefined> = {
    client_id: emulator.clientId,
    scope: `${emulator.graphUrl}/.default openid profile offline_access`,
    redirect_uri: 'http://localhost:49152',
    response_mode: 'query',
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-123',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) query.set(name, value);
  const response = await fetch(`${authorizeUrl()}?${query}`, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { status: response.status, ...(location ? { location: new URL(location) } : {}), text: await response.text() };
}

async function token(fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.authorityHost}/${emulator.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A code for the current browser session, with the verifier that redeems it. */
async function codeFor(redirectUri = 'http://localhost:49152', nonce?: string): Promise<{ code: string; verifier: string; redirectUri: string }> {
  const { verifier, challenge } = pkce();
  const result = await authorize({ redirect_uri: redirectUri, code_challenge: challenge, ...(nonce ? { nonce } : {}) });
  expect(result.status, result.text).toBe(302);
  const code = result.location?.searchParams.get('code');
  expect(code).toBeTruthy();
  return { code: code!, verifier, redirectUri };
}

const redeem = (code: { code: string; verifier: string; redirectUri: string }, overrides: Record<string, string> = {}) =>
  token({
    grant_type: 'authorization_code',
    client_id: emulator.clientId,
    code: code.code,
    code_verifier: code.verifier,
    redirect_uri: code.redirectUri,
    scope: `${emulator.graphUrl}/.default openid profile offline_access`,
    ...overrides,
  });

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('authorize endpoint', () => {
  it('is advertised by the OpenID configuration MSAL reads', async () => {
    const config = (await (await fetch(`${emulator.authorityHost}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(config['authorization_endpoint']).toBe(authorizeUrl());
    expect(config['response_types_supported']).toContain('code');
  });

  it('redirects to the loopback redirect URI with a code and the state, whatever the port (with the trailing slash Entra adds)', async () => {
    for (const redirect of ['http://localhost:49152', 'http://localhost:3000/', 'http://localhost']) {
      const result = await authorize({ redirect_uri: redirect });
      expect(result.status).toBe(302);
      const expected = new URL(redirect);
      expect(`${result.location!.origin}${result.location!.pathname}`).toBe(`${expected.origin}/`);
      expect(result.location!.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(result.location!.searchParams.get('state')).toBe('state-123');
    }
  });

  it('answers in the fragment or as a self-posting form when asked', async () => {
    const fragment = await authorize({ response_mode: 'fragment' });
    expect(fragment.location!.search).toBe('');
    expect(new URLSearchParams(fragment.location!.hash.slice(1)).get('code')).toBeTruthy();
    const post = await authorize({ response_mode: 'form_post', state: '"><script>' });
    expect(post.status).toBe(200);
    expect(post.text).toContain('<form method="post" action="http://localhost:49152">');
    expect(post.text).toMatch(/name="code" value="[A-Za-z0-9_-]+"/);
    expect(post.text).toContain('value="&#34;&#62;&#60;script&#62;"'); // the state, escaped
  });

  it('shows an error page, without redirecting, for an unknown app or a redirect URI the app did not register', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ client_id: '00000000-0000-0000-0000-00000000beef' }, 'AADSTS700016'],
      [{ redirect_uri: 'https://attacker.example/callback' }, 'AADSTS50011'],
      [{ redirect_uri: 'http://127.0.0.1:49152' }, 'AADSTS50011'], // registered is http://localhost
      [{ redirect_uri: 'https://localhost:49152' }, 'AADSTS50011'],
      [{ redirect_uri: 'http://localhost:49152/other' }, 'AADSTS50011'],
      [{ redirect_uri: '' }, 'AADSTS50011'],
    ];
    for (const [params, code] of cases) {
      const result = await authorize(params);
      expect(result.status, JSON.stringify(params)).toBe(400);
      expect(result.location).toBeUndefined();
      expect(result.text).toContain(code);
    }
    // What the page shows of the request is escaped.
    const hostile = await authorize({ redirect_uri: 'https://x.example/<img src=x onerror=alert(1)>' });
    expect(hostile.text).not.toContain('<img');
  });

  it('sends protocol errors back to the redirect URI: response type, PKCE, scope', async () => {
    const cases: Array<[Record<string, string | undefined>, string, string]> = [
      [{ response_type: 'token' }, 'unsupported_response_type', '70005'],
      [{ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request', '900144'],
      [{ code_challenge_method: 'plain' }, 'invalid_request', '900144'],
      [{ scope: 'https://management.azure.com/.default openid' }, 'invalid_resource', '500011'],
    ];
    for (const [params, error, code] of cases) {
      const result = await authorize(params);
      expect(result.status, JSON.stringify(params)).toBe(302);
      expect(result.location!.searchParams.get('code')).toBeNull();
      expect(result.location!.searchParams.get('error')).toBe(error);
      expect(result.location!.searchParams.get('error_description')).toContain(`AADSTS${code}`);
      expect(result.location!.searchParams.get('state')).toBe('state-123');
    }
  });

  it('a declining admin sends access_denied (AADSTS65004) back to the client', async () => {
    await emulator.admin.setBrowserSignIn('decline');
    expect(await emulator.admin.browserSignIn()).toEqual({ decline: true });
    const result = await authorize();
    expect(result.status).toBe(302);
    expect(result.location!.searchParams.get('error')).toBe('access_denied');
    expect(result.location!.searchParams.get('error_description')).toContain('AADSTS65004: User declined to consent to access the app.');
  });

  it('the browser session: the IT administrator by default; the admin API picks another user, refuses an unknown one, and reset restores it', async () => {
    expect(await emulator.admin.browserSignIn()).toEqual({ user: 'margaret.hamilton@contoso.edu' });
    await expect(emulator.admin.setBrowserSignIn({ user: 'nobody@contoso.edu' })).rejects.toThrow(/nobody@contoso.edu/);
    await emulator.admin.setBrowserSignIn({ user: 'grace.hopper@contoso.edu', roles: [PEOPLE_ADMIN] });
    expect(await emulator.admin.browserSignIn()).toEqual({ user: 'grace.hopper@contoso.edu', roles: [PEOPLE_ADMIN] });
    await emulator.admin.reset();
    expect(await emulator.admin.browserSignIn()).toEqual({ user: 'margaret.hamilton@contoso.edu' });
  });
});

describe('token endpoint, grant_type=authorization_code', () => {
  it('redeems a code for the session user\'s delegated token (scp, wids, upn), an id token with the nonce, and a refresh token', async () => {
    await emulator.admin.setBrowserSignIn({ user: 'grace.hopper@contoso.edu', scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All'], roles: [PEOPLE_ADMIN] });
    const code = await codeFor('http://localhost:50001', 'nonce-abc');
    const result = await redeem(code);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(Object.keys(result.body).sort()).toEqual(['access_token', 'client_info', 'expires_in', 'ext_expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    const access = claims(String(result.body['access_token']));
    expect(access).toMatchObject({ upn: 'grace.hopper@contoso.edu', scp: 'User.Read.All ProfilePhoto.ReadWrite.All', wids: [PEOPLE_ADMIN], appid: emulator.clientId, idtyp: 'user' });
    expect(claims(String(result.body['id_token']))).toMatchObject({ preferred_username: 'grace.hopper@contoso.edu', aud: emulator.clientId, nonce: 'nonce-abc' });
    // The refresh token keeps the session going.
    const refreshed = await token({ grant_type: 'refresh_token', client_id: emulator.clientId, refresh_token: String(result.body['refresh_token']), scope: `${emulator.graphUrl}/.default` });
    expect(refreshed.status).toBe(200);
    expect(claims(String(refreshed.body['access_token']))['upn']).toBe('grace.hopper@contoso.edu');
    // Graph sees the signed-in user.
    const me = await fetch(`${emulator.graphUrl}/v1.0/users/alan.turing@contoso.edu`, { headers: { Authorization: `Bearer ${String(result.body['access_token'])}` } });
    expect(me.status).toBe(200);
  });

  it('a code is single use', async () => {
    const code = await codeFor();
    expect((await redeem(code)).status).toBe(200);
    const again = await redeem(code);
    expect(again.status).toBe(400);
    expect(again.body['error']).toBe('invalid_grant');
    expect(String(again.body['error_description'])).toContain('AADSTS54005');
  });

  it('refuses a wrong verifier (AADSTS50148) and the code is then used up; a missing verifier too', async () => {
    const code = await codeFor();
    const wrong = await redeem(code, { code_verifier: pkce().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body['error']).toBe('invalid_grant');
    expect(String(wrong.body['error_description'])).toContain('AADSTS50148');
    expect(String((await redeem(code)).body['error_description'])).toContain('AADSTS54005');
    const missing = await redeem(await codeFor(), { code_verifier: '' });
    expect(missing.body['error']).toBe('invalid_request');
    expect(String(missing.body['error_description'])).toContain("'code_verifier'");
  });

  it('refuses another redirect URI, another client, and a code it never issued', async () => {
    const otherRedirect = await redeem(await codeFor('http://localhost:50002'), { redirect_uri: 'http://localhost:50003' });
    expect(otherRedirect.body['error']).toBe('invalid_grant');
    const otherClient = await redeem(await codeFor(), { client_id: '00000000-0000-0000-0000-00000000beef' });
    expect(otherClient.body['error']).toBe('unauthorized_client');
    const invented = await redeem({ code: randomBytes(48).toString('base64url'), verifier: pkce().verifier, redirectUri: 'http://localhost:49152' });
    expect(invented.body['error']).toBe('invalid_grant');
  });

  it('a code expires after 10 minutes (AADSTS70008)', () => {
    let now = 1_000_000;
    const codes = new AuthorizationCodes(() => now);
    const { verifier, challenge } = pkce();
    const outcome = codes.authorize(
      new URLSearchParams({ client_id: 'app', redirect_uri: 'http://localhost:1234', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', scope: 'x/.default' }),
      { unknownClient: () => undefined, checkScope: () => undefined, checkUser: () => undefined, session: { user: 'someone' } },
    );
    expect(outcome.kind).toBe('redirect');
    const code = new URL((outcome as { location: string }).location).searchParams.get('code')!;
    now += AUTHORIZATION_CODE_LIFETIME_SECONDS + 1;
    const result = codes.redeem(new URLSearchParams({ client_id: 'app', code, code_verifier: verifier, redirect_uri: 'http://localhost:1234' }));
    expect('error' in result && result.error.body['error_description']).toContain('AADSTS70008');
  });
});

describe('registered redirect URIs', () => {
  it('http://localhost on any port and with or without the root path; nothing else', () => {
    expect(['http://localhost', 'http://localhost/', 'http://localhost:1', 'http://LOCALHOST:65535/'].every(isRegisteredRedirect)).toBe(true);
    expect(['http://localhost:80/x', 'http://localhost:8080/?a=1', 'http://user@localhost:1', 'http://127.0.0.1:1', 'http://[::1]:1', 'http://localhost.attacker.example', 'not a url'].some(isRegisteredRedirect)).toBe(false);
  });
});

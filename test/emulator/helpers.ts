// Shared helpers for the emulator tests: trust the emulator's CA in this process, build the
// real clients (@azure/identity, @actions/core, @microsoft/microsoft-graph-client) pointed
// at it, and make JPEG fixtures.
//
// TLS trust, in-process. NODE_EXTRA_CA_CERTS is read once at process start, so setting it in
// a test does nothing. Node 24's tls.setDefaultCACertificates() replaces the default CA list
// for every TLS client created afterwards; appending the emulator's CA to the bundled roots
// makes it trusted by https.request (@actions/http-client, @azure/core-rest-pipeline, which
// MSAL uses through @azure/identity) and by undici's fetch (the Graph client) alike. Verified
// in tls.test.ts. A child process can instead be given env.NODE_EXTRA_CA_CERTS (also tested).
import tls from 'node:tls';
import { ClientAssertionCredential } from '@azure/identity';
import type { AccessToken } from '@azure/identity';
import * as core from '@actions/core';
import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import sharp from 'sharp';
import type { OidcRequestEnv, RunningEmulator } from '../../src/emulator/index.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const trusted = new Set<string>();

/** Adds the emulator's CA to this process's default trust (Node ≥ 22.19 / 24.5). */
export function trustEmulatorCa(caCertPem: string): void {
  if (trusted.has(caCertPem)) return;
  trusted.add(caCertPem);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), caCertPem]);
}

/**
 * Gets a GitHub OIDC token the way the action does, with @actions/core, for the job the
 * request env describes. @actions/core reads the two variables from process.env at call time.
 */
export async function getGitHubIdToken(requestEnv: OidcRequestEnv, audience = 'api://AzureADTokenExchange'): Promise<string> {
  const saved = { url: process.env['ACTIONS_ID_TOKEN_REQUEST_URL'], token: process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] };
  process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = requestEnv.ACTIONS_ID_TOKEN_REQUEST_URL;
  process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = requestEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  try {
    return await core.getIDToken(audience);
  } finally {
    restore('ACTIONS_ID_TOKEN_REQUEST_URL', saved.url);
    restore('ACTIONS_ID_TOKEN_REQUEST_TOKEN', saved.token);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The credential the apply step uses: a federated assertion from GitHub, exchanged at Entra. */
export function federatedCredential(
  emulator: RunningEmulator,
  requestEnv: OidcRequestEnv = emulator.env,
  audience = 'api://AzureADTokenExchange',
): ClientAssertionCredential {
  return new ClientAssertionCredential(emulator.tenantId, emulator.clientId, () => getGitHubIdToken(requestEnv, audience), {
    authorityHost: emulator.authorityHost,
    // Without this MSAL asks login.microsoftonline.com for instance metadata first.
    disableInstanceDiscovery: true,
  });
}

export function authProviderFor(credential: { getToken(scope: string): Promise<AccessToken | null> }): AuthenticationProvider {
  return {
    getAccessToken: async () => {
      const token = await credential.getToken(GRAPH_SCOPE);
      if (!token) throw new Error('No access token');
      return token.token;
    },
  };
}

/**
 * The real Graph client aimed at the emulator. `retries: false` leaves out the SDK's
 * RetryHandler so a test sees 429/503 responses as sent. customHosts is required: the SDK
 * only attaches the bearer token for Graph's own hosts and the ones listed there.
 */
export function graphClient(emulator: RunningEmulator, authProvider: AuthenticationProvider, options: { retries?: boolean; version?: 'v1.0' | 'beta' } = {}): Client {
  const customHosts = new Set([new URL(emulator.graphUrl).hostname]);
  const common = { baseUrl: emulator.graphUrl, defaultVersion: options.version ?? 'v1.0', customHosts };
  if (options.retries === false) {
    return Client.initWithMiddleware({ ...common, middleware: [new AuthenticationHandler(authProvider), new HTTPMessageHandler()] });
  }
  return Client.initWithMiddleware({ ...common, authProvider });
}

/** A Graph access token straight from the emulator's Entra (for raw fetch tests). */
export async function accessToken(emulator: RunningEmulator): Promise<string> {
  const token = await federatedCredential(emulator).getToken(GRAPH_SCOPE);
  if (!token) throw new Error('No access token');
  return token.token;
}

/** A real baseline JPEG of the given size (sharp is allowed in tests; the emulator never uses it). */
export function jpeg(width: number, height = width, color = { r: 200, g: 120, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } }).jpeg({ quality: 80 }).toBuffer();
}

/** Parses a Graph error body thrown by the SDK (GraphError) or returned by fetch. */
export interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

export function expectGraphErrorShape(body: unknown): asserts body is GraphErrorBody {
  const error = (body as GraphErrorBody | undefined)?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') throw new Error(`Not a Graph error body: ${JSON.stringify(body)}`);
  const inner = error.innerError;
  if (!inner || typeof inner.date !== 'string' || typeof inner['request-id'] !== 'string' || typeof inner['client-request-id'] !== 'string') {
    throw new Error(`Graph error without innerError date/request-id/client-request-id: ${JSON.stringify(body)}`);
  }
}

/** fetch against the emulator's Graph with a bearer token. */
export async function graphFetch(
  emulator: RunningEmulator,
  token: string | undefined,
  path: string,
  init: { method?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  return fetch(`${emulator.graphUrl}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/**
 * Runs an SDK request expected to fail and returns its GraphError's status and code, with
 * the body re-wrapped as on the wire: the SDK hands back only the inner "error" object.
 */
export async function graphFailure(request: Promise<unknown>): Promise<{ statusCode: number; code: string; body: GraphErrorBody; headers?: Headers }> {
  try {
    await request;
  } catch (error) {
    const graphError = error as { statusCode: number; code: string; body: string; headers?: Headers };
    return { statusCode: graphError.statusCode, code: graphError.code, body: { error: JSON.parse(graphError.body) }, headers: graphError.headers };
  }
  throw new Error('expected the request to fail');
}

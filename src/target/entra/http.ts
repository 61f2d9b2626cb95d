/**
 * The one way this project sends a request to Microsoft Graph.
 *
 * It uses the real Microsoft Graph client (`Client.initWithMiddleware`) for URL building and for
 * the bearer token (its AuthenticationHandler, fed by our TokenCredential), with a middleware
 * chain of our own: AuthenticationHandler → NodeHttpsTransport (transport.ts). Two deliberate choices:
 *  - No RetryHandler. Retrying and throttling belong to the callers that can see the whole run
 *    (the WritePacer for photo writes, `withRetries` for reads): the SDK's handler sleeps per
 *    request and hides 429s, which is exactly what makes a fixed-concurrency client collapse.
 *  - ResponseType.RAW for every call, so status, Retry-After, request-id and binary bodies
 *    (photo PUT/GET) are read in one place, the same way for JSON and bytes, and every failure
 *    becomes one typed GraphError (errors.ts). Network failures keep their socket error code
 *    (the transport throws them as GraphClientError, which the SDK passes through unchanged).
 * Paths and query strings are passed already percent-encoded: the SDK concatenates them as is.
 */
import { AuthenticationHandler, Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { graphErrorFromNetwork, graphErrorFromResponse } from './errors.js';
import { NodeHttpsTransport, TransportFailure } from './transport.js';

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  version?: GraphVersion;
  /** Path after the version, percent-encoded, may carry a query: /users/ada%40contoso.edu?$select=id */
  path: string;
  /** A Buffer is sent as is (with contentType); anything else as JSON. */
  body?: Buffer | object;
  contentType?: string;
  /** 'json' (default), 'bytes', or 'none' (the body is drained and ignored). */
  responseType?: 'json' | 'bytes' | 'none';
  signal?: AbortSignal;
  /** Per-attempt timeout; default the connection's requestTimeoutMs. */
  timeoutMs?: number;
  /** For error messages: what the call is for, and the permission it needs. */
  operation?: string;
  permission?: string;
  /** Extra request headers, e.g. ConsistencyLevel: eventual for an advanced query. */
  headers?: Readonly<Record<string, string>>;
}

export interface GraphResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  requestId: string | undefined;
  /** x-ms-throttle-limit-percentage: Graph's share of the app's limit used, sent past 0.8. */
  throttleUsage: number | undefined;
}

/** Caches the access token until 5 minutes before it expires, with one refresh at a time. */
export function tokenProvider(credential: TokenCredential, scope: string): () => Promise<string> {
  let cached: AccessToken | undefined;
  let refreshing: Promise<AccessToken> | undefined;
  return async () => {
    if (cached && cached.expiresOnTimestamp - Date.now() > 5 * 60_000) return cached.token;
    refreshing ??= (async () => {
      try {
        const token = await credential.getToken(scope);
        if (!token) throw new Error(`No access token for ${scope}.`);
        cached = token;
        return token;
      } finally {
        refreshing = undefined;
      }
    })();
    return (await refreshing).token;
  };
}

export interface GraphConnectionOptions {
  credential: TokenCredential;
  graphUrl: string;
  scope: string;
  /** Default 60 s per attempt. */
  requestTimeoutMs?: number;
  /** The credential signs in an admin (delegated), not the app: 403s are explained for a user. */
  delegated?: boolean;
}

export class GraphConnection {
  readonly graphUrl: string;
  /** Signed in as an admin (delegated token) rather than as the app. */
  readonly delegated: boolean;
  readonly scope: string;
  readonly accessToken: () => Promise<string>;
  readonly #client: Client;
  readonly #host: string;

  constructor(options: GraphConnectionOptions) {
    this.graphUrl = options.graphUrl.replace(/\/+$/, '');
    this.scope = options.scope;
    this.delegated = options.delegated === true;
    this.#host = new URL(this.graphUrl).host;
    this.accessToken = tokenProvider(options.credential, options.scope);
    const auth = new AuthenticationHandler({ getAccessToken: this.accessToken });
    auth.setNext(new NodeHttpsTransport(options.requestTimeoutMs ?? 60_000));
    this.#client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: this.graphUrl,
      defaultVersion: 'v1.0',
      // The SDK attaches the token only for Graph hosts it knows; an emulator or private endpoint is a custom host.
      customHosts: new Set([new URL(this.graphUrl).hostname]),
    });
  }

  /** One attempt. Resolves for 2xx; throws GraphError for an HTTP error or a network failure. */
  async send<T = unknown>(request: GraphRequest): Promise<GraphResponse<T>> {
    const version = request.version ?? 'v1.0';
    const where = { method: request.method, path: `/${version}${request.path}`, operation: request.operation, permission: request.permission, host: this.#host, ...(this.delegated ? { delegated: true } : {}) };
    // Sign in first (the token is cached): inside the SDK a sign-in failure would be flattened
    // into a network-looking error, losing the explained UserError (AADSTS code, what to fix).
    await this.accessToken();
    let api = this.#client.api(request.path).version(version).responseType(ResponseType.RAW);
    if (request.signal) api = api.option('signal', request.signal);
    if (request.timeoutMs !== undefined) api = api.option('timeoutMs', request.timeoutMs);
    for (const [name, value] of Object.entries(request.headers ?? {})) api = api.header(name, value);
    let content: unknown;
    if (request.body !== undefined) {
      if (Buffer.isBuffer(request.body)) {
        api = api.header('Content-Type', request.contentType ?? 'application/octet-stream');
        content = request.body;
      } else {
        api = api.header('Content-Type', 'application/json');
        content = JSON.stringify(request.body);
      }
    }
    let response: Response;
    try {
      switch (request.method) {
        case 'GET':
          response = (await api.get()) as Response;
          break;
        case 'DELETE':
          response = (await api.delete()) as Response;
          break;
        case 'POST':
          response = (await api.post(content)) as Response;
          break;
        case 'PUT':
          response = (await api.put(content)) as Response;
          break;
        case 'PATCH':
          response = (await api.patch(content)) as Response;
          break;
      }
    } catch (error) {
      throw graphErrorFromNetwork(error instanceof TransportFailure ? error.failure : error, where);
    }
    let raw: Buffer;
    try {
      raw = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw graphErrorFromNetwork(error, where);
    }
    if (!response.ok) throw graphErrorFromResponse({ status: response.status, headers: response.headers, body: raw, ...where });
    const usage = Number.parseFloat(response.headers.get('x-ms-throttle-limit-percentage') ?? '');
    let body: unknown = undefined;
    if (request.responseType === 'bytes') body = raw;
    else if ((request.responseType ?? 'json') === 'json' && raw.length > 0) body = JSON.parse(raw.toString('utf8'));
    return {
      status: response.status,
      headers: response.headers,
      body: body as T,
      requestId: response.headers.get('request-id') ?? undefined,
      throttleUsage: Number.isFinite(usage) ? usage : undefined,
    };
  }
}

/** Percent-encodes a path segment (a UPN may hold ' # + ! etc.). */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An OData string literal: single quotes, a quote inside doubled. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A query string from parameters, each value percent-encoded ($filter values hold quotes, +, #). */
export function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}


/**
 * An @odata.nextLink (absolute, with the version) as the path GraphConnection.send takes (without
 * it); undefined when there is no next page.
 */
export function relativeNextLink(nextLink: string | undefined): string | undefined {
  if (!nextLink) return undefined;
  const url = new URL(nextLink);
  return `${url.pathname.replace(/^\/(v1\.0|beta)/, '')}${url.search}`;
}

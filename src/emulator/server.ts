// The one HTTPS server on 127.0.0.1 and its router. Paths:
//   /v1.0/..., /beta/...        Microsoft Graph
//   /{tenantId}/...             Entra ID (discovery, keys, token endpoint)
//   /_github/...                GitHub Actions OIDC token service
//   /_google/{host}/...         Google's hosts ({host}.googleapis.com), see google/service.ts
//   /_emulator/...              admin API (no token; loopback only)
// Every request except admin calls is written to the request log when its response ends.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import type { AdminApi } from './admin.js';
import type { EntraId } from './entra.js';
import type { GitHubOidcIssuer } from './github-oidc.js';
import { GOOGLE_ADMIN_PATH, handleGoogleAdmin } from './google/admin.js';
import { GOOGLE_PATH } from './google/options.js';
import type { GoogleService } from './google/service.js';
import { GITHUB_OIDC_PATH } from './github-oidc.js';
import { ODATA_JSON } from './graph/context.js';
import { graphError } from './graph/errors.js';
import type { GraphService } from './graph/service.js';
import type { GraphCall, GraphResult } from './graph/types.js';
import { flatHeaders, readBody, sendJson } from './http.js';
import type { Delays } from './latency.js';
import { sampleLatency } from './latency.js';
import type { LatencyConfig } from './options.js';
import type { RandomSource } from './random.js';
import type { RequestApi, RequestLog, RequestLogEntry } from './request-log.js';
import type { ConcurrencyGate } from './throttle.js';
import { formatRetryAfter } from './throttle.js';

/** Bodies past this are not even buffered: answered 413 and drained. Photos are capped at 4 MB anyway. */
const GRAPH_BODY_HARD_LIMIT = 16 * 1024 * 1024;
export const ADMIN_PATH = '/_emulator';

export interface EmulatorComponents {
  origin: string;
  graph: GraphService;
  entra: EntraId;
  github: GitHubOidcIssuer;
  google: GoogleService;
  admin: AdminApi;
  log: RequestLog;
  delays: Delays;
  gate: ConcurrencyGate;
  random: RandomSource;
  /** Read per request so the admin API can change it at run time. */
  latency: () => LatencyConfig | undefined;
}

type LogDraft = Omit<RequestLogEntry, 'status' | 'durationMs' | 'throttled'> & {
  throttled: boolean;
  reset: boolean;
  started: number;
};

function apiFor(path: string): RequestApi {
  if (/^\/(v1\.0|beta)(\/|$)/.test(path)) return 'graph';
  if (path.startsWith(`${GITHUB_OIDC_PATH}/`)) return 'github-oidc';
  if (path.startsWith(`${GOOGLE_PATH}/`)) return 'google';
  return 'entra';
}

function writeGraphResult(response: ServerResponse, call: GraphCall, result: GraphResult): void {
  const headers: Record<string, string> = {
    'request-id': call.requestId,
    'client-request-id': call.headers['client-request-id'] ?? call.requestId,
    ...(result.headers ?? {}),
  };
  if (result.status === 204 || (result.json === undefined && result.bytes === undefined)) {
    response.writeHead(result.status, { ...headers, 'Content-Length': '0' });
    response.end();
  } else if (result.bytes !== undefined) {
    response.writeHead(result.status, { 'Content-Type': 'application/octet-stream', ...headers, 'Content-Length': String(result.bytes.length) });
    response.end(result.bytes);
  } else {
    const payload = Buffer.from(JSON.stringify(result.json));
    response.writeHead(result.status, { 'Content-Type': ODATA_JSON, ...headers, 'Content-Length': String(payload.length) });
    response.end(payload);
  }
}

async function serveGraph(components: EmulatorComponents, request: IncomingMessage, response: ServerResponse, url: URL, draft: LogDraft): Promise<void> {
  const [, version = 'v1.0'] = /^\/(v1\.0|beta)/.exec(url.pathname) ?? [];
  const headers = flatHeaders(request);
  const call: GraphCall = {
    method: (request.method ?? 'GET').toUpperCase(),
    version: version === 'beta' ? 'beta' : 'v1.0',
    path: url.pathname.slice(version.length + 1) || '/',
    query: url.searchParams,
    headers,
    body: Buffer.alloc(0),
    requestId: randomUUID(),
    logSeq: draft.seq,
  };
  const finish = (result: GraphResult): void => {
    if (result.userId) draft.userId = result.userId;
    if (result.fault) draft.fault = result.fault;
    if (result.errorCode) draft.errorCode = result.errorCode;
    draft.throttled = result.throttled ?? false;
    if (result.reset) {
      draft.reset = true;
      request.socket.destroy();
      return;
    }
    writeGraphResult(response, call, result);
  };

  if (!components.gate.tryEnter()) {
    // Over the concurrency cap: refused before the request is read, as a busy front end would.
    request.resume();
    const throttled = components.graph.throttled(call, 1, 'ConcurrencyLimitExceeded', 'ReadWrite');
    finish({ ...throttled, headers: { ...throttled.headers, 'Retry-After': formatRetryAfter(1) } });
    return;
  }
  try {
    const { body, tooLarge } = await readBody(request, GRAPH_BODY_HARD_LIMIT);
    if (tooLarge) {
      finish(graphError(call, 413, 'RequestEntityTooLarge', 'The request body exceeds the size Graph accepts.'));
      return;
    }
    call.body = body;
    await components.delays.wait(sampleLatency(components.latency(), components.random));
    finish(await components.graph.execute(call));
  } finally {
    components.gate.leave();
  }
}

export interface EmulatorServer {
  server: Server;
  /** Sockets still open, so stop() can end keep-alive connections clients hold. */
  sockets: Set<Socket>;
}

export function createEmulatorServer(tls: { cert: string; key: string }, getComponents: () => EmulatorComponents | undefined): EmulatorServer {
  const sockets = new Set<Socket>();
  const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    const components = getComponents();
    if (!components) {
      response.writeHead(503).end();
      return;
    }
    void handleRequest(components, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { code: 'generalException', message: String(error) } });
      else response.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  return { server, sockets };
}

async function handleRequest(components: EmulatorComponents, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', components.origin);
  if (url.pathname === GOOGLE_ADMIN_PATH || url.pathname.startsWith(`${GOOGLE_ADMIN_PATH}/`)) {
    await handleGoogleAdmin(components.google, request, response, url);
    return;
  }
  if (url.pathname === ADMIN_PATH || url.pathname.startsWith(`${ADMIN_PATH}/`)) {
    await components.admin.handle(request, response, url);
    return;
  }
  const { log } = components;
  const draft: LogDraft = {
    seq: log.nextSeq(),
    time: new Date().toISOString(),
    method: (request.method ?? 'GET').toUpperCase(),
    path: `${url.pathname}${url.search}`,
    api: apiFor(url.pathname),
    throttled: false,
    reset: false,
    started: performance.now(),
  };
  response.on('close', () => {
    const { started, reset, ...entry } = draft;
    log.add({
      ...entry,
      status: reset || !response.headersSent ? 0 : response.statusCode,
      durationMs: Math.round(performance.now() - started),
    });
  });

  if (draft.api === 'graph') {
    await serveGraph(components, request, response, url, draft);
  } else if (draft.api === 'google') {
    await components.google.handle(request, response, url, (note) => {
      if (note.userId) draft.userId = note.userId;
      if (note.errorCode) draft.errorCode = note.errorCode;
      if (note.fault) draft.fault = note.fault;
      if (note.throttled) draft.throttled = true;
      if (note.reset) draft.reset = true;
    });
  } else if (draft.api === 'github-oidc') {
    if (!components.github.handle(request, response, url)) sendJson(response, 404, { message: 'Not Found' });
  } else if (!(await components.entra.handle(request, response, url))) {
    sendJson(response, 404, { error: 'not_found', error_description: `Nothing is served at ${url.pathname}.` });
  }
}

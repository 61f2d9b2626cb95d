// JSON batching: POST /{version}/$batch with up to 20 requests. Each sub-request runs the
// whole pipeline on its own (auth, throttling, faults, handler), so a batch does not raise
// the throttling ceiling. Binary bodies travel base64-encoded both ways; JSON stays JSON.
// Requests run in order; one whose dependsOn failed gets 424.
import { MAX_PHOTO_BYTES } from './photos.js';
import { badRequest, graphError } from './errors.js';
import type { GraphCall, GraphResult } from './types.js';

export const MAX_BATCH_REQUESTS = 20;

interface BatchRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

function isJsonContentType(contentType: string | undefined): boolean {
  return !contentType || /^application\/(?:[\w.+-]+\+)?json/i.test(contentType);
}

function parseBatch(call: GraphCall): BatchRequest[] | GraphResult {
  let payload: unknown;
  try {
    payload = JSON.parse(call.body.toString('utf8'));
  } catch {
    return badRequest(call, 'Invalid batch payload format.');
  }
  const requests = (payload as { requests?: unknown }).requests;
  if (!Array.isArray(requests) || requests.length === 0) return badRequest(call, 'Invalid batch payload format.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    return badRequest(call, `The number of requests in a batch (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  }
  const ids = new Set<string>();
  for (const request of requests as BatchRequest[]) {
    if (typeof request?.id !== 'string' || typeof request.method !== 'string' || typeof request.url !== 'string') {
      return badRequest(call, "Each batch request needs string 'id', 'method' and 'url' properties.");
    }
    if (ids.has(request.id)) return badRequest(call, `Batch request id '${request.id}' is not unique.`);
    ids.add(request.id);
  }
  return requests as BatchRequest[];
}

/** Turns one batch entry into a GraphCall; a GraphResult when the entry cannot be run. */
function toSubCall(parent: GraphCall, request: BatchRequest, subRequestId: string): GraphCall | GraphResult {
  if (/^https?:/i.test(request.url) || /\$batch/i.test(request.url)) {
    return badRequest(parent, 'Batch request urls must be relative to the version root and cannot nest $batch.');
  }
  const relative = request.url.startsWith('/') ? request.url : `/${request.url}`;
  const url = new URL(relative, 'https://graph.invalid');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = String(value);
  let body = Buffer.alloc(0);
  if (request.body !== undefined && request.body !== null) {
    if (typeof request.body === 'string' && !isJsonContentType(headers['content-type'])) {
      body = Buffer.from(request.body, 'base64'); // binary bodies (a photo) are base64 in the batch
    } else {
      body = Buffer.from(typeof request.body === 'string' ? request.body : JSON.stringify(request.body));
      headers['content-type'] ??= 'application/json';
    }
  }
  const authorization = parent.headers['authorization'];
  if (authorization !== undefined) headers['authorization'] = authorization;
  return {
    method: request.method.toUpperCase(),
    version: parent.version,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    requestId: subRequestId,
    batchRequestId: request.id,
  };
}

function toBatchResponse(id: string, result: GraphResult): BatchResponse {
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  const response: BatchResponse = { id, status: result.status, headers };
  if (result.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    response.body = result.json;
  } else if (result.bytes !== undefined) {
    response.body = result.bytes.toString('base64');
  }
  return response;
}

export async function executeBatch(
  call: GraphCall,
  runSubCall: (subCall: GraphCall) => Promise<GraphResult>,
  newRequestId: () => string,
): Promise<GraphResult> {
  if (call.method.toUpperCase() !== 'POST') return graphError(call, 405, 'BadRequest', 'Only POST is allowed on $batch.');
  if (call.body.length > MAX_PHOTO_BYTES) {
    return graphError(call, 413, 'RequestEntityTooLarge', `The batch payload exceeds the 4 MB limit (${MAX_PHOTO_BYTES} bytes).`);
  }
  const requests = parseBatch(call);
  if (!Array.isArray(requests)) return requests;

  const statusById = new Map<string, number>();
  const responses: BatchResponse[] = [];
  for (const request of requests) {
    const failedDependency = (request.dependsOn ?? []).find((id) => {
      const status = statusById.get(id);
      return status === undefined || status >= 400;
    });
    let result: GraphResult;
    if (failedDependency !== undefined) {
      result = graphError(call, 424, 'FailedDependency', `The request depends on '${failedDependency}', which failed or has not run.`);
    } else {
      const subCall = toSubCall(call, request, newRequestId());
      result = 'status' in subCall ? subCall : await runSubCall(subCall);
    }
    statusById.set(request.id, result.status);
    responses.push(toBatchResponse(request.id, result));
  }
  return { status: 200, json: { responses } };
}

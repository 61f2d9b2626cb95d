// Small HTTP helpers shared by the emulator's endpoints.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ReadBody {
  body: Buffer;
  /** The body went past `limit`; reading stopped and the rest was discarded. */
  tooLarge: boolean;
  /** Length actually sent (counts discarded bytes too). */
  receivedBytes: number;
}

/**
 * Reads a request body up to `limit` bytes. Past the limit the rest is drained without being
 * kept, so the caller can still answer (413) on a healthy connection.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (kept + chunk.length <= limit) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    request.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: received > limit, receivedBytes: received }));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(payload);
}

/** Lower-cased single-valued headers. */
export function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function parseFormBody(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}

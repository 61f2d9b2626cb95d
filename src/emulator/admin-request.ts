// One HTTPS request to the admin API, trusting the emulator's CA explicitly (so it works without
// any global trust setup, in-process or against an emulator in another process).
import { request as httpsRequest } from 'node:https';

export interface AdminResponse {
  status: number;
  body: Buffer;
}

export function adminRequest(url: string, caCertPem: string, method: string, body?: Buffer | object, contentType = 'application/json'): Promise<AdminResponse> {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(
      url,
      {
        method,
        ca: caCertPem,
        // A fresh connection per call: nothing lingers in an agent pool after the emulator stops.
        agent: false,
        headers: payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {},
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

// Error bodies in the shapes the real services send. Graph:
//   {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}
// Entra token endpoint (AADSTS):
//   {"error","error_description","error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"}
import { randomUUID } from 'node:crypto';
import type { GraphCall, GraphResult } from './types.js';

export function graphError(
  call: Pick<GraphCall, 'requestId' | 'headers'>,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): GraphResult {
  return {
    status,
    headers,
    errorCode: code,
    json: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': call.requestId,
          'client-request-id': call.headers['client-request-id'] ?? call.requestId,
        },
      },
    },
  };
}

export const insufficientPrivileges = (call: GraphCall): GraphResult =>
  graphError(call, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

export const resourceNotFound = (call: GraphCall, key: string): GraphResult =>
  graphError(
    call,
    404,
    'Request_ResourceNotFound',
    `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const unsupportedQuery = (call: GraphCall, detail = 'Unsupported Query.'): GraphResult =>
  graphError(call, 400, 'Request_UnsupportedQuery', detail);

export const badRequest = (call: GraphCall, message: string, code = 'BadRequest'): GraphResult =>
  graphError(call, 400, code, message);

export const noRoute = (call: GraphCall): GraphResult =>
  graphError(call, 400, 'BadRequest', `Resource not found for the segment '${firstSegment(call.path)}'.`);

export const methodNotAllowed = (call: GraphCall): GraphResult =>
  graphError(call, 405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

function firstSegment(path: string): string {
  return decodeURIComponent(path.split('/').filter(Boolean)[0] ?? '');
}

export interface AadstsError {
  status: number;
  body: {
    error: string;
    error_description: string;
    error_codes: number[];
    timestamp: string;
    trace_id: string;
    correlation_id: string;
    error_uri: string;
  };
}

/** An Entra ID token endpoint error: "AADSTSnnnn: message" plus trace lines, as Entra words it. */
export function aadstsError(status: number, error: string, code: number, message: string, correlationId?: string): AadstsError {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

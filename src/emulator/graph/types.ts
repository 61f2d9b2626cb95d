// The emulator's internal shape of one Graph request and its answer. Top-level HTTP requests
// and $batch sub-requests both become a GraphCall, so both go through the same auth,
// throttling, faults and handlers.

export interface GraphCall {
  method: string;
  version: 'v1.0' | 'beta';
  /** Path after the version, percent-decoding NOT applied, e.g. /users/ada%40contoso.edu/photo/$value. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  requestId: string;
  /** The sub-request id when the call came from $batch. */
  batchRequestId?: string;
  /** Request-log sequence number of the HTTP request carrying the call. */
  logSeq?: number;
}

export interface GraphResult {
  status: number;
  headers?: Record<string, string>;
  /** JSON value (serialised by the transport) or raw bytes. */
  json?: unknown;
  bytes?: Buffer;
  /** Filled for the request log. */
  userId?: string;
  throttled?: boolean;
  fault?: string;
  errorCode?: string;
  /** Ask the transport to reset the connection instead of answering. */
  reset?: boolean;
}

/** The caller, from a verified access token. */
export interface AppIdentity {
  appId: string;
  tenantId: string;
  servicePrincipalId: string;
  /** Application permissions (`roles`), or for a delegated token the delegated scopes (`scp`). */
  roles: readonly string[];
  /** Set for a delegated token: the signed-in user and the directory roles it holds (`wids`, lower case). */
  user?: { id: string; userPrincipalName: string; directoryRoles: readonly string[] };
}

/**
 * A failed connection told in words: which host, the socket's or TLS's error code, and what to
 * check. `fetch` (undici), MSAL and the Graph SDK each wrap the socket error ("fetch failed",
 * "network_error", endpoints_resolution_error...): the code is dug out of the error chain
 * (`cause`, an AggregateError's `errors`, MSAL's `errorCode`/`errorMessage`) or, failing that,
 * out of the message text. Pure: no I/O, no environment.
 */

/** Codes that say the certificate was not trusted or not valid. */
const TLS_CODES = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
] as const;

const SOCKET_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'TimeoutError',
] as const;

const KNOWN = new Set<string>([...TLS_CODES, ...SOCKET_CODES]);

/** OpenSSL's messages, for wrappers that keep the message but drop the code (@actions/core). */
const TLS_MESSAGES: [RegExp, string][] = [
  [/unable to verify the first certificate/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/self[- ]signed certificate in certificate chain/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/self[- ]signed certificate/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/unable to get local issuer certificate/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/certificate has expired/i, 'CERT_HAS_EXPIRED'],
  [/certificate is not yet valid/i, 'CERT_NOT_YET_VALID'],
];
const CODE_IN_TEXT = new RegExp(`\\b(${[...TLS_CODES, ...SOCKET_CODES].join('|')})\\b`);

export interface NetworkCause {
  /** The most specific code found (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN...), if any. */
  code: string | undefined;
  /** The innermost message (e.g. "connect ECONNREFUSED 127.0.0.1:443"). */
  message: string;
  tls: boolean;
  /** Every message in the chain, outermost first. */
  chain: string;
}

/** Walks the chain of an error (cause, errors[], MSAL fields) for a known network or TLS code. */
export function networkCause(error: unknown): NetworkCause {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let code: string | undefined;
  let innermost = '';
  const texts: string[] = [];
  while (queue.length && seen.size < 50) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    if (typeof current !== 'object') {
      texts.push(String(current));
      continue;
    }
    const record = current as Record<string, unknown>;
    for (const field of ['code', 'errorCode', 'name']) {
      const value = record[field];
      if (code === undefined && typeof value === 'string' && KNOWN.has(value)) code = value;
    }
    for (const field of ['message', 'errorMessage', 'subError']) {
      const value = record[field];
      if (typeof value === 'string' && value) texts.push(value);
    }
    if (typeof record['message'] === 'string' && record['message']) innermost = record['message'];
    queue.push(record['cause']);
    if (Array.isArray(record['errors'])) queue.push(...(record['errors'] as unknown[]));
    queue.push(record['innerError'], record['originalError']);
  }
  code ??= CODE_IN_TEXT.exec(texts.join(' '))?.[1] ?? TLS_MESSAGES.find(([pattern]) => pattern.test(texts.join(' ')))?.[1];
  const text = `${code ?? ''} ${texts.join(' ')}`;
  const tls = (code !== undefined && (TLS_CODES as readonly string[]).includes(code)) || /certificate|self[- ]signed/i.test(text);
  return { code, message: innermost || texts[0] || '', tls, chain: texts.join(' | ') };
}

/** True when the error (anywhere in its chain) is a socket or TLS failure, not an HTTP answer. */
export function isNetworkFailure(error: unknown): boolean {
  const cause = networkCause(error);
  return cause.code !== undefined || cause.tls || /fetch failed|socket hang up|network/i.test(cause.chain);
}

/** The host[:port] of a URL, or the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** What to check for a code, naming the host. */
export function networkHint(code: string | undefined, host: string, tls: boolean): string {
  if (tls || (code !== undefined && (TLS_CODES as readonly string[]).includes(code))) {
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
      return `The TLS certificate of ${host} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}: check this machine's clock; behind a TLS-inspecting proxy, its certificate needs renewing.`;
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return `The TLS certificate of ${host} is for another host name: check the URL; behind a TLS-inspecting proxy, check the proxy's certificate.`;
    }
    return `Node does not trust the TLS certificate of ${host}. Behind a TLS-inspecting proxy, give Node the proxy's CA certificate: NODE_EXTRA_CA_CERTS=/path/to/ca.pem (for the local emulator, the ca.pem it prints).`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing accepts connections at ${host}: check that the server is running (for the local emulator: is it still running, on this port?) and that the URL and port are right.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host name ${host} does not resolve: check the URL (cloud, authority-host, graph-url) and DNS; a network that requires a proxy needs HTTPS_PROXY.`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'TimeoutError':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} did not answer in time: check the network and firewall; a network that requires a proxy needs HTTPS_PROXY (and NO_PROXY for hosts to reach directly).`;
    default:
      return `Check the network, the URL, and a proxy (HTTPS_PROXY) or firewall between this machine and ${host}.`;
  }
}

/**
 * "Could not reach <what> at <host>: ECONNREFUSED. <hint> (<innermost message>)".
 * `what` is e.g. "the GitHub OIDC token service", "Entra ID", "Microsoft Graph".
 */
export function describeNetworkFailure(what: string, url: string, error: unknown): string {
  const host = hostOf(url);
  const cause = networkCause(error);
  const label = cause.code ?? (cause.tls ? 'TLS certificate error' : 'network error');
  const verb = cause.tls ? 'Could not connect securely to' : 'Could not reach';
  const detail = cause.message ? ` (${cause.message})` : '';
  return `${verb} ${what} at ${host}: ${label}. ${networkHint(cause.code, host, cause.tls)}${detail}`;
}

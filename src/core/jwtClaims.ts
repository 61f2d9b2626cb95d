/**
 * The claims of a GitHub OIDC ID token, read without verifying it: the token is ours (we asked
 * GitHub for it and present it as the client assertion), an ID token is a JWT by specification
 * (OpenID Connect Core §2) and GitHub documents its claims. We read them to reuse the token while
 * it is valid (`exp`), to learn the job's environment, and to explain a refusal (iss/sub/aud).
 *
 * Never use this on an access token: Microsoft says access tokens are opaque to clients.
 */
export function readJwtClaims(jwt: string): Record<string, unknown> | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A claim that is a non-empty string; undefined otherwise. */
export function stringClaim(claims: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' && value ? value : undefined;
}

/** The audience as one string: an array of audiences joined with `separator`. */
export function audienceClaim(claims: Record<string, unknown> | undefined, separator = ','): string | undefined {
  const aud = claims?.['aud'];
  if (Array.isArray(aud)) return aud.join(separator);
  return typeof aud === 'string' ? aud : undefined;
}

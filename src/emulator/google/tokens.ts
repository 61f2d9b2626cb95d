// Access tokens the emulated Google services issue. Like Google's (`ya29.…`) they are opaque:
// only the emulator can map one back to whom it stands for, so a client cannot read them.
import { randomBytes } from 'node:crypto';

export type GoogleTokenSubject =
  /** An STS federated token: a workload identity pool principal and its mapped attributes. */
  | { kind: 'federated'; principal: string; principalSets: string[] }
  /** A service account's own token (generateAccessToken, or jwt-bearer without `sub`). */
  | { kind: 'serviceAccount'; email: string }
  /** A domain-wide delegated token: the service account acting as a Workspace user. */
  | { kind: 'user'; email: string; viaServiceAccount: string };

export interface GoogleToken {
  subject: GoogleTokenSubject;
  scopes: string[];
  expiresAt: number;
}

/** Tokens live an hour at most; a bounded map so a long benchmark cannot grow it without end. */
const MAX_TOKENS = 50_000;

export class GoogleTokenStore {
  readonly #tokens = new Map<string, GoogleToken>();

  issue(subject: GoogleTokenSubject, scopes: string[], lifetimeSeconds: number): { token: string; expiresAt: number } {
    const token = `ya29.${randomBytes(48).toString('base64url')}`;
    const expiresAt = Date.now() + lifetimeSeconds * 1000;
    this.#tokens.set(token, { subject, scopes, expiresAt });
    if (this.#tokens.size > MAX_TOKENS) {
      const oldest = this.#tokens.keys().next().value;
      if (oldest !== undefined) this.#tokens.delete(oldest);
    }
    return { token, expiresAt };
  }

  /** The token named by an `Authorization: Bearer` header, if known and not expired. */
  fromHeader(authorization: string | undefined): GoogleToken | undefined {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    const token = this.#tokens.get(authorization.slice('Bearer '.length).trim());
    if (!token || token.expiresAt <= Date.now()) return undefined;
    return token;
  }

  clear(): void {
    this.#tokens.clear();
  }
}

/** Who a token's requests count against in the per-user quota. */
export function quotaUserOf(subject: GoogleTokenSubject): string {
  return subject.kind === 'federated' ? subject.principal : subject.email.toLowerCase();
}

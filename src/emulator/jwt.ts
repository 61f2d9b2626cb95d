// RS256 JSON Web Tokens and JWKs with node:crypto only. Both token issuers in the emulator
// (GitHub's OIDC service and Entra ID) sign with their own key, and each verifier only
// trusts the key set of the issuer it expects, as the real services do.
import { createPublicKey, generateKeyPair, randomUUID, sign, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public half as published in a JWKS document. */
  publicJwk: JsonWebKey & { kid: string; kty: string; use: 'sig'; alg: 'RS256' };
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>(
    (resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKeyObject, privateKeyObject) =>
        error ? reject(error) : resolve({ privateKey: privateKeyObject, publicKey: publicKeyObject }),
      ),
  );
  const kid = randomUUID().replaceAll('-', '').toUpperCase();
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicKey, publicJwk: { ...jwk, kty: 'RSA', kid, use: 'sig', alg: 'RS256' } };
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: SigningKey, extraHeader: Record<string, unknown> = {}): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, ...extraHeader };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/** Parses a compact JWS without trusting it; undefined when it is not a well-formed JWT. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  try {
    const header: unknown = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
    if (!isRecord(header) || !isRecord(payload)) return undefined;
    return {
      header,
      payload,
      signingInput: `${headerPart}.${payloadPart}`,
      signature: Buffer.from(signaturePart, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** True when the token is RS256 and signed by one of the keys (matched by kid when present). */
export function verifyJwtSignature(decoded: DecodedJwt, keys: readonly JsonWebKey[]): boolean {
  if (decoded.header['alg'] !== 'RS256') return false;
  const kid = decoded.header['kid'];
  const candidates = typeof kid === 'string' ? keys.filter((key) => key['kid'] === kid) : keys;
  return candidates.some((jwk) => {
    try {
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
      return verify('sha256', Buffer.from(decoded.signingInput), publicKey, decoded.signature);
    } catch {
      return false;
    }
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const nowInSeconds = (): number => Math.floor(Date.now() / 1000);

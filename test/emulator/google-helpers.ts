// Raw HTTP to the emulator's Google endpoints, written from Google's REST references (not with
// the client under test), so emulator tests do not share the client's reading.
import { DIRECTORY_SCOPE } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { getGitHubIdToken } from './helpers.js';

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function googleFetch(emulator: RunningEmulator, method: string, path: string, token?: string, body?: object): Promise<RawAnswer> {
  const response = await fetch(`${emulator.google.endpoint}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** GitHub token → STS → generateAccessToken: the service account's Directory token. */
export async function serviceAccountToken(emulator: RunningEmulator, scopes: string[] = [DIRECTORY_SCOPE]): Promise<string> {
  const provider = emulator.google.workloadIdentityProvider;
  const subjectToken = await getGitHubIdToken(emulator.env, `https://iam.googleapis.com/${provider}`);
  const sts = await googleFetch(emulator, 'POST', '/sts/v1/token', undefined, {
    audience: `//iam.googleapis.com/${provider}`,
    grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
    subjectToken,
  });
  if (sts.status !== 200) throw new Error(`STS refused: ${JSON.stringify(sts.body)}`);
  const sa = await googleFetch(emulator, 'POST', `/iamcredentials/v1/projects/-/serviceAccounts/${encodeURIComponent(emulator.google.serviceAccount)}:generateAccessToken`, String(sts.body['access_token']), { scope: scopes });
  if (sa.status !== 200) throw new Error(`generateAccessToken refused: ${JSON.stringify(sa.body)}`);
  return String(sa.body['accessToken']);
}

/** Web-safe base64 as the UserPhoto reference describes it (`-` and `_`). */
export const webSafe = (bytes: Buffer): string => bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');

/** Asserts Google's API error shape and returns the first reason. */
export function googleReason(answer: RawAnswer): string {
  const error = answer.body['error'] as { code: number; message: string; errors: Array<{ domain: string; reason: string; message: string }>; status: string };
  if (error.code !== answer.status || typeof error.message !== 'string' || typeof error.status !== 'string') throw new Error(`Not Google's error shape: ${JSON.stringify(answer.body)}`);
  const [first] = error.errors;
  if (!first || first.message !== error.message || typeof first.domain !== 'string') throw new Error(`errors[0] missing or inconsistent: ${JSON.stringify(answer.body)}`);
  return first.reason;
}

/**
 * Where Google's services live. One override (the `google-endpoint` input) stands in for every
 * Google host: with it, https://HOST.googleapis.com/PATH becomes {endpoint}/HOST/PATH (the
 * emulator serves them so, under https://127.0.0.1:PORT/_google). Without it, Google's own hosts.
 */
export type GoogleHost = 'sts' | 'iamcredentials' | 'oauth2' | 'admin';

export function googleUrl(host: GoogleHost, path: string, endpoint?: string): string {
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/${host}${path}`;
  return `https://${host}.googleapis.com${path}`;
}

/** The Directory scope photo writes need (users.photos update/delete; reads accept it too). */
export const DIRECTORY_USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user';
/** What the STS federated token is asked for: only ever used to call IAM Credentials. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** The `aud` of a jwt-bearer assertion: Google's token endpoint, even when requests go elsewhere. */
export const OAUTH2_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

// Google's keyless sign-in chain for a GitHub workflow, as three endpoints:
//   sts.googleapis.com/v1/token            GitHub OIDC token → federated token (RFC 8693 exchange)
//   iamcredentials.googleapis.com/v1/…     federated token → service account access token
//                                          (generateAccessToken) or a JWT it signed (signJwt)
//   oauth2.googleapis.com/token            signed JWT → access token (jwt-bearer, RFC 7523), with
//                                          `sub` = a Workspace admin for domain-wide delegation
// Each check is the one Google documents or is reported to make; docs/emulator.md, "Google".
import { decodeJwt, isRecord, nowInSeconds, signJwt, verifyJwtSignature } from '../jwt.js';
import type { SigningKey } from '../jwt.js';
import type { GitHubOidcIssuer } from '../github-oidc.js';
import { conditionHolds } from './attribute-condition.js';
import type { AttributeCondition } from './attribute-condition.js';
import { apiError, iamError, oauthError, unauthenticated } from './errors.js';
import type { GoogleAnswer } from './errors.js';
import type { GoogleDelegationGrant, GoogleIamBinding } from './options.js';
import { poolPrincipalPrefix, providerResourceName } from './options.js';
import type { GoogleDirectoryState } from './state.js';
import type { GoogleTokenStore, GoogleTokenSubject } from './tokens.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = new Set(['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']);
/** The `aud` Google requires in a jwt-bearer assertion, whatever host the request went to. */
export const OAUTH2_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const MAX_LIFETIME_SECONDS = 3600;

/** Claims mapped to attributes (the mapping the setup guide gives): attribute.NAME = assertion.NAME. */
const MAPPED_ATTRIBUTES = ['repository', 'repository_owner', 'environment', 'ref', 'actor', 'workflow_ref'];

/** What the identity endpoints read; mutable settings are read on every request. */
export interface IdentityContext {
  github: GitHubOidcIssuer;
  tokens: GoogleTokenStore;
  directory: GoogleDirectoryState;
  serviceAccountKey: SigningKey;
  settings: IdentitySettings;
}

export interface IdentitySettings {
  projectNumber: string;
  pool: string;
  provider: string;
  allowedAudiences: string[];
  attributeCondition: AttributeCondition | null;
  serviceAccount: string;
  serviceAccountId: string;
  bindings: GoogleIamBinding[];
  domainWideDelegation: GoogleDelegationGrant[];
}

/**
 * Roles that carry each permission, as docs/setup-google.md tells the admin to grant them: Token
 * Creator carries both (Google's "Roles for service account authentication"); Workload Identity
 * User carries getAccessToken, not signJwt. No other role counts (not a basic role: we could not
 * confirm what Google's basic roles carry here, and our guide never grants one).
 */
const ROLES_WITH: Record<string, readonly string[]> = {
  'iam.serviceAccounts.getAccessToken': ['roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountTokenCreator'],
  'iam.serviceAccounts.signJwt': ['roles/iam.serviceAccountTokenCreator'],
};

/** The STS request's fields, from JSON (camelCase, the REST reference) or a form (snake_case, as some libraries send). */
function stsFields(body: Record<string, string>): Record<'grantType' | 'audience' | 'scope' | 'requestedTokenType' | 'subjectToken' | 'subjectTokenType', string> {
  const pick = (camel: string, snake: string): string => body[camel] ?? body[snake] ?? '';
  return {
    grantType: pick('grantType', 'grant_type'),
    audience: pick('audience', 'audience'),
    scope: pick('scope', 'scope'),
    requestedTokenType: pick('requestedTokenType', 'requested_token_type'),
    subjectToken: pick('subjectToken', 'subject_token'),
    subjectTokenType: pick('subjectTokenType', 'subject_token_type'),
  };
}

export function exchangeToken(context: IdentityContext, body: Record<string, string>): GoogleAnswer {
  const { settings, github } = context;
  const request = stsFields(body);
  if (request.grantType !== TOKEN_EXCHANGE_GRANT) return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${request.grantType || '(none)'}.`);
  if (request.requestedTokenType !== ACCESS_TOKEN_TYPE) return oauthError(400, 'invalid_request', 'Invalid value for "requested_token_type".');
  if (!SUBJECT_TOKEN_TYPES.has(request.subjectTokenType)) return oauthError(400, 'invalid_request', 'Invalid value for "subject_token_type".');
  if (!/^\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(request.audience)) {
    return oauthError(
      400,
      'invalid_request',
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
    );
  }
  const providerName = providerResourceName(settings.projectNumber, settings.pool, settings.provider);
  if (request.audience !== `//iam.googleapis.com/${providerName}`) {
    return oauthError(
      400,
      'invalid_target',
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
    );
  }
  const decoded = decodeJwt(request.subjectToken);
  if (!decoded) return oauthError(400, 'invalid_grant', 'Unable to parse the ID Token.');
  if (!verifyJwtSignature(decoded, github.jwks.keys)) return oauthError(400, 'invalid_grant', 'Invalid ID Token signature.');
  const claims = decoded.payload;
  if (claims['iss'] !== github.issuer) {
    return oauthError(400, 'invalid_grant', `The issuer in ID Token ${String(claims['iss'])} does not match the expected ones: ${github.issuer}.`);
  }
  const now = nowInSeconds();
  if (typeof claims['exp'] !== 'number' || claims['exp'] <= now) return oauthError(400, 'invalid_grant', 'ID Token expired.');
  const audiences = Array.isArray(claims['aud']) ? claims['aud'] : [claims['aud']];
  if (!audiences.some((audience) => typeof audience === 'string' && settings.allowedAudiences.includes(audience))) {
    return oauthError(400, 'invalid_grant', `The audience in ID Token [${audiences.join(', ')}] does not match the expected audience ${settings.allowedAudiences.join(', ')}.`);
  }
  if (typeof claims['sub'] !== 'string' || !claims['sub']) return oauthError(400, 'invalid_grant', 'The ID Token has no subject (google.subject is mapped from assertion.sub).');
  if (settings.attributeCondition && !conditionHolds(settings.attributeCondition, claims)) {
    return oauthError(400, 'unauthorized_client', 'The given credential is rejected by the attribute condition.');
  }
  const prefix = poolPrincipalPrefix(settings.projectNumber, settings.pool);
  const principalSets = [`principalSet://${prefix}/*`];
  for (const name of MAPPED_ATTRIBUTES) {
    const value = claims[name];
    if (typeof value === 'string' && value) principalSets.push(`principalSet://${prefix}/attribute.${name}/${value}`);
  }
  const lifetime = Math.max(1, Math.min(MAX_LIFETIME_SECONDS, claims['exp'] - now));
  const issued = context.tokens.issue({ kind: 'federated', principal: `principal://${prefix}/subject/${claims['sub']}`, principalSets }, request.scope.split(/\s+/).filter(Boolean), lifetime);
  return { status: 200, body: { access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: lifetime } };
}

/** POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken | :signJwt */
export function serviceAccountCredentials(context: IdentityContext, path: string, authorization: string | undefined, body: unknown): GoogleAnswer {
  const match = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):(generateAccessToken|signJwt)$/.exec(path);
  if (!match) return apiError(404, 'notFound', `Method not found: ${path}`);
  const [, project = '', rawAccount = '', method = ''] = match;
  const account = decodeURIComponent(rawAccount);
  const caller = context.tokens.fromHeader(authorization);
  if (!caller) return unauthenticated();
  if (project !== '-') return apiError(400, 'badRequest', 'The project in a service account resource name must be the - wildcard.');
  if (!isRecord(body)) return apiError(400, 'badRequest', 'Invalid JSON payload received.');
  const permission = method === 'generateAccessToken' ? 'iam.serviceAccounts.getAccessToken' : 'iam.serviceAccounts.signJwt';
  const { settings } = context;
  const known = account.toLowerCase() === settings.serviceAccount.toLowerCase() || account === settings.serviceAccountId;
  // Google answers an unknown account like a refused one: "(or it may not exist)".
  if (!known || !mayUse(settings.bindings, permission, caller.subject)) {
    return iamError(403, 'IAM_PERMISSION_DENIED', `Permission '${permission}' denied on resource (or it may not exist).`, { permission });
  }
  if (method === 'generateAccessToken') {
    const scopes = Array.isArray(body['scope']) ? body['scope'].filter((scope): scope is string => typeof scope === 'string') : [];
    if (scopes.length === 0) return apiError(400, 'badRequest', 'Scope required.');
    const lifetime = parseDuration(body['lifetime']) ?? MAX_LIFETIME_SECONDS;
    if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS) return apiError(400, 'badRequest', 'The lifetime must be between 1 and 3600 seconds.');
    const issued = context.tokens.issue({ kind: 'serviceAccount', email: settings.serviceAccount }, scopes, lifetime);
    return { status: 200, body: { accessToken: issued.token, expireTime: new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(typeof body['payload'] === 'string' ? body['payload'] : '');
  } catch {
    claims = undefined;
  }
  if (!isRecord(claims)) return apiError(400, 'badRequest', 'The payload must be a serialized JSON object that contains a JWT Claims Set.');
  const exp = claims['exp'];
  const now = nowInSeconds();
  if (exp !== undefined && (typeof exp !== 'number' || exp < now || exp > now + 12 * 3600)) {
    return apiError(400, 'badRequest', 'The exp claim must be an integer timestamp that is not in the past and no more than 12 hours in the future.');
  }
  const signed = signJwt({ ...claims, ...(exp === undefined ? { exp: now + 3600 } : {}) }, context.serviceAccountKey);
  return { status: 200, body: { keyId: context.serviceAccountKey.kid, signedJwt: signed } };
}

function mayUse(bindings: readonly GoogleIamBinding[], permission: string, subject: GoogleTokenSubject): boolean {
  const identities = subject.kind === 'federated' ? [subject.principal, ...subject.principalSets] : [`serviceAccount:${subject.email}`, `user:${subject.email}`];
  const roles = ROLES_WITH[permission] ?? [];
  return bindings.some((binding) => roles.includes(binding.role) && binding.members.some((member) => identities.includes(member)));
}

function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Number(match[1]) : Number.NaN;
}

/** POST oauth2.googleapis.com/token with grant_type=jwt-bearer. */
export function jwtBearer(context: IdentityContext, form: Record<string, string>): GoogleAnswer {
  const { settings, serviceAccountKey, directory } = context;
  if (form['grant_type'] !== JWT_BEARER_GRANT) return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form['grant_type'] ?? ''));
  const decoded = decodeJwt(form['assertion'] ?? '');
  if (!decoded) return oauthError(400, 'invalid_grant', 'Invalid JWT: the assertion is not a JWT.');
  if (!verifyJwtSignature(decoded, [serviceAccountKey.publicJwk])) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
  const claims = decoded.payload;
  if (String(claims['iss'] ?? '').toLowerCase() !== settings.serviceAccount.toLowerCase()) return oauthError(400, 'invalid_grant', 'Invalid JWT: the issuer is not the service account that signed it.');
  if (claims['aud'] !== OAUTH2_TOKEN_AUDIENCE) return oauthError(400, 'invalid_grant', `Invalid JWT: the audience must be ${OAUTH2_TOKEN_AUDIENCE}.`);
  const now = nowInSeconds();
  const iat = claims['iat'];
  const exp = claims['exp'];
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= now || exp - iat > 3600 || iat > now + 300) {
    return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
  }
  const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(/\s+/).filter(Boolean) : [];
  const subject = claims['sub'];
  if (typeof subject !== 'string' || subject.toLowerCase() === settings.serviceAccount.toLowerCase()) {
    const issued = context.tokens.issue({ kind: 'serviceAccount', email: settings.serviceAccount }, scopes, exp - now);
    return { status: 200, body: { access_token: issued.token, expires_in: exp - now, token_type: 'Bearer' } };
  }
  const grant = settings.domainWideDelegation.find((entry) => entry.clientId === settings.serviceAccountId);
  if (scopes.length === 0 || !grant || !scopes.every((scope) => grant.scopes.includes(scope))) {
    return oauthError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
  }
  const user = directory.findUser(subject);
  if (!user || user.suspended || user.primaryEmail.toLowerCase() !== subject.toLowerCase()) return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
  const issued = context.tokens.issue({ kind: 'user', email: user.primaryEmail, viaServiceAccount: settings.serviceAccount }, scopes, exp - now);
  return { status: 200, body: { access_token: issued.token, expires_in: exp - now, token_type: 'Bearer' } };
}

// GitHub Actions' OIDC token service, as a job sees it: ACTIONS_ID_TOKEN_REQUEST_URL answers a
// GET (Authorization: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, &audience=...) with
// {"value": "<JWT>"}; the JWT's claims describe the job (repository, ref, event,
// environment, ...) and are signed with keys published under the issuer's
// /.well-known/jwks. Each request token is bound to one workflow context, so a test can
// hand one client a push-to-main job and another a pull request.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signJwt, nowInSeconds } from './jwt.js';
import type { SigningKey } from './jwt.js';
import { sendJson } from './http.js';
import { DEFAULT_REPOSITORY } from './options.js';
import type { WorkflowContext } from './options.js';

/** GitHub's OIDC tokens are short-lived; the exact lifetime is GitHub's business, 5 min is typical. */
const TOKEN_LIFETIME_SECONDS = 300;
export const GITHUB_OIDC_PATH = '/_github';

export interface OidcRequestEnv {
  ACTIONS_ID_TOKEN_REQUEST_URL: string;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: string;
}

/** The subject GitHub puts in `sub`: the environment wins, then pull_request, then the ref. */
export function subjectFor(repository: string, context: Exclude<WorkflowContext, { claims: unknown }>): string {
  if (context.environment) return `repo:${repository}:environment:${context.environment}`;
  if (context.kind === 'pull_request') return `repo:${repository}:pull_request`;
  return `repo:${repository}:ref:${context.ref ?? 'refs/heads/main'}`;
}

export class GitHubOidcIssuer {
  readonly issuer: string;
  readonly #key: SigningKey;
  readonly #requestTokens = new Map<string, WorkflowContext>();
  readonly #defaultRequestToken: string;
  /** The job behind the default request token (the emulator's `oidc` option). */
  readonly defaultContext: WorkflowContext;

  constructor(origin: string, key: SigningKey, defaultContext: WorkflowContext) {
    this.issuer = `${origin}${GITHUB_OIDC_PATH}`;
    this.#key = key;
    this.defaultContext = defaultContext;
    this.#defaultRequestToken = this.registerRequestToken(defaultContext);
  }

  get jwks(): { keys: SigningKey['publicJwk'][] } {
    return { keys: [this.#key.publicJwk] };
  }

  /** ACTIONS_ID_TOKEN_REQUEST_URL; like GitHub's it already has a query, as @actions/core appends `&audience=`. */
  get requestUrl(): string {
    return `${this.issuer}/idtoken?api-version=2.0`;
  }

  /** Env for a job whose OIDC tokens describe `context` (default: the emulator's `oidc` option). */
  requestEnv(context?: WorkflowContext): OidcRequestEnv {
    const token = context ? this.registerRequestToken(context) : this.#defaultRequestToken;
    return { ACTIONS_ID_TOKEN_REQUEST_URL: this.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token };
  }

  registerRequestToken(context: WorkflowContext): string {
    const token = randomBytes(24).toString('base64url');
    this.#requestTokens.set(token, context);
    return token;
  }

  /** The claims GitHub would put in a token for this job and audience. */
  claimsFor(context: WorkflowContext, audience?: string): Record<string, unknown> {
    const iat = nowInSeconds();
    const base = { jti: randomUUID(), iss: this.issuer, iat, nbf: iat - 5, exp: iat + TOKEN_LIFETIME_SECONDS };
    if ('claims' in context) return { ...base, ...(audience ? { aud: audience } : {}), ...context.claims };
    const repository = context.repository ?? DEFAULT_REPOSITORY;
    const owner = repository.split('/')[0] ?? repository;
    const sha = context.sha ?? 'd6e8a1b2c3f4e5d6a7b8c9d0e1f2a3b4c5d6e7f8';
    const isPullRequest = context.kind === 'pull_request';
    const number = isPullRequest ? (context.number ?? 1) : undefined;
    const ref = isPullRequest ? `refs/pull/${number}/merge` : (context.ref ?? 'refs/heads/main');
    const workflowRef = `${repository}/.github/workflows/photos.yml@${ref}`;
    const claims: Record<string, unknown> = {
      ...base,
      sub: subjectFor(repository, context),
      aud: audience ?? `https://github.com/${owner}`,
      ref,
      sha,
      repository,
      repository_owner: owner,
      repository_owner_id: '91000001',
      repository_id: '712000001',
      repository_visibility: 'private',
      run_id: '9100000001',
      run_number: '42',
      run_attempt: '1',
      actor: context.actor ?? 'octocat',
      actor_id: '583231',
      workflow: 'photos',
      workflow_ref: workflowRef,
      workflow_sha: sha,
      job_workflow_ref: workflowRef,
      job_workflow_sha: sha,
      event_name: isPullRequest ? 'pull_request' : 'push',
      ref_type: 'branch',
      ref_protected: isPullRequest ? 'false' : 'true',
      head_ref: isPullRequest ? (context.headRef ?? 'photos-update') : '',
      base_ref: isPullRequest ? (context.baseRef ?? 'main') : '',
      runner_environment: 'github-hosted',
    };
    if (context.environment) claims['environment'] = context.environment;
    return claims;
  }

  issueToken(context: WorkflowContext, audience?: string): string {
    return signJwt(this.claimsFor(context, audience), this.#key, { x5t: this.#key.kid });
  }

  /** Serves the issuer's discovery, JWKS and token-request endpoints; false when the path is not ours. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): boolean {
    const path = url.pathname.slice(GITHUB_OIDC_PATH.length);
    if (request.method === 'GET' && path === '/.well-known/openid-configuration') {
      sendJson(response, 200, {
        issuer: this.issuer,
        jwks_uri: `${this.issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'sha', 'repository', 'repository_owner',
          'run_id', 'run_number', 'run_attempt', 'actor', 'workflow', 'event_name', 'ref_type', 'environment', 'job_workflow_ref'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
      return true;
    }
    if (request.method === 'GET' && path === '/.well-known/jwks') {
      sendJson(response, 200, this.jwks);
      return true;
    }
    if (request.method === 'GET' && path === '/idtoken') {
      const authorization = request.headers.authorization ?? '';
      const requestToken = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
      const context = this.#requestTokens.get(requestToken);
      if (!context) {
        sendJson(response, 401, { message: 'Bad credentials: ACTIONS_ID_TOKEN_REQUEST_TOKEN is missing or unknown.' });
        return true;
      }
      const audience = url.searchParams.get('audience') ?? undefined;
      sendJson(response, 200, { count: 1, value: this.issueToken(context, audience) });
      return true;
    }
    return false;
  }
}

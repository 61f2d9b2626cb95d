import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError } from './shared6.js';
import { p as printable } from './shared4.js';
import { R as RECOMMENDED_SIDE } from './shared.js';

function googleUrl(host, path, endpoint) {
    if (endpoint)
        return `${endpoint.replace(/\/+$/, '')}/${host}${path}`;
    return `https://${host}.googleapis.com${path}`;
}
/** The Directory scope photo writes need (users.photos update/delete; reads accept it too). */
const DIRECTORY_USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user';
/** What the STS federated token is asked for: only ever used to call IAM Credentials. */
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** The `aud` of a jwt-bearer assertion: Google's token endpoint, even when requests go elsewhere. */
const OAUTH2_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

/** A Directory (or IAM Credentials) API call answered with an error. */
class GoogleApiError extends Error {
    status;
    reason;
    retryAfterSeconds;
    name = 'GoogleApiError';
    constructor(status, 
    /** `errors[0].reason` (Directory), the ErrorInfo `reason` (IAM), or the `status` text. */
    reason, message, 
    /** Seconds from a Retry-After header, when Google sent one. */
    retryAfterSeconds) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
/** A step of keyless sign-in failed: the message says which, and what to check. Never retried. */
class GoogleAuthError extends Error {
    step;
    status;
    code;
    name = 'GoogleAuthError';
    constructor(step, status, 
    /** OAuth `error` or the API's reason. */
    code, message) {
        super(message);
        this.step = step;
        this.status = status;
        this.code = code;
    }
}
const THROTTLE_REASONS = new Set(['userRateLimitExceeded', 'quotaExceeded', 'rateLimitExceeded']);
/** Google's error body, read defensively: any of its fields may be missing. */
function readGoogleError(status, body, retryAfter) {
    let reason = '';
    let message = body.slice(0, 300) || `HTTP ${status}`;
    try {
        const parsed = JSON.parse(body);
        const error = parsed.error;
        if (error && typeof error === 'object') {
            if (typeof error.message === 'string')
                message = error.message;
            const first = error.errors?.[0]?.reason ?? error.details?.find((detail) => typeof detail.reason === 'string')?.reason ?? error.status;
            if (typeof first === 'string')
                reason = first;
        }
    }
    catch {
        // not JSON: keep the text
    }
    const seconds = retryAfter === null ? undefined : Number(retryAfter);
    return new GoogleApiError(status, reason, `${status} ${reason || 'error'}: ${message}`, seconds !== undefined && Number.isFinite(seconds) ? seconds : undefined);
}
/** How the pacer should treat a failed Google call (the port's TargetFailure). */
function classifyGoogleFailure(error) {
    if (error instanceof GoogleAuthError)
        return { kind: 'fatal' };
    if (error instanceof GoogleApiError) {
        if (error.status === 429 || (error.status === 403 && THROTTLE_REASONS.has(error.reason)))
            return { kind: 'throttled', retryAfterSeconds: error.retryAfterSeconds };
        if (error.status >= 500)
            return { kind: 'transient', retryAfterSeconds: error.retryAfterSeconds };
        if (error.status === 403 || error.status === 401)
            return { kind: 'forbidden', delegated: false };
        return { kind: 'fatal' };
    }
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
        return { kind: 'fatal' };
    // fetch's TypeError('fetch failed') and socket errors: the network, worth another try.
    return { kind: 'transient', retryAfterSeconds: undefined };
}
function isRetryableGoogleFailure(error) {
    const kind = classifyGoogleFailure(error).kind;
    return kind === 'throttled' || kind === 'transient';
}
/**
 * Google's exponential backoff: wait min(2^n + random fraction, maximum) seconds before retry n
 * (n from 0), the algorithm its Directory "Limits and quotas" page gives (maximum 32–64 s).
 */
function googleBackoffMs(attempt, random = Math.random, maximumMs = 32_000, baseMs = 1000) {
    return Math.min(maximumMs, baseMs * 2 ** attempt + Math.floor(random() * baseMs));
}

/**
 * `photoData` is web-safe base64 (UserPhoto reference: `+` → `-`, `/` → `_`). The reference also
 * speaks of replacing the `=` padding (it names both `*` and `.`); GAM has sent urlsafe base64
 * with `=` padding for years, so we send that, and read any of the three paddings back.
 */
function encodePhotoData(bytes) {
    return bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}
function decodePhotoData(data) {
    return Buffer.from(data.replace(/[=*.]+$/, '').replaceAll('-', '+').replaceAll('_', '/'), 'base64');
}
/** Google's `mimeType` for the formats it accepts (JPEG, PNG, GIF, BMP, TIFF). */
function googleMimeType(bytes) {
    if (bytes[0] === 0xff && bytes[1] === 0xd8)
        return 'image/jpeg';
    if (bytes[0] === 0x89 && bytes[1] === 0x50)
        return 'image/png';
    if (bytes.subarray(0, 3).toString('latin1') === 'GIF')
        return 'image/gif';
    if (bytes[0] === 0x42 && bytes[1] === 0x4d)
        return 'image/bmp';
    if (bytes.subarray(0, 2).toString('latin1') === 'II' || bytes.subarray(0, 2).toString('latin1') === 'MM')
        return 'image/tiff';
    return undefined;
}

const sleepFor = (ms, signal) => new Promise((resolve, reject) => {
    if (signal?.aborted) {
        reject(signal.reason);
        return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
    }, { once: true });
});
class GoogleDirectoryClient {
    #options;
    constructor(options) {
        this.#options = options;
    }
    get customer() {
        return this.#options.customer ?? 'my_customer';
    }
    /** users.get by primary email, alias or id; null when Google knows no such user. */
    getUser(userKey, signal) {
        return this.#lookup(async () => {
            try {
                return (await this.#json('GET', `/users/${encodeURIComponent(userKey)}`, undefined, signal));
            }
            catch (error) {
                if (error instanceof GoogleApiError && error.status === 404)
                    return null;
                throw error;
            }
        }, signal);
    }
    /** users.list?query=externalId='…': every user with that external id value, whatever its type. */
    async findByExternalId(value, signal) {
        const quoted = `'${value.replaceAll("'", "\\'")}'`;
        const found = [];
        for await (const page of this.listUsers({ query: `externalId=${quoted}`, signal }))
            found.push(...page);
        return found;
    }
    /** users.list page by page (500 a page, Google's maximum). */
    async *listUsers(options = {}) {
        let pageToken;
        do {
            const params = new URLSearchParams({ customer: this.customer, maxResults: '500' });
            if (options.query)
                params.set('query', options.query);
            if (pageToken)
                params.set('pageToken', pageToken);
            const body = await this.#lookup(() => this.#json('GET', `/users?${params.toString()}`, undefined, options.signal), options.signal);
            yield Array.isArray(body['users']) ? body['users'] : [];
            pageToken = typeof body['nextPageToken'] === 'string' ? body['nextPageToken'] : undefined;
        } while (pageToken);
    }
    /** One attempt: the stored photo (Google keeps a 96x96 thumbnail), or null when there is none. */
    async getPhoto(userKey, signal) {
        try {
            const body = await this.#json('GET', photoPath(userKey), undefined, signal);
            if (typeof body['photoData'] !== 'string')
                return null;
            return {
                bytes: decodePhotoData(body['photoData']),
                mimeType: String(body['mimeType'] ?? ''),
                ...(typeof body['width'] === 'number' ? { width: body['width'] } : {}),
                ...(typeof body['height'] === 'number' ? { height: body['height'] } : {}),
                ...(typeof body['etag'] === 'string' ? { etag: body['etag'] } : {}),
            };
        }
        catch (error) {
            if (isMissingPhoto(error))
                return null;
            throw error;
        }
    }
    /** One attempt: users.photos.update with the image as web-safe base64. */
    async putPhoto(userKey, image, size, signal) {
        const mimeType = googleMimeType(image);
        if (!mimeType)
            throw new GoogleApiError(0, 'invalid', 'The photo is not a JPEG, PNG, GIF, BMP or TIFF image; Google accepts no other format.');
        await this.#json('PUT', photoPath(userKey), { photoData: encodePhotoData(image), mimeType, ...(size ?? {}) }, signal);
    }
    /** One attempt: users.photos.delete; a user without a photo is done (Google answers 404). */
    async deletePhoto(userKey, signal) {
        try {
            await this.#json('DELETE', photoPath(userKey), undefined, signal);
        }
        catch (error) {
            if (isMissingPhoto(error))
                return;
            throw error;
        }
    }
    async #lookup(call, signal) {
        const attempts = this.#options.lookupAttempts ?? 7;
        const sleep = this.#options.sleep ?? sleepFor;
        for (let attempt = 0;; attempt++) {
            try {
                return await call();
            }
            catch (error) {
                if (attempt + 1 >= attempts || !isRetryableGoogleFailure(error) || signal?.aborted)
                    throw error;
                const retryAfter = error instanceof GoogleApiError ? error.retryAfterSeconds : undefined;
                await sleep(retryAfter !== undefined ? retryAfter * 1000 : googleBackoffMs(attempt, this.#options.random), signal);
            }
        }
    }
    async #json(method, path, body, signal) {
        const url = googleUrl('admin', `/admin/directory/v1${path}`, this.#options.endpoint);
        const send = async () => fetch(url, {
            method,
            headers: { Authorization: `Bearer ${await this.#options.auth.accessToken()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
            ...(signal ? { signal } : {}),
        });
        let response = await send();
        if (response.status === 401) {
            // A token revoked or issued by an emulator that restarted: sign in again, once.
            await response.body?.cancel();
            this.#options.auth.invalidate();
            response = await send();
        }
        const text = await response.text();
        if (!response.ok)
            throw readGoogleError(response.status, text, response.headers.get('retry-after'));
        return text ? JSON.parse(text) : {};
    }
}
/** 404 about the photo ("Resource Not Found: photo"), not about the user ("…: userKey"). */
function isMissingPhoto(error) {
    return error instanceof GoogleApiError && error.status === 404 && !/userKey/i.test(error.message);
}
function photoPath(userKey) {
    return `/users/${encodeURIComponent(userKey)}/photos/thumbnail`;
}

/**
 * Google stores a 96x96 thumbnail of whatever is sent ("the API downsizes it to 96x96 pixels",
 * UserPhoto reference); we send the same square the Entra target gets, so one normalised photo
 * serves both. No size limit is documented: 4 MB is our bound.
 */
const GOOGLE_PHOTO_SPEC = Object.freeze({
    side: RECOMMENDED_SIDE,
    minSide: 96,
    maxBytes: 4 * 1024 * 1024,
    formats: Object.freeze(['image/jpeg']),
});
class GoogleTarget {
    directory;
    id = 'google';
    spec = GOOGLE_PHOTO_SPEC;
    signIn = 'app';
    #options;
    constructor(directory, options = {}) {
        this.directory = directory;
        this.#options = options;
    }
    async resolveSubjects(keys, options = {}) {
        const answers = new Map();
        const queue = [...new Map(keys.map((key) => [key.canonical, key])).values()];
        const worker = async () => {
            for (let key = queue.shift(); key; key = queue.shift()) {
                let resolution;
                try {
                    resolution = await this.resolveSubject(key, options.signal);
                }
                catch (error) {
                    // Signing in failed: that is about the setup, not about this user; say it once.
                    if (error instanceof GoogleAuthError)
                        throw error;
                    resolution = { notFound: true, problem: 'failed', reason: `Google could not look up ${key.value}: ${error.message}` };
                }
                answers.set(key.canonical, resolution);
                options.onResolved?.(new Map([[key.canonical, resolution]]));
            }
        };
        await Promise.all(Array.from({ length: Math.max(1, this.#options.lookupConcurrency ?? 4) }, worker));
        return answers;
    }
    async resolveSubject(key, signal) {
        if (key.kind === 'group') {
            // The Directory API has user photos only (users.photos); Google groups have no photo API.
            // Nothing is sent: the entry fails here, with what to do, and never reaches a write.
            return { notFound: true, problem: 'failed', reason: `Google Workspace has no photo for groups (the Directory API sets user photos only), so group ${key.value} is not sent to Google. Group photos are applied by the entra target; leave this entry to it.` };
        }
        if (key.kind === 'objectId') {
            return { notFound: true, problem: 'not-found', reason: `${key.value} is an Entra object id, which Google does not know: give this user a google: key (their Google email or id).` };
        }
        if (key.kind === 'googleId') {
            const user = await this.directory.getUser(key.value, signal);
            if (!user)
                return { notFound: true, problem: 'not-found', reason: `No Google user has the id ${key.value}.` };
            return subjectOf(user, 'objectId', this.#type);
        }
        if (key.kind === 'upn') {
            const user = await this.directory.getUser(key.value, signal);
            if (!user)
                return { notFound: true, problem: 'not-found', reason: `No Google user has the address ${key.value}.` };
            return subjectOf(user, user.primaryEmail.toLowerCase() === key.value.toLowerCase() ? 'upn' : 'mail', this.#type);
        }
        const all = await this.directory.findByExternalId(key.value, signal);
        const matches = all.filter((user) => user.externalIds?.some((entry) => entry.value === key.value && entry.type === this.#type));
        if (matches.length > 1) {
            return { notFound: true, problem: 'ambiguous', reason: `${matches.length} Google users have employee id ${key.value} (${matches.map((user) => user.primaryEmail).join(', ')}); give this user a google: key.` };
        }
        const [only] = matches;
        if (only)
            return subjectOf(only, 'employeeId', this.#type);
        const otherTypes = [...new Set(all.flatMap((user) => (user.externalIds ?? []).filter((entry) => entry.value === key.value).map((entry) => entry.type)))];
        return {
            notFound: true,
            problem: 'not-found',
            reason: otherTypes.length
                ? `Google has ${key.value} only as an external id of type ${otherTypes.join(', ')}, not ${this.#type} (the Admin console's Employee ID).`
                : `No Google user has employee id ${key.value}.`,
        };
    }
    get #type() {
        return this.#options.externalIdType ?? 'organization';
    }
    /** Unknown for every subject: the Directory has no cheap presence check, so the caller downloads. */
    async photoPresence() {
        return new Map();
    }
    async putPhoto(subjectId, photo, signal) {
        if (this.#options.deleteBeforeUpdate ?? true)
            await this.directory.deletePhoto(subjectId, signal);
        await this.directory.putPhoto(subjectId, photo, { width: this.spec.side, height: this.spec.side }, signal);
    }
    deletePhoto(subjectId, signal) {
        return this.directory.deletePhoto(subjectId, signal);
    }
    /** Google's stored thumbnail (96x96 in Google; not the bytes sent). */
    async downloadPhoto(subjectId, signal) {
        return (await this.directory.getPhoto(subjectId, signal))?.bytes ?? null;
    }
    async *listSubjects(options = {}) {
        if (options.group)
            throw new Error('Listing a group\'s members is not supported for Google yet.');
        if (options.kind === 'groups')
            throw new Error('Google Workspace has no group photos (the Directory API sets user photos only): export --groups works with the entra target only.');
        for await (const page of this.directory.listUsers(options.signal ? { signal: options.signal } : {})) {
            yield page.map((user) => {
                const employeeId = user.externalIds?.find((entry) => entry.type === this.#type)?.value ?? null;
                return { id: user.id, userPrincipalName: user.primaryEmail, mail: user.primaryEmail, employeeId, displayName: user.name?.fullName ?? null, accountEnabled: user.suspended === undefined ? null : !user.suspended };
            });
        }
    }
    classifyFailure(error) {
        return classifyGoogleFailure(error);
    }
}
function subjectOf(user, matchedBy, externalIdType) {
    const employeeId = user.externalIds?.find((entry) => entry.type === externalIdType)?.value;
    return {
        id: user.id,
        userPrincipalName: user.primaryEmail,
        ...(user.name?.fullName ? { displayName: user.name.fullName } : {}),
        mail: user.primaryEmail,
        ...(employeeId ? { employeeId } : {}),
        matchedBy,
        ...(user.suspended === undefined ? {} : { accountEnabled: !user.suspended }),
    };
}

/**
 * Keyless sign-in to Google Workspace from a GitHub workflow, with no key stored anywhere:
 *   1. GitHub OIDC token for the provider's audience (https://iam.googleapis.com/{provider});
 *   2. STS token exchange (sts.googleapis.com/v1/token) → a federated token;
 *   3a. IAM Credentials generateAccessToken: the service account's own token (the account holds
 *       a Workspace admin role), or
 *   3b. with an admin subject (domain-wide delegation): IAM Credentials signJwt over
 *       {iss: SA, sub: admin, scope, aud: oauth2 token endpoint}, then the jwt-bearer grant at
 *       oauth2.googleapis.com/token → a token acting as that admin.
 * Plain fetch for these three endpoints (docs/google.md says why not google-auth-library).
 * Tokens are cached until shortly before they expire; they never appear in messages.
 */
/** Refresh this long before expiry, so a token never dies in the middle of a request. */
const REFRESH_MARGIN_MS = 5 * 60_000;
class GoogleKeylessAuth {
    provider;
    #config;
    #cached;
    #pending;
    constructor(config) {
        this.provider = config.workloadIdentityProvider.replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
        if (!/^projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(this.provider)) {
            throw new GoogleAuthError('sts', 0, 'invalid_provider', `google-workload-identity-provider must look like projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER; got "${config.workloadIdentityProvider}".`);
        }
        this.#config = config;
    }
    /** The audience GitHub's token is requested for (what google-github-actions/auth uses by default). */
    get githubAudience() {
        return `https://iam.googleapis.com/${this.provider}`;
    }
    get scopes() {
        return this.#config.scopes ?? [DIRECTORY_USER_SCOPE];
    }
    /** A valid access token; one sign-in at a time however many callers ask. */
    async accessToken() {
        if (this.#cached && this.#cached.expiresAt - REFRESH_MARGIN_MS > Date.now())
            return this.#cached.token;
        this.#pending ??= this.#signIn().finally(() => {
            this.#pending = undefined;
        });
        return this.#pending;
    }
    /** Forget the token (after a 401: it was revoked or the emulator restarted). */
    invalidate() {
        this.#cached = undefined;
    }
    async #signIn() {
        let idToken;
        try {
            idToken = await this.#config.getIdToken(this.githubAudience);
        }
        catch (error) {
            throw new GoogleAuthError('github-token', 0, 'no_id_token', `Could not get a GitHub OIDC token for ${this.githubAudience}: ${error.message}. The job needs "permissions: id-token: write".`);
        }
        const federated = await this.#exchange(idToken);
        const result = this.#config.adminSubject ? await this.#delegated(federated, this.#config.adminSubject) : await this.#impersonate(federated);
        this.#cached = result;
        return result.token;
    }
    async #exchange(idToken) {
        const body = await this.#post('sts', googleUrl('sts', '/v1/token', this.#config.endpoint), {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
                audience: `//iam.googleapis.com/${this.provider}`,
                grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
                requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
                scope: CLOUD_PLATFORM_SCOPE,
                subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
                subjectToken: idToken,
            }),
        });
        const token = body['access_token'];
        if (typeof token !== 'string')
            throw new GoogleAuthError('sts', 200, 'no_token', 'Google STS answered without an access_token.');
        return token;
    }
    #serviceAccountUrl(method) {
        return googleUrl('iamcredentials', `/v1/projects/-/serviceAccounts/${encodeURIComponent(this.#config.serviceAccount)}:${method}`, this.#config.endpoint);
    }
    async #impersonate(federated) {
        const body = await this.#post('generateAccessToken', this.#serviceAccountUrl('generateAccessToken'), {
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${federated}` },
            body: JSON.stringify({ scope: this.scopes, lifetime: '3600s' }),
        });
        const token = body['accessToken'];
        const expiresAt = Date.parse(String(body['expireTime']));
        if (typeof token !== 'string' || !Number.isFinite(expiresAt))
            throw new GoogleAuthError('generateAccessToken', 200, 'no_token', 'IAM Credentials answered without accessToken/expireTime.');
        return { token, expiresAt };
    }
    async #delegated(federated, subject) {
        const iat = Math.floor(Date.now() / 1000);
        const claims = { iss: this.#config.serviceAccount, sub: subject, scope: this.scopes.join(' '), aud: OAUTH2_TOKEN_AUDIENCE, iat, exp: iat + 3600 };
        const signed = await this.#post('signJwt', this.#serviceAccountUrl('signJwt'), {
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${federated}` },
            body: JSON.stringify({ payload: JSON.stringify(claims) }),
        });
        const assertion = signed['signedJwt'];
        if (typeof assertion !== 'string')
            throw new GoogleAuthError('signJwt', 200, 'no_jwt', 'IAM Credentials answered without signedJwt.');
        const body = await this.#post('jwt-bearer', googleUrl('oauth2', '/token', this.#config.endpoint), {
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
        });
        const token = body['access_token'];
        const expiresIn = Number(body['expires_in']);
        if (typeof token !== 'string' || !Number.isFinite(expiresIn))
            throw new GoogleAuthError('jwt-bearer', 200, 'no_token', 'Google OAuth answered without access_token/expires_in.');
        return { token, expiresAt: Date.now() + expiresIn * 1000 };
    }
    async #post(step, url, init) {
        let response;
        try {
            response = await fetch(url, { method: 'POST', ...init });
        }
        catch (error) {
            throw new GoogleAuthError(step, 0, 'network', `Could not reach ${new URL(url).host} (${step}): ${error.message}`);
        }
        const text = await response.text();
        let body = {};
        try {
            const parsed = JSON.parse(text);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
                body = parsed;
        }
        catch {
            // an error page: described below by status
        }
        if (!response.ok)
            throw describeFailure(step, response.status, body, this.#config, this.provider);
        return body;
    }
}
/** What went wrong at which step, and what the admin should check; Google's words kept. */
function describeFailure(step, status, body, config, provider) {
    const nested = body['error'];
    const code = typeof nested === 'string' ? nested : nested && typeof nested === 'object' ? String(nested['status'] ?? status) : String(status);
    const said = typeof body['error_description'] === 'string'
        ? body['error_description']
        : nested && typeof nested === 'object' && typeof nested['message'] === 'string'
            ? String(nested['message'])
            : `HTTP ${status}`;
    const hints = {
        'github-token': '',
        sts: code === 'unauthorized_client'
            ? `The provider's attribute condition refused this workflow's token: check that it names this repository (and environment).`
            : `Google STS refused the GitHub token for ${provider}: check the provider name, its issuer (https://token.actions.githubusercontent.com) and allowed audiences.`,
        generateAccessToken: `This workflow may not impersonate ${config.serviceAccount}: grant its principalSet roles/iam.workloadIdentityUser on the service account.`,
        signJwt: `This workflow may not sign JWTs as ${config.serviceAccount} (domain-wide delegation needs it): grant its principalSet roles/iam.serviceAccountTokenCreator on the service account.`,
        'jwt-bearer': code === 'unauthorized_client'
            ? `Domain-wide delegation is not set up for ${config.serviceAccount}: in the Admin console (Security → API controls → Domain-wide delegation) authorise its client ID for ${DIRECTORY_USER_SCOPE}.`
            : `Google refused to issue a token acting as ${config.adminSubject ?? '(no subject)'}: google-admin-subject must be an existing, active admin's primary email.`,
    };
    return new GoogleAuthError(step, status, code, `Google sign-in failed at ${step} (${status} ${code}: ${said}). ${hints[step]}`.trim());
}

/**
 * Opens the Google Workspace target from the action inputs or CLI flags (google-*), checked once:
 * keyless sign-in (GitHub OIDC token → STS → the service account, or domain-wide delegation with
 * an admin subject), the Directory client, the port adapter.
 */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** What is missing or malformed in the Google settings, each naming the input (`names`: how the edge spells them). */
function googleSettingsProblems(settings, names) {
    const problems = [];
    if (!settings.workloadIdentityProvider)
        problems.push(`${names.provider} is empty: set it to projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (docs/setup-google.md).`);
    if (!settings.serviceAccount)
        problems.push(`${names.serviceAccount} is empty: set it to the service account's email (NAME@PROJECT.iam.gserviceaccount.com).`);
    else if (!EMAIL.test(settings.serviceAccount))
        problems.push(`${names.serviceAccount} "${printable(settings.serviceAccount)}" is not an email: write the service account's email (NAME@PROJECT.iam.gserviceaccount.com).`);
    if (settings.adminSubject !== undefined && !EMAIL.test(settings.adminSubject))
        problems.push(`${names.adminSubject} "${printable(settings.adminSubject)}" is not an email: write the Workspace admin's email, or leave it empty.`);
    if (settings.endpoint !== undefined && !/^https:\/\/[^\s]+$/.test(settings.endpoint))
        problems.push(`${names.endpoint} "${printable(settings.endpoint)}" is not an https URL.`);
    return problems;
}
/** The Google target, signed in with GitHub OIDC tokens from `getIdToken(audience)`. */
function openGoogle(settings, getIdToken) {
    let auth;
    try {
        auth = new GoogleKeylessAuth({
            workloadIdentityProvider: settings.workloadIdentityProvider,
            serviceAccount: settings.serviceAccount,
            ...(settings.adminSubject ? { adminSubject: settings.adminSubject } : {}),
            ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
            getIdToken,
        });
    }
    catch (error) {
        throw new UserError('config', printable(error.message));
    }
    const directory = new GoogleDirectoryClient({ auth, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), ...(settings.customer ? { customer: settings.customer } : {}) });
    return new GoogleTarget(directory);
}

export { GOOGLE_PHOTO_SPEC as G, googleSettingsProblems as g, openGoogle as o };

// The local tenant emulator: Microsoft Graph, Entra ID and GitHub's OIDC token service on one
// HTTPS server on 127.0.0.1, so the real @azure/identity, Graph client and @actions/core run
// against it unmodified. See docs/emulator.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { AdminApi } from './admin.js';
import { EmulatorAdminClient } from './admin-client.js';
import { EntraId } from './entra.js';
import { FaultInjector } from './faults.js';
import { GitHubOidcIssuer } from './github-oidc.js';
import { GoogleEmulatorAdminClient } from './google/admin-client.js';
import { GoogleService } from './google/service.js';
import { googleSeedsFromDirectory } from './google/state.js';
import { GraphService } from './graph/service.js';
import { createSigningKey } from './jwt.js';
import { Delays, sampleLatency } from './latency.js';
import {
  DEFAULT_APP_PERMISSIONS,
  DEFAULT_CLIENT_ID,
  DEFAULT_REPOSITORY,
  DEFAULT_SERVICE_PRINCIPAL_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_THROTTLE,
  DEFAULT_WORKFLOW_CONTEXT,
  TOKEN_EXCHANGE_AUDIENCE,
} from './options.js';
import type { EmulatorOptions, FederatedCredential, ThrottleConfig } from './options.js';
import { seededRandom } from './random.js';
import { RequestLog } from './request-log.js';
import { DEFAULT_GROUPS, DEFAULT_USERS } from './seed-users.js';
import { ADMIN_PATH, createEmulatorServer } from './server.js';
import type { EmulatorComponents } from './server.js';
import { TenantState } from './state.js';
import { ConcurrencyGate, TokenBucket } from './throttle.js';
import { prepareTls } from './tls/ca.js';

export type { EmulatorConfig, EmulatorConfigPatch } from './admin.js';
export { EmulatorAdminClient } from './admin-client.js';
export type { FaultRule } from './faults.js';
export type { OidcRequestEnv } from './github-oidc.js';
export { subjectFor } from './github-oidc.js';
export * from './options.js';
export type { RequestLogEntry } from './request-log.js';
export { DEFAULT_GROUPS, DEFAULT_USERS } from './seed-users.js';
export type { DirectoryGroup, DirectoryUser, TenantSnapshot, UserSnapshot } from './state.js';
export { MAX_PHOTO_BYTES, MIN_PHOTO_EDGE, HD_SIZES } from './graph/photos.js';
export { MAX_BATCH_REQUESTS } from './graph/batch.js';
export { readJpegDimensions } from './graph/jpeg.js';
export * from './google/options.js';
export type { GoogleEmulatorConfig, GoogleEmulatorConfigPatch } from './google/service.js';
export type { GoogleStateSnapshot } from './google/admin-client.js';
export { GoogleEmulatorAdminClient } from './google/admin-client.js';
export type { GoogleUser, GoogleUserSnapshot } from './google/state.js';

/** Environment a client process needs to talk to the emulator as if it were the real thing. */
export interface EmulatorEnv {
  /** Path of the CA certificate; Node reads it at process start only. */
  NODE_EXTRA_CA_CERTS: string;
  /** GitHub OIDC token request for the default workflow context (the `oidc` option). */
  ACTIONS_ID_TOKEN_REQUEST_URL: string;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: string;
  ENTRA_PHOTOS_TENANT_ID: string;
  ENTRA_PHOTOS_CLIENT_ID: string;
  ENTRA_PHOTOS_AUTHORITY_HOST: string;
  ENTRA_PHOTOS_GRAPH_URL: string;
  [name: string]: string;
}

export interface RunningEmulator {
  /** https://127.0.0.1:PORT */
  url: string;
  /** Graph root, like https://graph.microsoft.com: requests go to {graphUrl}/v1.0/... and /beta/... */
  graphUrl: string;
  /** Entra authority host, like https://login.microsoftonline.com (pass with disableInstanceDiscovery). */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  /** Object id of the app's service principal (also the `oid` of its access tokens). */
  servicePrincipalId: string;
  /** The GitHub OIDC issuer (the `iss` of its tokens and of the default federated credentials). */
  oidcIssuer: string;
  caCertPath: string;
  caCertPem: string;
  /** Root of the admin API (…/_emulator). */
  adminUrl: string;
  env: EmulatorEnv;
  admin: EmulatorAdminClient;
  /** Google Cloud and Workspace, played on the same server (docs/emulator.md, "Google"). */
  google: {
    /** Stands in for every Google host: https://HOST.googleapis.com/PATH is {endpoint}/HOST/PATH. */
    endpoint: string;
    /** projects/N/locations/global/workloadIdentityPools/P/providers/X */
    workloadIdentityProvider: string;
    serviceAccount: string;
    customerId: string;
    admin: GoogleEmulatorAdminClient;
  };
  /** Closes the server and every connection, cancels pending delays, removes a temp state dir. */
  stop(): Promise<void>;
}

function resolveThrottle(option: EmulatorOptions['throttle']): ThrottleConfig | null {
  if (option === false) return null;
  return { ...DEFAULT_THROTTLE, ...(option ?? {}) };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'entra-photos-emulator-')));
  const [tls, githubKey, entraKey, googleKey] = await Promise.all([prepareTls(stateDir), createSigningKey(), createSigningKey(), createSigningKey()]);

  let components: EmulatorComponents | undefined;
  const { server, sockets } = createEmulatorServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, () => components);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;

  const tenantId = (options.tenantId ?? DEFAULT_TENANT_ID).toLowerCase();
  const clientId = (options.clientId ?? DEFAULT_CLIENT_ID).toLowerCase();
  const servicePrincipalId = (options.servicePrincipalId ?? DEFAULT_SERVICE_PRINCIPAL_ID).toLowerCase();
  const state = new TenantState({
    tenantId,
    clientId,
    servicePrincipalId,
    users: options.users ?? DEFAULT_USERS,
    groups: options.groups ?? (options.users ? [] : DEFAULT_GROUPS),
    appPermissions: options.appPermissions ?? DEFAULT_APP_PERMISSIONS,
    directoryRoles: (options.directoryRoles ?? []).map((role) => role.toLowerCase()),
    policy: options.policy ?? { source: null, allowedRoles: [] },
    ...(options.accessTokenFormat ? { accessTokenFormat: options.accessTokenFormat } : {}),
    ...(options.noPhotoMetadata ? { noPhotoMetadata: options.noPhotoMetadata } : {}),
    ...(options.groupPhotoAppOnly ? { groupPhotoAppOnly: options.groupPhotoAppOnly } : {}),
  });
  const random = seededRandom(options.seed ?? 1);
  const log = new RequestLog(options.requestLogLimit ?? 100_000);
  const delays = new Delays();
  const github = new GitHubOidcIssuer(origin, githubKey, options.oidc ?? DEFAULT_WORKFLOW_CONTEXT);
  const federatedCredentials: FederatedCredential[] = [
    ...(options.federatedCredentials ?? [
      { name: 'production', issuer: github.issuer, subject: `repo:${DEFAULT_REPOSITORY}:environment:production`, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
      { name: 'main', issuer: github.issuer, subject: `repo:${DEFAULT_REPOSITORY}:ref:refs/heads/main`, audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    ]),
  ];
  const entra = new EntraId({ origin, state, key: entraKey, github, federatedCredentials, graphUrl: origin });
  const throttle = resolveThrottle(options.throttle);
  const gate = new ConcurrencyGate(throttle?.maxConcurrent ?? 0);
  const faults = new FaultInjector(random, (key) => state.findUserLoosely(key)?.id);
  faults.setRules(options.faults ?? []);
  const graph = new GraphService({
    state,
    entra,
    bucket: throttle ? new TokenBucket(throttle) : undefined,
    faults,
    delays,
    log,
    graphUrl: origin,
  });
  const google = new GoogleService(
    {
      origin,
      github,
      serviceAccountKey: googleKey,
      random,
      delays,
      latencyMs: () => sampleLatency(admin.latency ?? undefined, random),
      defaultUsers: googleSeedsFromDirectory(state.users),
    },
    options.google,
  );
  const admin = new AdminApi({
    state,
    log,
    faults,
    graph,
    gate,
    github,
    entra,
    initial: { latency: options.latency ?? null, throttle, faults: faults.rules },
    alsoReset: () => google.reset(),
  });
  components = {
    origin,
    graph,
    entra,
    github,
    google,
    admin,
    log,
    delays,
    gate,
    random,
    latency: () => admin.latency ?? undefined,
  };

  const oidcEnv = github.requestEnv();
  const adminUrl = `${origin}${ADMIN_PATH}`;
  let stopped: Promise<void> | undefined;
  return {
    url: origin,
    graphUrl: origin,
    authorityHost: origin,
    tenantId,
    clientId,
    servicePrincipalId,
    oidcIssuer: github.issuer,
    caCertPath: tls.caCertPath,
    caCertPem: tls.caCertPem,
    adminUrl,
    env: {
      NODE_EXTRA_CA_CERTS: tls.caCertPath,
      ACTIONS_ID_TOKEN_REQUEST_URL: oidcEnv.ACTIONS_ID_TOKEN_REQUEST_URL,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidcEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      ENTRA_PHOTOS_TENANT_ID: tenantId,
      ENTRA_PHOTOS_CLIENT_ID: clientId,
      ENTRA_PHOTOS_AUTHORITY_HOST: origin,
      ENTRA_PHOTOS_GRAPH_URL: origin,
      // The Google target's sign-in (apply/drift --target google read them as their --google-* defaults).
      ENTRA_PHOTOS_GOOGLE_ENDPOINT: google.endpoint,
      ENTRA_PHOTOS_GOOGLE_WORKLOAD_IDENTITY_PROVIDER: google.workloadIdentityProvider,
      ENTRA_PHOTOS_GOOGLE_SERVICE_ACCOUNT: google.identity.serviceAccount,
    },
    admin: new EmulatorAdminClient(adminUrl, tls.caCertPem),
    google: {
      endpoint: google.endpoint,
      workloadIdentityProvider: google.workloadIdentityProvider,
      serviceAccount: google.identity.serviceAccount,
      customerId: google.directorySettings.customerId,
      admin: new GoogleEmulatorAdminClient(adminUrl, tls.caCertPem),
    },
    stop() {
      stopped ??= (async () => {
        delays.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await closed;
        components = undefined;
        if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

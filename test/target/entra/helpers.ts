// Shared setup for the tenant-layer tests: the real emulator, trusted in-process the way a
// client process would trust it with NODE_EXTRA_CA_CERTS (Node 24: tls.setDefaultCACertificates
// changes the default CA list used by https and fetch for new connections), and the real
// @azure/identity + Graph client wired through src/target/entra.
import tls from 'node:tls';
import sharp from 'sharp';
import { startEmulator } from '../../../src/emulator/index.js';
import type { EmulatorOptions, RunningEmulator, WorkflowContext } from '../../../src/emulator/index.js';
import { cloudEndpoints, connectTenant, createCredential } from '../../../src/target/entra/index.js';
import type { TenantClient } from '../../../src/target/entra/index.js';

export async function startTrustedEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator(options);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), emulator.caCertPem]);
  return emulator;
}

export function credentialFor(emulator: RunningEmulator, context?: WorkflowContext, overrides: { tenantId?: string; clientId?: string; authorityHost?: string; maxRetries?: number } = {}) {
  const endpoints = cloudEndpoints('global', { authorityHost: overrides.authorityHost ?? emulator.authorityHost, graphUrl: emulator.graphUrl });
  const credential = createCredential({
    tenantId: overrides.tenantId ?? emulator.tenantId,
    clientId: overrides.clientId ?? emulator.clientId,
    authorityHost: endpoints.authorityHost,
    getAssertion: () => emulator.admin.issueOidcToken(context, 'api://AzureADTokenExchange'),
    ...(overrides.maxRetries !== undefined ? { maxRetries: overrides.maxRetries } : {}),
  });
  return { credential, endpoints };
}

export function clientFor(emulator: RunningEmulator, context?: WorkflowContext): TenantClient {
  const { credential, endpoints } = credentialFor(emulator, context);
  return connectTenant({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope });
}

export function jpeg(size: number, shade = 128): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: shade, g: 100, b: 200 - (shade % 200) } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

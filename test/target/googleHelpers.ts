// Shared by the Google target tests: keyless sign-in against the emulator, a GoogleTarget over
// it (lookup waits recorded and shortened), manifest keys from strings, and the Directory
// requests the emulator logged.
import type { OidcRequestEnv, RunningEmulator } from '../../src/emulator/index.js';
import { parseEmployeeId, parseUserKey } from '../../src/manifest/userKey.js';
import type { UserKey } from '../../src/manifest/userKey.js';
import { GoogleDirectoryClient, GoogleKeylessAuth, GoogleTarget } from '../../src/target/google/index.js';
import type { GoogleDirectoryOptions, GoogleKeylessConfig, GoogleTargetOptions } from '../../src/target/google/index.js';
import { getGitHubIdToken } from '../emulator/helpers.js';

export function keyless(emulator: RunningEmulator, overrides: Partial<GoogleKeylessConfig> = {}, job: OidcRequestEnv = emulator.env): GoogleKeylessAuth {
  return new GoogleKeylessAuth({
    workloadIdentityProvider: emulator.google.workloadIdentityProvider,
    serviceAccount: emulator.google.serviceAccount,
    endpoint: emulator.google.endpoint,
    getIdToken: (audience) => getGitHubIdToken(job, audience),
    ...overrides,
  });
}

export interface TargetSetup {
  sleeps?: number[];
  directory?: Partial<GoogleDirectoryOptions>;
  target?: GoogleTargetOptions;
}

export function googleTarget(emulator: RunningEmulator, auth: GoogleKeylessAuth, { sleeps = [], directory = {}, target = {} }: TargetSetup = {}): GoogleTarget {
  const client = new GoogleDirectoryClient({
    auth,
    endpoint: emulator.google.endpoint,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50)));
    },
    random: () => 0,
    ...directory,
  });
  return new GoogleTarget(client, target);
}

export const key = (value: string): UserKey => {
  const parsed = value.startsWith('employeeId:') ? parseEmployeeId(value.slice('employeeId:'.length)) : parseUserKey(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
};

/** Directory requests logged since `since` (a request log seq), as `METHOD kind status`. */
export async function directoryRequests(emulator: RunningEmulator, since = 0): Promise<Array<{ method: string; kind: 'list' | 'get' | 'photo'; status: number; path: string }>> {
  return (await emulator.admin.requests())
    .filter((entry) => entry.api === 'google' && entry.path.includes('/admin/directory/v1/users') && entry.seq > since)
    .map((entry) => {
      const bare = entry.path.split('?')[0] ?? '';
      const kind = bare.endsWith('/photos/thumbnail') ? 'photo' : bare.endsWith('/users') ? 'list' : 'get';
      return { method: entry.method, kind, status: entry.status, path: entry.path };
    });
}

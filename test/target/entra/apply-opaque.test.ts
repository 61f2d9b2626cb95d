// Apply, in process (src, not dist), against a tenant that issues opaque access tokens and answers
// "no photo" with the documented 1x1 placeholder: nothing may decode a token (the lockout guard
// finds the app's service principal through Graph), and no user is taken to have a photo because
// GET /users/{id}/photo answered 200.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRevision } from '../../../src/apply/apply.js';
import { PHOTO_ROLE_TEMPLATE_IDS } from '../../../src/emulator/index.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { copySample, git, tempDir } from '../../helpers/repo.js';
import { clientFor, startTrustedEmulator } from './helpers.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let repo: string;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-opaque-');
  // The sample manifest's policy lists User Administrator: the app holds it, so the guard lets the change through.
  emulator = await startTrustedEmulator({ throttle: false, accessTokenFormat: 'opaque', noPhotoMetadata: 'placeholder', directoryRoles: [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator] });
  repo = path.join(scratch.dir, 'repo');
  await copySample(repo);
  git(scratch.dir, 'init', '-q', '-b', 'main', repo);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'sample');
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('apply with opaque access tokens and the documented no-photo placeholder', () => {
  it('uploads every photo, applies the policy, and reads the service principal from Graph', async () => {
    const tenant = clientFor(emulator);
    expect(await tenant.connection.accessToken()).not.toContain('.');
    const head = git(repo, 'rev-parse', 'HEAD');
    const result = await applyRevision({ repo, head, environment: 'production', prune: false, dryRun: false, allowPolicyLockout: false }, tenant);

    const state = await emulator.admin.state();
    const withPhoto = state.users.filter((user) => user.photo).map((user) => user.userPrincipalName);
    const declared = (await Promise.all(['staff.yaml', 'students.yaml'].map((file) => readFile(path.join(repo, 'manifests', file), 'utf8'))))
      .join('\n')
      .split('\n')
      .filter((line) => /^\s+photo:/.test(line)).length;
    expect(withPhoto).toHaveLength(declared);
    expect(result.outcomes.filter((outcome) => outcome.status === 'failed')).toEqual([]);
    expect(state.policy).toEqual({ source: 'cloud', allowedRoles: [PHOTO_ROLE_TEMPLATE_IDS.globalAdministrator, PHOTO_ROLE_TEMPLATE_IDS.userAdministrator].sort() });

    const requests = await emulator.admin.requests();
    expect(requests.filter((entry) => entry.api === 'graph' && entry.status === 401)).toEqual([]);
    const lookups = requests.filter((entry) => decodeURIComponent(entry.path).includes(`/servicePrincipals(appId='${emulator.clientId}')`));
    expect(lookups.map((entry) => entry.status)).toEqual([200]);
    // If apply asks who has a photo, the placeholder answers say "nobody": no download follows.
    const metadata = requests.filter((entry) => entry.method === 'GET' && entry.path.endsWith('/photo'));
    for (const entry of metadata) expect(entry.status).toBe(200);
    expect(requests.filter((entry) => entry.method === 'GET' && entry.path.endsWith('/photo/$value'))).toEqual([]);
  });
});

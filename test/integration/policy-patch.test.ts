/**
 * The policy PATCH sends only what the manifest declares: a manifest that sets `source` alone does
 * not write back the allowedRoles it read a moment earlier (someone may change them in between),
 * and never a null. applyRevision in process against the emulator; the real TenantClient, with
 * its setPhotoPolicy argument recorded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRevision } from '../../src/apply/apply.js';
import { PHOTO_ROLE_TEMPLATE_IDS, type RunningEmulator } from '../../src/emulator/index.js';
import type { PhotoPolicyChange } from '../../src/target/entra/index.js';
import { git, tempDir } from '../helpers/repo.js';
import { commitRoster, seedUsers, startTrustedEmulator, tenantFor } from '../reliability/helpers.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-policy-patch-');
  emulator = await startTrustedEmulator({ users: seedUsers(3), throttle: false });
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('the policy PATCH', () => {
  it('carries only the fields the manifest declares', async () => {
    const dir = path.join(scratch.dir, 'repo');
    await commitRoster(dir, 3, () => 0, 'roster');
    await mkdir(path.join(dir, 'manifests'), { recursive: true });
    await writeFile(path.join(dir, 'manifests', 'policy.yaml'), 'version: 1\npolicy:\n  source: cloud\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'policy: source only');
    const roles = [PHOTO_ROLE_TEMPLATE_IDS.userAdministrator];
    await emulator.admin.setConfig({ policy: { source: 'onPremises', allowedRoles: roles }, directoryRoles: roles });

    const tenant = tenantFor(emulator);
    const sent: PhotoPolicyChange[] = [];
    const setPhotoPolicy = tenant.setPhotoPolicy.bind(tenant);
    tenant.setPhotoPolicy = (change) => {
      sent.push(change);
      return setPhotoPolicy(change);
    };
    const result = await applyRevision({ repo: dir, head: 'HEAD', environment: 'production', prune: false, dryRun: false, allowPolicyLockout: false }, tenant);

    expect(result.policy.status).toBe('applied');
    expect(sent).toEqual([{ source: 'cloud' }]);
    expect((await emulator.admin.state()).policy).toMatchObject({ source: 'cloud', allowedRoles: roles });
    expect(result.outcomes.every((o) => o.status === 'uploaded')).toBe(true);
  });
});

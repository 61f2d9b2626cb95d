import { describe, expect, it } from 'vitest';
import { PHOTO_UPDATE_ROLES, resolveRole, roleName } from '../../../src/manifest/roles.js';
import { parseManifest } from '../../../src/manifest/parse.js';

describe('roles that may be listed in allowedRoles', () => {
  it('include People Administrator, by name and by template id (Microsoft photoUpdateSettings examples)', () => {
    expect(resolveRole('People Administrator')?.templateId).toBe('024906de-61e5-49c8-8572-40335f1e0e10');
    expect(resolveRole('024906DE-61E5-49C8-8572-40335F1E0E10')?.name).toBe('People Administrator');
    expect(roleName('024906de-61e5-49c8-8572-40335f1e0e10')).toBe('People Administrator');
  });

  it('are one table with unique names and ids', () => {
    expect(new Set(PHOTO_UPDATE_ROLES.map((r) => r.name)).size).toBe(PHOTO_UPDATE_ROLES.length);
    expect(new Set(PHOTO_UPDATE_ROLES.map((r) => r.templateId)).size).toBe(PHOTO_UPDATE_ROLES.length);
  });
});

describe('a manifest policy naming People Administrator', () => {
  it('validates without findings', () => {
    const parsed = parseManifest('manifests/policy.yaml', 'version: 1\npolicy:\n  source: cloud\n  allowedRoles: [People Administrator]\n');
    expect(parsed.findings).toEqual([]);
    expect(parsed.manifest?.policy?.allowedRoles?.map((r) => r.templateId)).toEqual(['024906de-61e5-49c8-8572-40335f1e0e10']);
  });
});

/**
 * Directory roles that hold `microsoft.directory/users/photo/update` and may therefore be listed
 * in photoUpdateSettings.allowedRoles (DESIGN.md, "Tenant facts"). Manifests may name a role by
 * its display name (case-insensitive) or by its role template id.
 */
export interface DirectoryRole {
  name: string;
  templateId: string;
}

export const PHOTO_UPDATE_ROLES: readonly DirectoryRole[] = [
  { name: 'Global Administrator', templateId: '62e90394-69f5-4237-9190-012177145e10' },
  { name: 'User Administrator', templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1' },
  { name: 'Directory Writers', templateId: '9360feb5-f418-4baa-8175-e2a00bac4301' },
  { name: 'Intune Administrator', templateId: '3a2c62db-5318-420d-8d74-23affee5d9d5' },
  { name: 'Partner Tier1 Support', templateId: '4ba39ca4-527c-499a-b93d-d9b492c50246' },
  { name: 'Partner Tier2 Support', templateId: 'e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8' },
];

const byName = new Map(PHOTO_UPDATE_ROLES.map((r) => [r.name.toLowerCase(), r]));
const byId = new Map(PHOTO_UPDATE_ROLES.map((r) => [r.templateId, r]));

/** Resolves a role name or template id as written in a manifest; undefined when not allowed. */
export function resolveRole(nameOrId: string): DirectoryRole | undefined {
  const key = nameOrId.trim().toLowerCase().replace(/\s+/g, ' ');
  return byName.get(key) ?? byId.get(key);
}

export function roleName(templateId: string): string {
  return byId.get(templateId.toLowerCase())?.name ?? templateId;
}

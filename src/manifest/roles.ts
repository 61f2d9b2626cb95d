/**
 * Directory roles that may be listed in photoUpdateSettings.allowedRoles: built-in roles that can
 * update other users' photos (DESIGN.md, "Tenant facts"; custom roles are not accepted). Manifests
 * may name a role by its display name (case-insensitive) or by its role template id. The one table
 * of them: validation, the plan, the policy guard and the reports all read it.
 *
 * Sources (template ids from "Microsoft Entra built-in roles", learn.microsoft.com/entra/identity/
 * role-based-access-control/permissions-reference):
 * - People Administrator: the photoUpdateSettings pages (graph/api/photoupdatesettings-update,
 *   graph/profilephoto-configure-settings) name it the least privileged role for the settings,
 *   and Microsoft's current allowedRoles examples list it.
 * - Global Administrator, User Administrator, Directory Writers, Intune Administrator, Partner
 *   Tier1/Tier2 Support: the roles whose permissions include
 *   microsoft.directory/users/photo/update in the built-in roles reference.
 */
export interface DirectoryRole {
  name: string;
  templateId: string;
}

export const PHOTO_UPDATE_ROLES: readonly DirectoryRole[] = [
  { name: 'Global Administrator', templateId: '62e90394-69f5-4237-9190-012177145e10' },
  { name: 'User Administrator', templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1' },
  { name: 'People Administrator', templateId: '024906de-61e5-49c8-8572-40335f1e0e10' },
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

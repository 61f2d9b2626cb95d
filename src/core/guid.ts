/**
 * A GUID in its usual text form (8-4-4-4-12 hex digits, either case): Entra object ids, tenant and
 * client ids, directory role template ids. One pattern, so every place that tells a GUID from a
 * name (a user key, a group, a role) draws the line in the same place.
 */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

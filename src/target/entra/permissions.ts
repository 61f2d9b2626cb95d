/**
 * The Microsoft Graph permissions (application permissions; the same names as delegated scopes)
 * each kind of call needs, named once: the errors that say which permission to grant, doctor's
 * checks and the request log all quote these.
 */
export const PERMISSIONS = Object.freeze({
  /** Write, read and delete user photos (least privilege; else User.ReadWrite.All). */
  photos: 'ProfilePhoto.ReadWrite.All',
  /** Look users up by UPN, mail, id or employeeId; list them. */
  users: 'User.Read.All',
  /** List a group's (transitive) members. */
  groupMembers: 'GroupMember.Read.All',
  /** Change the tenant's photoUpdateSettings (asked for only when a manifest manages the policy). */
  policy: 'PeopleSettings.ReadWrite.All',
  /** Read photoUpdateSettings (PeopleSettings.ReadWrite.All includes it). */
  policyRead: 'PeopleSettings.Read.All',
  /** Read which directory roles the app's service principal holds (the lockout guard). */
  roles: 'RoleManagement.Read.Directory',
  /** Only to look up ANOTHER app's service principal: an app reads its own without any permission. */
  servicePrincipals: 'Application.Read.All',
});

/**
 * Opens the Google Workspace target from the action inputs or CLI flags (google-*), checked once:
 * keyless sign-in (GitHub OIDC token → STS → the service account, or domain-wide delegation with
 * an admin subject), the Directory client, the port adapter.
 */
import { UserError } from '../../core/errors.js';
import { printable } from '../../core/untrusted.js';
import { GoogleKeylessAuth } from './auth.js';
import { GoogleDirectoryClient } from './directory.js';
import { GoogleTarget } from './googleTarget.js';

export interface GoogleConnectionSettings {
  workloadIdentityProvider: string;
  serviceAccount: string;
  adminSubject?: string;
  customer?: string;
  endpoint?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is missing or malformed in the Google settings, each naming the input (`names`: how the edge spells them). */
export function googleSettingsProblems(settings: GoogleConnectionSettings, names: { provider: string; serviceAccount: string; adminSubject: string; endpoint: string }): string[] {
  const problems: string[] = [];
  if (!settings.workloadIdentityProvider) problems.push(`${names.provider} is empty: set it to projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (docs/setup-google.md).`);
  if (!settings.serviceAccount) problems.push(`${names.serviceAccount} is empty: set it to the service account's email (NAME@PROJECT.iam.gserviceaccount.com).`);
  else if (!EMAIL.test(settings.serviceAccount)) problems.push(`${names.serviceAccount} "${printable(settings.serviceAccount)}" is not an email: write the service account's email (NAME@PROJECT.iam.gserviceaccount.com).`);
  if (settings.adminSubject !== undefined && !EMAIL.test(settings.adminSubject)) problems.push(`${names.adminSubject} "${printable(settings.adminSubject)}" is not an email: write the Workspace admin's email, or leave it empty.`);
  if (settings.endpoint !== undefined && !/^https:\/\/[^\s]+$/.test(settings.endpoint)) problems.push(`${names.endpoint} "${printable(settings.endpoint)}" is not an https URL.`);
  return problems;
}

/** The Google target, signed in with GitHub OIDC tokens from `getIdToken(audience)`. */
export function openGoogle(settings: GoogleConnectionSettings, getIdToken: (audience: string) => Promise<string>): GoogleTarget {
  let auth: GoogleKeylessAuth;
  try {
    auth = new GoogleKeylessAuth({
      workloadIdentityProvider: settings.workloadIdentityProvider,
      serviceAccount: settings.serviceAccount,
      ...(settings.adminSubject ? { adminSubject: settings.adminSubject } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      getIdToken,
    });
  } catch (error) {
    throw new UserError('config', printable((error as Error).message));
  }
  const directory = new GoogleDirectoryClient({ auth, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), ...(settings.customer ? { customer: settings.customer } : {}) });
  return new GoogleTarget(directory);
}

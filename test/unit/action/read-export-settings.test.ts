/**
 * readSettings for mode: export: the export-* inputs (the CLI's export options) are parsed and
 * checked before anything signs in, and only in that mode (a stray export input never fails a
 * pull-request check).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/action/settings.js';
import { UserError } from '../../../src/core/errors.js';

function inputs(values: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}
afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];
});
const context: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: '/w', GITHUB_EVENT_NAME: 'workflow_dispatch' };

function configError(values: Record<string, string>): string {
  inputs({ mode: 'export', ...values });
  try {
    readSettings(context);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).kind).toBe('config');
    return (err as UserError).message;
  }
  throw new Error('expected a config error');
}

describe('readSettings, mode export', () => {
  it('defaults: every domain, no group, keyed by UPN, the manifest picked at run time, photos/exported', () => {
    inputs({ mode: 'export' });
    expect(readSettings(context).export).toEqual({ target: 'entra', domains: [], group: '', key: 'upn', manifest: '', photoDir: 'exported' });
  });

  it('domains separated by commas, spaces or lines, an @ and case ignored; key objectId in any case; paths trimmed', () => {
    inputs({ mode: 'export', 'export-domain': '@Contoso.edu, students.contoso.edu\nstaff.contoso.edu', 'export-group': ' Grade 9 ', 'export-key': 'OBJECTID', 'export-manifest': './manifests/staff.yaml', 'export-photo-dir': '/staff/2026/' });
    expect(readSettings(context).export).toEqual({ target: 'entra', domains: ['contoso.edu', 'students.contoso.edu', 'staff.contoso.edu'], group: 'Grade 9', key: 'objectId', manifest: 'manifests/staff.yaml', photoDir: 'staff/2026' });
  });

  it('refuses what export cannot use, naming the input', () => {
    expect(configError({ 'export-domain': 'contoso.edu; evil' })).toContain('Input "export-domain" has "contoso.edu;"');
    expect(configError({ 'export-key': 'mail' })).toBe('Input "export-key" is "mail"; write upn or objectId.');
    expect(configError({ 'export-manifest': 'photos/x.yaml' })).toContain('Input "export-manifest" is "photos/x.yaml"');
    expect(configError({ 'export-manifest': 'manifests/../x.yaml' })).toContain('Input "export-manifest"');
    expect(configError({ 'export-photo-dir': 'a/../../b' })).toContain('Input "export-photo-dir"');
  });

  it('export-groups: true exports group photos; refused beside export-group, or when not true/false', () => {
    inputs({ mode: 'export', 'export-groups': 'TRUE' });
    expect(readSettings(context).export).toEqual({ target: 'entra', domains: [], group: '', key: 'upn', manifest: '', photoDir: 'exported', groups: true });
    inputs({ mode: 'export', 'export-groups': 'false' });
    expect(readSettings(context).export.groups).toBeUndefined();
    expect(configError({ 'export-groups': 'yes' })).toBe('Input "export-groups" is "yes"; write true or false.');
    expect(configError({ 'export-groups': 'true', 'export-group': 'Staff' })).toContain('Inputs "export-groups" and "export-group" do not go together');
  });

  it('export-target: google in any case; refused with what Google cannot give (group photos, group members, object ids), naming the input', () => {
    inputs({ mode: 'export', 'export-target': 'Google', 'export-domain': 'contoso.edu', 'export-key': 'upn' });
    expect(readSettings(context).export).toEqual({ target: 'google', domains: ['contoso.edu'], group: '', key: 'upn', manifest: '', photoDir: 'exported' });
    expect(configError({ 'export-target': 'workspace' })).toBe('Input "export-target" is "workspace"; write entra or google.');
    expect(configError({ 'export-target': 'google', 'export-groups': 'true' })).toMatch(/^Input "export-groups" is "true", but input "export-target" is "google": Google Workspace has no group photos/);
    expect(configError({ 'export-target': 'google', 'export-group': 'Staff' })).toMatch(/^Input "export-group" is set, but input "export-target" is "google"/);
    expect(configError({ 'export-target': 'google', 'export-key': 'objectId' })).toMatch(/^Input "export-key" is "objectId", but input "export-target" is "google": objectId names Entra object ids/);
  });

  it('other modes ignore the export inputs', () => {
    inputs({ mode: 'validate', 'export-key': 'mail', 'export-domain': '!!' });
    expect(readSettings(context).export.key).toBe('upn');
  });
});

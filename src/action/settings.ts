import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { printable } from '../core/untrusted.js';
import type { UnknownUsers } from '../apply/apply.js';
import type { TargetName } from '../manifest/types.js';

export type Mode = 'validate' | 'plan' | 'apply' | 'drift' | 'doctor' | 'export';
const MODES: readonly Mode[] = ['validate', 'plan', 'apply', 'drift', 'doctor', 'export'];

/** Everything the action reads from its environment, parsed and checked once. */
export interface ActionSettings {
  mode: Mode;
  /** Absolute path of the repository to work on. */
  repoPath: string;
  checkAll: boolean;
  prune: boolean;
  allowPublicRepo: boolean;
  /** For the sticky pull-request comment; empty disables it. */
  githubToken: string;
  tenant: { tenantId: string; clientId: string; cloud: string; authorityHost?: string; graphUrl?: string };
  audience: string;
  /** Google Workspace's inputs (used when the manifests declare google among their targets). */
  google: GoogleSettings;
  /** Empty: the `environment` claim of the job's OIDC token, else "default". */
  environment: string;
  dryRun: boolean;
  /** mode drift: upload the repository's version of what drifted. */
  fix: boolean;
  allowPolicyLockout: boolean;
  /** mode apply: a key with no usable account waits (`pending`) or fails the run (`fail`). */
  unknownUsers: UnknownUsers;
  /** Stop starting new work after this many minutes (hosted jobs end at 6 h). */
  timeBudgetMinutes: number;
  /** mode export: which users, and where their photos go (the CLI's export options). */
  export: ExportSettings;
  eventName: string;
  event: GitHubEvent;
}

export interface GoogleSettings {
  workloadIdentityProvider: string;
  serviceAccount: string;
  adminSubject?: string;
  customer?: string;
  endpoint?: string;
}

export interface ExportSettings {
  /** Where the photos are adopted from (input export-target): Entra (the default) or Google Workspace (the google-* inputs). */
  target: TargetName;
  /** Only users whose userPrincipalName ends in @one of these; empty: every domain. */
  domains: string[];
  /** Only (transitive) members of this group (object id or display name); empty: no group filter. */
  group: string;
  key: 'upn' | 'objectId';
  /** Repository-relative manifest to write; empty: the first of manifests/exported.yaml, exported-2.yaml, ... that does not exist. */
  manifest: string;
  /** Folder under photos/ for the photos. */
  photoDir: string;
  /** Export Microsoft 365 groups' (so teams') photos under groups: instead of users' (input export-groups). */
  groups?: true;
}

/** The parts of the webhook payload this action reads. */
export interface GitHubEvent {
  repository?: { full_name?: string; private?: boolean; visibility?: string; default_branch?: string };
  pull_request?: { number?: number; base?: { sha?: string; repo?: { full_name?: string } }; head?: { sha?: string; repo?: { full_name?: string } } };
  before?: string;
  after?: string;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): ActionSettings {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const mode = readMode(core.getInput('mode'), eventName);
  return {
    mode,
    repoPath: path.resolve(workspace, core.getInput('path') || '.'),
    checkAll: readBoolean('all', false),
    prune: readBoolean('prune', false),
    allowPublicRepo: readBoolean('allow-public-repo', false),
    githubToken: core.getInput('github-token'),
    tenant: {
      tenantId: core.getInput('tenant-id').trim(),
      clientId: core.getInput('client-id').trim(),
      cloud: core.getInput('cloud') || 'global',
      ...(core.getInput('authority-host') ? { authorityHost: core.getInput('authority-host').trim() } : {}),
      ...(core.getInput('graph-url') ? { graphUrl: core.getInput('graph-url').trim() } : {}),
    },
    audience: core.getInput('audience') || 'api://AzureADTokenExchange',
    google: {
      workloadIdentityProvider: core.getInput('google-workload-identity-provider').trim(),
      serviceAccount: core.getInput('google-service-account').trim(),
      ...(core.getInput('google-admin-subject').trim() ? { adminSubject: core.getInput('google-admin-subject').trim() } : {}),
      ...(core.getInput('google-customer').trim() ? { customer: core.getInput('google-customer').trim() } : {}),
      ...(core.getInput('google-endpoint').trim() ? { endpoint: core.getInput('google-endpoint').trim() } : {}),
    },
    environment: core.getInput('environment').trim(),
    dryRun: readBoolean('dry-run', false),
    fix: readBoolean('fix', false),
    allowPolicyLockout: readBoolean('allow-policy-lockout', false),
    unknownUsers: readChoice<UnknownUsers>('unknown-users', ['pending', 'fail'], 'pending'),
    timeBudgetMinutes: readNumber('time-budget-minutes', 330),
    // Checked only where they matter: a stray export input does not fail a pull-request check.
    export: mode === 'export' ? readExportSettings() : { target: 'entra', domains: [], group: '', key: 'upn', manifest: '', photoDir: 'exported' },
    eventName,
    event,
  };
}

/** The mode follows the event unless set: pull requests validate, pushes apply, schedules check drift. */
export function defaultMode(eventName: string): Mode {
  if (eventName === 'push') return 'apply';
  if (eventName === 'schedule') return 'drift';
  return 'validate';
}

function readMode(input: string, eventName: string): Mode {
  if (!input) return defaultMode(eventName);
  const mode = input.trim().toLowerCase() as Mode;
  if (!MODES.includes(mode)) {
    throw new UserError('config', `Input "mode" is "${input}"; it must be one of ${MODES.join(', ')} (or empty to follow the event).`);
  }
  return mode;
}

function readBoolean(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UserError('config', `Input "${name}" is "${raw}"; write true or false.`);
}

function readChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UserError('config', `Input "${name}" is "${raw}"; write ${choices.join(' or ')}.`);
  return raw as T;
}

function readNumber(name: string, fallback: number): number {
  const raw = core.getInput(name).trim();
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UserError('config', `Input "${name}" is "${raw}"; write a positive number.`);
  return n;
}

/**
 * The export inputs, checked here so a typo fails before the sign-in. `export-domain` takes
 * several domains, separated by commas, spaces or lines (the CLI's repeatable --domain).
 */
function readExportSettings(): ExportSettings {
  const target = readChoice<TargetName>('export-target', ['entra', 'google'], 'entra');
  const domains = core
    .getInput('export-domain')
    .split(/[\s,]+/)
    .map((d) => d.trim().replace(/^@/, '').toLowerCase())
    .filter(Boolean);
  const badDomain = domains.find((d) => !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(d));
  if (badDomain !== undefined) throw new UserError('config', `Input "export-domain" has "${printable(badDomain)}", which is not a domain: write domains like contoso.edu, separated by commas.`);
  const keyInput = core.getInput('export-key').trim().toLowerCase();
  if (keyInput !== '' && keyInput !== 'upn' && keyInput !== 'objectid') throw new UserError('config', `Input "export-key" is "${printable(keyInput)}"; write upn or objectId.`);
  const manifest = core.getInput('export-manifest').trim().replace(/^\.\//, '');
  if (manifest && (!/^manifests\/[^/]+\.ya?ml$/i.test(manifest) || manifest.includes('..'))) {
    throw new UserError('config', `Input "export-manifest" is "${printable(manifest)}"; write a new .yaml file directly under manifests/ (validate reads manifests/*.yaml), e.g. manifests/exported-staff.yaml.`);
  }
  const photoDir = core.getInput('export-photo-dir').trim().replace(/^\/+|\/+$/g, '') || 'exported';
  if (photoDir.split('/').some((segment) => segment === '' || segment === '.' || segment === '..') || photoDir.includes('\\')) {
    throw new UserError('config', `Input "export-photo-dir" is "${printable(photoDir)}"; write a folder under photos/, e.g. exported or staff/2026.`);
  }
  const groupsInput = core.getInput('export-groups').trim().toLowerCase();
  if (groupsInput !== '' && groupsInput !== 'true' && groupsInput !== 'false') throw new UserError('config', `Input "export-groups" is "${printable(groupsInput)}"; write true or false.`);
  const group = core.getInput('export-group').trim();
  if (groupsInput === 'true' && group) throw new UserError('config', 'Inputs "export-groups" and "export-group" do not go together: export-groups exports the groups\' own photos, export-group picks the users of one group. Set one of them.');
  if (target === 'google') refuseForGoogle({ groups: groupsInput === 'true', group, objectIds: keyInput === 'objectid' });
  return { target, domains, group, key: keyInput === 'objectid' ? 'objectId' : 'upn', manifest, photoDir, ...(groupsInput === 'true' ? { groups: true as const } : {}) };
}

/** What Google Workspace cannot give an export (the CLI's export --target google refuses the same). */
function refuseForGoogle(wanted: { groups: boolean; group: string; objectIds: boolean }): void {
  if (wanted.groups) {
    throw new UserError('config', 'Input "export-groups" is "true", but input "export-target" is "google": Google Workspace has no group photos (the Directory API sets user photos only). Export group photos with export-target entra, or set export-groups to false.');
  }
  if (wanted.group) {
    throw new UserError('config', 'Input "export-group" is set, but input "export-target" is "google": listing a group\'s members is not supported for Google Workspace yet. Pick the users with export-domain, or leave export-group empty.');
  }
  if (wanted.objectIds) {
    throw new UserError('config', 'Input "export-key" is "objectId", but input "export-target" is "google": objectId names Entra object ids; an export from Google names users by their primary email (export-key upn, the default).');
  }
}

function readEvent(eventPath: string | undefined): GitHubEvent {
  if (!eventPath) return {};
  try {
    return JSON.parse(readFileSync(eventPath, 'utf8')) as GitHubEvent;
  } catch (err) {
    throw new UserError('config', `Could not read the event payload at ${eventPath}: ${(err as Error).message}`);
  }
}

/** True when the event says the repository is public: student photos must not live there. */
export function isPublicRepository(event: GitHubEvent): boolean {
  const repo = event.repository;
  if (!repo) return false;
  return repo.visibility === 'public' || repo.private === false;
}

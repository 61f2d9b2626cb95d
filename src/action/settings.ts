import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { UnknownUsers } from '../apply/apply.js';

export type Mode = 'validate' | 'plan' | 'apply' | 'drift' | 'doctor';
const MODES: readonly Mode[] = ['validate', 'plan', 'apply', 'drift', 'doctor'];

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
  eventName: string;
  event: GitHubEvent;
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
  return {
    mode: readMode(core.getInput('mode'), eventName),
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
    environment: core.getInput('environment').trim(),
    dryRun: readBoolean('dry-run', false),
    fix: readBoolean('fix', false),
    allowPolicyLockout: readBoolean('allow-policy-lockout', false),
    unknownUsers: readChoice<UnknownUsers>('unknown-users', ['pending', 'fail'], 'pending'),
    timeBudgetMinutes: readNumber('time-budget-minutes', 330),
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

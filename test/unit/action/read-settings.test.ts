/**
 * readSettings: the action's inputs (INPUT_* variables, as the runner sets them) and the
 * GITHUB_* context, parsed and checked once, with errors that name the input and what to write.
 * Assertions name the fields they are about, so settings added later do not disturb them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultMode, isPublicRepository, readSettings } from '../../../src/action/settings.js';
import { UserError } from '../../../src/core/errors.js';
import { tempDir } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const WORKSPACE = '/home/runner/work/photos/photos';

beforeAll(async () => {
  scratch = await tempDir('entra-photos-settings-');
});
afterAll(() => scratch.cleanup());

/** Sets action inputs the way the runner does: INPUT_<NAME upper-cased>, hyphens kept. */
function inputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}
afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];
});

const context = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ GITHUB_WORKSPACE: WORKSPACE, GITHUB_EVENT_NAME: 'push', ...extra });

function configError(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).kind).toBe('config');
    return err as UserError;
  }
  throw new Error('expected a config error');
}

describe('readSettings', () => {
  it('with no inputs: safe defaults, and the mode follows the event', () => {
    const settings = readSettings(context());
    expect(settings).toMatchObject({
      mode: 'apply',
      repoPath: WORKSPACE,
      checkAll: false,
      prune: false,
      allowPublicRepo: false,
      githubToken: '',
      tenant: { tenantId: '', clientId: '', cloud: 'global' },
      audience: 'api://AzureADTokenExchange',
      environment: '',
      dryRun: false,
      fix: false,
      allowPolicyLockout: false,
      unknownUsers: 'pending',
      timeBudgetMinutes: 330,
      eventName: 'push',
      event: {},
    });
    expect(settings.tenant).not.toHaveProperty('authorityHost');
    expect(settings.tenant).not.toHaveProperty('graphUrl');
  });

  it('mode: from the event when empty; an explicit mode in any case wins; an unknown one is refused with the choices', () => {
    expect(readSettings(context({ GITHUB_EVENT_NAME: 'pull_request' })).mode).toBe('validate');
    expect(readSettings(context({ GITHUB_EVENT_NAME: 'schedule' })).mode).toBe('drift');
    expect(readSettings(context({ GITHUB_EVENT_NAME: 'workflow_dispatch' })).mode).toBe('validate');
    expect(readSettings(context({ GITHUB_EVENT_NAME: undefined })).mode).toBe('validate');
    inputs({ mode: '  Doctor ' });
    expect(readSettings(context({ GITHUB_EVENT_NAME: 'pull_request' })).mode).toBe('doctor');
    inputs({ mode: 'plan' });
    expect(readSettings(context()).mode).toBe('plan');
    inputs({ mode: 'deploy' });
    const error = configError(() => readSettings(context()));
    expect(error.message).toMatch(/^Input "mode" is "deploy"; it must be one of validate, plan, apply, drift, doctor/);
    expect(error.message).toMatch(/or empty to follow the event/);
  });

  it('path: relative to the workspace, or absolute; without a workspace, the working directory', () => {
    inputs({ path: 'photos-repo/sub' });
    expect(readSettings(context()).repoPath).toBe(path.join(WORKSPACE, 'photos-repo', 'sub'));
    inputs({ path: '/srv/checkout' });
    expect(readSettings(context()).repoPath).toBe('/srv/checkout');
    inputs({ path: '' });
    expect(readSettings({ GITHUB_EVENT_NAME: 'push' }).repoPath).toBe(process.cwd());
  });

  it('booleans: true or false in any case and padding; anything else names the input', () => {
    inputs({ all: 'TRUE', prune: ' true ', 'allow-public-repo': 'True', 'dry-run': 'false', fix: 'true', 'allow-policy-lockout': 'FALSE' });
    expect(readSettings(context())).toMatchObject({ checkAll: true, prune: true, allowPublicRepo: true, dryRun: false, fix: true, allowPolicyLockout: false });
    for (const [name, value] of [['prune', 'yes'], ['dry-run', '1'], ['all', 'on'], ['fix', 'truee']] as const) {
      inputs({ [name]: value });
      expect(configError(() => readSettings(context())).message, name).toBe(`Input "${name}" is "${value}"; write true or false.`);
      inputs({ [name]: '' });
    }
  });

  it('unknown-users: pending or fail, in any case', () => {
    inputs({ 'unknown-users': 'FAIL' });
    expect(readSettings(context()).unknownUsers).toBe('fail');
    inputs({ 'unknown-users': 'Pending' });
    expect(readSettings(context()).unknownUsers).toBe('pending');
    inputs({ 'unknown-users': 'skip' });
    expect(configError(() => readSettings(context())).message).toBe('Input "unknown-users" is "skip"; write pending or fail.');
  });

  it('time-budget-minutes: any positive number; zero, negatives, words and infinity are refused', () => {
    inputs({ 'time-budget-minutes': '90.5' });
    expect(readSettings(context()).timeBudgetMinutes).toBe(90.5);
    inputs({ 'time-budget-minutes': ' 30 ' });
    expect(readSettings(context()).timeBudgetMinutes).toBe(30);
    for (const value of ['0', '-5', 'abc', 'Infinity', '5m']) {
      inputs({ 'time-budget-minutes': value });
      expect(configError(() => readSettings(context())).message, value).toBe(`Input "time-budget-minutes" is "${value}"; write a positive number.`);
    }
  });

  it('tenant inputs are trimmed; authority host and Graph URL appear only when given; the cloud and audience can be set', () => {
    inputs({ 'tenant-id': ' 11111111-2222-3333-4444-555555555555 ', 'client-id': '\t66666666-7777-8888-9999-000000000000 ', cloud: 'usgov', 'authority-host': ' https://login.example.test ', 'graph-url': ' https://graph.example.test ', audience: 'api://custom', environment: ' production ', 'github-token': 'ghs_secret' });
    const settings = readSettings(context());
    expect(settings.tenant).toEqual({ tenantId: '11111111-2222-3333-4444-555555555555', clientId: '66666666-7777-8888-9999-000000000000', cloud: 'usgov', authorityHost: 'https://login.example.test', graphUrl: 'https://graph.example.test' });
    expect(settings).toMatchObject({ audience: 'api://custom', environment: 'production', githubToken: 'ghs_secret' });
  });

  it('the event payload is read from GITHUB_EVENT_PATH; an unreadable or malformed one is a config error naming the path', async () => {
    const eventPath = path.join(scratch.dir, 'event.json');
    await writeFile(eventPath, JSON.stringify({ repository: { full_name: 'district/photos', private: true }, before: 'a'.repeat(40), after: 'b'.repeat(40) }));
    expect(readSettings(context({ GITHUB_EVENT_PATH: eventPath })).event).toEqual({ repository: { full_name: 'district/photos', private: true }, before: 'a'.repeat(40), after: 'b'.repeat(40) });
    const missing = path.join(scratch.dir, 'no-such-event.json');
    expect(configError(() => readSettings(context({ GITHUB_EVENT_PATH: missing }))).message).toContain(`Could not read the event payload at ${missing}`);
    const broken = path.join(scratch.dir, 'broken.json');
    await writeFile(broken, '{"repository": ');
    expect(configError(() => readSettings(context({ GITHUB_EVENT_PATH: broken }))).message).toContain(`Could not read the event payload at ${broken}`);
  });
});

describe('the helpers readSettings uses', () => {
  it('defaultMode: pushes apply, schedules check drift, everything else validates', () => {
    expect(defaultMode('push')).toBe('apply');
    expect(defaultMode('schedule')).toBe('drift');
    for (const event of ['pull_request', 'pull_request_target', 'workflow_dispatch', 'merge_group', '']) expect(defaultMode(event), event).toBe('validate');
  });

  it('isPublicRepository: public by visibility or by private: false; unknown is not public', () => {
    expect(isPublicRepository({ repository: { visibility: 'public' } })).toBe(true);
    expect(isPublicRepository({ repository: { private: false } })).toBe(true);
    expect(isPublicRepository({ repository: { private: true, visibility: 'private' } })).toBe(false);
    expect(isPublicRepository({ repository: { visibility: 'internal' } })).toBe(false);
    expect(isPublicRepository({ repository: {} })).toBe(false);
    expect(isPublicRepository({})).toBe(false);
  });
});

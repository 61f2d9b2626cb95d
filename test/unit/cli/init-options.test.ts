// `entra-photos init`: option handling and what the templates contain (the files themselves are
// validated and linted through the built CLI in test/integration/init.test.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { isUserError } from '../../../src/core/errors.js';
import { ACTION_REF, DEFAULT_INIT_OPTIONS, PLACEHOLDER_ID, SCHEMA_PATH, initFiles, parseInitArgs } from '../../../src/cli/initCommand.js';
import { REPO_ROOT } from '../../helpers/repo.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01';
const DRIFT_CLIENT = '11111111-2222-3333-4444-555555555555';

function usageError(args: string[]): string {
  try {
    parseInitArgs(args);
  } catch (e) {
    if (isUserError(e) && e.kind === 'usage') return e.message;
    throw e;
  }
  throw new Error(`parseInitArgs(${JSON.stringify(args)}) did not refuse`);
}

type Workflow = { on: Record<string, unknown>; jobs: Record<string, { name?: string; environment?: string; if?: string; steps: { uses?: string; with?: Record<string, unknown> }[] }> };
const workflow = (text: string | undefined) => parseDocument(text ?? '').toJS() as Workflow;

describe('init options', () => {
  it('defaults: current directory, placeholders, production and production-drift, global, no LFS', () => {
    const { dir, force, options } = parseInitArgs([]);
    expect(dir).toBe(path.resolve('.'));
    expect(force).toBe(false);
    expect(options).toEqual(DEFAULT_INIT_OPTIONS);
  });

  it('reads every option; the drift app defaults to the apply app; GUIDs are lower-cased', () => {
    const { dir, force, options } = parseInitArgs(['photos-repo', '--tenant-id', TENANT.toUpperCase(), '--client-id', CLIENT, '--environment', 'tenant-prod', '--cloud', 'GCC High', '--owners', '@contoso/it-admins @ada', '--lfs', '--force']);
    expect(dir).toBe(path.resolve('photos-repo'));
    expect(force).toBe(true);
    expect(options).toEqual({ tenantId: TENANT, clientId: CLIENT, driftClientId: CLIENT, environment: 'tenant-prod', driftEnvironment: 'tenant-prod-drift', cloud: 'usgov', owners: '@contoso/it-admins @ada', lfs: true });
    expect(parseInitArgs(['--client-id', CLIENT, '--drift-client-id', DRIFT_CLIENT, '--drift-environment', 'nightly']).options).toMatchObject({ clientId: CLIENT, driftClientId: DRIFT_CLIENT, driftEnvironment: 'nightly' });
  });

  it('refuses, saying what to write instead', () => {
    expect(usageError(['--tenant-id', 'contoso.onmicrosoft.com'])).toMatch(/--tenant-id must be a GUID/);
    expect(usageError(['--client-id', '123'])).toMatch(/--client-id must be a GUID/);
    expect(usageError(['--environment', 'prod: x'])).toMatch(/not a usable environment name/);
    expect(usageError(['--environment', 'prod', '--drift-environment', 'PROD'])).toMatch(/must differ from --environment/);
    expect(usageError(['--cloud', 'mars'])).toMatch(/--cloud: Unknown cloud "mars"/);
    expect(usageError(['--owners', 'contoso'])).toMatch(/--owners .* not "contoso"/);
    expect(usageError(['a', 'b'])).toMatch(/one directory, not 2/);
    expect(usageError(['--tenant'])).toMatch(/Usage: entra-photos init/);
    expect(usageError(['--lfs=yes'])).toMatch(/Usage: entra-photos init/);
  });
});

describe('init templates', () => {
  it('writes the schema where the manifests’ yaml-language-server comment points', () => {
    const files = initFiles(DEFAULT_INIT_OPTIONS);
    const manifest = files.get('manifests/photos.yaml')!;
    const ref = /^# yaml-language-server: \$schema=(\S+)$/m.exec(manifest)?.[1];
    expect(path.posix.join('manifests', ref!)).toBe(SCHEMA_PATH);
    expect(JSON.parse(files.get(SCHEMA_PATH)!)).toEqual(JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema', 'manifest.schema.json'), 'utf8')));
    expect(files.has('.gitattributes')).toBe(false);
    expect(initFiles({ ...DEFAULT_INIT_OPTIONS, lfs: true }).get('.gitattributes')).toMatch(/^photos\/\*\*\/\*\.jpg filter=lfs diff=lfs merge=lfs -text$/m);
  });

  it('the pull-request check runs on every pull request, under a job name branch protection can require', () => {
    const pr = workflow(initFiles(DEFAULT_INIT_OPTIONS).get('.github/workflows/photos-pull-request.yml'));
    expect(pr.on).toEqual({ pull_request: null });
    expect(pr.jobs.validate?.name).toBe('Validate photos');
    expect(initFiles(DEFAULT_INIT_OPTIONS).get('README.md')).toContain('**Validate photos**');
  });

  it('apply runs in the protected environment, drift in its own, fix in the protected one; every checkout has lfs: true', () => {
    const o = { ...DEFAULT_INIT_OPTIONS, tenantId: TENANT, clientId: CLIENT, driftClientId: DRIFT_CLIENT, environment: 'prod', driftEnvironment: 'prod-readonly', cloud: 'china' as const };
    const files = initFiles(o);
    const apply = workflow(files.get('.github/workflows/photos-apply.yml'));
    const drift = workflow(files.get('.github/workflows/photos-drift.yml'));
    expect(apply.jobs.apply?.environment).toBe('prod');
    expect(drift.jobs.drift?.environment).toBe('prod-readonly');
    expect(drift.jobs.fix?.environment).toBe('prod');
    const action = (w: Workflow, job: string) => w.jobs[job]!.steps.find((s) => s.uses === ACTION_REF)!.with;
    expect(action(apply, 'apply')).toMatchObject({ mode: 'apply', 'tenant-id': TENANT, 'client-id': CLIENT, cloud: 'china' });
    expect(action(drift, 'drift')).toMatchObject({ mode: 'drift', 'tenant-id': TENANT, 'client-id': DRIFT_CLIENT, cloud: 'china' });
    expect(action(drift, 'fix')).toMatchObject({ mode: 'drift', fix: 'true', 'client-id': CLIENT });
    for (const [name, text] of files) {
      if (!name.startsWith('.github/workflows/')) continue;
      for (const job of Object.values(workflow(text).jobs)) {
        const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
        expect(checkout?.with?.lfs, `${name}: checkout with lfs: true`).toBe(true);
      }
    }
    // Placeholders only where no id was given; the global cloud is the action's default.
    const placeholders = initFiles(DEFAULT_INIT_OPTIONS).get('.github/workflows/photos-apply.yml')!;
    expect(placeholders).toContain(`tenant-id: ${PLACEHOLDER_ID}`);
    expect(placeholders).not.toMatch(/^\s*cloud:/m);
  });

  it('pins the action to the major version of package.json (the tag the release workflow moves)', () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(ACTION_REF).toBe(`entra-photos/entra-photos@v${version.split('.')[0]}`);
  });

  it('docs/examples/workflows are exactly what init writes with the default options', () => {
    const files = initFiles(DEFAULT_INIT_OPTIONS);
    const examples: Record<string, string> = {
      'photos-pull-request.yml': '.github/workflows/photos-pull-request.yml',
      'photos-apply.yml': '.github/workflows/photos-apply.yml',
      'drift.yml': '.github/workflows/photos-drift.yml',
      'photos-export.yml': '.github/workflows/photos-export.yml',
    };
    for (const [example, generated] of Object.entries(examples)) {
      expect(readFileSync(path.join(REPO_ROOT, 'docs', 'examples', 'workflows', example), 'utf8'), example).toBe(files.get(generated));
    }
  });
});

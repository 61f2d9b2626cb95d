// The export workflow `entra-photos init` writes (issue 14, part 2): started by hand only, in the
// protected environment, with the permissions export needs and the dispatch inputs wired to the
// action's export inputs. (It is linted with actionlint through the built CLI in init.test.ts.)
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ACTION_REF, DEFAULT_INIT_OPTIONS, initFiles } from '../../../src/cli/initCommand.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01';

describe('init: photos-export.yml', () => {
  it('runs on workflow_dispatch only, in the protected environment, with contents, pull-requests and id-token write', () => {
    const text = initFiles({ ...DEFAULT_INIT_OPTIONS, tenantId: TENANT, clientId: CLIENT, environment: 'prod', driftEnvironment: 'prod-drift', cloud: 'usgov' }).get('.github/workflows/photos-export.yml')!;
    const w = parseDocument(text).toJS() as {
      on: Record<string, { inputs: Record<string, { type: string }> }>;
      permissions: Record<string, string>;
      jobs: Record<string, { environment: string; steps: { uses?: string; with?: Record<string, string> }[] }>;
    };
    expect(Object.keys(w.on)).toEqual(['workflow_dispatch']);
    expect(Object.keys(w.on.workflow_dispatch!.inputs)).toEqual(['domain', 'group']);
    expect(w.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', 'id-token': 'write' });
    expect(w.jobs.export!.environment).toBe('prod');
    const step = w.jobs.export!.steps.find((s) => s.uses === ACTION_REF)!;
    expect(step.with).toEqual({ mode: 'export', 'export-domain': '${{ inputs.domain }}', 'export-group': '${{ inputs.group }}', 'tenant-id': TENANT, 'client-id': CLIENT, cloud: 'usgov' });
    expect(text).toContain('"Allow GitHub Actions to create and approve pull requests"');
  });
});

/**
 * `targets:` and `google:` in manifests (issue 16): declared without credentials, validated at the
 * line, and turned into one desired state per target (Google's names users by their `google:` key,
 * else their own key, and leaves groups out).
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desiredStateOf } from '../../../src/desired/desired.js';
import { parseManifest } from '../../../src/manifest/parse.js';
import { WorktreeSnapshot } from '../../../src/repo/worktree.js';
import { targetsOf, validateRepository } from '../../../src/validate/validate.js';
import { SAMPLE_PHOTO, tempDir, writeTree } from '../../helpers/repo.js';

const OBJECT_ID = '0b6c6f4e-1d2a-4e6b-9b9e-1a2b3c4d5e6f';

describe('targets: and google: in manifests', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let jpeg: Buffer;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('entra-photos-targets-'));
    jpeg = await readFile(SAMPLE_PHOTO);
  });
  afterEach(() => cleanup());

  const validate = async (files: Record<string, string>) => {
    await writeTree(dir, { 'photos/a.jpg': jpeg, 'photos/b.jpg': jpeg, 'photos/c.jpg': jpeg, 'photos/g.jpg': jpeg, ...files });
    const snapshot = new WorktreeSnapshot(dir);
    return { snapshot, validation: await validateRepository(snapshot, { shouldDecode: () => false }) };
  };

  it('parses targets: and google: (an email is a upn key, digits a Google user id); default is Entra alone', () => {
    const parsed = parseManifest('manifests/m.yaml', `version: 1\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    google: ada@school.example\n    photo: a.jpg\n  - employeeId: "41002"\n    google: "103456789012345678901"\n    photo: b.jpg\n`);
    expect(parsed.findings).toEqual([]);
    expect(parsed.manifest!.targets).toEqual({ names: ['entra', 'google'], at: { file: 'manifests/m.yaml', line: 2, col: 1 } });
    expect(parsed.manifest!.users.map((u) => u.google?.canonical)).toEqual(['upn:ada@school.example', 'googleId:103456789012345678901']);
    expect(parsed.manifest!.users[0]!.googleAt).toEqual({ file: 'manifests/m.yaml', line: 5, col: 13 });
    expect(targetsOf({})).toEqual(['entra']);
  });

  it('refuses an unknown target and a google: value that is neither an email nor an id, at the line', () => {
    const parsed = parseManifest('manifests/m.yaml', `version: 1\ntargets: [entra, gmail]\nusers:\n  - user: ada@contoso.edu\n    google: ada at school\n    photo: a.jpg\n`);
    expect(parsed.findings.map((f) => [f.code, f.line])).toEqual([
      ['schema', 2],
      ['invalid-google-key', 5],
    ]);
    expect(parsed.findings[0]!.message).toContain('"entra", "google"');
    expect(parsed.findings[1]!.message).toContain('neither a Google email address nor a Google user id');
    expect(parsed.manifest!.targets).toBeUndefined();
  });

  it('merges targets: across files when they agree, and refuses a different list at its line, naming the first', async () => {
    const agree = await validate({
      'manifests/a.yaml': 'version: 1\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n',
      'manifests/b.yaml': 'version: 1\ntargets: [google, entra]\nusers:\n  - user: bob@contoso.edu\n    photo: b.jpg\n',
    });
    expect(agree.validation.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(targetsOf(agree.validation)).toEqual(['entra', 'google']);

    await writeTree(dir, { 'manifests/b.yaml': 'version: 1\ntargets: [entra]\nusers:\n  - user: bob@contoso.edu\n    photo: b.jpg\n' });
    const differ = await validateRepository(new WorktreeSnapshot(dir), { shouldDecode: () => false });
    const conflict = differ.findings.find((f) => f.code === 'conflicting-targets')!;
    expect(conflict).toMatchObject({ severity: 'error', file: 'manifests/b.yaml', line: 2 });
    expect(conflict.message).toBe('targets: [entra] differs from targets: [entra, google] at manifests/a.yaml:2. The repository manages one set of directories: write the same list in both, or keep targets: in one manifest only.');
  });

  it('with google a target: an object-id key needs google: (said at the key), and two entries may not name one Google account', async () => {
    const { validation } = await validate({
      'manifests/m.yaml': `version: 1\ntargets: [entra, google]\nusers:\n  - user: ${OBJECT_ID}\n    photo: a.jpg\n  - user: ada@contoso.edu\n    photo: b.jpg\n  - employeeId: "41002"\n    google: ada@contoso.edu\n    photo: c.jpg\n`,
    });
    const errors = validation.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.code, f.line])).toEqual([
      ['google-key-missing', 4],
      ['duplicate-google-user', 9],
    ]);
    expect(errors[0]!.message).toBe(`${OBJECT_ID} is an Entra object id, which Google Workspace does not know, and targets include google. Add google: with the user's Google email (or Google user id) to this entry.`);
    expect(errors[1]!.message).toContain('already the Google account of the entry at manifests/m.yaml:6');
  });

  it('without google among the targets: an object-id key is fine and a google: is a warning that it is unused', async () => {
    const { validation } = await validate({
      'manifests/m.yaml': `version: 1\nusers:\n  - user: ${OBJECT_ID}\n    google: ada@school.example\n    photo: a.jpg\n`,
    });
    expect(validation.findings.filter((f) => f.code !== 'orphan-photo').map((f) => [f.severity, f.code, f.line])).toEqual([['warning', 'google-key-unused', 4]]);
    expect(validation.targets).toBeUndefined();
  });

  it('desired state per target: Google names users by google: else their key, leaves groups and the policy out; Entra is as before', async () => {
    const { snapshot, validation } = await validate({
      'manifests/m.yaml': `version: 1\ntargets: [entra, google]\nusers:\n  - user: ${OBJECT_ID}\n    google: ada@school.example\n    photo: a.jpg\n  - employeeId: "41002"\n    photo: b.jpg\n  - user: cy@contoso.edu\n    photo: c.jpg\ngroups:\n  - group: class-9b@contoso.edu\n    photo: g.jpg\npolicy:\n  source: cloud\n`,
    });
    expect(validation.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const entra = await desiredStateOf(snapshot, validation);
    const google = await desiredStateOf(snapshot, validation, undefined, 'google');
    expect([...entra.users.keys()].sort()).toEqual([`objectId:${OBJECT_ID}`, 'employeeId:41002', 'group:class-9b@contoso.edu', 'upn:cy@contoso.edu'].sort());
    expect(entra.policy).toBeDefined();
    expect([...google.users.keys()].sort()).toEqual(['employeeId:41002', 'upn:ada@school.example', 'upn:cy@contoso.edu']);
    expect(google.policy).toBeUndefined();
    expect(google.users.get('upn:ada@school.example')).toMatchObject({ photoPath: 'photos/a.jpg', declaredAt: { line: 4 } });
  });
});

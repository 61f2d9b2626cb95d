/**
 * A target dropped from `targets:` (issue 16): the plan says that after the merge nothing updates
 * it (its photos and record stay) and how to take its photos out first; a target added gets one
 * line. Apply says the same when it finds the record of a target the head no longer declares.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestTargets } from '../../../src/manifest/types.js';
import { planRevisions } from '../../../src/plan/planRevisions.js';
import { targetChanges, undeclaredAppliedTargets } from '../../../src/plan/targetChanges.js';
import { plansMarkdown, plansText, targetChangeNote, undeclaredTargetNote } from '../../../src/report/plan.js';
import { ACTION_VOCABULARY, CLI_VOCABULARY } from '../../../src/core/vocabulary.js';
import { mdText } from '../../../src/report/markdown.js';
import { SAMPLE_PHOTO, git, initGitRepo, tempDir, writeTree } from '../../helpers/repo.js';

const declares = (names: ManifestTargets['names'], file = 'manifests/x.yaml', line = 3): { targets: ManifestTargets } => ({ targets: { names, at: { file, line, col: 10 } } });
const byDefault = {};

describe('targetChanges', () => {
  it('names each target the base declared and the head does not, at the base\'s targets:', () => {
    expect(targetChanges(declares(['entra', 'google']), declares(['entra'], 'manifests/y.yaml', 7))).toEqual([{ target: 'google', change: 'removed', at: { file: 'manifests/x.yaml', line: 3, col: 10 } }]);
    // Dropping targets: altogether leaves Entra alone (the default).
    expect(targetChanges(declares(['entra', 'google']), byDefault)).toEqual([{ target: 'google', change: 'removed', at: { file: 'manifests/x.yaml', line: 3, col: 10 } }]);
    // Entra declared by default (no targets:) and the head moving to Google alone.
    expect(targetChanges(byDefault, declares(['google']))).toEqual([
      { target: 'entra', change: 'removed' },
      { target: 'google', change: 'added', at: { file: 'manifests/x.yaml', line: 3, col: 10 } },
    ]);
  });

  it('names a target the head adds, and nothing when the set is the same (order and where it is written do not matter)', () => {
    expect(targetChanges(byDefault, declares(['entra', 'google']))).toEqual([{ target: 'google', change: 'added', at: { file: 'manifests/x.yaml', line: 3, col: 10 } }]);
    expect(targetChanges(declares(['entra', 'google']), declares(['google', 'entra'], 'manifests/z.yaml', 1))).toEqual([]);
    expect(targetChanges(byDefault, declares(['entra']))).toEqual([]);
    expect(targetChanges(byDefault, byDefault)).toEqual([]);
  });
});

describe('the notes', () => {
  it('a removed target: where the base declared it, that its photos and record stay, and how to take the photos out first', () => {
    const note = targetChangeNote({ target: 'google', change: 'removed', at: { file: 'manifests/x.yaml', line: 3, col: 10 } }, ACTION_VOCABULARY);
    expect(note).toBe(
      'google is no longer in targets: (manifests/x.yaml:3 in the base). After the merge entra-photos stops updating Google Workspace: the photos already there stay as they are, and its record (tag entra-photos/google/applied/ENV) is kept. ' +
        'To take the photos out of Google Workspace first, keep google in targets: for now, remove those entries from the manifests and apply with prune: true (that removes them from every declared target), then drop google from targets:.',
    );
    // Entra keeps today's record names; declared by default, there is no line to point at.
    const entra = targetChangeNote({ target: 'entra', change: 'removed' }, CLI_VOCABULARY);
    expect(entra).toContain('entra is no longer in targets: (the base declares it by default: it has no targets:).');
    expect(entra).toContain('stops updating Microsoft Entra ID');
    expect(entra).toContain('(tag entra-photos/applied/ENV)');
    expect(entra).toContain('apply with --prune');
  });

  it('an added target: one line', () => {
    expect(targetChangeNote({ target: 'google', change: 'added', at: { file: 'manifests/x.yaml', line: 3, col: 10 } })).toBe(
      'google is new in targets: (manifests/x.yaml:3): the first apply uploads every photo to Google Workspace, comparing with any photo already there (if it was applied before, it starts from its record, tag entra-photos/google/applied/ENV).',
    );
  });

  it('a file name from the repository is printed as data (no line break, no control character)', () => {
    const note = targetChangeNote({ target: 'google', change: 'removed', at: { file: 'manifests/x\n::error::y.yaml', line: 3, col: 1 } });
    expect(note).not.toContain('\n');
    expect(note).toContain(String.raw`(manifests/x\n::error::y.yaml:3 in the base)`);
    const markdown = plansMarkdown(
      { base: 'a', head: 'b', uploads: [], removals: [], prune: false, policy: null, unchanged: 0 },
      undefined,
      { targetChanges: [{ target: 'google', change: 'removed', at: { file: 'manifests/[x](https://evil.example)<b>.yaml', line: 3, col: 1 } }] },
    );
    expect(markdown).not.toContain('](https://evil.example)');
    expect(markdown).not.toContain('<b>');
    // The note is there, its file name escaped (not dropped, which would pass the checks above).
    expect(markdown).toContain('> [!WARNING]\n> google is no longer in targets: (manifests/&#91;x&#93;&#40;');
  });

  it('apply\'s note for a target it no longer runs: the head\'s targets:, the records found, what happens', () => {
    expect(undeclaredTargetNote({ target: 'google', environments: ['production', 'staging'] }, { names: ['entra'], at: 'manifests/x.yaml:3' })).toBe(
      "google is not in this revision's targets: (targets: [entra] at manifests/x.yaml:3), but it was applied before (entra-photos/google/applied/production, entra-photos/google/applied/staging). This run does not update Google Workspace: the photos already there stay as they are, and the record is kept. Add google to targets: to manage it again.",
    );
    expect(undeclaredTargetNote({ target: 'google', environments: ['default'] }, { names: ['entra'] })).toContain('(it has no targets:, so Entra alone)');
  });
});

describe('through planRevisions and the plan reports', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('entra-photos-target-changes-'));
    await writeTree(dir, {
      'photos/a.jpg': await readFile(SAMPLE_PHOTO),
      'manifests/x.yaml': 'version: 1\n# both directories\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n',
    });
    initGitRepo(dir);
  });
  afterEach(() => cleanup());

  it('a pull request dropping google: Entra\'s plan as before, and the notice first in the text and the Markdown', async () => {
    const base = git(dir, 'rev-parse', 'HEAD');
    await writeTree(dir, { 'manifests/x.yaml': 'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n' });
    git(dir, 'commit', '-q', '-am', 'entra only');
    const result = await planRevisions(dir, { base, head: git(dir, 'rev-parse', 'HEAD') });
    expect(result.targets).toBeUndefined();
    expect(result.plan.uploads).toEqual([]);
    expect(result.targetChanges).toEqual([{ target: 'google', change: 'removed', at: { file: 'manifests/x.yaml', line: 3, col: expect.any(Number) } }]);
    const text = plansText(result.plan, result.targets, { targetChanges: result.targetChanges, words: CLI_VOCABULARY });
    expect(text.split('\n')[0]).toBe(`! ${targetChangeNote(result.targetChanges[0]!, CLI_VOCABULARY)}`);
    expect(text).toContain('Plan: 0 new, 0 replaced, 0 to remove, 1 unchanged; policy unchanged.');
    const markdown = plansMarkdown(result.plan, result.targets, { targetChanges: result.targetChanges });
    expect(markdown.startsWith(`> [!WARNING]\n> google is no longer in targets: (${mdText('manifests/x.yaml')}:3 in the base).`)).toBe(true);
    expect(markdown).toContain('### entra-photos plan ');
  });

  it('a pull request adding google back: one line, a note, before the per-target plans', async () => {
    const base = git(dir, 'rev-parse', 'HEAD');
    await writeTree(dir, { 'manifests/x.yaml': 'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n' });
    git(dir, 'commit', '-q', '-am', 'entra only');
    const entraOnly = git(dir, 'rev-parse', 'HEAD');
    const result = await planRevisions(dir, { base: entraOnly, head: base });
    expect(result.targetChanges).toEqual([{ target: 'google', change: 'added', at: { file: 'manifests/x.yaml', line: 3, col: expect.any(Number) } }]);
    const markdown = plansMarkdown(result.plan, result.targets, { targetChanges: result.targetChanges });
    expect(markdown.startsWith('> [!NOTE]\n> google is new in targets: (')).toBe(true);
    expect(markdown.indexOf('> [!NOTE]')).toBeLessThan(markdown.indexOf('### entra-photos plan: Microsoft Entra ID'));
    expect(plansText(result.plan, result.targets, { targetChanges: result.targetChanges }).split('\n')[0]).toMatch(/^Note: google is new in targets: /);
  });

  it('no base: nothing to compare, no notice', async () => {
    const result = await planRevisions(dir, { head: 'HEAD' });
    expect(result.targetChanges).toEqual([]);
  });

  it('undeclaredAppliedTargets: the applied records of targets the head leaves out, per environment', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(await undeclaredAppliedTargets(dir, ['entra'])).toEqual([]);
    git(dir, 'tag', 'entra-photos/google/applied/production', head);
    git(dir, 'tag', 'entra-photos/google/applied/staging', head);
    git(dir, 'tag', 'entra-photos/applied/production', head);
    expect(await undeclaredAppliedTargets(dir, ['entra'])).toEqual([{ target: 'google', environments: ['production', 'staging'] }]);
    expect(await undeclaredAppliedTargets(dir, ['entra', 'google'])).toEqual([]);
    expect(await undeclaredAppliedTargets(dir, ['google'])).toEqual([{ target: 'entra', environments: ['production'] }]);
  });
});

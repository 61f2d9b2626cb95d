/**
 * The plan per target (issue 16): with `targets: [entra, google]` the plan lists each target's
 * changes (Google's keyed by google: where given, no groups, a base that did not declare google
 * counting as nothing applied there); with Entra alone the result and every rendering are as
 * before (no `targets` anywhere).
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planRevisions } from '../../../src/plan/planRevisions.js';
import { planJson, planMarkdown, plansMarkdown, plansText, planText, targetPlansJson } from '../../../src/report/plan.js';
import { SAMPLE_PHOTO, git, initGitRepo, tempDir, writeTree } from '../../helpers/repo.js';

const ENTRA_ONLY = 'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\ngroups:\n  - group: class-9b@contoso.edu\n    photo: g.jpg\n';

describe('plan per target', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let jpeg: Buffer;
  let other: Buffer;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('entra-photos-targets-plan-'));
    jpeg = await readFile(SAMPLE_PHOTO);
    other = await readFile(SAMPLE_PHOTO.replace('ada.lovelace', 'grace.hopper'));
    await writeTree(dir, { 'photos/a.jpg': jpeg, 'photos/g.jpg': jpeg, 'manifests/m.yaml': ENTRA_ONLY });
    initGitRepo(dir);
  });
  afterEach(() => cleanup());

  const commit = async (files: Record<string, string | Buffer>) => {
    await writeTree(dir, files);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'change');
    return git(dir, 'rev-parse', 'HEAD');
  };

  it('with Entra alone: no targets, and the renderings are exactly the single plan\'s', async () => {
    const base = git(dir, 'rev-parse', 'HEAD');
    const head = await commit({ 'photos/a.jpg': other });
    const result = await planRevisions(dir, { base, head });
    expect(result.targets).toBeUndefined();
    expect(plansText(result.plan, result.targets)).toBe(planText(result.plan));
    expect(plansMarkdown(result.plan, result.targets)).toBe(planMarkdown(result.plan));
    expect(targetPlansJson(result.targets)).toEqual({});
  });

  it('adding google to targets: Entra plans the replaced photo; Google, with nothing applied yet, plans every user as new (google: keys), groups said once', async () => {
    const base = git(dir, 'rev-parse', 'HEAD');
    const head = await commit({
      'photos/a.jpg': other,
      'photos/b.jpg': jpeg,
      'manifests/m.yaml': 'version: 1\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n  - user: bob@contoso.edu\n    google: robert@school.example\n    photo: b.jpg\ngroups:\n  - group: class-9b@contoso.edu\n    photo: g.jpg\n',
    });
    const result = await planRevisions(dir, { base, head });
    expect(result.available).toBe(true);
    expect(result.targets!.map((t) => t.target)).toEqual(['entra', 'google']);
    const [entra, google] = result.targets!;
    expect(result.plan).toBe(entra!.plan);
    expect(entra!.plan.uploads.map((u) => [u.key.canonical, u.reason])).toEqual([
      ['upn:ada@contoso.edu', 'replaced'],
      ['upn:bob@contoso.edu', 'new'],
    ]);
    expect(google!.plan.base).toBeNull();
    expect(google!.plan.uploads.map((u) => [u.key.canonical, u.reason])).toEqual([
      ['upn:ada@contoso.edu', 'new'],
      ['upn:robert@school.example', 'new'],
    ]);
    expect(google!.groupsNotSent).toBe(1);

    const text = plansText(result.plan, result.targets);
    expect(text).toContain('== Microsoft Entra ID (entra) ==\nPlan ');
    expect(text).toContain('== Google Workspace (google) ==\nPlan for ');
    expect(text).toContain('  + robert@school.example  photos/b.jpg  [new]');
    expect(text.match(/not sent to Google Workspace/g)).toHaveLength(1);

    const markdown = plansMarkdown(result.plan, result.targets);
    expect(markdown).toContain('### entra-photos plan: Microsoft Entra ID ');
    expect(markdown).toContain('### entra-photos plan: Google Workspace for ');
    expect(markdown).toContain('> 1 group is not sent to Google Workspace: it has no group photos');

    const json = { ...planJson(result.plan), ...targetPlansJson(result.targets) };
    expect(json.uploads).toHaveLength(2); // the top level stays Entra's plan
    expect(json.targets!.map((t) => [t.target, t.uploads.map((u) => u.user), t.groupsNotSent])).toEqual([
      ['entra', ['ada@contoso.edu', 'bob@contoso.edu'], undefined],
      ['google', ['ada@contoso.edu', 'robert@school.example'], 1],
    ]);
  });

  it('once both are declared: a replaced photo is planned in both; a changed google: key is a new Google user and a removal there only', async () => {
    await commit({ 'manifests/m.yaml': 'version: 1\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n' });
    const base = git(dir, 'rev-parse', 'HEAD');
    const head = await commit({ 'photos/a.jpg': other, 'manifests/m.yaml': 'version: 1\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n  - user: cy@contoso.edu\n    google: cy@school.example\n    photo: g.jpg\n' });
    const both = await planRevisions(dir, { base, head });
    const [entra, google] = both.targets!;
    expect(entra!.plan.uploads.map((u) => [u.key.canonical, u.reason])).toEqual([['upn:ada@contoso.edu', 'replaced'], ['upn:cy@contoso.edu', 'new']]);
    expect(google!.plan.uploads.map((u) => [u.key.canonical, u.reason])).toEqual([['upn:ada@contoso.edu', 'replaced'], ['upn:cy@school.example', 'new']]);
    expect(google!.groupsNotSent).toBe(0);

    const next = await commit({ 'manifests/m.yaml': 'version: 1\ntargets: [entra, google]\nusers:\n  - user: ada@contoso.edu\n    photo: a.jpg\n  - user: cy@contoso.edu\n    google: cy.young@school.example\n    photo: g.jpg\n' });
    const renamed = await planRevisions(dir, { base: head, head: next });
    expect(renamed.targets![0]!.plan.uploads).toEqual([]);
    expect(renamed.targets![1]!.plan.uploads.map((u) => u.key.canonical)).toEqual(['upn:cy.young@school.example']);
    expect(renamed.targets![1]!.plan.removals.map((r) => r.key.canonical)).toEqual(['upn:cy@school.example']);
  });
});

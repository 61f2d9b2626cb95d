/**
 * The history walk reads `git log -z` output: paths are any bytes but NUL (line breaks, a leading
 * \x01 that is also the walk's commit marker), commit subjects and trailers are attacker-written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergedCommits, walkFirstParent } from '../../../src/history/walk.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  scratch = await tempDir('entra-photos-walk-');
  git(scratch.dir, 'init', '-q', '-b', 'main');
  await writeTree(scratch.dir, { 'photos/\x01marker.jpg': 'a', 'photos/line\nbreak.jpg': 'b', 'photos/:000000 100644 x A.jpg': 'c' });
  git(scratch.dir, 'add', '-A');
  git(scratch.dir, 'commit', '-q', '-m', 'Odd names\x01 and (#3)', '-m', 'Reviewed-by: Erin <erin@x>\nApproved-by: Dana\x1d <dana@x>');
  git(scratch.dir, 'checkout', '-q', '-b', 'side');
  await writeTree(scratch.dir, { 'photos/side.jpg': 's' });
  git(scratch.dir, 'add', '-A');
  git(scratch.dir, 'commit', '-q', '-m', 'side');
  git(scratch.dir, 'checkout', '-q', 'main');
  git(scratch.dir, 'rm', '-q', 'photos/line\nbreak.jpg');
  git(scratch.dir, 'commit', '-q', '-m', 'drop');
  git(scratch.dir, 'merge', '-q', '--no-ff', 'side', '-m', 'Merge pull request #4 from o/side');
}, 30_000);
afterAll(() => scratch?.cleanup());

describe('walkFirstParent', () => {
  it('gives each first-parent revision, oldest first, with exact paths and blob ids; a merge against its first parent', async () => {
    const steps = [];
    for await (const step of walkFirstParent(scratch.dir, 'HEAD')) steps.push(step);
    expect(steps.map((s) => s.info.subject)).toEqual(['Odd names\x01 and (#3)', 'drop', 'Merge pull request #4 from o/side']);
    expect(steps[0]!.changes.map((c) => c.path).sort()).toEqual(['photos/:000000 100644 x A.jpg', 'photos/\x01marker.jpg', 'photos/line\nbreak.jpg'].sort());
    expect(steps[0]!.changes.every((c) => c.mode === '100644' && /^[0-9a-f]{40}$/.test(c.oid!))).toBe(true);
    expect(steps[1]!.changes).toEqual([{ path: 'photos/line\nbreak.jpg' }]);
    expect(steps[2]!.changes.map((c) => c.path)).toEqual(['photos/side.jpg']);
    expect(steps[2]!.info.parents).toHaveLength(2);
    expect(steps[0]!.info.trailers.map((t) => t.key)).toEqual(['reviewed-by', 'approved-by']);
    const merged = await mergedCommits(scratch.dir, steps[2]!.info);
    expect(merged.map((c) => [c.info.subject, [...c.paths]])).toEqual([['side', ['photos/side.jpg']]]);
    expect(await mergedCommits(scratch.dir, steps[1]!.info)).toEqual([]);
  });
});

/**
 * What the walk holds while it follows every subject: the current tree and each subject's entry,
 * never the text of a manifest version. The parser's strings are slices of the file's text, so one
 * kept name or photo path would keep a whole version (a megabyte for 20,000 users) alive, and at
 * district scale every version the walk passed. Checked in a heap snapshot taken mid-walk.
 */
import { getHeapSnapshot } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredHistory } from '../../../src/history/desiredHistory.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const USERS = 40;
const VERSIONS = 6;

/** A version's text; its first line is unique to it, so a kept text shows in the snapshot. */
function manifestText(version: number): string {
  const users = Array.from({ length: USERS }, (_, i) => {
    // Long values: a slice of 13 characters or more is a view of the text, not a copy.
    const photo = i === 0 ? `students/first-student-v${version}.jpg` : `students/student-number-${i}.jpg`;
    return `  - user: student.number.${i}@students.district.example\n    name: Student Number ${i} of the District\n    photo: ${photo}\n`;
  });
  return `# manifest-version-marker-${version}\nversion: 1\nusers:\n${users.join('')}`;
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-walk-memory-');
  git(scratch.dir, 'init', '-q', '-b', 'main');
  const photos = Object.fromEntries(Array.from({ length: USERS }, (_, i) => [`photos/students/student-number-${i}.jpg`, `photo ${i}`]));
  for (let v = 0; v < VERSIONS; v++) {
    await writeTree(scratch.dir, { ...photos, [`photos/students/first-student-v${v}.jpg`]: `first ${v}`, 'manifests/students.yaml': manifestText(v) });
    git(scratch.dir, 'add', '-A');
    git(scratch.dir, 'commit', '-q', '-m', `version ${v}`);
  }
}, 60_000);
afterAll(() => scratch?.cleanup());

/** The marker numbers of the manifest texts reachable in this process's heap. */
async function manifestVersionsInHeap(): Promise<number[]> {
  // The engine's last regular-expression match keeps its input (RegExp.input): not ours to count.
  /./.exec('-');
  let snapshot = '';
  for await (const chunk of getHeapSnapshot()) snapshot += chunk;
  return [...new Set([...snapshot.matchAll(/# manifest-version-marker-(\d+)\\nversion: 1/g)].map((m) => Number(m[1])))].sort();
}

describe('the walk over every subject', () => {
  it('keeps no manifest version text alive, while still reporting every change', { timeout: 60_000 }, async () => {
    let changes = 0;
    let held: number[] | undefined;
    for await (const revision of desiredHistory(scratch.dir, 'HEAD', 'all')) {
      changes += revision.changes.length;
      // At the last revision: the walk's state is live (every subject's entry, the parsed versions).
      if (revision.info.subject === `version ${VERSIONS - 1}`) held = await manifestVersionsInHeap();
    }
    expect(changes).toBe(USERS + VERSIONS - 1); // every subject new, then the first one's photo remapped each time
    expect(held).toEqual([]);
  });
});

/**
 * When a change reached an environment, from the record apply keeps (written here by the real
 * Ledger on a real repository): applied (a run's note lists exactly this photo), superseded (a
 * later change got there first), waiting (covered, but the user has no account yet), recorded
 * (covered, no note names the user), not yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/apply/ledger.js';
import { subjectHistory } from '../../../src/history/history.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';
import { historyText } from '../../../src/report/history.js';
import { git, tempDir, writeTree } from '../../helpers/repo.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const sha: Record<string, string> = {};
const manifest = 'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: ada.jpg\n  - user: bob@contoso.edu\n    photo: bob.jpg\n';
async function commit(label: string, files: Record<string, string>) {
  await writeTree(scratch.dir, files);
  git(scratch.dir, 'add', '-A');
  git(scratch.dir, 'commit', '-q', '-m', label);
  sha[label] = git(scratch.dir, 'rev-parse', 'HEAD');
}
const key = (k: string) => {
  const parsed = parseUserKey(k);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.key;
};

beforeAll(async () => {
  scratch = await tempDir('entra-photos-applied-status-');
  git(scratch.dir, 'init', '-q', '-b', 'main');
  await commit('c1', { 'manifests/m.yaml': manifest, 'photos/ada.jpg': 'A1', 'photos/bob.jpg': 'B1' });
  await commit('c2', { 'photos/ada.jpg': 'A2' });
  await commit('c3', { 'photos/bob.jpg': 'B3' });
  // prod applied c2 in one run: Ada's new photo landed, Bob waits for an account.
  const prod = new Ledger({ repo: scratch.dir, environment: 'prod', provenance: { url: 'https://github.com/o/r/actions/runs/9', actor: 'octo' } });
  const adaAtC2 = (await subjectHistory({ repo: scratch.dir, head: sha.c2, subjects: [key('ada@contoso.edu')] })).entries.at(-1)!.after!.fingerprint;
  prod.record({ action: 'upload', key: 'upn:ada@contoso.edu', fingerprint: adaAtC2 });
  await prod.flushProgress(undefined, sha.c2!);
  await prod.writePending(sha.c2!, [{ key: 'upn:bob@contoso.edu', problem: 'not-found', since: '2026-09-02T08:00:00.000Z' }]);
  expect(await prod.advance(undefined, sha.c2!)).toBe('advanced');
  // The copy a racing push leaves beside the notes ref is not an environment.
  git(scratch.dir, 'update-ref', 'refs/notes/entra-photos/progress/prod-remote', git(scratch.dir, 'rev-parse', 'refs/notes/entra-photos/progress/prod'));
  // stage's record is at c1 with no notes (an adopted tenant: the first apply found the photos there).
  git(scratch.dir, 'update-ref', 'refs/tags/entra-photos/applied/stage', sha.c1!);
}, 30_000);
afterAll(() => scratch?.cleanup());

const statuses = async (user: string) =>
  (await subjectHistory({ repo: scratch.dir, subjects: [key(user)] })).entries.map((e) => `${Object.entries(sha).find(([, v]) => v === e.revision.commit)![0]} ${e.kind}: ${e.environments.map((env) => `${env.environment} ${env.status}${env.waiting ? ` since ${env.waiting.since}` : ''}${env.runs ? ` by ${env.runs.map((r) => r.actor).join()}` : ''}`).join(', ')}`);

describe('applied status per environment', () => {
  it('Ada: superseded in prod (c2 got there first) but recorded in stage; c2 applied in prod by the run that landed it', async () => {
    expect(await statuses('ada@contoso.edu')).toEqual(['c1 new: prod superseded, stage recorded', 'c2 replaced: prod applied by octo, stage not-yet']);
  });

  it('Bob: waiting for an account where the record covers him; the later change not yet', async () => {
    expect(await statuses('bob@contoso.edu')).toEqual(['c1 new: prod waiting since 2026-09-02T08:00:00.000Z, stage recorded', 'c3 replaced: prod not-yet, stage not-yet']);
  });

  it('the text says each in words', async () => {
    const text = historyText(await subjectHistory({ repo: scratch.dir, subjects: [key('bob@contoso.edu')] }));
    expect(text).toContain('entra/prod: applied record covers it; waiting for an account since 2026-09-02T08:00:00.000Z (no account yet)');
    expect(text).toContain('entra/stage: covered by the applied record, no run lists it');
    expect(text).toContain('entra/prod: not applied yet');
  });
});

/** The per-environment apply lease, on real git repositories (local, and through a bare origin). */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplyLease } from '../../src/apply/lock.js';
import { git, tempDir, writeTree } from '../helpers/repo.js';

/** What SIGKILL does to a holder: nothing renews or releases its lease any more. */
function diesWithoutReleasing(lease: ApplyLease): void {
  clearInterval((lease as unknown as { renewTimer: NodeJS.Timeout }).renewTimer);
}

let scratch: Awaited<ReturnType<typeof tempDir>>;
let counter = 0;

async function repoWithOrigin(): Promise<{ repo: string; clone: string; origin: string }> {
  const base = path.join(scratch.dir, `r${counter++}`);
  const origin = `${base}/origin.git`;
  const repo = `${base}/a`;
  const clone = `${base}/b`;
  await writeTree(repo, { 'manifests/x.yaml': 'version: 1\n' });
  git(base, 'init', '-q', '--bare', '-b', 'main', origin);
  git(base, 'init', '-q', '-b', 'main', repo);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'x');
  git(repo, 'remote', 'add', 'origin', origin);
  git(repo, 'push', '-q', 'origin', 'main');
  git(base, 'clone', '-q', origin, clone);
  return { repo, clone, origin };
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-lease-');
});
afterAll(() => scratch.cleanup());

describe('apply lease', () => {
  it('is exclusive across clones: a second run waits, then gives up with a clear message', async () => {
    const { repo, clone, origin } = await repoWithOrigin();
    const first = new ApplyLease({ repo, environment: 'production', remote: 'origin', holder: 'run 1' });
    await first.acquire();
    expect(git(origin, 'for-each-ref', '--format=%(refname)', 'refs/tags/entra-photos/lock')).toBe('refs/tags/entra-photos/lock/production');
    const second = new ApplyLease({ repo: clone, environment: 'production', remote: 'origin', holder: 'run 2', waitSeconds: 1, pollSeconds: 0.2 });
    await expect(second.acquire()).rejects.toThrow(/Another apply to production \(run 1\).*nothing was written/);
    await first.release();
    expect(git(origin, 'for-each-ref', 'refs/tags/entra-photos/lock')).toBe('');
    await second.acquire(); // free now
    await second.release();
  });

  it('a waiting run takes over as soon as the holder releases', async () => {
    const { repo, clone } = await repoWithOrigin();
    const first = new ApplyLease({ repo, environment: 'staging', remote: 'origin', holder: 'run 1' });
    await first.acquire();
    const second = new ApplyLease({ repo: clone, environment: 'staging', remote: 'origin', holder: 'run 2', waitSeconds: 30, pollSeconds: 0.2 });
    const waiting = second.acquire();
    let releasing: number | undefined;
    setTimeout(() => {
      releasing = Date.now();
      void first.release();
    }, 500);
    await waiting;
    // Taken once the holder let go (not before), and within a few polls of it (not at the 30 s deadline).
    expect(releasing).toBeDefined();
    expect(Date.now() - releasing!).toBeLessThan(2_000);
    await second.release();
  });

  it('the lease of a run that died expires and is taken over; a live holder keeps renewing it', async () => {
    const { repo, clone } = await repoWithOrigin();
    const alive = new ApplyLease({ repo, environment: 'live', remote: 'origin', holder: 'alive', ttlSeconds: 1.5 });
    await alive.acquire();
    const contender = new ApplyLease({ repo: clone, environment: 'live', remote: 'origin', holder: 'contender', waitSeconds: 3, pollSeconds: 0.3 });
    await expect(contender.acquire()).rejects.toThrow(/Another apply to live \(alive\)/); // renewed past its 1.5 s TTL
    await alive.release();

    const dead = new ApplyLease({ repo, environment: 'dead', ttlSeconds: 1, holder: 'killed run' });
    await dead.acquire();
    diesWithoutReleasing(dead);
    const logs: string[] = [];
    const started = Date.now();
    await new ApplyLease({ repo, environment: 'dead', holder: 'next run', waitSeconds: 10, pollSeconds: 0.2, log: (l) => logs.push(l) }).acquire();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logs.join('\n')).toMatch(/lease of killed run expired/);
  });
});

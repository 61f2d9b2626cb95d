import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorktreeSnapshot } from '../../../src/repo/worktree.js';
import { validateRepository } from '../../../src/validate/validate.js';
import { copySample, tempDir } from '../../helpers/repo.js';

describe('validateRepository results', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('entra-photos-decoded-'));
    await copySample(dir);
  });
  afterAll(() => cleanup());

  it('describe each decoded photo (size, dimensions, hash) without holding its upload bytes', async () => {
    // Holding every normalised JPEG took ~95 KB per photo: 475 MB to validate 5,000 photos.
    const result = await validateRepository(new WorktreeSnapshot(dir));
    expect(result.decoded.length).toBe(result.stats.photosDecoded);
    expect(result.decoded.length).toBeGreaterThan(5);
    for (const photo of result.decoded) {
      expect(photo.report.output).toMatchObject({ width: 648, height: 648, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(photo.report.output!.bytes).toBeGreaterThan(1000);
      expect(photo.report.output).not.toHaveProperty('jpeg');
    }
  });

  it('reports progress while normalising: interval lines with counts, then the final count; only the final count without a log group of a short run', async () => {
    // A clock that moves 1 s each time it is read: every photo finishing passes the 1.5 s interval.
    let now = 0;
    const lines: string[] = [];
    const events: string[] = [];
    const result = await validateRepository(new WorktreeSnapshot(dir), {
      parallelism: 1,
      progress: { log: (l) => lines.push(l), now: () => (now += 1000), intervalMs: 1500, timer: false, group: { start: (t) => events.push(`start ${t}`), end: () => events.push('end') } },
    });
    const total = result.decoded.length;
    const progress = lines.filter((l) => new RegExp(`^Normalising: \\d+ of ${total} \\(\\d+ %\\), [\\d.]+/s, (about .+ left|less than a second left)$`).test(l));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)).toMatch(new RegExp(`^Normalising: ${total} of ${total} done in \\d+ s \\([\\d.]+/s\\)\\.$`));
    expect(events).toEqual(['start Normalising: progress', 'end']);

    const quiet: string[] = [];
    await validateRepository(new WorktreeSnapshot(dir), { progress: { log: (l) => quiet.push(l), timer: false, group: { start: () => quiet.push('group'), end: () => quiet.push('end') } } });
    expect(quiet).toEqual([expect.stringMatching(new RegExp(`^Normalising: ${total} of ${total} done in \\d+ s`))]);
  });
});

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
});

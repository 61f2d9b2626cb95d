/** The GitHub OIDC audience for Google is spelled in one place, for the sign-in and the action alike. */
import { describe, expect, it } from 'vitest';
import { GoogleKeylessAuth, googleGithubAudience } from '../../../src/target/google/index.js';

const PROVIDER = 'projects/123/locations/global/workloadIdentityPools/github/providers/repo';

describe('googleGithubAudience', () => {
  it('is the provider under https://iam.googleapis.com/, with or without the //iam.googleapis.com/ prefix', () => {
    for (const written of [PROVIDER, `//iam.googleapis.com/${PROVIDER}`, `https://iam.googleapis.com/${PROVIDER}`]) {
      expect(googleGithubAudience(written)).toBe(`https://iam.googleapis.com/${PROVIDER}`);
    }
  });

  it('is the audience the keyless sign-in asks GitHub for', async () => {
    const asked: string[] = [];
    const auth = new GoogleKeylessAuth({
      workloadIdentityProvider: `//iam.googleapis.com/${PROVIDER}`,
      serviceAccount: 'photos@project.iam.gserviceaccount.com',
      getIdToken: async (audience) => {
        asked.push(audience);
        throw new Error('no token service here');
      },
    });
    await expect(auth.accessToken()).rejects.toThrow('no token service here');
    expect(asked).toEqual([googleGithubAudience(PROVIDER)]);
  });
});

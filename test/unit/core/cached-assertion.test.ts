/**
 * cachedAssertion: one GitHub OIDC token request where one is enough (MSAL asks for the assertion
 * twice per sign-in, and the action reads the environment claim too), a fresh one near expiry.
 */
import { describe, expect, it } from 'vitest';
import { cachedAssertion } from '../../../src/core/oidcToken.js';

const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('cachedAssertion', () => {
  it('reuses the token until a minute before it expires; concurrent callers share one request', async () => {
    let now = 1_000_000_000_000;
    let requests = 0;
    const exp = now / 1000 + 300;
    const get = cachedAssertion(async () => {
      requests++;
      return jwt({ exp: exp + (requests - 1) * 1000, environment: 'production' });
    }, () => now);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(requests).toBe(1);
    now += 239_000; // 61 s before exp
    expect(await get()).toBe(a);
    now += 2_000; // 59 s before exp
    expect(await get()).not.toBe(a);
    expect(requests).toBe(2);
  });

  it('does not remember a failure, and keeps a token without exp for a minute at most', async () => {
    let now = 0;
    let calls = 0;
    const get = cachedAssertion(async () => {
      calls++;
      if (calls === 1) throw new Error('OIDC service down');
      return `opaque-${calls}`;
    }, () => now);
    await expect(get()).rejects.toThrow('OIDC service down');
    expect(await get()).toBe('opaque-2');
    now += 59_000;
    expect(await get()).toBe('opaque-2');
    now += 2_000;
    expect(await get()).toBe('opaque-3');
  });
});

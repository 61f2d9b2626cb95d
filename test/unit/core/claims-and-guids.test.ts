/** The one GUID pattern and the one reader of GitHub OIDC token claims. */
import { describe, expect, it } from 'vitest';
import { environmentClaim } from '../../../src/core/oidcToken.js';
import { isGuid } from '../../../src/core/guid.js';
import { audienceClaim, readJwtClaims, stringClaim } from '../../../src/core/jwtClaims.js';
import { peekJwtClaims } from '../../../src/target/entra/auth.js';

const jwtOf = (claims: unknown) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('isGuid', () => {
  it('accepts the 8-4-4-4-12 form in either case', () => {
    expect(isGuid('62e90394-69f5-4237-9190-012177145e10')).toBe(true);
    expect(isGuid('62E90394-69F5-4237-9190-012177145E10')).toBe(true);
  });
  it('refuses near misses: braces, missing dashes, wrong group lengths, other letters, surrounding text', () => {
    for (const value of ['{62e90394-69f5-4237-9190-012177145e10}', '62e9039469f542379190012177145e10', '62e90394-69f5-4237-9190-012177145e1', '62e90394-69f5-4237-9190-012177145e100', 'g2e90394-69f5-4237-9190-012177145e10', ' 62e90394-69f5-4237-9190-012177145e10', '62e90394-69f5-4237-9190-012177145e10\n', 'ada@contoso.edu', '']) {
      expect(isGuid(value), JSON.stringify(value)).toBe(false);
    }
  });
  it('has no state between calls (no global flag)', () => {
    const id = '0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01';
    expect([isGuid(id), isGuid(id), isGuid(id)]).toEqual([true, true, true]);
  });
});

describe('readJwtClaims', () => {
  it('reads the payload of a three-part token, unverified', () => {
    expect(readJwtClaims(jwtOf({ sub: 'repo:o/r:environment:production', exp: 1_900_000_000 }))).toEqual({ sub: 'repo:o/r:environment:production', exp: 1_900_000_000 });
  });
  it('answers undefined for what is not a JWT with an object payload', () => {
    for (const token of ['', 'opaque-access-token', 'a.!!!.c', `x.${Buffer.from('[1,2]').toString('base64url')}.y`, `x.${Buffer.from('null').toString('base64url')}.y`, `x.${Buffer.from('"s"').toString('base64url')}.y`]) {
      expect(readJwtClaims(token), token).toBeUndefined();
    }
  });
  it('string and audience claims', () => {
    const claims = { environment: 'production', empty: '', n: 3, aud: ['api://AzureADTokenExchange', 'other'] };
    expect(stringClaim(claims, 'environment')).toBe('production');
    expect(stringClaim(claims, 'empty')).toBeUndefined();
    expect(stringClaim(claims, 'n')).toBeUndefined();
    expect(stringClaim(undefined, 'environment')).toBeUndefined();
    expect(audienceClaim(claims)).toBe('api://AzureADTokenExchange,other');
    expect(audienceClaim(claims, ', ')).toBe('api://AzureADTokenExchange, other');
    expect(audienceClaim({ aud: 'api://AzureADTokenExchange' })).toBe('api://AzureADTokenExchange');
    expect(audienceClaim({ aud: 7 })).toBeUndefined();
  });
  it('its users: the environment claim, and the claims that explain a refused assertion', () => {
    expect(environmentClaim(jwtOf({ environment: 'production' }))).toBe('production');
    expect(environmentClaim(jwtOf({ environment: '' }))).toBeUndefined();
    expect(environmentClaim('not a jwt')).toBeUndefined();
    expect(peekJwtClaims(jwtOf({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:o/r:pull_request', aud: ['a', 'b'], extra: 1 }))).toEqual({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:o/r:pull_request', aud: 'a,b' });
    expect(peekJwtClaims(jwtOf({ iss: 5 }))).toEqual({});
    expect(peekJwtClaims('garbage')).toBeUndefined();
  });
});

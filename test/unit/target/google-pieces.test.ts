// The small pure parts of the Google client and emulator: web-safe base64 both ways (every
// padding the UserPhoto reference names), the emulator's attribute-condition subset, its
// per-user quota windows, and the failure classifier's table.
import { describe, expect, it } from 'vitest';
import { conditionHolds, parseAttributeCondition } from '../../../src/emulator/google/attribute-condition.js';
import { decodeWebSafeBase64 } from '../../../src/emulator/google/photo-data.js';
import { PerUserQuota } from '../../../src/emulator/google/quota.js';
import { GoogleApiError, GoogleAuthError, classifyGoogleFailure, googleUrl } from '../../../src/target/google/index.js';
import { decodePhotoData, encodePhotoData } from '../../../src/target/google/photoData.js';

describe('photoData', () => {
  const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x3e]);

  it('encodes web-safe with = padding and decodes any padding back', () => {
    const encoded = encodePhotoData(bytes);
    expect(encoded).toBe('-_-_AD4=');
    for (const padding of ['=', '*', '.', '']) expect(decodePhotoData(encoded.replace('=', padding)).equals(bytes)).toBe(true);
  });

  it('the emulator refuses the standard alphabet and takes the three paddings', () => {
    expect(decodeWebSafeBase64('+/+/AD4=')).toBeUndefined();
    for (const padding of ['=', '*', '.']) expect(decodeWebSafeBase64(`-_-_AD4${padding}`)?.equals(bytes)).toBe(true);
  });
});

describe('attribute condition subset', () => {
  it('holds when every clause matches, and refuses what it cannot evaluate', () => {
    const condition = parseAttributeCondition("assertion.repository == 'contoso/photos' && assertion.environment == \"production\"");
    expect(conditionHolds(condition, { repository: 'contoso/photos', environment: 'production' })).toBe(true);
    expect(conditionHolds(condition, { repository: 'contoso/photos' })).toBe(false);
    expect(() => parseAttributeCondition("assertion.repository in ['a/b']")).toThrow(/assertion.CLAIM == 'value'/);
  });
});

describe('per-user quota', () => {
  it('counts each caller in its own fixed windows', () => {
    const quota = new PerUserQuota({ perMinutePerUser: 2, windowSeconds: 60 });
    const at = (user: string, ms: number): boolean => {
      const decision = quota.take(user, ms);
      if (decision.allowed) decision.release();
      return decision.allowed;
    };
    expect([at('a', 0), at('a', 10), at('a', 20), at('b', 30)]).toEqual([true, true, false, true]);
    expect(at('a', 59_999)).toBe(false);
    expect(at('a', 60_000)).toBe(true);
  });
});

describe('failure classification', () => {
  it('follows the Directory limits page', () => {
    expect(classifyGoogleFailure(new GoogleApiError(403, 'userRateLimitExceeded', 'x'))).toEqual({ kind: 'throttled', retryAfterSeconds: undefined });
    expect(classifyGoogleFailure(new GoogleApiError(403, 'quotaExceeded', 'x')).kind).toBe('throttled');
    expect(classifyGoogleFailure(new GoogleApiError(429, 'rateLimitExceeded', 'x', 7))).toEqual({ kind: 'throttled', retryAfterSeconds: 7 });
    expect(classifyGoogleFailure(new GoogleApiError(503, 'backendError', 'x')).kind).toBe('transient');
    expect(classifyGoogleFailure(new GoogleApiError(404, 'notFound', 'x')).kind).toBe('fatal');
    expect(classifyGoogleFailure(new GoogleAuthError('sts', 400, 'unauthorized_client', 'x')).kind).toBe('fatal');
    expect(classifyGoogleFailure(new TypeError('fetch failed')).kind).toBe('transient');
  });

  it('maps hosts under one endpoint override', () => {
    expect(googleUrl('sts', '/v1/token')).toBe('https://sts.googleapis.com/v1/token');
    expect(googleUrl('admin', '/admin/directory/v1/users', 'https://127.0.0.1:9/_google/')).toBe('https://127.0.0.1:9/_google/admin/admin/directory/v1/users');
  });
});

/**
 * The Entra target's side of the port that needs no network: how Graph failures are classified
 * (the breaker stops on the policy refusal only), the photo spec, and the policy messages.
 */
import { describe, expect, it } from 'vitest';
import { GraphError } from '../../../src/target/entra/errors.js';
import { connectTenant } from '../../../src/target/entra/graph.js';
import { EntraTarget, ENTRA_PHOTO_SPEC, photoTargetOf } from '../../../src/target/index.js';

const credential = { getToken: async () => ({ token: 'opaque', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const target = (delegated = false) => new EntraTarget(connectTenant({ credential, graphUrl: 'https://graph.invalid', clientId: '00000000-0000-0000-0000-000000000001', ...(delegated ? { delegated: true } : {}) }));
const graphError = (status: number, code: string, extra: { retryAfterSeconds?: number; delegated?: boolean; requestId?: string } = {}) =>
  new GraphError({ status, code, graphMessage: `${code} happened`, method: 'PUT', path: '/v1.0/users/x/photo/$value', ...extra });

describe('EntraTarget.classifyFailure', () => {
  it('403 ForbiddenByAdminEditPolicy is the photo policy refusing writes (with its request id)', () => {
    expect(target().classifyFailure(graphError(403, 'ForbiddenByAdminEditPolicy', { requestId: 'req-1' }))).toEqual({ kind: 'refused-by-policy', requestId: 'req-1' });
  });

  it('any other 403 is a missing permission, told whether an admin signed in', () => {
    expect(target().classifyFailure(graphError(403, 'Authorization_RequestDenied'))).toEqual({ kind: 'forbidden', delegated: false });
    expect(target().classifyFailure(graphError(403, 'Authorization_RequestDenied', { delegated: true }))).toEqual({ kind: 'forbidden', delegated: true });
  });

  it("429 is throttling, 503 and network failures transient, the rest fatal (Graph's rules)", () => {
    expect(target().classifyFailure(graphError(429, 'TooManyRequests', { retryAfterSeconds: 2.5 }))).toEqual({ kind: 'throttled', retryAfterSeconds: 2.5 });
    expect(target().classifyFailure(graphError(503, 'ServiceUnavailable'))).toEqual({ kind: 'transient', retryAfterSeconds: undefined });
    expect(target().classifyFailure(graphError(0, 'ECONNRESET'))).toEqual({ kind: 'transient', retryAfterSeconds: undefined });
    expect(target().classifyFailure(graphError(0, 'AbortError'))).toEqual({ kind: 'fatal' });
    expect(target().classifyFailure(graphError(400, 'ValidationWidthTooSmall'))).toEqual({ kind: 'fatal' });
    expect(target().classifyFailure(new Error('not from Graph'))).toEqual({ kind: 'fatal' });
  });
});

describe('EntraTarget', () => {
  it("names itself 'entra' (the default record names) and carries Graph's photo spec", () => {
    const entra = target();
    expect(entra.id).toBe('entra');
    expect(entra.spec).toBe(ENTRA_PHOTO_SPEC);
    expect(ENTRA_PHOTO_SPEC).toEqual({ side: 648, minSide: 96, maxBytes: 4 * 1024 * 1024, formats: ['image/jpeg'] });
  });

  it('says how it is signed in', () => {
    expect(target().signIn).toBe('app');
    expect(target(true).signIn).toBe('delegated');
  });

  it('photoTargetOf wraps a TenantClient and passes a target through', () => {
    const client = connectTenant({ credential, graphUrl: 'https://graph.invalid' });
    const wrapped = photoTargetOf(client);
    expect(wrapped).toBeInstanceOf(EntraTarget);
    expect(photoTargetOf(wrapped)).toBe(wrapped);
  });

  it("tells what to grant when the policy cannot be read: the app's permission, or the admin's own refusal", () => {
    const forbidden = graphError(403, 'Authorization_RequestDenied');
    expect(target().policy.describeReadFailure(forbidden, 'manifests/staff.yaml:17')).toMatch(/policy: at manifests\/staff\.yaml:17.*grant the app the Microsoft Graph application permission PeopleSettings\.ReadWrite\.All/);
    expect(target().policy.describeReadFailure(graphError(403, 'Authorization_RequestDenied', { delegated: true }), 'm.yaml:1')).toMatch(/refused to let the signed-in admin read it/);
    expect(target().policy.describeReadFailure(graphError(500, 'InternalServerError'), 'm.yaml:1')).toMatch(/^The photo update policy could not be read: /);
    expect(target().policy.whyUnreadable(forbidden)).toBe('reading it needs PeopleSettings.Read.All, which this app does not have');
    expect(target(true).policy.whyUnreadable(forbidden)).toMatch(/delegated PeopleSettings\.Read\.All/);
  });
});

import { describe, expect, it } from 'vitest';
import { describeNetworkFailure, isNetworkFailure, networkCause } from '../../../src/core/network.js';
import { graphErrorFromNetwork } from '../../../src/target/entra/errors.js';

/** The shape undici's fetch rejects with: "fetch failed", the socket error as cause. */
const fetchFailed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });

describe('networkCause', () => {
  it('digs the socket code out of fetch, AggregateError and MSAL wrappers', () => {
    expect(networkCause(fetchFailed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4443'), { code: 'ECONNREFUSED' })))).toMatchObject({
      code: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:4443',
      tls: false,
    });
    const aggregate = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' })], '');
    expect(networkCause(fetchFailed(aggregate)).code).toBe('ECONNREFUSED');
    const msal = Object.assign(new Error('network_error: Network request failed'), { errorCode: 'network_error', errorMessage: 'request to https://x failed, reason: self-signed certificate in certificate chain SELF_SIGNED_CERT_IN_CHAIN' });
    expect(networkCause(msal)).toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN', tls: true });
    expect(networkCause(new Error('Bad request')).code).toBeUndefined();
    // @actions/core's getIDToken keeps only the message.
    expect(networkCause(new Error('Failed to get ID Token. Error Message: unable to verify the first certificate'))).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', tls: true });
    expect(isNetworkFailure(new Error('HTTP 500'))).toBe(false);
    expect(isNetworkFailure(fetchFailed(new Error('other side closed')))).toBe(true);
  });
});

describe('describeNetworkFailure', () => {
  it('names the host, the code and what to check', () => {
    const refused = describeNetworkFailure('Entra ID', 'https://127.0.0.1:4443/tenant', fetchFailed(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4443'), { code: 'ECONNREFUSED' })));
    expect(refused).toContain('127.0.0.1:4443');
    expect(refused).toContain('ECONNREFUSED');
    expect(refused).toMatch(/running/);
    expect(refused).not.toContain('fetch failed');
    const untrusted = describeNetworkFailure('Microsoft Graph', 'https://graph.contoso.test', fetchFailed(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })));
    expect(untrusted).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE.*NODE_EXTRA_CA_CERTS/s);
    expect(untrusted).toContain('graph.contoso.test');
    const expired = describeNetworkFailure('Entra ID', 'https://login.test', fetchFailed(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })));
    expect(expired).toMatch(/CERT_HAS_EXPIRED.*expired.*clock/s);
    const dns = describeNetworkFailure('Entra ID', 'https://login.nowhere.test', fetchFailed(Object.assign(new Error('getaddrinfo ENOTFOUND login.nowhere.test'), { code: 'ENOTFOUND' })));
    expect(dns).toMatch(/ENOTFOUND.*does not resolve.*HTTPS_PROXY/s);
    const slow = describeNetworkFailure('Entra ID', 'https://login.test', fetchFailed(Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' })));
    expect(slow).toMatch(/ETIMEDOUT.*HTTPS_PROXY/s);
  });

  it('a Graph network failure names the host, the code and the hint', () => {
    const error = graphErrorFromNetwork(fetchFailed(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })), {
      method: 'GET',
      path: '/v1.0/users/a',
      host: 'graph.contoso.test',
    });
    expect(error.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(error.message).toMatch(/graph\.contoso\.test.*SELF_SIGNED_CERT_IN_CHAIN.*NODE_EXTRA_CA_CERTS/s);
    const refused = graphErrorFromNetwork(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), { method: 'GET', path: '/v1.0/users/a', host: '127.0.0.1:1' });
    expect(refused.message).toMatch(/127\.0\.0\.1:1.*ECONNREFUSED.*running/s);
  });
});

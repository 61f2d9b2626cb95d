import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/core/errors.js';
import { cloudEndpoints, isMicrosoftAuthorityHost, parseCloud } from '../../../src/target/entra/index.js';

describe('clouds', () => {
  it('knows the authority, Graph host and scope of each cloud', () => {
    expect(cloudEndpoints('global')).toEqual({
      authorityHost: 'https://login.microsoftonline.com',
      graphUrl: 'https://graph.microsoft.com',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(cloudEndpoints('usgov')).toEqual({
      authorityHost: 'https://login.microsoftonline.us',
      graphUrl: 'https://graph.microsoft.us',
      scope: 'https://graph.microsoft.us/.default',
    });
    expect(cloudEndpoints('usgov-dod')).toEqual({
      authorityHost: 'https://login.microsoftonline.us',
      graphUrl: 'https://dod-graph.microsoft.us',
      scope: 'https://dod-graph.microsoft.us/.default',
    });
    expect(cloudEndpoints('china')).toEqual({
      authorityHost: 'https://login.chinacloudapi.cn',
      graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
      scope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    });
  });

  it('applies overrides, normalising trailing slashes and a version suffix', () => {
    expect(cloudEndpoints('global', { authorityHost: 'https://127.0.0.1:8443/', graphUrl: 'https://127.0.0.1:8443/v1.0/' })).toEqual({
      authorityHost: 'https://127.0.0.1:8443',
      graphUrl: 'https://127.0.0.1:8443',
      scope: 'https://127.0.0.1:8443/.default',
    });
    expect(() => cloudEndpoints('global', { authorityHost: 'http://localhost:8080' })).toThrow(/https/);
    expect(() => cloudEndpoints('global', { graphUrl: 'not a url' })).toThrow(/not a URL/);
  });

  it('reads cloud names leniently', () => {
    expect(parseCloud(undefined)).toBe('global');
    expect(parseCloud('AzureCloud')).toBe('global');
    expect(parseCloud('GCC')).toBe('global');
    expect(parseCloud('AzureUSGovernment')).toBe('usgov');
    expect(parseCloud('us-gov')).toBe('usgov');
    expect(parseCloud('GCC High')).toBe('usgov');
    expect(parseCloud('gcc-high')).toBe('usgov');
    expect(parseCloud('usgov-dod')).toBe('usgov-dod');
    expect(parseCloud('DoD')).toBe('usgov-dod');
    expect(parseCloud('AzureChinaCloud')).toBe('china');
    expect(parseCloud('21Vianet')).toBe('china');
  });

  it('refuses an unknown cloud with the list of known ones', () => {
    let error: unknown;
    try {
      parseCloud('germany');
    } catch (caught) {
      error = caught;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(/Unknown cloud "germany".*global.*usgov.*usgov-dod.*china/s);
  });

  it('tells Microsoft authorities from others (instance discovery)', () => {
    expect(isMicrosoftAuthorityHost('https://login.microsoftonline.com')).toBe(true);
    expect(isMicrosoftAuthorityHost('https://login.chinacloudapi.cn')).toBe(true);
    expect(isMicrosoftAuthorityHost('https://127.0.0.1:8443')).toBe(false);
    expect(isMicrosoftAuthorityHost('https://login.microsoftonline.com.evil.example')).toBe(false);
  });
});

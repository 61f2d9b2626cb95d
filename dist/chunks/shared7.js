import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError } from './shared6.js';

/**
 * Microsoft's clouds and where Entra ID and Microsoft Graph live in each. Checked against
 * learn.microsoft.com/graph/deployments ("App registration and token service root endpoints",
 * "Microsoft Graph and Graph Explorer service root endpoints") and @azure/identity's
 * AzureAuthorityHosts. Note that GCC (moderate) tenants use the global endpoints; only GCC High
 * (US Gov L4) and DoD (L5) have their own.
 */
const CLOUDS = {
    global: { authorityHost: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', description: 'global (commercial, GCC)' },
    usgov: { authorityHost: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us', description: 'US Government L4 (GCC High)' },
    'usgov-dod': { authorityHost: 'https://login.microsoftonline.us', graphUrl: 'https://dod-graph.microsoft.us', description: 'US Government L5 (DoD)' },
    china: { authorityHost: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn', description: 'China (operated by 21Vianet)' },
};
const CLOUD_NAMES = Object.keys(CLOUDS);
/** Spellings people use (Azure CLI / PowerShell environment names, M365 plan names), squashed. */
const ALIASES = {
    global: 'global', public: 'global', azurecloud: 'global', azurepubliccloud: 'global', commercial: 'global',
    worldwide: 'global', azureglobal: 'global', gcc: 'global', gccmoderate: 'global', microsoftonline: 'global',
    usgov: 'usgov', usgovernment: 'usgov', azureusgovernment: 'usgov', azureusgovernmentcloud: 'usgov', azuregovernment: 'usgov',
    gcchigh: 'usgov', usgovl4: 'usgov', l4: 'usgov', usgovhigh: 'usgov', usgovernmentl4: 'usgov', government: 'usgov',
    usgovdod: 'usgov-dod', dod: 'usgov-dod', usgovl5: 'usgov-dod', l5: 'usgov-dod', gccdod: 'usgov-dod',
    azureusgovernmentdod: 'usgov-dod', usgovernmentdod: 'usgov-dod', usgovernmentl5: 'usgov-dod', dodcon: 'usgov-dod',
    china: 'china', azurechina: 'china', azurechinacloud: 'china', chinacloud: 'china', cn: 'china', '21vianet': 'china', mooncake: 'china',
};
/** Reads a user-provided cloud name leniently ('AzureUSGovernment', 'us-gov', 'GCC High', 'dod', ...). */
function parseCloud(name) {
    const squashed = (name ?? '').trim().toLowerCase().replace(/[\s_.\-()]+/g, '');
    if (squashed === '')
        return 'global';
    const cloud = ALIASES[squashed];
    if (cloud)
        return cloud;
    const known = CLOUD_NAMES.map((c) => `${c} (${CLOUDS[c].description})`).join(', ');
    throw new UserError('config', `Unknown cloud "${name}". Use one of: ${known}. A tenant on a private or test endpoint can keep cloud: global and set authority-host and graph-url instead.`);
}
function normaliseUrl(value, what) {
    let url;
    try {
        url = new URL(value.trim());
    }
    catch {
        throw new UserError('config', `${what} "${value}" is not a URL. Write it like https://login.microsoftonline.com.`);
    }
    if (url.protocol !== 'https:') {
        throw new UserError('config', `${what} "${value}" must use https: Entra ID's libraries refuse any other scheme.`);
    }
    if (url.search || url.hash)
        throw new UserError('config', `${what} "${value}" must not have a query or fragment.`);
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
function cloudEndpoints(cloud, overrides = {}) {
    const base = CLOUDS[cloud];
    if (!base)
        throw new UserError('config', `Unknown cloud "${String(cloud)}".`);
    const authorityHost = overrides.authorityHost ? normaliseUrl(overrides.authorityHost, 'authority-host') : base.authorityHost;
    const graphUrl = overrides.graphUrl ? normaliseUrl(overrides.graphUrl.replace(/\/(v1\.0|beta)\/?$/, ''), 'graph-url') : base.graphUrl;
    return { authorityHost, graphUrl, scope: overrides.scope ?? `${graphUrl}/.default` };
}
/** Entra ID hosts of Microsoft's clouds: MSAL's instance discovery knows them. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
    'login.microsoftonline.com',
    'login.microsoft.com',
    'login.windows.net',
    'sts.windows.net',
    'login.microsoftonline.us',
    'login.usgovcloudapi.net',
    'login.chinacloudapi.cn',
    'login.partner.microsoftonline.cn',
]);
function isMicrosoftAuthorityHost(authorityHost) {
    try {
        const url = new URL(authorityHost);
        return url.port === '' && MICROSOFT_AUTHORITY_HOSTS.has(url.hostname.toLowerCase());
    }
    catch {
        return false;
    }
}

export { cloudEndpoints as c, isMicrosoftAuthorityHost as i, parseCloud as p };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { U as UserError } from './shared6.js';
import { c as cliProgress } from './shared15.js';
import { l as logSafeJson } from './shared4.js';
import { w as wantsHelp, p as parseOptions, r as readFormat, a as repoDirectory } from './shared16.js';
import { e as exportTenant, a as exportJson, b as exportText } from './shared19.js';
import { r as readTarget, t as targetFromArgs, i as interruptible, T as TARGET_OPTIONS, a as TENANT_OPTIONS } from './shared18.js';
import './shared2.js';
import './shared.js';
import 'sharp';
import 'node:os';
import 'node:crypto';
import 'process';
import 'buffer';
import './shared5.js';
import 'node:zlib';
import './shared7.js';
import 'crypto';
import 'stream';
import 'util';
import 'http';
import 'fs';
import 'path';
import 'node:util';
import 'node:process';
import 'net';
import 'tls';
import 'assert';
import 'tty';
import 'https';
import 'url';
import 'events';
import 'node:http';
import 'node:https';
import 'node:stream';
import 'node:fs';
import 'node:path';
import 'child_process';
import 'node:fs/promises';
import './shared11.js';
import './shared12.js';
import './shared20.js';
import './shared21.js';

/** `entra-photos export`: adopt the tenant's existing photos into the repository. */
const EXPORT_USAGE = `Options for export (tenant options as for apply):
  --repo DIR                Repository to write into (default: current directory)
  --domain DOMAIN           Only users whose userPrincipalName ends in @DOMAIN (repeatable)
  --group ID|NAME           Only (transitive) members of this group (needs GroupMember.Read.All)
  --groups                  Export the photos of Microsoft 365 groups and teams instead of users,
                            under groups: (default manifests/exported-groups.yaml; needs GroupMember.Read.All)
  --manifest FILE           Manifest to write (default: manifests/exported.yaml)
  --photo-dir DIR           Folder under photos/ for the photos (default: exported)
  --key upn|objectId        How the manifest names users (default: upn)
  --target entra|google     Which directory to export from (default entra); google options as for
                            apply. Google keeps a 96x96 thumbnail, not the photo it was sent: an
                            export from Google adopts those thumbnails
  --force                   Replace an earlier export's manifest / ignore an interrupted one
  --format text|json
Interrupted (Ctrl-C, crash)? Run the same command again: it continues where it stopped.
Exit status: 0 complete, 1 interrupted or some users failed, 2 usage error.
`;
async function exportCommand(args, out) {
    if (wantsHelp(args)) {
        out.write(EXPORT_USAGE);
        return 0;
    }
    const values = parseOptions(args, {
        repo: { type: 'string' },
        domain: { type: 'string', multiple: true },
        group: { type: 'string' },
        groups: { type: 'boolean' },
        manifest: { type: 'string' },
        'photo-dir': { type: 'string' },
        key: { type: 'string' },
        force: { type: 'boolean' },
        format: { type: 'string' },
        ...TENANT_OPTIONS,
        ...TARGET_OPTIONS,
    }, EXPORT_USAGE);
    const format = readFormat(values.format);
    const key = values.key ?? 'upn';
    if (key !== 'upn' && key !== 'objectId')
        throw new UserError('usage', `--key must be upn or objectId, not "${key}".`);
    if (key === 'objectId' && readTarget(values.target) === 'google') {
        throw new UserError('usage', '--key objectId names Entra object ids; an export from Google names users by their primary email (--key upn, the default).');
    }
    const repo = await repoDirectory(values.repo);
    const tenant = targetFromArgs('export', values);
    return interruptible(async (signal) => {
        const result = await exportTenant({
            repo,
            ...(values.manifest ? { manifest: values.manifest } : {}),
            ...(values['photo-dir'] ? { photoDir: values['photo-dir'] } : {}),
            ...(values.domain ? { domains: values.domain } : {}),
            ...(values.group ? { group: values.group } : {}),
            ...(values.groups ? { groups: true } : {}),
            key,
            force: values.force ?? false,
            signal,
            log: format === 'text' ? (line) => out.write(`${line}\n`) : () => { },
            progress: cliProgress(),
        }, tenant);
        out.write(format === 'json' ? logSafeJson(exportJson(result), 2) + '\n' : exportText(result));
        return result.complete ? 0 : 1;
    });
}

export { EXPORT_USAGE, exportCommand };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { writeFile } from 'node:fs/promises';
import { c as cliProgress } from './shared15.js';
import { l as logSafeJson } from './shared4.js';
import path from 'node:path';
import { U as UserError } from './shared6.js';
import { C as CLI_VOCABULARY } from './shared14.js';
import { w as wantsHelp, p as parseOptions, r as readFormat, a as repoDirectory, c as checkRevisionArguments } from './shared16.js';
import { d as detectDrift, f as fixDrift, a as driftHtml, b as driftJson, c as driftText, i as inSync } from './shared17.js';
import { v as validationText, d as applySucceeded } from './shared3.js';
import { isGitRepository, defaultRemote } from './git.js';
import { t as targetFromArgs, i as interruptible, T as TARGET_OPTIONS, a as TENANT_OPTIONS } from './shared18.js';
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
import 'child_process';
import './shared13.js';
import './shared10.js';
import './shared11.js';
import './shared12.js';
import './shared8.js';
import './shared9.js';
import 'node:child_process';

/** `entra-photos drift [--fix]`: compare the tenant with a revision of the repository. */
const DRIFT_USAGE = `Options for drift (tenant options as for apply):
  --repo DIR                Repository (default: current directory)
  --head REV                Revision to compare with (default: HEAD)
  --fix                     Upload the repository's version of different and missing photos
                            (and the declared policy) through apply; the applied record is not moved
  --dry-run                 With --fix: show what would be uploaded, write nothing
  --environment NAME        The environment whose record says which users wait for an account
                            (default: every environment applied); with --fix, the one written
                            (default: default)
  --remote NAME|none        Where apply's record lives (default: origin if it exists)
  --allow-policy-lockout    With --fix: as for apply
  --threshold N             Same-photo similarity, 0..1 (default 0.975)
  --target entra|google     Which directory to compare (default entra); google options as for apply
  --html FILE               Also write a local HTML page with both photos side by side
                            (contains photos: keep it on this machine)
  --format text|json
Exit status: 0 in sync (or fixed), 1 drift found (or the fix failed), 2 usage error.
`;
async function driftCommand(args, out) {
    if (wantsHelp(args)) {
        out.write(DRIFT_USAGE);
        return 0;
    }
    const values = parseOptions(args, {
        repo: { type: 'string' },
        head: { type: 'string' },
        fix: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        environment: { type: 'string' },
        remote: { type: 'string' },
        'allow-policy-lockout': { type: 'boolean' },
        threshold: { type: 'string' },
        html: { type: 'string' },
        format: { type: 'string' },
        ...TENANT_OPTIONS,
        ...TARGET_OPTIONS,
    }, DRIFT_USAGE);
    const format = readFormat(values.format);
    let threshold;
    if (values.threshold !== undefined) {
        threshold = Number(values.threshold);
        if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1)
            throw new UserError('usage', `--threshold must be a number between 0 and 1 (e.g. 0.975), not "${values.threshold}".`);
    }
    const repo = await repoDirectory(values.repo);
    if (!(await isGitRepository(repo))) {
        throw new UserError('usage', `${repo} is not a git repository. drift compares a commit of your photos repository with the tenant: run it in a clone (or pass --repo).`);
    }
    await checkRevisionArguments(repo, { '--head': values.head });
    const tenant = targetFromArgs('drift', values);
    const log = format === 'text' ? (line) => out.write(`${line}\n`) : () => { };
    const remoteName = values.remote ?? (await defaultRemote(repo)) ?? 'none';
    const remote = remoteName === 'none' ? undefined : remoteName;
    // Users apply left waiting for an account are reported apart, not as drift.
    const waitingRecord = { ...(remote ? { remote } : {}), ...(values.environment ? { environment: values.environment } : {}) };
    return interruptible(async (signal) => {
        const result = await detectDrift({ repo, ...(values.head ? { head: values.head } : {}), ...(threshold !== undefined ? { threshold } : {}), thumbnails: values.html !== undefined, signal, log, progress: cliProgress(), waitingRecord }, tenant);
        if (result.validation.findings.some((f) => f.severity === 'error')) {
            out.write(validationText(result.validation));
            out.write('The repository does not validate: drift was not checked. Fix the findings above first.\n');
            return 1;
        }
        const fix = values.fix
            ? await fixDrift(result, { repo, environment: values.environment ?? 'default', ...(remote ? { remote } : {}), dryRun: values['dry-run'] ?? false, allowPolicyLockout: values['allow-policy-lockout'] ?? false, words: CLI_VOCABULARY, signal, log, progress: cliProgress() }, tenant)
            : undefined;
        if (values.html) {
            await writeFile(path.resolve(values.html), driftHtml(result, fix), { mode: 0o600 });
            if (format === 'text')
                out.write(`Wrote ${values.html} (photos side by side; keep it on this machine).\n`);
        }
        out.write(format === 'json' ? logSafeJson(driftJson(result, fix), 2) + '\n' : driftText(result, fix, CLI_VOCABULARY));
        if (fix?.record === 'dry-run')
            return 1;
        if (fix)
            return applySucceeded(fix) && !result.cancelled && result.users.every((u) => u.status !== 'unresolved' && u.status !== 'error') ? 0 : 1;
        return inSync(result) ? 0 : 1;
    });
}

export { DRIFT_USAGE, driftCommand };

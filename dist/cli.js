#!/usr/bin/env node
import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { e as applyJson, v as validationText, f as applyText, d as applySucceeded, g as countFindings, h as validationJson, i as applyRevision } from './chunks/shared3.js';
import { L as LogSafeWriter, l as logSafeJson } from './chunks/shared4.js';
import { c as cliProgress } from './chunks/shared15.js';
import { U as UserError, i as isUserError } from './chunks/shared6.js';
import { C as CLI_VOCABULARY } from './chunks/shared14.js';
import { u as undeclaredTargetNote, t as targetPlansJson, p as planJson, a as planUnavailableJson, b as plansText, c as planUnavailableText } from './chunks/shared24.js';
import { d as declaredTargets, u as undeclaredAppliedTargets, p as planRevisions } from './chunks/shared25.js';
import { p as provenanceFromEnv } from './chunks/shared9.js';
import { defaultRemote } from './chunks/git.js';
import { c as readUnknownUsers, r as readTarget, t as targetFromArgs, i as interruptible, T as TARGET_OPTIONS, a as TENANT_OPTIONS, s as setSignInOutput } from './chunks/shared18.js';
import { w as wantsHelp, p as parseOptions, r as readFormat, a as repoDirectory, c as checkRevisionArguments } from './chunks/shared16.js';
import { W as WorktreeSnapshot } from './chunks/shared21.js';
import { v as validateRepository } from './chunks/shared2.js';
import './chunks/shared.js';
import 'sharp';
import 'node:os';
import 'node:crypto';
import 'process';
import 'buffer';
import './chunks/shared5.js';
import './chunks/shared8.js';
import './chunks/shared10.js';
import 'node:zlib';
import 'node:fs';
import 'node:fs/promises';
import 'node:path';
import './chunks/shared11.js';
import './chunks/shared12.js';
import './chunks/shared13.js';
import 'node:child_process';
import 'node:util';
import './chunks/shared7.js';
import 'crypto';
import 'stream';
import 'util';
import 'http';
import 'fs';
import 'path';
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
import 'child_process';

/** Exit codes: 0 clean, 1 findings with errors (or a failed apply), 2 usage or internal error. */
const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;
const USAGE = `Usage: entra-photos <command> [options]

Commands:
  validate   Check manifests and photos (what a pull request check runs)
  plan       Show what a change will do to the tenant: uploads, removals, policy
  apply      Push the change since the last applied revision to the tenant (GitHub OIDC)
  drift      Compare the tenant with the repository (photos perceptually, policy); --fix repairs
  export     Adopt the tenant's existing photos into the repository (resumable)
  import     Turn a photographer's delivery (PSPA INDEX.TXT, or CSV id,file) into photos + manifest
  init       Scaffold a photos repository: manifests, photos, workflows, CODEOWNERS, schema
  doctor     Check the setup (sign-in, permissions, users, policy, workflows) without writing
  history    Who changed a person's photo, who approved it, when it was applied (log: everyone)
  emulator   Run the local tenant emulator (Entra ID, Microsoft Graph, GitHub OIDC, Google Workspace on 127.0.0.1)

Options for validate (every manifest and photo of the working tree; plan checks only changes):
  --repo DIR            Repository to check (default: current directory)
  --all                 Accepted for symmetry with plan: validate always decodes every photo
  --format text|json    Output format (default: text)

Options for plan:
  --repo DIR            Repository (default: current directory)
  --base REV            Revision the tenant is at (default: none, everything is new)
  --head REV            Revision to plan (default: the working tree)
  --prune               Removals will delete photos (they are shown either way)
  --all                 Decode every photo, not only changed ones
  --format text|json    Output format (default: text)

Options for apply (defaults from ENTRA_PHOTOS_* variables, which 'emulator' prints):
  --repo DIR                Repository (default: current directory)
  --head REV                Revision to apply (default: HEAD)
  --environment NAME        Record name: tag entra-photos/applied/NAME (default: default)
  --remote NAME|none        Where the record lives (default: origin if it exists)
  --tenant-id ID  --client-id ID  --cloud NAME  --authority-host URL  --graph-url URL
  --auth KIND               How to sign in: github-oidc (the app, by the job's OIDC token; the
                            default in GitHub Actions), azure-cli (az login), device-code, browser
                            (as the admin at the keyboard). Outside Actions the default tries the
                            Azure CLI, then device code. See docs/setup.md "Sign in from a laptop"
  --audience AUD            OIDC audience for github-oidc (default: api://AzureADTokenExchange)
  --prune  --dry-run  --allow-policy-lockout
  --unknown-users pending|fail
                            A user the tenant lacks (or a disabled one): wait for the account
                            (pending, the default: the rest lands and later runs retry it) or fail
  --target entra|google     Which directory (default entra); google needs targets: [.., google]
                            in the manifests and keeps its record under entra-photos/google/
  --google-workload-identity-provider NAME  --google-service-account EMAIL
  --google-admin-subject EMAIL  --google-customer ID  --google-endpoint URL
                            Google's keyless sign-in with the job's OIDC token (as the action's
                            google-* inputs; ENTRA_PHOTOS_GOOGLE_* variables likewise)
  --format text|json

Options for init, drift, export, import, doctor and history: entra-photos <command> --help, or docs/commands.md.

  -h, --help            Show this help
  -v, --version         Show the version
`;
async function main(argv, stdout = process.stdout, stderr = process.stderr) {
    // The CLI runs in workflow steps too: what it prints is read by the runner, so every line it
    // writes is neutralised (src/core/untrusted.ts), whatever the command.
    const out = new LogSafeWriter(stdout);
    const err = new LogSafeWriter(stderr);
    setSignInOutput(err);
    try {
        const [command, ...rest] = argv;
        // validate, plan and apply are described in the general usage; the others have their own.
        if ((command === 'validate' || command === 'plan' || command === 'apply') && wantsHelp(rest)) {
            out.write(USAGE);
            return EXIT_OK;
        }
        switch (command) {
            case 'validate':
                return await validateCommand(rest, out);
            case 'plan':
                return await planCommand(rest, out);
            case 'apply':
                return await applyCommand(rest, out);
            case 'drift':
                return await (await import('./chunks/driftCommand.js')).driftCommand(rest, out);
            case 'export':
                return await (await import('./chunks/exportCommand.js')).exportCommand(rest, out);
            case 'import':
                return await (await import('./chunks/importCommand.js')).importCommand(rest, out);
            case 'init':
                return await (await import('./chunks/initCommand.js')).initCommand(rest, out);
            case 'doctor':
                return await (await import('./chunks/doctorCommand.js')).doctorCommand(rest, out);
            case 'history':
                return await (await import('./chunks/historyCommand.js')).historyCommand(rest, out);
            case 'log':
                return await (await import('./chunks/historyCommand.js')).historyCommand(rest, out, true);
            case 'emulator': {
                const { runEmulatorCommand } = await import('./chunks/command.js');
                return await runEmulatorCommand(rest);
            }
            case '-v':
            case '--version':
                out.write(`entra-photos ${VERSION}\n`);
                return EXIT_OK;
            case undefined:
            case '-h':
            case '--help':
            case 'help':
                out.write(USAGE);
                return command === undefined ? EXIT_USAGE : EXIT_OK;
            default:
                throw new UserError('usage', `Unknown command "${command}".\n\n${USAGE}`);
        }
    }
    catch (e) {
        if (isUserError(e)) {
            err.write(`entra-photos: ${e.message}\n`);
            return e.kind === 'usage' || e.kind === 'config' ? EXIT_USAGE : EXIT_FINDINGS;
        }
        err.write(`entra-photos: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        return EXIT_USAGE;
    }
    finally {
        out.flush();
        err.flush();
    }
}
const VERSION = "0.1.0" ;
async function validateCommand(args, out) {
    const values = parseOptions(args, {
        repo: { type: 'string' },
        all: { type: 'boolean' },
        format: { type: 'string' },
    }, USAGE);
    const format = readFormat(values.format);
    const repo = await repoDirectory(values.repo);
    const result = await validateRepository(new WorktreeSnapshot(repo), format === 'text' ? { progress: { ...cliProgress(), log: (line) => out.write(`${line}\n`) } } : {});
    out.write(format === 'json' ? logSafeJson(validationJson(result), 2) + '\n' : validationText(result));
    return countFindings(result.findings).errors > 0 ? EXIT_FINDINGS : EXIT_OK;
}
async function planCommand(args, out) {
    const values = parseOptions(args, {
        repo: { type: 'string' },
        base: { type: 'string' },
        head: { type: 'string' },
        prune: { type: 'boolean' },
        all: { type: 'boolean' },
        format: { type: 'string' },
    }, USAGE);
    const format = readFormat(values.format);
    const repo = await repoDirectory(values.repo);
    await checkRevisionArguments(repo, { '--base': values.base, '--head': values.head });
    const { plan, validation, available, targets, targetChanges } = await planRevisions(repo, {
        ...(values.base !== undefined ? { base: values.base } : {}),
        ...(values.head !== undefined ? { head: values.head } : {}),
        all: values.all ?? false,
        prune: values.prune ?? false,
        ...(format === 'text' ? { progress: { ...cliProgress(), log: (line) => out.write(`${line}\n`) } } : {}),
    });
    const errors = countFindings(validation.findings).errors;
    if (format === 'json') {
        const json = available ? { ...planJson(plan), ...targetPlansJson(targets, targetChanges) } : planUnavailableJson(plan, errors);
        out.write(logSafeJson({ ...json, validation: validationJson(validation) }, 2) + '\n');
    }
    else {
        if (validation.findings.length)
            out.write(validationText(validation) + '\n');
        out.write(available ? plansText(plan, targets, { targetChanges, words: CLI_VOCABULARY }) : planUnavailableText(errors));
    }
    return errors > 0 ? EXIT_FINDINGS : EXIT_OK;
}
async function applyCommand(args, out) {
    const values = parseOptions(args, {
        repo: { type: 'string' },
        head: { type: 'string' },
        environment: { type: 'string' },
        remote: { type: 'string' },
        prune: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'allow-policy-lockout': { type: 'boolean' },
        'unknown-users': { type: 'string' },
        format: { type: 'string' },
        ...TENANT_OPTIONS,
        ...TARGET_OPTIONS,
    }, USAGE);
    const format = readFormat(values.format);
    const unknownUsers = readUnknownUsers(values['unknown-users']);
    const repo = await repoDirectory(values.repo);
    await checkRevisionArguments(repo, { '--head': values.head });
    const declared = await declaredTargets(repo, values.head ?? 'HEAD');
    const target = readTarget(values.target);
    if (target !== 'entra' && !declared.names.includes(target)) {
        throw new UserError('usage', `--target ${target}: the manifests of ${values.head ?? 'HEAD'} do not declare it (targets: [${declared.names.join(', ')}]${declared.at ? ` at ${declared.at}` : ', the default'}). Add it to targets: in a manifest first, so the pull request's plan shows it.`);
    }
    const tenant = targetFromArgs('apply', values);
    const remote = values.remote ?? (await defaultRemote(repo)) ?? 'none';
    // A target the head no longer declares is left as it is: said when it was applied before.
    if (format === 'text')
        for (const undeclared of await undeclaredAppliedTargets(repo, [...declared.names, target], remote !== 'none' ? remote : undefined))
            out.write(`${undeclaredTargetNote(undeclared, declared)}\n`);
    const result = await interruptible((signal) => applyRevision({
        repo,
        head: values.head ?? 'HEAD',
        environment: values.environment ?? 'default',
        ...(remote !== 'none' ? { remote } : {}),
        prune: values.prune ?? false,
        dryRun: values['dry-run'] ?? false,
        allowPolicyLockout: values['allow-policy-lockout'] ?? false,
        words: CLI_VOCABULARY,
        unknownUsers,
        provenance: provenanceFromEnv(process.env),
        signal,
        log: format === 'text' ? (line) => out.write(`${line}\n`) : () => { },
        progress: cliProgress(),
    }, tenant));
    if (format === 'json')
        out.write(logSafeJson(applyJson(result), 2) + '\n');
    else {
        if (result.validation.findings.length)
            out.write(validationText(result.validation));
        out.write(applyText(result));
    }
    return applySucceeded(result) ? EXIT_OK : EXIT_FINDINGS;
}

// The CLI's entry point (bin `entra-photos`, built to dist/cli.js).
process.exitCode = await main(process.argv.slice(2));

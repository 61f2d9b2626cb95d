import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { C as CLI_VOCABULARY } from './shared14.js';
import { a as parseAuthKind, D as DEFAULT_OIDC_AUDIENCE } from './shared2.js';
import { d as doctorText, a as diagnose } from './shared22.js';
import { w as wantsHelp, p as parseOptions, a as repoDirectory } from './shared16.js';
import { b as tenantFromArgs, i as interruptible, T as TARGET_OPTIONS, a as TENANT_OPTIONS, t as targetFromArgs } from './shared18.js';
import './shared4.js';
import './shared.js';
import 'sharp';
import 'node:os';
import 'node:crypto';
import 'process';
import 'buffer';
import './shared5.js';
import 'node:zlib';
import './shared6.js';
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
import './shared13.js';
import './shared10.js';
import './shared21.js';

/** `entra-photos doctor`: the CLI's edge of src/doctor/doctor.ts (checks a setup, writes nothing). */
const DOCTOR_USAGE = `Usage: entra-photos doctor [options]   (tenant options as for apply)

Checks the setup without writing anything: sign-in (for GitHub OIDC, the subject and audience the
token presents), the Graph permissions the app has (by harmless reads), whether every manifest key
resolves to a user, the tenant's photo policy and whether it lets this app write photos, whether
the repository is private (only inside GitHub Actions), and whether .github/workflows grant what
each mode needs (apply and drift need "permissions: id-token: write").

  --repo DIR                Repository (default: current directory)
  --tenant-id ID  --client-id ID  --cloud NAME  --authority-host URL  --graph-url URL
  --auth KIND  --audience AUD
  --google-workload-identity-provider …  --google-service-account …  (as for apply; checked
                            when the manifests declare targets: [.., google])
Exit status: 0 ready, 1 problems found (a numbered list, fix them in order), 2 usage error.
`;
async function doctorCommand(args, out, env = process.env) {
    if (wantsHelp(args)) {
        out.write(DOCTOR_USAGE);
        return 0;
    }
    const values = parseOptions(args, { repo: { type: 'string' }, ...TENANT_OPTIONS, ...TARGET_OPTIONS }, DOCTOR_USAGE);
    const repo = await repoDirectory(values.repo);
    const tenant = tenantFromArgs('doctor', values, env);
    const inActions = env.GITHUB_ACTIONS === 'true' || Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    const auth = parseAuthKind(values.auth ?? env.ENTRA_PHOTOS_AUTH) ?? (inActions ? 'github-oidc' : undefined);
    const report = await interruptible(() => diagnose({ repo, tenant, env, words: CLI_VOCABULARY, google: () => targetFromArgs('doctor', { ...values, target: 'google' }, env), ...(auth === 'github-oidc' ? { githubOidc: { audience: values.audience ?? DEFAULT_OIDC_AUDIENCE } } : auth ? { authLabel: auth } : {}) }));
    out.write(doctorText(report));
    return report.problems.length === 0 ? 0 : 1;
}

export { DOCTOR_USAGE, doctorCommand };

import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { i as isGuid } from './shared5.js';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { p as printable, m as manifestSchema } from './shared4.js';
import { U as UserError } from './shared6.js';
import { p as parseCloud } from './shared7.js';
import { b as parseWithPositionals } from './shared16.js';
import 'node:util';

/**
 * `entra-photos init [DIR]`: scaffolds a photos repository (manifests, photos, workflows,
 * CODEOWNERS, README, the manifest JSON Schema, optionally Git LFS attributes). Every file is a
 * template in this module (or the schema the bundle already carries), so the built CLI needs
 * nothing next to it. Existing files are never overwritten without --force; a refusal writes
 * nothing at all and names every file in the way.
 */
/**
 * The action version the generated workflows pin: the moving major tag the release workflow
 * (.github/workflows/release.yml) updates. A test keeps it equal to package.json's major.
 */
const ACTION_REF = 'entra-photos/entra-photos@v0';
/** Where the schema goes: manifests/*.yaml say `$schema=../schema/manifest.schema.json`. */
const SCHEMA_PATH = 'schema/manifest.schema.json';
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const INIT_USAGE = `Usage: entra-photos init [DIR] [options]

Scaffolds a photos repository in DIR (default: the current directory; created if missing):
manifests/ with a commented example, photos/, .github/workflows/ (pull request check, apply on
push to main, nightly drift, export by hand), .github/CODEOWNERS, README.md, and ${SCHEMA_PATH}
(editor completion for manifests). Existing files are not overwritten without --force.

Options:
  --tenant-id ID             Directory (tenant) ID (default: a placeholder to replace)
  --client-id ID             Application (client) ID of the app registration (default: a placeholder)
  --drift-client-id ID       App used by the read-only nightly drift (default: --client-id)
  --environment NAME         Protected GitHub environment of apply (default: production)
  --drift-environment NAME   Environment of the read-only drift, without reviewers
                             (default: NAME-drift)
  --cloud NAME               global (default), usgov (GCC High), usgov-dod, china
  --owners LIST              CODEOWNERS owners, e.g. "@contoso/it-admins" (default: a placeholder)
  --lfs                      Also write .gitattributes storing photos with Git LFS
  --force                    Overwrite files that already exist
  -h, --help                 Show this help
`;
/** GitHub allows more in environment names; this subset is safe in YAML, tags and OIDC subjects. */
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** `@user`, `@org/team` or an e-mail address, separated by spaces. */
const OWNER = /^(@[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?|[^\s@]+@[^\s@]+\.[^\s@]+)$/;
const PLACEHOLDER_OWNERS = '@YOUR-ORG/photo-admins';
/** Parses init's arguments: at most one positional DIR, strict options, values checked. */
function parseInitArgs(args) {
    const { values, positionals } = parseWithPositionals(args, {
        'tenant-id': { type: 'string' },
        'client-id': { type: 'string' },
        'drift-client-id': { type: 'string' },
        environment: { type: 'string' },
        'drift-environment': { type: 'string' },
        cloud: { type: 'string' },
        owners: { type: 'string' },
        lfs: { type: 'boolean' },
        force: { type: 'boolean' },
    }, INIT_USAGE);
    if (positionals.length > 1) {
        throw new UserError('usage', `init takes one directory, not ${positionals.length} (${positionals.map((p) => printable(p)).join(', ')}).\n\n${INIT_USAGE}`);
    }
    const guid = (name, value) => {
        if (value === undefined)
            return undefined;
        if (!isGuid(value.trim())) {
            throw new UserError('usage', `--${name} must be a GUID like 0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01 (the app registration's Overview page shows it), not "${printable(value)}".`);
        }
        return value.trim().toLowerCase();
    };
    const environmentName = (name, value) => {
        if (!ENVIRONMENT.test(value)) {
            throw new UserError('usage', `--${name} "${printable(value)}" is not a usable environment name: use letters, digits, "-", "_" and "." (at most 100), starting with a letter or digit.`);
        }
        return value;
    };
    const environment = environmentName('environment', values.environment ?? 'production');
    const driftEnvironment = environmentName('drift-environment', values['drift-environment'] ?? `${environment}-drift`);
    if (driftEnvironment.toLowerCase() === environment.toLowerCase()) {
        throw new UserError('usage', `--drift-environment must differ from --environment ("${environment}"): the nightly read-only drift must not wait for the reviewers who approve applies.`);
    }
    let cloud;
    try {
        cloud = parseCloud(values.cloud ?? 'global');
    }
    catch (e) {
        throw new UserError('usage', `--cloud: ${e.message}`);
    }
    const owners = (values.owners ?? PLACEHOLDER_OWNERS).trim().split(/[\s,]+/).filter(Boolean);
    const badOwner = owners.find((o) => !OWNER.test(o));
    if (owners.length === 0 || badOwner !== undefined) {
        throw new UserError('usage', `--owners takes GitHub users or teams (@user, @org/team) or e-mail addresses, separated by spaces${badOwner !== undefined ? `, not "${printable(badOwner)}"` : ''}.`);
    }
    const clientId = guid('client-id', values['client-id']) ?? PLACEHOLDER_ID;
    return {
        dir: path.resolve(positionals[0] ?? '.'),
        force: values.force ?? false,
        options: {
            tenantId: guid('tenant-id', values['tenant-id']) ?? PLACEHOLDER_ID,
            clientId,
            driftClientId: guid('drift-client-id', values['drift-client-id']) ?? clientId,
            environment,
            driftEnvironment,
            cloud,
            owners: owners.join(' '),
            lfs: values.lfs ?? false,
        },
    };
}
const DEFAULT_INIT_OPTIONS = {
    tenantId: PLACEHOLDER_ID,
    clientId: PLACEHOLDER_ID,
    driftClientId: PLACEHOLDER_ID,
    environment: 'production',
    driftEnvironment: 'production-drift',
    cloud: 'global',
    owners: PLACEHOLDER_OWNERS,
    lfs: false,
};
/** The files init writes, repository-relative path → content. Pure. */
function initFiles(options) {
    const files = new Map();
    files.set('manifests/photos.yaml', exampleManifest());
    files.set('photos/README.md', photosReadme());
    files.set(SCHEMA_PATH, `${JSON.stringify(manifestSchema, null, 2)}\n`);
    files.set('.github/workflows/photos-pull-request.yml', pullRequestWorkflow());
    files.set('.github/workflows/photos-apply.yml', applyWorkflow(options));
    files.set('.github/workflows/photos-drift.yml', driftWorkflow(options));
    files.set('.github/workflows/photos-export.yml', exportWorkflow(options));
    files.set('.github/CODEOWNERS', codeowners(options));
    files.set('README.md', repositoryReadme(options));
    if (options.lfs)
        files.set('.gitattributes', lfsAttributes());
    return files;
}
async function initCommand(args, out) {
    if (args.includes('--help') || args.includes('-h')) {
        out.write(INIT_USAGE);
        return 0;
    }
    const { dir, force, options } = parseInitArgs(args);
    const st = await lstat(dir).catch(() => undefined);
    if (st && !st.isDirectory())
        throw new UserError('usage', `${printable(dir)} exists and is not a directory.`);
    const files = initFiles(options);
    const existing = [];
    for (const rel of files.keys()) {
        const target = await lstat(path.join(dir, rel)).catch(() => undefined);
        if (target) {
            if (target.isDirectory())
                throw new UserError('guard', `${rel} is a directory in ${printable(dir)}; init needs to write a file there. Move it away first.`);
            existing.push(rel);
        }
    }
    if (existing.length > 0 && !force) {
        throw new UserError('guard', `init did not write anything: ${existing.length} file(s) already exist in ${printable(dir)}:\n${existing.map((f) => `  ${f}`).join('\n')}\nMove them away, or run again with --force to overwrite them.`);
    }
    for (const [rel, content] of files) {
        const abs = path.join(dir, rel);
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, content);
    }
    const overwritten = new Set(existing);
    out.write(`Scaffolded a photos repository in ${printable(dir)}:\n`);
    for (const rel of files.keys())
        out.write(`  ${overwritten.has(rel) ? 'overwrote' : 'wrote    '} ${rel}\n`);
    out.write(nextSteps(options));
    return 0;
}
function nextSteps(o) {
    const todo = [];
    if (o.tenantId === PLACEHOLDER_ID || o.clientId === PLACEHOLDER_ID) {
        todo.push('Put the tenant id and client id of your app registration into .github/workflows/photos-apply.yml, photos-drift.yml and photos-export.yml (or run init again with --tenant-id and --client-id --force).');
    }
    if (o.owners === PLACEHOLDER_OWNERS)
        todo.push(`Replace ${PLACEHOLDER_OWNERS} in .github/CODEOWNERS with the team that reviews photos.`);
    todo.push('Add entries to manifests/photos.yaml and portraits under photos/, then check them: entra-photos validate');
    todo.push(`Create the GitHub environments "${o.environment}" (required reviewers, main only) and "${o.driftEnvironment}" (no reviewers, main only), and one federated credential for each (docs/setup.md).`);
    todo.push('Protect main: require a pull request and the status check "Validate photos" (the job name, not the workflow name).');
    return `\nNext:\n${todo.map((t, i) => `  ${i + 1}. ${t}`).join('\n')}\n`;
}
// ---- templates ---------------------------------------------------------------------------------
function exampleManifest() {
    return `# yaml-language-server: $schema=../${SCHEMA_PATH}
# Who gets which photo. Every manifests/*.yaml file is merged, so split them as you like
# (staff.yaml, students-2026.yaml, ...). A user may appear in only one entry across all files.
version: 1
photoRoot: photos        # photo paths below are relative to this folder; they must stay inside it
# crop: attention        # how non-square photos become square: centre (default) or attention (the face)

# Replace [] with one entry per user, like these:
users: []
#  - user: ada@contoso.edu          # userPrincipalName, mail, or object id (GUID)
#    name: Ada Lovelace             # optional, for reviewers: shown beside the key in plans and reports
#    photo: staff/ada.jpg
#  - employeeId: "10023"            # school roster / HR number; quote it so leading zeros are kept
#    photo: students/10023.jpg
#    crop: attention                # per-photo override

# Optional: the tenant's photo update policy (photoUpdateSettings), at most one across all manifests.
# Read "Directory role, only under allowedRoles" in the setup guide before restricting roles.
# policy:
#   source: cloud                   # cloud | onPremises (onPremises stops all cloud photo writes)
#   allowedRoles: [User Administrator]
`;
}
function photosReadme() {
    return `# Photos

Portraits go here (JPEG, PNG, WebP, AVIF, TIFF or the first frame of a GIF), in any folders you
like, e.g. \`staff/ada.jpg\` or \`students/10023.jpg\`. A photo is used once a manifest in
\`manifests/\` names it; a photo no manifest names is reported as a warning.

Square photos of at least 648 × 648 pixels work best. Others are cropped to a square and resized;
anything under 96 pixels is refused. Location (GPS) and other metadata are stripped before
upload, but they stay in the git history: strip them before you commit.

Files named README or ending in .md or .txt are not photos and are never reported.
`;
}
function lfsAttributes() {
    const extensions = ['jpg', 'jpeg', 'png', 'webp', 'avif', 'tif', 'tiff', 'gif'];
    const lines = extensions.flatMap((ext) => [ext, ext.toUpperCase()]).map((ext) => `photos/**/*.${ext} filter=lfs diff=lfs merge=lfs -text`);
    return `# Photos are stored with Git LFS (run "git lfs install" once per machine). Every workflow checks
# out with "lfs: true"; without it, validation refuses the LFS pointer files and says so.
${lines.join('\n')}
`;
}
function codeowners(o) {
    return `# Who must review changes (enable "Require review from Code Owners" in the branch protection of
# main). Replace the owners with the team that approves photos and the one that owns the setup.
/manifests/   ${o.owners}
/photos/      ${o.owners}
/schema/      ${o.owners}
/.github/     ${o.owners}
`;
}
function tenantInputs(o, clientId, indent) {
    const lines = [
        `# Not secrets: the Directory (tenant) ID and Application (client) ID of the app registration.${o.tenantId === PLACEHOLDER_ID || clientId === PLACEHOLDER_ID ? ' Replace the zeros.' : ''}`,
        `tenant-id: ${o.tenantId}`,
        `client-id: ${clientId}`,
    ];
    if (o.cloud !== 'global')
        lines.push(`cloud: ${o.cloud}`);
    return lines.map((l) => `${indent}${l}`).join('\n');
}
function pullRequestWorkflow() {
    return `# Every pull request is validated and planned (who gets a new photo, who is replaced, what
# happens to the policy). No tenant credentials are involved, so pull requests from forks are
# checked too (their plan is in the job summary: forks cannot comment).
#
# Branch protection on main (Settings → Branches, or a ruleset): require the status check
# "Validate photos". GitHub lists a check under its JOB name (the \`name:\` of the job below),
# not under this workflow's name: if you rename the job, update the rule.
#
# There is deliberately no \`paths:\` filter. A required check whose workflow does not run never
# reports, so a pull request that touches only other files (README, workflows) could never merge.
# A pull request that changes no manifest or photo is checked in seconds: only photos a change
# touches are decoded.
name: Photos — check pull request

on:
  pull_request:

permissions:
  contents: read          # read the repository (the action fetches the base it plans against)
  pull-requests: write    # one sticky plan comment, updated on every push

concurrency:
  group: photos-pr-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

jobs:
  validate:
    name: Validate photos   # the required status check (see above)
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v5
        with:
          lfs: true         # photos stored with Git LFS are checked, not their pointer files
      - name: Validate and plan
        uses: ${ACTION_REF}
        with:
          mode: validate
`;
}
function applyWorkflow(o) {
    return `# A merge to main applies exactly the reviewed change to the tenant, through GitHub OIDC and a
# federated credential on the app registration: there is no secret anywhere. The job runs in the
# protected environment "${o.environment}", so its reviewers approve before anything is written.
# The federated credential's subject: repo:OWNER/REPO:environment:${o.environment}
name: Photos — apply to the tenant

on:
  push:
    branches: [main]
    paths: ['manifests/**', 'photos/**']   # not a required check: a filter is fine here
  workflow_dispatch:        # re-run by hand to finish an interrupted or failed apply, or to
                            # upload users who were waiting for an account that now exists

permissions:
  contents: write   # record the applied revision (tag) and progress (git notes)
  id-token: write   # request the GitHub OIDC token exchanged for a Graph token

# One apply at a time per environment; a newer push waits instead of racing the running one.
concurrency:
  group: photos-apply-${o.environment}
  cancel-in-progress: false

jobs:
  apply:
    runs-on: ubuntu-latest
    environment: ${o.environment}
    timeout-minutes: 360
    steps:
      - uses: actions/checkout@v5
        with:
          lfs: true
      - name: Apply
        id: apply
        uses: ${ACTION_REF}
        with:
          mode: apply
${tenantInputs(o, o.clientId, '          ')}
          # prune: 'true'         # delete photos of users removed from the manifests
      - name: Report
        if: always()
        env:
          UPLOADED: \${{ steps.apply.outputs.uploaded }}
          FAILED: \${{ steps.apply.outputs.failed }}
          REVISION: \${{ steps.apply.outputs.applied-revision }}
        run: echo "uploaded=$UPLOADED failed=$FAILED applied=$REVISION"
`;
}
function driftWorkflow(o) {
    const sameApp = o.driftClientId === o.clientId;
    return `# Nightly drift check: does the tenant still hold the photos and the photo policy this
# repository declares? Someone may have changed a photo in Teams or Outlook, or an upload may
# have failed silently. The job fails (and notifies) when anything differs; its summary lists who
# differs (the tenant's photo never leaves the job).
#
# Two environments, on purpose:
# - "${o.driftEnvironment}" for the nightly, read-only check: NO required reviewers (otherwise
#   it waits for an approval every night), deployment branches: main only. Its own federated
#   credential (subject repo:OWNER/REPO:environment:${o.driftEnvironment}) ${sameApp
        ? `on the same app
#   registration. For least privilege, register a second app with only ProfilePhoto.Read.All,
#   User.Read.All (and PeopleSettings.Read.All with policy:) and put its client id in the drift job.`
        : `on a separate,
#   read-only app registration (ProfilePhoto.Read.All, User.Read.All, PeopleSettings.Read.All).`}
# - "${o.environment}" (the protected one, with reviewers) only for "fix", which writes photos:
#   run this workflow by hand with fix ticked, and approve it like an apply.
name: Photos — drift

on:
  schedule:
    - cron: '17 5 * * *' # every day at 05:17 UTC
  workflow_dispatch:
    inputs:
      fix:
        description: Upload the repository's version of every drifted photo (needs approval)
        type: boolean
        default: false

permissions:
  contents: read
  id-token: write   # request the GitHub OIDC token exchanged for a Graph token

jobs:
  drift:
    if: \${{ !(github.event_name == 'workflow_dispatch' && inputs.fix) }}
    runs-on: ubuntu-latest
    environment: ${o.driftEnvironment}   # read-only, no reviewers (see above)
    timeout-minutes: 120
    concurrency:
      group: photos-drift-${o.environment}
      cancel-in-progress: false
    steps:
      - uses: actions/checkout@v5
        with:
          lfs: true
      - uses: ${ACTION_REF}
        with:
          mode: drift
${tenantInputs(o, o.driftClientId, '          ')}

  fix:
    if: \${{ github.event_name == 'workflow_dispatch' && inputs.fix }}
    runs-on: ubuntu-latest
    environment: ${o.environment}   # writes photos: the apply environment's reviewers approve
    timeout-minutes: 360
    permissions:
      contents: write   # the write lease (tag entra-photos/lock/${o.environment}) shared with apply
      id-token: write
    steps:
      - uses: actions/checkout@v5
        with:
          lfs: true
      - uses: ${ACTION_REF}
        with:
          mode: drift
          fix: 'true'
${tenantInputs(o, o.clientId, '          ')}
`;
}
function exportWorkflow(o) {
    return `# Adopt the photos the tenant already has, without a CLI: Actions → "Photos — export from the
# tenant" → Run workflow. The job signs in like apply (environment "${o.environment}", so its
# reviewers approve the run), downloads the photos of the users no manifest declares yet, commits
# them on a new branch entra-photos/export/RUN_ID and opens a pull request, which then goes
# through the normal check, review and apply. Nothing to adopt: no branch, no pull request.
#
# Two GitHub facts (docs/setup.md, "Adopting existing photos from GitHub"):
# - GitHub refuses pull requests from the workflow's token unless Settings → Actions → General →
#   "Allow GitHub Actions to create and approve pull requests" is on. Off: the branch is still
#   pushed and the job says how to open the pull request by hand.
# - GitHub does not start the pull-request check by itself for a pull request this token opens:
#   approve the waiting check in the pull request, or close and reopen it. A GitHub App token in
#   github-token avoids both.
name: Photos — export from the tenant

on:
  workflow_dispatch:
    inputs:
      domain:
        description: Only users whose userPrincipalName ends in @DOMAIN (several separated by commas; empty for all)
        type: string
        default: ''
      group:
        description: Only members of this group, by object id or display name (needs GroupMember.Read.All)
        type: string
        default: ''

permissions:
  contents: write         # push the export branch
  pull-requests: write    # open its pull request
  id-token: write         # request the GitHub OIDC token exchanged for a Graph token

concurrency:
  group: photos-export-${o.environment}
  cancel-in-progress: false

jobs:
  export:
    runs-on: ubuntu-latest
    environment: ${o.environment}
    timeout-minutes: 360
    steps:
      - uses: actions/checkout@v5
        with:
          lfs: true
      - name: Export
        id: export
        uses: ${ACTION_REF}
        with:
          mode: export
          export-domain: \${{ inputs.domain }}
          export-group: \${{ inputs.group }}
${tenantInputs(o, o.clientId, '          ')}
      - name: Report
        if: always()
        env:
          EXPORTED: \${{ steps.export.outputs.exported }}
          PULL_REQUEST: \${{ steps.export.outputs.pull-request }}
        run: echo "exported=$EXPORTED pull-request=$PULL_REQUEST"
`;
}
function repositoryReadme(o) {
    return `# Profile photos

The profile photos of our Microsoft Entra ID users, managed with
[entra-photos](https://github.com/entra-photos/entra-photos): a pull request that adds or
replaces photos is checked and shows a plan; a merge to \`main\`, approved in the
\`${o.environment}\` environment, uploads exactly the reviewed change. \`git log\` is the audit trail.

| Path | What |
|---|---|
| \`manifests/*.yaml\` | who gets which photo (all files are merged) |
| \`photos/\` | the portraits |
| \`${SCHEMA_PATH}\` | the manifest format, for editor completion (VS Code YAML extension) |
| \`.github/workflows/photos-pull-request.yml\` | checks every pull request (required check **Validate photos**) |
| \`.github/workflows/photos-apply.yml\` | applies merges to main in the \`${o.environment}\` environment |
| \`.github/workflows/photos-drift.yml\` | nightly read-only comparison with the tenant (\`${o.driftEnvironment}\`) |
| \`.github/workflows/photos-export.yml\` | run by hand: adopts the tenant's existing photos in a pull request |

## Changing a photo

1. Add or replace the file under \`photos/\` and point a manifest entry at it.
2. Check locally with \`entra-photos validate\` (the CLI is \`dist/cli.js\` of an entra-photos
   release; see the setup guide), or just open the pull request.
3. Open a pull request; the check comments with the plan; a code owner reviews.
4. Merge; the \`${o.environment}\` environment's reviewers approve the apply.

## This repository must stay private

Profile photos are personal data (in a school, of minors). The action refuses to run in a
public repository.

Setup (app registration, federated credentials, environments, branch protection):
https://github.com/entra-photos/entra-photos/blob/main/docs/setup.md
`;
}

export { ACTION_REF, DEFAULT_INIT_OPTIONS, INIT_USAGE, PLACEHOLDER_ID, SCHEMA_PATH, applyWorkflow, driftWorkflow, exportWorkflow, initCommand, initFiles, parseInitArgs, pullRequestWorkflow };

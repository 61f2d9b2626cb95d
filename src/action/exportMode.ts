/**
 * `mode: export`: adopt the tenant's existing photos from GitHub, for schools that never run a CLI.
 * From Entra, or with export-target google from Google Workspace (its thumbnails): Google signs
 * in with GitHub OIDC tokens only, so from a laptop this is the way to adopt Google's photos.
 * Started by hand (workflow_dispatch) in the protected environment: signs in like apply (GitHub
 * OIDC; never on pull requests), runs the CLI's export (src/export/export.ts) into the checkout,
 * commits the manifest and photos on a new branch (entra-photos/export/RUN_ID) as the
 * github-actions bot, pushes it (contents: write) and opens a pull request against the default
 * branch (pull-requests: write). That pull request then goes through the normal check, review and
 * apply. Nothing to adopt: no branch, no pull request. A pull request that cannot be opened leaves
 * the pushed branch and says how to open it by hand.
 */
import * as core from '@actions/core';
import * as github from '@actions/github';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { provenanceFromEnv } from '../apply/ledger.js';
import { UserError } from '../core/errors.js';
import { printable } from '../core/untrusted.js';
import { exportTenant, type ExportResult } from '../export/export.js';
import { exportCounts } from '../report/export.js';
import {
  EXPORT_BRANCH_PREFIX,
  exportActionText,
  exportAlreadyOpenSummary,
  exportCommitMessage,
  exportFailure,
  exportNothingSummary,
  exportPullRequestBody,
  exportPullRequestTitle,
  exportSummary,
  type ExportContext,
  type ExportDelivery,
} from '../report/exportPullRequest.js';
import { defaultRemote, git, gitMaybe, isGitRepository } from '../repo/git.js';
import { actionProgress, logInfo } from './log.js';
import type { ActionSettings } from './settings.js';
import { googleSettingsProblems } from '../target/google/index.js';
import type { TargetInput } from '../target/index.js';
import { cancellation, connectFromWorkflow, GOOGLE_INPUT_NAMES, googleFromWorkflow, refusePullRequests, requireOidcToken, type TenantJobRules } from './tenantJob.js';

/** The identity GitHub itself gives commits made by workflows with GITHUB_TOKEN. */
const BOT_IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'github-actions[bot]',
  GIT_AUTHOR_EMAIL: '41898729+github-actions[bot]@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'github-actions[bot]',
  GIT_COMMITTER_EMAIL: '41898729+github-actions[bot]@users.noreply.github.com',
};
const PHOTO_ROOT = 'photos';

type Octokit = ReturnType<typeof github.getOctokit>;
interface Repository {
  owner: string;
  repo: string;
  fullName: string;
}

export async function runExport(settings: ActionSettings, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Refuses pull-request events, missing inputs and id-token before any token is requested.
  const directory = openExportSource(settings);
  const repoPath = settings.repoPath;
  if (!(await isGitRepository(repoPath))) throw new UserError('config', `${repoPath} is not a git repository: check the repository out with actions/checkout before the export step.`);
  if (!(await defaultRemote(repoPath))) throw new UserError('config', `${repoPath} has no "origin" remote to push the export branch to: check the repository out with actions/checkout.`);
  const base = await baseBranch(settings, env);
  const repository = repositoryOf(settings, env);
  const octokit = settings.githubToken && repository ? github.getOctokit(settings.githubToken) : undefined;

  // One export awaiting review at a time: a second would declare the same users in another branch.
  const open = octokit && repository ? await openExportPullRequest(octokit, repository) : undefined;
  if (open) {
    core.warning(`An export pull request is already open (${open.url}, branch ${open.branch}): nothing was exported. Merge or close it, then run the export again; it adopts only users no manifest declares yet.`);
    core.setOutput('exported', 0);
    core.setOutput('branch', open.branch);
    core.setOutput('pull-request', open.url);
    if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(exportAlreadyOpenSummary(open.url, open.branch)).write();
    return;
  }

  const options = settings.export;
  const manifest = options.manifest || (await nextManifest(repoPath));
  if (options.manifest && (await exists(path.join(repoPath, manifest)))) {
    throw new UserError(
      'config',
      `Input "export-manifest": ${manifest} exists already, and export writes a new manifest. Name another file (users that manifests already declare are skipped either way), or leave export-manifest empty to write manifests/exported.yaml or the first free manifests/exported-N.yaml.`,
    );
  }
  const runUrl = provenanceFromEnv(env).url;
  const context: ExportContext = {
    photoFolder: `${PHOTO_ROOT}/${options.photoDir}`,
    filters: { target: options.target, domains: options.domains, group: options.group, key: options.key, ...(options.groups ? { groups: true } : {}) },
    ...(runUrl ? { runUrl } : {}),
  };

  const run = cancellation(settings, 'finishing the downloads in flight, then committing what was exported.');
  let result: ExportResult;
  try {
    result = await exportTenant(
      {
        repo: repoPath,
        manifest,
        photoRoot: PHOTO_ROOT,
        photoDir: options.photoDir,
        ...(options.domains.length ? { domains: options.domains } : {}),
        ...(options.group ? { group: options.group } : {}),
        ...(options.groups ? { groups: true } : {}),
        key: options.key,
        signal: run.signal,
        log: (line) => logInfo(line),
        progress: actionProgress(env),
      },
      directory,
    );
  } finally {
    run.dispose();
  }

  const exported = exportCounts(result).exported;
  core.setOutput('exported', exported);
  let delivery: ExportDelivery | undefined;
  if (exported > 0) {
    const branch = branchName(env);
    await commitAndPush(repoPath, branch, [manifest, context.photoFolder], exportCommitMessage(result, context));
    core.setOutput('branch', branch);
    delivery = await openPullRequest(octokit, repository, { branch, base, title: exportPullRequestTitle(result, context.filters), body: exportPullRequestBody(result, context) }, env);
    core.setOutput('pull-request', delivery.kind === 'opened' ? delivery.url : '');
  } else {
    core.setOutput('branch', '');
    core.setOutput('pull-request', '');
  }
  logInfo(exportActionText(result, delivery, context.filters));
  if (delivery?.kind === 'pushed') core.warning(`The export branch ${delivery.branch} was pushed, but its pull request could not be opened: ${delivery.why} Open it by hand: ${delivery.compareUrl}`);
  if (env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(delivery ? exportSummary(result, context, delivery) : exportNothingSummary(result, context)).write();
  }
  if (!result.complete) {
    core.setFailed(exportFailure(result, context.filters));
  }
}

const EXPORT_RULES: TenantJobRules = {
  mode: 'export',
  notOnPullRequests:
    "it signs in with the app's credentials and pushes a branch. Run it by hand (workflow_dispatch) in the protected environment; see docs/examples/workflows/photos-export.yml.",
  docs: 'docs/setup.md',
  permissions: '    contents: write\n    pull-requests: write\n(contents: write pushes the export branch; pull-requests: write opens its pull request.)',
};

/** The directory the photos are adopted from (input export-target), opened like apply opens it. */
function openExportSource(settings: ActionSettings): TargetInput {
  if (settings.export.target === 'entra') return connectFromWorkflow(settings, EXPORT_RULES).tenant;
  refusePullRequests(settings, EXPORT_RULES);
  const problems = googleSettingsProblems(settings.google, GOOGLE_INPUT_NAMES);
  if (problems.length) throw new UserError('config', `Input "export-target" is "google", but Google Workspace cannot be reached: ${problems.join(' ')}`);
  requireOidcToken(EXPORT_RULES);
  return googleFromWorkflow(settings).target;
}

/**
 * The branch the pull request goes into: the repository's default branch. The run must be on it
 * (the export branch starts from the checkout, so any other branch's commits would come along).
 */
async function baseBranch(settings: ActionSettings, env: NodeJS.ProcessEnv): Promise<string> {
  const ref = env.GITHUB_REF ?? '';
  const runBranch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  const base = settings.event.repository?.default_branch || runBranch || (await gitMaybe(settings.repoPath, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim();
  if (!base) throw new UserError('config', 'Could not tell which branch the export pull request should go into: run the workflow from the default branch.');
  if (ref && !runBranch) throw new UserError('config', `mode "export" runs from the default branch (${printable(base)}), not ${printable(ref)}: run the workflow from ${printable(base)}.`);
  if (runBranch && runBranch !== base) {
    throw new UserError(
      'config',
      `mode "export" runs from the default branch (${printable(base)}), not ${printable(runBranch)}: its pull request goes into ${printable(base)}, and a branch started from ${printable(runBranch)} would bring that branch's commits along. Run the workflow from ${printable(base)}.`,
    );
  }
  return base;
}

function repositoryOf(settings: ActionSettings, env: NodeJS.ProcessEnv): Repository | undefined {
  const fullName = settings.event.repository?.full_name || env.GITHUB_REPOSITORY;
  const [owner, repo, ...rest] = (fullName ?? '').split('/');
  return owner && repo && rest.length === 0 ? { owner, repo, fullName: fullName! } : undefined;
}

/** `entra-photos/export/RUN_ID` (a re-run attempt adds `-ATTEMPT`); outside Actions, a UTC timestamp. */
export function branchName(env: NodeJS.ProcessEnv): string {
  const id = env.GITHUB_RUN_ID?.trim();
  if (id && /^\d+$/.test(id)) {
    const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
    return `${EXPORT_BRANCH_PREFIX}${id}${attempt > 1 ? `-${attempt}` : ''}`;
  }
  return `${EXPORT_BRANCH_PREFIX}${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}

/** manifests/exported.yaml, or the first manifests/exported-N.yaml that does not exist: a later export adds a file. */
async function nextManifest(repoPath: string): Promise<string> {
  for (let n = 1; ; n++) {
    const rel = n === 1 ? 'manifests/exported.yaml' : `manifests/exported-${n}.yaml`;
    if (!(await exists(path.join(repoPath, rel)))) return rel;
  }
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

/** A new branch from the checkout with only the export's files (never its journal), committed as the bot and pushed. */
async function commitAndPush(repoPath: string, branch: string, paths: string[], message: string): Promise<void> {
  await git(repoPath, ['checkout', '--quiet', '-b', branch]);
  await git(repoPath, ['add', '--all', '--', ...paths]);
  await git(repoPath, ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-m', message], { env: BOT_IDENTITY });
  try {
    await git(repoPath, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
  } catch (err) {
    throw new UserError(
      'git',
      `Could not push the export branch ${branch} to origin (${(err as Error).message}). The job needs "permissions: contents: write"; nothing was lost in the tenant, run the export again.`,
    );
  }
}

/** The open pull request of an earlier export, if any (its head branch is one the action names). */
async function openExportPullRequest(octokit: Octokit, repository: Repository): Promise<{ url: string; branch: string } | undefined> {
  try {
    const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner: repository.owner, repo: repository.repo, state: 'open', per_page: 100 });
    const mine = pulls.find((p) => p.head.ref.startsWith(EXPORT_BRANCH_PREFIX) && (p.head.repo?.full_name ?? repository.fullName) === repository.fullName);
    return mine ? { url: mine.html_url, branch: mine.head.ref } : undefined;
  } catch (err) {
    // Only a convenience: without it a second export may open a second pull request.
    core.warning(`Could not list the open pull requests to find an earlier export's (${describeApiError(err)}); exporting anyway.`);
    return undefined;
  }
}

async function openPullRequest(
  octokit: Octokit | undefined,
  repository: Repository | undefined,
  pr: { branch: string; base: string; title: string; body: string },
  env: NodeJS.ProcessEnv,
): Promise<ExportDelivery> {
  const compareUrl = `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')}/${repository?.fullName ?? env.GITHUB_REPOSITORY ?? 'OWNER/REPO'}/compare/${encodeURIComponent(pr.base)}...${pr.branch}?expand=1`;
  const pushed = (why: string): ExportDelivery => ({ kind: 'pushed', branch: pr.branch, base: pr.base, compareUrl, why });
  if (!repository) return pushed('the event does not name the repository.');
  if (!octokit) return pushed('the input github-token is empty.');
  try {
    const { data } = await octokit.rest.pulls.create({ owner: repository.owner, repo: repository.repo, title: pr.title, head: pr.branch, base: pr.base, body: pr.body });
    if (data.user?.login === 'github-actions[bot]') {
      core.notice(
        `The pull request was opened with the workflow's GITHUB_TOKEN, so GitHub does not start its pull-request check by itself: approve the waiting workflows in the pull request (Approve workflows to run) or, if none wait, close and reopen it. ${data.html_url}`,
      );
    }
    return { kind: 'opened', branch: pr.branch, base: pr.base, url: data.html_url };
  } catch (err) {
    return pushed(whyNoPullRequest(err));
  }
}

/** Why GitHub refused the pull request, and what to change. */
function whyNoPullRequest(err: unknown): string {
  const status = (err as { status?: number }).status;
  const message = describeApiError(err);
  if (status === 403 && /not permitted to create or approve pull requests/i.test(message)) {
    return `GitHub answered 403 (${message}): enable "Allow GitHub Actions to create and approve pull requests" (repository Settings → Actions → General → Workflow permissions; in an organisation, its Actions settings too), or give the input github-token a GitHub App token.`;
  }
  if (status === 403 || status === 401 || status === 404) {
    return `GitHub answered ${status} (${message}): the job needs "permissions: pull-requests: write" (and the repository setting "Allow GitHub Actions to create and approve pull requests").`;
  }
  return `GitHub answered ${status ?? 'with an error'} (${message}).`;
}

function describeApiError(err: unknown): string {
  return printable(((err as { message?: string }).message ?? String(err)).split('\n')[0]!.slice(0, 300));
}

import * as core from '@actions/core';
import { countFindings, sortFindings, type Finding } from '../core/findings.js';
import { isUserError, UserError } from '../core/errors.js';
import { validationHeadline, validationSummary, validationText } from '../report/validation.js';
import { WorktreeSnapshot } from '../repo/worktree.js';
import { validateRepository } from '../validate/validate.js';
import { isPublicRepository, readSettings, type ActionSettings } from './settings.js';

/** The action: read settings once, run the mode, report at the edge. Never throws. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings();
    guardPublicRepository(settings);
    switch (settings.mode) {
      case 'validate':
        await runValidate(settings);
        return;
      default:
        throw new UserError('config', `Mode "${settings.mode}" is not available in this version of entra-photos yet. Use "mode: validate".`);
    }
  } catch (err) {
    if (isUserError(err)) core.setFailed(err.message);
    else core.setFailed(`Internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

function guardPublicRepository(settings: ActionSettings): void {
  if (isPublicRepository(settings.event) && !settings.allowPublicRepo) {
    throw new UserError(
      'guard',
      `${settings.event.repository?.full_name ?? 'This repository'} is public. Profile photos are personal data (for schools, of minors) and must not be published: make the repository private, or set "allow-public-repo: true" if these photos may be public.`,
    );
  }
}

async function runValidate(settings: ActionSettings): Promise<void> {
  const result = await validateRepository(new WorktreeSnapshot(settings.repoPath));
  for (const f of sortFindings(result.findings)) {
    const properties = { title: `entra-photos: ${f.code}`, file: f.file, ...(f.line ? { startLine: f.line } : {}), ...(f.col ? { startColumn: f.col } : {}) };
    if (f.severity === 'error') core.error(f.message, properties);
    else core.warning(f.message, properties);
  }
  core.info(validationText(result));

  const { errors, warnings } = countFindings(result.findings);
  core.setOutput('errors', errors);
  core.setOutput('warnings', warnings);
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(validationSummary(result, { fileUrl: fileLinker(settings) })).write();
  }
  if (errors > 0) core.setFailed(validationHeadline(result));
}

/** Links findings to the reviewed commit on GitHub, so the summary is clickable. */
function fileLinker(settings: ActionSettings): ((f: Finding) => string) | undefined {
  const server = process.env.GITHUB_SERVER_URL;
  const repo = process.env.GITHUB_REPOSITORY;
  const sha = settings.event.pull_request?.head?.sha ?? process.env.GITHUB_SHA;
  if (!server || !repo || !sha) return undefined;
  return (f) => `${server}/${repo}/blob/${sha}/${f.file.split('/').map(encodeURIComponent).join('/')}${f.line ? `#L${f.line}` : ''}`;
}

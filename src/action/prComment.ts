import * as core from '@actions/core';
import * as github from '@actions/github';
import { PLAN_COMMENT_MARKER } from '../report/plan.js';
import type { ActionSettings } from './settings.js';

export type CommentOutcome = 'created' | 'updated' | 'skipped' | 'forbidden' | 'failed';

/**
 * One sticky comment per pull request, found by its marker and edited in place on every push,
 * so the conversation does not fill up with stale plans. Fork pull requests get a read-only
 * token: that is reported, and the job summary still carries the plan.
 */
export async function upsertPlanComment(settings: ActionSettings, body: string): Promise<CommentOutcome> {
  const number = settings.event.pull_request?.number;
  const fullName = settings.event.repository?.full_name;
  if (!number || !fullName || !settings.githubToken) return 'skipped';
  const [owner, repo] = fullName.split('/') as [string, string];
  const octokit = github.getOctokit(settings.githubToken);
  const text = `${PLAN_COMMENT_MARKER}\n${body}`;
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
    const mine = comments.find((c) => c.body?.includes(PLAN_COMMENT_MARKER));
    if (mine) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body: text });
      return 'updated';
    }
    await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: text });
    return 'created';
  } catch (err) {
    // The comment is a convenience: the check's verdict and the summary must not depend on it.
    const status = (err as { status?: number }).status;
    if (status === 403 || status === 404 || status === 401) {
      const fork = settings.event.pull_request?.head?.repo?.full_name !== fullName;
      core.warning(
        `Could not write the plan comment on pull request #${number} (HTTP ${status}). ${fork ? 'Pull requests from forks get a read-only token. ' : ''}Give the job "permissions: pull-requests: write" to get a comment; the plan is in the job summary either way.`,
      );
      return 'forbidden';
    }
    core.warning(`Could not write the plan comment on pull request #${number}: ${(err as Error).message}. The plan is in the job summary.`);
    return 'failed';
  }
}

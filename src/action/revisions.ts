import * as core from '@actions/core';
import { ensureCommit, isGitRepository, parentsOf, resolveCommit } from '../repo/git.js';
import type { ActionSettings } from './settings.js';

export interface Revisions {
  /** Undefined: no base (plans everything). */
  base?: string;
  head: string;
}

const NO_COMMIT = /^0+$/;

/**
 * Which revisions to compare, from the event. On a pull request actions/checkout checks out the
 * merge commit: its first parent is the base branch as it is now, so the plan shows exactly what
 * merging would change. Missing commits are fetched (shallow checkouts).
 */
export async function revisionsFor(settings: ActionSettings): Promise<Revisions | undefined> {
  const repo = settings.repoPath;
  if (!(await isGitRepository(repo))) {
    core.warning(`${repo} is not a git repository: validating the files without a plan. Check the repository out with actions/checkout.`);
    return undefined;
  }
  const head = await resolveCommit(repo, 'HEAD');
  let base: string | undefined;
  if (settings.event.pull_request) {
    const parents = await parentsOf(repo, head);
    base = parents.length === 2 ? parents[0] : settings.event.pull_request.base?.sha;
  } else if (settings.event.before && !NO_COMMIT.test(settings.event.before)) {
    base = settings.event.before;
  }
  if (base) await ensureCommit(repo, base);
  return { head, ...(base ? { base } : {}) };
}

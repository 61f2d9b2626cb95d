/**
 * `entra-photos history <user-key>` and `entra-photos log` (= `history --all`): who changed a
 * subject's photo, who approved it, and when it reached each environment. Offline by default (git
 * only); with a GitHub token, the pull requests' reviews and the runs' environment approvals.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { logSafeJson } from '../core/untrusted.js';
import { fetchRecords } from '../history/appliedRecords.js';
import { GitHubApi, githubRepository } from '../history/githubApi.js';
import { streamHistory, subjectHistory, type HistoryOptions } from '../history/history.js';
import { parseEmployeeId, parseUserKey, type UserKey } from '../manifest/userKey.js';
import { BlobReader, defaultRemote, gitMaybe, isGitRepository, resolveCommit } from '../repo/git.js';
import { historyEntryJson, historyEntryText, historyHtml, historyJson, historyText, recordsLine } from '../report/history.js';
import { checkRevisionArguments, parseWithPositionals, repoDirectory, wantsHelp } from './args.js';
import type { Output } from './output.js';

export const HISTORY_USAGE = `Usage: entra-photos history <user-key>... [options]
       entra-photos log [--since DATE] [options]      (the same for every subject: history --all)

Every revision of the default branch that changed the subject's photo (new, replaced, removed,
normalisation settings), followed across manifest files and photo renames, with its author, the
pull request it came in by, who approved it, and when it was applied to each target/environment.

  <user-key>                userPrincipalName or mail, object id, or employeeId:NUMBER; name
                            several to see one person's keys together (a UPN entry that became
                            an employeeId entry is removed under one key and new under the other)
  --all                     Every subject (for periodic audits); --since limits the output
  --since DATE              Only changes committed at or after DATE (e.g. 2026-09-01)
  --repo DIR                Repository (default: current directory)
  --head REV                History up to REV (default: HEAD)
  --target NAME             Only this target's records (default: all of them)
  --remote NAME|none        Read the applied records (tags, notes) from this remote first
                            (default: origin if it exists)
  --github-token TOKEN      Read pull-request reviews and the runs' environment approvals from
                            GitHub (default: the GITHUB_TOKEN variable; prefer it: a token on the
                            command line is visible to other users of this machine). The token
                            needs pull-requests: read, and actions: read for approvals
  --github-repository O/R   The repository on GitHub (default: GITHUB_REPOSITORY, else origin's URL)
  --html FILE               Also write a local HTML page with the photos side by side over time
                            (contains photos: written readable by you only; keep it on this machine)
  --format text|json|html   Output format (default: text; html needs --html FILE)
Exit status: 0 history shown, 1 the key has no history at all, 2 usage error.
`;

export async function historyCommand(args: string[], out: Output, all = false): Promise<number> {
  if (wantsHelp(args)) {
    out.write(HISTORY_USAGE);
    return 0;
  }
  const { values, positionals } = parseWithPositionals(
    args,
    {
      all: { type: 'boolean' },
      since: { type: 'string' },
      repo: { type: 'string' },
      head: { type: 'string' },
      target: { type: 'string' },
      remote: { type: 'string' },
      'github-token': { type: 'string' },
      'github-repository': { type: 'string' },
      html: { type: 'string' },
      format: { type: 'string' },
    },
    HISTORY_USAGE,
  );
  const every = all || values.all === true;
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'html') throw new UserError('usage', `--format must be text, json or html, not "${format}".`);
  if (format === 'html' && !values.html) throw new UserError('usage', '--format html writes a page with photos: name the file with --html FILE (it is written readable by you only).');
  if (every && positionals.length) throw new UserError('usage', `${all ? 'log' : 'history --all'} is about every subject: leave out "${positionals[0]}", or use history ${positionals[0]} for one.`);
  if (!every && positionals.length === 0) throw new UserError('usage', `Name a subject: entra-photos history ada@contoso.edu (or employeeId:10023, or an object id; several keys of one person side by side), or --all for every subject.\n\n${HISTORY_USAGE}`);
  if (every && values.html) throw new UserError('usage', '--html shows one subject\'s photos over time. For every subject use --format text or json; then look at one subject with history <user-key> --html FILE.');
  let since: string | undefined;
  if (values.since !== undefined) {
    const time = Date.parse(values.since);
    if (!Number.isFinite(time)) throw new UserError('usage', `--since must be a date or time (e.g. 2026-09-01 or 2026-09-01T08:00:00Z), not "${values.since}".`);
    since = new Date(time).toISOString();
  }
  const subjects: UserKey[] | 'all' = every ? 'all' : positionals.map(subjectKey);
  const repo = await repoDirectory(values.repo);
  if (!(await isGitRepository(repo))) throw new UserError('usage', `${repo} is not a git repository. history reads the photos repository's git history: run it in a clone (or pass --repo).`);
  await checkRevisionArguments(repo, { '--head': values.head });
  if ((await gitMaybe(repo, ['rev-parse', '--is-shallow-repository']))?.trim() === 'true') {
    // A shallow clone starts its history at its cut: every change before it would be missing, and
    // the first commit would look like the day every photo was added.
    throw new UserError('usage', `${repo} is a shallow clone: its history is cut short, so it cannot tell who changed what. Fetch the whole history first: git fetch --unshallow (in a workflow: actions/checkout with fetch-depth: 0).`);
  }
  const remote = values.remote ?? (await defaultRemote(repo)) ?? 'none';
  if (remote !== 'none') await fetchRecords(repo, remote);
  const github = await githubAccess(repo, values['github-token'], values['github-repository']);
  const options: HistoryOptions = { repo, subjects, ...(values.head ? { head: values.head } : {}), ...(values.target ? { target: values.target } : {}), ...(since ? { since } : {}), ...(github ? { github } : {}) };

  if (every) return streamEvery(options, format === 'json' ? 'json' : 'text', out);
  const result = await subjectHistory(options);
  if (values.html) {
    await writeFile(path.resolve(values.html), historyHtml(result, await thumbnails(repo, result.entries)), { mode: 0o600 });
    if (format === 'text') out.write(`Wrote ${values.html} (photos over time; readable by you only; keep it on this machine).\n`);
  }
  if (format === 'json') out.write(logSafeJson(historyJson(result), 2) + '\n');
  else if (format === 'text') out.write(historyText(result));
  // No change at all is worth noticing (a typo?); none since a date is an answer.
  return result.entries.length || since ? 0 : 1;
}

const QUEUED_OUTPUT_LIMIT = 1 << 20;

/** Every subject, streamed: one change at a time is in memory, whatever the repository's size. */
async function streamEvery(options: HistoryOptions, format: 'text' | 'json', out: Output): Promise<number> {
  const head = await resolveCommit(options.repo, options.head ?? 'HEAD');
  let count = 0;
  if (format === 'json') out.write(`{\n  "head": ${JSON.stringify(head)},\n  "subjects": "all",\n  "since": ${JSON.stringify(options.since ?? null)},\n  "entries": [`);
  const { records } = await streamHistory({ ...options, head }, async (entry) => {
    if (format === 'json') out.write(`${count ? ',' : ''}\n    ${logSafeJson(historyEntryJson(entry))}`);
    else out.write(`${historyEntryText(entry, true)}\n\n`);
    count++;
    // Written to a pipe, what the reader has not taken yet queues in memory, and the walk makes
    // entries faster than a pipe drains: a 200,000-subject log held most of its output there.
    if (process.stdout.writableLength > QUEUED_OUTPUT_LIMIT) await once(process.stdout, 'drain');
  });
  const problems = options.github?.problems ?? [];
  if (format === 'json') out.write(`${count ? '\n  ' : ''}],\n  "records": ${logSafeJson(records)},\n  "problems": ${logSafeJson(problems)}\n}\n`);
  else {
    out.write(`${count} change${count === 1 ? '' : 's'}${options.since ? ` since ${options.since}` : ''} up to ${head.slice(0, 12)}. ${recordsLine(records)}\n`);
    for (const problem of problems) out.write(`GitHub: ${problem}\n`);
  }
  return 0;
}

function subjectKey(text: string): UserKey {
  const employee = /^employeeId:(.*)$/i.exec(text);
  const parsed = employee ? parseEmployeeId(employee[1]!) : parseUserKey(text);
  if (!parsed.ok) throw new UserError('usage', parsed.message);
  return parsed.key;
}

async function githubAccess(repo: string, tokenOption: string | undefined, repositoryOption: string | undefined): Promise<GitHubApi | undefined> {
  const token = tokenOption ?? process.env.GITHUB_TOKEN;
  if (!token) return undefined;
  const repository = await githubRepository(repo, repositoryOption, process.env);
  if (!repository) {
    throw new UserError('usage', `A GitHub token was given but the repository on GitHub is unknown${repositoryOption !== undefined ? ` ("${repositoryOption}" is not OWNER/NAME)` : ''}. Pass --github-repository OWNER/NAME.`);
  }
  return new GitHubApi({ token, repository, apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
}

/** 96-px previews of the photos the history shows, by blob id (a photo that does not decode has none). */
async function thumbnails(repo: string, entries: Awaited<ReturnType<typeof subjectHistory>>['entries']): Promise<Map<string, Buffer>> {
  const { thumbnail } = await import('../photo/index.js');
  const blobs = new BlobReader(repo);
  const out = new Map<string, Buffer>();
  try {
    for (const e of entries) {
      for (const state of [e.before, e.after]) {
        if (!state || out.has(state.blobId)) continue;
        out.set(state.blobId, await blobs.read(state.blobId).then((bytes) => thumbnail(bytes), () => Buffer.alloc(0)).catch(() => Buffer.alloc(0)));
      }
    }
  } finally {
    blobs.close();
  }
  return out;
}

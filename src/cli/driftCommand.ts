/** `entra-photos drift [--fix]`: compare the tenant with a revision of the repository. */
import { writeFile } from 'node:fs/promises';
import { cliProgress, type Output } from './output.js';
import { logSafeJson } from '../core/untrusted.js';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { CLI_VOCABULARY } from '../core/vocabulary.js';
import { checkRevisionArguments, parseOptions, readFormat, repoDirectory, wantsHelp } from './args.js';
import { detectDrift, inSync } from '../drift/drift.js';
import { fixDrift } from '../drift/fix.js';
import { applySucceeded } from '../report/apply.js';
import { driftHtml, driftJson, driftText } from '../report/drift.js';
import { validationText } from '../report/validation.js';
import { defaultRemote, isGitRepository } from '../repo/git.js';
import { interruptible, targetFromArgs, TARGET_OPTIONS, TENANT_OPTIONS } from './tenantArgs.js';

export const DRIFT_USAGE = `Options for drift (tenant options as for apply):
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

export async function driftCommand(args: string[], out: Output): Promise<number> {
  if (wantsHelp(args)) {
    out.write(DRIFT_USAGE);
    return 0;
  }
  const values = parseOptions(
    args,
    {
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
    },
    DRIFT_USAGE,
  );
  const format = readFormat(values.format);
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) throw new UserError('usage', `--threshold must be a number between 0 and 1 (e.g. 0.975), not "${values.threshold}".`);
  }
  const repo = await repoDirectory(values.repo);
  if (!(await isGitRepository(repo))) {
    throw new UserError('usage', `${repo} is not a git repository. drift compares a commit of your photos repository with the tenant: run it in a clone (or pass --repo).`);
  }
  await checkRevisionArguments(repo, { '--head': values.head });
  const tenant = targetFromArgs('drift', values);
  const log = format === 'text' ? (line: string) => out.write(`${line}\n`) : () => {};
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
      if (format === 'text') out.write(`Wrote ${values.html} (photos side by side; keep it on this machine).\n`);
    }
    out.write(format === 'json' ? logSafeJson(driftJson(result, fix), 2) + '\n' : driftText(result, fix, CLI_VOCABULARY));
    if (fix?.record === 'dry-run') return 1;
    if (fix) return applySucceeded(fix) && !result.cancelled && result.users.every((u) => u.status !== 'unresolved' && u.status !== 'error') ? 0 : 1;
    return inSync(result) ? 0 : 1;
  });
}

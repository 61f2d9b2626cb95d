/**
 * The users apply left waiting for an account, as drift needs them: a school enrolls students
 * before their accounts exist, apply records them on the applied revision (the pending note of the
 * ledger) and retries them on every later run. Drift reports such a user as waiting, not as drift,
 * as long as the tenant still has no usable account for them.
 *
 * The list is the pending note on the revision the applied tag points at, for one environment or
 * (none named) for every environment that has an applied tag: a repository usually feeds one
 * tenant, and drift is not told which environment wrote to it.
 */
import { Ledger, type PendingEntry } from '../apply/ledger.js';
import { gitMaybe } from '../repo/git.js';
import { recordRefPrefix } from '../repo/records.js';

export interface WaitingUser extends PendingEntry {
  /** The environment whose applied revision lists the user. */
  environment: string;
}

export interface WaitingOptions {
  repo: string;
  /** Where the record lives (the action: origin); undefined: the local repository. */
  remote?: string;
  /** Only this environment's list; default every environment with an applied tag. */
  environment?: string;
  /** Whose record (default entra, today's names; another target's under entra-photos/TARGET/). */
  target?: string;
}

/** Canonical user key → the waiting entry (the earliest `since` when several environments list the user). */
export async function waitingForAccount(options: WaitingOptions): Promise<Map<string, WaitingUser>> {
  const out = new Map<string, WaitingUser>();
  const environments = options.environment ? [options.environment] : await appliedEnvironments(options);
  for (const environment of environments) {
    let ledger: Ledger;
    try {
      ledger = new Ledger({ repo: options.repo, environment, ...(options.target ? { target: options.target } : {}), ...(options.remote ? { remote: options.remote } : {}) });
    } catch {
      continue; // a tag this tool did not write: its name is not one of our environment names
    }
    const applied = await ledger.lastApplied();
    for (const [key, entry] of await ledger.pendingAt(applied)) {
      const known = out.get(key);
      if (!known || entry.since < known.since) out.set(key, { ...entry, environment });
    }
  }
  return out;
}

/** Environments with an applied tag (of `options.target`, default entra), on the remote or locally. */
export async function appliedEnvironments(options: Pick<WaitingOptions, 'repo' | 'remote' | 'target'>): Promise<string[]> {
  const prefix = recordRefPrefix('applied', options.target);
  const listing = options.remote
    ? await gitMaybe(options.repo, ['ls-remote', '--refs', options.remote, `${prefix}*`])
    : await gitMaybe(options.repo, ['for-each-ref', '--format=%(objectname)\t%(refname)', prefix]);
  if (listing === undefined && options.remote) throw new Error(`Could not list ${prefix}* on the remote "${options.remote}".`);
  const names = new Set<string>();
  for (const line of (listing ?? '').split('\n')) {
    const ref = line.split('\t')[1]?.trim();
    if (ref?.startsWith(prefix) && !ref.slice(prefix.length).includes('/')) names.add(ref.slice(prefix.length));
  }
  return [...names].sort();
}

import { hostname } from 'node:os';
import { UserError } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import { git, gitMaybe, TOOL_IDENTITY } from '../repo/git.js';
import { DEFAULT_TARGET, GitRecordStore, recordRef } from '../repo/records.js';

/**
 * One apply at a time per environment, across machines: a lease held in git itself.
 *
 * Two overlapping applies of different heads would interleave their writes: the older one can
 * overwrite photos the newer one already recorded as applied. The workflow's `concurrency` group
 * prevents that on GitHub; this lease makes it true for any runner, the CLI included.
 *
 * The lease is the tag `entra-photos/lock/<env>`, pointing at a commit (on the empty tree)
 * whose message names the holder and an expiry. It is taken and renewed with compare-and-swap
 * pushes, so only one run can hold it; a holder renews it while it works, so the lease of a run
 * that died (SIGKILL, a lost runner) expires after `ttlSeconds` and the next run takes it over.
 * Another target has a lease of its own (`recordRef`): applies to two directories never wait
 * for each other.
 */
export interface LeaseOptions {
  repo: string;
  environment: string;
  remote?: string;
  /** The target written to; default `entra` (the tag above). */
  target?: string;
  /** How long a lease lives without renewal; default 120 s. */
  ttlSeconds?: number;
  /** How long to wait for another holder before giving up; default 30 min. */
  waitSeconds?: number;
  pollSeconds?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Names this run in the lease (e.g. the GitHub run URL). */
  holder?: string;
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export class ApplyLease {
  readonly ref: string;
  private held: string | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  private readonly ttlMs: number;
  private readonly store: GitRecordStore;

  constructor(private readonly options: LeaseOptions) {
    // A tag, because every git host accepts tag pushes; it exists only while a run holds it.
    this.ref = recordRef('lock', { environment: options.environment, ...(options.target ? { target: options.target } : {}) });
    this.store = new GitRecordStore({ repo: options.repo, ...(options.remote ? { remote: options.remote } : {}) });
    this.ttlMs = (options.ttlSeconds ?? Number(process.env.ENTRA_PHOTOS_LEASE_TTL_SECONDS || 120)) * 1000;
  }

  /** Waits (bounded) until the lease is free or expired, then takes it. */
  async acquire(): Promise<void> {
    const { signal, log } = this.options;
    const deadline = Date.now() + (this.options.waitSeconds ?? 1800) * 1000;
    let announced = false;
    for (;;) {
      const current = await this.read();
      if (!current || current.expires < Date.now()) {
        if (current && log) log(`The apply lease of ${current.holder} expired at ${new Date(current.expires).toISOString()}: taking it over.`);
        const mine = await this.makeLease();
        const outcome = await this.store.swap(this.ref, current?.sha, mine);
        if (outcome === 'refused') {
          // Not a race (the lease still reads as before): looking again would spin on the same refusal.
          throw new UserError('git', `Could not push the apply lease (${this.ref}) to ${this.options.remote}; nothing was written. The job needs "permissions: contents: write" to take it.`);
        }
        if (outcome === 'swapped') {
          this.held = mine;
          this.renewTimer = setInterval(() => void (this.renewing = this.renew()), Math.max(1000, this.ttlMs / 3));
          this.renewTimer.unref();
          return;
        }
        continue; // someone else won the race: look again
      }
      if (!announced) {
        log?.(`Another apply to ${this.options.environment} is running (${current.holder}); waiting for it to finish.`);
        announced = true;
      }
      if (Date.now() > deadline || signal?.aborted) {
        throw new UserError('guard', `Another apply to ${this.options.environment} (${current.holder}) has held the lease since before this run started; nothing was written. Run again when it has finished (a concurrency group in the workflow queues runs instead).`);
      }
      // An abort ends the wait early; the check above then says why nothing was written.
      await sleep((this.options.pollSeconds ?? Math.min(5, this.ttlMs / 2000)) * 1000, signal).catch(() => {});
    }
  }

  /** Gives the lease back (only if it is still ours). */
  async release(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.renewing;
    if (!this.held) return;
    const held = this.held;
    this.held = undefined;
    // A lease that cannot be given back (the remote went away) expires by itself: never fail the run for it.
    await this.store.swap(this.ref, held, undefined).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (!this.held) return;
    try {
      const next = await this.makeLease();
      if ((await this.store.swap(this.ref, this.held, next)) === 'swapped') this.held = next;
    } catch {
      // Runs on a timer, where a rejection would end the process: the next tick tries again.
    }
  }

  private async makeLease(): Promise<string> {
    const expires = new Date(Date.now() + this.ttlMs).toISOString();
    const holder = this.options.holder ?? `${hostname()} pid ${process.pid}`;
    const target = this.options.target ?? DEFAULT_TARGET;
    const message = `entra-photos apply lease\n\nenvironment: ${this.options.environment}\ntarget: ${target}\nholder: ${holder}\nexpires: ${expires}\n`;
    return (await git(this.options.repo, ['commit-tree', EMPTY_TREE, '-m', message], { env: TOOL_IDENTITY })).trim();
  }

  private async read(): Promise<{ sha: string; holder: string; expires: number } | undefined> {
    const sha = await this.store.read(this.ref);
    if (!sha) return undefined;
    const body = (await gitMaybe(this.options.repo, ['cat-file', 'commit', sha])) ?? '';
    const expires = Date.parse(body.match(/^expires: (.+)$/m)?.[1] ?? '');
    return { sha, holder: body.match(/^holder: (.+)$/m)?.[1] ?? 'an unknown run', expires: Number.isFinite(expires) ? expires : 0 };
  }
}

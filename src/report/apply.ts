/** Apply report builders: pure functions from an apply result to text, JSON and Markdown. */
import type { ApplyResult, PolicyOutcome, UserOutcome } from '../apply/apply.js';
import type { TenantPolicy } from '../apply/policyGuard.js';
import { roleName } from '../manifest/roles.js';
import { describeUser, isGroupKey } from '../manifest/userKey.js';
import { printable } from '../core/untrusted.js';
import { mdText } from './markdown.js';

export interface ApplyCounts {
  uploaded: number;
  removed: number;
  failed: number;
  cancelled: number;
  /** Never sent: the run stopped writing when the tenant's photo policy refused it (result.halted). */
  notAttempted: number;
  /** Waiting for an account (no such user, or a disabled one): not a failure; later runs retry them. */
  pending: number;
  kept: number;
  planned: number;
}

/** The user as reports show it: the key, and the person's name beside it when known (ApplyResult.names). */
export function outcomeUser(result: Pick<ApplyResult, 'names'>, o: Pick<UserOutcome, 'key'>): string {
  return describeUser(o.key, result.names?.get(o.key.canonical));
}

export function applyCounts(result: ApplyResult): ApplyCounts {
  const count = (s: UserOutcome['status']) => result.outcomes.filter((o) => o.status === s).length;
  return {
    uploaded: count('uploaded') + count('would-upload'),
    removed: count('removed') + count('would-remove'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    notAttempted: count('not-attempted'),
    pending: count('pending'),
    kept: count('kept'),
    planned: result.outcomes.length - count('kept'),
  };
}

/** Whether the job should fail: anything failed, was cancelled, or the policy was refused. */
export function applySucceeded(result: ApplyResult): boolean {
  const c = applyCounts(result);
  return c.failed === 0 && c.cancelled === 0 && c.notAttempted === 0 && !result.halted && !result.cancelled && !['refused', 'failed'].includes(result.policy.status) && result.validation.findings.every((f) => f.severity !== 'error');
}

export function throughput(result: ApplyResult): number {
  const c = applyCounts(result);
  return result.durationMs > 0 ? ((c.uploaded + c.removed) * 1000) / result.durationMs : 0;
}

export function applyHeadline(result: ApplyResult): string {
  const c = applyCounts(result);
  const dry = result.record === 'dry-run';
  const verb = dry ? 'Dry run' : applySucceeded(result) ? 'Applied' : result.cancelled ? 'Cancelled' : 'Apply failed';
  const parts = dry
    ? [`${c.uploaded} would upload`, `${c.removed} would remove`, `${c.failed} failed`, ...(c.pending ? [`${c.pending} waiting for an account`] : [])]
    : [`${c.uploaded} uploaded`, `${c.removed} removed`, `${c.failed} failed`, ...(c.cancelled ? [`${c.cancelled} not started`] : []), ...(c.notAttempted ? [`${c.notAttempted} not attempted`] : []), ...(c.pending ? [`${c.pending} waiting for an account`] : [])];
  const policy = result.targetHasNoPolicy && result.policy.status === 'not-managed' ? 'this directory has no photo policy' : policyOutcomeWords(result.policy.status);
  return `${verb} to ${result.environment}: ${parts.join(', ')}${result.alreadyLanded ? `, ${result.alreadyLanded} already landed` : ''}; ${policy} (${(result.durationMs / 1000).toFixed(1)} s).`;
}

/** A policy outcome in words (the JSON keeps the status value). */
export function policyOutcomeWords(status: PolicyOutcome['status']): string {
  switch (status) {
    case 'not-managed':
      return 'the photo policy is not managed by the manifests';
    case 'unchanged':
      return 'the photo policy is unchanged';
    case 'applied':
      return 'the photo policy was updated';
    case 'would-apply':
      return 'the photo policy would be updated';
    case 'refused':
      return 'the photo policy change was refused';
    case 'failed':
      return 'the photo policy update failed';
    case 'skipped':
      return 'the photo policy change was not made';
  }
}

/** Short words for one user's outcome in a table (the JSON keeps the status value). */
export function outcomeWords(status: UserOutcome['status']): string {
  switch (status) {
    case 'would-upload':
      return 'would upload';
    case 'would-remove':
      return 'would remove';
    case 'not-attempted':
      return 'not attempted';
    case 'cancelled':
      return 'not started';
    case 'kept':
      return 'kept (not pruned)';
    case 'pending':
      return 'waiting for an account';
    default:
      return status;
  }
}

/**
 * The message of a failed run, for the one error annotation: why writes stopped (the tenant's
 * photo policy) or why the policy change was refused (the lock-out guard), then the headline.
 */
export function applyFailure(result: ApplyResult): string {
  const reasons = [
    ...(result.halted ? [result.halted.message] : []),
    ...(['refused', 'failed', 'skipped'].includes(result.policy.status) && result.policy.message ? [result.policy.message] : []),
  ];
  return [...reasons.map((r) => printable(r)), applyHeadline(result)].join('\n');
}

export function describeTenantPolicy(p: TenantPolicy | undefined): string {
  if (!p) return 'unknown';
  // What the tenant or a manifest says (a role id that is not a known role is shown as written).
  return `source ${printable(String(p.source ?? 'not set'))}; allowed roles: ${p.allowedRoles.length ? p.allowedRoles.map((id) => printable(roleName(id))).join(', ') : 'any'}`;
}

export interface WaitingUser {
  user: string;
  keyType: string;
  /** The manifest's `name:` (the tenant has no account to take a displayName from). */
  name?: string;
  /** `no-account`: no such user (not created yet, or gone); `deleted`: in the recycle bin; `disabled`: the account is disabled. */
  problem: 'no-account' | 'deleted' | 'disabled';
  file: string;
  line: number;
  reason: string;
  /** When a run first found the user waiting (ISO 8601). */
  since?: string;
}

/** The users waiting for an account, in manifest order (file, then line). */
export function waitingFor(result: ApplyResult): WaitingUser[] {
  return result.outcomes
    .filter((o) => o.status === 'pending')
    .map((o) => ({
      user: o.key.kind === 'employeeId' ? `employeeId ${o.key.value}` : o.key.value,
      keyType: o.key.kind,
      ...nameOf(result, o),
      problem: o.code === 'disabled' || o.code === 'deleted' ? o.code : ('no-account' as const),
      file: o.declaredAt?.file ?? '',
      line: o.declaredAt?.line ?? 0,
      reason: o.reason ?? '',
      ...(o.waitingSince ? { since: o.waitingSince } : {}),
    }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** What waiting means for this run and what to do. */
function waitingNote(result: ApplyResult): string {
  const recorded = result.record === 'advanced' || result.record === 'unchanged';
  const lead = result.record === 'dry-run' ? 'They would not hold the record back' : recorded ? `${result.head.slice(0, 12)} is recorded as applied without them` : 'They do not hold the record back';
  return `${lead}: every later apply looks them up again and uploads their photo once the account exists and is enabled. Create or enable each account, or remove its entry from the manifest.`;
}

function recordLine(result: ApplyResult): string {
  switch (result.record) {
    case 'advanced':
      return `Recorded ${result.head.slice(0, 12)} as applied to ${result.environment}.`;
    case 'unchanged':
      return `${result.head.slice(0, 12)} was already recorded as applied to ${result.environment}.`;
    case 'lost-race':
      return `Another run moved the ${result.environment} record meanwhile; this run did not overwrite it.`;
    case 'dry-run':
      return 'Dry run: nothing was written and the record did not move.';
    case 'superseded':
      return `${result.head.slice(0, 12)} is older than the revision applied to ${result.environment} (${result.appliedRevision?.slice(0, 12)}): nothing was written.`;
    default:
      return result.appliedRevision
        ? `${result.environment} stays recorded at ${result.appliedRevision.slice(0, 12)} (the last revision applied completely): the next run retries what did not land.`
        : `Nothing is recorded as applied to ${result.environment} yet: the next run retries what did not land.`;
  }
}

export function applyText(result: ApplyResult): string {
  const lines: string[] = [];
  for (const o of result.outcomes) {
    // Paths and reasons (Graph's error messages among them) are data: one line each.
    if (o.status === 'failed' || o.status === 'cancelled') lines.push(`  ✗ ${outcomeUser(result, o)} (${o.action} ${printable(o.photo ?? '')}): ${printable(o.reason ?? outcomeWords(o.status))}`);
  }
  const waiting = waitingFor(result);
  if (waiting.length) {
    lines.push(`Waiting for an account: ${waiting.length} (${waitingNote(result)})`);
    for (const w of waiting) lines.push(`  … ${printable(w.user)}${w.name ? ` (${printable(w.name)})` : ''} (${printable(w.file)}:${w.line}): ${printable(w.reason)}`);
  }
  if (result.policy.message) lines.push(`  policy: ${printable(result.policy.message)}`);
  // The run's one error when the tenant's photo policy refused its writes (the users never sent
  // are counted, not listed one by one).
  if (result.halted) lines.push(`Error: ${printable(result.halted.message)}`);
  lines.push(applyHeadline(result), recordLine(result));
  return lines.join('\n') + '\n';
}

export interface ApplyJson {
  environment: string;
  base: string | null;
  head: string;
  counts: ApplyCounts;
  alreadyLanded: number;
  policy: PolicyOutcome;
  appliedRevision: string | null;
  record: ApplyResult['record'];
  durationMs: number;
  halted?: NonNullable<ApplyResult['halted']>;
  /** Users waiting for an account (status pending), with where the manifest declares them. */
  waiting: WaitingUser[];
  outcomes: { user: string; keyType: string; name?: string; action: string; status: string; photo?: string; reason?: string }[];
}

export function applyJson(result: ApplyResult): ApplyJson {
  return {
    environment: result.environment,
    base: result.base ?? null,
    head: result.head,
    counts: applyCounts(result),
    alreadyLanded: result.alreadyLanded,
    policy: result.policy,
    appliedRevision: result.appliedRevision ?? null,
    record: result.record,
    durationMs: result.durationMs,
    ...(result.halted ? { halted: result.halted } : {}),
    waiting: waitingFor(result),
    outcomes: result.outcomes.map((o) => ({ user: o.key.value, keyType: o.key.kind, ...nameOf(result, o), action: o.action, status: o.status, ...(o.photo ? { photo: o.photo } : {}), ...(o.reason ? { reason: o.reason } : {}) })),
  };
}

function nameOf(result: Pick<ApplyResult, 'names'>, o: Pick<UserOutcome, 'key'>): { name?: string } {
  const name = result.names?.get(o.key.canonical);
  return name ? { name } : {};
}

/**
 * Job summary: verdict and counts first, then failures, then every user, then the policy. Keys,
 * paths, reasons, the environment's name and the policy go through mdText (src/report/markdown.ts).
 */
export function applyMarkdown(result: ApplyResult, openRows = 15, targetTitle?: string): string {
  const c = applyCounts(result);
  const ok = applySucceeded(result);
  const out = [
    `## ${result.record === 'dry-run' ? '🔎' : ok ? '✅' : '❌'} entra-photos${targetTitle ? ` → ${mdText(targetTitle)}` : ''}: ${mdText(applyHeadline(result))}`,
    '',
    `| Uploaded | Removed | Failed | Not started | Kept (no prune) | Already landed | Duration | Throughput |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|`,
    `| ${c.uploaded} | ${c.removed} | ${c.failed} | ${c.cancelled} | ${c.kept} | ${result.alreadyLanded} | ${(result.durationMs / 1000).toFixed(1)} s | ${throughput(result).toFixed(1)}/s |`,
    '',
    mdText(recordLine(result)),
    '',
    ...(result.halted ? ['> [!CAUTION]', `> ${mdText(result.halted.message)}`, ''] : []),
  ];
  if (result.pacer) {
    const p = result.pacer;
    out.push(`Graph: ${p.attempts} write requests, ${p.throttled} throttled (429), ${p.retries} retries.`, '');
  }
  const waiting = waitingFor(result);
  if (waiting.length) {
    out.push(`### Waiting for an account: ${waiting.length}`, '', mdText(waitingNote(result)), '', '| User | Declared at | Why | Waiting since |', '|---|---|---|---|');
    for (const w of waiting) out.push(`| ${mdText(w.name ? `${w.user} (${w.name})` : w.user)} | ${mdText(`${w.file}:${w.line}`)} | ${mdText(w.reason)} | ${mdText(w.since?.slice(0, 10) ?? '')} |`);
    out.push('');
  }
  const problems = result.outcomes.filter((o) => o.status === 'failed' || o.status === 'cancelled');
  if (problems.length) {
    const who = problems.every((o) => isGroupKey(o.key)) ? 'Group' : problems.some((o) => isGroupKey(o.key)) ? 'User or group' : 'User';
    out.push(`### Failures (${problems.length})`, '', `| ${who} | Action | Photo | Why |`, '|---|---|---|---|');
    for (const o of problems) out.push(`| ${mdText(outcomeUser(result, o))} | ${o.action} | ${mdText(o.photo ?? '')} | ${mdText(o.reason ?? outcomeWords(o.status))} |`);
    out.push('');
  }
  // Users, then groups and teams in their own section.
  const outcomeTable = (outcomes: typeof result.outcomes, who: 'User' | 'Group', title: string, every: string) => {
    const rows = outcomes.map((o) => `| ${mdText(outcomeUser(result, o))} | ${o.action} | ${outcomeWords(o.status)} | ${mdText(o.photo ?? '')} |`);
    if (!rows.length) return;
    const table = [`| ${who} | Action | Result | Photo |`, '|---|---|---|---|', ...rows];
    if (rows.length > openRows) out.push(`<details><summary><b>${every} (${rows.length})</b></summary>`, '', ...table, '', '</details>', '');
    else out.push(`### ${title}`, '', ...table, '');
  };
  outcomeTable(result.outcomes.filter((o) => !isGroupKey(o.key)), 'User', 'Users', 'Every user');
  outcomeTable(result.outcomes.filter((o) => isGroupKey(o.key)), 'Group', 'Groups and teams', 'Every group');
  if (result.policy.status !== 'not-managed') {
    out.push('### Photo policy', '', `- ${capitalise(policyOutcomeWords(result.policy.status))}.`, `- tenant before: ${mdText(describeTenantPolicy(result.policy.from))}`);
    if (result.policy.to) out.push(`- declared: ${mdText(describeTenantPolicy(result.policy.to))}`);
    if (result.policy.message) out.push('', '> [!WARNING]', `> ${mdText(result.policy.message)}`);
    out.push('');
  }
  return out.join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

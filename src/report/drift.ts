/**
 * Drift report builders: pure functions from a drift result (and the fix, when one ran) to text,
 * JSON, the job summary's Markdown, and a local HTML page.
 *
 * Thumbnails never leave the job. GitHub's Markdown sanitiser drops `data:` image sources (an
 * <img src="data:…"> renders as a broken image), so the job summary cannot carry the tenant's
 * photo inline; uploading it anywhere would copy a minor's photo out of the tenant. The summary
 * therefore shows the repository's photo through a link into the repository (it renders only for
 * people who can read the repository) next to a description of the tenant's photo. The CLI can
 * write a self-contained HTML page with both thumbnails as data URIs, on the admin's machine.
 */
import type { ApplyResult } from '../apply/apply.js';
import { driftCounts, inSync, type DriftResult, type DriftStatus, type PolicyDrift, type UserDrift } from '../drift/drift.js';
import { describeUser, isGroupKey } from '../manifest/userKey.js';
import { applyCounts, applySucceeded, describeTenantPolicy, outcomeUser, outcomeWords, policyOutcomeWords } from './apply.js';
import { printable } from '../core/untrusted.js';
import { NEUTRAL_VOCABULARY, type Vocabulary } from '../core/vocabulary.js';
import { htmlImageSrc, mdLink, mdRevision, mdText } from './markdown.js';

export function driftHeadline(result: DriftResult): string {
  const c = driftCounts(result);
  const seconds = `(${(result.durationMs / 1000).toFixed(1)} s)`;
  // Users waiting for an account are reported, never drift: apply uploads them once the account is usable.
  const waiting = c.waiting ? `; ${c.waiting} waiting for an account` : '';
  if (inSync(result)) {
    const photos = c['in-sync'] === 1 ? "1 user's photo matches" : `all ${c['in-sync']} users' photos match`;
    return `No drift: ${photos} the repository${waiting}; ${policyWord(result.policy)} ${seconds}.`;
  }
  const parts = [`${c.different} different`, `${c.missing} missing`, `${c['in-sync']} matching`];
  if (c.unresolved) parts.push(`${c.unresolved} not in the tenant`);
  if (c.error) parts.push(`${c.error} could not be compared`);
  if (c.cancelled) parts.push(`${c.cancelled} not compared (cancelled)`);
  return `Drift: ${parts.join(', ')}${waiting}; ${policyWord(result.policy)} ${seconds}.`;
}

/** The policy comparison in words (the JSON keeps the status value). */
function policyWord(policy: PolicyDrift): string {
  switch (policy.status) {
    case 'not-managed':
      return 'the photo policy is not managed by the manifests';
    case 'in-sync':
      return "the tenant's photo policy matches";
    case 'different':
      return "the tenant's photo policy differs";
    case 'error':
      return "the tenant's photo policy could not be read";
  }
}

/** One user's comparison in words (the JSON keeps the status value). */
export function driftWords(status: DriftStatus): string {
  switch (status) {
    case 'in-sync':
      return 'matches';
    case 'different':
      return 'different photo';
    case 'missing':
      return 'no photo in the tenant';
    case 'unresolved':
      return 'not in the tenant';
    case 'error':
      return 'could not be compared';
    case 'cancelled':
      return 'not compared';
    case 'waiting':
      return 'waiting for an account';
  }
}

const STATUS_ORDER: DriftStatus[] = ['different', 'missing', 'unresolved', 'error', 'cancelled', 'waiting', 'in-sync'];

function sorted(users: readonly UserDrift[]): UserDrift[] {
  return [...users].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || (a.key.canonical < b.key.canonical ? -1 : 1));
}

function tenantDescription(u: UserDrift): string {
  if (u.status === 'missing') return 'no photo';
  if (!u.tenantPhoto) return '';
  const { width, height, bytes } = u.tenantPhoto;
  return `${width}×${height}, ${Math.max(1, Math.round(bytes / 1024))} KB${u.similarity !== undefined ? `, similarity ${u.similarity.toFixed(3)}` : ''}`;
}

export function driftText(result: DriftResult, fix?: ApplyResult, words: Vocabulary = NEUTRAL_VOCABULARY): string {
  const lines: string[] = [];
  for (const u of sorted(result.users)) {
    if (u.status === 'in-sync') continue;
    // Paths, reasons (Graph's messages) and manifest names are data: printable() keeps each on its line.
    lines.push(`  ${symbol(u.status)} ${describeUser(u.key, u.name)}  ${printable(u.photo)}  [${driftWords(u.status)}] ${printable(u.reason ?? '')} (${printable(u.declaredAt.file)}:${u.declaredAt.line})`.trimEnd());
  }
  if (result.policy.status === 'different') lines.push(`  ~ policy: tenant has ${describeTenantPolicy(result.policy.tenant)}; the manifests declare ${describeTenantPolicy(result.policy.declared)}`);
  if (result.policy.status === 'error') lines.push(`  ! policy: ${printable(result.policy.reason ?? '')}`);
  lines.push(driftHeadline(result));
  if (fix) lines.push(fixLine(fix));
  else if (!inSync(result) && (driftCounts(result).different || driftCounts(result).missing || result.policy.status === 'different')) {
    lines.push(`To upload the repository's version of the different and missing photos, ${words.fixDrift}.`);
  }
  return lines.join('\n') + '\n';
}

function symbol(status: DriftStatus): string {
  return status === 'different' ? '~' : status === 'missing' ? '+' : status === 'in-sync' ? '=' : status === 'waiting' ? '.' : '!';
}

export function fixLine(fix: ApplyResult): string {
  const c = applyCounts(fix);
  const dry = fix.record === 'dry-run';
  const failures = fix.outcomes.filter((o) => o.status === 'failed' || o.status === 'cancelled');
  return [
    `Fix${dry ? ' (dry run)' : ''}: ${c.uploaded} ${dry ? 'would upload' : 'uploaded'}, ${c.failed} failed${c.cancelled ? `, ${c.cancelled} not started` : ''}${c.notAttempted ? `, ${c.notAttempted} not attempted` : ''}; ${policyOutcomeWords(fix.policy.status)}${fix.policy.message ? ` (${printable(fix.policy.message)})` : ''}.`,
    // The photo policy stopped the writes: one reason for all of them, not one per user.
    ...(fix.halted ? [`Stopped: ${printable(fix.halted.message)}`] : []),
    ...failures.map((o) => `  ✗ ${outcomeUser(fix, o)} (${printable(o.photo ?? '')}): ${printable(o.reason ?? outcomeWords(o.status))}`),
  ].join('\n');
}

export interface DriftJson {
  head: string;
  inSync: boolean;
  threshold: number;
  counts: Record<DriftStatus, number>;
  policy: PolicyDrift;
  users: {
    user: string;
    keyType: string;
    name?: string;
    photo: string;
    status: DriftStatus;
    similarity?: number;
    tenantPhoto?: { width: number; height: number; bytes: number };
    reason?: string;
    declaredAt: string;
    /** Status waiting: since when (ISO 8601), why (`not-found` | `disabled`), which environment's apply recorded it. */
    waiting?: UserDrift['waiting'];
  }[];
  fix?: { counts: ReturnType<typeof applyCounts>; succeeded: boolean; policy: string; halted?: NonNullable<ApplyResult['halted']>; outcomes: { user: string; name?: string; status: string; reason?: string }[] };
}

export function driftJson(result: DriftResult, fix?: ApplyResult): DriftJson {
  return {
    head: result.head,
    inSync: inSync(result),
    threshold: result.threshold,
    counts: driftCounts(result),
    policy: result.policy,
    users: sorted(result.users).map((u) => ({
      user: u.key.value,
      keyType: u.key.kind,
      ...(u.name ? { name: u.name } : {}),
      photo: u.photo,
      status: u.status,
      ...(u.similarity !== undefined ? { similarity: u.similarity } : {}),
      ...(u.tenantPhoto ? { tenantPhoto: u.tenantPhoto } : {}),
      ...(u.reason ? { reason: u.reason } : {}),
      declaredAt: `${u.declaredAt.file}:${u.declaredAt.line}`,
      ...(u.waiting ? { waiting: u.waiting } : {}),
    })),
    ...(fix
      ? { fix: { counts: applyCounts(fix), succeeded: applySucceeded(fix), policy: fix.policy.status, ...(fix.halted ? { halted: fix.halted } : {}), outcomes: fix.outcomes.map((o) => ({ user: o.key.value, ...(fix.names?.get(o.key.canonical) ? { name: fix.names.get(o.key.canonical)! } : {}), status: o.status, ...(o.reason ? { reason: o.reason } : {}) })) } }
      : {}),
  };
}

export interface DriftMarkdownOptions {
  /** URL of a repository photo as of the compared revision (renders only for repository readers). */
  photoUrl?: (path: string) => string;
  /** URL of a manifest line. */
  lineUrl?: (file: string, line: number) => string;
  openRows?: number;
  /** How the edge names its options (the action's inputs, the CLI's flags). */
  words?: Vocabulary;
}

/**
 * The job summary: verdict and counts, then each drifted user side by side, then the policy. Data
 * (keys, paths, reasons, manifest names, the policy) goes through mdText (src/report/markdown.ts).
 */
export function driftMarkdown(result: DriftResult, fix?: ApplyResult, options: DriftMarkdownOptions = {}): string {
  const c = driftCounts(result);
  const openRows = options.openRows ?? 20;
  const out = [
    `## ${inSync(result) ? '✅' : '⚠️'} entra-photos: ${driftHeadline(result)}`,
    '',
    `Compared ${mdRevision(result.head.slice(0, 12))} with the tenant. Photos are compared perceptually (Graph re-encodes what it stores): the same picture scores ≥ ${result.threshold}.`,
    '',
    '| Matching | Different | Missing | Not in tenant | Errors | Waiting for an account | Policy |',
    '|---:|---:|---:|---:|---:|---:|---|',
    `| ${c['in-sync']} | ${c.different} | ${c.missing} | ${c.unresolved} | ${c.error + c.cancelled} | ${c.waiting} | ${policyWord(result.policy)} |`,
    '',
  ];
  const differing = sorted(result.users).filter((u) => u.status !== 'in-sync' && u.status !== 'waiting');
  // Users first, then groups and teams in their own table.
  for (const groups of [false, true]) {
    const shown = differing.filter((u) => isGroupKey(u.key) === groups);
    if (!shown.length) continue;
    const header = [
      "The repository's photo is linked from the repository (visible only to people who can read it). The tenant's photo is described, not shown: it never leaves the job.",
      '',
      `| Repository | Tenant | ${groups ? 'Group' : 'User'} | Status | Photo | Declared at |`,
      '|---|---|---|---|---|---|',
    ];
    const title = groups ? 'Groups and teams: what differs' : 'What differs';
    const rows = shown.map((u) => {
      const src = options.photoUrl ? htmlImageSrc(options.photoUrl(u.photo)) : undefined;
      const repo = src ? `<img src="${src}" width="64" alt="repository photo">` : '';
      const declared = `${u.declaredAt.file}:${u.declaredAt.line}`;
      const declaredCell = options.lineUrl ? mdLink(declared, options.lineUrl(u.declaredAt.file, u.declaredAt.line)) : mdText(declared);
      return `| ${repo} | ${mdText(tenantDescription(u))} | ${mdText(describeUser(u.key, u.name))} | **${driftWords(u.status)}**${u.reason && u.status !== 'missing' ? `: ${mdText(u.reason)}` : ''} | ${mdText(u.photo)} | ${declaredCell} |`;
    });
    if (rows.length > openRows) out.push(`<details><summary><b>${title} (${rows.length})</b></summary>`, '', ...header, ...rows, '', '</details>', '');
    else out.push(`### ${title}`, '', ...header, ...rows, '');
  }
  const waiting = sorted(result.users).filter((u) => u.status === 'waiting');
  if (waiting.length) {
    // Not drift: users apply recorded as waiting (no account yet, or a disabled one). Folded: a school's list can be long.
    const rows = waiting.map((u) => {
      const declared = `${u.declaredAt.file}:${u.declaredAt.line}`;
      const declaredCell = options.lineUrl ? mdLink(declared, options.lineUrl(u.declaredAt.file, u.declaredAt.line)) : mdText(declared);
      const why = u.waiting?.problem === 'disabled' ? 'disabled account' : 'no account yet';
      return `| ${mdText(describeUser(u.key, u.name))} | ${mdText(why)} | ${mdText(u.waiting?.since.slice(0, 10) ?? '')} | ${mdText(u.photo)} | ${declaredCell} |`;
    });
    out.push(
      `<details><summary><b>Waiting for an account (${waiting.length})</b></summary>`,
      '',
      'Apply recorded these users as waiting for an account: not drift. Each gets its photo from the next apply once the account exists and is enabled.',
      '',
      '| User | Why | Since | Photo | Declared at |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      '</details>',
      '',
    );
  }
  if (result.policy.status !== 'not-managed') {
    out.push('### Photo policy', '', `- ${policyWord(result.policy).replace(/^t/, 'T')}.`);
    if (result.policy.tenant) out.push(`- tenant: ${mdText(describeTenantPolicy(result.policy.tenant))}`);
    if (result.policy.declared) out.push(`- declared: ${mdText(describeTenantPolicy(result.policy.declared))}`);
    if (result.policy.reason) out.push(`- ${mdText(result.policy.reason)}`);
    out.push('');
  }
  // fixLine's lines quote data (paths, reasons, the policy message) but stay one line each (printable).
  if (fix) out.push('### Fix', '', ...fixLine(fix).split('\n').map((l) => (l.startsWith('  ') ? `- ${mdText(l.trim())}` : mdText(l))), '');
  else if (c.different + c.missing > 0 || result.policy.status === 'different') out.push(mdText(`To upload the repository's version, ${(options.words ?? NEUTRAL_VOCABULARY).fixDrift}.`), '');
  return out.join('\n');
}

/** A self-contained page for the admin's own machine: both thumbnails side by side as data URIs. */
export function driftHtml(result: DriftResult, fix?: ApplyResult): string {
  const img = (jpeg: Buffer | undefined) => (jpeg && jpeg.length ? `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" width="96" height="96" alt="">` : '<span class="none">—</span>');
  const rows = sorted(result.users)
    .filter((u) => u.status !== 'in-sync')
    .map((u) => `<tr><td>${img(u.thumbnails?.repo)}</td><td>${img(u.thumbnails?.tenant)}</td><td>${html(describeUser(u.key, u.name))}</td><td><b>${html(driftWords(u.status))}</b><br>${html(u.reason ?? '')}</td><td><code>${html(u.photo)}</code><br>${html(`${u.declaredAt.file}:${u.declaredAt.line}`)}</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>entra-photos drift ${html(result.head.slice(0, 12))}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:6px;vertical-align:top;text-align:left}.none{color:#999}</style></head>
<body><h1>entra-photos drift</h1>
<p>${html(driftHeadline(result))}</p>
${fix ? `<p>${html(fixLine(fix))}</p>` : ''}
<p>Contains photos of people: keep this file on this machine and delete it when done.</p>
<table><tr><th>Repository</th><th>Tenant</th><th>User</th><th>Status</th><th>Photo</th></tr>
${rows.join('\n')}
</table></body></html>
`;
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

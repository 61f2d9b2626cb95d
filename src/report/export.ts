/** Export report builders: pure functions from an export result to text and JSON. */
import { printable } from '../core/untrusted.js';
import type { ExportResult, ExportStatus } from '../export/export.js';

export function exportCounts(result: ExportResult): Record<ExportStatus, number> {
  const counts: Record<ExportStatus, number> = { exported: 0, 'no-photo': 0, managed: 0, refused: 0, failed: 0, 'not-started': 0 };
  for (const u of result.users) counts[u.status]++;
  return counts;
}

/** `listed` names what was listed: users, or (an export of group photos) "group(s) and team(s)". */
export function exportHeadline(result: ExportResult, listed = 'user(s)'): string {
  const c = exportCounts(result);
  const parts = [`${c.exported} photo(s) exported`, `${c['no-photo']} without a photo`, `${c.managed} already in the repository`];
  if (c.refused) parts.push(`${c.refused} refused`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c['not-started']) parts.push(`${c['not-started']} not started`);
  return `${result.complete ? 'Export complete' : 'Export interrupted'}: ${result.listed} ${listed} listed; ${parts.join(', ')}${result.resumed ? ` (${result.resumed} done by an earlier run)` : ''} (${(result.durationMs / 1000).toFixed(1)} s).`;
}

export function exportText(result: ExportResult): string {
  const lines: string[] = [];
  for (const u of result.users) {
    // The tenant's names and Graph's messages are data: printable() keeps each on its line.
    if (u.status === 'refused' || u.status === 'failed') lines.push(`  ! ${printable(u.userPrincipalName)}${u.displayName ? ` (${printable(u.displayName)})` : ''}: ${u.status}: ${printable(u.reason ?? '')}`);
  }
  lines.push(exportHeadline(result));
  lines.push(
    result.complete
      ? `Next: review and commit ${printable(result.manifest)} and the photos (entra-photos validate checks them). The first apply after the commit re-uploads the same pictures; entra-photos drift shows them in sync.`
      : 'Run the same command again to continue where this run stopped (nothing done is downloaded again).',
  );
  return lines.join('\n') + '\n';
}

export function exportJson(result: ExportResult): unknown {
  return {
    manifest: result.manifest,
    complete: result.complete,
    listed: result.listed,
    resumed: result.resumed,
    counts: exportCounts(result),
    durationMs: result.durationMs,
    users: result.users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, ...(u.displayName ? { displayName: u.displayName } : {}), status: u.status, ...(u.file ? { file: u.file } : {}), ...(u.reason ? { reason: u.reason } : {}) })),
  };
}

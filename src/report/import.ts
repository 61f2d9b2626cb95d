/** Import report builders: pure functions from an import result to text and JSON. */
import { printable } from '../core/untrusted.js';
import type { ImportResult, ImportStatus } from '../import/import.js';

const ORDER: ImportStatus[] = ['unmatched', 'ambiguous', 'missing-file', 'invalid-photo', 'duplicate-user', 'no-id', 'file-exists', 'already-declared', 'superseded', 'replaced', 'imported'];

export function importCounts(result: ImportResult): Record<ImportStatus, number> {
  const counts = Object.fromEntries(ORDER.map((s) => [s, 0])) as Record<ImportStatus, number>;
  for (const r of result.rows) counts[r.status]++;
  return counts;
}

/** Whether every row was imported, replaced or superseded by a retake. */
export function importClean(result: ImportResult): boolean {
  return result.rows.every((r) => r.status === 'imported' || r.status === 'replaced' || r.status === 'superseded');
}

/** Each row status in words (the JSON keeps the status value). */
const WORDS: Record<ImportStatus, string> = {
  unmatched: 'matched no user',
  ambiguous: 'matched more than one user',
  'missing-file': 'photo file missing',
  'invalid-photo': 'photo not usable',
  'duplicate-user': 'same user twice',
  'no-id': 'without an id',
  'file-exists': 'file already in the repository',
  'already-declared': 'already in the manifests',
  superseded: 'replaced by a retake',
  replaced: 'replaced',
  imported: 'imported',
};

export function importHeadline(result: ImportResult): string {
  const c = importCounts(result);
  const parts = ORDER.filter((s) => c[s] > 0).map((s) => `${c[s]} ${WORDS[s]}`);
  return `${result.dryRun ? 'Import (dry run)' : 'Import'}: ${parts.join(', ') || 'nothing to do'} (${(result.durationMs / 1000).toFixed(1)} s).`;
}

export function importText(result: ImportResult): string {
  const lines: string[] = [];
  for (const status of ORDER) {
    const rows = result.rows.filter((r) => r.status === status);
    if (!rows.length || status === 'imported') continue;
    lines.push(`${WORDS[status].charAt(0).toUpperCase()}${WORDS[status].slice(1)} (${rows.length}):`);
    // Messages quote the delivery's file names and values (data): printable() keeps each on its line.
    for (const r of rows) lines.push(`  ${printable(r.message)}`);
  }
  // Which key the entries name users by, and why (the roster's column names are data).
  for (const k of result.keys) lines.push(`Manifest keys: ${k.count} × ${k.field}: from the ${k.from}: ${printable(k.why)}.`);
  lines.push(importHeadline(result));
  const written = result.rows.filter((r) => r.status === 'imported').length;
  if (written && !result.dryRun) lines.push(`Wrote ${written} photo(s) and their entries in ${printable(result.manifest)}. Review with "entra-photos validate" and "entra-photos plan", then commit.`);
  if (!importClean(result)) lines.push('Rows above were not imported: fix them (each names its file and line) and run import again; rows already imported are kept.');
  return lines.join('\n') + '\n';
}

export function importJson(result: ImportResult): unknown {
  return {
    manifest: result.manifest,
    dryRun: result.dryRun,
    directorySize: result.directorySize,
    counts: importCounts(result),
    clean: importClean(result),
    keys: result.keys,
    rows: result.rows,
  };
}

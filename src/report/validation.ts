/**
 * Report builders for validation: pure functions from a result to text, JSON or Markdown.
 * Writing them (stdout, job summary, annotations) happens at the edges.
 */
import { countFindings, sortFindings, type Finding } from '../core/findings.js';
import { plural } from '../core/text.js';
import type { ValidationResult } from '../validate/validate.js';
import { printable } from '../core/untrusted.js';
import { mdLink, mdText } from './markdown.js';

/** `file:line:col` as written (the file name is data: printable() or mdText() it where it is shown). */
export function findingLocation(f: Finding): string {
  return f.line ? `${f.file}:${f.line}${f.col ? `:${f.col}` : ''}` : f.file;
}

/** Compiler-style lines (file:line:col: severity: message [code]) that editors and terminals link. */
export function validationText(result: ValidationResult): string {
  const lines = sortFindings(result.findings).map((f) => `${printable(findingLocation(f))}: ${f.severity}: ${printable(f.message)} [${printable(f.code)}]`);
  lines.push(validationHeadline(result));
  return lines.join('\n') + '\n';
}

export function validationHeadline(result: ValidationResult): string {
  const { errors, warnings } = countFindings(result.findings);
  const { manifests, users, photosDecoded } = result.stats;
  const verdict = errors > 0 ? 'Validation failed' : 'Validation passed';
  return `${verdict}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} (${plural(manifests, 'manifest')}, ${plural(users, 'user')}, ${plural(photosDecoded, 'photo')} checked).`;
}

export interface ValidationJson {
  ok: boolean;
  errors: number;
  warnings: number;
  stats: ValidationResult['stats'];
  findings: Finding[];
}

export function validationJson(result: ValidationResult): ValidationJson {
  const { errors, warnings } = countFindings(result.findings);
  return { ok: errors === 0, errors, warnings, stats: result.stats, findings: sortFindings(result.findings) };
}

/** Job-summary Markdown: the verdict first, then every finding grouped by file. */
export function validationSummary(result: ValidationResult, options: { fileUrl?: (f: Finding) => string; maxRows?: number } = {}): string {
  const { errors } = countFindings(result.findings);
  const out: string[] = [`## ${errors > 0 ? '❌' : '✅'} entra-photos: ${validationHeadline(result)}`, ''];
  const sorted = sortFindings(result.findings);
  if (sorted.length === 0) {
    out.push('No problems found.', '');
    return out.join('\n');
  }
  out.push('| | Where | Problem |', '|---|---|---|');
  const maxRows = options.maxRows ?? Infinity;
  for (const f of sorted.slice(0, maxRows)) {
    // Data only through mdText/mdLink: no cell of a row can add a column, a link or a mention.
    const where = options.fileUrl ? mdLink(findingLocation(f), options.fileUrl(f)) : mdText(findingLocation(f));
    out.push(`| ${f.severity === 'error' ? '❌ error' : '⚠️ warning'} | ${where} | ${mdText(f.message)} <sub>${mdText(f.code)}</sub> |`);
  }
  if (sorted.length > maxRows) out.push(`| | | … and ${sorted.length - maxRows} more: every finding is an annotation and in the \`entra-photos validate\` output. |`);
  out.push('');
  return out.join('\n');
}


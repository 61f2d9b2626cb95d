/**
 * A finding is one thing validation has to say about the repository. Every finding names a
 * file (relative to the repository root, forward slashes) and, when it comes from a manifest,
 * the 1-based line and column, so every surface (CLI text, JSON, workflow annotations, job
 * summary) can point the user at the exact place to fix.
 */
export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** Stable machine-readable kind, e.g. `photo-missing`; tests and JSON consumers branch on it. */
  code: string;
  /** Repository-relative path with forward slashes. */
  file: string;
  line?: number;
  col?: number;
  /** One or two sentences: what is wrong and what to do about it. */
  message: string;
}

export interface FindingCounts {
  errors: number;
  warnings: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  let errors = 0;
  let warnings = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}

/** Stable order for every surface: by file, then line, then column, errors first. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}

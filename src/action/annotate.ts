import * as core from '@actions/core';
import { sortFindings, type Finding } from '../core/findings.js';

/** Findings as workflow-command annotations at file:line:col. */
export function annotate(findings: readonly Finding[]): void {
  for (const f of sortFindings(findings)) {
    const properties = { title: `entra-photos: ${f.code}`, file: f.file, ...(f.line ? { startLine: f.line } : {}), ...(f.col ? { startColumn: f.col } : {}) };
    if (f.severity === 'error') core.error(f.message, properties);
    else core.warning(f.message, properties);
  }
}

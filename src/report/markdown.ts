/** Markdown pieces shared by the report builders (job summaries and the pull-request comment). */

/** Text safe inside a table cell: no column break, no HTML, one line. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
}

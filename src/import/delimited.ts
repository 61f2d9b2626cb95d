/**
 * Delimited text as photographers' and SIS exports write it: tab- or comma-separated, optional
 * "quoted, fields" with doubled quotes, CRLF or LF, a UTF-8 BOM, Windows-1252 bytes (decoded as
 * Latin-1 when the file is not valid UTF-8). Every row keeps its 1-based line number so problems
 * point at file:line.
 */
export interface DelimitedRow {
  line: number;
  cells: string[];
}

export function decodeText(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  // U+FFFD means the bytes were not UTF-8: PSPA discs are often Windows-1252.
  const decoded = text.includes('\uFFFD') ? bytes.toString('latin1') : text;
  return decoded.replace(/^\uFEFF/, '');
}

/** Tab when the first non-empty line has one, else comma. */
export function guessDelimiter(text: string): '\t' | ',' {
  const first = text.split(/\r?\n/).find((l) => l.trim()) ?? '';
  return first.includes('\t') ? '\t' : ',';
}

export function parseDelimited(text: string, delimiter: string = guessDelimiter(text)): DelimitedRow[] {
  const rows: DelimitedRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === delimiter) {
      cells.push(cell.trim());
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell.trim());
      if (cells.some((x) => x !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += c;
  }
  cells.push(cell.trim());
  if (cells.some((x) => x !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

/** Header lookup: case-, space- and underscore-insensitive. */
export function headerIndex(header: readonly string[], ...names: string[]): number {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_.-]+/g, '');
  const wanted = names.map(norm);
  return header.findIndex((h) => wanted.includes(norm(h)));
}

/**
 * A photographer's delivery, as rows: who (an id) and which file.
 *
 * (a) PSPA-style: INDEX.TXT (and MASTER.TXT) next to the image folders; tab-delimited, usually
 *     without a header row, columns in the PSPA order: A Volume, B Image Folder, C Image File
 *     Name, D Grade, E Last Name, F First Name, G Homeroom, H Period, I Teacher, J Track,
 *     K Department, L Title, M Image Size, then studio extensions — the student id is commonly
 *     column N. With a header row, columns are found by name (Student ID, Person ID, ID, …).
 *     MASTER.TXT is the studio's cumulative file after retake day: where both list a person, its
 *     row wins; within one file a later row for the same person wins (the retake).
 * (b) CSV: a header row with an id column and a file column (paths relative to the CSV).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { decodeText, headerIndex, parseDelimited, type DelimitedRow } from './delimited.js';

export interface DeliveryRow {
  /** File name as shown in reports (INDEX.TXT, MASTER.TXT, roster.csv). */
  source: string;
  line: number;
  /** Id as written (may be empty). */
  id: string;
  /** Photo path relative to the delivery folder, forward slashes. */
  file: string;
  name?: string;
  grade?: string;
}

export interface SupersededRow {
  row: DeliveryRow;
  by: DeliveryRow;
}

export interface Delivery {
  /** Folder the photo paths are relative to. */
  dir: string;
  /** Rows that count: one per person (retakes applied). */
  rows: DeliveryRow[];
  /** Rows replaced by a retake or by MASTER.TXT. */
  superseded: SupersededRow[];
  /** Rows with no id. */
  withoutId: DeliveryRow[];
}

/** Leading zeros are formatting, not identity: "0012345" and "12345" are one student. */
export function normaliseId(id: string): string {
  const trimmed = id.trim();
  if (/^\d+$/.test(trimmed)) return trimmed.replace(/^0+(?=\d)/, '');
  return trimmed.toLowerCase();
}

const PSPA_COLUMNS = { folder: 1, file: 2, grade: 3, last: 4, first: 5 } as const;
/** 0-based default id column of a header-less PSPA file: N, after Image Size. */
export const PSPA_DEFAULT_ID_COLUMN = 13;
const ID_HEADERS = ['student id', 'studentid', 'student number', 'person id', 'personid', 'employee id', 'employeeid', 'id', 'student no'];

export interface PspaOptions {
  /** 1-based column number, a letter (N), or a header name. */
  idColumn?: string;
}

export async function readPspaDelivery(dir: string, options: PspaOptions = {}): Promise<Delivery> {
  const names = await readdir(dir).catch(() => {
    throw new UserError('usage', `--pspa ${dir} is not a folder. Point it at the delivery folder that holds INDEX.TXT.`);
  });
  const find = (wanted: string) => names.find((n) => n.toLowerCase() === wanted.toLowerCase());
  const index = find('INDEX.TXT');
  const master = find('MASTER.TXT');
  if (!index && !master) throw new UserError('usage', `${dir} holds neither INDEX.TXT nor MASTER.TXT. Point --pspa at the folder of the photographer's delivery (where INDEX.TXT is).`);
  const files = [index, master].filter((n): n is string => n !== undefined);
  const all: DeliveryRow[] = [];
  const withoutId: DeliveryRow[] = [];
  for (const name of files) {
    const rows = parseDelimited(decodeText(await readFile(path.join(dir, name))));
    for (const row of pspaRows(name, rows, options)) (row.id ? all : withoutId).push(row);
  }
  return { dir, ...applyRetakes(all, master), withoutId };
}

function pspaRows(source: string, rows: DelimitedRow[], options: PspaOptions): DeliveryRow[] {
  if (rows.length === 0) return [];
  const first = rows[0]!.cells;
  const hasHeader = headerIndex(first, 'volume', 'volume name') >= 0 || headerIndex(first, 'image file name', 'filename', 'file name', 'image') >= 0;
  const header = hasHeader ? first : undefined;
  const col = (names: string[], fallback: number) => (header ? headerIndex(header, ...names) : fallback);
  const folder = col(['image folder', 'folder'], PSPA_COLUMNS.folder);
  const file = col(['image file name', 'filename', 'file name', 'image'], PSPA_COLUMNS.file);
  const grade = col(['grade'], PSPA_COLUMNS.grade);
  const last = col(['last name', 'last', 'lastname'], PSPA_COLUMNS.last);
  const firstName = col(['first name', 'first', 'firstname'], PSPA_COLUMNS.first);
  const id = idColumn(source, header, options.idColumn);
  if (header && file < 0) throw new UserError('usage', `${source}:1: the header row has no Image File Name column. Name it "Image File Name" (or remove the header row to use the PSPA column order).`);
  return rows.slice(hasHeader ? 1 : 0).map((row) => {
    const cell = (i: number) => (i >= 0 ? (row.cells[i] ?? '').trim() : '');
    const name = [cell(firstName), cell(last)].filter(Boolean).join(' ');
    const rel = [cell(folder), cell(file)].filter(Boolean).join('/').replace(/\\/g, '/');
    return { source, line: row.line, id: cell(id), file: rel, ...(name ? { name } : {}), ...(cell(grade) ? { grade: cell(grade) } : {}) };
  });
}

function idColumn(source: string, header: readonly string[] | undefined, option: string | undefined): number {
  if (option === undefined) {
    if (header) {
      const found = headerIndex(header, ...ID_HEADERS);
      if (found < 0) throw new UserError('usage', `${source}:1: no id column in the header (looked for ${ID_HEADERS.slice(0, 4).join(', ')}, …). Say which column holds the student or employee id with --id-column NAME.`);
      return found;
    }
    return PSPA_DEFAULT_ID_COLUMN;
  }
  if (/^\d+$/.test(option)) return Number(option) - 1;
  if (/^[A-Za-z]$/.test(option)) return option.toUpperCase().charCodeAt(0) - 65;
  if (header) {
    const found = headerIndex(header, option);
    if (found >= 0) return found;
  }
  throw new UserError('usage', `--id-column ${option}: ${header ? `no column named "${option}" in ${source}:1` : `${source} has no header row, so give a column number (1 = A) or letter`}.`);
}

/** One row per person: MASTER.TXT over INDEX.TXT, a later row over an earlier one. */
function applyRetakes(rows: DeliveryRow[], master: string | undefined): { rows: DeliveryRow[]; superseded: SupersededRow[] } {
  const winner = new Map<string, DeliveryRow>();
  const superseded: SupersededRow[] = [];
  const rank = (r: DeliveryRow) => (r.source === master ? 1 : 0);
  for (const row of rows) {
    const key = normaliseId(row.id);
    const current = winner.get(key);
    if (!current) {
      winner.set(key, row);
    } else if (rank(row) >= rank(current)) {
      superseded.push({ row: current, by: row });
      winner.set(key, row);
    } else {
      superseded.push({ row, by: current });
    }
  }
  return { rows: [...winner.values()], superseded };
}

export interface CsvDeliveryOptions {
  idColumn?: string;
  fileColumn?: string;
}

export async function readCsvDelivery(csvPath: string, options: CsvDeliveryOptions = {}): Promise<Delivery> {
  const source = path.basename(csvPath);
  const bytes = await readFile(csvPath).catch(() => {
    throw new UserError('usage', `--csv ${csvPath} cannot be read. Give the path of a CSV with a header row, e.g. "id,file".`);
  });
  const rows = parseDelimited(decodeText(bytes));
  const header = rows[0]?.cells ?? [];
  const id = headerIndex(header, options.idColumn ?? 'id', ...(options.idColumn ? [] : ['employeeId', 'student id', 'upn', 'userPrincipalName', 'mail', 'email']));
  const file = headerIndex(header, options.fileColumn ?? 'file', ...(options.fileColumn ? [] : ['photo', 'filename', 'file name', 'path', 'image']));
  if (id < 0 || file < 0) {
    throw new UserError('usage', `${source}:1: the header row needs an id column (${options.idColumn ?? 'id'}) and a file column (${options.fileColumn ?? 'file'}); it has: ${header.join(', ') || 'nothing'}. Rename them, or pass --id-column / --file-column.`);
  }
  const all: DeliveryRow[] = [];
  const withoutId: DeliveryRow[] = [];
  for (const row of rows.slice(1)) {
    const r: DeliveryRow = { source, line: row.line, id: (row.cells[id] ?? '').trim(), file: (row.cells[file] ?? '').trim().replace(/\\/g, '/') };
    (r.id ? all : withoutId).push(r);
  }
  return { dir: path.dirname(csvPath), ...applyRetakes(all, undefined), withoutId };
}

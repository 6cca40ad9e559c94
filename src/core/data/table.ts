/**
 * Tables of any kind of cell (CSV/TSV, JSON lines, Parquet), read into one raw column per header
 * so that embeddings and metadata can be taken from them (embeddings.ts, columnKinds.ts).
 */
import { extname } from 'node:path';
import { chooseDelimiter, splitLine } from './csv';
import { DataError } from './errors';
import { readTextDataset } from './limits';
import { readParquetTable } from './parquet';

/** A table as read: one cell per row per column (strings from text files, typed values from Parquet). */
export interface RawTable {
  path: string;
  format: TableFormat;
  count: number;
  columns: { name: string; cells: unknown[] }[];
}

export type TableFormat = 'csv' | 'jsonl' | 'parquet';

/** The table format a file name says, or null when it is not a table. */
export function tableFormatOf(path: string): TableFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return 'parquet';
  if (['.csv', '.tsv', '.tab', '.txt'].includes(extension)) return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  return null;
}

/** Reads a CSV/TSV, JSON-lines or Parquet table whole. */
export async function readTable(path: string): Promise<RawTable> {
  const format = tableFormatOf(path);
  if (format === 'parquet') return readParquetTable(path);
  if (format === 'jsonl') return readJsonLines(path);
  if (format === 'csv') return readDelimited(path);
  throw new DataError(path, 'data-unsupported', 'not a table: name a .csv, .tsv, .jsonl or .parquet file');
}

async function readDelimited(path: string): Promise<RawTable> {
  const text = (await readTextDataset(path, 'write it as Parquet instead')).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new DataError(path, 'data-empty', 'the file is empty');
  const delimiter = chooseDelimiter(path, lines[0]);
  const header = splitLine(lines[0], delimiter).map((cell) => cell.trim());
  const columns = header.map((name, i) => ({ name: name || `column ${i + 1}`, cells: [] as unknown[] }));
  for (let row = 1; row < lines.length; row++) {
    const cells = splitLine(lines[row], delimiter);
    if (cells.length !== header.length) {
      throw new DataError(path, 'data-inconsistent', `row ${row} (line ${row + 1}) has ${cells.length} cells but the header has ${header.length}`);
    }
    cells.forEach((cell, i) => columns[i].cells.push(cell.trim()));
  }
  return { path, format: 'csv', count: lines.length - 1, columns };
}

async function readJsonLines(path: string): Promise<RawTable> {
  const text = (await readTextDataset(path, 'write it as Parquet instead')).toString('utf8');
  const rows: Record<string, unknown>[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new DataError(path, 'data-corrupt', `line ${i + 1} is not JSON; each line must hold one object`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new DataError(path, 'data-corrupt', `line ${i + 1} is not a JSON object`);
    rows.push(row as Record<string, unknown>);
  }
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return { path, format: 'jsonl', count: rows.length, columns: names.map((name) => ({ name, cells: rows.map((row) => row[name] ?? null) })) };
}

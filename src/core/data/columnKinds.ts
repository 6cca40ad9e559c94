/**
 * Metadata columns and the detection of their kind from the cells a table reader found. Columns
 * are stored as typed arrays (numbers as Float32Array, categories as Uint32 codes into a
 * dictionary, booleans as 0/1/NaN in a Float32Array), never as arrays of row objects.
 */

import type { MetadataKind } from '../../shared/types';

/** What a metadata column holds, as detected (or overridden by the user). */
export type ColumnKind = MetadataKind;

export const COLUMN_KINDS: readonly ColumnKind[] = ['number', 'category', 'boolean', 'text', 'date', 'image'];

/** One metadata column, one value per row. Missing numbers, booleans and dates are NaN. */
export type MetadataColumn =
  | { name: string; kind: 'number'; values: Float32Array }
  /** Booleans as 1, 0, or NaN when missing. */
  | { name: string; kind: 'boolean'; values: Float32Array }
  /** Milliseconds since 1970 (Float64: Float32 cannot hold a timestamp to the second). */
  | { name: string; kind: 'date'; values: Float64Array }
  /** Code per row into `dictionary` (sorted by frequency, most frequent first); missing cells get the code of "". */
  | { name: string; kind: 'category'; codes: Uint32Array; dictionary: string[] }
  | { name: string; kind: 'text' | 'image'; values: string[] };

/** A category column has at most this many distinct values… */
const MAX_CATEGORIES = 1000;
/** …and repeats itself: no more distinct values than this fraction of its rows (or ≤ 20 values). */
const MAX_DISTINCT_FRACTION = 0.5;
const IMAGE_VALUE = /\.(png|jpe?g|gif|webp|bmp|svg)(\?.*)?$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BOOLEAN_TEXT = /^(true|false)$/i;

const isMissing = (cell: unknown): boolean => cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');

/** A cell as a number: numbers, bigints and numeric strings; NaN otherwise. */
export function numberOf(cell: unknown): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'string' && cell.trim() !== '') return Number(cell);
  return NaN;
}

function textOf(cell: unknown): string {
  if (isMissing(cell)) return '';
  if (cell instanceof Date) return cell.toISOString();
  return typeof cell === 'string' ? cell : String(cell);
}

function dateOf(cell: unknown): number {
  if (cell instanceof Date) return cell.getTime();
  if (typeof cell === 'string' && ISO_DATE.test(cell.trim())) return Date.parse(cell.trim());
  return NaN;
}

/** A number, or text that reads as one (numpy and pandas write a missing float as `nan`). */
const isNumberCell = (cell: unknown): boolean =>
  typeof cell === 'number' || typeof cell === 'bigint' || (typeof cell === 'string' && (!Number.isNaN(numberOf(cell)) || /^nan$/i.test(cell.trim())));

/** The kind the cells look like; missing cells are ignored, and an all-missing column is text. */
export function detectKind(cells: readonly unknown[]): ColumnKind {
  const present = cells.filter((cell) => !isMissing(cell));
  if (present.length === 0) return 'text';
  if (present.every((cell) => typeof cell === 'boolean' || (typeof cell === 'string' && BOOLEAN_TEXT.test(cell.trim())))) return 'boolean';
  if (present.every(isNumberCell)) return 'number';
  if (present.every((cell) => !Number.isNaN(dateOf(cell)))) return 'date';
  if (present.every((cell) => typeof cell === 'string' && (IMAGE_VALUE.test(cell.trim()) || cell.startsWith('data:image/')))) return 'image';
  const distinct = new Set(present.map(textOf)).size;
  if (distinct <= 20 || (distinct <= MAX_CATEGORIES && distinct <= present.length * MAX_DISTINCT_FRACTION)) return 'category';
  return 'text';
}

/** Builds a column of the given kind (detected when absent) from a reader's cells. */
export function buildColumn(name: string, cells: readonly unknown[], kind: ColumnKind = detectKind(cells)): MetadataColumn {
  const n = cells.length;
  switch (kind) {
    case 'number':
    case 'boolean': {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const cell = cells[i];
        values[i] = kind === 'boolean' && typeof cell === 'string' && BOOLEAN_TEXT.test(cell.trim()) ? Number(cell.trim().toLowerCase() === 'true') : isMissing(cell) ? NaN : numberOf(cell);
      }
      return { name, kind, values };
    }
    case 'date': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = dateOf(cells[i]);
      return { name, kind, values };
    }
    case 'category': {
      const texts = cells.map(textOf);
      const counts = new Map<string, number>();
      for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
      // Most frequent first, so "top 20 + other" is a prefix of the dictionary; ties in text order.
      const dictionary = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
      const codeOf = new Map(dictionary.map((text, code) => [text, code]));
      const codes = new Uint32Array(n);
      for (let i = 0; i < n; i++) codes[i] = codeOf.get(texts[i])!;
      return { name, kind, codes, dictionary };
    }
    case 'text':
    case 'image':
      return { name, kind, values: cells.map(textOf) };
  }
}

/** The column keeping only the given rows, in order. */
export function selectRows(column: MetadataColumn, rows: Int32Array): MetadataColumn {
  switch (column.kind) {
    case 'number':
    case 'boolean':
      return { ...column, values: Float32Array.from(rows, (row) => column.values[row]) };
    case 'date':
      return { ...column, values: Float64Array.from(rows, (row) => column.values[row]) };
    case 'category':
      return { ...column, codes: Uint32Array.from(rows, (row) => column.codes[row]) };
    case 'text':
    case 'image':
      return { ...column, values: Array.from(rows, (row) => column.values[row]) };
  }
}

/** Rows in the column. */
export function columnLength(column: MetadataColumn): number {
  return column.kind === 'category' ? column.codes.length : column.values.length;
}

/** A row's value as text (tooltips, selection panels, exports). */
export function cellText(column: MetadataColumn, row: number): string {
  switch (column.kind) {
    case 'number':
      return Number.isNaN(column.values[row]) ? '' : String(column.values[row]);
    case 'boolean':
      return Number.isNaN(column.values[row]) ? '' : column.values[row] ? 'true' : 'false';
    case 'date':
      return Number.isNaN(column.values[row]) ? '' : new Date(column.values[row]).toISOString();
    case 'category':
      return column.dictionary[column.codes[row]];
    case 'text':
    case 'image':
      return column.values[row];
  }
}

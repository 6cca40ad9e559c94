/**
 * Embeddings without a model: an N×D matrix from NPY/NPZ, from a list-of-numbers column of a table
 * (Parquet, CSV, JSON lines), or from numeric columns the user names; the table's other columns
 * (or a sidecar table) become metadata. Rows whose vector has a NaN are left out and counted.
 */
import { extname } from 'node:path';
import { buildColumn, columnLength, detectKind, numberOf, selectRows, type ColumnKind, type MetadataColumn } from './columnKinds';
import { openDataset } from './detect';
import { DataError } from './errors';
import { checkMemoryBudget } from './limits';
import { readTable, tableFormatOf, type RawTable } from './table';

export interface EmbeddingOptions {
  /** The list-of-numbers column holding the vectors (default: the only one, or embedding/vector/codes). */
  embeddingColumn?: string;
  /** Numeric columns that together make the vector: names or `*` patterns (`e*`). */
  embeddingColumns?: string;
  /** A sidecar table with one row per vector (CSV/TSV, JSON lines, Parquet). */
  metadataPath?: string;
}

export interface Embeddings {
  path: string;
  format: 'npy' | 'npz' | 'csv' | 'jsonl' | 'parquet';
  /** Rows kept (those with a finite vector). */
  count: number;
  dim: number;
  /** count × dim, row-major. */
  vectors: Float32Array;
  metadata: MetadataColumn[];
  /** Row numbers in the file of the rows left out because their vector has a NaN or infinity. */
  dropped: number[];
  warnings: string[];
}

const AUTO_VECTOR_COLUMN = /^(embeddings?|vectors?|codes?)$/i;

/** Opens an embedding file (see the module comment). */
export async function openEmbeddings(path: string, options: EmbeddingOptions = {}): Promise<Embeddings> {
  const tableFormat = tableFormatOf(path);
  const source = tableFormat ? fromTable(await readTable(path), options) : await fromArray(path);
  const sidecar = options.metadataPath ? await readMetadata(options.metadataPath, source.rows, path, 'vectors') : [];
  return keepFinite(path, source.format, source.rows, source.dim, source.vectors, [...source.metadata, ...sidecar]);
}

/** A sidecar table's columns, after checking it has one row per item of `dataPath` (`rows` of them). */
export async function readMetadata(metadataPath: string, rows: number, dataPath: string, items = 'samples'): Promise<MetadataColumn[]> {
  const sidecar = await readTable(metadataPath);
  if (sidecar.count !== rows) {
    throw new DataError(metadataPath, 'data-inconsistent', `the metadata has ${sidecar.count} rows but ${dataPath} has ${rows} ${items}; give one metadata row per ${items.replace(/s$/, '')}, in the same order`);
  }
  return sidecar.columns.map((column) => buildColumn(column.name, column.cells));
}

interface Source {
  format: Embeddings['format'];
  rows: number;
  dim: number;
  vectors: Float32Array;
  metadata: MetadataColumn[];
}

async function fromArray(path: string): Promise<Source> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.npy' && extension !== '.npz') {
    throw new DataError(path, 'data-unsupported', 'embeddings are read from .npy, .npz, .csv, .tsv, .jsonl or .parquet files');
  }
  const dataset = await openDataset(path);
  try {
    const dim = dataset.itemShape.reduce((a, b) => a * b, 1);
    return { format: extension === '.npz' ? 'npz' : 'npy', rows: dataset.count, dim, vectors: await dataset.read(0, dataset.count), metadata: [] };
  } finally {
    await dataset.close();
  }
}

function fromTable(table: RawTable, options: EmbeddingOptions): Source {
  const { path } = table;
  if (table.count === 0) throw new DataError(path, 'data-empty', 'the table has no rows');
  const numericColumns = numericVectorColumns(table, options);
  if (numericColumns) {
    const chosen = numericColumns;
    checkMemoryBudget(path, 'reading the vectors as float32', table.count, chosen.length * 4, 'read fewer rows');
    const vectors = new Float32Array(table.count * chosen.length);
    chosen.forEach((column, d) => {
      column.cells.forEach((cell, row) => {
        const value = numberOf(cell);
        if (Number.isNaN(value) && typeof cell === 'string' && cell.trim() !== '' && cell.trim().toLowerCase() !== 'nan') {
          throw new DataError(path, 'data-inconsistent', `row ${row + 1}, column "${column.name}": ${JSON.stringify(cell)} is not a number`);
        }
        vectors[row * chosen.length + d] = value;
      });
    });
    const rest = table.columns.filter((column) => !chosen.includes(column));
    return { format: table.format, rows: table.count, dim: chosen.length, vectors, metadata: rest.map((column) => buildColumn(column.name, column.cells)) };
  }
  const column = vectorColumn(table, options.embeddingColumn);
  const dim = vectorLength(table, column);
  checkMemoryBudget(path, 'reading the vectors as float32', table.count, dim * 4, 'read fewer rows');
  const vectors = new Float32Array(table.count * dim);
  column.cells.forEach((cell, row) => {
    const list = listOf(cell);
    if (!list) {
      vectors.fill(NaN, row * dim, (row + 1) * dim);
      return;
    }
    if (list.length !== dim) {
      throw new DataError(path, 'data-inconsistent', `column "${column.name}" is ragged: row 1 has ${dim} numbers but row ${row + 1} has ${list.length}; every vector needs the same length`);
    }
    for (let d = 0; d < dim; d++) vectors[row * dim + d] = numberOf(list[d]);
  });
  const rest = table.columns.filter((other) => other !== column);
  return { format: table.format, rows: table.count, dim, vectors, metadata: rest.map((other) => buildColumn(other.name, other.cells)) };
}

/**
 * The numeric columns that make the vectors: those `--embedding-columns` names, or, in a table with
 * no list column and none named, every numeric column (a plain CSV of features); null otherwise.
 */
function numericVectorColumns(table: RawTable, options: EmbeddingOptions): RawTable['columns'] | null {
  if (options.embeddingColumns) {
    const pattern = globPattern(options.embeddingColumns);
    const chosen = table.columns.filter((column) => pattern.test(column.name));
    if (chosen.length === 0) {
      throw new DataError(table.path, 'data-inconsistent', `no column matches "${options.embeddingColumns}"; the columns are ${names(table)}`);
    }
    return chosen;
  }
  if (options.embeddingColumn !== undefined || table.columns.some((column) => column.cells.some((cell) => listOf(cell) !== null))) return null;
  const numeric = table.columns.filter((column) => detectKind(column.cells) === 'number');
  return numeric.length ? numeric : null;
}

/** The vector column: the one named, else the only list column, else one called embedding/vector/codes. */
function vectorColumn(table: RawTable, wanted: string | undefined): RawTable['columns'][number] {
  if (wanted !== undefined) {
    const named = table.columns.find((column) => column.name === wanted);
    if (!named) throw new DataError(table.path, 'data-inconsistent', `no column named "${wanted}"; the columns are ${names(table)}`);
    return named;
  }
  const lists = table.columns.filter((column) => column.cells.some((cell) => listOf(cell) !== null));
  if (lists.length === 1) return lists[0];
  const named = (lists.length ? lists : table.columns).filter((column) => AUTO_VECTOR_COLUMN.test(column.name));
  if (named.length === 1) return named[0];
  throw new DataError(
    table.path,
    'data-inconsistent',
    lists.length
      ? `${lists.length} columns hold lists of numbers (${lists.map((c) => JSON.stringify(c.name)).join(', ')}); choose one with --embedding-column NAME`
      : `no column holds vectors; name the numeric columns that make them with --embedding-columns 'PATTERN' (the columns are ${names(table)})`,
  );
}

/** The list of numbers a cell holds: an array, a typed array, or a JSON array in a text cell. */
function listOf(cell: unknown): ArrayLike<unknown> | null {
  if (Array.isArray(cell) || ArrayBuffer.isView(cell)) return cell as ArrayLike<unknown>;
  if (typeof cell === 'string' && cell.trimStart().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(cell);
      return Array.isArray(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  return null;
}

function vectorLength(table: RawTable, column: RawTable['columns'][number]): number {
  const first = column.cells.map(listOf).find((list) => list !== null);
  if (!first || first.length === 0) {
    throw new DataError(table.path, 'data-inconsistent', `column "${column.name}" holds no lists of numbers; name the vector column with --embedding-column NAME`);
  }
  return first.length;
}

/** Leaves out rows whose vector is not finite, and every metadata column's same rows. */
function keepFinite(path: string, format: Embeddings['format'], rows: number, dim: number, vectors: Float32Array, metadata: MetadataColumn[]): Embeddings {
  for (const column of metadata) {
    if (columnLength(column) !== rows) throw new DataError(path, 'data-inconsistent', `column "${column.name}" has ${columnLength(column)} rows but there are ${rows} vectors`);
  }
  const dropped: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let d = 0; d < dim; d++) {
      if (!Number.isFinite(vectors[row * dim + d])) {
        dropped.push(row);
        break;
      }
    }
  }
  if (dropped.length === 0) return { path, format, count: rows, dim, vectors, metadata, dropped, warnings: [] };
  if (dropped.length === rows) throw new DataError(path, 'data-inconsistent', `every one of the ${rows} vectors has a NaN or infinite value`);
  const droppedSet = new Set(dropped);
  const kept = Int32Array.from({ length: rows - dropped.length }, () => 0);
  for (let row = 0, at = 0; row < rows; row++) if (!droppedSet.has(row)) kept[at++] = row;
  const out = new Float32Array(kept.length * dim);
  kept.forEach((row, i) => out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  const listed = dropped.slice(0, 10).map((row) => row + 1).join(', ');
  const warning = `${dropped.length} of ${rows} vectors have NaN or infinite values and are left out (rows ${listed}${dropped.length > 10 ? ', …' : ''})`;
  return { path, format, count: kept.length, dim, vectors: out, metadata: metadata.map((column) => selectRows(column, kept)), dropped, warnings: [warning] };
}

/** `e*`, `dim_?`: shell-style patterns over column names, anchored; a plain name matches itself. */
function globPattern(pattern: string): RegExp {
  const alternatives = pattern.split(',').map((part) => part.trim().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'));
  return new RegExp(`^(${alternatives.join('|')})$`);
}

function names(table: RawTable): string {
  return table.columns.map((column) => JSON.stringify(column.name)).join(', ');
}

/** `{format, count, columns: [{name, type}]}` of a table, each column's kind detected (or `vector`). */
export async function describeTable(path: string): Promise<{ format: string; count: number; columns: { name: string; type: ColumnKind | 'vector'; length?: number }[] }> {
  const table = await readTable(path);
  return {
    format: table.format,
    count: table.count,
    columns: table.columns.map((column) => {
      const list = column.cells.map(listOf).find((cell) => cell !== null);
      if (list) return { name: column.name, type: 'vector' as const, length: list.length };
      return { name: column.name, type: buildColumn(column.name, column.cells).kind };
    }),
  };
}

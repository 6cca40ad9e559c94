/**
 * What the CLI adds for embeddings without a model: the options that pick the vectors and the
 * metadata, `data FILE` on a table (its columns and their kinds), and the vectors `project --codes`
 * and `serve --codes` read.
 */
import { resolve } from 'node:path';
import { describeTable, openEmbeddings, type EmbeddingOptions, type Embeddings } from '../core/data/embeddings';
import { tableFormatOf } from '../core/data/table';
import type { SessionOptions } from '../shared/workerProtocol';

/** parseArgs options: `--metadata FILE`, `--embedding-column NAME`, `--embedding-columns 'e*'`. */
export const EMBEDDING_OPTIONS = {
  metadata: { type: 'string' },
  'embedding-column': { type: 'string' },
  'embedding-columns': { type: 'string' },
} as const;

export interface EmbeddingValues {
  metadata?: string;
  'embedding-column'?: string;
  'embedding-columns'?: string;
}

export function embeddingOptions(values: EmbeddingValues): EmbeddingOptions {
  return {
    metadataPath: values.metadata === undefined ? undefined : resolve(values.metadata),
    embeddingColumn: values['embedding-column'],
    embeddingColumns: values['embedding-columns'],
  };
}

/** The session options of `serve --codes FILE [--metadata FILE]`. */
export function embeddingSession(codes: string, values: EmbeddingValues): Pick<SessionOptions, 'codesPath' | 'metadataPath' | 'embeddingColumn' | 'embeddingColumns'> {
  return { codesPath: resolve(codes), ...embeddingOptions(values) };
}

/** Reads the vectors of `project --codes` / a check before `serve --codes`; the reader's one-line errors pass through. */
export function readCodes(file: string, values: EmbeddingValues): Promise<Embeddings> {
  return openEmbeddings(resolve(file), embeddingOptions(values));
}

/** Whether `data FILE` describes FILE as a table of typed columns (Parquet, JSON lines) rather than as a model's dataset. */
export function isTableOnly(file: string): boolean {
  const format = tableFormatOf(file);
  return format === 'parquet' || format === 'jsonl';
}

/** `data FILE` on a table: `{format, count, columns: [{name, type}]}` and the lines a person reads. */
export async function describeTableFile(file: string): Promise<{ json: Record<string, unknown>; text: string[] }> {
  const described = await describeTable(resolve(file));
  return {
    json: { ...described },
    text: [
      `${described.format}: ${described.count} rows, ${described.columns.length} columns`,
      ...described.columns.map((column) => `  ${column.name}: ${column.type}${column.length !== undefined ? ` of ${column.length}` : ''}`),
    ],
  };
}

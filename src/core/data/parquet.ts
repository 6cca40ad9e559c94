/**
 * Parquet tables, read whole with `hyparquet` (pure JS). The file's size is checked against the
 * memory budget before reading, and any failure inside the library (an encoding or codec it does
 * not know, a damaged footer) becomes one DataError naming the file.
 */
import { open, stat } from 'node:fs/promises';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer } from 'hyparquet';
import { DataError } from './errors';
import { checkMemoryBudget } from './limits';
import type { RawTable } from './table';

/** Decoded Parquet takes several times its compressed bytes in JS values; refuse early past the budget. */
const DECODED_BYTES_PER_FILE_BYTE = 8;

/** Reads every column of a Parquet file; list columns come back as one array per row. */
export async function readParquetTable(path: string): Promise<RawTable> {
  const { size } = await stat(path);
  checkMemoryBudget(path, 'reading the Parquet file', size, DECODED_BYTES_PER_FILE_BYTE, 'write fewer rows per file, or select the columns you need');
  const handle = await open(path, 'r');
  try {
    const file = fileBuffer(handle, size);
    const metadata = await parquetMetadataAsync(file).catch((error: unknown) => {
      throw new DataError(path, 'data-corrupt', `not a readable Parquet file (${messageOf(error)})`);
    });
    const names = metadata.schema.slice(1).filter((_, i, all) => isTopLevel(metadata.schema, i + 1, all.length)).map((element) => element.name);
    const columns = new Map<string, unknown[]>(names.map((name) => [name, []]));
    await parquetRead({
      file,
      metadata,
      onComplete: (rows: unknown[][]) => {
        for (const row of rows) names.forEach((name, i) => columns.get(name)!.push(row[i]));
      },
    }).catch((error: unknown) => {
      const message = messageOf(error);
      const unsupported = /unsupported/i.test(message);
      throw new DataError(
        path,
        unsupported ? 'data-unsupported' : 'data-corrupt',
        unsupported ? `${message.replace(/^parquet /, '')}; rewrite the file with PLAIN or dictionary encoding and snappy, gzip or no compression (e.g. pyarrow's defaults)` : `the Parquet file could not be decoded (${message})`,
      );
    });
    return { path, format: 'parquet', count: Number(metadata.num_rows), columns: names.map((name) => ({ name, cells: columns.get(name)! })) };
  } finally {
    await handle.close();
  }
}

/** Whether schema element `index` is a direct child of the root (nested fields belong to their group). */
function isTopLevel(schema: readonly { num_children?: number }[], index: number, total: number): boolean {
  let at = 1;
  while (at <= total) {
    if (at === index) return true;
    at = skipSubtree(schema, at);
  }
  return false;
}

function skipSubtree(schema: readonly { num_children?: number }[], index: number): number {
  let next = index + 1;
  for (let child = 0; child < (schema[index].num_children ?? 0); child++) next = skipSubtree(schema, next);
  return next;
}

/** An AsyncBuffer over an open file, reading only the byte ranges the library asks for. */
function fileBuffer(handle: Awaited<ReturnType<typeof open>>, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? byteLength, byteLength);
      const buffer = new Uint8Array(Math.max(0, stop - start));
      if (buffer.length) await handle.read(buffer, 0, buffer.length, start);
      return buffer.buffer;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

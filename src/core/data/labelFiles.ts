/**
 * Labels kept in a file of their own: a sibling found beside the data (`*-labels-idx1-ubyte`,
 * `labels.npy`, …) or a file the user or the manifest names. Accepted: IDX (1-D, optionally
 * gzipped), `.npy`, `.json` (an array, or an object with "labels"/"y"), and text with one label
 * per line (`.csv` files may start with a header line).
 */
import { open, readFile } from 'node:fs/promises';
import { DataError } from './errors';
import { isGzip, looksLikeIdx, readIdxLabels } from './idx';
import { labelsFromCells, labelsFromNumbers, labelsFromStrings, type LabelSet } from './labels';
import { looksLikeNpy, readNpyLabels } from './npy';

/** Reads a labels file of any accepted kind into class codes. */
export async function readLabelsFile(path: string, labelNames?: string[]): Promise<LabelSet> {
  const start = await readStart(path);
  if (looksLikeNpy(start)) return readNpyLabels(path, labelNames);
  if (looksLikeIdx(start) || isGzip(start)) return labelsFromNumbers(await readIdxLabels(path), path, labelNames);
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  if (/\.json$/i.test(path)) return labelsFromJson(text, path, labelNames);
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const hasHeader = /\.csv$/i.test(path) && lines.length > 1 && !Number.isFinite(Number(lines[0])) && lines.slice(1).every((l) => Number.isFinite(Number(l)));
  const cells = hasHeader ? lines.slice(1) : lines;
  if (cells.length === 0) throw new DataError(path, 'data-labels', 'the labels file is empty');
  return labelsFromCells(cells, path, labelNames);
}

async function readStart(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new DataError(path, 'data-not-found', `cannot read the labels file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function labelsFromJson(text: string, path: string, labelNames?: string[]): LabelSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DataError(path, 'data-corrupt', `the labels file is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : ((parsed as Record<string, unknown> | null)?.labels ?? (parsed as Record<string, unknown> | null)?.y);
  if (Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'number')) return labelsFromNumbers(list as number[], path, labelNames);
  if (Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string')) return labelsFromStrings(list as string[]);
  throw new DataError(path, 'data-labels', 'a JSON labels file must hold a non-empty array of numbers or of strings (or {"labels": [...]})');
}

/**
 * The Dataset every reader returns, and the two sample stores behind it: values already in memory,
 * or a file read lazily by byte offset (IDX and C-order NPY), so datasets larger than memory work.
 */
import type { FileHandle } from 'node:fs/promises';
import type { DatasetFormat, SampleDisplay } from '../../shared/types';
import { decodeElements, type ElementType, type SourceDtype } from './elements';
import type { LabelSet } from './labels';
import { checkMemoryBudget } from './limits';

/** A dataset opened from a file or folder: its shape, labels, and raw (unscaled) sample values. */
export interface Dataset {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly count: number;
  /** Shape of one sample, e.g. [28, 28], [28, 28, 3], [33]. */
  readonly itemShape: number[];
  readonly sourceDtype: SourceDtype;
  /** Class code 0..K−1 per sample. */
  readonly labels: Int32Array | null;
  /** Names of the codes 0..K−1 (folder names, CSV strings, or "0".."9"). */
  readonly classNames: string[] | null;
  /** Feature column names for tabular data. */
  readonly columns: string[] | null;
  readonly display: SampleDisplay;
  /** What the reader skipped or assumed that a user should know (e.g. empty samples left out). */
  readonly warnings: readonly string[];
  /** Raw values of samples [start, start+count) as float32, unscaled. Lazy for IDX/NPY. */
  read(start: number, count: number): Promise<Float32Array>;
  /** Raw values of the given samples, in the order given. */
  readIndices(indices: Int32Array): Promise<Float32Array>;
  /** Releases the file handle of a lazy dataset; in-memory datasets have nothing to release. */
  close(): Promise<void>;
}

/** Where a dataset's sample values come from. */
export interface SampleStore {
  /** Copies samples [start, start+count) into `out` at 0. */
  readRange(start: number, count: number, out: Float32Array): Promise<void>;
  /** Copies the given samples, in order, into `out` at 0. */
  readIndices(indices: Int32Array, out: Float32Array): Promise<void>;
  close(): Promise<void>;
}

/** Numeric typed arrays an in-memory store may hold (kept in their source type to save memory). */
export type SampleValues = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Samples already decoded into one typed array, `itemSize` values per sample. */
export class MemoryStore implements SampleStore {
  constructor(
    private readonly values: SampleValues,
    private readonly itemSize: number,
  ) {}

  async readRange(start: number, count: number, out: Float32Array): Promise<void> {
    out.set(this.values.subarray(start * this.itemSize, (start + count) * this.itemSize));
  }

  async readIndices(indices: Int32Array, out: Float32Array): Promise<void> {
    const size = this.itemSize;
    for (let i = 0; i < indices.length; i++) {
      out.set(this.values.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
    }
  }

  async close(): Promise<void> {}
}

/** Reads beyond this many bytes are split, so one huge `read()` never needs a huge scratch buffer twice. */
const MAX_READ_BYTES = 64 * 1024 * 1024;
/** Nearby requested samples are fetched in one positional read when the gap between them is this small. */
const MAX_GAP_BYTES = 64 * 1024;

/** Samples stored contiguously in a file from `dataOffset`, read on demand with positional reads. */
export class FileStore implements SampleStore {
  private readonly itemBytes: number;

  constructor(
    private readonly handle: FileHandle,
    private readonly dataOffset: number,
    private readonly element: ElementType,
    private readonly itemSize: number,
  ) {
    this.itemBytes = itemSize * element.bytes;
  }

  async readRange(start: number, count: number, out: Float32Array): Promise<void> {
    const itemsPerRead = Math.max(1, Math.floor(MAX_READ_BYTES / this.itemBytes));
    for (let done = 0; done < count; done += itemsPerRead) {
      const items = Math.min(itemsPerRead, count - done);
      const bytes = await this.readBytes(start + done, items);
      decodeElements(bytes, this.element, items * this.itemSize, out, done * this.itemSize);
    }
  }

  async readIndices(indices: Int32Array, out: Float32Array): Promise<void> {
    // Visit the indices in file order and fetch runs of close samples with one read each.
    const order = Array.from(indices.keys()).sort((a, b) => indices[a] - indices[b]);
    const maxGapItems = Math.floor(MAX_GAP_BYTES / this.itemBytes);
    const maxRunItems = Math.max(1, Math.floor(MAX_READ_BYTES / this.itemBytes));
    let runStart = 0;
    while (runStart < order.length) {
      const first = indices[order[runStart]];
      let runEnd = runStart + 1;
      while (
        runEnd < order.length &&
        indices[order[runEnd]] - indices[order[runEnd - 1]] <= maxGapItems + 1 &&
        indices[order[runEnd]] - first < maxRunItems
      ) {
        runEnd++;
      }
      const span = indices[order[runEnd - 1]] - first + 1;
      const bytes = await this.readBytes(first, span);
      for (let k = runStart; k < runEnd; k++) {
        const at = (indices[order[k]] - first) * this.itemBytes;
        decodeElements(bytes.subarray(at, at + this.itemBytes), this.element, this.itemSize, out, order[k] * this.itemSize);
      }
      runStart = runEnd;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async readBytes(firstItem: number, items: number): Promise<Uint8Array> {
    const length = items * this.itemBytes;
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, this.dataOffset + firstItem * this.itemBytes + filled);
      // The size was checked against the header at open; a short read means the file shrank since.
      if (bytesRead === 0) throw new RangeError(`file ended at byte ${this.dataOffset + firstItem * this.itemBytes + filled} while reading samples`);
      filled += bytesRead;
    }
    return buffer;
  }
}

/** Everything a reader determines about a dataset, apart from how its values are stored. */
export interface DatasetDescription {
  path: string;
  format: DatasetFormat;
  count: number;
  itemShape: number[];
  sourceDtype: SourceDtype;
  labels: Int32Array | null;
  classNames: string[] | null;
  columns: string[] | null;
  display: SampleDisplay;
  warnings?: string[];
}

/** The one Dataset implementation: a description plus a store, with argument checks on every read. */
export class StoredDataset implements Dataset {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly count: number;
  readonly itemShape: number[];
  readonly sourceDtype: SourceDtype;
  readonly labels: Int32Array | null;
  readonly classNames: string[] | null;
  readonly columns: string[] | null;
  readonly display: SampleDisplay;
  readonly warnings: readonly string[];
  private readonly itemSize: number;

  constructor(
    description: DatasetDescription,
    private readonly store: SampleStore,
  ) {
    this.path = description.path;
    this.format = description.format;
    this.count = description.count;
    this.itemShape = description.itemShape;
    this.sourceDtype = description.sourceDtype;
    this.labels = description.labels;
    this.classNames = description.classNames;
    this.columns = description.columns;
    this.display = description.display;
    this.warnings = description.warnings ?? [];
    this.itemSize = shapeSize(description.itemShape);
  }

  async read(start: number, count: number): Promise<Float32Array> {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.count) {
      throw new RangeError(`read(${start}, ${count}) is outside the dataset's ${this.count} samples`);
    }
    this.checkBudget(count);
    const out = new Float32Array(count * this.itemSize);
    if (count > 0) await this.store.readRange(start, count, out);
    return out;
  }

  async readIndices(indices: Int32Array): Promise<Float32Array> {
    for (let i = 0; i < indices.length; i++) {
      if (indices[i] < 0 || indices[i] >= this.count) {
        throw new RangeError(`readIndices: index ${indices[i]} (at position ${i}) is outside the dataset's ${this.count} samples`);
      }
    }
    this.checkBudget(indices.length);
    const out = new Float32Array(indices.length * this.itemSize);
    if (indices.length > 0) await this.store.readIndices(indices, out);
    return out;
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Samples are read as float32: refuse reads past the memory budget and say how many would fit. */
  private checkBudget(count: number): void {
    checkMemoryBudget(this.path, `reading ${count} samples of ${formatShape(this.itemShape)} as float32`, count, this.itemSize * 4, 'use --limit {fitting} or fewer');
  }

  /** The same samples with labels attached (from a sibling or user-named labels file). */
  withLabels(set: LabelSet): StoredDataset {
    return new StoredDataset({ ...this, warnings: [...this.warnings], labels: set.labels, classNames: set.classNames }, this.store);
  }
}

/** Items of rank 2 (H×W) or rank 3 with 1, 3 or 4 channels are drawn as images; anything else as rows. */
export function displayFor(itemShape: readonly number[]): SampleDisplay {
  if (itemShape.length === 2) return 'image';
  if (itemShape.length === 3 && [1, 3, 4].includes(itemShape[2])) return 'image';
  return 'tabular';
}

/** Number of values in one item of this shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** `28x28x3`, the way every message writes a shape. */
export function formatShape(shape: readonly (number | null)[]): string {
  return shape.length === 0 ? 'scalar' : shape.map((dim) => (dim === null ? '?' : String(dim))).join('x');
}

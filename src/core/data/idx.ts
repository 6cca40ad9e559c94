/**
 * IDX, MNIST's format: big-endian header `00 00 <type> <rank>`, then `rank` uint32 dimensions,
 * then the values. Plain files are read lazily by offset; gzipped ones are inflated into memory
 * (gzip has no random access).
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FileStore, MemoryStore, StoredDataset, displayFor, formatShape, shapeSize, type SampleValues } from './dataset';
import { decodeElements, elementType, type ElementType, type SourceDtype } from './elements';
import { DataError } from './errors';
import { checkMemoryBudget, formatBytes } from './limits';

const IDX_TYPES: Record<number, SourceDtype> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** What an IDX header says. */
export interface IdxHeader {
  element: ElementType;
  /** All dimensions, the first being the number of items. */
  dims: number[];
  /** Bytes before the first value. */
  headerBytes: number;
}

/** True when the first bytes look like an IDX header (used by detection). */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] in IDX_TYPES && bytes[3] >= 1 && bytes[3] <= 8;
}

/** True when the bytes start a gzip stream. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses the header at the start of `bytes` (which must hold at least the header). */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader {
  if (bytes.length < 4 || !looksLikeIdx(bytes)) {
    const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(
      file,
      'data-corrupt',
      `not an IDX file: it starts with bytes ${start || '(none)'}, but IDX files start with 00 00, a type byte ` +
        `(08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64) and the number of dimensions`,
    );
  }
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(file, 'data-truncated', `truncated IDX file: the header needs ${headerBytes} bytes for ${rank} dimensions but the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { element: elementType(IDX_TYPES[bytes[2]], false), dims, headerBytes };
}

/** Opens an IDX images file (rank ≥ 2: items × item shape). */
export async function openIdx(path: string): Promise<StoredDataset> {
  const handle = await open(path, 'r');
  try {
    const probe = Buffer.alloc(36);
    const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
    const start = probe.subarray(0, bytesRead);
    if (isGzip(start)) {
      await handle.close();
      return openGzippedIdx(path);
    }
    const header = parseIdxHeader(start, path);
    const itemShape = checkItemShape(header, path);
    const { size } = await handle.stat();
    checkLength(header, size, path);
    const description = describeIdx(path, header, itemShape);
    return new StoredDataset(description, new FileStore(handle, header.headerBytes, header.element, shapeSize(itemShape)));
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function openGzippedIdx(path: string): Promise<StoredDataset> {
  const bytes = await inflate(path);
  const header = parseIdxHeader(bytes, path);
  const itemShape = checkItemShape(header, path);
  checkLength(header, bytes.length, path);
  const valueCount = shapeSize(header.dims);
  const body = bytes.subarray(header.headerBytes, header.headerBytes + valueCount * header.element.bytes);
  let values: SampleValues;
  if (header.element.dtype === 'uint8') {
    values = body;
  } else {
    values = new Float32Array(valueCount);
    decodeElements(body, header.element, valueCount, values, 0);
  }
  return new StoredDataset(describeIdx(path, header, itemShape), new MemoryStore(values, shapeSize(itemShape)));
}

/** Reads a 1-D IDX labels file (plain or gzipped) into its raw values. */
export async function readIdxLabels(path: string): Promise<Float64Array> {
  let bytes: Uint8Array = await readFile(path);
  if (isGzip(bytes)) bytes = await inflate(path);
  const header = parseIdxHeader(bytes, path);
  if (header.dims.length !== 1) {
    throw new DataError(path, 'data-labels', `an IDX labels file must have 1 dimension, but this one is ${formatShape(header.dims)}`);
  }
  checkLength(header, bytes.length, path);
  const values = new Float64Array(header.dims[0]);
  decodeElements(bytes.subarray(header.headerBytes), header.element, values.length, values, 0);
  return values;
}

/** A file is an IDX labels sibling of `imagesFile` when its name is the images name with "images" → "labels" and "idx3" → "idx1". */
export function findIdxLabelsFile(imagesFile: string, siblings: readonly string[]): string | null {
  const stem = (name: string): string => name.replace(/\.gz$/i, '').toLowerCase();
  const wanted = stem(basename(imagesFile)).replace(/images/g, 'labels').replace(/idx\d/g, 'idx1');
  const match = siblings.find((name) => stem(name) === wanted && name !== basename(imagesFile));
  if (match) return join(dirname(imagesFile), match);
  // Otherwise pair the folder's only IDX labels file with its only IDX images file.
  const idxFiles = siblings.filter((name) => /idx\d|ubyte|\.idx$/i.test(name));
  const labelFiles = idxFiles.filter((name) => /labels|idx1/i.test(name));
  const imageFiles = idxFiles.filter((name) => !labelFiles.includes(name));
  const alone = labelFiles.length === 1 && imageFiles.length === 1 && imageFiles[0] === basename(imagesFile);
  return alone ? join(dirname(imagesFile), labelFiles[0]) : null;
}

/**
 * Inflates a gzipped IDX file in a stream, never past the size its header declares: a few MB of
 * gzip can expand to gigabytes, so the header is read first, its size checked against the memory
 * budget, and inflation stops with an error as soon as the stream runs past it.
 */
async function inflate(path: string): Promise<Uint8Array> {
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  let head: Uint8Array = new Uint8Array(0);
  let out: Uint8Array | null = null;
  let filled = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (!out) {
        head = concat(head, chunk);
        const declared = declaredIdxBytes(head, path);
        if (declared === null) continue;
        checkMemoryBudget(path, 'inflating this gzipped IDX file', declared.items, declared.itemBytes, 'use a smaller file (gzip must be inflated whole)');
        out = new Uint8Array(declared.total);
        const taken = Math.min(head.length, out.length);
        out.set(head.subarray(0, taken));
        filled = taken;
        if (head.length > out.length) throw overrun(path, out.length);
        continue;
      }
      if (filled + chunk.length > out.length) throw overrun(path, out.length);
      out.set(chunk, filled);
      filled += chunk.length;
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(path, 'data-corrupt', `the gzip stream is damaged: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  // Too short for a header: parseIdxHeader and checkLength describe what is missing.
  return out ? out.subarray(0, filled) : head;
}

function overrun(path: string, declared: number): DataError {
  return new DataError(path, 'data-corrupt', `the gzip stream inflates to more than the ${formatBytes(declared)} its IDX header declares; the file is damaged`);
}

/** The bytes a whole IDX file takes by its header, once enough of the header is in `head`; null before. */
function declaredIdxBytes(head: Uint8Array, path: string): { items: number; itemBytes: number; total: number } | null {
  if (head.length < 4) return null;
  const rank = looksLikeIdx(head) ? head[3] : 0;
  if (head.length < 4 + 4 * rank) return null;
  const header = parseIdxHeader(head, path);
  const items = header.dims[0];
  const itemBytes = shapeSize(header.dims.slice(1)) * header.element.bytes;
  return { items, itemBytes, total: header.headerBytes + items * itemBytes };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function checkItemShape(header: IdxHeader, path: string): number[] {
  if (header.dims.length < 2) {
    throw new DataError(
      path,
      'data-unsupported',
      `this IDX file is 1-dimensional (${header.dims[0]} values), which is a labels file; open the matching images file instead`,
    );
  }
  return header.dims.slice(1);
}

function checkLength(header: IdxHeader, fileBytes: number, path: string): void {
  const needed = header.headerBytes + shapeSize(header.dims) * header.element.bytes;
  if (fileBytes < needed) {
    throw new DataError(
      path,
      'data-truncated',
      `truncated IDX file: the header promises ${header.dims[0]} items of ${formatShape(header.dims.slice(1))} ` +
        `${header.element.dtype} (${needed} bytes) but the file has ${fileBytes} bytes`,
    );
  }
}

function describeIdx(path: string, header: IdxHeader, itemShape: number[]) {
  return {
    path,
    format: 'idx' as const,
    count: header.dims[0],
    itemShape,
    sourceDtype: header.element.dtype,
    labels: null,
    classNames: null,
    columns: null,
    display: displayFor(itemShape),
  };
}

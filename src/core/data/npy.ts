/**
 * NumPy `.npy` (any version) and `.npz` (a zip of `.npy` members, stored or deflated).
 * C-order `.npy` files are read lazily by offset; Fortran-order ones and `.npz` members are
 * decoded into memory and transposed to C order.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { crc32 } from 'node:zlib';
import { unzipSync } from 'fflate';
import { FileStore, MemoryStore, StoredDataset, displayFor, shapeSize, type SampleValues } from './dataset';
import { decodeElements, elementType, type ElementType, type SourceDtype } from './elements';
import { DataError } from './errors';
import { checkLabelCount, labelsFromNumbers, labelsFromStrings, type LabelSet } from './labels';
import { MEMORY_BUDGET_BYTES, checkMemoryBudget, formatBytes } from './limits';
import { zipEntryCrcs } from './zip';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const NUMERIC_KINDS: Record<string, SourceDtype> = {
  b1: 'bool',
  u1: 'uint8',
  i1: 'int8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
};

/** The element type of an array: numeric, or fixed-width strings (only meaningful for labels). */
type NpyElement = { kind: 'numeric'; type: ElementType } | { kind: 'string'; encoding: 'utf32' | 'bytes'; width: number };

/** What a `.npy` header says. */
interface NpyHeader {
  descr: string;
  element: NpyElement;
  shape: number[];
  fortranOrder: boolean;
  /** Bytes before the first value. */
  headerBytes: number;
}

/** A shape in NumPy's notation, `(784,)` or `(10, 28, 28)`, as users know it from Python. */
const npyShape = (shape: readonly number[]): string => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

/** True when the bytes start a `.npy` file. */
export function looksLikeNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((byte, i) => bytes[i] === byte);
}

/** True when the bytes start a zip archive (`.npz`). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function headerLength(bytes: Uint8Array, file: string): { major: number; preamble: number; length: number } {
  if (bytes.length < 10 || !looksLikeNpy(bytes)) {
    throw new DataError(file, 'data-corrupt', 'not a .npy file: it does not start with the magic bytes "\\x93NUMPY"');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (major === 1) return { major, preamble: 10, length: view.getUint16(8, true) };
  if ((major === 2 || major === 3) && bytes.length >= 12) return { major, preamble: 12, length: view.getUint32(8, true) };
  throw new DataError(file, 'data-unsupported', `unsupported .npy format version ${major}.${bytes[7]} (versions 1, 2 and 3 are supported)`);
}

/** Parses the header; `bytes` must hold at least the whole header. */
function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const { major, preamble, length } = headerLength(bytes, file);
  if (bytes.length < preamble + length) {
    throw new DataError(file, 'data-truncated', `truncated .npy file: the header needs ${preamble + length} bytes but the file has ${bytes.length}`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(preamble, preamble + length));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) {
    const structured = /'descr'\s*:\s*\[/.test(text);
    throw new DataError(
      file,
      structured ? 'data-unsupported' : 'data-corrupt',
      structured ? 'structured (record) arrays are not supported; save a plain numeric array' : `bad .npy header: no 'descr' in ${text.trim()}`,
    );
  }
  if (fortran === undefined || shapeText === undefined) throw new DataError(file, 'data-corrupt', `bad .npy header: ${text.trim()}`);
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => Number(part.replace(/L$/, '')));
  if (shape.some((dim) => !Number.isInteger(dim) || dim < 0)) throw new DataError(file, 'data-corrupt', `bad .npy shape (${shapeText})`);
  return { descr, element: parseDescr(descr, file), shape, fortranOrder: fortran === 'True', headerBytes: preamble + length };
}

function parseDescr(descr: string, file: string): NpyElement {
  const match = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (match) {
    const [, order, kind, size] = match;
    const numeric = NUMERIC_KINDS[`${kind}${size}`];
    if (numeric) return { kind: 'numeric', type: elementType(numeric, order !== '>') };
    if (kind === 'U') return { kind: 'string', encoding: 'utf32', width: Number(size) };
    if (kind === 'S') return { kind: 'string', encoding: 'bytes', width: Number(size) };
  }
  const hint = descr.includes('O') ? ' (object arrays are pickled Python objects)' : '';
  throw new DataError(
    file,
    'data-unsupported',
    `unsupported npy dtype '${descr}'${hint}; supported: bool, uint8, int8, int16, uint16, int32, uint32, int64, float32, float64`,
  );
}

function elementBytes(element: NpyElement): number {
  return element.kind === 'numeric' ? element.type.bytes : element.width * (element.encoding === 'utf32' ? 4 : 1);
}

function checkBodyLength(header: NpyHeader, fileBytes: number, file: string): void {
  const needed = header.headerBytes + shapeSize(header.shape) * elementBytes(header.element);
  if (fileBytes < needed) {
    throw new DataError(
      file,
      'data-truncated',
      `truncated .npy file: the header promises shape ${npyShape(header.shape)} of '${header.descr}' (${needed} bytes) but the file has ${fileBytes} bytes`,
    );
  }
}

/** Checks the array can be a dataset (samples along axis 0) and returns the numeric element type. */
function sampleElement(header: NpyHeader, file: string): ElementType {
  if (header.element.kind !== 'numeric') {
    throw new DataError(file, 'data-unsupported', `the samples array has string dtype '${header.descr}'; samples must be numeric`);
  }
  if (header.shape.length < 2) {
    throw new DataError(
      file,
      'data-unsupported',
      `an array of shape ${npyShape(header.shape)} is not a dataset: samples must lie along the first axis, shape (N, …)`,
    );
  }
  return header.element.type;
}

/** Opens a `.npy` file of samples; C order is read lazily. */
export async function openNpy(path: string): Promise<StoredDataset> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const preamble = Buffer.alloc(12);
    const { bytesRead } = await handle.read(preamble, 0, 12, 0);
    const { preamble: preambleBytes, length } = headerLength(preamble.subarray(0, bytesRead), path);
    const headerBuffer = Buffer.alloc(Math.min(size, preambleBytes + length));
    await handle.read(headerBuffer, 0, headerBuffer.length, 0);
    const header = parseNpyHeader(headerBuffer, path);
    const element = sampleElement(header, path);
    checkBodyLength(header, size, path);
    const itemShape = header.shape.slice(1);
    if (!header.fortranOrder) {
      return new StoredDataset(describeNpy(path, 'npy', header.shape, element.dtype), new FileStore(handle, header.headerBytes, element, shapeSize(itemShape)));
    }
    await handle.close();
    checkMemoryBudget(path, 'reading this Fortran-order .npy file', header.shape[0]!, shapeSize(itemShape) * 4, 'save it in C order (numpy.ascontiguousarray) so it is read lazily');
    return npyFromBytes(await readFile(path), path, 'npy');
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * A dataset from a whole `.npy` held in memory (Fortran-order files, `.npz` members); errors name
 * `file` (e.g. `data.npz[x]`), the dataset is reported under `datasetPath`.
 */
function npyFromBytes(bytes: Uint8Array, file: string, format: 'npy' | 'npz', datasetPath = file): StoredDataset {
  const header = parseNpyHeader(bytes, file);
  const element = sampleElement(header, file);
  checkBodyLength(header, bytes.length, file);
  const values = decodeNumeric(bytes.subarray(header.headerBytes), element, header.shape, header.fortranOrder);
  return new StoredDataset(describeNpy(datasetPath, format, header.shape, element.dtype), new MemoryStore(values, shapeSize(header.shape.slice(1))));
}

/** Decodes a whole numeric body in C order; uint8 stays uint8 to save memory. */
function decodeNumeric(body: Uint8Array, element: ElementType, shape: number[], fortranOrder: boolean): SampleValues {
  const count = shapeSize(shape);
  let values: SampleValues;
  if (element.dtype === 'uint8') {
    // A plain Uint8Array copy, not a Buffer slice: fortranToC constructs its output from the input's class.
    values = new Uint8Array(body.subarray(0, count));
  } else {
    values = new Float32Array(count);
    decodeElements(body, element, count, values, 0);
  }
  return fortranOrder ? fortranToC(values, shape) : values;
}

/** Reorders a Fortran-order (first axis fastest) array into C order (last axis fastest). */
function fortranToC<T extends SampleValues>(values: T, shape: number[]): T {
  const out = new (values.constructor as new (length: number) => T)(values.length);
  const rank = shape.length;
  const cStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    cStrides[axis] = stride;
    stride *= shape[axis];
  }
  // Walk the Fortran layout in storage order with an odometer over the axes (axis 0 fastest).
  const position = new Array<number>(rank).fill(0);
  let cOffset = 0;
  for (let f = 0; f < values.length; f++) {
    out[cOffset] = values[f];
    for (let axis = 0; axis < rank; axis++) {
      position[axis]++;
      cOffset += cStrides[axis];
      if (position[axis] < shape[axis]) break;
      cOffset -= cStrides[axis] * shape[axis];
      position[axis] = 0;
    }
  }
  return out;
}

function describeNpy(path: string, format: 'npy' | 'npz', shape: number[], dtype: SourceDtype) {
  const itemShape = shape.slice(1);
  return { path, format, count: shape[0], itemShape, sourceDtype: dtype, labels: null, classNames: null, columns: null, display: displayFor(itemShape) };
}

/** Raw label values of a 1-D array (or N×1), numbers or strings. */
function labelValues(bytes: Uint8Array, file: string): number[] | string[] {
  const header = parseNpyHeader(bytes, file);
  checkBodyLength(header, bytes.length, file);
  const rows = header.shape[0] ?? 1;
  if (header.shape.length > 2 || (header.shape.length === 2 && header.shape[1] !== 1)) {
    throw new DataError(file, 'data-labels', `labels must be a 1-D array (N,) or (N, 1), but this one has shape ${npyShape(header.shape)}`);
  }
  const body = bytes.subarray(header.headerBytes);
  const element = header.element;
  if (element.kind === 'numeric') {
    const values = new Float64Array(rows);
    decodeElements(body, element.type, rows, values, 0);
    return Array.from(values);
  }
  const width = elementBytes(element);
  const decoder = new TextDecoder(element.encoding === 'utf32' ? 'utf-8' : 'latin1');
  return Array.from({ length: rows }, (_, i) => {
    const cell = body.subarray(i * width, (i + 1) * width);
    const text = element.encoding === 'utf32' ? utf32ToString(cell) : decoder.decode(cell);
    return text.replace(/\0+$/, '');
  });
}

function utf32ToString(cell: Uint8Array): string {
  const view = new DataView(cell.buffer, cell.byteOffset, cell.byteLength);
  const codes: number[] = [];
  for (let i = 0; i < cell.byteLength; i += 4) {
    const code = view.getUint32(i, true);
    if (code === 0) break;
    codes.push(code);
  }
  return String.fromCodePoint(...codes);
}

function toLabelSet(values: number[] | string[], file: string, labelNames?: string[]): LabelSet {
  return typeof values[0] === 'string' ? labelsFromStrings(values as string[]) : labelsFromNumbers(values as number[], file, labelNames);
}

/** Reads a labels `.npy` file into class codes. */
export async function readNpyLabels(path: string, labelNames?: string[]): Promise<LabelSet> {
  return toLabelSet(labelValues(await readFile(path), path), path, labelNames);
}

/** Names of the sibling files that may hold labels for the `.npy` file `dataFile`, most specific first. */
export function npyLabelCandidates(dataFile: string): string[] {
  const stem = basename(dataFile).replace(/\.npy$/i, '');
  const fromX = /^x(_.*)?$/i.test(stem) ? [`y${stem.slice(1)}.npy`] : [];
  return [`${stem}_labels.npy`, ...fromX, 'labels.npy', 'y.npy', 'targets.npy'];
}

const DATA_KEYS = ['x', 'X', 'data', 'images'];
const LABEL_KEYS = ['y', 'Y', 'labels', 'targets'];

/**
 * Opens a `.npz`. Samples: `x`, `X`, `data`, `images`; else such a name with a suffix
 * (`x_test` before other suffixes, as in Keras' mnist.npz); else the first array that is not a
 * label array. Labels: `y`, `Y`, `labels`, `targets` with the same suffix.
 */
export async function openNpz(path: string, labelNames?: string[]): Promise<StoredDataset> {
  const { size } = await stat(path);
  if (size > MEMORY_BUDGET_BYTES) {
    throw new DataError(path, 'data-unsupported', `the .npz archive is ${formatBytes(size)}, more than the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget; save the samples as a .npy file, which is read lazily`);
  }
  const bytes = await readFile(path);
  const names: string[] = [];
  unzipArchive(bytes, path, (name) => {
    names.push(name);
    return false;
  });
  const arrays = names.filter((name) => name.endsWith('.npy')).map((name) => name.slice(0, -4));
  if (arrays.length === 0) throw new DataError(path, 'data-empty', `the .npz archive holds no .npy arrays (entries: ${names.join(', ') || 'none'})`);
  const { dataKey, labelKey } = chooseNpzArrays(arrays);
  if (!dataKey) throw new DataError(path, 'data-empty', `the .npz archive holds only label arrays (${arrays.join(', ')}) and no samples`);
  const wanted = (name: string): boolean => name === `${dataKey}.npy` || name === `${labelKey}.npy`;
  const members = unzipArchive(bytes, path, wanted);
  checkCrcs(bytes, members, path);
  const memberName = (key: string): string => `${path}[${key}]`;
  const dataset = npyFromBytes(members[`${dataKey}.npy`]!, memberName(dataKey), 'npz', path);
  if (!labelKey) return dataset;
  const labels = toLabelSet(labelValues(members[`${labelKey}.npy`]!, memberName(labelKey)), memberName(labelKey), labelNames);
  checkLabelCount(labels.labels.length, dataset.count, memberName(labelKey), memberName(dataKey));
  return dataset.withLabels(labels);
}

/** Zip stores a CRC-32 per member; a mismatch means the archive was damaged after it was written. */
function checkCrcs(archive: Uint8Array, members: Record<string, Uint8Array>, path: string): void {
  const crcs = zipEntryCrcs(archive);
  for (const [name, data] of Object.entries(members)) {
    const stored = crcs.get(name);
    if (stored !== undefined && stored !== crc32(data)) {
      throw new DataError(`${path}[${name.replace(/\.npy$/, '')}]`, 'data-corrupt', 'the member fails its CRC-32 check: the .npz archive is damaged');
    }
  }
}

function chooseNpzArrays(arrays: string[]): { dataKey: string | undefined; labelKey: string | undefined } {
  const isLabelName = (name: string): boolean => LABEL_KEYS.some((key) => name === key || name.startsWith(`${key}_`));
  let dataKey = DATA_KEYS.find((key) => arrays.includes(key));
  if (!dataKey) {
    const suffixed = arrays.filter((name) => DATA_KEYS.some((key) => name.startsWith(`${key}_`)));
    dataKey = suffixed.find((name) => /_test$/i.test(name)) ?? suffixed[0];
  }
  dataKey ??= arrays.find((name) => !isLabelName(name));
  const suffix = dataKey && dataKey.includes('_') ? dataKey.slice(dataKey.indexOf('_')) : '';
  const labelKey = LABEL_KEYS.map((key) => key + suffix).find((key) => arrays.includes(key));
  return { dataKey, labelKey };
}

/**
 * Unzips the members `keep` accepts. fflate allocates each member at the size the zip declares,
 * so the declared sizes are checked against the memory budget first (a small archive can declare
 * gigabytes).
 */
function unzipArchive(bytes: Uint8Array, path: string, keep: (name: string) => boolean): Record<string, Uint8Array> {
  let declared = 0;
  try {
    return unzipSync(bytes, {
      filter: (file) => {
        if (!keep(file.name)) return false;
        declared += file.originalSize;
        if (declared > MEMORY_BUDGET_BYTES) {
          throw new DataError(
            `${path}[${file.name.replace(/\.npy$/, '')}]`,
            'data-unsupported',
            `the member inflates to ${formatBytes(file.originalSize)}, more than the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget; save the samples as a .npy file, which is read lazily`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(path, 'data-corrupt', `the .npz (zip) archive cannot be read: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Which model format a file holds, read from its first bytes (and a zip's directory), never
 * from its extension: older tf.keras wrote HDF5 into files named `.keras`, and a renamed file
 * should get a message about what it really is.
 */
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';

export type ModelFileFormat = 'tfjs' | 'keras-json' | 'keras-h5' | 'keras-zip' | 'onnx' | 'pytorch' | 'unknown';

export interface DetectedFormat {
  format: ModelFileFormat;
  /** What the file is, in words ("a ZIP archive of data.csv", "a PNG image"), for messages. */
  description: string;
}

/** Bytes read from the head of a file: enough for every magic number and an ONNX header. */
const HEAD_BYTES = 4096;
/** model.json and Keras to_json() files are parsed whole below this size; larger JSON is judged by its head. */
const JSON_PARSE_LIMIT = 64 * 1024 * 1024;
/** Largest zip central directory read to list the archive's entries. */
const ZIP_DIRECTORY_LIMIT = 16 * 1024 * 1024;

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function detectModelFormat(file: string): Promise<DetectedFormat> {
  // Non-blocking, so a FIFO or a terminal named as the model cannot stall the open; a device is refused before any read.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { format: 'unknown', description: 'not a regular file (a device, pipe or socket)' };
    const { size } = info;
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      return buffer;
    };
    if (size === 0) return { format: 'unknown', description: 'an empty file' };
    if (startsWith(head, HDF5_MAGIC)) return { format: 'keras-h5', description: 'an HDF5 file' };
    if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
      return describeZip(await zipEntryNames(read, size));
    }
    const onnxHeader = looksLikeOnnx(head, size);
    if (onnxHeader === 'whole') return { format: 'onnx', description: 'an ONNX model' };
    if (onnxHeader === 'truncated') return { format: 'unknown', description: `a truncated ONNX model (${size} bytes: its graph runs past the end)` };
    // Pickle protocol 2+ opens with PROTO; legacy torch.save writes protocol 2.
    if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return { format: 'pytorch', description: 'a PyTorch pickle' };
    const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (text.startsWith('{')) return describeJson(size <= JSON_PARSE_LIMIT ? (await read(0, size)).toString('utf8') : text);
    return { format: 'unknown', description: describeOther(head) };
  } finally {
    await handle.close();
  }
}

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return bytes.length >= at + magic.length && magic.every((byte, i) => bytes[at + i] === byte);
}

function describeJson(text: string): DetectedFormat {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // Too large to parse or broken: judge by the keys that open the file.
    if (/"modelTopology"\s*:/.test(text)) return { format: 'tfjs', description: 'a TF.js model.json' };
    return { format: 'unknown', description: 'a JSON file that is not a model (no modelTopology, no Keras class_name)' };
  }
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    if ('modelTopology' in record || 'weightsManifest' in record) return { format: 'tfjs', description: 'a TF.js model.json' };
    if (typeof record.class_name === 'string' && typeof record.config === 'object') {
      return { format: 'keras-json', description: 'a Keras architecture (to_json)' };
    }
  }
  return { format: 'unknown', description: 'a JSON file that is not a model (no modelTopology, no Keras class_name)' };
}

/**
 * An ONNX ModelProto opens with ir_version (field 1, varint) and then short string fields
 * (producer, version, domain) before the graph (field 7): walk the top-level fields of the head
 * and accept once a graph field whose length fits the file is reached.
 */
function looksLikeOnnx(head: Buffer, size: number): 'whole' | 'truncated' | false {
  if (head[0] !== 0x08 || head[1] === undefined || head[1] < 1 || head[1] > 20) return false;
  let position = 2;
  const varint = (): number | null => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = head[position++];
      if (byte === undefined) return null;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return null;
  };
  while (position < head.length) {
    const tag = varint();
    if (tag === null) return false;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    // ModelProto's fields: 1–8 (ir_version … opset_import), 14 metadata_props, 20 training_info, 25 functions.
    if (![2, 3, 4, 5, 6, 7, 8, 14, 20, 25].includes(field)) return false;
    if (wire === 0 && varint() !== null) continue;
    if (wire !== 2) return false;
    const length = varint();
    if (length === null) return false;
    if (position + length > size) return field === 7 ? 'truncated' : false;
    if (field === 7) return 'whole';
    position += length;
  }
  return false;
}

function describeZip(names: string[] | null): DetectedFormat {
  if (names === null) return { format: 'unknown', description: 'a damaged or truncated ZIP archive' };
  const base = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  if (names.some((name) => name === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(name))) {
    return { format: 'pytorch', description: 'a PyTorch zip' };
  }
  if (names.includes('config.json')) return { format: 'keras-zip', description: 'a Keras 3 .keras zip' };
  const shown = names.slice(0, 3).map(base).join(', ');
  return { format: 'unknown', description: names.length ? `a ZIP archive of ${shown}${names.length > 3 ? ', …' : ''} (no config.json)` : 'an empty ZIP archive' };
}

type ReadAt = (position: number, length: number) => Promise<Buffer>;

/** Names in a zip's central directory (zip64 included), or null when the archive is damaged. */
async function zipEntryNames(read: ReadAt, size: number): Promise<string[] | null> {
  const tailLength = Math.min(size, 65_557);
  const tail = await read(size - tailLength, tailLength);
  const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > tail.length) return null;
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (directoryOffset === 0xffffffff || directorySize === 0xffffffff || count === 0xffff) {
    // zip64 (PyTorch writes it for large checkpoints): the locator sits 20 bytes before.
    if (end < 20 || tail.readUInt32LE(end - 20) !== 0x07064b50) return null;
    const record = await read(Number(tail.readBigUInt64LE(end - 12)), 56);
    if (record.readUInt32LE(0) !== 0x06064b50) return null;
    count = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  if (directoryOffset + directorySize > size) return null;
  const directory = await read(directoryOffset, Math.min(directorySize, ZIP_DIRECTORY_LIMIT));
  const names: string[] = [];
  let position = 0;
  for (let i = 0; i < count && position + 46 <= directory.length; i++) {
    if (directory.readUInt32LE(position) !== 0x02014b50) return null;
    const nameLength = directory.readUInt16LE(position + 28);
    const extraLength = directory.readUInt16LE(position + 30);
    const commentLength = directory.readUInt16LE(position + 32);
    names.push(directory.toString('utf8', position + 46, position + 46 + nameLength));
    position += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const MAGIC: { bytes: number[]; at?: number; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x42, 0x4d], what: 'a BMP image' },
  { bytes: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], what: 'a NumPy .npy array' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x54, 0x46, 0x4c, 0x33], at: 4, what: 'a TensorFlow Lite model' },
  { bytes: [0x00, 0x00, 0x08, 0x01], what: 'an IDX data file (MNIST-style)' },
  { bytes: [0x00, 0x00, 0x08, 0x03], what: 'an IDX data file (MNIST-style)' },
];

function describeOther(head: Buffer): string {
  const known = MAGIC.find(({ bytes, at }) => startsWith(head, bytes, at ?? 0));
  if (known) return known.what;
  // safetensors: an 8-byte little-endian header length, then the JSON header.
  if (head.length > 9 && head[8] === 0x7b && head.readUInt32LE(4) === 0) return 'a safetensors weights file';
  if (isText(head)) return 'a text file';
  return 'an unrecognized binary file';
}

function isText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  const text = head.toString('utf8');
  const odd = text.split('').filter((char) => char === '\uFFFD' || (char < ' ' && !'\n\r\t'.includes(char))).length;
  return odd <= text.length / 100;
}

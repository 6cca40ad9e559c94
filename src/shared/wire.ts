/**
 * Binary wire format for protocol messages over WebSocket (the `serve` bridge), shared by the
 * browser and the Node server.
 *
 * postMessage carries typed arrays as they are; a WebSocket carries bytes. One frame holds a JSON
 * header in which every typed array is replaced by a tag `{ $typed: 'Float32Array', offset, length }`,
 * followed by the arrays' raw bytes, each 8-byte aligned so the decoder can view them without
 * conversion. Layout: `[u32 header byte length][header utf-8][pad to 8][array bytes…]`.
 * Base64 inside JSON would cost a third more bytes and a text pass over megabytes of positions.
 */

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;

/** The tag a typed array becomes in the frame header. */
interface TypedArrayTag {
  $typed: TypedArrayName;
  /** Byte offset of the array's data from the start of the data section. */
  offset: number;
  /** Element count. */
  length: number;
}

const HEADER_LENGTH_BYTES = 4;
const ALIGNMENT = 8;

function alignUp(value: number): number {
  return Math.ceil(value / ALIGNMENT) * ALIGNMENT;
}

function typedArrayName(value: unknown): TypedArrayName | null {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return null;
  for (const name of Object.keys(TYPED_ARRAYS) as TypedArrayName[]) {
    if (value instanceof TYPED_ARRAYS[name]) return name;
  }
  throw new Error(`wire: unsupported typed array ${value.constructor.name}`);
}

function isTag(value: unknown): value is TypedArrayTag {
  return typeof value === 'object' && value !== null && typeof (value as TypedArrayTag).$typed === 'string';
}

/** A frame from the other side may say anything: offsets and lengths must be whole, non-negative numbers. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Encodes a message (any JSON-like value with typed arrays inside) into one binary frame. */
export function encodeFrame(message: unknown): Uint8Array {
  const arrays: AnyTypedArray[] = [];
  let dataBytes = 0;
  // The holder's own property, not `value`: JSON.stringify has already applied toJSON (Node's Buffer has one).
  const header = JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    const name = typedArrayName(original);
    if (!name) return value;
    const array = original as AnyTypedArray;
    const tag: TypedArrayTag = { $typed: name, offset: dataBytes, length: array.length };
    arrays.push(array);
    dataBytes = alignUp(dataBytes + array.byteLength);
    return tag;
  });
  const headerBytes = new TextEncoder().encode(header);
  const dataStart = alignUp(HEADER_LENGTH_BYTES + headerBytes.length);
  const frame = new Uint8Array(dataStart + dataBytes);
  new DataView(frame.buffer).setUint32(0, headerBytes.length, true);
  frame.set(headerBytes, HEADER_LENGTH_BYTES);
  let offset = dataStart;
  for (const array of arrays) {
    frame.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    offset = alignUp(offset + array.byteLength);
  }
  return frame;
}

/**
 * Decodes a frame made by `encodeFrame`. Each typed array gets its own buffer, so a receiver may
 * transfer or keep one without pinning (or detaching) the whole frame.
 */
export function decodeFrame<T = unknown>(frame: Uint8Array | ArrayBuffer): T {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength < HEADER_LENGTH_BYTES) throw new Error(`wire: frame of ${bytes.byteLength} bytes is too short`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (HEADER_LENGTH_BYTES + headerLength > bytes.byteLength) {
    throw new Error(`wire: header of ${headerLength} bytes overruns a frame of ${bytes.byteLength}`);
  }
  const header = new TextDecoder().decode(bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + headerLength));
  const dataStart = alignUp(HEADER_LENGTH_BYTES + headerLength);
  return JSON.parse(header, (_key, value: unknown) => {
    if (!isTag(value)) return value;
    // Own keys only: a tag naming "constructor" or "__proto__" must not reach Object's members.
    if (!Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, value.$typed)) throw new Error(`wire: unknown typed array ${JSON.stringify(value.$typed)}`);
    const constructor = TYPED_ARRAYS[value.$typed];
    if (!isCount(value.offset) || !isCount(value.length)) throw new Error(`wire: ${value.$typed} tag with offset ${JSON.stringify(value.offset)} and length ${JSON.stringify(value.length)}`);
    const start = dataStart + value.offset;
    const end = start + value.length * constructor.BYTES_PER_ELEMENT;
    if (end > bytes.byteLength) throw new Error(`wire: ${value.$typed}(${value.length}) at ${start} overruns a frame of ${bytes.byteLength}`);
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(start, end));
    return new constructor(copy.buffer);
  }) as T;
}

/**
 * Binary element types shared by the IDX and NPY readers, and the one routine that turns their
 * bytes into float32 values.
 */

/** The numeric type a dataset's values are stored in on disk (or were parsed as, for text formats). */
export type SourceDtype =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'bool';

/** One element type with its byte order. */
export interface ElementType {
  readonly dtype: SourceDtype;
  readonly bytes: number;
  readonly littleEndian: boolean;
}

const BYTES: Record<SourceDtype, number> = {
  uint8: 1,
  int8: 1,
  bool: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  float64: 8,
};

/** Builds an ElementType; byte order is irrelevant (and recorded as little) for 1-byte types. */
export function elementType(dtype: SourceDtype, littleEndian: boolean): ElementType {
  const bytes = BYTES[dtype];
  return { dtype, bytes, littleEndian: bytes === 1 ? true : littleEndian };
}

type Reader = (view: DataView, offset: number, littleEndian: boolean) => number;

const READERS: Record<SourceDtype, Reader> = {
  uint8: (v, o) => v.getUint8(o),
  bool: (v, o) => (v.getUint8(o) === 0 ? 0 : 1),
  int8: (v, o) => v.getInt8(o),
  int16: (v, o, le) => v.getInt16(o, le),
  uint16: (v, o, le) => v.getUint16(o, le),
  int32: (v, o, le) => v.getInt32(o, le),
  uint32: (v, o, le) => v.getUint32(o, le),
  // Values beyond 2^53 lose precision, which float32 output would lose anyway.
  int64: (v, o, le) => Number(v.getBigInt64(o, le)),
  float32: (v, o, le) => v.getFloat32(o, le),
  float64: (v, o, le) => v.getFloat64(o, le),
};

/**
 * Decodes `count` elements of `type` from `bytes` (starting at byte 0) into `out` at `outOffset`.
 * uint8 takes a direct typed-array copy because it is by far the most common image type.
 */
export function decodeElements(
  bytes: Uint8Array,
  type: ElementType,
  count: number,
  out: Float32Array | Float64Array,
  outOffset: number,
): void {
  if (bytes.byteLength < count * type.bytes) {
    throw new RangeError(`decodeElements needs ${count * type.bytes} bytes for ${count} ${type.dtype}, got ${bytes.byteLength}`);
  }
  if (type.dtype === 'uint8') {
    out.set(bytes.subarray(0, count), outOffset);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * type.bytes);
  const read = READERS[type.dtype];
  for (let i = 0; i < count; i++) out[outOffset + i] = read(view, i * type.bytes, type.littleEndian);
}

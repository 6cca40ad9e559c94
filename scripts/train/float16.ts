/**
 * Stores TF.js float32 weights as float16 (`quantization: {dtype: 'float16'}` in the weights
 * manifest, which tf.io.decodeWeights expands back to float32 on load). It halves the sample
 * models in the .vsix; their test errors move by well under 1 % (sample-models/README.md).
 */
import type * as tf from '@tensorflow/tfjs';

type WeightSpec = tf.io.WeightsManifestEntry;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The IEEE half-precision bits nearest `value` (ties to even), with overflow to ±Infinity. */
export function toFloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa, with its implicit leading one, into place.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(full, shift);
  }
  // roundShift may carry into the exponent, which is exactly the rounding wanted.
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** `value >> shift`, rounded to nearest with ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return remainder > half || (remainder === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/**
 * The same weights with every unquantized float32 entry stored as float16; other entries (int32,
 * already quantized) are copied as they are. `data` holds the entries in manifest order.
 */
export function toFloat16Weights(specs: WeightSpec[], data: Uint8Array): { specs: WeightSpec[]; data: Uint8Array<ArrayBuffer> } {
  const parts: Uint8Array[] = [];
  const converted: WeightSpec[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    const storedBytes = spec.quantization ? byteLength(spec.quantization.dtype, count) : byteLength(spec.dtype, count);
    const bytes = data.subarray(offset, offset + storedBytes);
    if (bytes.length !== storedBytes) throw new Error(`weights end inside ${spec.name} (${data.length} bytes for the manifest)`);
    offset += storedBytes;
    if (spec.dtype !== 'float32' || spec.quantization) {
      parts.push(bytes);
      converted.push(spec);
      continue;
    }
    // Copied rather than viewed: a Buffer's slice() shares its (pooled) memory and may be misaligned.
    const values = new Float32Array(count);
    new Uint8Array(values.buffer).set(bytes);
    const halves = new Uint16Array(count);
    for (let i = 0; i < count; i++) halves[i] = toFloat16Bits(values[i]);
    parts.push(new Uint8Array(halves.buffer));
    converted.push({ ...spec, quantization: { dtype: 'float16' } });
  }
  if (offset !== data.length) throw new Error(`weights hold ${data.length} bytes, the manifest names ${offset}`);
  // A Uint8Array of its own (not a possibly pooled Buffer), so that `data.buffer` is exactly the weights.
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return { specs: converted, data: joined };
}

function byteLength(dtype: string, count: number): number {
  const size = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 }[dtype];
  if (size === undefined) throw new Error(`cannot convert weights stored as ${dtype}`);
  return size * count;
}

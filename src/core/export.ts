/** Writers for what users take out of the explorer: NPY arrays and PNG images. */
import { PNG } from 'pngjs';

/** A float32 C-order .npy file (format version 1.0) holding `values` with the given shape. */
export function encodeNpy(values: Float32Array, shape: number[]): Buffer {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== values.length) throw new RangeError(`${values.length} values do not fill shape [${shape.join(', ')}] (${expected})`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The header is padded with spaces so the data starts on a 64-byte boundary, ending in '\n'.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + values.byteLength);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const body = new Float32Array(out.buffer, out.byteOffset + 10 + header.length, values.length);
  body.set(values);
  return out;
}

/**
 * A PNG of one image with values in [0, 1] (clipped): shape [H, W], [H, W, 1] or [H, W, 3];
 * a flat [N] with N a perfect square is drawn as a square greyscale image.
 */
export function encodePng(values: Float32Array, shape: number[]): Buffer {
  let [height, width, channels] = shape;
  if (shape.length === 1) {
    const side = Math.round(Math.sqrt(shape[0]));
    if (side * side !== shape[0]) throw new RangeError(`cannot draw ${shape[0]} values as an image: not H×W×C and not a perfect square`);
    [height, width, channels] = [side, side, 1];
  }
  channels ??= 1;
  if (!(shape.length <= 3 && (channels === 1 || channels === 3) && height * width * channels === values.length)) {
    throw new RangeError(`cannot draw shape [${shape.join('×')}] as an image: expected H×W, H×W×1 or H×W×3`);
  }
  const png = new PNG({ width, height });
  const toByte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) png.data[p * 4 + c] = toByte(values[p * channels + (channels === 3 ? c : 0)]);
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

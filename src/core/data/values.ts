/**
 * Values parsed from text formats (CSV, JSON): collected into a typed array that stays uint8 while
 * every value is an integer in 0..255 (images stored as text) and widens to float32 otherwise.
 */
import type { SampleDisplay } from '../../shared/types';
import { displayFor } from './dataset';
import type { SourceDtype } from './elements';

/** A growable array of parsed values. */
export class ValueBuffer {
  private bytes: Uint8Array | null = new Uint8Array(4096);
  private floats: Float32Array | null = null;
  length = 0;
  min = Infinity;
  max = -Infinity;

  /** True while every value so far is an integer in 0..255. */
  get allUint8(): boolean {
    return this.bytes !== null;
  }

  push(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.bytes) {
      if (Number.isInteger(value) && value >= 0 && value <= 255) {
        if (this.length === this.bytes.length) this.bytes = grow(this.bytes);
        this.bytes[this.length++] = value;
        return;
      }
      this.floats = new Float32Array(Math.max(4096, this.length * 2));
      this.floats.set(this.bytes.subarray(0, this.length));
      this.bytes = null;
    }
    if (this.length === this.floats!.length) this.floats = grow(this.floats!);
    this.floats![this.length++] = value;
  }

  /** The values, trimmed to their length. */
  values(): Uint8Array | Float32Array {
    return this.bytes ? this.bytes.slice(0, this.length) : this.floats!.slice(0, this.length);
  }
}

function grow<T extends Uint8Array | Float32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The smallest image side a flat row may be folded into (8x8, as in the classic digits set). */
const MIN_IMAGE_SIDE = 8;

/**
 * How text-parsed items are shown and typed. Nested items (H×W, H×W×C) are images; a flat row is an
 * image too when its length is a square of side ≥ 8 and its values are 0..255 integers or lie in
 * [0, 1] (MNIST as CSV or JSON); anything else is tabular. Only uint8 images report sourceDtype
 * 'uint8' (and so get ÷255 by default): integer features of a table are not pixel intensities.
 */
export function textItemLayout(itemShape: number[], values: ValueBuffer): { itemShape: number[]; display: SampleDisplay; sourceDtype: SourceDtype } {
  let shape = itemShape;
  if (shape.length === 1) {
    const side = Math.round(Math.sqrt(shape[0]));
    const pixelLike = values.allUint8 || (values.min >= 0 && values.max <= 1);
    if (side >= MIN_IMAGE_SIDE && side * side === shape[0] && pixelLike) shape = [side, side];
  }
  const display = displayFor(shape);
  return { itemShape: shape, display, sourceDtype: display === 'image' && values.allUint8 ? 'uint8' : 'float32' };
}

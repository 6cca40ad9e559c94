/**
 * Draws samples as the host sent them (model input space, row-major): images into small canvases
 * (grey for one channel, RGB for three or four), tabular rows as bar charts. Originals and
 * reconstructions of one panel share a value range, so their brightness compares honestly.
 */
import { product } from '../../src/shared/numeric';
import type { SampleDisplay } from '../../src/shared/types';

export interface ValueRange {
  min: number;
  max: number;
}

/** Range over several arrays; inputs in [0,1] or [0,255] keep that range so black stays black. */
export function sharedRange(...arrays: (Float32Array | null | undefined)[]): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (const array of arrays) {
    if (!array) continue;
    for (let i = 0; i < array.length; i++) {
      const v = array[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  if (min >= 0 && max <= 1) return { min: 0, max: 1 };
  if (min >= 0 && max <= 255 && max > 1) return { min: 0, max: 255 };
  if (min >= -1 && max <= 1) return { min: -1, max: 1 };
  return { min, max: max > min ? max : min + 1 };
}

/** Size of one sample in values. */
export function itemSize(itemShape: readonly number[]): number {
  return product(itemShape);
}

/** Draws sample `index` of `values` (rows of itemShape) into a new canvas, `size` CSS pixels wide. */
export function sampleCanvas(
  values: Float32Array,
  index: number,
  itemShape: readonly number[],
  display: SampleDisplay,
  range: ValueRange,
  size = 56,
): HTMLCanvasElement {
  const length = product(itemShape);
  const row = values.subarray(index * length, (index + 1) * length);
  return display === 'image' && itemShape.length >= 2 ? imageCanvas(row, itemShape, range, size) : barCanvas(row, range, size);
}

function imageCanvas(row: Float32Array, itemShape: readonly number[], range: ValueRange, size: number): HTMLCanvasElement {
  const [height, width] = itemShape;
  const channels = itemShape.length >= 3 ? itemShape[2] : 1;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.className = 'sample-image';
  canvas.style.width = `${size}px`;
  canvas.style.height = `${Math.round((size * height) / width)}px`;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  const scale = 255 / (range.max - range.min);
  const byte = (v: number) => Math.max(0, Math.min(255, (v - range.min) * scale));
  for (let p = 0; p < width * height; p++) {
    const o = p * 4;
    if (channels >= 3) {
      image.data[o] = byte(row[p * channels]);
      image.data[o + 1] = byte(row[p * channels + 1]);
      image.data[o + 2] = byte(row[p * channels + 2]);
    } else {
      const g = byte(row[p * channels]);
      image.data[o] = image.data[o + 1] = image.data[o + 2] = g;
    }
    image.data[o + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** A row of numbers as bars around zero (or from the range's minimum when it is positive). */
function barCanvas(row: Float32Array, range: ValueRange, size: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(size * 2, 96);
  const height = size;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.className = 'sample-bars';
  const context = canvas.getContext('2d')!;
  context.scale(ratio, ratio);
  const foreground = getComputedStyle(document.body).getPropertyValue('--le-accent').trim() || '#3794ff';
  const baseline = range.min < 0 && range.max > 0 ? 0 : range.min;
  const y = (v: number) => height - ((v - range.min) / (range.max - range.min)) * (height - 2) - 1;
  const barWidth = width / Math.max(1, row.length);
  context.fillStyle = foreground;
  for (let i = 0; i < row.length; i++) {
    const top = Math.min(y(row[i]), y(baseline));
    const bottom = Math.max(y(row[i]), y(baseline));
    context.fillRect(i * barWidth + barWidth * 0.1, top, Math.max(1, barWidth * 0.8), Math.max(1, bottom - top));
  }
  return canvas;
}

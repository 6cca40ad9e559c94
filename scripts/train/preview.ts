/**
 * Small PNG previews written beside each sample model: a grid of images (originals above
 * reconstructions) and, for 2-d latents, a scatter of the codes coloured by class.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** d3.schemeCategory10, so the previews use the explorer's default class colours. */
const CATEGORY10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'].map((hex) => [
  parseInt(hex.slice(1, 3), 16),
  parseInt(hex.slice(3, 5), 16),
  parseInt(hex.slice(5, 7), 16),
]);

/**
 * Writes `rows` (each `columns` 28x28 images in [0, 1], row-major) as one grid, every pixel
 * drawn `zoom` x `zoom`, with a 2-pixel white gap between images.
 */
export function writeImageGrid(file: string, rows: Float32Array[], columns: number, zoom = 2): void {
  const side = 28 * zoom;
  const gap = 2;
  const png = new PNG({ width: columns * (side + gap) + gap, height: rows.length * (side + gap) + gap });
  png.data.fill(255);
  rows.forEach((images, row) => {
    for (let column = 0; column < columns; column++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const value = images[column * 784 + Math.floor(y / zoom) * 28 + Math.floor(x / zoom)];
          const grey = 255 - Math.round(Math.min(1, Math.max(0, value)) * 255);
          const offset = ((gap + row * (side + gap) + y) * png.width + gap + column * (side + gap) + x) * 4;
          png.data[offset] = png.data[offset + 1] = png.data[offset + 2] = grey;
        }
      }
    }
  });
  writeFileSync(file, PNG.sync.write(png));
}

/** Writes 2-d `points` (x, y interleaved) as a `size`-pixel scatter, coloured by `labels` (0..9). */
export function writeLatentScatter(file: string, points: Float32Array, labels: Uint8Array, size = 400): void {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    minX = Math.min(minX, points[2 * i]);
    maxX = Math.max(maxX, points[2 * i]);
    minY = Math.min(minY, points[2 * i + 1]);
    maxY = Math.max(maxY, points[2 * i + 1]);
  }
  const margin = 6;
  const png = new PNG({ width: size, height: size });
  png.data.fill(255);
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  for (let i = 0; i < labels.length; i++) {
    const cx = Math.round(margin + ((points[2 * i] - minX) / span) * (size - 2 * margin));
    const cy = Math.round(size - margin - ((points[2 * i + 1] - minY) / span) * (size - 2 * margin));
    const [r, g, b] = CATEGORY10[labels[i] % 10];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const offset = (y * size + x) * 4;
        png.data[offset] = r;
        png.data[offset + 1] = g;
        png.data[offset + 2] = b;
      }
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

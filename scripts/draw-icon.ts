/**
 * `node --import tsx scripts/draw-icon.ts`: draws media/icon.png (128×128), the Marketplace icon:
 * three clusters of coloured points, as the explorer shows a latent space, on a dark rounded tile.
 * Seeded, so a rerun draws the same picture.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { createRng } from '../src/core/compute/random';

const SIZE = 128;
const SCALE = 4; // drawn 4× larger and averaged down, for smooth edges
const BACKGROUND: Rgb = [30, 34, 44];
type Rgb = [number, number, number];

const CLUSTERS: { x: number; y: number; spread: number; colour: Rgb; count: number }[] = [
  { x: 40, y: 44, spread: 11, colour: [66, 153, 225], count: 26 },
  { x: 86, y: 40, spread: 10, colour: [246, 173, 85], count: 22 },
  { x: 64, y: 88, spread: 12, colour: [104, 211, 145], count: 26 },
];


const big = SIZE * SCALE;
const rgba = new Float32Array(big * big * 4);

function paintDisc(cx: number, cy: number, radius: number, colour: Rgb, alpha: number): void {
  for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
    for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
      if (x < 0 || y < 0 || x >= big || y >= big || (x - cx) ** 2 + (y - cy) ** 2 > radius ** 2) continue;
      const i = (y * big + x) * 4;
      for (let c = 0; c < 3; c++) rgba[i + c] = rgba[i + c] * (1 - alpha) + colour[c] * alpha;
    }
  }
}

// The tile: a rounded square, transparent outside its corners.
const corner = 22 * SCALE;
for (let y = 0; y < big; y++) {
  for (let x = 0; x < big; x++) {
    const dx = Math.max(corner - x, x - (big - 1 - corner), 0);
    const dy = Math.max(corner - y, y - (big - 1 - corner), 0);
    if (dx * dx + dy * dy > corner * corner) continue;
    rgba.set([...BACKGROUND, 255], (y * big + x) * 4);
  }
}

const rng = createRng(7);
for (const cluster of CLUSTERS) {
  for (let n = 0; n < cluster.count; n++) {
    const x = (cluster.x + rng.nextGaussian() * cluster.spread) * SCALE;
    const y = (cluster.y + rng.nextGaussian() * cluster.spread * 0.8) * SCALE;
    paintDisc(x, y, 4.2 * SCALE, cluster.colour, 0.85);
  }
}

const png = new PNG({ width: SIZE, height: SIZE });
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    for (let c = 0; c < 4; c++) {
      let sum = 0;
      for (let sy = 0; sy < SCALE; sy++) for (let sx = 0; sx < SCALE; sx++) sum += rgba[((y * SCALE + sy) * big + x * SCALE + sx) * 4 + c];
      png.data[(y * SIZE + x) * 4 + c] = Math.round(sum / (SCALE * SCALE));
    }
  }
}
writeFileSync(join(__dirname, '..', 'media', 'icon.png'), PNG.sync.write(png));

/** Seeded corruption of model inputs for the denoising view and `reconstruct --noise`. */
import type { NoiseSpec } from '../../shared/types';
import { createRng } from '../compute/random';

/**
 * A noisy copy of `clean` (model-layout values), the same for the same seed:
 * - gaussian: adds σ·N(0, 1) to every value;
 * - saltpepper: each value with probability p becomes the range's low or high end (even odds);
 * - mask: each value with probability p becomes the range's low end (a dropped pixel).
 * `range` (e.g. [0, 1] for ÷255 inputs) clips the result; without it nothing is clipped and
 * salt-and-pepper and masks use the smallest and largest value of `clean`.
 */
export function addNoise(clean: Float32Array, noise: NoiseSpec, seed: number, range?: [number, number]): Float32Array {
  const { type, level } = noise;
  if (type === 'gaussian' ? !(level >= 0) || !Number.isFinite(level) : !(level >= 0 && level <= 1)) {
    throw new RangeError(`addNoise: ${type} level must be ${type === 'gaussian' ? 'a σ ≥ 0' : 'a probability in [0, 1]'}, got ${level}`);
  }
  if (range && !(range[0] <= range[1])) throw new RangeError(`addNoise: range [${range[0]}, ${range[1]}] is empty`);
  const [low, high] = range ?? extent(clean);
  const rng = createRng(seed);
  const noisy = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    let value = clean[i];
    if (type === 'gaussian') value += level * rng.nextGaussian();
    else if (rng.next() < level) value = type === 'mask' || rng.next() < 0.5 ? low : high;
    noisy[i] = range ? Math.min(high, Math.max(low, value)) : value;
  }
  return noisy;
}

function extent(values: Float32Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return values.length === 0 ? [0, 0] : [low, high];
}

/**
 * Which samples a session encodes and shows when a dataset is larger than the limit: a seeded
 * random subset that keeps each class's share of the whole.
 */
import { createRng, type Rng } from '../compute/random';

/**
 * Sorted indices of at most `limit` of `total` samples; all of them when `limit >= total`.
 * With labels, each class gets its proportional share (largest-remainder rounding, ties to the
 * larger class, then the lower code); without, a uniform random subset. Same seed, same subset.
 */
export function stratifiedSample(labels: Int32Array | null, total: number, limit: number, seed: number): Int32Array {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`stratifiedSample: total must be a non-negative integer, got ${total}`);
  if (Number.isNaN(limit) || limit < 0) throw new RangeError(`stratifiedSample: limit must be ≥ 0, got ${limit}`);
  if (labels && labels.length !== total) throw new RangeError(`stratifiedSample: ${labels.length} labels for ${total} samples`);
  if (limit >= total) return Int32Array.from({ length: total }, (_, i) => i);
  const take = Math.floor(limit);
  const rng = createRng(seed);
  if (!labels) return sorted(pickRandom(Int32Array.from({ length: total }, (_, i) => i), take, rng));

  let classes = 0;
  for (let i = 0; i < total; i++) {
    if (labels[i] < 0) throw new RangeError(`stratifiedSample: label ${labels[i]} of sample ${i} is not a class code ≥ 0`);
    classes = Math.max(classes, labels[i] + 1);
  }
  const members = groupByClass(labels, classes);
  const quotas = proportionalQuotas(members.map((m) => m.length), take, total);
  const chosen = new Int32Array(take);
  let filled = 0;
  for (let code = 0; code < classes; code++) {
    chosen.set(pickRandom(members[code], quotas[code], rng), filled);
    filled += quotas[code];
  }
  return sorted(chosen);
}

function groupByClass(labels: Int32Array, classes: number): Int32Array[] {
  const sizes = new Int32Array(classes);
  for (const code of labels) sizes[code]++;
  const members = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(classes);
  for (let i = 0; i < labels.length; i++) members[labels[i]][filled[labels[i]]++] = i;
  return members;
}

/** Largest-remainder apportionment of `take` among classes of the given sizes. */
function proportionalQuotas(sizes: number[], take: number, total: number): number[] {
  const exact = sizes.map((size) => (size * take) / total);
  const quotas = exact.map(Math.floor);
  let left = take - quotas.reduce((a, b) => a + b, 0);
  const order = sizes
    .map((_, code) => code)
    .sort((a, b) => exact[b] - quotas[b] - (exact[a] - quotas[a]) || sizes[b] - sizes[a] || a - b);
  for (const code of order) {
    if (left === 0) break;
    if (quotas[code] < sizes[code]) {
      quotas[code]++;
      left--;
    }
  }
  return quotas;
}

/** The first `count` entries of a partial Fisher–Yates shuffle (shuffles `pool` in place). */
function pickRandom(pool: Int32Array, count: number, rng: Rng): Int32Array {
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(pool.length - i);
    const swap = pool[i];
    pool[i] = pool[j];
    pool[j] = swap;
  }
  return pool.slice(0, count);
}

function sorted(indices: Int32Array): Int32Array {
  return indices.sort();
}

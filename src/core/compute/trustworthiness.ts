/**
 * Trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`): how far a projection
 * avoids bringing in neighbours that were not neighbours in the original space.
 *
 *   T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢᵏ} (r(i, j) − k)
 *
 * where Uᵢᵏ are i's k nearest points in the projection that are not among its k nearest in the
 * original space, and r(i, j) is j's rank by original-space distance from i (nearest = 1).
 */

import { createRng } from './random';

/** Options for `trustworthiness`. */
export interface TrustworthinessOptions {
  /** Above this many points, average over a seeded sample of this many (default 2000). */
  sampleSize?: number;
  /** Seed for the sample (default 42). */
  seed?: number;
}

/** Trustworthiness of `low` (n × lowDim) as a projection of `high` (n × highDim), in [0, 1]. */
export function trustworthiness(
  high: Float32Array,
  low: Float32Array,
  n: number,
  highDim: number,
  lowDim: number,
  k = 10,
  options: TrustworthinessOptions = {},
): number {
  if (high.length !== n * highDim) throw new RangeError(`high has ${high.length} values, expected n × highDim = ${n} × ${highDim}`);
  if (low.length !== n * lowDim) throw new RangeError(`low has ${low.length} values, expected n × lowDim = ${n} × ${lowDim}`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new RangeError(`trustworthiness needs an integer k in [1, n/2), got k = ${k} for n = ${n}`);
  const sampleSize = options.sampleSize ?? 2000;
  if (!Number.isInteger(sampleSize) || sampleSize < 1) throw new RangeError(`sampleSize must be a positive integer, got ${sampleSize}`);

  const sample = samplePoints(n, sampleSize, options.seed ?? 42);
  const highDistances = new Float64Array(n);
  const nearestLow = new Int32Array(k);
  const nearestLowDistance = new Float64Array(k);
  // Original-space distance, index and rank of each low-space neighbour.
  const neighborHighDistance = new Float64Array(k);
  const neighborIndex = new Int32Array(k);
  const neighborRank = new Float64Array(k);
  let penalty = 0;

  for (const i of sample) {
    squaredDistancesFrom(low, n, lowDim, i, highDistances);
    selectNearest(highDistances, n, i, nearestLow, nearestLowDistance);
    squaredDistancesFrom(high, n, highDim, i, highDistances);

    // rank(j) = 1 + number of other points strictly closer (ties broken by index).
    let neighborCount = 0;
    let largest = -Infinity;
    for (let t = 0; t < k; t++) {
      const j = nearestLow[t];
      neighborHighDistance[neighborCount] = highDistances[j];
      neighborIndex[neighborCount] = j;
      neighborRank[neighborCount] = 1;
      largest = Math.max(largest, highDistances[j]);
      neighborCount++;
    }
    for (let l = 0; l < n; l++) {
      if (l === i) continue;
      const distance = highDistances[l];
      if (distance > largest) continue; // the common case: farther than every neighbour in question
      for (let t = 0; t < neighborCount; t++) {
        if (distance < neighborHighDistance[t] || (distance === neighborHighDistance[t] && l < neighborIndex[t])) neighborRank[t]++;
      }
    }
    for (let t = 0; t < neighborCount; t++) if (neighborRank[t] > k) penalty += neighborRank[t] - k;
  }
  const m = sample.length;
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}

/** All points when n ≤ size, else `size` distinct points drawn by a seeded partial shuffle. */
function samplePoints(n: number, size: number, seed: number): Int32Array {
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (n <= size) return all;
  const rng = createRng(seed);
  for (let t = 0; t < size; t++) {
    const pick = t + rng.nextInt(n - t);
    const chosen = all[pick];
    all[pick] = all[t];
    all[t] = chosen;
  }
  return all.slice(0, size).sort();
}

function squaredDistancesFrom(data: Float32Array, n: number, dim: number, from: number, out: Float64Array): void {
  const offset = from * dim;
  const unrolledEnd = dim - (dim % 4);
  for (let j = 0; j < n; j++) {
    const other = j * dim;
    // Four partial sums let the additions overlap instead of waiting on one another.
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    let d = 0;
    for (; d < unrolledEnd; d += 4) {
      const diff0 = data[offset + d] - data[other + d];
      const diff1 = data[offset + d + 1] - data[other + d + 1];
      const diff2 = data[offset + d + 2] - data[other + d + 2];
      const diff3 = data[offset + d + 3] - data[other + d + 3];
      sum0 += diff0 * diff0;
      sum1 += diff1 * diff1;
      sum2 += diff2 * diff2;
      sum3 += diff3 * diff3;
    }
    for (; d < dim; d++) {
      const diff = data[offset + d] - data[other + d];
      sum0 += diff * diff;
    }
    out[j] = sum0 + sum1 + (sum2 + sum3);
  }
}

/** The k smallest of `distances` (excluding `self`), nearest first, ties by lower index. */
function selectNearest(distances: Float64Array, n: number, self: number, indices: Int32Array, best: Float64Array): void {
  const k = indices.length;
  best.fill(Infinity);
  indices.fill(-1);
  for (let j = 0; j < n; j++) {
    if (j === self) continue;
    const distance = distances[j];
    if (distance >= best[k - 1]) continue;
    let position = k - 1;
    while (position > 0 && best[position - 1] > distance) {
      best[position] = best[position - 1];
      indices[position] = indices[position - 1];
      position--;
    }
    best[position] = distance;
    indices[position] = j;
  }
}

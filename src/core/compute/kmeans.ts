/**
 * k-means on flat typed arrays: seeded k-means++ starts, Lloyd iterations, the best of several
 * restarts by inertia; plus the silhouette score (on a seeded sample when n is large) and a
 * choice of k by the best silhouette.
 */

import { createRng, Rng } from './random';

/** A k-means result. */
export interface KmeansResult {
  /** Cluster of each point (0 … k−1). */
  assignments: Int32Array;
  /** k × dim cluster centres. */
  centroids: Float32Array;
  /** Sum of squared distances from each point to its centre. */
  inertia: number;
  /** Lloyd iterations the returned run took. */
  iterations: number;
}

/** k-means settings. */
export interface KmeansOptions {
  /** Default 42. */
  seed?: number;
  /** Lloyd iterations per run (default 300, as scikit-learn). */
  maxIter?: number;
  /** Independent k-means++ starts; the lowest inertia wins (default 4). */
  nInit?: number;
  /** Stop a run when no centre moves more than this, relative to the data's variance (default 1e-4, as scikit-learn). */
  tolerance?: number;
}

/** Clusters n rows of `dim` features into k groups. */
export function kmeans(data: Float32Array, n: number, dim: number, k: number, options: KmeansOptions = {}): KmeansResult {
  checkData(data, n, dim);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k-means k must be an integer in [1, ${n}] for ${n} points, got ${k}`);
  const maxIter = options.maxIter ?? 300;
  const nInit = options.nInit ?? 4;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`k-means maxIter must be a positive integer, got ${maxIter}`);
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`k-means nInit must be a positive integer, got ${nInit}`);
  const rng = createRng(options.seed ?? 42);
  // scikit-learn's tolerance: relative to the mean per-feature variance.
  const shiftTolerance = (options.tolerance ?? 1e-4) * meanFeatureVariance(data, n, dim);
  let best: KmeansResult | null = null;
  for (let run = 0; run < nInit; run++) {
    const result = lloyd(data, n, dim, k, seedCentroids(data, n, dim, k, rng), maxIter, shiftTolerance);
    if (best === null || result.inertia < best.inertia) best = result;
  }
  return best as KmeansResult;
}

/** k-means++: each next centre drawn with probability proportional to its squared distance to the nearest chosen one. */
function seedCentroids(data: Float32Array, n: number, dim: number, k: number, rng: Rng): Float64Array {
  const centroids = new Float64Array(k * dim);
  const nearest = new Float64Array(n).fill(Infinity);
  let chosen = rng.nextInt(n);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = data[chosen * dim + j];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = squaredDistanceTo(data, i, centroids, c, dim);
      if (d < nearest[i]) nearest[i] = d;
      total += nearest[i];
    }
    if (c + 1 === k) break;
    if (total === 0) {
      // Every point already sits on a centre (fewer distinct points than k): any point will do.
      chosen = rng.nextInt(n);
      continue;
    }
    let target = rng.next() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i];
      if (target < 0) {
        chosen = i;
        break;
      }
    }
  }
  return centroids;
}

function lloyd(data: Float32Array, n: number, dim: number, k: number, centroids: Float64Array, maxIter: number, shiftTolerance: number): KmeansResult {
  const assignments = new Int32Array(n);
  const sums = new Float64Array(k * dim);
  const sizes = new Int32Array(k);
  const nearestDistance = new Float64Array(n);
  let iterations = 0;
  for (let iteration = 0; iteration < maxIter; iteration++) {
    iterations = iteration + 1;
    assignAll(data, n, dim, k, centroids, assignments, nearestDistance);
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      sizes[c]++;
      for (let j = 0; j < dim; j++) sums[c * dim + j] += data[i * dim + j];
    }
    let largestShift = 0;
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        // An empty cluster takes over the point farthest from its centre, as scikit-learn does.
        let farthest = 0;
        for (let i = 1; i < n; i++) if (nearestDistance[i] > nearestDistance[farthest]) farthest = i;
        nearestDistance[farthest] = 0;
        for (let j = 0; j < dim; j++) centroids[c * dim + j] = data[farthest * dim + j];
        largestShift = Infinity;
        continue;
      }
      let shift = 0;
      for (let j = 0; j < dim; j++) {
        const next = sums[c * dim + j] / sizes[c];
        shift += (next - centroids[c * dim + j]) ** 2;
        centroids[c * dim + j] = next;
      }
      largestShift = Math.max(largestShift, shift);
    }
    if (largestShift <= shiftTolerance) break;
  }
  assignAll(data, n, dim, k, centroids, assignments, nearestDistance);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += nearestDistance[i];
  return { assignments, centroids: Float32Array.from(centroids), inertia, iterations };
}

function assignAll(data: Float32Array, n: number, dim: number, k: number, centroids: Float64Array, assignments: Int32Array, nearestDistance: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      const d = squaredDistanceTo(data, i, centroids, c, dim);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    assignments[i] = best;
    nearestDistance[i] = bestDistance;
  }
}

function squaredDistanceTo(data: Float32Array, i: number, centroids: Float64Array, c: number, dim: number): number {
  let sum = 0;
  const row = i * dim;
  const centre = c * dim;
  for (let j = 0; j < dim; j++) {
    const delta = data[row + j] - centroids[centre + j];
    sum += delta * delta;
  }
  return sum;
}

function meanFeatureVariance(data: Float32Array, n: number, dim: number): number {
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * dim + j];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (data[i * dim + j] - mean) ** 2;
    total += variance / n;
  }
  return total / dim;
}

/** Silhouette settings. */
export interface SilhouetteOptions {
  /** Score a seeded sample of this many points among themselves, as scikit-learn's `sample_size` (default 2000; all points when n is smaller). */
  sampleSize?: number;
  /** Default 42. */
  seed?: number;
}

/**
 * Mean silhouette (b − a) / max(a, b) with Euclidean distances, where a is a point's mean distance
 * to its own cluster and b to the nearest other cluster; points alone in their cluster score 0.
 */
export function silhouette(data: Float32Array, n: number, dim: number, assignments: Int32Array, options: SilhouetteOptions = {}): number {
  checkData(data, n, dim);
  if (assignments.length !== n) throw new RangeError(`assignments has ${assignments.length} entries, expected ${n}`);
  let clusterCount = 0;
  for (let i = 0; i < n; i++) {
    if (assignments[i] < 0) throw new RangeError(`assignments[${i}] is ${assignments[i]}; clusters must be numbered from 0`);
    clusterCount = Math.max(clusterCount, assignments[i] + 1);
  }
  const sampleSize = Math.min(n, options.sampleSize ?? 2000);
  const sample = sampleIndices(n, sampleSize, options.seed ?? 42);
  const sizes = new Int32Array(clusterCount);
  for (const i of sample) sizes[assignments[i]]++;
  let nonEmpty = 0;
  for (let c = 0; c < clusterCount; c++) if (sizes[c] > 0) nonEmpty++;
  if (nonEmpty < 2 || nonEmpty > sample.length - 1) {
    throw new RangeError(`silhouette needs between 2 and ${sample.length - 1} clusters among the ${sample.length} scored points, got ${nonEmpty}`);
  }

  const distanceSums = new Float64Array(clusterCount);
  let total = 0;
  for (const i of sample) {
    distanceSums.fill(0);
    for (const j of sample) {
      if (j === i) continue;
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += (data[i * dim + d] - data[j * dim + d]) ** 2;
      distanceSums[assignments[j]] += Math.sqrt(sum);
    }
    const own = assignments[i];
    if (sizes[own] === 1) continue;
    const a = distanceSums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < clusterCount; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, distanceSums[c] / sizes[c]);
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / sample.length;
}

/** k chosen by silhouette, with the score of every k tried. */
export interface ChooseKResult {
  k: number;
  /** silhouettes[i] is the score for k = kMin + i. */
  silhouettes: Float64Array;
}

/** Runs k-means for every k in [kMin, kMax] and returns the k with the highest silhouette. */
export function chooseK(
  data: Float32Array,
  n: number,
  dim: number,
  options: { kMin?: number; kMax?: number; seed?: number; sampleSize?: number } = {},
): ChooseKResult {
  checkData(data, n, dim);
  const kMin = options.kMin ?? 2;
  const kMax = options.kMax ?? Math.min(12, n - 1);
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin || kMax > n - 1) {
    throw new RangeError(`chooseK needs integers 2 ≤ kMin ≤ kMax ≤ n − 1 = ${n - 1}, got kMin ${kMin}, kMax ${kMax}`);
  }
  const seed = options.seed ?? 42;
  const silhouettes = new Float64Array(kMax - kMin + 1);
  let bestK = kMin;
  for (let k = kMin; k <= kMax; k++) {
    const { assignments } = kmeans(data, n, dim, k, { seed });
    const score = silhouette(data, n, dim, assignments, { seed, sampleSize: options.sampleSize });
    silhouettes[k - kMin] = score;
    if (score > silhouettes[bestK - kMin]) bestK = k;
  }
  return { k: bestK, silhouettes };
}

/** `count` distinct indices of [0, n), seeded; all of them in order when count = n. */
function sampleIndices(n: number, count: number, seed: number): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  if (count >= n) return indices;
  const rng = createRng(seed);
  // Partial Fisher–Yates: the first `count` slots become a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(n - i);
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
  return indices.slice(0, count);
}

function checkData(data: Float32Array, n: number, dim: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`need at least 1 point, got n = ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (data.length !== n * dim) throw new RangeError(`data has ${data.length} values, expected n × dim = ${n} × ${dim} = ${n * dim}`);
}

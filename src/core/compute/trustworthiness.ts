/**
 * Trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`): how far a projection
 * avoids bringing in neighbours that were not neighbours in the original space.
 *
 *   T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢᵏ} (r(i, j) − k)
 *
 * where Uᵢᵏ are i's k nearest points in the projection that are not among its k nearest in the
 * original space, and r(i, j) is j's rank by original-space distance from i (nearest = 1).
 */

import { throwIfStopped } from './cancel';
import { createRng } from './random';
import { inSharedMemory, type HelperThreads } from './threads';

/** Options for `trustworthiness`. */
export interface TrustworthinessOptions {
  /** Above this many points, average over a seeded sample of this many (default 2000). */
  sampleSize?: number;
  /** Seed for the sample (default 42). */
  seed?: number;
  /** Helpers that score parts of the sample beside the calling thread; the result is the same. */
  threads?: HelperThreads;
  /** Polled between parts of the sample and while waiting for helpers; true ends the run with CancelledError. */
  shouldStop?: () => boolean;
}

/** How often (ms) the caller checks `shouldStop` while helpers score their parts. */
const STOP_POLL_MS = 100;
/** Parts the sample is cut into, for threads to claim one at a time. */
const SAMPLE_UNITS = 16;
/** Samples below which starting a helper costs more than it saves. */
const PARALLEL_MIN_SAMPLE = 256;
/**
 * Original-space data larger than this is not copied into shared memory for helpers (raw 70k × 784
 * pixels would double their memory); unless already shared, it is then scored on this thread.
 */
const MAX_SHARED_COPY_BYTES = 64 * 2 ** 20;

/** What every thread scoring the sample reads (in SharedArrayBuffers when helpers join in). */
export interface TrustworthinessState {
  high: Float32Array;
  low: Float32Array;
  n: number;
  highDim: number;
  lowDim: number;
  k: number;
  sample: Int32Array;
  /** Per unit of the sample: Σ over its points of the rank penalties (integers, so any order sums them exactly). */
  penalties: Float64Array;
  /** [units claimed, units finished]. */
  control: Int32Array;
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
  const threads = options.threads;
  const parallel =
    threads !== undefined &&
    threads.helpers > 0 &&
    sample.length >= PARALLEL_MIN_SAMPLE &&
    (high.buffer instanceof SharedArrayBuffer || high.byteLength <= MAX_SHARED_COPY_BYTES);
  const share = <T extends Float32Array | Float64Array | Int32Array>(array: T): T => inSharedMemory(array, parallel);
  const units = Math.min(SAMPLE_UNITS, sample.length);
  const state: TrustworthinessState = {
    high: share(high),
    low: share(low),
    n,
    highDim,
    lowDim,
    k,
    sample: share(sample),
    penalties: share(new Float64Array(units)),
    control: share(new Int32Array(2)),
  };
  const helpers = parallel ? threads.start('trustworthiness', state) : undefined;
  try {
    scoreSampleUnits(state, options.shouldStop);
    const { control } = state;
    for (let finished = Atomics.load(control, 1); finished < units; finished = Atomics.load(control, 1)) {
      Atomics.wait(control, 1, finished, STOP_POLL_MS);
      throwIfStopped(options.shouldStop, 'trustworthiness');
    }
  } finally {
    helpers?.terminate();
  }
  let penalty = 0;
  for (let unit = 0; unit < units; unit++) penalty += state.penalties[unit];
  const m = sample.length;
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Claims parts of the sample and scores them until none is left (the caller, which may be stopped, and each helper run this). */
export function scoreSampleUnits(state: TrustworthinessState, shouldStop?: () => boolean): void {
  const { control, sample, penalties } = state;
  const units = penalties.length;
  for (let unit = Atomics.add(control, 0, 1); unit < units; unit = Atomics.add(control, 0, 1)) {
    throwIfStopped(shouldStop, 'trustworthiness');
    penalties[unit] = rankPenalty(state, sample.subarray(Math.floor((sample.length * unit) / units), Math.floor((sample.length * (unit + 1)) / units)));
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  }
}

/** Σ over `points` of Σ_{j ∈ Uᵢᵏ} (r(i, j) − k). */
function rankPenalty(state: TrustworthinessState, points: Int32Array): number {
  const { high, low, n, highDim, lowDim, k } = state;
  const highDistances = new Float64Array(n);
  const nearestLow = new Int32Array(k);
  const nearestLowDistance = new Float64Array(k);
  // Original-space distance, index and rank of each low-space neighbour.
  const neighborHighDistance = new Float64Array(k);
  const neighborIndex = new Int32Array(k);
  const neighborRank = new Float64Array(k);
  let penalty = 0;

  for (const i of points) {
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
  return penalty;
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

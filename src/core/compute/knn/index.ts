/**
 * k nearest neighbours over flat row-major data: exact brute force for small sets, and
 * NN-descent seeded by a random-projection forest (Dong et al. 2011, as pynndescent does it)
 * for large ones, where brute force's O(n²) would dominate a UMAP run.
 */

import { createRng } from '../random';
import type { HelperThreads } from '../threads';
import { instantiateKernels, KernelMemory } from '../wasmKernels';
import { nnDescent } from './descent';
import { bruteForce, createNeighborRows, offerNeighbor } from './rows';
import { leafSizeFor, partitionByRandomProjections } from './trees';

export { runDescentUnits, type DescentState } from './descent';

/** k nearest neighbours of every point, as flat n × k rows. */
export interface KnnGraph {
  n: number;
  k: number;
  /** n × k neighbour indices, self excluded, nearest first. */
  indices: Int32Array;
  /** n × k distances matching `indices`: Euclidean, or cosine distance (1 − cos). */
  distances: Float32Array;
  /**
   * Every point once, in an order where near points mostly sit near each other (NN-descent's
   * first random-projection tree, leaf by leaf); absent after a brute-force search. Numbering
   * points by it keeps neighbours' data in the same cache lines.
   */
  order?: Int32Array;
}

/** How `nearestNeighbors` searches. */
export interface KnnOptions {
  /** Default 'euclidean'. */
  metric?: 'euclidean' | 'cosine';
  /** Seed for the random-projection trees and candidate sampling (default 42). */
  seed?: number;
  /** true: brute force; false: NN-descent; default: brute force up to `EXACT_MAX_POINTS` points. */
  exact?: boolean;
  /** Called with the fraction done (0–1) between stages and iterations. */
  onProgress?: (fraction: number) => void;
  /** Polled between chunks; when it returns true the search throws `CancelledError`. */
  shouldStop?: () => boolean;
  /** Helper threads for NN-descent's local joins; the neighbours found are the same with or without them. */
  threads?: HelperThreads;
}

/** Above this many points the default search is approximate (NN-descent). */
export const EXACT_MAX_POINTS = 4096;

/** Finds each point's k nearest other points. */
export function nearestNeighbors(data: Float32Array, n: number, dim: number, k: number, options: KnnOptions = {}): KnnGraph {
  const metric = options.metric ?? 'euclidean';
  checkSearch('nearestNeighbors', data, n, dim, k, metric);
  // Cosine distance of unit vectors is half their squared Euclidean distance, so one search serves both.
  const points = metric === 'cosine' ? normalizeRows(data, n, dim) : data;
  const exact = options.exact ?? n <= EXACT_MAX_POINTS;
  // The points and rows live where the search's kernels (kernels/knn.ts) and any helpers reach them.
  const memory = new KernelMemory();
  const kernels = instantiateKernels(memory.memory);
  const neighbors = createNeighborRows(n, k, memory);
  let sorted: { indices: Int32Array; distances: Float32Array };
  let order: Int32Array | undefined;
  if (exact) {
    const copied = memory.float32(n * dim);
    copied.set(points);
    bruteForce(copied, n, dim, neighbors, kernels, options);
    sorted = neighbors;
  } else {
    const rng = createRng(options.seed ?? 42);
    // NN-descent jumps between neighbours of neighbours; numbering the rows in the leaf order of the
    // forest's first tree puts those near each other in memory, which halves its time. In that
    // numbering the first tree's leaves are runs of consecutive rows.
    order = new Int32Array(n);
    const firstTreeLeafEnds = new Int32Array(n);
    let leaves = 0;
    partitionByRandomProjections(points, n, dim, leafSizeFor(k), rng, order, (end) => {
      firstTreeLeafEnds[leaves++] = end;
    });
    const reordered = memory.float32(n * dim);
    for (let i = 0; i < n; i++) reordered.set(points.subarray(order[i] * dim, order[i] * dim + dim), i * dim);
    nnDescent(reordered, n, dim, neighbors, memory, kernels, rng, options, firstTreeLeafEnds.subarray(0, leaves));
    sorted = mapRowsBack(neighbors, order, k);
  }
  const { indices, distances } = sorted;
  fromSquaredDistances(distances, metric);
  options.onProgress?.(1);
  return { n, k, indices, distances, order };
}

/**
 * The k points nearest to point `index` (itself left out), nearest first, ties by index, as the
 * exact search finds them: one query costs n distances, where a whole graph would cost n².
 */
export function neighborsOfPoint(
  data: Float32Array,
  n: number,
  dim: number,
  index: number,
  k: number,
  metric: KnnOptions['metric'] = 'euclidean',
): { indices: Int32Array; distances: Float32Array } {
  checkSearch('neighborsOfPoint', data, n, dim, k, metric);
  if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`index must be an integer in [0, ${n - 1}], got ${index}`);
  const memory = new KernelMemory();
  const kernels = instantiateKernels(memory.memory);
  const points = memory.float32(n * dim);
  points.set(metric === 'cosine' ? normalizeRows(data, n, dim) : data);
  const row = createNeighborRows(1, k, memory);
  // Offered in index order, a later candidate at an equal distance loses, as in the full search.
  for (let candidate = 0; candidate < n; candidate++) {
    if (candidate === index) continue;
    const distance = kernels.squaredDistanceWithin(points.byteOffset, index, candidate, dim, row.distances[k - 1]);
    offerNeighbor(kernels, row, 0, distance, candidate, 0);
  }
  const distances = Float32Array.from(row.distances);
  fromSquaredDistances(distances, metric);
  return { indices: Int32Array.from(row.indices), distances };
}

function checkSearch(name: string, data: Float32Array, n: number, dim: number, k: number, metric: string): void {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`${name} needs at least 2 points, got n = ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`${name} needs dim ≥ 1, got ${dim}`);
  if (data.length !== n * dim) throw new RangeError(`data has ${data.length} values, expected n × dim = ${n} × ${dim} = ${n * dim}`);
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new RangeError(`k must be an integer in [1, ${n - 1}] for ${n} points, got ${k}`);
  if (metric !== 'euclidean' && metric !== 'cosine') throw new RangeError(`unknown metric '${metric}' (expected 'euclidean' or 'cosine')`);
}

/** The searches' squared distances (of unit rows, for cosine) as the metric's distances, in place. */
function fromSquaredDistances(distances: Float32Array, metric: KnnOptions['metric']): void {
  for (let i = 0; i < distances.length; i++) {
    distances[i] = metric === 'cosine' ? distances[i] / 2 : Math.sqrt(distances[i]);
  }
}

/** Rows and indices found in `order`'s layout, moved back to the caller's numbering. */
function mapRowsBack(rows: { indices: Int32Array; distances: Float32Array }, order: Int32Array, k: number): { indices: Int32Array; distances: Float32Array } {
  const indices = new Int32Array(rows.indices.length);
  const distances = new Float32Array(rows.distances.length);
  for (let i = 0; i < order.length; i++) {
    const original = order[i];
    for (let t = 0; t < k; t++) {
      indices[original * k + t] = order[rows.indices[i * k + t]];
      distances[original * k + t] = rows.distances[i * k + t];
    }
  }
  return { indices, distances };
}

function normalizeRows(data: Float32Array, n: number, dim: number): Float32Array {
  const unit = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += data[i * dim + d] * data[i * dim + d];
    // A zero row stays zero: it sits at cosine distance 0.5 from everything, neither near nor far.
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) unit[i * dim + d] = data[i * dim + d] * scale;
  }
  return unit;
}

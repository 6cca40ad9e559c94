/**
 * t-SNE (van der Maaten 2014) over flat typed arrays: sparse affinities from the 3·perplexity
 * nearest neighbours, repulsion by FFT-accelerated interpolation in 2-D (FIt-SNE/openTSNE) or
 * Barnes–Hut on a quadtree/octree, and scikit-learn's optimiser
 * (early exaggeration 12 for 250 iterations, momentum 0.5 → 0.8, adaptive gains, learning rate
 * max(n / exaggeration / 4, 50)) with openTSNE's PCA initialisation scaled to std 1e-4.
 */

import { CancelledError, throwIfStopped } from './cancel';
import type { ProjectionHooks } from './hooks';
import { nearestNeighbors } from './knn';
import { fitPca, projectPca } from './pca';
import { createRng } from './random';
import type { HelperThreads } from './threads';
import { ParallelAttraction } from './tsneAttraction';
import { FftRepulsion } from './tsneFft';
import { BarnesHutTree } from './tsneTree';

/** t-SNE settings; every field has the scikit-learn/openTSNE default. */
export interface TsneOptions {
  /** Output dimensions (default 2). */
  nComponents?: 2 | 3;
  /** Effective neighbour count, > 0 and < n (default 30). */
  perplexity?: number;
  /** Barnes–Hut accuracy (method 'barnes-hut'): a cell narrower than θ × its distance acts as one point (default 0.5; 0 is exact but slow). */
  theta?: number;
  /** Gradient steps (default 1000). */
  nIter?: number;
  /** Step size, or 'auto' = max(n / earlyExaggeration / 4, 50) (default 'auto'). */
  learningRate?: number | 'auto';
  /** Factor on the affinities during the first `earlyExaggerationIterations` steps (default 12). */
  earlyExaggeration?: number;
  /** Steps with exaggeration and momentum 0.5 (default 250, capped at nIter). */
  earlyExaggerationIterations?: number;
  /** Seed for the neighbour search and the PCA start (default 42). */
  seed?: number;
  /** Starting layout (n × nComponents), used as given; default: PCA scaled to standard deviation 1e-4. */
  init?: Float32Array;
  /**
   * How repulsion is computed: 'fft' (default in 2-D; interpolation on a grid, O(n) per step),
   * 'barnes-hut' (default in 3-D; O(n log n)), or 'exact' (O(n²), refused above EXACT_TSNE_MAX_POINTS).
   */
  method?: 'fft' | 'barnes-hut' | 'exact';
  /**
   * Helper threads: one computes the attractive forces while the calling thread computes the
   * repulsion. The layout is the same with or without them.
   */
  threads?: HelperThreads;
}

/** Largest n the O(n²)-per-step exact method accepts. */
export const EXACT_TSNE_MAX_POINTS = 5000;

const MOMENTUM_EARLY = 0.5;
const MOMENTUM_LATE = 0.8;
const MIN_GAIN = 0.01;
/** openTSNE's scale for the PCA start: small enough that early exaggeration, not the start, shapes the clusters. */
const INIT_STANDARD_DEVIATION = 1e-4;
/** Iterations between streamed layouts (`onLayout`). */
const LAYOUT_EVERY = 25;
const PERPLEXITY_TOLERANCE = 1e-5;
/**
 * With t-SNE's wide neighbourhoods (3·perplexity = 90) brute force stays affordable past knn.ts's
 * own threshold, but not to 10k × 32 (MNIST): there it took 6.6 s of CPU on one thread against
 * NN-descent's 5.2 s on two (recall 0.998), at 20k 27 s against 11 s.
 */
const BRUTE_FORCE_KNN_MAX_POINTS = 5000;
const PERPLEXITY_MAX_STEPS = 100;
/** Points below which a helper thread costs more to start than it saves. */
const PARALLEL_MIN_POINTS = 2000;

/** Embeds n rows of `dim` features in 2-D or 3-D; returns n × nComponents coordinates. */
export function tsne(data: Float32Array, n: number, dim: number, options: TsneOptions = {}, hooks: ProjectionHooks = {}): Float32Array {
  const settings = resolveOptions(n, dim, data, options);
  const { nComponents, perplexity, seed } = settings;

  const neighbourCount = Math.min(n - 1, Math.floor(3 * perplexity));
  const graph = nearestNeighbors(data, n, dim, neighbourCount, {
    seed,
    exact: n <= BRUTE_FORCE_KNN_MAX_POINTS,
    onProgress: (fraction) => hooks.onProgress?.('knn', fraction),
    shouldStop: hooks.shouldStop,
    threads: options.threads,
  });
  throwIfStopped(hooks.shouldStop, 'tsne affinities');
  const conditional = conditionalAffinities(graph.distances, n, neighbourCount, perplexity);
  const affinities = symmetrise(graph.indices, conditional, n, neighbourCount);
  hooks.onProgress?.('affinities', 1);

  const positions = initialLayout(data, n, dim, nComponents, options.init, seed);
  hooks.onProgress?.('init', 1);
  const parallel = options.threads !== undefined && n >= PARALLEL_MIN_POINTS ? options.threads : undefined;
  return optimise(positions, affinities, n, settings, hooks, parallel);
}

interface ResolvedOptions {
  nComponents: 2 | 3;
  perplexity: number;
  theta: number;
  nIter: number;
  learningRate: number;
  earlyExaggeration: number;
  earlyIterations: number;
  seed: number;
  method: 'fft' | 'barnes-hut' | 'exact';
}

function resolveOptions(n: number, dim: number, data: Float32Array, options: TsneOptions): ResolvedOptions {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`t-SNE needs at least 2 points, got n = ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`t-SNE needs dim ≥ 1, got ${dim}`);
  if (data.length !== n * dim) throw new RangeError(`data has ${data.length} values, expected n × dim = ${n} × ${dim} = ${n * dim}`);
  const nComponents = options.nComponents ?? 2;
  if (nComponents !== 2 && nComponents !== 3) throw new RangeError(`t-SNE nComponents must be 2 or 3, got ${String(nComponents)}`);
  const perplexity = options.perplexity ?? 30;
  if (!(perplexity > 0) || perplexity >= n) throw new RangeError(`t-SNE perplexity must be > 0 and less than the number of points (${n}), got ${perplexity}`);
  const theta = options.theta ?? 0.5;
  if (!(theta >= 0) || theta > 1) throw new RangeError(`t-SNE theta must be in [0, 1], got ${theta}`);
  const nIter = options.nIter ?? 1000;
  if (!Number.isInteger(nIter) || nIter < 1) throw new RangeError(`t-SNE nIter must be a positive integer, got ${nIter}`);
  const earlyExaggeration = options.earlyExaggeration ?? 12;
  if (!(earlyExaggeration >= 1)) throw new RangeError(`t-SNE earlyExaggeration must be ≥ 1, got ${earlyExaggeration}`);
  const earlyIterationsOption = options.earlyExaggerationIterations ?? 250;
  if (!Number.isInteger(earlyIterationsOption) || earlyIterationsOption < 0) {
    throw new RangeError(`t-SNE earlyExaggerationIterations must be a non-negative integer, got ${earlyIterationsOption}`);
  }
  const learningRateOption = options.learningRate ?? 'auto';
  const learningRate = learningRateOption === 'auto' ? Math.max(n / earlyExaggeration / 4, 50) : learningRateOption;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`t-SNE learningRate must be a positive number or 'auto', got ${String(learningRateOption)}`);
  const method = options.method ?? (nComponents === 2 ? 'fft' : 'barnes-hut');
  if (method !== 'fft' && method !== 'barnes-hut' && method !== 'exact') {
    throw new RangeError(`t-SNE method must be 'fft', 'barnes-hut' or 'exact', got '${String(method)}'`);
  }
  if (method === 'fft' && nComponents !== 2) throw new RangeError(`t-SNE method 'fft' is 2-D only, got nComponents ${nComponents}; use method 'barnes-hut'`);
  if (method === 'exact' && n > EXACT_TSNE_MAX_POINTS) {
    throw new RangeError(
      `exact t-SNE costs O(n²) per step and is limited to ${EXACT_TSNE_MAX_POINTS} points, got ${n}; use method 'barnes-hut'`,
    );
  }
  if (options.init !== undefined && options.init.length !== n * nComponents) {
    throw new RangeError(`t-SNE init has ${options.init.length} values, expected n × nComponents = ${n} × ${nComponents} = ${n * nComponents}`);
  }
  return {
    nComponents,
    perplexity,
    theta,
    nIter,
    learningRate,
    earlyExaggeration,
    earlyIterations: Math.min(earlyIterationsOption, nIter),
    seed: options.seed ?? 42,
    method,
  };
}

/**
 * Per point, the Gaussian over its k neighbours whose perplexity matches the target, found by
 * bisection on the precision β as scikit-learn does; returns n × k probabilities (rows sum to 1).
 */
export function conditionalAffinities(distances: Float32Array, n: number, k: number, perplexity: number): Float64Array {
  const probabilities = new Float64Array(n * k);
  const targetEntropy = Math.log(perplexity);
  const shifted = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const row = i * k;
    // Shifting by the nearest squared distance leaves the normalised row unchanged and keeps exp()
    // from underflowing on codes with a large scale.
    const nearest = distances[row] * distances[row];
    for (let a = 0; a < k; a++) shifted[a] = distances[row + a] * distances[row + a] - nearest;
    let beta = 1;
    let betaLow = -Infinity;
    let betaHigh = Infinity;
    for (let step = 0; step < PERPLEXITY_MAX_STEPS; step++) {
      let sum = 0;
      for (let a = 0; a < k; a++) {
        const p = Math.exp(-shifted[a] * beta);
        probabilities[row + a] = p;
        sum += p;
      }
      let weightedDistance = 0;
      for (let a = 0; a < k; a++) {
        probabilities[row + a] /= sum;
        weightedDistance += shifted[a] * probabilities[row + a];
      }
      const entropyGap = Math.log(sum) + beta * weightedDistance - targetEntropy;
      if (Math.abs(entropyGap) <= PERPLEXITY_TOLERANCE) break;
      if (entropyGap > 0) {
        betaLow = beta;
        beta = betaHigh === Infinity ? beta * 2 : (beta + betaHigh) / 2;
      } else {
        betaHigh = beta;
        beta = betaLow === -Infinity ? beta / 2 : (beta + betaLow) / 2;
      }
    }
  }
  return probabilities;
}

/**
 * Symmetric joint affinities P = (P_j|i + P_i|j) / 2n as compressed rows, each pair once: row i
 * holds only its columns j > i, so the attractive pass computes each pair's force once for both ends.
 */
export interface SparseAffinities {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** Joins each directed kNN edge with its reverse and normalises so that P sums to 1 over both triangles. */
export function symmetrise(indices: Int32Array, conditional: Float64Array, n: number, k: number): SparseAffinities {
  // Edge i → j goes to row min(i, j); the two directions of a mutual pair merge below.
  const upperBound = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) upperBound[Math.min(i, indices[i * k + a]) + 1]++;
  }
  for (let i = 0; i < n; i++) upperBound[i + 1] += upperBound[i];
  const fill = upperBound.slice(0, n);
  const rawColumns = new Int32Array(upperBound[n]);
  const rawValues = new Float64Array(upperBound[n]);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const j = indices[i * k + a];
      const row = Math.min(i, j);
      rawColumns[fill[row]] = Math.max(i, j);
      rawValues[fill[row]++] = conditional[i * k + a];
    }
  }
  const slotOf = new Int32Array(n).fill(-1);
  const rowStart = new Int32Array(n + 1);
  const columns = new Int32Array(upperBound[n]);
  const values = new Float64Array(upperBound[n]);
  const normaliser = 2 * n;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const first = next;
    for (let e = upperBound[i]; e < upperBound[i + 1]; e++) {
      const j = rawColumns[e];
      const slot = slotOf[j];
      if (slot >= first) {
        values[slot] += rawValues[e] / normaliser;
      } else {
        slotOf[j] = next;
        columns[next] = j;
        values[next++] = rawValues[e] / normaliser;
      }
    }
    rowStart[i + 1] = next;
  }
  return { rowStart, columns: columns.slice(0, next), values: values.slice(0, next) };
}

function initialLayout(data: Float32Array, n: number, dim: number, nComponents: 2 | 3, init: Float32Array | undefined, seed: number): Float64Array {
  if (init !== undefined) return Float64Array.from(init);
  const positions = new Float64Array(n * nComponents);
  if (dim >= nComponents) {
    const model = fitPca(data, n, dim, nComponents, { seed });
    positions.set(projectPca(model, data, n));
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += positions[i * nComponents] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (positions[i * nComponents] - mean) ** 2 / n;
  if (!(variance > 0)) {
    // Fewer input features than output dimensions, or constant data: a seeded Gaussian start instead.
    const rng = createRng(seed);
    for (let i = 0; i < positions.length; i++) positions[i] = rng.nextGaussian() * INIT_STANDARD_DEVIATION;
    return positions;
  }
  const scale = INIT_STANDARD_DEVIATION / Math.sqrt(variance);
  for (let i = 0; i < positions.length; i++) positions[i] *= scale;
  return positions;
}

/** Runs the gradient descent from `start` (which it may overwrite); returns the final layout. */
function optimise(
  start: Float64Array,
  affinities: SparseAffinities,
  n: number,
  settings: ResolvedOptions,
  hooks: ProjectionHooks,
  threads: HelperThreads | undefined,
): Float32Array {
  const attraction = new ParallelAttraction(start, affinities, n, settings.nComponents, threads);
  try {
    descend(attraction, n, settings, hooks);
  } finally {
    attraction.stop();
  }
  return attraction.layoutInInputOrder();
}

function descend(attraction: ParallelAttraction, n: number, settings: ResolvedOptions, hooks: ProjectionHooks): void {
  const { nComponents: dims, nIter, learningRate, earlyExaggeration, earlyIterations, theta, method } = settings;
  const positions = attraction.positions;
  const attractive = new Float64Array(n * dims);
  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);
  const tree = method === 'barnes-hut' ? new BarnesHutTree(n, dims) : null;
  const grid = method === 'fft' ? new FftRepulsion(n) : null;
  const repulsive = new Float64Array(n * dims);
  const force = new Float64Array(dims);
  const squaredTheta = theta * theta;
  for (let iteration = 0; iteration < nIter; iteration++) {
    if (hooks.shouldStop?.()) throw new CancelledError('tsne optimise');
    const early = iteration < earlyIterations;
    if (iteration === earlyIterations) {
      // scikit-learn restarts the optimiser state when exaggeration ends.
      update.fill(0);
      gains.fill(1);
      // By now the layout has its clusters: stored in Z-order, a point's neighbours and grid cells
      // are near it in memory, which at 70k points makes the attraction about twice as fast.
      attraction.renumber(zOrder(positions, n, dims));
    }
    const exaggeration = early ? earlyExaggeration : 1;
    const momentum = early ? MOMENTUM_EARLY : MOMENTUM_LATE;

    // Repulsion Σ_j w_ij² (y_i − y_j), normalised by Z = Σ_{i≠j} w_ij, beside the attraction.
    const normaliser = attraction.compute(attractive, () => {
      if (grid !== null) return grid.compute(positions, repulsive);
      if (tree === null) return exactRepulsion(positions, n, dims, repulsive);
      tree.build(positions);
      let sum = 0;
      // Visiting points in tree order lets consecutive traversals reuse the same cells from cache.
      for (let p = 0; p < n; p++) {
        const i = tree.order[p];
        force.fill(0);
        sum += tree.repulsion(positions, i, squaredTheta, force);
        for (let d = 0; d < dims; d++) repulsive[i * dims + d] = force[d];
      }
      return sum;
    });

    // Gradient 4 (exaggeration · Σ_j p_ij w_ij (y_i − y_j) − repulsion / Z), then scikit-learn's gains and momentum.
    const inverseZ = 1 / normaliser;
    for (let c = 0; c < update.length; c++) {
      const grad = 4 * (exaggeration * attractive[c] - repulsive[c] * inverseZ);
      // A step still against the gradient's sign keeps growing; one that overshot shrinks.
      gains[c] = update[c] * grad < 0 ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, MIN_GAIN);
      update[c] = momentum * update[c] - learningRate * gains[c] * grad;
      positions[c] += update[c];
    }
    centre(positions, n, dims);

    const done = (iteration + 1) / nIter;
    hooks.onProgress?.('optimise', done);
    if (hooks.onLayout !== undefined && ((iteration + 1) % LAYOUT_EVERY === 0 || iteration + 1 === nIter)) {
      hooks.onLayout(attraction.layoutInInputOrder(), done);
    }
  }
}

/** Exact Σ_j w_ij² (y_i − y_j) for every i into `repulsive`; returns Z = Σ_{i≠j} w_ij. */
function exactRepulsion(positions: Float64Array, n: number, dims: number, repulsive: Float64Array): number {
  repulsive.fill(0);
  let normaliser = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let squaredDistance = 0;
      for (let d = 0; d < dims; d++) squaredDistance += (positions[i * dims + d] - positions[j * dims + d]) ** 2;
      const w = 1 / (1 + squaredDistance);
      normaliser += 2 * w;
      const w2 = w * w;
      for (let d = 0; d < dims; d++) {
        const term = w2 * (positions[i * dims + d] - positions[j * dims + d]);
        repulsive[i * dims + d] += term;
        repulsive[j * dims + d] -= term;
      }
    }
  }
  return normaliser;
}

/** The points sorted along a Z-order (Morton) curve through the layout's first two axes. */
function zOrder(positions: Float64Array, n: number, dims: number): Int32Array {
  const bits = 16;
  const codes = new Uint32Array(n);
  const low = [Infinity, Infinity];
  const high = [-Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 2; d++) {
      low[d] = Math.min(low[d], positions[i * dims + d]);
      high[d] = Math.max(high[d], positions[i * dims + d]);
    }
  }
  const scale = [0, 1].map((d) => ((1 << bits) - 1) / Math.max(high[d] - low[d], Number.MIN_VALUE));
  for (let i = 0; i < n; i++) {
    const x = Math.floor((positions[i * dims] - low[0]) * scale[0]);
    const y = Math.floor((positions[i * dims + 1] - low[1]) * scale[1]);
    let code = 0;
    for (let b = 0; b < bits; b++) code |= (((x >> b) & 1) << (2 * b)) | (((y >> b) & 1) << (2 * b + 1));
    codes[i] = code >>> 0;
  }
  return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => codes[a] - codes[b] || a - b);
}

function centre(positions: Float64Array, n: number, dims: number): void {
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += positions[i * dims + d];
    mean /= n;
    for (let i = 0; i < n; i++) positions[i * dims + d] -= mean;
  }
}

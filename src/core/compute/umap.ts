/**
 * UMAP (McInnes, Healy & Melville 2018) over flat typed arrays, following umap-learn's algorithm:
 * kNN (NN-descent for large n) → smooth-kNN fuzzy graph → fuzzy union → PCA (or caller-given)
 * initialisation → epochs-per-sample SGD with negative sampling. Seeded and reproducible on one
 * thread; with helper threads (`threads`) the SGD runs Hogwild and layouts vary between runs.
 */

import { throwIfStopped } from './cancel';
import type { ProjectionHooks } from './hooks';
import { nearestNeighbors, type KnnGraph } from './knn';
import { fitPca, projectPca } from './pca';
import { createRng, Rng } from './random';
import { findAbParams, fuzzySimplicialSet, FuzzyGraph } from './umapGraph';
import type { HelperThreads } from './threads';
import { allocateLayoutEdges, LayoutEdges, optimizeLayout } from './umapOptimize';

export type { ProjectionHooks } from './hooks';

/** UMAP parameters, with umap-learn's defaults. */
export interface UmapOptions {
  /** Output dimensions (default 2). */
  nComponents?: 2 | 3;
  /** Neighbourhood size, counting the point itself as umap-learn does (default 15, range 2–n). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1, range 0–spread). */
  minDist?: number;
  /** Scale of the embedded clusters (default 1). */
  spread?: number;
  /** SGD epochs (default 500 for n ≤ 10 000, 200 above). */
  nEpochs?: number;
  /** Initial SGD step (default 1), decayed linearly to 0. */
  learningRate?: number;
  /** Negative samples per positive sample (default 5). */
  negativeSampleRate?: number;
  /** Seed for kNN, initialisation noise and negative sampling (default 42). */
  seed?: number;
  /** Starting layout, n × nComponents (e.g. PCA, or another projection to stay close to). */
  init?: Float32Array;
  /**
   * Helper threads for the neighbour search (same result, faster) and the SGD (Hogwild over
   * shared memory). Without them the run is reproducible for a seed; with them the layout varies
   * between runs at the same quality.
   */
  threads?: HelperThreads;
}

/** umap-learn rescales every start to [0, 10] per axis; its learning rate and a/b curve assume that scale. */
const INIT_EXTENT = 10;
/** umap-learn jitters a PCA start by this much so that duplicate codes do not stay stacked. */
const INIT_NOISE = 1e-4;
/** Edge samples (edges × epochs) below which helper threads would cost more to start than they save. */
const PARALLEL_MIN_EDGE_EPOCHS = 5e6;

/** Embeds n points of `dim` features into nComponents dimensions; returns n × nComponents. */
export function umap(data: Float32Array, n: number, dim: number, options: UmapOptions = {}, hooks: ProjectionHooks = {}): Float32Array {
  const nComponents = options.nComponents ?? 2;
  const nNeighbors = options.nNeighbors ?? 15;
  const minDist = options.minDist ?? 0.1;
  const spread = options.spread ?? 1;
  const nEpochs = options.nEpochs ?? (n <= 10_000 ? 500 : 200);
  const learningRate = options.learningRate ?? 1;
  const negativeSampleRate = options.negativeSampleRate ?? 5;
  const seed = options.seed ?? 42;

  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`UMAP needs dim ≥ 1, got ${dim}`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`UMAP needs a non-negative integer point count, got ${n}`);
  if (data.length !== n * dim) throw new RangeError(`data has ${data.length} values, expected n × dim = ${n} × ${dim} = ${n * dim}`);
  if (nComponents !== 2 && nComponents !== 3) throw new RangeError(`nComponents must be 2 or 3, got ${String(nComponents)}`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) throw new RangeError(`nNeighbors must be an integer ≥ 2, got ${nNeighbors}`);
  if (n < nNeighbors) throw new RangeError(`not enough points (${n}) for nNeighbors ${nNeighbors}`);
  if (!(spread > 0)) throw new RangeError(`spread must be > 0, got ${spread}`);
  if (!(minDist >= 0 && minDist <= spread)) throw new RangeError(`minDist must be in [0, spread = ${spread}], got ${minDist}`);
  if (!Number.isInteger(nEpochs) || nEpochs < 1) throw new RangeError(`nEpochs must be a positive integer, got ${nEpochs}`);
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be > 0, got ${learningRate}`);
  if (!(negativeSampleRate >= 0)) throw new RangeError(`negativeSampleRate must be ≥ 0, got ${negativeSampleRate}`);
  if (options.init !== undefined && options.init.length !== n * nComponents) {
    throw new RangeError(`init has ${options.init.length} values, expected n × nComponents = ${n} × ${nComponents} = ${n * nComponents}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`data[${i}] (point ${Math.floor(i / dim)}, feature ${i % dim}) is ${data[i]}; UMAP needs finite values`);
  }

  // The start is computed and shown first: on large sets it is the layout users look at while the
  // neighbour search runs.
  const rng = createRng(seed);
  const embedding = options.init !== undefined ? options.init.slice() : principalComponentsStart(data, n, dim, nComponents, rng);
  scaleToExtent(embedding, n, nComponents, rng);
  hooks.onProgress?.('init', 1);
  hooks.onLayout?.(embedding.slice(), 0);

  const knn = nearestNeighbors(data, n, dim, nNeighbors - 1, {
    seed,
    onProgress: (fraction) => hooks.onProgress?.('knn', fraction),
    shouldStop: hooks.shouldStop,
    threads: options.threads,
  });
  throwIfStopped(hooks.shouldStop, 'fuzzy graph');
  hooks.onProgress?.('graph', 0);
  // Points are renumbered by the search's locality order (slots[i] is point i's new number), so
  // that graph neighbours have near numbers: the fuzzy union's transposes and the SGD's edge samples
  // then mostly find each other's data in cache (at 1M points a neighbour is otherwise a miss).
  const slots = new Int32Array(n);
  for (let slot = 0; slot < n; slot++) slots[knn.order === undefined ? slot : knn.order[slot]] = slot;
  const graph = fuzzySimplicialSet(renumberNeighbors(knn, slots), nNeighbors);
  const parallel = options.threads !== undefined && options.threads.helpers > 0 && graph.weights.length * nEpochs >= PARALLEL_MIN_EDGE_EPOCHS;
  const edges = layoutEdges(graph, nEpochs);
  const { a, b } = findAbParams(spread, minDist);
  hooks.onProgress?.('graph', 1);

  throwIfStopped(hooks.shouldStop, 'layout optimisation');
  const reordered = new Float32Array(n * nComponents);
  moveRows(embedding, reordered, slots, nComponents, 'toSlots');
  const fromSlots = (layout: Float32Array): Float32Array => moveRows(layout, new Float32Array(layout.length), slots, nComponents, 'fromSlots');
  const onLayout = hooks.onLayout;
  optimizeLayout(
    reordered,
    n,
    nComponents,
    edges,
    { a, b, nEpochs, learningRate, negativeSampleRate, repulsionStrength: 1, seed: rng.nextInt(4294967296) },
    { ...hooks, onLayout: onLayout && ((layout, fraction) => onLayout(fromSlots(layout), fraction)) },
    parallel ? options.threads : undefined,
  );
  return moveRows(reordered, embedding, slots, nComponents, 'fromSlots');
}

/** The kNN graph with point i's row moved to row slots[i] and every neighbour j named slots[j]. */
function renumberNeighbors(knn: KnnGraph, slots: Int32Array): KnnGraph {
  const { n, k } = knn;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const to = slots[i] * k;
    for (let t = 0; t < k; t++) {
      indices[to + t] = slots[knn.indices[i * k + t]];
      distances[to + t] = knn.distances[i * k + t];
    }
  }
  return { n, k, indices, distances };
}

/** Copies the rows of `source` into `target`, point i's row moving to or from row slots[i]; returns `target`. */
function moveRows(source: Float32Array, target: Float32Array, slots: Int32Array, width: number, direction: 'toSlots' | 'fromSlots'): Float32Array {
  for (let i = 0; i < slots.length; i++) {
    const from = (direction === 'toSlots' ? i : slots[i]) * width;
    const to = (direction === 'toSlots' ? slots[i] : i) * width;
    for (let c = 0; c < width; c++) target[to + c] = source[from + c];
  }
  return target;
}

/**
 * Drops edges weaker than max weight / nEpochs (they would be sampled less than once, as
 * umap-learn prunes them) and gives the rest umap-learn's sampling periods, grouped by head.
 */
function layoutEdges(graph: FuzzyGraph, nEpochs: number): LayoutEdges {
  const { n, heads, tails, weights } = graph;
  let maxWeight = 0;
  for (let e = 0; e < weights.length; e++) maxWeight = Math.max(maxWeight, weights[e]);
  const threshold = maxWeight / nEpochs;
  let kept = 0;
  for (let e = 0; e < weights.length; e++) if (weights[e] >= threshold) kept++;
  const edges = allocateLayoutEdges(n, kept);
  const { rowStart } = edges;
  for (let e = 0; e < weights.length; e++) if (weights[e] >= threshold) rowStart[heads[e] + 1]++;
  for (let i = 0; i < n; i++) rowStart[i + 1] += rowStart[i];
  const fill = rowStart.slice(0, n);
  for (let e = 0; e < weights.length; e++) {
    if (weights[e] < threshold) continue;
    const at = fill[heads[e]]++;
    edges.tails[at] = tails[e];
    edges.epochsPerSample[at] = maxWeight / weights[e];
  }
  return edges;
}

/** PCA start, jittered as umap-learn does; axes the data cannot fill (dim < nComponents) start uniform. */
function principalComponentsStart(data: Float32Array, n: number, dim: number, nComponents: number, rng: Rng): Float32Array {
  const embedding = new Float32Array(n * nComponents);
  const axes = Math.min(dim, nComponents, n - 1);
  const projected = axes > 0 ? projectPca(fitPca(data, n, dim, axes, { seed: rng.nextInt(4294967296) }), data, n) : new Float32Array(0);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nComponents; c++) {
      embedding[i * nComponents + c] = c < axes ? projected[i * axes + c] + INIT_NOISE * rng.nextGaussian() : rng.next();
    }
  }
  return embedding;
}

/**
 * Maps each axis affinely onto [0, 10], umap-learn's starting scale, which the a/b curve and the
 * learning rate assume; a flat axis is replaced by uniform noise.
 */
function scaleToExtent(embedding: Float32Array, n: number, nComponents: number, rng: Rng): void {
  for (let c = 0; c < nComponents; c++) {
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < n; i++) {
      const value = embedding[i * nComponents + c];
      if (!Number.isFinite(value)) throw new RangeError(`init[${i * nComponents + c}] is ${value}; the starting layout must be finite`);
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    const range = high - low;
    for (let i = 0; i < n; i++) {
      const slot = i * nComponents + c;
      embedding[slot] = range > 0 ? (INIT_EXTENT * (embedding[slot] - low)) / range : INIT_EXTENT * rng.next();
    }
  }
}

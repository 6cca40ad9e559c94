/**
 * k nearest neighbours over flat row-major data: exact brute force for small sets, and
 * NN-descent seeded by a random-projection forest (Dong et al. 2011, as pynndescent does it)
 * for large ones, where brute force's O(n²) would dominate a UMAP run.
 */

import { throwIfStopped } from './cancel';
import { createRng, Rng32 } from './random';
import { inSharedMemory, type HelperThreads } from './threads';

/** k nearest neighbours of every point, as flat n × k rows. */
export interface KnnGraph {
  n: number;
  k: number;
  /** n × k neighbour indices, self excluded, nearest first. */
  indices: Int32Array;
  /** n × k distances matching `indices`: Euclidean, or cosine distance (1 − cos). */
  distances: Float32Array;
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

/**
 * NN-descent stops once fewer than this fraction of the n × k entries change in a pass. pynndescent
 * stops at 0.001; at 70k × 32, k = 90, the passes between 0.005 and 0.001 cost a third of the search
 * and lift recall only from 0.996 to 0.998.
 */
const CONVERGENCE_DELTA = 0.005;

/** Finds each point's k nearest other points. */
export function nearestNeighbors(data: Float32Array, n: number, dim: number, k: number, options: KnnOptions = {}): KnnGraph {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`nearestNeighbors needs at least 2 points, got n = ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`nearestNeighbors needs dim ≥ 1, got ${dim}`);
  if (data.length !== n * dim) throw new RangeError(`data has ${data.length} values, expected n × dim = ${n} × ${dim} = ${n * dim}`);
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new RangeError(`k must be an integer in [1, ${n - 1}] for ${n} points, got ${k}`);
  const metric = options.metric ?? 'euclidean';
  if (metric !== 'euclidean' && metric !== 'cosine') throw new RangeError(`unknown metric '${String(metric)}' (expected 'euclidean' or 'cosine')`);

  // Cosine distance of unit vectors is half their squared Euclidean distance, so one search serves both.
  const points = metric === 'cosine' ? normalizeRows(data, n, dim) : data;
  const neighbors = new NeighborRows(n, k);
  const exact = options.exact ?? n <= EXACT_MAX_POINTS;
  let sorted: { indices: Int32Array; distances: Float32Array };
  if (exact) {
    bruteForce(points, n, dim, neighbors, options);
    sorted = neighbors;
  } else {
    // NN-descent jumps between neighbours of neighbours; laying the rows out in the leaf order of
    // one random-projection tree puts those near each other in memory, which halves its time.
    const rng = createRng(options.seed ?? 42);
    const order = new Int32Array(n);
    partitionByRandomProjections(points, n, dim, LOCALITY_LEAF_SIZE, rng, order, () => {});
    // Helpers read it: allocated shared from the start rather than copied later.
    const parallel = options.threads !== undefined && options.threads.helpers > 0;
    const reordered = new Float32Array(parallel ? new SharedArrayBuffer(4 * n * dim) : new ArrayBuffer(4 * n * dim));
    for (let i = 0; i < n; i++) reordered.set(points.subarray(order[i] * dim, order[i] * dim + dim), i * dim);
    nnDescent(reordered, n, dim, neighbors, rng, options);
    sorted = mapRowsBack(neighbors, order, k);
  }
  const { indices, distances } = sorted;
  for (let i = 0; i < distances.length; i++) {
    distances[i] = metric === 'cosine' ? distances[i] / 2 : Math.sqrt(distances[i]);
  }
  options.onProgress?.(1);
  return { n, k, indices, distances };
}

/** Leaf size of the tree that orders rows for locality (only contiguity matters, not leaf quality). */
const LOCALITY_LEAF_SIZE = 64;

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

/**
 * Squared distance between rows a and b, abandoned (returning a value ≥ bound) as soon as the
 * partial sum reaches `bound`: most NN-descent candidates lose, and lose early.
 */
function squaredDistanceWithin(data: Float32Array, a: number, b: number, dim: number, bound: number): number {
  const offsetA = a * dim;
  const offsetB = b * dim;
  let sum = 0;
  let d = 0;
  for (; d + 8 <= dim; d += 8) {
    sum += blockOfEight(data, offsetA + d, offsetB + d);
    if (sum >= bound) return sum;
  }
  for (; d < dim; d++) {
    const diff = data[offsetA + d] - data[offsetB + d];
    sum += diff * diff;
  }
  return sum;
}

/** Squared distance over 8 consecutive features, in four independent sums so the adds overlap. */
function blockOfEight(data: Float32Array, offsetA: number, offsetB: number): number {
  const d0 = data[offsetA] - data[offsetB];
  const d1 = data[offsetA + 1] - data[offsetB + 1];
  const d2 = data[offsetA + 2] - data[offsetB + 2];
  const d3 = data[offsetA + 3] - data[offsetB + 3];
  const d4 = data[offsetA + 4] - data[offsetB + 4];
  const d5 = data[offsetA + 5] - data[offsetB + 5];
  const d6 = data[offsetA + 6] - data[offsetB + 6];
  const d7 = data[offsetA + 7] - data[offsetB + 7];
  return d0 * d0 + d4 * d4 + (d1 * d1 + d5 * d5) + (d2 * d2 + d6 * d6) + (d3 * d3 + d7 * d7);
}

/** Squared Euclidean distance between rows a and b. */
function squaredDistance(data: Float32Array, a: number, b: number, dim: number): number {
  return squaredDistanceWithin(data, a, b, dim, Infinity);
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

/**
 * n bounded rows of (squared distance, index, isNew) in flat arrays, each kept sorted nearest
 * first (ties by index); the last entry of a row is its current k-th nearest, the bar a new
 * candidate has to beat.
 */
class NeighborRows {
  readonly indices: Int32Array;
  /** Replaced by a shared copy when helper threads read the bars. */
  distances: Float32Array;
  /** 1 while a neighbour has not yet taken part in a local join (NN-descent's "new" flag). */
  readonly isNew: Uint8Array;

  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.indices = new Int32Array(n * k).fill(-1);
    this.distances = new Float32Array(n * k).fill(Infinity);
    this.isNew = new Uint8Array(n * k);
  }

  /**
   * Offers `candidate` at `distance` to `row`; returns 1 when the row changed, else 0.
   * A pair's distance comes out bit for bit the same whichever end computes it, so a candidate the
   * row already holds sits exactly where a binary search on (distance, index) lands: most offers
   * in NN-descent are such repeats, and this finds them in log k steps instead of a scan of k.
   */
  push(row: number, distance: number, candidate: number, isNew: number): number {
    const k = this.k;
    const base = row * k;
    const distances = this.distances;
    const indices = this.indices;
    const rounded = Math.fround(distance);
    if (!(rounded < distances[base + k - 1])) return 0;
    // First position whose entry comes after (rounded, candidate).
    let low = base;
    let high = base + k - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      const stored = distances[middle];
      if (stored < rounded || (stored === rounded && indices[middle] <= candidate)) low = middle + 1;
      else high = middle;
    }
    if (low > base && distances[low - 1] === rounded && indices[low - 1] === candidate) return 0;
    const isNewFlags = this.isNew;
    for (let position = base + k - 1; position > low; position--) {
      distances[position] = distances[position - 1];
      indices[position] = indices[position - 1];
      isNewFlags[position] = isNewFlags[position - 1];
    }
    distances[low] = rounded;
    indices[low] = candidate;
    isNewFlags[low] = isNew;
    return 1;
  }
}

/** Query rows handled together, so each other row is read from memory once per block, not once per row. */
const BRUTE_FORCE_BLOCK_ROWS = 32;

/** Every pair once, each distance offered to both endpoints' rows, in blocks of rows. */
function bruteForce(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, options: KnnOptions): void {
  for (let blockStart = 0; blockStart < n; blockStart += BRUTE_FORCE_BLOCK_ROWS) {
    throwIfStopped(options.shouldStop, 'nearest neighbours');
    // Rows before blockStart are done, and they scanned the most pairs: 1 − ((n − start)/n)² of the work.
    options.onProgress?.(1 - ((n - blockStart) / n) ** 2);
    const blockEnd = Math.min(n, blockStart + BRUTE_FORCE_BLOCK_ROWS);
    for (let j = blockStart + 1; j < n; j++) {
      const last = Math.min(blockEnd, j);
      for (let i = blockStart; i < last; i++) {
        const distance = squaredDistance(data, i, j, dim);
        neighbors.push(i, distance, j, 0);
        neighbors.push(j, distance, i, 0);
      }
    }
  }
}

/** NN-descent: RP-forest leaves give initial neighbours, then neighbours of neighbours refine them. */
function nnDescent(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, rng: Rng32, options: KnnOptions): void {
  const k = neighbors.k;
  // Measured at 70k × 32: recall 0.989 with 5 trees, 0.992 with 10, while each tree costs ~0.3 s.
  const treeCount = Math.max(4, Math.min(8, Math.round(Math.log2(n) / 2)));
  const leafSize = Math.max(10, k);
  const maxIterations = Math.max(5, Math.round(Math.log2(n)));
  // pynndescent samples min(60, k); at 70k × 32 with k = 90, 20 still recalls 0.996 and halves the joins.
  const maxCandidates = Math.min(20, k);
  const treeShare = 0.3; // rough fraction of the run spent in the forest, for progress only

  const permutation = new Int32Array(n);
  for (let tree = 0; tree < treeCount; tree++) {
    throwIfStopped(options.shouldStop, 'nearest neighbours (trees)');
    addRandomProjectionTreeLeaves(data, n, dim, leafSize, neighbors, rng, permutation);
    options.onProgress?.((treeShare * (tree + 1)) / treeCount);
  }
  fillEmptySlotsRandomly(data, n, dim, neighbors, rng);

  const newCandidates = new CandidateHeap(n, maxCandidates);
  const oldCandidates = new CandidateHeap(n, maxCandidates);
  const parallel = options.threads !== undefined && options.threads.helpers > 0;
  const join = createJoinState(data, n, dim, neighbors, newCandidates, oldCandidates, parallel);
  const helpers = parallel ? options.threads?.start('knnJoin', join) : undefined;
  try {
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      throwIfStopped(options.shouldStop, 'nearest neighbours (descent)');
      sampleCandidates(neighbors, newCandidates, oldCandidates, rng);
      const updates = localJoin(join, neighbors, options);
      options.onProgress?.(treeShare + ((1 - treeShare) * (iteration + 1)) / maxIterations);
      if (updates <= CONVERGENCE_DELTA * k * n) break;
    }
  } finally {
    Atomics.store(join.control, JOIN_OPEN, -1);
    Atomics.notify(join.control, JOIN_OPEN);
    helpers?.terminate();
  }
}

/** Offers every pair inside each leaf of a random-projection tree to the neighbour rows. */
function addRandomProjectionTreeLeaves(data: Float32Array, n: number, dim: number, leafSize: number, neighbors: NeighborRows, rng: Rng32, permutation: Int32Array): void {
  partitionByRandomProjections(data, n, dim, leafSize, rng, permutation, (start, end) => {
    for (let a = start; a < end; a++) {
      const p = permutation[a];
      for (let b = a + 1; b < end; b++) {
        const q = permutation[b];
        const distance = squaredDistance(data, p, q, dim);
        neighbors.push(p, distance, q, 1);
        neighbors.push(q, distance, p, 1);
      }
    }
  });
}

/**
 * Builds a random-projection tree in `permutation`: splits the points recursively by random
 * hyperplanes (the perpendicular bisector of two random points) until each part has at most
 * `leafSize` points; each leaf is a range [start, end) of `permutation`, handed to `onLeaf`.
 */
function partitionByRandomProjections(
  data: Float32Array,
  n: number,
  dim: number,
  leafSize: number,
  rng: Rng32,
  permutation: Int32Array,
  onLeaf: (start: number, end: number) => void,
): void {
  const normal = new Float64Array(dim);
  for (let i = 0; i < n; i++) permutation[i] = i;
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const size = end - start;
    if (size <= leafSize) {
      onLeaf(start, end);
      continue;
    }
    const leftPosition = Math.floor((rng.nextUint32() / 4294967296) * size);
    let rightPosition = Math.floor((rng.nextUint32() / 4294967296) * (size - 1));
    if (rightPosition >= leftPosition) rightPosition++;
    const left = permutation[start + leftPosition];
    const right = permutation[start + rightPosition];
    let offset = 0;
    for (let d = 0; d < dim; d++) {
      const a = data[left * dim + d];
      const b = data[right * dim + d];
      normal[d] = a - b;
      offset -= ((a - b) * (a + b)) / 2;
    }
    // Hoare-style partition: points with positive margin go to the front.
    let low = start;
    let high = end - 1;
    while (low <= high) {
      const point = permutation[low];
      let margin = offset;
      for (let d = 0; d < dim; d++) margin += normal[d] * data[point * dim + d];
      const goesFront = margin > 1e-8 || (Math.abs(margin) <= 1e-8 && (rng.nextUint32() & 1) === 1);
      if (goesFront) low++;
      else {
        permutation[low] = permutation[high];
        permutation[high] = point;
        high--;
      }
    }
    let split = low;
    // Duplicates (or a degenerate plane) can put everything on one side: halve the range instead.
    if (split === start || split === end) split = start + (size >> 1);
    stack.push(start, split, split, end);
  }
}

/** Leaves smaller than k can leave rows short; random points fill them so every row is complete. */
function fillEmptySlotsRandomly(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, rng: Rng32): void {
  const k = neighbors.k;
  for (let row = 0; row < n; row++) {
    let attempts = 0;
    // The last entry holds -1 while any slot is empty (empty slots sit at +Infinity).
    while (neighbors.indices[row * k + k - 1] === -1 && attempts < 10 * k) {
      const candidate = Math.floor((rng.nextUint32() / 4294967296) * n);
      if (candidate !== row) neighbors.push(row, squaredDistance(data, row, candidate, dim), candidate, 1);
      attempts++;
    }
  }
}

/** Per-point bounded sample of candidate indices, kept by smallest random priority. */
class CandidateHeap {
  /** Replaced by a shared copy when helper threads read the candidates. */
  indices: Int32Array;
  readonly priorities: Float64Array;

  constructor(
    n: number,
    readonly size: number,
  ) {
    this.indices = new Int32Array(n * size);
    this.priorities = new Float64Array(n * size);
  }

  clear(): void {
    this.indices.fill(-1);
    this.priorities.fill(Infinity);
  }

  push(row: number, priority: number, candidate: number): void {
    const size = this.size;
    const base = row * size;
    const priorities = this.priorities;
    const indices = this.indices;
    if (!(priority < priorities[base])) return;
    for (let t = 0; t < size; t++) if (indices[base + t] === candidate) return;
    let position = 0;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= size) break;
      const right = left + 1;
      let larger = left;
      if (right < size && priorities[base + right] > priorities[base + left]) larger = right;
      if (priorities[base + larger] <= priority) break;
      priorities[base + position] = priorities[base + larger];
      indices[base + position] = indices[base + larger];
      position = larger;
    }
    priorities[base + position] = priority;
    indices[base + position] = candidate;
  }
}

/**
 * Samples, for every point, up to `size` new and old candidates from its neighbours and reverse
 * neighbours; sampled new neighbours are then marked old so they join only once.
 */
function sampleCandidates(neighbors: NeighborRows, newCandidates: CandidateHeap, oldCandidates: CandidateHeap, rng: Rng32): void {
  const { n, k } = neighbors;
  newCandidates.clear();
  oldCandidates.clear();
  for (let row = 0; row < n; row++) {
    for (let t = 0; t < k; t++) {
      const slot = row * k + t;
      const neighbor = neighbors.indices[slot];
      if (neighbor < 0) continue;
      const priority = rng.nextUint32();
      const target = neighbors.isNew[slot] === 1 ? newCandidates : oldCandidates;
      target.push(row, priority, neighbor);
      target.push(neighbor, priority, row);
    }
  }
  // Stamping a row's sampled candidates lets each of its k flags be checked in one look-up instead of a scan.
  const sampledFor = new Int32Array(n).fill(-1);
  const size = newCandidates.size;
  for (let row = 0; row < n; row++) {
    for (let c = row * size; c < (row + 1) * size; c++) {
      const candidate = newCandidates.indices[c];
      if (candidate >= 0) sampledFor[candidate] = row;
    }
    for (let slot = row * k; slot < (row + 1) * k; slot++) {
      if (neighbors.isNew[slot] === 1 && sampledFor[neighbors.indices[slot]] === row) neighbors.isNew[slot] = 0;
    }
  }
}

/**
 * NN-descent's local joins, cut into units of rows. A unit computes its candidate pairs' distances
 * against the bars as they stood when its block opened and lists the pairs that beat them; the
 * caller applies a block's lists in unit order once all its units are done. Which thread ran a
 * unit thus changes nothing: the neighbours are the same with any number of helpers.
 */
export interface JoinState {
  n: number;
  dim: number;
  k: number;
  candidates: number;
  data: Float32Array;
  /** The rows' distances; the last of row i (index i·k + k − 1) is its bar. */
  bars: Float32Array;
  newIndices: Int32Array;
  oldIndices: Int32Array;
  rowsPerUnit: number;
  /** Per unit of a block: its pairs (p, q, squared distance) from unit · capacity on, and their count. */
  pairP: Int32Array;
  pairQ: Int32Array;
  pairDistances: Float32Array;
  pairCounts: Int32Array;
  /** See the JOIN_* slots. */
  control: Int32Array;
}

/** Units are numbered over all iterations; those below this one may be claimed (the caller opens one block at a time; −1 once the search is over). */
const JOIN_OPEN = 0;
/** Next unclaimed unit. */
const JOIN_CLAIMED = 1;
/** Units finished. */
const JOIN_FINISHED = 2;
/** The current iteration's first unit. */
const JOIN_ITERATION_FIRST = 3;
/** Candidate pairs a unit may list: its rows are as many as fit. */
const JOIN_PAIRS_PER_UNIT = 16384;
/** Units per block: enough to keep two threads busy between the caller's applying turns. */
const JOIN_UNITS_PER_BLOCK = 16;
/** Pair lists held at once: two blocks', so helpers list the next block while the caller applies one. */
const JOIN_UNIT_SLOTS = 2 * JOIN_UNITS_PER_BLOCK;

function createJoinState(
  data: Float32Array,
  n: number,
  dim: number,
  neighbors: NeighborRows,
  newCandidates: CandidateHeap,
  oldCandidates: CandidateHeap,
  shared: boolean,
): JoinState {
  const share = <T extends Float32Array | Int32Array>(array: T): T => inSharedMemory(array, shared);
  const candidates = newCandidates.size;
  const pairsPerRow = (candidates * (candidates - 1)) / 2 + candidates * candidates;
  const rowsPerUnit = Math.max(1, Math.floor(JOIN_PAIRS_PER_UNIT / pairsPerRow));
  const capacity = rowsPerUnit * pairsPerRow;
  neighbors.distances = share(neighbors.distances);
  newCandidates.indices = share(newCandidates.indices);
  oldCandidates.indices = share(oldCandidates.indices);
  return {
    n,
    dim,
    k: neighbors.k,
    candidates,
    data: share(data),
    bars: neighbors.distances,
    newIndices: newCandidates.indices,
    oldIndices: oldCandidates.indices,
    rowsPerUnit,
    pairP: share(new Int32Array(JOIN_UNIT_SLOTS * capacity)),
    pairQ: share(new Int32Array(JOIN_UNIT_SLOTS * capacity)),
    pairDistances: share(new Float32Array(JOIN_UNIT_SLOTS * capacity)),
    pairCounts: share(new Int32Array(JOIN_UNIT_SLOTS)),
    control: share(new Int32Array(4)),
  };
}

/** One iteration's local joins, block by block, on this thread and any helpers; returns the rows' updates. */
function localJoin(join: JoinState, neighbors: NeighborRows, options: KnnOptions): number {
  const { n, rowsPerUnit, pairP, pairQ, pairDistances, pairCounts, control } = join;
  const units = Math.ceil(n / rowsPerUnit);
  const capacity = pairP.length / JOIN_UNIT_SLOTS;
  const first = Atomics.load(control, JOIN_CLAIMED);
  Atomics.store(control, JOIN_ITERATION_FIRST, first);
  const open = (blockStart: number): void => {
    Atomics.store(control, JOIN_OPEN, first + Math.min(units, blockStart + JOIN_UNITS_PER_BLOCK));
    Atomics.notify(control, JOIN_OPEN);
  };
  open(0);
  let updates = 0;
  for (let blockStart = 0; blockStart < units; blockStart += JOIN_UNITS_PER_BLOCK) {
    throwIfStopped(options.shouldStop, 'nearest neighbours (descent)');
    const blockEnd = Math.min(units, blockStart + JOIN_UNITS_PER_BLOCK);
    claimJoinUnits(join, first + blockEnd);
    // Then wait for the units helpers claimed.
    for (let done = Atomics.load(control, JOIN_FINISHED); done < first + blockEnd; done = Atomics.load(control, JOIN_FINISHED)) {
      Atomics.wait(control, JOIN_FINISHED, done);
    }
    // Helpers list the next block while this thread applies this one. A unit lists the pairs that beat
    // the bars as they stood at some moment before the pairs are applied; bars only fall, so a pair it
    // leaves out would have been refused anyway, and the rows come out the same whenever it ran.
    if (blockEnd < units) open(blockEnd);
    const firstSlot = blockStart % JOIN_UNIT_SLOTS;
    for (let unit = firstSlot; unit < firstSlot + blockEnd - blockStart; unit++) {
      for (let slot = unit * capacity, end = slot + pairCounts[unit]; slot < end; slot++) {
        const p = pairP[slot];
        const q = pairQ[slot];
        updates += neighbors.push(p, pairDistances[slot], q, 1) + neighbors.push(q, pairDistances[slot], p, 1);
      }
    }
  }
  return updates;
}

/** A helper's side of the joins: claims units of each block the caller opens until the search is over. */
export function runJoinUnits(join: JoinState, _thread: number): void {
  const control = join.control;
  for (let open = Atomics.load(control, JOIN_OPEN); open >= 0; open = Atomics.load(control, JOIN_OPEN)) {
    claimJoinUnits(join, open);
    Atomics.wait(control, JOIN_OPEN, open);
  }
}

/** Claims and runs units numbered below `open`. */
function claimJoinUnits(join: JoinState, open: number): void {
  const control = join.control;
  for (;;) {
    const claimed = Atomics.load(control, JOIN_CLAIMED);
    if (claimed >= open) return;
    if (Atomics.compareExchange(control, JOIN_CLAIMED, claimed, claimed + 1) !== claimed) continue;
    const unit = claimed - Atomics.load(control, JOIN_ITERATION_FIRST);
    joinUnit(join, unit, unit % JOIN_UNIT_SLOTS);
    Atomics.add(control, JOIN_FINISHED, 1);
    Atomics.notify(control, JOIN_FINISHED);
  }
}

/** Lists, for the rows of `unit`, every new–new and new–old candidate pair closer than both bars. */
function joinUnit(join: JoinState, unit: number, slot: number): void {
  const { n, dim, k, candidates: size, data, bars, newIndices, oldIndices, rowsPerUnit, pairP, pairQ, pairDistances, pairCounts } = join;
  const capacity = pairP.length / JOIN_UNIT_SLOTS;
  let count = slot * capacity;
  const rowEnd = Math.min(n, (unit + 1) * rowsPerUnit);
  for (let row = unit * rowsPerUnit; row < rowEnd; row++) {
    const base = row * size;
    for (let a = 0; a < size; a++) {
      const p = newIndices[base + a];
      if (p < 0) continue;
      for (let b = a + 1; b < size; b++) {
        const q = newIndices[base + b];
        if (q < 0) continue;
        const bound = Math.max(bars[p * k + k - 1], bars[q * k + k - 1]);
        const distance = squaredDistanceWithin(data, p, q, dim, bound);
        if (distance < bound) {
          pairP[count] = p;
          pairQ[count] = q;
          pairDistances[count++] = distance;
        }
      }
      for (let b = 0; b < size; b++) {
        const q = oldIndices[base + b];
        if (q < 0 || q === p) continue;
        const bound = Math.max(bars[p * k + k - 1], bars[q * k + k - 1]);
        const distance = squaredDistanceWithin(data, p, q, dim, bound);
        if (distance < bound) {
          pairP[count] = p;
          pairQ[count] = q;
          pairDistances[count++] = distance;
        }
      }
    }
  }
  pairCounts[slot] = count - slot * capacity;
}


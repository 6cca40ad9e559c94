/**
 * k nearest neighbours over flat row-major data: exact brute force for small sets, and
 * NN-descent seeded by a random-projection forest (Dong et al. 2011, as pynndescent does it)
 * for large ones, where brute force's O(n²) would dominate a UMAP run.
 */

import { throwIfStopped } from './cancel';
import { createRng, Rng32 } from './random';
import type { HelperThreads } from './threads';
import { instantiateKernels, KernelMemory, type Kernels } from './wasmKernels';

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
  for (let i = 0; i < distances.length; i++) {
    distances[i] = metric === 'cosine' ? distances[i] / 2 : Math.sqrt(distances[i]);
  }
  options.onProgress?.(1);
  return { n, k, indices, distances, order };
}

/** Points per random-projection tree leaf: every pair in a leaf is offered, so leaves about k wide seed full rows. */
const leafSizeFor = (k: number): number => Math.max(10, k);

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

/**
 * n bounded rows of (squared distance, index, isNew) in flat arrays, each kept sorted nearest
 * first (ties by index); the last entry of a row is its current k-th nearest, the bar a new
 * candidate has to beat. In the search's kernel memory, where helper threads share them.
 */
interface NeighborRows {
  n: number;
  k: number;
  indices: Int32Array;
  distances: Float32Array;
  /** 1 while a neighbour has not yet taken part in a local join (NN-descent's "new" flag). */
  isNew: Uint8Array;
}

/** Empty rows in `memory`. */
function createNeighborRows(n: number, k: number, memory: KernelMemory): NeighborRows {
  return { n, k, indices: memory.int32(n * k).fill(-1), distances: memory.float32(n * k).fill(Infinity), isNew: memory.uint8(n * k) };
}

/** kernels/knn.ts's offerNeighbor on `rows`: 1 when the row changed. */
function offerNeighbor(kernels: Kernels, rows: NeighborRows, row: number, distance: number, candidate: number, isNew: number): number {
  return kernels.offerNeighbor(rows.distances.byteOffset, rows.indices.byteOffset, rows.isNew.byteOffset, rows.k, row, distance, candidate, isNew);
}

/** Query rows handled together, so each other row is read from memory once per block, not once per row. */
const BRUTE_FORCE_BLOCK_ROWS = 32;

/** Every pair once, each distance offered to both endpoints' rows, in blocks of rows (`data` in the rows' memory). */
function bruteForce(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, kernels: Kernels, options: KnnOptions): void {
  for (let blockStart = 0; blockStart < n; blockStart += BRUTE_FORCE_BLOCK_ROWS) {
    throwIfStopped(options.shouldStop, 'nearest neighbours');
    // Rows before blockStart are done, and they scanned the most pairs: 1 − ((n − start)/n)² of the work.
    options.onProgress?.(1 - ((n - blockStart) / n) ** 2);
    const { distances, indices, isNew, k } = neighbors;
    const blockEnd = Math.min(n, blockStart + BRUTE_FORCE_BLOCK_ROWS);
    kernels.offerBlockPairs(data.byteOffset, dim, distances.byteOffset, indices.byteOffset, isNew.byteOffset, k, n, blockStart, blockEnd);
  }
}

/**
 * NN-descent: random-projection forest leaves give initial neighbours, then neighbours of
 * neighbours refine them. Every stage is cut into units that helper threads may share; a unit's
 * result does not depend on which thread runs it, and each row receives its offers in one fixed
 * order, so the neighbours found are the same with any number of helpers.
 */
function nnDescent(
  data: Float32Array,
  n: number,
  dim: number,
  neighbors: NeighborRows,
  memory: KernelMemory,
  kernels: Kernels,
  rng: Rng32,
  options: KnnOptions,
  firstTreeLeafEnds: Int32Array,
): void {
  const k = neighbors.k;
  // Measured at 70k × 32: recall 0.989 with 5 trees, 0.992 with 10, while each tree costs ~0.3 s.
  const treeCount = Math.max(4, Math.min(8, Math.round(Math.log2(n) / 2)));
  const maxIterations = Math.max(5, Math.round(Math.log2(n)));
  const parallel = options.threads !== undefined && options.threads.helpers > 0;
  const threadCount = 1 + (parallel ? (options.threads?.helpers ?? 0) : 0);
  const state = createDescentState(data, n, dim, neighbors, memory, firstTreeLeafEnds, treeCount, threadCount, rng);
  const helpers = parallel ? options.threads?.start('nnDescent', state) : undefined;
  const treeShare = 0.3; // rough fraction of the run spent in the forest, for progress only
  try {
    // The other trees are built side by side; then each thread offers every tree's leaf pairs, tree
    // by tree, to the rows it owns.
    runPhase(state, kernels, PHASE_TREES, treeCount - 1, 0, 0, options.shouldStop);
    options.onProgress?.(treeShare / 2);
    runPhase(state, kernels, PHASE_LEAVES, threadCount, threadCount, 0, options.shouldStop);
    options.onProgress?.(treeShare);
    fillEmptySlotsRandomly(data, n, dim, neighbors, kernels, rng);
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      runPhase(state, kernels, PHASE_SAMPLE, threadCount, threadCount, rng.nextUint32() | 0, options.shouldStop);
      runPhase(state, kernels, PHASE_MARK, threadCount, threadCount, 0, options.shouldStop);
      const updates = localJoin(state, kernels, threadCount, options);
      options.onProgress?.(treeShare + ((1 - treeShare) * (iteration + 1)) / maxIterations);
      if (updates <= CONVERGENCE_DELTA * k * n) break;
    }
  } finally {
    Atomics.store(state.control, CONTROL_OPEN, -1);
    Atomics.notify(state.control, CONTROL_OPEN);
    helpers?.terminate();
  }
}

/** Tree `unit` + 1 of the forest (the first ordered the rows), built into the state. */
function buildTree(state: DescentState, unit: number): void {
  const { data, n, dim, k, treeSeeds, treePermutations, treeLeafEnds, treeLeafCounts } = state;
  const tree = unit + 1;
  const leafEnds = treeLeafEnds.subarray(tree * n, (tree + 1) * n);
  let leaves = 0;
  partitionByRandomProjections(data, n, dim, leafSizeFor(k), createRng(treeSeeds[tree]), treePermutations.subarray(tree * n, (tree + 1) * n), (end) => {
    leafEnds[leaves++] = end;
  });
  treeLeafCounts[tree] = leaves;
}

/**
 * Offers every pair inside each leaf of each tree, tree by tree, to the rows that unit `unit` of
 * `units` owns; a pair with both ends elsewhere is skipped, and one with one end here and one
 * elsewhere is measured by both owners (rare: the rows are numbered in a tree's leaf order).
 */
function leafUnit(state: DescentState, kernels: Kernels, unit: number, units: number): void {
  const { data, n, dim, rows, treePermutations, treeLeafEnds, treeLeafCounts } = state;
  const { distances, indices, isNew, k } = rows;
  const [from, to] = unitRows(n, unit, units);
  for (let tree = 0; tree < treeLeafCounts.length; tree++) {
    const permutation = treePermutations.byteOffset + 4 * tree * n;
    let start = 0;
    for (const end of treeLeafEnds.subarray(tree * n, tree * n + treeLeafCounts[tree])) {
      kernels.offerLeafPairs(data.byteOffset, dim, distances.byteOffset, indices.byteOffset, isNew.byteOffset, k, permutation, start, end, from, to);
      start = end;
    }
  }
}

/**
 * Builds a random-projection tree in `permutation`: splits the points recursively by random
 * hyperplanes (the perpendicular bisector of two random points) until each part has at most
 * `leafSize` points. Each leaf is a range of `permutation`; `onLeaf` gets their ends in order
 * (a leaf starts where the one before it ended).
 */
function partitionByRandomProjections(
  data: Float32Array,
  n: number,
  dim: number,
  leafSize: number,
  rng: Rng32,
  permutation: Int32Array,
  onLeaf: (end: number) => void,
): void {
  const normal = new Float64Array(dim);
  for (let i = 0; i < n; i++) permutation[i] = i;
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const size = end - start;
    if (size <= leafSize) {
      onLeaf(end);
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
    // The back half goes on the stack first, so leaves come off it front to back.
    stack.push(split, end, start, split);
  }
}

/** Leaves smaller than k can leave rows short; random points fill them so every row is complete. */
function fillEmptySlotsRandomly(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, kernels: Kernels, rng: Rng32): void {
  const k = neighbors.k;
  for (let row = 0; row < n; row++) {
    let attempts = 0;
    // The last entry holds -1 while any slot is empty (empty slots sit at +Infinity).
    while (neighbors.indices[row * k + k - 1] === -1 && attempts < 10 * k) {
      const candidate = Math.floor((rng.nextUint32() / 4294967296) * n);
      if (candidate !== row) offerNeighbor(kernels, neighbors, row, kernels.squaredDistanceWithin(data.byteOffset, row, candidate, dim, Infinity), candidate, 1);
      attempts++;
    }
  }
}

/** Priority of an empty candidate slot: above every drawn priority (31-bit). */
const EMPTY_PRIORITY = 0x7fffffff;

/**
 * A random priority for neighbour slot `slot` in the sampling pass seeded `seed` (murmur3's
 * finaliser: a bijection of the slot, so no two slots tie). Drawn from the slot rather than from a
 * stream, any thread can compute any slot's priority and get the same sample.
 */
function slotPriority(seed: number, slot: number): number {
  let z = slot ^ seed;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 1;
}

/**
 * Offers `candidate` to `row`'s bounded sample, a max-heap of the `size` smallest priorities
 * (pynndescent's way to sample uniformly without counting first).
 */
function offerCandidate(indices: Int32Array, priorities: Int32Array, size: number, row: number, priority: number, candidate: number): void {
  const base = row * size;
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

/** The rows [from, to) that sampling or marking unit `unit` of `units` owns. */
function unitRows(n: number, unit: number, units: number): [number, number] {
  return [Math.floor((unit * n) / units), Math.floor(((unit + 1) * n) / units)];
}

/**
 * Samples, for the rows this unit owns, up to `candidates` new and old candidates from their
 * neighbours and reverse neighbours. Every unit reads all rows in order and offers only to its own,
 * so each row gets its offers in the same order whichever unit, on whichever thread, owns it.
 */
function sampleUnit(state: DescentState, unit: number, units: number, seed: number): void {
  const { n, k, candidates: size, rows, newIndices, newPriorities, oldIndices, oldPriorities } = state;
  const [from, to] = unitRows(n, unit, units);
  newIndices.fill(-1, from * size, to * size);
  oldIndices.fill(-1, from * size, to * size);
  newPriorities.fill(EMPTY_PRIORITY, from * size, to * size);
  oldPriorities.fill(EMPTY_PRIORITY, from * size, to * size);
  const { indices, isNew } = rows;
  // Old candidates only ever join a row's new ones: a row offered no new candidate needs none, and
  // once the search settles that is most rows, so new ones are sampled first and old ones only there.
  const offeredNew = new Uint8Array(to - from);
  for (let pass = 0; pass < 2; pass++) {
    const fresh = pass === 0 ? 1 : 0;
    const sampleIndices = fresh === 1 ? newIndices : oldIndices;
    const samplePriorities = fresh === 1 ? newPriorities : oldPriorities;
    for (let row = 0; row < n; row++) {
      const owned = row >= from && row < to && (fresh === 1 || offeredNew[row - from] === 1);
      for (let slot = row * k; slot < (row + 1) * k; slot++) {
        const neighbor = indices[slot];
        if (neighbor < 0 || isNew[slot] !== fresh) continue;
        const reverse = neighbor >= from && neighbor < to && (fresh === 1 || offeredNew[neighbor - from] === 1);
        if (!owned && !reverse) continue;
        const priority = slotPriority(seed, slot);
        if (owned) offerCandidate(sampleIndices, samplePriorities, size, row, priority, neighbor);
        if (reverse) offerCandidate(sampleIndices, samplePriorities, size, neighbor, priority, row);
        if (fresh === 1) {
          if (owned) offeredNew[row - from] = 1;
          if (reverse) offeredNew[neighbor - from] = 1;
        }
      }
    }
  }
}

/**
 * Marks the new neighbours that this unit's rows sampled as old, so they join only once. A phase
 * of its own: sampling units read every row's flags.
 */
function markUnit(state: DescentState, unit: number, units: number): void {
  const { n, k, candidates: size, rows, newIndices } = state;
  const { indices, isNew } = rows;
  const [from, to] = unitRows(n, unit, units);
  // Stamping a row's sampled candidates lets each of its k flags be checked in one look-up instead of a scan.
  const sampledFor = new Int32Array(n);
  for (let row = from; row < to; row++) {
    for (let c = row * size; c < (row + 1) * size; c++) {
      const candidate = newIndices[c];
      if (candidate >= 0) sampledFor[candidate] = row + 1;
    }
    for (let slot = row * k; slot < (row + 1) * k; slot++) {
      if (isNew[slot] === 1 && sampledFor[indices[slot]] === row + 1) isNew[slot] = 0;
    }
  }
}

/**
 * Everything NN-descent's units read and write, every array in `memory`, shared with helper
 * threads. Units are numbered over the whole search, one phase after another; the caller opens
 * them, and any thread claims and runs them.
 */
export interface DescentState {
  memory: WebAssembly.Memory;
  n: number;
  dim: number;
  k: number;
  /** Candidates sampled per row and kind (new, old). */
  candidates: number;
  data: Float32Array;
  rows: NeighborRows;
  /** Per row, its sampled candidates (−1: none) and their priorities, new and old. */
  newIndices: Int32Array;
  newPriorities: Int32Array;
  oldIndices: Int32Array;
  oldPriorities: Int32Array;
  /** Per tree: its seed, its permutation and leaf ends (n each), and its leaf count once built. */
  treeSeeds: Int32Array;
  treePermutations: Int32Array;
  treeLeafEnds: Int32Array;
  treeLeafCounts: Int32Array;
  /** Rows per local-join unit. */
  rowsPerUnit: number;
  /** Per join unit of a block: its pairs (p, q, squared distance) from unit · capacity on, and their count. */
  pairP: Int32Array;
  pairQ: Int32Array;
  pairDistances: Float32Array;
  pairCounts: Int32Array;
  /** Per applying unit: the row changes it made. */
  updateCounts: Int32Array;
  /** See the CONTROL_* slots. */
  control: Int32Array;
}

/** Units below this may be claimed (−1 once the search is over). */
const CONTROL_OPEN = 0;
/** Next unclaimed unit. */
const CONTROL_CLAIMED = 1;
/** Units finished. */
const CONTROL_FINISHED = 2;
/** The current phase's first unit. */
const CONTROL_PHASE_FIRST = 3;
/** The current phase (PHASE_*). */
const CONTROL_PHASE = 4;
/** The current phase's seed (sampling) or block (joins). */
const CONTROL_PHASE_SEED = 5;
/** Units that split the rows between them in the current phase (sampling, marking, applying joins). */
const CONTROL_PHASE_UNITS = 6;
const CONTROL_SLOTS = 7;

/** How often a caller waiting on helpers checks whether to stop. */
const STOP_POLL_MS = 100;

const PHASE_TREES = 0;
const PHASE_LEAVES = 1;
const PHASE_SAMPLE = 2;
const PHASE_MARK = 3;
const PHASE_JOIN = 4;

/** Candidate pairs a join unit may list: its rows are as many as fit. */
const JOIN_PAIRS_PER_UNIT = 16384;
/** Join units per block: enough to keep the threads busy between barriers. */
const JOIN_UNITS_PER_BLOCK = 16;
/** Pair lists held at once: two blocks', so one block is listed while the one before it is applied. */
const JOIN_UNIT_SLOTS = 2 * JOIN_UNITS_PER_BLOCK;
/** pynndescent samples min(60, k); at 70k × 32 with k = 90, 20 still recalls 0.996 and halves the joins. */
const MAX_CANDIDATES = 20;

function createDescentState(
  data: Float32Array,
  n: number,
  dim: number,
  rows: NeighborRows,
  memory: KernelMemory,
  firstTreeLeafEnds: Int32Array,
  treeCount: number,
  threadCount: number,
  rng: Rng32,
): DescentState {
  const k = rows.k;
  const candidates = Math.min(MAX_CANDIDATES, k);
  const pairsPerRow = (candidates * (candidates - 1)) / 2 + candidates * candidates;
  const rowsPerUnit = Math.max(1, Math.floor(JOIN_PAIRS_PER_UNIT / pairsPerRow));
  const capacity = rowsPerUnit * pairsPerRow;
  // The first tree ordered the rows: in their numbering its permutation is the identity.
  const treePermutations = memory.int32(treeCount * n);
  for (let i = 0; i < n; i++) treePermutations[i] = i;
  const treeLeafEnds = memory.int32(treeCount * n);
  treeLeafEnds.set(firstTreeLeafEnds);
  const treeLeafCounts = memory.int32(treeCount);
  treeLeafCounts[0] = firstTreeLeafEnds.length;
  return {
    memory: memory.memory,
    n,
    dim,
    k,
    candidates,
    data,
    rows,
    newIndices: memory.int32(n * candidates),
    newPriorities: memory.int32(n * candidates),
    oldIndices: memory.int32(n * candidates),
    oldPriorities: memory.int32(n * candidates),
    treeSeeds: Int32Array.from({ length: treeCount }, () => rng.nextUint32() | 0),
    treePermutations,
    treeLeafEnds,
    treeLeafCounts,
    rowsPerUnit,
    pairP: memory.int32(JOIN_UNIT_SLOTS * capacity),
    pairQ: memory.int32(JOIN_UNIT_SLOTS * capacity),
    pairDistances: memory.float32(JOIN_UNIT_SLOTS * capacity),
    pairCounts: memory.int32(JOIN_UNIT_SLOTS),
    updateCounts: memory.int32(threadCount),
    control: memory.int32(CONTROL_SLOTS),
  };
}

/**
 * Opens the `units` units of a new phase (the last one's are all finished), the first `rowUnits`
 * of them splitting the rows between them; returns its first unit's number.
 */
function openPhase(state: DescentState, phase: number, units: number, rowUnits: number, seed: number): number {
  const control = state.control;
  const first = Atomics.load(control, CONTROL_CLAIMED);
  // Set before the units open: a thread that claims one then reads the phase it belongs to.
  Atomics.store(control, CONTROL_PHASE, phase);
  Atomics.store(control, CONTROL_PHASE_SEED, seed);
  Atomics.store(control, CONTROL_PHASE_UNITS, rowUnits);
  Atomics.store(control, CONTROL_PHASE_FIRST, first);
  openUnits(control, first + units);
  return first;
}

function openUnits(control: Int32Array, below: number): void {
  Atomics.store(control, CONTROL_OPEN, below);
  Atomics.notify(control, CONTROL_OPEN);
}

/**
 * Runs a phase of `units` units here and on any helpers, and waits until all are finished; polls
 * `shouldStop` between units and while waiting.
 */
function runPhase(state: DescentState, kernels: Kernels, phase: number, units: number, rowUnits: number, seed: number, shouldStop: (() => boolean) | undefined): void {
  const control = state.control;
  const end = openPhase(state, phase, units, rowUnits, seed) + units;
  do throwIfStopped(shouldStop, 'nearest neighbours');
  while (claimUnit(state, kernels, end));
  for (let done = Atomics.load(control, CONTROL_FINISHED); done < end; done = Atomics.load(control, CONTROL_FINISHED)) {
    Atomics.wait(control, CONTROL_FINISHED, done, STOP_POLL_MS);
    throwIfStopped(shouldStop, 'nearest neighbours');
  }
}

/** Claims and runs one unit numbered below `open`; false when none is left. */
function claimUnit(state: DescentState, kernels: Kernels, open: number): boolean {
  const control = state.control;
  for (;;) {
    const claimed = Atomics.load(control, CONTROL_CLAIMED);
    if (claimed >= open) return false;
    if (Atomics.compareExchange(control, CONTROL_CLAIMED, claimed, claimed + 1) !== claimed) continue;
    const unit = claimed - Atomics.load(control, CONTROL_PHASE_FIRST);
    const phase = Atomics.load(control, CONTROL_PHASE);
    if (phase === PHASE_TREES) buildTree(state, unit);
    else if (phase === PHASE_LEAVES) leafUnit(state, kernels, unit, Atomics.load(control, CONTROL_PHASE_UNITS));
    else if (phase === PHASE_SAMPLE) sampleUnit(state, unit, Atomics.load(control, CONTROL_PHASE_UNITS), Atomics.load(control, CONTROL_PHASE_SEED));
    else if (phase === PHASE_MARK) markUnit(state, unit, Atomics.load(control, CONTROL_PHASE_UNITS));
    else joinUnit(state, kernels, unit, Atomics.load(control, CONTROL_PHASE_UNITS), Atomics.load(control, CONTROL_PHASE_SEED));
    Atomics.add(control, CONTROL_FINISHED, 1);
    Atomics.notify(control, CONTROL_FINISHED);
    return true;
  }
}

/** A helper's side of NN-descent: claims the units the caller opens until the search is over. */
export function runDescentUnits(state: DescentState, _thread: number): void {
  const control = state.control;
  const kernels = instantiateKernels(state.memory);
  for (let open = Atomics.load(control, CONTROL_OPEN); open >= 0; open = Atomics.load(control, CONTROL_OPEN)) {
    while (claimUnit(state, kernels, open));
    Atomics.wait(control, CONTROL_OPEN, open);
  }
}

/**
 * One iteration's local joins, block by block, on this thread and any helpers; returns the rows'
 * updates. Units list a block's candidate pairs that beat the bars; the next phase applies them,
 * each of `threadCount` units offering them in list order to the rows it owns (so every row sees
 * its offers in one fixed order), while other units list the next block. A listing unit reads
 * bars that the applying ones lower as it goes, but bars only fall: a pair it leaves out would
 * have been refused anyway, and the rows come out the same whichever thread ran what, and when.
 */
function localJoin(state: DescentState, kernels: Kernels, threadCount: number, options: KnnOptions): number {
  const units = Math.ceil(state.n / state.rowsPerUnit);
  const blocks = Math.ceil(units / JOIN_UNITS_PER_BLOCK);
  let updates = 0;
  for (let block = 0; block <= blocks; block++) {
    const listing = block < blocks ? Math.min(units, (block + 1) * JOIN_UNITS_PER_BLOCK) - block * JOIN_UNITS_PER_BLOCK : 0;
    const applying = block > 0 ? threadCount : 0;
    runPhase(state, kernels, PHASE_JOIN, applying + listing, applying, block, options.shouldStop);
    for (let unit = 0; unit < applying; unit++) updates += state.updateCounts[unit];
  }
  return updates;
}

/** Unit `unit` of a join phase for `block`: the first `applying` apply the block before, the rest list this one. */
function joinUnit(state: DescentState, kernels: Kernels, unit: number, applying: number, block: number): void {
  if (unit < applying) applyPairs(state, kernels, block - 1, unit, applying);
  else listPairs(state, kernels, block * JOIN_UNITS_PER_BLOCK + unit - applying, (block % 2) * JOIN_UNITS_PER_BLOCK + unit - applying);
}

/** Offers block `block`'s listed pairs to the rows that unit `unit` of `units` owns. */
function applyPairs(state: DescentState, kernels: Kernels, block: number, unit: number, units: number): void {
  const { n, rows, pairP, pairQ, pairDistances, pairCounts } = state;
  const [from, to] = unitRows(n, unit, units);
  const capacity = pairP.length / JOIN_UNIT_SLOTS;
  const firstSlot = (block % 2) * JOIN_UNITS_PER_BLOCK;
  let updates = 0;
  for (let listed = firstSlot; listed < firstSlot + JOIN_UNITS_PER_BLOCK; listed++) {
    // A block's last lists may be stale ones from two blocks back: only the lists it wrote count.
    if (block * JOIN_UNITS_PER_BLOCK + listed - firstSlot >= Math.ceil(n / state.rowsPerUnit)) break;
    const first = listed * capacity;
    updates += kernels.applyJoinPairs(
      rows.distances.byteOffset,
      rows.indices.byteOffset,
      rows.isNew.byteOffset,
      rows.k,
      pairP.byteOffset,
      pairQ.byteOffset,
      pairDistances.byteOffset,
      first,
      first + pairCounts[listed],
      from,
      to,
    );
  }
  state.updateCounts[unit] = updates;
}

/** Lists, for the rows of join unit `unit`, every new–new and new–old candidate pair closer than both bars, into list `slot`. */
function listPairs(state: DescentState, kernels: Kernels, unit: number, slot: number): void {
  const { n, dim, k, candidates, data, newIndices, oldIndices, rowsPerUnit, pairP, pairQ, pairDistances, pairCounts } = state;
  const first = slot * (pairP.length / JOIN_UNIT_SLOTS);
  const end = kernels.listJoinPairs(
    data.byteOffset,
    dim,
    state.rows.distances.byteOffset,
    k,
    newIndices.byteOffset,
    oldIndices.byteOffset,
    candidates,
    unit * rowsPerUnit,
    Math.min(n, (unit + 1) * rowsPerUnit),
    pairP.byteOffset,
    pairQ.byteOffset,
    pairDistances.byteOffset,
    first,
  );
  pairCounts[slot] = end - first;
}

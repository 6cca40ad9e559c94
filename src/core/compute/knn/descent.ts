/**
 * NN-descent (Dong et al. 2011, as pynndescent does it) over neighbour rows seeded by a
 * random-projection forest, cut into units that helper threads claim from shared memory.
 */

import { throwIfStopped } from '../cancel';
import { createRng, type Rng32 } from '../random';
import type { Kernels, KernelMemory } from '../wasmKernels';
import { instantiateKernels } from '../wasmKernels';
import { fillEmptySlotsRandomly, markUnit, sampleUnit, unitRows } from './candidates';
import type { KnnOptions } from './index';
import type { NeighborRows } from './rows';
import { leafSizeFor, partitionByRandomProjections } from './trees';

/**
 * NN-descent stops once fewer than this fraction of the n × k entries change in a pass. pynndescent
 * stops at 0.001; at 70k × 32, k = 90, the passes between 0.005 and 0.001 cost a third of the search
 * and lift recall only from 0.996 to 0.998.
 */
const CONVERGENCE_DELTA = 0.005;

/**
 * NN-descent: random-projection forest leaves give initial neighbours, then neighbours of
 * neighbours refine them. Every stage is cut into units that helper threads may share; a unit's
 * result does not depend on which thread runs it, and each row receives its offers in one fixed
 * order, so the neighbours found are the same with any number of helpers.
 */
export function nnDescent(
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

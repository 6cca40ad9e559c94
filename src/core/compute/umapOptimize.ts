/**
 * UMAP's layout optimisation (umap-learn's optimize_layout_euclidean): stochastic gradient descent
 * over the fuzzy graph's edges, each sampled on umap-learn's epochs-per-sample schedule, with
 * negative sampling for repulsion, drawn per chunk of work from a cache-sized window of points
 * (short runs of ids at random starts) rather than from all points. The work is cut into chunks of
 * rows per epoch that any thread may claim, so helper threads (lent by the caller) can share the
 * layout Hogwild-style; a chunk runs in WebAssembly (kernels/umapLayout.ts) over one shared
 * `KernelMemory` holding every array.
 */

import { CancelledError } from './cancel';
import type { ProjectionHooks } from './hooks';
import { createRng } from './random';
import type { HelperThreads } from './threads';
import { instantiateKernels, KernelMemory } from './wasmKernels';

/**
 * The edges the optimiser samples, grouped by head point (CSR), with how often each is sampled.
 * Numbering points so that graph neighbours have near ids (`umap` does) keeps their coordinates
 * in cache. The arrays live in `memory` (see `allocateLayoutEdges`), which the SGD extends with
 * its other state.
 */
export interface LayoutEdges {
  memory: KernelMemory;
  /** n + 1 offsets: the edges of point i are rowStart[i] … rowStart[i + 1] − 1. */
  rowStart: Int32Array;
  tails: Int32Array;
  /** Sample an edge every this many epochs: max weight / weight (≥ 1). */
  epochsPerSample: Float32Array;
}

/** Parameters of the optimisation (all required here; `umap` fills in defaults). */
export interface LayoutParameters {
  a: number;
  b: number;
  nEpochs: number;
  learningRate: number;
  negativeSampleRate: number;
  /** Weight of the repulsive term (umap-learn's repulsion_strength). */
  repulsionStrength: number;
  seed: number;
}

/**
 * Everything the SGD reads and writes, all in `memory`: this object is what a helper receives.
 */
export interface LayoutState {
  memory: WebAssembly.Memory;
  n: number;
  nComponents: number;
  parameters: LayoutParameters;
  embedding: Float32Array;
  edges: Omit<LayoutEdges, 'memory'>;
  /** Per edge: the epoch at which it is next sampled, and its next negative samples. */
  nextSample: Float32Array;
  nextNegativeSample: Float32Array;
  /** chunksPerEpoch + 1 row offsets cutting each epoch into chunks of about equal edge counts. */
  chunkRows: Int32Array;
  /**
   * The order in which an epoch's chunks are handed out: round robin over one lane of consecutive
   * chunks per thread. Threads claiming one after the other then work on distant rows; on
   * neighbouring rows (which share graph neighbours when ids follow the data) each would keep
   * taking cache lines the other just wrote, which at 1M points cost a third of the second thread.
   */
  chunkOrder: Int32Array;
  /** See the CONTROL_* slots. */
  control: Int32Array;
  /** Per thread, its window of negative-sample candidates: coordinates and ids. */
  windowPoints: Float32Array[];
  windowIds: Int32Array[];
  /** The gradient coefficients by bin of d² (kernels/umapLayout.ts's fillCoefficientTables). */
  attraction: Float32Array;
  repulsion: Float32Array;
}

/** Next unclaimed chunk, counted over all epochs (chunk c belongs to epoch ⌊c / chunksPerEpoch⌋). */
const CONTROL_CLAIMED = 0;
/** Chunks finished, over all epochs. */
const CONTROL_FINISHED = 1;
/** 1 once the caller has stopped the run: helpers claim nothing more. */
const CONTROL_STOPPED = 2;
const CONTROL_SLOTS = 3;

/** Live layouts handed to `onLayout` per run at most. */
const MAX_LAYOUT_CALLBACKS = 50;
/** Edges per chunk: large enough that claiming a chunk costs nothing, small enough to balance threads and poll shouldStop often. */
const EDGES_PER_CHUNK = 16384;
/**
 * Points a chunk draws its negative samples from, copied into the thread's own memory (32 KB in
 * 2-D, cache-sized) when the chunk starts: WINDOW_RUNS runs of consecutive ids, each at a random
 * start, so every point is equally likely to be in a window. Uniform draws from the whole shared
 * layout would each miss the cache once it outgrows it (≈ 0.1 µs apiece at 1M points, most of
 * the run), and with helpers, fetch lines the other threads keep writing; a run costs one miss.
 * Many short runs rather than one long one keep the window spread over the layout when ids follow
 * position. The copy is at most one chunk old, a staleness Hogwild already tolerates.
 */
const NEGATIVE_SAMPLE_WINDOW = 4096;
const WINDOW_RUNS = 64;

/**
 * Arrays for `edgeCount` edges over n points, in a fresh kernel memory: the caller fills them
 * (rowStart has n + 1 offsets) and passes them to `optimizeLayout`, which adds its state to the
 * same memory rather than copying the largest arrays.
 */
export function allocateLayoutEdges(n: number, edgeCount: number): LayoutEdges {
  const memory = new KernelMemory();
  return { memory, rowStart: memory.int32(n + 1), tails: memory.int32(edgeCount), epochsPerSample: memory.float32(edgeCount) };
}

/** Gathers the SGD's state for `lanes` threads in the edges' kernel memory, the layout a copy of `embedding`. */
function createLayoutState(embedding: Float32Array, n: number, nComponents: number, edges: LayoutEdges, parameters: LayoutParameters, lanes: number): LayoutState {
  const { memory, rowStart, tails, epochsPerSample } = edges;
  const edgeCount = tails.length;
  const nextSample = memory.float32(edgeCount);
  nextSample.set(epochsPerSample);
  const nextNegativeSample = memory.float32(edgeCount);
  for (let e = 0; e < edgeCount; e++) nextNegativeSample[e] = epochsPerSample[e] / parameters.negativeSampleRate;

  const chunksPerEpoch = Math.max(1, Math.min(n, Math.ceil(edgeCount / EDGES_PER_CHUNK)));
  const chunkRows = memory.int32(chunksPerEpoch + 1);
  let row = 0;
  for (let chunk = 1; chunk < chunksPerEpoch; chunk++) {
    const edgeTarget = (edgeCount * chunk) / chunksPerEpoch;
    while (row < n && rowStart[row] < edgeTarget) row++;
    chunkRows[chunk] = row;
  }
  chunkRows[chunksPerEpoch] = n;
  const chunkOrder = memory.int32(chunksPerEpoch);
  const laneStart = (lane: number): number => Math.floor((lane * chunksPerEpoch) / lanes);
  for (let next = 0, step = 0; next < chunksPerEpoch; step++) {
    for (let lane = 0; lane < lanes; lane++) if (laneStart(lane) + step < laneStart(lane + 1)) chunkOrder[next++] = laneStart(lane) + step;
  }

  const window = Math.min(n, NEGATIVE_SAMPLE_WINDOW);
  const kernels = instantiateKernels(memory.memory);
  const attraction = memory.float32(kernels.coefficientBinCount());
  const repulsion = memory.float32(kernels.coefficientBinCount());
  kernels.fillCoefficientTables(attraction.byteOffset, repulsion.byteOffset, parameters.a, parameters.b, parameters.repulsionStrength);
  const layout = memory.float32(n * nComponents);
  layout.set(embedding);
  return {
    memory: memory.memory,
    n,
    nComponents,
    parameters,
    embedding: layout,
    edges: { rowStart, tails, epochsPerSample },
    nextSample,
    nextNegativeSample,
    chunkRows,
    chunkOrder,
    control: memory.int32(CONTROL_SLOTS),
    windowPoints: Array.from({ length: lanes }, () => memory.float32(window * nComponents)),
    windowIds: Array.from({ length: lanes }, () => memory.int32(window)),
    attraction,
    repulsion,
  };
}

/**
 * Runs the SGD on `embedding` (n × nComponents), in place, over `edges` (from
 * `allocateLayoutEdges`, used once). On the calling thread alone (no `threads`, or none to spare)
 * it is deterministic for a given seed. With helper threads the threads race on shared points, as
 * Hogwild SGD (and umap-learn's parallel mode) does, so the layout varies from run to run at the
 * same quality.
 */
export function optimizeLayout(
  embedding: Float32Array,
  n: number,
  nComponents: number,
  edges: LayoutEdges,
  parameters: LayoutParameters,
  hooks: ProjectionHooks = {},
  threads?: HelperThreads,
): void {
  if (nComponents !== 2 && nComponents !== 3) throw new RangeError(`optimizeLayout handles 2 or 3 components, got ${nComponents}`);
  const helperCount = threads?.helpers ?? 0;
  const state = createLayoutState(embedding, n, nComponents, edges, parameters, 1 + helperCount);
  const helpers = helperCount > 0 ? threads?.start('umapLayout', state) : undefined;
  try {
    runLayoutChunks(state, 0, hooks);
  } finally {
    Atomics.store(state.control, CONTROL_STOPPED, 1);
    helpers?.terminate();
  }
  embedding.set(state.embedding);
}

/**
 * Claims and runs chunks until every epoch is done; `thread` 0 is the caller, which also waits
 * for the helpers' last chunks, reports progress and layouts, and polls `shouldStop`.
 */
export function runLayoutChunks(state: LayoutState, thread: number, hooks: ProjectionHooks = {}): void {
  const { n, nComponents, parameters, embedding, nextSample, nextNegativeSample, chunkRows, chunkOrder, control, attraction, repulsion } = state;
  const { rowStart, tails, epochsPerSample } = state.edges;
  const { nEpochs, learningRate, negativeSampleRate } = parameters;
  const { layoutChunk } = instantiateKernels(state.memory);
  const chunksPerEpoch = chunkRows.length - 1;
  const totalChunks = chunksPerEpoch * nEpochs;
  const layoutEvery = Math.max(1, Math.ceil(nEpochs / MAX_LAYOUT_CALLBACKS));
  const windowPoints = state.windowPoints[thread];
  const windowIds = state.windowIds[thread];
  const window = windowIds.length;
  const runs = window < n ? WINDOW_RUNS : 1;
  // xorshift32 for negative samples, one stream per thread.
  let randomState = createRng(parameters.seed + thread * 0x9e3779b9).nextUint32() | 1;
  let reportedEpoch = 0;

  for (;;) {
    if (thread === 0 && hooks.shouldStop?.() === true) {
      Atomics.store(control, CONTROL_STOPPED, 1);
      throw new CancelledError('layout optimisation');
    }
    if (Atomics.load(control, CONTROL_STOPPED) === 1) return;
    const claimed = Atomics.add(control, CONTROL_CLAIMED, 1);
    if (claimed >= totalChunks) break;
    const epoch = Math.floor(claimed / chunksPerEpoch);
    const chunk = chunkOrder[claimed - epoch * chunksPerEpoch];
    randomState = layoutChunk(
      rowStart.byteOffset,
      tails.byteOffset,
      epochsPerSample.byteOffset,
      nextSample.byteOffset,
      nextNegativeSample.byteOffset,
      embedding.byteOffset,
      windowPoints.byteOffset,
      windowIds.byteOffset,
      attraction.byteOffset,
      repulsion.byteOffset,
      n,
      nComponents,
      chunkRows[chunk],
      chunkRows[chunk + 1],
      epoch,
      learningRate * (1 - epoch / nEpochs),
      1 / negativeSampleRate,
      window,
      runs,
      randomState,
    );
    const finished = Atomics.add(control, CONTROL_FINISHED, 1) + 1;
    if (thread !== 0) {
      Atomics.notify(control, CONTROL_FINISHED);
      continue;
    }
    const finishedEpochs = Math.floor(finished / chunksPerEpoch);
    if (finishedEpochs > reportedEpoch) {
      report(state, reportedEpoch, finishedEpochs, layoutEvery, hooks);
      reportedEpoch = finishedEpochs;
    }
  }
  if (thread !== 0) return;
  // Out of chunks: wait for the helpers' last ones (the caller then owns the embedding again).
  for (let finished = Atomics.load(control, CONTROL_FINISHED); finished < totalChunks; finished = Atomics.load(control, CONTROL_FINISHED)) {
    Atomics.wait(control, CONTROL_FINISHED, finished, 100);
    if (hooks.shouldStop?.() === true) {
      Atomics.store(control, CONTROL_STOPPED, 1);
      throw new CancelledError('layout optimisation');
    }
  }
  if (reportedEpoch < nEpochs) report(state, reportedEpoch, nEpochs, layoutEvery, hooks);
}

/**
 * Progress once `epochs` epochs are finished (`before` were at the last report), and a copy of
 * the layout whenever a multiple of `layoutEvery` epochs, or the last epoch, was passed.
 */
function report(state: LayoutState, before: number, epochs: number, layoutEvery: number, hooks: ProjectionHooks): void {
  const nEpochs = state.parameters.nEpochs;
  const fraction = epochs / nEpochs;
  hooks.onProgress?.('optimize', fraction);
  const passedMark = Math.floor(epochs / layoutEvery) > Math.floor(before / layoutEvery) || epochs === nEpochs;
  if (hooks.onLayout !== undefined && passedMark) hooks.onLayout(state.embedding.slice(), fraction);
}

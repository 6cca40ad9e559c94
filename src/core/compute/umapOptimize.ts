/**
 * UMAP's layout optimisation (umap-learn's optimize_layout_euclidean): stochastic gradient descent
 * over the fuzzy graph's edges, each sampled on umap-learn's epochs-per-sample schedule, with
 * negative sampling for repulsion, drawn per chunk of work from a cache-sized window of points
 * (short runs of ids at random starts) rather than from all points. Pure flat-array code. The work is cut into chunks of rows per
 * epoch that any thread may claim, so helper threads (lent by the caller) can share the layout
 * Hogwild-style over SharedArrayBuffers.
 */

import { CancelledError } from './cancel';
import type { ProjectionHooks } from './hooks';
import { createRng } from './random';
import { inSharedMemory, type HelperThreads } from './threads';

/**
 * The edges the optimiser samples, grouped by head point (CSR), with how often each is sampled.
 * Numbering points so that graph neighbours have near ids (`umap` does) keeps their coordinates
 * in cache.
 */
export interface LayoutEdges {
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
 * Everything the SGD reads and writes. With helper threads every array lives in a
 * SharedArrayBuffer, and this object is what a helper receives.
 */
export interface LayoutState {
  n: number;
  nComponents: number;
  parameters: LayoutParameters;
  embedding: Float32Array;
  edges: LayoutEdges;
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
}

/** Next unclaimed chunk, counted over all epochs (chunk c belongs to epoch ⌊c / chunksPerEpoch⌋). */
const CONTROL_CLAIMED = 0;
/** Chunks finished, over all epochs. */
const CONTROL_FINISHED = 1;
/** 1 once the caller has stopped the run: helpers claim nothing more. */
const CONTROL_STOPPED = 2;
const CONTROL_SLOTS = 3;

/** Gradients are clipped to ±4 per coordinate, as in umap-learn, so one bad sample cannot fling a point. */
const GRADIENT_CLIP = 4;
/** Keeps 1/d² finite for near-coincident negative samples. */
const REPULSION_EPSILON = 0.001;
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
 * The gradient coefficients of umap-learn's kernel 1 / (1 + a·d^(2b)), tabulated against d² by
 * its float32 bit pattern: exponent plus the top COEFFICIENT_MANTISSA_BITS mantissa bits, each
 * bin holding the exact value at its midpoint. d² is then off by ≤ 2^−8 relative, and the
 * coefficients, which fall at most as d^−3.8, by ≤ 0.8 %. A lookup
 * replaces a power and a division on the SGD's serial chain of updates to one point, which makes
 * each update 1.5× faster than with uwot's approximate pow (whose error is several per cent).
 */
const COEFFICIENT_MANTISSA_BITS = 7;
/** d² below 2^−32 or above 2^16 uses the end bins: the clipped step is then ~0 either way. */
const COEFFICIENT_LOW_EXPONENT = -32;
const COEFFICIENT_HIGH_EXPONENT = 16;
const COEFFICIENT_BINS = (COEFFICIENT_HIGH_EXPONENT - COEFFICIENT_LOW_EXPONENT) << COEFFICIENT_MANTISSA_BITS;
const COEFFICIENT_FIRST_BITS = (127 + COEFFICIENT_LOW_EXPONENT) << COEFFICIENT_MANTISSA_BITS;
const COEFFICIENT_SHIFT = 23 - COEFFICIENT_MANTISSA_BITS;

const binScratch = new Float32Array(1);
const binScratchBits = new Int32Array(binScratch.buffer);

/** Table bin of a squared distance (≥ 0; 0 falls in the first bin). */
export function coefficientBin(distanceSquared: number): number {
  binScratch[0] = distanceSquared;
  const bin = (binScratchBits[0] >> COEFFICIENT_SHIFT) - COEFFICIENT_FIRST_BITS;
  return bin < 0 ? 0 : bin >= COEFFICIENT_BINS ? COEFFICIENT_BINS - 1 : bin;
}

/**
 * Per bin of d²: attraction −2ab·d^(2(b−1)) / (1 + a·d^(2b)) and repulsion
 * 2γb / ((ε + d²)(1 + a·d^(2b))), umap-learn's coefficients of the coordinate differences.
 */
export function coefficientTables(a: number, b: number, repulsionStrength: number): { attraction: Float32Array; repulsion: Float32Array } {
  const attraction = new Float32Array(COEFFICIENT_BINS);
  const repulsion = new Float32Array(COEFFICIENT_BINS);
  const binsPerOctave = 1 << COEFFICIENT_MANTISSA_BITS;
  for (let bin = 0; bin < COEFFICIENT_BINS; bin++) {
    const octave = Math.floor(bin / binsPerOctave);
    const distanceSquared = Math.pow(2, COEFFICIENT_LOW_EXPONENT + octave) * (1 + ((bin - octave * binsPerOctave) + 0.5) / binsPerOctave);
    const powered = Math.pow(distanceSquared, b);
    attraction[bin] = (-2 * a * b * powered) / (distanceSquared * (a * powered + 1));
    repulsion[bin] = (2 * repulsionStrength * b) / ((REPULSION_EPSILON + distanceSquared) * (a * powered + 1));
  }
  return { attraction, repulsion };
}

/**
 * Gathers the SGD's state for `lanes` threads. `shared` puts every array in a SharedArrayBuffer
 * for helper threads; the embedding is then a shared copy, which `optimizeLayout` copies back.
 */
function createLayoutState(
  embedding: Float32Array,
  n: number,
  nComponents: number,
  edges: LayoutEdges,
  parameters: LayoutParameters,
  lanes: number,
  shared: boolean,
): LayoutState {
  const share = <T extends Float32Array | Int32Array>(array: T): T => inSharedMemory(array, shared);
  const { rowStart, tails, epochsPerSample } = edges;
  const edgeCount = tails.length;
  const nextNegativeSample = new Float32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) nextNegativeSample[e] = epochsPerSample[e] / parameters.negativeSampleRate;

  const chunksPerEpoch = Math.max(1, Math.min(n, Math.ceil(edgeCount / EDGES_PER_CHUNK)));
  const chunkRows = new Int32Array(chunksPerEpoch + 1);
  let row = 0;
  for (let chunk = 1; chunk < chunksPerEpoch; chunk++) {
    const edgeTarget = (edgeCount * chunk) / chunksPerEpoch;
    while (row < n && rowStart[row] < edgeTarget) row++;
    chunkRows[chunk] = row;
  }
  chunkRows[chunksPerEpoch] = n;
  const chunkOrder = new Int32Array(chunksPerEpoch);
  const laneStart = (lane: number): number => Math.floor((lane * chunksPerEpoch) / lanes);
  for (let next = 0, step = 0; next < chunksPerEpoch; step++) {
    for (let lane = 0; lane < lanes; lane++) if (laneStart(lane) + step < laneStart(lane + 1)) chunkOrder[next++] = laneStart(lane) + step;
  }

  return {
    n,
    nComponents,
    parameters,
    embedding: share(embedding),
    edges: { rowStart: share(rowStart), tails: share(tails), epochsPerSample: share(epochsPerSample) },
    nextSample: share(Float32Array.from(epochsPerSample)),
    nextNegativeSample: share(nextNegativeSample),
    chunkRows: share(chunkRows),
    chunkOrder: share(chunkOrder),
    control: share(new Int32Array(CONTROL_SLOTS)),
  };
}

/**
 * Runs the SGD on `embedding` (n × nComponents), in place. On the calling thread alone (no
 * `threads`, or none to spare) it is deterministic for a given seed. With helper threads the
 * threads race on shared points, as Hogwild SGD (and umap-learn's parallel mode) does, so the
 * layout varies from run to run at the same quality.
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
  const parallel = threads !== undefined && threads.helpers > 0;
  const state = createLayoutState(embedding, n, nComponents, edges, parameters, 1 + (parallel ? threads.helpers : 0), parallel);
  const helpers = parallel ? threads.start('umapLayout', state) : undefined;
  try {
    runLayoutChunks(state, 0, hooks);
  } finally {
    Atomics.store(state.control, CONTROL_STOPPED, 1);
    helpers?.terminate();
  }
  if (state.embedding !== embedding) embedding.set(state.embedding);
}

/**
 * Claims and runs chunks until every epoch is done; `thread` 0 is the caller, which also waits
 * for the helpers' last chunks, reports progress and layouts, and polls `shouldStop`.
 */
export function runLayoutChunks(state: LayoutState, thread: number, hooks: ProjectionHooks = {}): void {
  const { n, nComponents, parameters, embedding, nextSample, nextNegativeSample, chunkRows, chunkOrder, control } = state;
  const { rowStart, tails, epochsPerSample } = state.edges;
  const { a, b, nEpochs, learningRate, negativeSampleRate, repulsionStrength } = parameters;
  const { attraction, repulsion } = coefficientTables(a, b, repulsionStrength);
  const chunksPerEpoch = chunkRows.length - 1;
  const totalChunks = chunksPerEpoch * nEpochs;
  const negativeSamplePeriod = 1 / negativeSampleRate;
  const layoutEvery = Math.max(1, Math.ceil(nEpochs / MAX_LAYOUT_CALLBACKS));
  // Coordinates are handled as scalars (x, y and, in 3-D, z) rather than in a loop over
  // components: V8 then keeps them in registers, about 1.5× faster per update.
  const threeD = nComponents === 3;
  const window = Math.min(n, NEGATIVE_SAMPLE_WINDOW);
  const windowScale = window / 4294967296;
  const windowPoints = new Float32Array(window * nComponents);
  const windowIds = new Int32Array(window);
  const runs = window < n ? WINDOW_RUNS : 1;
  const runLength = window / runs;
  // xorshift32 for negative samples, one stream per thread: inlined, because a call per sample costs more than the sample.
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
    const alpha = learningRate * (1 - epoch / nEpochs);
    for (let slot = 0; slot < window; ) {
      randomState ^= randomState << 13;
      randomState ^= randomState >>> 17;
      randomState ^= randomState << 5;
      const start = ((randomState >>> 0) * (n / 4294967296)) | 0;
      // The run's coordinates are one block of the layout (two when it wraps past the last point): copied whole.
      const beforeEnd = Math.min(runLength, n - start);
      windowPoints.set(embedding.subarray(start * nComponents, (start + beforeEnd) * nComponents), slot * nComponents);
      if (beforeEnd < runLength) windowPoints.set(embedding.subarray(0, (runLength - beforeEnd) * nComponents), (slot + beforeEnd) * nComponents);
      for (let id = start, runEnd = slot + runLength; slot < runEnd; slot++, id = id + 1 === n ? 0 : id + 1) windowIds[slot] = id;
    }

    for (let row = chunkRows[chunk]; row < chunkRows[chunk + 1]; row++) {
      const current = row * nComponents;
      for (let e = rowStart[row]; e < rowStart[row + 1]; e++) {
        if (nextSample[e] > epoch) continue;
        let other = tails[e] * nComponents;
        let x = embedding[current];
        let y = embedding[current + 1];
        let z = threeD ? embedding[current + 2] : 0;
        let dx = x - embedding[other];
        let dy = y - embedding[other + 1];
        let dz = threeD ? z - embedding[other + 2] : 0;
        // At d = 0 the step is 0 whatever the coefficient, as umap-learn's `if dist_squared > 0` leaves it.
        let coefficient = attraction[coefficientBin(dx * dx + dy * dy + dz * dz)];
        const stepX = clip(coefficient * dx) * alpha;
        const stepY = clip(coefficient * dy) * alpha;
        x += stepX;
        y += stepY;
        embedding[other] -= stepX;
        embedding[other + 1] -= stepY;
        if (threeD) {
          const stepZ = clip(coefficient * dz) * alpha;
          z += stepZ;
          embedding[other + 2] -= stepZ;
        }
        nextSample[e] += epochsPerSample[e];

        const period = epochsPerSample[e] * negativeSamplePeriod;
        const negativeSamples = Math.floor((epoch - nextNegativeSample[e]) / period);
        for (let s = 0; s < negativeSamples; s++) {
          randomState ^= randomState << 13;
          randomState ^= randomState >>> 17;
          randomState ^= randomState << 5;
          const sampled = ((randomState >>> 0) * windowScale) | 0;
          if (windowIds[sampled] === row) continue;
          other = sampled * nComponents;
          dx = x - windowPoints[other];
          dy = y - windowPoints[other + 1];
          dz = threeD ? z - windowPoints[other + 2] : 0;
          // A coincident point gives no direction to push along: its step is 0.
          coefficient = repulsion[coefficientBin(dx * dx + dy * dy + dz * dz)];
          x += clip(coefficient * dx) * alpha;
          y += clip(coefficient * dy) * alpha;
          if (threeD) z += clip(coefficient * dz) * alpha;
        }
        embedding[current] = x;
        embedding[current + 1] = y;
        if (threeD) embedding[current + 2] = z;
        nextNegativeSample[e] += negativeSamples * period;
      }
    }
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

function clip(gradient: number): number {
  return gradient > GRADIENT_CLIP ? GRADIENT_CLIP : gradient < -GRADIENT_CLIP ? -GRADIENT_CLIP : gradient;
}

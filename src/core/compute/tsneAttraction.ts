/**
 * t-SNE's attractive forces as units that a helper thread may claim while the calling thread
 * computes the repulsion: rows are cut into ATTRACTION_UNITS ranges of about equal edge counts,
 * each unit writes its own partial sums, and the caller adds the partials in unit order, so the
 * forces are bit-for-bit the same whichever thread ran which unit, or with no helper at all.
 * A unit's pairs run in WebAssembly (kernels/tsneAttraction.ts) over one shared `KernelMemory`.
 * The layout lives here too, so that the points can be renumbered for cache locality.
 */

import type { HelperThreads } from './threads';
import { instantiateKernels, KernelMemory, type Kernels } from './wasmKernels';

/** Enough units for the caller to take a share when the repulsion finishes first, few enough that adding partials stays cheap. */
const ATTRACTION_UNITS = 4;

/** Generation the caller has published: positions are ready for that iteration's units. */
const CONTROL_GENERATION = 0;
/** Units claimed, over all generations (generation g owns claims (g − 1)·units … g·units − 1). */
const CONTROL_CLAIMED = 1;
/** Units finished, over all generations. */
const CONTROL_FINISHED = 2;
/** 1 once the caller is done: helpers return. */
const CONTROL_STOPPED = 3;
const CONTROL_SLOTS = 4;

/**
 * Everything the attractive pass reads and writes, every array in `memory`: this object is what
 * the helper receives.
 */
export interface AttractionState {
  memory: WebAssembly.Memory;
  n: number;
  dims: 2 | 3;
  positions: Float64Array;
  /** Symmetric P as rows of columns j > i (see SparseAffinities in tsne.ts). */
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
  /** ATTRACTION_UNITS + 1 row bounds. */
  unitRows: Int32Array;
  /** ATTRACTION_UNITS × n × dims: each unit's Σ_j p_ij w_ij (y_i − y_j) over its pairs. */
  partials: Float64Array;
  control: Int32Array;
}

/** Affinities as t-SNE stores them: compressed rows holding each pair once. */
interface PairRows {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/**
 * The attractive pass of one t-SNE run: `positions` is the layout it reads (shared with the
 * helper when there is one; the optimiser updates it in place between iterations).
 */
export class ParallelAttraction {
  readonly positions: Float64Array;
  /** `order[k]` is the point stored at index k (see `renumber`). */
  readonly order: Int32Array;
  private readonly state: AttractionState;
  private readonly helpers: { terminate(): void } | undefined;
  private readonly kernels: Kernels;
  private generation = 0;

  constructor(positions: Float64Array, affinities: PairRows, n: number, dims: 2 | 3, threads: HelperThreads | undefined) {
    const memory = new KernelMemory();
    const copy = <T extends Float64Array | Int32Array>(array: T): T => {
      const copied = (array instanceof Float64Array ? memory.float64(array.length) : memory.int32(array.length)) as T;
      copied.set(array);
      return copied;
    };
    this.state = {
      memory: memory.memory,
      n,
      dims,
      positions: copy(positions),
      rowStart: copy(affinities.rowStart),
      columns: copy(affinities.columns),
      values: copy(affinities.values),
      unitRows: copy(unitBounds(affinities.rowStart, n)),
      partials: memory.float64(ATTRACTION_UNITS * n * dims),
      control: memory.int32(CONTROL_SLOTS),
    };
    this.positions = this.state.positions;
    this.kernels = instantiateKernels(memory.memory);
    this.order = Int32Array.from({ length: n }, (_, k) => k);
    this.helpers = threads !== undefined && threads.helpers > 0 ? threads.start('tsneAttraction', this.state) : undefined;
  }

  /**
   * Starts an iteration's attractive pass on the helper, runs `alongside` (the repulsion) on this
   * thread, joins the pass, and leaves Σ_j p_ij w_ij (y_i − y_j) for every i in `attractive`.
   */
  compute<T>(attractive: Float64Array, alongside: () => T): T {
    const { control, partials, n, dims } = this.state;
    const generation = ++this.generation;
    Atomics.store(control, CONTROL_GENERATION, generation);
    Atomics.notify(control, CONTROL_GENERATION);
    const result = alongside();
    runClaimedUnits(this.state, generation, this.kernels);
    const target = generation * ATTRACTION_UNITS;
    for (let finished = Atomics.load(control, CONTROL_FINISHED); finished < target; finished = Atomics.load(control, CONTROL_FINISHED)) {
      Atomics.wait(control, CONTROL_FINISHED, finished);
    }
    const size = n * dims;
    attractive.set(partials.subarray(0, size));
    for (let unit = 1; unit < ATTRACTION_UNITS; unit++) {
      const offset = unit * size;
      for (let c = 0; c < size; c++) attractive[c] += partials[offset + c];
    }
    return result;
  }

  /**
   * Stores the points in a new order, `order[k]` being the current index of the point that moves
   * to index k: positions move and pairs are renumbered in place (each pair again in the row of its
   * lower index), between iterations, while the helper waits.
   */
  renumber(order: Int32Array): void {
    const { n, dims, positions, rowStart, columns, values, unitRows } = this.state;
    const newIndex = new Int32Array(n);
    for (let k = 0; k < n; k++) newIndex[order[k]] = k;
    const moved = Float64Array.from(positions);
    for (let k = 0; k < n; k++) {
      for (let d = 0; d < dims; d++) positions[k * dims + d] = moved[order[k] * dims + d];
    }
    const oldColumns = Int32Array.from(columns);
    const oldValues = Float64Array.from(values);
    const oldRowStart = Int32Array.from(rowStart);
    rowStart.fill(0);
    for (let i = 0; i < n; i++) {
      for (let e = oldRowStart[i]; e < oldRowStart[i + 1]; e++) rowStart[Math.min(newIndex[i], newIndex[oldColumns[e]]) + 1]++;
    }
    for (let k = 0; k < n; k++) rowStart[k + 1] += rowStart[k];
    const fill = rowStart.slice(0, n);
    for (let i = 0; i < n; i++) {
      for (let e = oldRowStart[i]; e < oldRowStart[i + 1]; e++) {
        const a = newIndex[i];
        const b = newIndex[oldColumns[e]];
        const at = fill[Math.min(a, b)]++;
        columns[at] = Math.max(a, b);
        values[at] = oldValues[e];
      }
    }
    unitRows.set(unitBounds(rowStart, n));
    const previous = Int32Array.from(this.order);
    for (let k = 0; k < n; k++) this.order[k] = previous[order[k]];
  }

  /** The layout as Float32, each point back at its index from before any `renumber`. */
  layoutInInputOrder(): Float32Array {
    const { n, dims, positions } = this.state;
    const layout = new Float32Array(n * dims);
    for (let k = 0; k < n; k++) {
      for (let d = 0; d < dims; d++) layout[this.order[k] * dims + d] = positions[k * dims + d];
    }
    return layout;
  }

  /** Ends the helper (call once the optimisation is over or abandoned). */
  stop(): void {
    const { control } = this.state;
    Atomics.store(control, CONTROL_STOPPED, 1);
    Atomics.add(control, CONTROL_GENERATION, 1);
    Atomics.notify(control, CONTROL_GENERATION);
    this.helpers?.terminate();
  }
}

/** A helper's loop: waits for each published generation and claims what is left of it. */
export function runAttractionHelper(state: AttractionState): void {
  const { control } = state;
  const kernels = instantiateKernels(state.memory);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, CONTROL_GENERATION, seen);
    if (Atomics.load(control, CONTROL_STOPPED) === 1) return;
    seen = Atomics.load(control, CONTROL_GENERATION);
    runClaimedUnits(state, seen, kernels);
  }
}

/** Claims and runs this generation's unclaimed units, one at a time, until none is left. */
function runClaimedUnits(state: AttractionState, generation: number, kernels: Kernels): void {
  const { control } = state;
  const end = generation * ATTRACTION_UNITS;
  for (;;) {
    const claimed = Atomics.load(control, CONTROL_CLAIMED);
    if (claimed >= end) return;
    if (Atomics.compareExchange(control, CONTROL_CLAIMED, claimed, claimed + 1) !== claimed) continue;
    runUnit(state, claimed - (generation - 1) * ATTRACTION_UNITS, kernels);
    Atomics.add(control, CONTROL_FINISHED, 1);
    Atomics.notify(control, CONTROL_FINISHED);
  }
}

/** One unit's rows into its partial sums, visiting each stored pair once. */
function runUnit(state: AttractionState, unit: number, kernels: Kernels): void {
  const { n, dims, positions, rowStart, columns, values, unitRows } = state;
  const out = state.partials.subarray(unit * n * dims, (unit + 1) * n * dims);
  out.fill(0);
  kernels.attractionRows(positions.byteOffset, rowStart.byteOffset, columns.byteOffset, values.byteOffset, out.byteOffset, unitRows[unit], unitRows[unit + 1], dims);
}

/** Row bounds cutting the pairs into ATTRACTION_UNITS ranges of about equal size. */
function unitBounds(rowStart: Int32Array, n: number): Int32Array {
  const bounds = new Int32Array(ATTRACTION_UNITS + 1);
  const pairs = rowStart[n];
  let row = 0;
  for (let unit = 1; unit < ATTRACTION_UNITS; unit++) {
    while (row < n && rowStart[row] < (pairs * unit) / ATTRACTION_UNITS) row++;
    bounds[unit] = row;
  }
  bounds[ATTRACTION_UNITS] = n;
  return bounds;
}

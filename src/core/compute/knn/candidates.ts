/** NN-descent's candidates: random fill of short rows, and sampling new and old candidates per unit of rows. */

import type { Rng32 } from '../random';
import type { Kernels } from '../wasmKernels';
import type { DescentState } from './descent';
import { offerNeighbor, type NeighborRows } from './rows';

/** Leaves smaller than k can leave rows short; random points fill them so every row is complete. */
export function fillEmptySlotsRandomly(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, kernels: Kernels, rng: Rng32): void {
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
export function unitRows(n: number, unit: number, units: number): [number, number] {
  return [Math.floor((unit * n) / units), Math.floor(((unit + 1) * n) / units)];
}

/**
 * Samples, for the rows this unit owns, up to `candidates` new and old candidates from their
 * neighbours and reverse neighbours. Every unit reads all rows in order and offers only to its own,
 * so each row gets its offers in the same order whichever unit, on whichever thread, owns it.
 */
export function sampleUnit(state: DescentState, unit: number, units: number, seed: number): void {
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
export function markUnit(state: DescentState, unit: number, units: number): void {
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

/** The bounded neighbour rows that every search fills, and the exact search over them. */

import { throwIfStopped } from '../cancel';
import type { Kernels, KernelMemory } from '../wasmKernels';
import type { KnnOptions } from './index';

/**
 * n bounded rows of (squared distance, index, isNew) in flat arrays, each kept sorted nearest
 * first (ties by index); the last entry of a row is its current k-th nearest, the bar a new
 * candidate has to beat. In the search's kernel memory, where helper threads share them.
 */
export interface NeighborRows {
  n: number;
  k: number;
  indices: Int32Array;
  distances: Float32Array;
  /** 1 while a neighbour has not yet taken part in a local join (NN-descent's "new" flag). */
  isNew: Uint8Array;
}

/** Empty rows in `memory`. */
export function createNeighborRows(n: number, k: number, memory: KernelMemory): NeighborRows {
  return { n, k, indices: memory.int32(n * k).fill(-1), distances: memory.float32(n * k).fill(Infinity), isNew: memory.uint8(n * k) };
}

/** kernels/knn.ts's offerNeighbor on `rows`: 1 when the row changed. */
export function offerNeighbor(kernels: Kernels, rows: NeighborRows, row: number, distance: number, candidate: number, isNew: number): number {
  return kernels.offerNeighbor(rows.distances.byteOffset, rows.indices.byteOffset, rows.isNew.byteOffset, rows.k, row, distance, candidate, isNew);
}

/** Query rows handled together, so each other row is read from memory once per block, not once per row. */
const BRUTE_FORCE_BLOCK_ROWS = 32;

/** Every pair once, each distance offered to both endpoints' rows, in blocks of rows (`data` in the rows' memory). */
export function bruteForce(data: Float32Array, n: number, dim: number, neighbors: NeighborRows, kernels: Kernels, options: KnnOptions): void {
  for (let blockStart = 0; blockStart < n; blockStart += BRUTE_FORCE_BLOCK_ROWS) {
    throwIfStopped(options.shouldStop, 'nearest neighbours');
    // Rows before blockStart are done, and they scanned the most pairs: 1 − ((n − start)/n)² of the work.
    options.onProgress?.(1 - ((n - blockStart) / n) ** 2);
    const { distances, indices, isNew, k } = neighbors;
    const blockEnd = Math.min(n, blockStart + BRUTE_FORCE_BLOCK_ROWS);
    kernels.offerBlockPairs(data.byteOffset, dim, distances.byteOffset, indices.byteOffset, isNew.byteOffset, k, n, blockStart, blockEnd);
  }
}

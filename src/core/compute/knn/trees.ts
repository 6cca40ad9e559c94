/** Random-projection trees: NN-descent's first neighbours, and the row order of the search. */

import type { Rng32 } from '../random';

/** Points per random-projection tree leaf: every pair in a leaf is offered, so leaves about k wide seed full rows. */
export const leafSizeFor = (k: number): number => Math.max(10, k);

/**
 * Builds a random-projection tree in `permutation`: splits the points recursively by random
 * hyperplanes (the perpendicular bisector of two random points) until each part has at most
 * `leafSize` points. Each leaf is a range of `permutation`; `onLeaf` gets their ends in order
 * (a leaf starts where the one before it ended).
 */
export function partitionByRandomProjections(
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

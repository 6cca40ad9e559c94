// AssemblyScript, compiled to WebAssembly by esbuild.mjs (see ../wasmKernels.ts): the distance
// computations and neighbour-row updates of ../knn.ts's searches (brute force and NN-descent),
// which schedules them over threads. Distances are summed in float32x4 lanes, four features per
// operation. Every argument that names an array is its byte offset in the shared memory.

/**
 * Squared distance between rows a and b of `data` (dim float32 features each), abandoned
 * (returning a value ≥ bound) once a partial sum reaches `bound`: most NN-descent candidates lose,
 * and lose early. The sum runs in a fixed order, so a pair's distance is bit for bit the same
 * whichever end asks for it (offerNeighbor relies on that).
 */
export function squaredDistanceWithin(data: usize, a: i32, b: i32, dim: i32, bound: f32): f32 {
  const rowBytes = <usize>dim << 2;
  const rowA = data + <usize>a * rowBytes;
  const rowB = data + <usize>b * rowBytes;
  let sum: f32 = 0;
  let d: usize = 0;
  for (; d + 32 <= rowBytes; d += 32) {
    const low = f32x4.sub(v128.load(rowA + d), v128.load(rowB + d));
    const high = f32x4.sub(v128.load(rowA + d + 16), v128.load(rowB + d + 16));
    const squares = f32x4.add(f32x4.mul(low, low), f32x4.mul(high, high));
    sum += f32x4.extract_lane(squares, 0) + f32x4.extract_lane(squares, 1) + (f32x4.extract_lane(squares, 2) + f32x4.extract_lane(squares, 3));
    if (sum >= bound) return sum;
  }
  for (; d < rowBytes; d += 4) {
    const difference = load<f32>(rowA + d) - load<f32>(rowB + d);
    sum += difference * difference;
  }
  return sum;
}

/**
 * Offers `candidate` at squared distance `distance` to `row` of the k-wide neighbour rows
 * (distances ascending, ties by index, isNew flags beside): returns 1 when the row changed, else 0.
 * A candidate the row already holds sits exactly where a binary search on (distance, index)
 * lands: most offers in NN-descent are such repeats, found in log k steps instead of a scan of k.
 */
export function offerNeighbor(distances: usize, indices: usize, isNew: usize, k: i32, row: i32, distance: f32, candidate: i32, isNewValue: u8): i32 {
  const base = <usize>row * <usize>k;
  if (!(distance < load<f32>(distances + ((base + <usize>k - 1) << 2)))) return 0;
  // First position whose entry comes after (distance, candidate).
  let low = base;
  let high = base + <usize>k - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    const stored = load<f32>(distances + (middle << 2));
    if (stored < distance || (stored == distance && load<i32>(indices + (middle << 2)) <= candidate)) low = middle + 1;
    else high = middle;
  }
  if (low > base && load<f32>(distances + ((low - 1) << 2)) == distance && load<i32>(indices + ((low - 1) << 2)) == candidate) return 0;
  const moved = base + <usize>k - 1 - low;
  memory.copy(distances + ((low + 1) << 2), distances + (low << 2), moved << 2);
  memory.copy(indices + ((low + 1) << 2), indices + (low << 2), moved << 2);
  memory.copy(isNew + low + 1, isNew + low, moved);
  store<f32>(distances + (low << 2), distance);
  store<i32>(indices + (low << 2), candidate);
  store<u8>(isNew + low, isNewValue);
  return 1;
}

/**
 * Offers every pair inside the leaf permutation[start … end − 1] to the rows in [from, to) at
 * either end (flagged new); a pair with neither end there is skipped.
 */
export function offerLeafPairs(data: usize, dim: i32, distances: usize, indices: usize, isNew: usize, k: i32, permutation: usize, start: i32, end: i32, from: i32, to: i32): void {
  for (let a = start; a < end; a++) {
    const p = load<i32>(permutation + (<usize>a << 2));
    const ownsP = p >= from && p < to;
    for (let b = a + 1; b < end; b++) {
      const q = load<i32>(permutation + (<usize>b << 2));
      const ownsQ = q >= from && q < to;
      if (!ownsP && !ownsQ) continue;
      const distance = squaredDistanceWithin(data, p, q, dim, Infinity);
      if (ownsP) offerNeighbor(distances, indices, isNew, k, p, distance, q, 1);
      if (ownsQ) offerNeighbor(distances, indices, isNew, k, q, distance, p, 1);
    }
  }
}

/**
 * Lists, for rows firstRow … endRow − 1, every new–new and new–old candidate pair (from the rows'
 * `size` sampled candidates of each kind, −1 for none) closer than both ends' k-th neighbours,
 * into pairP/pairQ/pairDistances from index `first` on; returns the index after the last pair.
 */
export function listJoinPairs(
  data: usize,
  dim: i32,
  distances: usize,
  k: i32,
  newIndices: usize,
  oldIndices: usize,
  size: i32,
  firstRow: i32,
  endRow: i32,
  pairP: usize,
  pairQ: usize,
  pairDistances: usize,
  first: i32,
): i32 {
  let count = first;
  const barOffset = <usize>(k - 1) << 2;
  const rowBars = <usize>k << 2;
  for (let row = firstRow; row < endRow; row++) {
    const base = <usize>row * <usize>size;
    for (let a = 0; a < size; a++) {
      const p = load<i32>(newIndices + ((base + <usize>a) << 2));
      if (p < 0) continue;
      const barP = load<f32>(distances + <usize>p * rowBars + barOffset);
      for (let b = a + 1; b < size; b++) {
        const q = load<i32>(newIndices + ((base + <usize>b) << 2));
        if (q < 0) continue;
        count = listIfCloser(data, dim, p, q, max<f32>(barP, load<f32>(distances + <usize>q * rowBars + barOffset)), pairP, pairQ, pairDistances, count);
      }
      for (let b = 0; b < size; b++) {
        const q = load<i32>(oldIndices + ((base + <usize>b) << 2));
        if (q < 0 || q == p) continue;
        count = listIfCloser(data, dim, p, q, max<f32>(barP, load<f32>(distances + <usize>q * rowBars + barOffset)), pairP, pairQ, pairDistances, count);
      }
    }
  }
  return count;
}

@inline
function listIfCloser(data: usize, dim: i32, p: i32, q: i32, bound: f32, pairP: usize, pairQ: usize, pairDistances: usize, count: i32): i32 {
  const distance = squaredDistanceWithin(data, p, q, dim, bound);
  if (!(distance < bound)) return count;
  const at = <usize>count << 2;
  store<i32>(pairP + at, p);
  store<i32>(pairQ + at, q);
  store<f32>(pairDistances + at, distance);
  return count + 1;
}

/**
 * Offers listed pairs first … end − 1 to the rows in [from, to) at either end (flagged new);
 * returns the row changes made.
 */
export function applyJoinPairs(distances: usize, indices: usize, isNew: usize, k: i32, pairP: usize, pairQ: usize, pairDistances: usize, first: i32, end: i32, from: i32, to: i32): i32 {
  let updates = 0;
  for (let slot = first; slot < end; slot++) {
    const at = <usize>slot << 2;
    const p = load<i32>(pairP + at);
    const q = load<i32>(pairQ + at);
    const distance = load<f32>(pairDistances + at);
    if (p >= from && p < to) updates += offerNeighbor(distances, indices, isNew, k, p, distance, q, 1);
    if (q >= from && q < to) updates += offerNeighbor(distances, indices, isNew, k, q, distance, p, 1);
  }
  return updates;
}

/**
 * Brute force for query rows blockStart … blockEnd − 1: every pair (i, j) with i in the block and
 * i < j < n, its distance offered to both rows (flagged old). Blocks of rows share each other row's
 * read from memory.
 */
export function offerBlockPairs(data: usize, dim: i32, distances: usize, indices: usize, isNew: usize, k: i32, n: i32, blockStart: i32, blockEnd: i32): void {
  for (let j = blockStart + 1; j < n; j++) {
    const last = min<i32>(blockEnd, j);
    for (let i = blockStart; i < last; i++) {
      const distance = squaredDistanceWithin(data, i, j, dim, Infinity);
      offerNeighbor(distances, indices, isNew, k, i, distance, j, 0);
      offerNeighbor(distances, indices, isNew, k, j, distance, i, 0);
    }
  }
}

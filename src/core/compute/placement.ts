/**
 * Carries points between two spaces by their nearest neighbours: places new codes in an existing
 * t-SNE/UMAP layout (which has no transform of its own), and maps a spot in the layout back to a
 * code. Both blend the k nearest known points with inverse-distance weights.
 */

export interface NeighbourBlend {
  /** m × targetDim blended values. */
  values: Float32Array;
  /** Per query: Euclidean distance to the nearest known point in the source space. */
  nearestDistance: Float32Array;
}

/**
 * For each of m queries (m × sourceDim), finds its k nearest among n known points (n × sourceDim)
 * and blends their targets (n × targetDim) with weights 1/(distance + ε).
 */
export function blendByNeighbors(
  known: Float32Array,
  targets: Float32Array,
  n: number,
  sourceDim: number,
  targetDim: number,
  queries: Float32Array,
  m: number,
  k = 5,
): NeighbourBlend {
  if (known.length !== n * sourceDim) throw new RangeError(`known has ${known.length} values, expected ${n} × ${sourceDim}`);
  if (targets.length !== n * targetDim) throw new RangeError(`targets have ${targets.length} values, expected ${n} × ${targetDim}`);
  if (queries.length !== m * sourceDim) throw new RangeError(`queries have ${queries.length} values, expected ${m} × ${sourceDim}`);
  if (n === 0) throw new RangeError('no known points to blend from');
  const kEff = Math.min(k, n);
  const values = new Float32Array(m * targetDim);
  const nearestDistance = new Float32Array(m);
  const bestIndex = new Int32Array(kEff);
  const bestDist = new Float64Array(kEff);
  for (let q = 0; q < m; q++) {
    bestDist.fill(Infinity);
    bestIndex.fill(-1);
    const qOffset = q * sourceDim;
    for (let i = 0; i < n; i++) {
      let d = 0;
      const offset = i * sourceDim;
      for (let c = 0; c < sourceDim; c++) {
        const diff = known[offset + c] - queries[qOffset + c];
        d += diff * diff;
      }
      if (d >= bestDist[kEff - 1]) continue;
      // Insertion into the sorted k-best list; k is small, so this beats a heap.
      let slot = kEff - 1;
      while (slot > 0 && bestDist[slot - 1] > d) {
        bestDist[slot] = bestDist[slot - 1];
        bestIndex[slot] = bestIndex[slot - 1];
        slot--;
      }
      bestDist[slot] = d;
      bestIndex[slot] = i;
    }
    nearestDistance[q] = Math.sqrt(bestDist[0]);
    let weightSum = 0;
    for (let j = 0; j < kEff; j++) {
      const weight = 1 / (Math.sqrt(bestDist[j]) + 1e-9);
      weightSum += weight;
      const tOffset = bestIndex[j] * targetDim;
      for (let c = 0; c < targetDim; c++) values[q * targetDim + c] += weight * targets[tOffset + c];
    }
    for (let c = 0; c < targetDim; c++) values[q * targetDim + c] /= weightSum;
  }
  return { values, nearestDistance };
}

/** Comparing two checkpoints on the same samples: latent-neighbour drift and reconstruction-error changes. */
import type { CompareStatsRequest, CompareStatsResponse } from '../../../shared/protocol';
import { nearestNeighbors } from '../../compute/knn';
import { knnAccuracy, neighborOverlap } from '../../compute/metrics';
import { mean } from '../../../shared/numeric';
import { shownCount, withData, SessionError, type SessionState } from '../state';

export async function compareStats(session: SessionState, request: CompareStatsRequest): Promise<CompareStatsResponse> {
  const state = withData(session);
  const [a, b] = state.slots;
  if (state.slots.length !== 2) throw new SessionError('invalid-argument', 'comparison statistics need two models');
  const cached = state.cache.compare;
  if (cached?.k === request.k) return cached.stats;
  const stats = compareCodes(
    { codes: a.codes, dim: a.model.latentSize, errors: a.errors },
    { codes: b.codes, dim: b.model.latentSize, errors: b.errors },
    shownCount(state),
    state.data.labels,
    request.k,
    state.settings.seed,
  );
  state.cache.compare = { k: request.k, stats };
  return stats;
}

export interface CodesForComparison {
  codes: Float32Array;
  dim: number;
  errors: Float32Array | null;
}

/**
 * Drift and error deltas between two encodings of the same n samples. Drift is the share of a
 * sample's k nearest latent neighbours under A that are not among them under B: it needs no
 * projection, so it also compares models whose latent sizes differ.
 */
export function compareCodes(
  a: CodesForComparison,
  b: CodesForComparison,
  n: number,
  labels: Int32Array | null,
  k: number,
  seed: number,
  topCount = 20,
): CompareStatsResponse {
  if (k < 1 || k >= n) throw new SessionError('invalid-argument', `k (${k}) must be between 1 and the number of samples − 1 (${n - 1})`);
  const graphA = nearestNeighbors(a.codes, n, a.dim, k, { seed });
  const graphB = nearestNeighbors(b.codes, n, b.dim, k, { seed });
  const overlap = neighborOverlap(graphA, graphB);
  const drift = new Float32Array(n);
  for (let i = 0; i < n; i++) drift[i] = 1 - overlap.perPoint[i];
  const errorA = a.errors ?? new Float32Array(n).fill(NaN);
  const errorB = b.errors ?? new Float32Array(n).fill(NaN);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => drift[y] - drift[x] || x - y);
  const changed: { index: number; delta: number }[] = [];
  for (let i = 0; i < n; i++) {
    const delta = errorB[i] - errorA[i];
    if (Number.isFinite(delta)) changed.push({ index: i, delta });
  }
  changed.sort((x, y) => y.delta - x.delta || x.index - y.index);
  return {
    drift,
    errorA,
    errorB,
    a: { mse: mean(errorA), knnAccuracy: labels ? knnAccuracy(graphA, labels) : null },
    b: { mse: mean(errorB), knnAccuracy: labels ? knnAccuracy(graphB, labels) : null },
    neighborOverlap: overlap.mean,
    topMovers: order.slice(0, topCount).map((index) => ({ index, drift: drift[index] })),
    errorChanges: {
      worse: changed.filter((c) => c.delta > 0).slice(0, topCount),
      better: changed.filter((c) => c.delta < 0).slice(-topCount).reverse(),
    },
  };
}

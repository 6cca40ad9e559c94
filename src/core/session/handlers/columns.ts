/**
 * Per-sample columns the plot colours by (labels, errors, latent units, clusters, drift,
 * sensitivity, faithfulness), the ranking of a continuous column against a threshold, and the
 * k-means clusterings that colouring and decoded centroids share.
 */
import type { ClusterCentroidsRequest, ClusterCentroidsResponse, ColumnRequest, ColumnResponse, RankRequest, RankResponse } from '../../../shared/protocol';
import { kmeans, chooseK, silhouette, type KmeansResult } from '../../compute/kmeans';
import { nearestNeighbors } from '../../compute/knn';
import { neighborOverlap, clusterPurity } from '../../compute/metrics';
import { flagAbove, jacobianNorms } from '../../latentTools';
import { mean } from '../../../shared/numeric';
import { errorsOf, labelsOf, layoutOf, shownCount, slotOf, withData, SessionError, type DataState, type SessionState, type SlotState } from '../state';
import { compareStats } from './compare';
import { metadataColumn } from './metadata';
import { frames } from './latent';

export async function column(session: SessionState, request: ColumnRequest): Promise<ColumnResponse> {
  const state = withData(session);
  const { column } = request;
  const n = shownCount(state);
  switch (column.kind) {
    case 'label': {
      const labels = labelsOf(state, 'this dataset has no labels to colour by');
      return { column, values: Float32Array.from(labels), scale: 'categorical', categories: state.data.info.labels?.classes ?? null, stats: {} };
    }
    case 'reconstructionError': {
      const errors = errorsOf(slotOf(state, column.slot), 'this model cannot reconstruct its input, so it has no reconstruction error');
      // The anomaly rule the UI starts from: flag errors above mean + 3σ.
      const anomalyThreshold = flagAbove(errors, null, 0).defaultThreshold;
      return { column, values: errors, scale: 'continuous', categories: null, stats: { ...summaryStats(errors), anomalyThreshold } };
    }
    case 'sensitivity': {
      const values = await sensitivity(state, slotOf(state, column.slot));
      return { column, values, scale: 'continuous', categories: null, stats: summaryStats(values) };
    }
    case 'faithfulness': {
      const slot = slotOf(state, column.slot);
      const layout = layoutOf(slot, 'project the codes first: faithfulness compares the layout with the latent space');
      const k = Math.min(10, n - 1);
      const latentGraph = nearestNeighbors(slot.codes, n, slot.model.latentSize, k, { seed: state.settings.seed });
      const layoutGraph = nearestNeighbors(layout.positions, n, layout.dims, k, { seed: state.settings.seed });
      const values = neighborOverlap(latentGraph, layoutGraph).perPoint;
      return { column, values, scale: 'continuous', categories: null, stats: summaryStats(values) };
    }
    case 'latentDimension': {
      const slot = slotOf(state, column.slot);
      const size = slot.model.latentSize;
      if (!Number.isInteger(column.index) || column.index < 0 || column.index >= size) {
        throw new SessionError('invalid-argument', `latent dimension ${column.index} out of range 0–${size - 1}`);
      }
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = slot.codes[i * size + column.index];
      const stats = summaryStats(values);
      return { column, values, scale: (stats.min ?? 0) < 0 ? 'diverging' : 'continuous', categories: null, stats };
    }
    case 'cluster': {
      const slot = slotOf(state, column.slot);
      const { k, clustering } = clusteringOf(state, slot, column.k);
      return {
        column,
        values: Float32Array.from(clustering.assignments),
        scale: 'categorical',
        categories: Array.from({ length: k }, (_, i) => `cluster ${i + 1}`),
        stats: { k, silhouette: clusterSilhouette(state, slot, clustering), purity: purity(state, clustering) },
      };
    }
    case 'drift':
    case 'errorDelta': {
      const stats = await compareStats(state, { k: 10 });
      if (column.kind === 'drift') {
        return { column, values: stats.drift, scale: 'continuous', categories: null, stats: summaryStats(stats.drift) };
      }
      const delta = new Float32Array(n);
      for (let i = 0; i < n; i++) delta[i] = stats.errorB[i] - stats.errorA[i];
      return { column, values: delta, scale: 'diverging', categories: null, stats: summaryStats(delta) };
    }
    case 'metadata':
      return metadataColumn(state, column);
  }
}

export async function rank(session: SessionState, request: RankRequest): Promise<RankResponse> {
  const { column: ranked, values, scale } = await column(session, { column: request.column });
  if (scale === 'categorical') throw new SessionError('invalid-argument', `"${ranked.kind}" is categorical: only continuous columns can be ranked`);
  return { column: ranked, ...flagAbove(values, request.threshold, request.limit) };
}

export async function clusterCentroids(session: SessionState, request: ClusterCentroidsRequest): Promise<ClusterCentroidsResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const { k, clustering } = clusteringOf(state, slot, request.k);
  const sizes = new Int32Array(k);
  for (const cluster of clustering.assignments) sizes[cluster]++;
  return {
    ...(await frames(state, slot, clustering.centroids.slice(), k, null)),
    k,
    sizes,
    silhouette: clusterSilhouette(state, slot, clustering),
    purity: purity(state, clustering),
  };
}

/** k-means of a slot's codes, k by silhouette when null; cached, so colouring and centroids agree. */
function clusteringOf(state: DataState, slot: SlotState, requested: number | null): { k: number; clustering: KmeansResult } {
  const n = shownCount(state);
  const dim = slot.model.latentSize;
  const seed = state.settings.seed;
  if (requested !== null && (!Number.isInteger(requested) || requested < 2 || requested > n)) {
    throw new SessionError('invalid-argument', `k must be an integer in 2–${n}, got ${requested}`);
  }
  const k = requested ?? (slot.cache.chosenK ??= chooseK(slot.codes, n, dim, { kMin: 2, kMax: 12, seed }).k);
  slot.cache.clusterings ??= new Map();
  let clustering = slot.cache.clusterings.get(k);
  if (!clustering) {
    clustering = kmeans(slot.codes, n, dim, k, { seed });
    slot.cache.clusterings.set(k, clustering);
  }
  return { k, clustering };
}

function clusterSilhouette(state: DataState, slot: SlotState, clustering: KmeansResult): number {
  return silhouette(slot.codes, shownCount(state), slot.model.latentSize, clustering.assignments, { sampleSize: 2000, seed: state.settings.seed });
}

function purity(state: DataState, clustering: KmeansResult): number | null {
  return state.data.labels ? clusterPurity(clustering.assignments, state.data.labels) : null;
}

function summaryStats(values: Float32Array): Record<string, number | null> {
  if (values.length === 0) return { min: null, max: null, mean: null, median: null, std: null };
  const sorted = Float32Array.from(values).sort();
  const average = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - average) ** 2;
  return {
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: average,
    median: sorted[Math.floor(sorted.length / 2)],
    std: Math.sqrt(squares / values.length),
  };
}

/** Per-sample ‖J‖_F of a slot's encoder at the shown samples (a contractive AE keeps it small); computed once. */
async function sensitivity(state: DataState, slot: SlotState): Promise<Float32Array> {
  slot.cache.sensitivity ??= await jacobianNorms((inputs, n) => slot.model.encode(inputs, n), slot.inputs, shownCount(state), slot.inputSize, slot.model.latentSize, state.settings.seed);
  return slot.cache.sensitivity;
}

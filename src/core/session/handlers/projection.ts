/**
 * Layouts: the codes' projection (PCA here, t-SNE/UMAP on the projection runner), optionally
 * aligned to the other slot's; the raw inputs' projection beside it; and where new codes fall in
 * an existing layout.
 */
import type { BaselineRequest, BaselineResponse, ProjectRequest, ProjectResponse, Separability } from '../../../shared/protocol';
import { projectPca } from '../../compute/pca';
import { procrustesAlign } from '../../compute/align';
import { nearestNeighbors } from '../../compute/knn';
import { silhouette } from '../../compute/kmeans';
import { knnAccuracy } from '../../compute/metrics';
import { blendByNeighbors } from '../../compute/placement';
import { computeProjection, layoutTrustworthiness } from '../../projection';
import { SessionError, shownCount, slotOf, withData, type DataState, type RequestContext, type SessionState, type SlotState, type StoredProjection } from '../state';

export async function project(session: SessionState, request: ProjectRequest, context: RequestContext): Promise<ProjectResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const n = shownCount(state);
  const dim = slot.model.latentSize;
  const reference = request.alignTo ? slotOf(state, request.alignTo.slot).current : null;
  if (request.alignTo && (!reference || reference.dims !== request.dims)) {
    throw new SessionError('invalid-argument', `cannot align to model ${request.alignTo.slot.toUpperCase()}: it has no ${request.dims}-D projection yet`);
  }
  let stored: StoredProjection;
  let seconds: number;
  if (request.method === 'pca') {
    const result = computeProjection(slot.codes, n, dim, request);
    stored = { method: 'pca', dims: request.dims, positions: result.positions, pca: result.pca, components: result.components };
    seconds = result.seconds;
  } else {
    const started = performance.now();
    const init = request.alignTo?.mode === 'init' && reference ? reference.positions : undefined;
    const positions = await state.runner.run(
      request.slot,
      {
        job: { data: slot.codes, n, dim, method: request.method, dims: request.dims, seed: request.seed, params: request.params, init },
        onProgress: (stage, fraction) => context.progress(stage, fraction),
        onLayout: (layout, fraction) => context.progress('optimising layout', fraction, layout),
      },
      context.signal,
    );
    stored = { method: request.method, dims: request.dims, positions, pca: null, components: null };
    seconds = (performance.now() - started) / 1000;
  }
  let alignment: string | null = null;
  if (request.alignTo && reference) {
    const aligned = procrustesAlign(reference.positions, stored.positions, n, request.dims);
    stored.positions = aligned.aligned;
    const other = request.alignTo.slot.toUpperCase();
    const initNote = request.alignTo.mode === 'init' && request.method !== 'pca' ? `initialised from ${other}'s layout, then ` : '';
    alignment = `${initNote}Procrustes (rotation, reflection, scale ×${aligned.scale.toPrecision(3)}) onto model ${other}; disparity ${aligned.disparity.toPrecision(3)}`;
  }
  slot.current = stored;
  context.progress('measuring trustworthiness', null);
  const trust = layoutTrustworthiness(slot.codes, stored.positions, n, dim, request.dims, request.seed, state.options.threads, stopped(context));
  return { slot: request.slot, method: request.method, dims: request.dims, positions: stored.positions, trustworthiness: trust, seconds, alignment };
}

export async function baseline(session: SessionState, request: BaselineRequest, context: RequestContext): Promise<BaselineResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const n = shownCount(state);
  const spec = { method: request.method, dims: request.dims, seed: request.seed, params: request.params };
  const started = performance.now();
  const positions =
    request.method === 'pca'
      ? computeProjection(slot.inputs, n, slot.inputSize, spec).positions
      : await state.runner.run(
          'baseline',
          {
            job: { data: slot.inputs, n, dim: slot.inputSize, ...spec },
            onProgress: (stage, fraction) => context.progress(stage, fraction),
            onLayout: (layout, fraction) => context.progress('optimising layout', fraction, layout),
          },
          context.signal,
        );
  const seconds = (performance.now() - started) / 1000;
  context.progress('measuring trustworthiness and separability', null);
  const trust = layoutTrustworthiness(slot.inputs, positions, n, slot.inputSize, request.dims, request.seed, state.options.threads, stopped(context));
  slot.cache.separability ??= {
    raw: separability(state, slot.inputs, slot.inputSize),
    latent: separability(state, slot.codes, slot.model.latentSize),
  };
  return { slot: request.slot, method: request.method, dims: request.dims, positions, seconds, trustworthiness: trust, ...slot.cache.separability };
}

/** The stop check compute polls: true once the request is cancelled. */
function stopped(context: RequestContext): () => boolean {
  return () => context.signal.aborted;
}

/** How well labels separate in a space: 10-NN accuracy and the labels' silhouette. */
function separability(state: DataState, data: Float32Array, dim: number): Separability | null {
  const { labels } = state.data;
  if (!labels) return null;
  const n = shownCount(state);
  const seed = state.settings.seed;
  const graph = nearestNeighbors(data, n, dim, Math.min(10, n - 1), { seed });
  return { knnAccuracy: knnAccuracy(graph, labels), silhouette: silhouette(data, n, dim, labels, { sampleSize: 1000, seed }) };
}

/** New codes in an existing layout: exactly for PCA, by neighbour blending for t-SNE/UMAP. */
export function placeCodes(state: DataState, slot: SlotState, layout: StoredProjection, codes: Float32Array, m: number): Float32Array {
  if (layout.pca && layout.components) {
    const all = projectPca(layout.pca, codes, m);
    const out = new Float32Array(m * layout.dims);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < layout.dims; c++) out[i * layout.dims + c] = all[i * layout.pca.k + layout.components[c]];
    }
    return out;
  }
  return blendByNeighbors(slot.codes, layout.positions, shownCount(state), slot.model.latentSize, layout.dims, codes, m).values;
}

/**
 * Latent tools: decoding a spot of the layout, paths between samples or class centroids,
 * traversals along a unit or principal axis, samples from a VAE's prior, and per-unit health.
 */
import type {
  DecodeAtRequest,
  DecodeAtResponse,
  FramesResponse,
  InterpolateRequest,
  LatentHealthRequest,
  LatentHealthResponse,
  PathEndpoint,
  PriorSamplesRequest,
  TraverseRequest,
} from '../../../shared/protocol';
import {
  classCentroid,
  classMeans,
  codeAtLayoutPoint,
  interpolateCodes,
  latentHealth as unitHealth,
  priorCodes,
  traversalCodes,
  typicalCodeSpacing,
  unitHistograms,
} from '../../latentTools';
import { checkIndices, labelsOf, layoutOf, shownCount, slotOf, withData, withDecoder, SessionError, type DataState, type SessionState, type SlotState } from '../state';
import { placeCodes } from './projection';
import { oneHot, type BatchOptions } from '../../model';

/** Per-unit KL (nats) below which a VAE unit carries no information about its input: posterior collapse. */
const COLLAPSED_UNIT_KL = 0.01;

export async function decodeAt(session: SessionState, request: DecodeAtRequest): Promise<DecodeAtResponse> {
  const state = withData(session);
  const slot = withDecoder(slotOf(state, request.slot));
  const layout = layoutOf(slot);
  const n = shownCount(state);
  const dim = slot.model.latentSize;
  slot.cache.spacing ??= typicalCodeSpacing(slot.codes, n, dim);
  const spot = codeAtLayoutPoint(layout, slot.codes, n, dim, request.point, slot.cache.spacing);
  const image = await slot.model.decode(spot.code, 1, decodeOptions(slot, request.condition));
  return { slot: request.slot, itemShape: state.data.info.itemShape, image, ...spot };
}

export async function interpolate(session: SessionState, request: InterpolateRequest): Promise<FramesResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const codes = interpolateCodes(endpointCode(state, slot, request.from), endpointCode(state, slot, request.to), request.steps, request.mode);
  return frames(state, slot, codes, request.steps, null, request.condition);
}

export async function traverse(session: SessionState, request: TraverseRequest): Promise<FramesResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const anchor = request.anchor === null ? undefined : endpointCode(state, slot, { kind: 'sample', index: request.anchor });
  const path = traversalCodes(slot.codes, shownCount(state), slot.model.latentSize, request.axis, request.steps, anchor);
  return frames(state, slot, path.codes, request.steps, path.offsets, request.condition);
}

export async function priorSamples(session: SessionState, request: PriorSamplesRequest): Promise<FramesResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  if (!slot.model.isVariational) {
    throw new SessionError('not-variational', `${slot.label} is not a variational autoencoder: it has no prior to sample from`);
  }
  const codes = priorCodes(request.count, slot.model.latentSize, request.seed);
  return frames(state, slot, codes, request.count, null, request.condition);
}

export async function latentHealth(session: SessionState, request: LatentHealthRequest): Promise<LatentHealthResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const n = shownCount(state);
  const dim = slot.model.latentSize;
  if (slot.cache.logVar === undefined) {
    const distribution = await slot.model.encodeDistribution(slot.inputs, n);
    slot.cache.logVar = distribution?.logVar ?? null;
  }
  const health = unitHealth(slot.codes, n, dim, slot.cache.logVar);
  const kl = health.klPerUnit;
  const { labels } = state.data;
  const classes = state.data.info.labels?.classes.length ?? 0;
  return {
    slot: request.slot,
    ...health,
    klTotal: kl ? kl.reduce((sum, v) => sum + v, 0) : null,
    collapsedUnits: kl ? kl.filter((v) => v < COLLAPSED_UNIT_KL).length : null,
    classMeans: labels && classes > 0 ? classMeans(slot.codes, n, dim, labels, classes) : null,
    histograms: unitHistograms(slot.codes, n, dim, labels, classes),
  };
}

/** Decoded frames for some codes (a conditional decoder's all with `condition`), and where they fall in the current layout. */
export async function frames(state: DataState, slot: SlotState, codes: Float32Array, count: number, offsets: Float32Array | null, condition?: number): Promise<FramesResponse> {
  withDecoder(slot);
  const decoded = await slot.model.decode(codes, count, decodeOptions(slot, condition));
  return {
    slot: slot.slot,
    itemShape: state.data.info.itemShape,
    frames: decoded,
    codes,
    positions: slot.current ? placeCodes(state, slot, slot.current, codes, count) : null,
    offsets,
  };
}

/** One class's one-hot row, which a conditional decoder uses for every code (limits.ts checked the class). */
function decodeOptions(slot: SlotState, condition: number | undefined): BatchOptions | undefined {
  const taken = slot.model.condition;
  return taken && condition !== undefined ? { conditions: oneHot([condition], taken.size) } : undefined;
}

function endpointCode(state: DataState, slot: SlotState, endpoint: PathEndpoint): Float32Array {
  const dim = slot.model.latentSize;
  if (endpoint.kind === 'sample') {
    const [index] = checkIndices(state, Int32Array.of(endpoint.index));
    return slot.codes.slice(index * dim, (index + 1) * dim);
  }
  const labels = labelsOf(state, 'class centroids need labels, and this dataset has none');
  return classCentroid(slot.codes, shownCount(state), dim, labels, endpoint.label);
}

/**
 * What one request may ask of the session, checked before any work starts: a request over a limit
 * is answered with an `invalid-argument` error naming the limit, instead of allocating gigabytes or
 * running for hours (a `samples` request naming 4M indices once took the process to 12.7 GB).
 */
import type { RequestBody, SessionRequestType } from '../../shared/protocol';
import type { ModelSlot } from '../../shared/types';
import { SessionError, type SessionState } from './state';

export const LIMITS = {
  /** Samples one request may name, beyond the shown count: no view needs more than all of them. */
  maxIndices: 100_000,
  /** Bytes one request may gather from the inputs (indices × input size × 4 × copies): a ceiling for sessions with a very high sample limit. */
  maxGatherBytes: 2 * 2 ** 30,
  /** Frames of a path or traversal (the tools panel offers up to 32). */
  maxSteps: 64,
  /** Codes drawn from a VAE's prior at once (the overlay draws 400). */
  maxPriorSamples: 4096,
  /** Neighbours of one sample, and the k of comparison drift (each point's k-NN graph costs n × k). */
  maxNeighbors: 1000,
  maxCompareK: 256,
  /** k-means clusters (the UI offers up to 50; k-means costs n × k per iteration). */
  maxClusters: 256,
} as const;

type Validator<K extends SessionRequestType> = (state: SessionState, body: RequestBody<K>) => void;

const none = () => {};

/** One check per session request: the compiler refuses a request type without one. */
export const VALIDATORS: { [K in SessionRequestType]: Validator<K> } = {
  ready: none,
  cancel: (_, body) => {
    if (!Number.isSafeInteger(body.target)) throw invalid(`target must be a request id, got ${String(body.target)}`);
  },
  project: (_, body) => projection(body.seed, body.dims),
  baseline: (_, body) => projection(body.seed, body.dims),
  column: (state, { column }) => {
    if (column.kind === 'cluster' && column.k !== null) integer('k', column.k, 2, upTo(state, LIMITS.maxClusters, 0));
  },
  samples: (state, body) => indices(state, body.slot, body.indices),
  denoise: (state, body) => {
    // The clean, noisy and denoised copies are three gathers of the same rows.
    indices(state, body.slot, body.indices, 3);
    finite('seed', body.seed);
    finite('noise level', body.noise?.level);
  },
  activations: (state, body) => indices(state, body.slot, body.indices),
  compareStats: (state, body) => integer('k', body.k, 1, upTo(state, LIMITS.maxCompareK, -1)),
  decodeAt: (state, body) => {
    if (!(body.point instanceof Float32Array) || body.point.length > 3) throw invalid('point must be a Float32Array of 2 or 3 layout coordinates');
    for (const v of body.point) finite('point coordinate', v);
    condition(state, body.slot, body.condition);
  },
  interpolate: (state, body) => {
    integer('steps', body.steps, 2, LIMITS.maxSteps);
    condition(state, body.slot, body.condition);
  },
  traverse: (state, body) => {
    integer('steps', body.steps, 2, LIMITS.maxSteps);
    condition(state, body.slot, body.condition);
  },
  priorSamples: (state, body) => {
    integer('count', body.count, 1, LIMITS.maxPriorSamples);
    finite('seed', body.seed);
    condition(state, body.slot, body.condition);
  },
  latentHealth: none,
  neighbors: (state, body) => integer('k', body.k, 1, upTo(state, LIMITS.maxNeighbors, -1)),
  exportCodes: (state, body) => {
    if (body.indices !== null) indices(state, body.slot, body.indices, 0);
  },
  rank: (_, body) => {
    if (!Number.isInteger(body.limit) || body.limit < 0) throw invalid(`limit must be a non-negative integer, got ${body.limit}`);
    const { threshold } = body;
    if (typeof threshold === 'number' ? !Number.isFinite(threshold) : threshold !== null && !(threshold?.percentile >= 0 && threshold.percentile <= 100)) {
      throw invalid(`threshold must be a finite number, { percentile } in [0, 100], or null; got ${typeof threshold === 'number' ? threshold : JSON.stringify(threshold)}`);
    }
  },
  clusterCentroids: (state, body) => {
    if (body.k !== null) integer('k', body.k, 2, upTo(state, LIMITS.maxClusters, 0));
  },
};

/** Checks a request's body against the limits; throws an `invalid-argument` SessionError naming the one exceeded. */
export function validateRequest<K extends SessionRequestType>(state: SessionState, type: K, body: RequestBody<K>): void {
  if (typeof body !== 'object' || body === null) throw invalid(`the body of a "${type}" request must be an object`);
  VALIDATORS[type](state, body);
}

/**
 * The largest value allowed: `cap`, or the shown count plus `offset` when smaller. Without a
 * dataset only the cap applies, and the handler answers that there is none.
 */
function upTo(state: SessionState, cap: number, offset: number): number {
  return state.data ? Math.min(cap, state.data.indices.length + offset) : cap;
}

/**
 * An index list: an Int32Array no longer than the shown samples (and `LIMITS.maxIndices`), whose
 * gathered rows (`copies` of them, each indices × input size floats) fit `LIMITS.maxGatherBytes`.
 * Each index's range is checked by the handler, against the same shown count.
 */
function indices(state: SessionState, slot: ModelSlot, values: Int32Array, copies = 1): void {
  if (!(values instanceof Int32Array)) throw invalid('indices must be an Int32Array of shown-sample indices');
  const most = upTo(state, LIMITS.maxIndices, 0);
  if (values.length > most) {
    throw invalid(`${values.length} indices is more than the ${most} allowed (the shown samples, at most ${LIMITS.maxIndices})`);
  }
  const inputSize = state.slots.find((s) => s.slot === slot)?.inputSize ?? 0;
  const bytes = values.length * inputSize * 4 * copies;
  if (bytes > LIMITS.maxGatherBytes) {
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    throw invalid(`${values.length} samples of ${inputSize} values need ${mib(bytes)}, over the ${mib(LIMITS.maxGatherBytes)} one request may use: ask for fewer`);
  }
}

/** A decoding condition: a class of the slot's conditional model; none for a model that takes none. */
function condition(state: SessionState, slot: ModelSlot, value: number | undefined): void {
  if (value === undefined) return;
  const taken = state.slots.find((s) => s.slot === slot)?.model.condition;
  if (!taken) throw invalid(`condition ${String(value)} given, but the model in slot ${slot} takes no condition`);
  integer('condition', value, 0, taken.size - 1);
}

function integer(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(`${name} must be an integer in ${min}–${max}, got ${String(value)}`);
}

function finite(name: string, value: number | undefined): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${name} must be a finite number, got ${String(value)}`);
}

function projection(seed: number, dims: number): void {
  finite('seed', seed);
  if (dims !== 2 && dims !== 3) throw invalid(`dims must be 2 or 3, got ${String(dims)}`);
}

function invalid(message: string): SessionError {
  return new SessionError('invalid-argument', message);
}

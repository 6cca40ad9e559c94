/**
 * What an open session holds: its models' slots (codes, errors, the current layout, caches) and the
 * shown samples. Handlers reach state through the guards here, which throw the error the webview
 * should see and return the narrowed state (a dataset that is there, a layout that exists).
 */
import type { ExplorerSettings, CompareStatsResponse, Separability } from '../../shared/protocol';
import type { SessionOptions } from '../../shared/workerProtocol';
import type { BackendName, DatasetInfo, ModelSlot, ModelSummary, ProjectionMethod } from '../../shared/types';
import type { ResolvedManifest } from '../manifest';
import { conditionClassNames, type Autoencoder } from '../model';
import type { Dataset } from '../data';
import type { MetadataColumn } from '../data/columnKinds';
import type { PcaModel } from '../compute/pca';
import type { HelperThreads } from '../compute/threads';
import type { KmeansResult } from '../compute/kmeans';
import type { ProjectionRunner } from '../projection';

/** Session-level errors: what the user must do is in the message. */
export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface StoredProjection {
  method: ProjectionMethod;
  dims: 2 | 3;
  positions: Float32Array;
  /** Set for PCA layouts: new points project exactly. */
  pca: PcaModel | null;
  components: number[] | null;
}

export interface SlotState {
  slot: ModelSlot;
  label: string;
  model: Autoencoder;
  manifest: ResolvedManifest | null;
  /** Shown samples fitted to this model's input, shownCount × inputSize. */
  inputs: Float32Array;
  inputSize: number;
  /** Value range inputs live in, for clipping noise; null when unbounded. */
  inputRange: [number, number] | null;
  codes: Float32Array;
  /** Per-sample reconstruction MSE; null when the model cannot reconstruct its input. */
  errors: Float32Array | null;
  current: StoredProjection | null;
  /** Lazily computed per-slot values that never change for a session. */
  cache: {
    spacing?: number;
    sensitivity?: Float32Array;
    logVar?: Float32Array | null;
    /** k chosen by silhouette, and k-means runs by k: the colouring and the decoded centroids share them. */
    chosenK?: number;
    clusterings?: Map<number, KmeansResult>;
    /** Label separability of the raw inputs and of the codes (independent of any layout). */
    separability?: { raw: Separability | null; latent: Separability | null };
  };
}

/** The shown samples of a session that has a dataset (explorer, compare; inspect once one is chosen). */
export interface ShownData {
  dataset: Dataset;
  info: DatasetInfo;
  /** Indices into the dataset of the shown samples. */
  indices: Int32Array;
  /** Labels of the shown samples, -1 where unknown; null when the dataset has none. */
  labels: Int32Array | null;
  /** Metadata columns of the shown samples (shownCount rows each), in DatasetInfo.metadata's order. */
  metadata?: MetadataColumn[];
}

export interface SessionState {
  options: SessionOptions & { threads?: HelperThreads };
  settings: ExplorerSettings;
  backend: BackendName;
  slots: SlotState[];
  /** Null in the inspect view when no dataset is chosen. */
  data: ShownData | null;
  runner: ProjectionRunner;
  /** Session-wide results computed on first request (shared by every view of this state). */
  cache: { compare?: { k: number; stats: CompareStatsResponse } };
}

/** A session state whose dataset is known to be there. */
export type DataState = SessionState & { data: ShownData };

export interface RequestContext {
  signal: AbortSignal;
  /** Progress for this request; `positions` streams intermediate layouts. */
  progress(stage: string, fraction: number | null, positions?: Float32Array): void;
}

/** The state with its dataset, or the error the inspect view gets before one is chosen. */
export function withData(state: SessionState): DataState {
  const { data } = state;
  if (!data) throw new SessionError('no-dataset', 'this view has no dataset: open the explorer to choose one');
  return { ...state, data };
}

/** Number of shown samples. */
export function shownCount(state: DataState): number {
  return state.data.indices.length;
}

export function slotOf(state: SessionState, slot: ModelSlot): SlotState {
  const found = state.slots.find((s) => s.slot === slot);
  if (!found) throw new SessionError('invalid-argument', `this session has no model in slot "${slot}"`);
  return found;
}

/** A slot whose model can decode latent codes. */
export function withDecoder(slot: SlotState): SlotState {
  if (!slot.model.canDecode) throw new SessionError('no-decoder', `${slot.label} has no decoder, so latent codes cannot be decoded`);
  return slot;
}

/** A slot's per-sample reconstruction errors, or the error saying why it has none. */
export function errorsOf(slot: SlotState, why = `${slot.label} cannot reconstruct its input (no decoder, or its output does not match its input)`): Float32Array {
  if (!slot.errors) throw new SessionError('no-decoder', why);
  return slot.errors;
}

/** A slot's current layout, or the error asking for a projection first. */
export function layoutOf(slot: SlotState, why = 'project the codes first: there is no layout to place these points in'): StoredProjection {
  if (!slot.current) throw new SessionError('no-projection', why);
  return slot.current;
}

/** The shown samples' labels, or the error saying the dataset has none. */
export function labelsOf(state: DataState, why: string): Int32Array {
  if (!state.data.labels) throw new SessionError('no-labels', why);
  return state.data.labels;
}

/** A slot's model summary as the webview sees it: a condition's classes named (manifest labelNames, else the dataset's classes, else "class k"). */
export function slotSummary(state: SessionState, slot: SlotState): ModelSummary {
  const { summary } = slot.model;
  if (!summary.condition) return summary;
  const classNames = conditionClassNames(summary.condition, slot.manifest?.labelNames, state.data?.info.labels?.classes);
  return { ...summary, condition: { ...summary.condition, classNames } };
}

/** Checks shown-sample indices are in range; returns them. */
export function checkIndices(state: DataState, indices: Int32Array): Int32Array {
  const n = shownCount(state);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new SessionError('invalid-argument', `sample index ${i} out of range 0–${n - 1}`);
  }
  return indices;
}

/** Rows `indices` of a row-major matrix `width` wide. */
export function gatherRows(values: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) out.set(values.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}

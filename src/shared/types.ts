/**
 * Plain data types shared by core, host adapters, the worker and the webview.
 * No vscode, no node:*, no tfjs here: the webview bundles this file.
 */

/** Which TensorFlow.js backend executes the model. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

/** `embeddings`: no model, only vectors read from a file (the session stands in an identity encoder with no decoder). */
export type ModelFormat = 'layers-model' | 'graph-model' | 'onnx' | 'embeddings';
/**
 * Who wrote the model: for a model.json, tfjs itself or the Keras 2 / Keras 3 converter; for Keras
 * files, keras3 is a .keras zip, keras-h5 a full-model HDF5, keras-json a to_json() file + weights HDF5.
 */
export type ModelDialect = 'tfjs-layers' | 'keras2' | 'keras3' | 'keras-h5' | 'keras-json' | 'graph' | 'onnx' | 'embeddings';
export type AutoencoderKind = 'autoencoder' | 'vae' | 'encoder-decoder' | 'decoder-only' | 'encoder-only';
export type LayerRole = 'input' | 'encoder' | 'code' | 'decoder' | 'other';

/** A tensor shape per sample or with batch; `null` marks an unknown (batch) dimension. */
export type Shape = (number | null)[];

export interface LayerSummary {
  /** Slash-separated path through nested sub-models, e.g. `encoder/conv2d_1`. */
  path: string;
  name: string;
  className: string;
  outputShape: Shape | Shape[];
  params: number;
  /** 0 for top-level layers, 1 inside a nested sub-model, … */
  depth: number;
  role: LayerRole;
}

export interface ModelSummary {
  format: ModelFormat;
  dialect: ModelDialect;
  kind: AutoencoderKind;
  /** Files the model came from (model.json, or the encoder/decoder pair). */
  files: string[];
  /** The runtime that runs a model outside TensorFlow.js, e.g. "onnxruntime-web 1.30.0 (wasm, 1 thread)". */
  runtime?: string;
  input: { shape: Shape };
  latent: { layer: string; shape: number[]; size: number };
  output: { shape: Shape } | null;
  layers: LayerSummary[];
  totalParams: number;
  warnings: string[];
  /** What a conditional model (CVAE, conditional decoder) takes beside the sample or code; absent otherwise. */
  condition?: ModelCondition;
}

/** A condition (e.g. a one-hot class label) a model takes next to its input or code. */
export interface ModelCondition {
  /** Values per condition. */
  size: number;
  /** Class names, one per one-hot position, when known. */
  classNames: string[] | null;
  /** Whether the encoder takes it too (a CVAE), or only the decoder. */
  encoderTakesIt: boolean;
}

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'images' | 'csv' | 'json' | 'jsonl' | 'parquet';

/** What a metadata column holds, as detected from its cells. */
export type MetadataKind = 'number' | 'category' | 'boolean' | 'text' | 'date' | 'image';
/** How samples are drawn: as images (H×W or H×W×C) or as rows of numbers. */
export type SampleDisplay = 'image' | 'tabular';

export interface DatasetInfo {
  path: string;
  format: DatasetFormat;
  /** All samples in the dataset. */
  count: number;
  /** Samples the session encodes and shows (≤ count; a stratified sample when smaller). */
  shownCount: number;
  itemShape: number[];
  display: SampleDisplay;
  labels: { classes: string[] } | null;
  /** Column names for tabular data (feature columns only). */
  columns: string[] | null;
  /** Metadata columns beside the samples (any can colour the plot, by name); absent when there are none. */
  metadata?: { name: string; kind: MetadataKind }[];
}

export type ProjectionMethod = 'pca' | 'tsne' | 'umap';
export const PROJECTION_METHODS: readonly ProjectionMethod[] = ['pca', 'tsne', 'umap'];

export interface ProjectionParams {
  /** t-SNE perplexity (5–100). */
  perplexity?: number;
  /** UMAP neighbourhood size (2–200). */
  nNeighbors?: number;
  /** UMAP minimum distance (0–1). */
  minDist?: number;
  /** PCA: which principal components (0-based) to show on the axes. */
  components?: number[];
}

export type NoiseType = 'gaussian' | 'saltpepper' | 'mask';
export interface NoiseSpec {
  type: NoiseType;
  /** Gaussian σ, salt-and-pepper probability, or masked fraction. */
  level: number;
}

/** Identifies one of the two models in a comparison; `a` is the only model in a plain explorer. */
export type ModelSlot = 'a' | 'b';

export interface ErrorInfo {
  message: string;
  /** Stable machine-readable code, e.g. `model-load`, `data-fit`, `cancelled`. */
  code: string;
  /** The file the problem concerns, when there is one. */
  file?: string;
}

/** Each latent unit's distribution, split by class: what separates the classes, and what does not. */
export interface UnitHistograms {
  bins: number;
  /** Classes (labels), or 1 when there are none. */
  groups: number;
  /** Per unit, the range the bins cover (its smallest and largest code). */
  lo: Float32Array;
  hi: Float32Array;
  /** unit × group × bin: the share of the group's samples in each bin (each group's bins sum to 1). */
  shares: Float32Array;
}

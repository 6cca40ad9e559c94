/**
 * Every message between the host (extension or `serve` bridge) and the webview.
 *
 * Requests carry an id and always end in exactly one response: `ok: true` with the typed body, or
 * `ok: false` with an error. Numeric payloads are typed arrays, transferred as such by postMessage
 * and encoded by `wire.ts` over WebSocket.
 */
import type {
  DatasetInfo,
  ErrorInfo,
  ModelSlot,
  ModelSummary,
  NoiseSpec,
  ProjectionMethod,
  ProjectionParams,
  SampleDisplay,
  BackendName,
  UnitHistograms,
} from './types';

/** Which page the webview shows. */
export type ViewKind = 'explorer' | 'compare' | 'inspect';

export interface ExplorerSettings {
  defaultMethod: ProjectionMethod;
  seed: number;
  sampleLimit: number;
}

export interface SessionModelInfo {
  slot: ModelSlot;
  /** Short name for the UI (the model's folder name). */
  label: string;
  /** The path the session opened it from (model.json or a folder), for a saved session to name. */
  path: string;
  summary: ModelSummary;
}

/** Everything the webview needs to paint its first frame. */
export interface ReadyResponse {
  view: ViewKind;
  models: SessionModelInfo[];
  /** Absent in the inspect view when no dataset is chosen. */
  dataset: DatasetInfo | null;
  backend: BackendName;
  /** Why `backend` is slower than wanted (e.g. the wasm binaries did not load); null when it is not. */
  backendFallback: string | null;
  settings: ExplorerSettings;
  /** Labels of the shown samples (shownCount), -1 where unknown; null when the dataset has none. */
  labels: Int32Array | null;
}

export interface ProjectRequest {
  slot: ModelSlot;
  method: ProjectionMethod;
  dims: 2 | 3;
  seed: number;
  params: ProjectionParams;
  /** Compare view: align this projection to the other slot's (Procrustes), or initialise from it. */
  alignTo?: { slot: ModelSlot; mode: 'procrustes' | 'init' };
}
export interface ProjectResponse {
  slot: ModelSlot;
  method: ProjectionMethod;
  dims: 2 | 3;
  /** shownCount × dims, row-major. */
  positions: Float32Array;
  trustworthiness: number;
  seconds: number;
  /** What alignment was applied, in words, when alignTo was given. */
  alignment: string | null;
}

/** Per-sample columns the UI can colour by. */
export type ColumnSpec =
  | { kind: 'label' }
  | { kind: 'reconstructionError'; slot: ModelSlot }
  | { kind: 'latentDimension'; slot: ModelSlot; index: number }
  | { kind: 'cluster'; slot: ModelSlot; k: number | null }
  | { kind: 'drift' }
  | { kind: 'errorDelta' }
  /** Per-sample Frobenius norm of the encoder's Jacobian (what a contractive AE minimises). */
  | { kind: 'sensitivity'; slot: ModelSlot }
  /** Per-sample share of latent k-nearest neighbours kept in the current layout. */
  | { kind: 'faithfulness'; slot: ModelSlot }
  /** A metadata column of the dataset or embedding table, by name (DatasetInfo.metadata lists them). */
  | { kind: 'metadata'; name: string };
export interface ColumnRequest {
  column: ColumnSpec;
}
export interface ColumnResponse {
  column: ColumnSpec;
  /** shownCount values. Categorical columns hold integer codes. */
  values: Float32Array;
  scale: 'categorical' | 'continuous' | 'diverging';
  /** Names of categorical codes. */
  categories: string[] | null;
  /** Summary numbers the UI shows beside the legend (e.g. silhouette, purity, mean). */
  stats: Record<string, number | null>;
}

export interface SamplesRequest {
  slot: ModelSlot;
  /** Indices into the shown samples. */
  indices: Int32Array;
  includeReconstruction: boolean;
}
export interface SamplesResponse {
  slot: ModelSlot;
  indices: Int32Array;
  display: SampleDisplay;
  /** Shape of one sample as displayed: [H, W] or [H, W, C] for images, [columns] for rows. */
  itemShape: number[];
  /** indices.length × prod(itemShape), model input space (scaled). */
  originals: Float32Array;
  reconstructions: Float32Array | null;
  /** Per-sample reconstruction MSE, null without reconstructions. */
  errors: Float32Array | null;
}

export interface DenoiseRequest {
  slot: ModelSlot;
  indices: Int32Array;
  noise: NoiseSpec;
  seed: number;
}
export interface DenoiseResponse {
  slot: ModelSlot;
  indices: Int32Array;
  itemShape: number[];
  clean: Float32Array;
  noisy: Float32Array;
  denoised: Float32Array;
  /** Per-sample MSE of noisy vs clean and of denoised vs clean. */
  noisyError: Float32Array;
  denoisedError: Float32Array;
  /** Where the noisy inputs' codes land in the current projection (indices.length × dims), when one exists. */
  noisyPositions: Float32Array | null;
}

export interface ActivationsRequest {
  slot: ModelSlot;
  indices: Int32Array;
  /** LayerSummary.path */
  layer: string;
}
export interface ActivationsResponse {
  slot: ModelSlot;
  layer: string;
  /** Shape of one sample's activation (without batch). */
  shape: number[];
  /** indices.length × prod(shape). */
  values: Float32Array;
  /** Per unit (last axis for conv layers: channels): mean over the selection. */
  unitMean: Float32Array;
  /** Share of units never above 1e-6 in absolute value across the selection. */
  deadFraction: number;
  /** Share of activations with |a| < 1e-3. */
  sparsity: number;
}

export interface CompareStatsRequest {
  k: number;
}
export interface CompareStatsResponse {
  /** Per sample: share of its k nearest latent neighbours in A that are not among its k in B. */
  drift: Float32Array;
  errorA: Float32Array;
  errorB: Float32Array;
  a: { mse: number; knnAccuracy: number | null };
  b: { mse: number; knnAccuracy: number | null };
  neighborOverlap: number;
  topMovers: { index: number; drift: number }[];
  /** Samples whose reconstruction error changed most from A to B (delta = B − A): worse first by size, and better. Empty without errors. */
  errorChanges: { worse: { index: number; delta: number }[]; better: { index: number; delta: number }[] };
}

export interface CancelRequest {
  /** Id of the request to cancel; it then ends with error code `cancelled`. */
  target: number;
}

/** Inspect view: open the explorer on the inspected model. */
export interface OpenExplorerRequest {
  slot: ModelSlot;
}

/** A request that decodes codes: a conditional decoder (CVAE) decodes them all with one class. */
export interface ConditionedDecode {
  /** The class (0 … condition.size − 1, one-hot) to decode with; class 0 when absent. Only for a model with a `condition`. */
  condition?: number;
}

/** Decode the latent code behind a spot of the current layout. */
export interface DecodeAtRequest extends ConditionedDecode {
  slot: ModelSlot;
  /** Layout coordinates (dims values). */
  point: Float32Array;
}
export interface DecodeAtResponse {
  slot: ModelSlot;
  itemShape: number[];
  image: Float32Array;
  code: Float32Array;
  /** Distance from the code to the nearest real code, and the typical spacing between real codes. */
  distanceToData: number;
  typicalSpacing: number;
  method: 'pca-inverse' | 'neighbour-blend';
}

export type PathEndpoint = { kind: 'sample'; index: number } | { kind: 'classCentroid'; label: number };
export interface InterpolateRequest extends ConditionedDecode {
  slot: ModelSlot;
  from: PathEndpoint;
  to: PathEndpoint;
  steps: number;
  mode: 'linear' | 'slerp';
}
export type TraversalAxisSpec = { kind: 'unit'; index: number } | { kind: 'pc'; index: number };
export interface TraverseRequest extends ConditionedDecode {
  slot: ModelSlot;
  axis: TraversalAxisSpec;
  steps: number;
  /** Shown-sample index whose code is the centre; the mean code when null. */
  anchor: number | null;
}
export interface PriorSamplesRequest extends ConditionedDecode {
  slot: ModelSlot;
  count: number;
  seed: number;
}
/** Decoded frames along a path, a traversal, or from the prior. */
export interface FramesResponse {
  slot: ModelSlot;
  itemShape: number[];
  /** frames × prod(itemShape). */
  frames: Float32Array;
  /** frames × latentSize. */
  codes: Float32Array;
  /** Where each frame's code lies in the current layout (frames × dims), when there is one. */
  positions: Float32Array | null;
  /** Traversal offsets (−3σ…+3σ) when the frames come from a traversal. */
  offsets: Float32Array | null;
}

export interface LatentHealthRequest {
  slot: ModelSlot;
}
export interface LatentHealthResponse {
  slot: ModelSlot;
  mean: Float32Array;
  variance: Float32Array;
  sparsity: Float32Array;
  activeUnits: number;
  deadUnits: number;
  klPerUnit: Float32Array | null;
  /** VAE only: KL summed over units (nats), and units whose KL is below 0.01 (posterior collapse). */
  klTotal: number | null;
  collapsedUnits: number | null;
  /** classes × latentSize mean codes per label, when labels exist. */
  classMeans: Float32Array | null;
  /** Each unit's histogram per class (one group of all samples without labels). */
  histograms: UnitHistograms;
}

/** The same samples projected from their raw inputs, to set beside the codes' projection. */
export interface BaselineRequest {
  slot: ModelSlot;
  method: ProjectionMethod;
  dims: 2 | 3;
  seed: number;
  params: ProjectionParams;
}
export interface Separability {
  /** Leave-one-out 10-NN label accuracy. */
  knnAccuracy: number;
  /** Mean silhouette of the labels as clusters. */
  silhouette: number;
}
export interface BaselineResponse {
  slot: ModelSlot;
  method: ProjectionMethod;
  dims: 2 | 3;
  positions: Float32Array;
  seconds: number;
  trustworthiness: number;
  /** Separability of the labels in raw input space and in latent space (null without labels). */
  raw: Separability | null;
  latent: Separability | null;
}

export interface NeighborsRequest {
  slot: ModelSlot;
  index: number;
  k: number;
  metric: 'euclidean' | 'cosine';
}
export interface NeighborsResponse {
  slot: ModelSlot;
  index: number;
  indices: Int32Array;
  distances: Float32Array;
}

export interface ExportRequest {
  slot: ModelSlot;
  /** Codes of the given samples (all shown when indices is null), with labels and errors. */
  format: 'csv' | 'json' | 'npy';
  indices: Int32Array | null;
}
export interface ExportResponse {
  fileName: string;
  mime: string;
  data: Uint8Array;
}

/** Samples ranked by a continuous column (reconstruction error for anomalies, sensitivity), against a threshold. */
export interface RankRequest {
  column: ColumnSpec;
  /** Samples above it are flagged: a value, a percentile of the column (0–100), or null for mean + 3σ. */
  threshold: number | { percentile: number } | null;
  /** How many of the highest samples to list (flagged or not). */
  limit: number;
}
export interface RankResponse {
  column: ColumnSpec;
  threshold: number;
  /** mean + 3σ: the threshold a null request uses, where a slider starts. */
  defaultThreshold: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Percentage of samples at or below the threshold. */
  percentile: number;
  /** Samples above the threshold: the first flaggedCount of the ranking. */
  flaggedCount: number;
  /** The `limit` highest samples, highest first (ties by index), and their values. */
  indices: Int32Array;
  values: Float32Array;
}

/** k-means on the codes (k by silhouette when null) and each cluster's centroid decoded. */
export interface ClusterCentroidsRequest {
  slot: ModelSlot;
  k: number | null;
}
/** `frames` holds the decoded centroids, `codes` the centroids, `positions` where they lie in the layout. */
export interface ClusterCentroidsResponse extends FramesResponse {
  k: number;
  /** Samples per cluster. */
  sizes: Int32Array;
  silhouette: number;
  /** Share of samples whose cluster's majority label is their own; null without labels. */
  purity: number | null;
}

/** Host: save bytes the webview produced (plot PNG/SVG, exported codes, a session file). */
export interface SaveFileRequest {
  fileName: string;
  data: Uint8Array;
}
export interface SaveFileResponse {
  /** Where it was saved; null when the user cancelled the dialog. */
  path: string | null;
}

/** Request type → [request body, response body]. */
export interface RequestMap {
  ready: [Record<string, never>, ReadyResponse];
  project: [ProjectRequest, ProjectResponse];
  column: [ColumnRequest, ColumnResponse];
  samples: [SamplesRequest, SamplesResponse];
  denoise: [DenoiseRequest, DenoiseResponse];
  activations: [ActivationsRequest, ActivationsResponse];
  compareStats: [CompareStatsRequest, CompareStatsResponse];
  cancel: [CancelRequest, Record<string, never>];
  openExplorer: [OpenExplorerRequest, Record<string, never>];
  decodeAt: [DecodeAtRequest, DecodeAtResponse];
  interpolate: [InterpolateRequest, FramesResponse];
  traverse: [TraverseRequest, FramesResponse];
  priorSamples: [PriorSamplesRequest, FramesResponse];
  latentHealth: [LatentHealthRequest, LatentHealthResponse];
  baseline: [BaselineRequest, BaselineResponse];
  neighbors: [NeighborsRequest, NeighborsResponse];
  exportCodes: [ExportRequest, ExportResponse];
  rank: [RankRequest, RankResponse];
  clusterCentroids: [ClusterCentroidsRequest, ClusterCentroidsResponse];
  saveFile: [SaveFileRequest, SaveFileResponse];
}
export type RequestType = keyof RequestMap;
export type RequestBody<K extends RequestType> = RequestMap[K][0];
export type ResponseBody<K extends RequestType> = RequestMap[K][1];

/**
 * Who answers each request: the host (the VS Code panel or the `serve` bridge: dialogs, other
 * views) or the core session. The compiler checks every request type is listed exactly once.
 */
const ANSWERED_BY = {
  ready: 'session',
  project: 'session',
  column: 'session',
  samples: 'session',
  denoise: 'session',
  activations: 'session',
  compareStats: 'session',
  cancel: 'session',
  openExplorer: 'host',
  decodeAt: 'session',
  interpolate: 'session',
  traverse: 'session',
  priorSamples: 'session',
  latentHealth: 'session',
  baseline: 'session',
  neighbors: 'session',
  exportCodes: 'session',
  rank: 'session',
  clusterCentroids: 'session',
  saveFile: 'host',
} as const satisfies Record<RequestType, 'host' | 'session'>;
const ANSWERERS: ReadonlyMap<string, 'host' | 'session'> = new Map(Object.entries(ANSWERED_BY));
type AnsweredBy<Who extends 'host' | 'session'> = { [K in RequestType]: (typeof ANSWERED_BY)[K] extends Who ? K : never }[RequestType];
/** Requests the host answers itself; they never reach the session. */
export type HostRequestType = AnsweredBy<'host'>;
/** Requests the core session answers (its router's table must cover each). */
export type SessionRequestType = AnsweredBy<'session'>;

/** One request, its body typed by its type: narrowing `type` narrows `body`. */
export type RequestMessage<K extends RequestType = RequestType> = {
  [T in K]: { kind: 'request'; id: number; type: T; body: RequestBody<T> };
}[K];

/** True for a request the host answers (openExplorer, saveFile). */
export function isHostRequest(message: RequestMessage): message is RequestMessage<HostRequestType> {
  return isHostRequestType(message.type);
}

/** True for a request type the host answers. */
function isHostRequestType(type: string): type is HostRequestType {
  return ANSWERERS.get(type) === 'host';
}

/** True for a request type the session answers; false for host requests and unknown strings. */
export function isSessionRequestType(type: string): type is SessionRequestType {
  return ANSWERERS.get(type) === 'session';
}

export type ResponseMessage<K extends RequestType = RequestType> =
  | { kind: 'response'; id: number; type: K; ok: true; body: ResponseBody<K> }
  | { kind: 'response'; id: number; type: K; ok: false; error: ErrorInfo };

/** Unsolicited host → webview notifications. */
export type EventMessage =
  | {
      kind: 'event';
      type: 'progress';
      /** The request this progress belongs to. */
      requestId: number;
      stage: string;
      /** 0–1, or null when unknown. */
      fraction: number | null;
      /** Intermediate layout (shownCount × dims) while t-SNE/UMAP converge. */
      positions?: Float32Array;
    }
  | { kind: 'event'; type: 'error'; error: ErrorInfo };

export type ToWebviewMessage = ResponseMessage | EventMessage;
export type FromWebviewMessage = RequestMessage;

/** Exhaustiveness check for switches over message unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}

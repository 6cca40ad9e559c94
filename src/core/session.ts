/**
 * One explorer session: a dataset, one model (explorer, inspect) or two (compare), their codes,
 * reconstruction errors and projections. It answers every webview request of `protocol.ts`;
 * the host adapters only move messages. Runs in plain Node (in the session worker, and in tests).
 */
import { basename, dirname, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type {
  BaselineRequest,
  BaselineResponse,
  ClusterCentroidsRequest,
  ClusterCentroidsResponse,
  RankRequest,
  RankResponse,
  DecodeAtRequest,
  DecodeAtResponse,
  ExportRequest,
  ExportResponse,
  FramesResponse,
  InterpolateRequest,
  LatentHealthRequest,
  LatentHealthResponse,
  NeighboursRequest,
  NeighboursResponse,
  PathEndpoint,
  PriorSamplesRequest,
  Separability,
  TraverseRequest,
  ActivationsRequest,
  ActivationsResponse,
  ColumnRequest,
  ColumnResponse,
  CompareStatsRequest,
  CompareStatsResponse,
  DenoiseRequest,
  DenoiseResponse,
  ExplorerSettings,
  FromWebviewMessage,
  ProjectRequest,
  ProjectResponse,
  ReadyResponse,
  RequestType,
  ResponseBody,
  RequestBody,
  SamplesRequest,
  SamplesResponse,
  ToWebviewMessage,
} from '../shared/protocol';
import type { SessionOptions } from '../shared/workerProtocol';
import type { BackendName, DatasetInfo, ModelSlot, ProjectionMethod, SampleDisplay } from '../shared/types';
import { toErrorInfo } from '../util/errors';
import { readManifestNear, type ResolvedManifest } from './manifest';
import { backendFallback, initBackend, loadAutoencoder, type Autoencoder } from './model';
import { openDataset, planFit, applyFit, stratifiedSample, addNoise, type Dataset } from './data';
import { projectPca, type PcaModel } from './compute/pca';
import { procrustesAlign } from './compute/align';
import type { HelperThreads } from './compute/threads';
import { kmeans, chooseK, silhouette, type KmeansResult } from './compute/kmeans';
import { nearestNeighbors } from './compute/knn';
import { knnAccuracy, neighbourOverlap, clusterPurity, meanSquaredErrorPerSample } from './compute/metrics';
import { blendByNeighbours } from './compute/placement';
import {
  classCentroid,
  codeAtLayoutPoint,
  flagAbove,
  unitHistograms,
  interpolateCodes,
  jacobianProbes,
  latentHealth,
  priorCodes,
  traversalCodes,
  typicalCodeSpacing,
} from './latentTools';
import { encodeNpy } from './export';
import {
  computeProjection,
  layoutTrustworthiness,
  InProcessProjectionRunner,
  type ProjectionRunner,
} from './projection';

/** Per-unit KL (nats) below which a VAE unit carries no information about its input: posterior collapse. */
const COLLAPSED_UNIT_KL = 0.01;

/**
 * Below this many samples, a second encoder thread (which loads its own copy of the model) costs
 * about as much as it saves (bench/encode.ts); above it, encoding uses every core.
 */
const PARALLEL_ENCODE_MIN_SAMPLES = 20_000;

function encodeThreadsFor(sampleLimit: number): number {
  return sampleLimit >= PARALLEL_ENCODE_MIN_SAMPLES ? availableParallelism() : 1;
}

export const DEFAULT_SETTINGS: ExplorerSettings = { defaultMethod: 'pca', seed: 42, sampleLimit: 5000 };

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

interface StoredProjection {
  method: ProjectionMethod;
  dims: 2 | 3;
  positions: Float32Array;
  /** Set for PCA layouts: new points project exactly. */
  pca: PcaModel | null;
  components: number[] | null;
}

interface SlotState {
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

export interface RequestContext {
  signal: AbortSignal;
  /** Progress for this request; `positions` streams intermediate layouts. */
  progress(stage: string, fraction: number | null, positions?: Float32Array): void;
}

export interface OpenSessionOptions extends SessionOptions {
  runner?: ProjectionRunner;
  /** Helper threads for the session's own compute on its thread (trustworthiness scores). */
  threads?: HelperThreads;
  onLoading?: (stage: string, fraction: number | null) => void;
  signal?: AbortSignal;
}

export class ExplorerSession {
  private compareCache: { k: number; stats: CompareStatsResponse } | null = null;
  /** Seconds spent opening: loading models and data, encoding, reconstructing. */
  readonly timings = { load: 0, encode: 0, reconstruct: 0 };

  private constructor(
    private readonly options: OpenSessionOptions,
    private readonly settings: ExplorerSettings,
    readonly backend: BackendName,
    private readonly slots: SlotState[],
    private readonly dataset: Dataset | null,
    private readonly datasetInfo: DatasetInfo | null,
    private readonly shownIndices: Int32Array,
    private readonly labels: Int32Array | null,
    private readonly runner: ProjectionRunner,
  ) {}

  /** Loads models and data, encodes the shown samples and computes their reconstruction errors. */
  static async open(options: OpenSessionOptions): Promise<ExplorerSession> {
    const report = options.onLoading ?? (() => {});
    const settings: ExplorerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    if (options.modelPaths.length === 0 || options.modelPaths.length > 2) {
      throw new SessionError('invalid-argument', `a session needs one or two models, got ${options.modelPaths.length}`);
    }
    if (options.view === 'compare' && options.modelPaths.length !== 2) {
      throw new SessionError('invalid-argument', 'comparing checkpoints needs two models');
    }
    const timings = { load: 0, encode: 0, reconstruct: 0 };
    let started = performance.now();
    report('starting TensorFlow.js', null);
    const backend = await initBackend(options.backend ?? 'auto');
    const loaded: { model: Autoencoder; manifest: ResolvedManifest | null; path: string }[] = [];
    try {
      for (const [i, path] of options.modelPaths.entries()) {
        report(`loading model ${i + 1} of ${options.modelPaths.length}: ${basename(modelFolder(path))}`, null);
        const manifest = await readManifestNear(await modelJsonLocation(path));
        const model = await loadAutoencoder(path, { codeLayer: manifest?.codeLayer, encodeThreads: encodeThreadsFor(settings.sampleLimit) });
        loaded.push({ model, manifest, path });
      }
      const dataPath = options.dataPath ?? loaded[0].manifest?.datasetPath;
      if (!dataPath) {
        if (options.view === 'inspect') {
          return new ExplorerSession(
            options,
            settings,
            backend,
            loaded.map((l, i) => emptySlot(i === 0 ? 'a' : 'b', l.path, l.model, l.manifest)),
            null,
            null,
            new Int32Array(0),
            null,
            options.runner ?? new InProcessProjectionRunner(),
          );
        }
        throw new SessionError(
          'no-dataset',
          `no dataset given and ${loaded[0].path} has no latent-explorer.json naming one: choose a dataset folder or file`,
          loaded[0].path,
        );
      }
      report(`reading ${basename(dataPath)}`, null);
      const manifest = loaded[0].manifest;
      const dataset = await openDataset(dataPath, {
        labelColumn: options.labelColumn ?? manifest?.labelColumn,
        labelsPath: options.dataPath ? undefined : manifest?.labelsPath,
        labelNames: manifest?.labelNames,
      });
      const shownIndices = stratifiedSample(dataset.labels, dataset.count, settings.sampleLimit, settings.seed);
      const n = shownIndices.length;
      const raw = await dataset.readIndices(shownIndices);
      const labels = dataset.labels ? gather(dataset.labels, shownIndices) : null;
      const slots: SlotState[] = [];
      timings.load = seconds(started);
      for (const [i, { model, manifest: slotManifest, path }] of loaded.entries()) {
        const slot: ModelSlot = i === 0 ? 'a' : 'b';
        const plan = planFit(dataset, model.inputShape, slotManifest?.inputScaling);
        const inputs = applyFit(plan, raw.slice(), n);
        const inputSize = product(model.inputShape);
        const encodeStage = `encoding ${n} samples with ${basename(modelFolder(path))}`;
        report(encodeStage, 0);
        started = performance.now();
        const codes = await model.encode(inputs, n, {
          signal: options.signal,
          onProgress: (done, total) => report(encodeStage, done / total),
        });
        timings.encode += seconds(started);
        started = performance.now();
        let errors: Float32Array | null = null;
        if (model.canDecode && product(model.outputShape ?? []) === inputSize) {
          report(`reconstructing with ${basename(modelFolder(path))}`, null);
          const reconstructions = await model.reconstruct(inputs, n, { signal: options.signal });
          errors = meanSquaredErrorPerSample(inputs, reconstructions, n, inputSize);
        }
        timings.reconstruct += seconds(started);
        slots.push({
          slot,
          label: basename(modelFolder(path)),
          model,
          manifest: slotManifest,
          inputs,
          inputSize,
          inputRange: plan.scaling.kind === 'divide255' ? [0, 1] : null,
          codes,
          errors,
          current: null,
          cache: {},
        });
      }
      const info: DatasetInfo = {
        path: dataPath,
        format: dataset.format,
        count: dataset.count,
        shownCount: n,
        ...displayOf(dataset),
        labels: dataset.classNames ? { classes: dataset.classNames } : null,
        columns: dataset.columns,
      };
      const session = new ExplorerSession(
        options,
        settings,
        backend,
        slots,
        dataset,
        info,
        shownIndices,
        labels,
        options.runner ?? new InProcessProjectionRunner(),
      );
      Object.assign(session.timings, timings);
      return session;
    } catch (error) {
      for (const { model } of loaded) model.dispose();
      throw error;
    }
  }

  /** Indices into the dataset of the samples this session shows. */
  get shown(): Int32Array {
    return this.shownIndices;
  }

  /** Answers one request; throws what the webview should see as the error. */
  async handle<K extends RequestType>(type: K, body: RequestBody<K>, context: RequestContext): Promise<ResponseBody<K>> {
    const answer = async (): Promise<unknown> => {
      switch (type) {
        case 'ready':
          return this.ready();
        case 'project':
          return this.project(body as ProjectRequest, context);
        case 'column':
          return this.column(body as ColumnRequest);
        case 'samples':
          return this.samples(body as SamplesRequest);
        case 'denoise':
          return this.denoise(body as DenoiseRequest);
        case 'activations':
          return this.activations(body as ActivationsRequest);
        case 'compareStats':
          return this.compareStats(body as CompareStatsRequest);
        case 'cancel':
          return {};
        case 'decodeAt':
          return this.decodeAt(body as DecodeAtRequest);
        case 'interpolate':
          return this.interpolate(body as InterpolateRequest);
        case 'traverse':
          return this.traverse(body as TraverseRequest);
        case 'priorSamples':
          return this.priorSamples(body as PriorSamplesRequest);
        case 'latentHealth':
          return this.latentHealth(body as LatentHealthRequest);
        case 'baseline':
          return this.baseline(body as BaselineRequest, context);
        case 'neighbours':
          return this.neighbours(body as NeighboursRequest);
        case 'exportCodes':
          return this.exportCodes(body as ExportRequest);
        case 'rank':
          return this.rank(body as RankRequest);
        case 'clusterCentroids':
          return this.clusterCentroids(body as ClusterCentroidsRequest);
        case 'openExplorer':
        case 'saveFile':
          throw new SessionError('unsupported', `"${type}" is handled by the host, not the session`);
        default:
          throw new SessionError('unsupported', `unknown request type ${JSON.stringify(type)}`);
      }
    };
    return (await answer()) as ResponseBody<K>;
  }

  /**
   * Connects the session to a message channel: every request gets exactly one response, `cancel`
   * aborts the request it names (which then answers with code `cancelled`).
   */
  attach(post: (message: ToWebviewMessage) => void): { receive(message: FromWebviewMessage): void; dispose(): void } {
    const running = new Map<number, AbortController>();
    return {
      receive: (message) => {
        if (message.kind !== 'request') return;
        const { id, type, body } = message;
        if (type === 'cancel') {
          running.get((body as { target: number }).target)?.abort();
          post({ kind: 'response', id, type, ok: true, body: {} });
          return;
        }
        const controller = new AbortController();
        running.set(id, controller);
        const context: RequestContext = {
          signal: controller.signal,
          progress: (stage, fraction, positions) =>
            post({ kind: 'event', type: 'progress', requestId: id, stage, fraction, positions }),
        };
        this.handle(type, body as RequestBody<typeof type>, context).then(
          (result) => {
            running.delete(id);
            post({ kind: 'response', id, type, ok: true, body: result } as ToWebviewMessage);
          },
          (error: unknown) => {
            running.delete(id);
            const info = controller.signal.aborted ? { message: 'cancelled', code: 'cancelled' } : toErrorInfo(error);
            post({ kind: 'response', id, type, ok: false, error: info });
          },
        );
      },
      dispose: () => {
        for (const controller of running.values()) controller.abort();
        running.clear();
      },
    };
  }

  ready(): ReadyResponse {
    return {
      view: this.options.view,
      models: this.slots.map((s, i) => ({ slot: s.slot, label: s.label, path: this.options.modelPaths[i], summary: s.model.summary })),
      dataset: this.datasetInfo,
      backend: this.backend,
      backendFallback: backendFallback(),
      settings: this.settings,
      labels: this.labels,
    };
  }

  private slotState(slot: ModelSlot): SlotState {
    const state = this.slots.find((s) => s.slot === slot);
    if (!state) throw new SessionError('invalid-argument', `this session has no model in slot "${slot}"`);
    return state;
  }

  private requireData(): void {
    if (!this.datasetInfo) throw new SessionError('no-dataset', 'this view has no dataset: open the explorer to choose one');
  }

  async project(request: ProjectRequest, context: RequestContext): Promise<ProjectResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const n = this.shownIndices.length;
    const dim = state.model.latentSize;
    const reference = request.alignTo ? this.slotState(request.alignTo.slot).current : null;
    if (request.alignTo && (!reference || reference.dims !== request.dims)) {
      throw new SessionError(
        'invalid-argument',
        `cannot align to model ${request.alignTo.slot.toUpperCase()}: it has no ${request.dims}-D projection yet`,
      );
    }
    let stored: StoredProjection;
    let seconds: number;
    if (request.method === 'pca') {
      const result = computeProjection(state.codes, n, dim, request);
      stored = { method: 'pca', dims: request.dims, positions: result.positions, pca: result.pca, components: result.components };
      seconds = result.seconds;
    } else {
      const started = performance.now();
      const init = request.alignTo?.mode === 'init' && reference ? reference.positions : undefined;
      const positions = await this.runner.run(
        request.slot,
        {
          job: { data: state.codes, n, dim, method: request.method, dims: request.dims, seed: request.seed, params: request.params, init },
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
      const initNote = request.alignTo.mode === 'init' && request.method !== 'pca' ? `initialised from ${request.alignTo.slot.toUpperCase()}'s layout, then ` : '';
      alignment = `${initNote}Procrustes (rotation, reflection, scale ×${aligned.scale.toPrecision(3)}) onto model ${request.alignTo.slot.toUpperCase()}; disparity ${aligned.disparity.toPrecision(3)}`;
    }
    state.current = stored;
    context.progress('measuring trustworthiness', null);
    const trust = layoutTrustworthiness(state.codes, stored.positions, n, dim, request.dims, request.seed, this.options.threads);
    return {
      slot: request.slot,
      method: request.method,
      dims: request.dims,
      positions: stored.positions,
      trustworthiness: trust,
      seconds,
      alignment,
    };
  }

  async column(request: ColumnRequest): Promise<ColumnResponse> {
    this.requireData();
    const { column } = request;
    const n = this.shownIndices.length;
    switch (column.kind) {
      case 'label': {
        if (!this.labels) throw new SessionError('no-labels', 'this dataset has no labels to colour by');
        return {
          column,
          values: Float32Array.from(this.labels),
          scale: 'categorical',
          categories: this.datasetInfo?.labels?.classes ?? null,
          stats: {},
        };
      }
      case 'reconstructionError': {
        const errors = this.slotState(column.slot).errors;
        if (!errors) throw new SessionError('no-decoder', 'this model cannot reconstruct its input, so it has no reconstruction error');
        const stats = summaryStats(errors);
        // The anomaly rule the UI starts from: flag errors above mean + 3σ.
        return { column, values: errors, scale: 'continuous', categories: null, stats: { ...stats, anomalyThreshold: flagAbove(errors, null, 0).defaultThreshold } };
      }
      case 'sensitivity': {
        const values = await this.sensitivity(this.slotState(column.slot));
        return { column, values, scale: 'continuous', categories: null, stats: summaryStats(values) };
      }
      case 'faithfulness': {
        const state = this.slotState(column.slot);
        if (!state.current) throw new SessionError('no-projection', 'project the codes first: faithfulness compares the layout with the latent space');
        const k = Math.min(10, n - 1);
        const dims = state.current.dims;
        const latentGraph = nearestNeighbors(state.codes, n, state.model.latentSize, k, { seed: this.settings.seed });
        const layoutGraph = nearestNeighbors(state.current.positions, n, dims, k, { seed: this.settings.seed });
        const values = neighbourOverlap(latentGraph, layoutGraph).perPoint;
        return { column, values, scale: 'continuous', categories: null, stats: summaryStats(values) };
      }
      case 'latentDimension': {
        const state = this.slotState(column.slot);
        const size = state.model.latentSize;
        if (!Number.isInteger(column.index) || column.index < 0 || column.index >= size) {
          throw new SessionError('invalid-argument', `latent dimension ${column.index} out of range 0–${size - 1}`);
        }
        const values = new Float32Array(n);
        for (let i = 0; i < n; i++) values[i] = state.codes[i * size + column.index];
        const stats = summaryStats(values);
        return { column, values, scale: (stats.min ?? 0) < 0 ? 'diverging' : 'continuous', categories: null, stats };
      }
      case 'cluster': {
        const state = this.slotState(column.slot);
        const { k, clustering } = this.clustering(state, column.k);
        return {
          column,
          values: Float32Array.from(clustering.assignments),
          scale: 'categorical',
          categories: Array.from({ length: k }, (_, i) => `cluster ${i + 1}`),
          stats: { k, silhouette: this.clusterSilhouette(state, clustering), purity: this.labels ? clusterPurity(clustering.assignments, this.labels) : null },
        };
      }
      case 'drift':
      case 'errorDelta': {
        const stats = await this.compareStats({ k: 10 });
        if (column.kind === 'drift') {
          return { column, values: stats.drift, scale: 'continuous', categories: null, stats: summaryStats(stats.drift) };
        }
        const delta = new Float32Array(n);
        for (let i = 0; i < n; i++) delta[i] = stats.errorB[i] - stats.errorA[i];
        return { column, values: delta, scale: 'diverging', categories: null, stats: summaryStats(delta) };
      }
    }
  }

  /** k-means of a slot's codes, k by silhouette when null; cached, so colouring and centroids agree. */
  private clustering(state: SlotState, requested: number | null): { k: number; clustering: KmeansResult } {
    const n = this.shownIndices.length;
    const dim = state.model.latentSize;
    const seed = this.settings.seed;
    if (requested !== null && (!Number.isInteger(requested) || requested < 2 || requested > n)) {
      throw new SessionError('invalid-argument', `k must be an integer in 2–${n}, got ${requested}`);
    }
    const k = requested ?? (state.cache.chosenK ??= chooseK(state.codes, n, dim, { kMin: 2, kMax: 12, seed }).k);
    state.cache.clusterings ??= new Map();
    let clustering = state.cache.clusterings.get(k);
    if (!clustering) {
      clustering = kmeans(state.codes, n, dim, k, { seed });
      state.cache.clusterings.set(k, clustering);
    }
    return { k, clustering };
  }

  private clusterSilhouette(state: SlotState, clustering: KmeansResult): number {
    return silhouette(state.codes, this.shownIndices.length, state.model.latentSize, clustering.assignments, { sampleSize: 2000, seed: this.settings.seed });
  }

  async clusterCentroids(request: ClusterCentroidsRequest): Promise<ClusterCentroidsResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const { k, clustering } = this.clustering(state, request.k);
    const sizes = new Int32Array(k);
    for (const cluster of clustering.assignments) sizes[cluster]++;
    return {
      ...(await this.frames(state, clustering.centroids.slice(), k, null)),
      k,
      sizes,
      silhouette: this.clusterSilhouette(state, clustering),
      purity: this.labels ? clusterPurity(clustering.assignments, this.labels) : null,
    };
  }

  async rank(request: RankRequest): Promise<RankResponse> {
    const { column, values, scale } = await this.column({ column: request.column });
    if (scale === 'categorical') throw new SessionError('invalid-argument', `"${column.kind}" is categorical: only continuous columns can be ranked`);
    if (!Number.isInteger(request.limit) || request.limit < 0) throw new SessionError('invalid-argument', `limit must be a non-negative integer, got ${request.limit}`);
    const { threshold } = request;
    if (typeof threshold === 'number' ? !Number.isFinite(threshold) : threshold !== null && !(threshold.percentile >= 0 && threshold.percentile <= 100)) {
      throw new SessionError('invalid-argument', `threshold must be a finite number, { percentile } in [0, 100], or null; got ${typeof threshold === 'number' ? threshold : JSON.stringify(threshold)}`);
    }
    return { column, ...flagAbove(values, request.threshold, request.limit) };
  }

  async samples(request: SamplesRequest): Promise<SamplesResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const indices = this.checkIndices(request.indices);
    const originals = gatherRows(state.inputs, state.inputSize, indices);
    let reconstructions: Float32Array | null = null;
    let errors: Float32Array | null = null;
    if (request.includeReconstruction && state.errors) {
      reconstructions = await state.model.reconstruct(originals, indices.length);
      errors = meanSquaredErrorPerSample(originals, reconstructions, indices.length, state.inputSize);
    }
    return {
      slot: request.slot,
      indices,
      display: this.datasetInfo!.display,
      itemShape: this.datasetInfo!.itemShape,
      originals,
      reconstructions,
      errors,
    };
  }

  async denoise(request: DenoiseRequest): Promise<DenoiseResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    if (!state.errors) throw new SessionError('no-decoder', 'this model cannot reconstruct its input, so it cannot denoise');
    const indices = this.checkIndices(request.indices);
    const m = indices.length;
    const clean = gatherRows(state.inputs, state.inputSize, indices);
    const noisy = addNoise(clean, request.noise, request.seed, state.inputRange ?? undefined);
    const denoised = await state.model.reconstruct(noisy, m);
    const noisyError = meanSquaredErrorPerSample(noisy, clean, m, state.inputSize);
    const denoisedError = meanSquaredErrorPerSample(denoised, clean, m, state.inputSize);
    let noisyPositions: Float32Array | null = null;
    if (state.current) {
      const noisyCodes = await state.model.encode(noisy, m);
      noisyPositions = this.placeCodes(state, state.current, noisyCodes, m);
    }
    return { slot: request.slot, indices, itemShape: this.datasetInfo!.itemShape, clean, noisy, denoised, noisyError, denoisedError, noisyPositions };
  }

  /** New codes in an existing layout: exactly for PCA, by neighbour blending for t-SNE/UMAP. */
  private placeCodes(state: SlotState, layout: StoredProjection, codes: Float32Array, m: number): Float32Array {
    const dim = state.model.latentSize;
    if (layout.pca && layout.components) {
      const all = projectPca(layout.pca, codes, m);
      const out = new Float32Array(m * layout.dims);
      for (let i = 0; i < m; i++) {
        for (let c = 0; c < layout.dims; c++) out[i * layout.dims + c] = all[i * layout.pca.k + layout.components[c]];
      }
      return out;
    }
    const n = this.shownIndices.length;
    return blendByNeighbours(state.codes, layout.positions, n, dim, layout.dims, codes, m).values;
  }

  async activations(request: ActivationsRequest): Promise<ActivationsResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const indices = this.checkIndices(request.indices);
    const inputs = gatherRows(state.inputs, state.inputSize, indices);
    const [activation] = await state.model.activations(inputs, indices.length, [request.layer]);
    if (!activation) throw new SessionError('invalid-argument', `the model has no layer "${request.layer}"`);
    const units = activation.shape.length === 0 ? 1 : activation.shape[activation.shape.length - 1];
    const perSample = product(activation.shape);
    const unitMean = new Float32Array(units);
    const unitMaxAbs = new Float32Array(units);
    let nearZero = 0;
    const values = activation.values;
    for (let i = 0; i < values.length; i++) {
      const unit = (i % perSample) % units;
      const v = values[i];
      unitMean[unit] += v;
      const a = Math.abs(v);
      if (a > unitMaxAbs[unit]) unitMaxAbs[unit] = a;
      if (a < 1e-3) nearZero++;
    }
    const perUnitCount = (indices.length * perSample) / units;
    let dead = 0;
    for (let u = 0; u < units; u++) {
      unitMean[u] /= perUnitCount;
      if (unitMaxAbs[u] <= 1e-6) dead++;
    }
    return {
      slot: request.slot,
      layer: request.layer,
      shape: activation.shape,
      values,
      unitMean,
      deadFraction: dead / units,
      sparsity: values.length ? nearZero / values.length : 0,
    };
  }

  async compareStats(request: CompareStatsRequest): Promise<CompareStatsResponse> {
    this.requireData();
    if (this.slots.length !== 2) throw new SessionError('invalid-argument', 'comparison statistics need two models');
    if (this.compareCache?.k === request.k) return this.compareCache.stats;
    const stats = compareCodes(
      { codes: this.slots[0].codes, dim: this.slots[0].model.latentSize, errors: this.slots[0].errors },
      { codes: this.slots[1].codes, dim: this.slots[1].model.latentSize, errors: this.slots[1].errors },
      this.shownIndices.length,
      this.labels,
      request.k,
      this.settings.seed,
    );
    this.compareCache = { k: request.k, stats };
    return stats;
  }

  private requireDecoder(state: SlotState): void {
    if (!state.model.canDecode) throw new SessionError('no-decoder', `${state.label} has no decoder, so latent codes cannot be decoded`);
  }

  private requireLayout(state: SlotState): StoredProjection {
    if (!state.current) throw new SessionError('no-projection', 'project the codes first: there is no layout to place these points in');
    return state.current;
  }

  /** Decoded frames for some codes, and where they fall in the current layout. */
  private async frames(state: SlotState, codes: Float32Array, count: number, offsets: Float32Array | null): Promise<FramesResponse> {
    this.requireDecoder(state);
    const frames = await state.model.decode(codes, count);
    return {
      slot: state.slot,
      itemShape: this.datasetInfo!.itemShape,
      frames,
      codes,
      positions: state.current ? this.placeCodes(state, state.current, codes, count) : null,
      offsets,
    };
  }

  async decodeAt(request: DecodeAtRequest): Promise<DecodeAtResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    this.requireDecoder(state);
    const layout = this.requireLayout(state);
    const n = this.shownIndices.length;
    const dim = state.model.latentSize;
    state.cache.spacing ??= typicalCodeSpacing(state.codes, n, dim);
    const spot = codeAtLayoutPoint(layout, state.codes, n, dim, request.point, state.cache.spacing);
    const image = await state.model.decode(spot.code, 1);
    return { slot: request.slot, itemShape: this.datasetInfo!.itemShape, image, ...spot };
  }

  private endpointCode(state: SlotState, endpoint: PathEndpoint): Float32Array {
    const dim = state.model.latentSize;
    if (endpoint.kind === 'sample') {
      const [index] = this.checkIndices(Int32Array.of(endpoint.index));
      return state.codes.slice(index * dim, (index + 1) * dim);
    }
    if (!this.labels) throw new SessionError('no-labels', 'class centroids need labels, and this dataset has none');
    return classCentroid(state.codes, this.shownIndices.length, dim, this.labels, endpoint.label);
  }

  async interpolate(request: InterpolateRequest): Promise<FramesResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const codes = interpolateCodes(this.endpointCode(state, request.from), this.endpointCode(state, request.to), request.steps, request.mode);
    return this.frames(state, codes, request.steps, null);
  }

  async traverse(request: TraverseRequest): Promise<FramesResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const dim = state.model.latentSize;
    const anchor = request.anchor === null ? undefined : this.endpointCode(state, { kind: 'sample', index: request.anchor });
    const path = traversalCodes(state.codes, this.shownIndices.length, dim, request.axis, request.steps, anchor);
    return this.frames(state, path.codes, request.steps, path.offsets);
  }

  async priorSamples(request: PriorSamplesRequest): Promise<FramesResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    if (!state.model.isVariational) {
      throw new SessionError('not-variational', `${state.label} is not a variational autoencoder: it has no prior to sample from`);
    }
    const codes = priorCodes(request.count, state.model.latentSize, request.seed);
    return this.frames(state, codes, request.count, null);
  }

  async latentHealth(request: LatentHealthRequest): Promise<LatentHealthResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const n = this.shownIndices.length;
    const dim = state.model.latentSize;
    if (state.cache.logVar === undefined) {
      const distribution = await state.model.encodeDistribution(state.inputs, n);
      state.cache.logVar = distribution?.logVar ?? null;
    }
    const health = latentHealth(state.codes, n, dim, state.cache.logVar);
    const kl = health.klPerUnit;
    let classMeans: Float32Array | null = null;
    const classes = this.datasetInfo?.labels?.classes.length ?? 0;
    if (this.labels && classes > 0) {
      classMeans = new Float32Array(classes * dim);
      const counts = new Float64Array(classes);
      for (let i = 0; i < n; i++) {
        const label = this.labels[i];
        if (label < 0 || label >= classes) continue;
        counts[label]++;
        for (let c = 0; c < dim; c++) classMeans[label * dim + c] += state.codes[i * dim + c];
      }
      for (let l = 0; l < classes; l++) for (let c = 0; c < dim; c++) classMeans[l * dim + c] /= Math.max(1, counts[l]);
    }
    return {
      slot: request.slot,
      ...health,
      klTotal: kl ? kl.reduce((sum, v) => sum + v, 0) : null,
      collapsedUnits: kl ? kl.filter((v) => v < COLLAPSED_UNIT_KL).length : null,
      classMeans,
      histograms: unitHistograms(state.codes, n, dim, this.labels, classes),
    };
  }

  async baseline(request: BaselineRequest, context: RequestContext): Promise<BaselineResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const n = this.shownIndices.length;
    const spec = { method: request.method, dims: request.dims, seed: request.seed, params: request.params };
    const started = performance.now();
    const positions =
      request.method === 'pca'
        ? computeProjection(state.inputs, n, state.inputSize, spec).positions
        : await this.runner.run(
            'baseline',
            {
              job: { data: state.inputs, n, dim: state.inputSize, ...spec },
              onProgress: (stage, fraction) => context.progress(stage, fraction),
              onLayout: (layout, fraction) => context.progress('optimising layout', fraction, layout),
            },
            context.signal,
          );
    const seconds = (performance.now() - started) / 1000;
    context.progress('measuring trustworthiness and separability', null);
    const trust = layoutTrustworthiness(state.inputs, positions, n, state.inputSize, request.dims, request.seed, this.options.threads);
    state.cache.separability ??= {
      raw: this.separability(state.inputs, state.inputSize),
      latent: this.separability(state.codes, state.model.latentSize),
    };
    return { slot: request.slot, method: request.method, dims: request.dims, positions, seconds, trustworthiness: trust, ...state.cache.separability };
  }

  /** How well labels separate in a space: 10-NN accuracy and the labels' silhouette. */
  private separability(data: Float32Array, dim: number): Separability | null {
    if (!this.labels) return null;
    const n = this.shownIndices.length;
    const seed = this.settings.seed;
    const graph = nearestNeighbors(data, n, dim, Math.min(10, n - 1), { seed });
    return { knnAccuracy: knnAccuracy(graph, this.labels), silhouette: silhouette(data, n, dim, this.labels, { sampleSize: 1000, seed }) };
  }

  async neighbours(request: NeighboursRequest): Promise<NeighboursResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const n = this.shownIndices.length;
    const [index] = this.checkIndices(Int32Array.of(request.index));
    if (!Number.isInteger(request.k) || request.k < 1 || request.k >= n) {
      throw new SessionError('invalid-argument', `k must be an integer in 1–${n - 1}, got ${request.k}`);
    }
    const dim = state.model.latentSize;
    const query = state.codes.subarray(index * dim, (index + 1) * dim);
    const distances = new Float64Array(n);
    const queryNorm = Math.hypot(...query) || 1;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      let squares = 0;
      let norm = 0;
      for (let c = 0; c < dim; c++) {
        const v = state.codes[i * dim + c];
        const diff = v - query[c];
        squares += diff * diff;
        dot += v * query[c];
        norm += v * v;
      }
      distances[i] = request.metric === 'cosine' ? 1 - dot / (queryNorm * (Math.sqrt(norm) || 1)) : Math.sqrt(squares);
    }
    const order = Array.from({ length: n }, (_, i) => i)
      .filter((i) => i !== index)
      .sort((a, b) => distances[a] - distances[b] || a - b)
      .slice(0, request.k);
    return { slot: request.slot, index, indices: Int32Array.from(order), distances: Float32Array.from(order, (i) => distances[i]) };
  }

  async exportCodes(request: ExportRequest): Promise<ExportResponse> {
    this.requireData();
    const state = this.slotState(request.slot);
    const n = this.shownIndices.length;
    const indices = request.indices ? this.checkIndices(request.indices) : Int32Array.from({ length: n }, (_, i) => i);
    const dim = state.model.latentSize;
    const codes = gatherRows(state.codes, dim, indices);
    const base = `${state.label}-codes-${indices.length}`;
    if (request.format === 'npy') {
      return { fileName: `${base}.npy`, mime: 'application/octet-stream', data: new Uint8Array(encodeNpy(codes, [indices.length, dim])) };
    }
    const classes = this.datasetInfo?.labels?.classes;
    const rows = Array.from(indices, (shownIndex, row) => ({
      index: this.shownIndices[shownIndex],
      label: this.labels ? (classes?.[this.labels[shownIndex]] ?? String(this.labels[shownIndex])) : null,
      error: state.errors ? state.errors[shownIndex] : null,
      code: Array.from(codes.subarray(row * dim, (row + 1) * dim)),
    }));
    if (request.format === 'json') {
      const text = JSON.stringify({ model: state.label, dataset: this.datasetInfo!.path, latentSize: dim, rows });
      return { fileName: `${base}.json`, mime: 'application/json', data: new TextEncoder().encode(text) };
    }
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    const header = ['index', 'label', 'reconstruction_error', ...Array.from({ length: dim }, (_, c) => `z${c}`)].join(',');
    const lines = rows.map((r) => [r.index, r.label === null ? '' : quote(r.label), r.error ?? '', ...r.code].join(','));
    return { fileName: `${base}.csv`, mime: 'text/csv', data: new TextEncoder().encode([header, ...lines].join('\n') + '\n') };
  }

  /**
   * Per-sample ‖J‖_F of the encoder, estimated by Hutchinson's identity ‖J‖²_F = E‖J v‖² over
   * Gaussian probes v, each J v taken as a central finite difference of the encoder.
   */
  private async sensitivity(state: SlotState, probes = 8, epsilon = 1e-2): Promise<Float32Array> {
    if (state.cache.sensitivity) return state.cache.sensitivity;
    const n = this.shownIndices.length;
    const size = state.inputSize;
    const dim = state.model.latentSize;
    const directions = jacobianProbes(probes, size, this.settings.seed);
    const squared = new Float64Array(n);
    const plus = new Float32Array(n * size);
    const minus = new Float32Array(n * size);
    for (let p = 0; p < probes; p++) {
      const v = directions.subarray(p * size, (p + 1) * size);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < size; j++) {
          plus[i * size + j] = state.inputs[i * size + j] + epsilon * v[j];
          minus[i * size + j] = state.inputs[i * size + j] - epsilon * v[j];
        }
      }
      const up = await state.model.encode(plus, n);
      const down = await state.model.encode(minus, n);
      for (let i = 0; i < n; i++) {
        let norm = 0;
        for (let c = 0; c < dim; c++) {
          const jv = (up[i * dim + c] - down[i * dim + c]) / (2 * epsilon);
          norm += jv * jv;
        }
        squared[i] += norm / probes;
      }
    }
    state.cache.sensitivity = Float32Array.from(squared, Math.sqrt);
    return state.cache.sensitivity;
  }

  private checkIndices(indices: Int32Array): Int32Array {
    const n = this.shownIndices.length;
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new SessionError('invalid-argument', `sample index ${i} out of range 0–${n - 1}`);
    }
    return indices;
  }

  /** Codes of the shown samples for a slot (shownCount × latentSize). */
  codes(slot: ModelSlot): Float32Array {
    return this.slotState(slot).codes;
  }

  /** The loaded model in a slot. */
  model(slot: ModelSlot): Autoencoder {
    return this.slotState(slot).model;
  }

  /** Per-sample reconstruction MSE of the shown samples; throws when the model cannot reconstruct. */
  errors(slot: ModelSlot): Float32Array {
    const errors = this.slotState(slot).errors;
    if (!errors) throw new SessionError('no-decoder', `${this.slotState(slot).label} cannot reconstruct its input (no decoder, or its output does not match its input)`);
    return errors;
  }

  dispose(): void {
    this.runner.dispose();
    for (const state of this.slots) state.model.dispose();
    void this.dataset?.close();
  }
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
  const overlap = neighbourOverlap(graphA, graphB);
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
    neighbourOverlap: overlap.mean,
    topMovers: order.slice(0, topCount).map((index) => ({ index, drift: drift[index] })),
    errorChanges: {
      worse: changed.filter((c) => c.delta > 0).slice(0, topCount),
      better: changed.filter((c) => c.delta < 0).slice(-topCount).reverse(),
    },
  };
}

function emptySlot(slot: ModelSlot, path: string, model: Autoencoder, manifest: ResolvedManifest | null): SlotState {
  return {
    slot,
    label: basename(modelFolder(path)),
    model,
    manifest,
    inputs: new Float32Array(0),
    inputSize: product(model.inputShape),
    inputRange: null,
    codes: new Float32Array(0),
    errors: null,
    current: null,
    cache: {},
  };
}

/** How samples are drawn: images keep their H×W(×C) shape (a trailing 1 channel dropped), rows are flat. */
function displayOf(dataset: Dataset): { display: SampleDisplay; itemShape: number[] } {
  if (dataset.display === 'image') {
    const shape = dataset.itemShape.slice();
    if (shape.length === 3 && shape[2] === 1) shape.pop();
    return { display: 'image', itemShape: shape };
  }
  return { display: 'tabular', itemShape: [product(dataset.itemShape)] };
}

function modelFolder(path: string): string {
  return path.endsWith('.json') ? dirname(path) : path;
}

/** model.json beside which the manifest is looked for: the file itself, its folder's, or an encoder/ pair's. */
async function modelJsonLocation(path: string): Promise<string> {
  if (path.endsWith('.json')) return path;
  try {
    await stat(join(path, 'model.json'));
    return join(path, 'model.json');
  } catch {
    return join(path, 'encoder', 'model.json');
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function gather(values: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

function gatherRows(values: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) out.set(values.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : NaN;
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

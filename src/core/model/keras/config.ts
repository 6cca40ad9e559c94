/**
 * Turns a Keras model config (config.json of a `.keras`, the `model_config` attribute of an `.h5`,
 * a to_json() file) into a TF.js layers-model topology. The Keras 3 dialect itself (batch_shape,
 * DTypePolicy, call arguments) is rewritten by ../normalize.ts, as for converter output; this file
 * handles what only native Keras files hold: dict outputs, layers tfjs names differently or lacks,
 * and models that carry no layer graph at all.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { ModelLoadError } from '../errors';
import { SAMPLING_STAND_IN_CLASS, looksLikeSamplingLayer } from '../sampling';

type Json = Record<string, unknown>;

const CONTAINER_CLASSES = new Set(['Sequential', 'Model', 'Functional']);
/** Dropout that zeroes whole feature maps: the identity at inference, like Dropout, which tfjs has. */
const SPATIAL_DROPOUT = /^SpatialDropout[23]D$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The layer specs of a Sequential/Functional config, or null when it has no layer graph. */
export function layerSpecs(container: Json): Json[] | null {
  const config = container.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  return Array.isArray(layers) ? layers.filter(isObject) : null;
}

export function isContainer(spec: Json): boolean {
  return CONTAINER_CLASSES.has(String(spec.class_name)) && layerSpecs(spec) !== null;
}

export function specName(spec: Json): string {
  const config = spec.config;
  return String(spec.name ?? (isObject(config) ? config.name : undefined) ?? '');
}

/**
 * A layers-model JSON for `config` (not yet normalised), plus what was changed, in words.
 * Throws the subclassed-model error when the config has no layer graph.
 */
export function kerasModelJson(file: string, config: Json, kerasVersion: string | null): { json: tf.io.ModelJSON; changes: string[] } {
  if (!isContainer(config)) {
    const registered = typeof config.registered_name === 'string' ? config.registered_name : String(config.class_name);
    throw new ModelLoadError(
      file,
      'model-unsupported',
      `${file}: this file holds a subclassed model (${registered}) with no architecture; save the encoder and decoder as Functional models`,
    );
  }
  const topology = structuredClone(config);
  const changes: string[] = [];
  rewrite(file, topology, changes);
  giveSequentialItsInput(topology);
  const version = kerasVersion ?? (typeof config.keras_version === 'string' ? config.keras_version : null);
  if (version) topology.keras_version = version;
  const json: tf.io.ModelJSON = { modelTopology: topology, weightsManifest: [], format: 'layers-model', generatedBy: version ? `keras v${version}` : 'keras' };
  return { json, changes };
}

/**
 * A Keras 3 Sequential built without an Input (`Sequential([Dense(…), …])`, then fit) keeps its
 * input shape only in `build_config`; tfjs needs it on the first layer.
 */
function giveSequentialItsInput(topology: Json): void {
  const layers = topology.class_name === 'Sequential' ? layerSpecs(topology) : null;
  const first = layers?.[0];
  const buildConfig = topology.build_config;
  const inputShape = isObject(buildConfig) ? buildConfig.input_shape : undefined;
  if (!first || first.class_name === 'InputLayer' || !isObject(first.config) || !Array.isArray(inputShape)) return;
  if (first.config.batch_input_shape === undefined && first.config.batch_shape === undefined) first.config.batch_input_shape = inputShape;
}

/** Applies the Keras-file rewrites to every container in place, depth-first. */
function rewrite(file: string, container: Json, changes: string[]): void {
  const config = container.config;
  if (isObject(config)) {
    const outputs = config.output_layers;
    // Keras 3 writes named outputs as a dict; tfjs takes a list, which keeps the dict's order.
    if (isObject(outputs)) {
      config.output_layers = Object.values(outputs);
      changes.push(`Keras 3: the outputs of ${specName(container) || 'the model'} are named (${Object.keys(outputs).join(', ')}); read as a list in that order`);
    }
  }
  for (const spec of layerSpecs(container) ?? []) {
    const className = String(spec.class_name);
    const layerConfig = isObject(spec.config) ? spec.config : {};
    if (className === 'LeakyReLU' && layerConfig.negative_slope !== undefined && layerConfig.alpha === undefined) {
      // Keras 3 renamed alpha; tfjs would silently fall back to its default slope of 0.3.
      layerConfig.alpha = layerConfig.negative_slope;
      delete layerConfig.negative_slope;
    } else if (SPATIAL_DROPOUT.test(className)) {
      spec.class_name = 'Dropout';
      changes.push(`${className} layer "${specName(spec)}" read as Dropout (both pass values through unchanged outside training)`);
    } else if (className === 'Lambda') {
      replaceSamplingLambda(file, spec, changes);
    } else if (!isContainer(spec) && !(className in tfc.serialization.SerializationMap.getMap().classNameMap)) {
      refuseUnknown(file, spec, className);
    }
    if (isContainer(spec)) rewrite(file, spec, changes);
  }
}

/**
 * A Lambda holds Python code tfjs cannot run. One that samples a VAE code (two inputs, and a layer
 * or function name that says so) becomes the built-in sampling stand-in; any other is refused.
 */
function replaceSamplingLambda(file: string, spec: Json, changes: string[]): void {
  const name = specName(spec);
  const layerConfig = isObject(spec.config) ? spec.config : {};
  const fn = isObject(layerConfig.function) ? String(layerConfig.function.config ?? '') : '';
  const inputs = callInputCount(spec);
  if (looksLikeSamplingLayer('Lambda', name, inputs) || (inputs === 2 && /sampl|reparam/i.test(fn))) {
    spec.class_name = SAMPLING_STAND_IN_CLASS;
    changes.push(
      `Keras Lambda layer "${name}"${fn ? ` (function ${fn})` : ''} samples the VAE code: replaced by the built-in sampling stand-in, ` +
        'which returns the mean (its first input), so codes are deterministic',
    );
    return;
  }
  throw new ModelLoadError(
    file,
    'model-unknown-layer',
    `${file}: layer "${name}" is a Keras Lambda${fn ? ` (function ${fn})` : ''}, Python code that cannot run outside Python; ` +
      'replace it with built-in layers, or save the model parts before and after it as separate Functional models',
  );
}

/**
 * A class tfjs does not have: VAE sampling layers go on to the stand-in in ../normalize.ts; any
 * other is refused here, saying whether it is the author's Python class or a Keras layer.
 */
function refuseUnknown(file: string, spec: Json, className: string): void {
  const name = specName(spec);
  if (looksLikeSamplingLayer(className, name, callInputCount(spec))) return;
  const registered = typeof spec.registered_name === 'string' ? spec.registered_name : '';
  const module = typeof spec.module === 'string' ? spec.module : null;
  // Keras 3 says where a class comes from; Keras 2 configs do not.
  const what =
    module === null
      ? 'a layer class TensorFlow.js does not have (a custom Python layer, or a Keras layer missing from TensorFlow.js)'
      : registered.includes('>') || !module.startsWith('keras')
        ? `a custom layer defined in Python (${registered || module})`
        : 'a Keras layer TensorFlow.js does not have';
  throw new ModelLoadError(
    file,
    'model-unknown-layer',
    `${file}: layer "${name}" is a ${className}, ${what}; save the parts of the model before and after it as separate Functional models`,
  );
}

/** Tensors passed to a layer's first call, in the Keras 3 (`args`) or Keras 2 (list) node form. */
function callInputCount(spec: Json): number {
  const node = Array.isArray(spec.inbound_nodes) ? (spec.inbound_nodes[0] as unknown) : undefined;
  if (Array.isArray(node)) return node.length;
  if (!isObject(node) || !Array.isArray(node.args)) return 1;
  const first = node.args[0] as unknown;
  return Array.isArray(first) ? first.length : node.args.length;
}

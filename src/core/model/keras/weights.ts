/**
 * Finds each Keras weight's TF.js name and checks its shape. tfjs itself says what every layer
 * expects: the model is built once from the normalised topology, and its variables give the names
 * (`dense_1/kernel`) and shapes the weights must have, in the order Keras creates them.
 *
 * Where the weights are stored differs by format:
 * - Keras 3 `model.weights.h5`: `layers/<key>/vars/<i>`, where the key is the snake_case class name
 *   counted per class within each model (`dense`, `dense_1`, …) in config order, not the layer name;
 *   a nested model's layers are under `layers/<key>/layers/…`.
 * - legacy HDF5 (full model or weights only): one group per top-level layer, named after it,
 *   whose `weight_names` attribute lists its datasets in order (`dense_1_14/kernel:0`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelLoadError } from '../errors';
import { isContainer, layerSpecs, specName } from './config';
import type { Hdf5Array, Hdf5Reader } from './hdf5';

type Json = Record<string, unknown>;

/** A weight read from the file under its TF.js name. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Names the two sides in mismatch messages: "model.weights.h5" and "config.json". */
export interface WeightSourceNames {
  weights: string;
  config: string;
}

/**
 * Keras 3: the weights of every layer in `config` (the original Keras config, whose class names
 * generate the keys) matched against `model`, built from the same config.
 */
export function keras3Weights(file: string, names: WeightSourceNames, h5: Hdf5Reader, config: Json, model: tfl.LayersModel): NamedWeight[] {
  const found: NamedWeight[] = [];
  const visit = (container: Json, built: tfl.LayersModel, prefix: string): void => {
    const used = new Map<string, number>();
    for (const spec of layerSpecs(container) ?? []) {
      const key = uniqueKey(used, snakeCase(String(spec.class_name)));
      const layer = built.getLayer(specName(spec));
      if (isContainer(spec)) {
        visit(spec, layer as tfl.LayersModel, `${prefix}/layers/${key}`);
        continue;
      }
      // One array more than expected is enough to report a mismatch.
      found.push(...matchLayer(file, names, layer, layerVars(h5, `${prefix}/layers/${key}`, layer.weights.length + 1)));
    }
  };
  visit(config, model, '');
  return found;
}

/**
 * Where a layer keeps sub-layers, in the order tfjs lists their weights: an RNN's `cell`, a
 * TimeDistributed's `layer`, a Bidirectional's forward then backward layer.
 */
const SUB_LAYERS = ['cell', 'layer', 'forward_layer', 'backward_layer'];

/** Deepest sub-layer nesting Keras writes (Bidirectional → forward_layer → cell is 2). */
const MAX_SUB_LAYER_DEPTH = 2;

/**
 * A layer's own `vars/0…`, then those of its sub-layers; at most `limit` arrays and
 * MAX_SUB_LAYER_DEPTH levels, as a damaged file's links may loop back on themselves.
 */
function layerVars(h5: Hdf5Reader, group: string, limit: number, depth = 0): Hdf5Array[] {
  const vars: Hdf5Array[] = [];
  for (let index = 0; index <= limit; index++) {
    const value = h5.dataset(`${group}/vars/${index}`);
    if (!value) break;
    vars.push(value);
  }
  if (depth >= MAX_SUB_LAYER_DEPTH) return vars;
  for (const sub of SUB_LAYERS) {
    if (vars.length > limit) break;
    if (h5.isGroup(`${group}/${sub}`)) vars.push(...layerVars(h5, `${group}/${sub}`, limit - vars.length, depth + 1));
  }
  return vars;
}

/**
 * Legacy HDF5: the weights of each top-level layer of `model` from the group under `root`
 * (`/model_weights` or `/`) named after it. When the names differ (weights saved from another
 * session than the architecture), layers are matched in order, as Keras' own `load_weights` does.
 */
export function legacyWeights(
  file: string,
  names: WeightSourceNames,
  h5: Hdf5Reader,
  root: string,
  model: tfl.LayersModel,
  warnings: string[],
): NamedWeight[] {
  const base = root === '/' ? '' : root;
  const weighted = model.layers.filter((layer) => layer.weights.length > 0);
  const listed = h5.stringListAttr(root, 'layer_names');
  const stored = (listed.length ? listed : h5.children(root)).filter((name) => h5.stringListAttr(`${base}/${name}`, 'weight_names').length > 0);
  const byName = weighted.every((layer) => stored.includes(layer.name));
  if (!byName) {
    if (stored.length !== weighted.length) {
      throw mismatch(file, names, `${names.weights} holds weights for ${stored.length} layer(s), the model has ${weighted.length} layer(s) with weights`);
    }
    warnings.push(`the layer names in ${names.weights} differ from ${names.config}: weights matched to layers in order`);
  }
  const found: NamedWeight[] = [];
  weighted.forEach((layer, index) => {
    const group = `${base}/${byName ? layer.name : stored[index]!}`;
    const vars = h5.stringListAttr(group, 'weight_names').map((weightName) => {
      const value = h5.dataset(`${group}/${weightName}`);
      if (!value) throw mismatch(file, names, `${names.weights} lists ${weightName.replace(/[^\x20-\x7e]/g, '?')} for layer ${layer.name} but holds no such dataset`);
      return value;
    });
    found.push(...matchLayer(file, names, layer, vars));
  });
  return found;
}

/** Pairs a layer's tfjs variables with the arrays stored for it, checking count and shapes. */
function matchLayer(file: string, names: WeightSourceNames, layer: tfl.layers.Layer, vars: Hdf5Array[]): NamedWeight[] {
  // Built layers know every dimension of their weights.
  const expected = layer.weights.map((variable) => ({ name: variable.originalName, shape: variable.shape.map((dim) => dim ?? -1) }));
  if (vars.length !== expected.length) {
    throw mismatch(file, names, `layer ${layer.name} expects ${expected.length} weight array(s) (${expected.map((w) => shapeText(w.shape)).join(', ') || 'none'}), file has ${vars.length}`);
  }
  return expected.map((variable, index) => {
    const stored = vars[index]!;
    if (!sameShape(variable.shape, stored.shape)) {
      throw mismatch(file, names, `layer ${layer.name} expects ${shapeText(variable.shape)}, file has ${shapeText(stored.shape)}`);
    }
    return { name: variable.name, shape: variable.shape, values: stored.read() };
  });
}

function mismatch(file: string, names: WeightSourceNames, detail: string): ModelLoadError {
  return new ModelLoadError(file, 'model-invalid', `${file}: the weights in ${names.weights} do not match ${names.config} (${detail})`);
}

function sameShape(expected: readonly number[], stored: readonly number[]): boolean {
  return expected.length === stored.length && expected.every((dim, index) => dim === stored[index]);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Keras' `naming.to_snake_case`: `Conv2DTranspose` → `conv2d_transpose`, `BatchNormalization` → `batch_normalization`. */
export function snakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Keras' per-container name counter: the first `dense`, then `dense_1`, `dense_2`, … */
function uniqueKey(used: Map<string, number>, name: string): string {
  const count = used.get(name);
  if (count === undefined) {
    used.set(name, 0);
    return name;
  }
  used.set(name, count + 1);
  return `${name}_${count + 1}`;
}

/** The weights as the specs and one buffer that TF.js model artifacts carry. */
export function toArtifactsWeights(weights: NamedWeight[]): { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const total = weights.reduce((sum, weight) => sum + weight.values.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  const weightSpecs = weights.map((weight) => {
    data.set(weight.values, offset);
    offset += weight.values.length;
    return { name: weight.name, shape: weight.shape, dtype: 'float32' as const };
  });
  return { weightSpecs, weightData: data.buffer };
}

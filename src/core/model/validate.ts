/**
 * Structural checks on a model.json before tfjs sees it. tfjs trusts the file: a manifest entry
 * without `paths` throws "group.paths is not iterable", a layer graph with a cycle or a dangling
 * input spins `Container.fromConfig` forever, and `units: 1000000` allocates gigabytes before any
 * error. These checks turn each into one clear ModelLoadError, in time linear in the file's size.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from './errors';

type Json = Record<string, unknown>;

/** 2^28 float32 values: far above any autoencoder this tool explores, far below what would exhaust memory. */
export const MAX_WEIGHT_BYTES = 2 ** 30;
/** Largest layer width (units, filters) believed without weights to confirm it. */
const MAX_DECLARED_WIDTH = 2 ** 20;

const DTYPES = new Set(['float32', 'int32', 'bool', 'complex64', 'string', 'uint8', 'uint16', 'float16']);
const CONTAINER_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks `weightsManifest` has the shape tfjs assumes: groups of string paths and well-formed weights. */
export function validateWeightsManifest(file: string, manifest: unknown): void {
  if (manifest === undefined) return;
  const fail = (where: string, problem: string): never => {
    throw new ModelLoadError(file, 'model-not-tfjs', `${file}: weightsManifest${where} ${problem}; the file is damaged or was not written by a TensorFlow.js converter`);
  };
  if (!Array.isArray(manifest)) fail('', 'is not a list');
  let elements = 0;
  (manifest as unknown[]).forEach((group, g) => {
    if (!isObject(group)) fail(`[${g}]`, 'is not an object');
    const { paths, weights } = group as Json;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((path) => typeof path === 'string' && path.length > 0)) {
      fail(`[${g}].paths`, 'is not a list of file names');
    }
    if (!Array.isArray(weights)) fail(`[${g}].weights`, 'is not a list');
    (weights as unknown[]).forEach((weight, w) => {
      const where = `[${g}].weights[${w}]`;
      if (!isObject(weight)) fail(where, 'is not an object');
      const { name, shape, dtype, quantization } = weight as Json;
      if (typeof name !== 'string') fail(`${where}.name`, 'is not a string');
      if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && (dim as number) >= 0)) {
        fail(`${where}.shape`, 'is not a list of non-negative integers');
      }
      if (typeof dtype !== 'string' || !DTYPES.has(dtype)) fail(`${where}.dtype`, `is ${JSON.stringify(dtype)}, not a tfjs dtype`);
      if (quantization !== undefined && (!isObject(quantization) || typeof quantization.dtype !== 'string' || !DTYPES.has(quantization.dtype))) {
        fail(`${where}.quantization`, 'has no valid dtype');
      }
      elements += (shape as number[]).reduce((product, dim) => product * dim, 1);
    });
  });
  if (elements * 4 > MAX_WEIGHT_BYTES) {
    throw new ModelLoadError(file, 'model-invalid', `${file} declares ${elements} weight values, more than the ${MAX_WEIGHT_BYTES / 4} this tool loads`);
  }
}

/** Checks a layers model's topology: every container's graph, and layer widths against the weights. */
export function validateLayersTopology(file: string, json: tf.io.ModelJSON): void {
  const topology = json.modelTopology as Json;
  if (json.format === 'graph-model' || Array.isArray(topology.node)) return;
  const root = (topology.model_config ?? topology) as Json;
  const weights = (json.weightsManifest ?? []).flatMap((group) => group.weights);
  checkContainer(file, root, weights, 0);
}

function layerName(spec: Json): string {
  const config = isObject(spec.config) ? spec.config : {};
  return String(spec.name ?? config.name ?? '');
}

function layerList(container: Json): unknown[] {
  const config = container.config;
  if (Array.isArray(config)) return config;
  return isObject(config) && Array.isArray(config.layers) ? config.layers : [];
}

function checkContainer(file: string, container: Json, weights: tf.io.WeightsManifestEntry[], depth: number): void {
  if (depth > 32) throw new ModelLoadError(file, 'model-invalid', `${file} nests models more than 32 deep`);
  const specs = layerList(container);
  for (const spec of specs) {
    if (!isObject(spec)) throw new ModelLoadError(file, 'model-invalid', `${file}: a layer of model "${layerName(container)}" is not an object`);
    checkDeclaredWidth(file, spec, weights);
    if (CONTAINER_CLASSES.has(String(spec.class_name))) checkContainer(file, spec, weights, depth + 1);
  }
  if (container.class_name !== 'Sequential' && isObject(container.config)) checkGraph(file, container.config, specs as Json[]);
}

/**
 * Every call (node) of every layer may only consume nodes that exist, and the calls must form a
 * graph without cycles; tfjs otherwise re-queues the unresolved calls forever.
 */
function checkGraph(file: string, config: Json, specs: Json[]): void {
  const model = String(config.name ?? 'model');
  // A nested model's own construction is its call 0, so the outer file's calls of it start at 1.
  const firstCall = (spec: Json): number => (CONTAINER_CLASSES.has(String(spec.class_name)) ? 1 : 0);
  const nodeCounts = new Map<string, number>();
  for (const spec of specs) {
    const name = layerName(spec);
    if (nodeCounts.has(name)) throw invalid(file, `model "${model}" has two layers named "${name}"`);
    nodeCounts.set(name, (Array.isArray(spec.inbound_nodes) ? spec.inbound_nodes.length : 0) + firstCall(spec));
  }
  const checkRef = (ref: unknown, where: string): string => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string') throw invalid(file, `${where} is not a [layer, node, tensor] reference`);
    const [layer, node] = ref as [string, unknown];
    const count = nodeCounts.get(layer);
    if (count === undefined) throw invalid(file, `${where} names layer "${layer}", which model "${model}" does not have`);
    const nodeIndex = node ?? 0;
    if (!Number.isInteger(nodeIndex) || (nodeIndex as number) < 0 || (nodeIndex as number) >= Math.max(1, count)) {
      throw invalid(file, `${where} names call ${String(node)} of layer "${layer}", which is called ${count} time(s)`);
    }
    return `${layer}#${String(nodeIndex)}`;
  };
  const edges = new Map<string, string[]>();
  for (const spec of specs) {
    const name = layerName(spec);
    const nodes = Array.isArray(spec.inbound_nodes) ? spec.inbound_nodes : [];
    nodes.forEach((node, index) => {
      const inputs = Array.isArray(node) ? node : [];
      const key = `${name}#${index + firstCall(spec)}`;
      // A call with no inputs is never ready: tfjs would re-queue it forever.
      if (Array.isArray(node) && node.length === 0) throw invalid(file, `call ${index} of layer "${name}" has no inputs`);
      edges.set(
        key,
        inputs.map((ref) => {
          const target = checkRef(ref, `an input of layer "${name}"`);
          if (target === key) throw invalid(file, `layer "${name}" takes its own output as input (a self-loop)`);
          return target;
        }),
      );
    });
  }
  for (const key of ['input_layers', 'output_layers']) {
    const list = config[key];
    if (Array.isArray(list)) list.forEach((ref) => checkRef(ref, `an entry of ${key}`));
  }
  const cycle = findCycle(edges);
  if (cycle) throw invalid(file, `model "${model}" has a cycle among its layers (${cycle.map((key) => key.replace(/#\d+$/, '')).join(' → ')})`);
}

function invalid(file: string, problem: string): ModelLoadError {
  return new ModelLoadError(file, 'model-invalid', `${file}: ${problem}; the layer graph is damaged`);
}

/** A cycle in the call graph as a path of node keys, or null; iterative, so depth cannot overflow. */
function findCycle(edges: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const path: { key: string; next: number }[] = [{ key: start, next: 0 }];
    state.set(start, 'open');
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const targets = edges.get(top.key) ?? [];
      if (top.next >= targets.length) {
        state.set(top.key, 'done');
        path.pop();
        continue;
      }
      const target = targets[top.next++]!;
      const seen = state.get(target);
      if (seen === 'open') {
        const from = path.findIndex((entry) => entry.key === target);
        return [...path.slice(from).map((entry) => entry.key), target];
      }
      if (seen === undefined) {
        state.set(target, 'open');
        path.push({ key: target, next: 0 });
      }
    }
  }
  return null;
}

/**
 * A Dense or convolution layer's width must match its kernel in the manifest (tfjs would allocate
 * the declared width before finding the mismatch); without a kernel to compare, it must stay sane.
 */
function checkDeclaredWidth(file: string, spec: Json, weights: tf.io.WeightsManifestEntry[]): void {
  const config = isObject(spec.config) ? spec.config : {};
  const className = String(spec.class_name);
  const name = layerName(spec);
  for (const field of ['units', 'filters', 'input_dim', 'output_dim']) {
    const value = config[field];
    if (value === undefined || value === null) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw invalid(file, `layer "${name}" has ${field} ${JSON.stringify(value)}, not a positive integer`);
    if ((value as number) > MAX_DECLARED_WIDTH) {
      throw new ModelLoadError(file, 'model-invalid', `${file}: layer "${name}" declares ${field} ${String(value)}, more than the ${MAX_DECLARED_WIDTH} this tool builds`);
    }
  }
  const width = config.units ?? config.filters;
  if (typeof width !== 'number') return;
  const kernel = weights.find((weight) => weight.name.split('/').slice(0, -1).includes(name) && /kernel$/.test(weight.name));
  if (!kernel || kernel.shape.length < 2) return;
  // Transposed convolutions store [kh, kw, filters, inputChannels]; the rest put the width last.
  const axis = /Transpose/.test(className) ? kernel.shape.length - 2 : kernel.shape.length - 1;
  if (kernel.shape[axis] !== width) {
    throw new ModelLoadError(
      file,
      'model-invalid',
      `${file}: layer "${name}" declares ${config.units !== undefined ? 'units' : 'filters'} ${width} but its kernel "${kernel.name}" in the weights manifest is [${kernel.shape.join(', ')}]; the topology and the weights disagree`,
    );
  }
}

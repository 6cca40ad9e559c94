/**
 * Plain-data descriptions of models for `inspect`, the model editor and the activation view:
 * one row per layer (nested layers included) with its role relative to the code.
 */
import type * as tfconv from '@tensorflow/tfjs-converter';
import type { LayerRole, LayerSummary, Shape } from '../../shared/types';
import type { FlatGraph, FlatNode } from './graph';
import type { GraphNodeInfo } from './load';

/** Roles by flat node, decided by the split (code and what comes before or after it). */
export type RoleOf = (node: FlatNode) => LayerRole;

/** One row per flat node; `prefix` distinguishes the encoder and decoder of a pair. */
export function summarizeFlatGraph(graph: FlatGraph, prefix: string, roleOf: RoleOf): LayerSummary[] {
  return graph.nodes.map((node) => {
    const shapes = node.outputs.map((output) => [...output.shape] as Shape);
    return {
      path: prefix + node.path,
      name: node.layer.name,
      className: node.className,
      outputShape: shapes.length === 1 ? shapes[0]! : shapes,
      params: node.kind === 'input' ? 0 : node.layer.countParams(),
      depth: node.depth,
      role: roleOf(node),
    };
  });
}

/** Operations that move shapes around rather than compute a layer's output. */
const PLUMBING_OPS = new Set(['Const', 'Placeholder', 'Identity', 'Shape', 'StridedSlice', 'Pack', 'NoOp']);
/** Scopes Keras and the converter wrap layers in (the model, the saved function). */
const WRAPPER_SCOPE = /^(StatefulPartitionedCall|PartitionedCall|sequential|model|functional)(_\d+)*$/i;

/** A layer of a graph model: the operations under one Keras layer scope. */
export interface GraphLayer {
  name: string;
  /** The op of the layer's last computing operation (e.g. `Relu`, `_FusedConv2D`). */
  className: string;
  /** The node whose output is the layer's output. */
  outputNode: string;
  params: number;
}

/**
 * Groups a converted graph's operations by the Keras layer scope in their names
 * (`StatefulPartitionedCall/sequential_47_1/conv2d_53_1/Relu` → `conv2d_53_1`).
 */
export function graphLayers(nodes: GraphNodeInfo[], weights: tfconv.GraphModel['weights']): GraphLayer[] {
  const layers = new Map<string, GraphLayer>();
  // Integer constants are shapes and indices, not learnt parameters.
  const paramsOf = (name: string): number =>
    (weights[name] ?? []).reduce((sum, tensor) => sum + (tensor.dtype === 'float32' ? tensor.size : 0), 0);
  const params = new Map<string, number>();
  const layerScope = scopeReader(nodes);
  const constants = new Set(nodes.filter((node) => node.op === 'Const').map((node) => node.name));
  const counted = new Set<string>();
  for (const node of nodes) {
    const scope = layerScope(node.name);
    if (!scope || PLUMBING_OPS.has(node.op)) continue;
    // Weights are the constants a layer's operations read: their names need not carry the
    // layer's scope (SavedModel exports name them `unknown_3`).
    for (const input of node.inputs) {
      if (!constants.has(input) || counted.has(input)) continue;
      counted.add(input);
      params.set(scope, (params.get(scope) ?? 0) + paramsOf(input));
    }
    // Constants come first in converted files; a layer's place is that of its first operation.
    const layer = layers.get(scope) ?? { name: scope, className: node.op, outputNode: node.name, params: 0 };
    layer.className = node.op;
    layer.outputNode = node.name;
    layers.set(scope, layer);
  }
  return [...layers.values()].map((layer) => ({ ...layer, params: params.get(layer.name) ?? 0 }));
}

/**
 * Reads a node's layer scope: its first name segment after the wrapper scopes, and after the
 * model's own scope when every operation sits inside it (`multimodal_autoencoder/dense1_2/Relu`).
 */
function scopeReader(nodes: GraphNodeInfo[]): (nodeName: string) => string | null {
  const unwrapped = (nodeName: string) => {
    const segments = nodeName.split('/');
    while (segments.length > 1 && WRAPPER_SCOPE.test(segments[0]!)) segments.shift();
    return segments;
  };
  const scoped = nodes.filter((node) => !PLUMBING_OPS.has(node.op)).map((node) => unwrapped(node.name)).filter((segments) => segments.length >= 2);
  const modelScope = scoped[0]?.[0];
  const skip = scoped.length > 1 && scoped.every((segments) => segments.length >= 3 && segments[0] === modelScope) ? 1 : 0;
  return (nodeName) => {
    const segments = unwrapped(nodeName);
    return segments.length >= 2 + skip ? segments[skip]! : null;
  };
}

/** Rows for a graph model; shapes are per layer unknown until run, so only the ends carry one. */
export function summarizeGraphLayers(layers: GraphLayer[], prefix: string, role: LayerRole | ((layer: GraphLayer) => LayerRole)): LayerSummary[] {
  return layers.map((layer) => ({
    path: prefix + layer.name,
    name: layer.name,
    className: layer.className,
    outputShape: [],
    params: layer.params,
    depth: 0,
    role: typeof role === 'function' ? role(layer) : role,
  }));
}

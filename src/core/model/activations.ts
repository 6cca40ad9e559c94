/**
 * Per-layer activations in one pass: a single multi-output model over every layer of a flat
 * graph (nested layers included), or a graph model executed with every layer's output node.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FlatGraph, FlatNode } from './graph';
import { sampleShape, sizeOf } from './graph';
import type { LoadedGraphModel } from './load';
import type { GraphLayer } from './summary';
import { type Stage, executeGraph, graphStage, layersStage, product } from './stage';

/** One layer's output for every sample: `values` holds count × prod(shape) numbers. */
export interface LayerActivation {
  path: string;
  /** Per-sample shape (no batch dimension). */
  shape: number[];
  values: Float32Array;
}

/** Something that can report activations: which layers it has and a stage computing them. */
export interface ActivationSource {
  /** Paths (as in the summary) of every layer this source can report, in execution order. */
  readonly paths: string[];
  /** A stage whose outputs are the given layers' outputs, plus their per-sample shapes. */
  stageFor(paths: string[]): Promise<{ stage: Stage; shapes: number[][] }>;
  dispose(): void;
}

/** Activations of a layers model's flat graph; multi-output models are cached per layer set. */
export function flatGraphSource(graph: FlatGraph, prefix: string, peakValuesPerSample: number): ActivationSource {
  const nodes = graph.nodes.filter((node) => node.kind === 'layer');
  const byPath = new Map<string, FlatNode>(nodes.map((node) => [prefix + node.path, node]));
  const cache = new Map<string, { stage: Stage; shapes: number[][] }>();
  return {
    paths: [...byPath.keys()],
    stageFor: async (paths) => {
      const key = paths.join('\n');
      let entry = cache.get(key);
      if (!entry) {
        // Multi-output layers report their first output: the one later layers mostly read.
        const outputs = paths.map((path) => byPath.get(path)!.outputs[0]!);
        const model = tfl.model({ inputs: graph.inputs, outputs });
        entry = { stage: layersStage(model, peakValuesPerSample), shapes: outputs.map(sampleShape) };
        cache.set(key, entry);
      }
      return entry;
    },
    // The cached models share the original layers' weights, which their owner disposes.
    dispose: () => cache.clear(),
  };
}

/** Activations of a graph model: every Keras layer scope's last computing node. */
export function graphModelSource(loaded: LoadedGraphModel, layers: GraphLayer[], prefix: string): ActivationSource {
  const { model, inputShape } = loaded;
  const byPath = new Map<string, GraphLayer>(layers.map((layer) => [prefix + layer.name, layer]));
  const cache = new Map<string, { stage: Stage; shapes: number[][] }>();
  return {
    paths: [...byPath.keys()],
    stageFor: async (paths) => {
      const key = paths.join('\n');
      let entry = cache.get(key);
      if (!entry) {
        const names = paths.map((path) => byPath.get(path)!.outputNode);
        // Shapes inside a graph are known only by running it: one zero sample tells them.
        const probe = tf.zeros([1, ...inputShape]);
        const outputs = await executeGraph(model, probe, names);
        const shapes = outputs.map((output) => output.shape.slice(1));
        tf.dispose([probe, ...outputs]);
        entry = { stage: graphStage(model, { inputShape, outputSizes: shapes.map(product), outputNodes: names }), shapes };
        cache.set(key, entry);
      }
      return entry;
    },
    dispose: () => cache.clear(),
  };
}

/** Per-sample values of the largest activation in a flat graph, to size batches. */
export function peakActivation(graph: FlatGraph): number {
  return graph.nodes.reduce((peak, node) => Math.max(peak, ...node.outputs.map(sizeOf)), 1);
}

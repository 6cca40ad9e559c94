/**
 * Finds the code inside a graph model that holds a whole autoencoder (a SavedModel converted to
 * TF.js: no layer objects, only operations). The code is a node every path from the inputs to
 * the outputs passes through, chosen by the same turning-point rule as for layers models; the
 * decoder is the same graph fed at that node (GraphModel.execute accepts intermediate nodes in
 * its feed dict and fetches any node by name).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from './errors';
import type { GraphNodeInfo, LoadedGraphModel } from './load';
import { turningIndex } from './split';
import { executeGraph, graphInputs, product } from './stage';

/** Where a graph model is cut. */
export interface GraphSplit {
  codeNode: string;
  codeShape: number[];
  /** Output nodes in the order of the inputs they reconstruct. */
  outputNodes: string[];
  outputShapes: number[][];
  /** Nodes that read the code, directly or not: the decoder. */
  decoderNodes: Set<string>;
}

/** Operations that carry a layer's weights: a size-keeping node after the code that is not one of these belongs to the code. */
const WEIGHTED_OPS = /MatMul|Conv|Einsum/;

/**
 * Splits `loaded` when its outputs together hold as many values as its inputs (a reconstruction),
 * at `codeNode` when given (a node name, or a layer scope such as `dense1_2`). Returns null when
 * the outputs are not a reconstruction or no single node separates inputs from outputs.
 */
export async function findGraphSplit(loaded: LoadedGraphModel, codeNode?: string): Promise<GraphSplit | null> {
  const inputs = graphInputs(loaded.model);
  const outputs = reconstructionOrder(loaded, inputs.map((input) => product(input.shape)));
  if (!outputs) return null;
  const topology = topologyOf(loaded.nodes);
  const cuts = cutNodes(topology, inputs.map((input) => input.name), outputs.map(({ name }) => name));
  if (!cuts.length) return null;
  const shapes = await probeShapes(loaded, cuts.map((cut) => cut.name));
  if (!shapes) return null;
  let index: number;
  if (codeNode !== undefined) {
    index = cuts.findIndex((cut) => cut.name === codeNode || cut.name.split('/').includes(codeNode));
    if (index < 0) {
      throw new ModelLoadError('', 'model-split', `code layer "${codeNode}" is not a node every path passes through; nodes that can be the code: ${cuts.map((cut) => cut.name).join(', ')}`);
    }
  } else {
    index = turningIndex(cuts.map((cut, i) => ({ shape: shapes[i]!, weightFree: !WEIGHTED_OPS.test(cut.op) })));
  }
  return {
    codeNode: cuts[index]!.name,
    codeShape: shapes[index]!,
    outputNodes: outputs.map(({ name }) => name),
    outputShapes: outputs.map(({ shape }) => shape),
    decoderNodes: descendants(topology, cuts[index]!.name),
  };
}

/** Per-sample shapes of the named nodes from one zero sample; null when the graph cannot fetch them. */
async function probeShapes(loaded: LoadedGraphModel, names: string[]): Promise<number[][] | null> {
  const probe = tf.zeros([1, ...loaded.inputShape]);
  try {
    const fetched = await executeGraph(loaded.model, probe, names);
    const shapes = fetched.map((tensor) => tensor.shape.slice(1));
    tf.dispose(fetched);
    return shapes;
  } catch {
    // Nodes inside control flow cannot be fetched alone: the graph stays whole.
    return null;
  } finally {
    probe.dispose();
  }
}

/**
 * The outputs in the order of the inputs they reconstruct (each the size of one input), or null
 * when they are not a reconstruction of the inputs.
 */
function reconstructionOrder(loaded: LoadedGraphModel, inputSizes: number[]): { name: string; shape: number[] }[] | null {
  const outputs = loaded.model.outputs.map((output, i) => ({ name: output.name.replace(/:\d+$/, ''), shape: loaded.outputShapes[i]! }));
  const total = (sizes: number[]) => sizes.reduce((sum, size) => sum + size, 0);
  if (total(outputs.map(({ shape }) => product(shape))) !== total(inputSizes)) return null;
  if (outputs.length !== inputSizes.length) return outputs;
  const left = [...outputs];
  const ordered = inputSizes.map((size) => left.splice(left.findIndex(({ shape }) => product(shape) === size), 1)[0]);
  return ordered.every((output) => output !== undefined) ? (ordered as { name: string; shape: number[] }[]) : outputs;
}

/**
 * Nodes every input→output path passes through, in execution order (excluding the inputs and
 * outputs): walking the nodes that lead from an input to an output in topological order, a node
 * is a cut when its own output is the only value still waiting for a consumer.
 */
function cutNodes({ order, dataInputs }: Topology, inputNames: string[], outputNames: string[]): GraphNodeInfo[] {
  const fromInputs = new Set(inputNames);
  for (const node of order) if (dataInputs(node).some((input) => fromInputs.has(input))) fromInputs.add(node.name);
  const toOutputs = new Set(outputNames);
  for (const node of [...order].reverse()) if (toOutputs.has(node.name)) dataInputs(node).forEach((input) => toOutputs.add(input));
  const relevant = order.filter((node) => fromInputs.has(node.name) && toOutputs.has(node.name) && !inputNames.includes(node.name));
  const consumersLeft = new Map<string, number>();
  for (const node of relevant) for (const input of dataInputs(node)) consumersLeft.set(input, (consumersLeft.get(input) ?? 0) + 1);
  const live = new Set(inputNames);
  const cuts: GraphNodeInfo[] = [];
  for (const node of relevant) {
    for (const input of dataInputs(node)) {
      if (!consumersLeft.has(input)) continue;
      const left = consumersLeft.get(input)! - 1;
      consumersLeft.set(input, left);
      if (left === 0) live.delete(input);
    }
    if (consumersLeft.has(node.name) || outputNames.includes(node.name)) live.add(node.name);
    if (live.size === 1 && live.has(node.name) && !outputNames.includes(node.name)) cuts.push(node);
  }
  return cuts;
}

function descendants({ order, dataInputs }: Topology, name: string): Set<string> {
  const reached = new Set([name]);
  for (const node of order) if (dataInputs(node).some((input) => reached.has(input))) reached.add(node.name);
  reached.delete(name);
  return reached;
}

/** The nodes with producers before consumers, and the node names each reads (control inputs left out). */
interface Topology {
  order: GraphNodeInfo[];
  dataInputs: (node: GraphNodeInfo) => string[];
}

/** Orders the nodes producers first (converted files usually are, but need not be). */
function topologyOf(nodes: GraphNodeInfo[]): Topology {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const dataInputs = (node: GraphNodeInfo) => node.inputs.filter((input) => !input.startsWith('^')).map((input) => input.replace(/:\d+$/, ''));
  const order: GraphNodeInfo[] = [];
  const seen = new Set<string>();
  for (const root of nodes) {
    if (seen.has(root.name)) continue;
    seen.add(root.name);
    // Iterative depth-first search: graphs can be deeper than the call stack.
    const stack = [{ node: root, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const inputs = dataInputs(top.node);
      if (top.next < inputs.length) {
        const child = byName.get(inputs[top.next++]!);
        if (child && !seen.has(child.name)) {
          seen.add(child.name);
          stack.push({ node: child, next: 0 });
        }
        continue;
      }
      order.push(top.node);
      stack.pop();
    }
  }
  return { order, dataInputs };
}

/**
 * Finds the bottleneck of a layers model and cuts it there: an encoder sub-model from the input
 * to the code, and a decoder re-rooted at a new Input that replays every layer after the code.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { product } from '../../shared/numeric';
import { ModelLoadError } from './errors';
import { type FlatGraph, type FlatNode, sampleShape } from './graph';
import { SAMPLING_STAND_IN_CLASS } from './sampling';

/** Layer names authors give their code layer. `z_mean` is here because plain AEs use it too. */
const CODE_NAME_HINT = /(^|[/_\-.])(code|codes|latent|latents|bottleneck|z_mean|zmean|mu|encoded|encoding|embedding|z)([/_\-.]|\d|$)/i;
const MEAN_NAME_HINT = /z_?mean|(^|_)mu($|_)|(^|_)mean($|_)/i;
const LOG_VAR_NAME_HINT = /log_?var|logvar|log_?sigma|(^|_)sigma($|_)/i;

/** How the code layer was chosen, for the summary's warnings. */
export type SplitReason = 'override' | 'sampling' | 'sub-models' | 'name' | 'width';

/** Where a model is cut. */
export interface SplitPoint {
  /** The code tensor (for a VAE: the sampling layer's output, i.e. the mean via the stand-in). */
  code: SymbolicTensor;
  /** The flat node producing the code. */
  codeNode: FlatNode;
  reason: SplitReason;
  /** VAE heads feeding the sampling layer, when there is one. */
  distribution: { mean: SymbolicTensor; logVar: SymbolicTensor } | null;
}

/**
 * Tensors every input→output path passes through, in execution order (excluding the inputs and
 * `output` itself). Walks the nodes that lead to `output` and keeps a tensor when it is the only
 * one still awaiting a consumer. Paths from `conditions` (a CVAE's label input) do not count: the
 * label may reach the decoder around the code.
 */
export function cutTensors(graph: FlatGraph, output: SymbolicTensor, conditions: SymbolicTensor[] = []): { tensor: SymbolicTensor; node: FlatNode }[] {
  const relevant = ancestorsOf(graph, output);
  const nodes = graph.nodes.filter((node) => node.kind === 'layer' && relevant.has(node));
  const consumersLeft = new Map<number, number>();
  for (const node of nodes) for (const input of node.inputs) consumersLeft.set(input.id, (consumersLeft.get(input.id) ?? 0) + 1);
  const fromConditions = conditionDerived(graph, conditions);
  const live = new Set<number>(graph.inputs.filter((input) => !fromConditions.has(input.id)).map((input) => input.id));
  const cuts: { tensor: SymbolicTensor; node: FlatNode }[] = [];
  for (const node of nodes) {
    for (const input of node.inputs) {
      const left = consumersLeft.get(input.id)! - 1;
      consumersLeft.set(input.id, left);
      if (left === 0) live.delete(input.id);
    }
    for (const produced of node.outputs) {
      if (!fromConditions.has(produced.id) && (consumersLeft.has(produced.id) || produced.id === output.id)) live.add(produced.id);
    }
    if (live.size === 1 && node.outputs.length === 1 && live.has(node.outputs[0]!.id) && node.outputs[0]!.id !== output.id) {
      cuts.push({ tensor: node.outputs[0]!, node });
    }
  }
  return cuts;
}

/** Ids of the condition inputs and of every tensor computed from them alone. */
function conditionDerived(graph: FlatGraph, conditions: SymbolicTensor[]): Set<number> {
  const derived = new Set(conditions.map((tensor) => tensor.id));
  for (const node of graph.nodes) {
    if (node.kind === 'layer' && derived.size && node.inputs.every((input) => derived.has(input.id))) node.outputs.forEach((output) => derived.add(output.id));
  }
  return derived;
}

/** Whether `tensor` is computed (at least in part) from `source`. */
export function dependsOn(graph: FlatGraph, tensor: SymbolicTensor, source: SymbolicTensor): boolean {
  const reached = new Set([source.id]);
  for (const node of graph.nodes) if (node.kind === 'layer' && node.inputs.some((input) => reached.has(input.id))) node.outputs.forEach((output) => reached.add(output.id));
  return reached.has(tensor.id);
}

function ancestorsOf(graph: FlatGraph, output: SymbolicTensor): Set<FlatNode> {
  const producer = new Map<number, FlatNode>();
  for (const node of graph.nodes) if (node.kind === 'layer') for (const tensor of node.outputs) producer.set(tensor.id, node);
  const found = new Set<FlatNode>();
  const stack = [output];
  while (stack.length) {
    const node = producer.get(stack.pop()!.id);
    if (!node || found.has(node)) continue;
    found.add(node);
    stack.push(...node.inputs);
  }
  return found;
}

/**
 * Chooses the code: the `codeLayer` override, else the VAE sampling layer, else the boundary of
 * two chained sub-models (`encoder` → `decoder`), else the turning point among layers whose name
 * says they are a code, else the turning point among all cuts. Returns null when no single tensor
 * separates input and output.
 */
export function findSplit(graph: FlatGraph, output: SymbolicTensor, codeLayer?: string, conditions: SymbolicTensor[] = []): SplitPoint | null {
  const cuts = cutTensors(graph, output, conditions);
  const point = (cut: { tensor: SymbolicTensor; node: FlatNode }, reason: SplitReason): SplitPoint => ({
    code: cut.tensor,
    codeNode: cut.node,
    reason,
    distribution: reason === 'sampling' ? distributionOf(cut.node) : null,
  });
  if (codeLayer !== undefined) return point(overrideCut(graph, cuts, codeLayer), 'override');
  const sampling = cuts.filter((cut) => isSamplingNode(cut.node));
  if (sampling.length) return point(sampling[0]!, 'sampling');
  const boundary = subModelBoundary(graph, cuts);
  if (boundary) return point(boundary, 'sub-models');
  const named = cuts.filter((cut) => CODE_NAME_HINT.test(cut.node.layer.name));
  if (named.length) return point(turningPoint(named, cuts), 'name');
  return cuts.length ? point(turningPoint(cuts, cuts), 'width') : null;
}

/** Positions of a tensor without its channels: 1 for a vector, h·w for an h×w×c feature map. */
function extentOf(shape: number[]): number {
  return shape.length <= 1 ? 1 : product(shape.slice(0, -1));
}

/** A candidate code as the turning-point rule sees it. */
export interface CutShape {
  /** Per-sample shape. */
  shape: number[];
  /** Whether the layer or operation producing it holds no weights (activation, dropout, reshape). */
  weightFree: boolean;
}

/**
 * Where the network turns from encoding to decoding, among `cuts` (in execution order; only the
 * indices in `candidates`, default all, may start the code): the narrowest cut at the smallest
 * spatial extent. In a dense net every tensor is a vector, so that is the narrowest layer, even
 * one wider than the input (an over-complete code); in a conv net it is the deepest feature map,
 * where down-sampling ends, even when a later map (the last conv before a reshape) holds fewer
 * values. Of equal cuts the first is taken, then the weight-free cuts right after it that keep
 * its size (its activation, dropout or flatten), which belong to the code rather than the decoder.
 * The same rule serves layers models, graph models and ONNX graphs.
 */
export function turningIndex(cuts: CutShape[], candidates: number[] = cuts.map((_, i) => i)): number {
  const deepest = Math.min(...candidates.map((i) => extentOf(cuts[i]!.shape)));
  const atDeepest = candidates.filter((i) => extentOf(cuts[i]!.shape) === deepest);
  const width = Math.min(...atDeepest.map((i) => product(cuts[i]!.shape)));
  let index = atDeepest.find((i) => product(cuts[i]!.shape) === width)!;
  while (index + 1 < cuts.length && product(cuts[index + 1]!.shape) === width && cuts[index + 1]!.weightFree) index++;
  return index;
}

/** The turning point of a layers model among `candidates` (a subset of `cuts`). */
function turningPoint<T extends { tensor: SymbolicTensor; node: FlatNode }>(candidates: T[], cuts: T[]): T {
  const shapes = cuts.map((cut) => ({ shape: sampleShape(cut.tensor), weightFree: cut.node.layer.countParams() === 0 }));
  return cuts[turningIndex(shapes, candidates.map((cut) => cuts.indexOf(cut)))]!;
}

function overrideCut(graph: FlatGraph, cuts: { tensor: SymbolicTensor; node: FlatNode }[], codeLayer: string) {
  const byPath = cuts.find((cut) => cut.node.path === codeLayer || cut.node.layer.name === codeLayer);
  if (byPath) return byPath;
  // A nested model named as the code layer: its output is the code.
  const container = graph.nodes.find((node) => node.kind === 'container' && (node.path === codeLayer || node.layer.name === codeLayer));
  const viaContainer = container && cuts.find((cut) => container.outputs.some((output) => output.id === cut.tensor.id));
  if (viaContainer) return viaContainer;
  const exists = graph.nodes.some((node) => node.path === codeLayer || node.layer.name === codeLayer);
  const choices = cuts.map((cut) => cut.node.path).join(', ') || 'none';
  throw new ModelLoadError(
    '',
    'model-split',
    exists
      ? `code layer "${codeLayer}" does not separate the input from the output (other paths bypass it); layers that do: ${choices}`
      : `code layer "${codeLayer}" is not in the model; layers that can be the code: ${choices}`,
  );
}

function isSamplingNode(node: FlatNode): boolean {
  if (node.inputs.length !== 2) return false;
  if (node.className === SAMPLING_STAND_IN_CLASS) return true;
  const [first, second] = node.inputs.map((input) => input.sourceLayer.name);
  return MEAN_NAME_HINT.test(first!) && LOG_VAR_NAME_HINT.test(second!);
}

/** The sampling layer's inputs: mean first, log-variance second (the Keras convention). */
function distributionOf(node: FlatNode): { mean: SymbolicTensor; logVar: SymbolicTensor } {
  return { mean: node.inputs[0]!, logVar: node.inputs[1]! };
}

/**
 * A model made of two sub-models called one after the other (`encoder`, then `decoder`) is cut
 * between them; also any top-level sub-model named like an encoder.
 */
function subModelBoundary(graph: FlatGraph, cuts: { tensor: SymbolicTensor; node: FlatNode }[]) {
  const topLevel = graph.nodes.filter((node) => node.depth === 0 && node.kind !== 'input');
  const containers = topLevel.filter((node) => node.kind === 'container');
  const cutOf = (node: FlatNode | undefined) =>
    node && node.outputs.length === 1 ? cuts.find((cut) => cut.tensor.id === node.outputs[0]!.id) : undefined;
  if (topLevel.length === 2 && containers.length === 2) {
    const cut = cutOf(containers[0]);
    if (cut) return cut;
  }
  return cutOf(containers.find((node) => /encoder/i.test(node.layer.name)));
}

/**
 * The decoder: every node after the code replayed on a new Input of the code's shape, and on new
 * Inputs for `conditions` (taken after the code). Throws when a later layer also reads a tensor
 * from before the code (not a true bottleneck).
 */
export function buildDecoder(graph: FlatGraph, code: SymbolicTensor, output: SymbolicTensor, conditions: SymbolicTensor[] = []): tfl.LayersModel {
  const codeInput = tfl.input({ batchShape: code.shape, dtype: code.dtype, name: 'le_code' });
  const conditionInputs = conditions.map((tensor, i) => tfl.input({ batchShape: tensor.shape, dtype: tensor.dtype, name: `le_condition_${i}` }));
  const replayed = new Map<number, SymbolicTensor>([[code.id, codeInput], ...conditions.map((tensor, i): [number, SymbolicTensor] => [tensor.id, conditionInputs[i]!])]);
  const after = descendantsOf(graph, code);
  const fromConditions = conditionDerived(graph, conditions);
  for (const node of graph.nodes) {
    const conditionOnly = node.outputs.length > 0 && node.outputs.every((tensor) => fromConditions.has(tensor.id));
    if ((!after.has(node) && !conditionOnly) || node.kind !== 'layer') continue;
    const inputs = node.inputs.map((input) => {
      const mapped = replayed.get(input.id);
      if (!mapped) {
        throw new ModelLoadError(
          '',
          'model-split',
          `layer "${node.path}" reads "${input.sourceLayer.name}", which comes before the code layer "${code.sourceLayer.name}": the model cannot be cut there`,
        );
      }
      return mapped;
    });
    const result = node.layer.apply(inputs.length === 1 ? inputs[0]! : inputs);
    const outputs = (Array.isArray(result) ? result : [result]) as SymbolicTensor[];
    node.outputs.forEach((original, i) => replayed.set(original.id, outputs[i]!));
  }
  const decoded = replayed.get(output.id);
  if (!decoded) throw new ModelLoadError('', 'model-split', `the output does not depend on the code layer "${code.sourceLayer.name}"`);
  return tfl.model({ inputs: [codeInput, ...conditionInputs], outputs: decoded, name: 'le_decoder' });
}

function descendantsOf(graph: FlatGraph, tensor: SymbolicTensor): Set<FlatNode> {
  const reached = new Set<number>([tensor.id]);
  const found = new Set<FlatNode>();
  for (const node of graph.nodes) {
    if (node.kind === 'layer' && node.inputs.some((input) => reached.has(input.id))) {
      found.add(node);
      for (const output of node.outputs) reached.add(output.id);
    }
  }
  return found;
}

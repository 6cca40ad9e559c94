/** Plans for a graph model on its own: a whole autoencoder split at its code, or one half. */
import * as tf from '@tensorflow/tfjs-core';
import { product } from '../../../shared/numeric';
import type { AutoencoderKind, LayerRole } from '../../../shared/types';
import { graphModelSource } from '../activations';
import { type GraphSplit, findGraphSplit } from '../graphSplit';
import type { LoadedGraphModel } from '../load';
import { type Stage, graphStage } from '../stage';
import { type GraphLayer, graphLayers, summarizeGraphLayers } from '../summary';
import { type Plan, disposeLoaded } from './plan';

export function graphOutputSize(model: LoadedGraphModel): number {
  return product(model.outputShapes[0]!);
}

/** A whole autoencoder is cut at its code; otherwise the graph is an encoder or a decoder. */
export async function singleGraphPlan(loaded: LoadedGraphModel, codeLayer: string | undefined): Promise<Plan> {
  const split = await findGraphSplit(loaded, codeLayer);
  if (split) return splitGraphPlan(loaded, split, codeLayer !== undefined);
  const stage = graphStage(loaded.model, { inputShape: loaded.inputShape, outputSizes: [graphOutputSize(loaded)] });
  const layers = graphLayers(loaded.nodes, loaded.model.weights);
  const inputShape = loaded.inputShape;
  const outputShape = loaded.outputShapes[0]!;
  const inputSize = product(inputShape);
  const outputSize = product(outputShape);
  const kind: AutoencoderKind = outputSize > inputSize ? 'decoder-only' : 'encoder-only';
  const warnings = [...loaded.warnings];
  if (outputSize === inputSize) {
    warnings.push('no single operation separates the inputs from the outputs, so the graph cannot be split: export the encoder and decoder as separate graph models');
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

/**
 * The encoder fetches the code node; the decoder feeds the code node and fetches the outputs;
 * several outputs (one reconstruction per input) are joined side by side in input order, as the
 * inputs are.
 */
function splitGraphPlan(loaded: LoadedGraphModel, split: GraphSplit, chosen: boolean): Plan {
  const outputSizes = split.outputShapes.map(product);
  const outputSize = outputSizes.reduce((sum, size) => sum + size, 0);
  const outputShape = split.outputShapes.length === 1 ? split.outputShapes[0]! : [outputSize];
  const joined = (outputs: tf.Tensor[]) => [tf.concat(outputs.map((output) => tf.reshape(output, [output.shape[0]!, -1])), 1)];
  const toOutputs = { outputSizes: [outputSize], outputNodes: split.outputNodes, post: joined };
  const encode: Stage = graphStage(loaded.model, { inputShape: loaded.inputShape, outputSizes: [product(split.codeShape)], outputNodes: [split.codeNode] });
  const decode = graphStage(loaded.model, { ...toOutputs, inputShape: split.codeShape, inputNodes: [{ name: split.codeNode, shape: split.codeShape }] });
  const reconstruct = graphStage(loaded.model, { ...toOutputs, inputShape: loaded.inputShape });
  const layers = graphLayers(loaded.nodes, loaded.model.weights);
  const codeLayer = layers.find((layer) => layer.outputNode === split.codeNode);
  const roleOf = (layer: GraphLayer): LayerRole =>
    layer === codeLayer ? 'code' : split.decoderNodes.has(layer.outputNode) ? 'decoder' : 'encoder';
  const warnings = [...loaded.warnings];
  if (chosen) warnings.push(`code node "${split.codeNode}" chosen by the user`);
  if (split.outputNodes.length > 1) {
    warnings.push(`${split.outputNodes.length} inputs and ${split.outputNodes.length} reconstructions: each sample is the inputs' values side by side (${loaded.model.inputs.map((input) => input.name).join(' + ')}), and so is each output`);
  }
  return {
    kind: 'autoencoder',
    files: [loaded.file],
    format: 'graph-model',
    dialect: 'graph',
    inputShape: loaded.inputShape,
    latentShape: split.codeShape,
    latentLayer: codeLayer?.name ?? split.codeNode,
    outputShape,
    encode,
    distribution: null,
    decode,
    reconstruct,
    activationSources: [{ source: graphModelSource(loaded, layers, ''), feed: 'input' }],
    layers: summarizeGraphLayers(layers, '', roleOf),
    warnings,
    dispose: () => disposeLoaded(loaded),
  };
}

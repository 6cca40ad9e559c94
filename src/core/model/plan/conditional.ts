/**
 * One layers-model file with two inputs, a sample or code and a condition (a one-hot label): a
 * conditional decoder (its output larger than the code), a conditional encoder (smaller), or a
 * whole conditional autoencoder (the output the size of the sample), split at its code.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { flatGraphSource, peakActivation } from '../activations';
import { ModelLoadError } from '../errors';
import { type FlatGraph, flattenModel, sampleShape, sizeOf } from '../graph';
import { buildDecoder, dependsOn, findSplit } from '../split';
import type { LoadedLayersModel } from '../load';
import { layersStage } from '../stage';
import { summarizeFlatGraph } from '../summary';
import { encoderHead, encoderOnlyParts } from './heads';
import { placeOf } from './conditionInputs';
import { type Plan, type PlanCondition, disposeLoaded } from './plan';
import { rolesAround } from './single';

export function conditionalSinglePlan(loaded: LoadedLayersModel, conditionIndex: number, codeLayer: string | undefined): Plan {
  const graph = flattenModel(loaded.model);
  const main = graph.inputs[1 - conditionIndex]!;
  const conditionNode = graph.nodes.find((node) => node.kind === 'input' && node.outputs[0] === graph.inputs[conditionIndex])!;
  const output = graph.outputs[0]!;
  const [mainSize, outputSize, conditionSize] = [sizeOf(main), sizeOf(output), sizeOf(graph.inputs[conditionIndex]!)];
  const names = `"${graph.nodes.find((node) => node.outputs[0] === main)!.path}" and "${conditionNode.path}"`;
  const peak = peakActivation(graph);
  if (outputSize === mainSize) return wholeConditionalPlan(loaded, graph, conditionIndex, names, codeLayer, peak);
  const isDecoder = outputSize > mainSize;
  const condition: PlanCondition = {
    size: conditionSize,
    classNames: null,
    encoderTakesIt: !isDecoder,
    encoder: isDecoder ? null : placeOf(conditionIndex),
    decoder: isDecoder ? placeOf(conditionIndex) : null,
  };
  const warnings = [
    ...loaded.warnings,
    `inputs ${names}: "${conditionNode.path}" (${conditionSize} values) is taken as a condition; ${isDecoder ? 'decoding' : 'encoding'} uses class 0 unless conditions are given`,
  ];
  const base = {
    files: [loaded.file],
    format: loaded.format,
    dialect: loaded.dialect,
    inputShape: sampleShape(main),
    distribution: null,
    reconstruct: null,
    condition,
    warnings,
    dispose: () => disposeLoaded(loaded),
  };
  const isCondition = (path: string) => path === conditionNode.path;
  if (isDecoder) {
    return {
      ...base,
      kind: 'decoder-only',
      latentShape: sampleShape(main),
      latentLayer: graph.nodes.find((node) => node.outputs[0] === main)!.path,
      outputShape: sampleShape(output),
      encode: null,
      decode: layersStage(tfl.model({ inputs: graph.inputs, outputs: output }), peak),
      activationSources: [{ source: flatGraphSource(graph, '', peak), feed: 'code' }],
      layers: summarizeFlatGraph(graph, '', (node) => (node.kind !== 'input' ? 'decoder' : isCondition(node.path) ? 'input' : 'code')),
    };
  }
  const head = encoderHead(graph, loaded);
  const parts = encoderOnlyParts(graph, head, peak);
  const roles = rolesAround(graph, head.code);
  return {
    ...base,
    kind: head.distribution ? 'vae' : 'encoder-only',
    ...parts,
    outputShape: null,
    decode: null,
    activationSources: [{ source: flatGraphSource(graph, '', peak), feed: 'input' }],
    layers: summarizeFlatGraph(graph, '', roles),
    warnings: [...warnings, ...head.warnings],
  };
}

/**
 * A whole CVAE: the code is where every path from the sample to the output passes (the label may
 * go around it to the decoder). The encoder takes sample and label in the model's input order;
 * the decoder the code, then the label. Reconstructions run encoder then decoder, each with the
 * sample's condition.
 */
function wholeConditionalPlan(loaded: LoadedLayersModel, graph: FlatGraph, conditionIndex: number, names: string, codeLayer: string | undefined, peak: number): Plan {
  const conditionTensor = graph.inputs[conditionIndex]!;
  const output = graph.outputs[0]!;
  const split = findSplit(graph, output, codeLayer, [conditionTensor]);
  if (!split) {
    throw new ModelLoadError(loaded.file, 'model-split', `${loaded.file}: no single layer separates the input from the output of this conditional autoencoder (inputs ${names}); name the code layer in latent-explorer.json, or save its encoder and decoder as two models`);
  }
  const encoderTakesIt = dependsOn(graph, split.code, conditionTensor);
  const warnings = [...loaded.warnings, `inputs ${names}: the second is taken as a condition (a conditional autoencoder); encoding and decoding use class 0 unless conditions are given`];
  if (split.reason === 'override') warnings.push(`code layer "${split.codeNode.path}" chosen by the user`);
  return {
    kind: split.distribution ? 'vae' : 'autoencoder',
    files: [loaded.file],
    format: loaded.format,
    dialect: loaded.dialect,
    inputShape: sampleShape(graph.inputs[1 - conditionIndex]!),
    latentShape: sampleShape(split.code),
    latentLayer: split.codeNode.path,
    outputShape: sampleShape(output),
    encode: layersStage(tfl.model({ inputs: graph.inputs, outputs: split.code }), peak),
    distribution: split.distribution ? layersStage(tfl.model({ inputs: graph.inputs, outputs: [split.distribution.mean, split.distribution.logVar] }), peak) : null,
    decode: layersStage(buildDecoder(graph, split.code, output, [conditionTensor]), peak),
    reconstruct: null,
    // The whole graph takes sample and label in its input order, as the encoder does.
    activationSources: [{ source: flatGraphSource(graph, '', peak), feed: 'input' }],
    layers: summarizeFlatGraph(graph, '', rolesAround(graph, split.code)),
    warnings,
    condition: { size: sizeOf(conditionTensor), classNames: null, encoderTakesIt, encoder: placeOf(conditionIndex), decoder: 'last' },
    dispose: () => disposeLoaded(loaded),
  };
}

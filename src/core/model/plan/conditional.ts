/**
 * One layers-model file with two inputs, a sample or code and a condition (a one-hot label): a
 * conditional decoder (its output larger than the code) or a conditional encoder (smaller).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { flatGraphSource, peakActivation } from '../activations';
import { ModelLoadError } from '../errors';
import { flattenModel, sampleShape, sizeOf } from '../graph';
import type { LoadedLayersModel } from '../load';
import { layersStage } from '../stage';
import { summarizeFlatGraph } from '../summary';
import { encoderHead, encoderOnlyParts } from './heads';
import { placeOf } from './conditionInputs';
import { type Plan, type PlanCondition, disposeLoaded } from './plan';
import { rolesAround } from './single';

export function conditionalSinglePlan(loaded: LoadedLayersModel, conditionIndex: number): Plan {
  const graph = flattenModel(loaded.model);
  const main = graph.inputs[1 - conditionIndex]!;
  const conditionNode = graph.nodes.find((node) => node.kind === 'input' && node.outputs[0] === graph.inputs[conditionIndex])!;
  const output = graph.outputs[0]!;
  const [mainSize, outputSize, conditionSize] = [sizeOf(main), sizeOf(output), sizeOf(graph.inputs[conditionIndex]!)];
  const names = `"${graph.nodes.find((node) => node.outputs[0] === main)!.path}" and "${conditionNode.path}"`;
  if (outputSize === mainSize) {
    throw new ModelLoadError(
      loaded.file,
      'model-split',
      `${loaded.file}: a conditional autoencoder in one file (inputs ${names}) cannot be split into encoder and decoder yet; save them as two models (e.g. cvae_encoder/ and cvae_decoder/)`,
    );
  }
  const peak = peakActivation(graph);
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

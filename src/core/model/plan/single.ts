/** Plans for one layers-model file: split at the bottleneck, or one half of an autoencoder. */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { LayerRole } from '../../../shared/types';
import { flatGraphSource, peakActivation } from '../activations';
import { ModelLoadError } from '../errors';
import { type FlatGraph, type FlatNode, flattenModel, sampleShape, sizeOf } from '../graph';
import type { LoadedModel } from '../load';
import { buildDecoder, findSplit, type SplitPoint } from '../split';
import { type Stage, layersStage } from '../stage';
import { summarizeFlatGraph } from '../summary';
import { conditionalSinglePlan } from './conditional';
import { conditionInput, inputsOf } from './conditionInputs';
import { singleGraphPlan } from './graphModel';
import { encoderHead, encoderOnlyParts } from './heads';
import { type Plan, disposeLoaded } from './plan';

export function buildSinglePlan(loaded: LoadedModel, codeLayer: string | undefined): Plan | Promise<Plan> {
  if (loaded.format === 'graph-model') return singleGraphPlan(loaded, codeLayer);
  const model = loaded.model;
  const conditionIndex = conditionInput(inputsOf(loaded));
  if (conditionIndex !== null) return conditionalSinglePlan(loaded, conditionIndex, codeLayer);
  if (model.inputs.length !== 1) {
    throw new ModelLoadError(
      loaded.file,
      'model-unsupported',
      `${loaded.file}: models with ${model.inputs.length} inputs are not supported (expected one, or a sample or code and a condition)`,
    );
  }
  const graph = flattenModel(model);
  const warnings = [...loaded.warnings];
  if (!graph.expanded) warnings.push('nested models share layer names: their inner layers are shown as one layer each');
  const inputSize = sizeOf(graph.inputs[0]!);
  const output = mainOutput(graph, inputSize);
  const outputSize = sizeOf(output);
  const peak = peakActivation(graph);
  const base = {
    files: [loaded.file],
    format: loaded.format,
    dialect: loaded.dialect,
    inputShape: sampleShape(graph.inputs[0]!),
    activationSources: [{ source: flatGraphSource(graph, '', peak), feed: 'input' as const }],
    dispose: () => disposeLoaded(loaded),
  };
  const split = codeLayer !== undefined || outputSize === inputSize ? findSplit(graph, output, codeLayer) : null;
  if (split) {
    if (split.reason === 'override') warnings.push(`code layer "${split.codeNode.path}" chosen by the user`);
    if (split.reason === 'width' && sizeOf(split.code) >= inputSize) {
      warnings.push(`the code "${split.codeNode.path}" (${sizeOf(split.code)} values, where the network turns from encoding to decoding) is not narrower than the input (${inputSize}): an over-complete code`);
    }
    const encoderModel = tfl.model({ inputs: graph.inputs, outputs: split.code });
    const decoderModel = buildDecoder(graph, split.code, output);
    const wholeModel = tfl.model({ inputs: graph.inputs, outputs: output });
    const roles = rolesAround(graph, split.code);
    return {
      ...base,
      kind: split.distribution ? 'vae' : 'autoencoder',
      latentShape: sampleShape(split.code),
      latentLayer: split.codeNode.path,
      outputShape: sampleShape(output),
      encode: layersStage(encoderModel, peak),
      distribution: distributionStage(graph, split, peak),
      decode: layersStage(decoderModel, peak),
      reconstruct: layersStage(wholeModel, peak),
      layers: summarizeFlatGraph(graph, '', roles),
      warnings,
    };
  }
  if (outputSize === inputSize) {
    throw new ModelLoadError(loaded.file, 'model-split', `${loaded.file}: no single layer separates the input from the output, so the model cannot be split into encoder and decoder; name the code layer in latent-explorer.json`);
  }
  if (outputSize > inputSize) {
    warnings.push(`the output (${outputSize} values) is larger than the input (${inputSize}): treated as a decoder whose input is the code`);
    const decoderModel = tfl.model({ inputs: graph.inputs, outputs: output });
    return {
      ...base,
      kind: 'decoder-only',
      latentShape: base.inputShape,
      latentLayer: graph.nodes[0]!.path,
      outputShape: sampleShape(output),
      encode: null,
      distribution: null,
      decode: layersStage(decoderModel, peak),
      reconstruct: null,
      activationSources: [{ source: base.activationSources[0]!.source, feed: 'code' }],
      layers: summarizeFlatGraph(graph, '', (node) => (node.kind === 'input' ? 'code' : 'decoder')),
      warnings,
    };
  }
  const head = encoderHead(graph, loaded);
  if (!head.distribution && !head.packed) {
    warnings.push(
      `the output (${outputSize} values) differs from the input (${inputSize}), so this is not an autoencoder: treated as an encoder whose output is the code`,
    );
  }
  return {
    ...base,
    kind: head.distribution ? 'vae' : 'encoder-only',
    ...encoderOnlyParts(graph, head, peak),
    outputShape: null,
    decode: null,
    reconstruct: null,
    layers: summarizeFlatGraph(graph, '', rolesAround(graph, head.code)),
    warnings: [...warnings, ...head.warnings],
  };
}

/** The reconstruction among several outputs: the one the size of the input, else the first. */
function mainOutput(graph: FlatGraph, inputSize: number): SymbolicTensor {
  return graph.outputs.find((output) => sizeOf(output) === inputSize) ?? graph.outputs[0]!;
}

function distributionStage(graph: FlatGraph, split: SplitPoint, peak: number): Stage | null {
  if (!split.distribution) return null;
  const model = tfl.model({ inputs: graph.inputs, outputs: [split.distribution.mean, split.distribution.logVar] });
  return layersStage(model, peak);
}

export function rolesAround(graph: FlatGraph, code: SymbolicTensor): (node: FlatNode) => LayerRole {
  const before = new Set<number>(graph.inputs.map((input) => input.id));
  const after = new Set<number>([code.id]);
  const roles = new Map<FlatNode, LayerRole>();
  for (const node of graph.nodes) {
    const outputIds = node.outputs.map((output) => output.id);
    if (node.kind === 'input') {
      roles.set(node, 'input');
    } else if (outputIds.includes(code.id) && node.kind === 'layer') {
      roles.set(node, 'code');
    } else if (node.kind === 'layer' && node.inputs.some((input) => after.has(input.id))) {
      roles.set(node, 'decoder');
      outputIds.forEach((id) => after.add(id));
    } else if (node.kind === 'layer' && node.inputs.every((input) => before.has(input.id))) {
      roles.set(node, 'encoder');
      outputIds.forEach((id) => before.add(id));
    } else {
      roles.set(node, 'other');
    }
  }
  // A nested model takes the role of its output: the encoder sub-model ends at the code.
  for (const node of graph.nodes) {
    if (node.kind !== 'container') continue;
    const id = node.outputs[0]?.id;
    roles.set(node, id === undefined ? 'other' : id === code.id || before.has(id) ? 'encoder' : after.has(id) ? 'decoder' : 'other');
  }
  return (node) => roles.get(node) ?? 'other';
}

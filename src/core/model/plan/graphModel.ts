/** Plans for a graph model on its own. */
import type { AutoencoderKind } from '../../../shared/types';
import { graphModelSource } from '../activations';
import type { LoadedGraphModel } from '../load';
import { graphStage, product } from '../stage';
import { graphLayers, summarizeGraphLayers } from '../summary';
import { type Plan, disposeLoaded } from './plan';

export function graphOutputSize(model: LoadedGraphModel): number {
  return product(model.outputShapes[0]!);
}

export function singleGraphPlan(loaded: LoadedGraphModel): Plan {
  const stage = graphStage(loaded.model, loaded.inputShape, [graphOutputSize(loaded)]);
  const layers = graphLayers(loaded.nodes, loaded.model.weights);
  const inputShape = loaded.inputShape;
  const outputShape = loaded.outputShapes[0]!;
  const inputSize = product(inputShape);
  const outputSize = product(outputShape);
  const kind: AutoencoderKind = outputSize > inputSize ? 'decoder-only' : 'encoder-only';
  const warnings = [...loaded.warnings];
  if (outputSize === inputSize) {
    warnings.push('a graph model cannot be split at its bottleneck: export the encoder and decoder as separate graph models');
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

/** Plans for an encoder file and a decoder file used together. */
import type { LayerSummary } from '../../../shared/types';
import { type ActivationSource, flatGraphSource, graphModelSource, peakActivation } from '../activations';
import { ModelLoadError } from '../errors';
import { flattenModel, sampleShape } from '../graph';
import type { LoadedModel } from '../load';
import { findSplit } from '../split';
import { type Stage, graphStage, layersStage, product } from '../stage';
import { graphLayers, summarizeFlatGraph, summarizeGraphLayers } from '../summary';
import { graphOutputSize } from './graphModel';
import { encoderHead, encoderOnlyParts, packedHalves, sliceStage } from './heads';
import { conditionInput, inputsOf, placeOf } from './conditionInputs';
import { type Plan, type PlanCondition, disposeLoaded } from './plan';
import { rolesAround } from './single';

/** The encoder half of a pair as stages, whichever format it is in. */
interface EncoderSide {
  encode: Stage;
  distribution: Stage | null;
  /** Encoder output as it comes, before a packed output is sliced. */
  raw: Stage;
  packed: boolean;
  latentShape: number[];
  latentLayer: string;
  source: ActivationSource;
  layers: LayerSummary[];
  warnings: string[];
}

function encoderSide(encoder: LoadedModel, decoderInputSize: number, codeLayer: string | undefined): EncoderSide {
  if (encoder.format === 'graph-model') {
    const layers = graphLayers(encoder.nodes, encoder.model.weights);
    const raw = graphStage(encoder.model, { inputShape: encoder.inputShape, outputSizes: [graphOutputSize(encoder)] });
    const shape = encoder.outputShapes[0]!;
    return {
      encode: raw,
      distribution: null,
      raw,
      packed: product(shape) === 2 * decoderInputSize,
      latentShape: shape,
      latentLayer: layers.at(-1)?.name ?? 'output',
      source: graphModelSource(encoder, layers, 'encoder/'),
      layers: summarizeGraphLayers(layers, 'encoder/', 'encoder'),
      warnings: [],
    };
  }
  const graph = flattenModel(encoder.model);
  const peak = peakActivation(graph);
  let head = encoderHead(graph, encoder, decoderInputSize);
  // Naming the encoder's own code output (a VAE's z_mean) confirms the head rather than asking for a cut inside it.
  const namesHeadOutput = [head.code, head.distribution?.mean].some((tensor) => tensor?.sourceLayer.name === codeLayer);
  if (codeLayer !== undefined && !namesHeadOutput) {
    const split = findSplit(graph, graph.outputs[0]!, codeLayer);
    if (split) head = { code: split.code, distribution: split.distribution, packed: null, warnings: [`code layer "${split.codeNode.path}" chosen by the user`] };
  }
  const parts = encoderOnlyParts(graph, head, peak);
  return {
    encode: parts.encode,
    distribution: parts.distribution,
    raw: parts.encode,
    packed: head.packed !== null,
    latentShape: parts.latentShape,
    latentLayer: parts.latentLayer,
    source: flatGraphSource(graph, 'encoder/', peak),
    layers: summarizeFlatGraph(graph, 'encoder/', rolesAround(graph, head.code)),
    warnings: head.warnings,
  };
}

/**
 * An encoder and a decoder. A decoder with two inputs (code and label) or one input wider than
 * the code (code and label concatenated, as Keras CVAEs do) is conditional; an encoder with two
 * inputs takes the condition too (a CVAE).
 */
export async function buildPairPlan(encoder: LoadedModel, decoder: LoadedModel, codeLayer: string | undefined): Promise<Plan> {
  const decoderInputs = inputsOf(decoder);
  const decoderCondition = conditionInput(decoderInputs);
  const decoderCode = decoderInputs[decoderCondition === 0 ? 1 : 0]!;
  const decoderInputShape = decoderCode.shape;
  const decoderInputSize = product(decoderInputShape);
  const encoderInputs = inputsOf(encoder);
  const encoderCondition = conditionInput(encoderInputs);
  const side = encoderSide(encoder, decoderInputSize, codeLayer);
  const warnings = [...encoder.warnings, ...decoder.warnings, ...side.warnings];
  let { encode, distribution, latentShape } = side;
  if (side.packed) {
    const halves = await packedHalves(side.raw);
    warnings.push(halves.warning);
    encode = sliceStage(side.raw, halves.meanFirst, false);
    distribution = sliceStage(side.raw, halves.meanFirst, true);
    latentShape = [side.encode.outputSizes[0]! / 2];
  }
  const latentSize = product(latentShape);
  // One decoder input wider than the code: the code then a condition, concatenated.
  const appended = decoderCondition === null && decoderInputSize > latentSize ? decoderInputSize - latentSize : 0;
  if (latentSize !== decoderInputSize && !appended) {
    throw new ModelLoadError(
      encoder.file,
      'model-split',
      `${encoder.file}: the encoder gives ${latentSize} values per sample but the decoder ${decoder.file} takes ${decoderInputSize} (${decoderCode.name} [${decoderInputShape.join(', ')}]); these files are not two halves of one autoencoder`,
    );
  }
  let condition: PlanCondition | undefined;
  if (appended > 0) {
    warnings.push(
      `the decoder takes ${decoderInputSize} values and the code has ${latentSize}: the last ${appended} are taken as a condition (code and label concatenated, as conditional VAEs do); decoding uses class 0 unless conditions are given`,
    );
  }
  if (decoderCondition !== null || appended > 0 || encoderCondition !== null) {
    const size = appended || product((decoderCondition !== null ? decoderInputs[decoderCondition] : encoderInputs[encoderCondition!])!.shape);
    condition = { size, classNames: null, encoderTakesIt: encoderCondition !== null, encoder: placeOf(encoderCondition), decoder: appended ? 'last' : placeOf(decoderCondition) };
  }
  let decode: Stage;
  let decoderLayers: LayerSummary[];
  let decoderSource: ActivationSource;
  let outputShape: number[];
  if (decoder.format === 'graph-model') {
    const layers = graphLayers(decoder.nodes, decoder.model.weights);
    outputShape = decoder.outputShapes[0]!;
    decode = graphStage(decoder.model, { inputShape: decoder.inputShape, outputSizes: [product(outputShape)] });
    decoderLayers = summarizeGraphLayers(layers, 'decoder/', 'decoder');
    decoderSource = graphModelSource(decoder, layers, 'decoder/');
  } else {
    const graph = flattenModel(decoder.model);
    const peak = peakActivation(graph);
    outputShape = sampleShape(graph.outputs[0]!);
    decode = layersStage(decoder.model, peak);
    const conditionName = decoderCondition === null ? null : decoderInputs[decoderCondition]!.name;
    decoderLayers = summarizeFlatGraph(graph, 'decoder/', (node) => (node.kind !== 'input' ? 'decoder' : node.path === conditionName ? 'input' : 'code'));
    decoderSource = flatGraphSource(graph, 'decoder/', peak);
  }
  const isVariational = distribution !== null;
  return {
    kind: isVariational ? 'vae' : 'encoder-decoder',
    files: [encoder.file, decoder.file],
    format: encoder.format,
    dialect: encoder.dialect,
    inputShape: encoderCondition === null ? side.encode.inputShape : encoderInputs[1 - encoderCondition]!.shape,
    latentShape: appended ? latentShape : decoderInputShape,
    latentLayer: `encoder/${side.latentLayer}`,
    outputShape,
    encode,
    distribution,
    decode,
    reconstruct: null,
    activationSources: [
      { source: side.source, feed: 'input' },
      { source: decoderSource, feed: 'code' },
    ],
    layers: [...side.layers, ...decoderLayers],
    warnings,
    condition,
    dispose: () => {
      disposeLoaded(encoder);
      disposeLoaded(decoder);
    },
  };
}

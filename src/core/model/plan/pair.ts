/** Plans for an encoder file and a decoder file used together. */
import type { LayerSummary } from '../../../shared/types';
import { type ActivationSource, flatGraphSource, graphModelSource, peakActivation } from '../activations';
import { flattenModel, sampleShape } from '../graph';
import type { LoadedModel } from '../load';
import { findSplit } from '../split';
import { type Stage, graphStage, layersStage, product } from '../stage';
import { graphLayers, summarizeFlatGraph, summarizeGraphLayers } from '../summary';
import { graphOutputSize } from './graphModel';
import { encoderHead, encoderOnlyParts, packedHalves, sliceStage } from './heads';
import { type Plan, disposeLoaded } from './plan';
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

export async function buildPairPlan(encoder: LoadedModel, decoder: LoadedModel, codeLayer: string | undefined): Promise<Plan> {
  const decoderInputShape =
    decoder.format === 'graph-model' ? decoder.inputShape : decoder.model.inputs[0]!.shape.slice(1).map((dim) => dim ?? 1);
  const decoderInputSize = product(decoderInputShape);
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
  const chains = latentSize === decoderInputSize;
  if (!chains) {
    warnings.push(
      `the decoder takes ${decoderInputSize} values but the encoder's code has ${latentSize}: decoding is unavailable (a conditional decoder needs its extra inputs)`,
    );
  }
  let decode: Stage | null = null;
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
    decoderLayers = summarizeFlatGraph(graph, 'decoder/', (node) => (node.kind === 'input' ? 'code' : 'decoder'));
    decoderSource = flatGraphSource(graph, 'decoder/', peak);
  }
  const isVariational = distribution !== null;
  return {
    kind: isVariational ? 'vae' : chains ? 'encoder-decoder' : 'encoder-only',
    files: [encoder.file, decoder.file],
    format: encoder.format,
    dialect: encoder.dialect,
    inputShape: side.encode.inputShape,
    latentShape: chains ? decoderInputShape : latentShape,
    latentLayer: `encoder/${side.latentLayer}`,
    outputShape: chains ? outputShape : null,
    encode,
    distribution,
    decode: chains ? decode : null,
    reconstruct: null,
    activationSources: chains
      ? [{ source: side.source, feed: 'input' }, { source: decoderSource, feed: 'code' }]
      : [{ source: side.source, feed: 'input' }],
    layers: [...side.layers, ...decoderLayers],
    warnings,
    dispose: () => {
      disposeLoaded(encoder);
      disposeLoaded(decoder);
    },
  };
}

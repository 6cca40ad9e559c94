/**
 * Loads ONNX autoencoders: a whole autoencoder in one graph (split at its code tensor into an
 * encoder and a decoder sub-graph), an encoder + decoder pair, or a lone encoder or decoder.
 */
import { basename } from 'node:path';
import type { AutoencoderKind, LayerRole, LayerSummary, ModelCondition } from '../../../shared/types';
import type { Autoencoder, LoadAutoencoderOptions } from '../autoencoder';
import { ModelLoadError } from '../errors';
import type { ResolvedModel } from '../resolve';
import { product } from '../stage';
import { type ActivationSource, OnnxAutoencoder, type OnnxPlan, type PartRun } from './autoencoder';
import { type ModelProto, producerInfo, withOutputs } from './graph';
import { featureMapLayout, layoutOf } from './layout';
import { type Part, makePart } from './part';
import { type Probe, findCode, probeModel } from './probe';
import { openModel } from './open';
import { type OnnxRuntime, onnxRuntime } from './runtime';

export { onnxRuntime } from './runtime';

/** Opens the ONNX model (or pair) `files` names; every session is released if anything fails. */
export async function loadOnnxAutoencoder(files: ResolvedModel, _options: LoadAutoencoderOptions = {}): Promise<Autoencoder> {
  const runtime = await onnxRuntime();
  const parts: Part[] = [];
  const track = async (made: Promise<Part>): Promise<Part> => {
    const part = await made;
    parts.push(part);
    return part;
  };
  try {
    const plan = files.decoder ? await pairPlan(runtime, files.primary, files.decoder, track) : await singlePlan(runtime, files.primary, track);
    return new OnnxAutoencoder(runtime, { ...plan, parts, warnings: [...plan.warnings] });
  } catch (error) {
    for (const part of parts) void part.session.release();
    throw error;
  }
}

type Track = (made: Promise<Part>) => Promise<Part>;
type PlanBody = Omit<OnnxPlan, 'parts'>;

async function singlePlan(runtime: OnnxRuntime, file: string, track: Track): Promise<PlanBody> {
  const { model, inputName, inputShape, condition } = await openModel(file);
  const probe = await probeModel(runtime, file, model, inputName, inputShape);
  await track(Promise.resolve(probe.part));
  const inputSize = product(inputShape);
  const main = probe.outputs.find((name) => probe.shapes.has(name) && product(probe.shapes.get(name)!) === inputSize) ?? probe.outputs[0]!;
  const mainShape = probe.shapes.get(main) ?? [];
  const mainSize = product(mainShape);
  const peak = peakOf(probe);
  if (condition && mainSize === inputSize) {
    throw new ModelLoadError(file, 'model-split', `${file}: a conditional autoencoder in one graph (inputs ${inputName} and ${condition.name}) cannot be split into encoder and decoder yet; export them as two files (e.g. cvae_encoder.onnx and cvae_decoder.onnx)`);
  }
  const conditionOf = (encoderTakesIt: boolean) => (condition ? conditionPlan(condition.size, `input "${condition.name}" (beside "${inputName}")`, encoderTakesIt) : {});
  const channelsFirst = isChannelsFirst(inputShape) || isChannelsFirst(mainShape);
  const activations = [activationSource(probe, 'input', '', channelsFirst)];
  if (mainSize < inputSize) {
    const { mean, logVar } = codeOutputs(probe, mainSize);
    const code = mean ?? main;
    const part = await track(makePart(runtime, file, withOutputs(model, logVar ? [code, logVar] : [code]), inputName, inputShape));
    const distribution = logVar ? { part, outputs: [code, logVar], peakValuesPerSample: peak } : undefined;
    const encode = { part, outputs: [code], peakValuesPerSample: peak };
    return body(distribution ? 'vae' : 'encoder-only', [file], layoutOf(inputShape), featureMapLayout(probe.shapes.get(code)!, channelsFirst), code, null, { encode, distribution, activations, layers: layersOf(model, probe, inputName, code, channelsFirst, 'encoder'), ...conditionOf(true) });
  }
  if (mainSize > inputSize) {
    const decode = { part: await track(makePart(runtime, file, withOutputs(model, [main]), inputName, inputShape)), outputs: [main], peakValuesPerSample: peak };
    // A decoder's input is its code: one layout serves both.
    const code = featureMapLayout(inputShape, channelsFirst);
    return body('decoder-only', [file], code, code, inputName, layoutOf(mainShape), { decode, activations, layers: layersOf(model, probe, inputName, inputName, channelsFirst, 'decoder'), ...conditionOf(false) });
  }
  const cut = findCode(model, probe, inputName, main);
  if (!cut) {
    throw new ModelLoadError(file, 'model-split', `${file}: found no tensor between the input and ${main} that every path crosses, so the model cannot be split into an encoder and a decoder; export them as two files`);
  }
  const codeShape = probe.shapes.get(cut.code)!;
  const encode = { part: await track(makePart(runtime, file, cut.encoder, inputName, inputShape)), outputs: [cut.code], peakValuesPerSample: peak };
  const decode = { part: await track(makePart(runtime, file, cut.decoder, cut.code, codeShape)), outputs: [main], peakValuesPerSample: peak };
  // reconstruct runs encode then decode: a third copy of the graph would cost load time and memory for the same numbers.
  return body('autoencoder', [file], layoutOf(inputShape), featureMapLayout(codeShape, channelsFirst), cut.code, layoutOf(mainShape), {
    encode,
    decode,
    activations,
    layers: layersOf(model, probe, inputName, cut.code, channelsFirst),
  });
}

async function pairPlan(runtime: OnnxRuntime, encoderFile: string, decoderFile: string, track: Track): Promise<PlanBody> {
  const encoder = await openModel(encoderFile);
  const encoderProbe = await probeModel(runtime, encoderFile, encoder.model, encoder.inputName, encoder.inputShape);
  await track(Promise.resolve(encoderProbe.part));
  // A conditional decoder's main input is the one the encoder's code fits.
  const decoder = await openModel(decoderFile, (size) => encoderProbe.outputs.some((name) => product(encoderProbe.shapes.get(name) ?? []) === size));
  if (encoder.condition && decoder.condition && encoder.condition.size !== decoder.condition.size) {
    throw new ModelLoadError(encoderFile, 'model-split', `${encoderFile}: the encoder's condition ${encoder.condition.name} has ${encoder.condition.size} values but the decoder's ${decoder.condition.name} has ${decoder.condition.size}; these files are not two halves of one model`);
  }
  const condition = decoder.condition ?? encoder.condition;
  const decoderProbe = await probeModel(runtime, decoderFile, decoder.model, decoder.inputName, decoder.inputShape);
  await track(Promise.resolve(decoderProbe.part));
  const codeSize = product(decoder.inputShape);
  const { mean: code, logVar } = codeOutputs(encoderProbe, codeSize);
  if (!code) {
    const gives = encoderProbe.outputs.map((name) => `${name} ${product(encoderProbe.shapes.get(name) ?? [])}`).join(', ');
    throw new ModelLoadError(encoderFile, 'model-split', `${encoderFile}: the encoder gives ${gives} values per sample but the decoder ${basename(decoderFile)} takes ${codeSize} (${decoder.inputName} [${decoder.inputShape.join(', ')}]); these files are not two halves of one autoencoder`);
  }
  const output = decoderProbe.outputs[0]!;
  const encodePart = await track(makePart(runtime, encoderFile, withOutputs(encoder.model, logVar ? [code, logVar] : [code]), encoder.inputName, encoder.inputShape));
  const encode = { part: encodePart, outputs: [code], peakValuesPerSample: peakOf(encoderProbe) };
  const distribution = logVar ? { part: encodePart, outputs: [code, logVar], peakValuesPerSample: peakOf(encoderProbe) } : undefined;
  const decode = { part: await track(makePart(runtime, decoderFile, withOutputs(decoder.model, [output]), decoder.inputName, decoder.inputShape)), outputs: [output], peakValuesPerSample: peakOf(decoderProbe) };
  const outputShape = decoderProbe.shapes.get(output) ?? [];
  const channelsFirst = isChannelsFirst(encoder.inputShape) || isChannelsFirst(outputShape);
  const layers = [
    ...layersOf(encoder.model, encoderProbe, encoder.inputName, code, channelsFirst, 'encoder').map((layer) => prefixed(layer, 'encoder')),
    ...layersOf(decoder.model, decoderProbe, decoder.inputName, decoder.inputName, channelsFirst, 'decoder').map((layer) => prefixed(layer, 'decoder')),
  ];
  return body(distribution ? 'vae' : 'encoder-decoder', [encoderFile, decoderFile], layoutOf(encoder.inputShape), featureMapLayout(decoder.inputShape, channelsFirst), joinPath('encoder', code), layoutOf(outputShape), {
    encode,
    distribution,
    decode,
    activations: [activationSource(encoderProbe, 'input', 'encoder', channelsFirst), activationSource(decoderProbe, 'code', 'decoder', channelsFirst)],
    layers,
    ...(condition ? conditionPlan(condition.size, conditionInputs(encoder.condition, decoder.condition), encoder.condition !== null) : {}),
  });
}

function body(
  kind: AutoencoderKind,
  files: string[],
  input: OnnxPlan['input'],
  latent: OnnxPlan['latent'],
  latentLayer: string,
  output: OnnxPlan['output'],
  parts: { encode?: PartRun; distribution?: PartRun; decode?: PartRun; activations: ActivationSource[]; layers: LayerSummary[]; condition?: ModelCondition; warnings?: string[] },
): PlanBody {
  const { encode, distribution, decode, activations, layers, condition, warnings } = parts;
  return { kind, files, input, latent, latentLayer, output, encode: encode ?? null, distribution: distribution ?? null, decode: decode ?? null, activations, layers, condition: condition ?? null, warnings: warnings ?? [] };
}

function conditionInputs(encoder: { name: string } | null, decoder: { name: string } | null): string {
  const named = [encoder && `the encoder's "${encoder.name}"`, decoder && `the decoder's "${decoder.name}"`].filter(Boolean);
  return `input${named.length > 1 ? 's' : ''} ${named.join(' and ')}`;
}

/** The condition a model takes beside its sample or code (`inputs` names it), and the note saying what it defaults to. */
function conditionPlan(size: number, inputs: string, encoderTakesIt: boolean): { condition: ModelCondition; warnings: string[] } {
  return {
    condition: { size, classNames: null, encoderTakesIt },
    warnings: [`${inputs} (${size} values) taken as a condition; ${encoderTakesIt ? 'encoding and decoding use' : 'decoding uses'} class 0 unless conditions are given`],
  };
}

/**
 * The encoder outputs of `size` values per sample that make the code: a VAE's mean (named mu,
 * mean or loc; else the first) and, when an output is named as a log-variance, that one too.
 */
function codeOutputs(probe: Probe, size: number): { mean: string | undefined; logVar: string | undefined } {
  const sized = probe.outputs.filter((name) => probe.shapes.has(name) && product(probe.shapes.get(name)!) === size);
  const logVar = sized.find((name) => /log.?var/i.test(name));
  const rest = sized.filter((name) => name !== logVar);
  const mean = rest.find((name) => /(^|[^a-z])(mu|mean|loc)([^a-z]|$)|z_?mean|z_?mu/i.test(name)) ?? rest[0];
  return { mean, logVar: mean && logVar ? logVar : undefined };
}

function peakOf(probe: Probe): number {
  return Math.max(1, ...[...probe.shapes.values()].map(product));
}

function activationSource(probe: Probe, feed: 'input' | 'code', prefix: string, channelsFirst: boolean): ActivationSource {
  const names = [...probe.shapes.keys()];
  return {
    // Every intermediate is a graph output of this session, so a batch holds all of them at once.
    run: { part: probe.part, outputs: names, peakValuesPerSample: names.reduce((sum, name) => sum + product(probe.shapes.get(name)!), 0) },
    tensors: new Map(names.map((name) => [joinPath(prefix, name), name])),
    layouts: new Map(names.map((name) => [joinPath(prefix, name), featureMapLayout(probe.shapes.get(name)!, channelsFirst)])),
    feed,
  };
}

/** Whether a model's images are channels-first, which its feature maps then are too. */
function isChannelsFirst(shape: number[]): boolean {
  return layoutOf(shape).shape !== shape;
}

/** One summary row per per-sample tensor, in graph order; roles turn at the code tensor. */
function layersOf(model: ModelProto, probe: Probe, inputName: string, code: string, channelsFirst: boolean, only?: LayerRole): LayerSummary[] {
  const producers = producerInfo(model);
  const shown = (shape: number[]) => featureMapLayout(shape, channelsFirst).shape;
  const input: LayerSummary = { path: inputName, name: inputName, className: 'Input', outputShape: [null, ...shown(probe.part.inputShape)], params: 0, depth: 0, role: 'input' };
  let seenCode = code === inputName;
  const rows = [...probe.shapes.keys()].map((name): LayerSummary => {
    const info = producers.get(name);
    const isCode = name === code;
    if (isCode) seenCode = true;
    const role: LayerRole = isCode ? 'code' : (only ?? (seenCode ? 'decoder' : 'encoder'));
    return { path: name, name: info?.node ?? name, className: info?.op ?? '?', outputShape: [null, ...shown(probe.shapes.get(name)!)], params: info?.params ?? 0, depth: 0, role };
  });
  return [input, ...rows];
}

function prefixed(layer: LayerSummary, prefix: string): LayerSummary {
  return { ...layer, path: joinPath(prefix, layer.path) };
}

/** `encoder` + `/body/Conv_output_0` → `encoder/body/Conv_output_0` (PyTorch names start with a slash). */
function joinPath(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name.replace(/^\//, '')}` : name;
}

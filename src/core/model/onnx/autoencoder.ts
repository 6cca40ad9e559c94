/**
 * `OnnxAutoencoder`: the Autoencoder interface over onnxruntime sessions. A plan says which
 * session encodes or decodes and which tensors serve as activations; this class
 * checks inputs, converts layouts at the boundary and runs the sessions in batches.
 */
import type { AutoencoderKind, LayerSummary, ModelCondition, ModelSummary } from '../../../shared/types';
import type { Autoencoder, BatchOptions, LayerActivation } from '../autoencoder';
import { encodeThenDecode } from '../encodeThenDecode';
import { checkLayerPaths, ModelLoadError, requirePart } from '../errors';
import { product } from '../../../shared/numeric';
import { checkSamplesLength } from '../stage';
import type { Layout } from './layout';
import { type Part, runPart } from './part';
import type { OnnxRuntime } from './runtime';

/** A session and the outputs to read from it. */
export interface PartRun {
  part: Part;
  outputs: string[];
  /** Largest per-sample tensor inside, to size batches. */
  peakValuesPerSample: number;
}

/** Tensors of one session read as activations; 'code' sources are fed the encoder's codes. */
export interface ActivationSource {
  run: PartRun;
  /** Activation path (shown to users) → tensor name. */
  tensors: Map<string, string>;
  /** Activation path → how its values are shown (feature maps of channels-first nets flipped). */
  layouts: Map<string, Layout>;
  feed: 'input' | 'code';
}

export interface OnnxPlan {
  kind: AutoencoderKind;
  files: string[];
  /** Layout of what encode (or, for a decoder alone, decode) takes. */
  input: Layout;
  /** The code as the explorer sees it (a conv code of a channels-first net flipped to H×W×C) and as the model has it. */
  latent: Layout;
  latentLayer: string;
  output: Layout | null;
  encode: PartRun | null;
  /** A VAE encoder's mean and log-variance outputs, in that order. */
  distribution: PartRun | null;
  decode: PartRun | null;
  activations: ActivationSource[];
  layers: LayerSummary[];
  /** What a conditional model takes beside the sample or code (fed from `BatchOptions.conditions`). */
  condition: ModelCondition | null;
  warnings: string[];
  parts: Part[];
}

export class OnnxAutoencoder implements Autoencoder {
  readonly summary: ModelSummary;
  readonly inputShape: number[];
  readonly latentShape: number[];
  readonly latentSize: number;
  readonly outputShape: number[] | null;
  readonly isVariational: boolean;
  readonly canEncode: boolean;
  readonly canDecode: boolean;
  readonly condition?: ModelCondition;
  private disposed = false;

  constructor(
    private readonly runtime: OnnxRuntime,
    private readonly plan: OnnxPlan,
  ) {
    this.inputShape = plan.input.shape;
    this.latentShape = plan.latent.shape;
    this.latentSize = product(this.latentShape);
    this.outputShape = plan.output?.shape ?? null;
    this.canEncode = plan.encode !== null;
    this.isVariational = plan.distribution !== null;
    if (plan.condition) this.condition = plan.condition;
    this.canDecode = plan.decode !== null;
    this.summary = {
      format: 'onnx',
      dialect: 'onnx',
      kind: plan.kind,
      files: plan.files,
      runtime: runtime.name,
      input: { shape: [null, ...this.inputShape] },
      latent: { layer: plan.latentLayer, shape: this.latentShape, size: this.latentSize },
      output: this.outputShape ? { shape: [null, ...this.outputShape] } : null,
      layers: plan.layers,
      totalParams: plan.layers.reduce((sum, layer) => sum + layer.params, 0),
      warnings: plan.warnings,
      ...(plan.condition ? { condition: plan.condition } : {}),
    };
  }

  async encode(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    const run = this.need(this.plan.encode, 'encode');
    this.checkLength(inputs, count, this.inputShape);
    const [codes] = await runPart(this.runtime, run.part, this.plan.input.toModel(inputs, count), count, run.outputs, run.peakValuesPerSample, options);
    return this.plan.latent.fromModel(codes!, count);
  }

  async encodeDistribution(inputs: Float32Array, count: number, options?: BatchOptions): Promise<{ mean: Float32Array; logVar: Float32Array } | null> {
    if (!this.plan.distribution) return null;
    const run = this.need(this.plan.distribution, 'encode');
    this.checkLength(inputs, count, this.inputShape);
    const [mean, logVar] = await runPart(this.runtime, run.part, this.plan.input.toModel(inputs, count), count, run.outputs, run.peakValuesPerSample, options);
    return { mean: this.plan.latent.fromModel(mean!, count), logVar: this.plan.latent.fromModel(logVar!, count) };
  }

  async decode(codes: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    const run = this.need(this.plan.decode, 'decode');
    this.checkLength(codes, count, this.latentShape);
    const [outputs] = await runPart(this.runtime, run.part, this.plan.latent.toModel(codes, count), count, run.outputs, run.peakValuesPerSample, options);
    return this.plan.output!.fromModel(outputs!, count);
  }

  /** Encode then decode (for a whole graph the two cut halves, which give the graph's own output). */
  async reconstruct(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    this.need(this.plan.encode && this.plan.decode, 'reconstruct');
    return encodeThenDecode(this, inputs, count, options);
  }

  async activations(inputs: Float32Array, count: number, layerPaths?: string[]): Promise<LayerActivation[]> {
    this.need(this.plan.activations[0] ?? null, 'report activations');
    const known = this.plan.activations.flatMap((source) => [...source.tensors.keys()]);
    const wanted = checkLayerPaths(this.plan.files[0]!, layerPaths ?? known, known);
    const result: LayerActivation[] = [];
    let codes: Float32Array | null = null;
    for (const source of this.plan.activations) {
      const paths = [...source.tensors.keys()].filter((path) => wanted.includes(path));
      if (!paths.length) continue;
      let fed: Float32Array;
      if (source.feed === 'code') fed = this.plan.latent.toModel((codes ??= await this.encode(inputs, count)), count);
      else {
        this.checkLength(inputs, count, this.inputShape);
        fed = this.plan.input.toModel(inputs, count);
      }
      const tensors = paths.map((path) => source.tensors.get(path)!);
      const values = await runPart(this.runtime, source.run.part, fed, count, tensors, source.run.peakValuesPerSample);
      paths.forEach((path, i) => {
        const layout = source.layouts.get(path)!;
        result.push({ path, shape: layout.shape, values: layout.fromModel(values[i]!, count) });
      });
    }
    return result;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const part of new Set(this.plan.parts)) void part.session.release();
  }

  private checkLength(values: Float32Array, count: number, shape: number[]): void {
    if (this.disposed) throw new ModelLoadError(this.plan.files[0]!, 'model-unsupported', 'the model has been disposed');
    checkSamplesLength(this.plan.files[0]!, shape, values, count);
  }

  private need<T>(part: T | null, action: string): T {
    return requirePart(part, action, this.disposed, this.plan);
  }
}

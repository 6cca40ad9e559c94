/** The object `loadAutoencoder` returns for tfjs models: runs a plan's stages over typed arrays. */
import { product } from '../../shared/numeric';
import type { ModelCondition, ModelSummary } from '../../shared/types';
import type { Autoencoder, LoadAutoencoderOptions } from './autoencoder';
import type { LayerActivation } from './activations';
import { activeBackend } from './backend';
import { collapsedCodesWarning } from './collapse';
import { conditionRows, joinConditions } from './condition';
import { ENCODE_CHUNK, EncodePool, type PoolStage } from './encodePool';
import { encodeThenDecode } from './encodeThenDecode';
import { checkLayerPaths, requirePart } from './errors';
import type { Plan } from './plan/plan';
import { type BatchOptions, type Stage, checkInputLength, checkSamplesLength, runBatches } from './stage';

export class LoadedAutoencoder implements Autoencoder {
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
  private pool: EncodePool | null = null;

  constructor(
    private readonly plan: Plan,
    private readonly modelPath: string,
    private readonly loadOptions: LoadAutoencoderOptions,
  ) {
    this.inputShape = plan.inputShape;
    this.latentShape = plan.latentShape;
    this.latentSize = product(plan.latentShape);
    this.outputShape = plan.outputShape;
    this.isVariational = plan.distribution !== null;
    this.canEncode = plan.encode !== null;
    this.canDecode = plan.decode !== null;
    if (plan.condition) {
      const { size, classNames, encoderTakesIt } = plan.condition;
      this.condition = { size, classNames, encoderTakesIt };
    }
    this.summary = {
      format: plan.format,
      dialect: plan.dialect,
      kind: plan.kind,
      files: plan.files,
      input: { shape: [null, ...plan.inputShape] },
      latent: { layer: plan.latentLayer, shape: plan.latentShape, size: this.latentSize },
      output: plan.outputShape ? { shape: [null, ...plan.outputShape] } : null,
      layers: plan.layers,
      totalParams: plan.layers.filter((layer) => layer.depth === 0).reduce((sum, layer) => sum + layer.params, 0),
      warnings: plan.warnings,
      ...(this.condition ? { condition: this.condition } : {}),
    };
  }

  async encode(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    const stage = this.need(this.plan.encode, 'encode');
    // Pool workers encode plain samples through their own copy's encode(): conditioned inputs stay here.
    const shareable = !this.plan.condition?.encoder;
    const codes = await this.runShared('encode', stage, this.latentSize, this.conditioned('encoder', inputs, count, options), count, options, shareable);
    // Known only once real inputs have been encoded: the summary's warnings grow by it once.
    const collapsed = collapsedCodesWarning(codes, count, this.latentSize);
    if (collapsed && !this.summary.warnings.some((warning) => warning.startsWith('the encoder has collapsed'))) this.summary.warnings.push(collapsed);
    return codes;
  }

  async encodeDistribution(inputs: Float32Array, count: number, options?: BatchOptions) {
    if (!this.plan.distribution) return null;
    const [mean, logVar] = await runBatches(this.need(this.plan.distribution, 'encode'), this.conditioned('encoder', inputs, count, options), count, options);
    return { mean: mean!, logVar: logVar! };
  }

  async decode(codes: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    const [outputs] = await runBatches(this.need(this.plan.decode, 'decode'), this.conditioned('decoder', codes, count, options), count, options);
    return outputs!;
  }

  async reconstruct(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
    if (this.plan.reconstruct) {
      return this.runShared('reconstruct', this.plan.reconstruct, product(this.outputShape ?? this.inputShape), inputs, count, options);
    }
    // A pair: encode then decode; each half reports half the progress.
    return encodeThenDecode(this, inputs, count, options);
  }

  async activations(inputs: Float32Array, count: number, layerPaths?: string[], options?: BatchOptions): Promise<LayerActivation[]> {
    this.need(this.plan.activationSources[0] ?? null, 'report activations');
    const known = this.plan.activationSources.flatMap(({ source }) => source.paths);
    const wanted = checkLayerPaths(this.plan.files[0]!, layerPaths ?? known, known);
    const result: LayerActivation[] = [];
    let codes: Float32Array | null = null;
    for (const { source, feed } of this.plan.activationSources) {
      const paths = source.paths.filter((path) => wanted.includes(path));
      if (!paths.length) continue;
      let fed = this.conditioned('encoder', inputs, count, options);
      if (feed === 'code' && this.plan.encode) fed = this.conditioned('decoder', (codes ??= await this.encode(inputs, count, options)), count, options);
      else if (feed === 'code') fed = this.conditioned('decoder', inputs, count, options);
      const { stage, shapes } = await source.stageFor(paths);
      const values = await runBatches(stage, fed, count);
      paths.forEach((path, i) => result.push({ path, shape: shapes[i]!, values: values[i]! }));
    }
    return result;
  }

  /**
   * Runs a one-output stage on every sample: on this thread, or with `encodeThreads` > 1 and
   * enough samples, shared with the pool's workers (each runs the same stage on its own copy).
   */
  private async runShared(
    poolStage: PoolStage,
    stage: Stage,
    outputSize: number,
    inputs: Float32Array,
    count: number,
    options?: BatchOptions,
    shareable = true,
  ): Promise<Float32Array> {
    const threads = this.loadOptions.encodeThreads ?? 1;
    if (shareable && threads > 1 && count > ENCODE_CHUNK && activeBackend() !== 'tensorflow') {
      checkInputLength(stage, inputs, count);
      this.pool ??= new EncodePool(threads, { modelPath: this.modelPath, options: this.loadOptions });
      const here = { batchSize: options?.batchSize, signal: options?.signal };
      return this.pool.run(poolStage, inputs, count, product(stage.inputShape), outputSize, async (chunk, n) => (await runBatches(stage, chunk, n, here))[0]!, options);
    }
    const [outputs] = await runBatches(stage, inputs, count, options);
    return outputs!;
  }

  /**
   * A conditional part's input: each sample's values joined to its condition (the caller's, or
   * class 0) where that part's model takes it; the values unchanged for every other part.
   */
  private conditioned(part: 'encoder' | 'decoder', values: Float32Array, count: number, options?: BatchOptions): Float32Array {
    const condition = this.plan.condition;
    const place = condition?.[part];
    if (!condition || !place) return values;
    const sampleSize = part === 'encoder' ? product(this.inputShape) : this.latentSize;
    checkSamplesLength('', part === 'encoder' ? this.inputShape : this.latentShape, values, count);
    const rows = conditionRows(condition, options?.conditions, count);
    return joinConditions(values, sampleSize, rows, condition.size, count, place === 'first');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose();
    for (const { source } of this.plan.activationSources) source.dispose();
    this.plan.dispose();
  }

  private need<T>(part: T | null, action: string): T {
    return requirePart(part, action, this.disposed, this.plan);
  }
}

/**
 * `loadAutoencoder`: any supported model file or pair → one object that encodes, decodes,
 * reconstructs and reports activations over typed arrays, whatever the model's dialect or shape.
 */
import { readManifestNear } from '../manifest';
import type { BackendPreference, ModelCondition, ModelSummary } from '../../shared/types';
import type { LayerActivation } from './activations';
import { initBackend } from './backend';
import { ModelLoadError } from './errors';
import { type LoadedModel, loadModelFile } from './load';
import { LoadedAutoencoder } from './loadedAutoencoder';
import { buildPairPlan } from './plan/pair';
import { type Plan, disposeLoaded } from './plan/plan';
import { buildSinglePlan } from './plan/single';
import { loadOnnxAutoencoder } from './onnx';
import { type ResolvedModel, resolveModelFiles } from './resolve';
import type { BatchOptions } from './stage';

export type { BatchOptions } from './stage';
export type { LayerActivation } from './activations';

/** An autoencoder (or the usable half of one) over flat Float32Arrays, one sample after another. */
export interface Autoencoder {
  readonly summary: ModelSummary;
  /** Per-sample input shape, no batch dimension. */
  readonly inputShape: number[];
  /** Per-sample shape of the code as the decoder takes it (e.g. [7, 7, 64]). */
  readonly latentShape: number[];
  /** Values per code: codes are flattened to this many numbers. */
  readonly latentSize: number;
  /** Per-sample output shape; null without a decoder. */
  readonly outputShape: number[] | null;
  readonly isVariational: boolean;
  readonly canEncode: boolean;
  readonly canDecode: boolean;
  /** A conditional model's condition (CVAE, conditional decoder); pass each sample's in `BatchOptions.conditions`. */
  readonly condition?: ModelCondition;
  /** count × latentSize codes (a VAE's mean). */
  encode(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array>;
  /** A VAE's mean and log-variance (count × latentSize each); null for a plain autoencoder. */
  encodeDistribution(
    inputs: Float32Array,
    count: number,
    options?: BatchOptions,
  ): Promise<{ mean: Float32Array; logVar: Float32Array } | null>;
  /** count × prod(outputShape) outputs from count × latentSize codes. */
  decode(codes: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array>;
  /** The model's own output for each input (the whole model when it is one file). */
  reconstruct(inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array>;
  /** Outputs of the given layers (default: all) for each input, computed in one pass per model part. */
  activations(inputs: Float32Array, count: number, layerPaths?: string[], options?: BatchOptions): Promise<LayerActivation[]>;
  dispose(): void;
}

export interface LoadAutoencoderOptions {
  /** A separate decoder's model.json (or folder); `modelPath` is then the encoder. */
  decoderPath?: string;
  /** The code layer's name or path; overrides detection and `latent-explorer.json`. */
  codeLayer?: string;
  /** Replace custom VAE sampling layers with a mean stand-in (default true). */
  samplingStandIn?: boolean;
  /** Backend to initialise if none is yet (default 'auto'). */
  backend?: BackendPreference;
  /**
   * WebAssembly instances `encode` and `reconstruct` may use (default 1): this thread plus
   * `encodeThreads − 1` worker threads, each loading its own copy of the model on first use, for
   * calls of more than `ENCODE_CHUNK` samples. tfjs' wasm backend is single-threaded in Node, so
   * this is how they use several cores; it is ignored under tfjs-node, which threads by itself.
   */
  encodeThreads?: number;
}

/**
 * Loads `modelPath`: a model.json, a folder holding one, or a folder with `encoder/` and
 * `decoder/` sub-folders. A single model is split at its bottleneck.
 */
export async function loadAutoencoder(modelPath: string, options: LoadAutoencoderOptions = {}): Promise<Autoencoder> {
  const files = await resolveModelFiles(modelPath, options.decoderPath);
  if (files.format === 'onnx') return withWarnings(await loadOnnxAutoencoder(files, options), files.warnings);
  await initBackend(options.backend ?? 'auto');
  return withWarnings(await loadTfjsAutoencoder(modelPath, files, options), files.warnings);
}

/** Adds the resolver's warnings (e.g. a pair left aside) to what the summary reports. */
function withWarnings(autoencoder: Autoencoder, warnings: string[]): Autoencoder {
  autoencoder.summary.warnings.unshift(...warnings);
  return autoencoder;
}

/** TF.js model.json and Keras files, which `loadModelFile` builds as tfjs models. */
async function loadTfjsAutoencoder(modelPath: string, files: ResolvedModel, options: LoadAutoencoderOptions): Promise<Autoencoder> {
  const manifest = await readManifestNear(files.primary);
  const codeLayer = options.codeLayer ?? manifest?.codeLayer;
  const loadOptions = { samplingStandIn: options.samplingStandIn ?? true };
  if (files.decoder) {
    const encoder = await loadModelFile(files.primary, loadOptions);
    let decoder: LoadedModel;
    try {
      decoder = await loadModelFile(files.decoder, loadOptions);
    } catch (error) {
      disposeLoaded(encoder);
      throw error;
    }
    return new LoadedAutoencoder(await withCleanup([encoder, decoder], () => buildPairPlan(encoder, decoder, codeLayer)), modelPath, options);
  }
  const model = await loadModelFile(files.primary, loadOptions);
  return new LoadedAutoencoder(await withCleanup([model], async () => buildSinglePlan(model, codeLayer)), modelPath, options);
}

/** Disposes the loaded models when planning fails, and names the file in split errors. */
async function withCleanup(models: LoadedModel[], build: () => Promise<Plan>): Promise<Plan> {
  try {
    return await build();
  } catch (error) {
    models.forEach(disposeLoaded);
    if (error instanceof ModelLoadError && error.file === '') {
      throw new ModelLoadError(models[0]!.file, error.code, `${models[0]!.file}: ${error.message}`);
    }
    throw error;
  }
}

/** The summary `inspect` prints: loads the model, describes it, and frees it again. */
export async function summarizeModel(modelPath: string, options: LoadAutoencoderOptions = {}): Promise<ModelSummary> {
  const autoencoder = await loadAutoencoder(modelPath, options);
  try {
    return autoencoder.summary;
  } finally {
    autoencoder.dispose();
  }
}

/**
 * Keras model files as TF.js layers-model artifacts, built in memory: a Keras 3 `.keras` zip, a
 * legacy full-model HDF5 (`.h5`, or an HDF5 file named `.keras`), and weights-only HDF5 beside
 * its to_json() architecture. `../load.ts` builds the artifacts as it builds a model.json's.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ModelDialect } from '../../../shared/types';
import { detectModelFormat } from '../detect';
import { ModelLoadError } from '../errors';
import { normalizeModelJson, type NormalizeOptions } from '../normalize';
import '../sampling';
import { validateLayersTopology } from '../validate';
import { parseKerasConfig, readBounded, readConfigText, unpackKerasArchive } from './archive';
import { kerasModelJson } from './config';
import { type Hdf5Reader, withHdf5 } from './hdf5';
import { type WeightSourceNames, keras3Weights, legacyWeights, toArtifactsWeights } from './weights';

type Json = Record<string, unknown>;

export type KerasFileFormat = 'keras-zip' | 'keras-h5' | 'keras-json';

export interface KerasArtifacts {
  artifacts: tf.io.ModelArtifacts;
  dialect: ModelDialect;
  /** Rewrites applied in memory and other facts the user should know. */
  warnings: string[];
}

/** Reads the Keras model in `file` (format as detected from its bytes) into TF.js artifacts. */
export async function readKerasArtifacts(file: string, format: KerasFileFormat, options: NormalizeOptions = {}): Promise<KerasArtifacts> {
  if (format === 'keras-zip') {
    const archive = unpackKerasArchive(file, await readBounded(file));
    const config = parseKerasConfig(file, 'config.json', archive.config);
    if (!archive.weights) {
      // A subclassed model's own error says more than the missing weights would.
      kerasModelJson(file, config, archive.kerasVersion);
      throw new ModelLoadError(file, 'model-invalid', `${file}: the .keras archive has no model.weights.h5; save the model again with model.save()`);
    }
    const names = { weights: 'model.weights.h5', config: 'config.json' };
    return withHdf5(file, names.weights, archive.weights, (h5) => build(file, config, archive.kerasVersion, h5, names, 'keras3', options));
  }
  if (format === 'keras-json') {
    const config = parseKerasConfig(file, basename(file), await readConfigText(file));
    const weightsFile = await findBeside(file, /\.(h5|hdf5)$/i, 'keras-h5', 'weights (.h5)');
    const names = { weights: basename(weightsFile), config: basename(file) };
    return withHdf5(file, names.weights, await readBounded(weightsFile), (h5) => build(file, config, null, h5, names, 'keras-json', options));
  }
  return withHdf5(file, 'the file', await readBounded(file), async (h5) => {
    const modelConfig = h5.stringAttr('/', 'model_config');
    if (modelConfig !== null) {
      const config = parseKerasConfig(file, 'its model_config attribute', modelConfig);
      const names = { weights: 'model_weights', config: 'model_config' };
      return build(file, config, h5.stringAttr('/', 'keras_version'), h5, names, 'keras-h5', options);
    }
    if (!h5.isGroup('/layers') && h5.stringListAttr('/', 'layer_names').length === 0) {
      throw new ModelLoadError(
        file,
        'model-invalid',
        `${file}: this HDF5 file has no model_config and no Keras weights; it is not a Keras model (save one with model.save("model.keras"))`,
      );
    }
    const architecture = await findBeside(file, /\.json$/i, 'keras-json', 'to_json() architecture (.json)');
    const config = parseKerasConfig(architecture, basename(architecture), await readConfigText(architecture));
    const names = { weights: basename(file), config: basename(architecture) };
    return build(file, config, h5.stringAttr('/', 'keras_version'), h5, names, 'keras-json', options);
  });
}

/**
 * Builds the topology, reads every weight under its TF.js name and checks it against the shape
 * tfjs expects. The model built to learn those names is freed before returning.
 */
async function build(
  file: string,
  config: Json,
  kerasVersion: string | null,
  h5: Hdf5Reader,
  names: WeightSourceNames,
  dialect: ModelDialect,
  options: NormalizeOptions,
): Promise<KerasArtifacts> {
  const { json, changes } = kerasModelJson(file, config, kerasVersion);
  const normalized = normalizeModelJson(file, json, options);
  validateLayersTopology(file, normalized.json);
  const modelTopology = normalized.json.modelTopology as Json;
  let model: tfl.LayersModel;
  try {
    model = await tfl.models.modelFromJSON({ modelTopology: withZeroInitializers(modelTopology) } as Parameters<typeof tfl.models.modelFromJSON>[0]);
  } catch (error) {
    throw new ModelLoadError(file, 'model-invalid', `${file}: tfjs could not build the model in ${names.config}: ${(error as Error).message}`);
  }
  try {
    // Native Keras 3 files are written in the dialect the normaliser rewrites: routine, not news.
    const warnings = [...changes, ...normalized.changes.filter((change) => !change.startsWith('Keras 3:'))];
    const weights = h5.isGroup('/layers')
      ? keras3Weights(file, names, h5, config, model)
      : legacyWeights(file, names, h5, h5.isGroup('/model_weights') ? '/model_weights' : '/', model, warnings);
    const artifacts: tf.io.ModelArtifacts = { modelTopology, format: 'layers-model', generatedBy: normalized.json.generatedBy, ...toArtifactsWeights(weights) };
    return { artifacts, dialect, warnings };
  } finally {
    for (const weight of model.weights) weight.dispose();
  }
}

/** Initialiser arguments of tfjs layers whose defaults are random (a Keras config may leave them out). */
const RANDOM_INITIALIZERS = ['kernel_initializer', 'recurrent_initializer', 'depthwise_initializer', 'pointwise_initializer', 'embeddings_initializer'];
const ZEROS = { class_name: 'Zeros', config: {} };

/**
 * A copy of the topology whose weights start as zeros: this model only tells names and shapes, and
 * random initialisers would cost more than everything else (0.2–0.6 s for 2.7M weights).
 */
function withZeroInitializers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withZeroInitializers);
  if (typeof value !== 'object' || value === null) return value;
  const copy = Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key.endsWith('_initializer') && item !== null ? ZEROS : withZeroInitializers(item)]),
  ) as Json;
  const config = copy.config;
  if (typeof copy.class_name === 'string' && typeof config === 'object' && config !== null && !Array.isArray(config) && !('layers' in config)) {
    for (const key of RANDOM_INITIALIZERS) (config as Json)[key] ??= ZEROS;
  }
  return copy;
}

/**
 * The one file beside `file` that completes it: weights for an architecture, or the architecture
 * for weights. A file with the same stem wins (`model.json` for `model.h5`); otherwise there must be
 * exactly one candidate of the right format.
 */
async function findBeside(file: string, pattern: RegExp, format: KerasFileFormat, what: string): Promise<string> {
  const folder = dirname(file);
  const stem = (name: string) => basename(name, extname(name)).replace(/\.weights$/i, '');
  const names = (await readdir(folder)).filter((name) => pattern.test(name) && join(folder, name) !== file).sort();
  const matching: string[] = [];
  for (const name of names) {
    const path = join(folder, name);
    if ((await detectModelFormat(path).catch(() => null))?.format === format) matching.push(path);
  }
  const sameStem = matching.filter((path) => stem(path) === stem(file));
  if (sameStem.length === 1) return sameStem[0]!;
  if (matching.length === 1) return matching[0]!;
  const holds = format === 'keras-h5' ? 'a Keras architecture without weights' : 'Keras weights without the architecture';
  throw new ModelLoadError(
    file,
    'model-invalid',
    matching.length === 0
      ? `${file}: this file holds ${holds}, and no ${what} file is beside it; put it in the same folder, or save the whole model with model.save("model.keras")`
      : `${file}: this file holds ${holds}, and several ${what} files are beside it (${matching.map((path) => basename(path)).join(', ')}); give them the same name (model.json + model.h5)`,
  );
}

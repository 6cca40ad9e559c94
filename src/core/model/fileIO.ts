/**
 * Reads TensorFlow.js model files from disk without tfjs-node: model.json plus every weight shard
 * its manifest lists, in manifest order. Only reads; the user's files are never written.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelLoadError } from './errors';

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Parses model.json, rejecting files that are unreadable, not JSON, or not a TF.js model. */
export async function readModelJson(file: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ModelLoadError(file, 'model-unreadable', `cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(file, 'model-invalid-json', `${file} is not valid JSON: ${(error as Error).message}`);
  }
  return validateModelJson(file, json);
}

function validateModelJson(file: string, json: unknown): tf.io.ModelJSON {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelLoadError(file, 'model-not-tfjs', `${file} is not a TensorFlow.js model: expected a JSON object`);
  }
  const model = json as Record<string, unknown>;
  if (typeof model.modelTopology !== 'object' || model.modelTopology === null) {
    const keys = Object.keys(model).slice(0, 8).join(', ') || 'none';
    throw new ModelLoadError(
      file,
      'model-not-tfjs',
      `${file} is not a TensorFlow.js model: it has no "modelTopology" (keys found: ${keys})`,
    );
  }
  // Converters before 1.0 wrote no "format"; any other value is a format tfjs cannot load.
  if (model.format !== undefined && model.format !== 'layers-model' && model.format !== 'graph-model') {
    throw new ModelLoadError(
      file,
      'model-not-tfjs',
      `${file} has format ${JSON.stringify(model.format)}; expected "layers-model" or "graph-model"`,
    );
  }
  if (model.weightsManifest !== undefined && !Array.isArray(model.weightsManifest)) {
    throw new ModelLoadError(file, 'model-not-tfjs', `${file} has a "weightsManifest" that is not a list`);
  }
  return json as tf.io.ModelJSON;
}

/**
 * Reads every weight group in manifest order (shards may lack an extension; the groups need not
 * follow the layer order) and checks each group's byte count against the weights it declares.
 */
export async function readWeights(
  file: string,
  manifest: tf.io.WeightsManifestConfig,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const folder = dirname(file);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    const groupBuffers: Uint8Array[] = [];
    for (const shard of group.paths) {
      const shardPath = join(folder, shard);
      try {
        groupBuffers.push(await readFile(shardPath));
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
        throw new ModelLoadError(
          shardPath,
          'model-shard-missing',
          `weight file "${shard}" listed in ${file} cannot be read: ${reason}`,
        );
      }
    }
    const expected = expectedGroupBytes(group.weights);
    const found = groupBuffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
    if (expected !== null && expected !== found) {
      throw new ModelLoadError(
        join(folder, group.paths[0] ?? ''),
        'model-shard-size',
        `weight file(s) ${group.paths.join(', ')} of ${file} hold ${found} bytes but the manifest's weights need ${expected}`,
      );
    }
    specs.push(...group.weights);
    buffers.push(...groupBuffers);
  }
  return [specs, concatenate(buffers)];
}

/** Bytes a group's weights occupy, or null when a string weight makes the size unknowable. */
function expectedGroupBytes(weights: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const weight of weights) {
    const storedAs = weight.quantization?.dtype ?? weight.dtype;
    const bytes = BYTES_PER_ELEMENT[storedAs];
    if (bytes === undefined) return null;
    total += weight.shape.reduce((product, dim) => product * dim, 1) * bytes;
  }
  return total;
}

function concatenate(buffers: Uint8Array[]): ArrayBuffer {
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    joined.set(buffer, offset);
    offset += buffer.byteLength;
  }
  return joined.buffer;
}

/** Rewrites parsed model.json in memory before tfjs sees it (e.g. the Keras 3 normaliser). */
export type ModelJsonTransform = (json: tf.io.ModelJSON) => tf.io.ModelJSON;

/** Everything tfjs needs to build a model, read from `file` and optionally transformed. */
export async function readModelArtifacts(file: string, transform?: ModelJsonTransform): Promise<tf.io.ModelArtifacts> {
  const raw = await readModelJson(file);
  const json = transform ? transform(raw) : raw;
  return tf.io.getModelArtifactsForJSON(json, (manifest) => readWeights(file, manifest));
}

/** An IOHandler for `tf.loadLayersModel` / `tf.loadGraphModel` that reads from the file system. */
export function fileIOHandler(file: string, transform?: ModelJsonTransform): tf.io.IOHandler {
  return { load: () => readModelArtifacts(file, transform) };
}

/**
 * Reads TensorFlow.js model files from disk without tfjs-node: model.json plus every weight shard
 * its manifest lists, in manifest order. Only reads; the user's files are never written. A model
 * folder may come from anyone, so shards must be regular files inside the model's folder (after
 * links are resolved) and no read goes past the size the manifest declares.
 */
import * as tf from '@tensorflow/tfjs-core';
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { ModelLoadError } from './errors';
import { countNonFinite } from './finite';
import { validateWeightsManifest, MAX_WEIGHT_BYTES } from './validate';

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Topologies of real models run to a few MB; a larger model.json is not one worth parsing. */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;
/** Real topologies nest a few levels (model → layers → config → initializer); deeper is hostile. */
const MAX_JSON_DEPTH = 200;

/** Parses model.json, rejecting files that are unreadable, not JSON, or not a TF.js model. */
export async function readModelJson(file: string): Promise<tf.io.ModelJSON> {
  const bytes = await readRegularFile(file, MAX_MODEL_JSON_BYTES, (reason) => new ModelLoadError(file, 'model-unreadable', `cannot read ${file}: ${reason}`));
  // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse rejects as a token.
  const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(file, 'model-invalid-json', `${file} is not valid JSON: ${firstLine(error)}`);
  }
  if (jsonDepthExceeds(json, MAX_JSON_DEPTH)) {
    throw new ModelLoadError(file, 'model-invalid-json', `${file} nests JSON more than ${MAX_JSON_DEPTH} levels deep, which no model topology does`);
  }
  return validateModelJson(file, json);
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}

/** Walks the parsed value without recursion, so a hostile depth cannot overflow the stack here. */
function jsonDepthExceeds(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
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
  validateWeightsManifest(file, model.weightsManifest);
  return json as tf.io.ModelJSON;
}

/**
 * Reads every weight group in manifest order (shards may lack an extension; the groups need not
 * follow the layer order) and checks each group's byte count against the weights it declares
 * before reading any of it. Non-finite float weights are counted into `warnings` when given.
 */
export async function readWeights(
  file: string,
  manifest: tf.io.WeightsManifestConfig,
  warnings?: string[],
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const folder = await modelFolder(file);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const groups: { paths: string[]; bytes: number }[] = [];
  let total = 0;
  for (const group of manifest) {
    const paths = [];
    for (const shard of group.paths) paths.push(await shardPath(file, folder, shard));
    const sizes = await Promise.all(paths.map(async (path) => (await stat(path)).size));
    const found = sizes.reduce((sum, size) => sum + size, 0);
    const expected = expectedGroupBytes(group.weights);
    if (expected !== null && expected !== found) {
      throw new ModelLoadError(
        join(dirname(file), group.paths[0] ?? ''),
        'model-shard-size',
        `weight file(s) ${group.paths.join(', ')} of ${file} hold ${found} bytes but the manifest's weights need ${expected}` +
          (found > expected ? ' (the files are larger than declared)' : ' (the files are truncated)'),
      );
    }
    total += expected ?? found;
    if (total > MAX_WEIGHT_BYTES) {
      throw new ModelLoadError(file, 'model-invalid', `${file} declares more than ${MAX_WEIGHT_BYTES / 2 ** 30} GiB of weights, more than this tool loads`);
    }
    groups.push({ paths, bytes: expected ?? found });
    specs.push(...group.weights);
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const group of groups) {
    const end = offset + group.bytes;
    for (const path of group.paths) offset += await readShardInto(path, joined, offset, end - offset);
  }
  if (offset !== total) {
    throw new ModelLoadError(file, 'model-shard-size', `the weight files of ${file} changed size while being read; load the model again`);
  }
  if (warnings) {
    const nonFinite = countNonFiniteWeights(specs, joined);
    if (nonFinite > 0) warnings.push(`${nonFinite} weight value(s) are NaN or infinite: codes and reconstructions will not be meaningful`);
  }
  return [specs, joined.buffer];
}

/** The model's folder with links resolved, the frame every shard must stay inside. */
async function modelFolder(file: string): Promise<string> {
  try {
    return await realpath(dirname(file));
  } catch (error) {
    throw new ModelLoadError(file, 'model-unreadable', `cannot read the folder of ${file}: ${(error as NodeJS.ErrnoException).code ?? firstLine(error)}`);
  }
}

/**
 * Resolves one manifest path to a regular file inside `folder`. The refusal never describes what
 * lies outside (its size, its kind), only that the path leaves the folder.
 */
async function shardPath(file: string, folder: string, shard: string): Promise<string> {
  const listed = join(dirname(file), shard);
  const outside = (): ModelLoadError =>
    new ModelLoadError(file, 'model-invalid', `weight file "${shard}" listed in ${file} lies outside the model's folder; weight files must be inside ${dirname(file)}`);
  if (isAbsolute(shard) || !isInside(folder, join(folder, shard))) throw outside();
  let resolved: string;
  try {
    resolved = await realpath(join(folder, shard));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : `it cannot be read (${code ?? 'unknown error'})`;
    throw new ModelLoadError(listed, 'model-shard-missing', `weight file "${shard}" listed in ${file} cannot be read: ${reason}`);
  }
  if (!isInside(folder, resolved)) throw outside();
  // A FIFO or device would block or never end; only plain files are weights.
  if (!(await stat(resolved)).isFile()) {
    throw new ModelLoadError(listed, 'model-invalid', `weight file "${shard}" listed in ${file} is not a regular file`);
  }
  return resolved;
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Reads the whole shard into `target` at `offset`, never more than `room` bytes; returns bytes read. */
async function readShardInto(path: string, target: Uint8Array, offset: number, room: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    if (!(await handle.stat()).isFile()) throw new ModelLoadError(path, 'model-invalid', `weight file ${path} is not a regular file`);
    let filled = 0;
    while (filled < room) {
      const { bytesRead } = await handle.read(target, offset + filled, room - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  } finally {
    await handle.close();
  }
}

/** Reads a regular file of at most `limit` bytes; anything else becomes the error `fail` builds. */
async function readRegularFile(file: string, limit: number, fail: (reason: string) => Error): Promise<Uint8Array> {
  let handle;
  try {
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    const info = await stat(file);
    if (!info.isFile()) throw fail('it is not a regular file');
    if (info.size > limit) throw fail(`it is ${info.size} bytes, more than the ${limit} a model.json may be`);
    handle = await open(file, 'r');
    const buffer = new Uint8Array(Math.min(info.size, limit));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : firstLine(error));
  } finally {
    await handle?.close();
  }
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

/** NaN/±Inf among the unquantised float32 weights (quantised ones cannot hold them). */
function countNonFiniteWeights(specs: tf.io.WeightsManifestEntry[], bytes: Uint8Array): number {
  let offset = 0;
  let count = 0;
  for (const spec of specs) {
    const storedAs = spec.quantization?.dtype ?? spec.dtype;
    const size = spec.shape.reduce((product, dim) => product * dim, 1) * (BYTES_PER_ELEMENT[storedAs] ?? 0);
    if (storedAs === 'float32' && offset % 4 === 0) count += countNonFinite(new Float32Array(bytes.buffer, bytes.byteOffset + offset, size / 4));
    else if (storedAs === 'float32') count += countNonFinite(new Float32Array(bytes.slice(offset, offset + size).buffer));
    offset += size;
  }
  return count;
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

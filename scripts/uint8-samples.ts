/**
 * `npm run uint8-samples [-- folder]`: rewrites every TF.js model under sample-models/ (or the given
 * folder) with its large float weights stored as uint8, in place: TF.js's affine weight quantization
 * (`quantization: {dtype: 'uint8', scale, min}`, one scale per tensor), which tf.io.decodeWeights
 * expands to float32 on load. The samples' weights shrink from 4.67 to 2.57 MB and every test error
 * moves by under 0.4 % (sample-models/README.md). Tensors under SMALL_TENSOR values (biases, middle
 * layers, the conv and wine models) keep their stored format: they cost little, and quantizing them
 * too tripled the error change (mnist-dense +0.97 % with every kernel and bias of 1,024 values or more).
 * Deterministic, and a rerun changes nothing. Run it after `npm run train-samples`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { REPO_ROOT } from './train/data';

interface ModelJson {
  weightsManifest: tf.io.WeightsManifestConfig;
}

const SMALL_TENSOR = 32768;
const LEVELS = 255;

function modelFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return modelFiles(path);
    return name === 'model.json' ? [path] : [];
  });
}

function storedBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((product, dim) => product * dim, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  return count * (dtype === 'uint8' ? 1 : dtype === 'float16' || dtype === 'uint16' ? 2 : 4);
}

/** `values` as uint8 levels between their min and max, with the manifest entry that expands them. */
function quantize(spec: tf.io.WeightsManifestEntry, values: Float32Array): { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const scale = max > min ? (max - min) / LEVELS : 1;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.round((values[i] - min) / scale);
  return { spec: { name: spec.name, shape: spec.shape, dtype: 'float32', quantization: { dtype: 'uint8', scale, min } }, bytes };
}

function convert(modelPath: string): string {
  const model = JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson;
  const groups = model.weightsManifest;
  if (groups.length !== 1 || groups[0].paths.length !== 1) throw new Error(`${modelPath}: expected one weights file, as train-samples writes`);
  const [group] = groups;
  const weightsPath = join(modelPath, '..', group.paths[0]);
  const before = new Uint8Array(readFileSync(weightsPath));
  const decoded = tf.io.decodeWeights(before.slice().buffer, group.weights);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of group.weights) {
    const stored = before.subarray(offset, offset + storedBytes(spec));
    offset += stored.length;
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    if (spec.dtype !== 'float32' || spec.quantization?.dtype === 'uint8' || count < SMALL_TENSOR) {
      specs.push(spec);
      parts.push(stored);
      continue;
    }
    const quantized = quantize(spec, decoded[spec.name].dataSync() as Float32Array);
    specs.push(quantized.spec);
    parts.push(quantized.bytes);
  }
  tf.dispose(Object.values(decoded));
  if (offset !== before.length) throw new Error(`${weightsPath} holds ${before.length} bytes, the manifest names ${offset}`);
  const after = Buffer.concat(parts);
  if (after.equals(before)) return 'unchanged';
  writeFileSync(weightsPath, after);
  writeFileSync(modelPath, `${JSON.stringify({ ...model, weightsManifest: [{ ...group, weights: specs }] })}\n`);
  return `${before.length} → ${after.length} bytes`;
}

const root = resolve(process.argv[2] ?? join(REPO_ROOT, 'sample-models'));
for (const modelPath of modelFiles(root)) console.log(`${modelPath}: ${convert(modelPath)}`);

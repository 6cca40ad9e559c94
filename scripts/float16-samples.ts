/**
 * `npm run float16-samples [-- folder]`: rewrites every TF.js model under sample-models/ (or the
 * given folder) with float16 weights (see scripts/train/float16.ts), in place. Models already
 * stored as float16 are left as they are, so a rerun changes nothing. `npm run train-samples`
 * writes this format itself.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './train/data';
import { toFloat16Weights } from './train/float16';
import type * as tf from '@tensorflow/tfjs';

interface ModelJson {
  weightsManifest: tf.io.WeightsManifestConfig;
}

function modelFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return modelFiles(path);
    return name === 'model.json' ? [path] : [];
  });
}

function convert(modelPath: string): string {
  const model = JSON.parse(readFileSync(modelPath, 'utf8')) as ModelJson;
  const groups = model.weightsManifest;
  if (groups.length !== 1 || groups[0].paths.length !== 1) throw new Error(`${modelPath}: expected one weights file, as train-samples writes`);
  const [group] = groups;
  if (group.weights.every((spec) => spec.dtype !== 'float32' || spec.quantization)) return 'already float16';
  const weightsPath = join(modelPath, '..', group.paths[0]);
  const before = readFileSync(weightsPath);
  const { specs, data } = toFloat16Weights(group.weights, before);
  writeFileSync(weightsPath, data);
  writeFileSync(modelPath, `${JSON.stringify({ ...model, weightsManifest: [{ ...group, weights: specs }] })}\n`);
  return `${before.length} → ${data.length} bytes`;
}

const root = resolve(process.argv[2] ?? join(REPO_ROOT, 'sample-models'));
for (const modelPath of modelFiles(root)) console.log(`${modelPath}: ${convert(modelPath)}`);

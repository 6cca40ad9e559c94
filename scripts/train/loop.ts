/**
 * The seeded mini-batch loop every sample model trains with, batched inference, and saving a
 * LayersModel as `model.json` + `weights.bin` in a folder.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, shuffledIndices } from './data';
import { toFloat16Weights } from './float16';

/** Rows of `featureSize` float32 values, row-major. */
export interface Rows {
  count: number;
  featureSize: number;
  values: Float32Array;
}

export interface LoopOptions {
  epochs: number;
  batchSize: number;
  /** Seeds the per-epoch shuffles (and whatever `makeInputs` draws). */
  seed: number;
  /** Shape of one example as the model takes it (e.g. [784] or [28, 28, 1]). */
  exampleShape: number[];
  /** Optional corruption of a batch of inputs, in place (denoising); targets stay clean. */
  corruptInputs?: (batch: Float32Array, uniform: () => number) => void;
  /** Called after every epoch with the mean training loss and the seconds it took. */
  onEpochEnd?: (epoch: number, meanLoss: number, seconds: number) => Promise<void> | void;
}

/**
 * Minimises `loss(inputs, targets, step)` over shuffled mini-batches of `data`; the targets are
 * the clean rows themselves (an autoencoder). Returns the mean loss of each epoch.
 */
export async function trainLoop(
  data: Rows,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  loss: (inputs: tf.Tensor, targets: tf.Tensor, step: number) => tf.Scalar,
  options: LoopOptions,
): Promise<number[]> {
  const uniform = seededRandom(options.seed);
  const { featureSize } = data;
  const history: number[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    const order = shuffledIndices(data.count, uniform);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + options.batchSize <= data.count; start += options.batchSize) {
      const targets = new Float32Array(options.batchSize * featureSize);
      for (let i = 0; i < options.batchSize; i++) {
        const row = order[start + i];
        targets.set(data.values.subarray(row * featureSize, (row + 1) * featureSize), i * featureSize);
      }
      const inputs = options.corruptInputs ? targets.slice() : targets;
      options.corruptInputs?.(inputs, uniform);
      const shape = [options.batchSize, ...options.exampleShape];
      const stepLoss = tf.tidy(() => {
        const x = tf.tensor(inputs, shape);
        const y = inputs === targets ? x : tf.tensor(targets, shape);
        const currentStep = step;
        return optimizer.minimize(() => loss(x, y, currentStep), true, variables) as tf.Scalar;
      });
      lossSum += (await stepLoss.data())[0];
      stepLoss.dispose();
      batches++;
      step++;
    }
    const meanLoss = lossSum / batches;
    history.push(meanLoss);
    await options.onEpochEnd?.(epoch, meanLoss, (performance.now() - started) / 1000);
  }
  return history;
}

/** Runs `model` over `rows` in batches and returns its first output, flattened row-major. */
export function predictRows(model: tf.LayersModel, rows: Rows, exampleShape: number[], outputIndex = 0, batchSize = 250): Float32Array {
  const outputs: Float32Array[] = [];
  for (let start = 0; start < rows.count; start += batchSize) {
    const count = Math.min(batchSize, rows.count - start);
    const values = rows.values.subarray(start * rows.featureSize, (start + count) * rows.featureSize);
    const result = tf.tidy(() => {
      const prediction = model.predict(tf.tensor(values, [count, ...exampleShape]));
      const chosen = Array.isArray(prediction) ? prediction[outputIndex] : prediction;
      return chosen.dataSync() as Float32Array;
    });
    outputs.push(Float32Array.from(result));
  }
  const total = new Float32Array(outputs.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of outputs) {
    total.set(part, offset);
    offset += part.length;
  }
  return total;
}

/** Mean squared difference over the first `count` rows of two row-major arrays of `featureSize` columns. */
export function meanSquaredError(a: Float32Array, b: Float32Array, featureSize: number, count = a.length / featureSize): number {
  let sum = 0;
  const length = count * featureSize;
  for (let i = 0; i < length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / length;
}

/** Mean per-value binary cross-entropy of reconstructions `p` against targets `x` in [0, 1]. */
export function meanBinaryCrossEntropy(x: Float32Array, p: Float32Array): number {
  const epsilon = 1e-7;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const q = Math.min(Math.max(p[i], epsilon), 1 - epsilon);
    sum -= x[i] * Math.log(q) + (1 - x[i]) * Math.log(1 - q);
  }
  return sum / x.length;
}

/** Saves `model` as `folder/model.json` with one `weights.bin`, the layout tf.loadLayersModel reads. */
export async function saveModel(model: tf.LayersModel, folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightSpecs || artifacts.weightData === undefined) throw new Error(`model ${model.name} produced no weights to save`);
      // float16, as sample-models/ ships (scripts/train/float16.ts): metrics are measured on the float32 model.
      const { specs, data: weights } = toFloat16Weights(artifacts.weightSpecs, new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      };
      writeFileSync(join(folder, 'model.json'), `${JSON.stringify(modelJson)}\n`);
      writeFileSync(join(folder, 'weights.bin'), weights);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

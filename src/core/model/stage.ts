/**
 * A stage is one runnable piece of an autoencoder (encoder, decoder, whole model, activations):
 * a function from a batch tensor to output tensors. `runBatches` feeds it typed arrays in large
 * batches, tidies every intermediate, reads results outside `tf.tidy`, and disposes everything.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as tfconv from '@tensorflow/tfjs-converter';
import { product } from '../../shared/numeric';
import { ModelLoadError } from './errors';
import { countNonFinite } from './finite';

/** Re-exported for the model code that already imports its shapes' helpers from here; defined once in shared/. */
export { product };

/** Options every batched call accepts. */
export interface BatchOptions {
  /** Samples per forward pass; by default as many as fit the activation budget, at most 1000. */
  batchSize?: number;
  /** Stops between batches; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /** Called after every batch with samples done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * For a conditional model (`Autoencoder.condition`): each sample's condition, count ×
   * condition.size values (e.g. one-hot labels, see `oneHot`), or condition.size values shared by
   * every sample. Default: class 0 (the first one-hot). Ignored by models without a condition.
   */
  conditions?: Float32Array;
}

export interface Stage {
  /** Per-sample input shape the stage reshapes its flat input to. */
  inputShape: number[];
  /** Values per sample of each output. */
  outputSizes: number[];
  /** Largest activation per sample anywhere inside, to size batches. */
  peakValuesPerSample: number;
  /** Runs one batch; the caller disposes the input and the returned tensors. */
  run(batch: tf.Tensor): Promise<tf.Tensor[]>;
}

/** Upper bound on batch size: large batches amortise per-call overhead (tfjs' default is 32). */
export const MAX_BATCH = 1000;
/** Float32 values one layer may hold for a whole batch (~256 MiB). */
const ACTIVATION_BUDGET = 64 * 1024 * 1024;

/**
 * A stage over a layers model; `post` may reshape or slice its outputs inside the same tidy. A
 * model with several inputs (a conditional decoder's code and label) takes their values side by
 * side in input order.
 */
export function layersStage(
  model: tfl.LayersModel,
  peakValuesPerSample: number,
  post: (outputs: tf.Tensor[]) => tf.Tensor[] = (outputs) => outputs,
  outputSizes?: number[],
): Stage {
  const shapes = model.inputs.map((input) => input.shape.slice(1).map((dim) => dim ?? 1));
  return {
    inputShape: shapes.length === 1 ? shapes[0]! : [shapes.reduce((sum, shape) => sum + product(shape), 0)],
    outputSizes: outputSizes ?? model.outputs.map((output) => product(output.shape.slice(1).map((dim) => dim ?? 1))),
    peakValuesPerSample,
    run: async (batch) =>
      tf.tidy(() => {
        // apply() runs the same graph as predictOnBatch() without its whole-batch Slice and
        // Identity copies (15 % of a 784-256-32 encoder's time on wasm).
        const inputs = shapes.length === 1 ? batch : splitColumns(batch, shapes);
        const result = model.apply(inputs, { training: false }) as tf.Tensor | tf.Tensor[];
        return post(Array.isArray(result) ? result : [result]);
      }),
  };
}

/** Each sample's values cut into consecutive parts of the given per-sample shapes. */
function splitColumns(batch: tf.Tensor, shapes: number[][]): tf.Tensor[] {
  const n = batch.shape[0]!;
  const flat = tf.reshape(batch, [n, -1]);
  let start = 0;
  const parts = shapes.map((shape) => {
    const size = product(shape);
    const part = tf.reshape(tf.slice(flat, [0, start], [n, size]), [n, ...shape]);
    start += size;
    return part;
  });
  flat.dispose();
  return parts;
}

/** How a graph stage is fed and what it fetches. */
export interface GraphStageOptions {
  /** Per-sample input shape of the stage (several inputs: their values side by side). */
  inputShape: number[];
  /** Values per sample of each output `post` returns. */
  outputSizes: number[];
  /** Nodes to fetch; default the model's outputs. */
  outputNodes?: string[];
  /** Intermediate nodes to feed instead of the model's inputs (a decoder re-rooted at the code). */
  inputNodes?: GraphInput[];
  post?: (outputs: tf.Tensor[]) => tf.Tensor[];
}

/** A node fed with part of each sample: its name and per-sample shape. */
export interface GraphInput {
  name: string;
  shape: number[];
}

/**
 * A stage over a graph model. Graphs without control flow run synchronously inside `tf.tidy`;
 * the first "dynamic op" error switches the stage to `executeAsync` for good.
 */
export function graphStage(model: tfconv.GraphModel, options: GraphStageOptions): Stage {
  const { inputShape, outputSizes, outputNodes } = options;
  const post = options.post ?? ((outputs: tf.Tensor[]) => outputs);
  const inputs = options.inputNodes ?? fedByName(model);
  let dynamic = false;
  return {
    inputShape,
    outputSizes,
    peakValuesPerSample: product(inputShape) * 64,
    run: async (batch) => {
      if (!dynamic) {
        try {
          return tf.tidy(() => post(asList(model.execute(graphFeed(inputs, batch), outputNodes))));
        } catch (error) {
          if (!/executeAsync|dynamic op/i.test(String((error as Error).message))) throw error;
          dynamic = true;
        }
      }
      const feed = graphFeed(inputs, batch);
      const raw = asList(await model.executeAsync(feed, outputNodes));
      const outputs = tf.tidy(() => post(raw));
      for (const tensor of raw) if (!outputs.includes(tensor)) tensor.dispose();
      if (!(feed instanceof tf.Tensor)) tf.dispose(Object.values(feed));
      return outputs;
    },
  };
}

/** Runs a graph model once outside tidy: synchronously when it can, else with executeAsync. */
export async function executeGraph(model: tfconv.GraphModel, batch: tf.Tensor, outputNodes?: string[]): Promise<tf.Tensor[]> {
  const feed = graphFeed(fedByName(model), batch);
  try {
    return asList(model.execute(feed, outputNodes));
  } catch (error) {
    if (!/executeAsync|dynamic op/i.test(String((error as Error).message))) throw error;
    return asList(await model.executeAsync(feed, outputNodes));
  } finally {
    if (!(feed instanceof tf.Tensor)) tf.dispose(Object.values(feed));
  }
}

/** A graph model's inputs by node name, with per-sample shapes (unknown dimensions read as 1). */
export function graphInputs(model: tfconv.GraphModel): GraphInput[] {
  return model.inputs.map((input) => ({ name: input.name, shape: (input.shape ?? []).slice(1).map((dim) => (dim > 0 ? dim : 1)) }));
}

/**
 * Per-sample input shape of a graph model as stages take it: its input's shape, or for several
 * inputs (a multimodal autoencoder) the values of every input side by side, in input order.
 */
export function graphInputShape(model: tfconv.GraphModel): number[] {
  const inputs = graphInputs(model);
  return inputs.length === 1 ? inputs[0]!.shape : [inputs.reduce((sum, input) => sum + product(input.shape), 0)];
}

/** The inputs to feed by name: a model's several inputs; null when the batch is its one input. */
function fedByName(model: tfconv.GraphModel): GraphInput[] | null {
  return model.inputs.length > 1 ? graphInputs(model) : null;
}

/** The batch itself, or a slice of each sample per named input (in order), reshaped to its shape. */
function graphFeed(inputs: GraphInput[] | null, batch: tf.Tensor): tf.Tensor | tf.NamedTensorMap {
  if (!inputs) return batch;
  const parts = tf.tidy(() => splitColumns(batch, inputs.map((input) => input.shape)));
  return Object.fromEntries(inputs.map((input, i) => [input.name, parts[i]!]));
}

function asList(result: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor[] {
  if (result instanceof tf.Tensor) return [result];
  return Array.isArray(result) ? result : Object.values(result);
}

/** Batch size for a stage: the caller's choice, else what fits the activation budget. */
export function batchSizeFor(stage: Stage, requested?: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`batchSize must be a positive integer, got ${requested}`);
    return requested;
  }
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(ACTIVATION_BUDGET / Math.max(1, stage.peakValuesPerSample))));
}

/**
 * Runs `stage` over `count` samples stored back to back in `inputs`; returns one flat array per
 * output (count × that output's size).
 */
export async function runBatches(stage: Stage, inputs: Float32Array, count: number, options: BatchOptions = {}): Promise<Float32Array[]> {
  checkInputLength(stage, inputs, count);
  assertFinite(inputs, 'input', 'the dataset has NaN or infinite cells: clean or drop those samples');
  const sampleSize = product(stage.inputShape);
  const results = stage.outputSizes.map((size) => new Float32Array(count * size));
  const batchSize = batchSizeFor(stage, options.batchSize);
  for (let start = 0; start < count; start += batchSize) {
    throwIfAborted(options.signal);
    const n = Math.min(batchSize, count - start);
    const batch = tf.tensor(inputs.subarray(start * sampleSize, (start + n) * sampleSize), [n, ...stage.inputShape], 'float32');
    let outputs: tf.Tensor[] = [];
    try {
      outputs = await stage.run(batch);
      for (let i = 0; i < outputs.length; i++) {
        // Read outside tf.tidy: data() may wait for the backend, which tidy cannot span.
        const values = (await outputs[i]!.data()) as Float32Array;
        results[i]!.set(values, start * stage.outputSizes[i]!);
      }
    } finally {
      batch.dispose();
      for (const output of outputs) output.dispose();
    }
    options.onProgress?.(start + n, count);
  }
  for (const result of results) assertFinite(result, 'output', "the model's weights or inputs hold NaN or infinite values");
  return results;
}

/** Non-finite inputs or outputs make every code, error and projection meaningless: refuse them, counted. */
function assertFinite(values: Float32Array, what: string, cause: string): void {
  const count = countNonFinite(values);
  if (count > 0) throw new ModelLoadError('', 'model-input', `${count} of ${values.length} ${what} values are NaN or infinite; ${cause}`);
}

/** Throws unless `inputs` holds exactly `count` samples of the stage's input shape. */
export function checkInputLength(stage: Stage, inputs: Float32Array, count: number): void {
  checkSamplesLength('', stage.inputShape, inputs, count);
}

/** Refuses `values` unless they are `count` samples of `shape` (`file`: the model they were given to, if known). */
export function checkSamplesLength(file: string, shape: readonly number[], values: Float32Array, count: number): void {
  const sampleSize = product(shape);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (values.length !== count * sampleSize) {
    throw new ModelLoadError(
      file,
      'model-input',
      `expected ${count} samples × ${sampleSize} values (shape [${shape.join(', ')}]) = ${count * sampleSize} values, got ${values.length}`,
    );
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const error = new Error('cancelled');
    error.name = 'AbortError';
    throw error;
  }
}

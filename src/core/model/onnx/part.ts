/**
 * One runnable ONNX session (a whole model, an encoder, a decoder, or a model with extra
 * outputs) fed flat Float32Arrays in batches: dynamic-batch models in large batches, fixed-batch
 * models exactly their batch at a time (a fixed batch of 1 is fed one sample after another).
 */
import { onnx } from 'onnx-proto';
import { type BatchOptions, MAX_BATCH, product, throwIfAborted } from '../stage';
import { conditionRows } from '../condition';
import { type ModelProto, dataInputs, declaredShape, elementType, encodeModel } from './graph';
import { type OnnxRuntime, type OrtSession, type OrtTensor, createSession, runSession } from './runtime';

const DataType = onnx.TensorProto.DataType;

export interface Part {
  readonly file: string;
  readonly session: OrtSession;
  readonly inputName: string;
  /** Per-sample input shape in the model's own layout. */
  readonly inputShape: number[];
  readonly inputType: number;
  /** The batch the graph insists on, or null when the batch axis is free. */
  readonly fixedBatch: number | null;
  /** A second input taking a condition (a one-hot label) beside the sample or code; null when none. */
  readonly condition: { name: string; size: number } | null;
}

/** Float32 values one batch may hold across every output (~256 MiB). */
const BATCH_BUDGET = 64 * 1024 * 1024;

/** Creates the session for `model`, whose data input is `inputName` (any other data input takes the condition). */
export async function makePart(runtime: OnnxRuntime, file: string, model: ModelProto, inputName: string, inputShape: number[]): Promise<Part> {
  const input = (model.graph!.input ?? []).find((value) => value.name === inputName)!;
  const batch = declaredShape(input)[0];
  const other = dataInputs(model).find((value) => value.name !== inputName);
  const condition = other ? { name: other.name!, size: product(declaredShape(other).slice(1) as number[]) } : null;
  const session = await createSession(runtime, file, encodeModel(model));
  return { file, session, inputName, inputShape, inputType: elementType(input) || DataType.FLOAT, fixedBatch: typeof batch === 'number' ? batch : null, condition };
}

/**
 * The feeds of one batch: the samples, and the condition rows of the same samples (each
 * sample's own, one shared row, or class 0 by default, as `BatchOptions.conditions` says).
 */
export function batchFeeds(runtime: OnnxRuntime, part: Part, values: Float32Array, batch: number, conditions: Float32Array | null): Record<string, OrtTensor> {
  const feeds = { [part.inputName]: inputTensor(runtime, part, values, batch) };
  if (part.condition) {
    const rows = new Float32Array(batch * part.condition.size);
    rows.set(conditions ?? conditionRows({ size: part.condition.size, classNames: null, encoderTakesIt: false }, undefined, batch));
    feeds[part.condition.name] = new runtime.ort.Tensor('float32', rows, [batch, part.condition.size]);
  }
  return feeds;
}

/** The batch tensor in the input's element type: float32 as is, integers rounded and clamped. */
function inputTensor(runtime: OnnxRuntime, part: Part, values: Float32Array, batch: number): OrtTensor {
  const dims = [batch, ...part.inputShape];
  const { Tensor } = runtime.ort;
  switch (part.inputType) {
    case DataType.FLOAT:
      return new Tensor('float32', values, dims);
    case DataType.DOUBLE:
      return new Tensor('float64', Float64Array.from(values), dims);
    case DataType.UINT8:
      return new Tensor('uint8', Uint8Array.from(values, (value) => Math.min(255, Math.max(0, Math.round(value)))), dims);
    case DataType.INT8:
      return new Tensor('int8', Int8Array.from(values, (value) => Math.min(127, Math.max(-128, Math.round(value)))), dims);
    default:
      return new Tensor('float32', values, dims);
  }
}

/** Any numeric output as float32 (uint8 images, float64, int outputs). */
export function toFloat32(tensor: OrtTensor): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, Number);
  if (Array.isArray(data)) return Float32Array.from(data.map(Number));
  return Float32Array.from(data as ArrayLike<number>);
}

/**
 * Runs `part` over `count` samples and returns, for each of `outputs`, `count × size` values
 * (sizes learnt from the first batch). Input length is checked by the caller.
 */
export async function runPart(
  runtime: OnnxRuntime,
  part: Part,
  inputs: Float32Array,
  count: number,
  outputs: readonly string[],
  peakValuesPerSample: number,
  options: BatchOptions = {},
): Promise<Float32Array[]> {
  const inputSize = product(part.inputShape);
  const batchSize = part.fixedBatch ?? Math.max(1, Math.min(options.batchSize ?? MAX_BATCH, Math.floor(BATCH_BUDGET / Math.max(1, peakValuesPerSample))));
  const rows = part.condition ? conditionRows({ size: part.condition.size, classNames: null, encoderTakesIt: false }, options.conditions, count) : null;
  let results: Float32Array[] | null = null;
  let sizes: number[] = [];
  for (let start = 0; start < count; start += batchSize) {
    throwIfAborted(options.signal);
    const n = Math.min(batchSize, count - start);
    let values = inputs.subarray(start * inputSize, (start + n) * inputSize);
    if (part.fixedBatch !== null && n < part.fixedBatch) {
      // A fixed batch larger than what is left: pad with zeros and keep the first n results.
      const padded = new Float32Array(part.fixedBatch * inputSize);
      padded.set(values);
      values = padded;
    }
    const batchConditions = rows && rows.subarray(start * part.condition!.size, (start + n) * part.condition!.size);
    const result = await runSession(runtime, part.file, part.session, batchFeeds(runtime, part, values, part.fixedBatch ?? n, batchConditions), outputs);
    const batchValues = outputs.map((name) => toFloat32(result[name]!));
    if (!results) {
      sizes = outputs.map((name) => product(result[name]!.dims.slice(1)));
      results = sizes.map((size) => new Float32Array(count * size));
    }
    batchValues.forEach((values, i) => results![i]!.set(values.subarray(0, n * sizes[i]!), start * sizes[i]!));
    for (const name of outputs) result[name]!.dispose();
    options.onProgress?.(start + n, count);
  }
  return results ?? outputs.map(() => new Float32Array(0));
}

/**
 * Fitting dataset items to a model's input: reshape (all layouts are channels-last, so 28x28,
 * 784 and 28x28x1 hold the same values in the same order), convert grey ↔ RGB only when the
 * model's channel count asks for it, and scale.
 */
import type { InputScaling } from '../manifest';
import { formatShape, shapeSize, type Dataset } from './dataset';
import { DataFitError } from './errors';

/** How channels change between the dataset and the model. */
export type ChannelConversion = 'none' | 'grey-to-rgb' | 'rgb-to-grey';

/** How one dataset's items become one model's inputs. */
export interface FitPlan {
  itemShape: number[];
  /** The model's per-sample input shape, with any free (null) dimensions taken from the data. */
  modelShape: number[];
  scaling: InputScaling;
  channels: ChannelConversion;
  /** One line for people, e.g. `28x28 → 784 (reshape), uint8 ÷ 255`. */
  description: string;
}

/** ITU-R BT.601 luma weights, what most image libraries use for RGB → grey. */
const LUMA = [0.299, 0.587, 0.114];

const describeShape = (shape: readonly number[]): string => `${formatShape(shape)} (${shapeSize(shape)} values)`;

/** Channels of a channels-last item: the last axis of a rank-3 shape, else 1. */
const channelsOf = (shape: readonly number[]): number => (shape.length === 3 ? shape[2] : 1);

/**
 * Plans how items of `dataset` become inputs of shape `modelInputShape` (per sample, no batch
 * axis; null marks a dimension the model leaves free). `scaling` is the manifest's; when absent,
 * uint8 sources are divided by 255 and others are used as they are.
 */
export function planFit(
  dataset: Pick<Dataset, 'path' | 'itemShape' | 'sourceDtype'>,
  modelInputShape: readonly (number | null)[],
  scaling?: InputScaling,
): FitPlan {
  if (modelInputShape.length === 0 || modelInputShape.some((dim) => dim !== null && !(Number.isInteger(dim) && dim > 0))) {
    throw new DataFitError(
      dataset.path,
      `the model's input shape [${modelInputShape.join(', ')}] is not a list of positive sizes, so no data can be fitted to it; the model file is damaged`,
    );
  }
  const itemShape = [...dataset.itemShape];
  const modelShape = resolveFreeDims(dataset.path, itemShape, modelInputShape);
  const itemSize = shapeSize(itemShape);
  const modelSize = shapeSize(modelShape);
  const dataChannels = channelsOf(itemShape);
  const modelChannels = channelsOf(modelShape);
  let channels: ChannelConversion = 'none';
  if (itemSize !== modelSize) {
    const samePixels = itemSize / dataChannels === modelSize / modelChannels;
    if (samePixels && dataChannels === 1 && modelChannels === 3) channels = 'grey-to-rgb';
    else if (samePixels && dataChannels === 3 && modelChannels === 1) channels = 'rgb-to-grey';
    else {
      throw new DataFitError(
        dataset.path,
        `dataset items are ${describeShape(itemShape)} but the model expects ${describeShape(modelShape)}: ${fitHint(itemShape, modelShape)}`,
      );
    }
  }
  const chosenScaling = scaling ?? (dataset.sourceDtype === 'uint8' ? { kind: 'divide255' as const } : { kind: 'none' as const });
  checkScaling(dataset.path, chosenScaling, modelShape);
  return {
    itemShape,
    modelShape,
    scaling: chosenScaling,
    channels,
    description: `${describeLayout(itemShape, modelShape, channels)}, ${describeScaling(chosenScaling, dataset.sourceDtype)}`,
  };
}

/** Fills the model's free dimensions from the item shape (same rank, or the item lacking only the channel axis). */
function resolveFreeDims(path: string, itemShape: number[], modelShape: readonly (number | null)[]): number[] {
  if (modelShape.every((dim) => dim !== null)) return modelShape as number[];
  const source = itemShape.length === modelShape.length ? itemShape : itemShape.length === modelShape.length - 1 ? [...itemShape, 1] : null;
  const resolved = modelShape.map((dim, axis) => dim ?? source?.[axis] ?? null);
  if (resolved.some((dim) => dim === null)) {
    throw new DataFitError(
      path,
      `dataset items are ${describeShape(itemShape)} but the model expects ${formatShape(modelShape)} with free dimensions, ` +
        'which items of a different rank cannot fill: use image data (HxW or HxWxC) for this model',
    );
  }
  return resolved as number[];
}

function fitHint(itemShape: number[], modelShape: number[]): string {
  if (itemShape.length >= 2 && modelShape.length >= 2) {
    const [h, w] = modelShape;
    return `resize the images to ${h}x${w} (this tool does not resize), or use a model made for ${itemShape[0]}x${itemShape[1]} inputs`;
  }
  return `use a dataset with ${shapeSize(modelShape)} values per sample, or a model whose input has ${shapeSize(itemShape)} values`;
}

function checkScaling(path: string, scaling: InputScaling, modelShape: number[]): void {
  if (scaling.kind !== 'standardize' && scaling.kind !== 'minmax') return;
  const [name, entries] = scaling.kind === 'standardize' ? ['mean', scaling.mean.length] : ['min', scaling.min.length];
  const size = shapeSize(modelShape);
  const channels = channelsOf(modelShape);
  if (entries !== 1 && entries !== channels && entries !== size) {
    const allowed = channels > 1 ? `1, ${channels} (one per channel) or ${size}` : `1 or ${size}`;
    throw new DataFitError(
      path,
      `inputScaling.${name} has ${entries} entries but the model input is ${describeShape(modelShape)}: give ${allowed} entries`,
    );
  }
}

function describeLayout(itemShape: number[], modelShape: number[], channels: ChannelConversion): string {
  if (channels === 'grey-to-rgb') return `${formatShape(itemShape)} grey → ${formatShape(modelShape)} RGB (grey copied to 3 channels, as the model wants colour)`;
  if (channels === 'rgb-to-grey') return `${formatShape(itemShape)} RGB → ${formatShape(modelShape)} grey (luma 0.299 R + 0.587 G + 0.114 B, as the model wants grey)`;
  const same = itemShape.length === modelShape.length && itemShape.every((dim, axis) => dim === modelShape[axis]);
  return same ? `${formatShape(itemShape)} as is` : `${formatShape(itemShape)} → ${formatShape(modelShape)} (reshape)`;
}

function describeScaling(scaling: InputScaling, sourceDtype: string): string {
  switch (scaling.kind) {
    case 'none':
      return 'values unscaled';
    case 'divide255':
      return `${sourceDtype} ÷ 255`;
    case 'standardize':
      return '(x − mean) / std';
    case 'minmax':
      return '(x − min) / (max − min)';
  }
}

/** Applies `plan` to `count` raw items (as Dataset.read returns them); returns new model inputs. */
export function applyFit(plan: FitPlan, raw: Float32Array, count: number): Float32Array {
  const itemSize = shapeSize(plan.itemShape);
  if (!Number.isInteger(count) || count < 0 || raw.length !== count * itemSize) {
    throw new RangeError(`applyFit: ${raw.length} values are not ${count} items of ${formatShape(plan.itemShape)} (${itemSize} values each)`);
  }
  const out = convertChannels(plan.channels, raw);
  scaleInPlace(out, plan.scaling, shapeSize(plan.modelShape), channelsOf(plan.modelShape));
  return out;
}

function convertChannels(channels: ChannelConversion, raw: Float32Array): Float32Array {
  if (channels === 'none') return Float32Array.from(raw);
  if (channels === 'grey-to-rgb') {
    const out = new Float32Array(raw.length * 3);
    for (let p = 0; p < raw.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = raw[p];
    return out;
  }
  const out = new Float32Array(raw.length / 3);
  for (let p = 0; p < out.length; p++) out[p] = LUMA[0] * raw[3 * p] + LUMA[1] * raw[3 * p + 1] + LUMA[2] * raw[3 * p + 2];
  return out;
}

/** Scales model-layout values; per-feature parameters have 1, one-per-channel, or one-per-value entries. */
function scaleInPlace(values: Float32Array, scaling: InputScaling, sampleSize: number, channels: number): void {
  if (scaling.kind === 'none') return;
  if (scaling.kind === 'divide255') {
    for (let i = 0; i < values.length; i++) values[i] /= 255;
    return;
  }
  const [offsets, spans] =
    scaling.kind === 'standardize' ? [scaling.mean, scaling.std] : [scaling.min, scaling.max.map((max, k) => max - scaling.min[k])];
  const entryOf = (i: number): number => (offsets.length === 1 ? 0 : offsets.length === sampleSize ? i % sampleSize : i % channels);
  for (let i = 0; i < values.length; i++) {
    const k = entryOf(i);
    // A constant feature (span 0) maps to 0 instead of dividing by zero.
    values[i] = spans[k] === 0 ? 0 : (values[i] - offsets[k]) / spans[k];
  }
}

/**
 * ONNX image models are mostly channels-first (PyTorch's NCHW); the rest of the explorer (data
 * fitting, image grids) is channels-last. An NCHW tensor is shown as H×W×C and transposed at the
 * boundary; with one channel both orders hold the same values, so nothing is copied.
 */

export interface Layout {
  /** Per-sample shape as the explorer sees it (channels-last for images). */
  shape: number[];
  /** Per-sample shape as the model takes or gives it. */
  modelShape: number[];
  toModel(values: Float32Array, count: number): Float32Array;
  fromModel(values: Float32Array, count: number): Float32Array;
}

const CHANNELS = new Set([1, 3, 4]);
/** Smallest side of an image: below it a [C, H, W] tensor is more likely a sequence or a table. */
const MIN_SIDE = 4;

/** The layout of a per-sample shape: channels-first images ([C, H, W], C ∈ {1, 3, 4}) are flipped. */
export function layoutOf(modelShape: number[]): Layout {
  const [channels, height, width] = modelShape;
  const isChannelsFirst =
    modelShape.length === 3 && CHANNELS.has(channels!) && height! >= MIN_SIDE && width! >= MIN_SIDE && !CHANNELS.has(width!);
  return isChannelsFirst ? channelsLast(modelShape) : same(modelShape);
}

/** A feature map inside a channels-first network ([C, H, W], any C) seen channels-last, as the activation view draws it. */
export function featureMapLayout(modelShape: number[], channelsFirst: boolean): Layout {
  return channelsFirst && modelShape.length === 3 ? channelsLast(modelShape) : same(modelShape);
}

function same(modelShape: number[]): Layout {
  return { shape: modelShape, modelShape, toModel: (values) => values, fromModel: (values) => values };
}

function channelsLast(modelShape: number[]): Layout {
  const [channels, height, width] = modelShape;
  const shape = [height!, width!, channels!];
  if (channels === 1) return { shape, modelShape, toModel: (values) => values, fromModel: (values) => values };
  const plane = height! * width!;
  const transpose = (values: Float32Array, count: number, toFirst: boolean): Float32Array => {
    const out = new Float32Array(values.length);
    for (let sample = 0; sample < count; sample++) {
      const base = sample * plane * channels!;
      for (let pixel = 0; pixel < plane; pixel++) {
        for (let channel = 0; channel < channels!; channel++) {
          const last = base + pixel * channels! + channel;
          const first = base + channel * plane + pixel;
          if (toFirst) out[first] = values[last]!;
          else out[last] = values[first]!;
        }
      }
    }
    return out;
  };
  return { shape, modelShape, toModel: (values, count) => transpose(values, count, true), fromModel: (values, count) => transpose(values, count, false) };
}

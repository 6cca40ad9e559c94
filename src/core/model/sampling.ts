/**
 * A stand-in for the VAE reparameterisation layer (`Sampling`, `ZLayer`, …) that authors write in
 * Python or JS and tfjs cannot rebuild from model.json. It returns its first input, the mean, so
 * the encoder gives a deterministic code: exactly what an explorer wants to project.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Class name the normaliser writes in place of the author's sampling class. */
export const SAMPLING_STAND_IN_CLASS = 'LatentExplorerSamplingMean';

/** Identity on the first (mean) input; the log-variance input is ignored. */
export class SamplingMeanStandIn extends tfl.layers.Layer {
  static className = SAMPLING_STAND_IN_CLASS;

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return isShapeList(inputShape) ? inputShape[0]! : inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    // A clone, not the input itself: the container disposes intermediates by identity.
    return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
  }
}
tf.serialization.registerClass(SamplingMeanStandIn);

function isShapeList(shape: tfl.Shape | tfl.Shape[]): shape is tfl.Shape[] {
  return Array.isArray(shape[0]);
}

const SAMPLING_CLASS_HINT = /sampl|zlayer|reparam/i;
const SAMPLING_NAME_HINT = /^z$|sampl|reparam/i;

/**
 * Whether an unknown layer looks like VAE sampling: a class (or, for Keras `Lambda`, a layer
 * name) that says so, called on exactly two tensors (mean and log-variance).
 */
export function looksLikeSamplingLayer(className: string, layerName: string, inputCount: number): boolean {
  if (inputCount !== 2) return false;
  if (className === 'Lambda') return SAMPLING_NAME_HINT.test(layerName);
  return SAMPLING_CLASS_HINT.test(className) || SAMPLING_NAME_HINT.test(layerName);
}

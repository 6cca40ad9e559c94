/** The check a dataset path makes before fitting samples to a model's input. */
import type { Autoencoder } from './autoencoder';
import { ModelLoadError } from './errors';

/**
 * Throws unless `model` can encode samples. A decoder's input is a code, so fitting a dataset to
 * it would end in advice to resize the images to the code's shape: say what the model is instead.
 */
export function requireEncoder(model: Autoencoder): void {
  if (model.canEncode) return;
  const file = model.summary.files[0] ?? '';
  const shape = model.summary.input.shape.slice(1).join('×');
  throw new ModelLoadError(
    file,
    'model-unsupported',
    `${file}: this model is a decoder: its input is a code of ${model.latentSize} values (${shape}), not a dataset sample, so it cannot encode the dataset; ` +
      'open it together with its encoder (a folder holding encoder/ and decoder/) to explore data',
  );
}

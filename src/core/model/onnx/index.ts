/** ONNX autoencoders through onnxruntime. */
import type { Autoencoder, LoadAutoencoderOptions } from '../autoencoder';
import { ModelLoadError } from '../errors';
import type { ResolvedModel } from '../resolve';

export async function loadOnnxAutoencoder(files: ResolvedModel, _options: LoadAutoencoderOptions): Promise<Autoencoder> {
  throw new ModelLoadError(files.primary, 'model-unsupported', `${files.primary}: ONNX models cannot be opened yet`);
}

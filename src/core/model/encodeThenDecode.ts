import type { Autoencoder, BatchOptions } from './autoencoder';

/** A reconstruction through the code, for a model with no single reconstructing graph: each half reports half the progress. */
export async function encodeThenDecode(model: Autoencoder, inputs: Float32Array, count: number, options?: BatchOptions): Promise<Float32Array> {
  const report = options?.onProgress;
  const codes = await model.encode(inputs, count, { ...options, onProgress: report && ((done) => report(done / 2, count)) });
  return model.decode(codes, count, { ...options, onProgress: report && ((done) => report((count + done) / 2, count)) });
}

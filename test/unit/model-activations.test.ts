/**
 * VAE heads (two-head sampling encoder, packed graph encoder), per-layer activations in one pass
 * (nested layers and graph models included), and that repeated calls leak no tensors.
 */
import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { initBackend, loadAutoencoder, loadModelFile, tf } from '../../src/core/model';

const fixtures = resolve(__dirname, '../../../shared/fixtures/models');
const fixture = (path: string) => join(fixtures, path);
const ramp = (length: number) => Float32Array.from({ length }, (_, i) => (i % 97) / 97);

before(async () => console.log(`# backend: ${await initBackend()}`));

describe('VAE encoders', () => {
  test('brushstrokes ZLayer encoder: kind vae, encode() = the mean head, encodeDistribution() = both heads; the 22-input decoder is conditional (code + 2 values)', async () => {
    const ae = await loadAutoencoder(fixture('brushstrokes-pose-cvae/tfjs-zlayer-2019-07'));
    assert.equal(ae.summary.kind, 'vae');
    assert.deepEqual([ae.isVariational, ae.canDecode, ae.latentSize, ae.condition?.size], [true, true, 20, 2]);
    assert.match(ae.summary.warnings.join('\n'), /replaced by a stand-in that returns the mean/);
    assert.match(ae.summary.warnings.join('\n'), /the decoder takes 22 values and the code has 20: the last 2 are taken as a condition/);
    const inputs = ramp(2 * 128 * 256);
    const codes = await ae.encode(inputs, 2);
    const distribution = (await ae.encodeDistribution(inputs, 2))!;
    assert.deepEqual(codes, distribution.mean);
    assert.equal(distribution.logVar.length, 40);
    assert.notDeepEqual(distribution.logVar, distribution.mean);
    // The heads are the nested encoder's two outputs, in order (dense = mean, dense_1 = log-variance).
    const raw = await loadModelFile(join(fixture('brushstrokes-pose-cvae/tfjs-zlayer-2019-07/encoder'), 'model.json'));
    assert.equal(raw.format, 'layers-model');
    if (raw.format === 'layers-model') {
      const nested = raw.model.getLayer('encoder');
      const x = tf.tensor(inputs, [2, 128, 256, 1]);
      const [mean, logVar] = nested.apply(x) as tf.Tensor[];
      assert.deepEqual(mean!.dataSync(), distribution.mean);
      assert.deepEqual(logVar!.dataSync(), distribution.logVar);
      tf.dispose([x, mean!, logVar!]);
      raw.model.dispose();
    }
    assert.equal((await ae.decode(new Float32Array(20), 1)).length, 128 * 256);
    ae.dispose();
  });

  test('vae-explainer graph pair: the packed output [log-variance(2) | mean(2)] is detected, encode() is its second half', async () => {
    const ae = await loadAutoencoder(fixture('vae-explainer-mnist-cnn-vae-graph'));
    assert.equal(ae.summary.kind, 'vae');
    assert.equal(ae.summary.format, 'graph-model');
    assert.deepEqual([ae.latentSize, ae.outputShape], [2, [28, 28, 1]]);
    assert.match(ae.summary.warnings.join('\n'), /packs log-variance then mean in one output/);
    const inputs = ramp(3 * 784);
    const codes = await ae.encode(inputs, 3);
    const distribution = (await ae.encodeDistribution(inputs, 3))!;
    const encoder = await loadModelFile(join(fixture('vae-explainer-mnist-cnn-vae-graph/encoder'), 'model.json'));
    const x = tf.tensor(inputs, [3, 28, 28, 1]);
    const packed = encoder.model.predict(x) as tf.Tensor;
    const rows = packed.arraySync() as number[][];
    tf.dispose([x, packed]);
    encoder.model.dispose();
    assert.deepEqual(Array.from(codes), rows.flatMap((row) => row.slice(2)).map(Math.fround));
    assert.deepEqual(Array.from(distribution.logVar), rows.flatMap((row) => row.slice(0, 2)).map(Math.fround));
    assert.equal((await ae.reconstruct(inputs, 3)).length, 3 * 784);
    ae.dispose();
  });
});

describe('Autoencoder.activations()', () => {
  test('reports every layer of nested sub-models in one pass; the code layer equals encode()', async () => {
    const ae = await loadAutoencoder(fixture('reiinakano-denoising-conv-ae'));
    const inputs = ramp(4 * 784);
    const activations = await ae.activations(inputs, 4);
    assert.deepEqual(
      activations.map((activation) => `${activation.path} ${activation.shape.join('x')}`),
      [
        'encoder/conv2d_1 14x14x32',
        'encoder/conv2d_2 7x7x64',
        'encoder/flatten_1 3136',
        'encoder/latent_vector 16',
        'decoder/dense_1 3136',
        'decoder/reshape_1 7x7x64',
        'decoder/conv2d_transpose_1 14x14x64',
        'decoder/conv2d_transpose_2 28x28x32',
        'decoder/conv2d_transpose_3 28x28x1',
        'decoder/decoder_output 28x28x1',
      ],
    );
    const code = activations.find((activation) => activation.path === 'encoder/latent_vector')!;
    assert.deepEqual(code.values, await ae.encode(inputs, 4));
    assert.deepEqual(activations.at(-1)!.values, await ae.reconstruct(inputs, 4));
    ae.dispose();
  });

  test('activations(inputs, count, [paths]) returns just those layers; unknown paths are named', async () => {
    const ae = await loadAutoencoder(fixture('codingtrain-dense-ae/autoencoder'));
    const [only] = await ae.activations(ramp(784), 1, ['dense_Dense5']);
    assert.deepEqual([only!.path, only!.shape, only!.values.length], ['dense_Dense5', [4], 4]);
    await assert.rejects(ae.activations(ramp(784), 1, ['dense_Dense99']), /unknown layer path\(s\) "dense_Dense99"/);
    ae.dispose();
  });

  test('a graph-model pair reports per-layer activations of encoder and decoder (decoder fed the mean)', async () => {
    const ae = await loadAutoencoder(fixture('vae-explainer-mnist-cnn-vae-graph'));
    const activations = await ae.activations(ramp(2 * 784), 2);
    const paths = activations.map((activation) => activation.path);
    assert.deepEqual(paths.slice(0, 2), ['encoder/conv2d_53_1', 'encoder/conv2d_54_1']);
    assert.equal(paths.at(-1), 'decoder/conv2d_transpose_40_1');
    assert.deepEqual(activations.at(-1)!.values, await ae.reconstruct(ramp(2 * 784), 2));
    ae.dispose();
  });
});

describe('tensor memory', () => {
  test('tf.memory().numTensors does not grow across repeated encode/decode/reconstruct/activations, and dispose() frees the weights', async () => {
    const start = tf.memory().numTensors;
    for (const path of ['sandia-mnist-conv-ae/keras3-nested', 'vae-explainer-mnist-cnn-vae-graph']) {
      const ae = await loadAutoencoder(fixture(path));
      const inputs = ramp(5 * 784);
      const once = async () => {
        const codes = await ae.encode(inputs, 5, { batchSize: 2 });
        await ae.decode(codes, 5);
        await ae.reconstruct(inputs, 5);
        await ae.encodeDistribution(inputs, 5);
        await ae.activations(inputs, 5);
      };
      await once();
      const loaded = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await once();
      assert.equal(tf.memory().numTensors, loaded, `${path}: no tensors left behind`);
      ae.dispose();
    }
    assert.equal(tf.memory().numTensors, start, 'dispose() frees every weight');
  });
});

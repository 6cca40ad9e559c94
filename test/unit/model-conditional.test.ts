/**
 * Conditional models open instead of being refused: a CVAE pair built here (an encoder taking
 * image and label, a decoder taking code and label, in `cvae_encoder/` + `cvae_decoder/`), and
 * the real brush-strokes pair whose decoder takes the 20-value code and a 2-value condition in
 * one 22-value input; a conditional decoder alone and whole CVAEs in one file. Reconstructions
 * use each sample's own label; decoding defaults to class 0.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Autoencoder, fileIOHandler, initBackend, labelConditions, loadAutoencoder, oneHot, tf } from '../../src/core/model';
import { ENCODE_CHUNK, provideEncodeThreads } from '../../src/core/model/encodePool';
import { InProcessProjectionRunner } from '../../src/core/projection';
import { ExplorerSession } from '../../src/core/session';
import { startEncodeThread } from '../../src/worker/encodeThreads';
import { fixture, mnistImages, mnistLabels, repoRoot, saveCvaePair, saveToScratch } from './model-helpers';

const scratch: string[] = [];
before(async () => console.log(`# backend: ${await initBackend()}`));
after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** Plain tfjs predict of a saved model on the given input tensors. */
async function plainPredict(modelJson: string, inputs: tf.Tensor[]): Promise<Float32Array> {
  const model = await tfl.loadLayersModel(fileIOHandler(modelJson));
  const output = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  tf.dispose([output, ...inputs]);
  model.dispose();
  return values;
}

describe('CVAE pair: encoder (image, label) and decoder (code, label)', () => {
  let folder: string;
  let ae: Autoencoder;
  const count = 64;
  const images = mnistImages(count);
  const labels = oneHot(mnistLabels(count), 10);

  before(async () => {
    folder = await saveCvaePair();
    scratch.push(folder);
    ae = await loadAutoencoder(folder);
  });
  after(() => ae.dispose());

  test('opens as encoder-decoder with a 10-value condition that the encoder takes too; input is the image alone', () => {
    assert.equal(ae.summary.kind, 'encoder-decoder');
    assert.deepEqual(ae.condition, { size: 10, classNames: null, encoderTakesIt: true });
    assert.deepEqual(ae.summary.condition, ae.condition);
    assert.deepEqual([ae.inputShape, ae.latentShape, ae.outputShape], [[784], [2], [784]]);
    assert.equal(ae.summary.layers.find((layer) => layer.path === 'decoder/class_onehot')?.role, 'input');
  });

  test("encode()/reconstruct() with each sample's own label equal plain tfjs predict of both files", async () => {
    const codes = await ae.encode(images, count, { conditions: labels });
    const expectedCodes = await plainPredict(join(folder, 'cvae_encoder/model.json'), [tf.tensor(images, [count, 784]), tf.tensor(labels, [count, 10])]);
    assert.deepEqual(codes, expectedCodes);
    const expected = await plainPredict(join(folder, 'cvae_decoder/model.json'), [tf.tensor(labels, [count, 10]), tf.tensor(codes, [count, 2])]);
    assert.deepEqual(await ae.reconstruct(images, count, { conditions: labels, batchSize: 10 }), expected);
  });

  test('decode() defaults to class 0, takes one condition for all or one per sample, and refuses other lengths', async () => {
    const codes = Float32Array.from({ length: 3 * 2 }, (_, i) => i / 3 - 1);
    const classZero = await ae.decode(codes, 3);
    assert.deepEqual(classZero, await ae.decode(codes, 3, { conditions: oneHot([0, 0, 0], 10) }));
    const sevens = await ae.decode(codes, 3, { conditions: oneHot([7], 10) });
    assert.deepEqual(sevens, await ae.decode(codes, 3, { conditions: oneHot([7, 7, 7], 10) }));
    assert.notDeepEqual(sevens, classZero);
    await assert.rejects(ae.decode(codes, 3, { conditions: new Float32Array(7) }), /conditions must hold 3 × 10 values \(one condition per sample\) or 10 \(one for all\), got 7/);
    assert.throws(() => oneHot([10], 10), /label 10 of sample 0 is not a class 0 … 9/);
    const before = tf.memory().numTensors;
    await ae.reconstruct(images, count, { conditions: labels, batchSize: 7 });
    assert.equal(tf.memory().numTensors, before, 'the split inputs are tidied');
  });

  test('encodeThreads: 2 keeps a CVAE encoder on this thread and gives the same codes for more samples than one chunk', async () => {
    provideEncodeThreads((data) => startEncodeThread(data, join(repoRoot, 'src/worker/encodeWorker.ts')));
    const parallel = await loadAutoencoder(folder, { encodeThreads: 2 });
    try {
      const many = ENCODE_CHUNK + 5;
      const manyImages = mnistImages(many);
      const manyLabels = oneHot(mnistLabels(many), 10);
      assert.deepEqual(await parallel.encode(manyImages, many, { conditions: manyLabels }), await ae.encode(manyImages, many, { conditions: manyLabels }));
    } finally {
      parallel.dispose();
      provideEncodeThreads(null);
    }
  });

  test("an explorer session on MNIST encodes and reconstructs each shown digit with its own label", async () => {
    const session = await ExplorerSession.open({
      view: 'explorer',
      modelPaths: [folder],
      dataPath: join(repoRoot, 'sample-models/data/mnist-test-2000'),
      settings: { sampleLimit: 300, seed: 3 },
      runner: new InProcessProjectionRunner(),
    });
    try {
      const shown = session.shown;
      const all = mnistImages(2000);
      const digits = new Float32Array(shown.length * 784);
      shown.forEach((index, i) => digits.set(all.subarray(index * 784, (index + 1) * 784), i * 784));
      const own = oneHot(Array.from(shown, (index) => mnistLabels(2000)[index]!), 10);
      assert.deepEqual(session.codes('a'), await ae.encode(digits, shown.length, { conditions: own }));
      assert.notDeepEqual(session.codes('a'), await ae.encode(digits, shown.length));
    } finally {
      session.dispose();
    }
  });

  test('activations() of the decoder are fed the codes joined to the labels', async () => {
    const decoderDense = ae.summary.layers.find((layer) => layer.path.startsWith('decoder/') && layer.className === 'Dense')!.path;
    const [hidden] = await ae.activations(images.subarray(0, 2 * 784), 2, [decoderDense], { conditions: labels.subarray(0, 20) });
    assert.deepEqual(hidden?.shape, [32]);
  });
});

describe('brush-strokes pose CVAE (real pair: ZLayer VAE encoder, decoder on 20 + 2 values)', () => {
  test('opens as a VAE with a 2-value condition after the code; decode() = plain predict on [code, 1, 0]', async () => {
    const pair = fixture('brushstrokes-pose-cvae/tfjs-zlayer-2019-07');
    const ae = await loadAutoencoder(pair);
    try {
      assert.equal(ae.summary.kind, 'vae');
      assert.deepEqual([ae.latentSize, ae.condition], [20, { size: 2, classNames: null, encoderTakesIt: false }]);
      assert.match(ae.summary.warnings.join('\n'), /the decoder takes 22 values and the code has 20: the last 2 are taken as a condition/);
      const codes = Float32Array.from({ length: 2 * 20 }, (_, i) => Math.sin(i));
      const joined = new Float32Array(2 * 22);
      for (let i = 0; i < 2; i++) {
        joined.set(codes.subarray(i * 20, (i + 1) * 20), i * 22);
        joined[i * 22 + 20] = 1;
      }
      const expected = await plainPredict(join(pair, 'decoder/model.json'), [tf.tensor(joined, [2, 22])]);
      assert.deepEqual(await ae.decode(codes, 2), expected);
      assert.deepEqual(ae.outputShape, [128, 256, 1]);
    } finally {
      ae.dispose();
    }
  });
});

describe('conditional models in one file', () => {
  test('a two-input decoder alone (code, label) opens as decoder-only with a condition; decode() = plain predict', async () => {
    const code = tfl.input({ shape: [4], name: 'latent' });
    const label = tfl.input({ shape: [3], name: 'label' });
    const hidden = tfl.layers.dense({ units: 16, activation: 'relu' }).apply(tfl.layers.concatenate().apply([code, label])) as tfl.SymbolicTensor;
    const decoder = tfl.model({ inputs: [code, label], outputs: tfl.layers.dense({ units: 20 }).apply(hidden) as tfl.SymbolicTensor });
    const folder = await saveToScratch(decoder, 'le-cdecoder-');
    scratch.push(folder);
    decoder.dispose();
    const ae = await loadAutoencoder(folder);
    try {
      assert.deepEqual([ae.summary.kind, ae.latentSize, ae.outputShape, ae.condition], ['decoder-only', 4, [20], { size: 3, classNames: null, encoderTakesIt: false }]);
      const codes = Float32Array.from({ length: 8 }, (_, i) => i - 4);
      const expected = await plainPredict(join(folder, 'model.json'), [tf.tensor(codes, [2, 4]), tf.tensor(oneHot([2, 2], 3), [2, 3])]);
      assert.deepEqual(await ae.decode(codes, 2, { conditions: oneHot([2], 3) }), expected);
    } finally {
      ae.dispose();
    }
  });

  test('a whole CVAE in one file (nested encoder([x, y]) and decoder([z, y]), as Keras builds it) is split at the code; reconstruct = plain predict', async () => {
    const x = tfl.input({ shape: [784], name: 'image' });
    const y = tfl.input({ shape: [10], name: 'label' });
    const h = tfl.layers.dense({ units: 32, activation: 'relu' }).apply(tfl.layers.concatenate().apply([x, y])) as tfl.SymbolicTensor;
    const encoder = tfl.model({ inputs: [x, y], outputs: tfl.layers.dense({ units: 3, name: 'z' }).apply(h) as tfl.SymbolicTensor, name: 'encoder' });
    const z = tfl.input({ shape: [3], name: 'z_in' });
    const yd = tfl.input({ shape: [10], name: 'label_in' });
    const g = tfl.layers.dense({ units: 32, activation: 'relu' }).apply(tfl.layers.concatenate().apply([z, yd])) as tfl.SymbolicTensor;
    const decoder = tfl.model({ inputs: [z, yd], outputs: tfl.layers.dense({ units: 784, activation: 'sigmoid' }).apply(g) as tfl.SymbolicTensor, name: 'decoder' });
    const image = tfl.input({ shape: [784], name: 'x' });
    const label = tfl.input({ shape: [10], name: 'y' });
    const code = encoder.apply([image, label]) as tfl.SymbolicTensor;
    const whole = tfl.model({ inputs: [image, label], outputs: decoder.apply([code, label]) as tfl.SymbolicTensor });
    const folder = await saveToScratch(whole, 'le-cvae-whole-');
    scratch.push(folder);
    whole.dispose();
    const ae = await loadAutoencoder(folder);
    try {
      assert.deepEqual([ae.summary.kind, ae.summary.latent.layer, ae.latentSize, ae.inputShape, ae.outputShape], ['autoencoder', 'encoder/z', 3, [784], [784]]);
      assert.deepEqual(ae.condition, { size: 10, classNames: null, encoderTakesIt: true });
      const count = 40;
      const images = mnistImages(count);
      const labels = oneHot(mnistLabels(count), 10);
      const expected = await plainPredict(join(folder, 'model.json'), [tf.tensor(images, [count, 784]), tf.tensor(labels, [count, 10])]);
      const reconstructed = await ae.reconstruct(images, count, { conditions: labels });
      assert.deepEqual(reconstructed, expected);
      const codes = await ae.encode(images, count, { conditions: labels });
      assert.deepEqual(await ae.decode(codes, count, { conditions: labels }), expected);
      assert.notDeepEqual(await ae.decode(codes, count), expected, 'class 0 for all differs from each sample\'s own label');
    } finally {
      ae.dispose();
    }
  });

  test('a flat CVAE whose label joins only the decoder: encoder ignores it, decoder takes code then label', async () => {
    const image = tfl.input({ shape: [12], name: 'image' });
    const label = tfl.input({ shape: [3], name: 'label' });
    const z = tfl.layers.dense({ units: 2, name: 'code' }).apply(image) as tfl.SymbolicTensor;
    const output = tfl.layers.dense({ units: 12 }).apply(tfl.layers.concatenate().apply([z, label])) as tfl.SymbolicTensor;
    const whole = tfl.model({ inputs: [image, label], outputs: output });
    const folder = await saveToScratch(whole, 'le-cvae-flat-');
    scratch.push(folder);
    whole.dispose();
    const ae = await loadAutoencoder(folder);
    try {
      assert.deepEqual([ae.summary.latent.layer, ae.latentSize, ae.condition?.encoderTakesIt], ['code', 2, false]);
      const rows = Float32Array.from({ length: 2 * 12 }, (_, i) => Math.cos(i));
      const labels = oneHot([1, 2], 3);
      const expected = await plainPredict(join(folder, 'model.json'), [tf.tensor(rows, [2, 12]), tf.tensor(labels, [2, 3])]);
      assert.deepEqual(await ae.reconstruct(rows, 2, { conditions: labels }), expected);
    } finally {
      ae.dispose();
    }
  });
});

describe('labelConditions', () => {
  test("one-hot rows from a dataset's labels; undefined without a condition, labels, or with a label out of range", () => {
    const condition = { size: 3, classNames: null, encoderTakesIt: true };
    assert.deepEqual(labelConditions(condition, Int32Array.of(2, 0)), Float32Array.of(0, 0, 1, 1, 0, 0));
    assert.equal(labelConditions(undefined, Int32Array.of(1)), undefined);
    assert.equal(labelConditions(condition, null), undefined);
    assert.equal(labelConditions(condition, Int32Array.of(0, 3)), undefined);
  });
});

describe('pairs whose sizes do not meet', () => {
  test("an encoder whose code is wider than the decoder's input is refused in one line naming both sizes", async () => {
    await assert.rejects(
      loadAutoencoder(fixture('mucritic-artist-tabular-ae/encoder'), { decoderPath: fixture('codingtrain-dense-ae/decoder') }),
      /encoder\/model\.json: the encoder gives \d+ values per sample but the decoder \S+decoder\/model\.json takes 4 \(\S+ \[4\]\); these files are not two halves of one autoencoder$/,
    );
  });
});

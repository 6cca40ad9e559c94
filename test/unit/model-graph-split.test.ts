/**
 * A whole autoencoder in one graph model (a SavedModel through the TF.js converter) is split at
 * its code: the real third-party CRISP multimodal AE (two inputs, two reconstruction heads, an
 * 8-value code inside fused MatMuls) against its README's reference error and plain tfjs, and
 * a single-input 784→64→784 graph written here with unfused ops against a float64 forward pass.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tfconv from '@tensorflow/tfjs-converter';
import { type Autoencoder, fileIOHandler, initBackend, loadAutoencoder, tf } from '../../src/core/model';
import { fixture, mnistImages } from './model-helpers';

const crisp = fixture('crisp-mmae-tabular-graph');
const CATEGORIC = 241;
const NUMERIC = 6;

/**
 * The README's "all-_negative" patient: each of the 118 joint items one-hot as `_negative` = 1,
 * `_positive` = 0 (pairs in the app's orders.ts order), RF, aCCP, Sex 0, numerics 0 and so Age
 * 0 < 65: Age_Early (column 239) = 1, Age_Late 0.
 */
function allNegativeRow(): Float32Array {
  const row = new Float32Array(CATEGORIC + NUMERIC);
  for (let i = 0; i < 236; i += 2) row[i] = 1;
  row[239] = 1;
  return row;
}

/** Rows with seeded random binary categoric columns and standard-normal-ish numerics. */
function randomRows(count: number): Float32Array {
  let seed = 7;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const rows = new Float32Array(count * (CATEGORIC + NUMERIC));
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < CATEGORIC; i++) rows[r * 247 + i] = next() < 0.3 ? 1 : 0;
    for (let i = 0; i < NUMERIC; i++) rows[r * 247 + CATEGORIC + i] = (next() + next() + next() - 1.5) * 2;
  }
  return rows;
}

before(async () => console.log(`# backend: ${await initBackend()}`));

describe('graph model holding a whole autoencoder (crisp-mmae-tabular-graph)', () => {
  let ae: Autoencoder;
  before(async () => (ae = await loadAutoencoder(crisp)));
  after(() => ae.dispose());

  test('loadAutoencoder splits it at dense1_2 (8 values, fused MatMul+Relu), inputs and outputs side by side (247)', () => {
    assert.equal(ae.summary.kind, 'autoencoder');
    assert.deepEqual([ae.summary.latent.layer, ae.latentShape], ['dense1_2', [8]]);
    assert.deepEqual([ae.inputShape, ae.outputShape], [[247], [247]]);
    assert.deepEqual([ae.canEncode, ae.canDecode], [true, true]);
    const roles = Object.fromEntries(ae.summary.layers.map((layer) => [layer.name, layer.role]));
    assert.deepEqual(roles, {
      concatenate: 'encoder',
      dense1_0: 'encoder',
      dense1_1: 'encoder',
      dense1_2: 'code',
      dense3_1: 'decoder',
      dense3_0: 'decoder',
      Numeric_reconstruction: 'decoder',
      dense4_0: 'decoder',
      Categoric_reconstruction: 'decoder',
    });
    // Weights named `unknown_N` count toward the layer whose MatMul reads them: 247·128+128 for dense1_0, …
    assert.equal(ae.summary.layers.find((layer) => layer.name === 'dense1_0')?.params, 247 * 128 + 128);
    assert.equal(ae.summary.totalParams, 81279);
  });

  test("reconstruct() of the README's all-_negative row gives its categoric MSE 0.0070; code unit 1 is a dead ReLU", async () => {
    const row = allNegativeRow();
    const output = await ae.reconstruct(row, 1);
    let sum = 0;
    for (let i = 0; i < CATEGORIC; i++) sum += (output[i]! - row[i]!) ** 2;
    console.log(`# crisp all-_negative row categoric MSE: ${(sum / CATEGORIC).toFixed(6)}`);
    assert.equal((sum / CATEGORIC).toFixed(4), '0.0070');
    const code = await ae.encode(row, 1);
    assert.equal(code[1], 0);
  });

  test('reconstruct() equals plain tfjs execute of both inputs with the heads joined, and decode(encode()) equals it bit for bit', async () => {
    const count = 50;
    const rows = randomRows(count);
    const model = await tfconv.loadGraphModel(fileIOHandler(`${crisp}/model.json`));
    const flat = tf.tensor(rows, [count, 247]);
    const [categoric, numeric] = tf.split(flat, [CATEGORIC, NUMERIC], 1);
    const heads = model.execute({ categoric: categoric!, numeric: numeric! }, ['Identity', 'Identity_1']) as tf.Tensor[];
    const expected = tf.concat(heads, 1);
    const reference = (await expected.data()) as Float32Array;
    tf.dispose([flat, categoric!, numeric!, ...heads, expected]);
    model.dispose();
    const reconstructed = await ae.reconstruct(rows, count, { batchSize: 16 });
    assert.deepEqual(reconstructed, reference);
    assert.deepEqual(await ae.decode(await ae.encode(rows, count), count), reconstructed);
  });

  test('encode, decode, reconstruct and activations leave no tensors behind', async () => {
    const rows = randomRows(5);
    await ae.activations(rows, 5);
    const before = tf.memory().numTensors;
    await ae.decode(await ae.encode(rows, 5, { batchSize: 2 }), 5);
    await ae.reconstruct(rows, 5);
    await ae.activations(rows, 5);
    assert.equal(tf.memory().numTensors, before);
  });

  test('activations() reports every layer scope of the graph, code included', async () => {
    const activations = await ae.activations(randomRows(3), 3, ['dense1_2', 'Categoric_reconstruction']);
    assert.deepEqual(activations.map(({ path, shape }) => [path, shape]), [['dense1_2', [8]], ['Categoric_reconstruction', [241]]]);
  });

  test('a codeLayer naming another node cuts there (dense3_1: 64 values)', async () => {
    const wide = await loadAutoencoder(crisp, { codeLayer: 'dense3_1' });
    try {
      assert.deepEqual(wide.latentShape, [64]);
      const rows = randomRows(4);
      assert.deepEqual(await wide.decode(await wide.encode(rows, 4), 4), await ae.reconstruct(rows, 4));
    } finally {
      wide.dispose();
    }
  });
});

/** A SavedModel-style graph (unfused MatMul → BiasAdd → Relu, as the converter leaves them without optimisation) of a 784→64→784 dense AE with seeded weights. */
function writeDenseGraphAutoencoder(folder: string, hidden: number): { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array } {
  let seed = 11;
  const random = (n: number, scale: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * scale);
  const weights = { w1: random(784 * hidden, 0.1), b1: random(hidden, 0.1), w2: random(hidden * 784, 0.3), b2: random(784, 0.1) };
  const scope = 'StatefulPartitionedCall/sequential/';
  const float = { type: 'DT_FLOAT' };
  const shapeOf = (dims: number[]) => ({ dim: dims.map((size) => ({ size: String(size) })) });
  const constant = (name: string, dims: number[]) => ({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shapeOf(dims) } }, dtype: float } });
  const op = (name: string, kind: string, input: string[], attr: Record<string, unknown> = {}) => ({ name, op: kind, input, attr: { T: float, ...attr } });
  const matmul = { transpose_a: { b: false }, transpose_b: { b: false } };
  const nodes = [
    { name: 'input_1', op: 'Placeholder', attr: { dtype: float, shape: { shape: shapeOf([-1, 784]) } } },
    constant(`${scope}dense/MatMul/ReadVariableOp`, [784, hidden]),
    constant(`${scope}dense/BiasAdd/ReadVariableOp`, [hidden]),
    constant(`${scope}dense_1/MatMul/ReadVariableOp`, [hidden, 784]),
    constant(`${scope}dense_1/BiasAdd/ReadVariableOp`, [784]),
    op(`${scope}dense/MatMul`, 'MatMul', ['input_1', `${scope}dense/MatMul/ReadVariableOp`], matmul),
    op(`${scope}dense/BiasAdd`, 'BiasAdd', [`${scope}dense/MatMul`, `${scope}dense/BiasAdd/ReadVariableOp`]),
    op(`${scope}dense/Relu`, 'Relu', [`${scope}dense/BiasAdd`]),
    op(`${scope}dense_1/MatMul`, 'MatMul', [`${scope}dense/Relu`, `${scope}dense_1/MatMul/ReadVariableOp`], matmul),
    op(`${scope}dense_1/BiasAdd`, 'BiasAdd', [`${scope}dense_1/MatMul`, `${scope}dense_1/BiasAdd/ReadVariableOp`]),
    op(`${scope}dense_1/Sigmoid`, 'Sigmoid', [`${scope}dense_1/BiasAdd`]),
    op('Identity', 'Identity', [`${scope}dense_1/Sigmoid`]),
  ];
  const specs = [
    { name: `${scope}dense/MatMul/ReadVariableOp`, shape: [784, hidden], dtype: 'float32' },
    { name: `${scope}dense/BiasAdd/ReadVariableOp`, shape: [hidden], dtype: 'float32' },
    { name: `${scope}dense_1/MatMul/ReadVariableOp`, shape: [hidden, 784], dtype: 'float32' },
    { name: `${scope}dense_1/BiasAdd/ReadVariableOp`, shape: [784], dtype: 'float32' },
  ];
  const json = { format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } }, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
  const parts = [weights.w1, weights.b1, weights.w2, weights.b2];
  writeFileSync(join(folder, 'weights.bin'), Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength))));
  return weights;
}

describe('graph model of a single-input dense autoencoder (784→64→784, unfused ops)', () => {
  test("split at dense/Relu (the MatMul's BiasAdd and Relu belong to the code); codes and outputs match a plain float64 forward pass", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'le-graph-ae-'));
    try {
      const { w1, b1, w2, b2 } = writeDenseGraphAutoencoder(folder, 64);
      const ae = await loadAutoencoder(folder);
      try {
        assert.equal(ae.summary.kind, 'autoencoder');
        assert.deepEqual([ae.summary.latent.layer, ae.latentShape, ae.inputShape, ae.outputShape], ['dense', [64], [784], [784]]);
        const count = 20;
        const images = mnistImages(count);
        const codes = await ae.encode(images, count);
        const outputs = await ae.reconstruct(images, count);
        assert.deepEqual(await ae.decode(codes, count), outputs);
        let worst = 0;
        for (let s = 0; s < count; s++) {
          const code = Array.from({ length: 64 }, (_, j) => {
            let sum = b1[j]!;
            for (let i = 0; i < 784; i++) sum += images[s * 784 + i]! * w1[i * 64 + j]!;
            return Math.max(0, sum);
          });
          code.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - codes[s * 64 + j]!))));
          for (let i = 0; i < 784; i++) {
            let sum = b2[i]!;
            for (let j = 0; j < 64; j++) sum += code[j]! * w2[j * 784 + i]!;
            worst = Math.max(worst, Math.abs(1 / (1 + Math.exp(-sum)) - outputs[s * 784 + i]!));
          }
        }
        assert.ok(worst < 1e-5, `largest difference ${worst}`);
      } finally {
        ae.dispose();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

/**
 * A whole autoencoder in one graph model (a SavedModel through the TF.js converter) is split at
 * its code: the real third-party CRISP multimodal AE (two inputs, two reconstruction heads, an
 * 8-value code inside fused MatMuls) against its README's reference error and plain tfjs.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import * as tfconv from '@tensorflow/tfjs-converter';
import { type Autoencoder, fileIOHandler, initBackend, loadAutoencoder, tf } from '../../src/core/model';
import { fixture } from './model-helpers';

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

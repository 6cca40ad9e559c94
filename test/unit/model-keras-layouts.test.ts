/**
 * Keras weight layouts no real fixture covers, written here the way Keras saves them and checked
 * against the same layers built directly in tfjs with the same weights:
 * - a Keras 3 `.keras` LSTM autoencoder, whose recurrent weights sit under `layers/lstm/cell/vars`
 *   and whose TimeDistributed Dense sits under `layers/time_distributed/layer/vars`;
 * - a Keras 2 full-model HDF5 of `Sequential([encoder, decoder])`, where each nested model's
 *   weights are one group listing every sub-layer's weights.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { strToU8, zipSync } from 'fflate';
import type * as H5 from 'h5wasm';
import { initBackend, loadModelFile, tf } from '../../src/core/model';

const scratch = mkdtempSync(join(tmpdir(), 'le-keras-layouts-'));
before(async () => {
  await initBackend();
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Seeded weights in [-0.5, 0.5). */
function values(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => (state = (state * 16807) % 2147483647) / 2147483647 - 0.5);
}

/**
 * An HDF5 file built with h5wasm: `datasets` maps paths to [shape, values]; `attrs` maps group
 * paths to string-list attributes; `links` maps new paths to the existing group they point at.
 */
async function hdf5(
  datasets: Record<string, [number[], Float32Array]>,
  attrs: Record<string, Record<string, string | string[]>> = {},
  links: Record<string, string> = {},
): Promise<Uint8Array> {
  const h5 = await import('h5wasm');
  const { FS } = await h5.ready;
  const path = `/layouts-${Date.now()}.h5`;
  const file = new h5.File(path, 'w');
  const group = (name: string): H5.Group => {
    let current: H5.Group = file;
    for (const part of name.split('/').filter(Boolean)) current = (current.get(part) as H5.Group | null) ?? current.create_group(part);
    return current;
  };
  for (const [name, [shape, data]] of Object.entries(datasets)) {
    group(name.slice(0, name.lastIndexOf('/'))).create_dataset({ name: name.slice(name.lastIndexOf('/') + 1), data, shape, dtype: '<f' });
  }
  for (const [name, list] of Object.entries(attrs)) for (const [key, value] of Object.entries(list)) group(name).create_attribute(key, value);
  for (const [name, target] of Object.entries(links)) group(name.slice(0, name.lastIndexOf('/'))).create_hard_link(target, name.slice(name.lastIndexOf('/') + 1));
  file.close();
  const bytes = FS!.readFile(path);
  FS!.unlink(path);
  return bytes;
}

function predict(model: tfl.LayersModel, input: tf.Tensor): Float32Array {
  const output = model.predict(input) as tf.Tensor;
  const data = output.dataSync() as Float32Array;
  output.dispose();
  return data;
}

test('a Keras 3 .keras LSTM autoencoder (cell and TimeDistributed sub-layers) computes what tfjs computes with the same weights', async () => {
  const layer = (className: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name: className, config, registered_name: null });
  const config = {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'lstm_ae',
      layers: [
        layer('InputLayer', { batch_shape: [null, 10, 3], dtype: 'float32', name: 'input_layer' }),
        layer('LSTM', { name: 'encoder_lstm', units: 8, return_sequences: false }),
        layer('RepeatVector', { name: 'repeat', n: 10 }),
        layer('LSTM', { name: 'decoder_lstm', units: 8, return_sequences: true }),
        layer('TimeDistributed', { name: 'output', layer: layer('Dense', { name: 'dense', units: 3 }) }),
      ],
    },
    registered_name: null,
  };
  const weights: [string, number[]][] = [
    ['layers/lstm/cell/vars/0', [3, 32]],
    ['layers/lstm/cell/vars/1', [8, 32]],
    ['layers/lstm/cell/vars/2', [32]],
    ['layers/lstm_1/cell/vars/0', [8, 32]],
    ['layers/lstm_1/cell/vars/1', [8, 32]],
    ['layers/lstm_1/cell/vars/2', [32]],
    ['layers/time_distributed/layer/vars/0', [8, 3]],
    ['layers/time_distributed/layer/vars/1', [3]],
  ];
  const arrays = weights.map(([, shape], index) => values(shape.reduce((a, b) => a * b, 1), index + 1));
  const file = join(scratch, 'lstm.keras');
  const h5 = await hdf5(Object.fromEntries(weights.map(([path, shape], index) => [path, [shape, arrays[index]!]])));
  writeFileSync(file, zipSync({ 'metadata.json': strToU8('{"keras_version": "3.10.0"}'), 'config.json': strToU8(JSON.stringify(config)), 'model.weights.h5': h5 }));

  const loaded = await loadModelFile(file);
  assert.equal(loaded.format, 'layers-model');
  if (loaded.format !== 'layers-model') return;
  const reference = tfl.sequential({
    layers: [
      // tfjs' orthogonal initialiser fails on the wasm backend; the weights are set below anyway.
      tfl.layers.lstm({ units: 8, inputShape: [10, 3], recurrentInitializer: 'zeros' }),
      tfl.layers.repeatVector({ n: 10 }),
      tfl.layers.lstm({ units: 8, returnSequences: true, recurrentInitializer: 'zeros' }),
      tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 3 }) }),
    ],
  });
  reference.setWeights(weights.map(([, shape], index) => tf.tensor(arrays[index]!, shape)));
  const input = tf.tensor(values(4 * 10 * 3, 99), [4, 10, 3]);
  assert.deepEqual(predict(loaded.model, input), predict(reference, input));
  tf.dispose([input, ...reference.weights.map((weight) => weight.read()), ...loaded.model.weights.map((weight) => weight.read())]);
});

test('a Keras 2 full-model HDF5 of Sequential([encoder, decoder]) maps each nested model group to its sub-layers', async () => {
  const dense = (name: string, units: number, extra: Record<string, unknown> = {}) => ({ class_name: 'Dense', config: { name, units, activation: 'tanh', ...extra } });
  const named = {
    class_name: 'Sequential',
    config: {
      name: 'autoencoder',
      layers: [
        { class_name: 'Sequential', config: { name: 'encoder', layers: [dense('dense_1', 6, { batch_input_shape: [null, 12] }), dense('dense_2', 2)] } },
        { class_name: 'Sequential', config: { name: 'decoder', layers: [dense('dense_3', 6, { batch_input_shape: [null, 2] }), dense('dense_4', 12)] } },
      ],
    },
  };
  const shapes: [string, string, number[]][] = [
    ['encoder', 'dense_1_7/kernel:0', [12, 6]],
    ['encoder', 'dense_1_7/bias:0', [6]],
    ['encoder', 'dense_2_7/kernel:0', [6, 2]],
    ['encoder', 'dense_2_7/bias:0', [2]],
    ['decoder', 'dense_3_7/kernel:0', [2, 6]],
    ['decoder', 'dense_3_7/bias:0', [6]],
    ['decoder', 'dense_4_7/kernel:0', [6, 12]],
    ['decoder', 'dense_4_7/bias:0', [12]],
  ];
  const arrays = shapes.map(([, , shape], index) => values(shape.reduce((a, b) => a * b, 1), index + 11));
  const bytes = await hdf5(Object.fromEntries(shapes.map(([group, name, shape], index) => [`model_weights/${group}/${name}`, [shape, arrays[index]!]])), {
    '/': { keras_version: '2.2.4', model_config: JSON.stringify(named) },
    'model_weights': { layer_names: ['encoder', 'decoder'] },
    'model_weights/encoder': { weight_names: shapes.slice(0, 4).map(([, name]) => name) },
    'model_weights/decoder': { weight_names: shapes.slice(4).map(([, name]) => name) },
  });
  const file = join(scratch, 'nested.h5');
  writeFileSync(file, bytes);

  const loaded = await loadModelFile(file);
  assert.equal(loaded.format, 'layers-model');
  if (loaded.format !== 'layers-model') return;
  assert.equal(loaded.dialect, 'keras-h5');
  const reference = tfl.sequential({
    layers: [12, 6, 2, 6, 12].slice(1).map((units, index) => tfl.layers.dense({ units, activation: 'tanh', inputShape: index === 0 ? [12] : undefined })),
  });
  reference.setWeights(shapes.map(([, , shape], index) => tf.tensor(arrays[index]!, shape)));
  const input = tf.tensor(values(5 * 12, 7), [5, 12]);
  assert.deepEqual(predict(loaded.model, input), predict(reference, input));
  tf.dispose([input, ...reference.weights.map((weight) => weight.read()), ...loaded.model.weights.map((weight) => weight.read())]);
});

test('an HDF5 file that is not a Keras model (no model_config, no Keras weights) says so', async () => {
  const file = join(scratch, 'measurements.h5');
  writeFileSync(file, await hdf5({ 'signals/channel_0': [[4], values(4, 3)] }));
  await assert.rejects(loadModelFile(file), (error: Error) => {
    assert.match(error.message, /measurements\.h5: this HDF5 file has no model_config and no Keras weights; it is not a Keras model/);
    return true;
  });
});

test('a .keras whose weight groups loop back on themselves (a damaged file) is refused in bounded time', async () => {
  const config = {
    class_name: 'Sequential',
    config: { name: 'looped', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'input' } }, { class_name: 'Dense', config: { name: 'dense', units: 2 } }] },
  };
  // Every sub-layer name of layers/dense leads back to layers/dense itself.
  const links = Object.fromEntries(['cell', 'layer', 'forward_layer', 'backward_layer'].map((sub) => [`/layers/dense/${sub}`, '/layers/dense']));
  const weights = await hdf5({ '/layers/dense/unrelated/x': [[1], values(1, 5)] }, {}, links);
  const file = join(scratch, 'looped.keras');
  writeFileSync(file, zipSync({ 'config.json': strToU8(JSON.stringify(config)), 'model.weights.h5': weights }));
  const started = performance.now();
  await assert.rejects(loadModelFile(file), /the weights in model\.weights\.h5 do not match config\.json \(layer dense expects 2 weight array\(s\) \(\[4,2\], \[2\]\), file has 0\)/);
  assert.ok(performance.now() - started < 5000);
});

test('a .keras with a Keras layer tfjs lacks, or a custom Python layer, names the layer and what it is', async () => {
  const withLayer = (spec: Record<string, unknown>) => ({
    module: 'keras',
    class_name: 'Sequential',
    config: { name: 'model', layers: [{ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'input' } }, spec] },
  });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ module: 'keras.layers', class_name: 'Normalization', config: { name: 'scale' }, registered_name: null }, /layer "scale" is a Normalization, a Keras layer TensorFlow\.js does not have; save the parts/],
    [{ module: 'my_layers', class_name: 'Whiten', config: { name: 'whiten' }, registered_name: 'Custom>Whiten' }, /layer "whiten" is a Whiten, a custom layer defined in Python \(Custom>Whiten\); save the parts/],
  ];
  for (const [spec, message] of cases) {
    const file = join(scratch, `${String(spec.class_name)}.keras`);
    writeFileSync(file, zipSync({ 'config.json': strToU8(JSON.stringify(withLayer(spec))), 'model.weights.h5': await hdf5({}) }));
    await assert.rejects(loadModelFile(file), message);
  }
});

test('a Keras 3 Sequential built without an Input layer takes its input shape from build_config', async () => {
  const dense = (name: string, units: number) => ({ module: 'keras.layers', class_name: 'Dense', config: { name, units, activation: 'linear' }, registered_name: null });
  const config = { module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers: [dense('dense', 3), dense('dense_1', 5)] }, build_config: { input_shape: [null, 5] } };
  const arrays = [values(15, 1), values(3, 2), values(15, 3), values(5, 4)];
  const shapes = [[5, 3], [3], [3, 5], [5]];
  const paths = ['layers/dense/vars/0', 'layers/dense/vars/1', 'layers/dense_1/vars/0', 'layers/dense_1/vars/1'];
  const file = join(scratch, 'no-input.keras');
  const weights = await hdf5(Object.fromEntries(paths.map((path, index) => [path, [shapes[index]!, arrays[index]!]])));
  writeFileSync(file, zipSync({ 'config.json': strToU8(JSON.stringify(config)), 'model.weights.h5': weights }));
  const loaded = await loadModelFile(file);
  assert.equal(loaded.format, 'layers-model');
  if (loaded.format !== 'layers-model') return;
  assert.deepEqual(loaded.model.inputs[0]!.shape, [null, 5]);
  const input = tf.tensor(values(10, 9), [2, 5]);
  const expected = tf.tidy(() => {
    const hidden = tf.add(tf.matMul(input, tf.tensor(arrays[0]!, [5, 3])), tf.tensor(arrays[1]!));
    return tf.add(tf.matMul(hidden, tf.tensor(arrays[2]!, [3, 5])), tf.tensor(arrays[3]!));
  });
  const actual = predict(loaded.model, input);
  const reference = expected.dataSync();
  assert.ok(actual.every((value, i) => Math.abs(value - reference[i]!) < 1e-5));
  tf.dispose([input, expected, ...loaded.model.weights.map((weight) => weight.read())]);
});

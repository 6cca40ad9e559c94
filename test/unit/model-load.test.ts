/**
 * Loading model files: the file IOHandler's error paths, every fixture dialect, the Keras 3
 * normaliser and the sampling stand-in (with the raw failures they fix), and backend selection.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelLoadError, activeBackend, fileIOHandler, initBackend, loadModelFile, normalizeModelJson, readModelJson, tf } from '../../src/core/model';

const fixtures = resolve(__dirname, '../../../shared/fixtures/models');
const fixture = (path: string) => join(fixtures, path, 'model.json');
const MUCRITIC_AUTO = 'mucritic-artist-tabular-ae/auto';

before(async () => {
  const backend = await initBackend();
  console.log(`# backend: ${backend}`);
});

describe('initBackend()', () => {
  test('initBackend() is idempotent and activeBackend() reports the winner (wasm here: tfjs-node is not installed)', async () => {
    const first = await initBackend();
    assert.equal(await initBackend(), first);
    assert.equal(activeBackend(), first);
    assert.equal(first, 'wasm');
  });
});

/** A scratch copy of a small fixture that a test may corrupt. */
function scratchCopy(): { folder: string; json: string } {
  const folder = mkdtempSync(join(tmpdir(), 'le-model-'));
  copyFileSync(fixture(MUCRITIC_AUTO), join(folder, 'model.json'));
  copyFileSync(join(fixtures, MUCRITIC_AUTO, 'group1-shard1of1.bin'), join(folder, 'group1-shard1of1.bin'));
  return { folder, json: join(folder, 'model.json') };
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<ModelLoadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ModelLoadError, `expected ModelLoadError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

describe('fileIOHandler / loadModelFile error paths', () => {
  const scratch: string[] = [];
  after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));
  const copy = () => {
    const made = scratchCopy();
    scratch.push(made.folder);
    return made;
  };

  test('loadModelFile(missing file) → model-unreadable naming the file', async () => {
    const missing = join(tmpdir(), 'le-no-such-dir', 'model.json');
    const error = await rejectsWith(loadModelFile(missing), 'model-unreadable', /cannot read .*le-no-such-dir/);
    assert.equal(error.file, missing);
  });

  test('loadModelFile(corrupt JSON) → model-invalid-json', async () => {
    const { json } = copy();
    writeFileSync(json, readFileSync(json, 'utf8').slice(0, 200));
    const error = await rejectsWith(loadModelFile(json), 'model-invalid-json', /is not valid JSON/);
    assert.equal(error.file, json);
  });

  test('loadModelFile(JSON that is not a TF.js model) → model-not-tfjs listing the keys found', async () => {
    const { json } = copy();
    writeFileSync(json, JSON.stringify({ name: 'package', version: '1.0.0' }));
    await rejectsWith(loadModelFile(json), 'model-not-tfjs', /no "modelTopology" \(keys found: name, version\)/);
  });

  test('loadModelFile(unknown format) → model-not-tfjs', async () => {
    const { json } = copy();
    const model = JSON.parse(readFileSync(json, 'utf8'));
    writeFileSync(json, JSON.stringify({ ...model, format: 'onnx' }));
    await rejectsWith(loadModelFile(json), 'model-not-tfjs', /format "onnx"/);
  });

  test('loadModelFile(missing shard) → model-shard-missing naming the shard', async () => {
    const { folder, json } = copy();
    rmSync(join(folder, 'group1-shard1of1.bin'));
    const error = await rejectsWith(loadModelFile(json), 'model-shard-missing', /"group1-shard1of1\.bin" .* does not exist/);
    assert.equal(error.file, join(folder, 'group1-shard1of1.bin'));
  });

  test('loadModelFile(truncated shard) → model-shard-size with expected and found byte counts', async () => {
    const { folder } = copy();
    const shard = join(folder, 'group1-shard1of1.bin');
    writeFileSync(shard, readFileSync(shard).subarray(0, 1000));
    await rejectsWith(loadModelFile(join(folder, 'model.json')), 'model-shard-size', /hold 1000 bytes but the manifest's weights need 6708/);
  });

  test('readModelJson never writes: the fixture bytes are unchanged after loading', async () => {
    const before = readFileSync(fixture('sandia-mnist-conv-ae/keras3-nested'));
    const loaded = await loadModelFile(fixture('sandia-mnist-conv-ae/keras3-nested'));
    loaded.model.dispose();
    assert.deepEqual(readFileSync(fixture('sandia-mnist-conv-ae/keras3-nested')), before);
  });
});

describe('loadModelFile on every fixture dialect', () => {
  const cases: [string, string, string][] = [
    ['codingtrain-dense-ae/autoencoder', 'layers-model', 'tfjs-layers'],
    ['codingtrain-dense-ae/decoder', 'layers-model', 'tfjs-layers'],
    ['reiinakano-denoising-conv-ae', 'layers-model', 'keras2'],
    ['mucritic-artist-tabular-ae/auto', 'layers-model', 'keras2'],
    ['mucritic-artist-tabular-ae/encoder', 'layers-model', 'keras2'],
    ['mucritic-artist-tabular-ae/decoder', 'layers-model', 'keras2'],
    ['sandia-mnist-conv-ae/keras3-nested', 'layers-model', 'keras3'],
    ['vae-explainer-mnist-cnn-vae-graph/encoder', 'graph-model', 'graph'],
    ['vae-explainer-mnist-cnn-vae-graph/decoder', 'graph-model', 'graph'],
    ['brushstrokes-pose-cvae/tfjs-zlayer-2019-07/encoder', 'layers-model', 'tfjs-layers'],
    ['brushstrokes-pose-cvae/tfjs-zlayer-2019-07/decoder', 'layers-model', 'keras2'],
  ];
  for (const [path, format, dialect] of cases) {
    test(`loadModelFile(${path}) → ${format}, dialect ${dialect}`, async () => {
      const loaded = await loadModelFile(fixture(path));
      assert.equal(loaded.format, format);
      assert.equal(loaded.dialect, dialect);
      loaded.model.dispose();
    });
  }

  test('loadModelFile reads weight groups listed decoder-first into the right layers (reiinakano)', async () => {
    const loaded = await loadModelFile(fixture('reiinakano-denoising-conv-ae'));
    assert.equal(loaded.format, 'layers-model');
    const json = JSON.parse(readFileSync(fixture('reiinakano-denoising-conv-ae'), 'utf8'));
    // Group 2 holds the encoder's first kernel; its first value must land in encoder/conv2d_1.
    const shard2 = readFileSync(join(fixtures, 'reiinakano-denoising-conv-ae', json.weightsManifest[1].paths[0]));
    assert.equal(json.weightsManifest[1].weights[0].name, 'conv2d_1/kernel');
    const kernel = (loaded.model as tfl.LayersModel).getLayer('encoder') as tfl.LayersModel;
    const values = kernel.getLayer('conv2d_1').getWeights()[0]!.dataSync();
    assert.equal(values[0], new Float32Array(shard2.buffer.slice(shard2.byteOffset, shard2.byteOffset + 4))[0]);
    loaded.model.dispose();
  });
});

describe('Keras 3 normalisation', () => {
  const KERAS3 = fixture('sandia-mnist-conv-ae/keras3-nested');

  test('tfjs refuses the raw Keras 3 file: loadModelFile(…, {normalize: false}) → the InputLayer error', async () => {
    await rejectsWith(loadModelFile(KERAS3, { normalize: false }), 'model-invalid', /An InputLayer should be passed either a `batchInputShape` or an `inputShape`/);
    await assert.rejects(tfl.loadLayersModel(fileIOHandler(KERAS3)), /batchInputShape/);
  });

  test('normalizeModelJson rewrites batch_shape, DTypePolicy objects and model-prefixed weight names in memory', async () => {
    const raw = await readModelJson(KERAS3);
    const { json, dialect, changes } = normalizeModelJson(KERAS3, raw);
    assert.equal(dialect, 'keras3');
    const text = JSON.stringify(json.modelTopology);
    assert.ok(!text.includes('"batch_shape"') && !text.includes('DTypePolicy') && !text.includes('registered_name'));
    assert.equal(json.weightsManifest![0]!.weights[0]!.name, 'conv2d_13/kernel');
    assert.equal(raw.weightsManifest![0]!.weights[0]!.name, 'sequential_7/conv2d_13/kernel', 'the original is untouched');
    assert.deepEqual(changes, [
      'Keras 3: renamed batch_shape to batch_input_shape on 3 input(s)',
      'Keras 3: replaced 12 DTypePolicy object(s) by their dtype',
      'Keras 3: removed the model-name prefix from 12 weight name(s)',
    ]);
  });

  test('a Keras 3 functional model (the MuCritic AE rewritten the way Keras 3 writes it) loads and predicts like the Keras 2 original', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'le-keras3-'));
    try {
      copyFileSync(join(fixtures, MUCRITIC_AUTO, 'group1-shard1of1.bin'), join(folder, 'group1-shard1of1.bin'));
      const json = JSON.parse(readFileSync(fixture(MUCRITIC_AUTO), 'utf8'));
      const config = json.modelTopology.model_config;
      const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
      config.class_name = 'Functional';
      for (const layer of config.config.layers) {
        if (layer.class_name === 'InputLayer') {
          layer.config.batch_shape = layer.config.batch_input_shape;
          delete layer.config.batch_input_shape;
        } else {
          layer.config.dtype = policy;
        }
        layer.module = 'keras.layers';
        layer.registered_name = null;
        layer.inbound_nodes = layer.inbound_nodes.map((node: [string, number, number][]) => ({
          args: node.map(([name, nodeIndex, tensorIndex]) => ({
            class_name: '__keras_tensor__',
            config: { shape: [null, 33], dtype: 'float32', keras_history: [name, nodeIndex, tensorIndex] },
          })),
          kwargs: {},
        }));
      }
      config.config.input_layers = config.config.input_layers[0];
      config.config.output_layers = config.config.output_layers[0];
      for (const weight of json.weightsManifest[0].weights) weight.name = `${config.config.name}/${weight.name}`;
      json.generatedBy = 'keras v3.5.0';
      writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
      const keras3 = await loadModelFile(join(folder, 'model.json'));
      const keras2 = await loadModelFile(fixture(MUCRITIC_AUTO));
      assert.equal(keras3.dialect, 'keras3');
      const x = tf.tensor2d(Float32Array.from({ length: 5 * 33 }, (_, i) => Math.cos(i)), [5, 33]);
      const [a, b] = [keras3.model.predict(x) as tf.Tensor, keras2.model.predict(x) as tf.Tensor];
      assert.deepEqual(a.dataSync(), b.dataSync());
      tf.dispose([x, a, b]);
      keras3.model.dispose();
      keras2.model.dispose();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('normalizeModelJson turns Keras 3 functional calls into Keras 2 inbound nodes', () => {
    const keras3Functional = {
      format: 'layers-model',
      generatedBy: 'keras v3.5.0',
      modelTopology: {
        model_config: {
          class_name: 'Functional',
          config: {
            name: 'ae',
            layers: [
              { class_name: 'InputLayer', name: 'in', config: { batch_shape: [null, 3], dtype: 'float32', name: 'in' }, inbound_nodes: [] },
              {
                class_name: 'Dense',
                name: 'code',
                config: { name: 'code', units: 2, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } },
                inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: ['in', 0, 0] } }], kwargs: {} }],
              },
            ],
            input_layers: ['in', 0, 0],
            output_layers: ['code', 0, 0],
          },
        },
      },
      weightsManifest: [],
    } as unknown as tf.io.ModelJSON;
    const { json } = normalizeModelJson('inline.json', keras3Functional);
    const config = (json.modelTopology as { model_config: { config: Record<string, unknown> } }).model_config.config;
    assert.deepEqual(config.input_layers, [['in', 0, 0]]);
    const dense = (config.layers as Record<string, unknown>[])[1]!;
    assert.deepEqual(dense.inbound_nodes, [[['in', 0, 0, {}]]]);
    assert.equal((dense.config as Record<string, unknown>).dtype, 'float32');
  });
});

describe('custom layers and the sampling stand-in', () => {
  const ZLAYER_ENCODER = fixture('brushstrokes-pose-cvae/tfjs-zlayer-2019-07/encoder');

  test('tfjs alone refuses the ZLayer encoder: "Unknown layer: ZLayer"', async () => {
    await assert.rejects(tfl.loadLayersModel(fileIOHandler(ZLAYER_ENCODER)), /Unknown layer: ZLayer/);
  });

  test('loadModelFile(ZLayer encoder, {samplingStandIn: false}) → Unknown layer class "ZLayer" in …', async () => {
    await rejectsWith(
      loadModelFile(ZLAYER_ENCODER, { samplingStandIn: false }),
      'model-unknown-layer',
      /^Unknown layer class "ZLayer" in .*encoder\/model\.json \(layer "z"\)/,
    );
  });

  test('loadModelFile(ZLayer encoder) uses the stand-in and says so in warnings', async () => {
    const loaded = await loadModelFile(ZLAYER_ENCODER);
    assert.match(loaded.warnings.join('\n'), /custom layer "z" \(class ZLayer\) looks like VAE sampling: replaced by a stand-in that returns the mean/);
    loaded.model.dispose();
  });

  test('an unknown class that is not sampling is rejected by name even with the stand-in on', async () => {
    const raw = await readModelJson(fixture(MUCRITIC_AUTO));
    const json = structuredClone(raw);
    const layers = (json.modelTopology as { model_config: { config: { layers: { class_name: string }[] } } }).model_config.config.layers;
    layers[2]!.class_name = 'MyFancyDense';
    assert.throws(() => normalizeModelJson('auto/model.json', json), /Unknown layer class "MyFancyDense" in auto\/model\.json \(layer "dense_2"\)/);
  });
});

describe('graph models', () => {
  test('normalizeModelJson reshapes TF 2.16 fused-conv biases to rank 1 so the wasm kernel accepts them', async () => {
    const file = fixture('vae-explainer-mnist-cnn-vae-graph/encoder');
    const { json, changes } = normalizeModelJson(file, await readModelJson(file));
    const bias = json.weightsManifest![0]!.weights.find((weight) => weight.name.endsWith('conv2d_53_1/Reshape'))!;
    assert.deepEqual(bias.shape, [32]);
    assert.deepEqual(changes, ['graph: reshaped 2 fused-convolution bias(es) to rank 1, as the wasm backend requires']);
  });
});

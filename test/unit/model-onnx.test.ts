/**
 * ONNX autoencoders on real third-party files (../shared/fixtures/models-other/onnx): latent
 * sizes, reconstruction errors against the fixtures README's reference numbers, the automatic
 * split checked against the unmodified graph run by onnxruntime and against a plain matrix
 * product of the file's own weights, pairs, fixed batches, layouts and the one-line errors.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { type Autoencoder, ModelLoadError, loadAutoencoder } from '../../src/core/model';
import { onnxRuntime } from '../../src/core/model/onnx';
import { fashionImages, mnistImages, mse, repoRoot } from './model-helpers';

const other = (path: string) => resolve(repoRoot, '../shared/fixtures/models-other/onnx', path);
const MEANZAR = other('meanzar-mnist-dense-ae/mnist_autoencoder.onnx');
const RADIO = other('latent-radio-fashion-pair');
const PMALEN = other('pmalen-bearing-encoder-batch1/encoder.onnx');
const PMALEN_QUANT = other('pmalen-bearing-encoder-batch1/encoder_quant.onnx');
const SEHTASHAM = other('sehtasham-sensor-dense-ae/autoencoder.onnx');
const scratch = mkdtempSync(join(tmpdir(), 'model-onnx-'));

const opened: Autoencoder[] = [];
after(() => {
  opened.forEach((model) => model.dispose());
  rmSync(scratch, { recursive: true, force: true });
});
async function open(path: string, decoderPath?: string): Promise<Autoencoder> {
  const model = await loadAutoencoder(path, { decoderPath });
  opened.push(model);
  return model;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);
}

function close(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * expected, `${what} ${actual} is not within ${relative * 100} % of ${expected}`);
}

async function refusal(path: string, decoderPath?: string): Promise<string> {
  const error = await loadAutoencoder(path, { decoderPath }).then(
    (model) => {
      model.dispose();
      return assert.fail(`${path} opened`);
    },
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ModelLoadError, String(error));
  assert.ok(!error.message.includes('\n'), error.message);
  return error.message;
}

/** Float weights of an initializer, read from the file with onnx-proto. */
function initializer(model: onnx.ModelProto, name: string): Float32Array {
  const tensor = model.graph!.initializer!.find((entry) => entry.name === name)!;
  if (tensor.rawData?.length) return new Float32Array(Uint8Array.from(tensor.rawData).buffer);
  return Float32Array.from(tensor.floatData ?? []);
}

/** y = x · Wᵀ + b for PyTorch Linear weights [out, in] (what Gemm with transB=1 computes). */
function linear(x: Float32Array, count: number, weight: Float32Array, bias: Float32Array, relu: boolean): Float32Array {
  const out = bias.length;
  const inputs = weight.length / out;
  const y = new Float32Array(count * out);
  for (let n = 0; n < count; n++) {
    for (let o = 0; o < out; o++) {
      let sum = bias[o]!;
      for (let i = 0; i < inputs; i++) sum += x[n * inputs + i]! * weight[o * inputs + i]!;
      y[n * out + o] = relu ? Math.max(0, sum) : sum;
    }
  }
  return y;
}

describe('loadAutoencoder(ONNX)', () => {
  test('every ONNX fixture opens with the latent size its README gives', async () => {
    const expected: [string, string, number, number[], number[] | null][] = [
      [MEANZAR, 'autoencoder', 3, [784], [784]],
      [RADIO, 'encoder-decoder', 128, [28, 28, 1], [28, 28, 1]],
      [PMALEN, 'encoder-only', 64, [1, 512], null],
      [PMALEN_QUANT, 'encoder-only', 64, [1, 512], null],
      [SEHTASHAM, 'autoencoder', 3, [10], [10]],
    ];
    for (const [path, kind, latentSize, inputShape, outputShape] of expected) {
      const model = await open(path);
      assert.equal(model.summary.kind, kind, path);
      assert.equal(model.latentSize, latentSize, path);
      assert.deepEqual(model.inputShape, inputShape, path);
      assert.deepEqual(model.outputShape, outputShape, path);
      assert.equal(model.summary.format, 'onnx');
      assert.match(model.summary.runtime ?? '', /^onnxruntime-(web|node) \d+\.\d+/);
    }
  });

  test('meanzar (one graph, dense 784-64-3-64-784): code is /encoder/encoder.2/Gemm_output_0; MSE 0.0472 on 200 MNIST test images /255', async () => {
    const model = await open(MEANZAR);
    assert.equal(model.summary.latent.layer, '/encoder/encoder.2/Gemm_output_0');
    assert.deepEqual(model.summary.layers.map((layer) => layer.role), ['input', 'encoder', 'encoder', 'code', 'decoder', 'decoder', 'decoder']);
    const images = mnistImages(200);
    close(mse(await model.reconstruct(images, 200), images), 0.0472, 0.01, 'MSE');
  });

  test("meanzar: the cut decoder applied to the codes equals the whole graph's output, which equals onnxruntime running the unmodified file", async () => {
    const model = await open(MEANZAR);
    const images = mnistImages(50);
    const whole = await model.reconstruct(images, 50);
    const split = await model.decode(await model.encode(images, 50), 50);
    assert.ok(maxDifference(split, whole) <= 1e-6, `decode(encode(x)) differs from the whole graph by ${maxDifference(split, whole)}`);
    const { ort } = await onnxRuntime();
    const session = await ort.InferenceSession.create(readFileSync(MEANZAR));
    const direct = (await session.run({ input: new ort.Tensor('float32', images, [50, 784]) })).output!.data as Float32Array;
    await session.release();
    assert.ok(maxDifference(whole, direct) <= 1e-6, `reconstruct differs from the unmodified graph by ${maxDifference(whole, direct)}`);
  });

  test("meanzar: codes equal the file's own weights applied by hand (Gemm → Relu → Gemm), to 1e-5", async () => {
    const model = await open(MEANZAR);
    const proto = onnx.ModelProto.decode(readFileSync(MEANZAR));
    const images = mnistImages(20);
    const hidden = linear(images, 20, initializer(proto, 'encoder.0.weight'), initializer(proto, 'encoder.0.bias'), true);
    const expected = linear(hidden, 20, initializer(proto, 'encoder.2.weight'), initializer(proto, 'encoder.2.bias'), false);
    const codes = await model.encode(images, 20);
    assert.ok(maxDifference(codes, expected) <= 1e-5, `codes differ by ${maxDifference(codes, expected)}`);
  });

  test('latent-radio pair (NCHW [1,28,28] conv encoder + decoder): MSE 0.00637 on 200 Fashion-MNIST; every code row has mean power 1', async () => {
    const model = await open(RADIO);
    assert.deepEqual(model.summary.files, [join(RADIO, 'encoder.onnx'), join(RADIO, 'decoder.onnx')]);
    const images = fashionImages(20);
    const codes = await model.encode(images, 200);
    for (let row = 0; row < 200; row++) {
      const power = codes.subarray(row * 128, (row + 1) * 128).reduce((sum, value) => sum + value * value, 0) / 128;
      assert.ok(Math.abs(power - 1) < 1e-3, `row ${row} has mean power ${power}`);
    }
    close(mse(await model.decode(codes, 200), images), 0.00637, 0.01, 'MSE');
    const activations = await model.activations(images.subarray(0, 784 * 3), 3, ['encoder/symbols', 'decoder/recon']);
    assert.deepEqual(activations.map(({ path, shape, values }) => [path, shape, values.length]), [
      ['encoder/symbols', [128], 3 * 128],
      ['decoder/recon', [28, 28, 1], 3 * 784],
    ]);
  });

  test("latent-radio: a conv feature map is shown channels-last ([14,14,32]) and holds the first conv's output computed by hand from the file's weights", async () => {
    const model = await open(RADIO);
    const layer = model.summary.layers.find((entry) => entry.path === 'encoder/body/body.0/Conv_output_0');
    assert.deepEqual(layer?.outputShape, [null, 14, 14, 32]);
    const image = fashionImages(1).subarray(0, 784);
    const [map] = await model.activations(image, 1, ['encoder/body/body.0/Conv_output_0']);
    assert.deepEqual(map!.shape, [14, 14, 32]);
    const proto = onnx.ModelProto.decode(readFileSync(join(RADIO, 'encoder.onnx')));
    const [weight, bias] = [initializer(proto, 'body.0.weight'), initializer(proto, 'body.0.bias')];
    // Conv(1→32, kernel 3, stride 2, padding 1): output (y, x) reads input rows 2y-1…2y+1.
    for (const [channel, y, x] of [[5, 3, 4], [0, 0, 0], [31, 13, 7], [17, 8, 12]] as const) {
      let sum = bias[channel]!;
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          const [row, column] = [2 * y - 1 + ky, 2 * x - 1 + kx];
          if (row >= 0 && row < 28 && column >= 0 && column < 28) sum += weight[channel * 9 + ky * 3 + kx]! * image[row * 28 + column]!;
        }
      }
      const shown = map!.values[(y * 14 + x) * 32 + channel]!;
      assert.ok(Math.abs(shown - sum) < 1e-5, `channel ${channel} at (${y}, ${x}): ${shown}, by hand ${sum}`);
    }
  });

  test('pmalen (fixed batch 1): a batch of 5 is fed one sample at a time and gives the codes of 5 single runs', async () => {
    const model = await open(PMALEN);
    const signals = Float32Array.from({ length: 5 * 512 }, (_, i) => Math.sin(i / 7) + Math.cos(i / 31));
    const codes = await model.encode(signals, 5);
    assert.equal(codes.length, 5 * 64);
    for (let i = 0; i < 5; i++) {
      const single = await model.encode(signals.subarray(i * 512, (i + 1) * 512), 1);
      assert.ok(maxDifference(single, codes.subarray(i * 64, (i + 1) * 64)) === 0, `sample ${i}`);
    }
  });

  test('pmalen encoder_quant (ConvInteger, MatMulInteger) runs in onnxruntime-web 1.30 and stays near the float encoder', async () => {
    const [float, quantized] = [await open(PMALEN), await open(PMALEN_QUANT)];
    const signals = Float32Array.from({ length: 4 * 512 }, (_, i) => Math.sin(i / 5) * 1.5);
    const [a, b] = [await float.encode(signals, 4), await quantized.encode(signals, 4)];
    const scale = Math.sqrt(a.reduce((sum, value) => sum + value * value, 0) / a.length);
    const error = Math.sqrt(a.reduce((sum, value, i) => sum + (value - b[i]!) ** 2, 0) / a.length);
    assert.ok(error < 0.25 * scale, `quantized codes are off by ${error} (rms of codes ${scale})`);
  });

  test('sehtasham (dynamo exporter, opset 18): code linear_1 of 3; N(0,1) rows reconstruct far better than anomalies', async () => {
    const model = await open(SEHTASHAM);
    assert.equal(model.summary.latent.layer, 'linear_1');
    let seed = 7;
    const gaussian = (mean: number, sd: number) => {
      const uniform = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      return mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    };
    const normal = Float32Array.from({ length: 2000 }, () => gaussian(0, 1));
    const anomaly = Float32Array.from({ length: 2000 }, () => gaussian(5, 1.5));
    const [normalMse, anomalyMse] = [mse(await model.reconstruct(normal, 200), normal), mse(await model.reconstruct(anomaly, 200), anomaly)];
    assert.ok(normalMse < 1.2 && anomalyMse > 15, `normal ${normalMse}, anomaly ${anomalyMse} (README: 0.90 and 22.7)`);
  });
});

describe('loadAutoencoder(ONNX conv AE in one graph, built here)', () => {
  test('a channels-first conv AE is cut at the 8×7×7 bottleneck after its Relu, shown as 7×7×8, and the halves give the unmodified graph\'s output', async () => {
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const INTS = onnx.AttributeProto.AttributeType.INTS;
    const weight = (name: string, dims: number[], seed: number) => ({ name, dataType: FLOAT, dims, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 13 + i * 0.37) * 0.4) });
    const strided = [{ name: 'strides', type: INTS, ints: [2, 2] }];
    const padded = [...strided, { name: 'pads', type: INTS, ints: [1, 1, 1, 1] }];
    const image = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 1 }, { dimValue: 28 }, { dimValue: 28 }] } } } });
    const proto = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'conv_ae',
        node: [
          { opType: 'Conv', input: ['x', 'w1', 'b1'], output: ['conv1'], attribute: padded },
          { opType: 'Relu', input: ['conv1'], output: ['relu1'] },
          { opType: 'Conv', input: ['relu1', 'w2', 'b2'], output: ['conv2'], attribute: padded },
          { opType: 'Relu', input: ['conv2'], output: ['code'] },
          { opType: 'ConvTranspose', input: ['code', 'w3', 'b3'], output: ['up1'], attribute: strided },
          { opType: 'Relu', input: ['up1'], output: ['relu3'] },
          { opType: 'ConvTranspose', input: ['relu3', 'w4', 'b4'], output: ['up2'], attribute: strided },
          { opType: 'Sigmoid', input: ['up2'], output: ['y'] },
        ],
        initializer: [weight('w1', [4, 1, 3, 3], 1), weight('b1', [4], 2), weight('w2', [8, 4, 3, 3], 3), weight('b2', [8], 4), weight('w3', [8, 4, 2, 2], 5), weight('b3', [4], 6), weight('w4', [4, 1, 2, 2], 7), weight('b4', [1], 8)],
        input: [image('x')],
        output: [image('y')],
      },
    });
    const bytes = onnx.ModelProto.encode(proto).finish();
    const path = join(scratch, 'conv-ae.onnx');
    writeFileSync(path, bytes);
    const model = await open(path);
    assert.deepEqual([model.summary.latent.layer, model.latentShape, model.inputShape, model.outputShape], ['code', [7, 7, 8], [28, 28, 1], [28, 28, 1]]);
    const images = mnistImages(20);
    const codes = await model.encode(images, 20);
    const [codeActivation] = await model.activations(images, 20, ['code']);
    assert.deepEqual([codeActivation!.shape, maxDifference(codeActivation!.values, codes)], [[7, 7, 8], 0]);
    const { ort } = await onnxRuntime();
    const session = await ort.InferenceSession.create(bytes);
    const direct = (await session.run({ x: new ort.Tensor('float32', images, [20, 1, 28, 28]) })).y!.data as Float32Array;
    await session.release();
    const split = await model.decode(codes, 20);
    assert.ok(maxDifference(split, direct) <= 1e-6, `decode(encode(x)) differs from the unmodified graph by ${maxDifference(split, direct)}`);
  });
});

describe('loadAutoencoder(ONNX VAE pair built here)', () => {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const value = (name: string, width: number) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } } });
  const weights = (name: string, rows: number, columns: number, seed: number) => ({
    name,
    dataType: FLOAT,
    dims: columns ? [rows, columns] : [rows],
    floatData: Array.from({ length: rows * (columns || 1) }, (_, i) => Math.sin(seed * 7 + i * 1.3) / 2),
  });
  const graph = (name: string, nodes: onnx.INodeProto[], initializer: onnx.ITensorProto[], input: onnx.IValueInfoProto[], output: onnx.IValueInfoProto[]) =>
    onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name, node: nodes, initializer, input, output } })).finish();

  test('an encoder with mu and log_var outputs is a VAE: codes are the mean, encodeDistribution gives both, as the weights give them by hand', async () => {
    const folder = join(scratch, 'vae');
    mkdirSync(folder);
    const encoderWeights = [weights('wm', 4, 2, 1), weights('bm', 2, 0, 2), weights('wv', 4, 2, 3), weights('bv', 2, 0, 4)];
    writeFileSync(join(folder, 'vae_encoder.onnx'), graph('encoder', [
      { opType: 'Gemm', input: ['x', 'wv', 'bv'], output: ['log_var'] },
      { opType: 'Gemm', input: ['x', 'wm', 'bm'], output: ['mu'] },
    ], encoderWeights, [value('x', 4)], [value('log_var', 2), value('mu', 2)]));
    writeFileSync(join(folder, 'vae_decoder.onnx'), graph('decoder', [
      { opType: 'Gemm', input: ['z', 'wd', 'bd'], output: ['logits'] },
      { opType: 'Sigmoid', input: ['logits'], output: ['recon'] },
    ], [weights('wd', 2, 4, 5), weights('bd', 4, 0, 6)], [value('z', 2)], [value('recon', 4)]));
    const model = await open(folder);
    assert.equal(model.isVariational, true);
    assert.equal(model.summary.kind, 'vae');
    assert.equal(model.summary.latent.layer, 'encoder/mu');
    const inputs = Float32Array.from({ length: 12 }, (_, i) => i / 6 - 1);
    const byHand = (w: onnx.ITensorProto, b: onnx.ITensorProto) => {
      const out = new Float32Array(6);
      for (let n = 0; n < 3; n++) for (let j = 0; j < 2; j++) out[n * 2 + j] = b.floatData![j]! + [0, 1, 2, 3].reduce((sum, i) => sum + inputs[n * 4 + i]! * w.floatData![i * 2 + j]!, 0);
      return out;
    };
    const distribution = await model.encodeDistribution(inputs, 3);
    assert.ok(maxDifference(distribution!.mean, byHand(encoderWeights[0]!, encoderWeights[1]!)) < 1e-6);
    assert.ok(maxDifference(distribution!.logVar, byHand(encoderWeights[2]!, encoderWeights[3]!)) < 1e-6);
    assert.deepEqual(await model.encode(inputs, 3), distribution!.mean);
    assert.equal((await model.reconstruct(inputs, 3)).length, 12);
  });
});

describe('loadAutoencoder(ONNX conditional pair built here)', () => {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const value = (name: string, width: number) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } } });
  const weight = (name: string, dims: number[], seed: number) => ({ name, dataType: FLOAT, dims, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(seed + i * 0.7) / 2) });
  const save = (path: string, nodes: onnx.INodeProto[], initializer: onnx.ITensorProto[], input: onnx.IValueInfoProto[], output: onnx.IValueInfoProto[]) =>
    writeFileSync(path, onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'g', node: nodes, initializer, input, output } })).finish());
  const concat = (inputs: string[], output: string): onnx.INodeProto => ({ opType: 'Concat', input: inputs, output: [output], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });

  test('a CVAE pair (encoder: sample + one-hot label; decoder: label + code) takes each sample\'s condition, class 0 by default', async () => {
    const folder = join(scratch, 'cvae');
    mkdirSync(folder);
    const [we, wd] = [weight('we', [7, 2], 1), weight('wd', [5, 4], 2)];
    save(join(folder, 'cvae_encoder.onnx'), [concat(['x', 'label'], 'joined'), { opType: 'MatMul', input: ['joined', 'we'], output: ['z_mean'] }], [we], [value('x', 4), value('label', 3)], [value('z_mean', 2)]);
    // The decoder lists the condition first: the main input is found as the one the code fits.
    save(join(folder, 'cvae_decoder.onnx'), [concat(['z', 'y'], 'joined'), { opType: 'MatMul', input: ['joined', 'wd'], output: ['recon'] }], [wd], [value('y', 3), value('z', 2)], [value('recon', 4)]);
    const model = await open(folder);
    assert.deepEqual(model.condition, { size: 3, classNames: null, encoderTakesIt: true });
    assert.match(model.summary.warnings.join(), /inputs the encoder's "label" and the decoder's "y" \(3 values\) taken as a condition; encoding and decoding use class 0 unless conditions are given/);
    const product = (row: number[], w: onnx.ITensorProto, columns: number) => Array.from({ length: columns }, (_, j) => row.reduce((sum, v, i) => sum + v * w.floatData![i * columns + j]!, 0));
    const inputs = Float32Array.from([0.1, 0.2, 0.3, 0.4, -1, 0, 1, 2]);
    const labels = Float32Array.from([0, 1, 0, 0, 0, 1]);
    const codes = await model.encode(inputs, 2, { conditions: labels });
    const expected = [...product([0.1, 0.2, 0.3, 0.4, 0, 1, 0], we, 2), ...product([-1, 0, 1, 2, 0, 0, 1], we, 2)];
    assert.ok(maxDifference(codes, Float32Array.from(expected)) < 1e-6, `codes ${codes} against ${expected}`);
    const decoded = await model.decode(codes, 2);
    const byDefault = [...product([...codes.subarray(0, 2), 1, 0, 0], wd, 4), ...product([...codes.subarray(2, 4), 1, 0, 0], wd, 4)];
    assert.ok(maxDifference(decoded, Float32Array.from(byDefault)) < 1e-6, 'decoding defaults to class 0');
    await assert.rejects(model.decode(codes, 2, { conditions: new Float32Array(4) }), /conditions must hold 2 × 3 values \(one condition per sample\) or 3 \(one for all\), got 4/);
  });
});

describe('loadAutoencoder(ONNX uint8 model with a fixed batch of 3, built here)', () => {
  test('uint8 input and output, fixed batch 3: 5 samples are fed as 3 + 2 (padded), values rounded in and read back as numbers', async () => {
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const UINT8 = onnx.TensorProto.DataType.UINT8;
    const value = (name: string, type: number) => ({ name, type: { tensorType: { elemType: type, shape: { dim: [{ dimValue: 3 }, { dimValue: 4 }] } } } });
    const down = { name: 'down', dataType: FLOAT, dims: [4, 2], floatData: [0.5, 0, 0.5, 0, 0, 0.5, 0, 0.5] };
    const up = { name: 'up', dataType: FLOAT, dims: [2, 4], floatData: [1, 1, 0, 0, 0, 0, 1, 1] };
    const to = (type: number) => [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: type }];
    const proto = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'uint8_ae',
        node: [
          { opType: 'Cast', input: ['pixels'], output: ['as_float'], attribute: to(FLOAT) },
          { opType: 'MatMul', input: ['as_float', 'down'], output: ['code'] },
          { opType: 'MatMul', input: ['code', 'up'], output: ['restored'] },
          { opType: 'Cast', input: ['restored'], output: ['image'], attribute: to(UINT8) },
        ],
        initializer: [down, up],
        input: [value('pixels', UINT8)],
        output: [value('image', UINT8)],
      },
    });
    const path = join(scratch, 'uint8-batch3.onnx');
    writeFileSync(path, onnx.ModelProto.encode(proto).finish());
    const model = await open(path);
    assert.deepEqual([model.summary.kind, model.summary.latent.layer, model.latentSize], ['autoencoder', 'code', 2]);
    // Pairs of equal pixels average to themselves, so the model gives back its (rounded) input.
    const inputs = Float32Array.from([10, 10, 200, 200, 0, 0, 255, 255, 3.4, 3.4, 7.6, 7.6, 1, 1, 2, 2, 99, 99, 100, 100]);
    assert.deepEqual([...(await model.encode(inputs, 5))], [10, 200, 0, 255, 3, 8, 1, 2, 99, 100]);
    assert.deepEqual([...(await model.reconstruct(inputs, 5))], [10, 10, 200, 200, 0, 0, 255, 255, 3, 3, 8, 8, 1, 1, 2, 2, 99, 99, 100, 100]);
  });
});

describe('loadAutoencoder(ONNX) errors', () => {
  /** meanzar with its first Relu replaced by `opType` in `domain`. */
  function withOperator(name: string, opType: string, domain: string, opset: number): string {
    const proto = onnx.ModelProto.decode(readFileSync(MEANZAR));
    const relu = proto.graph!.node!.find((node) => node.opType === 'Relu')!;
    relu.opType = opType;
    relu.domain = domain;
    if (domain) proto.opsetImport!.push({ domain, version: 1 });
    else proto.opsetImport!.find((entry) => !entry.domain)!.version = opset;
    const path = join(scratch, name);
    writeFileSync(path, onnx.ModelProto.encode(proto).finish());
    return path;
  }

  test('an operator the runtime lacks names the operator, in one line', async () => {
    const custom = withOperator('custom-op.onnx', 'FancyRelu', 'com.example', 13);
    assert.match(await refusal(custom), /custom-op\.onnx: the ONNX operator com\.example:FancyRelu \(not a standard operator\) is not supported by onnxruntime-\w+ [\d.]+ .*; re-export the model without it/);
  });

  test('an operator with no kernel (ImageDecoder) names the operator, its opset and node', async () => {
    const input = { name: 'bytes', type: { tensorType: { elemType: onnx.TensorProto.DataType.UINT8, shape: { dim: [{ dimValue: 64 }] } } } };
    const output = { name: 'pixels', type: { tensorType: { elemType: onnx.TensorProto.DataType.UINT8, shape: { dim: [{ dimParam: 'h' }, { dimParam: 'w' }, { dimValue: 3 }] } } } };
    const proto = onnx.ModelProto.create({ irVersion: 9, opsetImport: [{ domain: '', version: 20 }], graph: { name: 'g', node: [{ opType: 'ImageDecoder', input: ['bytes'], output: ['pixels'], name: 'decode_image' }], input: [input], output: [output] } });
    const path = join(scratch, 'image-decoder.onnx');
    writeFileSync(path, onnx.ModelProto.encode(proto).finish());
    assert.match(await refusal(path), /image-decoder\.onnx: the ONNX operator ImageDecoder \(opset 20, node decode_image\) is not supported by /);
  });

  test('an encoder and a decoder whose sizes do not meet are refused, naming both sizes', async () => {
    assert.match(await refusal(join(RADIO, 'encoder.onnx'), SEHTASHAM), /encoder\.onnx: the encoder gives symbols 128 values per sample but the decoder autoencoder\.onnx takes 10 \(sensor_input \[10\]\); these files are not two halves of one autoencoder$/);
  });

  test('a truncated ONNX file is described, not parsed', async () => {
    const path = join(scratch, 'truncated.onnx');
    writeFileSync(path, readFileSync(MEANZAR).subarray(0, 4096));
    assert.match(await refusal(path), /truncated\.onnx: this is a truncated ONNX model \(4096 bytes: its graph runs past the end\); Latent Explorer opens/);
  });

  test('inputs of the wrong length get one line with the expected shape', async () => {
    const model = await open(MEANZAR);
    await assert.rejects(model.encode(new Float32Array(100), 1), /expected 1 samples × 784 values \(shape \[784\]\) = 784 values, got 100/);
  });
});

describe('latent-explorer CLI on ONNX and PyTorch files', () => {
  const cli = async (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', resolve(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, maxBuffer: 1 << 26 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  test('inspect MODEL.onnx --json names the runtime, the code and its size; reconstruct on MNIST gives the README error', async () => {
    const inspected = await cli('inspect', MEANZAR, '--json');
    assert.equal(inspected.code, 0, inspected.stderr);
    const summary = JSON.parse(inspected.stdout) as { format: string; runtime: string; latent: { layer: string; size: number } };
    assert.equal(summary.format, 'onnx');
    assert.match(summary.runtime, /^onnxruntime-web [\d.]+ \(wasm, \d threads?\)$/);
    assert.deepEqual([summary.latent.layer, summary.latent.size], ['/encoder/encoder.2/Gemm_output_0', 3]);
    const reconstructed = await cli('reconstruct', MEANZAR, resolve(repoRoot, 'sample-models/data/mnist-test-2000'), '--json');
    assert.equal(reconstructed.code, 0, reconstructed.stderr);
    const { count, mse: error, runtime } = JSON.parse(reconstructed.stdout) as { count: number; mse: number; runtime: string };
    assert.equal(count, 2000);
    assert.equal(runtime, summary.runtime);
    close(error, 0.0495, 0.02, 'MSE over the 2000 bundled MNIST test images');
  });

  test('inspect MODEL.pth exits 1 with the one line on exporting to ONNX', async () => {
    const file = resolve(repoRoot, '../shared/fixtures/models-other/pytorch/meanzar-mnist-dense-ae/mnist_autoencoder.pth');
    const result = await cli('inspect', file);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: .*mnist_autoencoder\.pth: this is a PyTorch checkpoint .* torch\.onnx\.export\(.*\)\n$/);
  });
});

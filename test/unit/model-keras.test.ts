/**
 * Keras models (../shared/fixtures/models-other: Keras 3 .keras zips, legacy HDF5, weights-only
 * HDF5 + to_json()): each opens with the latent size its README gives, and its reconstructions
 * match the README's independently computed (numpy) errors; bad Keras files get one clear line.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { type Autoencoder, ModelLoadError, initBackend, loadAutoencoder, loadModelFile, tf } from '../../src/core/model';
import { ENCODE_CHUNK, provideEncodeThreads } from '../../src/core/model/encodePool';
import { snakeCase } from '../../src/core/model/keras/weights';
import { startEncodeThread } from '../../src/worker/encodeThreads';
import { fashionImages, mnistImages, mse, repoRoot } from './model-helpers';

const other = (path: string): string => resolve(repoRoot, '../shared/fixtures/models-other', path);

/** 28×28 images zero-padded to 32×32 (2 pixels each side), as mayacabral's main.py does. */
function padTo32(images: Float32Array, count: number): Float32Array {
  const padded = new Float32Array(count * 1024);
  for (let n = 0; n < count; n++) {
    for (let row = 0; row < 28; row++) padded.set(images.subarray(n * 784 + row * 28, n * 784 + row * 28 + 28), n * 1024 + (row + 2) * 32 + 2);
  }
  return padded;
}

/** x + sigma·N(0, 1), clipped to [0, 1], from a seeded generator (Box–Muller over a 32-bit LCG). */
function noisy(images: Float32Array, sigma: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return images.map((value) => Math.min(1, Math.max(0, value + sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()))));
}

function close(actual: number, expected: number, tolerance: number, what: string): void {
  console.log(`${what}: ${actual.toFixed(5)} (README ${expected})`);
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${what}: ${actual.toFixed(5)} vs ${expected} (±${tolerance * 100} %)`);
}

let opened: Autoencoder[] = [];
async function open(path: string, options: Parameters<typeof loadAutoencoder>[1] = {}): Promise<Autoencoder> {
  const autoencoder = await loadAutoencoder(other(path), options);
  opened.push(autoencoder);
  return autoencoder;
}

before(async () => {
  await initBackend();
});
after(() => {
  opened.forEach((autoencoder) => autoencoder.dispose());
  opened = [];
});

describe('Keras 3 .keras', () => {
  test('snakeCase() names weight keys as Keras does', () => {
    assert.deepEqual(['Dense', 'Conv2DTranspose', 'BatchNormalization', 'Functional', 'LeakyReLU'].map(snakeCase), [
      'dense',
      'conv2d_transpose',
      'batch_normalization',
      'functional',
      'leaky_re_lu',
    ]);
  });

  test('rahulraimau credit-card dense AE: 30 → code of 16 → 30, dialect keras3', async () => {
    const ae = await open('keras3/rahulraimau-creditcard-dense-ae/autoencoder.keras');
    assert.equal(ae.summary.dialect, 'keras3');
    assert.deepEqual([ae.inputShape, ae.latentSize, ae.outputShape], [[30], 16, [30]]);
  });

  test('mayacabral conv AE (decoder nested): 2-D code, reconstruction MSE 0.0224 on 200 padded Fashion-MNIST', async () => {
    const ae = await open('keras3/mayacabral-fashion-conv-ae/autoencoder.keras');
    assert.equal(ae.latentSize, 2);
    const images = padTo32(fashionImages(20), 200);
    close(mse(await ae.reconstruct(images, 200), images), 0.0224, 0.01, 'mayacabral MSE');
  });

  test("mayacabral: the automatic split equals the authors' own encoder.keras and decoder.keras (1e-5)", async () => {
    const ae = await open('keras3/mayacabral-fashion-conv-ae/autoencoder.keras');
    const pair = await open('keras3/mayacabral-fashion-conv-ae/encoder.keras', { decoderPath: other('keras3/mayacabral-fashion-conv-ae/decoder.keras') });
    const images = padTo32(fashionImages(2), 20);
    const [codes, theirCodes] = [await ae.encode(images, 20), await pair.encode(images, 20)];
    assert.ok(maxDifference(codes, theirCodes) < 1e-5, `codes differ by ${maxDifference(codes, theirCodes)}`);
    const [decoded, theirDecoded] = [await ae.decode(theirCodes, 20), await pair.decode(theirCodes, 20)];
    assert.ok(maxDifference(decoded, theirDecoded) < 1e-5, `decodes differ by ${maxDifference(decoded, theirDecoded)}`);
  });

  test('janfab conv VAE pair (BatchNorm, dict outputs, Lambda sampling): 16-D mean code, MSE 0.0180 on 200 Fashion-MNIST', async () => {
    const ae = await open('keras3/janfab-fashion-vae');
    assert.equal(ae.latentSize, 16);
    assert.ok(ae.isVariational);
    assert.ok(ae.summary.warnings.some((line) => /Lambda layer "z".*sampling stand-in/.test(line)), ae.summary.warnings.join('\n'));
    const images = fashionImages(20);
    close(mse(await ae.decode(await ae.encode(images, 200), 200), images), 0.018, 0.01, 'janfab MSE');
  });

  test('ajioz Sequential denoiser: 4×4×8 code; denoises noise 0.5 to MSE ≈ 0.0218 on 200 MNIST', async () => {
    const ae = await open('keras3/ajioz-mnist-denoiser/denoising_autoencoder.keras');
    assert.deepEqual(ae.latentShape, [4, 4, 8]);
    const clean = mnistImages(200);
    close(mse(await ae.reconstruct(noisy(clean, 0.5, 7), 200), clean), 0.0218, 0.05, 'ajioz denoised MSE');
  });

  test('shahd CIFAR-10 denoiser: 8×8×32 code, and the .h5 twin gives identical outputs', async () => {
    const zip = await open('keras3/shahd-cifar10-denoiser/denoising_autoencoder.keras');
    const h5 = await open('keras-h5/shahd-cifar10-denoiser/denoising_autoencoder.h5');
    assert.deepEqual([zip.latentShape, h5.latentShape], [[8, 8, 32], [8, 8, 32]]);
    assert.equal(h5.summary.dialect, 'keras-h5');
    const inputs = noisy(new Float32Array(4 * 32 * 32 * 3).fill(0.5), 0.3, 3);
    assert.deepEqual(await h5.reconstruct(inputs, 4), await zip.reconstruct(inputs, 4));
  });

  test('loading and disposing Keras models leaves no tensors behind (the model built to learn weight names included)', async () => {
    const before = tf.memory().numTensors;
    for (const path of ['keras3/janfab-fashion-vae', 'keras3/mayacabral-fashion-conv-ae/autoencoder.keras']) (await loadAutoencoder(other(path))).dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test('janfab vae_model.keras (subclassed, no layer graph) gets the clear error', async () => {
    await rejects(loadModelFile(other('keras3/janfab-fashion-vae/vae_model.keras')), /subclassed model \(Custom>VAE\) with no architecture; save the encoder and decoder as Functional models$/);
  });
});

describe('legacy Keras HDF5', () => {
  test('axiomatic Keras 2.2.2 pair (no InputLayer, session-suffixed names): code of 10, MSE 0.0109 vs sigmoid(raw) on 1000 MNIST', async () => {
    const ae = await open('keras-h5/axiomatic-mnist-dense-pair');
    assert.equal(ae.latentSize, 10);
    const raw = mnistImages(1000).map((value) => Math.round(value * 255));
    const target = raw.map((value) => 1 / (1 + Math.exp(-value)));
    close(mse(await ae.decode(await ae.encode(raw, 1000), 1000), target), 0.0109, 0.01, 'axiomatic MSE');
  });

  test('encode threads (each loading the HDF5 pair itself) give the codes of one thread', async () => {
    provideEncodeThreads((data) => startEncodeThread(data, join(repoRoot, 'src/worker/encodeWorker.ts')));
    try {
      const count = 2 * ENCODE_CHUNK + 5;
      const raw = mnistImages(count).map((value) => Math.round(value * 255));
      const one = await open('keras-h5/axiomatic-mnist-dense-pair');
      const two = await open('keras-h5/axiomatic-mnist-dense-pair', { encodeThreads: 2 });
      assert.deepEqual(await two.encode(raw, count), await one.encode(raw, count));
    } finally {
      provideEncodeThreads(null);
    }
  });

  test('koustav HDF5 named .keras (tf.keras 2.10): 37 → code of 32 → 37', async () => {
    const ae = await open('keras-h5/koustav-kdd99-tabular-ae/autoencoder.keras');
    assert.deepEqual([ae.inputShape, ae.latentSize, ae.summary.dialect], [[37], 32, 'keras-h5']);
  });

  test('psylence weights-only model.h5 + autoencoder.json: 7×7×32 code, denoises noise 0.5 to MSE ≈ 0.0188 on 200 Fashion-MNIST', async () => {
    const ae = await open('keras-h5/psylence-fashion-denoiser-weights-json');
    assert.deepEqual([ae.latentShape, ae.summary.dialect], [[7, 7, 32], 'keras-json']);
    const clean = fashionImages(20);
    close(mse(await ae.reconstruct(noisy(clean, 0.5, 11), 200), clean), 0.0188, 0.05, 'psylence denoised MSE');
    const viaJson = await loadModelFile(other('keras-h5/psylence-fashion-denoiser-weights-json/autoencoder.json'));
    assert.equal(viaJson.dialect, 'keras-json');
    if (viaJson.format === 'layers-model') viaJson.model.weights.forEach((weight) => weight.dispose());
  });
});

describe('bad Keras files', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'le-keras-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const ajioz = () => readFileSync(other('keras3/ajioz-mnist-denoiser/denoising_autoencoder.keras'));

  test('a truncated .keras zip', async () => {
    const file = join(scratch, 'truncated.keras');
    writeFileSync(file, ajioz().subarray(0, 60_000));
    await rejects(loadModelFile(file), /truncated/);
  });

  test('a .keras whose config.json would inflate past its ceiling is refused before inflating', async () => {
    const file = join(scratch, 'bomb.keras');
    writeFileSync(file, zipSync({ 'config.json': new Uint8Array(65 * 2 ** 20), 'model.weights.h5': new Uint8Array(8) }, { level: 9 }));
    await rejects(loadModelFile(file), /config\.json inflates to 68157440 bytes, more than the 67108864 this tool reads$/);
  });

  test('a truncated HDF5 file, with no HDF5 diagnostics on stderr', async () => {
    const file = join(scratch, 'truncated.h5');
    writeFileSync(file, readFileSync(other('keras-h5/koustav-kdd99-tabular-ae/autoencoder.keras')).subarray(0, 50_000));
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array): boolean => written.push(String(chunk)) > 0;
    try {
      await rejects(loadModelFile(file), /truncated\.h5: the file is not a readable HDF5 file \(damaged or truncated\)/);
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written.filter((line) => line.includes('HDF5')), []);
  });

  test('a .keras whose weights do not match its config names the layer and both shapes', async () => {
    const members = unzipSync(ajioz());
    const config = JSON.parse(new TextDecoder().decode(members['config.json'])) as { config: { layers: { config: { filters?: number } }[] } };
    config.config.layers[1]!.config.filters = 16;
    const file = join(scratch, 'mismatch.keras');
    writeFileSync(file, zipSync({ ...members, 'config.json': strToU8(JSON.stringify(config)) }));
    await rejects(
      loadModelFile(file),
      /the weights in model\.weights\.h5 do not match config\.json \(layer conv2d(_\d+)? expects \[3,3,1,16\], file has \[3,3,1,32\]\)$/,
    );
  });

  test('a .keras with a damaged byte fails its CRC-32 check instead of reaching the model builder (found by npm run fuzz)', async () => {
    const bytes = new Uint8Array(zipSync(unzipSync(ajioz()), { level: 0 }));
    const at = Buffer.from(bytes).indexOf('"class_name"') + 5;
    bytes[at] ^= 0x80;
    const file = join(scratch, 'flipped.keras');
    writeFileSync(file, bytes);
    await rejects(loadModelFile(file), /config\.json in the \.keras archive fails its CRC-32 check/);
  });

  test('a layer call whose inputs were lost (a mangled "class_name" in a Keras 3 inbound node) is refused, not re-queued forever', async () => {
    const members = unzipSync(readFileSync(other('keras3/rahulraimau-creditcard-dense-ae/autoencoder.keras')));
    const config = new TextDecoder().decode(members['config.json']).replace('"class_name": "__keras_tensor__"', '"class_nam\u00e5": "__keras_tensor__"');
    const file = join(scratch, 'lost-inputs.keras');
    writeFileSync(file, zipSync({ ...members, 'config.json': strToU8(config) }));
    await rejects(loadModelFile(file), /call 0 of layer "dense" has no inputs; the layer graph is damaged$/);
  });

  test('an HDF5 file without model_config (a .keras weights file renamed .h5)', async () => {
    const file = join(scratch, 'weights.h5');
    writeFileSync(file, unzipSync(ajioz())['model.weights.h5']!);
    await rejects(loadModelFile(file), /holds Keras weights without the architecture, and no to_json\(\) architecture \(\.json\) file is beside it/);
  });

  test('weights-only .h5 without its JSON', async () => {
    const file = join(scratch, 'model.h5');
    writeFileSync(file, readFileSync(other('keras-h5/psylence-fashion-denoiser-weights-json/model.h5')));
    await rejects(loadModelFile(file), /model\.h5: this file holds Keras weights without the architecture, and no to_json\(\) architecture/);
  });
});

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);
}

/** One line naming the file, no stack in the message. */
async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModelLoadError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), error.message);
    return true;
  });
}

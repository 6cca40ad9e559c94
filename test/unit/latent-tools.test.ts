import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  codeAtLayoutPoint,
  interpolateCodes,
  latentHealth,
  priorCodes,
  traversalCodes,
  classCentroid,
} from '../../src/core/latentTools';
import { fitPca, projectPca } from '../../src/core/compute/pca';
import { createRng } from '../../src/core/compute/random';

function randomCodes(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dim }, () => rng.nextGaussian());
}

test('codeAtLayoutPoint(pca layout with all components) reproduces a code exactly from its position', () => {
  const n = 200;
  const dim = 3;
  const codes = randomCodes(n, dim, 1);
  const pca = fitPca(codes, n, dim, 3);
  const positions = projectPca(pca, codes, n);
  const layout = { dims: 3 as const, positions, pca, components: [0, 1, 2] };
  const spot = codeAtLayoutPoint(layout, codes, n, dim, positions.slice(21, 24), 0.1);
  assert.equal(spot.method, 'pca-inverse');
  for (let c = 0; c < dim; c++) assert.ok(Math.abs(spot.code[c] - codes[21 + c]) < 1e-4);
  assert.ok(spot.distanceToData < 1e-4);
});

test('codeAtLayoutPoint(t-SNE-like layout) blends neighbours and reports the distance to the data', () => {
  const codes = Float32Array.from([0, 0, 10, 10]);
  const layout = { dims: 2 as const, positions: Float32Array.from([0, 0, 1, 1]), pca: null, components: null };
  const atFirst = codeAtLayoutPoint(layout, codes, 2, 2, Float32Array.from([0, 0]), 1);
  assert.equal(atFirst.method, 'neighbour-blend');
  assert.ok(Math.abs(atFirst.code[0]) < 1e-6 && atFirst.distanceToData < 1e-6);
  const between = codeAtLayoutPoint(layout, codes, 2, 2, Float32Array.from([0.5, 0.5]), 1);
  assert.ok(Math.abs(between.code[0] - 5) < 1e-4);
  assert.ok(Math.abs(between.distanceToData - Math.hypot(5, 5)) < 1e-3);
});

test('interpolateCodes(from, to, steps, mode) starts and ends at the endpoints; slerp keeps the norm of equal-norm endpoints', () => {
  const from = Float32Array.from([1, 0]);
  const to = Float32Array.from([0, 1]);
  for (const mode of ['linear', 'slerp'] as const) {
    const path = interpolateCodes(from, to, 5, mode);
    assert.deepEqual(Array.from(path.slice(0, 2)), [1, 0]);
    assert.ok(Math.abs(path[8]) < 1e-6 && Math.abs(path[9] - 1) < 1e-6);
  }
  const middle = interpolateCodes(from, to, 3, 'slerp').slice(2, 4);
  assert.ok(Math.abs(Math.hypot(middle[0], middle[1]) - 1) < 1e-6);
  assert.ok(Math.abs(Math.hypot(...interpolateCodes(from, to, 3, 'linear').slice(2, 4)) - Math.SQRT1_2) < 1e-6);
  assert.throws(() => interpolateCodes(from, Float32Array.of(1), 3, 'linear'), /differ in size: 2 and 1/);
});

test('traversalCodes(unit) spans mean ± 3σ of that unit and holds the others at the anchor', () => {
  const codes = Float32Array.from([0, 5, 2, 5, 4, 5]); // unit 0: mean 2, σ √(8/3)
  const { codes: path, offsets } = traversalCodes(codes, 3, 2, { kind: 'unit', index: 0 }, 3);
  const sigma = Math.sqrt(8 / 3);
  assert.ok(Math.abs(offsets[0] + 3 * sigma) < 1e-5 && Math.abs(offsets[2] - 3 * sigma) < 1e-5);
  assert.ok(Math.abs(path[0] - (2 - 3 * sigma)) < 1e-5);
  assert.equal(path[1], 5);
  assert.throws(() => traversalCodes(codes, 3, 2, { kind: 'unit', index: 2 }, 3), /latent unit 2 out of range 0–1/);
});

test('latentHealth() counts active and dead units and computes the KL of each unit to N(0, 1)', () => {
  // Unit 0 varies, unit 1 is constant at 0 (dead and fully sparse).
  const codes = Float32Array.from([1, 0, -1, 0]);
  const logVar = new Float32Array(4); // σ² = 1 → KL = ½ μ² per sample
  const health = latentHealth(codes, 2, 2, logVar);
  assert.equal(health.activeUnits, 1);
  assert.equal(health.deadUnits, 1);
  assert.deepEqual(Array.from(health.sparsity), [0, 1]);
  assert.deepEqual(Array.from(health.klPerUnit!), [0.5, 0]);
});

test('priorCodes(count, dim, seed) is reproducible and roughly standard normal', () => {
  const a = priorCodes(1000, 4, 9);
  assert.deepEqual(a, priorCodes(1000, 4, 9));
  const meanValue = a.reduce((s, v) => s + v, 0) / a.length;
  const variance = a.reduce((s, v) => s + (v - meanValue) ** 2, 0) / a.length;
  assert.ok(Math.abs(meanValue) < 0.1 && Math.abs(variance - 1) < 0.1);
});

test('classCentroid() averages the codes of one label and refuses an absent label', () => {
  const centroid = classCentroid(Float32Array.from([0, 0, 2, 2, 9, 9]), 3, 2, Int32Array.from([1, 1, 0]), 1);
  assert.deepEqual(Array.from(centroid), [1, 1]);
  assert.throws(() => classCentroid(new Float32Array(2), 1, 2, Int32Array.of(0), 3), /no shown sample has label 3/);
});

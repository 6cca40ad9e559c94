import assert from 'node:assert/strict';
import { test } from 'node:test';

import { procrustesAlign } from '../../src/core/compute/align';
import { createRng } from '../../src/core/compute/random';

function randomLayout(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.nextGaussian() * (1 + (i % dim));
  return out;
}

/** Applies y = scale · x · R + t to row vectors. */
function transform(points: Float32Array, n: number, dim: number, rotation: number[][], scale: number, shift: number[]): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < dim; b++) {
      let sum = 0;
      for (let a = 0; a < dim; a++) sum += points[i * dim + a] * rotation[a][b];
      out[i * dim + b] = scale * sum + shift[b];
    }
  }
  return out;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

test('procrustesAlign(reference, moving, n, 2) undoes a rotation, reflection, scale and shift (disparity ~ 0)', () => {
  const n = 200;
  const reference = randomLayout(n, 2, 1);
  const angle = 1.1;
  // Rotation followed by a mirror in x.
  const mirrorRotation = [
    [-Math.cos(angle), Math.sin(angle)],
    [Math.sin(angle), Math.cos(angle)],
  ];
  const moving = transform(reference, n, 2, mirrorRotation, 3.5, [10, -4]);
  const result = procrustesAlign(reference, moving, n, 2);
  assert.ok(result.disparity < 1e-10, `disparity ${result.disparity}`);
  assert.ok(maxAbsDifference(result.aligned, reference) < 1e-4);
  assert.ok(Math.abs(result.scale - 1 / 3.5) < 1e-6, `scale ${result.scale}`);
  // The rotation is orthogonal with determinant −1 (it contains the reflection).
  const r = result.rotation;
  assert.ok(Math.abs(r[0] * r[3] - r[1] * r[2] + 1) < 1e-9);
  assert.ok(Math.abs(r[0] * r[0] + r[1] * r[1] - 1) < 1e-9);
});

test('procrustesAlign in 3-D undoes an arbitrary rotation with scale', () => {
  const n = 150;
  const reference = randomLayout(n, 3, 2);
  const [a, b] = [0.7, -1.3];
  const rotation = [
    [Math.cos(a) * Math.cos(b), -Math.sin(a), Math.cos(a) * Math.sin(b)],
    [Math.sin(a) * Math.cos(b), Math.cos(a), Math.sin(a) * Math.sin(b)],
    [-Math.sin(b), 0, Math.cos(b)],
  ];
  const moving = transform(reference, n, 3, rotation, 0.2, [1, 2, 3]);
  const result = procrustesAlign(reference, moving, n, 3);
  assert.ok(result.disparity < 1e-10, `disparity ${result.disparity}`);
  assert.ok(maxAbsDifference(result.aligned, reference) < 1e-4);
  assert.ok(Math.abs(result.scale - 5) < 1e-4);
});

test('procrustesAlign of identical layouts is the identity', () => {
  const layout = randomLayout(50, 2, 3);
  const result = procrustesAlign(layout, layout, 50, 2);
  assert.ok(result.disparity < 1e-12);
  assert.ok(Math.abs(result.scale - 1) < 1e-9);
  assert.ok(maxAbsDifference(result.rotation, [1, 0, 0, 1]) < 1e-9);
  assert.ok(maxAbsDifference(result.translation, [0, 0]) < 1e-6);
  assert.ok(maxAbsDifference(result.aligned, layout) < 1e-5);
});

test('procrustesAlign with {allowReflection: false, allowScale: false} keeps a proper rotation and unit scale', () => {
  const n = 100;
  const reference = randomLayout(n, 2, 4);
  const mirrored = transform(reference, n, 2, [
    [-1, 0],
    [0, 1],
  ], 2, [0, 0]);
  const result = procrustesAlign(reference, mirrored, n, 2, { allowReflection: false, allowScale: false });
  const r = result.rotation;
  assert.ok(Math.abs(r[0] * r[3] - r[1] * r[2] - 1) < 1e-9, 'determinant +1');
  assert.equal(result.scale, 1);
  assert.ok(result.disparity > 0.1, `a mirror image cannot be rotated onto the original, disparity ${result.disparity}`);
  const free = procrustesAlign(reference, mirrored, n, 2);
  assert.ok(free.disparity < 1e-10);
});

test('procrustesAlign handles a degenerate (collinear) layout', () => {
  const reference = new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]);
  const moving = new Float32Array([0, 0, -2, 2, -4, 4, -6, 6]);
  const result = procrustesAlign(reference, moving, 4, 2);
  assert.ok(result.disparity < 1e-10, `disparity ${result.disparity}`);
  assert.ok(maxAbsDifference(result.aligned, reference) < 1e-5);
});

test('procrustesAlign rejects mismatched sizes with the values in the message', () => {
  assert.throws(() => procrustesAlign(new Float32Array(6), new Float32Array(4), 3, 2), /moving has 4 values, expected 3 × 2 = 6/);
});

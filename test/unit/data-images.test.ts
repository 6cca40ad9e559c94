import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { openDataset } from '../../src/core/data';

/** RGBA pixels of a width×height image whose pixel p has the colour `colour(p)`. */
function rgba(width: number, height: number, colour: (p: number) => [number, number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set(colour(p), 4 * p);
  return data;
}

function png(width: number, height: number, colour: (p: number) => [number, number, number, number], colorType: 0 | 2 | 6 = 6): Buffer {
  const image = new PNG({ width, height });
  image.data = rgba(width, height, colour);
  return PNG.sync.write(image, { colorType });
}

const grey = (seed: number) => (p: number): [number, number, number, number] => [(p * 20 + seed) % 256, (p * 20 + seed) % 256, (p * 20 + seed) % 256, 255];

describe('openDataset on image folders', () => {
  let root: string;
  let counter = 0;
  /** Writes files (relative path → bytes) into a fresh folder and returns it. */
  async function folderWith(files: Record<string, Uint8Array | string>): Promise<string> {
    const folder = join(root, String(counter++));
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(folder, name)), { recursive: true });
      await writeFile(join(folder, name), bytes);
    }
    await mkdir(folder, { recursive: true });
    return folder;
  }
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-images-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('openDataset(folder with class sub-folders of grey PNGs) gives H×W uint8 images labelled by folder', async () => {
    const folder = await folderWith({
      'dog/a.png': png(3, 4, grey(1), 0),
      'cat/img10.png': png(3, 4, grey(3), 0),
      'cat/img2.png': png(3, 4, grey(2), 0),
    });
    const dataset = await openDataset(folder);
    assert.equal(dataset.format, 'images');
    assert.equal(dataset.count, 3);
    assert.deepEqual(dataset.itemShape, [4, 3]);
    assert.equal(dataset.sourceDtype, 'uint8');
    assert.equal(dataset.display, 'image');
    assert.deepEqual(dataset.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(dataset.labels!), [0, 0, 1]);
    // Natural file order inside a class: img2 before img10.
    const values = await dataset.read(0, 3);
    assert.deepEqual(Array.from(values.subarray(0, 12)), Array.from({ length: 12 }, (_, p) => (p * 20 + 2) % 256));
    assert.deepEqual(Array.from(values.subarray(12, 24)), Array.from({ length: 12 }, (_, p) => (p * 20 + 3) % 256));
  });

  test('openDataset(folder of RGBA PNGs) drops alpha and keeps H×W×3', async () => {
    const translucent = (p: number): [number, number, number, number] => [p, 100 + p, 200, p * 10];
    // pngjs blends alpha into the colour when it writes RGB, so the RGB file gets opaque pixels.
    const opaque = (p: number): [number, number, number, number] => [50 + p, p, 7, 255];
    const dataset = await openDataset(await folderWith({ 'x.png': png(2, 2, translucent), 'y.png': png(2, 2, opaque, 2) }));
    assert.deepEqual(dataset.itemShape, [2, 2, 3]);
    assert.equal(dataset.labels, null);
    assert.equal(dataset.classNames, null);
    assert.deepEqual(Array.from(await dataset.read(0, 2)), [0, 100, 200, 1, 101, 200, 2, 102, 200, 3, 103, 200, 50, 0, 7, 51, 1, 7, 52, 2, 7, 53, 3, 7]);
  });

  test('openDataset sorts integer class folder names numerically', async () => {
    const dataset = await openDataset(await folderWith({ '10/a.png': png(1, 1, grey(0)), '2/a.png': png(1, 1, grey(0)), '9/a.png': png(1, 1, grey(0)) }));
    assert.deepEqual(dataset.classNames, ['2', '9', '10']);
  });

  test('openDataset reads JPEG images (grey and colour) beside PNGs', async () => {
    const encode = (colour: (p: number) => [number, number, number, number]) => jpeg.encode({ width: 8, height: 8, data: rgba(8, 8, colour) }, 100).data;
    const colourDataset = await openDataset(await folderWith({ 'red/a.jpg': encode(() => [250, 10, 10, 255]), 'blue/b.jpeg': encode(() => [10, 10, 250, 255]) }));
    assert.deepEqual(colourDataset.itemShape, [8, 8, 3]);
    assert.deepEqual(colourDataset.classNames, ['blue', 'red']);
    const pixel = Array.from((await colourDataset.read(1, 1)).subarray(0, 3));
    pixel.forEach((value, c) => assert.ok(Math.abs(value - [250, 10, 10][c]) <= 4, `red pixel channel ${c} is ${value}`));
    const greyDataset = await openDataset(await folderWith({ 'a.jpg': encode(() => [128, 128, 128, 255]) }));
    assert.deepEqual(greyDataset.itemShape, [8, 8]);
  });

  test('openDataset applies labelNames to class folders in sorted order', async () => {
    const folder = await folderWith({ 'b/1.png': png(1, 1, grey(0)), 'a/1.png': png(1, 1, grey(0)) });
    assert.deepEqual((await openDataset(folder, { labelNames: ['Apple', 'Banana'] })).classNames, ['Apple', 'Banana']);
    await assert.rejects(openDataset(folder, { labelNames: ['Apple'] }), {
      code: 'data-labels',
      message: 'labelNames lists 1 names but there are 2 class sub-folders (a, b)',
    });
  });

  test('openDataset rejects images of different sizes, naming both files and sizes', async () => {
    const folder = await folderWith({ 'a/1.png': png(28, 28, grey(0)), 'b/2.png': png(32, 30, grey(0)) });
    await assert.rejects(openDataset(folder), {
      name: 'DataError',
      code: 'data-inconsistent',
      file: join(folder, 'b/2.png'),
      message: 'images differ in size: a/1.png is 28x28 but b/2.png is 32x30; all images must share one size',
    });
  });

  test('openDataset rejects a corrupt PNG, naming it', async () => {
    const folder = await folderWith({ 'ok.png': png(2, 2, grey(0)), 'zz.png': Buffer.from('not a png') });
    await assert.rejects(openDataset(folder), { code: 'data-corrupt', file: join(folder, 'zz.png'), message: /^cannot decode this PNG image: / });
  });

  test('openDataset rejects images both at the top level and in class sub-folders', async () => {
    const folder = await folderWith({ 'loose.png': png(1, 1, grey(0)), 'cats/a.png': png(1, 1, grey(0)) });
    await assert.rejects(openDataset(folder), {
      code: 'data-inconsistent',
      message: 'images both at the top level (loose.png) and in class sub-folders (cats/); put every image in a class sub-folder, or keep them all at the top level',
    });
  });

  test('openDataset rejects a single image file', async () => {
    const folder = await folderWith({ 'one.png': png(1, 1, grey(0)) });
    await assert.rejects(openDataset(join(folder, 'one.png')), {
      code: 'data-unsupported',
      message: 'a single image is not a dataset; open the folder that holds the images',
    });
  });

  test('openDataset rejects an empty folder, a folder with nothing readable, and a missing path', async () => {
    const empty = await folderWith({});
    const supported =
      'expected IDX files (MNIST ubyte, optionally .gz), .npy, .npz, .csv, .tsv, .json, or PNG/JPEG images (sub-folders as classes)';
    await assert.rejects(openDataset(empty), { code: 'data-empty', file: empty, message: `the folder is empty; ${supported}` });
    const other = await folderWith({ 'README.md': '# hi', 'package.json': '{}', 'sub/notes.txt': 'x' });
    await assert.rejects(openDataset(other), {
      code: 'data-unsupported',
      message: `no dataset found in this folder (it holds README.md, package.json, sub/); ${supported}`,
    });
    await assert.rejects(openDataset(join(empty, 'nope')), { code: 'data-not-found', file: join(empty, 'nope'), message: 'no such file or folder' });
  });
});

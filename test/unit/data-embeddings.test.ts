import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describeTable, openEmbeddings } from '../../src/core/data/embeddings';
import { DataError } from '../../src/core/data';

import { CLASSES, fashionParquet, fashionTable, repoRoot } from './embeddingTables';

describe('openEmbeddings on a real table (Fashion-MNIST pixels with metadata)', () => {
  let folder: string;
  const table = fashionTable();
  const n = table.label.length;
  let parquetPath: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'embeddings-'));
    parquetPath = join(folder, 'fashion.parquet');
    await writeFile(parquetPath, fashionParquet(table));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('Parquet: the list column becomes N×784 vectors equal to hyparquet’s own read; the rest is typed metadata', async () => {
    const embeddings = await openEmbeddings(parquetPath);
    assert.equal(embeddings.format, 'parquet');
    assert.equal(embeddings.count, n);
    assert.equal(embeddings.dim, 784);
    const reference = await parquetReadObjects({ file: readFileSync(parquetPath).buffer.slice(0) as ArrayBuffer });
    assert.equal(reference.length, n);
    for (const row of [0, 57, 199]) {
      assert.deepEqual(Array.from(embeddings.vectors.subarray(row * 784, (row + 1) * 784)), Array.from(Float32Array.from(reference[row].embedding as number[])));
    }
    const kinds = Object.fromEntries(embeddings.metadata.map((column) => [column.name, column.kind]));
    assert.deepEqual(kinds, { label: 'category', brightness: 'number', caption: 'text', file: 'image', top: 'boolean', taken: 'date' });
    const label = embeddings.metadata.find((column) => column.name === 'label');
    assert.ok(label?.kind === 'category');
    assert.deepEqual([...label.dictionary].sort(), [...CLASSES].sort());
    assert.equal(label.dictionary[label.codes[57]], reference[57].label);
    const brightness = embeddings.metadata.find((column) => column.name === 'brightness');
    assert.ok(brightness?.kind === 'number');
    assert.ok(Math.abs(brightness.values[57] - (reference[57].brightness as number)) < 1e-6);
    const taken = embeddings.metadata.find((column) => column.name === 'taken');
    assert.ok(taken?.kind === 'date');
    assert.equal(taken.values[21], Date.UTC(2017, 7, 2, 1));
  });

  test('describeTable reports format, count and each column’s type, the vector column with its length', async () => {
    const described = await describeTable(parquetPath);
    assert.deepEqual(described, {
      format: 'parquet',
      count: n,
      columns: [
        { name: 'embedding', type: 'vector', length: 784 },
        { name: 'label', type: 'category' },
        { name: 'brightness', type: 'number' },
        { name: 'caption', type: 'text' },
        { name: 'file', type: 'image' },
        { name: 'top', type: 'boolean' },
        { name: 'taken', type: 'date' },
      ],
    });
  });

  test('CSV with pixel columns chosen by --embedding-columns p*: the same vectors, the other columns as metadata', async () => {
    const path = join(folder, 'fashion.csv');
    const header = [...table.pixels[0].map((_, i) => `p${i}`), 'label', 'brightness', 'caption'];
    const lines = table.pixels.map((pixels, row) => [...pixels, table.label[row], table.brightness[row], `"${table.caption[row]}"`].join(','));
    await writeFile(path, [header.join(','), ...lines].join('\n'));
    const embeddings = await openEmbeddings(path, { embeddingColumns: 'p*' });
    const fromParquet = await openEmbeddings(parquetPath);
    assert.equal(embeddings.dim, 784);
    assert.equal(embeddings.count, n);
    assert.deepEqual(embeddings.vectors, fromParquet.vectors);
    assert.deepEqual(embeddings.metadata.map((column) => [column.name, column.kind]), [['label', 'category'], ['brightness', 'number'], ['caption', 'text']]);
  });

  test('NPY codes with a sidecar metadata Parquet; a sidecar of the wrong length names both counts', async () => {
    const npyPath = join(folder, 'codes.npy');
    await writeFile(npyPath, npy(table.brightness.map((b, i) => [b, i % 7, -b]), 3));
    const sidecar = join(folder, 'meta.parquet');
    await writeFile(sidecar, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'label', data: table.label, type: 'STRING' }] })));
    const embeddings = await openEmbeddings(npyPath, { metadataPath: sidecar });
    assert.equal(embeddings.format, 'npy');
    assert.equal(embeddings.dim, 3);
    assert.ok(Math.abs(embeddings.vectors[3 * 57] - table.brightness[57]) < 1e-6);
    assert.deepEqual(embeddings.metadata.map((column) => column.kind), ['category']);
    const short = join(folder, 'short.csv');
    await writeFile(short, ['label', ...table.label.slice(0, 150)].join('\n'));
    await assert.rejects(openEmbeddings(npyPath, { metadataPath: short }), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.equal(error.file, short);
      assert.match(error.message, /the metadata has 150 rows but .*codes\.npy has 200 vectors/);
      return true;
    });
  });
});

describe('openEmbeddings on the wine table with a text label', () => {
  let folder: string;
  let path: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'embeddings-wine-'));
    const lines = readFileSync(join(repoRoot, 'sample-models/data/wine/wine.csv'), 'utf8').trim().split('\n');
    // The cultivar as scikit-learn names it: a text column, which the model-dataset reader refuses as a feature.
    path = join(folder, 'wine.csv');
    await writeFile(path, [lines[0], ...lines.slice(1).map((line) => line.replace(/,(\d)$/, ',class_$1'))].join('\n'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('the 13 numeric columns are the vectors and the class is a category of 59, 71 and 48 wines', async () => {
    const embeddings = await openEmbeddings(path);
    assert.equal(embeddings.format, 'csv');
    assert.equal(embeddings.count, 178);
    assert.equal(embeddings.dim, 13);
    assert.equal(embeddings.vectors[0], Math.fround(14.23));
    assert.equal(embeddings.vectors[12], 1065);
    const [cultivar] = embeddings.metadata;
    assert.ok(cultivar.kind === 'category');
    assert.equal(cultivar.name, 'class');
    const sizes = Object.fromEntries(cultivar.dictionary.map((name, code) => [name, cultivar.codes.filter((c) => c === code).length]));
    assert.deepEqual(sizes, { class_0: 59, class_1: 71, class_2: 48 });
    assert.deepEqual(cultivar.dictionary, ['class_1', 'class_0', 'class_2'], 'most frequent first');
  });
});

describe('openEmbeddings on bad input: one clear error, NaN rows listed and left out', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'embeddings-bad-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  async function parquet(name: string, columnData: Parameters<typeof parquetWriteBuffer>[0]['columnData'], extra: Partial<Parameters<typeof parquetWriteBuffer>[0]> = {}): Promise<string> {
    const path = join(folder, name);
    await writeFile(path, new Uint8Array(parquetWriteBuffer({ columnData, ...extra })));
    return path;
  }

  test('a ragged vector column names both lengths and the row', async () => {
    const path = await parquet('ragged.parquet', [{ name: 'vector', data: [[1, 2, 3], [4, 5, 6], [7, 8]] }, { name: 'id', data: ['a', 'b', 'c'], type: 'STRING' }]);
    await assert.rejects(openEmbeddings(path), /column "vector" is ragged: row 1 has 3 numbers but row 3 has 2/);
  });

  test('NaN vectors are left out with a count and their rows listed; their metadata goes with them', async () => {
    const path = join(folder, 'nan.csv');
    await writeFile(path, 'e0,e1,name\n1,2,a\nNaN,3,b\n4,5,c\n6,,d\n');
    const embeddings = await openEmbeddings(path, { embeddingColumns: 'e*' });
    assert.equal(embeddings.count, 2);
    assert.deepEqual(embeddings.dropped, [1, 3]);
    assert.deepEqual(Array.from(embeddings.vectors), [1, 2, 4, 5]);
    assert.deepEqual(embeddings.warnings, ['2 of 4 vectors have NaN or infinite values and are left out (rows 2, 4)']);
    const [name] = embeddings.metadata;
    assert.ok(name.kind === 'category');
    assert.deepEqual(Array.from(name.codes, (code) => name.dictionary[code]), ['a', 'c']);
  });

  test('a Parquet compression codec hyparquet cannot read is one unsupported-data error', async () => {
    const identity = (bytes: Uint8Array) => bytes;
    const path = await parquet('lzo.parquet', [{ name: 'embedding', data: [[1, 2], [3, 4]] }], { codec: 'LZO', compressors: { LZO: identity } });
    await assert.rejects(openEmbeddings(path), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.equal(error.code, 'data-unsupported');
      assert.match(error.message, /^unsupported compression codec: LZO; rewrite the file/);
      return true;
    });
  });

  test('a file that is not Parquet, and a table with two list columns, each get one line saying what to do', async () => {
    const fake = join(folder, 'fake.parquet');
    await writeFile(fake, 'this is not parquet at all');
    await assert.rejects(openEmbeddings(fake), /not a readable Parquet file/);
    const two = await parquet('two.parquet', [{ name: 'a', data: [[1], [2]] }, { name: 'b', data: [[3], [4]] }]);
    await assert.rejects(openEmbeddings(two), /2 columns hold lists of numbers \("a", "b"\); choose one with --embedding-column NAME/);
    const picked = await openEmbeddings(two, { embeddingColumn: 'b' });
    assert.deepEqual(Array.from(picked.vectors), [3, 4]);
  });
});

/** A little-endian float32 NPY of `rows` (each `dim` wide), written by hand. */
function npy(rows: number[][], dim: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${dim}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + rows.length * dim * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  new Float32Array(out.buffer, 10 + header.length).set(rows.flat());
  return out;
}

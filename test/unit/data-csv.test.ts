import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDataset } from '../../src/core/data';

describe('openDataset on CSV and TSV files', () => {
  let folder: string;
  let counter = 0;
  async function file(name: string, text: string): Promise<string> {
    const path = join(folder, `${counter++}-${name}`);
    await writeFile(path, text);
    return path;
  }
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'data-csv-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('openDataset(.csv) reads numeric feature columns and maps string labels to codes in sorted order', async () => {
    const path = await file('iris.csv', 'sepal,petal,Species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n4.9,1.3,setosa\n6.3,6.0,virginica\n');
    const dataset = await openDataset(path, { labelColumn: 'species' });
    assert.equal(dataset.format, 'csv');
    assert.equal(dataset.count, 4);
    assert.deepEqual(dataset.itemShape, [2]);
    assert.equal(dataset.display, 'tabular');
    assert.equal(dataset.sourceDtype, 'float32');
    assert.deepEqual(dataset.columns, ['sepal', 'petal']);
    assert.deepEqual(dataset.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(Array.from(dataset.labels!), [0, 1, 0, 2]);
    assert.deepEqual(Array.from(await dataset.read(0, 4)), Array.from(Float32Array.from([5.1, 1.4, 7.0, 4.7, 4.9, 1.3, 6.3, 6.0])));
  });

  test('openDataset(.csv) finds a Label/class/target column by itself; numeric labels keep their order', async () => {
    const dataset = await openDataset(await file('d.csv', 'a,b,Target\n1,2,10\n3,4,2\n5,6,10\n'));
    assert.deepEqual(dataset.columns, ['a', 'b']);
    assert.deepEqual(dataset.classNames, ['2', '10']);
    assert.deepEqual(Array.from(dataset.labels!), [1, 0, 1]);
  });

  test('openDataset(.tsv) splits on tabs, honours quotes and skips a pandas index column', async () => {
    const dataset = await openDataset(await file('d.tsv', '\tx\t"y, quoted"\tclass\n0\t1.5\t"2"\t"a ""b"""\n1\t-3e2\t4\tc\n'));
    assert.deepEqual(dataset.columns, ['x', 'y, quoted']);
    assert.deepEqual(Array.from(await dataset.read(0, 2)), [1.5, 2, -300, 4]);
    assert.deepEqual(dataset.classNames, ['a "b"', 'c']);
  });

  test('openDataset(.csv) of MNIST-like rows (784 pixel columns of 0..255) gives 28x28 uint8 images', async () => {
    const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
    const row = (label: number) => [label, ...Array.from({ length: 784 }, (_, i) => (i * label) % 256)].join(',');
    const dataset = await openDataset(await file('mnist.csv', `${header}\n${row(3)}\n${row(5)}\n`));
    assert.deepEqual(dataset.itemShape, [28, 28]);
    assert.equal(dataset.display, 'image');
    assert.equal(dataset.sourceDtype, 'uint8');
    assert.equal(dataset.columns!.length, 784);
    assert.deepEqual(dataset.classNames, ['3', '5']);
  });

  test('openDataset(.csv) without a header names columns by position', async () => {
    const dataset = await openDataset(await file('plain.csv', '1;2;3\r\n4;5;6\r\n'));
    assert.deepEqual(dataset.columns, ['column 1', 'column 2', 'column 3']);
    assert.equal(dataset.count, 2);
    await assert.rejects(openDataset(await file('plain.csv', '1,2\n3,4\n'), { labelColumn: 'label' }), {
      code: 'data-labels',
      message: 'the file has no header row, so no column is named "label"; add a header row',
    });
  });

  test('openDataset rejects a non-numeric feature cell, naming its row and column', async () => {
    const path = await file('bad.csv', 'a,b,label\n1,2,x\n3,oops,y\n');
    await assert.rejects(openDataset(path), {
      name: 'DataError',
      code: 'data-inconsistent',
      file: path,
      message: 'row 2 (line 3), column "b": "oops" is not a number; feature columns must be numeric (name a text column as the label column, or remove it)',
    });
    await assert.rejects(openDataset(await file('gap.csv', 'a,b\n1,\n')), { message: /^row 1 \(line 2\), column "b": "" is not a number;/ });
  });

  test('openDataset rejects a row with the wrong number of cells', async () => {
    await assert.rejects(openDataset(await file('ragged.csv', 'a,b\n1,2\n3,4,5\n')), {
      code: 'data-inconsistent',
      message: 'row 2 (line 3) has 3 cells but the header has 2',
    });
  });

  test('openDataset rejects a table with no feature columns, no rows, an unknown label column, or nothing at all', async () => {
    await assert.rejects(openDataset(await file('only.csv', 'label\n1\n2\n')), {
      code: 'data-empty',
      message: 'no numeric feature columns: the only column is the label column "label"',
    });
    await assert.rejects(openDataset(await file('header.csv', 'a,b\n')), { code: 'data-empty', message: 'the file has a header row but no data rows' });
    await assert.rejects(openDataset(await file('x.csv', 'a,b\n1,2\n'), { labelColumn: 'kind' }), {
      code: 'data-labels',
      message: 'no column named "kind"; the columns are "a", "b"',
    });
    const empty = await file('empty.csv', '\n\n');
    await assert.rejects(openDataset(empty), { code: 'data-empty', message: 'the file is empty' });
  });
});

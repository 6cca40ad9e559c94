/** `data FILE --json` on a Parquet table and `project --codes` on Parquet and CSV embeddings, through the real CLI. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fashionParquet, fashionTable } from './embeddingTables';
import { latentExplorer } from './cli-helpers';



describe('latent-explorer on embedding tables', () => {
  let folder: string;
  let parquet: string;
  const table = fashionTable();
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cli-embeddings-'));
    parquet = join(folder, 'fashion.parquet');
    await writeFile(parquet, fashionParquet(table));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('data FILE.parquet --json gives the format, the row count and each column’s type', async () => {
    const { code, stdout } = await latentExplorer('data', parquet, '--json');
    assert.equal(code, 0);
    const json = JSON.parse(stdout) as { format: string; count: number; columns: { name: string; type: string }[] };
    assert.equal(json.format, 'parquet');
    assert.equal(json.count, 200);
    assert.deepEqual(json.columns.map((c) => `${c.name}:${c.type}`), ['embedding:vector', 'label:category', 'brightness:number', 'caption:text', 'file:image', 'top:boolean', 'taken:date']);
  });

  test('project --codes reads Parquet and CSV embeddings alike; NaN rows are a warning with their count', async () => {
    const fromParquet = await latentExplorer('project', '--codes', parquet, '--method', 'pca', '--json');
    assert.equal(fromParquet.code, 0, fromParquet.stderr);
    const parquetJson = JSON.parse(fromParquet.stdout) as { count: number; dim: number; trustworthiness: number };
    assert.equal(parquetJson.count, 200);
    assert.equal(parquetJson.dim, 784);
    const csv = join(folder, 'codes.csv');
    await writeFile(csv, ['z0,z1,z2,name', ...table.brightness.map((b, i) => (i === 3 ? `NaN,1,1,x${i}` : `${b},${i % 5},${(b * i) % 1},x${i}`))].join('\n'));
    const fromCsv = await latentExplorer('project', '--codes', csv, '--method', 'pca', '--json');
    assert.equal(fromCsv.code, 0, fromCsv.stderr);
    assert.equal((JSON.parse(fromCsv.stdout) as { count: number; dim: number }).count, 199);
    assert.match(fromCsv.stderr, /warning: 1 of 200 vectors have NaN or infinite values and are left out \(rows 4\)/);
  });

  test('a metadata sidecar of the wrong length is one error line naming both counts', async () => {
    const sidecar = join(folder, 'meta.csv');
    await writeFile(sidecar, ['name', 'a', 'b'].join('\n'));
    const { code, stderr } = await latentExplorer('project', '--codes', parquet, '--metadata', sidecar, '--method', 'pca');
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^error: .*meta\.csv: the metadata has 2 rows but .*fashion\.parquet has 200 vectors/);
  });
});

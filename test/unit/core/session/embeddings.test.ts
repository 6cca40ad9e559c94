/**
 * A session opened on embeddings with no model: Fashion-MNIST pixels in a Parquet table with class
 * names, brightness, captions and dates. Projections, clusters, neighbours, faithfulness and
 * export work on the vectors themselves; metadata columns colour the plot; decoder tools refuse.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExplorerSession } from '../../../../src/core/session';
import { InProcessProjectionRunner } from '../../../../src/core/projection';
import { nearestNeighbors } from '../../../../src/core/compute/knn';
import { CLASSES, fashionParquet, fashionTable } from '../../embeddingTables';
import { bundledSamplesRoot } from '../../../../src/cli/samples';
import { openDataset } from '../../../../src/core/data';

const SEED = 7;
const table = fashionTable();
const N = table.label.length;

describe('ExplorerSession on embeddings without a model', () => {
  let folder: string;
  let session: ExplorerSession;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'session-embeddings-'));
    const codesPath = join(folder, 'fashion.parquet');
    await writeFile(codesPath, fashionParquet(table));
    session = await ExplorerSession.open({ view: 'explorer', modelPaths: [], codesPath, settings: { sampleLimit: 1000, seed: SEED }, runner: new InProcessProjectionRunner() });
  });
  after(async () => {
    session?.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  test('ready: an encoder-only stand-in named after the file, the labels from the label column, every metadata column with its kind', async () => {
    const ready = await session.handle('ready', {});
    assert.equal(ready.models.length, 1);
    assert.equal(ready.models[0].summary.kind, 'encoder-only');
    assert.equal(ready.models[0].summary.format, 'embeddings');
    assert.equal(ready.models[0].summary.latent.size, 784);
    assert.equal(ready.models[0].label, 'fashion.parquet');
    assert.equal(ready.dataset?.format, 'parquet');
    assert.equal(ready.dataset?.shownCount, N);
    assert.deepEqual([...(ready.dataset?.labels?.classes ?? [])].sort(), [...CLASSES].sort());
    assert.deepEqual(ready.dataset?.metadata, [
      { name: 'label', kind: 'category' },
      { name: 'brightness', kind: 'number' },
      { name: 'caption', kind: 'text' },
      { name: 'file', kind: 'image' },
      { name: 'top', kind: 'boolean' },
      { name: 'taken', kind: 'date' },
    ]);
    assert.equal(ready.labels?.length, N);
  });

  test('codes are the vectors of the shown rows; neighbours are those of the raw pixels', async () => {
    const codes = session.codes('a');
    const shown = session.shown;
    const row = shown[5];
    assert.deepEqual(Array.from(codes.subarray(5 * 784, 6 * 784)), Array.from(Float32Array.from(table.pixels[row])));
    const response = await session.handle('neighbors', { slot: 'a', index: 5, k: 5, metric: 'euclidean' });
    const graph = nearestNeighbors(codes, N, 784, 5, { seed: SEED });
    assert.deepEqual(Array.from(response.indices), Array.from(graph.indices.subarray(5 * 5, 6 * 5)));
  });

  test('projection, clusters and faithfulness work on the vectors', async () => {
    const projected = await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: SEED, params: {} });
    assert.equal(projected.positions.length, N * 2);
    assert.ok(projected.trustworthiness > 0.8, `PCA of Fashion-MNIST pixels keeps neighbours (${projected.trustworthiness})`);
    const clusters = await session.handle('column', { column: { kind: 'cluster', slot: 'a', k: 4 } });
    assert.equal(new Set(clusters.values).size, 4);
    assert.ok(typeof clusters.stats.purity === 'number' && clusters.stats.purity > 0.3);
    const faithfulness = await session.handle('column', { column: { kind: 'faithfulness', slot: 'a' } });
    assert.equal(faithfulness.values.length, N);
  });

  test('metadata colours: categories with their names, numbers with their range, booleans, dates in days', async () => {
    const label = await session.handle('column', { column: { kind: 'metadata', name: 'label' } });
    assert.equal(label.scale, 'categorical');
    const shown = session.shown;
    for (const i of [0, 77, 199]) assert.equal(label.categories?.[label.values[i]], table.label[shown[i]]);
    const brightness = await session.handle('column', { column: { kind: 'metadata', name: 'brightness' } });
    assert.equal(brightness.scale, 'continuous');
    assert.equal(brightness.stats.min, Math.fround(Math.min(...table.brightness)));
    assert.equal(brightness.stats.max, Math.fround(Math.max(...table.brightness)));
    const top = await session.handle('column', { column: { kind: 'metadata', name: 'top' } });
    assert.deepEqual(top.categories, ['false', 'true', '(missing)']);
    assert.equal(top.values[3], table.top[shown[3]] ? 1 : 0);
    const taken = await session.handle('column', { column: { kind: 'metadata', name: 'taken' } });
    assert.ok(Math.abs(taken.values[9] - table.taken[shown[9]].getTime() / 86_400_000) < 0.01);
    await assert.rejects(session.handle('column', { column: { kind: 'metadata', name: 'caption' } }), /"caption" is a text column/);
    await assert.rejects(session.handle('column', { column: { kind: 'metadata', name: 'nope' } }), /no metadata column named "nope"; the columns are "label", "brightness"/);
  });

  test('decoder tools refuse with one reason; reconstruction error is not there', async () => {
    await assert.rejects(session.handle('decodeAt', { slot: 'a', point: new Float32Array([0, 0]) }), /has no decoder|only embeddings/);
    await assert.rejects(session.handle('column', { column: { kind: 'reconstructionError', slot: 'a' } }), /cannot reconstruct/);
  });

  test('export writes the vectors of a selection', async () => {
    const exported = await session.handle('exportCodes', { slot: 'a', format: 'npy', indices: Int32Array.of(0, 1, 2) });
    assert.ok(exported.data.length > 3 * 784 * 4);
  });
});

describe('ExplorerSession with a model and a metadata sidecar (mnist-dense on the bundled MNIST slice)', () => {
  let folder: string;
  let session: ExplorerSession;
  let labels: Int32Array;
  let ink: Float32Array;
  const root = bundledSamplesRoot();
  const data = join(root, 'data', 'mnist-test-2000');
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'session-sidecar-'));
    const dataset = await openDataset(data);
    labels = dataset.labels!;
    const pixels = await dataset.read(0, dataset.count);
    await dataset.close();
    ink = Float32Array.from({ length: labels.length }, (_, i) => pixels.subarray(i * 784, (i + 1) * 784).reduce((a, b) => a + b, 0) / 784);
    const rows = Array.from(labels, (label, i) => `${label % 2 ? 'odd' : 'even'},${ink[i]}`);
    await writeFile(join(folder, 'meta.csv'), ['parity,ink', ...rows].join('\n'));
    await writeFile(join(folder, 'short.csv'), ['parity,ink', ...rows.slice(0, 10)].join('\n'));
    session = await ExplorerSession.open({ view: 'explorer', modelPaths: [join(root, 'mnist-dense')], dataPath: data, metadataPath: join(folder, 'meta.csv'), settings: { sampleLimit: 300, seed: SEED }, runner: new InProcessProjectionRunner() });
  });
  after(async () => {
    session?.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  test('the sidecar’s columns colour the shown samples, row for row', async () => {
    const ready = await session.handle('ready', {});
    assert.deepEqual(ready.dataset?.metadata, [{ name: 'parity', kind: 'category' }, { name: 'ink', kind: 'number' }]);
    const parity = await session.handle('column', { column: { kind: 'metadata', name: 'parity' } });
    const shown = session.shown;
    for (let i = 0; i < shown.length; i++) assert.equal(parity.categories?.[parity.values[i]], labels[shown[i]] % 2 ? 'odd' : 'even');
    const inkColumn = await session.handle('column', { column: { kind: 'metadata', name: 'ink' } });
    assert.ok(Math.abs(inkColumn.values[17] - ink[shown[17]]) < 1e-6);
  });

  test('a sidecar with the wrong row count fails the open with both counts', async () => {
    await assert.rejects(
      ExplorerSession.open({ view: 'explorer', modelPaths: [join(root, 'mnist-dense')], dataPath: data, metadataPath: join(folder, 'short.csv'), settings: { sampleLimit: 50 }, runner: new InProcessProjectionRunner() }),
      /the metadata has 10 rows but .*mnist-test-2000 has 2000 samples; give one metadata row per sample/,
    );
  });
});

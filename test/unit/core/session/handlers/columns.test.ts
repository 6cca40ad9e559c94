/**
 * The session's latent tools the explorer UI leans on: the raw-input baseline with label
 * separability, ranking against a threshold (anomalies, sensitivity), k-means with decoded
 * centroids, and a VAE's KL summary. Real sample models on the bundled MNIST slice; every number
 * is checked against a direct computation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ExplorerSession } from '../../../../../src/core/session';
import { InProcessProjectionRunner } from '../../../../../src/core/projection';
import { bundledSamplesRoot } from '../../../../../src/cli/samples';
import { flagAbove, unitHistograms } from '../../../../../src/core/latentTools';
import { nearestNeighbors } from '../../../../../src/core/compute/knn';
import { knnAccuracy } from '../../../../../src/core/compute/metrics';
import { silhouette } from '../../../../../src/core/compute/kmeans';
import type { ToWebviewMessage } from '../../../../../src/shared/protocol';

const root = bundledSamplesRoot();
const data = join(root, 'data', 'mnist-test-2000');
const SEED = 11;
const N = 400;
const noProgress = { signal: new AbortController().signal, progress: () => {} };

function open(model: string): Promise<ExplorerSession> {
  return ExplorerSession.open({
    view: 'explorer',
    modelPaths: [join(root, model)],
    dataPath: data,
    settings: { sampleLimit: N, seed: SEED },
    runner: new InProcessProjectionRunner(),
  });
}

const all = Int32Array.from({ length: N }, (_, i) => i);

describe('ExplorerSession tools on mnist-dense', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await open('mnist-dense');
  });
  after(() => session.dispose());

  test('baseline(pca) projects the raw pixels and reports the separability of pixels and codes as a direct 10-NN and silhouette give them', async () => {
    const baseline = await session.handle('baseline', { slot: 'a', method: 'pca', dims: 2, seed: SEED, params: {} }, noProgress);
    assert.equal(baseline.method, 'pca');
    assert.equal(baseline.dims, 2);
    assert.equal(baseline.positions.length, N * 2);
    assert.ok(baseline.seconds >= 0);
    assert.ok(baseline.trustworthiness > 0.5 && baseline.trustworthiness <= 1, `trustworthiness ${baseline.trustworthiness}`);
    const labels = (await session.handle('ready', {})).labels!;
    const pixels = (await session.handle('samples', { slot: 'a', indices: all, includeReconstruction: false })).originals;
    const codes = session.codes('a');
    const latentSize = session.model('a').latentSize;
    const direct = (values: Float32Array, dim: number) => ({
      knnAccuracy: knnAccuracy(nearestNeighbors(values, N, dim, 10, { seed: SEED }), labels),
      silhouette: silhouette(values, N, dim, labels, { sampleSize: 1000, seed: SEED }),
    });
    assert.deepEqual(baseline.raw, direct(pixels, 784));
    assert.deepEqual(baseline.latent, direct(codes, latentSize));
    // MNIST digits are far from random in either space.
    assert.ok(baseline.raw!.knnAccuracy > 0.7 && baseline.latent!.knnAccuracy > 0.7, JSON.stringify(baseline));
    // Components [1, 2] put the pixels' second principal component on the x axis: the y of the default layout.
    const other = await session.handle('baseline', { slot: 'a', method: 'pca', dims: 2, seed: SEED, params: { components: [1, 2] } }, noProgress);
    assert.deepEqual(other.raw, baseline.raw, 'separability does not depend on the layout');
    for (let i = 0; i < N; i++) assert.ok(Math.abs(other.positions[i * 2] - baseline.positions[i * 2 + 1]) < 1e-3, `PC2 of sample ${i}`);
  });

  test('rank(reconstructionError, null) flags the errors above mean + 3σ, highest first, and gives the percentile', async () => {
    const errors = session.errors('a');
    const mean = errors.reduce((a, v) => a + v, 0) / N;
    const std = Math.sqrt(errors.reduce((a, v) => a + (v - mean) ** 2, 0) / N);
    const above = Array.from(errors).filter((e) => e > mean + 3 * std).length;
    const ranked = await session.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: null, limit: N });
    assert.ok(Math.abs(ranked.threshold - (mean + 3 * std)) < 1e-6, `${ranked.threshold} vs ${mean + 3 * std}`);
    assert.equal(ranked.defaultThreshold, ranked.threshold);
    assert.equal(ranked.flaggedCount, above);
    assert.ok(above > 0, 'a few MNIST test digits reconstruct badly');
    assert.equal(ranked.indices.length, N);
    for (let k = 0; k < N; k++) assert.equal(ranked.values[k], errors[ranked.indices[k]]);
    for (let k = 1; k < N; k++) assert.ok(ranked.values[k] <= ranked.values[k - 1]);
    assert.ok(ranked.values[above - 1] > ranked.threshold && (above === N || ranked.values[above] <= ranked.threshold));
    assert.ok(Math.abs(ranked.percentile - (100 * (N - above)) / N) < 1e-9);
    assert.equal(ranked.min, Math.min(...errors));
    assert.equal(ranked.max, Math.max(...errors));
  });

  test('rank(threshold = median) flags half the samples; the column colouring reports the same default threshold', async () => {
    const sorted = Float32Array.from(session.errors('a')).sort();
    const median = sorted[N / 2 - 1];
    const ranked = await session.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: median, limit: 5 });
    assert.equal(ranked.flaggedCount, N / 2);
    assert.equal(ranked.percentile, 50);
    assert.equal(ranked.indices.length, 5);
    const column = await session.handle('column', { column: { kind: 'reconstructionError', slot: 'a' } });
    assert.equal(column.stats.anomalyThreshold, ranked.defaultThreshold);
  });

  test('rank refuses categorical columns and bad thresholds with the values in the message', async () => {
    await assert.rejects(session.handle('rank', { column: { kind: 'label' }, threshold: null, limit: 3 }), /"label" is categorical/);
    await assert.rejects(session.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: NaN, limit: 3 }), /threshold must be a finite number, \{ percentile \} in \[0, 100\], or null; got NaN/);
    await assert.rejects(session.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: { percentile: 120 }, limit: 3 }), /got \{"percentile":120\}/);
    await assert.rejects(session.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: null, limit: -1 }), /limit must be a non-negative integer, got -1/);
  });

  test('clusterCentroids(k = 4) decodes the k-means centroids of the same clustering the cluster colouring shows', async () => {
    const response = await session.handle('clusterCentroids', { slot: 'a', k: 4 });
    const column = await session.handle('column', { column: { kind: 'cluster', slot: 'a', k: 4 } });
    const dim = session.model('a').latentSize;
    assert.equal(response.k, 4);
    assert.equal(response.sizes.reduce((a, b) => a + b, 0), N);
    assert.equal(response.purity, column.stats.purity);
    assert.equal(response.silhouette, column.stats.silhouette);
    // Each centroid is the mean code of its cluster's members (Lloyd's fixed point).
    const codes = session.codes('a');
    for (let c = 0; c < 4; c++) {
      const members = Array.from(column.values.keys()).filter((i) => column.values[i] === c);
      assert.equal(members.length, response.sizes[c]);
      for (let j = 0; j < dim; j++) {
        const mean = members.reduce((a, i) => a + codes[i * dim + j], 0) / members.length;
        assert.ok(Math.abs(mean - response.codes[c * dim + j]) < 1e-3, `cluster ${c} unit ${j}: ${mean} vs ${response.codes[c * dim + j]}`);
      }
    }
    const decoded = await session.model('a').decode(response.codes, 4);
    assert.deepEqual(response.frames, decoded);
    assert.equal(response.frames.length, 4 * 784);
  });

  test('clusterCentroids(k = null) uses the k chosen by silhouette; k = 1 is refused', async () => {
    const auto = await session.handle('clusterCentroids', { slot: 'a', k: null });
    const column = await session.handle('column', { column: { kind: 'cluster', slot: 'a', k: null } });
    assert.equal(auto.k, column.stats.k);
    assert.ok(auto.k >= 2 && auto.k <= 12);
    await assert.rejects(session.handle('clusterCentroids', { slot: 'a', k: 1 }), /k must be an integer in 2–256, got 1/);
  });

  test('clusterCentroids places the centroids in the current PCA layout', async () => {
    await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: SEED, params: {} }, noProgress);
    const response = await session.handle('clusterCentroids', { slot: 'a', k: 3 });
    assert.equal(response.positions?.length, 3 * 2);
  });

  test('every new request answers through attach(): a ranking, and an error for a refused one', async () => {
    const messages: ToWebviewMessage[] = [];
    const channel = session.attach((message) => messages.push(message));
    channel.receive({ kind: 'request', id: 1, type: 'rank', body: { column: { kind: 'reconstructionError', slot: 'a' }, threshold: null, limit: 2 } });
    channel.receive({ kind: 'request', id: 2, type: 'clusterCentroids', body: { slot: 'b', k: 3 } });
    while (messages.filter((m) => m.kind === 'response').length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const byId = new Map(messages.flatMap((m) => (m.kind === 'response' ? [[m.id, m] as const] : [])));
    assert.equal(byId.get(1)?.ok, true);
    const refused = byId.get(2);
    assert.ok(refused && !refused.ok);
    assert.match(refused.error.message, /no model in slot "b"/);
    channel.dispose();
  });
});

describe('ExplorerSession tools on mnist-vae', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await open('mnist-vae');
  });
  after(() => session.dispose());

  test('latentHealth sums the per-unit KL and counts collapsed units (KL < 0.01)', async () => {
    const health = await session.handle('latentHealth', { slot: 'a' });
    assert.ok(health.klPerUnit);
    assert.equal(health.klPerUnit.length, 2);
    const total = health.klPerUnit.reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(health.klTotal! - total) < 1e-9);
    assert.equal(health.collapsedUnits, Array.from(health.klPerUnit).filter((v) => v < 0.01).length);
    // The sample VAE's README measures a test KL of 5.75 nats over both units.
    assert.ok(health.klTotal! > 2 && health.klTotal! < 10, `KL ${health.klTotal}`);
  });

  test('priorSamples places every prior code in the current layout, for the overlay', async () => {
    await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: SEED, params: {} }, noProgress);
    const prior = await session.handle('priorSamples', { slot: 'a', count: 400, seed: SEED });
    assert.equal(prior.positions?.length, 400 * 2);
    assert.equal(prior.frames.length, 400 * 784);
  });
});

describe('unitHistograms', () => {
  test('each class\'s share of samples per bin of each unit, by direct count', () => {
    // Unit 0 separates the classes (class 0 low, class 1 high); unit 1 is constant; sample 4 is unlabelled.
    const codes = Float32Array.from([0, 5, 0.1, 5, 0.9, 5, 1, 5, 0.5, 5]);
    const labels = Int32Array.from([0, 0, 1, 1, -1]);
    const h = unitHistograms(codes, 5, 2, labels, 2, 4);
    assert.deepEqual([h.bins, h.groups, Array.from(h.lo), Array.from(h.hi)], [4, 2, [0, 5], [1, 5]]);
    const share = (unit: number, group: number) => Array.from(h.shares.subarray((unit * 2 + group) * 4, (unit * 2 + group + 1) * 4));
    assert.deepEqual(share(0, 0), [1, 0, 0, 0]); // 0 and 0.1 in the first quarter of [0, 1]
    assert.deepEqual(share(0, 1), [0, 0, 0, 1]); // 0.9 and 1 (the maximum) in the last
    assert.deepEqual(share(1, 0), [1, 0, 0, 0]); // a constant unit: all in the first bin
    const all = unitHistograms(codes, 5, 2, null, 0, 4);
    assert.equal(all.groups, 1);
    assert.deepEqual(Array.from(all.shares.subarray(0, 4)), [0.4, 0, 0.2, 0.4].map((v) => Math.fround(v)));
  });
});

describe('flagAbove', () => {
  test('flagAbove(values, null) flags above mean + 3σ, ranks all finite values and skips NaN', () => {
    const values = Float32Array.from([...new Array(99).fill(1), 100, NaN]);
    const result = flagAbove(values, null, 3);
    const mean = (99 + 100) / 100;
    const std = Math.sqrt((99 * (1 - mean) ** 2 + (100 - mean) ** 2) / 100);
    assert.ok(Math.abs(result.threshold - (mean + 3 * std)) < 1e-9);
    assert.equal(result.flaggedCount, 1);
    assert.deepEqual(Array.from(result.indices), [99, 0, 1]);
    assert.equal(result.percentile, 99);
  });

  test('flagAbove(values, { percentile }) cuts at that nearest-rank percentile of the finite values', () => {
    // 0, 1, …, 199 shuffled, and a NaN that no percentile counts.
    const values = Float32Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
    const withNaN = Float32Array.from([...values, NaN]);
    const top1 = flagAbove(withNaN, { percentile: 99 }, 5);
    assert.equal(top1.threshold, 197); // the 198th of 200 in ascending order
    assert.equal(top1.flaggedCount, 2);
    assert.equal(top1.percentile, 99);
    assert.deepEqual(Array.from(top1.values.subarray(0, 2)), [199, 198]);
    assert.equal(flagAbove(values, { percentile: 50 }, 0).flaggedCount, 100);
    assert.equal(flagAbove(values, { percentile: 100 }, 0).flaggedCount, 0);
    assert.equal(flagAbove(values, { percentile: 0 }, 0).flaggedCount, 199);
    assert.throws(() => flagAbove(values, { percentile: 101 }, 0), /percentile must be in \[0, 100\]/);
  });

  test('flagAbove of no finite values throws', () => {
    assert.throws(() => flagAbove(Float32Array.of(NaN), null, 1), /no finite values to rank/);
  });
});

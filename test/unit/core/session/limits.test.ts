// Request limits (issue 16, "Unbounded requests"): every session request's body is checked before
// work starts, and one over a limit ends with an invalid-argument error that names the limit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ExplorerSession, LIMITS } from '../../../../src/core/session';
import type { ToWebviewMessage } from '../../../../src/shared/protocol';
import { openMnistDense } from './openSample';

const N = 300;

describe('session request limits (mnist-dense, 300 shown samples)', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await openMnistDense(N);
  });
  after(() => session.dispose());

  test('samples naming 4M indices is refused at once, naming the limit, without gathering them', async () => {
    const before = process.memoryUsage().rss;
    const started = performance.now();
    await assert.rejects(
      session.handle('samples', { slot: 'a', indices: new Int32Array(4_000_000), includeReconstruction: true }),
      { name: 'SessionError', code: 'invalid-argument', message: `4000000 indices is more than the ${N} allowed (the shown samples, at most ${LIMITS.maxIndices})` },
    );
    assert.ok(performance.now() - started < 1000);
    // Gathering 4M rows of 784 floats would take 12.5 GB; the request itself is 16 MB.
    assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20);
  });

  test('index lists must be Int32Arrays within the shown samples, for samples, denoise, activations and exportCodes', async () => {
    await assert.rejects(session.handle('samples', { slot: 'a', indices: Int32Array.of(0, N), includeReconstruction: false }), /sample index 300 out of range 0–299/);
    const tooMany = new Int32Array(N + 1);
    await assert.rejects(session.handle('denoise', { slot: 'a', indices: tooMany, noise: { type: 'gaussian', level: 0.1 }, seed: 1 }), /301 indices is more than the 300 allowed/);
    await assert.rejects(session.handle('activations', { slot: 'a', indices: tooMany, layer: 'x' }), /301 indices is more than the 300 allowed/);
    await assert.rejects(session.handle('exportCodes', { slot: 'a', format: 'csv', indices: tooMany }), /301 indices is more than the 300 allowed/);
    const plain = JSON.parse('{"slot":"a","indices":[1,2],"includeReconstruction":false}');
    await assert.rejects(session.handle('samples', plain), /indices must be an Int32Array of shown-sample indices/);
    // The whole shown set is allowed (the CLI denoises every shown sample).
    const every = Int32Array.from({ length: N }, (_, i) => i);
    assert.equal((await session.handle('samples', { slot: 'a', indices: every, includeReconstruction: false })).indices.length, N);
  });

  test('steps, counts and k are integers within their limits', async () => {
    const from = { kind: 'sample' as const, index: 0 };
    const to = { kind: 'sample' as const, index: 1 };
    await assert.rejects(session.handle('interpolate', { slot: 'a', from, to, steps: 1e9, mode: 'linear' }), new RegExp(`steps must be an integer in 2–${LIMITS.maxSteps}, got 1000000000`));
    await assert.rejects(session.handle('traverse', { slot: 'a', axis: { kind: 'unit', index: 0 }, steps: 2.5, anchor: null }), /steps must be an integer in 2–64, got 2.5/);
    await assert.rejects(session.handle('priorSamples', { slot: 'a', count: 1e7, seed: 1 }), new RegExp(`count must be an integer in 1–${LIMITS.maxPriorSamples}, got 10000000`));
    await assert.rejects(session.handle('neighbors', { slot: 'a', index: 0, k: N, metric: 'euclidean' }), /k must be an integer in 1–299, got 300/);
    await assert.rejects(session.handle('clusterCentroids', { slot: 'a', k: 10_000 }), new RegExp(`k must be an integer in 2–${LIMITS.maxClusters}, got 10000`));
    await assert.rejects(session.handle('column', { column: { kind: 'cluster', slot: 'a', k: 1000 } }), /k must be an integer in 2–256, got 1000/);
    await assert.rejects(session.handle('compareStats', { k: 0 }), /k must be an integer in 1–256, got 0/);
    await assert.rejects(session.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: null, limit: 0.5 }), /limit must be a non-negative integer, got 0.5/);
  });

  test('numbers must be finite: seeds, noise levels, layout points', async () => {
    await assert.rejects(session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: NaN, params: {} }), /seed must be a finite number, got NaN/);
    await assert.rejects(session.handle('project', { slot: 'a', method: 'pca', dims: JSON.parse('4'), seed: 1, params: {} }), /dims must be 2 or 3, got 4/);
    await assert.rejects(session.handle('denoise', { slot: 'a', indices: Int32Array.of(0), noise: { type: 'gaussian', level: Infinity }, seed: 1 }), /noise level must be a finite number, got Infinity/);
    await assert.rejects(session.handle('decodeAt', { slot: 'a', point: Float32Array.of(0, NaN) }), /point coordinate must be a finite number, got NaN/);
    await assert.rejects(session.handle('decodeAt', { slot: 'a', point: new Float32Array(1e6) }), /point must be a Float32Array of 2 or 3 layout coordinates/);
  });

  test('over a message channel, a request over a limit ends with one error response naming the limit', async () => {
    const messages: ToWebviewMessage[] = [];
    let resolveResponse!: () => void;
    const responded = new Promise<void>((resolve) => (resolveResponse = resolve));
    const channel = session.attach((message) => {
      messages.push(message);
      if (message.kind === 'response') resolveResponse();
    });
    channel.receive({ kind: 'request', id: 5, type: 'priorSamples', body: { slot: 'a', count: 5000, seed: 1 } });
    await responded;
    channel.dispose();
    assert.deepEqual(messages, [
      { kind: 'response', id: 5, type: 'priorSamples', ok: false, error: { message: 'count must be an integer in 1–4096, got 5000', code: 'invalid-argument' } },
    ]);
  });
});

test('without a dataset (the inspect view), requests naming samples say there is none rather than quoting a limit of 0', async () => {
  const model = resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'fixtures', 'models', 'codingtrain-dense-ae', 'autoencoder', 'model.json');
  const inspect = await ExplorerSession.open({ view: 'inspect', modelPaths: [model] });
  try {
    const noDataset = { name: 'SessionError', code: 'no-dataset', message: 'this view has no dataset: open the explorer to choose one' };
    await assert.rejects(inspect.handle('samples', { slot: 'a', indices: Int32Array.of(0, 1), includeReconstruction: false }), noDataset);
    await assert.rejects(inspect.handle('neighbors', { slot: 'a', index: 0, k: 5, metric: 'cosine' }), noDataset);
    // The fixed caps still apply.
    await assert.rejects(inspect.handle('samples', { slot: 'a', indices: new Int32Array(LIMITS.maxIndices + 1), includeReconstruction: false }), /100001 indices is more than the 100000 allowed/);
  } finally {
    inspect.dispose();
  }
});

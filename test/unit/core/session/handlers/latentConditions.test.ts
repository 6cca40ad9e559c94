/**
 * The latent tools on a conditional decoder (a CVAE pair built in the test): decode-at-point,
 * paths and traversals decode every code with the class the request names, exactly as
 * model.decode does with that class's one-hot row; class 0 when none is named. The condition's
 * classes are named for the webview's picker.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExplorerSession } from '../../../../../src/core/session';
import { InProcessProjectionRunner } from '../../../../../src/core/projection';
import { conditionClassNames, initBackend, oneHot } from '../../../../../src/core/model';
import { saveCvaePair } from '../../../model-helpers';
import { openMnistDense } from '../openSample';

const mnist = resolve(__dirname, '..', '..', '..', '..', '..', 'sample-models', 'data', 'mnist-test-2000');
const noProgress = { signal: new AbortController().signal, progress: () => {} };

describe('latent tools on a CVAE (encoder and decoder both take a one-hot digit)', () => {
  let folder: string;
  let session: ExplorerSession;
  before(async () => {
    await initBackend();
    folder = await saveCvaePair();
    session = await ExplorerSession.open({ view: 'explorer', modelPaths: [folder], dataPath: mnist, settings: { sampleLimit: 200, seed: 5 }, runner: new InProcessProjectionRunner() });
    await session.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 1, params: {} }, noProgress);
  });
  after(() => {
    session?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  const decodeWith = (codes: Float32Array, count: number, k: number) => session.model('a').decode(codes, count, { conditions: oneHot([k], 10) });

  test("ready names the condition's 10 classes after the dataset's", async () => {
    const ready = await session.handle('ready', {});
    const classes = ready.dataset?.labels?.classes;
    assert.equal(classes?.length, 10);
    assert.deepEqual(ready.models[0]?.summary.condition, { size: 10, classNames: classes, encoderTakesIt: true });
  });

  test('decodeAt with condition k equals model.decode of its code with one-hot k, and differs from condition 0', async () => {
    const point = Float32Array.of(0.1, -0.2);
    const three = await session.handle('decodeAt', { slot: 'a', point, condition: 3 });
    assert.deepEqual(three.image, await decodeWith(three.code, 1, 3));
    const zero = await session.handle('decodeAt', { slot: 'a', point, condition: 0 });
    assert.deepEqual(zero.code, three.code);
    assert.notDeepEqual(zero.image, three.image);
    assert.deepEqual((await session.handle('decodeAt', { slot: 'a', point })).image, zero.image, 'no condition is class 0');
  });

  test('a path between two samples decodes every frame with the chosen class', async () => {
    const request = { slot: 'a' as const, from: { kind: 'sample' as const, index: 0 }, to: { kind: 'sample' as const, index: 9 }, steps: 6, mode: 'linear' as const };
    const seven = await session.handle('interpolate', { ...request, condition: 7 });
    assert.deepEqual(seven.frames, await decodeWith(seven.codes, 6, 7));
    const zero = await session.handle('interpolate', request);
    assert.deepEqual(zero.codes, seven.codes);
    assert.deepEqual(zero.frames, await decodeWith(zero.codes, 6, 0));
    assert.notDeepEqual(zero.frames, seven.frames);
  });

  test('a traversal decodes every frame with the chosen class', async () => {
    const five = await session.handle('traverse', { slot: 'a', axis: { kind: 'unit', index: 1 }, steps: 5, anchor: 2, condition: 5 });
    assert.deepEqual(five.frames, await decodeWith(five.codes, 5, 5));
    assert.notDeepEqual(five.frames, await decodeWith(five.codes, 5, 0));
  });

  test('a class outside the condition is refused naming the range', async () => {
    await assert.rejects(session.handle('decodeAt', { slot: 'a', point: Float32Array.of(0, 0), condition: 10 }), {
      name: 'SessionError',
      code: 'invalid-argument',
      message: 'condition must be an integer in 0–9, got 10',
    });
    await assert.rejects(session.handle('traverse', { slot: 'a', axis: { kind: 'unit', index: 0 }, steps: 3, anchor: null, condition: 1.5 }), /condition must be an integer in 0–9, got 1.5/);
  });
});

test('a condition given to a model that takes none is refused', async () => {
  const session = await openMnistDense(50);
  try {
    await assert.rejects(session.handle('priorSamples', { slot: 'a', count: 4, seed: 1, condition: 2 }), {
      code: 'invalid-argument',
      message: 'condition 2 given, but the model in slot a takes no condition',
    });
  } finally {
    session.dispose();
  }
});

test("conditionClassNames: the model's names, else the first list with one name per class, else class k", () => {
  const condition = { size: 3, classNames: null, encoderTakesIt: false };
  assert.deepEqual(conditionClassNames(condition, ['cat', 'dog'], ['a', 'b', 'c']), ['a', 'b', 'c']);
  assert.deepEqual(conditionClassNames(condition, ['x', 'y', 'z'], ['a', 'b', 'c']), ['x', 'y', 'z']);
  assert.deepEqual(conditionClassNames(condition, undefined, null), ['class 0', 'class 1', 'class 2']);
  assert.deepEqual(conditionClassNames({ ...condition, classNames: ['p', 'q', 'r'] }, ['x', 'y', 'z']), ['p', 'q', 'r']);
});

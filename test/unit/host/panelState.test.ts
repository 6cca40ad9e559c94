import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelLabel, panelTitle, sessionFromWebviewState, sessionKey, validateSession } from '../../../src/host/panelState';

describe('panelState', () => {
  it('validateSession(session) accepts one model for explorer and inspect, two for compare', () => {
    assert.doesNotThrow(() => validateSession({ view: 'explorer', modelPaths: ['/a/model.json'], dataPath: '/d' }));
    assert.doesNotThrow(() => validateSession({ view: 'inspect', modelPaths: ['/a/model.json'] }));
    assert.doesNotThrow(() => validateSession({ view: 'compare', modelPaths: ['/a/model.json', '/b/model.json'], dataPath: '/d' }));
  });

  it('validateSession(session) names the view and the paths when the model count is wrong', () => {
    assert.throws(
      () => validateSession({ view: 'compare', modelPaths: ['/a/model.json'], dataPath: '/d' }),
      { message: 'the compare view needs 2 model(s), got 1: ["/a/model.json"]' },
    );
    assert.throws(() => validateSession({ view: 'explorer', modelPaths: [] }), /the explorer view needs 1 model\(s\), got 0/);
  });

  it('validateSession(session) requires a dataset outside the inspect view', () => {
    assert.throws(() => validateSession({ view: 'explorer', modelPaths: ['/a/model.json'] }), {
      message: 'the explorer view needs a dataset; none was given for /a/model.json',
    });
  });

  it('sessionFromWebviewState(state) reads the session the webview stored', () => {
    const session = { view: 'compare', modelPaths: ['/a', '/b'], dataPath: '/d' };
    assert.deepEqual(sessionFromWebviewState({ session, zoom: 3 }), session);
    assert.deepEqual(sessionFromWebviewState({ session: { view: 'inspect', modelPaths: ['/a/model.json'] } }), {
      view: 'inspect',
      modelPaths: ['/a/model.json'],
    });
  });

  it('sessionFromWebviewState(state) keeps a saved session\'s restore through a reload, and drops a malformed one', () => {
    const restore = { ui: { method: 'umap', colorBy: 'error' }, selection: [3, 7], sampleLimit: 2000, seed: 7 };
    const session = { view: 'explorer', modelPaths: ['/a/model.json'], dataPath: '/d', restore };
    assert.deepEqual(sessionFromWebviewState({ session }), session);
    const broken = { ...session, restore: { ...restore, selection: [-1] } };
    assert.deepEqual(sessionFromWebviewState({ session: broken }), { view: 'explorer', modelPaths: ['/a/model.json'], dataPath: '/d' });
  });

  it('sessionFromWebviewState(state) returns null for missing or invalid sessions', () => {
    for (const state of [
      undefined,
      null,
      'x',
      {},
      { session: null },
      { session: { view: 'other', modelPaths: ['/a'], dataPath: '/d' } },
      { session: { view: 'explorer', modelPaths: '/a', dataPath: '/d' } },
      { session: { view: 'explorer', modelPaths: [''], dataPath: '/d' } },
      { session: { view: 'explorer', modelPaths: ['/a'], dataPath: 7 } },
      { session: { view: 'explorer', modelPaths: ['/a'] } },
      { session: { view: 'compare', modelPaths: ['/a'], dataPath: '/d' } },
    ]) {
      assert.equal(sessionFromWebviewState(state), null, JSON.stringify(state));
    }
  });

  it('modelLabel(path) names a model by its folder, and a pair half by pair/half', () => {
    assert.equal(modelLabel('/x/sample-models/mnist-dense/model.json'), 'mnist-dense');
    assert.equal(modelLabel('/x/sample-models/mnist-pair'), 'mnist-pair');
    assert.equal(modelLabel('/x/runs/pair/encoder/model.json'), 'pair/encoder');
    assert.equal(modelLabel('/x/runs/pair/decoder/model.json'), 'pair/decoder');
  });

  it('panelTitle(session) titles each view', () => {
    assert.equal(panelTitle({ view: 'explorer', modelPaths: ['/s/mnist-dense/model.json'], dataPath: '/d' }), 'Latent Explorer: mnist-dense');
    assert.equal(panelTitle({ view: 'compare', modelPaths: ['/r/early/model.json', '/r/final/model.json'], dataPath: '/d' }), 'Compare: early ↔ final');
    assert.equal(panelTitle({ view: 'inspect', modelPaths: ['/s/conv/model.json'] }), 'Inspect: conv');
  });

  it('sessionKey(session) is equal for the same session and differs by view, models, order or data', () => {
    const base = { view: 'compare' as const, modelPaths: ['/a', '/b'], dataPath: '/d' };
    assert.equal(sessionKey(base), sessionKey({ ...base, modelPaths: ['/a', '/b'] }));
    assert.notEqual(sessionKey(base), sessionKey({ ...base, modelPaths: ['/b', '/a'] }));
    assert.notEqual(sessionKey(base), sessionKey({ ...base, dataPath: '/e' }));
    assert.notEqual(sessionKey({ view: 'explorer', modelPaths: ['/a'], dataPath: '/d' }), sessionKey({ view: 'inspect', modelPaths: ['/a'], dataPath: '/d' }));
  });
});

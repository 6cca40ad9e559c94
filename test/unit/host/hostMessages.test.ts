import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorResponse, isRequestMessage, loadingMessage, okResponse } from '../../../src/host/hostMessages';

describe('hostMessages', () => {
  it('isRequestMessage(value) accepts requests with an integer id, a type and a body object', () => {
    assert.equal(isRequestMessage({ kind: 'request', id: 1, type: 'ready', body: {} }), true);
    assert.equal(isRequestMessage({ kind: 'request', id: 7, type: 'samples', body: { indices: new Int32Array(2) } }), true);
  });

  it('isRequestMessage(value) rejects anything else', () => {
    for (const value of [
      null,
      'ready',
      { kind: 'response', id: 1, type: 'ready', body: {} },
      { kind: 'request', id: 1.5, type: 'ready', body: {} },
      { kind: 'request', id: '1', type: 'ready', body: {} },
      { kind: 'request', id: 1, body: {} },
      { kind: 'request', id: 1, type: 'ready' },
      { kind: 'request', id: 1, type: 'ready', body: null },
    ]) {
      assert.equal(isRequestMessage(value), false, JSON.stringify(value));
    }
  });

  it('okResponse(id, type, body) and errorResponse(id, type, error) answer the request with that id', () => {
    assert.deepEqual(okResponse(3, 'openExplorer', {}), { kind: 'response', id: 3, type: 'openExplorer', ok: true, body: {} });
    const error = { message: 'no model in slot "b"', code: 'invalid-argument' };
    assert.deepEqual(errorResponse(4, 'openExplorer', error), { kind: 'response', id: 4, type: 'openExplorer', ok: false, error });
  });

  it('loadingMessage(stage, fraction) shows the stage, with its percentage when known', () => {
    assert.equal(loadingMessage('reading t10k-images-idx3-ubyte', null), 'reading t10k-images-idx3-ubyte');
    assert.equal(loadingMessage('encoding 300 samples', 0.456), 'encoding 300 samples (46%)');
    assert.equal(loadingMessage('encoding', 1.2), 'encoding (100%)');
    assert.equal(loadingMessage('encoding', -1), 'encoding (0%)');
    assert.equal(loadingMessage('encoding', Number.NaN), 'encoding');
  });
});

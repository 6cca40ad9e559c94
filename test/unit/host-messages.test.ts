import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorResponse, isRequestMessage, okResponse, ProgressIncrements } from '../../src/vscode/hostMessages';

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

  it('ProgressIncrements.next(fraction) returns increments whose running sum follows the highest fraction, capped at 100', () => {
    const increments = new ProgressIncrements();
    const steps = [0.1, 0.25, null, 0.2, 0.9, 1.5, 1].map((f) => increments.next(f));
    assert.deepEqual(steps.map((x) => Math.round(x * 1e9) / 1e9), [10, 15, 0, 0, 65, 10, 0]);
  });

  it('ProgressIncrements.next(fraction) ignores NaN and negative fractions', () => {
    const increments = new ProgressIncrements();
    assert.equal(increments.next(Number.NaN), 0);
    assert.equal(increments.next(-0.5), 0);
    assert.equal(increments.next(0.5), 50);
  });
});

// The samples handlers on the bundled mnist-dense sample: activations and their statistics against
// direct computation from the model's own per-layer outputs, and originals as the shown inputs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExplorerSession } from '../../../../../src/core/session';
import { openMnistDense } from '../openSample';

describe('samples handlers (mnist-dense, 120 shown samples)', () => {
  let session: ExplorerSession;
  before(async () => {
    session = await openMnistDense(120);
  });
  after(() => session.dispose());

  test('activations of a ReLU layer: values are the model\'s, unit means, dead units and sparsity by direct count', async () => {
    const indices = Int32Array.of(0, 5, 17, 99);
    const response = await session.handle('activations', { slot: 'a', indices, layer: 'encoder_1' });
    const { originals } = await session.handle('samples', { slot: 'a', indices, includeReconstruction: false });
    const [direct] = await session.model('a').activations(originals, indices.length, ['encoder_1']);
    assert.deepEqual(response.shape, [256]);
    assert.deepEqual(Array.from(response.values), Array.from(direct.values));
    let dead = 0;
    let nearZero = 0;
    for (let u = 0; u < 256; u++) {
      let sum = 0;
      let largest = 0;
      for (let i = 0; i < indices.length; i++) {
        const v = direct.values[i * 256 + u];
        sum += v;
        largest = Math.max(largest, Math.abs(v));
        if (Math.abs(v) < 1e-3) nearZero++;
      }
      assert.ok(Math.abs(response.unitMean[u] - sum / indices.length) < 1e-5, `unit ${u}`);
      if (largest <= 1e-6) dead++;
    }
    assert.equal(response.deadFraction, dead / 256);
    assert.equal(response.sparsity, nearZero / (256 * indices.length));
    // ReLU leaves some units at zero for these digits, and not all of them.
    assert.ok(response.sparsity > 0 && response.sparsity < 1, `sparsity ${response.sparsity}`);
  });

  test('an unknown layer is named in the error', async () => {
    await assert.rejects(session.handle('activations', { slot: 'a', indices: Int32Array.of(0), layer: 'no_such_layer' }), /no_such_layer/);
  });

  test('samples with reconstructions: per-sample errors equal the session\'s reconstruction errors', async () => {
    const indices = Int32Array.of(3, 4, 50);
    const response = await session.handle('samples', { slot: 'a', indices, includeReconstruction: true });
    const errors = session.errors('a');
    assert.deepEqual(response.itemShape, [28, 28]);
    assert.equal(response.originals.length, 3 * 784);
    for (let i = 0; i < indices.length; i++) assert.ok(Math.abs(response.errors![i] - errors[indices[i]]) < 1e-6, `sample ${indices[i]}`);
  });
});

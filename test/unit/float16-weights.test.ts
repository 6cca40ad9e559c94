// scripts/train/float16.ts: how sample-models/ stores its weights, checked against TF.js's own decoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { toFloat16Bits, toFloat16Weights } from '../../scripts/train/float16';

describe('toFloat16Weights', () => {
  it('toFloat16Bits gives IEEE half bits: exact values, ties to even, subnormals, overflow', () => {
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00);
    assert.equal(toFloat16Bits(2 ** -24), 0x0001);
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // halfway between 1 and the next half: to even
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
  });

  it('tf.io.decodeWeights reads the float16 entries back within half precision; int32 entries are copied', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3 + (i % 7) * 1e-4);
    const counts = new Int32Array([3, -4, 5]);
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'kernel', shape: [10, 100], dtype: 'float32' },
      { name: 'steps', shape: [3], dtype: 'int32' },
    ];
    const data = new Uint8Array([...new Uint8Array(values.buffer), ...new Uint8Array(counts.buffer)]);
    const converted = toFloat16Weights(specs, data);
    assert.equal(converted.data.length, 1000 * 2 + 3 * 4);
    assert.deepEqual(converted.specs[0].quantization, { dtype: 'float16' });
    const decoded = tf.io.decodeWeights(converted.data.buffer, converted.specs);
    const kernel = decoded.kernel.dataSync();
    for (let i = 0; i < values.length; i++) assert.ok(Math.abs(kernel[i] - values[i]) <= Math.abs(values[i]) * 2 ** -11 + 2 ** -25, `${i}: ${kernel[i]} vs ${values[i]}`);
    assert.deepEqual(Array.from(decoded.steps.dataSync()), [3, -4, 5]);
    tf.dispose(Object.values(decoded));
  });

  it('refuses weights that do not match the manifest', () => {
    assert.throws(() => toFloat16Weights([{ name: 'w', shape: [4], dtype: 'float32' }], new Uint8Array(12)), /weights end inside w/);
    assert.throws(() => toFloat16Weights([{ name: 'w', shape: [2], dtype: 'float32' }], new Uint8Array(12)), /hold 12 bytes, the manifest names 8/);
  });
});

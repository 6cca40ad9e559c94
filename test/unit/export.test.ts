import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { encodeNpy, encodePng } from '../../src/core/export';
import { blendByNeighbors } from '../../src/core/compute/placement';

test('encodeNpy(values, shape) writes a v1.0 float32 header aligned to 64 bytes and the raw values', () => {
  const values = Float32Array.from([1.5, -2, 3, 4, 5, 6]);
  const file = encodeNpy(values, [2, 3]);
  assert.equal(file.toString('latin1', 0, 6), '\x93NUMPY');
  const headerLength = file.readUInt16LE(8);
  assert.equal((10 + headerLength) % 64, 0);
  const header = file.toString('latin1', 10, 10 + headerLength);
  assert.match(header, /'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\)/);
  assert.ok(header.endsWith('\n'));
  const body = new Float32Array(file.buffer.slice(file.byteOffset + 10 + headerLength, file.byteOffset + file.length));
  assert.deepEqual(Array.from(body), Array.from(values));
  assert.throws(() => encodeNpy(values, [4, 2]), /6 values do not fill shape \[4, 2\] \(8\)/);
});

test('encodePng(values, [H, W]) draws [0, 1] values as clipped grey pixels', () => {
  const png = PNG.sync.read(encodePng(Float32Array.from([0, 0.5, 1, 2]), [2, 2]));
  assert.equal(png.width, 2);
  assert.deepEqual([png.data[0], png.data[4], png.data[8], png.data[12]], [0, 128, 255, 255]);
  assert.equal(PNG.sync.read(encodePng(new Float32Array(784), [784])).width, 28);
  assert.throws(() => encodePng(new Float32Array(10), [10]), /not a perfect square/);
});

test('blendByNeighbors places a query at its exact neighbour and between two equidistant ones', () => {
  const known = Float32Array.from([0, 0, 10, 0]);
  const targets = Float32Array.from([-1, -1, 1, 1]);
  const exact = blendByNeighbors(known, targets, 2, 2, 2, Float32Array.from([0, 0]), 1, 2);
  assert.ok(Math.abs(exact.values[0] + 1) < 1e-6 && exact.nearestDistance[0] === 0);
  const middle = blendByNeighbors(known, targets, 2, 2, 2, Float32Array.from([5, 0]), 1, 2);
  assert.ok(Math.abs(middle.values[0]) < 1e-6 && Math.abs(middle.values[1]) < 1e-6);
  assert.equal(middle.nearestDistance[0], 5);
  assert.throws(() => blendByNeighbors(known, targets, 2, 2, 2, Float32Array.from([1]), 1), /queries have 1 values, expected 1 × 2/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointMask } from '../../webview/charts/pointMask';
import { seededRandom } from './harness';

function setBytes(mask: Uint8Array): number[] {
  const found: number[] = [];
  mask.forEach((bit, i) => bit && found.push(i));
  return found;
}

test('pointMask(n).indices() lists the bytes written in place, ascending, at every density and for n not a multiple of 4', () => {
  const random = seededRandom(11);
  for (const n of [0, 1, 3, 4, 5, 998, 1001]) {
    const points = pointMask(n);
    assert.equal(points.indices().length, 0);
    // From none, through sparse (most words empty) and dense, to all, and the last point alone.
    for (const density of [0.01, 0.1, 0.3, 0.7, 1, -1]) {
      let delta = 0;
      for (let i = 0; i < n; i++) {
        const bit = density < 0 ? Number(i === n - 1) : Number(random() < density);
        delta += bit - points.mask[i];
        points.mask[i] = bit;
      }
      points.changed(delta);
      const expected = setBytes(points.mask);
      assert.equal(points.count, expected.length, `n ${n}, density ${density}`);
      assert.deepEqual(Array.from(points.indices()), expected, `n ${n}, density ${density}`);
      assert.equal(points.indices(), points.indices(), 'the same list until the next change');
    }
  }
});

test('pointMask.assign(indices) replaces the set and hands the list back in its order; repeats and points outside 0…n−1 are dropped', () => {
  const points = pointMask(10);
  points.assign(Int32Array.of(1, 2, 3, 8));
  const ranked = Int32Array.of(7, 2, 5);
  points.assign(ranked);
  assert.deepEqual(setBytes(points.mask), [2, 5, 7]);
  assert.equal(points.count, 3);
  assert.equal(points.indices(), ranked);
  points.assign(Int32Array.of(4, -1, 4, 10, 0));
  assert.equal(points.count, 2);
  assert.deepEqual(Array.from(points.indices()), [0, 4]);
  points.assign(new Int32Array(0));
  assert.equal(points.count, 0);
  assert.deepEqual(setBytes(points.mask), []);
});

test('pointMask.copy(other) takes its points; later changes to either leave the other as it was', () => {
  const source = pointMask(9);
  source.assign(Int32Array.of(0, 4, 8));
  const copy = pointMask(9);
  copy.assign(Int32Array.of(1));
  copy.copy(source);
  assert.equal(copy.count, 3);
  assert.deepEqual(Array.from(copy.indices()), [0, 4, 8]);
  source.mask[4] = 0;
  source.changed(-1);
  copy.mask[2] = 1;
  copy.changed(1);
  assert.deepEqual(Array.from(source.indices()), [0, 8]);
  assert.deepEqual(Array.from(copy.indices()), [0, 2, 4, 8]);
  assert.throws(() => pointMask(8).copy(source), { message: 'cannot copy a set over 9 points into one over 8' });
});

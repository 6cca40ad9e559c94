import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGridIndex } from '../../webview/charts/gridIndex';
import type { PointMask } from '../../webview/charts/pointMask';
import { seededRandom } from './harness';

function randomPoints(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  // Two blobs and a sparse background: uneven density, like real layouts.
  return Float32Array.from({ length: n * 2 }, (_, k) => {
    const i = k >> 1;
    const centre = i % 3 === 0 ? -3 : i % 3 === 1 ? 2 : 0;
    const spread = i % 3 === 2 ? 6 : 1;
    return centre + (random() - 0.5) * spread * 2;
  });
}

/** Even–odd crossing test over the whole polygon: the oracle for the grid's row-bucketed one. */
function pointInPolygon(polygon: Float64Array, x: number, y: number): boolean {
  let inside = false;
  const vertices = polygon.length / 2;
  for (let v = 0, w = vertices - 1; v < vertices; w = v++) {
    const [xv, yv, xw, yw] = [polygon[2 * v], polygon[2 * v + 1], polygon[2 * w], polygon[2 * w + 1]];
    if (yv > y !== yw > y && x < ((xw - xv) * (y - yv)) / (yw - yv) + xv) inside = !inside;
  }
  return inside;
}

/**
 * A set a selection holds matches `expected` byte for byte and in count; every other update also
 * asks for its indices (twice: the same array comes back), so the lists built after moves nobody
 * asked about are checked too.
 */
function assertHolds(points: PointMask, expected: number[], askIndices: boolean, message: string): void {
  assert.equal(points.count, expected.length, message);
  const marked: number[] = [];
  points.mask.forEach((bit, i) => bit && marked.push(i));
  assert.deepEqual(marked, expected, message);
  if (!askIndices) return;
  const indices = points.indices();
  assert.deepEqual(Array.from(indices), expected, message);
  assert.equal(points.indices(), indices, `${message}: built once`);
}

function bruteForce(points: Float32Array, n: number, inside: (x: number, y: number) => boolean, visible?: Uint8Array): number[] {
  const found: number[] = [];
  for (let i = 0; i < n; i++) if ((!visible || visible[i]) && inside(points[2 * i], points[2 * i + 1])) found.push(i);
  return found;
}

test('GridIndex.queryRect(x0, y0, x1, y1) returns exactly the points inside, ascending, for any corner order', () => {
  const n = 20_000;
  const points = randomPoints(n, 1);
  const grid = buildGridIndex(points, n);
  for (const [x0, y0, x1, y1] of [
    [-4, -4, -2, -1],
    [3, 3, -1, 0.5],
    [-10, -10, 10, 10],
    [5.9, 5.9, 6, 6],
    [20, 20, 30, 30],
  ]) {
    const expected = bruteForce(points, n, (x, y) => x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1));
    assert.deepEqual(Array.from(grid.queryRect(x0, y0, x1, y1)), expected, `rect ${[x0, y0, x1, y1]}`);
  }
});

test('GridIndex.rectSelection follows a brush that grows, shrinks, slides and leaves the points: after each update its mask, count and indices equal a fresh query', () => {
  const n = 20_000;
  const points = randomPoints(n, 6);
  const visible = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1));
  const grid = buildGridIndex(points, n);
  for (const mask of [null, visible]) {
    const brush = grid.rectSelection(mask);
    const random = seededRandom(mask ? 8 : 7);
    const rects: number[][] = [
      [-1, -1, -1, -1],
      [-1, -1, 0.5, 0.7],
      [-1, -1, 2.5, 3],
      [-0.5, -0.2, 2.5, 3],
      [-10, -10, 10, 10],
      [2.5, 3, -6, -7],
      [40, 40, 50, 50],
      ...Array.from({ length: 20 }, () => Array.from({ length: 4 }, () => (random() - 0.5) * 14)),
    ];
    rects.forEach(([x0, y0, x1, y1], move) => {
      const expected = bruteForce(points, n, (x, y) => x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1), mask ?? undefined);
      brush.update(x0, y0, x1, y1);
      assertHolds(brush, expected, move % 2 === 1, `rect ${[x0, y0, x1, y1]}`);
    });
  }
});

test('GridIndex never selects points with a non-finite coordinate', () => {
  const points = Float32Array.from([0, 0, NaN, 0.5, 0.5, Infinity, 1, 1]);
  const grid = buildGridIndex(points, 4);
  assert.deepEqual(Array.from(grid.queryRect(-5, -5, 5, 5)), [0, 3]);
  assert.deepEqual(Array.from(grid.queryPolygon(Float64Array.from([-5, -5, 5, -5, 5, 5, -5, 5]))), [0, 3]);
});

test('GridIndex.queryPolygon(lasso) matches pointInPolygon on every point, including concave shapes', () => {
  const n = 20_000;
  const points = randomPoints(n, 2);
  const grid = buildGridIndex(points, n);
  // A concave "C" and a many-vertex circle-ish lasso.
  const shapes = [
    Float64Array.from([-5, -5, 3, -5, 3, -3, -3, -3, -3, 3, 3, 3, 3, 5, -5, 5]),
    Float64Array.from({ length: 400 }, (_, k) => {
      const angle = ((k >> 1) / 200) * 2 * Math.PI;
      return k % 2 === 0 ? 1 + 2.5 * Math.cos(angle) : 0.5 + 2.5 * Math.sin(angle) * (1 + 0.3 * Math.cos(5 * angle));
    }),
  ];
  for (const polygon of shapes) {
    const expected = bruteForce(points, n, (x, y) => pointInPolygon(polygon, x, y));
    assert.ok(expected.length > 100);
    assert.deepEqual(Array.from(grid.queryPolygon(polygon)), expected);
  }
});

test('GridIndex.lassoSelection follows a lasso being drawn: after each stretch its mask, count and indices equal pointInPolygon over the whole lasso so far', () => {
  const n = 20_000;
  const points = randomPoints(n, 9);
  const visible = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1));
  const grid = buildGridIndex(points, n);
  // A loop that winds round past its start and crosses itself, drawn a few vertices at a time.
  const drawn = Float64Array.from({ length: 360 }, (_, k) => {
    const angle = ((k >> 1) / 120) * 2.6 * Math.PI;
    const reach = 1 + (k >> 1) / 40;
    return k % 2 === 0 ? 0.5 + reach * Math.cos(angle) : -0.5 + reach * Math.sin(angle) * 0.8;
  });
  for (const mask of [null, visible]) {
    const lasso = grid.lassoSelection(mask);
    [1, 2, 3, 4, 9, 10, 30, 31, 32, 70, 71, 120, 180].forEach((vertices, move) => {
      const polygon = drawn.subarray(0, 2 * vertices);
      const expected = vertices < 3 ? [] : bruteForce(points, n, (x, y) => pointInPolygon(polygon, x, y), mask ?? undefined);
      lasso.update(polygon);
      assertHolds(lasso, expected, move % 2 === 0, `${vertices} vertices`);
    });
  }
});

test('GridIndex queries skip points hidden by the visibility mask', () => {
  const n = 5_000;
  const points = randomPoints(n, 3);
  const visible = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const grid = buildGridIndex(points, n);
  const expected = bruteForce(points, n, (x, y) => x >= -1 && x <= 1 && y >= -1 && y <= 1, visible);
  assert.deepEqual(Array.from(grid.queryRect(-1, -1, 1, 1, visible)), expected);
  assert.ok(Array.from(grid.queryRect(-1, -1, 1, 1, visible)).every((i) => i % 3 !== 0));
});

test('GridIndex.nearest(x, y, r) finds the closest point within r, or -1', () => {
  const n = 10_000;
  const points = randomPoints(n, 4);
  const grid = buildGridIndex(points, n);
  const random = seededRandom(5);
  for (let probe = 0; probe < 200; probe++) {
    const x = (random() - 0.5) * 14;
    const y = (random() - 0.5) * 14;
    let best = -1;
    let bestDistance = 0.3 * 0.3;
    for (let i = 0; i < n; i++) {
      const d = (points[2 * i] - x) ** 2 + (points[2 * i + 1] - y) ** 2;
      if (d <= bestDistance) [best, bestDistance] = [i, d];
    }
    const found = grid.nearest(x, y, 0.3);
    if (best === -1) assert.equal(found, -1);
    else assert.equal((points[2 * found] - x) ** 2 + (points[2 * found + 1] - y) ** 2, bestDistance);
  }
});

test('buildGridIndex handles no points, one point and all points on one spot', () => {
  assert.equal(buildGridIndex(new Float32Array(0), 0).queryRect(-1, -1, 1, 1).length, 0);
  assert.equal(buildGridIndex(new Float32Array(0), 0).nearest(0, 0, 1), -1);
  const one = buildGridIndex(Float32Array.from([2, 3]), 1);
  assert.deepEqual(Array.from(one.queryRect(0, 0, 5, 5)), [0]);
  assert.equal(one.nearest(2.1, 3, 0.5), 0);
  const stacked = buildGridIndex(new Float32Array(200).fill(1), 100);
  assert.equal(stacked.queryRect(0.5, 0.5, 1.5, 1.5).length, 100);
});

test('buildGridIndex reads x,y from rows with a stride (3-D rows)', () => {
  const rows = Float32Array.from([0, 0, 9, 5, 5, 9, 1, 1, 9]);
  const grid = buildGridIndex(rows, 3, 3);
  assert.deepEqual(Array.from(grid.queryRect(-0.5, -0.5, 1.5, 1.5)), [0, 2]);
});

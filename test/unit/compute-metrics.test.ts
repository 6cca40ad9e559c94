import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { KnnGraph } from '../../src/core/compute/knn';
import { clusterPurity, knnAccuracy, meanSquaredErrorPerSample, neighborOverlap, pointFaithfulness } from '../../src/core/compute/metrics';

function graph(rows: number[][]): KnnGraph {
  const k = rows[0].length;
  return { n: rows.length, k, indices: Int32Array.from(rows.flat()), distances: new Float32Array(rows.length * k) };
}

test('knnAccuracy(graph, labels) is the leave-one-out majority vote on a hand-checked case', () => {
  // Points 0–2 are class 0, 3–5 class 1; point 2's neighbours are mostly class 1, so it is wrong.
  const g = graph([
    [1, 2, 3],
    [0, 2, 4],
    [3, 4, 0],
    [4, 5, 2],
    [3, 5, 1],
    [3, 4, 0],
  ]);
  const labels = new Int32Array([0, 0, 0, 1, 1, 1]);
  assert.equal(knnAccuracy(g, labels), 5 / 6);
});

test('knnAccuracy breaks a tie in favour of the nearest neighbour\'s label', () => {
  const g = graph([
    [1, 2],
    [0, 2],
    [0, 1],
  ]);
  // Labels 0, 1, 0. Point 0: neighbours 1 (label 1) and 2 (label 0) tie → nearest's label 1, wrong.
  // Point 1: neighbours 0 and 2, both label 0 → wrong. Point 2: 0 (label 0), 1 (label 1) tie → 0, correct.
  assert.equal(knnAccuracy(g, new Int32Array([0, 1, 0])), 1 / 3);
  assert.throws(() => knnAccuracy(g, new Int32Array([0, 1])), /labels has 2 entries but the graph has 3 points/);
});

test('neighborOverlap(a, b) gives per-point shared fractions, drift = 1 − overlap, and the mean', () => {
  const a = graph([
    [1, 2],
    [0, 2],
    [0, 1],
    [0, 1],
  ]);
  const b = graph([
    [2, 1],
    [3, 0],
    [3, 1],
    [2, 1],
  ]);
  const result = neighborOverlap(a, b);
  assert.deepEqual(Array.from(result.perPoint), [1, 0.5, 0.5, 0.5]);
  assert.deepEqual(Array.from(result.drift), [0, 0.5, 0.5, 0.5]);
  assert.equal(result.mean, 0.625);
});

test('neighborOverlap of a graph with itself is 1 everywhere (zero drift), and uses min(k) of differing graphs', () => {
  const a = graph([
    [1, 2, 3],
    [0, 2, 3],
    [1, 0, 3],
    [2, 1, 0],
  ]);
  const self = neighborOverlap(a, a);
  assert.equal(self.mean, 1);
  assert.ok(self.drift.every((d) => d === 0));
  const b = graph([[1], [2], [1], [2]]);
  assert.deepEqual(Array.from(neighborOverlap(a, b).perPoint), [1, 0, 1, 1]);
  assert.throws(() => neighborOverlap(a, graph([[1], [0]])), /different point counts: 4 and 2/);
});

test('pointFaithfulness(highGraph, lowGraph) is the per-point share of latent neighbours kept in the layout', () => {
  const high = graph([
    [1, 2],
    [0, 2],
    [1, 0],
  ]);
  const low = graph([
    [2, 1],
    [2, 0],
    [0, 1],
  ]);
  assert.deepEqual(Array.from(pointFaithfulness(high, low)), [1, 1, 1]);
});

test('clusterPurity(assignments, labels) sums each cluster\'s majority label', () => {
  // Cluster 0: labels 0,0,1 → 2; cluster 1: labels 1,1 → 2; cluster 2: label 2 → 1. Purity 5/6.
  const assignments = new Int32Array([0, 0, 0, 1, 1, 2]);
  const labels = new Int32Array([0, 0, 1, 1, 1, 2]);
  assert.equal(clusterPurity(assignments, labels), 5 / 6);
  assert.equal(clusterPurity(labels, labels), 1);
  assert.throws(() => clusterPurity(new Int32Array([0]), new Int32Array([0, 1])), /assignments has 1 entries but labels has 2/);
});

test('meanSquaredErrorPerSample(a, b, n, dim) averages squared differences per row', () => {
  const a = new Float32Array([0, 0, 1, 1]);
  const b = new Float32Array([1, 1, 1, 3]);
  assert.deepEqual(Array.from(meanSquaredErrorPerSample(a, b, 2, 2)), [1, 2]);
  assert.throws(() => meanSquaredErrorPerSample(a, b, 3, 2), /first array has 4 values, expected 3 × 2 = 6/);
});

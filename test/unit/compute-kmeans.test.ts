import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chooseK, kmeans, silhouette } from '../../src/core/compute/kmeans';
import { createRng } from '../../src/core/compute/random';

/** `perCluster` Gaussian points (σ = spread) around each of the given 2-D centres, in cluster order. */
function blobs(centres: number[][], perCluster: number, spread: number, seed: number): { data: Float32Array; n: number; truth: Int32Array } {
  const rng = createRng(seed);
  const n = centres.length * perCluster;
  const data = new Float32Array(n * 2);
  const truth = new Int32Array(n);
  for (let c = 0; c < centres.length; c++) {
    for (let p = 0; p < perCluster; p++) {
      const i = c * perCluster + p;
      data[i * 2] = centres[c][0] + spread * rng.nextGaussian();
      data[i * 2 + 1] = centres[c][1] + spread * rng.nextGaussian();
      truth[i] = c;
    }
  }
  return { data, n, truth };
}

const threeCentres = [
  [0, 0],
  [10, 0],
  [0, 10],
];

test('kmeans(data, n, dim, k) finds three well-separated blobs exactly and their centres', () => {
  const { data, n, truth } = blobs(threeCentres, 100, 0.5, 1);
  const result = kmeans(data, n, 2, 3, { seed: 3 });
  assert.equal(result.assignments.length, n);
  assert.equal(result.centroids.length, 6);
  // Same partition up to renaming: every true cluster maps to one found cluster.
  for (let c = 0; c < 3; c++) {
    const found = new Set(Array.from(result.assignments.subarray(c * 100, (c + 1) * 100)));
    assert.equal(found.size, 1, `true cluster ${c} split into ${[...found]}`);
    const label = [...found][0];
    const [cx, cy] = [result.centroids[label * 2], result.centroids[label * 2 + 1]];
    assert.ok(Math.hypot(cx - threeCentres[c][0], cy - threeCentres[c][1]) < 0.2, `centre ${c} at ${cx}, ${cy}`);
  }
  assert.equal(new Set(result.assignments).size, 3);
  assert.ok(truth.length === n);
  // Inertia is the sum of squared distances to the assigned centres.
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const c = result.assignments[i];
    inertia += (data[i * 2] - result.centroids[c * 2]) ** 2 + (data[i * 2 + 1] - result.centroids[c * 2 + 1]) ** 2;
  }
  assert.ok(Math.abs(inertia - result.inertia) < 1e-3 * inertia);
  assert.ok(result.iterations >= 1);
});

test('kmeans is reproducible for a seed', () => {
  const { data, n } = blobs(threeCentres, 60, 3, 2);
  const first = kmeans(data, n, 2, 4, { seed: 9, nInit: 2 });
  const second = kmeans(data, n, 2, 4, { seed: 9, nInit: 2 });
  assert.deepEqual(first.assignments, second.assignments);
  assert.deepEqual(first.centroids, second.centroids);
});

test('kmeans with k = n puts every distinct point in its own cluster with zero inertia', () => {
  const data = new Float32Array([0, 0, 1, 0, 0, 1, 5, 5]);
  const result = kmeans(data, 4, 2, 4, { seed: 1 });
  assert.equal(new Set(result.assignments).size, 4);
  assert.equal(result.inertia, 0);
});

test('kmeans rejects k outside [1, n] with the values in the message', () => {
  assert.throws(() => kmeans(new Float32Array(6), 3, 2, 4), /k must be an integer in \[1, 3\] for 3 points, got 4/);
  assert.throws(() => kmeans(new Float32Array(5), 3, 2, 2), /data has 5 values, expected n × dim = 3 × 2 = 6/);
});

test('silhouette(data, n, dim, assignments) matches a hand-checked case', () => {
  // Points 0, 1 at x = 0, 1 (cluster 0) and 2, 3 at x = 4, 6 (cluster 1), on a line.
  const data = new Float32Array([0, 0, 1, 0, 4, 0, 6, 0]);
  const assignments = new Int32Array([0, 0, 1, 1]);
  // a/b per point: (1, 5) (1, 4) (2, 3.5) (2, 5.5) → s = 4/5, 3/4, 1.5/3.5, 3.5/5.5
  const expected = (4 / 5 + 3 / 4 + 1.5 / 3.5 + 3.5 / 5.5) / 4;
  assert.ok(Math.abs(silhouette(data, 4, 2, assignments) - expected) < 1e-12);
});

test('silhouette on a sample is close to the full score, and rejects a single cluster', () => {
  const { data, n, truth } = blobs(threeCentres, 400, 2, 4);
  const full = silhouette(data, n, 2, truth, { sampleSize: n });
  const sampled = silhouette(data, n, 2, truth, { sampleSize: 300, seed: 5 });
  assert.ok(full > 0.6, `full silhouette ${full}`);
  assert.ok(Math.abs(full - sampled) < 0.05, `${full} vs sampled ${sampled}`);
  assert.throws(() => silhouette(data, n, 2, new Int32Array(n)), /between 2 and 1199 clusters among the 1200 scored points, got 1/);
});

test('chooseK(data, n, dim, {kMin, kMax}) picks the true number of blobs by silhouette', () => {
  const centres = [
    [0, 0],
    [12, 0],
    [0, 12],
    [12, 12],
  ];
  const { data, n } = blobs(centres, 50, 1, 6);
  const { k, silhouettes } = chooseK(data, n, 2, { kMin: 2, kMax: 6, seed: 1 });
  assert.equal(k, 4);
  assert.equal(silhouettes.length, 5);
  assert.equal(Math.max(...silhouettes), silhouettes[2]);
});

/**
 * Numbers that judge a latent space or compare two: kNN label accuracy, neighbourhood overlap
 * (and drift) between two kNN graphs over the same points, cluster purity, per-sample
 * reconstruction error, and per-point faithfulness of a projection.
 */

import type { KnnGraph } from './knn';

/** Leave-one-out kNN classification accuracy: each point takes the majority label of its k neighbours (a tie goes to the label with the nearest member). */
export function knnAccuracy(graph: KnnGraph, labels: Int32Array): number {
  const { n, k, indices } = graph;
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} entries but the graph has ${n} points`);
  if (n === 0) throw new RangeError('kNN accuracy of an empty graph is undefined');
  let labelCount = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) throw new RangeError(`labels[${i}] is ${labels[i]}; labels must be non-negative class indices`);
    labelCount = Math.max(labelCount, labels[i] + 1);
  }
  const votes = new Int32Array(labelCount);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) votes[labels[indices[i * k + a]]]++;
    // Scanning nearest-first with a strict '>' settles ties in favour of the label with the nearest member.
    let winner = -1;
    let winnerVotes = 0;
    for (let a = 0; a < k; a++) {
      const label = labels[indices[i * k + a]];
      if (votes[label] > winnerVotes) {
        winner = label;
        winnerVotes = votes[label];
      }
    }
    if (winner === labels[i]) correct++;
    for (let a = 0; a < k; a++) votes[labels[indices[i * k + a]]] = 0;
  }
  return correct / n;
}

/** How much of each point's neighbourhood two graphs share. */
export interface NeighborOverlap {
  /** Per point, |N_a(i) ∩ N_b(i)| / k in [0, 1]. */
  perPoint: Float32Array;
  /** Per point, 1 − overlap: how far it moved relative to its neighbours. */
  drift: Float32Array;
  /** Mean overlap over all points. */
  mean: number;
}

/**
 * Compares two kNN graphs over the same n points (e.g. the codes of two checkpoints, or a latent
 * space and its projection) on their first k = min(a.k, b.k) neighbours.
 */
export function neighborOverlap(a: KnnGraph, b: KnnGraph): NeighborOverlap {
  if (a.n !== b.n) throw new RangeError(`the graphs cover different point counts: ${a.n} and ${b.n}`);
  const { n } = a;
  const k = Math.min(a.k, b.k);
  if (k < 1) throw new RangeError(`neighbour overlap needs k ≥ 1, got graphs with k = ${a.k} and ${b.k}`);
  const perPoint = new Float32Array(n);
  const drift = new Float32Array(n);
  // stamp[j] = i + 1 marks j as one of point i's neighbours in `a`, with no clearing between points.
  const stamp = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let e = 0; e < k; e++) stamp[a.indices[i * a.k + e]] = i + 1;
    let shared = 0;
    for (let e = 0; e < k; e++) if (stamp[b.indices[i * b.k + e]] === i + 1) shared++;
    const overlap = shared / k;
    perPoint[i] = overlap;
    drift[i] = 1 - overlap;
    total += overlap;
  }
  return { perPoint, drift, mean: n > 0 ? total / n : 0 };
}

/**
 * Per-point neighbourhood preservation of a projection: the share of each point's k nearest
 * neighbours in latent space (`highGraph`) that are also among its k nearest in the layout (`lowGraph`).
 */
export function pointFaithfulness(highGraph: KnnGraph, lowGraph: KnnGraph): Float32Array {
  return neighborOverlap(highGraph, lowGraph).perPoint;
}

/** Share of points whose cluster's most common label is their own label: Σ_clusters max_label count / n. */
export function clusterPurity(assignments: Int32Array, labels: Int32Array): number {
  const n = assignments.length;
  if (labels.length !== n) throw new RangeError(`assignments has ${n} entries but labels has ${labels.length}`);
  if (n === 0) throw new RangeError('cluster purity of no points is undefined');
  let clusterCount = 0;
  let labelCount = 0;
  for (let i = 0; i < n; i++) {
    if (assignments[i] < 0 || labels[i] < 0) throw new RangeError(`point ${i} has cluster ${assignments[i]} and label ${labels[i]}; both must be non-negative`);
    clusterCount = Math.max(clusterCount, assignments[i] + 1);
    labelCount = Math.max(labelCount, labels[i] + 1);
  }
  const table = new Int32Array(clusterCount * labelCount);
  for (let i = 0; i < n; i++) table[assignments[i] * labelCount + labels[i]]++;
  let majoritySum = 0;
  for (let c = 0; c < clusterCount; c++) {
    let largest = 0;
    for (let l = 0; l < labelCount; l++) largest = Math.max(largest, table[c * labelCount + l]);
    majoritySum += largest;
  }
  return majoritySum / n;
}

/** Mean squared difference per row of two n × dim arrays (e.g. inputs and their reconstructions). */
export function meanSquaredErrorPerSample(a: Float32Array, b: Float32Array, n: number, dim: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (a.length !== n * dim) throw new RangeError(`first array has ${a.length} values, expected ${n} × ${dim} = ${n * dim}`);
  if (b.length !== n * dim) throw new RangeError(`second array has ${b.length} values, expected ${n} × ${dim} = ${n * dim}`);
  const errors = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) sum += (a[j] - b[j]) ** 2;
    errors[i] = sum / dim;
  }
  return errors;
}

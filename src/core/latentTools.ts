/**
 * What only an autoencoder explorer can show, because it holds the decoder: codes for any spot in
 * a layout, paths and traversals through the latent space, prior samples, and per-unit health.
 * Pure functions over flat codes; the session feeds their codes to the decoder.
 */
import { fitPca, inversePca, type PcaModel } from './compute/pca';
import { blendByNeighbors } from './compute/placement';
import { createRng } from './compute/random';
import type { RankResponse } from '../shared/protocol';
import type { UnitHistograms } from '../shared/types';

/** A layout the user points into: PCA (exactly invertible) or t-SNE/UMAP (no inverse map). */
export interface LayoutForInversion {
  dims: 2 | 3;
  positions: Float32Array;
  pca: PcaModel | null;
  components: number[] | null;
}

export interface LatentSpot {
  /** The code for the spot (latentSize values). */
  code: Float32Array;
  /** Euclidean distance from that code to the nearest real code: large means off the data manifold. */
  distanceToData: number;
  /** Typical nearest-neighbour distance among real codes (median), to read distanceToData against. */
  typicalSpacing: number;
  method: 'pca-inverse' | 'neighbour-blend';
}

/**
 * Maps a point of a layout back to latent space: PCA exactly (mean + Σ coordinate × component, the
 * components not shown held at the mean); t-SNE/UMAP by blending the codes of the k nearest
 * projected points with inverse-distance weights.
 */
export function codeAtLayoutPoint(
  layout: LayoutForInversion,
  codes: Float32Array,
  n: number,
  dim: number,
  point: Float32Array,
  typicalSpacing: number,
  k = 8,
): LatentSpot {
  if (point.length !== layout.dims) throw new RangeError(`point has ${point.length} coordinates, the layout has ${layout.dims}`);
  let code: Float32Array;
  let method: LatentSpot['method'];
  if (layout.pca && layout.components) {
    const coords = new Float32Array(layout.pca.k);
    layout.components.forEach((component, axis) => (coords[component] = point[axis]));
    code = inversePca(layout.pca, coords, 1);
    method = 'pca-inverse';
  } else {
    code = blendByNeighbors(layout.positions, codes, n, layout.dims, dim, point, 1, k).values;
    method = 'neighbour-blend';
  }
  const distanceToData = blendByNeighbors(codes, new Float32Array(n), n, dim, 1, code, 1, 1).nearestDistance[0];
  return { code, distanceToData, typicalSpacing, method };
}

/** Median distance from each of up to `sample` codes to its nearest other code. */
export function typicalCodeSpacing(codes: Float32Array, n: number, dim: number, sample = 500, seed = 1): number {
  if (n < 2) return 0;
  const rng = createRng(seed);
  const m = Math.min(sample, n);
  const distances = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    const i = m === n ? s : rng.nextInt(n);
    let best = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < dim; c++) {
        const diff = codes[i * dim + c] - codes[j * dim + c];
        d += diff * diff;
      }
      if (d < best) best = d;
    }
    distances[s] = Math.sqrt(best);
  }
  distances.sort();
  return distances[Math.floor(m / 2)];
}

/**
 * `steps` codes from `from` to `to` inclusive: linear, or spherical (slerp), which keeps the norm
 * typical of Gaussian codes and so stays where a VAE's prior has mass.
 */
export function interpolateCodes(from: Float32Array, to: Float32Array, steps: number, mode: 'linear' | 'slerp'): Float32Array {
  if (from.length !== to.length) throw new RangeError(`endpoint codes differ in size: ${from.length} and ${to.length}`);
  if (!Number.isInteger(steps) || steps < 2 || steps > 64) throw new RangeError(`steps must be an integer in 2–64, got ${steps}`);
  const dim = from.length;
  const out = new Float32Array(steps * dim);
  let dot = 0;
  let normFrom = 0;
  let normTo = 0;
  for (let c = 0; c < dim; c++) {
    dot += from[c] * to[c];
    normFrom += from[c] * from[c];
    normTo += to[c] * to[c];
  }
  const cosine = dot / (Math.sqrt(normFrom * normTo) || 1);
  const omega = Math.acos(Math.min(1, Math.max(-1, cosine)));
  // Nearly parallel endpoints make slerp's weights 0/0; linear is then the same path.
  const spherical = mode === 'slerp' && Math.sin(omega) > 1e-6;
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    const wFrom = spherical ? Math.sin((1 - t) * omega) / Math.sin(omega) : 1 - t;
    const wTo = spherical ? Math.sin(t * omega) / Math.sin(omega) : t;
    for (let c = 0; c < dim; c++) out[s * dim + c] = wFrom * from[c] + wTo * to[c];
  }
  return out;
}

/** classes × dim mean code per label (labels outside 0…classes−1 skipped; an empty class stays 0). */
export function classMeans(codes: Float32Array, n: number, dim: number, labels: Int32Array, classes: number): Float32Array {
  const means = new Float32Array(classes * dim);
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (label < 0 || label >= classes) continue;
    counts[label]++;
    for (let c = 0; c < dim; c++) means[label * dim + c] += codes[i * dim + c];
  }
  for (let l = 0; l < classes; l++) for (let c = 0; c < dim; c++) means[l * dim + c] /= Math.max(1, counts[l]);
  return means;
}

/** Mean code of the samples with a label. */
export function classCentroid(codes: Float32Array, n: number, dim: number, labels: Int32Array, label: number): Float32Array {
  if (!(label >= 0) || !labels.subarray(0, n).includes(label)) throw new RangeError(`no shown sample has label ${label}`);
  return classMeans(codes, n, dim, labels, label + 1).slice(label * dim, (label + 1) * dim);
}

export type TraversalAxis = { kind: 'unit'; index: number } | { kind: 'pc'; index: number };

/**
 * `steps` codes along one latent unit or one principal component of the codes, from −3σ to +3σ
 * around `anchor` (a sample's code, or the mean code when absent).
 */
export function traversalCodes(
  codes: Float32Array,
  n: number,
  dim: number,
  axis: TraversalAxis,
  steps: number,
  anchor?: Float32Array,
): { codes: Float32Array; offsets: Float32Array } {
  if (!Number.isInteger(steps) || steps < 2 || steps > 64) throw new RangeError(`steps must be an integer in 2–64, got ${steps}`);
  const stats = unitStatistics(codes, n, dim);
  const centre = anchor ?? Float32Array.from(stats.mean);
  const direction = new Float32Array(dim);
  let sigma: number;
  if (axis.kind === 'unit') {
    if (!Number.isInteger(axis.index) || axis.index < 0 || axis.index >= dim) {
      throw new RangeError(`latent unit ${axis.index} out of range 0–${dim - 1}`);
    }
    direction[axis.index] = 1;
    sigma = Math.sqrt(stats.variance[axis.index]);
  } else {
    const available = Math.min(dim, n);
    if (!Number.isInteger(axis.index) || axis.index < 0 || axis.index >= available) {
      throw new RangeError(`principal component ${axis.index} out of range 0–${available - 1}`);
    }
    const pca = fitPca(codes, n, dim, axis.index + 1);
    direction.set(pca.components.subarray(axis.index * dim, (axis.index + 1) * dim));
    sigma = Math.sqrt(pca.explainedVariance[axis.index]);
  }
  const out = new Float32Array(steps * dim);
  const offsets = new Float32Array(steps);
  for (let s = 0; s < steps; s++) {
    const offset = -3 * sigma + (6 * sigma * s) / (steps - 1);
    offsets[s] = offset;
    for (let c = 0; c < dim; c++) out[s * dim + c] = centre[c] + offset * direction[c];
  }
  return { codes: out, offsets };
}

/** `count` codes drawn from the standard normal prior N(0, I), seeded. */
export function priorCodes(count: number, dim: number, seed: number): Float32Array {
  if (!Number.isInteger(count) || count < 1 || count > 4096) throw new RangeError(`prior sample count must be in 1–4096, got ${count}`);
  const rng = createRng(seed);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.nextGaussian();
  return out;
}

export interface UnitStatistics {
  mean: Float64Array;
  variance: Float64Array;
}

/** Per-unit mean and variance (divisor n) of n codes. */
export function unitStatistics(codes: Float32Array, n: number, dim: number): UnitStatistics {
  const mean = new Float64Array(dim);
  const variance = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) mean[c] += codes[i * dim + c];
  for (let c = 0; c < dim; c++) mean[c] /= Math.max(1, n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dim; c++) {
      const d = codes[i * dim + c] - mean[c];
      variance[c] += d * d;
    }
  }
  for (let c = 0; c < dim; c++) variance[c] /= Math.max(1, n);
  return { mean, variance };
}

export interface LatentHealth {
  mean: Float32Array;
  variance: Float32Array;
  /** Per unit: share of samples with |code| < nearZero. */
  sparsity: Float32Array;
  /** Units whose variance exceeds activeVariance: the code actually uses them. */
  activeUnits: number;
  /** Units that barely vary across the data (variance ≤ deadVariance). */
  deadUnits: number;
  /** VAE only: per unit, mean KL(q(z|x) ‖ N(0, 1)) over the samples; near 0 means posterior collapse. */
  klPerUnit: Float32Array | null;
}

/**
 * Histograms of every unit's codes per class (`labels[i]` in 0…groups−1; −1 and others are left
 * out), or of all samples as one group when `labels` is null.
 */
export function unitHistograms(codes: Float32Array, n: number, dim: number, labels: Int32Array | null, groups: number, bins = 24): UnitHistograms {
  const groupCount = labels ? groups : 1;
  const lo = new Float32Array(dim).fill(Infinity);
  const hi = new Float32Array(dim).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dim; c++) {
      const v = codes[i * dim + c];
      if (v < lo[c]) lo[c] = v;
      if (v > hi[c]) hi[c] = v;
    }
  }
  const shares = new Float32Array(dim * groupCount * bins);
  const members = new Float64Array(groupCount);
  for (let i = 0; i < n; i++) {
    const group = labels ? labels[i] : 0;
    if (group < 0 || group >= groupCount) continue;
    members[group]++;
    for (let c = 0; c < dim; c++) {
      const width = hi[c] - lo[c];
      // A constant unit puts everything in its first bin.
      const bin = width > 0 ? Math.min(bins - 1, Math.floor(((codes[i * dim + c] - lo[c]) / width) * bins)) : 0;
      shares[(c * groupCount + group) * bins + bin]++;
    }
  }
  for (let c = 0; c < dim; c++) {
    for (let g = 0; g < groupCount; g++) {
      const row = (c * groupCount + g) * bins;
      for (let b = 0; b < bins; b++) shares[row + b] /= Math.max(1, members[g]);
    }
  }
  return { bins, groups: groupCount, lo, hi, shares };
}

/** Thresholds follow Burda et al.'s active-unit count (variance of the mean code above 0.01). */
export function latentHealth(
  codes: Float32Array,
  n: number,
  dim: number,
  logVar: Float32Array | null,
  thresholds = { activeVariance: 0.01, deadVariance: 1e-6, nearZero: 1e-3 },
): LatentHealth {
  const { mean, variance } = unitStatistics(codes, n, dim);
  const sparsity = new Float32Array(dim);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dim; c++) if (Math.abs(codes[i * dim + c]) < thresholds.nearZero) sparsity[c]++;
  }
  for (let c = 0; c < dim; c++) sparsity[c] /= Math.max(1, n);
  let klPerUnit: Float32Array | null = null;
  if (logVar) {
    klPerUnit = new Float32Array(dim);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < dim; c++) {
        const mu = codes[i * dim + c];
        const lv = logVar[i * dim + c];
        klPerUnit[c] += 0.5 * (mu * mu + Math.exp(lv) - lv - 1);
      }
    }
    for (let c = 0; c < dim; c++) klPerUnit[c] /= Math.max(1, n);
  }
  let activeUnits = 0;
  let deadUnits = 0;
  for (let c = 0; c < dim; c++) {
    if (variance[c] > thresholds.activeVariance) activeUnits++;
    if (variance[c] <= thresholds.deadVariance) deadUnits++;
  }
  return { mean: Float32Array.from(mean), variance: Float32Array.from(variance), sparsity, activeUnits, deadUnits, klPerUnit };
}

/**
 * Per-sample ‖J‖_F of an encoder at each of n inputs (n × inputSize), estimated by Hutchinson's
 * identity ‖J‖²_F = E_v ‖J v‖² over `probes` seeded Gaussian directions v, each J v a central
 * finite difference of `encode` (which maps n inputs to n × dim codes).
 */
export async function jacobianNorms(
  encode: (inputs: Float32Array, n: number) => Promise<Float32Array>,
  inputs: Float32Array,
  n: number,
  inputSize: number,
  dim: number,
  seed: number,
  probes = 8,
  epsilon = 1e-2,
): Promise<Float32Array> {
  const rng = createRng(seed);
  const directions = Float32Array.from({ length: probes * inputSize }, () => rng.nextGaussian());
  const squared = new Float64Array(n);
  const plus = new Float32Array(n * inputSize);
  const minus = new Float32Array(n * inputSize);
  for (let p = 0; p < probes; p++) {
    const v = directions.subarray(p * inputSize, (p + 1) * inputSize);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < inputSize; j++) {
        plus[i * inputSize + j] = inputs[i * inputSize + j] + epsilon * v[j];
        minus[i * inputSize + j] = inputs[i * inputSize + j] - epsilon * v[j];
      }
    }
    const up = await encode(plus, n);
    const down = await encode(minus, n);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let c = 0; c < dim; c++) {
        const jv = (up[i * dim + c] - down[i * dim + c]) / (2 * epsilon);
        norm += jv * jv;
      }
      squared[i] += norm / probes;
    }
  }
  return Float32Array.from(squared, Math.sqrt);
}

/** Samples ranked by one per-sample value against a threshold, as the anomaly list and the sensitivity ranking show them. */
export type Flagged = Omit<RankResponse, 'column'>;

/**
 * Ranks the finite values and flags those above `threshold`: a value, a percentile of the finite
 * values (nearest rank, so 99 flags the top 1 % when there are no ties), or mean + 3σ when null.
 */
export function flagAbove(values: Float32Array, threshold: number | { percentile: number } | null, limit: number): Flagged {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count === 0) throw new RangeError('no finite values to rank');
  const mean = sum / count;
  let squares = 0;
  for (const v of values) if (Number.isFinite(v)) squares += (v - mean) ** 2;
  const std = Math.sqrt(squares / count);
  const defaultThreshold = mean + 3 * std;
  const cut = threshold === null ? defaultThreshold : typeof threshold === 'number' ? threshold : percentileOf(values, count, threshold.percentile);
  const ranked: number[] = [];
  let flaggedCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    ranked.push(i);
    if (v > cut) flaggedCount++;
  }
  ranked.sort((a, b) => values[b] - values[a] || a - b);
  const listed = ranked.slice(0, limit);
  return {
    threshold: cut,
    defaultThreshold,
    min,
    max,
    mean,
    std,
    percentile: (100 * (count - flaggedCount)) / count,
    flaggedCount,
    indices: Int32Array.from(listed),
    values: Float32Array.from(listed, (i) => values[i]),
  };
}

/** The nearest-rank `percentile` (0–100) of the `count` finite entries of `values`. */
function percentileOf(values: Float32Array, count: number, percentile: number): number {
  if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${percentile}`);
  const finite = new Float32Array(count);
  let next = 0;
  for (const v of values) if (Number.isFinite(v)) finite[next++] = v;
  finite.sort();
  return finite[Math.max(0, Math.ceil((percentile / 100) * count) - 1)];
}

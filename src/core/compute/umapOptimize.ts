/**
 * UMAP's layout optimisation (umap-learn's optimize_layout_euclidean): stochastic gradient descent
 * over the fuzzy graph's edges, each sampled on umap-learn's epochs-per-sample schedule, with
 * negative sampling for repulsion. Pure flat-array code; the only power is a bit-level approximation.
 */

import { throwIfStopped } from './cancel';
import type { ProjectionHooks } from './hooks';
import { createRng } from './random';

/** The edges the optimiser samples, with how often each is sampled. */
export interface LayoutEdges {
  heads: Int32Array;
  tails: Int32Array;
  /** Sample an edge every this many epochs: max weight / weight (≥ 1). */
  epochsPerSample: Float32Array;
}

/** Parameters of the optimisation (all required here; `umap` fills in defaults). */
export interface LayoutParameters {
  a: number;
  b: number;
  nEpochs: number;
  learningRate: number;
  negativeSampleRate: number;
  /** Weight of the repulsive term (umap-learn's repulsion_strength). */
  repulsionStrength: number;
  seed: number;
}

/** Gradients are clipped to ±4 per coordinate, as in umap-learn, so one bad sample cannot fling a point. */
const GRADIENT_CLIP = 4;
/** Keeps 1/d² finite for near-coincident negative samples. */
const REPULSION_EPSILON = 0.001;
/** Live layouts handed to `onLayout` per run at most. */
const MAX_LAYOUT_CALLBACKS = 50;

const powScratch = new Float32Array(1);
const powScratchWords = new Int32Array(powScratch.buffer);
const ONE_BITS = 1065353216 - 366393;

/**
 * x^p for x > 0 by scaling the IEEE-754 exponent field (Schraudolph 1999; uwot's approx_pow):
 * a few ns instead of Math.pow's ~67 ns, with a relative error of a few per cent, which SGD
 * with clipped gradients tolerates without a visible change in the layout.
 */
export function approximatePow(x: number, p: number): number {
  powScratch[0] = x;
  powScratchWords[0] = (p * (powScratchWords[0] - ONE_BITS) + ONE_BITS) | 0;
  return powScratch[0];
}

function clip(gradient: number): number {
  return gradient > GRADIENT_CLIP ? GRADIENT_CLIP : gradient < -GRADIENT_CLIP ? -GRADIENT_CLIP : gradient;
}

/**
 * Runs the SGD in place on `embedding` (n × nComponents). Deterministic for a given seed: the
 * negative samples come from one seeded xorshift stream and the edges are visited in order.
 */
export function optimizeLayout(
  embedding: Float32Array,
  n: number,
  nComponents: number,
  edges: LayoutEdges,
  parameters: LayoutParameters,
  hooks: ProjectionHooks = {},
): void {
  const { heads, tails, epochsPerSample } = edges;
  const { a, b, nEpochs, learningRate, negativeSampleRate, repulsionStrength } = parameters;
  if (nComponents !== 2 && nComponents !== 3) throw new RangeError(`optimizeLayout handles 2 or 3 components, got ${nComponents}`);
  const edgeCount = heads.length;
  const nextSample = Float64Array.from(epochsPerSample);
  const epochsPerNegativeSample = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) epochsPerNegativeSample[e] = epochsPerSample[e] / negativeSampleRate;
  const nextNegativeSample = Float64Array.from(epochsPerNegativeSample);

  const seeder = createRng(parameters.seed);
  // xorshift32 for negative samples: inlined below, because a call per sample costs more than the sample.
  let randomState = seeder.nextUint32() | 1;
  const sampleScale = n / 4294967296;
  const attractionScale = -2 * a * b;
  const repulsionScale = 2 * repulsionStrength * b;
  const layoutEvery = Math.max(1, Math.ceil(nEpochs / MAX_LAYOUT_CALLBACKS));
  const edgesPerStopCheck = 1 << 16;
  // Coordinates are handled as scalars (x, y and, in 3-D, z) rather than in a loop over
  // components: V8 then keeps them in registers, about 1.5× faster per update.
  const threeD = nComponents === 3;

  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const alpha = learningRate * (1 - epoch / nEpochs);
    for (let e = 0; e < edgeCount; e++) {
      if ((e & (edgesPerStopCheck - 1)) === 0) throwIfStopped(hooks.shouldStop, 'layout optimisation');
      if (nextSample[e] > epoch) continue;
      const current = heads[e] * nComponents;
      let other = tails[e] * nComponents;

      let x = embedding[current];
      let y = embedding[current + 1];
      let z = threeD ? embedding[current + 2] : 0;
      let dx = x - embedding[other];
      let dy = y - embedding[other + 1];
      let dz = threeD ? z - embedding[other + 2] : 0;
      let distanceSquared = dx * dx + dy * dy + dz * dz;
      if (distanceSquared > 0) {
        // d^(2(b−1)) = d^(2b) / d²: one power serves both terms.
        const powered = approximatePow(distanceSquared, b);
        const coefficient = (attractionScale * powered) / (distanceSquared * (a * powered + 1));
        const stepX = clip(coefficient * dx) * alpha;
        const stepY = clip(coefficient * dy) * alpha;
        x += stepX;
        y += stepY;
        embedding[other] -= stepX;
        embedding[other + 1] -= stepY;
        if (threeD) {
          const stepZ = clip(coefficient * dz) * alpha;
          z += stepZ;
          embedding[other + 2] -= stepZ;
        }
      }
      nextSample[e] += epochsPerSample[e];

      const negativeSamples = Math.floor((epoch - nextNegativeSample[e]) / epochsPerNegativeSample[e]);
      for (let s = 0; s < negativeSamples; s++) {
        randomState ^= randomState << 13;
        randomState ^= randomState >>> 17;
        randomState ^= randomState << 5;
        other = ((randomState >>> 0) * sampleScale) | 0;
        other *= nComponents;
        if (other === current) continue;
        dx = x - embedding[other];
        dy = y - embedding[other + 1];
        dz = threeD ? z - embedding[other + 2] : 0;
        distanceSquared = dx * dx + dy * dy + dz * dz;
        if (distanceSquared <= 0) continue; // a coincident point gives no direction to push along
        const powered = approximatePow(distanceSquared, b);
        const coefficient = repulsionScale / ((REPULSION_EPSILON + distanceSquared) * (a * powered + 1));
        x += clip(coefficient * dx) * alpha;
        y += clip(coefficient * dy) * alpha;
        if (threeD) z += clip(coefficient * dz) * alpha;
      }
      embedding[current] = x;
      embedding[current + 1] = y;
      if (threeD) embedding[current + 2] = z;
      nextNegativeSample[e] += negativeSamples * epochsPerNegativeSample[e];
    }
    const fraction = (epoch + 1) / nEpochs;
    hooks.onProgress?.('optimize', fraction);
    if (hooks.onLayout !== undefined && ((epoch + 1) % layoutEvery === 0 || epoch + 1 === nEpochs)) {
      hooks.onLayout(embedding.slice(), fraction);
    }
  }
}

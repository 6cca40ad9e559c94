// AssemblyScript, compiled to WebAssembly by esbuild.mjs (see ../wasmKernels.ts): the inner loop
// of UMAP's SGD (../umapOptimize.ts runs the schedule, threads and progress). In wasm the loop
// runs in float32 with the squared distance's bit pattern read straight from a register, about
// twice as fast per update as the same loop in JS, where that bit cast goes through memory.
// Every argument that names an array is its byte offset in the shared memory.

/**
 * The coefficient tables' bin of d²: exponent and top COEFFICIENT_MANTISSA_BITS mantissa bits
 * of its float32 pattern, clamped to the table. d² below 2^−32 or above 2^16 uses the end bins:
 * the clipped step is then ~0 either way.
 */
const COEFFICIENT_MANTISSA_BITS: i32 = 7;
const COEFFICIENT_LOW_EXPONENT: i32 = -32;
const COEFFICIENT_HIGH_EXPONENT: i32 = 16;
const COEFFICIENT_BINS: i32 = (COEFFICIENT_HIGH_EXPONENT - COEFFICIENT_LOW_EXPONENT) << COEFFICIENT_MANTISSA_BITS;
const COEFFICIENT_FIRST_BITS: i32 = (127 + COEFFICIENT_LOW_EXPONENT) << COEFFICIENT_MANTISSA_BITS;
const COEFFICIENT_SHIFT: i32 = 23 - COEFFICIENT_MANTISSA_BITS;
/** Gradients are clipped to ±4 per coordinate, as in umap-learn. */
const GRADIENT_CLIP: f32 = 4;

/** Keeps 1/d² finite for near-coincident negative samples. */
const REPULSION_EPSILON: f64 = 0.001;

export function coefficientBinCount(): i32 {
  return COEFFICIENT_BINS;
}

/**
 * Per bin of d² (coefficientBinCount of them, valued at the bin's midpoint): attraction
 * −2ab·d^(2(b−1)) / (1 + a·d^(2b)) and repulsion 2γb / ((ε + d²)(1 + a·d^(2b))), umap-learn's
 * coefficients of the coordinate differences. A lookup replaces a power and a division on the
 * SGD's serial chain of updates to one point; d² is off by ≤ 2^−8 relative, and the coefficients,
 * which fall at most as d^−3.8, by ≤ 0.8 %.
 */
export function fillCoefficientTables(attraction: usize, repulsion: usize, a: f64, b: f64, repulsionStrength: f64): void {
  const binsPerOctave = 1 << COEFFICIENT_MANTISSA_BITS;
  for (let bin = 0; bin < COEFFICIENT_BINS; bin++) {
    const octave = bin / binsPerOctave;
    const distanceSquared = Math.pow(2, <f64>(COEFFICIENT_LOW_EXPONENT + octave)) * (1 + (<f64>(bin - octave * binsPerOctave) + 0.5) / binsPerOctave);
    const powered = Math.pow(distanceSquared, b);
    store<f32>(attraction + (<usize>bin << 2), <f32>((-2 * a * b * powered) / (distanceSquared * (a * powered + 1))));
    store<f32>(repulsion + (<usize>bin << 2), <f32>((2 * repulsionStrength * b) / ((REPULSION_EPSILON + distanceSquared) * (a * powered + 1))));
  }
}

@inline
export function coefficientBin(distanceSquared: f32): i32 {
  const bin = (reinterpret<i32>(distanceSquared) >> COEFFICIENT_SHIFT) - COEFFICIENT_FIRST_BITS;
  return bin < 0 ? 0 : bin >= COEFFICIENT_BINS ? COEFFICIENT_BINS - 1 : bin;
}

@inline
function clip(gradient: f32): f32 {
  return min<f32>(GRADIENT_CLIP, max<f32>(-GRADIENT_CLIP, gradient));
}

@inline
function nextRandom(state: u32): u32 {
  state ^= state << 13;
  state ^= state >> 17;
  return state ^ (state << 5);
}

/**
 * One chunk of an epoch: first fills the thread's window of negative-sample candidates (`runs`
 * runs of consecutive ids at random starts, copied from the layout), then, for rows
 * firstRow … endRow − 1, samples each edge that is due (attraction on both ends) and its due
 * negative samples from the window (repulsion on the head), as umap-learn's
 * optimize_layout_euclidean does. Returns the xorshift32 state to pass to the next chunk.
 */
export function layoutChunk(
  rowStart: usize,
  tails: usize,
  epochsPerSample: usize,
  nextSample: usize,
  nextNegativeSample: usize,
  embedding: usize,
  windowPoints: usize,
  windowIds: usize,
  attraction: usize,
  repulsion: usize,
  n: i32,
  nComponents: i32,
  firstRow: i32,
  endRow: i32,
  epoch: f32,
  alpha: f32,
  negativeSamplePeriod: f32,
  window: i32,
  runs: i32,
  randomState: u32,
): u32 {
  const threeD = nComponents == 3;
  const pointBytes = <usize>nComponents << 2;
  const runLength = window / runs;
  for (let slot = 0; slot < window; ) {
    randomState = nextRandom(randomState);
    const start = <i32>((<u64>randomState * <u64>n) >> 32);
    // The run's coordinates are one block of the layout (two when it wraps past the last point).
    const beforeEnd = min<i32>(runLength, n - start);
    memory.copy(windowPoints + <usize>slot * pointBytes, embedding + <usize>start * pointBytes, <usize>beforeEnd * pointBytes);
    if (beforeEnd < runLength) memory.copy(windowPoints + <usize>(slot + beforeEnd) * pointBytes, embedding, <usize>(runLength - beforeEnd) * pointBytes);
    for (let id = start, runEnd = slot + runLength; slot < runEnd; slot++, id = id + 1 == n ? 0 : id + 1) store<i32>(windowIds + (<usize>slot << 2), id);
  }

  for (let row = firstRow; row < endRow; row++) {
    const current = embedding + <usize>row * pointBytes;
    const edgeEnd = load<i32>(rowStart + (<usize>(row + 1) << 2));
    for (let e = load<i32>(rowStart + (<usize>row << 2)); e < edgeEnd; e++) {
      const edge = <usize>e << 2;
      const due = load<f32>(nextSample + edge);
      if (due > epoch) continue;
      let other = embedding + <usize>load<i32>(tails + edge) * pointBytes;
      let x = load<f32>(current);
      let y = load<f32>(current, 4);
      let z: f32 = threeD ? load<f32>(current, 8) : 0;
      let dx = x - load<f32>(other);
      let dy = y - load<f32>(other, 4);
      let dz: f32 = threeD ? z - load<f32>(other, 8) : 0;
      // At d = 0 the step is 0 whatever the coefficient, as umap-learn's `if dist_squared > 0` leaves it.
      let coefficient = load<f32>(attraction + (<usize>coefficientBin(dx * dx + dy * dy + dz * dz) << 2));
      const stepX = clip(coefficient * dx) * alpha;
      const stepY = clip(coefficient * dy) * alpha;
      x += stepX;
      y += stepY;
      store<f32>(other, load<f32>(other) - stepX);
      store<f32>(other, load<f32>(other, 4) - stepY, 4);
      if (threeD) {
        const stepZ = clip(coefficient * dz) * alpha;
        z += stepZ;
        store<f32>(other, load<f32>(other, 8) - stepZ, 8);
      }
      const period = load<f32>(epochsPerSample + edge);
      store<f32>(nextSample + edge, due + period);

      const negativePeriod = period * negativeSamplePeriod;
      const negativeDue = load<f32>(nextNegativeSample + edge);
      const negativeSamples = <i32>Mathf.floor((epoch - negativeDue) / negativePeriod);
      for (let s = 0; s < negativeSamples; s++) {
        randomState = nextRandom(randomState);
        const sampled = <i32>((<u64>randomState * <u64>window) >> 32);
        if (load<i32>(windowIds + (<usize>sampled << 2)) == row) continue;
        other = windowPoints + <usize>sampled * pointBytes;
        dx = x - load<f32>(other);
        dy = y - load<f32>(other, 4);
        dz = threeD ? z - load<f32>(other, 8) : 0;
        // A coincident point gives no direction to push along: its step is 0.
        coefficient = load<f32>(repulsion + (<usize>coefficientBin(dx * dx + dy * dy + dz * dz) << 2));
        x += clip(coefficient * dx) * alpha;
        y += clip(coefficient * dy) * alpha;
        if (threeD) z += clip(coefficient * dz) * alpha;
      }
      store<f32>(current, x);
      store<f32>(current, y, 4);
      if (threeD) store<f32>(current, z, 8);
      store<f32>(nextNegativeSample + edge, negativeDue + <f32>negativeSamples * negativePeriod);
    }
  }
  return randomState;
}

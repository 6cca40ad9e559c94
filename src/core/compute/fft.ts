/**
 * 2-D complex FFT of square grids, sides 2^m or 3·2^m, over split real/imaginary Float64Arrays, for the
 * convolutions of FFT-accelerated t-SNE. Written here rather than taken from npm: the packages
 * there (fft.js, fourier-transform, ml-fft) are 1-D over interleaved or plain arrays, and in V8
 * the fast way to a 2-D transform is a different loop shape altogether (see transformColumns).
 */

/** Transforms of size × size grids, with twiddles and the input row permutation precomputed. */
export class Fft2d {
  readonly size: number;
  /** The power-of-two part of the size: the length of the radix-2/4 transforms. */
  private readonly powerOfTwo: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Row pairs (i < j) that bit reversal swaps, flattened (power-of-two sizes). */
  private readonly swaps: Int32Array;
  /**
   * For sizes 3·2^m, the input row that goes to each row: three interleaved subsequences, each in
   * bit-reversed order, for three power-of-two transforms joined by a last radix-3 step.
   */
  private readonly rowSources: Int32Array | null;
  /** The permutation's cycles of length > 1: per cycle its length, then its rows, each taking the next one's values. */
  private readonly cycles: Int32Array;
  private readonly rowBuffer: Float64Array;

  constructor(size: number) {
    const powerOfTwo = size % 3 === 0 ? size / 3 : size;
    if (!Number.isInteger(size) || size < 2 || (powerOfTwo & (powerOfTwo - 1)) !== 0) {
      throw new RangeError(`FFT size must be 2^m ≥ 2 or 3·2^m, got ${size}`);
    }
    this.size = size;
    this.powerOfTwo = powerOfTwo;
    this.cos = Float64Array.from({ length: size }, (_, k) => Math.cos((2 * Math.PI * k) / size));
    this.sin = Float64Array.from({ length: size }, (_, k) => Math.sin((2 * Math.PI * k) / size));
    const bits = Math.round(Math.log2(powerOfTwo));
    const reversed = Int32Array.from({ length: powerOfTwo }, (_, i) => {
      let j = 0;
      for (let b = 0; b < bits; b++) j |= ((i >> b) & 1) << (bits - 1 - b);
      return j;
    });
    const swaps: number[] = [];
    if (powerOfTwo === size) reversed.forEach((j, i) => i < j && swaps.push(i, j));
    this.swaps = Int32Array.from(swaps);
    this.rowSources = powerOfTwo === size ? null : Int32Array.from({ length: size }, (_, row) => 3 * reversed[row % powerOfTwo] + Math.floor(row / powerOfTwo));
    this.cycles = Int32Array.from(this.rowSources === null ? [] : permutationCycles(this.rowSources));
    this.rowBuffer = new Float64Array(this.rowSources === null ? 0 : size);
  }

  /**
   * Forward 2-D DFT, X[u, v] = Σ x[r, c] e^(−2πi(ur + vc)/size), of a row-major grid in place,
   * stored TRANSPOSED (X[u, v] at [v, u]): products of two such spectra, and `inverse` of the
   * result, need no transpose back. Only columns [0, usedColumns) of the input may be non-zero.
   */
  forward(re: Float64Array, im: Float64Array, usedColumns = this.size): void {
    this.transformColumns(re, im, -1, usedColumns);
    transpose(re, this.size);
    transpose(im, this.size);
    this.transformColumns(re, im, -1, this.size);
  }

  /**
   * Unscaled inverse of `forward` (inverse(forward(x)) = size² · x), back in row-major order;
   * only columns [0, usedColumns) of the result are computed.
   */
  inverse(re: Float64Array, im: Float64Array, usedColumns = this.size): void {
    this.transformColumns(re, im, 1, this.size);
    transpose(re, this.size);
    transpose(im, this.size);
    this.transformColumns(re, im, 1, usedColumns);
  }

  /**
   * DFT down each of the first `columns` columns. Every butterfly combines whole rows with one
   * twiddle, so the inner loop is a contiguous sweep (V8's best case: 3–4× faster than 1-D
   * transforms along rows), and radix-4 steps halve the sweeps over memory.
   */
  private transformColumns(re: Float64Array, im: Float64Array, sign: 1 | -1, columns: number): void {
    const { size, powerOfTwo, swaps, cos, sin } = this;
    if (this.rowSources !== null) {
      this.permuteRows(re, columns);
      this.permuteRows(im, columns);
    }
    for (let s = 0; s < swaps.length; s += 2) {
      const a = swaps[s] * size;
      const b = swaps[s + 1] * size;
      for (let c = 0; c < columns; c++) {
        const tr = re[a + c];
        re[a + c] = re[b + c];
        re[b + c] = tr;
        const ti = im[a + c];
        im[a + c] = im[b + c];
        im[b + c] = ti;
      }
    }
    let half = 1;
    if ((Math.round(Math.log2(powerOfTwo)) & 1) === 1) {
      // An odd number of stages: one twiddle-free radix-2 stage first.
      for (let row = 0; row < size; row += 2) {
        const a = row * size;
        const b = a + size;
        for (let c = 0; c < columns; c++) {
          const tr = re[b + c];
          const ti = im[b + c];
          re[b + c] = re[a + c] - tr;
          im[b + c] = im[a + c] - ti;
          re[a + c] += tr;
          im[a + c] += ti;
        }
      }
      half = 2;
    }
    // Radix 4: stages `half` and 2·half together on rows k, k + h, k + 2h, k + 3h of each block of 4h.
    for (; half < powerOfTwo; half <<= 2) {
      const quarterTurn = size / (4 * half);
      for (let k = 0; k < half; k++) {
        const w1r = cos[2 * k * quarterTurn];
        const w1i = sign * sin[2 * k * quarterTurn];
        const w2r = cos[k * quarterTurn];
        const w2i = sign * sin[k * quarterTurn];
        // The second stage's twiddle for rows k + h, k + 3h is w2 · e^(sign·iπ/2).
        const w3r = -sign * w2i;
        const w3i = sign * w2r;
        for (let row = k; row < size; row += 4 * half) {
          const r0 = row * size;
          const r1 = r0 + half * size;
          const r2 = r1 + half * size;
          const r3 = r2 + half * size;
          for (let c = 0; c < columns; c++) {
            const x0r = re[r0 + c];
            const x0i = im[r0 + c];
            const x1r = re[r1 + c];
            const x1i = im[r1 + c];
            const x2r = re[r2 + c];
            const x2i = im[r2 + c];
            const x3r = re[r3 + c];
            const x3i = im[r3 + c];
            const t1r = w1r * x1r - w1i * x1i;
            const t1i = w1r * x1i + w1i * x1r;
            const t3r = w1r * x3r - w1i * x3i;
            const t3i = w1r * x3i + w1i * x3r;
            const y0r = x0r + t1r;
            const y0i = x0i + t1i;
            const y1r = x0r - t1r;
            const y1i = x0i - t1i;
            const y2r = x2r + t3r;
            const y2i = x2i + t3i;
            const y3r = x2r - t3r;
            const y3i = x2i - t3i;
            const u2r = w2r * y2r - w2i * y2i;
            const u2i = w2r * y2i + w2i * y2r;
            const u3r = w3r * y3r - w3i * y3i;
            const u3i = w3r * y3i + w3i * y3r;
            re[r0 + c] = y0r + u2r;
            im[r0 + c] = y0i + u2i;
            re[r2 + c] = y0r - u2r;
            im[r2 + c] = y0i - u2i;
            re[r1 + c] = y1r + u3r;
            im[r1 + c] = y1i + u3i;
            re[r3 + c] = y1r - u3r;
            im[r3 + c] = y1i - u3i;
          }
        }
      }
    }
    if (powerOfTwo !== size) this.joinThirds(re, im, sign, columns);
  }

  /** Moves row rowSources[r] to row r, for the first `columns` columns, one cycle at a time. */
  private permuteRows(values: Float64Array, columns: number): void {
    const { size, cycles, rowBuffer } = this;
    for (let at = 0; at < cycles.length; at += cycles[at] + 1) {
      const first = cycles[at + 1] * size;
      for (let c = 0; c < columns; c++) rowBuffer[c] = values[first + c];
      for (let k = 1; k < cycles[at]; k++) {
        const to = cycles[at + k] * size;
        const from = cycles[at + k + 1] * size;
        for (let c = 0; c < columns; c++) values[to + c] = values[from + c];
      }
      const last = cycles[at + cycles[at]] * size;
      for (let c = 0; c < columns; c++) values[last + c] = rowBuffer[c];
    }
  }

  /**
   * The radix-3 step: rows k, P + k, 2P + k hold the three power-of-two transforms Y0, Y1, Y2 (of
   * rows ≡ 0, 1, 2 mod 3) at k; X[k + qP] = Σ_j ω^(jq) · W^(jk) · Yj[k] with ω the cube root of unity.
   */
  private joinThirds(re: Float64Array, im: Float64Array, sign: 1 | -1, columns: number): void {
    const { size, powerOfTwo: third, cos, sin } = this;
    const rotation = (sign * Math.sqrt(3)) / 2;
    for (let k = 0; k < third; k++) {
      const w1r = cos[k];
      const w1i = sign * sin[k];
      const w2r = cos[2 * k];
      const w2i = sign * sin[2 * k];
      const r0 = k * size;
      const r1 = r0 + third * size;
      const r2 = r1 + third * size;
      for (let c = 0; c < columns; c++) {
        const x1r = re[r1 + c];
        const x1i = im[r1 + c];
        const x2r = re[r2 + c];
        const x2i = im[r2 + c];
        const t1r = w1r * x1r - w1i * x1i;
        const t1i = w1r * x1i + w1i * x1r;
        const t2r = w2r * x2r - w2i * x2i;
        const t2i = w2r * x2i + w2i * x2r;
        const sr = t1r + t2r;
        const si = t1i + t2i;
        // ω·t1 + ω²·t2 = −(t1 + t2)/2 + i·sign·(√3/2)·(t1 − t2), and its conjugate pair for ω².
        const dr = rotation * (t1r - t2r);
        const di = rotation * (t1i - t2i);
        const mr = re[r0 + c] - sr / 2;
        const mi = im[r0 + c] - si / 2;
        re[r0 + c] += sr;
        im[r0 + c] += si;
        re[r1 + c] = mr - di;
        im[r1 + c] = mi + dr;
        re[r2 + c] = mr + di;
        im[r2 + c] = mi - dr;
      }
    }
  }
}

/** The cycles of r ← sources[r] longer than one row, as [length, r, sources[r], sources[sources[r]], …] per cycle. */
function permutationCycles(sources: Int32Array): number[] {
  const visited = new Uint8Array(sources.length);
  const cycles: number[] = [];
  for (let start = 0; start < sources.length; start++) {
    if (visited[start] === 1 || sources[start] === start) continue;
    const cycle: number[] = [];
    for (let r = start; visited[r] === 0; r = sources[r]) {
      visited[r] = 1;
      cycle.push(r);
    }
    cycles.push(cycle.length, ...cycle);
  }
  return cycles;
}

/** In-place transpose of a size × size row-major grid, in tiles so that both sides stay in cache. */
function transpose(values: Float64Array, size: number): void {
  const tile = 32;
  for (let r0 = 0; r0 < size; r0 += tile) {
    for (let c0 = r0; c0 < size; c0 += tile) {
      const rEnd = Math.min(r0 + tile, size);
      const cEnd = Math.min(c0 + tile, size);
      for (let r = r0; r < rEnd; r++) {
        for (let c = c0 === r0 ? r + 1 : c0; c < cEnd; c++) {
          const t = values[r * size + c];
          values[r * size + c] = values[c * size + r];
          values[c * size + r] = t;
        }
      }
    }
  }
}

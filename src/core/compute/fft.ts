/**
 * 2-D complex FFT of square grids, sides 2^m ≥ 2 or 3·2^m ≥ 6, over split real/imaginary float64
 * grids, for the convolutions of FFT-accelerated t-SNE. Written here rather than taken from npm:
 * the packages there (fft.js, fourier-transform, ml-fft) are 1-D over interleaved or plain arrays,
 * and the fast way to a 2-D transform is a different loop shape altogether: every butterfly
 * combines whole rows with one twiddle, so the inner loop is a contiguous sweep down the columns,
 * which the WebAssembly kernel (kernels/fft.ts) runs two columns per SIMD operation, and radix-4
 * steps halve the sweeps over memory.
 */

import { instantiateKernels, type Kernels, type KernelMemory } from './wasmKernels';

/** Transforms of size × size grids allocated in one `KernelMemory`, with twiddles and the input row permutation precomputed there. */
export class Fft2d {
  readonly size: number;
  /** The power-of-two part of the size: the length of the radix-2/4 transforms. */
  private readonly powerOfTwo: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Row pairs (i < j) that bit reversal swaps, flattened (power-of-two sizes). */
  private readonly swaps: Int32Array;
  /**
   * For sizes 3·2^m, the input row permutation: three interleaved subsequences, each in
   * bit-reversed order, for three power-of-two transforms joined by a last radix-3 step; stored as
   * its cycles of length > 1, per cycle its length, then its rows, each taking the next one's values.
   */
  private readonly cycles: Int32Array;
  private readonly rowBuffer: Float64Array;
  private readonly kernels: Kernels;

  /** @param memory where the grids given to `forward` and `inverse` live; the tables go there too. */
  constructor(size: number, memory: KernelMemory) {
    const powerOfTwo = size % 3 === 0 ? size / 3 : size;
    if (!Number.isInteger(size) || size < 2 || size === 3 || (powerOfTwo & (powerOfTwo - 1)) !== 0) {
      throw new RangeError(`FFT size must be 2^m ≥ 2 or 3·2^m ≥ 6, got ${size}`);
    }
    this.size = size;
    this.powerOfTwo = powerOfTwo;
    this.cos = memory.float64(size);
    this.sin = memory.float64(size);
    for (let k = 0; k < size; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    const bits = Math.round(Math.log2(powerOfTwo));
    const reversed = Int32Array.from({ length: powerOfTwo }, (_, i) => {
      let j = 0;
      for (let b = 0; b < bits; b++) j |= ((i >> b) & 1) << (bits - 1 - b);
      return j;
    });
    const swaps: number[] = [];
    if (powerOfTwo === size) reversed.forEach((j, i) => i < j && swaps.push(i, j));
    const cycles = powerOfTwo === size ? [] : permutationCycles(Int32Array.from({ length: size }, (_, row) => 3 * reversed[row % powerOfTwo] + Math.floor(row / powerOfTwo)));
    this.swaps = memory.int32(swaps.length);
    this.swaps.set(swaps);
    this.cycles = memory.int32(cycles.length);
    this.cycles.set(cycles);
    this.rowBuffer = memory.float64(size);
    this.kernels = instantiateKernels(memory.memory);
  }

  /**
   * Forward 2-D DFT, X[u, v] = Σ x[r, c] e^(−2πi(ur + vc)/size), of a row-major grid in place,
   * stored TRANSPOSED (X[u, v] at [v, u]): products of two such spectra, and `inverse` of the
   * result, need no transpose back. Only columns [0, usedColumns) of the input may be non-zero.
   * `re` and `im` are size² values in this transform's memory.
   */
  forward(re: Float64Array, im: Float64Array, usedColumns = this.size): void {
    this.transformColumns(re, im, -1, usedColumns);
    this.kernels.transpose(re.byteOffset, this.size);
    this.kernels.transpose(im.byteOffset, this.size);
    this.transformColumns(re, im, -1, this.size);
  }

  /**
   * Unscaled inverse of `forward` (inverse(forward(x)) = size² · x), back in row-major order;
   * only columns [0, usedColumns) of the result are computed.
   */
  inverse(re: Float64Array, im: Float64Array, usedColumns = this.size): void {
    this.transformColumns(re, im, 1, this.size);
    this.kernels.transpose(re.byteOffset, this.size);
    this.kernels.transpose(im.byteOffset, this.size);
    this.transformColumns(re, im, 1, usedColumns);
  }

  private transformColumns(re: Float64Array, im: Float64Array, sign: 1 | -1, columns: number): void {
    const { size, swaps, cycles } = this;
    if (re.length < size * size || im.length < size * size) throw new RangeError(`an FFT of side ${size} needs ${size * size} values per grid, got ${re.length} and ${im.length}`);
    this.kernels.transformColumns(
      re.byteOffset,
      im.byteOffset,
      size,
      this.powerOfTwo,
      sign,
      columns,
      this.cos.byteOffset,
      this.sin.byteOffset,
      swaps.byteOffset,
      swaps.length / 2,
      cycles.byteOffset,
      cycles.length,
      this.rowBuffer.byteOffset,
    );
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

/**
 * t-SNE's repulsive forces in 2-D by FFT-accelerated interpolation (Linderman et al. 2019,
 * "FIt-SNE", as openTSNE also does it): the points' charges are spread by Lagrange interpolation
 * onto an equispaced grid, convolved with the kernel 1/(1 + d²)² by FFT, and the potentials are
 * interpolated back. Cost per iteration is O(n) plus O(L² log L) for an L × L grid, against
 * Barnes–Hut's O(n log n) tree walks with their cache misses.
 */

import { Fft2d } from './fft';
import { KernelMemory } from './wasmKernels';

/** Interpolation nodes per box and axis, FIt-SNE's default (piecewise quadratic interpolation). */
export const NODES_PER_BOX = 3;
/**
 * Widest box, in embedding units, while the grid may still grow: FIt-SNE's default. The kernel
 * varies on a scale of 1, and the force error grows as the cube of the width (relative L2 error on
 * a 10k MNIST layout 80 wide: width 0.5: 0.005, 1: 0.037, 2: 0.21). Measured on 10k MNIST codes
 * (KL divergence, trustworthiness): width 1: 1.84, 0.9901; 1.5: 1.94, 0.9898; 2: 1.99, 0.9893;
 * at the 256² cap below (width 2 by the end): 1.95, 0.9897; Barnes–Hut 1.68, 0.9897.
 */
export const MAX_BOX_WIDTH = 1;
/**
 * Grid cells per point at most (and so wider boxes on a wide layout of few points): the transforms
 * cost the same whatever n, and with this cap they take about as long as the attractive pass,
 * which a helper thread computes meanwhile. A 10k layout gets a 384² grid, a 70k one 768².
 * Measured on 10k MNIST codes with the WebAssembly transforms (KL, seconds): 10 cells (256²)
 * 1.95, 8.7 s; 20 (384²) 1.89, 9.0 s; 40 (512²) 1.86, 17.5 s.
 */
const GRID_CELLS_PER_POINT = 20;
/**
 * Bounds on the largest FFT side: small runs are cheap anyway, and past 768² the transforms cost
 * more than they gain even at 70k points (70k MNIST codes, 2 threads: 768², KL 2.95 in 61 s;
 * 1024², KL 2.90 in 81 s).
 */
const SMALLEST_SIZE_CAP = 256;
const MAX_FFT_SIZE = 768;
const WIDTH_STEP = 1.05;
/** Smallest FFT side: below it the fixed overheads dominate and a finer grid is free accuracy. */
const MIN_FFT_SIZE = 64;

/** Repulsion by interpolation on an FFT grid, with buffers reused across iterations for `n` 2-D points. */
export class FftRepulsion {
  private readonly transforms = new Map<number, Fft2d>();
  /** Per point: first interpolation node on each axis, and that axis's NODES_PER_BOX weights. */
  private readonly firstColumn: Int32Array;
  private readonly firstRow: Int32Array;
  private readonly columnWeights: Float64Array;
  private readonly rowWeights: Float64Array;
  /** Lagrange denominators Π_{l≠k} (t_k − t_l) for the nodes t_k = (k + ½)/NODES_PER_BOX of a unit box. */
  private readonly nodeOffsets = new Float64Array(NODES_PER_BOX);
  private readonly denominators = new Float64Array(NODES_PER_BOX);
  /** w at node offsets (|dy|, |dx|) ∈ [0, p−1]², and one point's weight products per offset on each axis. */
  private readonly selfKernel = new Float64Array(NODES_PER_BOX * NODES_PER_BOX);
  private readonly rowProducts = new Float64Array(NODES_PER_BOX);
  private readonly columnProducts = new Float64Array(NODES_PER_BOX);
  /** The grids and the transforms' tables, where the FFT kernels work on them; grids are sized for the largest FFT. */
  private readonly memory = new KernelMemory();
  /** The unit charges spread on the grid; after the convolution, the x and y force potentials. */
  private readonly chargeRe: Float64Array;
  private readonly chargeIm: Float64Array;
  /** Scratch for the imaginary part of w, which is zero. */
  private readonly weightIm: Float64Array;
  private readonly forceRe: Float64Array;
  private readonly forceIm: Float64Array;
  private readonly weightSpectrum: Float64Array;
  /** Grid size and node spacing the kernel spectra were computed for. */
  private kernelSize = 0;
  private kernelSpacing = 0;

  /** Largest FFT side for this many points; a layout too wide for it at MAX_BOX_WIDTH gets wider boxes instead. */
  private readonly maxSize: number;

  constructor(private readonly n: number) {
    let maxSize = MIN_FFT_SIZE;
    while (nextFftSize(maxSize) <= MAX_FFT_SIZE && (nextFftSize(maxSize) ** 2 <= GRID_CELLS_PER_POINT * n || nextFftSize(maxSize) <= SMALLEST_SIZE_CAP)) {
      maxSize = nextFftSize(maxSize);
    }
    this.maxSize = maxSize;
    const cells = maxSize * maxSize;
    this.chargeRe = this.memory.float64(cells);
    this.chargeIm = this.memory.float64(cells);
    this.weightIm = this.memory.float64(cells);
    this.forceRe = this.memory.float64(cells);
    this.forceIm = this.memory.float64(cells);
    this.weightSpectrum = this.memory.float64(cells);
    this.firstColumn = new Int32Array(n);
    this.firstRow = new Int32Array(n);
    this.columnWeights = new Float64Array(n * NODES_PER_BOX);
    this.rowWeights = new Float64Array(n * NODES_PER_BOX);
    for (let k = 0; k < NODES_PER_BOX; k++) this.nodeOffsets[k] = (k + 0.5) / NODES_PER_BOX;
    for (let k = 0; k < NODES_PER_BOX; k++) {
      let product = 1;
      for (let l = 0; l < NODES_PER_BOX; l++) if (l !== k) product *= this.nodeOffsets[k] - this.nodeOffsets[l];
      this.denominators[k] = product;
    }
  }

  /**
   * Fills `repulsive` (n × 2) with Σ_j w_ij² (y_i − y_j), w_ij = 1/(1 + |y_i − y_j|²), and returns
   * Z = Σ_{i≠j} w_ij. The unit charges are convolved with the kernels w²·dx and w²·dy (one
   * complex transform each way), and Z + n = ⟨charges, w ∗ charges⟩ is read off the spectrum by
   * Parseval. FIt-SNE instead convolves charges 1, x, y, |y|² with w² and expands, at twice the
   * transforms, and there the force is a difference of terms |y| times larger than itself, which
   * at embedding spans of 100 costs more accuracy than the interpolation does.
   */
  compute(positions: Float64Array, repulsive: Float64Array): number {
    const n = this.n;
    let low = Infinity;
    let high = -Infinity;
    for (let c = 0; c < 2 * n; c++) {
      const v = positions[c];
      if (v < low) low = v;
      if (v > high) high = v;
    }
    // A hair of margin keeps the extreme points strictly inside the last box.
    const span = Math.max(high - low, 1e-9) * (1 + 1e-9);
    let size = MIN_FFT_SIZE;
    while (boxesFor(size) * MAX_BOX_WIDTH < span && size < this.maxSize) size = nextFftSize(size);
    // A compact layout gets the whole smallest grid; a wide one the widest boxes, so that the
    // kernel spectra are reused until the grid has to grow, and columns past the layout are skipped.
    const boxWidth = size === MIN_FFT_SIZE ? span / boxesFor(size) : capWidth(span / boxesFor(size));
    const boxes = Math.min(Math.ceil(span / boxWidth), boxesFor(size));
    const nodes = boxes * NODES_PER_BOX;
    const fft = this.transformFor(size);
    const cells = size * size;
    const chargeRe = this.chargeRe.subarray(0, cells);
    const chargeIm = this.chargeIm.subarray(0, cells);
    chargeRe.fill(0);
    chargeIm.fill(0);

    this.locate(positions, 0, low, boxWidth, boxes, this.firstColumn, this.columnWeights);
    this.locate(positions, 1, low, boxWidth, boxes, this.firstRow, this.rowWeights);
    const { firstColumn, firstRow, columnWeights, rowWeights } = this;
    const p = NODES_PER_BOX;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < p; r++) {
        const row = (firstRow[i] + r) * size + firstColumn[i];
        const wy = rowWeights[i * p + r];
        for (let c = 0; c < p; c++) chargeRe[row + c] += wy * columnWeights[i * p + c];
      }
    }

    this.updateKernels(fft, size, boxWidth / NODES_PER_BOX);
    const forceRe = this.forceRe.subarray(0, cells);
    const forceIm = this.forceIm.subarray(0, cells);
    const weightSpectrum = this.weightSpectrum.subarray(0, cells);
    fft.forward(chargeRe, chargeIm, nodes);
    let sumW = 0;
    for (let c = 0; c < cells; c++) {
      const qr = chargeRe[c];
      const qi = chargeIm[c];
      sumW += (qr * qr + qi * qi) * weightSpectrum[c];
      const fr = forceRe[c];
      const fi = forceIm[c];
      chargeRe[c] = qr * fr - qi * fi;
      chargeIm[c] = qr * fi + qi * fr;
    }
    fft.inverse(chargeRe, chargeIm, nodes);

    // The sum holds each point's own w_ii = 1 as the grid sees it, which is 1 only up to the
    // interpolation error; on a coarse grid that is a few percent of Z, so it is subtracted as seen:
    // Σ over node pairs (r, c), (r', c') of the point's four weights times w at the pair's offset.
    // w depends only on |r − r'| and |c − c'|, so the weights are first summed per offset and axis.
    const spacing = boxWidth / NODES_PER_BOX;
    const { selfKernel, rowProducts, columnProducts } = this;
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) selfKernel[a * p + b] = 1 / (1 + spacing * spacing * (a * a + b * b));
    }
    for (let i = 0; i < n; i++) {
      let fx = 0;
      let fy = 0;
      productsPerOffset(rowWeights, i * p, rowProducts);
      productsPerOffset(columnWeights, i * p, columnProducts);
      for (let a = 0; a < p; a++) {
        let rowSum = 0;
        for (let b = 0; b < p; b++) rowSum += columnProducts[b] * selfKernel[a * p + b];
        sumW -= rowProducts[a] * rowSum;
      }
      for (let r = 0; r < p; r++) {
        const row = (firstRow[i] + r) * size + firstColumn[i];
        const wy = rowWeights[i * p + r];
        for (let c = 0; c < p; c++) {
          const weight = wy * columnWeights[i * p + c];
          fx += weight * chargeRe[row + c];
          fy += weight * chargeIm[row + c];
        }
      }
      repulsive[2 * i] = fx;
      repulsive[2 * i + 1] = fy;
    }
    return sumW;
  }

  /** Box and Lagrange weights of every point along one axis (0 = x → grid columns, 1 = y → grid rows). */
  private locate(positions: Float64Array, axis: number, low: number, boxWidth: number, boxes: number, first: Int32Array, weights: Float64Array): void {
    const p = NODES_PER_BOX;
    const { nodeOffsets, denominators } = this;
    for (let i = 0; i < this.n; i++) {
      const scaled = (positions[2 * i + axis] - low) / boxWidth;
      const box = Math.min(Math.floor(scaled), boxes - 1);
      const t = scaled - box;
      first[i] = box * p;
      for (let k = 0; k < p; k++) {
        let product = 1;
        for (let l = 0; l < p; l++) if (l !== k) product *= t - nodeOffsets[l];
        weights[i * p + k] = product / denominators[k];
      }
    }
  }

  /**
   * Spectra of the kernels sampled at the node spacing, laid out circularly so that the product
   * with a zero-padded charge grid is the linear convolution, and divided by size² so the unscaled
   * inverse transform comes out right: w²·dx + i·w²·dy as one complex grid (its inverse transform
   * against real charges gives the x force in the real part and the y force in the imaginary part),
   * and w, whose spectrum is real because w is even.
   */
  private updateKernels(fft: Fft2d, size: number, spacing: number): void {
    if (size === this.kernelSize && spacing === this.kernelSpacing) return;
    this.kernelSize = size;
    this.kernelSpacing = spacing;
    const cells = size * size;
    const forceRe = this.forceRe.subarray(0, cells);
    const forceIm = this.forceIm.subarray(0, cells);
    const weightRe = this.weightSpectrum.subarray(0, cells);
    const weightIm = this.weightIm.subarray(0, cells);
    weightIm.fill(0);
    const half = size / 2;
    for (let r = 0; r < size; r++) {
      // Signed offsets; ±size/2 is never reached by a pair of nodes, so it is left out of the odd kernels.
      const dy = r < half ? r : r - size;
      for (let c = 0; c < size; c++) {
        const dx = c < half ? c : c - size;
        const w = 1 / (1 + spacing * spacing * (dx * dx + dy * dy));
        const at = r * size + c;
        weightRe[at] = w / cells;
        forceRe[at] = c === half ? 0 : (w * w * dx * spacing) / cells;
        forceIm[at] = r === half ? 0 : (w * w * dy * spacing) / cells;
      }
    }
    fft.forward(forceRe, forceIm);
    fft.forward(weightRe, weightIm);
  }

  private transformFor(size: number): Fft2d {
    let fft = this.transforms.get(size);
    if (fft === undefined) {
      fft = new Fft2d(size, this.memory);
      this.transforms.set(size, fft);
    }
    return fft;
  }
}

/** Σ_{k − k' = ±d} weights[k]·weights[k'] for d = 0 … NODES_PER_BOX − 1, of the weights from `first`. */
function productsPerOffset(weights: Float64Array, first: number, products: Float64Array): void {
  for (let d = 0; d < NODES_PER_BOX; d++) {
    let sum = 0;
    for (let k = 0; k + d < NODES_PER_BOX; k++) sum += weights[first + k] * weights[first + k + d];
    products[d] = d === 0 ? sum : 2 * sum;
  }
}

/**
 * MAX_BOX_WIDTH, or for a layout too wide for the largest grid the next width up in steps of 5 %,
 * so that the kernel spectra are recomputed once per 5 % of growth rather than every iteration.
 */
function capWidth(needed: number): number {
  if (needed <= MAX_BOX_WIDTH) return MAX_BOX_WIDTH;
  return MAX_BOX_WIDTH * WIDTH_STEP ** Math.ceil(Math.log(needed / MAX_BOX_WIDTH) / Math.log(WIDTH_STEP));
}

/** The next FFT side up: 2^m → 3·2^(m−1) → 2^(m+1), so that a growing layout never pays for twice the cells it needs. */
function nextFftSize(size: number): number {
  return (size & (size - 1)) === 0 ? (size / 2) * 3 : (size / 3) * 4;
}

/** Most boxes per axis whose nodes fit an FFT of `size` without wrap-around: 2·nodes − 1 ≤ size. */
function boxesFor(size: number): number {
  return Math.floor((size + 1) / (2 * NODES_PER_BOX));
}

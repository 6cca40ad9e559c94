/**
 * Principal component analysis over flat typed arrays: one streaming pass accumulates the
 * covariance in Float64, a symmetric eigensolve of the D×D matrix gives the axes, and one pass
 * projects. The accumulator is exposed so a session can build the covariance while it encodes,
 * which makes PCA of the codes nearly free.
 */

import { createRng } from './random';

/** A fitted PCA: the mean, the k leading unit axes, and the variance each one explains. */
export interface PcaModel {
  /** Input dimensionality D. */
  dim: number;
  /** Number of kept components. */
  k: number;
  /** Per-feature mean (length D). */
  mean: Float64Array;
  /** k × D row-major unit vectors, ordered by decreasing variance; each row's largest-magnitude entry is positive. */
  components: Float32Array;
  /** Sample variance (divisor n − 1) along each kept component. */
  explainedVariance: Float64Array;
  /** Each component's share of the total variance (all D directions). */
  explainedVarianceRatio: Float64Array;
  /** Number of samples the model was fitted on. */
  count: number;
}

/** Accumulates a covariance batch by batch; `finish(k)` turns it into a PCA model. */
export interface CovarianceAccumulator {
  readonly dim: number;
  /** Samples added so far. */
  readonly count: number;
  /** Adds `count` rows of a row-major `count × dim` batch. */
  add(batch: Float32Array, count: number): void;
  /** Returns the D×D sample covariance (divisor n − 1) and the mean. */
  covariance(): { covariance: Float64Array; mean: Float64Array };
  /** Eigendecomposes the covariance and keeps the k leading components. */
  finish(k: number): PcaModel;
}

/** Starts a covariance accumulator for rows of `dim` features. */
export function createCovarianceAccumulator(dim: number): CovarianceAccumulator {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`PCA dimension must be a positive integer, got ${dim}`);
  // Raw (uncentred) moments in Float64: exact enough for Float32 inputs unless |mean|/std exceeds
  // ~1e4, and they let the inner loop skip zero entries, which makes raw-pixel data (80 % zeros
  // in MNIST) several times cheaper than a dense rank-1 update.
  const sums = new Float64Array(dim);
  const products = new Float64Array(dim * dim); // upper triangle used
  const nonzeroIndex = new Int32Array(dim);
  const nonzeroValue = new Float64Array(dim);
  let count = 0;

  function add(batch: Float32Array, rows: number): void {
    if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`batch row count must be a non-negative integer, got ${rows}`);
    if (batch.length < rows * dim) {
      throw new RangeError(`batch has ${batch.length} values, fewer than ${rows} rows × ${dim} features`);
    }
    for (let r = 0; r < rows; r++) {
      const offset = r * dim;
      let nonzeros = 0;
      for (let j = 0; j < dim; j++) {
        const value = batch[offset + j];
        if (value !== 0) {
          nonzeroIndex[nonzeros] = j;
          nonzeroValue[nonzeros] = value;
          nonzeros++;
          sums[j] += value;
        }
      }
      for (let a = 0; a < nonzeros; a++) {
        const va = nonzeroValue[a];
        const rowBase = nonzeroIndex[a] * dim;
        for (let b = a; b < nonzeros; b++) products[rowBase + nonzeroIndex[b]] += va * nonzeroValue[b];
      }
    }
    count += rows;
  }

  function covariance(): { covariance: Float64Array; mean: Float64Array } {
    if (count < 2) throw new RangeError(`PCA needs at least 2 samples, got ${count}`);
    const mean = new Float64Array(dim);
    for (let j = 0; j < dim; j++) mean[j] = sums[j] / count;
    const cov = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) {
        const value = (products[i * dim + j] - count * mean[i] * mean[j]) / (count - 1);
        cov[i * dim + j] = value;
        cov[j * dim + i] = value;
      }
    }
    return { covariance: cov, mean };
  }

  function finish(k: number): PcaModel {
    if (!Number.isInteger(k) || k < 1 || k > dim) throw new RangeError(`PCA component count must be an integer in [1, ${dim}], got ${k}`);
    const { covariance: cov, mean } = covariance();
    let totalVariance = 0;
    for (let j = 0; j < dim; j++) totalVariance += cov[j * dim + j];
    const { values, vectors } = symmetricEigen(cov, dim);
    const components = new Float32Array(k * dim);
    const explainedVariance = new Float64Array(k);
    const explainedVarianceRatio = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      // Rounding can leave tiny negative eigenvalues for rank-deficient data; a variance is never negative.
      const variance = Math.max(0, values[c]);
      explainedVariance[c] = variance;
      explainedVarianceRatio[c] = totalVariance > 0 ? variance / totalVariance : 0;
      for (let j = 0; j < dim; j++) components[c * dim + j] = vectors[c * dim + j];
    }
    return { dim, k, mean, components, explainedVariance, explainedVarianceRatio, count };
  }

  return {
    dim,
    get count() {
      return count;
    },
    add,
    covariance,
    finish,
  };
}

/** How `fitPca` finds the axes. */
export interface PcaOptions {
  /**
   * `covariance`: full D×D covariance and eigensolve (every component exact; O(n·D² + D³)).
   * `subspace`: randomised subspace iteration for the top k straight from the data
   * (O(iterations · nnz · (k + 10))), for wide inputs such as raw pixels or flattened conv codes.
   * `auto` (default) takes `subspace` when D > 256 and k is small beside D.
   */
  method?: 'auto' | 'covariance' | 'subspace';
  /** Seed for the subspace method's random start (default 0). */
  seed?: number;
}

/** Widest input `auto` still sends to the covariance path: its D² accumulation and D³ solve stay well under a second there. */
const COVARIANCE_MAX_DIM = 256;
/** Extra directions carried by subspace iteration beyond k (at least 10, or k/2 for large k); they speed convergence by widening the spectral gap. */
const SUBSPACE_OVERSAMPLING = 10;
const subspaceWidth = (k: number, dim: number): number => Math.min(dim, k + Math.max(SUBSPACE_OVERSAMPLING, Math.ceil(k / 2)));
const SUBSPACE_MAX_ITERATIONS = 30;
/** Above this share of nonzeros the compressed copy (8 bytes per entry) costs more than it saves. */
const SPARSE_DENSITY_LIMIT = 0.4;
/** Stop when every kept Ritz pair has ‖Cv − θv‖ ≤ this × θ₁ (angle errors of the same order over the gap). */
const SUBSPACE_RESIDUAL_TOLERANCE = 1e-4;

/** Fits a k-component PCA to n rows of `dim` features (row-major). */
export function fitPca(data: Float32Array, n: number, dim: number, k: number, options: PcaOptions = {}): PcaModel {
  checkMatrix(data, n, dim, 'data');
  if (n < 2) throw new RangeError(`PCA needs at least 2 samples, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > dim) throw new RangeError(`PCA component count must be an integer in [1, ${dim}], got ${k}`);
  const method = options.method ?? 'auto';
  const useSubspace =
    method === 'subspace' || (method === 'auto' && dim > COVARIANCE_MAX_DIM && subspaceWidth(k, dim) * 4 <= dim);
  if (useSubspace) return fitPcaBySubspaceIteration(data, n, dim, k, options.seed ?? 0);
  const accumulator = createCovarianceAccumulator(dim);
  accumulator.add(data, n);
  return accumulator.finish(k);
}

/**
 * Top-k PCA by block power iteration with Rayleigh–Ritz, never forming the covariance: each
 * pass computes C·Q = (XᵀXQ − n·μ(μᵀQ)) / (n − 1) from the raw rows, so zero entries cost nothing.
 */
function fitPcaBySubspaceIteration(data: Float32Array, n: number, dim: number, k: number, seed: number): PcaModel {
  const width = subspaceWidth(k, dim);
  const mean = new Float64Array(dim);
  const variance = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const offset = i * dim;
    for (let j = 0; j < dim; j++) mean[j] += data[offset + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    const offset = i * dim;
    for (let j = 0; j < dim; j++) {
      const delta = data[offset + j] - mean[j];
      variance[j] += delta * delta;
    }
  }
  let totalVariance = 0;
  for (let j = 0; j < dim; j++) totalVariance += variance[j] / (n - 1);

  const rng = createRng(seed);
  // basis: dim × width row-major, so one feature's `width` coefficients sit together for the row passes.
  let basis: Float64Array = new Float64Array(dim * width);
  for (let i = 0; i < basis.length; i++) basis[i] = rng.nextGaussian();
  orthonormaliseColumns(basis, dim, width);

  // Sparse rows (raw pixels are ~80 % zeros) become compressed rows once, so each pass costs
  // nnz · width rather than n · dim · width; dense rows are read in place to save the copy.
  const sparse = countNonzeros(data) <= SPARSE_DENSITY_LIMIT * data.length ? toCompressedRows(data, n, dim) : null;
  // Column-major copies (width × dim) let the per-row dot products accumulate in registers.
  const basisByColumn = new Float64Array(width * dim);
  const productByColumn = new Float64Array(width * dim);
  const product = new Float64Array(dim * width);
  const meanCoefficients = new Float64Array(width);
  let ritzValues: Float64Array = new Float64Array(width);
  let ritzVectors: Float64Array = new Float64Array(dim * width);
  for (let iteration = 0; iteration < SUBSPACE_MAX_ITERATIONS; iteration++) {
    // product = C · basis, one pass over the rows.
    for (let j = 0; j < dim; j++) for (let c = 0; c < width; c++) basisByColumn[c * dim + j] = basis[j * width + c];
    productByColumn.fill(0);
    if (sparse !== null) {
      accumulateSparseGram(sparse.rowStart, sparse.columns, sparse.values, n, dim, width, basisByColumn, productByColumn);
    } else {
      accumulateDenseGram(data, n, dim, width, basisByColumn, productByColumn);
    }
    meanCoefficients.fill(0);
    for (let j = 0; j < dim; j++) for (let c = 0; c < width; c++) meanCoefficients[c] += mean[j] * basis[j * width + c];
    for (let j = 0; j < dim; j++) {
      for (let c = 0; c < width; c++) {
        product[j * width + c] = (productByColumn[c * dim + j] - n * mean[j] * meanCoefficients[c]) / (n - 1);
      }
    }

    // Rayleigh–Ritz: T = Qᵀ C Q, T = W Θ Wᵀ; Ritz vectors Q·W with C·(Q·W) = product·W.
    const projected = new Float64Array(width * width);
    for (let a = 0; a < width; a++) {
      for (let b = a; b < width; b++) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += basis[j * width + a] * product[j * width + b];
        projected[a * width + b] = dot;
        projected[b * width + a] = dot;
      }
    }
    const small = symmetricEigen(projected, width);
    ritzValues = small.values;
    ritzVectors = multiplyByTransposedRows(basis, small.vectors, dim, width);
    const imageOfRitz = multiplyByTransposedRows(product, small.vectors, dim, width);
    let worstResidual = 0;
    for (let c = 0; c < k; c++) {
      let squared = 0;
      for (let j = 0; j < dim; j++) {
        const r = imageOfRitz[j * width + c] - ritzValues[c] * ritzVectors[j * width + c];
        squared += r * r;
      }
      worstResidual = Math.max(worstResidual, Math.sqrt(squared));
    }
    if (worstResidual <= SUBSPACE_RESIDUAL_TOLERANCE * Math.max(ritzValues[0], Number.MIN_VALUE)) break;
    basis = imageOfRitz;
    orthonormaliseColumns(basis, dim, width);
  }

  const components = new Float32Array(k * dim);
  const explainedVariance = new Float64Array(k);
  const explainedVarianceRatio = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let largest = 0;
    for (let j = 0; j < dim; j++) {
      const value = ritzVectors[j * width + c];
      if (Math.abs(value) > Math.abs(largest)) largest = value;
    }
    const sign = largest < 0 ? -1 : 1;
    for (let j = 0; j < dim; j++) components[c * dim + j] = sign * ritzVectors[j * width + c];
    explainedVariance[c] = Math.max(0, ritzValues[c]);
    explainedVarianceRatio[c] = totalVariance > 0 ? explainedVariance[c] / totalVariance : 0;
  }
  return { dim, k, mean, components, explainedVariance, explainedVarianceRatio, count: n };
}

/** product += Xᵀ (X · basis) over compressed rows; both matrices width × dim column-major. Kept small so V8 optimises it whole. */
function accumulateSparseGram(
  rowStart: Int32Array,
  columns: Int32Array,
  values: Float32Array,
  n: number,
  dim: number,
  width: number,
  basisByColumn: Float64Array,
  productByColumn: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const from = rowStart[i];
    const to = rowStart[i + 1];
    for (let c = 0; c < width; c++) {
      const columnBase = c * dim;
      let coefficient = 0;
      for (let a = from; a < to; a++) coefficient += values[a] * basisByColumn[columnBase + columns[a]];
      for (let a = from; a < to; a++) productByColumn[columnBase + columns[a]] += values[a] * coefficient;
    }
  }
}

/** product += Xᵀ (X · basis) over dense rows. */
function accumulateDenseGram(data: Float32Array, n: number, dim: number, width: number, basisByColumn: Float64Array, productByColumn: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const offset = i * dim;
    for (let c = 0; c < width; c++) {
      const columnBase = c * dim;
      let coefficient = 0;
      for (let j = 0; j < dim; j++) coefficient += data[offset + j] * basisByColumn[columnBase + j];
      for (let j = 0; j < dim; j++) productByColumn[columnBase + j] += data[offset + j] * coefficient;
    }
  }
}

function countNonzeros(data: Float32Array): number {
  let nonzeros = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nonzeros++;
  return nonzeros;
}

/** The nonzero entries of a row-major n × dim matrix, row by row. */
function toCompressedRows(data: Float32Array, n: number, dim: number): { rowStart: Int32Array; columns: Int32Array; values: Float32Array } {
  const nonzeros = countNonzeros(data);
  const rowStart = new Int32Array(n + 1);
  const columns = new Int32Array(nonzeros);
  const values = new Float32Array(nonzeros);
  let next = 0;
  for (let i = 0; i < n; i++) {
    const offset = i * dim;
    for (let j = 0; j < dim; j++) {
      const value = data[offset + j];
      if (value !== 0) {
        columns[next] = j;
        values[next] = value;
        next++;
      }
    }
    rowStart[i + 1] = next;
  }
  return { rowStart, columns, values };
}

/** (rows × width) · Wᵀ where W's rows are the small eigenvectors: column c of the result is matrix · w_c. */
function multiplyByTransposedRows(matrix: Float64Array, smallVectors: Float64Array, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  for (let j = 0; j < rows; j++) {
    const base = j * width;
    for (let c = 0; c < width; c++) {
      let sum = 0;
      for (let a = 0; a < width; a++) sum += matrix[base + a] * smallVectors[c * width + a];
      out[base + c] = sum;
    }
  }
  return out;
}

/** Modified Gram–Schmidt (twice, for orthogonality to rounding) on the columns of a rows × width matrix. */
function orthonormaliseColumns(matrix: Float64Array, rows: number, width: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < width; c++) {
      for (let previous = 0; previous < c; previous++) {
        let dot = 0;
        for (let j = 0; j < rows; j++) dot += matrix[j * width + c] * matrix[j * width + previous];
        for (let j = 0; j < rows; j++) matrix[j * width + c] -= dot * matrix[j * width + previous];
      }
      let norm = 0;
      for (let j = 0; j < rows; j++) norm += matrix[j * width + c] ** 2;
      norm = Math.sqrt(norm);
      // A column that vanished (rank-deficient data) is replaced by a unit axis; it stays orthogonal after the next pass.
      if (norm < 1e-300) {
        for (let j = 0; j < rows; j++) matrix[j * width + c] = j === c % rows ? 1 : 0;
        continue;
      }
      for (let j = 0; j < rows; j++) matrix[j * width + c] /= norm;
    }
  }
}

/** Projects n rows onto the model's components: returns n × k coordinates. */
export function projectPca(model: PcaModel, data: Float32Array, n: number): Float32Array {
  const { dim, k, mean, components } = model;
  checkMatrix(data, n, dim, 'data');
  const out = new Float32Array(n * k);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const offset = i * dim;
    for (let j = 0; j < dim; j++) centred[j] = data[offset + j] - mean[j];
    for (let c = 0; c < k; c++) {
      const base = c * dim;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += centred[j] * components[base + j];
      out[i * k + c] = dot;
    }
  }
  return out;
}

/** Maps n × k coordinates back to input space: mean + coords · components (exact within the kept subspace). */
export function inversePca(model: PcaModel, coords: Float32Array, n: number): Float32Array {
  const { dim, k, mean, components } = model;
  checkMatrix(coords, n, k, 'coords');
  const out = new Float32Array(n * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    row.set(mean);
    for (let c = 0; c < k; c++) {
      const weight = coords[i * k + c];
      const base = c * dim;
      for (let j = 0; j < dim; j++) row[j] += weight * components[base + j];
    }
    out.set(row, i * dim);
  }
  return out;
}

/** Eigenpairs of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues in decreasing order. */
  values: Float64Array;
  /** Row c (length dim) is the unit eigenvector for values[c]; its largest-magnitude entry is positive. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric dim×dim matrix (row-major; only read, not modified) by
 * Householder tridiagonalisation and the implicit QL algorithm (EISPACK tred2/tql2, as in JAMA):
 * O(dim³) with a small constant, exact to rounding, no iteration-count tuning.
 */
export function symmetricEigen(matrix: Float64Array, dim: number): SymmetricEigen {
  if (matrix.length !== dim * dim) throw new RangeError(`matrix has ${matrix.length} values, expected ${dim} × ${dim}`);
  const n = dim;
  // v holds the accumulated orthogonal transform, row-major v[i*n+j]; d the diagonal, e the off-diagonal.
  const v = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalise(v, d, e, n);
  // The QL rotations touch two columns of v across all rows; transposed, those are two contiguous
  // rows, which keeps a 784×784 solve in cache.
  const vt = transpose(v, n);
  diagonaliseTridiagonal(vt, d, e, n);

  // tql2 leaves eigenvalue d[i] with its eigenvector in row i of vt.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[b] - d[a]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const source = order[c];
    values[c] = d[source];
    let largest = 0;
    for (let j = 0; j < n; j++) {
      const value = vt[source * n + j];
      if (Math.abs(value) > Math.abs(largest)) largest = value;
    }
    const sign = largest < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) vectors[c * n + j] = sign * vt[source * n + j];
  }
  return { values, vectors };
}

/** Householder reduction to tridiagonal form (tred2), accumulating the transform in v. */
function tridiagonalise(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function transpose(matrix: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = matrix[i * n + j];
  return out;
}

/** Implicit QL iterations on the tridiagonal (d, e), applying the rotations to the rows of vt (tql2 on Vᵀ). */
function diagonaliseTridiagonal(vt: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new Error(`symmetric eigensolve did not converge at index ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const rowI = i * n;
          const rowNext = rowI + n;
          for (let k = 0; k < n; k++) {
            h = vt[rowNext + k];
            vt[rowNext + k] = s * vt[rowI + k] + c * h;
            vt[rowI + k] = c * vt[rowI + k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

function checkMatrix(values: Float32Array, n: number, dim: number, name: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} row count must be a non-negative integer, got ${n}`);
  if (values.length !== n * dim) throw new RangeError(`${name} has ${values.length} values, expected ${n} × ${dim} = ${n * dim}`);
}

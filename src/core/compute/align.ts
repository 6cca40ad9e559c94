/**
 * Orthogonal Procrustes alignment of one layout onto another (checkpoint comparison): the
 * rotation, optional reflection, optional uniform scale and translation that bring `moving`
 * closest to `reference` in least squares, from the SVD of the small dim × dim cross-covariance.
 */

/** The fitted transform: aligned = scale · moving · rotation + translation, on row vectors. */
export interface ProcrustesResult {
  /** n × dim, the moving layout after the transform. */
  aligned: Float32Array;
  /** dim × dim orthogonal matrix, row-major, applied on the right of row vectors. */
  rotation: Float64Array;
  scale: number;
  /** Length dim. */
  translation: Float64Array;
  /** Residual ‖reference − aligned‖² over ‖reference − its mean‖²: 0 is a perfect fit (SciPy's `procrustes` disparity when scaling is allowed). */
  disparity: number;
}

/** Which transforms the alignment may use. */
export interface ProcrustesOptions {
  /** Allow a uniform scale (default true). */
  allowScale?: boolean;
  /** Allow a mirror image (default true); when false the rotation has determinant +1. */
  allowReflection?: boolean;
}

/** Aligns `moving` onto `reference` (both n × dim, row-major, same point order). */
export function procrustesAlign(
  reference: Float32Array,
  moving: Float32Array,
  n: number,
  dim: number,
  options: ProcrustesOptions = {},
): ProcrustesResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Procrustes needs at least 1 point, got n = ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`Procrustes dim must be a positive integer, got ${dim}`);
  if (reference.length !== n * dim) throw new RangeError(`reference has ${reference.length} values, expected ${n} × ${dim} = ${n * dim}`);
  if (moving.length !== n * dim) throw new RangeError(`moving has ${moving.length} values, expected ${n} × ${dim} = ${n * dim}`);
  const allowScale = options.allowScale ?? true;
  const allowReflection = options.allowReflection ?? true;

  const referenceMean = columnMeans(reference, n, dim);
  const movingMean = columnMeans(moving, n, dim);
  // cross = Ỹᵀ X̃ (dim × dim) with centred moving Ỹ and reference X̃.
  const cross = new Float64Array(dim * dim);
  let movingNorm = 0;
  let referenceNorm = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) {
      const y = moving[i * dim + a] - movingMean[a];
      const x = reference[i * dim + a] - referenceMean[a];
      movingNorm += y * y;
      referenceNorm += x * x;
      for (let b = 0; b < dim; b++) cross[a * dim + b] += y * (reference[i * dim + b] - referenceMean[b]);
    }
  }

  const { u, singularValues, v } = smallSvd(cross, dim);
  // With cross = U Σ Vᵀ, R = U Vᵀ maximises trace(Rᵀ cross); a forbidden reflection flips the weakest axis.
  const signs = new Float64Array(dim).fill(1);
  if (!allowReflection && determinant(u, dim) * determinant(v, dim) < 0) signs[dim - 1] = -1;
  const rotation = new Float64Array(dim * dim);
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < dim; b++) {
      let sum = 0;
      for (let c = 0; c < dim; c++) sum += u[a * dim + c] * signs[c] * v[b * dim + c];
      rotation[a * dim + b] = sum;
    }
  }
  let trace = 0;
  for (let c = 0; c < dim; c++) trace += signs[c] * singularValues[c];
  const scale = allowScale && movingNorm > 0 ? trace / movingNorm : 1;

  const translation = new Float64Array(dim);
  for (let b = 0; b < dim; b++) {
    let rotatedMean = 0;
    for (let a = 0; a < dim; a++) rotatedMean += movingMean[a] * rotation[a * dim + b];
    translation[b] = referenceMean[b] - scale * rotatedMean;
  }
  const aligned = new Float32Array(n * dim);
  let residual = 0;
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < dim; b++) {
      let sum = 0;
      for (let a = 0; a < dim; a++) sum += moving[i * dim + a] * rotation[a * dim + b];
      const value = scale * sum + translation[b];
      aligned[i * dim + b] = value;
      residual += (reference[i * dim + b] - value) ** 2;
    }
  }
  const disparity = referenceNorm > 0 ? residual / referenceNorm : residual;
  return { aligned, rotation, scale, translation, disparity };
}

function columnMeans(values: Float32Array, n: number, dim: number): Float64Array {
  const means = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) means[d] += values[i * dim + d];
  for (let d = 0; d < dim; d++) means[d] /= n;
  return means;
}

/**
 * SVD of a small square matrix by one-sided Jacobi (Hestenes) rotations: A = U Σ Vᵀ with
 * singular values descending; U is completed to an orthogonal matrix when A is rank-deficient.
 */
function smallSvd(matrix: Float64Array, dim: number): { u: Float64Array; singularValues: Float64Array; v: Float64Array } {
  const work = Float64Array.from(matrix); // columns become U Σ
  const v = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < dim - 1; p++) {
      for (let q = p + 1; q < dim; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < dim; r++) {
          const ap = work[r * dim + p];
          const aq = work[r * dim + q];
          alpha += ap * ap;
          beta += aq * aq;
          gamma += ap * aq;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let r = 0; r < dim; r++) {
          const ap = work[r * dim + p];
          const aq = work[r * dim + q];
          work[r * dim + p] = c * ap - s * aq;
          work[r * dim + q] = s * ap + c * aq;
          const vp = v[r * dim + p];
          const vq = v[r * dim + q];
          v[r * dim + p] = c * vp - s * vq;
          v[r * dim + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(dim);
  for (let c = 0; c < dim; c++) {
    let sum = 0;
    for (let r = 0; r < dim; r++) sum += work[r * dim + c] ** 2;
    norms[c] = Math.sqrt(sum);
  }
  const order = Array.from({ length: dim }, (_, c) => c).sort((a, b) => norms[b] - norms[a]);
  const u = new Float64Array(dim * dim);
  const sortedV = new Float64Array(dim * dim);
  const singularValues = new Float64Array(dim);
  const tiny = 1e-12 * Math.max(norms[order[0]], Number.MIN_VALUE);
  for (let k = 0; k < dim; k++) {
    const c = order[k];
    singularValues[k] = norms[c];
    for (let r = 0; r < dim; r++) sortedV[r * dim + k] = v[r * dim + c];
    if (norms[c] > tiny) {
      for (let r = 0; r < dim; r++) u[r * dim + k] = work[r * dim + c] / norms[c];
    } else {
      singularValues[k] = 0;
      completeOrthonormalColumn(u, dim, k);
    }
  }
  return { u, singularValues, v: sortedV };
}

/** Fills column k of `basis` with a unit vector orthogonal to columns 0 … k−1 (Gram–Schmidt on the axes). */
function completeOrthonormalColumn(basis: Float64Array, dim: number, k: number): void {
  for (let axis = 0; axis < dim; axis++) {
    const candidate = new Float64Array(dim);
    candidate[axis] = 1;
    for (let c = 0; c < k; c++) {
      const dot = basis[axis * dim + c];
      for (let r = 0; r < dim; r++) candidate[r] -= dot * basis[r * dim + c];
    }
    const norm = Math.hypot(...candidate);
    if (norm > 1e-6) {
      for (let r = 0; r < dim; r++) basis[r * dim + k] = candidate[r] / norm;
      return;
    }
  }
}

/** Determinant by Gaussian elimination with partial pivoting. */
function determinant(matrix: Float64Array, dim: number): number {
  const a = Float64Array.from(matrix);
  let det = 1;
  for (let col = 0; col < dim; col++) {
    let pivot = col;
    for (let r = col + 1; r < dim; r++) if (Math.abs(a[r * dim + col]) > Math.abs(a[pivot * dim + col])) pivot = r;
    if (a[pivot * dim + col] === 0) return 0;
    if (pivot !== col) {
      for (let c = 0; c < dim; c++) [a[col * dim + c], a[pivot * dim + c]] = [a[pivot * dim + c], a[col * dim + c]];
      det = -det;
    }
    det *= a[col * dim + col];
    for (let r = col + 1; r < dim; r++) {
      const factor = a[r * dim + col] / a[col * dim + col];
      for (let c = col; c < dim; c++) a[r * dim + c] -= factor * a[col * dim + c];
    }
  }
  return det;
}

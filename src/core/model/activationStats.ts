/** Summary statistics of one layer's activations over a selection of samples. */
import { product } from '../../shared/numeric';

export interface ActivationStats {
  /** Per unit (the last axis: channels for conv layers), mean over the selection. */
  unitMean: Float32Array;
  /** Share of units never above 1e-6 in absolute value across the selection. */
  deadFraction: number;
  /** Share of activations with |a| < 1e-3. */
  sparsity: number;
}

/** Statistics of `values` (count × prod(shape), one sample's activation of `shape` after another). */
export function activationStats(values: Float32Array, shape: readonly number[], count: number): ActivationStats {
  const units = shape.length === 0 ? 1 : shape[shape.length - 1];
  const perSample = product(shape);
  const unitMean = new Float32Array(units);
  const unitMaxAbs = new Float32Array(units);
  let nearZero = 0;
  for (let i = 0; i < values.length; i++) {
    const unit = (i % perSample) % units;
    const v = values[i];
    unitMean[unit] += v;
    const a = Math.abs(v);
    if (a > unitMaxAbs[unit]) unitMaxAbs[unit] = a;
    if (a < 1e-3) nearZero++;
  }
  const perUnitCount = (count * perSample) / units;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    unitMean[u] /= perUnitCount;
    if (unitMaxAbs[u] <= 1e-6) dead++;
  }
  return { unitMean, deadFraction: dead / units, sparsity: values.length ? nearZero / values.length : 0 };
}

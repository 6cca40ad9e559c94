/**
 * NaN and ±Infinity detection for weights, inputs and codes: a model with non-finite weights
 * yields non-finite codes, and every statistic over them (errors, PCA, trustworthiness) is then
 * meaningless, so callers count and report them instead of passing them on silently.
 */

/** How many values of `values` are NaN or infinite. */
export function countNonFinite(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    // x - x is 0 for every finite x and NaN for NaN and ±Infinity: one test covers all three.
    if (values[i]! - values[i]! !== 0) count++;
  }
  return count;
}

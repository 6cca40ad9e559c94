/**
 * A collapsed encoder gives every sample the same code (dead ReLUs, a posterior that ignores its
 * input): projections, neighbours and clusters of such codes are noise, so the user is told.
 */

/** Relative spread below which a code dimension counts as constant (float32 round-off). */
const CONSTANT_SPREAD = 1e-6;

/**
 * A warning when all `count` codes (`size` values each) are the same up to round-off in every
 * dimension, else null. One sample, or none, tells nothing.
 */
export function collapsedCodesWarning(codes: Float32Array, count: number, size: number): string | null {
  if (count < 2 || size < 1) return null;
  const low = codes.slice(0, size);
  const high = codes.slice(0, size);
  for (let i = size; i < count * size; i++) {
    const d = i % size;
    const value = codes[i]!;
    if (value < low[d]!) low[d] = value;
    else if (value > high[d]!) high[d] = value;
  }
  for (let d = 0; d < size; d++) {
    if (high[d]! - low[d]! > CONSTANT_SPREAD * Math.max(1, Math.abs(low[d]!), Math.abs(high[d]!))) return null;
  }
  const allZero = low.every((value, d) => value === 0 && high[d] === 0);
  return (
    `the encoder has collapsed: all ${count} samples get the same code (every one of its ${size} values is constant${allZero ? ', all zero: dead ReLUs' : ''}), ` +
    'so projections, neighbours and clusters of these codes mean nothing; check the training or choose another code layer'
  );
}

/** Arithmetic over shapes and value lists that the core, the CLI and the webview all need. */

/** Values in a tensor of this shape (1 for a scalar's empty shape). */
export function product(shape: readonly number[]): number {
  return shape.reduce((total, dim) => total * dim, 1);
}

/** The arithmetic mean (NaN for no values). */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : NaN;
}

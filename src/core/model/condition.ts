/**
 * Conditions (one-hot labels or other values) that conditional models take beside their input or
 * code: built from labels, defaulted to class 0, and joined to each sample's values in the order
 * of the model's inputs.
 */
import type { ModelCondition } from '../../shared/types';
import { ModelLoadError } from './errors';

/** count × size one-hot rows for integer class labels (0 … size − 1). */
export function oneHot(labels: ArrayLike<number>, size: number): Float32Array {
  const rows = new Float32Array(labels.length * size);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= size) throw new RangeError(`label ${label} of sample ${i} is not a class 0 … ${size - 1}`);
    rows[i * size + label] = 1;
  }
  return rows;
}

/**
 * Each sample's condition, count × condition.size: the caller's own rows, one row shared by all,
 * or by default the one-hot of class 0.
 */
export function conditionRows(condition: ModelCondition, given: Float32Array | undefined, count: number): Float32Array {
  const { size } = condition;
  if (given && given.length === count * size) return given;
  if (given && given.length !== size) {
    throw new ModelLoadError('', 'model-input', `conditions must hold ${count} × ${size} values (one condition per sample) or ${size} (one for all), got ${given.length}`);
  }
  const row = given ?? oneHot([0], size);
  const rows = new Float32Array(count * size);
  for (let i = 0; i < count; i++) rows.set(row, i * size);
  return rows;
}

/** Per sample, its `sampleSize` values and its condition side by side, the condition first or last. */
export function joinConditions(values: Float32Array, sampleSize: number, conditions: Float32Array, conditionSize: number, count: number, conditionFirst: boolean): Float32Array {
  const joined = new Float32Array(count * (sampleSize + conditionSize));
  const width = sampleSize + conditionSize;
  for (let i = 0; i < count; i++) {
    const sample = values.subarray(i * sampleSize, (i + 1) * sampleSize);
    const condition = conditions.subarray(i * conditionSize, (i + 1) * conditionSize);
    joined.set(conditionFirst ? condition : sample, i * width);
    joined.set(conditionFirst ? sample : condition, i * width + (conditionFirst ? conditionSize : sampleSize));
  }
  return joined;
}

/**
 * Names for a condition's classes, which the explorer's condition picker shows: the model's own,
 * else the first candidate (the manifest's labelNames, the dataset's classes) with one name per
 * class, else "class k".
 */
export function conditionClassNames(condition: ModelCondition, ...candidates: (readonly string[] | null | undefined)[]): string[] {
  for (const names of [condition.classNames, ...candidates]) if (names && names.length === condition.size) return [...names];
  return Array.from({ length: condition.size }, (_, k) => `class ${k}`);
}

/**
 * One-hot conditions from a dataset's class labels for a conditional model, so each sample is
 * encoded and reconstructed with its own label; undefined (class 0 for all) when the model takes
 * no condition, the dataset has no labels, or a label is outside the condition's classes.
 */
export function labelConditions(condition: ModelCondition | undefined, labels: ArrayLike<number> | null): Float32Array | undefined {
  if (!condition || !labels) return undefined;
  for (let i = 0; i < labels.length; i++) if (!(labels[i]! >= 0 && labels[i]! < condition.size && Number.isInteger(labels[i]))) return undefined;
  return oneHot(labels, condition.size);
}

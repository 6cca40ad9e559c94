/**
 * Turns raw label values (numbers or strings, from any source) into class codes 0..K−1 and names.
 *
 * - Numbers without `labelNames`: the distinct values in ascending order become codes 0..K−1 and
 *   their decimal strings the names (MNIST's 0..9 map to themselves; 1..5 map to 0..4 named "1".."5").
 * - Numbers with `labelNames`: the values are the codes themselves and must lie in 0..names−1.
 * - Strings: sorted order (numeric when every name is an integer, else by code unit), so the codes
 *   do not depend on which rows come first and a subset of the file gets the same codes.
 */
import { DataError } from './errors';

/** Class codes per sample and the names of the codes. */
export interface LabelSet {
  labels: Int32Array;
  classNames: string[];
}

/** Codes for numeric labels; `file` names the source in errors. */
export function labelsFromNumbers(values: ArrayLike<number>, file: string, labelNames?: string[]): LabelSet {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) {
      throw new DataError(file, 'data-labels', `label ${values[i]} of sample ${i} is not an integer class; labels must be integers or strings`);
    }
  }
  if (labelNames) {
    const labels = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= labelNames.length) {
        throw new DataError(
          file,
          'data-labels',
          `label ${values[i]} of sample ${i} has no name: labelNames lists ${labelNames.length} names (codes 0..${labelNames.length - 1})`,
        );
      }
      labels[i] = values[i];
    }
    return { labels, classNames: [...labelNames] };
  }
  const distinct = Array.from(new Set(Array.from(values))).sort((a, b) => a - b);
  const codeOf = new Map(distinct.map((value, code) => [value, code]));
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) labels[i] = codeOf.get(values[i])!;
  return { labels, classNames: distinct.map(String) };
}

/** Codes for string labels, in sorted order of the names (see the module comment). */
export function labelsFromStrings(values: readonly string[]): LabelSet {
  const classNames = sortClassNames(Array.from(new Set(values)));
  const codeOf = new Map(classNames.map((name, code) => [name, code]));
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) labels[i] = codeOf.get(values[i])!;
  return { labels, classNames };
}

/** Labels that may be numbers or strings (CSV cells, JSON arrays): numbers when every one parses as a number. */
export function labelsFromCells(cells: readonly string[], file: string, labelNames?: string[]): LabelSet {
  const numbers = cells.map((cell) => (cell.trim() === '' ? NaN : Number(cell)));
  return numbers.every(Number.isFinite) ? labelsFromNumbers(numbers, file, labelNames) : labelsFromStrings(cells);
}

/** Sorts class names numerically when all are integers ("2" before "10"), else by code unit. */
export function sortClassNames(names: string[]): string[] {
  const allIntegers = names.every((name) => /^-?\d+$/.test(name));
  return [...names].sort(allIntegers ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Throws unless there is exactly one label per sample. */
export function checkLabelCount(labelCount: number, sampleCount: number, labelsFile: string, dataFile: string): void {
  if (labelCount !== sampleCount) {
    throw new DataError(
      labelsFile,
      'data-labels',
      `${labelCount} labels but the dataset ${dataFile} has ${sampleCount} samples; labels and samples must match one to one`,
    );
  }
}

/** Display names that replace class names taken from folder or file names, one for one in sorted order. */
export function renameClasses(names: string[], labelNames: string[], file: string, what: string): string[] {
  if (labelNames.length !== names.length) {
    throw new DataError(file, 'data-labels', `labelNames lists ${labelNames.length} names but there are ${names.length} ${what} (${names.join(', ')})`);
  }
  return [...labelNames];
}

/**
 * Metadata columns as colourings: categories as codes with a legend of the most frequent values
 * (the rest as "other"), numbers and dates on a continuous scale with their range, booleans as two
 * categories. Text and image columns have too many values to colour by; they are for search.
 */
import type { ColumnResponse, ColumnSpec } from '../../../shared/protocol';
import { SessionError, type DataState } from '../state';

/** Categories past this many are drawn as one "other" colour (a legend of hundreds helps no one). */
export const MAX_LEGEND_CATEGORIES = 20;
const DAY_MS = 86_400_000;

export function metadataColumn(state: DataState, column: ColumnSpec & { kind: 'metadata' }): ColumnResponse {
  const columns = state.data.metadata ?? [];
  const found = columns.find((each) => each.name === column.name);
  if (!found) {
    const names = columns.map((each) => JSON.stringify(each.name)).join(', ');
    throw new SessionError('invalid-argument', `no metadata column named ${JSON.stringify(column.name)}; ${names ? `the columns are ${names}` : 'this dataset has no metadata'}`);
  }
  switch (found.kind) {
    case 'category': {
      const shown = Math.min(found.dictionary.length, MAX_LEGEND_CATEGORIES);
      const overflow = found.dictionary.length > MAX_LEGEND_CATEGORIES;
      // The dictionary is most frequent first, so every code past the legend's last is "other".
      const values = Float32Array.from(found.codes, (code) => Math.min(code, shown));
      const categories = [...found.dictionary.slice(0, shown).map((name) => name || '(missing)'), ...(overflow ? [`other (${found.dictionary.length - shown} values)`] : [])];
      return { column, values, scale: 'categorical', categories, stats: { categories: found.dictionary.length } };
    }
    case 'boolean':
      return { column, values: Float32Array.from(found.values, (v) => (Number.isNaN(v) ? 2 : v)), scale: 'categorical', categories: ['false', 'true', '(missing)'], stats: {} };
    case 'number':
      return { column, values: found.values, scale: 'continuous', categories: null, stats: range(found.values) };
    case 'date': {
      // Days since 1970: a Float32 holds them to a few minutes, plenty for a colour.
      const values = Float32Array.from(found.values, (ms) => ms / DAY_MS);
      return { column, values, scale: 'continuous', categories: null, stats: { ...range(found.values), unitMs: DAY_MS } };
    }
    case 'text':
    case 'image':
      throw new SessionError('invalid-argument', `"${found.name}" is a ${found.kind} column with a value per row; colour by a category, number, boolean or date column, and search this one`);
  }
}

function range(values: Float32Array | Float64Array): Record<string, number | null> {
  let min = Infinity;
  let max = -Infinity;
  let missing = 0;
  for (const v of values) {
    if (Number.isNaN(v)) missing++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return missing === values.length ? { min: null, max: null, missing } : { min, max, missing };
}

/**
 * "Colour by" control: which column colours the points, with its one parameter (k for clusters,
 * the index for a latent dimension). The view maps a choice to a column request.
 */
import { dropdown, el, field, numberField } from './ui';

export type ColorKey = 'label' | 'error' | 'cluster' | 'latent' | 'sensitivity' | 'faithfulness' | 'drift' | 'errorDelta';
/** A metadata column of the dataset, by name (`metadata:brightness`). */
export type MetadataColorKey = `metadata:${string}`;

export const metadataKey = (name: string): MetadataColorKey => `metadata:${name}`;

export const isMetadataKey = (key: ColorKey | MetadataColorKey): key is MetadataColorKey => key.startsWith('metadata:');

/** What the picker and the legend call a colouring: the column's name for metadata. */
export function colorLabel(key: ColorKey | MetadataColorKey): string {
  return isMetadataKey(key) ? key.slice('metadata:'.length) : COLOR_LABELS[key];
}

export interface ColorChoice {
  key: ColorKey | MetadataColorKey;
  /** Cluster count (null: chosen by silhouette) or latent dimension index. */
  k: number | null;
  dimension: number;
}

export const COLOR_LABELS: Record<ColorKey, string> = {
  label: 'label',
  error: 'reconstruction error',
  cluster: 'cluster (k-means)',
  latent: 'latent dimension',
  sensitivity: 'encoder sensitivity',
  faithfulness: 'layout faithfulness',
  drift: 'drift A → B',
  errorDelta: 'error delta (B − A)',
};

export interface ColorControls {
  readonly element: HTMLElement;
  choice(): ColorChoice;
}

/** `metadata`: columns listed after the built-in ones, by name (categories, numbers, booleans, dates). */
export function colorControls(
  builtIn: ColorKey[],
  initial: ColorKey | MetadataColorKey,
  latentSize: number,
  onChange: (choice: ColorChoice) => void,
  metadata: readonly string[] = [],
): ColorControls {
  const keys: (ColorKey | MetadataColorKey)[] = [...builtIn, ...metadata.map(metadataKey)];
  const state: ColorChoice = { key: keys.includes(initial) ? initial : keys[0], k: null, dimension: 0 };
  const element = el('div', 'color-controls');
  const extra = el('span', 'color-extra');
  const renderExtra = () => {
    if (state.key === 'cluster') {
      const input = numberField(state.k ?? 0, { min: 0, max: 50, step: 1, name: 'k' }, (v) => {
        state.k = v >= 2 ? Math.round(v) : null;
        onChange({ ...state });
      });
      input.placeholder = 'auto';
      if (state.k === null) input.value = '';
      extra.replaceChildren(field('k (0 = auto)', input, 'field inline'));
    } else if (state.key === 'latent') {
      extra.replaceChildren(
        field(
          `dim (0–${latentSize - 1})`,
          numberField(state.dimension, { min: 0, max: Math.max(0, latentSize - 1), step: 1, name: 'dimension' }, (v) => {
            state.dimension = Math.round(v);
            onChange({ ...state });
          }),
          'field inline',
        ),
      );
    } else extra.replaceChildren();
  };
  const select = dropdown(
    keys.map((key) => ({ value: key, label: colorLabel(key) })),
    state.key,
    (key) => {
      state.key = key;
      renderExtra();
      onChange({ ...state });
    },
    'colorBy',
  );
  element.append(field('colour by', select, 'field inline'), extra);
  renderExtra();
  return { element, choice: () => ({ ...state }) };
}

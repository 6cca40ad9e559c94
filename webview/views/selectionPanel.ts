/**
 * Selection panel: the selected samples' originals beside their reconstructions (one column per
 * model in the compare view), with per-sample error, sortable. Images for image data, bar charts
 * for tabular rows. Hovering a card emphasises its point in the plot.
 */
import type { SamplesResponse } from '../../src/shared/protocol';
import type { ModelSlot } from '../../src/shared/types';
import { isCancelled } from '../controller';
import { spread, type ViewContext } from './context';
import { sampleCanvas, sharedRange } from './sampleRender';
import { dropdown, el, formatCount, formatNumber } from './ui';

/** Cards drawn at once: enough to see a pattern, few enough to stay instant. */
export const MAX_CARDS = 48;

type SortOrder = 'error-desc' | 'error-asc' | 'index';

export interface SelectionPanel {
  readonly element: HTMLElement;
  show(indices: Int32Array | null): Promise<void>;
}

export function selectionPanel(
  context: ViewContext,
  slots: ModelSlot[],
  onEmphasis: (indices: Int32Array | null) => void,
): SelectionPanel {
  const { controller, ready } = context;
  const element = el('div', 'selection-panel');
  const header = el('div', 'panel-header');
  const summary = el('span', 'selection-summary', 'Brush or lasso points in the plot to see them here.');
  let order: SortOrder = 'error-desc';
  const sort = dropdown<SortOrder>(
    [
      { value: 'error-desc', label: 'error ↓' },
      { value: 'error-asc', label: 'error ↑' },
      { value: 'index', label: 'index' },
    ],
    order,
    (value) => {
      order = value;
      draw();
    },
    'sort',
  );
  header.append(summary, sort);
  const columns = el('div', 'card-columns');
  const grid = el('div', slots.length > 1 ? 'card-grid wide' : 'card-grid');
  // Three images (input, A, B) in a card need smaller thumbnails than two.
  const imageSize = slots.length > 1 ? 48 : 56;
  element.append(header, columns, grid);
  const labelNames = ready.dataset?.labels?.classes ?? null;
  const modelLabel = (slot: ModelSlot) => ready.models.find((m) => m.slot === slot)?.label ?? slot.toUpperCase();

  let responses: SamplesResponse[] = [];
  let total = 0;

  const draw = () => {
    grid.replaceChildren();
    const first = responses[0];
    if (!first) return;
    const m = first.indices.length;
    const errors = first.errors;
    const rows = Array.from({ length: m }, (_, k) => k);
    if (order !== 'index' && errors) rows.sort((p, q) => (order === 'error-desc' ? errors[q] - errors[p] : errors[p] - errors[q]));
    const range = sharedRange(first.originals, ...responses.map((r) => r.reconstructions));
    columns.replaceChildren(
      el('span', undefined, 'input'),
      ...responses.map((r) => el('span', undefined, r.reconstructions ? (slots.length > 1 ? `${r.slot.toUpperCase()} · ${modelLabel(r.slot)}` : 'reconstruction') : '(no decoder)')),
    );
    for (const k of rows) {
      const index = first.indices[k];
      const card = el('div', 'sample-card');
      card.dataset.index = String(index);
      const images = el('div', 'card-images');
      images.append(sampleCanvas(first.originals, k, first.itemShape, first.display, range, imageSize));
      for (const response of responses) {
        if (response.reconstructions) images.append(sampleCanvas(response.reconstructions, k, response.itemShape, response.display, range, imageSize));
      }
      const label = ready.labels ? ready.labels[index] : -1;
      const caption = el('div', 'card-caption');
      caption.append(el('span', 'card-index', `#${index}`));
      if (label >= 0) caption.append(el('span', 'card-label', labelNames?.[label] ?? String(label)));
      for (const response of responses) {
        if (response.errors) {
          const errorText = el('span', 'card-error', formatNumber(response.errors[k]));
          errorText.title = `reconstruction MSE (${modelLabel(response.slot)})`;
          caption.append(errorText);
        }
      }
      card.append(images, caption);
      card.addEventListener('pointerenter', () => onEmphasis(Int32Array.of(index)));
      card.addEventListener('pointerleave', () => onEmphasis(null));
      grid.append(card);
    }
  };

  return {
    element,
    async show(indices) {
      if (!indices || indices.length === 0 || !ready.dataset) {
        responses = [];
        total = 0;
        summary.textContent = 'Brush or lasso points in the plot to see them here.';
        columns.replaceChildren();
        grid.replaceChildren();
        return;
      }
      total = indices.length;
      const shown = spread(indices, MAX_CARDS);
      summary.textContent = `${formatCount(total)} selected${total > shown.length ? ` · showing ${shown.length}` : ''} · loading…`;
      try {
        responses = await Promise.all(
          slots.map((slot) =>
            controller.request('samples', { slot, indices: shown, includeReconstruction: true }, { key: `samples-${slot}` }),
          ),
        );
      } catch (error) {
        if (isCancelled(error)) return;
        summary.textContent = `${formatCount(total)} selected`;
        return;
      }
      const meanError = (r: SamplesResponse) => (r.errors && r.errors.length ? r.errors.reduce((a, b) => a + b, 0) / r.errors.length : null);
      const errorNote = responses
        .map((r) => (r.errors ? `${slots.length > 1 ? `${r.slot.toUpperCase()} ` : ''}mean error ${formatNumber(meanError(r))}` : null))
        .filter(Boolean)
        .join(' · ');
      summary.textContent = `${formatCount(total)} selected${total > shown.length ? ` · showing ${shown.length}` : ''}${errorNote ? ` · ${errorNote}` : ''}`;
      draw();
    },
  };
}

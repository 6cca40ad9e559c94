/**
 * Activations panel: pick any layer (nested sub-model layers too). Dense layers show a unit
 * heatmap across the selected samples; conv layers a grid of feature maps of one sample. Per-unit
 * mean, dead-unit share and sparsity come from the host.
 */
import * as d3 from 'd3';
import type { ActivationsResponse } from '../../src/shared/protocol';
import type { ModelSlot } from '../../src/shared/types';
import { isCancelled } from '../controller';
import { spread, type ViewContext } from './context';
import { sampleCanvas, sharedRange } from './sampleRender';
import { dropdown, el, formatNumber } from './ui';

const MAX_SAMPLES = 64;
const MAX_FEATURE_MAPS = 48;

export interface ActivationView {
  readonly element: HTMLElement;
  setSelection(indices: Int32Array | null): void;
  /** Loads the chosen layer for the current selection (the panel calls it when shown). */
  refresh(): Promise<void>;
}

/** Colour for a value: blue–red around zero when any value is negative, viridis from zero otherwise. */
export function valueColor(min: number, max: number): (v: number) => string {
  if (min < 0) {
    const extent = Math.max(-min, max) || 1;
    return (v) => d3.interpolateRdBu(0.5 - v / extent / 2);
  }
  const top = max || 1;
  return (v) => d3.interpolateViridis(Math.min(1, v / top));
}

/** One pixel per value, rows × columns, for CSS to scale up (pixelated). */
export function heatmap(values: Float32Array, rows: number, columns: number, color: (v: number) => string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = columns;
  canvas.height = rows;
  canvas.className = 'heatmap';
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(columns, rows);
  for (let i = 0; i < rows * columns; i++) {
    const c = d3.rgb(color(values[i]));
    image.data[i * 4] = c.r;
    image.data[i * 4 + 1] = c.g;
    image.data[i * 4 + 2] = c.b;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

export function activationView(context: ViewContext, slot: ModelSlot): ActivationView {
  const { controller, ready } = context;
  const summary = ready.models.find((m) => m.slot === slot)?.summary;
  const layers = (summary?.layers ?? []).filter((layer) => layer.role !== 'input' && layer.className !== 'InputLayer');
  const element = el('div', 'activation-panel');
  const defaultLayer = layers.find((layer) => layer.role === 'code')?.path ?? layers[0]?.path ?? '';
  let layerPath = defaultLayer;
  let selection: Int32Array | null = null;
  const picker = dropdown(
    layers.map((layer) => ({ value: layer.path, label: `${'  '.repeat(layer.depth)}${layer.path} (${layer.className})` })),
    layerPath,
    (value) => {
      layerPath = value;
      void api.refresh();
    },
    'layer',
  );
  const stats = el('div', 'activation-stats');
  const body = el('div', 'activation-body');
  const controls = el('div', 'panel-controls');
  controls.append(picker);
  element.append(controls, stats, body);

  const draw = (response: ActivationsResponse, indices: Int32Array, usedSelection: boolean) => {
    const perSample = response.shape.reduce((a, b) => a * b, 1);
    let min = Infinity;
    let max = -Infinity;
    for (const v of response.values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const color = valueColor(min, max);
    stats.replaceChildren(
      ...[
        ['shape', `[${response.shape.join('×')}]`],
        ['samples', `${indices.length}${usedSelection ? '' : ' (no selection: the first shown)'}`],
        ['dead units', `${formatNumber(response.deadFraction * 100)} %`],
        ['sparsity', `${formatNumber(response.sparsity * 100)} %`],
        ['range', `${formatNumber(min)} … ${formatNumber(max)}`],
      ].map(([name, value]) => {
        const item = el('div', 'stat');
        item.append(el('span', 'stat-name', name), el('span', 'stat-value', value));
        return item;
      }),
    );
    const blocks: HTMLElement[] = [];
    if (response.shape.length >= 3) {
      const [h, w, channels] = response.shape.slice(-3);
      const shown = Math.min(channels, MAX_FEATURE_MAPS);
      const title = el('div', 'panel-subtitle', `feature maps of sample #${indices[0]} (${shown} of ${channels} channels)`);
      const gridBox = el('div', 'feature-grid');
      const first = response.values.subarray(0, perSample);
      for (let c = 0; c < shown; c++) {
        const channel = new Float32Array(h * w);
        for (let p = 0; p < h * w; p++) channel[p] = first[p * channels + c];
        const cell = el('div', 'feature-cell');
        const map = heatmap(channel, h, w, color);
        map.title = `channel ${c}: mean over selection ${formatNumber(response.unitMean[c])}`;
        cell.append(map, el('span', undefined, String(c)));
        gridBox.append(cell);
      }
      blocks.push(title, gridBox);
    } else {
      blocks.push(el('div', 'panel-subtitle', `${indices.length} samples (rows) × ${perSample} units (columns)`));
      blocks.push(heatmap(response.values, indices.length, perSample, color));
    }
    const meanRange = sharedRange(response.unitMean);
    blocks.push(el('div', 'panel-subtitle', `mean activation per unit (${response.unitMean.length})`));
    blocks.push(sampleCanvas(response.unitMean, 0, [response.unitMean.length], 'tabular', { min: Math.min(0, meanRange.min), max: meanRange.max }, 72));
    body.replaceChildren(...blocks);
  };

  const api: ActivationView = {
    element,
    setSelection(indices) {
      selection = indices;
    },
    async refresh() {
      if (!layerPath || !ready.dataset) {
        body.replaceChildren(el('div', 'panel-note', layers.length ? 'No dataset: activations need samples.' : 'This model reports no layers.'));
        return;
      }
      const usedSelection = !!selection && selection.length > 0;
      const indices = usedSelection
        ? spread(selection!, MAX_SAMPLES)
        : Int32Array.from({ length: Math.min(MAX_SAMPLES / 2, ready.dataset.shownCount) }, (_, i) => i);
      stats.textContent = `computing ${layerPath}…`;
      try {
        const response = await controller.request('activations', { slot, indices, layer: layerPath }, { key: `activations-${slot}` });
        draw(response, indices, usedSelection);
      } catch (error) {
        if (!isCancelled(error)) stats.textContent = `could not compute activations of ${layerPath}`;
      }
    },
  };
  return api;
}

/**
 * One plot with everything around it: the scatter, its legend, the hover tooltip with the
 * sample's thumbnail, the status line, and the projection run (PCA first so the plot is never
 * empty, then t-SNE/UMAP streaming in through progress `positions`). The explorer has one pane
 * (two with the raw-input baseline beside it), the compare view two.
 */
import type { ColumnResponse, ColumnSpec, ProjectRequest, ProjectResponse, Separability } from '../../src/shared/protocol';
import type { ModelSlot } from '../../src/shared/types';
import { isCancelled, type Progress } from '../controller';
import { scatterPlot, type ScatterPlot } from '../charts/scatter';
import { legend as createLegend, visibilityMask, type Legend } from '../charts/legend';
import type { PlotPicture } from '../charts/plotExport';
import { colorColumn, uniformColoring } from '../charts/colors';
import type { ViewContext } from './context';
import { METHOD_NAMES, type ProjectionChoice } from './projectionControls';
import { sampleCanvas, sharedRange } from './sampleRender';
import { el, formatCount, formatNumber } from './ui';

export interface ProjectOptions {
  alignTo?: ProjectRequest['alignTo'];
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

/**
 * What a pane projects: the model's codes (`project`), or the raw inputs the codes came from
 * (`baseline`, the reference an autoencoder should beat).
 */
export type PaneSource = 'codes' | 'inputs';

/** A finished layout of either source. */
export interface PaneLayout extends Pick<ProjectResponse, 'method' | 'dims' | 'positions' | 'trustworthiness' | 'seconds' | 'alignment'> {
  /** Inputs only: label separability in raw input space and in latent space. */
  separability: { raw: Separability | null; latent: Separability | null } | null;
}

export interface PlotPane {
  readonly element: HTMLElement;
  readonly scatter: ScatterPlot;
  readonly legend: Legend;
  readonly slot: ModelSlot;
  readonly source: PaneSource;
  /** The last finished projection, if any. */
  readonly layout: PaneLayout | null;
  /** Runs a projection; resolves with the final layout, rejects with the request's error. */
  project(choice: ProjectionChoice, options?: ProjectOptions): Promise<PaneLayout>;
  /** Colours by a column; resolves with it (also shown in the legend). */
  colorBy(column: ColumnSpec, title: string): Promise<ColumnResponse | null>;
  /** Colours by values computed elsewhere (compare stats). */
  colorByValues(values: Float32Array, scale: ColumnResponse['scale'], title: string, stats?: Record<string, number | null>): void;
  setTitle(text: string): void;
  /** The plot as drawn now, with its title and legend, for export. */
  picture(): PlotPicture;
}

function axisNames(choice: ProjectionChoice): [string, string] {
  if (choice.method === 'pca') {
    const [x = 0, y = 1] = choice.params.components ?? [0, 1];
    return [`PC${x + 1}`, `PC${y + 1}`];
  }
  return [`${METHOD_NAMES[choice.method]} 1`, `${METHOD_NAMES[choice.method]} 2`];
}

export function plotPane(context: ViewContext, slot: ModelSlot, source: PaneSource = 'codes'): PlotPane {
  const { controller, ready } = context;
  const n = ready.dataset?.shownCount ?? 0;
  const element = el('section', 'plot-pane');
  element.dataset.slot = slot;
  element.dataset.source = source;
  const title = el('div', 'pane-title');
  title.hidden = true;
  const plotBox = el('div', 'plot');
  const legendBox = el('div', 'legend-box');
  const status = el('div', 'pane-status');
  const tooltip = el('div', 'tooltip');
  tooltip.hidden = true;
  element.append(title, plotBox, legendBox, status, tooltip);
  const scatter = scatterPlot(plotBox);
  const legend = createLegend(legendBox);
  let layout: PaneLayout | null = null;
  let visibleNote = '';
  let columnValues: Float32Array | null = null;
  let columnTitle = '';
  let categorical = false;
  const initial = uniformColoring(n, '#4c9be8', 'samples');
  scatter.setColors(initial.colors);

  /** Hiding classes in the legend hides their points; the status line says how many remain. */
  const applyVisibility = () => {
    const mask = categorical && columnValues ? visibilityMask(columnValues, legend.hidden()) : null;
    scatter.setVisible(mask);
    const visible = mask ? mask.reduce((sum, v) => sum + v, 0) : n;
    visibleNote = visible < n ? `${formatCount(visible)} of ${formatCount(n)} visible` : '';
    if (layout) status.textContent = describe(layout);
  };
  legend.on('change', applyVisibility);

  const showColoring = (values: Float32Array, scale: ColumnResponse['scale'], name: string, categories: string[] | null, stats: Record<string, number | null>) => {
    columnValues = values;
    columnTitle = name;
    categorical = scale === 'categorical';
    const coloring = colorColumn(values, scale, name, categories);
    scatter.setColors(coloring.colors);
    legend.show(coloring.legend, stats);
    applyVisibility();
  };

  // Tooltip: the hovered sample's thumbnail, fetched once and kept.
  const thumbnails = new Map<number, HTMLCanvasElement>();
  let hovered = -1;
  const placeTooltip = (clientX: number, clientY: number) => {
    const box = element.getBoundingClientRect();
    const x = clientX - box.left + 14;
    const y = clientY - box.top + 14;
    tooltip.style.left = `${Math.min(x, box.width - 150)}px`;
    tooltip.style.top = `${Math.min(y, box.height - 120)}px`;
  };
  const fillTooltip = (index: number) => {
    const label = ready.labels?.[index] ?? -1;
    const classes = ready.dataset?.labels?.classes;
    const lines = el('div', 'tooltip-text');
    lines.append(el('strong', undefined, `#${index}`));
    if (label >= 0) lines.append(el('span', undefined, ` · ${classes?.[label] ?? label}`));
    if (columnValues && !categorical) lines.append(el('div', undefined, `${columnTitle}: ${formatNumber(columnValues[index])}`));
    const thumb = thumbnails.get(index);
    tooltip.replaceChildren(...(thumb ? [thumb] : []), lines);
  };
  scatter.on('hover', (index, clientX, clientY) => {
    if (index < 0) {
      hovered = -1;
      tooltip.hidden = true;
      return;
    }
    placeTooltip(clientX, clientY);
    if (index === hovered) return;
    hovered = index;
    tooltip.hidden = false;
    fillTooltip(index);
    if (!thumbnails.has(index) && ready.dataset) {
      controller
        .request('samples', { slot, indices: Int32Array.of(index), includeReconstruction: false }, { key: `tooltip-${slot}`, silent: true })
        .then((response) => {
          const range = sharedRange(response.originals);
          thumbnails.set(index, sampleCanvas(response.originals, 0, response.itemShape, response.display, range, 72));
          if (thumbnails.size > 500) thumbnails.delete(thumbnails.keys().next().value!);
          if (hovered === index) fillTooltip(index);
        })
        .catch(() => {});
    }
  });

  function describe(response: PaneLayout): string {
    return [
      `${source === 'inputs' ? 'raw inputs: ' : ''}${METHOD_NAMES[response.method]} ${response.dims}-D`,
      `trustworthiness ${formatNumber(response.trustworthiness)}`,
      `${formatNumber(response.seconds)} s`,
      response.alignment,
      visibleNote,
    ]
      .filter(Boolean)
      .join(' · ');
  }

  const requestLayout = async (choice: ProjectionChoice, options: ProjectOptions): Promise<PaneLayout> => {
    const body = { slot, method: choice.method, dims: choice.dims, seed: choice.seed, params: choice.params };
    const requestOptions = {
      key: `${source === 'codes' ? 'project' : 'baseline'}-${slot}`,
      signal: options.signal,
      onProgress: (progress: Progress) => {
        if (progress.positions) scatter.setPositions(progress.positions, choice.dims, { keepView: true, axisLabels: axisNames(choice) });
        options.onProgress?.(progress);
      },
    };
    let response: PaneLayout;
    if (source === 'codes') {
      response = { ...(await controller.request('project', { ...body, alignTo: options.alignTo }, requestOptions)), separability: null };
    } else {
      const baseline = await controller.request('baseline', body, requestOptions);
      response = { ...baseline, alignment: null, separability: { raw: baseline.raw, latent: baseline.latent } };
    }
    const keepView = layout !== null && layout.dims === response.dims && response.method !== 'pca';
    scatter.setPositions(response.positions, response.dims, { keepView, axisLabels: axisNames(choice) });
    layout = response;
    status.textContent = describe(response);
    return response;
  };

  return {
    element,
    scatter,
    legend,
    slot,
    source,
    get layout() {
      return layout;
    },
    async project(choice, options = {}) {
      // The plot is never empty: a PCA layout (milliseconds) first, then the chosen method streams in.
      if (choice.method !== 'pca' && (!layout || layout.dims !== choice.dims)) {
        const pcaChoice: ProjectionChoice = { method: 'pca', dims: choice.dims, seed: choice.seed, params: {} };
        await requestLayout(pcaChoice, { signal: options.signal, alignTo: options.alignTo ? { ...options.alignTo, mode: 'procrustes' } : undefined });
      }
      status.textContent = `${METHOD_NAMES[choice.method]} running…`;
      try {
        return await requestLayout(choice, options);
      } catch (error) {
        status.textContent = layout ? `${describe(layout)}${isCancelled(error) ? ' · cancelled' : ''}` : 'no layout';
        throw error;
      }
    },
    async colorBy(column, name) {
      try {
        const response = await controller.request('column', { column }, { key: `column-${slot}-${source}` });
        showColoring(response.values, response.scale, name, response.categories, response.stats);
        return response;
      } catch (error) {
        if (!isCancelled(error)) legend.show({ kind: 'categorical', title: `${name}: unavailable`, categories: [] });
        return null;
      }
    },
    colorByValues(values, scale, name, stats = {}) {
      showColoring(values, scale, name, null, stats);
    },
    setTitle(text) {
      title.textContent = text;
      title.hidden = !text;
    },
    picture() {
      return { title: title.hidden ? '' : (title.textContent ?? ''), plot: scatter.toSvg(), legend: legend.toSvg() };
    },
  };
}

/** "2,000 of 70,000 shown" when the session shows a sample of the dataset. */
export function shownNote(context: ViewContext): string {
  const dataset = context.ready.dataset;
  if (!dataset) return 'no dataset';
  return dataset.shownCount < dataset.count
    ? `${formatCount(dataset.shownCount)} of ${formatCount(dataset.count)} shown`
    : `${formatCount(dataset.count)} samples`;
}

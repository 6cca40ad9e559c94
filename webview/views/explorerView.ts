/**
 * The explorer: one model's latent space. Toolbar with the projection controls and progress, the
 * plot (dominant) with its tools and colouring, optionally the same samples projected from their
 * raw inputs beside it (linked selection, separability of both), and a collapsible side panel with
 * the selection, denoise, activations and tools tabs.
 */
import type { ColumnSpec, Separability } from '../../src/shared/protocol';
import type { ModelSlot } from '../../src/shared/types';
import type { InteractionMode } from '../charts/scatter';
import type { ViewContext } from './context';
import { activationView } from './activationView';
import { colorControls, colorLabel, isMetadataKey, type ColorChoice, type ColorKey, type MetadataColorKey } from './colorControls';
import { denoisePanel } from './denoisePanel';
import { linkSelection } from './linkedPanes';
import { plotPane, shownNote, type PaneLayout, type PlotPane } from './plotPane';
import { progressView } from './progress';
import { projectionControls, METHOD_NAMES, type ProjectionChoice } from './projectionControls';
import { saveBytes, savePlotButtons, saveSessionButton } from './save';
import { selectionPanel } from './selectionPanel';
import { sidePanel } from './sidePanel';
import { toolsPanel } from './toolsPanel';
import { button, el, formatCount, formatNumber, segmented } from './ui';
import { runnerNotes, type Shell } from './shell';

/** The column a colour choice asks for, for the plot of `slot`. */
export function columnFor(choice: ColorChoice, slot: ModelSlot): ColumnSpec {
  if (isMetadataKey(choice.key)) return { kind: 'metadata', name: colorLabel(choice.key) };
  switch (choice.key) {
    case 'label':
      return { kind: 'label' };
    case 'error':
      return { kind: 'reconstructionError', slot };
    case 'cluster':
      return { kind: 'cluster', slot, k: choice.k };
    case 'latent':
      return { kind: 'latentDimension', slot, index: choice.dimension };
    case 'sensitivity':
      return { kind: 'sensitivity', slot };
    case 'faithfulness':
      return { kind: 'faithfulness', slot };
    case 'drift':
      return { kind: 'drift' };
    case 'errorDelta':
      return { kind: 'errorDelta' };
  }
}

export function colorTitle(choice: ColorChoice): string {
  if (choice.key === 'latent') return `latent dimension ${choice.dimension}`;
  if (choice.key === 'cluster') return choice.k ? `cluster (k = ${choice.k})` : 'cluster (k by silhouette)';
  return colorLabel(choice.key);
}

/** Plot tools; Orbit only makes sense in 3-D. */
export function plotTools(onMode: (mode: InteractionMode) => void) {
  return segmented<InteractionMode>(
    [
      { value: 'pan', label: 'Pan', title: 'drag to pan, wheel to zoom, click a point to select it' },
      { value: 'box', label: 'Box', title: 'drag a rectangle to select' },
      { value: 'lasso', label: 'Lasso', title: 'draw around points to select' },
      { value: 'orbit', label: 'Orbit', title: 'drag to rotate the 3-D layout' },
    ],
    'box',
    onMode,
    'tools',
  );
}

/** Label separability of the raw inputs beside that of the codes: does the autoencoder separate the classes better? */
function separabilityTable(raw: Separability, latent: Separability, inputSize: number, latentSize: number): HTMLElement {
  const box = el('div', 'separability');
  const table = el('table', 'compare-stats');
  const rows: [string, string, string][] = [
    ['label separability', `raw inputs (${formatCount(inputSize)} values)`, `latent codes (${latentSize}-d)`],
    ['10-NN label accuracy', formatNumber(raw.knnAccuracy), formatNumber(latent.knnAccuracy)],
    ['silhouette by label', formatNumber(raw.silhouette), formatNumber(latent.silhouette)],
  ];
  rows.forEach((cells, r) => {
    const tr = el('tr');
    cells.forEach((cell, c) => {
      const td = el(r === 0 || c === 0 ? 'th' : 'td', undefined, cell);
      if (r > 0 && c > 0) td.dataset.space = c === 1 ? 'raw' : 'latent';
      tr.append(td);
    });
    table.append(tr);
  });
  const better = (a: number, b: number) => (b > a ? 'codes' : b < a ? 'raw inputs' : 'neither');
  const verdict = `Better separated in the ${better(raw.knnAccuracy, latent.knnAccuracy)} by 10-NN accuracy, in the ${better(raw.silhouette, latent.silhouette)} by silhouette.`;
  box.append(table, el('div', 'panel-note', verdict));
  return box;
}

export function explorerView(context: ViewContext, shell: Shell): void {
  const { ready } = context;
  const model = ready.models[0];
  const latentSize = model?.summary.latent.size ?? 1;
  const inputSize = (ready.dataset?.itemShape ?? []).reduce((a, b) => a * b, 1);
  shell.setTitle(model?.label ?? 'model', [shownNote(context), ...runnerNotes(ready)]);

  const pane = plotPane(context, 'a');
  // The baseline pane is made the first time it is asked for, and then kept (hidden or shown).
  let baseline: PlotPane | null = null;
  let baselineShown = false;
  let baselineChoice = '';
  const shownPanes = (): PlotPane[] => (baselineShown && baseline ? [pane, baseline] : [pane]);
  const separability = el('div', 'separability-box');
  separability.hidden = true;
  const showSeparability = (layout: PaneLayout) => {
    const numbers = layout.separability;
    if (numbers?.raw && numbers.latent) separability.replaceChildren(separabilityTable(numbers.raw, numbers.latent, inputSize, latentSize));
    else separability.replaceChildren(el('div', 'panel-note', 'Separability needs labels, and this dataset has none.'));
  };
  const projectBaseline = async (choice: ProjectionChoice, signal: AbortSignal) => {
    if (!baseline) return;
    if (choice.method !== 'pca') progress.start(`${METHOD_NAMES[choice.method]} of the raw inputs`, () => running?.abort());
    baselineChoice = JSON.stringify(choice);
    try {
      showSeparability(await baseline.project(choice, { signal, onProgress: (p) => progress.update(p.stage, p.fraction) }));
    } catch (error) {
      baselineChoice = '';
      throw error;
    }
  };
  const progress = progressView();
  let running: AbortController | null = null;
  const run = async (choice: ProjectionChoice, what: 'all' | 'baseline' = 'all') => {
    running?.abort();
    const own = new AbortController();
    running = own;
    controls.setBusy(true);
    try {
      if (what === 'all') {
        if (choice.method !== 'pca') progress.start(METHOD_NAMES[choice.method], () => own.abort());
        await pane.project(choice, { signal: own.signal, onProgress: (p) => progress.update(p.stage, p.fraction) });
        toolButtons.enable('orbit', choice.dims === 3);
        // Faithfulness compares the layout with the latent space: a new layout needs new values.
        if (colors.choice().key === 'faithfulness') applyColor(colors.choice());
      }
      // One projection at a time: the baseline runs after the codes' layout, as B after A in the compare view.
      if (baselineShown) await projectBaseline(choice, own.signal);
    } catch {
      // Failures are already in the error banner (the controller reports them); cancelling is silent.
    } finally {
      if (running === own) {
        running = null;
        progress.finish();
        controls.setBusy(false);
      }
    }
  };
  const controls = projectionControls(context.ui, { method: ready.settings.defaultMethod, seed: ready.settings.seed }, latentSize, (choice) => void run(choice), context.saveUi);
  // The last brushed or listed selection, so a baseline pane made later shows it too.
  let selected: Int32Array | null = null;
  /** `project`: compute the baseline for the current choice now, unless a run under way will. */
  const setBaselineShown = (show: boolean, project = true) => {
    baselineShown = show;
    context.saveUi({ baseline: show });
    baselineToggle.secondary = !show;
    baselineToggle.setAttribute('aria-pressed', String(show));
    if (show && !baseline) {
      baseline = plotPane(context, 'a', 'inputs');
      baseline.setTitle(`Raw inputs (${formatCount(inputSize)} values per sample)`);
      baseline.scatter.setMode(toolMode);
      linkSelection([pane, baseline], (indices) => {
        selected = indices;
        showSelection(indices);
      });
      pair.append(baseline.element);
      applyColor(colors.choice(), [baseline]);
    }
    pane.setTitle(show ? `Latent codes (${latentSize}-d) · ${model?.label ?? ''}` : '');
    if (baseline) baseline.element.hidden = !show;
    pair.className = show ? 'pane-pair' : 'pane-single';
    separability.hidden = !show;
    if (show && baseline) {
      baseline.scatter.setSelection(selected);
      if (project && !running && baselineChoice !== JSON.stringify(controls.choice())) void run(controls.choice(), 'baseline');
    }
  };
  const baselineToggle = button('Raw-input baseline', () => setBaselineShown(!baselineShown), {
    secondary: true,
    name: 'baseline',
    title: 'project the same samples from their raw inputs beside the codes, with the label separability of both',
  });
  shell.toolbar.append(controls.element);

  // Embeddings without a model have no reconstruction to err on and no encoder to be sensitive.
  const noModel = model?.summary.format === 'embeddings';
  const colorKeys: ColorKey[] = [...(ready.labels ? (['label'] as const) : []), ...(noModel ? [] : (['error'] as const)), 'cluster', 'latent', ...(noModel ? [] : (['sensitivity'] as const)), 'faithfulness'];
  const metadataColumns = (ready.dataset?.metadata ?? []).filter((column) => column.kind !== 'text' && column.kind !== 'image').map((column) => column.name);
  // Both panes colour the same samples the same way, so a class or a cluster can be followed across them.
  const applyColor = (choice: ColorChoice, panes = shownPanes()) => {
    context.saveUi({ colorBy: choice.key });
    for (const each of panes) void each.colorBy(columnFor(choice, 'a'), colorTitle(choice));
  };
  const colors = colorControls(colorKeys, (context.ui.colorBy as ColorKey | MetadataColorKey) ?? colorKeys[0], latentSize, applyColor, metadataColumns);

  let toolMode: InteractionMode = 'box';
  const toolButtons = plotTools((mode) => {
    toolMode = mode;
    for (const each of shownPanes()) each.scatter.setMode(mode);
  });
  toolButtons.enable('orbit', false);
  pane.scatter.setMode('box');
  const reset = button('Reset view', () => shownPanes().forEach((each) => each.scatter.resetView()), { secondary: true, name: 'reset' });
  const savePlot = savePlotButtons(context, shownPanes, () => `${model?.label ?? 'latent'}-${controls.choice().method}${baselineShown ? '-with-baseline' : ''}`);
  const plotBar = el('div', 'plot-bar');
  // Progress sits in the plot bar, not the top bar, so showing it never reflows the plot.
  plotBar.append(toolButtons.element, reset, baselineToggle, savePlot, saveSessionButton(context, () => controls.choice(), () => selected), progress.element, colors.element);
  const pair = el('div', 'pane-single');
  pair.append(pane.element);
  const main = el('div', 'main-column');
  main.append(plotBar, pair, separability);

  const emphasise = (indices: Int32Array | null) => shownPanes().forEach((each) => each.scatter.setEmphasis(indices));
  const selection = selectionPanel(context, ['a'], emphasise);
  const denoise = denoisePanel(context, 'a', (indices, positions) => pane.scatter.setOverlay(positions ? { from: indices, to: positions } : null));
  const activations = activationView(context, 'a');
  const showSelection = (indices: Int32Array | null) => {
    denoise.setSelection(indices);
    activations.setSelection(indices);
    latentTools.setSelection(indices);
    pane.scatter.setOverlay(null);
    void selection.show(indices);
    if (side.activeIndex() === 2) void activations.refresh();
  };
  /** Selects samples in every pane and lists them (a tool's result, a restored session). */
  const selectSamples = (indices: Int32Array | null, reveal = true) => {
    selected = indices;
    for (const each of shownPanes()) each.scatter.setSelection(indices);
    showSelection(indices);
    if (reveal) side.select(0);
  };
  const latentTools = toolsPanel(context, 'a', {
    scatter: pane.scatter,
    select: selectSamples,
    save: (fileName, mime, data) => saveBytes(context, fileName, mime, data),
  });
  const side = sidePanel(context, [
    { title: 'Selection', element: selection.element },
    { title: 'Denoise', element: denoise.element },
    { title: 'Activations', element: activations.element, onShow: () => void activations.refresh() },
    { title: 'Tools', element: latentTools.element },
  ]);
  shell.content.append(main, side.element);
  shell.toolbar.append(side.toggle);

  linkSelection([pane], (indices) => {
    selected = indices;
    showSelection(indices);
  });
  if (context.ui.baseline) setBaselineShown(true, false);

  void (async () => {
    // Faithfulness needs a layout: it is coloured once the first projection is done.
    if (colors.choice().key !== 'faithfulness') applyColor(colors.choice());
    await run(controls.choice());
    if (context.restoredSelection) selectSamples(context.restoredSelection);
  })();
}

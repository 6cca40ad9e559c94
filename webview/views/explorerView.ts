/**
 * The explorer: one model's latent space. Toolbar with the projection controls and progress, the
 * plot (dominant) with its tools and colouring, and a collapsible side panel with the selection,
 * denoise and activations tabs.
 */
import type { ColumnSpec } from '../../src/shared/protocol';
import type { ModelSlot } from '../../src/shared/types';
import type { InteractionMode } from '../charts/scatter';
import type { ViewContext } from './context';
import { activationView } from './activationView';
import { colorControls, COLOR_LABELS, type ColorChoice, type ColorKey } from './colorControls';
import { denoisePanel } from './denoisePanel';
import { plotPane, shownNote } from './plotPane';
import { progressView } from './progress';
import { projectionControls, METHOD_NAMES, type ProjectionChoice } from './projectionControls';
import { selectionPanel } from './selectionPanel';
import { sidePanel } from './sidePanel';
import { toolsPanel } from './toolsPanel';
import { button, el, segmented } from './ui';
import type { Shell } from './shell';

/** The column a colour choice asks for, for the plot of `slot`. */
export function columnFor(choice: ColorChoice, slot: ModelSlot): ColumnSpec {
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
  return COLOR_LABELS[choice.key];
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

/** Saves bytes the user asked for: a download in the browser, VS Code's save dialog in a webview. */
export async function saveBytes(context: ViewContext, fileName: string, mime: string, data: Uint8Array): Promise<void> {
  if (context.host === 'vscode') {
    await context.controller.request('saveFile', { fileName, data });
    return;
  }
  const url = URL.createObjectURL(new Blob([data.slice()], { type: mime }));
  const link = el('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function explorerView(context: ViewContext, shell: Shell): void {
  const { ready } = context;
  const model = ready.models[0];
  const latentSize = model?.summary.latent.size ?? 1;
  shell.setTitle(model?.label ?? 'model', [shownNote(context), `backend ${ready.backend}`]);

  const pane = plotPane(context, 'a');
  const progress = progressView();
  let running: AbortController | null = null;
  const run = async (choice: ProjectionChoice) => {
    running?.abort();
    const own = new AbortController();
    running = own;
    controls.setBusy(true);
    if (choice.method !== 'pca') progress.start(METHOD_NAMES[choice.method], () => own.abort());
    try {
      await pane.project(choice, { signal: own.signal, onProgress: (p) => progress.update(p.stage, p.fraction) });
      toolButtons.enable('orbit', choice.dims === 3);
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
  shell.toolbar.append(controls.element);

  const colorKeys: ColorKey[] = [...(ready.labels ? (['label'] as const) : []), 'error', 'cluster', 'latent', 'sensitivity', 'faithfulness'];
  const applyColor = (choice: ColorChoice) => {
    context.saveUi({ colorBy: choice.key });
    void pane.colorBy(columnFor(choice, 'a'), colorTitle(choice));
  };
  const colors = colorControls(colorKeys, (context.ui.colorBy as ColorKey) ?? colorKeys[0], latentSize, applyColor);

  const toolButtons = plotTools((mode) => pane.scatter.setMode(mode));
  toolButtons.enable('orbit', false);
  pane.scatter.setMode('box');
  const reset = button('Reset view', () => pane.scatter.resetView(), { secondary: true, name: 'reset' });
  const plotBar = el('div', 'plot-bar');
  // Progress sits in the plot bar, not the top bar, so showing it never reflows the plot.
  plotBar.append(toolButtons.element, reset, progress.element, colors.element);
  const main = el('div', 'main-column');
  main.append(plotBar, pane.element);

  const selection = selectionPanel(context, ['a'], (indices) => pane.scatter.setEmphasis(indices));
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
  const latentTools = toolsPanel(context, 'a', {
    scatter: pane.scatter,
    select(indices) {
      pane.scatter.setSelection(indices);
      showSelection(indices);
      side.select(0);
    },
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

  pane.scatter.on('select', (indices, final) => {
    if (final) showSelection(indices);
  });

  void (async () => {
    applyColor(colors.choice());
    await run(controls.choice());
  })();
}

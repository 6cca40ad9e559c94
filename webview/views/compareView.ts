/**
 * Compare two checkpoints on the same samples: two plots sharing one viewport and one selection
 * (brushing either highlights both), B's projection aligned to A's (Procrustes), colour by drift
 * or error delta, the top movers, and the summary numbers from `compareStats`.
 */
import type { CompareStatsResponse } from '../../src/shared/protocol';
import type { ModelSlot } from '../../src/shared/types';
import { isCancelled } from '../controller';
import type { ViewContext } from './context';
import { colorControls, type ColorChoice, type ColorKey } from './colorControls';
import { colorTitle, columnFor, plotTools } from './explorerView';
import { linkSelection, linkViewports } from './linkedPanes';
import { plotPane, shownNote, type PlotPane } from './plotPane';
import { progressView } from './progress';
import { projectionControls, METHOD_NAMES, type ProjectionChoice } from './projectionControls';
import { savePlotButtons, saveSessionButton } from './save';
import { selectionPanel } from './selectionPanel';
import { sidePanel } from './sidePanel';
import { runnerNotes, type Shell } from './shell';
import { button, dropdown, el, field, formatNumber } from './ui';

const NEIGHBOURS = 10;

function statsTable(stats: CompareStatsResponse, labelA: string, labelB: string): HTMLElement {
  const table = el('table', 'compare-stats');
  const rows: [string, string, string][] = [
    ['', labelA, labelB],
    ['reconstruction MSE', formatNumber(stats.a.mse), formatNumber(stats.b.mse)],
    [`${NEIGHBOURS}-NN label accuracy`, formatNumber(stats.a.knnAccuracy), formatNumber(stats.b.knnAccuracy)],
  ];
  rows.forEach((cells, r) => {
    const tr = el('tr');
    for (const cell of cells) tr.append(el(r === 0 ? 'th' : 'td', undefined, cell));
    table.append(tr);
  });
  const overlap = el('tr');
  const cell = el('td', undefined, formatNumber(stats.neighborOverlap));
  cell.colSpan = 2;
  overlap.append(el('td', undefined, `shared ${NEIGHBOURS} nearest neighbours`), cell);
  table.append(overlap);
  return table;
}

export function compareView(context: ViewContext, shell: Shell): void {
  const { ready, controller } = context;
  const [modelA, modelB] = ready.models;
  const labelOf = (slot: ModelSlot) => (slot === 'a' ? modelA : modelB)?.label ?? slot.toUpperCase();
  shell.setTitle(`${labelOf('a')} ↔ ${labelOf('b')}`, [shownNote(context), ...runnerNotes(ready)]);
  const latentSize = Math.min(modelA?.summary.latent.size ?? 1, modelB?.summary.latent.size ?? 1);

  const panes: PlotPane[] = (['a', 'b'] as const).map((slot) => {
    const pane = plotPane(context, slot);
    pane.setTitle(`${slot.toUpperCase()} · ${labelOf(slot)}`);
    return pane;
  });
  const [paneA, paneB] = panes;
  linkViewports(panes);

  // How B's layout is tied to A's: Procrustes after the fact, or (t-SNE/UMAP) started from A's layout, then Procrustes.
  let alignMode: 'procrustes' | 'init' = 'procrustes';
  const alignSelect = dropdown<'procrustes' | 'init'>(
    [
      { value: 'procrustes', label: 'Procrustes' },
      { value: 'init', label: 'init from A' },
    ],
    alignMode,
    (value) => (alignMode = value),
    'align',
  );
  alignSelect.title = 'How B is aligned to A: rotate/reflect/scale onto A (Procrustes), or for t-SNE/UMAP start B from A’s layout';

  const progress = progressView();
  let running: AbortController | null = null;
  const run = async (choice: ProjectionChoice) => {
    running?.abort();
    const own = new AbortController();
    running = own;
    controls.setBusy(true);
    const name = METHOD_NAMES[choice.method];
    if (choice.method !== 'pca') progress.start(`${name} for A`, () => own.abort());
    try {
      await paneA.project(choice, { signal: own.signal, onProgress: (p) => progress.update(p.stage, p.fraction) });
      if (choice.method !== 'pca') progress.start(`${name} for B (aligned to A)`, () => own.abort());
      await paneB.project(choice, {
        signal: own.signal,
        alignTo: { slot: 'a', mode: alignMode },
        onProgress: (p) => progress.update(p.stage, p.fraction),
      });
      tools.enable('orbit', choice.dims === 3);
      paneB.scatter.setView(paneA.scatter.getView());
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
  shell.toolbar.append(controls.element, field('align B', alignSelect));

  const colorKeys: ColorKey[] = [...(ready.labels ? (['label'] as const) : []), 'drift', 'errorDelta', 'error', 'cluster'];
  const applyColor = (choice: ColorChoice) => {
    context.saveUi({ colorBy: choice.key });
    for (const pane of panes) void pane.colorBy(columnFor(choice, pane.slot), colorTitle(choice));
  };
  const colors = colorControls(colorKeys, (context.ui.colorBy as ColorKey) ?? 'drift', latentSize, applyColor);
  const tools = plotTools((mode) => panes.forEach((pane) => pane.scatter.setMode(mode)));
  tools.enable('orbit', false);
  panes.forEach((pane) => pane.scatter.setMode('box'));
  const reset = button('Reset view', () => paneA.scatter.resetView(), { secondary: true, name: 'reset' });
  const plotBar = el('div', 'plot-bar');
  // Progress sits in the plot bar, not the top bar, so showing it never reflows the plot.
  // The selection both panes show, for a saved session.
  let selected: Int32Array | null = null;
  plotBar.append(
    tools.element,
    reset,
    savePlotButtons(context, () => panes, () => `compare-${labelOf('a')}-${labelOf('b')}`),
    saveSessionButton(context, () => controls.choice(), () => selected),
    progress.element,
    colors.element,
  );
  const pair = el('div', 'pane-pair');
  pair.append(paneA.element, paneB.element);
  const main = el('div', 'main-column');
  main.append(plotBar, pair);

  const selection = selectionPanel(context, ['a', 'b'], (indices) => panes.forEach((pane) => pane.scatter.setEmphasis(indices)));
  const movers = el('div', 'movers-panel');
  const side = sidePanel(context, [
    { title: 'Selection', element: selection.element },
    { title: 'Summary', element: movers },
  ]);
  shell.content.append(main, side.element);
  shell.toolbar.append(side.toggle);

  linkSelection(panes, (indices) => {
    selected = indices;
    void selection.show(indices);
  });
  const selectInBoth = (indices: Int32Array) => {
    selected = indices;
    for (const pane of panes) pane.scatter.setSelection(indices);
    void selection.show(indices);
    side.select(0);
  };

  /** Ranked samples, each with its class and `value`; hovering marks one in both plots, clicking selects it. */
  const sampleList = (name: string, items: { index: number }[], value: (item: number) => string) => {
    const list = el('ol', `mover-list ${name}`);
    items.forEach(({ index }, rank) => {
      const item = el('li', 'mover');
      item.dataset.index = String(index);
      const label = ready.labels?.[index] ?? -1;
      item.append(
        el('span', 'mover-index', `#${index}`),
        el('span', 'mover-label', label >= 0 ? (ready.dataset?.labels?.classes[label] ?? String(label)) : ''),
        el('span', 'mover-drift', value(rank)),
      );
      item.addEventListener('pointerenter', () => panes.forEach((pane) => pane.scatter.setEmphasis(Int32Array.of(index))));
      item.addEventListener('pointerleave', () => panes.forEach((pane) => pane.scatter.setEmphasis(null)));
      item.addEventListener('click', () => selectInBoth(Int32Array.of(index)));
      list.append(item);
    });
    const all = button('Select all', () => selectInBoth(Int32Array.from(items, (m) => m.index).sort()), { secondary: true, name: `select-${name}` });
    return [all, list];
  };
  const showStats = (stats: CompareStatsResponse) => {
    const { worse, better } = stats.errorChanges;
    const delta = (changes: typeof worse) => (rank: number) => `${changes[rank].delta > 0 ? '+' : ''}${formatNumber(changes[rank].delta)}`;
    movers.replaceChildren(
      el('div', 'panel-subtitle', 'Summary'),
      statsTable(stats, `A · ${labelOf('a')}`, `B · ${labelOf('b')}`),
      el('div', 'panel-subtitle', `Top movers (neighbourhoods that changed most)`),
      ...sampleList('movers', stats.topMovers, (rank) => `drift ${formatNumber(stats.topMovers[rank].drift)}`),
    );
    if (worse.length || better.length) {
      movers.append(
        el('div', 'panel-subtitle', 'Reconstruction error worse in B (B − A)'),
        ...(worse.length ? sampleList('worse', worse, delta(worse)) : [el('div', 'panel-note', 'no sample reconstructs worse in B')]),
        el('div', 'panel-subtitle', 'Reconstruction error better in B (B − A)'),
        ...(better.length ? sampleList('better', better, delta(better)) : [el('div', 'panel-note', 'no sample reconstructs better in B')]),
      );
    }
  };

  void (async () => {
    movers.replaceChildren(el('div', 'panel-note', 'computing comparison…'));
    controller
      .request('compareStats', { k: NEIGHBOURS })
      .then(showStats)
      .catch((error: unknown) => {
        if (!isCancelled(error)) movers.replaceChildren(el('div', 'panel-note', 'comparison statistics unavailable'));
      });
    applyColor(colors.choice());
    await run(controls.choice());
    if (context.restoredSelection) selectInBoth(context.restoredSelection);
  })();
}

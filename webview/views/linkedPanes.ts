/**
 * Ties plot panes that show the same samples: one selection (brushing or lassoing either
 * highlights the same samples in all), and, where their coordinates mean the same thing (two
 * checkpoints aligned by Procrustes), one viewport.
 */
import type { Extent } from '../charts/scatter';
import type { PlotPane } from './plotPane';

/** Zooming, panning or orbiting any pane moves the others; all fit the union of their layouts. */
export function linkViewports(panes: readonly PlotPane[]): void {
  const extents = new Map<PlotPane, Extent>();
  for (const pane of panes) {
    pane.scatter.on('view', (view) => panes.forEach((other) => other !== pane && other.scatter.setView(view)));
    pane.scatter.on('layout', (extent) => {
      extents.set(pane, extent);
      const all = [...extents.values()];
      const union: Extent = [
        Math.min(...all.map((e) => e[0])),
        Math.max(...all.map((e) => e[1])),
        Math.min(...all.map((e) => e[2])),
        Math.max(...all.map((e) => e[3])),
      ];
      for (const each of panes) each.scatter.setExtent(union);
    });
  }
}

/**
 * A brush or lasso in any pane selects the same samples in the others; `onSelect` hears each
 * gesture (final once it ends), whichever pane it came from.
 */
export function linkSelection(panes: readonly PlotPane[], onSelect: (indices: Int32Array | null, final: boolean) => void): void {
  for (const pane of panes) {
    pane.scatter.on('select', (indices, final) => {
      for (const other of panes) if (other !== pane) other.scatter.setSelection(indices);
      onSelect(indices, final);
    });
  }
}

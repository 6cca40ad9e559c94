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
 * A brush or lasso in any pane selects the same samples in the others, live while it is dragged;
 * `onSelect` hears each selection made (a gesture's end, a click), whichever pane it came from.
 */
export function linkSelection(panes: readonly PlotPane[], onSelect: (indices: Int32Array | null) => void): void {
  for (const pane of panes) {
    const others = panes.filter((other) => other !== pane);
    // Each move hands the others the gesture's set to copy, not an index list: building that costs more than the move.
    pane.scatter.on('selecting', (points) => others.forEach((other) => other.scatter.setSelection(points)));
    pane.scatter.on('select', (indices) => {
      others.forEach((other) => other.scatter.setSelection(indices));
      onSelect(indices);
    });
  }
}

/**
 * Small multiples of each latent unit's distribution, one line per class in the plot's class
 * colours: a unit whose classes sit apart separates them; one where all lines overlap does not.
 */
import type { UnitHistograms } from '../../src/shared/types';
import { categoryColor } from './colors';

const WIDTH = 132;
const HEIGHT = 44;

/** One cell per unit: its name and range, and a canvas with a line per group (class). */
export function unitHistogramGrid(histograms: UnitHistograms, groupNames: readonly string[] | null): HTMLElement {
  const { bins, groups, lo, hi, shares } = histograms;
  const grid = document.createElement('div');
  grid.className = 'unit-histograms';
  const ratio = window.devicePixelRatio || 1;
  for (let unit = 0; unit < lo.length; unit++) {
    const cell = document.createElement('figure');
    cell.className = 'unit-histogram';
    cell.dataset.unit = String(unit);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(WIDTH * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    canvas.style.width = `${WIDTH}px`;
    canvas.style.height = `${HEIGHT}px`;
    const context = canvas.getContext('2d')!;
    context.scale(ratio, ratio);
    // One vertical scale for the unit, so a class that crowds into few bins stands out.
    let peak = 0;
    for (let g = 0; g < groups; g++) for (let b = 0; b < bins; b++) peak = Math.max(peak, shares[(unit * groups + g) * bins + b]);
    context.lineWidth = 1.25;
    for (let g = 0; g < groups; g++) {
      context.strokeStyle = categoryColor(g);
      context.beginPath();
      for (let b = 0; b < bins; b++) {
        const x = ((b + 0.5) / bins) * WIDTH;
        const y = HEIGHT - 1 - (shares[(unit * groups + g) * bins + b] / (peak || 1)) * (HEIGHT - 3);
        if (b === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      }
      context.stroke();
    }
    const caption = document.createElement('figcaption');
    caption.textContent = `z${unit}  ${lo[unit].toPrecision(2)} … ${hi[unit].toPrecision(2)}`;
    cell.title = groupNames ? `z${unit} by class: ${groupNames.map((name, g) => `${name} (${categoryColor(g)})`).join(', ')}` : `z${unit}, all samples`;
    cell.append(canvas, caption);
    grid.append(cell);
  }
  return grid;
}

/**
 * The model.json inspector (custom editor): the architecture as a table (path, class, output
 * shape, parameters, role), the detected encoder/code/decoder split, warnings, and a button that
 * opens the explorer on this model.
 */
import * as d3 from 'd3';
import type { LayerSummary, ModelSummary, Shape } from '../../src/shared/types';
import type { ViewContext } from './context';
import { runnerNotes, type Shell } from './shell';
import { button, el, formatCount } from './ui';

function shapeText(shape: Shape | Shape[]): string {
  if (shape.length > 0 && Array.isArray(shape[0])) return (shape as Shape[]).map(shapeText).join(', ');
  return `[${(shape as Shape).map((d) => (d === null ? '?' : d)).join(' × ')}]`;
}

function splitSummary(summary: ModelSummary): HTMLElement {
  const box = el('div', 'split');
  const roles = ['encoder', 'code', 'decoder'] as const;
  const count = (role: LayerSummary['role']) => summary.layers.filter((layer) => layer.role === role).length;
  const params = (role: LayerSummary['role']) => summary.layers.filter((layer) => layer.role === role).reduce((a, layer) => a + layer.params, 0);
  box.append(el('div', 'split-part split-input', `input ${shapeText(summary.input.shape)}`));
  for (const role of roles) {
    const part = el('div', `split-part split-${role}`);
    const detail =
      role === 'code'
        ? `${summary.latent.layer} · ${summary.latent.size} dims ${shapeText(summary.latent.shape)}`
        : `${count(role)} layers · ${formatCount(params(role))} params`;
    part.append(el('strong', undefined, role), el('span', undefined, detail));
    box.append(part);
  }
  box.append(el('div', 'split-part split-output', summary.output ? `output ${shapeText(summary.output.shape)}` : 'no decoder output'));
  return box;
}

export function inspectView(context: ViewContext, shell: Shell): void {
  const { ready, controller } = context;
  const model = ready.models[0];
  if (!model) {
    shell.setTitle('no model', []);
    return;
  }
  const { summary } = model;
  shell.setTitle(model.label, [`${summary.kind}`, `${summary.format} (${summary.dialect})`, `${formatCount(summary.totalParams)} parameters`, ...runnerNotes(ready)]);
  const open = button('Open explorer', () => void controller.request('openExplorer', { slot: model.slot }).catch(() => {}), { name: 'open-explorer' });
  shell.toolbar.append(open);

  const page = el('div', 'inspect-page');
  page.append(el('h2', undefined, 'Detected split'), splitSummary(summary));
  if (summary.warnings.length) {
    const warnings = el('ul', 'warnings');
    for (const warning of summary.warnings) warnings.append(el('li', undefined, warning));
    page.append(el('h2', undefined, 'Warnings'), warnings);
  }
  page.append(el('h2', undefined, `Layers (${summary.layers.length})`));
  const table = d3.select(page).append('table').attr('class', 'layer-table');
  const columns = ['path', 'class', 'output shape', 'params', 'role'];
  table.append('thead').append('tr').selectAll('th').data(columns).join('th').text((d) => d);
  const rows = table
    .append('tbody')
    .selectAll('tr')
    .data(summary.layers)
    .join('tr')
    .attr('class', (layer) => `role-${layer.role}`);
  rows
    .selectAll('td')
    .data((layer) => [
      { text: layer.path, className: 'path', indent: layer.depth },
      { text: layer.className, className: 'class', indent: 0 },
      { text: shapeText(layer.outputShape), className: 'shape', indent: 0 },
      { text: formatCount(layer.params), className: 'number', indent: 0 },
      { text: layer.role, className: `role role-badge-${layer.role}`, indent: 0 },
    ])
    .join('td')
    .attr('class', (d) => d.className)
    .style('padding-left', (d) => (d.indent ? `${0.6 + d.indent * 1.2}em` : null))
    .text((d) => d.text);
  page.append(el('p', 'panel-note', `Files: ${summary.files.join(', ')}`));
  shell.content.append(page);
}
